-- 008: what is sold (credit packs, the monthly plan), how a payment becomes credits,
-- refunds, subscriptions and Stripe's webhook deliveries.
--
-- Credits still move only through credit_payment() and move_credits() (002): a provider's
-- payment id is credited at most once however often it is delivered, and each function
-- here is one transaction. New SQLSTATE (services/errors.py mirrors it):
--   TB009 payment_not_found        no payment with that id

------------------------------------------------------------------------------
-- The catalogue.
------------------------------------------------------------------------------
CREATE TABLE credit_packs (
  id TEXT PRIMARY KEY CONSTRAINT credit_packs_id_format CHECK (id ~ '^[a-z][a-z0-9_]{0,31}$'),
  credits INT NOT NULL CHECK (credits > 0),
  bonus_credits INT NOT NULL DEFAULT 0 CHECK (bonus_credits >= 0),
  -- Telegram allows 1..10000 Stars per invoice item.
  price_stars INT NOT NULL CHECK (price_stars BETWEEN 1 AND 10000),
  stripe_price_cents INT NOT NULL CHECK (stripe_price_cents > 0),
  stripe_currency TEXT NOT NULL DEFAULT 'usd' CHECK (stripe_currency ~ '^[a-z]{3}$'),
  active BOOLEAN NOT NULL DEFAULT true,
  sort INT NOT NULL DEFAULT 0,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
COMMENT ON TABLE credit_packs IS
  'One-off credit packs: credits + bonus for a Stars price or a Stripe price (minor units).';

-- A plan's credits per period are the credit rule of the same name (credit_rules
-- .monthly_25images = 250), so there is one number to tune.
CREATE TABLE subscription_plans (
  id TEXT PRIMARY KEY REFERENCES credit_rules (rule)
    CONSTRAINT subscription_plans_id_format CHECK (id ~ '^[a-z][a-z0-9_]{0,31}$'),
  period_days INT NOT NULL DEFAULT 30 CHECK (period_days > 0),
  price_stars INT NOT NULL CHECK (price_stars BETWEEN 1 AND 10000),
  stripe_price_cents INT NOT NULL CHECK (stripe_price_cents > 0),
  stripe_currency TEXT NOT NULL DEFAULT 'usd' CHECK (stripe_currency ~ '^[a-z]{3}$'),
  active BOOLEAN NOT NULL DEFAULT true
);
COMMENT ON TABLE subscription_plans IS
  'Recurring plans; credits per period come from credit_rules under the plan id.';

INSERT INTO credit_rules (rule, credits) VALUES ('monthly_25images', 250)
ON CONFLICT (rule) DO NOTHING;

INSERT INTO credit_packs (id, credits, bonus_credits, price_stars, stripe_price_cents, sort) VALUES
  ('pack_100', 100, 0, 100, 199, 10),
  ('pack_300', 300, 30, 275, 499, 20),
  ('pack_1000', 1000, 150, 850, 1499, 30)
ON CONFLICT (id) DO NOTHING;

INSERT INTO subscription_plans (id, period_days, price_stars, stripe_price_cents)
VALUES ('monthly_25images', 30, 199, 399)
ON CONFLICT (id) DO NOTHING;

------------------------------------------------------------------------------
-- Payments: which subscription a payment paid for, and what its refund took back.
------------------------------------------------------------------------------
ALTER TABLE payments
  ADD COLUMN subscription_id UUID REFERENCES subscriptions (id) ON DELETE SET NULL,
  ADD COLUMN credits_refunded INT CHECK (credits_refunded >= 0),
  ADD COLUMN refund_shortfall INT CHECK (refund_shortfall >= 0);
CREATE INDEX payments_subscription_id_idx ON payments (subscription_id);
-- Stripe's charge.refunded names the payment intent, not our payment.
CREATE INDEX payments_payment_intent_idx ON payments ((details ->> 'payment_intent'))
  WHERE details ? 'payment_intent';

CREATE INDEX subscriptions_active_end_idx ON subscriptions (end_date) WHERE is_active;

