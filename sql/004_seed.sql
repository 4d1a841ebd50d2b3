-- 004: seed rows: the six generation modes with the product owner's costs, and the
-- credit amounts of the signup and referral bonuses.

SELECT upsert_generation_type('text_to_thumbnail', 'Text to Thumbnail', 10);
SELECT upsert_generation_type('youtube_thumbnail', 'YouTube Video to Thumbnail', 20);
SELECT upsert_generation_type('your_face', 'Your Face', 20);
SELECT upsert_generation_type('face_youtube', 'Your Face + YouTube Video', 20);
SELECT upsert_generation_type('top_youtube_style', 'Top YouTube Style', 20);
SELECT upsert_generation_type('top_youtube_style_face', 'Top YouTube Style + Your Face', 20);

INSERT INTO credit_rules (rule, credits) VALUES
  ('signup_bonus', 50),
  ('referral_bonus', 30),
  ('monthly_25images', 250)
ON CONFLICT (rule) DO NOTHING;
