-- Finance: the imported Mirakl ledger (TL02 transaction logs), accounting documents (IV01),
-- seller billing cycles (SBC11), what WooCommerce expects each order to be worth, the last match
-- status per order, and the import's resumable position. IF NOT EXISTS: a file rebuilt from an
-- older version (tables of later migrations kept) migrates forward cleanly.
-- Money is INTEGER in ten-thousandths of the currency unit (exact sums in SQL); times are unix
-- milliseconds (UTC); `period` is the UTC month (YYYY-MM) of the transaction date.

CREATE TABLE IF NOT EXISTS finance_transactions (
    id                         TEXT    PRIMARY KEY,
    transaction_type           TEXT    NOT NULL,
    category                   TEXT    NOT NULL,
    -- Signed from the seller's view: credited positive, debited negative.
    amount_e4                  INTEGER NOT NULL,
    currency                   TEXT    NOT NULL,
    transaction_date           INTEGER NOT NULL,
    period                     TEXT    NOT NULL,
    date_created               INTEGER,
    last_updated               INTEGER,
    payment_state              TEXT,
    order_id                   TEXT,
    commercial_id              TEXT,
    order_line_id              TEXT,
    refund_id                  TEXT,
    accounting_document_id     TEXT,
    accounting_document_number TEXT,
    seller_billing_cycle_id    TEXT,
    description                TEXT,
    imported_at                INTEGER NOT NULL
) WITHOUT ROWID;

-- Covering indexes: the month-end report, matching and payout reconciliation read only these
-- columns, so they never visit the table itself.
CREATE INDEX IF NOT EXISTS finance_transactions_report
    ON finance_transactions (period, currency, payment_state, category, order_id, amount_e4);
CREATE INDEX IF NOT EXISTS finance_transactions_order
    ON finance_transactions (order_id, order_line_id, refund_id, category, currency, payment_state, amount_e4)
    WHERE order_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS finance_transactions_document
    ON finance_transactions (accounting_document_id, currency, category, payment_state, amount_e4, order_id)
    WHERE accounting_document_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS finance_transactions_cycle ON finance_transactions (seller_billing_cycle_id)
    WHERE seller_billing_cycle_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS finance_transactions_payments ON finance_transactions (transaction_date)
    WHERE category = 'payment';

CREATE TABLE IF NOT EXISTS finance_documents (
    invoice_id              TEXT    PRIMARY KEY,
    document_number         TEXT,
    document_type           TEXT,
    state                   TEXT,
    currency                TEXT,
    issue_date              INTEGER,
    start_time              INTEGER,
    end_time                INTEGER,
    amount_transferred_e4   INTEGER,
    total_incl_taxes_e4     INTEGER,
    payment_state           TEXT,
    payment_reference       TEXT,
    seller_billing_cycle_id TEXT,
    summary                 TEXT,
    imported_at             INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS finance_documents_number ON finance_documents (document_number);

CREATE TABLE IF NOT EXISTS finance_billing_cycles (
    id                                TEXT    PRIMARY KEY,
    currency                          TEXT,
    date_created                      INTEGER,
    amount_transferred_to_seller_e4   INTEGER,
    amount_transferred_to_operator_e4 INTEGER,
    pay_out_state                     TEXT,
    pay_out_reference                 TEXT,
    summary                           TEXT,
    imported_at                       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS finance_expected_orders (
    mirakl_order_id TEXT    PRIMARY KEY,
    wc_order_id     INTEGER,
    currency        TEXT    NOT NULL,
    -- The whole ExpectedOrder as JSON (lines and refunds).
    payload         TEXT    NOT NULL,
    updated_at      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS finance_order_status (
    mirakl_order_id TEXT    PRIMARY KEY,
    status          TEXT    NOT NULL,
    checked_at      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS finance_import_state (
    name       TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
