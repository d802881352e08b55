-- 008_feed_terms: what the feed says about an authorization applies at every stage, and nothing the office
-- sends is lost because of the order it arrives in.

-- A revocation that arrives before its authorization is remembered, so the authorization is stored revoked when
-- it comes. Kept until then (or, for one that never comes, until retention drops it after the period).
CREATE TABLE early_revocation (
  id           TEXT PRIMARY KEY,
  reason       TEXT NOT NULL,
  feed_seq     INTEGER NOT NULL,
  received_at  TEXT NOT NULL
) STRICT;

-- Why staff must look at a loaded document: its terms as last sent no longer allow release
-- (`document-type-not-allowed`, `no-consent`), or a technician opened its compartment without saying the
-- document stays (`opened-by-technician`). NULL when nothing is wrong. Such documents are on the staff's list.
ALTER TABLE authorization ADD COLUMN attention_reason TEXT;
