-- The office service's tables (contracts.md §7). SQL kept to PostgreSQL 15: the embedded engine is newer.

CREATE TABLE locker (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  -- The bearer token only as SHA-256 (tokens are 256 random bits: a slow hash adds nothing).
  token_hash      text NOT NULL UNIQUE,
  -- The code key K, sealed with the vault key (office/vault.ts); needed for every MAC.
  code_key_sealed text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_pull_at    timestamptz,
  -- The feed position the locker confirmed: the `after` of its newest pull.
  cursor          bigint NOT NULL DEFAULT 0,
  -- The last event seq received with every earlier one: what the acknowledgement says.
  events_through  bigint NOT NULL DEFAULT 0,
  last_event_at   timestamptz
);

-- One writer per locker's log: a change takes its seq by updating this row, whose lock it keeps until
-- commit, so seq N+1 cannot commit before seq N (docs/OFFICE-RESEARCH.md §5).
CREATE TABLE locker_log_head (
  locker_id text PRIMARY KEY REFERENCES locker (id),
  last      bigint NOT NULL DEFAULT 0
);

CREATE TABLE locker_change (
  locker_id  text NOT NULL REFERENCES locker (id),
  seq        bigint NOT NULL,
  -- The change exactly as served, `{"seq":N,"type":...}`.
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (locker_id, seq)
);

CREATE TABLE document_type (
  code           text PRIMARY KEY,
  name_pl        text NOT NULL,
  name_en        text NOT NULL,
  locker_release boolean NOT NULL,
  legal_basis    text NOT NULL DEFAULT '',
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE document (
  id               text PRIMARY KEY,
  locker_id        text NOT NULL REFERENCES locker (id),
  case_ref         text NOT NULL,
  document_type    text NOT NULL,
  size             text NOT NULL CHECK (size IN ('S', 'M', 'L')),
  accessible       boolean NOT NULL,
  consent          boolean NOT NULL,
  fee_settled      boolean NOT NULL,
  -- The resident's number, sealed, for a new code and the reminder; wiped when the document's way ends.
  phone_sealed     text,
  phone_mac        text NOT NULL,
  code_mac         text NOT NULL,
  status           text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'loaded', 'collected', 'expired', 'retrieved', 'revoked', 'rejected')),
  expires_at       timestamptz NOT NULL,
  compartment      integer,
  loaded_at        timestamptz,
  loaded_by        text,
  collected_at     timestamptz,
  receipt_id       text,
  retrieved_at     timestamptz,
  retrieved_reason text,
  revoked_at       timestamptz,
  revoked_reason   text,
  rejected_reason  text,
  reminder_queued  boolean NOT NULL DEFAULT false,
  registered_by    text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX document_open_by_deadline ON document (expires_at) WHERE status IN ('pending', 'loaded');
CREATE INDEX document_by_locker ON document (locker_id, created_at);

-- Text messages, written in the same transaction as what they announce and sent by a worker after commit.
CREATE TABLE sms_job (
  id            bigserial PRIMARY KEY,
  document_id   text NOT NULL REFERENCES document (id),
  kind          text NOT NULL CHECK (kind IN ('code', 'new-code', 'reminder')),
  -- {"to","message"} sealed with the vault key: the message holds the code. Wiped once the gateway took it.
  payload_sealed text,
  state         text NOT NULL DEFAULT 'waiting'
                CHECK (state IN ('waiting', 'sending', 'sent', 'refused', 'cancelled', 'given-up')),
  attempts      integer NOT NULL DEFAULT 0,
  next_at       timestamptz NOT NULL DEFAULT now(),
  claimed_until timestamptz,
  last_error    text,
  gateway_id    text,
  sent_at       timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sms_job_due ON sms_job (next_at) WHERE state IN ('waiting', 'sending');
CREATE INDEX sms_job_by_document ON sms_job (document_id);

CREATE TABLE staff (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  roles      jsonb NOT NULL,
  active     boolean NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every event a locker pushed, keyed by (locker, seq): a resend is a no-op, other bytes under a seen seq a conflict.
CREATE TABLE locker_event (
  locker_id   text NOT NULL REFERENCES locker (id),
  seq         bigint NOT NULL,
  type        text NOT NULL,
  at          timestamptz NOT NULL,
  body        text NOT NULL,
  body_sha256 text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (locker_id, seq)
);

CREATE TABLE event_conflict (
  id          bigserial PRIMARY KEY,
  locker_id   text NOT NULL,
  seq         bigint NOT NULL,
  body        text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE locker_alarm (
  id          bigserial PRIMARY KEY,
  locker_id   text NOT NULL REFERENCES locker (id),
  event_seq   bigint NOT NULL,
  kind        text NOT NULL,
  compartment integer,
  at          timestamptz NOT NULL,
  resolved_at timestamptz,
  resolved_by text,
  UNIQUE (locker_id, event_seq)
);
CREATE INDEX locker_alarm_open ON locker_alarm (locker_id) WHERE resolved_at IS NULL;

CREATE TABLE api_token (
  id         bigserial PRIMARY KEY,
  name       text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

CREATE TABLE clerk (
  login         text PRIMARY KEY,
  name          text NOT NULL,
  admin         boolean NOT NULL DEFAULT false,
  -- scrypt, with its parameters and salt (office/password.ts)
  password_hash text NOT NULL,
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now()
);
