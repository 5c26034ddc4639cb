//! Finance tables (migration `0003_finance.sql`): the ledger import's named positions
//! (`finance_import_state`: TL02 cursor, run in progress, last complete run, ...), IV01
//! documents and SBC11 billing cycles as the client reads them.
//!
//! The free functions take the connection so the import can call them inside its page
//! transaction; the `Store` methods are the same operations on their own.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use rust_decimal::Decimal;

use crate::mirakl::finance::{BillingCycle, Invoice};

use super::{Store, StoreError};

/// The value of the import position `name`, if set.
pub(crate) fn import_state(conn: &Connection, name: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM finance_import_state WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()
}

/// Sets the import position `name` (`now` in milliseconds).
pub(crate) fn set_import_state(
    conn: &Connection,
    name: &str,
    value: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO finance_import_state (name, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )?
    .execute(params![name, value, now])?;
    Ok(())
}

/// Forgets the import position `name`.
pub(crate) fn clear_import_state(conn: &Connection, name: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM finance_import_state WHERE name = ?1")?
        .execute([name])?;
    Ok(())
}

pub(crate) fn upsert_document(conn: &Connection, doc: &Invoice, now: i64) -> rusqlite::Result<()> {
    let summary = doc
        .summary
        .as_ref()
        .and_then(|s| serde_json::to_string(s).ok());
    let payment = doc.payment.as_ref();
    conn.prepare_cached(
        "INSERT INTO finance_documents (invoice_id, document_number, document_type, state, currency,
            issue_date, start_time, end_time, amount_transferred_e4, total_incl_taxes_e4,
            payment_state, payment_reference, seller_billing_cycle_id, summary, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (invoice_id) DO UPDATE SET document_number = excluded.document_number,
            document_type = excluded.document_type, state = excluded.state,
            currency = excluded.currency, issue_date = excluded.issue_date,
            start_time = excluded.start_time, end_time = excluded.end_time,
            amount_transferred_e4 = excluded.amount_transferred_e4,
            total_incl_taxes_e4 = excluded.total_incl_taxes_e4,
            payment_state = excluded.payment_state, payment_reference = excluded.payment_reference,
            seller_billing_cycle_id = excluded.seller_billing_cycle_id,
            summary = excluded.summary, imported_at = excluded.imported_at",
    )?
    .execute(params![
        doc.invoice_id,
        doc.id,
        doc.invoice_type.as_ref().map(|t| t.as_str()),
        doc.state,
        doc.currency_iso_code,
        doc.issue_date.map(ms),
        doc.start_time.map(ms),
        doc.end_time.map(ms),
        opt_e4(doc.summary.as_ref().and_then(|s| s.amount_transferred)),
        opt_e4(doc.total_amount_incl_taxes),
        payment.and_then(|p| p.state.clone()),
        payment.and_then(|p| p.reference.clone()),
        doc.seller_billing_cycle_id,
        summary,
        now
    ])?;
    Ok(())
}

pub(crate) fn upsert_cycle(
    conn: &Connection,
    cycle: &BillingCycle,
    now: i64,
) -> rusqlite::Result<()> {
    let summary = cycle.summary.as_ref().map(|s| s.to_string());
    let pay_out = cycle.pay_out.as_ref();
    conn.prepare_cached(
        "INSERT INTO finance_billing_cycles (id, currency, date_created,
            amount_transferred_to_seller_e4, amount_transferred_to_operator_e4, pay_out_state,
            pay_out_reference, summary, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET currency = excluded.currency,
            date_created = excluded.date_created,
            amount_transferred_to_seller_e4 = excluded.amount_transferred_to_seller_e4,
            amount_transferred_to_operator_e4 = excluded.amount_transferred_to_operator_e4,
            pay_out_state = excluded.pay_out_state, pay_out_reference = excluded.pay_out_reference,
            summary = excluded.summary, imported_at = excluded.imported_at",
    )?
    .execute(params![
        cycle.id,
        cycle.currency_iso_code,
        cycle.date_created.map(ms),
        opt_e4(cycle.amount_transferred_to_seller),
        opt_e4(cycle.amount_transferred_to_operator),
        pay_out.and_then(|p| p.state.clone()),
        pay_out.and_then(|p| p.reference.clone()),
        summary,
        now
    ])?;
    Ok(())
}

fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// Stored amount helper for optional decimals.
fn opt_e4(value: Option<Decimal>) -> Option<i64> {
    value.and_then(money::to_e4)
}

/// Money helpers: exact decimals stored as integers of ten-thousandths.
pub(crate) mod money {
    use rust_decimal::prelude::ToPrimitive;
    use rust_decimal::Decimal;

    const SCALE: u32 = 4;

    /// To ten-thousandths (banker's rounding beyond four decimals, which no currency uses).
    pub fn to_e4(value: Decimal) -> Option<i64> {
        (value.round_dp(SCALE) * Decimal::from(10_000))
            .trunc()
            .to_i64()
    }

    pub fn from_e4(value: i64) -> Decimal {
        let mut decimal = Decimal::new(value, SCALE).normalize();
        if decimal.scale() < 2 {
            decimal.rescale(2);
        }
        decimal
    }

    /// Shown with at least two decimals (`12.50`, `-3.00`, `0.125`).
    pub fn text(value: Decimal) -> String {
        let mut decimal = value.normalize();
        if decimal.scale() < 2 {
            decimal.rescale(2);
        }
        decimal.to_string()
    }
}

impl Store {
    /// The finance import position `name`, if set.
    pub fn finance_import_state(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(import_state(&self.conn, name)?)
    }

    /// Sets the finance import position `name`.
    pub fn set_finance_import_state(&self, name: &str, value: &str) -> Result<(), StoreError> {
        Ok(set_import_state(&self.conn, name, value, self.now_ms())?)
    }

    /// Forgets the finance import position `name`.
    pub fn clear_finance_import_state(&self, name: &str) -> Result<(), StoreError> {
        Ok(clear_import_state(&self.conn, name)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_state_is_set_read_and_cleared() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.finance_import_state("tl02.cursor").unwrap(), None);
        store
            .set_finance_import_state("tl02.cursor", "2026-01-01T00:00:00+00:00")
            .unwrap();
        store.set_finance_import_state("tl02.cursor", "b").unwrap();
        assert_eq!(
            store
                .finance_import_state("tl02.cursor")
                .unwrap()
                .as_deref(),
            Some("b")
        );
        store.clear_finance_import_state("tl02.cursor").unwrap();
        assert_eq!(store.finance_import_state("tl02.cursor").unwrap(), None);
    }
}
