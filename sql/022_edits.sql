-- 022: edit by instruction. A creator replies to a delivered thumbnail (or presses its
-- ✏️ Edit button) with words like "make the text red"; the edit is a generation of its own
-- type, priced like every mode, whose input is the edited one's input plus the chain of
-- instructions (services/edits.py).
--
--   edit_thumbnail   the edit's type: its price, and for Replicate an instruction-editing
--                    model that takes the edited picture as "{source_image}"; the headline is
--                    still drawn by code (output_text), so the model is asked for no text
--   edit_requests    the edit a creator is in the middle of, one per creator, so a restart
--                    changes nothing: the thumbnail asked about (✏️ or a reply) and, once
--                    given, the instruction waiting on the confirm screen (its token is in
--                    the buttons; a new instruction gets a new token)

INSERT INTO generation_types (type_key, display_name, cost_credits, model, input_template, output_text)
VALUES (
  'edit_thumbnail', '✏️ Edit', 10, 'black-forest-labs/flux-kontext-pro',
  '{"prompt": "{prompt}", "input_image": "{source_image}", "aspect_ratio": "match_input_image",
    "output_format": "jpg", "safety_tolerance": 2}'::jsonb,
  true
)
ON CONFLICT (type_key) DO NOTHING;

CREATE TABLE edit_requests (
  profile_id UUID PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
  token TEXT NOT NULL,
  generation_id UUID NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
  -- NULL: the ✏️ button asked "what should I change?" and the answer is awaited
  instruction TEXT CONSTRAINT edit_requests_instruction_length
    CHECK (char_length(instruction) BETWEEN 1 AND 300),
  -- when the creator last spoke to it: after 30 minutes, or once a /generate order moved
  -- on since, their texts are no longer taken as instructions
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX edit_requests_generation_id_idx ON edit_requests (generation_id);
COMMENT ON TABLE edit_requests IS
  'The edit by instruction a creator is in the middle of: asked about, or waiting to be confirmed.';
