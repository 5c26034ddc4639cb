-- OR11 re-reads shared by jobs: a job that needs a fresh view of a Mirakl order asks for it
-- (one row per job and order); the order poll serves every request in one OR11 call (order_ids,
-- up to 100) and keeps what it read as the order's snapshot.
CREATE TABLE order_read_requests (
    mirakl_order_id TEXT    NOT NULL,
    job_id          INTEGER NOT NULL,
    requested_at    INTEGER NOT NULL,
    PRIMARY KEY (mirakl_order_id, job_id)
);
CREATE INDEX order_read_requests_by_age ON order_read_requests (requested_at);

-- The last OR11 view of an order read for the requests; `payload` is NULL when OR11 did not
-- list the order. A write the engine sends for the order deletes its snapshot.
CREATE TABLE order_snapshots (
    mirakl_order_id TEXT    PRIMARY KEY,
    payload         TEXT,
    fetched_at      INTEGER NOT NULL
);
