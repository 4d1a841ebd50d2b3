-- 019: variants. One order can ask for 2-4 different thumbnails at once. Each variant is a
-- generation of its own (charged, run and refunded on its own), and the order's members
-- are held together by a batch, which is delivered once, when its last member finished:
-- the pictures as one album, then one message with their buttons.
--
--   charge_generation_batch   charges every variant in one transaction, or none
--   begin/finish/abandon_batch_delivery   exactly-once delivery of a batch, as 010 does
--                             for one generation (an uncertain album is never re-sent)
--   claim_undelivered_batches the sweep's share: finished batches nobody delivered
--
-- A member of a batch is never delivered on its own: begin_delivery answers 'batch' for
-- it and claim_undelivered skips it.

CREATE TABLE generation_batches (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  profile_id UUID NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
  -- The order's key ("draft:<token>"): a second tap of its button charges nothing.
  request_key TEXT NOT NULL,
  size INT NOT NULL CONSTRAINT generation_batches_size_range CHECK (size BETWEEN 2 AND 4),
  telegram_chat_id BIGINT,
  status_message_id BIGINT,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  delivery_owner TEXT,
  delivery_lease_expires_at TIMESTAMP WITH TIME ZONE,
  -- Set when the album's send began; NULL again if Telegram certainly did not perform it.
  delivery_attempted_at TIMESTAMP WITH TIME ZONE,
  delivered_at TIMESTAMP WITH TIME ZONE,
  -- How the batch reached the user: sent | resumed | refused | unreachable
  delivery_method TEXT,
  CONSTRAINT generation_batches_request_key_once UNIQUE (profile_id, request_key)
);
COMMENT ON TABLE generation_batches IS
  'The variants of one order: charged together, delivered together as one album.';
CREATE INDEX generation_batches_undelivered_idx ON generation_batches (created_at)
  WHERE delivered_at IS NULL;

ALTER TABLE generations
  ADD COLUMN batch_id UUID REFERENCES generation_batches (id) ON DELETE CASCADE,
  -- 0-based; also the request's variation, so every variant looks different.
  ADD COLUMN variant_index INT
    CONSTRAINT generations_variant_index_range CHECK (variant_index BETWEEN 0 AND 3),
  ADD CONSTRAINT generations_variant_in_batch
    CHECK ((batch_id IS NULL) = (variant_index IS NULL));
CREATE UNIQUE INDEX generations_batch_variant_idx ON generations (batch_id, variant_index)
  WHERE batch_id IS NOT NULL;

------------------------------------------------------------------------------
-- Charging: all variants or none. The checks are charge_generation's (014), made once
-- for the whole order before anything moves, so credits for 2 of 4 variants charge
-- nothing and TB001 names the order's total. Each variant is then charged through
-- charge_generation itself: its own row, its own ledger line, its own request key
-- (p_request_key || ':v' || i). A repeated p_request_key returns the batch it made.
------------------------------------------------------------------------------
CREATE FUNCTION charge_generation_batch(
  p_profile_id UUID, p_type_key TEXT, p_inputs JSONB, p_request_key TEXT,
  p_shown_cost INT, p_chat_id BIGINT
) RETURNS TABLE (
  batch_id UUID, generation_id UUID, variant_index INT, credit_cost INT, balance INT,
  created BOOLEAN
)
LANGUAGE plpgsql AS $$
DECLARE
  variants INT;
  cost INT;
  active BOOLEAN;
  current_credits INT;
  banned BOOLEAN;
  the_batch UUID;
  charged RECORD;
