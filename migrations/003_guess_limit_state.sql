-- 003_guess_limit_state: the guessing-limit state as one JSON value per scope. The columns of 001 could not
-- hold the device's list of failures in the last 24 hours; no locker has used them yet.
-- Times inside `state` are on the monotonic clock of the boot `boot_id`, saved at `saved_mono`; after a
-- reboot they are carried over as if no time had passed while the locker was off (never shortened).
DROP TABLE guess_limit;
CREATE TABLE guess_limit (
  scope       TEXT PRIMARY KEY CHECK (scope = 'device' OR scope LIKE 'phone:%'),
  state       TEXT NOT NULL CHECK (json_valid(state)),
  boot_id     TEXT NOT NULL,
  saved_mono  REAL NOT NULL,
  updated_at  TEXT NOT NULL
) STRICT;
