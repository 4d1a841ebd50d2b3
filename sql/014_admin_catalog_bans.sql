-- 014: what an admin changes from the chat: a mode's cost, model and on/off switch, and
-- bans. Each change and its admin_audit row (013) commit in one transaction, inside the
-- function that makes the change. New SQLSTATE (services/errors.py mirrors it):
--   TB011 mode_disabled            the mode is switched off; nothing is charged

ALTER TABLE generation_types ADD COLUMN is_active BOOLEAN NOT NULL DEFAULT true;
COMMENT ON COLUMN generation_types.is_active IS
  'false: the mode is off (not offered, and charge_generation refuses it).';

ALTER TABLE profiles
  ADD COLUMN banned_at TIMESTAMP WITH TIME ZONE,
  ADD COLUMN ban_reason TEXT;
-- /user @name finds a profile by its Telegram username, in any case.
CREATE INDEX profiles_username_lower_idx ON profiles (lower(username));

------------------------------------------------------------------------------
-- Charging: as 012, and a mode switched off is refused before anything is taken. A
-- repeated request key still returns its generation (it was charged while the mode was on).
------------------------------------------------------------------------------
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
    FROM profiles p WHERE p.id = p_profile_id FOR UPDATE;
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
  IF current_credits < cost THEN
    RAISE EXCEPTION 'insufficient credits: balance %, needed %', current_credits, cost
      USING ERRCODE = 'TB001', DETAIL = json_build_object(
        'balance', current_credits, 'needed', cost)::text;
  END IF;

  INSERT INTO generations (profile_id, generation_type, credit_cost, input, request_key)
  VALUES (p_profile_id, p_type_key, cost, COALESCE(p_input, '{}'::jsonb), p_request_key)
  RETURNING id INTO new_id;
  IF cost > 0 THEN
    current_credits := move_credits(p_profile_id, -cost, 'generation_charge', new_id::text);
  END IF;
  RETURN QUERY SELECT new_id, cost, current_credits, true;
END
$$;

------------------------------------------------------------------------------
-- Referrals: as 002, except that a banned user's link pays nothing (it reads as an
-- unknown code). A banned user cannot be referred either: only new users are.
------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION apply_referral(p_profile_id UUID, p_code TEXT)
RETURNS TABLE (status TEXT, referrer_id UUID, referrer_telegram_id BIGINT, referrer_credits INT)
LANGUAGE plpgsql AS $$
DECLARE
  referred profiles%ROWTYPE;
  referrer profiles%ROWTYPE;
  bonus INT;
  code TEXT := upper(btrim(COALESCE(p_code, '')));
BEGIN
  SELECT * INTO referred FROM profiles WHERE id = p_profile_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'profile % not found', p_profile_id USING ERRCODE = 'TB002';
  END IF;
  IF referred.created_at IS DISTINCT FROM now() THEN
    RETURN QUERY SELECT 'not_new_user', NULL::UUID, NULL::BIGINT, NULL::INT;
    RETURN;
  END IF;
  IF referred.referred_by_profile_id IS NOT NULL
     OR EXISTS (SELECT 1 FROM referrals r WHERE r.referred_id = p_profile_id) THEN
    RETURN QUERY SELECT 'already_referred', NULL::UUID, NULL::BIGINT, NULL::INT;
    RETURN;
  END IF;
  SELECT * INTO referrer FROM profiles p
   WHERE upper(p.referral_code) = code AND code <> '' AND NOT p.is_banned;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'unknown_code', NULL::UUID, NULL::BIGINT, NULL::INT;
    RETURN;
  END IF;
  IF referrer.id = p_profile_id THEN
    RETURN QUERY SELECT 'self_referral', NULL::UUID, NULL::BIGINT, NULL::INT;
    RETURN;
  END IF;

  SELECT r.credits INTO bonus FROM credit_rules r WHERE r.rule = 'referral_bonus';
  bonus := COALESCE(bonus, 0);
  INSERT INTO referrals (referred_id, referrer_id, credits_awarded)
  VALUES (p_profile_id, referrer.id, bonus);
  UPDATE profiles
     SET referred_by = referrer.referral_code, referred_by_profile_id = referrer.id,
         updated_at = now()
   WHERE id = p_profile_id;
  IF bonus > 0 THEN
    referrer.credits := move_credits(referrer.id, bonus, 'referral_bonus', p_profile_id::text);
  END IF;
  RETURN QUERY SELECT 'applied', referrer.id, referrer.telegram_id, referrer.credits;
