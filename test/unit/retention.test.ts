import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { FeedApplier } from '../../src/sync/feed-apply.js';
import { Retention } from '../../src/store/retention.js';
import { archiveAuditPrefix, verifyAuditWithArchive } from '../../src/store/audit-archive.js';
import { openStore, type Store } from '../../src/store/store.js';
import { housekeeping } from '../../src/service/housekeeping.js';
import { parseConfig } from '../../src/config/load.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { runnableConfig, tempDir } from '../helpers/fixtures.js';
import { insertAuthorization } from '../helpers/store-fixtures.js';

const day = 86_400_000;
let t: ReturnType<typeof tempDir>;
let store: Store;
let clock: ManualClock;
let archiveDir: string;

beforeEach(() => {
  t = tempDir();
  clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  store = openStore(join(t.dir, 'data'), clock);
  archiveDir = join(t.dir, 'archive');
  store.db.prepare("INSERT INTO compartment (id, board, lock, size, updated_at) VALUES (1, 0, 1, 'S', 'x'), (2, 0, 2, 'S', 'x')").run();
});
afterEach(() => {
  store.close();
  t.cleanup();
});

const ids = (): string[] => (store.db.prepare('SELECT id FROM authorization ORDER BY id').all() as { id: string }[]).map((r) => r.id);
const count = (table: string): number => (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
const at = (ms: number): string => new Date(ms).toISOString();

/** A document that was loaded and collected (or retrieved) at `closedMs`, with its intent, receipt and events. */
function closed(id: string, closedMs: number, status: 'collected' | 'retrieved' = 'collected', intent = 'closed', expiresMs = closedMs + 7 * day): void {
  insertAuthorization(store.db, { id, phone: '600000001', code: '12345678', status, compartment: null, expiresAt: at(expiresMs) });
  store.db.prepare('UPDATE authorization SET closed_at = ? WHERE id = ?').run(at(closedMs), id);
  store.db.prepare("INSERT INTO unlock_intent (compartment_id, purpose, authorization_id, actor, status, created_at, resolved_at) VALUES (1, 'release', ?, 'resident', ?, ?, ?)")
    .run(id, intent, at(closedMs), intent === 'closed' ? at(closedMs) : null);
  if (status === 'collected') store.db.prepare('INSERT INTO receipt (id, authorization_id, compartment_id, at) VALUES (?, ?, 1, ?)').run(`R-${id}`, id, at(closedMs));
}

describe('retention of closed records', () => {
  const policy = () => ({ closedRecordsDays: 30, auditDays: 365, archiveDir });

  it('deletes what closed before the cutoff with its receipt and intents, and keeps everything still open or unsettled', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    closed('A-old', now - 40 * day);
    closed('A-old-retrieved', now - 31 * day, 'retrieved');
    closed('A-recent', now - 10 * day);
    closed('A-unsettled', now - 40 * day, 'collected', 'unknown'); // its unlock's outcome is not known: stays
    insertAuthorization(store.db, { id: 'A-loaded', phone: '600000002', code: '1', status: 'loaded', compartment: 2, expiresAt: at(now - 60 * day) });
    insertAuthorization(store.db, { id: 'A-pending', phone: '600000003', code: '2', status: 'pending', compartment: null, expiresAt: at(now + day) });
    insertAuthorization(store.db, { id: 'A-expired-pending', phone: '600000004', code: '3', status: 'pending', compartment: null, expiresAt: at(now - 31 * day) });

    const r = new Retention(store.db, policy()).run(now);

    expect(ids()).toEqual(['A-loaded', 'A-pending', 'A-recent', 'A-unsettled']);
    expect(r.authorizations).toBe(3);
    expect(count('receipt')).toBe(2);
    expect((store.db.prepare('SELECT authorization_id AS a FROM unlock_intent ORDER BY id').all() as { a: string }[]).map((x) => x.a)).toEqual(['A-recent', 'A-unsettled']);
    // Deleted ids are remembered until their expiry is as old as the cutoff (A-old expired 33 days ago).
    expect(store.db.prepare('SELECT id FROM authorization_closed').all()).toEqual([{ id: 'A-old-retrieved' }]);
    // A second run finds nothing more.
    expect(new Retention(store.db, policy()).run(now).authorizations).toBe(0);
  });

  it('a deleted id is not brought back by a replayed upsert from the office', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    closed('A-1', now - 40 * day, 'collected', 'closed', now + 5 * day); // collected early in a long hold
    new Retention(store.db, policy()).run(now);
    const applier = new FeedApplier({ db: store.db, outbox: store.outbox, audit: store.audit, clock });
    const upsert = (seq: number, id: string) => ({
      seq, type: 'authorization.upsert' as const, authorization: {
        id, caseRef: 'USC.1', documentType: 'odpis-skrocony-aktu-urodzenia', size: 'S' as const, phoneMac: 'a'.repeat(64), codeMac: 'b'.repeat(64),
        expiresAt: at(now + 5 * day), feeSettled: true, consent: true, accessible: false,
      },
    });
    applier.apply({ lockerId: 'x', after: 0, last: 2, more: false, serverTime: at(now), expiresAt: at(now + 60_000), changes: [upsert(1, 'A-1'), upsert(2, 'A-2')] });
    expect(ids()).toEqual(['A-2']);
    expect(store.outbox.pending(10).map((e) => e.type)).toEqual([]);
  });

  it('deletes only acknowledged events, and forgets a phone under watch only after its lockout ran out', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    clock.setWall(now - 40 * day);
    for (let i = 0; i < 4; i++) store.outbox.append('alarm', { kind: 'board-offline' });
    store.outbox.ack(2);
    const guess = store.db.prepare('INSERT INTO guess_limit (scope, state, boot_id, saved_mono, updated_at) VALUES (?, ?, ?, ?, ?)');
    guess.run('phone:quiet', JSON.stringify({ failuresInRow: 2, lockouts: 0 }), 'b', 1_000, at(now - 40 * day));
    // Locked out for 64 days (the 7th doubling) when last touched 40 days ago: still running.
    guess.run('phone:long', JSON.stringify({ failuresInRow: 0, lockouts: 7, lockedUntil: 1_000 + 64 * day }), 'b', 1_000, at(now - 40 * day));
    guess.run('phone:recent', JSON.stringify({ failuresInRow: 1, lockouts: 0 }), 'b', 1_000, at(now - day));
    guess.run('device', JSON.stringify({ failuresInRow: 1, delayLevel: 0, dayFailures: [] }), 'b', 1_000, at(now - 40 * day));

    const r = new Retention(store.db, policy()).run(now);

    expect((store.db.prepare('SELECT seq FROM outbox ORDER BY seq').all() as { seq: number }[]).map((x) => x.seq)).toEqual([3, 4]);
    expect(r.events).toBe(2);
    expect((store.db.prepare('SELECT scope FROM guess_limit ORDER BY scope').all() as { scope: string }[]).map((x) => x.scope)).toEqual(['device', 'phone:long', 'phone:recent']);
  });
});