-- Stripe webhook deliveries, one row per event id: a redelivered event is answered
-- without being handled again, and a delivery whose handler died can be retried.
CREATE TABLE stripe_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  received_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  attempts INT NOT NULL DEFAULT 1,
  claimed_until TIMESTAMP WITH TIME ZONE,
  processed_at TIMESTAMP WITH TIME ZONE,
  outcome TEXT
);
COMMENT ON TABLE stripe_events IS 'Stripe webhook events seen, for at-most-once handling.';

------------------------------------------------------------------------------
-- Buying a pack: the credits come from the catalogue row, never from the caller.
------------------------------------------------------------------------------
CREATE FUNCTION purchase_pack(
  p_profile_id UUID,
  p_pack_id TEXT,
  p_provider TEXT,
  p_provider_payment_id TEXT,
  p_amount NUMERIC,
  p_currency TEXT,
  p_details JSONB DEFAULT '{}'::jsonb
) RETURNS TABLE (payment_id UUID, credited BOOLEAN, balance INT, credits_added INT)
LANGUAGE plpgsql AS $$
DECLARE
  pack credit_packs%ROWTYPE;
  paid RECORD;
BEGIN
  -- An inactive pack still pays out: the user was charged for it.
  SELECT * INTO pack FROM credit_packs cp WHERE cp.id = p_pack_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown credit pack %', p_pack_id USING ERRCODE = 'TB006';
  END IF;
  SELECT * INTO paid FROM credit_payment(
    p_profile_id, p_provider, p_provider_payment_id, p_amount, p_currency,
    pack.credits + pack.bonus_credits, 'pack',
    COALESCE(p_details, '{}'::jsonb) || jsonb_build_object(
      'pack_id', pack.id, 'credits', pack.credits, 'bonus_credits', pack.bonus_credits));
  RETURN QUERY
    SELECT paid.payment_id, paid.credited, paid.balance, pm.credits_added
      FROM payments pm WHERE pm.id = paid.payment_id;
END
$$;

------------------------------------------------------------------------------
-- Subscriptions.
------------------------------------------------------------------------------

-- One paid period: credits the plan's credits (through credit_payment, so at most once
-- per provider payment id) and, in the same transaction, creates or extends the
-- subscription. A replayed payment changes nothing and returns credited = false.
-- p_provider_subscription_id NULL means "this profile's latest subscription to the plan
-- with this provider" (a Telegram Stars renewal names no subscription); with none, the
-- payment id becomes the subscription id. p_period_end NULL extends by the plan period.
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
  end_date TIMESTAMP WITH TIME ZONE
)
LANGUAGE plpgsql AS $$
DECLARE
  plan_credits INT;
  plan_days INT;
  paid RECORD;
  subscription_key TEXT := p_provider_subscription_id;
  sub subscriptions%ROWTYPE;
  new_end TIMESTAMP WITH TIME ZONE;
BEGIN
  SELECT r.credits, sp.period_days INTO plan_credits, plan_days
    FROM subscription_plans sp JOIN credit_rules r ON r.rule = sp.id
   WHERE sp.id = p_plan_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown subscription plan %', p_plan_id USING ERRCODE = 'TB006';
  END IF;

  SELECT * INTO paid FROM credit_payment(
    p_profile_id, p_provider, p_provider_payment_id, p_amount, p_currency, plan_credits,
    'subscription', COALESCE(p_details, '{}'::jsonb) || jsonb_build_object('plan_id', p_plan_id));

  IF NOT paid.credited THEN
    RETURN QUERY
      SELECT pm.id, s.id, false, paid.balance, pm.credits_added, s.end_date
        FROM payments pm LEFT JOIN subscriptions s ON s.id = pm.subscription_id
       WHERE pm.id = paid.payment_id;
    RETURN;
  END IF;

  IF subscription_key IS NULL THEN
    SELECT s.provider_subscription_id INTO subscription_key
      FROM subscriptions s
     WHERE s.profile_id = p_profile_id AND s.plan_name = p_plan_id
       AND s.provider = p_provider AND s.provider_subscription_id IS NOT NULL
     ORDER BY s.end_date DESC NULLS LAST, s.created_at DESC
     LIMIT 1;
    subscription_key := COALESCE(subscription_key, p_provider_payment_id);
  END IF;

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
    COALESCE(p_period_end, GREATEST(sub.end_date, now()) + make_interval(days => plan_days)));
  UPDATE subscriptions s
     SET is_active = true, canceled_at = NULL, end_date = new_end,
         current_period_end = new_end, updated_at = now()
   WHERE s.id = sub.id;
  UPDATE payments pm SET subscription_id = sub.id WHERE pm.id = paid.payment_id;

  RETURN QUERY SELECT paid.payment_id, sub.id, true, paid.balance, plan_credits, new_end;
