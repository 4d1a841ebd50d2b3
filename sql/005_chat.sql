-- 005: what the chat needs to remember between messages, so a flow survives a restart.

-- Faces: where the file lives in our storage, Telegram's id to resend it without an
-- upload, and a content hash so the same photo is stored once per user.
ALTER TABLE user_images
  ADD COLUMN storage_key TEXT,
  ADD COLUMN telegram_file_id TEXT,
  ADD COLUMN sha256 TEXT,
  ADD COLUMN width INT,
  ADD COLUMN height INT,
  ADD COLUMN size_bytes INT;
CREATE UNIQUE INDEX user_images_profile_sha256_uniq ON user_images (profile_id, sha256)
  WHERE sha256 IS NOT NULL;

-- Where to report a generation: the chat and the status message that is edited as the
-- job moves, so progress and delivery still reach the user after a restart.
ALTER TABLE generations
  ADD COLUMN telegram_chat_id BIGINT,
  ADD COLUMN status_message_id BIGINT,
  ADD COLUMN output_telegram_file_id TEXT;

-- A photo the user sent outside a flow, waiting for "save as face?". The callback data
-- carries this row's id, because Telegram's file ids do not fit in 64 bytes.
CREATE TABLE pending_uploads (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  profile_id UUID NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
  telegram_file_id TEXT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX pending_uploads_profile_id_idx ON pending_uploads (profile_id);

-- The /generate flow in progress, one per user. `token` changes with every new draft,
-- so a button from an abandoned draft is recognised as stale.
CREATE TABLE generation_drafts (
  profile_id UUID PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
  token TEXT NOT NULL,
  mode TEXT REFERENCES generation_types (type_key),
  step TEXT NOT NULL CHECK (step IN ('mode', 'prompt', 'video', 'style', 'face', 'confirm')),
  prompt TEXT,
  video_url TEXT,
  style_url TEXT,
  face_image_id UUID REFERENCES user_images (id) ON DELETE SET NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX generation_drafts_mode_idx ON generation_drafts (mode);
CREATE INDEX generation_drafts_face_image_id_idx ON generation_drafts (face_image_id);
