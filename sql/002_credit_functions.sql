-- 002: money moves only through these functions, one transaction each.
--
-- Errors are raised with the project's own SQLSTATEs (class TB) so Python can map them
-- to user messages without parsing text (services/errors.py mirrors this list):
--   TB001 insufficient_credits     the balance does not cover the amount
--   TB002 profile_not_found        no profile with that id
--   TB003 unknown_generation_type  no generation_types row with that key
--   TB004 generation_not_found     no generation with that id
--   TB005 generation_state         the generation cannot move to the requested state
--   TB006 invalid_argument         an argument is out of range or empty
--   TB007 profile_banned           the profile may not spend credits
--   TB008 account_conflict         the auth user already belongs to another Telegram user

-- Credit amounts the product owner may tune without a code change.
CREATE TABLE credit_rules (
  rule TEXT PRIMARY KEY,
  credits INT NOT NULL CHECK (credits >= 0)
);
COMMENT ON TABLE credit_rules IS 'Named credit amounts: signup bonus, referral bonus.';

------------------------------------------------------------------------------
-- Ledger integrity, enforced by triggers so that no code path can skip it.
------------------------------------------------------------------------------

-- Each ledger row must continue its profile's chain: balance_after = previous + delta.
CREATE FUNCTION credit_ledger_chain_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  previous_balance INT;
BEGIN
  SELECT l.balance_after INTO previous_balance
    FROM credit_ledger l
   WHERE l.profile_id = NEW.profile_id
   ORDER BY l.id DESC
   LIMIT 1;
  IF NEW.balance_after <> COALESCE(previous_balance, 0) + NEW.delta THEN
    RAISE EXCEPTION 'ledger row breaks the chain of profile %', NEW.profile_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER credit_ledger_chain_guard BEFORE INSERT ON credit_ledger
  FOR EACH ROW EXECUTE FUNCTION credit_ledger_chain_guard();

-- The ledger is append-only; rows go only when their profile is deleted (cascade).
CREATE FUNCTION credit_ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM profiles WHERE id = OLD.profile_id) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'credit_ledger is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER credit_ledger_append_only BEFORE UPDATE OR DELETE ON credit_ledger
  FOR EACH ROW EXECUTE FUNCTION credit_ledger_append_only();

-- At commit, a profile's balance must equal the balance after its newest ledger row.
-- Together with the chain guard this makes "the ledger sums to the balance" a database
-- guarantee: a bare UPDATE of profiles.credits without a ledger row cannot commit.
CREATE FUNCTION profiles_balance_matches_ledger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  current_credits INT;
  ledger_balance INT;
BEGIN
  SELECT p.credits INTO current_credits FROM profiles p WHERE p.id = NEW.id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT l.balance_after INTO ledger_balance
    FROM credit_ledger l
   WHERE l.profile_id = NEW.id
   ORDER BY l.id DESC
   LIMIT 1;
  IF current_credits <> COALESCE(ledger_balance, 0) THEN
    RAISE EXCEPTION 'credits of profile % changed without a ledger row', NEW.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER profiles_balance_matches_ledger
  AFTER INSERT OR UPDATE OF credits ON profiles
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION profiles_balance_matches_ledger();

------------------------------------------------------------------------------
-- The one primitive that changes a balance. Internal: the public functions below call it.
------------------------------------------------------------------------------
CREATE FUNCTION move_credits(
  p_profile_id UUID, p_delta INT, p_reason TEXT, p_reference TEXT, p_note TEXT DEFAULT NULL
) RETURNS INT
LANGUAGE plpgsql AS $$
DECLARE
  new_balance INT;
  old_balance INT;
BEGIN
  IF p_delta = 0 THEN
    RAISE EXCEPTION 'a credit movement needs a non-zero amount' USING ERRCODE = 'TB006';
  END IF;
  -- The row lock taken here serializes every movement of one profile's credits.
  UPDATE profiles
     SET credits = credits + p_delta, updated_at = now()
   WHERE id = p_profile_id AND credits + p_delta >= 0
  RETURNING credits INTO new_balance;
  IF NOT FOUND THEN
    SELECT credits INTO old_balance FROM profiles WHERE id = p_profile_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'profile % not found', p_profile_id USING ERRCODE = 'TB002';
    END IF;
    RAISE EXCEPTION 'insufficient credits: balance %, needed %', old_balance, -p_delta
      USING ERRCODE = 'TB001', DETAIL = json_build_object(
        'balance', old_balance, 'needed', -p_delta)::text;
  END IF;
  INSERT INTO credit_ledger (profile_id, delta, balance_after, reason, reference, note)
  VALUES (p_profile_id, p_delta, new_balance, p_reason, p_reference, p_note);
  RETURN new_balance;
