-- The end-to-end test's records of its jobs (tests/support/jobs_app/jobs_app.rs).
CREATE TABLE job_starts (n BIGINT NOT NULL, pid BIGINT NOT NULL);
CREATE TABLE job_runs (n BIGINT NOT NULL, pid BIGINT NOT NULL);
