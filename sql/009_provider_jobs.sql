-- 009: the provider's id for a generation's work (a Replicate prediction id), so a worker
-- that takes a job over after a crash resumes that prediction instead of paying for a
-- second one.

ALTER TABLE generations ADD COLUMN provider_job_id TEXT;