BEGIN
  IF jsonb_typeof(p_inputs) IS DISTINCT FROM 'array'
     OR jsonb_array_length(p_inputs) NOT BETWEEN 2 AND 4 OR p_request_key IS NULL THEN
    RAISE EXCEPTION 'a batch needs 2-4 inputs and a request key' USING ERRCODE = 'TB006';
  END IF;
  variants := jsonb_array_length(p_inputs);

  SELECT t.cost_credits, t.is_active INTO cost, active
    FROM generation_types t WHERE t.type_key = p_type_key;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown generation type %', p_type_key USING ERRCODE = 'TB003';
  END IF;

  SELECT p.credits, p.is_banned INTO current_credits, banned
    FROM profiles p WHERE p.id = p_profile_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'profile % not found', p_profile_id USING ERRCODE = 'TB002';
  END IF;

  SELECT b.id INTO the_batch
    FROM generation_batches b WHERE b.profile_id = p_profile_id AND b.request_key = p_request_key;
  IF FOUND THEN
    RETURN QUERY
      SELECT g.batch_id, g.id, g.variant_index, g.credit_cost, current_credits, false
        FROM generations g WHERE g.batch_id = the_batch ORDER BY g.variant_index;
    RETURN;
  END IF;

  IF banned THEN
    RAISE EXCEPTION 'profile % is banned', p_profile_id USING ERRCODE = 'TB007';
  END IF;
  IF NOT active THEN
    RAISE EXCEPTION 'generation type % is switched off', p_type_key USING ERRCODE = 'TB011';
  END IF;
  IF p_shown_cost IS NOT NULL AND p_shown_cost <> cost THEN
    RAISE EXCEPTION 'the price changed from % to %', p_shown_cost, cost
      USING ERRCODE = 'TB010', DETAIL = json_build_object('cost', cost)::text;
  END IF;
  IF current_credits < cost * variants THEN
    RAISE EXCEPTION 'insufficient credits: balance %, needed %', current_credits, cost * variants
      USING ERRCODE = 'TB001', DETAIL = json_build_object(
        'balance', current_credits, 'needed', cost * variants)::text;
  END IF;

  INSERT INTO generation_batches (profile_id, request_key, size, telegram_chat_id)
  VALUES (p_profile_id, p_request_key, variants, p_chat_id)
  RETURNING id INTO the_batch;
  FOR i IN 0 .. variants - 1 LOOP
    SELECT * INTO charged FROM charge_generation(
      p_profile_id, p_type_key, p_inputs -> i, p_request_key || ':v' || i, cost);
    IF NOT charged.created THEN  -- a member's key taken outside this batch: charge nothing
      RAISE EXCEPTION 'request key %:v% is already used', p_request_key, i
        USING ERRCODE = 'TB006';
    END IF;
    UPDATE generations g
       SET batch_id = the_batch, variant_index = i, telegram_chat_id = p_chat_id
     WHERE g.id = charged.generation_id;
    current_credits := charged.balance;
  END LOOP;
  RETURN QUERY
    SELECT g.batch_id, g.id, g.variant_index, g.credit_cost, current_credits, true
      FROM generations g WHERE g.batch_id = the_batch ORDER BY g.variant_index;
END
$$;

------------------------------------------------------------------------------
-- Delivery of a batch, exactly once (the three steps of 010, on the batch row):
--   'send' nobody began a send | 'resume' a send began, its end unknown: do not re-send
--   'done' delivered | 'busy' another worker holds it | 'pending' a member still runs.
------------------------------------------------------------------------------
CREATE FUNCTION begin_batch_delivery(p_batch_id UUID, p_worker TEXT, p_lease_seconds INT)
RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
  b generation_batches%ROWTYPE;
BEGIN
  SELECT * INTO b FROM generation_batches WHERE id = p_batch_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'pending';
  END IF;
  IF b.delivered_at IS NOT NULL THEN
    RETURN 'done';
  END IF;
  IF EXISTS (SELECT 1 FROM generations g
              WHERE g.batch_id = p_batch_id AND g.status NOT IN ('succeeded', 'failed')) THEN
    RETURN 'pending';
  END IF;
  IF b.delivery_owner IS DISTINCT FROM p_worker AND b.delivery_lease_expires_at > now() THEN
    RETURN 'busy';
  END IF;
  UPDATE generation_batches
     SET delivery_owner = p_worker,
         delivery_lease_expires_at = now() + make_interval(secs => p_lease_seconds),
         delivery_attempted_at = COALESCE(delivery_attempted_at, now())
   WHERE id = p_batch_id;
  RETURN CASE WHEN b.delivery_attempted_at IS NULL THEN 'send' ELSE 'resume' END;
