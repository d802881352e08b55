import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { runnableConfig, tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/hardware.js';

/**
 * The locker's metrics for node_exporter's textfile collector (issue 16): the daemon, built by its composition
 * root on simulated boards, writes `metrics.textfile` at start and every `intervalS`, atomically, in the
 * Prometheus text format.
 */

/** A strict reader of the text format: every line is `# HELP`, `# TYPE`, or a sample of a metric typed above it. */
function parseExposition(text: string): Map<string, number> {
  expect(text.endsWith('\n')).toBe(true);
  const types = new Map<string, string>();
  const helped = new Set<string>();
  const samples = new Map<string, number>();
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line))) {
      helped.add(m[1]!);
    } else if ((m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line))) {
      expect(types.has(m[1]!), `${m[1]} typed twice`).toBe(false);
      types.set(m[1]!, m[2]!);
    } else if ((m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*")*)?\})? (-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|NaN|[+-]Inf)$/.exec(line))) {
      const name = m[1]!;
      expect(types.has(name), `${name} has no # TYPE line before it`).toBe(true);
      expect(helped.has(name), `${name} has no # HELP line`).toBe(true);
      if (types.get(name) === 'counter') expect(name.endsWith('_total'), `counter ${name} ends in _total`).toBe(true);
      const series = `${name}${m[2] ?? ''}`;
      expect(samples.has(series), `${series} twice`).toBe(false);
      samples.set(series, Number(m[3]));
    } else {
      throw new Error(`not a line of the Prometheus text format: ${JSON.stringify(line)}`);
    }
  }
  return samples;
}

describe('the locker metrics textfile', () => {
  let t: ReturnType<typeof tempDir>;
  let daemon: Daemon;
  let file: string;
  const read = (): Map<string, number> => parseExposition(readFileSync(file, 'utf8'));

  beforeAll(async () => {
    t = tempDir();
    file = join(t.dir, 'textfile', 'urzedomat.prom');
    const raw = runnableConfig(t.dir);
    raw.bus = { transport: 'simulated', pollIntervalMs: 5 };
    raw.metrics = { textfile: file, intervalS: 1 };
    mkdirSync(join(t.dir, 'textfile'));
    daemon = await startDaemon(parseConfig(raw, t.dir), { logger: pino({ level: 'silent' }), clock: systemClock });
  });
  afterAll(async () => {
    await daemon.stop('test over');
    t.cleanup();
  });

  it('is written at start, world-readable, with bus, sync, outbox, documents and compartments', () => {
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    const m = read();
    const compartments = daemon.config.compartments.length;
    expect(m.get(`urzedomat_locker_info{locker_id="${daemon.config.lockerId}",version="${/version="([^"]+)"/.exec(readFileSync(file, 'utf8'))![1]}"}`)).toBe(1);
    for (const b of daemon.config.boards) {
      expect(m.has(`urzedomat_bus_polls_total{board="${b.address}"}`)).toBe(true);
      expect(m.has(`urzedomat_bus_poll_failures_total{board="${b.address}"}`)).toBe(true);
    }
    for (const name of ['urzedomat_bus_timeouts_total', 'urzedomat_bus_discarded_bytes_total', 'urzedomat_outbox_pending_events', 'urzedomat_metrics_written_timestamp_seconds']) {
      expect(m.has(name), name).toBe(true);
    }
    for (const result of ['ok', 'refused', 'failed']) expect(m.has(`urzedomat_sync_pulls_total{result="${result}"}`)).toBe(true);
    for (const result of ['ok', 'failed']) expect(m.has(`urzedomat_sync_pushes_total{result="${result}"}`)).toBe(true);
    expect(m.get('urzedomat_documents{state="pending"}')).toBe(0);
    expect(m.get('urzedomat_compartments{state="free"}')).toBe(compartments);
    expect(m.get('urzedomat_compartments{state="fault"}')).toBe(0);
    expect(Math.abs(m.get('urzedomat_metrics_written_timestamp_seconds')! - Date.now() / 1000)).toBeLessThan(5);
  });

  it('is rewritten with what changed: polls, a raised alarm, a document, a failed pull', async () => {
    const polls = read().get('urzedomat_bus_polls_total{board="0"}')!;
    daemon.store.outbox.append('alarm', { kind: 'tamper' });
    daemon.store.outbox.append('alarm', { kind: 'tamper' });
    daemon.store.outbox.append('alarm', { kind: 'board-offline', board: 1 });
    daemon.store.db.prepare(`INSERT INTO authorization (id, case_ref, document_type, size, phone_mac, code_mac, expires_at, fee_settled, consent, accessible, feed_seq)
      VALUES ('A-1', 'USC.5361.7.2026', 'odpis-zupelny-aktu-malzenstwa', 'S', ?, ?, '2099-01-01T00:00:00Z', 1, 1, 0, 1)`).run('a'.repeat(64), 'b'.repeat(64));
    // The office of runnableConfig is a closed port: the first pull, at start, has failed.
    await until(() => {
      const m = read();
      return m.get('urzedomat_alarms_raised_total{kind="tamper"}') === 2 && m.get('urzedomat_documents{state="pending"}') === 1;
    }, 5_000, 'the next write');
    const m = read();
    expect(m.get('urzedomat_alarms_raised_total{kind="board-offline"}')).toBe(1);
    expect(m.get('urzedomat_bus_polls_total{board="0"}')!).toBeGreaterThan(polls);
    expect(m.get('urzedomat_sync_pulls_total{result="failed"}')!).toBeGreaterThanOrEqual(1);
    expect(m.get('urzedomat_outbox_pending_events')!).toBeGreaterThanOrEqual(3);
    // Written through a temporary file and a rename: nothing else is left in the collector's directory.
    expect(readdirSync(join(t.dir, 'textfile'))).toEqual(['urzedomat.prom']);
  });

  it('refuses a textfile that node_exporter would not read', () => {
    const raw = runnableConfig(t.dir);
    raw.metrics = { textfile: join(t.dir, 'urzedomat.txt') };
    expect(() => parseConfig(raw, t.dir)).toThrow(/metrics\.textfile.*\.prom/);
  });
});
