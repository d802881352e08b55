import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { auditHash, genesisHash, verifyAudit, type AuditRow, type AuditVerdict } from './audit.js';
import type { Db } from './open.js';

/** Rows per archive file: about 1.5 MB of JSON before compression, 200 kB after. */
export const auditRowsPerFile = 5_000;

const fileName = (first: number, last: number): string => `audit-${String(first).padStart(12, '0')}-${String(last).padStart(12, '0')}.jsonl.gz`;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Every column, in a fixed order, so the same rows always make the same bytes (a retried archive is identical). */
function encode(rows: AuditRow[]): Buffer {
  const text = rows.map((r) => JSON.stringify({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, subject: r.subject, detail: r.detail, prev_hash: r.prev_hash, hash: r.hash })).join('\n') + '\n';
  return gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
}

/** Written beside, flushed, then renamed and the directory flushed: after a power cut the file is whole or absent. */
function writeDurably(dir: string, name: string, bytes: Buffer): void {
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const tmp = join(dir, `.${name}.tmp`);
  const fd = openSync(tmp, 'w', 0o640);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/**
 * Moves the oldest audit rows written before `cutoffIso` into archive files of exactly `rowsPerFile` rows (so an
 * hourly run does not leave a trail of small files; fewer than that many rows past the cutoff wait in the
 * database). The file is on disk first; then its record, the new archive boundary and the deletion commit
 * together. A power cut between the two leaves the rows in the database, and the next run writes the same file.
 */
export function archiveAuditPrefix(db: Db, dir: string, cutoffIso: string, nowIso: string, rowsPerFile = auditRowsPerFile): { rows: number; files: string[] } {
  const head = db.prepare('SELECT archived_through FROM audit_head WHERE id = 1');
  const next = db.prepare(`SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ${rowsPerFile}`);
  const record = db.prepare('INSERT INTO audit_archive (last_seq, first_seq, file, file_sha256, last_hash, archived_at) VALUES (?, ?, ?, ?, ?, ?)');
  const boundary = db.prepare('UPDATE audit_head SET archived_through = ?, archived_hash = ? WHERE id = 1');
  const drop = db.prepare('DELETE FROM audit_log WHERE seq <= ?');
  const files: string[] = [];
  let total = 0;
  for (;;) {
    const from = (head.get() as { archived_through: number }).archived_through;
    const candidates = next.all(from) as AuditRow[];
    // Only a prefix: the chain stays whole in the database from the boundary on, whatever the wall times say.
    const cut = candidates.findIndex((r) => !(r.at < cutoffIso));
    const rows = cut === -1 ? candidates : candidates.slice(0, cut);
    if (rows.length < rowsPerFile) break;
    const first = rows[0]!;
    const last = rows.at(-1)!;
    const name = fileName(first.seq, last.seq);
    const bytes = encode(rows);
    writeDurably(dir, name, bytes);
    db.transaction(() => {
      record.run(last.seq, first.seq, name, sha256(bytes), last.hash, nowIso);
      boundary.run(last.seq, last.hash);
      drop.run(last.seq);
    })();
    files.push(name);
    total += rows.length;
  }
  return { rows: total, files };
}

export type ArchiveVerdict =
  | { ok: true; files: number; rows: number }
  | { ok: false; file: string; seq: number; problem: 'missing' | 'altered' | 'gap' | 'broken-link' | 'boundary' };

/** Walks every archive file from the first row ever written to the database's archive boundary. */
export function verifyAuditArchive(db: Db, dir: string): ArchiveVerdict {
  const records = db.prepare('SELECT last_seq, first_seq, file, file_sha256, last_hash FROM audit_archive ORDER BY last_seq').all() as
    { last_seq: number; first_seq: number; file: string; file_sha256: string; last_hash: string }[];
  let prev = genesisHash;
  let expected = 1;
  let rows = 0;
  for (const rec of records) {
    const path = join(dir, rec.file);
    if (!existsSync(path)) return { ok: false, file: rec.file, seq: rec.first_seq, problem: 'missing' };
    const bytes = readFileSync(path);
    if (sha256(bytes) !== rec.file_sha256) return { ok: false, file: rec.file, seq: rec.first_seq, problem: 'altered' };
    for (const line of gunzipSync(bytes).toString('utf8').split('\n')) {
      if (line === '') continue;
      const r = JSON.parse(line) as AuditRow;
      if (r.seq !== expected) return { ok: false, file: rec.file, seq: expected, problem: 'gap' };
      if (r.prev_hash !== prev) return { ok: false, file: rec.file, seq: r.seq, problem: 'broken-link' };
      if (auditHash(r.prev_hash, r) !== r.hash) return { ok: false, file: rec.file, seq: r.seq, problem: 'altered' };
      prev = r.hash;
      expected += 1;
      rows += 1;
    }
    if (expected - 1 !== rec.last_seq || prev !== rec.last_hash) return { ok: false, file: rec.file, seq: expected - 1, problem: 'boundary' };
  }
  const head = db.prepare('SELECT archived_through, archived_hash FROM audit_head WHERE id = 1').get() as { archived_through: number; archived_hash: string };
  if (head.archived_through !== expected - 1 || head.archived_hash !== prev) return { ok: false, file: '(database)', seq: head.archived_through, problem: 'boundary' };
  return { ok: true, files: records.length, rows };
}

export type FullAuditVerdict =
  | (Extract<AuditVerdict, { ok: true }> & { archivedRows: number; archiveFiles: number })
  | Extract<AuditVerdict, { ok: false }>
  | (Extract<ArchiveVerdict, { ok: false }>);

/** The archived part and the part still in the database, as one chain: what `diag audit verify` reports. */
export function verifyAuditWithArchive(db: Db, dir: string): FullAuditVerdict {
  const archived = verifyAuditArchive(db, dir);
  if (!archived.ok) return archived;
  const live = verifyAudit(db);
  if (!live.ok) return live;
  return { ...live, archivedRows: archived.rows, archiveFiles: archived.files };
}
