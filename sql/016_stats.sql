-- 016: what /stats reads, kept fast on millions of rows, and grants and revokes that leave
-- their audit row in their own transaction.
--
-- /stats (services/admin_stats.py) is one statement that, besides one pass over the
-- profiles, looks only at recent rows (today, 7 and 30 days). Each table it windows gets
-- an index on its time column that carries the columns the statement reads (INCLUDE), so
-- the windows are index-only range scans instead of sequential scans of whole tables.

CREATE INDEX profiles_created_at_idx ON profiles (created_at);
CREATE INDEX credit_ledger_created_at_idx ON credit_ledger (created_at)
  INCLUDE (reason, delta);
CREATE INDEX generations_created_at_idx ON generations (created_at)
  INCLUDE (generation_type, status, delivered_at);
CREATE INDEX payments_created_at_idx ON payments (created_at)
  INCLUDE (provider, currency, amount, refunded_at);
CREATE INDEX referrals_created_at_idx ON referrals (created_at);

-- 002's admin_adjust_credits, same signature and checks, now also recording the action
-- in admin_audit (who, the user, the amount and reason, the balance before and after)
-- in the same transaction as the ledger row: a grant or revoke without its audit row,
-- or the other way round, cannot commit.
CREATE OR REPLACE FUNCTION admin_adjust_credits(
  p_profile_id UUID, p_amount INT, p_reason TEXT, p_admin_telegram_id BIGINT
) RETURNS INT
LANGUAGE plpgsql AS $$
DECLARE
  target profiles%ROWTYPE;
  new_balance INT;
BEGIN
  IF p_amount IS NULL OR p_amount = 0 THEN
    RAISE EXCEPTION 'the amount must not be zero' USING ERRCODE = 'TB006';
  END IF;
  IF p_reason IS NULL OR btrim(p_reason) = '' THEN
    RAISE EXCEPTION 'a reason is required' USING ERRCODE = 'TB006';
  END IF;
  -- The lock makes the balance read here the one move_credits changes.
  SELECT * INTO target FROM profiles p WHERE p.id = p_profile_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'profile % not found', p_profile_id USING ERRCODE = 'TB002';
  END IF;
  new_balance := move_credits(
    p_profile_id, p_amount,
    CASE WHEN p_amount > 0 THEN 'admin_grant' ELSE 'admin_revoke' END,
    'admin:' || COALESCE(p_admin_telegram_id::text, 'unknown'),
    left(btrim(p_reason), 500));
  IF p_admin_telegram_id IS NOT NULL THEN
    PERFORM record_admin_action(
      p_admin_telegram_id,
      CASE WHEN p_amount > 0 THEN 'grant' ELSE 'revoke' END,
      jsonb_build_object(
        'telegram_id', target.telegram_id, 'amount', abs(p_amount),
        'reason', left(btrim(p_reason), 500)),
      jsonb_build_object('credits', target.credits),
      jsonb_build_object('credits', new_balance));
  END IF;
  RETURN new_balance;
END
$$;
