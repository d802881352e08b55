-- The clerks' panel (issue 16): login lockout, sessions, each document's history, and what a clerk records at
-- registration beyond the integration API's fields.

ALTER TABLE clerk ADD COLUMN failed_logins integer NOT NULL DEFAULT 0;
ALTER TABLE clerk ADD COLUMN locked_until timestamptz;

-- A session is known by the SHA-256 of its cookie value; the value itself is only in the browser.
CREATE TABLE clerk_session (
  id_hash    text PRIMARY KEY,
  login      text NOT NULL REFERENCES clerk (login),
  csrf       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clerk_session_by_login ON clerk_session (login);

-- What happened to a document, for the panel: registered, text sent, loaded, collected, revoked...
CREATE TABLE document_history (
  id          bigserial PRIMARY KEY,
  document_id text NOT NULL REFERENCES document (id),
  at          timestamptz NOT NULL DEFAULT now(),
  what        text NOT NULL,
  actor       text,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX document_history_by_document ON document_history (document_id, at);

ALTER TABLE document ADD COLUMN consent_how text;
ALTER TABLE document ADD COLUMN consent_at timestamptz;
ALTER TABLE document ADD COLUMN fee_exempt boolean NOT NULL DEFAULT false;
