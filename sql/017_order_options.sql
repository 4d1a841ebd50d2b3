-- 017: options an order takes on its confirm screen, and the shape a creator last chose.
--
--   format     the picture's shape (services/formats.py): '16:9' | '9:16' | '1:1'; NULL on
--              a draft means the creator's default (profiles.thumbnail_format, else 16:9)
--   variants   how many different thumbnails one order makes (1-4), each charged alone
--   use_brand  whether the order follows the creator's saved style (/style)

ALTER TABLE generation_drafts
  ADD COLUMN format TEXT CONSTRAINT generation_drafts_format_known
    CHECK (format IN ('16:9', '9:16', '1:1')),
  ADD COLUMN variants INT NOT NULL DEFAULT 1
    CONSTRAINT generation_drafts_variants_range CHECK (variants BETWEEN 1 AND 4),
  ADD COLUMN use_brand BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE profiles
  ADD COLUMN thumbnail_format TEXT CONSTRAINT profiles_thumbnail_format_known
    CHECK (thumbnail_format IN ('16:9', '9:16', '1:1'));

COMMENT ON COLUMN profiles.thumbnail_format IS
  'The shape the creator last chose for a thumbnail; new orders start with it.';