END
$$;

------------------------------------------------------------------------------
-- The catalogue.
------------------------------------------------------------------------------

-- /setcost: the seed's upsert with the mode's own name, and its audit row.
CREATE FUNCTION admin_set_generation_cost(
  p_type_key TEXT, p_cost_credits INT, p_max_cost INT, p_admin_telegram_id BIGINT
) RETURNS TABLE (before_cost INT, after_cost INT)
LANGUAGE plpgsql AS $$
DECLARE
  current generation_types%ROWTYPE;
BEGIN
  SELECT * INTO current FROM generation_types t WHERE t.type_key = p_type_key FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown generation type %', p_type_key USING ERRCODE = 'TB003';
  END IF;
  IF p_cost_credits IS NULL OR p_cost_credits NOT BETWEEN 0 AND p_max_cost THEN
    RAISE EXCEPTION 'cost % is outside 0..%', p_cost_credits, p_max_cost USING ERRCODE = 'TB006';
  END IF;
  PERFORM upsert_generation_type(p_type_key, current.display_name, p_cost_credits);
  PERFORM record_admin_action(
    p_admin_telegram_id, 'setcost', jsonb_build_object('type', p_type_key),
    jsonb_build_object('cost', current.cost_credits), jsonb_build_object('cost', p_cost_credits));
  RETURN QUERY SELECT current.cost_credits, p_cost_credits;
END
$$;

-- /mode: a mode on or off, and its audit row.
CREATE FUNCTION admin_set_generation_active(
  p_type_key TEXT, p_active BOOLEAN, p_admin_telegram_id BIGINT
) RETURNS BOOLEAN
LANGUAGE plpgsql AS $$
DECLARE
  was_active BOOLEAN;
BEGIN
  SELECT t.is_active INTO was_active FROM generation_types t
   WHERE t.type_key = p_type_key FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown generation type %', p_type_key USING ERRCODE = 'TB003';
  END IF;
  UPDATE generation_types t SET is_active = p_active WHERE t.type_key = p_type_key;
  PERFORM record_admin_action(
    p_admin_telegram_id, 'mode', jsonb_build_object('type', p_type_key),
    jsonb_build_object('active', was_active), jsonb_build_object('active', p_active));
  RETURN was_active;
END
$$;