END
$$;

-- A provider's change of a subscription: renewal switched off (p_renews false) or on
-- again (true), or the subscription is over (p_ended). NULL leaves a part unchanged.
-- Returns the row as it was before the change and after it, so callers see transitions.
CREATE FUNCTION update_subscription(
  p_provider TEXT, p_provider_subscription_id TEXT, p_renews BOOLEAN, p_ended BOOLEAN
) RETURNS TABLE (subscription_id UUID, profile_id UUID, was_active BOOLEAN, is_active BOOLEAN,
                 end_date TIMESTAMP WITH TIME ZONE, canceled_at TIMESTAMP WITH TIME ZONE)
LANGUAGE sql AS $$
  WITH before AS (
    SELECT s.id, s.is_active FROM subscriptions s
     WHERE s.provider = p_provider AND s.provider_subscription_id = p_provider_subscription_id
     FOR UPDATE)
  UPDATE subscriptions s
     SET canceled_at = CASE
           WHEN p_ended OR p_renews = false THEN COALESCE(s.canceled_at, now())
           WHEN p_renews THEN NULL
           ELSE s.canceled_at END,
         is_active = CASE WHEN p_ended THEN false ELSE s.is_active END,
         end_date = CASE WHEN p_ended THEN LEAST(s.end_date, now()) ELSE s.end_date END,
         updated_at = now()
    FROM before b
   WHERE s.id = b.id
  RETURNING s.id, s.profile_id, b.is_active, s.is_active, s.end_date, s.canceled_at
$$;

-- Deactivates subscriptions paid up to more than p_grace before p_now (renewals arrive
-- a little after the period ends). Each lapse is returned once, so the user is told
-- once; still_subscribed says the profile has another plan running.
CREATE FUNCTION expire_subscriptions(
  p_now TIMESTAMP WITH TIME ZONE DEFAULT now(), p_grace INTERVAL DEFAULT interval '2 hours'
) RETURNS TABLE (subscription_id UUID, profile_id UUID, plan_name TEXT,
                 end_date TIMESTAMP WITH TIME ZONE, still_subscribed BOOLEAN)
LANGUAGE sql AS $$
  WITH lapsed AS (
    UPDATE subscriptions s SET is_active = false, updated_at = now()
     WHERE s.is_active AND s.end_date < p_now - p_grace
    RETURNING s.id, s.profile_id, s.plan_name, s.end_date)
  SELECT l.id, l.profile_id, l.plan_name, l.end_date,
         EXISTS (
           SELECT 1 FROM subscriptions o
            WHERE o.profile_id = l.profile_id AND o.id <> l.id AND o.is_active
              AND (o.end_date IS NULL OR o.end_date >= p_now - p_grace))
    FROM lapsed l
$$;

------------------------------------------------------------------------------
-- Refunds.
------------------------------------------------------------------------------

-- Takes back a payment's credits, once: as many as are left (the balance never goes
-- below zero), reporting the shortfall. A refunded subscription payment that was the
-- subscription's latest ends the subscription. A second call returns already = true
-- with the first call's figures and moves nothing.
CREATE FUNCTION refund_payment(p_payment_id UUID, p_note TEXT DEFAULT NULL)
RETURNS TABLE (payment_id UUID, profile_id UUID, credits_added INT, taken INT, shortfall INT,
               balance INT, already BOOLEAN)
