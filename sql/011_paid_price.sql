-- 011: a payment credits only what was paid for.
--
-- purchase_pack() and record_subscription_payment() (008) credited the product the caller
-- named whatever amount and currency the payment carried: a successful_payment of 1 XTR
-- naming pack_1000 bought 1,150 credits. They are replaced here by versions that compare
-- the payment with the product's price for that provider (Stars: price_stars in XTR;
-- Stripe: stripe_price_cents in stripe_currency, in major units like payments.amount) and
-- apply one policy:
--   * another currency ('currency') or less than the price ('underpaid'): the payment is
--     recorded (so it is credited at most once and an accountant sees it) with 0 credits,
--     and a plan period is neither started nor extended;
--   * more than the price ('overpaid'): the product is credited as usual;
--   * every mismatch is kept in payments.details -> 'mismatch' (reason, expected amount
--     and currency, the credits the product would have given) and returned to the caller,
--     which tells the user and the admins.
-- A renewal may pay the price its subscription started at: Telegram and Stripe keep
-- charging a subscriber the price they agreed to after the plan's price goes up.

-- A price in a provider's units: Stars are whole; Stripe minor units become major units
-- except in the currencies Stripe counts without decimals (services/adapters/stripe_billing.py
-- ZERO_DECIMAL lists the same ones).
CREATE FUNCTION provider_price(
  p_provider TEXT, p_price_stars INT, p_stripe_cents INT, p_stripe_currency TEXT
) RETURNS TABLE (amount NUMERIC, currency TEXT)
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
           WHEN p_provider = 'telegram_stars' THEN p_price_stars::numeric
           WHEN lower(p_stripe_currency) IN (
             'bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga',
             'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf') THEN p_stripe_cents::numeric
           ELSE p_stripe_cents::numeric / 100
         END,
         CASE WHEN p_provider = 'telegram_stars' THEN 'XTR' ELSE lower(p_stripe_currency) END
$$;

-- NULL when the payment matches the price, else 'currency' | 'underpaid' | 'overpaid'.
CREATE FUNCTION price_mismatch(
  p_expected_amount NUMERIC, p_expected_currency TEXT, p_amount NUMERIC, p_currency TEXT
) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
           WHEN lower(coalesce(p_currency, '')) <> lower(p_expected_currency) THEN 'currency'
           WHEN p_amount < p_expected_amount THEN 'underpaid'
           WHEN p_amount > p_expected_amount THEN 'overpaid'
         END
$$;

-- The details entry a mismatched payment carries.
CREATE FUNCTION mismatch_details(
  p_reason TEXT, p_expected_amount NUMERIC, p_expected_currency TEXT, p_credits_due INT
) RETURNS JSONB
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_reason IS NULL THEN '{}'::jsonb ELSE jsonb_build_object(
    'mismatch', jsonb_build_object(
      'reason', p_reason, 'expected_amount', p_expected_amount,
      'expected_currency', p_expected_currency, 'credits_due', p_credits_due)) END
$$;

------------------------------------------------------------------------------
-- Packs.
------------------------------------------------------------------------------
DROP FUNCTION purchase_pack(UUID, TEXT, TEXT, TEXT, NUMERIC, TEXT, JSONB);

CREATE FUNCTION purchase_pack(
  p_profile_id UUID,
  p_pack_id TEXT,
  p_provider TEXT,
  p_provider_payment_id TEXT,
  p_amount NUMERIC,
  p_currency TEXT,
  p_details JSONB DEFAULT '{}'::jsonb
) RETURNS TABLE (payment_id UUID, credited BOOLEAN, balance INT, credits_added INT,
                 mismatch TEXT, expected_amount NUMERIC, expected_currency TEXT,
                 credits_due INT)
LANGUAGE plpgsql AS $$
DECLARE
  pack credit_packs%ROWTYPE;
  price RECORD;
  verdict TEXT;
  due INT;
  paid RECORD;
BEGIN
  -- An inactive pack still pays out: the user was charged for it.
  SELECT * INTO pack FROM credit_packs cp WHERE cp.id = p_pack_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown credit pack %', p_pack_id USING ERRCODE = 'TB006';
  END IF;
  SELECT * INTO price FROM provider_price(
    p_provider, pack.price_stars, pack.stripe_price_cents, pack.stripe_currency);
  verdict := price_mismatch(price.amount, price.currency, p_amount, p_currency);
  due := pack.credits + pack.bonus_credits;
  SELECT * INTO paid FROM credit_payment(
    p_profile_id, p_provider, p_provider_payment_id, p_amount, p_currency,
    CASE WHEN verdict IN ('currency', 'underpaid') THEN 0 ELSE due END, 'pack',
    COALESCE(p_details, '{}'::jsonb)
      || jsonb_build_object(
           'pack_id', pack.id, 'credits', pack.credits, 'bonus_credits', pack.bonus_credits)
      || mismatch_details(verdict, price.amount, price.currency, due));
  -- A redelivery reports what the first delivery recorded.
  RETURN QUERY
    SELECT paid.payment_id, paid.credited, paid.balance, pm.credits_added,
           pm.details -> 'mismatch' ->> 'reason', price.amount, price.currency, due
      FROM payments pm WHERE pm.id = paid.payment_id;
END
$$;

