//! SQL of the finance tables (migration `0003_finance.sql`), one small function per operation.
//! Finance works on the store's own connection (its pragmas, busy timeout and statement cache);
//! the store has already migrated the file when it was opened.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use super::money;
use super::types::LedgerRow;
use super::FinanceError;
use crate::store::{finance as store_finance, Store};

pub(crate) fn open(store: &Store) -> Result<&Connection, FinanceError> {
    Ok(store.connection())
}

fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// What an upsert did to a transaction row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Upsert {
    Inserted,
    Updated,
    Unchanged,
}

/// Inserts the row, or updates it when Mirakl changed anything (payment state, document, ...).
pub(crate) fn upsert_transaction(
    conn: &Connection,
    row: &LedgerRow,
    now: i64,
) -> Result<Upsert, FinanceError> {
    let amount = money::to_e4(row.amount).ok_or_else(|| {
        FinanceError::Data(format!("transaction {}: amount out of range", row.id))
    })?;
    let values = params![
        row.id,
        row.transaction_type,
        row.category.as_str(),
        amount,
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

pub(crate) fn get_state(conn: &Connection, name: &str) -> Result<Option<String>, FinanceError> {
    Ok(store_finance::import_state(conn, name)?)
}

pub(crate) fn set_state(
    conn: &Connection,
    name: &str,
    value: &str,
    now: i64,
) -> Result<(), FinanceError> {
    Ok(store_finance::set_import_state(conn, name, value, now)?)
}

pub(crate) fn clear_state(conn: &Connection, name: &str) -> Result<(), FinanceError> {
    Ok(store_finance::clear_import_state(conn, name)?)
}

pub(crate) use store_finance::{upsert_cycle, upsert_document};
