-- 006_retention: what lets the database stay bounded over years of service (config `retention`).
-- Closed records are deleted after `retention.closedRecordsDays`; the office already has their events. An id
-- deleted that way is remembered (with its expiry) so that a stale or replayed upsert from the office cannot
-- bring a collected document back as a new one; the memory goes once the authorization's expiry is as old.
CREATE TABLE authorization_closed (
  id          TEXT PRIMARY KEY,
  expires_at  TEXT NOT NULL,
  closed_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX authorization_by_closed_at ON authorization (closed_at) WHERE status IN ('collected', 'retrieved');
CREATE INDEX unlock_intent_by_authorization ON unlock_intent (authorization_id);

-- Audit rows older than `retention.auditDays` are archived, never dropped: each archive file (gzip JSON lines,
-- every column of every row) is recorded here with its SHA-256 and the hash of its last row, and only then are
-- its rows deleted (the trigger of 001 allows deleting archived rows only). The chain still verifies from the
-- first row of the first archive to the head.
CREATE TABLE audit_archive (
  last_seq     INTEGER PRIMARY KEY,
  first_seq    INTEGER NOT NULL,
  file         TEXT NOT NULL UNIQUE,
  file_sha256  TEXT NOT NULL CHECK (length(file_sha256) = 64),
  last_hash    TEXT NOT NULL CHECK (length(last_hash) = 64),
  archived_at  TEXT NOT NULL,
  CHECK (first_seq <= last_seq)
) STRICT;

-- The archive boundary moves only forward, and only to the end of a recorded archive.
CREATE TRIGGER audit_archive_boundary BEFORE UPDATE OF archived_through, archived_hash ON audit_head
WHEN NEW.archived_through < OLD.archived_through
  OR NOT EXISTS (SELECT 1 FROM audit_archive WHERE last_seq = NEW.archived_through AND last_hash = NEW.archived_hash)
BEGIN
  SELECT RAISE(ABORT, 'the audit archive boundary moves only forward, to the end of a recorded archive');
END;

CREATE TRIGGER audit_archive_immutable BEFORE UPDATE ON audit_archive
BEGIN
  SELECT RAISE(ABORT, 'audit archive records are immutable');
END;

CREATE TRIGGER audit_archive_kept BEFORE DELETE ON audit_archive
BEGIN
  SELECT RAISE(ABORT, 'audit archive records are never deleted');
END;