describe('audit archive', () => {
  const fill = (n: number, wallMs: number): void => {
    clock.setWall(wallMs);
    for (let i = 0; i < n; i++) store.audit.append({ actor: 'system', action: 'test.row', detail: { i } });
  };
  const now = Date.parse('2027-06-01T00:00:00Z');
  const cutoff = at(now - 365 * day);

  it('moves whole files of old rows out, and the chain verifies from the first archived row to the head', () => {
    fill(12, Date.parse('2026-01-01T00:00:00Z'));
    fill(3, now - day);
    const r = archiveAuditPrefix(store.db, archiveDir, cutoff, at(now), 5);
    expect(r).toEqual({ rows: 10, files: ['audit-000000000001-000000000005.jsonl.gz', 'audit-000000000006-000000000010.jsonl.gz'] });
    expect(count('audit_log')).toBe(5); // two old rows wait for a full file, three are recent
    expect(verifyAuditWithArchive(store.db, archiveDir)).toMatchObject({ ok: true, rows: 5, archivedRows: 10, archiveFiles: 2, lastSeq: 15 });
    const firstLine = JSON.parse(gunzipSync(readFileSync(join(archiveDir, r.files[0]!))).toString().split('\n')[0]!) as Record<string, unknown>;
    expect(Object.keys(firstLine)).toEqual(['seq', 'at', 'actor', 'action', 'subject', 'detail', 'prev_hash', 'hash']);
  });

  it('detects an archive file that was edited, re-signed with a fitting hash list, or removed', () => {
    fill(10, Date.parse('2026-01-01T00:00:00Z'));
    archiveAuditPrefix(store.db, archiveDir, cutoff, at(now), 5);
    const file = join(archiveDir, 'audit-000000000001-000000000005.jsonl.gz');
    const original = readFileSync(file);
    const edited = gunzipSync(original).toString().replace('"i":3', '"i":4');
    writeFileSync(file, gzipSync(edited));
    expect(verifyAuditWithArchive(store.db, archiveDir)).toMatchObject({ ok: false, problem: 'altered', file: 'audit-000000000001-000000000005.jsonl.gz' });
    rmSync(file);
    expect(verifyAuditWithArchive(store.db, archiveDir)).toMatchObject({ ok: false, problem: 'missing' });
    writeFileSync(file, original);
    expect(verifyAuditWithArchive(store.db, archiveDir)).toMatchObject({ ok: true });
  });

  it('the boundary cannot be moved without a recorded archive, nor archive records removed', () => {
    fill(10, Date.parse('2026-01-01T00:00:00Z'));
    const row5 = store.db.prepare('SELECT hash FROM audit_log WHERE seq = 5').get() as { hash: string };
    expect(() => store.db.prepare('UPDATE audit_head SET archived_through = 5, archived_hash = ?').run(row5.hash)).toThrow(/recorded archive/);
    expect(() => store.db.prepare('DELETE FROM audit_log WHERE seq = 1').run()).toThrow(/archived/);
    archiveAuditPrefix(store.db, archiveDir, cutoff, at(now), 5);
    expect(() => store.db.prepare('DELETE FROM audit_archive').run()).toThrow(/never deleted/);
    expect(() => store.db.prepare("UPDATE audit_head SET archived_through = 0, archived_hash = '" + '0'.repeat(64) + "'").run()).toThrow(/only forward/);
  });

  it('a power cut after the file was written and before the database committed: the next run writes the same file', () => {
    fill(10, Date.parse('2026-01-01T00:00:00Z'));
    const before = store.db.serialize();
    archiveAuditPrefix(store.db, archiveDir, cutoff, at(now), 5);
    const files = Object.fromEntries(readdirSync(archiveDir).map((f) => [f, readFileSync(join(archiveDir, f))]));
    store.close();
    // The database as it was before the commit, the files already on disk.
    writeFileSync(join(t.dir, 'data', 'urzedomat.db'), before);
    rmSync(join(t.dir, 'data', 'urzedomat.db-wal'), { force: true });
    store = openStore(join(t.dir, 'data'), clock);
    expect(count('audit_log')).toBe(10);
    archiveAuditPrefix(store.db, archiveDir, cutoff, at(now), 5);
    for (const [f, bytes] of Object.entries(files)) expect(readFileSync(join(archiveDir, f)).equals(bytes)).toBe(true);
    expect(verifyAuditWithArchive(store.db, archiveDir)).toMatchObject({ ok: true, archivedRows: 10 });
  });
});