LANGUAGE plpgsql AS $$
DECLARE
  pm payments%ROWTYPE;
  current_balance INT;
  take INT;
BEGIN
  SELECT * INTO pm FROM payments p WHERE p.id = p_payment_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'payment % not found', p_payment_id USING ERRCODE = 'TB009';
  END IF;
  IF pm.refunded_at IS NOT NULL THEN
    SELECT pr.credits INTO current_balance FROM profiles pr WHERE pr.id = pm.profile_id;
    RETURN QUERY SELECT pm.id, pm.profile_id, pm.credits_added, COALESCE(pm.credits_refunded, 0),
                        COALESCE(pm.refund_shortfall, 0), current_balance, true;
    RETURN;
  END IF;

  SELECT pr.credits INTO current_balance FROM profiles pr WHERE pr.id = pm.profile_id FOR UPDATE;
  take := LEAST(pm.credits_added, current_balance);
  IF take > 0 THEN
    current_balance := move_credits(
      pm.profile_id, -take, 'payment_refund', pm.id::text, left(p_note, 500));
  END IF;
  UPDATE payments p
     SET refunded_at = now(), credits_refunded = take, refund_shortfall = pm.credits_added - take
   WHERE p.id = pm.id;

  IF pm.subscription_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM payments o
     WHERE o.subscription_id = pm.subscription_id AND o.id <> pm.id
       AND o.refunded_at IS NULL AND o.created_at > pm.created_at
  ) THEN
    UPDATE subscriptions s
       SET is_active = false, canceled_at = COALESCE(s.canceled_at, now()),
           end_date = LEAST(s.end_date, now()), updated_at = now()
     WHERE s.id = pm.subscription_id;
  END IF;

  RETURN QUERY SELECT pm.id, pm.profile_id, pm.credits_added, take, pm.credits_added - take,
                      current_balance, false;
END
$$;

------------------------------------------------------------------------------
-- Stripe event deduplication.
------------------------------------------------------------------------------

-- 'claimed': handle the event now; 'processed': it was handled before; 'busy': another
-- delivery is handling it (its claim lasts p_lease_seconds, so a dead handler's event
-- can be claimed again).
CREATE FUNCTION claim_stripe_event(p_event_id TEXT, p_type TEXT, p_lease_seconds INT DEFAULT 60)
RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
  claimed BOOLEAN;
  done TIMESTAMP WITH TIME ZONE;
BEGIN
  IF p_event_id IS NULL OR btrim(p_event_id) = '' THEN
    RAISE EXCEPTION 'an event id is required' USING ERRCODE = 'TB006';
  END IF;
  INSERT INTO stripe_events AS e (id, type, claimed_until)
  VALUES (p_event_id, p_type, now() + make_interval(secs => p_lease_seconds))
  ON CONFLICT (id) DO UPDATE
    SET attempts = e.attempts + 1, claimed_until = EXCLUDED.claimed_until
    WHERE e.processed_at IS NULL AND (e.claimed_until IS NULL OR e.claimed_until < now())
  RETURNING true INTO claimed;
  IF claimed THEN
    RETURN 'claimed';
  END IF;
  SELECT e.processed_at INTO done FROM stripe_events e WHERE e.id = p_event_id;
  RETURN CASE WHEN done IS NULL THEN 'busy' ELSE 'processed' END;
END
$$;

-- Ends a claim: handled (p_processed, with what happened) or given back for a retry.
CREATE FUNCTION finish_stripe_event(p_event_id TEXT, p_processed BOOLEAN, p_outcome TEXT)
RETURNS void
LANGUAGE sql AS $$
  UPDATE stripe_events e
     SET processed_at = CASE WHEN p_processed THEN now() END,
         claimed_until = NULL, outcome = left(p_outcome, 1000)
   WHERE e.id = p_event_id
$$;
