-- 020: a creator's saved channel style (/style), and where the /style conversation is.
--
-- brand_kits: one per profile, every part optional. Orders copy it into their input
-- (generations.input->'brand') when they use it, so a kit changed later never changes an
-- order already made.
--   colors           up to 3 '#rrggbb' (lower case), the key colour first
--   font             a key of the bundled headline fonts (services/generators/fonts.py)
--   headline_position where the headline goes: left | right | top | bottom | center
--   logo_url         a storage URL (bucket 'logos') of a PNG, and the corner it goes in
--   default_face_id  a saved face that face modes use unless another is picked
CREATE TABLE brand_kits (
  profile_id UUID PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
  colors TEXT[] NOT NULL DEFAULT '{}'
    CONSTRAINT brand_kits_colors_format CHECK (
      cardinality(colors) <= 3
      AND array_to_string(colors, ',') ~ '^(#[0-9a-f]{6}(,#[0-9a-f]{6}){0,2})?$'
    ),
  font TEXT CONSTRAINT brand_kits_font_format CHECK (font ~ '^[a-z0-9_-]{1,32}$'),
  headline_position TEXT CONSTRAINT brand_kits_position_known
    CHECK (headline_position IN ('left', 'right', 'top', 'bottom', 'center')),
  logo_url TEXT,
  logo_corner TEXT NOT NULL DEFAULT 'bottom-right' CONSTRAINT brand_kits_corner_known
    CHECK (logo_corner IN ('top-left', 'top-right', 'bottom-left', 'bottom-right')),
  default_face_id UUID REFERENCES user_images (id) ON DELETE SET NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX brand_kits_default_face_id_idx ON brand_kits (default_face_id);
COMMENT ON TABLE brand_kits IS
  'A creator''s saved channel style (/style): colours, font, headline position, logo, face.';

-- What the /style conversation waits for, so a restart in the middle loses nothing: the
-- colours typed, a logo or a thumbnail to import. One row per profile, deleted when done.
CREATE TABLE style_sessions (
  profile_id UUID PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
  awaiting TEXT NOT NULL CONSTRAINT style_sessions_awaiting_known
    CHECK (awaiting IN ('colors', 'logo', 'import')),
  started_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
COMMENT ON TABLE style_sessions IS
  'What the /style conversation waits for (typed colours, a logo, a thumbnail to import).';