END
$$;

------------------------------------------------------------------------------
-- Accounts and referrals.
------------------------------------------------------------------------------

-- A referral code: 8 characters without look-alikes (no 0/O, 1/I/L), so it survives
-- being read aloud or retyped. 32^8 codes; collisions are retried by the caller.
CREATE FUNCTION new_referral_code() RETURNS TEXT
LANGUAGE sql VOLATILE AS $$
  SELECT string_agg(substr('ABCDEFGHJKMNPQRSTUVWXYZ23456789', 1 + floor(random() * 31)::int, 1), '')
    FROM generate_series(1, 8)
$$;

-- Applies a referral to a profile created in this same transaction ("new users only":
-- a user who already existed cannot be referred later). Never raises for a bad code:
-- the outcome is a status the bot can explain.
--   applied | not_new_user | already_referred | unknown_code | self_referral
CREATE FUNCTION apply_referral(p_profile_id UUID, p_code TEXT)
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
  -- now() is this transaction's start; only a profile inserted by it carries that stamp.
  IF referred.created_at IS DISTINCT FROM now() THEN
    RETURN QUERY SELECT 'not_new_user', NULL::UUID, NULL::BIGINT, NULL::INT;
    RETURN;
  END IF;
  IF referred.referred_by_profile_id IS NOT NULL
     OR EXISTS (SELECT 1 FROM referrals r WHERE r.referred_id = p_profile_id) THEN
    RETURN QUERY SELECT 'already_referred', NULL::UUID, NULL::BIGINT, NULL::INT;
    RETURN;
  END IF;
  SELECT * INTO referrer FROM profiles p WHERE upper(p.referral_code) = code AND code <> '';
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

-- Creates the profile of a Telegram user (idempotent per telegram_id): the signup bonus
-- with its ledger row, a unique referral code, and the referral if a code is given.
-- For an existing user it refreshes the display fields and reports created = false.
CREATE FUNCTION create_profile(
  p_user_id UUID,
  p_telegram_id BIGINT,
  p_username TEXT,
  p_first_name TEXT,
  p_language_code TEXT,
  p_referral_code TEXT DEFAULT NULL
) RETURNS TABLE (
  profile_id UUID, created BOOLEAN, credits INT, referral_code TEXT,
  referral_status TEXT, referrer_id UUID, referrer_telegram_id BIGINT, referrer_credits INT
)
LANGUAGE plpgsql AS $$
DECLARE
  existing profiles%ROWTYPE;
  new_id UUID;
  new_code TEXT;
  bonus INT;
  balance INT;
  referral RECORD;
  attempt INT := 0;
BEGIN
  IF p_user_id IS NULL OR p_telegram_id IS NULL THEN
    RAISE EXCEPTION 'user id and telegram id are required' USING ERRCODE = 'TB006';
  END IF;
  -- Two /start taps at once must not race each other into two profiles.
  PERFORM pg_advisory_xact_lock(hashtextextended('profile:' || p_telegram_id, 0));

  SELECT * INTO existing FROM profiles p WHERE p.telegram_id = p_telegram_id;
  IF FOUND THEN
    UPDATE profiles p
       SET username = p_username, first_name = p_first_name, language_code = p_language_code,
           updated_at = now()
     WHERE p.id = existing.id
       AND (p.username, p.first_name, p.language_code)
           IS DISTINCT FROM (p_username, p_first_name, p_language_code);
    RETURN QUERY SELECT existing.id, false, existing.credits, existing.referral_code,
      CASE WHEN p_referral_code IS NULL THEN NULL ELSE 'not_new_user' END,
      NULL::UUID, NULL::BIGINT, NULL::INT;
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM profiles p WHERE p.id = p_user_id) THEN
    RAISE EXCEPTION 'auth user % already has a profile', p_user_id USING ERRCODE = 'TB008';
  END IF;

  LOOP
    attempt := attempt + 1;
    new_code := new_referral_code();
    BEGIN
      INSERT INTO profiles (id, credits, referral_code, telegram_id, username, first_name, language_code)
      VALUES (p_user_id, 0, new_code, p_telegram_id, p_username, p_first_name, p_language_code)
      RETURNING id INTO new_id;
      EXIT;
    EXCEPTION WHEN unique_violation THEN
      IF attempt >= 10 THEN
        RAISE;
      END IF;
    END;
  END LOOP;

  SELECT r.credits INTO bonus FROM credit_rules r WHERE r.rule = 'signup_bonus';
  balance := 0;
  IF COALESCE(bonus, 0) > 0 THEN
    balance := move_credits(new_id, bonus, 'signup_bonus', new_id::text);
  END IF;

  IF p_referral_code IS NOT NULL THEN
    SELECT * INTO referral FROM apply_referral(new_id, p_referral_code);
    RETURN QUERY SELECT new_id, true, balance, new_code, referral.status,
      referral.referrer_id, referral.referrer_telegram_id, referral.referrer_credits;
  ELSE
    RETURN QUERY SELECT new_id, true, balance, new_code, NULL::TEXT,
      NULL::UUID, NULL::BIGINT, NULL::INT;
  END IF;
