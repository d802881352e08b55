-- 001_init: the tables the locker needs from its first day.
-- Secrets appear here only as HMAC-SHA256 values (contracts.md 5.1): never a code, phone number or PIN.
-- Wall-clock times are ISO-8601 UTC text (for people and the office); ordering always uses sequence numbers,
-- because a Raspberry Pi without a real-time clock can boot in 1970.

-- The office's catalogue of document types and whether the law allows release through the locker.
CREATE TABLE document_type (
  code            TEXT PRIMARY KEY,
  name_pl         TEXT NOT NULL,
  name_en         TEXT NOT NULL,
  locker_release  INTEGER NOT NULL CHECK (locker_release IN (0, 1)),
  legal_basis     TEXT NOT NULL DEFAULT '',
  source          TEXT NOT NULL CHECK (source IN ('seed', 'feed')),
  updated_at      TEXT NOT NULL
) STRICT;

-- Pickup authorizations from the office feed. `status` is the document's life:
-- pending (waiting to be loaded) -> loaded -> collected | retrieved; or rejected by policy on arrival.
-- A revocation is recorded beside the status, because a loaded document must still be taken back.
CREATE TABLE authorization (
  id              TEXT PRIMARY KEY,
  case_ref        TEXT NOT NULL,
  document_type   TEXT NOT NULL,           -- no foreign key: an unknown type is stored, and rejected
  size            TEXT NOT NULL CHECK (size IN ('S', 'M', 'L')),
  phone_mac       TEXT NOT NULL CHECK (length(phone_mac) = 64),
  code_mac        TEXT NOT NULL CHECK (length(code_mac) = 64),
  expires_at      TEXT NOT NULL,
  fee_settled     INTEGER NOT NULL CHECK (fee_settled IN (0, 1)),
  consent         INTEGER NOT NULL CHECK (consent IN (0, 1)),
  accessible      INTEGER NOT NULL CHECK (accessible IN (0, 1)),
  status          TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'rejected', 'loaded', 'collected', 'retrieved')),
  reject_reason   TEXT,
  revoked_reason  TEXT,
  compartment_id  INTEGER,                 -- set while the document is in a compartment
  loaded_at       TEXT,
  closed_at       TEXT,                    -- collected or retrieved
  feed_seq        INTEGER NOT NULL,        -- the feed change that last wrote this row
  CHECK ((status = 'rejected') = (reject_reason IS NOT NULL)),
  CHECK (status <> 'loaded' OR compartment_id IS NOT NULL)
) STRICT;
CREATE INDEX authorization_by_phone ON authorization (phone_mac);
CREATE INDEX authorization_by_status ON authorization (status);
-- One document per compartment, enforced by the database as well as by the code.
CREATE UNIQUE INDEX authorization_one_per_compartment ON authorization (compartment_id) WHERE status = 'loaded';

-- Compartments as wired (from the config) and their current state as the controller knows it.
CREATE TABLE compartment (
  id              INTEGER PRIMARY KEY,
  board           INTEGER NOT NULL,
  lock            INTEGER NOT NULL CHECK (lock BETWEEN 1 AND 48),
  size            TEXT NOT NULL CHECK (size IN ('S', 'M', 'L')),
  low             INTEGER NOT NULL DEFAULT 0 CHECK (low IN (0, 1)),
  state           TEXT NOT NULL DEFAULT 'free'
                  CHECK (state IN ('free', 'reserved', 'occupied', 'open', 'fault', 'disabled')),
  fault_kind      TEXT,
  in_config       INTEGER NOT NULL DEFAULT 1 CHECK (in_config IN (0, 1)),
  updated_at      TEXT NOT NULL,
  UNIQUE (board, lock)
) STRICT;

-- Every unlock is written here before its bytes go out, and resolved after. A row still 'pending' after a
-- crash has an unknown outcome: it is reconciled with the latch state and never repeated automatically.
CREATE TABLE unlock_intent (
  id               INTEGER PRIMARY KEY,
  compartment_id   INTEGER NOT NULL REFERENCES compartment (id),
  purpose          TEXT NOT NULL CHECK (purpose IN ('load', 'release', 'retrieve', 'technician')),
  authorization_id TEXT REFERENCES authorization (id),
  actor            TEXT NOT NULL,
  status           TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'confirmed', 'failed', 'unknown', 'closed')),
  created_at       TEXT NOT NULL,
  resolved_at      TEXT
) STRICT;
CREATE INDEX unlock_intent_open ON unlock_intent (compartment_id) WHERE status IN ('pending', 'confirmed', 'unknown');

-- Receipts given to residents after a pickup.
CREATE TABLE receipt (
  id               TEXT PRIMARY KEY,
  authorization_id TEXT NOT NULL UNIQUE REFERENCES authorization (id),
  compartment_id   INTEGER NOT NULL,
  at               TEXT NOT NULL
) STRICT;

-- Civil registry staff allowed to load and retrieve.
CREATE TABLE staff (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  pin_mac     TEXT NOT NULL CHECK (length(pin_mac) = 64),
  roles       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(roles)),
  active      INTEGER NOT NULL CHECK (active IN (0, 1)),
  feed_seq    INTEGER NOT NULL
) STRICT;