-- /setmodel is shown back before it takes effect: the proposal waits here (a button's
-- 64 bytes cannot carry a template) until the admin confirms or cancels it.
CREATE TABLE generation_model_proposals (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type_key TEXT NOT NULL REFERENCES generation_types (type_key),
  model TEXT NOT NULL,
  input_template JSONB NOT NULL,
  output_text BOOLEAN NOT NULL,
  proposed_by BIGINT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  -- applied | cancelled; NULL while it waits
  outcome TEXT CHECK (outcome IN ('applied', 'cancelled')),
  decided_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX generation_model_proposals_type_key_idx ON generation_model_proposals (type_key);

-- Applies a waiting proposal once (set_generation_model validates it again) with its
-- audit row, or cancels it. Returns the proposal's mode and model and its outcome before
-- this call: NULL if it was waiting (and is decided now), else 'applied' or 'cancelled'.
CREATE FUNCTION admin_decide_generation_model(
  p_proposal_id BIGINT, p_apply BOOLEAN, p_admin_telegram_id BIGINT
) RETURNS TABLE (type_key TEXT, model TEXT, previous_outcome TEXT)
LANGUAGE plpgsql AS $$
DECLARE
  proposal generation_model_proposals%ROWTYPE;
  current generation_types%ROWTYPE;
BEGIN
  SELECT * INTO proposal FROM generation_model_proposals p
   WHERE p.id = p_proposal_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no model proposal %', p_proposal_id USING ERRCODE = 'TB006';
  END IF;
  IF proposal.outcome IS NOT NULL THEN
    RETURN QUERY SELECT proposal.type_key, proposal.model, proposal.outcome;
    RETURN;
  END IF;
  UPDATE generation_model_proposals p
     SET outcome = CASE WHEN p_apply THEN 'applied' ELSE 'cancelled' END, decided_at = now()
   WHERE p.id = p_proposal_id;
  IF NOT p_apply THEN
    RETURN QUERY SELECT proposal.type_key, proposal.model, NULL::TEXT;
    RETURN;
  END IF;
  SELECT * INTO current FROM generation_types t WHERE t.type_key = proposal.type_key;
  PERFORM set_generation_model(
    proposal.type_key, proposal.model, proposal.input_template, proposal.output_text);
  PERFORM record_admin_action(
    p_admin_telegram_id, 'setmodel',
    jsonb_build_object('type', proposal.type_key, 'proposal', proposal.id),
    jsonb_build_object('model', current.model, 'input_template', current.input_template,
                       'output_text', current.output_text),
    jsonb_build_object('model', proposal.model, 'input_template', proposal.input_template,
                       'output_text', proposal.output_text));
  RETURN QUERY SELECT proposal.type_key, proposal.model, NULL::TEXT;
END
$$;

------------------------------------------------------------------------------
-- Bans.
------------------------------------------------------------------------------

-- Bans a profile: no charge (TB007), no payment (pre-checkout), no referral bonus from
-- then on; every generation not yet finished is failed and refunded through
-- fail_generation (once, with its ledger row), a running one too, so nothing is made
-- for the account. The ban, the refunds and the audit row are one transaction.
-- Generations are locked before the profile, the order fail_generation takes them in.
CREATE FUNCTION admin_ban_profile(
  p_profile_id UUID, p_reason TEXT, p_admin_telegram_id BIGINT
) RETURNS TABLE (was_banned BOOLEAN, refunded_generations INT, refunded_credits INT)
LANGUAGE plpgsql AS $$
DECLARE
  profile profiles%ROWTYPE;
  open_id UUID;
  refund RECORD;
  jobs INT := 0;
  credits INT := 0;
BEGIN
  IF p_reason IS NULL OR btrim(p_reason) = '' THEN
    RAISE EXCEPTION 'a reason is required' USING ERRCODE = 'TB006';
  END IF;
  PERFORM 1 FROM generations g
   WHERE g.profile_id = p_profile_id AND g.status IN ('queued', 'running') FOR UPDATE;
  SELECT * INTO profile FROM profiles p WHERE p.id = p_profile_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'profile % not found', p_profile_id USING ERRCODE = 'TB002';
  END IF;
  UPDATE profiles p
     SET is_banned = true, banned_at = COALESCE(p.banned_at, now()),
         ban_reason = left(btrim(p_reason), 500), updated_at = now()
   WHERE p.id = p_profile_id;
  FOR open_id IN
    SELECT g.id FROM generations g
     WHERE g.profile_id = p_profile_id AND g.status IN ('queued', 'running')
     ORDER BY g.created_at
  LOOP
    SELECT * INTO refund FROM fail_generation(open_id, 'the account was banned');
    UPDATE generations g SET failure_key = 'account_banned' WHERE g.id = open_id;
    jobs := jobs + 1;
    credits := credits + refund.refunded;
  END LOOP;
  PERFORM record_admin_action(
    p_admin_telegram_id, 'ban',
    jsonb_build_object('telegram_id', profile.telegram_id, 'reason', btrim(p_reason)),
    jsonb_build_object('banned', profile.is_banned),
    jsonb_build_object('banned', true, 'refunded_generations', jobs, 'refunded_credits', credits));
  RETURN QUERY SELECT profile.is_banned, jobs, credits;
END
$$;

-- Lifts a ban (the refunds stand). Returns whether the profile was banned.
CREATE FUNCTION admin_unban_profile(p_profile_id UUID, p_admin_telegram_id BIGINT)
RETURNS BOOLEAN
LANGUAGE plpgsql AS $$
DECLARE
  profile profiles%ROWTYPE;
BEGIN
  SELECT * INTO profile FROM profiles p WHERE p.id = p_profile_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'profile % not found', p_profile_id USING ERRCODE = 'TB002';
  END IF;
  UPDATE profiles p
     SET is_banned = false, banned_at = NULL, ban_reason = NULL, updated_at = now()
   WHERE p.id = p_profile_id;
  PERFORM record_admin_action(
    p_admin_telegram_id, 'unban', jsonb_build_object('telegram_id', profile.telegram_id),
    jsonb_build_object('banned', profile.is_banned, 'reason', profile.ban_reason),
    jsonb_build_object('banned', false));
  RETURN profile.is_banned;
END
$$;