END
$$;

------------------------------------------------------------------------------
-- Generations: charged on creation, then completed or failed-and-refunded exactly once.
------------------------------------------------------------------------------

-- Charges a generation and creates its row (status queued) in one step. A request key
-- (e.g. the confirm button's id) makes a repeated request return the same generation
-- instead of charging again.
CREATE FUNCTION charge_generation(
  p_profile_id UUID, p_type_key TEXT, p_input JSONB DEFAULT '{}'::jsonb, p_request_key TEXT DEFAULT NULL
) RETURNS TABLE (generation_id UUID, credit_cost INT, balance INT, created BOOLEAN)
LANGUAGE plpgsql AS $$
DECLARE
  cost INT;
  current_credits INT;
  banned BOOLEAN;
  new_id UUID;
  previous RECORD;
BEGIN
  SELECT t.cost_credits INTO cost FROM generation_types t WHERE t.type_key = p_type_key;
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

-- Stores a finished generation's output. Repeating it is harmless (already = true);
-- completing a failed (refunded) generation is refused.
CREATE FUNCTION complete_generation(p_generation_id UUID, p_output_url TEXT)
RETURNS TABLE (generation_id UUID, profile_id UUID, already BOOLEAN)
LANGUAGE plpgsql AS $$
DECLARE
  generation generations%ROWTYPE;
BEGIN
  IF p_output_url IS NULL OR btrim(p_output_url) = '' THEN
    RAISE EXCEPTION 'an output url is required' USING ERRCODE = 'TB006';
  END IF;
  SELECT * INTO generation FROM generations g WHERE g.id = p_generation_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'generation % not found', p_generation_id USING ERRCODE = 'TB004';
  END IF;
  IF generation.status = 'succeeded' THEN
    RETURN QUERY SELECT generation.id, generation.profile_id, true;
    RETURN;
  END IF;
  IF generation.status = 'failed' THEN
    RAISE EXCEPTION 'generation % already failed and was refunded', p_generation_id
      USING ERRCODE = 'TB005';
  END IF;
  UPDATE generations g
     SET status = 'succeeded', output_image_url = p_output_url, error = NULL,
         completed_at = now(), updated_at = now()
   WHERE g.id = p_generation_id;
  RETURN QUERY SELECT generation.id, generation.profile_id, false;
END
$$;

-- Marks a generation failed and refunds its cost, exactly once: a second call returns
-- already = true and moves nothing. A succeeded generation cannot be failed.
CREATE FUNCTION fail_generation(p_generation_id UUID, p_error TEXT)
RETURNS TABLE (generation_id UUID, profile_id UUID, refunded INT, balance INT, already BOOLEAN)
LANGUAGE plpgsql AS $$
DECLARE
  generation generations%ROWTYPE;
  new_balance INT;
BEGIN
  SELECT * INTO generation FROM generations g WHERE g.id = p_generation_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'generation % not found', p_generation_id USING ERRCODE = 'TB004';
  END IF;
  IF generation.status = 'succeeded' THEN
    RAISE EXCEPTION 'generation % already succeeded', p_generation_id USING ERRCODE = 'TB005';
  END IF;
  IF generation.status = 'failed' THEN
    SELECT p.credits INTO new_balance FROM profiles p WHERE p.id = generation.profile_id;
    RETURN QUERY SELECT generation.id, generation.profile_id, 0, new_balance, true;
    RETURN;
  END IF;
  UPDATE generations g
     SET status = 'failed', error = left(p_error, 2000), completed_at = now(),
         refunded_at = CASE WHEN generation.credit_cost > 0 THEN now() END, updated_at = now()
   WHERE g.id = p_generation_id;
  IF generation.credit_cost > 0 THEN
    new_balance := move_credits(
      generation.profile_id, generation.credit_cost, 'generation_refund', generation.id::text);
  ELSE
    SELECT p.credits INTO new_balance FROM profiles p WHERE p.id = generation.profile_id;
  END IF;
  RETURN QUERY SELECT generation.id, generation.profile_id, generation.credit_cost, new_balance, false;
END
$$;

------------------------------------------------------------------------------
-- Payments and admin adjustments.
------------------------------------------------------------------------------

-- Records an external payment and credits it, at most once per (provider, provider id)
-- however often the provider delivers it. A replay returns credited = false.
CREATE FUNCTION credit_payment(
  p_profile_id UUID,
  p_provider TEXT,
  p_provider_payment_id TEXT,
  p_amount NUMERIC,
  p_currency TEXT,
  p_credits INT,
  p_kind TEXT DEFAULT 'pack',
  p_details JSONB DEFAULT '{}'::jsonb
) RETURNS TABLE (payment_id UUID, credited BOOLEAN, balance INT)
LANGUAGE plpgsql AS $$
DECLARE
  new_id UUID;
  new_balance INT;
BEGIN
  IF p_provider_payment_id IS NULL OR btrim(p_provider_payment_id) = '' THEN
    RAISE EXCEPTION 'a provider payment id is required' USING ERRCODE = 'TB006';
  END IF;
  IF p_amount IS NULL OR p_amount < 0 OR p_credits IS NULL OR p_credits < 0 THEN
    RAISE EXCEPTION 'amount and credits must not be negative' USING ERRCODE = 'TB006';
  END IF;
  IF p_provider NOT IN ('telegram_stars', 'stripe') THEN
    RAISE EXCEPTION 'unknown payment provider %', p_provider USING ERRCODE = 'TB006';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = p_profile_id) THEN
    RAISE EXCEPTION 'profile % not found', p_profile_id USING ERRCODE = 'TB002';
  END IF;

  INSERT INTO payments (
    profile_id, stripe_payment_id, amount, credits_added,
    provider, provider_payment_id, currency, kind, details)
  VALUES (
    p_profile_id, CASE WHEN p_provider = 'stripe' THEN p_provider_payment_id END, p_amount, p_credits,
    p_provider, p_provider_payment_id, p_currency, p_kind, COALESCE(p_details, '{}'::jsonb))
  ON CONFLICT (provider, provider_payment_id) DO NOTHING
  RETURNING id INTO new_id;

  IF new_id IS NULL THEN
    SELECT pm.id INTO new_id FROM payments pm
     WHERE pm.provider = p_provider AND pm.provider_payment_id = p_provider_payment_id;
    SELECT p.credits INTO new_balance FROM profiles p WHERE p.id = p_profile_id;
    RETURN QUERY SELECT new_id, false, new_balance;
    RETURN;
  END IF;

  IF p_credits > 0 THEN
    new_balance := move_credits(p_profile_id, p_credits, 'payment', new_id::text);
  ELSE
    SELECT p.credits INTO new_balance FROM profiles p WHERE p.id = p_profile_id;
  END IF;
  RETURN QUERY SELECT new_id, true, new_balance;
