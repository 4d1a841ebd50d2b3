-- 003: row level security and grants.
--
-- Only the bot (the owner, or Supabase's service_role) touches these tables and the
-- money-moving functions. anon and authenticated (Supabase's public API roles) get
-- nothing: no policies for them, no table privileges, no EXECUTE.
--
-- lock_down_public_schema() is idempotent; the migration runner calls it after every
-- migration run, so a table or function added later is locked down the same way.

CREATE FUNCTION lock_down_public_schema() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  table_name TEXT;
BEGIN
  FOR table_name IN
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
  LOOP
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', table_name);
    IF NOT EXISTS (
      SELECT 1 FROM pg_policies
       WHERE schemaname = 'public' AND tablename = table_name AND policyname = 'service_role_all'
    ) THEN
      EXECUTE format(
        'CREATE POLICY service_role_all ON public.%I FOR ALL TO service_role USING (true) WITH CHECK (true)',
        table_name);
    END IF;
  END LOOP;
  REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC, anon, authenticated;
  REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC, anon, authenticated;
  REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC, anon, authenticated;
  GRANT ALL ON ALL TABLES IN SCHEMA public TO service_role;
  GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO service_role;
  GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO service_role;
END
$$;

SELECT lock_down_public_schema();
