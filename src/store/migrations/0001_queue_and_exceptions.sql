-- Durable job queue and the exceptions a human must look at.
-- Times are unix milliseconds (UTC). A job's (kind, key) is unique for its whole life, so
-- enqueueing is idempotent in the database itself, never by select-then-insert.

CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    kind             TEXT    NOT NULL,
    key              TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    -- Higher runs first.
    priority         INTEGER NOT NULL DEFAULT 0,
    state            TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'leased', 'done', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
    run_at           INTEGER NOT NULL,
    lease            TEXT,
    lease_expires_at INTEGER,
    -- A newer payload that arrived while the job was leased: it runs after the current attempt
    -- ends, so the last write wins without clobbering the work in flight.
    pending_payload  TEXT,
    pending_priority INTEGER,
    pending_run_at   INTEGER,
    -- How many times (kind, key) was enqueued; 1 means the row was just inserted.
    enqueue_count    INTEGER NOT NULL DEFAULT 1,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    CHECK ((state = 'leased') = (lease IS NOT NULL AND lease_expires_at IS NOT NULL)),
    CHECK (pending_payload IS NULL OR state = 'leased')
);

CREATE UNIQUE INDEX jobs_kind_key ON jobs (kind, key);
-- Claim order: the partial index holds only runnable rows, already in priority/time order.
CREATE INDEX jobs_claim_order ON jobs (priority DESC, run_at, id) WHERE state = 'pending';
CREATE INDEX jobs_lease_expiry ON jobs (lease_expires_at) WHERE state = 'leased';
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE state = 'done';

CREATE TABLE exceptions (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL,
    severity     TEXT    NOT NULL CHECK (severity IN ('critical', 'error', 'warning')),
    entity_type  TEXT    NOT NULL,
    entity_id    TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    details      TEXT,
    hint         TEXT,
    job_id       INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
    state        TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
    resolution   TEXT    CHECK (resolution IN ('resolved', 'retried', 'healed')),
    occurrences  INTEGER NOT NULL DEFAULT 1,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    resolved_at  INTEGER,
    CHECK ((state = 'open') = (resolution IS NULL))
);

-- At most one open exception per (kind, entity): a repeat bumps its count instead.
CREATE UNIQUE INDEX exceptions_open_entity ON exceptions (kind, entity_type, entity_id)
    WHERE state = 'open';
CREATE INDEX exceptions_last_seen ON exceptions (state, last_seen DESC);
CREATE INDEX exceptions_job ON exceptions (job_id);
