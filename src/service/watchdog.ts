import type { Logger } from '../log.js';
import { checkHealth, type HealthInputs } from './health.js';
import type { ServiceNotifier } from './notify.js';

/**
 * Feeds systemd's watchdog only while the daemon is healthy: every interval it checks itself and sends
 * WATCHDOG=1, or sends nothing (and says why once) so that systemd restarts it after WatchdogSec.
 */
export function startWatchdog(notifier: ServiceNotifier, intervalMs: number, inputs: HealthInputs, log: Logger): () => void {
  let expected = Date.now() + intervalMs;
  let lastProblem: string | undefined;
  const timer = setInterval(() => {
    const lag = Date.now() - expected;
    expected = Date.now() + intervalMs;
    const h = checkHealth(inputs, lag, intervalMs);
    if (h.ok) {
      if (lastProblem !== undefined) log.info('healthy again: watchdog pings resume');
      lastProblem = undefined;
      void notifier.send('WATCHDOG=1');
    } else if (h.why !== lastProblem) {
      lastProblem = h.why;
      log.error({ why: h.why }, 'unhealthy: watchdog pings withheld, systemd will restart the daemon');
      void notifier.send(`STATUS=unhealthy: ${h.why}`);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