-- Sync bookkeeping in one row: the feed cursor, the newest applied serverTime (to refuse stale batches
-- even with an untrusted clock), and the outbox's sequence head and acknowledgement.
CREATE TABLE sync_state (
  id                    INTEGER PRIMARY KEY CHECK (id = 1),
  feed_cursor           INTEGER NOT NULL DEFAULT 0 CHECK (feed_cursor >= 0),
  feed_server_time      TEXT,
  outbox_last_seq       INTEGER NOT NULL DEFAULT 0,
  outbox_acked_through  INTEGER NOT NULL DEFAULT 0,
  CHECK (outbox_acked_through <= outbox_last_seq)
) STRICT;
INSERT INTO sync_state (id) VALUES (1);

-- Events for the office (contracts.md 5.3). `body` is the exact JSON sent, so a resend is byte-for-byte
-- the same. The triggers make the sequence gap-free and never reused, and rows immutable.
CREATE TABLE outbox (
  seq   INTEGER PRIMARY KEY,
  type  TEXT NOT NULL,
  at    TEXT NOT NULL,
  body  TEXT NOT NULL CHECK (json_valid(body))
) STRICT;

CREATE TRIGGER outbox_gap_free BEFORE INSERT ON outbox
WHEN NEW.seq IS NOT (SELECT outbox_last_seq + 1 FROM sync_state WHERE id = 1)
BEGIN
  SELECT RAISE(ABORT, 'outbox seq must be exactly one more than the last');
END;

CREATE TRIGGER outbox_advance_head AFTER INSERT ON outbox
BEGIN
  UPDATE sync_state SET outbox_last_seq = NEW.seq WHERE id = 1;
END;

CREATE TRIGGER outbox_immutable BEFORE UPDATE ON outbox
BEGIN
  SELECT RAISE(ABORT, 'outbox events are immutable');
END;

CREATE TRIGGER outbox_delete_only_acked BEFORE DELETE ON outbox
WHEN OLD.seq > (SELECT outbox_acked_through FROM sync_state WHERE id = 1)
BEGIN
  SELECT RAISE(ABORT, 'an unacknowledged outbox event cannot be deleted');
END;

-- The audit log: each row's hash covers its content and the previous row's hash, so an edit, a deletion or
-- a reordering breaks the chain. `audit_head` remembers the end, so cutting rows off the tail shows too, and
-- where archiving (a later retention policy) has moved older rows out, with the hash they ended on.
CREATE TABLE audit_log (
  seq        INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  subject    TEXT,
  detail     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
  prev_hash  TEXT NOT NULL CHECK (length(prev_hash) = 64),
  hash       TEXT NOT NULL CHECK (length(hash) = 64)
) STRICT;

CREATE TABLE audit_head (
  id                INTEGER PRIMARY KEY CHECK (id = 1),
  last_seq          INTEGER NOT NULL DEFAULT 0,
  last_hash         TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
  archived_through  INTEGER NOT NULL DEFAULT 0,
  archived_hash     TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000'
) STRICT;
INSERT INTO audit_head (id) VALUES (1);

CREATE TRIGGER audit_append_only BEFORE INSERT ON audit_log
WHEN NEW.seq IS NOT (SELECT last_seq + 1 FROM audit_head WHERE id = 1)
  OR NEW.prev_hash IS NOT (SELECT last_hash FROM audit_head WHERE id = 1)
BEGIN
  SELECT RAISE(ABORT, 'audit rows are appended to the end of the chain only');
END;

CREATE TRIGGER audit_advance_head AFTER INSERT ON audit_log
BEGIN
  UPDATE audit_head SET last_seq = NEW.seq, last_hash = NEW.hash WHERE id = 1;
END;

CREATE TRIGGER audit_immutable BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit rows are immutable');
END;

CREATE TRIGGER audit_delete_only_archived BEFORE DELETE ON audit_log
WHEN OLD.seq > (SELECT archived_through FROM audit_head WHERE id = 1)
BEGIN
  SELECT RAISE(ABORT, 'audit rows are deleted only after they are archived');
END;

-- Guessing-limit counters (contracts.md section 6), per phone MAC and for the whole device. Deadlines are
-- on the monotonic clock of the boot named by `boot_id`; after a reboot the remaining time is kept, never
-- shortened, by `remaining_ms` written at each change.
CREATE TABLE guess_limit (
  scope              TEXT PRIMARY KEY CHECK (scope = 'device' OR scope LIKE 'phone:%'),
  failures_in_row    INTEGER NOT NULL DEFAULT 0,
  lockouts           INTEGER NOT NULL DEFAULT 0,
  locked_until_mono  INTEGER,
  boot_id            TEXT,
  remaining_ms       INTEGER NOT NULL DEFAULT 0,
  window_start_mono  INTEGER,
  window_failures    INTEGER NOT NULL DEFAULT 0,
  updated_at         TEXT NOT NULL
) STRICT;
