//! The TL02 ledger as imported: one row per Mirakl transaction id, inserted or updated when
//! Mirakl changed it, a page at a time with the import's position in the same transaction.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use super::super::{immediate, Store, StoreError};
use super::{clear_import_state, set_import_state};

/// A transaction as the finance tables keep it (`finance_transactions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinanceTransaction {
    pub id: String,
    pub transaction_type: String,
    /// The finance category's stored text (`sale`, `commission`, ..., `unknown`).
    pub category: String,
    /// Signed, in ten-thousandths.
    pub amount_e4: i64,
    pub currency: String,
    pub transaction_date: DateTime<Utc>,
    /// `YYYY-MM` of `transaction_date` (UTC).
    pub period: String,
    pub date_created: Option<DateTime<Utc>>,
    pub last_updated: Option<DateTime<Utc>>,
    pub payment_state: Option<String>,
    pub order_id: Option<String>,
    pub commercial_id: Option<String>,
    pub order_line_id: Option<String>,
    pub refund_id: Option<String>,
    pub accounting_document_id: Option<String>,
    pub accounting_document_number: Option<String>,
    pub seller_billing_cycle_id: Option<String>,
    pub description: Option<String>,
}

/// A change to a named import position, made in the same transaction as a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStateChange<'a> {
    Set { name: &'a str, value: &'a str },
    Clear { name: &'a str },
}

/// What storing a page did to its rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertCounts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// What an upsert did to a transaction row.
enum Upsert {
    Inserted,
    Updated,
    Unchanged,
}

fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// Inserts the row, or updates it when Mirakl changed anything (payment state, document, ...).
fn upsert_transaction(
    conn: &Connection,
    row: &FinanceTransaction,
    now: i64,
) -> rusqlite::Result<Upsert> {
    let values = params![
        row.id,
        row.transaction_type,
        row.category,
        row.amount_e4,
        row.currency,
        ms(row.transaction_date),
        row.period,
        row.date_created.map(ms),
        row.last_updated.map(ms),
        row.payment_state,
        row.order_id,
        row.commercial_id,
        row.order_line_id,
        row.refund_id,
        row.accounting_document_id,
        row.accounting_document_number,
        row.seller_billing_cycle_id,
        row.description,
        now
    ];
    let inserted = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO finance_transactions (id, transaction_type, category, amount_e4,
                currency, transaction_date, period, date_created, last_updated, payment_state,
                order_id, commercial_id, order_line_id, refund_id, accounting_document_id,
                accounting_document_number, seller_billing_cycle_id, description, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
        )?
        .execute(values)?;
    if inserted == 1 {
        return Ok(Upsert::Inserted);
    }
    let updated = conn
        .prepare_cached(
            "UPDATE finance_transactions SET transaction_type = ?2, category = ?3, amount_e4 = ?4,
                currency = ?5, transaction_date = ?6, period = ?7, date_created = ?8,
                last_updated = ?9, payment_state = ?10, order_id = ?11, commercial_id = ?12,
                order_line_id = ?13, refund_id = ?14, accounting_document_id = ?15,
                accounting_document_number = ?16, seller_billing_cycle_id = ?17,
                description = ?18, imported_at = ?19
             WHERE id = ?1 AND (transaction_type IS NOT ?2 OR category IS NOT ?3
                OR amount_e4 IS NOT ?4 OR currency IS NOT ?5 OR transaction_date IS NOT ?6
                OR last_updated IS NOT ?9 OR payment_state IS NOT ?10 OR order_id IS NOT ?11
                OR order_line_id IS NOT ?13 OR refund_id IS NOT ?14
                OR accounting_document_id IS NOT ?15 OR accounting_document_number IS NOT ?16
                OR seller_billing_cycle_id IS NOT ?17 OR description IS NOT ?18)",
        )?
        .execute(values)?;
    Ok(if updated == 1 {
        Upsert::Updated
    } else {
        Upsert::Unchanged
    })
}

impl Store {
    /// Stores one TL02 page (inserting new transactions, updating changed ones) and applies
    /// `positions` to the import state, all in one transaction: a crash keeps the page and the
    /// position after it, or neither.
    pub fn record_finance_page(
        &self,
        rows: &[FinanceTransaction],
        positions: &[ImportStateChange<'_>],
    ) -> Result<UpsertCounts, StoreError> {
        let now = self.now_ms();
        immediate(&self.conn, |conn| -> Result<UpsertCounts, StoreError> {
            let mut counts = UpsertCounts::default();
            for row in rows {
                match upsert_transaction(conn, row, now)? {
                    Upsert::Inserted => counts.inserted += 1,
                    Upsert::Updated => counts.updated += 1,
                    Upsert::Unchanged => counts.unchanged += 1,
                }
            }
            for change in positions {
                match *change {
                    ImportStateChange::Set { name, value } => {
                        set_import_state(conn, name, value, now)?
                    }
                    ImportStateChange::Clear { name } => clear_import_state(conn, name)?,
                }
            }
            Ok(counts)
        })
    }
}
