-- Ledgers the sync flows keep (stock per SKU, order and refund maps, cursors), the per-API call
-- log that enforces Mirakl's call budgets across processes, and the single-runner lease.
-- Times are unix milliseconds (UTC).

CREATE TABLE sku_ledger (
    sku                  TEXT    PRIMARY KEY,
    woo_quantity         INTEGER,
    -- Bumped on every WooCommerce quantity change; a push clears `dirty` only if the revision
    -- it read is still current, so a change made during a push is never lost.
    revision             INTEGER NOT NULL DEFAULT 0,
    dirty                INTEGER NOT NULL DEFAULT 0 CHECK (dirty IN (0, 1)),
    dirty_since          INTEGER,
    last_pushed_quantity INTEGER,
    last_pushed_at       INTEGER,
    import_id            TEXT,
    marketplace_quantity INTEGER,
    marketplace_seen_at  INTEGER,
    last_error           TEXT,
    updated_at           INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX sku_ledger_dirty ON sku_ledger (dirty_since) WHERE dirty = 1;
CREATE INDEX sku_ledger_import ON sku_ledger (import_id) WHERE import_id IS NOT NULL;

CREATE TABLE orders_map (
    mirakl_order_id     TEXT    PRIMARY KEY,
    wc_order_id         INTEGER UNIQUE,
    state               TEXT    NOT NULL,
    acceptance_deadline INTEGER,
    shipping_deadline   INTEGER,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX orders_map_state ON orders_map (state, updated_at);

CREATE TABLE refunds (
    wc_refund_id      INTEGER PRIMARY KEY,
    mirakl_order_id   TEXT    NOT NULL,
    -- JSON array of the refund ids Mirakl returned (OR28) or that were adopted from OR11.
    mirakl_refund_ids TEXT    NOT NULL DEFAULT '[]',
    state             TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

CREATE INDEX refunds_order ON refunds (mirakl_order_id);

CREATE TABLE sync_cursors (
    name       TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per call made to a Mirakl API, kept only as long as the longest window needs.
CREATE TABLE api_calls (
    id        INTEGER PRIMARY KEY,
    api       TEXT    NOT NULL,
    called_at INTEGER NOT NULL
);

CREATE INDEX api_calls_api_time ON api_calls (api, called_at);

CREATE TABLE runner_lease (
    name        TEXT    PRIMARY KEY,
    owner       TEXT    NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
