-- 005_staff_guess_scopes: PIN failures are limited like codes (contracts.md §3), per staff id and for the
-- whole locker's staff logins, in their own scopes.
CREATE TABLE guess_limit_new (
  scope       TEXT PRIMARY KEY CHECK (scope IN ('device', 'staff-device') OR scope LIKE 'phone:%' OR scope LIKE 'staff:%'),
  state       TEXT NOT NULL CHECK (json_valid(state)),
  boot_id     TEXT NOT NULL,
  saved_mono  REAL NOT NULL,
  updated_at  TEXT NOT NULL
) STRICT;
INSERT INTO guess_limit_new SELECT scope, state, boot_id, saved_mono, updated_at FROM guess_limit;
DROP TABLE guess_limit;
ALTER TABLE guess_limit_new RENAME TO guess_limit;
