-- 026: one user's taps at a time across every bot process, without holding a database
-- connection while the work inside waits on Telegram. A lease row per user: taking it is
-- one statement (a free or expired row is taken over), giving it back deletes it. A
-- process that dies holding one only delays that user's next tap until the lease ends.
CREATE UNLOGGED TABLE user_locks (
  telegram_id BIGINT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
COMMENT ON TABLE user_locks IS
  'Who is serving a user''s tap right now (a lease), so a double tap waits for the first.';
