-- 018: which chat message shows which thumbnail, so a reply to any delivered (or
-- re-shown) thumbnail can name the generation it is about: "make the text red".
CREATE TABLE result_messages (
  chat_id BIGINT NOT NULL,
  message_id BIGINT NOT NULL,
  generation_id UUID NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX result_messages_generation_id_idx ON result_messages (generation_id);
COMMENT ON TABLE result_messages IS
  'Chat messages that show a thumbnail; a reply to one is about that generation.';
