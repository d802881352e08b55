-- The office's view of its lockers (issue 16): each locker's newest `locker.status` (boards online, compartments
-- by state), and the alarms' e-mails (office/alerts).

-- Written from locker_event when the panel or the API looks (office/locker-health.ts), never from the push
-- itself: the newest `locker.status` event by seq wins.
CREATE TABLE locker_status (
  locker_id   text PRIMARY KEY REFERENCES locker (id),
  event_seq   bigint NOT NULL,
  -- The event's `at`: when the locker saw this.
  at          timestamptz NOT NULL,
  -- [{"address": N, "online": bool}, ...]
  boards      jsonb NOT NULL,
  free        integer NOT NULL,
  occupied    integer NOT NULL,
  open        integer NOT NULL,
  reserved    integer NOT NULL,
  fault       integer NOT NULL,
  disabled    integer NOT NULL
);

-- The newest status and audit head of a locker, found without reading its other events.
CREATE INDEX locker_event_status ON locker_event (locker_id, seq) WHERE type = 'locker.status';
CREATE INDEX locker_event_audit_head ON locker_event (locker_id, seq) WHERE type = 'audit.head';

-- Each e-mail the alerts worker sent: at most one per (locker, kind) per `alerts.throttleMinutes`.
CREATE TABLE alarm_mail (
  id         bigserial PRIMARY KEY,
  locker_id  text NOT NULL REFERENCES locker (id),
  kind       text NOT NULL,
  sent_at    timestamptz NOT NULL,
  -- How many alarms it told of (the first, and those folded in while the window was closed).
  alarms     integer NOT NULL,
  message_id text
);

-- The throttle and the claim of one (locker, kind): a node sending its e-mail holds it until `claimed_until`,
-- so two office nodes never send the same one; `last_sent_at` opens the next window.
CREATE TABLE alarm_mail_slot (
  locker_id     text NOT NULL REFERENCES locker (id),
  kind          text NOT NULL,
  last_sent_at  timestamptz,
  claimed_until timestamptz,
  failures      integer NOT NULL DEFAULT 0,
  PRIMARY KEY (locker_id, kind)
);

-- When the alarm was told of by e-mail (mail_id), or found needing none (mail_id NULL: dealt with before its
-- turn came, or older than this migration).
ALTER TABLE locker_alarm ADD COLUMN mailed_at timestamptz;
ALTER TABLE locker_alarm ADD COLUMN mail_id bigint REFERENCES alarm_mail (id);
UPDATE locker_alarm SET mailed_at = now();
CREATE INDEX locker_alarm_unmailed ON locker_alarm (locker_id, kind) WHERE mailed_at IS NULL;
