-- 024: the webhook updates of 023 are kept per bot. Telegram numbers updates per bot, so
-- two bots on one database (a staging bot beside the real one, a benchmark) would
-- otherwise take each other's update ids for redeliveries, and one bot's processes could
-- claim the other's updates. The key becomes (bot_id, update_id), and a process claims
-- only its own bot's updates (the bot id is the number before the token's colon).

ALTER TABLE telegram_updates ADD COLUMN bot_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE telegram_updates ALTER COLUMN bot_id DROP DEFAULT;
ALTER TABLE telegram_updates DROP CONSTRAINT telegram_updates_pkey;
ALTER TABLE telegram_updates ADD PRIMARY KEY (bot_id, update_id);
DROP INDEX telegram_updates_open_idx;
CREATE INDEX telegram_updates_open_idx ON telegram_updates (bot_id, chat_key, update_id)
  WHERE done_at IS NULL;

DROP FUNCTION claim_telegram_updates(TEXT, INT, INT);

-- As 023's: the oldest open update of each of the bot's chats that no worker holds.
CREATE FUNCTION claim_telegram_updates(
  p_bot_id BIGINT, p_worker TEXT, p_lease_seconds INT, p_limit INT
) RETURNS TABLE (update_id BIGINT, body JSONB, attempts INT)
LANGUAGE sql AS $$
  WITH heads AS (
    SELECT DISTINCT ON (u.chat_key) u.update_id, u.lease_until
      FROM telegram_updates u
     WHERE u.bot_id = p_bot_id AND u.done_at IS NULL
     ORDER BY u.chat_key, u.update_id
  ), free AS (
    SELECT h.update_id FROM heads h
     WHERE h.lease_until IS NULL OR h.lease_until < now()
     ORDER BY h.update_id
     LIMIT p_limit
  ), locked AS (
    SELECT u.update_id FROM telegram_updates u
     WHERE u.bot_id = p_bot_id AND u.update_id IN (SELECT free.update_id FROM free)
       FOR UPDATE SKIP LOCKED
  )
  UPDATE telegram_updates u
     SET claimed_by = p_worker,
         lease_until = now() + make_interval(secs => p_lease_seconds),
         attempts = u.attempts + 1
    FROM locked
   WHERE u.bot_id = p_bot_id
     AND u.update_id = locked.update_id
     AND u.done_at IS NULL
     AND (u.lease_until IS NULL OR u.lease_until < now())
  RETURNING u.update_id, u.body, u.attempts;
$$;
