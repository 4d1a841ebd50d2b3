-- 015: broadcasts. An admin composes a message (draft), picks an audience and confirms;
-- confirming writes one broadcast_recipients row per target profile, and a worker in
-- any bot process sends them, one broadcast at a time for the whole bot (Telegram's
-- ~30 messages a second are per bot, not per process).
--
-- A recipient is marked 'sending' before its send and 'sent' (or 'blocked', 'failed')
-- the moment Telegram answers. A send Telegram certainly did not perform (a 429) goes
-- back to 'pending'. A recipient left 'sending' (the process died mid-send, or the
-- answer was lost) is never sent again: like a thumbnail's delivery (sql/010), a
-- possible duplicate is worse than a possibly missing announcement.

-- Who can be reached: when the user last wrote to the bot (the "active" audience), and
-- when a send found that they had blocked it (cleared when they write again).
ALTER TABLE profiles
  ADD COLUMN IF NOT EXISTS last_seen_at TIMESTAMP WITH TIME ZONE,
  ADD COLUMN IF NOT EXISTS blocked_bot_at TIMESTAMP WITH TIME ZONE;
UPDATE profiles p
   SET last_seen_at = GREATEST(
     p.created_at, p.updated_at,
     (SELECT max(g.created_at) FROM generations g WHERE g.profile_id = p.id))
 WHERE p.last_seen_at IS NULL;
CREATE INDEX IF NOT EXISTS profiles_last_seen_at_idx ON profiles (last_seen_at);

CREATE TABLE broadcasts (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  composer_telegram_id BIGINT NOT NULL,
  composer_language TEXT NOT NULL DEFAULT 'en',
  status TEXT NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'running', 'stopped', 'done')),
  -- What the composer waits for next: the text (or a photo with a caption), the
  -- optional link button, or the audience.
  step TEXT NOT NULL DEFAULT 'text' CHECK (step IN ('text', 'button', 'audience')),
  text_html TEXT,
  photo_file_id TEXT,
  button_text TEXT,
  button_url TEXT,
  audience TEXT CHECK (audience ~ '^(all|active|paying|lang:[a-z]{2,8})$'),
  total INT NOT NULL DEFAULT 0,
  -- The admin's message that shows progress and, at the end, the outcome.
  progress_chat_id BIGINT,
  progress_message_id BIGINT,
  -- The worker sending it, and until when its claim holds without renewal.
  leased_by TEXT,
  lease_until TIMESTAMP WITH TIME ZONE,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  started_at TIMESTAMP WITH TIME ZONE,
  stopped_at TIMESTAMP WITH TIME ZONE,
  finished_at TIMESTAMP WITH TIME ZONE,
  reported_at TIMESTAMP WITH TIME ZONE,
  CONSTRAINT broadcasts_text_ready CHECK (step = 'text' OR text_html IS NOT NULL),
  CONSTRAINT broadcasts_button_whole CHECK ((button_text IS NULL) = (button_url IS NULL))
);
CREATE UNIQUE INDEX broadcasts_one_draft_per_admin ON broadcasts (composer_telegram_id)
  WHERE status = 'draft';
CREATE INDEX broadcasts_running_idx ON broadcasts (id) WHERE status = 'running';
CREATE INDEX broadcasts_unreported_idx ON broadcasts (id)
  WHERE status = 'done' AND reported_at IS NULL;

CREATE TABLE broadcast_recipients (
  broadcast_id BIGINT NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
  position INT NOT NULL,
  profile_id UUID NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
  telegram_id BIGINT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'sending', 'sent', 'blocked', 'failed')),
  error TEXT,
  updated_at TIMESTAMP WITH TIME ZONE,
  PRIMARY KEY (broadcast_id, position),
  UNIQUE (broadcast_id, profile_id)
);
CREATE INDEX broadcast_recipients_pending_idx ON broadcast_recipients (broadcast_id, position)
  WHERE state = 'pending';
