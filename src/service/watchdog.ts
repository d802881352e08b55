import type { Logger } from '../log.js';
import { checkHealth, type HealthInputs } from './health.js';
import type { ServiceNotifier } from './notify.js';

/**
 * Feeds systemd's watchdog only while the daemon is healthy: every interval it checks itself and sends
 * WATCHDOG=1, or sends nothing (and says why once) so that systemd restarts it after WatchdogSec. An office
 * link grown old changes only the status line: restarting would not bring the office back.
 */
export function startWatchdog(notifier: ServiceNotifier, intervalMs: number, inputs: HealthInputs, log: Logger): () => void {
  let expected = Date.now() + intervalMs;
  let lastProblem: string | undefined;
  let lastNotes = '';
  const timer = setInterval(() => {
    const lag = Date.now() - expected;
    expected = Date.now() + intervalMs;
    const h = checkHealth(inputs, lag, intervalMs);
    if (h.ok) {
      if (lastProblem !== undefined) log.info('healthy again: watchdog pings resume');
      lastProblem = undefined;
      const notes = h.notes.join('; ');
      if (notes !== lastNotes) {
        lastNotes = notes;
        if (notes !== '') log.warn({ notes: h.notes }, 'healthy, with a note: the locker keeps working');
        void notifier.send('WATCHDOG=1', `STATUS=${notes === '' ? 'in service' : `in service; ${notes}`}`);
      } else void notifier.send('WATCHDOG=1');
    } else if (h.why !== lastProblem) {
      lastProblem = h.why;
      log.error({ why: h.why }, 'unhealthy: watchdog pings withheld, systemd will restart the daemon');
      void notifier.send(`STATUS=unhealthy: ${h.why}`);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
