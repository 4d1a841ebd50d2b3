-- 025: a charge does less work, with the same guarantees (issue 14: charges spread over
-- many profiles at no less than twice the rate of the seed's read-then-write sketch).
--
-- Where a charge's time went (EXPLAIN (ANALYZE, WAL) of its statements, pgbench of the
-- call): 14 WAL records per charge; the profile row visited twice (read FOR UPDATE, which
-- writes a lock record, then updated by move_credits), a plpgsql call inside the call, five
-- index entries for the new generation, and a commit-time balance check of two queries.
--
-- 1. charge_generation checks what it can without a lock, then one conditional UPDATE
--    takes the profile's row lock, re-checks the balance and the ban on the row as it is
--    now (a ban or another charge that committed meanwhile counts), and debits. The ledger
--    row is written here as move_credits writes it (its chain guard still checks it). A
--    request key already charged still returns its generation and charges nothing: found
--    before the UPDATE, or, when an identical request committed while this one waited for
--    the lock, by the unique index (ON CONFLICT), after which this call's debit is put back
--    (the balance ends where the ledger says, so the commit-time check holds).
-- 2. The commit-time check that a balance matches its newest ledger row reads both in one
--    query.

CREATE OR REPLACE FUNCTION profiles_balance_matches_ledger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  mismatch BOOLEAN;
BEGIN
  SELECT p.credits <> COALESCE((
           SELECT l.balance_after FROM credit_ledger l
            WHERE l.profile_id = p.id ORDER BY l.id DESC LIMIT 1), 0)
    INTO mismatch
    FROM profiles p WHERE p.id = NEW.id;
  IF mismatch THEN  -- NULL: the profile is gone
    RAISE EXCEPTION 'credits of profile % changed without a ledger row', NEW.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION charge_generation(
  p_profile_id UUID, p_type_key TEXT, p_input JSONB DEFAULT '{}'::jsonb,
  p_request_key TEXT DEFAULT NULL, p_shown_cost INT DEFAULT NULL
) RETURNS TABLE (generation_id UUID, credit_cost INT, balance INT, created BOOLEAN)
LANGUAGE plpgsql AS $$
DECLARE
  cost INT;
  active BOOLEAN;
  current_credits INT;
  banned BOOLEAN;
  new_id UUID;
  previous RECORD;
BEGIN
  SELECT t.cost_credits, t.is_active INTO cost, active
    FROM generation_types t WHERE t.type_key = p_type_key;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown generation type %', p_type_key USING ERRCODE = 'TB003';
  END IF;

  SELECT p.credits, p.is_banned INTO current_credits, banned
    FROM profiles p WHERE p.id = p_profile_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'profile % not found', p_profile_id USING ERRCODE = 'TB002';
  END IF;

  IF p_request_key IS NOT NULL THEN
    SELECT g.id, g.credit_cost INTO previous
      FROM generations g WHERE g.profile_id = p_profile_id AND g.request_key = p_request_key;
    IF FOUND THEN
      RETURN QUERY SELECT previous.id, previous.credit_cost, current_credits, false;
      RETURN;
    END IF;
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

  IF cost > 0 THEN
    -- The row lock taken here serializes every movement of this profile's credits (and a
    -- ban); the balance and the ban are checked on the row as it is when the lock is had.
    UPDATE profiles p
       SET credits = p.credits - cost, updated_at = now()
     WHERE p.id = p_profile_id AND p.credits >= cost AND NOT p.is_banned
    RETURNING p.credits INTO current_credits;
    IF NOT FOUND THEN
      SELECT p.credits, p.is_banned INTO current_credits, banned
        FROM profiles p WHERE p.id = p_profile_id;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'profile % not found', p_profile_id USING ERRCODE = 'TB002';
      END IF;
      IF banned THEN
        RAISE EXCEPTION 'profile % is banned', p_profile_id USING ERRCODE = 'TB007';
      END IF;
      RAISE EXCEPTION 'insufficient credits: balance %, needed %', current_credits, cost
        USING ERRCODE = 'TB001', DETAIL = json_build_object(
          'balance', current_credits, 'needed', cost)::text;
    END IF;
  END IF;

  INSERT INTO generations (profile_id, generation_type, credit_cost, input, request_key)
  VALUES (p_profile_id, p_type_key, cost, COALESCE(p_input, '{}'::jsonb), p_request_key)
  ON CONFLICT (profile_id, request_key) WHERE request_key IS NOT NULL DO NOTHING
  RETURNING id INTO new_id;
  IF new_id IS NULL THEN
    -- The same request committed while this call waited for the row lock: that is the
    -- generation, and this call's debit is put back (no ledger row was written for it).
    IF cost > 0 THEN
      UPDATE profiles p SET credits = p.credits + cost
       WHERE p.id = p_profile_id
      RETURNING p.credits INTO current_credits;
    END IF;
    SELECT g.id, g.credit_cost INTO previous
      FROM generations g WHERE g.profile_id = p_profile_id AND g.request_key = p_request_key;
    RETURN QUERY SELECT previous.id, previous.credit_cost, current_credits, false;
    RETURN;
  END IF;

  IF cost > 0 THEN
    INSERT INTO credit_ledger (profile_id, delta, balance_after, reason, reference)
    VALUES (p_profile_id, -cost, current_credits, 'generation_charge', new_id::text);
  END IF;
  RETURN QUERY SELECT new_id, cost, current_credits, true;
END
$$;
