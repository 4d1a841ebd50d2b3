-- 021: favourites. A creator stars the thumbnails worth keeping (the ⭐ button under a
-- result); /history can then list only those. Only a succeeded generation is starred (the
-- bot checks it; a refunded one has no picture to keep), and a star is the owner's own.
ALTER TABLE generations
  ADD COLUMN favourite BOOLEAN NOT NULL DEFAULT false;
COMMENT ON COLUMN generations.favourite IS
  'Starred by its owner (⭐ in the chat); /history can show only these.';

-- /history's "only favourites" page: the owner's starred rows, newest first, without
-- reading the unstarred rest.
CREATE INDEX generations_favourites_idx ON generations (profile_id, created_at DESC, id DESC)
  WHERE favourite;