------------------------------------------------------------------------------
-- Subscription periods: as 008, plus the price check before anything is credited.
------------------------------------------------------------------------------
DROP FUNCTION record_subscription_payment(
  UUID, TEXT, TEXT, TEXT, TEXT, NUMERIC, TEXT, TIMESTAMP WITH TIME ZONE, JSONB);

CREATE FUNCTION record_subscription_payment(
  p_profile_id UUID,
  p_plan_id TEXT,
  p_provider TEXT,
  p_provider_subscription_id TEXT,
  p_provider_payment_id TEXT,
  p_amount NUMERIC,
  p_currency TEXT,
  p_period_end TIMESTAMP WITH TIME ZONE DEFAULT NULL,
  p_details JSONB DEFAULT '{}'::jsonb
) RETURNS TABLE (
  payment_id UUID, subscription_id UUID, credited BOOLEAN, balance INT, credits_added INT,
  end_date TIMESTAMP WITH TIME ZONE, mismatch TEXT, expected_amount NUMERIC,
  expected_currency TEXT, credits_due INT
)
LANGUAGE plpgsql AS $$
DECLARE
  plan RECORD;
  price RECORD;
  expected NUMERIC;
  agreed NUMERIC;
  verdict TEXT;
  paid RECORD;
  subscription_key TEXT := p_provider_subscription_id;
  existing subscriptions%ROWTYPE;
  sub subscriptions%ROWTYPE;
  new_end TIMESTAMP WITH TIME ZONE;
BEGIN
  SELECT r.credits, sp.period_days, sp.price_stars, sp.stripe_price_cents, sp.stripe_currency
    INTO plan
    FROM subscription_plans sp JOIN credit_rules r ON r.rule = sp.id
   WHERE sp.id = p_plan_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown subscription plan %', p_plan_id USING ERRCODE = 'TB006';
  END IF;

  -- The subscription this period belongs to: the named one, or (a Stars renewal names
  -- none) the profile's latest one to the plan with this provider.
  IF subscription_key IS NULL THEN
    SELECT s.provider_subscription_id INTO subscription_key
      FROM subscriptions s
     WHERE s.profile_id = p_profile_id AND s.plan_name = p_plan_id
       AND s.provider = p_provider AND s.provider_subscription_id IS NOT NULL
     ORDER BY s.end_date DESC NULLS LAST, s.created_at DESC
     LIMIT 1;
  END IF;
  SELECT * INTO existing FROM subscriptions s
   WHERE s.provider = p_provider AND s.provider_subscription_id = subscription_key;

  SELECT * INTO price FROM provider_price(
    p_provider, plan.price_stars, plan.stripe_price_cents, plan.stripe_currency);
  expected := price.amount;
  IF existing.id IS NOT NULL THEN
    -- The price the subscriber agreed to: their subscription's first accepted payment.
    SELECT pm.amount INTO agreed FROM payments pm
     WHERE pm.subscription_id = existing.id AND NOT pm.details ? 'mismatch'
       AND lower(pm.currency) = lower(price.currency)
     ORDER BY pm.created_at LIMIT 1;
    expected := LEAST(expected, COALESCE(agreed, expected));
  END IF;
  verdict := price_mismatch(expected, price.currency, p_amount, p_currency);

  SELECT * INTO paid FROM credit_payment(
    p_profile_id, p_provider, p_provider_payment_id, p_amount, p_currency,
    CASE WHEN verdict IN ('currency', 'underpaid') THEN 0 ELSE plan.credits END,
    'subscription',
    COALESCE(p_details, '{}'::jsonb) || jsonb_build_object('plan_id', p_plan_id)
      || mismatch_details(verdict, expected, price.currency, plan.credits));

  IF NOT paid.credited OR verdict IN ('currency', 'underpaid') THEN
    -- A redelivery, or a payment that pays for no period: nothing more changes.
    RETURN QUERY
      SELECT pm.id, s.id, paid.credited, paid.balance, pm.credits_added, s.end_date,
             pm.details -> 'mismatch' ->> 'reason', expected, price.currency, plan.credits
        FROM payments pm LEFT JOIN subscriptions s ON s.id = pm.subscription_id
       WHERE pm.id = paid.payment_id;
    RETURN;
  END IF;

  subscription_key := COALESCE(subscription_key, p_provider_payment_id);
  -- The upsert takes the row lock that serializes periods of one subscription.
  INSERT INTO subscriptions AS s (
    profile_id, plan_name, is_active, provider, provider_subscription_id)
  VALUES (p_profile_id, p_plan_id, true, p_provider, subscription_key)
  ON CONFLICT (provider, provider_subscription_id) WHERE provider_subscription_id IS NOT NULL
  DO UPDATE SET updated_at = now()
  RETURNING s.* INTO sub;

  IF sub.profile_id <> p_profile_id THEN
    RAISE EXCEPTION 'subscription % belongs to another profile', subscription_key
      USING ERRCODE = 'TB006';
  END IF;

  new_end := GREATEST(
    sub.end_date,
    COALESCE(p_period_end, GREATEST(sub.end_date, now()) + make_interval(days => plan.period_days)));
  UPDATE subscriptions s
     SET is_active = true, canceled_at = NULL, end_date = new_end,
         current_period_end = new_end, updated_at = now()
   WHERE s.id = sub.id;
  UPDATE payments pm SET subscription_id = sub.id WHERE pm.id = paid.payment_id;

  RETURN QUERY SELECT paid.payment_id, sub.id, true, paid.balance, plan.credits, new_end,
                      verdict, expected, price.currency, plan.credits;
END
$$;
