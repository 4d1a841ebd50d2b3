-- 006: generations as durable jobs. Workers in any bot process claim queued jobs with
-- SKIP LOCKED and hold a lease they keep renewing; a job whose lease ran out (its worker
-- died) is claimed again, and after too many attempts it is failed and refunded, once.
-- Delivery to the chat is tracked separately, so a result that was made but not yet
-- sent is still sent after a crash.

ALTER TABLE generations
  ADD COLUMN lease_owner TEXT,
  ADD COLUMN lease_expires_at TIMESTAMP WITH TIME ZONE,
  ADD COLUMN delivery_lease_expires_at TIMESTAMP WITH TIME ZONE,
  ADD COLUMN delivered_at TIMESTAMP WITH TIME ZONE,
  -- Which catalog message explains a failure to the user (generations.error keeps the
  -- technical reason for us).
  ADD COLUMN failure_key TEXT;

CREATE INDEX generations_undelivered_idx ON generations (completed_at)
  WHERE delivered_at IS NULL AND status IN ('succeeded', 'failed');

-- Claims up to p_limit jobs for a worker: queued ones, and running ones whose lease
-- expired (their worker is gone). Jobs that already used p_max_attempts are not claimed;
-- reap_generations() fails and refunds them.
CREATE FUNCTION claim_generations(
  p_worker TEXT, p_lease_seconds INT, p_limit INT, p_max_attempts INT
) RETURNS SETOF generations
LANGUAGE sql AS $$
  UPDATE generations g
     SET status = 'running', lease_owner = p_worker,
         lease_expires_at = now() + make_interval(secs => p_lease_seconds),
         attempts = g.attempts + 1, updated_at = now()
   WHERE g.id IN (
     SELECT c.id FROM generations c
      WHERE ((c.status = 'queued'
              -- its status message is attached, or its handler died before attaching one
              AND (c.status_message_id IS NOT NULL OR c.created_at < now() - interval '5 seconds'))
             OR (c.status = 'running' AND c.lease_expires_at < now()))
        AND c.attempts < p_max_attempts
      ORDER BY c.created_at
      LIMIT p_limit
      FOR UPDATE SKIP LOCKED)
  RETURNING g.*
$$;

-- Keeps a running job's lease; false if the lease was lost to another worker.
CREATE FUNCTION renew_generation_lease(p_id UUID, p_worker TEXT, p_lease_seconds INT)
RETURNS BOOLEAN
LANGUAGE sql AS $$
  WITH renewed AS (
    UPDATE generations
       SET lease_expires_at = now() + make_interval(secs => p_lease_seconds)
     WHERE id = p_id AND lease_owner = p_worker AND status = 'running'
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM renewed)
$$;

-- Fails and refunds (through fail_generation, so at most once) every job whose worker
-- died p_max_attempts times. Returns the ids, so the users can be told.
CREATE FUNCTION reap_generations(p_max_attempts INT) RETURNS SETOF UUID
LANGUAGE plpgsql AS $$
DECLARE
  job_id UUID;
BEGIN
  FOR job_id IN
    SELECT id FROM generations
     WHERE status = 'running' AND lease_expires_at < now() AND attempts >= p_max_attempts
     ORDER BY created_at
     FOR UPDATE SKIP LOCKED
  LOOP
    PERFORM fail_generation(job_id, 'the job was interrupted too many times');
    UPDATE generations SET failure_key = 'generation_interrupted' WHERE id = job_id;
    RETURN NEXT job_id;
  END LOOP;
END
$$;

-- Claims finished jobs whose result has not reached the chat yet (p_grace_seconds after
-- they finished, so the worker that finished them gets the first go).
CREATE FUNCTION claim_deliveries(p_lease_seconds INT, p_limit INT, p_grace_seconds INT)
RETURNS SETOF generations
LANGUAGE sql AS $$
  UPDATE generations g
     SET delivery_lease_expires_at = now() + make_interval(secs => p_lease_seconds)
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
