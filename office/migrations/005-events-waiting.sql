-- What each locker's last pull said of its outbox: events it holds that the office has not acknowledged.
ALTER TABLE locker ADD COLUMN events_waiting integer;
