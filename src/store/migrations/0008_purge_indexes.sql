-- The daily payload purge finds finished jobs (done or dead) and resolved problems by age
-- without scanning their tables.
CREATE INDEX IF NOT EXISTS jobs_finished_or_dead ON jobs (finished_at) WHERE state IN ('done', 'dead');
CREATE INDEX IF NOT EXISTS problems_resolved_at ON problems (resolved_at) WHERE state = 'resolved';
