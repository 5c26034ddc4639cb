-- One word for a row that needs a person, from the SQL to the screen: "problem". The table and
-- its indexes are renamed; every row, count and resolution stays as it was.
ALTER TABLE exceptions RENAME TO problems;

DROP INDEX exceptions_open_entity;
DROP INDEX exceptions_last_seen;
DROP INDEX exceptions_job;

-- At most one open problem per (kind, entity): a repeat bumps its count instead.
CREATE UNIQUE INDEX problems_open_entity ON problems (kind, entity_type, entity_id)
    WHERE state = 'open';
CREATE INDEX problems_last_seen ON problems (state, last_seen DESC);
CREATE INDEX problems_job ON problems (job_id);
