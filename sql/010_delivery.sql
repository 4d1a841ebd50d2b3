-- 010: delivery exactly once. Sending a thumbnail to Telegram cannot be made atomic with
-- a database write, and a send is not idempotent (a repeated sendPhoto is a second
-- photo), so the delivery is tracked in three steps:
--   begin_delivery   takes the delivery lease and marks that a send is about to start;
--   finish_delivery  records it delivered, the moment Telegram confirmed the send;
--   abandon_delivery clears the mark when Telegram certainly did not perform the send
--                    (a 429, a refused connection), so the next attempt sends again.
-- A mark without a finish means an earlier attempt may or may not have reached the chat
-- (the process died, or Telegram's answer was lost): such a delivery is "resumed", never
-- re-sent as a photo: the status message (an edit, which is idempotent) says the result
-- is ready, with a button that shows it.

ALTER TABLE generations
  ADD COLUMN delivery_owner TEXT,
  -- Set when a send began; NULL again if Telegram certainly did not perform it.
  ADD COLUMN delivery_attempted_at TIMESTAMP WITH TIME ZONE,
  -- How the result reached the user: sent | resumed | refused | unreachable
  ADD COLUMN delivery_method TEXT;

-- The right to deliver one finished generation for p_lease_seconds. Returns
--   'send'    nobody began a send: send it;
--   'resume'  an earlier send began and its end is unknown: do not send it again;
--   'done'    already delivered;  'busy'  another worker holds the delivery;
--   'pending' the generation has not finished.
CREATE FUNCTION begin_delivery(p_id UUID, p_worker TEXT, p_lease_seconds INT)
RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
  g generations%ROWTYPE;
BEGIN
  SELECT * INTO g FROM generations WHERE id = p_id FOR UPDATE;
  IF NOT FOUND OR g.status NOT IN ('succeeded', 'failed') THEN
    RETURN 'pending';
  END IF;
  IF g.delivered_at IS NOT NULL THEN
    RETURN 'done';
  END IF;
  IF g.delivery_owner IS DISTINCT FROM p_worker AND g.delivery_lease_expires_at > now() THEN
    RETURN 'busy';
  END IF;
  UPDATE generations
     SET delivery_owner = p_worker,
         delivery_lease_expires_at = now() + make_interval(secs => p_lease_seconds),
         delivery_attempted_at = COALESCE(delivery_attempted_at, now())
   WHERE id = p_id;
  RETURN CASE WHEN g.delivery_attempted_at IS NULL THEN 'send' ELSE 'resume' END;
END
$$;

-- Telegram confirmed the delivery (or refused it for good): record it, once.
CREATE FUNCTION finish_delivery(p_id UUID, p_method TEXT) RETURNS BOOLEAN
LANGUAGE sql AS $$
  WITH finished AS (
    UPDATE generations
       SET delivered_at = now(), delivery_method = p_method, delivery_lease_expires_at = NULL
     WHERE id = p_id AND delivered_at IS NULL
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM finished)
$$;

-- Telegram certainly did not perform the send: forget the mark and release the lease,
-- so the next attempt sends the photo again.
CREATE FUNCTION abandon_delivery(p_id UUID, p_worker TEXT) RETURNS VOID
LANGUAGE sql AS $$
  UPDATE generations
     SET delivery_attempted_at = NULL, delivery_lease_expires_at = NULL
   WHERE id = p_id AND delivered_at IS NULL AND delivery_owner = p_worker
$$;

-- The delivery sweep: finished, undelivered generations whose worker had its chance
-- (p_grace_seconds) and whose delivery lease is free, claimed for p_worker.
CREATE FUNCTION claim_undelivered(
  p_worker TEXT, p_lease_seconds INT, p_limit INT, p_grace_seconds INT
) RETURNS SETOF generations
LANGUAGE sql AS $$
  UPDATE generations g
     SET delivery_owner = p_worker,
         delivery_lease_expires_at = now() + make_interval(secs => p_lease_seconds)
   WHERE g.id IN (
     SELECT c.id FROM generations c
      WHERE c.status IN ('succeeded', 'failed') AND c.delivered_at IS NULL
        AND c.completed_at < now() - make_interval(secs => p_grace_seconds)
        AND (c.delivery_lease_expires_at IS NULL OR c.delivery_lease_expires_at < now())
      ORDER BY c.completed_at
      LIMIT p_limit
      FOR UPDATE SKIP LOCKED)
  RETURNING g.*
$$;

DROP FUNCTION claim_deliveries(INT, INT, INT);