END
$$;

-- Telegram confirmed the album (or refused it for good): the batch and every member are
-- delivered, once.
CREATE FUNCTION finish_batch_delivery(p_batch_id UUID, p_method TEXT) RETURNS BOOLEAN
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE generation_batches
     SET delivered_at = now(), delivery_method = p_method, delivery_lease_expires_at = NULL
   WHERE id = p_batch_id AND delivered_at IS NULL;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  UPDATE generations
     SET delivered_at = now(), delivery_method = p_method, delivery_lease_expires_at = NULL
   WHERE batch_id = p_batch_id AND delivered_at IS NULL;
  RETURN true;
END
$$;

-- Telegram certainly did not perform the album's send: the next attempt sends it again.
CREATE FUNCTION abandon_batch_delivery(p_batch_id UUID, p_worker TEXT) RETURNS VOID
LANGUAGE sql AS $$
  UPDATE generation_batches
     SET delivery_attempted_at = NULL, delivery_lease_expires_at = NULL
   WHERE id = p_batch_id AND delivered_at IS NULL AND delivery_owner = p_worker
$$;

-- The delivery sweep's batches: every member finished at least p_grace_seconds ago (the
-- worker that finished the last one had its chance), not delivered, lease free.
CREATE FUNCTION claim_undelivered_batches(
  p_worker TEXT, p_lease_seconds INT, p_limit INT, p_grace_seconds INT
) RETURNS SETOF generation_batches
LANGUAGE sql AS $$
  UPDATE generation_batches b
     SET delivery_owner = p_worker,
         delivery_lease_expires_at = now() + make_interval(secs => p_lease_seconds)
   WHERE b.id IN (
     SELECT c.id FROM generation_batches c
      WHERE c.delivered_at IS NULL
        AND (c.delivery_lease_expires_at IS NULL OR c.delivery_lease_expires_at < now())
        AND NOT EXISTS (
          SELECT 1 FROM generations g
           WHERE g.batch_id = c.id
             AND (g.status NOT IN ('succeeded', 'failed')
                  OR g.completed_at >= now() - make_interval(secs => p_grace_seconds)))
      ORDER BY c.created_at
      LIMIT p_limit
      FOR UPDATE SKIP LOCKED)
  RETURNING b.*
$$;

------------------------------------------------------------------------------
-- 010's single delivery, as before, except that a batch member is the batch's to deliver.
------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION begin_delivery(p_id UUID, p_worker TEXT, p_lease_seconds INT)
RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
  g generations%ROWTYPE;
BEGIN
  SELECT * INTO g FROM generations WHERE id = p_id FOR UPDATE;
  IF NOT FOUND OR g.status NOT IN ('succeeded', 'failed') THEN
    RETURN 'pending';
  END IF;
  IF g.batch_id IS NOT NULL THEN
    RETURN 'batch';
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

CREATE OR REPLACE FUNCTION claim_undelivered(
  p_worker TEXT, p_lease_seconds INT, p_limit INT, p_grace_seconds INT
) RETURNS SETOF generations
LANGUAGE sql AS $$
  UPDATE generations g
     SET delivery_owner = p_worker,
         delivery_lease_expires_at = now() + make_interval(secs => p_lease_seconds)
   WHERE g.id IN (
     SELECT c.id FROM generations c
      WHERE c.status IN ('succeeded', 'failed') AND c.delivered_at IS NULL
        AND c.batch_id IS NULL
        AND c.completed_at < now() - make_interval(secs => p_grace_seconds)
        AND (c.delivery_lease_expires_at IS NULL OR c.delivery_lease_expires_at < now())
      ORDER BY c.completed_at
      LIMIT p_limit
      FOR UPDATE SKIP LOCKED)
  RETURNING g.*
$$;
