-- 001: the seed schema (tables and columns unchanged) plus what the bot needs on top.
--
-- The six seed tables keep their names and columns; everything else is additive.

------------------------------------------------------------------------------
-- Supabase provides the auth schema, the anon/authenticated/service_role roles and
-- gen_random_uuid(). A plain PostgreSQL (the embedded one, CI) gets stand-ins so the
-- same schema, foreign keys and grants apply everywhere.
------------------------------------------------------------------------------
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'auth') THEN
    CREATE SCHEMA auth;
    CREATE TABLE auth.users (
      id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
      email TEXT UNIQUE,
      raw_app_meta_data JSONB NOT NULL DEFAULT '{}'::jsonb,
      raw_user_meta_data JSONB NOT NULL DEFAULT '{}'::jsonb,
      created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE auth.users IS
      'Local stand-in for Supabase Auth users; created only where no auth schema exists.';
  END IF;
END
$$;

DO $$
DECLARE
  role_name TEXT;
BEGIN
  FOREACH role_name IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
    END IF;
  END LOOP;
END
$$;

-- Supabase grants anon/authenticated everything new in public by default; not here.
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM PUBLIC, anon, authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM PUBLIC, anon, authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC, anon, authenticated;

------------------------------------------------------------------------------
-- The seed tables, exactly as the product owner's schema defines them.
------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS profiles (
  id UUID PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
  credits INT NOT NULL DEFAULT 0,
  referral_code TEXT UNIQUE,
  referred_by TEXT,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  updated_at TIMESTAMP WITH TIME ZONE DEFAULT now()
);
COMMENT ON TABLE profiles IS 'User profile data (credits, referrals), references auth.users.id 1:1.';

CREATE TABLE IF NOT EXISTS generation_types (
  type_key TEXT PRIMARY KEY,
  display_name TEXT,
  cost_credits INT NOT NULL
);
COMMENT ON TABLE generation_types IS 'Defines each generation mode and how many credits it costs.';

CREATE TABLE IF NOT EXISTS generations (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  profile_id UUID NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
  generation_type TEXT NOT NULL REFERENCES generation_types (type_key),
  output_image_url TEXT,
  credit_cost INT NOT NULL DEFAULT 0,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now()
);
COMMENT ON TABLE generations IS 'Each record is a thumbnail generation, logs user, type, cost, result URL.';

CREATE TABLE IF NOT EXISTS user_images (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  profile_id UUID NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
  image_url TEXT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now()
);
COMMENT ON TABLE user_images IS 'Stores user-uploaded images (face photos).';

CREATE TABLE IF NOT EXISTS subscriptions (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  profile_id UUID NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
  plan_name TEXT NOT NULL,
  is_active BOOLEAN NOT NULL DEFAULT true,
  start_date TIMESTAMP WITH TIME ZONE DEFAULT now(),
  end_date TIMESTAMP WITH TIME ZONE,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now()
);
COMMENT ON TABLE subscriptions IS 'Tracks recurring subscription plans for each user profile.';

CREATE TABLE IF NOT EXISTS payments (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  profile_id UUID NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
  stripe_payment_id TEXT,
  amount NUMERIC(10,2) NOT NULL,
  credits_added INT NOT NULL DEFAULT 0,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now()
);
COMMENT ON TABLE payments IS 'Records payment logs (Stripe, etc.) and how many credits were granted.';

------------------------------------------------------------------------------
-- Additions.
------------------------------------------------------------------------------

-- profiles: the Telegram user behind the account, and who referred them (by id, so the
-- link survives a referral code change; referred_by keeps the seed's code column).
ALTER TABLE profiles
  ADD COLUMN telegram_id BIGINT UNIQUE,
  ADD COLUMN username TEXT,
  ADD COLUMN first_name TEXT,
  ADD COLUMN language_code TEXT,
  ADD COLUMN referred_by_profile_id UUID REFERENCES profiles (id) ON DELETE SET NULL,
  ADD COLUMN is_banned BOOLEAN NOT NULL DEFAULT false,
  ADD CONSTRAINT profiles_credits_not_negative CHECK (credits >= 0);
CREATE INDEX profiles_referred_by_profile_id_idx ON profiles (referred_by_profile_id);
-- referral_code is UNIQUE (so already indexed); lookups by code are case-insensitive.
CREATE INDEX profiles_referral_code_upper_idx ON profiles (upper(referral_code));

ALTER TABLE generation_types
  ADD CONSTRAINT generation_types_cost_not_negative CHECK (cost_credits >= 0);

-- generations: a durable job. It is charged when created (status queued), and ends
-- succeeded (output stored) or failed (refunded exactly once).
ALTER TABLE generations
  ADD COLUMN status TEXT NOT NULL DEFAULT 'queued'
    CONSTRAINT generations_status_known
    CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  ADD COLUMN input JSONB NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN error TEXT,
  ADD COLUMN request_key TEXT,
  ADD COLUMN attempts INT NOT NULL DEFAULT 0,
  ADD COLUMN updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  ADD COLUMN completed_at TIMESTAMP WITH TIME ZONE,
  ADD COLUMN refunded_at TIMESTAMP WITH TIME ZONE,
  ADD CONSTRAINT generations_cost_not_negative CHECK (credit_cost >= 0);
CREATE INDEX generations_profile_id_created_idx ON generations (profile_id, created_at DESC);
CREATE INDEX generations_generation_type_idx ON generations (generation_type);
CREATE INDEX generations_open_idx ON generations (status, created_at)
  WHERE status IN ('queued', 'running');
-- A retried request (a double-tapped confirm) maps to the same generation, charged once.
CREATE UNIQUE INDEX generations_request_key_uniq ON generations (profile_id, request_key)
  WHERE request_key IS NOT NULL;

CREATE INDEX user_images_profile_id_idx ON user_images (profile_id);

-- subscriptions: which provider runs the plan and its id there, and the paid-up end.
ALTER TABLE subscriptions
  ADD COLUMN provider TEXT,
  ADD COLUMN provider_subscription_id TEXT,
  ADD COLUMN current_period_end TIMESTAMP WITH TIME ZONE,
  ADD COLUMN canceled_at TIMESTAMP WITH TIME ZONE,
  ADD COLUMN updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now();
CREATE INDEX subscriptions_profile_id_idx ON subscriptions (profile_id);
CREATE UNIQUE INDEX subscriptions_provider_id_uniq ON subscriptions (provider, provider_subscription_id)
  WHERE provider_subscription_id IS NOT NULL;

-- payments: one row per external payment, unique on the provider's id, so a redelivered
-- event can never credit twice.
ALTER TABLE payments
  ADD COLUMN provider TEXT NOT NULL DEFAULT 'stripe'
    CONSTRAINT payments_provider_known CHECK (provider IN ('telegram_stars', 'stripe')),
  ADD COLUMN provider_payment_id TEXT,
  ADD COLUMN currency TEXT,
  ADD COLUMN kind TEXT NOT NULL DEFAULT 'pack'
    CONSTRAINT payments_kind_known CHECK (kind IN ('pack', 'subscription')),
  ADD COLUMN details JSONB NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN refunded_at TIMESTAMP WITH TIME ZONE,
  ADD CONSTRAINT payments_credits_not_negative CHECK (credits_added >= 0);
CREATE UNIQUE INDEX payments_provider_payment_id_uniq ON payments (provider, provider_payment_id);
CREATE INDEX payments_profile_id_idx ON payments (profile_id);

-- One row per referred user: the primary key makes "a referrer earns once per new user"
-- a database guarantee.
CREATE TABLE referrals (
  referred_id UUID PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
  referrer_id UUID NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
  credits_awarded INT NOT NULL CHECK (credits_awarded >= 0),
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  CONSTRAINT referrals_not_self CHECK (referred_id <> referrer_id)
);
CREATE INDEX referrals_referrer_id_idx ON referrals (referrer_id);
COMMENT ON TABLE referrals IS 'Who brought whom; one row per referred profile.';

-- The credit ledger: every change of profiles.credits, append-only. Each row carries the
-- balance after it, and rows chain (balance_after = previous balance_after + delta), so
-- the ledger of a profile sums to its balance; triggers in 002 enforce both.
CREATE TABLE credit_ledger (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  profile_id UUID NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
  delta INT NOT NULL CHECK (delta <> 0),
  balance_after INT NOT NULL CHECK (balance_after >= 0),
  reason TEXT NOT NULL CONSTRAINT credit_ledger_reason_known CHECK (reason IN (
    'signup_bonus', 'referral_bonus', 'generation_charge', 'generation_refund',
    'payment', 'payment_refund', 'admin_grant', 'admin_revoke'
  )),
  reference TEXT,
  note TEXT,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX credit_ledger_profile_id_idx ON credit_ledger (profile_id, id);
-- Events that may happen only once per subject: one signup bonus per profile, one
-- referral bonus per referred user, one charge and one refund per generation, one credit
-- and one refund per payment.
CREATE UNIQUE INDEX credit_ledger_once_per_reference ON credit_ledger (reason, reference)
  WHERE reason IN (
    'signup_bonus', 'referral_bonus', 'generation_charge', 'generation_refund',
    'payment', 'payment_refund'
  );
COMMENT ON TABLE credit_ledger IS 'Append-only record of every credit movement.';
