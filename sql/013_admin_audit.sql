-- Every admin action (grant, revoke, refund, setcost, setmodel, mode, ban, unban,
-- broadcast) leaves one row here: who, what, its arguments, the value before and after,
-- when. Append-only: rows cannot be changed or deleted, even by the bot's own role.

CREATE TABLE admin_audit (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  admin_telegram_id BIGINT NOT NULL,
  action TEXT NOT NULL CHECK (action ~ '^[a-z_]{1,32}$'),
  arguments JSONB NOT NULL DEFAULT '{}'::jsonb,
  before JSONB,
  after JSONB,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX admin_audit_created_at_idx ON admin_audit (created_at DESC, id DESC);

CREATE FUNCTION admin_audit_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'admin_audit is append-only' USING ERRCODE = 'TB006';
END
$$;

CREATE TRIGGER admin_audit_append_only
  BEFORE UPDATE OR DELETE ON admin_audit
  FOR EACH ROW EXECUTE FUNCTION admin_audit_is_append_only();
CREATE TRIGGER admin_audit_no_truncate
  BEFORE TRUNCATE ON admin_audit
  FOR EACH STATEMENT EXECUTE FUNCTION admin_audit_is_append_only();

-- One row, in the caller's transaction (so an action and its record commit together).
CREATE FUNCTION record_admin_action(
  p_admin_telegram_id BIGINT, p_action TEXT, p_arguments JSONB, p_before JSONB, p_after JSONB
) RETURNS BIGINT
LANGUAGE sql AS $$
  INSERT INTO admin_audit (admin_telegram_id, action, arguments, before, after)
  VALUES (p_admin_telegram_id, p_action, COALESCE(p_arguments, '{}'::jsonb), p_before, p_after)
  RETURNING id;
$$;
