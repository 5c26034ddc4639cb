//! The shop side of matching: what WooCommerce expects each Mirakl order to be worth (kept as the
//! finance layer's JSON payload), and each order's last match status.

use rusqlite::{params, Connection, OptionalExtension};

use super::super::{Store, StoreError};
use super::rows;

/// One expected order as stored (`finance_expected_orders`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinanceExpectedOrder {
    pub mirakl_order_id: String,
    pub wc_order_id: Option<i64>,
    pub currency: String,
    /// The whole expected order (lines and refunds) as JSON.
    pub payload: String,
}

fn upsert_expected(
    conn: &Connection,
    order: &FinanceExpectedOrder,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO finance_expected_orders (mirakl_order_id, wc_order_id, currency, payload, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (mirakl_order_id) DO UPDATE SET wc_order_id = excluded.wc_order_id,
            currency = excluded.currency, payload = excluded.payload, updated_at = excluded.updated_at",
    )?
    .execute(params![
        order.mirakl_order_id,
        order.wc_order_id,
        order.currency,
        order.payload,
        now
    ])?;
    Ok(())
}

fn upsert_status(
    conn: &Connection,
    (order_id, status): &(String, &str),
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO finance_order_status (mirakl_order_id, status, checked_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (mirakl_order_id) DO UPDATE SET status = excluded.status, checked_at = excluded.checked_at",
    )?
    .execute(params![order_id, status, now])?;
    Ok(())
}

impl Store {
    /// Stores (or replaces) these expected orders in one transaction: all or nothing.
    pub fn record_finance_expected_orders(
        &self,
        orders: &[FinanceExpectedOrder],
    ) -> Result<(), StoreError> {
        self.write_each(orders, upsert_expected)
    }

    /// Every expected order's JSON payload.
    pub fn finance_expected_payloads(&self) -> Result<Vec<String>, StoreError> {
        rows(
            &self.conn,
            "SELECT payload FROM finance_expected_orders",
            [],
            |row| row.get(0),
        )
    }

    /// One expected order's JSON payload, if recorded.
    pub fn finance_expected_payload(
        &self,
        mirakl_order_id: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT payload FROM finance_expected_orders WHERE mirakl_order_id = ?1",
            )?
            .query_row([mirakl_order_id], |row| row.get(0))
            .optional()?)
    }

    /// Every expected order's WooCommerce order id, by Mirakl order id.
    pub fn finance_expected_wc_order_ids(&self) -> Result<Vec<(String, Option<i64>)>, StoreError> {
        rows(
            &self.conn,
            "SELECT mirakl_order_id, wc_order_id FROM finance_expected_orders",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
    }

    /// Records each order's match status (`(mirakl order id, status)`) in one transaction.
    pub fn record_finance_order_statuses(
        &self,
        statuses: &[(String, &str)],
    ) -> Result<(), StoreError> {
        self.write_each(statuses, upsert_status)
    }

    /// Every order's last match status, by Mirakl order id.
    pub fn finance_order_statuses(&self) -> Result<Vec<(String, String)>, StoreError> {
        rows(
            &self.conn,
            "SELECT mirakl_order_id, status FROM finance_order_status",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
    }
}
