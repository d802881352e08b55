-- 004_intent_reason: why staff retrieve a document or a technician opens a compartment, kept with the
-- intent so the outcome's event can report it even after a restart.
ALTER TABLE unlock_intent ADD COLUMN reason TEXT;
