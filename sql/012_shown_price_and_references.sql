-- What the user is shown is what they are charged, and what they asked for is read once.
--
-- 1. charge_generation takes the cost the user was shown (on the confirm or regenerate
--    button). If the mode's price changed since (an admin's new price), nothing is
--    charged and TB010 carries the current cost, so the chat can show it first.
-- 2. A draft keeps what was read from YouTube when the order was made: the video's
--    title (or the title the user typed when the video could not be read) and stored
--    copies of the pictures the job uses (the video's thumbnail, the style reference,
--    which may be a screenshot the user sent). A new step 'title' asks for the title of
--    a video that could not be read, before anything is charged.

DROP FUNCTION charge_generation(UUID, TEXT, JSONB, TEXT);

CREATE FUNCTION charge_generation(
  p_profile_id UUID, p_type_key TEXT, p_input JSONB DEFAULT '{}'::jsonb,
  p_request_key TEXT DEFAULT NULL, p_shown_cost INT DEFAULT NULL
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

ALTER TABLE generation_drafts
  ADD COLUMN video_title TEXT,
  ADD COLUMN video_image_url TEXT,
  ADD COLUMN style_image_url TEXT,
  DROP CONSTRAINT generation_drafts_step_check,
  ADD CONSTRAINT generation_drafts_step_check
    CHECK (step IN ('mode', 'prompt', 'video', 'title', 'style', 'face', 'confirm'));