END
$$;

-- An admin's manual correction. Positive amounts grant, negative revoke (never below
-- zero); a reason is mandatory because an accountant will ask.
CREATE FUNCTION admin_adjust_credits(
  p_profile_id UUID, p_amount INT, p_reason TEXT, p_admin_telegram_id BIGINT
) RETURNS INT
LANGUAGE plpgsql AS $$
BEGIN
  IF p_amount IS NULL OR p_amount = 0 THEN
    RAISE EXCEPTION 'the amount must not be zero' USING ERRCODE = 'TB006';
  END IF;
  IF p_reason IS NULL OR btrim(p_reason) = '' THEN
    RAISE EXCEPTION 'a reason is required' USING ERRCODE = 'TB006';
  END IF;
  RETURN move_credits(
    p_profile_id, p_amount,
    CASE WHEN p_amount > 0 THEN 'admin_grant' ELSE 'admin_revoke' END,
    'admin:' || COALESCE(p_admin_telegram_id::text, 'unknown'),
    left(btrim(p_reason), 500));
END
$$;

-- The seed's upsert of a generation mode, with its cost validated.
CREATE FUNCTION upsert_generation_type(p_type_key TEXT, p_display_name TEXT, p_cost_credits INT)
RETURNS generation_types
LANGUAGE plpgsql AS $$
DECLARE
  result generation_types;
BEGIN
  IF p_type_key IS NULL OR p_type_key !~ '^[a-z][a-z0-9_]{0,63}$' THEN
    RAISE EXCEPTION 'invalid generation type key %', p_type_key USING ERRCODE = 'TB006';
  END IF;
  IF p_cost_credits IS NULL OR p_cost_credits < 0 THEN
    RAISE EXCEPTION 'cost must not be negative' USING ERRCODE = 'TB006';
  END IF;
  INSERT INTO generation_types (type_key, display_name, cost_credits)
  VALUES (p_type_key, p_display_name, p_cost_credits)
  ON CONFLICT (type_key) DO UPDATE
    SET display_name = EXCLUDED.display_name, cost_credits = EXCLUDED.cost_credits
  RETURNING * INTO result;
  RETURN result;
END
$$;
