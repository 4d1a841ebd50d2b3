-- 027: what every update needs from the database, in one round trip (issue 14: /balance
-- within 1.5x of a bare echo bot's latency).
--
-- Before, each update waited for a ban check (one read), ran note_contact in the
-- background (one more call) and then, for /balance, read the profile and the price list
-- (two more). Now the gate makes one read: the sender's profile (with its ban), whether
-- their contact is due to be noted (note_contact then runs in the background, at most
-- every few minutes per user), and the price list's version. A process keeps the price
-- list it read last and reads it again only when the version it is handed is not the one
-- it holds (services/catalog.py), so an admin's /setcost in one process shows in every
-- other at the next update.

-- The price list's version: one row, bumped by every statement that changes the list.
CREATE TABLE catalog_state (
  singleton BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton),
  version BIGINT NOT NULL DEFAULT 1
);
INSERT INTO catalog_state DEFAULT VALUES;
COMMENT ON TABLE catalog_state IS
  'The version of generation_types, bumped by any change, so processes may cache the list.';

CREATE FUNCTION catalog_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE catalog_state SET version = version + 1;
  RETURN NULL;
END
$$;
CREATE TRIGGER generation_types_changed
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON generation_types
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();

-- A profile is made on a user's first contact: that is their first contact noted (the
-- gate notes later ones), rather than a race between registering and noting.
ALTER TABLE profiles ALTER COLUMN last_seen_at SET DEFAULT now();

-- When a user's contact is due to be noted: the one rule, used by the gate's read
-- (AccountService.arrive) and by note_contact itself (sql/015, same behaviour).
CREATE FUNCTION contact_due(p profiles) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
  SELECT p.blocked_bot_at IS NOT NULL OR p.last_seen_at IS NULL
         OR p.last_seen_at < now() - interval '5 minutes'
$$;

CREATE OR REPLACE FUNCTION note_contact(p_telegram_id BIGINT) RETURNS VOID
LANGUAGE sql AS $$
  UPDATE profiles p
     SET last_seen_at = now(), blocked_bot_at = NULL
   WHERE p.telegram_id = p_telegram_id AND contact_due(p);
$$;
