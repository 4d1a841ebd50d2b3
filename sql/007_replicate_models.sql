-- 007: which Replicate model paints each mode's picture, with what input, and whether the
-- headline is drawn by code afterwards (models spell words badly; code spells them right).
-- Kept in the database so an admin can switch a model without a deploy.
--
--   model           a Replicate model reference: owner/name (an official model, always its
--                   latest version) or owner/name:<64-hex version id> (pinned)
--   input_template  a JSON object sent as the prediction's input once its placeholders are
--                   filled: "{prompt}" anywhere in a string becomes the thumbnail prompt; a
--                   string that is exactly "{face_image}", "{video_thumbnail}" or
--                   "{style_image}" becomes that picture (uploaded through Replicate's Files API)
--   output_text     true: the model is told to leave the picture free of text and the bot
--                   draws the headline; false: the model is asked to letter the headline itself

ALTER TABLE generation_types
  ADD COLUMN model TEXT
    CONSTRAINT generation_types_model_reference CHECK (
      model ~ '^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*(:[0-9a-f]{64})?$'),
  ADD COLUMN input_template JSONB NOT NULL DEFAULT '{}'::jsonb
    CONSTRAINT generation_types_input_template_object CHECK (jsonb_typeof(input_template) = 'object'),
  ADD COLUMN output_text BOOLEAN NOT NULL DEFAULT true;

COMMENT ON COLUMN generation_types.model IS
  'Replicate model reference (owner/name or owner/name:version) that makes this mode''s picture.';
COMMENT ON COLUMN generation_types.input_template IS
  'Prediction input with placeholders {prompt}, {face_image}, {video_thumbnail}, {style_image}.';
COMMENT ON COLUMN generation_types.output_text IS
  'Whether the bot draws the headline over the picture (the model is asked for no text).';

-- Defaults: public models whose outputs may be used commercially.
--   flux-schnell (Apache-2.0 weights): fast text-to-image, 16:9 at about 1 MP (1344x768).
--   flux-kontext-pro (Black Forest Labs' API model): edits the user's photo into a scene and
--     keeps the face; no InsightFace-based model (their weights are non-commercial).
--   flux-1.1-pro with image_prompt (Flux Redux through BFL's API): follows a reference
--     thumbnail's look.
--   multi-image-kontext-pro (Kontext pro with two input images): the face in the style.
UPDATE generation_types t
   SET model = d.model, input_template = d.template, output_text = true
  FROM (VALUES
    ('text_to_thumbnail', 'black-forest-labs/flux-schnell',
     '{"prompt": "{prompt}", "aspect_ratio": "16:9", "megapixels": "1", "num_outputs": 1,
       "output_format": "jpg", "output_quality": 95, "go_fast": true}'::jsonb),
    ('youtube_thumbnail', 'black-forest-labs/flux-schnell',
     '{"prompt": "{prompt}", "aspect_ratio": "16:9", "megapixels": "1", "num_outputs": 1,
       "output_format": "jpg", "output_quality": 95, "go_fast": true}'::jsonb),
    ('your_face', 'black-forest-labs/flux-kontext-pro',
     '{"prompt": "{prompt}", "input_image": "{face_image}", "aspect_ratio": "16:9",
       "output_format": "jpg", "safety_tolerance": 2}'::jsonb),
    ('face_youtube', 'black-forest-labs/flux-kontext-pro',
     '{"prompt": "{prompt}", "input_image": "{face_image}", "aspect_ratio": "16:9",
       "output_format": "jpg", "safety_tolerance": 2}'::jsonb),
    ('top_youtube_style', 'black-forest-labs/flux-1.1-pro',
     '{"prompt": "{prompt}", "image_prompt": "{style_image}", "aspect_ratio": "16:9",
       "output_format": "jpg", "output_quality": 95, "safety_tolerance": 2}'::jsonb),
    ('top_youtube_style_face', 'flux-kontext-apps/multi-image-kontext-pro',
     '{"prompt": "{prompt}", "input_image_1": "{face_image}", "input_image_2": "{style_image}",
       "aspect_ratio": "16:9", "output_format": "jpg", "safety_tolerance": 2}'::jsonb)
  ) AS d (type_key, model, template)
 WHERE t.type_key = d.type_key;

-- An admin's switch of a mode's model, template and lettering, validated here so a typo
-- is refused before a paying user meets it.
CREATE FUNCTION set_generation_model(
  p_type_key TEXT, p_model TEXT, p_input_template JSONB, p_output_text BOOLEAN
) RETURNS generation_types
LANGUAGE plpgsql AS $$
DECLARE
  result generation_types;
BEGIN
  PERFORM 1 FROM generation_types t WHERE t.type_key = p_type_key FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown generation type %', p_type_key USING ERRCODE = 'TB003';
  END IF;
  IF p_model IS NULL
     OR p_model !~ '^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*(:[0-9a-f]{64})?$' THEN
    RAISE EXCEPTION 'invalid model reference % (want owner/name or owner/name:version)', p_model
      USING ERRCODE = 'TB006';
  END IF;
  IF p_input_template IS NULL OR jsonb_typeof(p_input_template) <> 'object' THEN
    RAISE EXCEPTION 'the input template must be a JSON object' USING ERRCODE = 'TB006';
  END IF;
  IF p_output_text IS NULL THEN
    RAISE EXCEPTION 'output_text must be true or false' USING ERRCODE = 'TB006';
  END IF;
  UPDATE generation_types t
     SET model = p_model, input_template = p_input_template, output_text = p_output_text
   WHERE t.type_key = p_type_key
  RETURNING * INTO result;
  RETURN result;
END
$$;
