-- 023: Telegram updates kept in PostgreSQL until they are handled, so several bot processes
-- behind one webhook URL act as one bot (bot/durable_intake.py).
--
-- The webhook route records each update here and answers 200 at once; a process with room
-- claims it under a lease (renewed while its handlers run), runs the handlers and marks it
-- done. A process killed in the middle loses nothing: its lease runs out and another
-- process claims the update again. The updates of one chat run one at a time and in order,
-- whichever process takes them, because only the oldest open update of a chat can be
-- claimed. A redelivery of an update already recorded is a no-op (update_id is the key);
-- a handled row keeps no body and is deleted after a day.

CREATE TABLE telegram_updates (
  update_id BIGINT PRIMARY KEY,
  -- the chat (or, without one, the user) whose updates run in order
  chat_key BIGINT NOT NULL,
  body JSONB,
  received_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  claimed_by TEXT,
  lease_until TIMESTAMP WITH TIME ZONE,
  attempts INT NOT NULL DEFAULT 0,
  done_at TIMESTAMP WITH TIME ZONE,
  CONSTRAINT telegram_updates_open_has_body CHECK (done_at IS NOT NULL OR body IS NOT NULL)
);
CREATE INDEX telegram_updates_open_idx ON telegram_updates (chat_key, update_id)
  WHERE done_at IS NULL;
CREATE INDEX telegram_updates_done_idx ON telegram_updates (done_at)
  WHERE done_at IS NOT NULL;
COMMENT ON TABLE telegram_updates IS
  'Webhook updates until handled (and a day after, to ignore redeliveries).';

-- The oldest open update of each chat, if no worker holds it, up to p_limit of them,
-- claimed for p_worker. Two workers claiming at once never take two updates of one chat:
-- the heads are read first, then locked with SKIP LOCKED, and the lease is checked again
-- on the locked row (an update claimed and committed meanwhile is left alone).
CREATE FUNCTION claim_telegram_updates(p_worker TEXT, p_lease_seconds INT, p_limit INT)
RETURNS TABLE (update_id BIGINT, body JSONB, attempts INT)
LANGUAGE sql AS $$
  WITH heads AS (
    SELECT DISTINCT ON (u.chat_key) u.update_id, u.lease_until
      FROM telegram_updates u
     WHERE u.done_at IS NULL
     ORDER BY u.chat_key, u.update_id
  ), free AS (
    SELECT h.update_id FROM heads h
     WHERE h.lease_until IS NULL OR h.lease_until < now()
     ORDER BY h.update_id
     LIMIT p_limit
  ), locked AS (
    SELECT u.update_id FROM telegram_updates u
     WHERE u.update_id IN (SELECT free.update_id FROM free)
       FOR UPDATE SKIP LOCKED
  )
  UPDATE telegram_updates u
     SET claimed_by = p_worker,
         lease_until = now() + make_interval(secs => p_lease_seconds),
         attempts = u.attempts + 1
    FROM locked
   WHERE u.update_id = locked.update_id
     AND u.done_at IS NULL
     AND (u.lease_until IS NULL OR u.lease_until < now())
  RETURNING u.update_id, u.body, u.attempts;
$$;