describe('housekeeping', () => {
  it('an archive directory it cannot write: the error is logged, no audit row leaves the database, the next round goes on', () => {
    const raw = runnableConfig(t.dir);
    writeFileSync(join(t.dir, 'not-a-directory'), '');
    const config = parseConfig({ ...raw, retention: { auditDays: 1, archiveDir: join(t.dir, 'not-a-directory', 'archive') } }, t.dir);
    clock.setWall(Date.parse('2026-01-01T00:00:00Z'));
    for (let i = 0; i < 6; i++) store.audit.append({ actor: 'system', action: 'test.row' });
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const tick = housekeeping({ config, store, clock, idle: () => true, trustedNowMs: () => Date.parse('2026-06-01T00:00:00Z'), logger, auditRowsPerFile: 5 });
    tick();
    expect(lines.some((l) => l.includes('retention failed'))).toBe(true);
    expect(count('audit_log')).toBe(6);
    expect(verifyAuditWithArchive(store.db, join(t.dir, 'not-a-directory', 'archive'))).toMatchObject({ ok: true, archivedRows: 0 });
  });

  it('deletes nothing while the clock is not confirmed, and applies the policy (audited) once it is', () => {
    const config = parseConfig(runnableConfig(t.dir), t.dir);
    const now = Date.parse('2026-06-01T00:00:00Z');
    closed('A-old', now - 400 * day);
    const confirmed: { now?: number } = {};
    const tick = housekeeping({ config, store, clock, idle: () => true, trustedNowMs: () => confirmed.now, logger: pino({ level: 'silent' }) });
    tick();
    expect(ids()).toEqual(['A-old']);
    confirmed.now = now;
    tick();
    expect(ids()).toEqual([]);
    const last = store.db.prepare('SELECT action, detail FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { action: string; detail: string };
    expect(last.action).toBe('retention.applied');
    expect(JSON.parse(last.detail)).toMatchObject({ authorizations: 1 });
  });

  it('sends the audit head to the office when it moved, at most hourly, so a rewritten chain cannot match what the office holds', () => {
    const config = parseConfig(runnableConfig(t.dir), t.dir);
    const tick = housekeeping({ config, store, clock, idle: () => true, trustedNowMs: () => undefined, logger: pino({ level: 'silent' }) });
    const anchors = () => store.outbox.pending(100).filter((e) => e.type === 'audit.head').map((e) => (JSON.parse(e.body) as { data: unknown }).data);
    tick(); // an empty chain: nothing to anchor
    expect(anchors()).toEqual([]);
    store.audit.append({ actor: 'system', action: 'test.row' });
    tick();
    const head = store.db.prepare('SELECT last_seq AS seq, last_hash AS hash FROM audit_head').get() as { seq: number; hash: string };
    expect(anchors()).toEqual([{ seq: head.seq, hash: head.hash, archivedThrough: 0 }]);
    store.audit.append({ actor: 'system', action: 'test.row' });
    clock.advance(30 * 60_000);
    tick(); // moved, but within the hour
    expect(anchors()).toHaveLength(1);
    clock.advance(31 * 60_000);
    tick();
    expect(anchors()).toHaveLength(2);
    clock.advance(2 * 3_600_000);
    tick(); // an hour later but nothing new
    expect(anchors()).toHaveLength(2);
  });
});
