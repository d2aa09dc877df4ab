-- The jobs a worker may claim (queued, or running with a lease that may run out), in the
-- order it claims them (src/jobs/queue.rs `claim`): a claim reads the first row here
-- instead of sorting every waiting job, which made a long queue slower with each claim.
CREATE INDEX jobs_next ON jobs (queue, priority DESC, run_at, id)
    WHERE status IN ('queued', 'running');