CREATE INDEX broadcast_recipients_profile_id_idx ON broadcast_recipients (profile_id);

-- The broadcast this worker should send now: the one it holds, else the oldest running
-- one nobody holds, and none while another worker holds one (one at a time per bot).
-- Calling it again renews the lease; a worker that stalled past its lease gets nothing.
CREATE FUNCTION claim_broadcast(p_worker TEXT, p_lease_seconds INT) RETURNS SETOF broadcasts
LANGUAGE plpgsql AS $$
DECLARE
  chosen BIGINT;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('broadcast-sender', 0));
  IF EXISTS (SELECT 1 FROM broadcasts o
              WHERE o.status = 'running' AND o.leased_by <> p_worker
                AND o.lease_until >= now()) THEN
    RETURN;
  END IF;
  SELECT b.id INTO chosen FROM broadcasts b
   WHERE b.status = 'running'
   ORDER BY b.leased_by IS NOT DISTINCT FROM p_worker DESC, b.id
   LIMIT 1;
  IF chosen IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
    UPDATE broadcasts b
       SET leased_by = p_worker, lease_until = now() + make_interval(secs => p_lease_seconds)
     WHERE b.id = chosen
    RETURNING b.*;
END
$$;

-- Marks one recipient 'sending' if it is still pending and its broadcast still runs
-- (a /broadcast_stop takes effect before the next send). True: send it now.
CREATE FUNCTION begin_broadcast_send(p_broadcast BIGINT, p_position INT) RETURNS BOOLEAN
LANGUAGE sql AS $$
  WITH begun AS (
    UPDATE broadcast_recipients r
       SET state = 'sending', updated_at = now()
     WHERE r.broadcast_id = p_broadcast AND r.position = p_position AND r.state = 'pending'
       AND EXISTS (SELECT 1 FROM broadcasts b WHERE b.id = p_broadcast AND b.status = 'running')
    RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM begun);
$$;

-- What Telegram answered to a send that began: 'sent', 'blocked' (403: the profile is
-- marked, so later audiences skip it), 'failed', or 'pending' (certainly not performed,
-- e.g. a 429: it will be sent later).
CREATE FUNCTION record_broadcast_send(
  p_broadcast BIGINT, p_position INT, p_state TEXT, p_error TEXT
) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
  target UUID;
BEGIN
  UPDATE broadcast_recipients r
     SET state = p_state, error = p_error, updated_at = now()
   WHERE r.broadcast_id = p_broadcast AND r.position = p_position AND r.state = 'sending'
  RETURNING r.profile_id INTO target;
  IF p_state = 'blocked' AND target IS NOT NULL THEN
    UPDATE profiles p SET blocked_bot_at = now() WHERE p.id = target;
  END IF;
END
$$;

-- Ends a running broadcast with nothing left to send (once); true if this call ended it.
CREATE FUNCTION finish_broadcast(p_broadcast BIGINT) RETURNS BOOLEAN
LANGUAGE sql AS $$
  WITH finished AS (
    UPDATE broadcasts b
       SET status = 'done', finished_at = now(), leased_by = NULL, lease_until = NULL
     WHERE b.id = p_broadcast AND b.status = 'running'
       AND NOT EXISTS (SELECT 1 FROM broadcast_recipients r
                        WHERE r.broadcast_id = p_broadcast AND r.state = 'pending')
    RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM finished);
$$;

-- A user wrote to the bot: they are active, and have not blocked it (any more). Writes
-- at most every few minutes per user, so most messages cost one indexed read.
CREATE FUNCTION note_contact(p_telegram_id BIGINT) RETURNS VOID
LANGUAGE sql AS $$
  UPDATE profiles p
     SET last_seen_at = now(), blocked_bot_at = NULL
   WHERE p.telegram_id = p_telegram_id
     AND (p.blocked_bot_at IS NOT NULL OR p.last_seen_at IS NULL
          OR p.last_seen_at < now() - interval '5 minutes');
$$;
