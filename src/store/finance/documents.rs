//! IV01 accounting documents and SBC11 billing cycles, as the import last read them, and the
//! transfer each one records (read by payout reconciliation).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use super::super::{Store, StoreError};

/// An accounting document (`finance_documents`). Amounts in ten-thousandths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinanceDocument {
    pub invoice_id: String,
    pub document_number: Option<String>,
    pub document_type: Option<String>,
    pub state: Option<String>,
    pub currency: Option<String>,
    pub issue_date: Option<DateTime<Utc>>,
    pub start_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    pub amount_transferred_e4: Option<i64>,
    pub total_incl_taxes_e4: Option<i64>,
    pub payment_state: Option<String>,
    pub payment_reference: Option<String>,
    pub seller_billing_cycle_id: Option<String>,
    /// The document's summary as JSON text.
    pub summary: Option<String>,
}

/// A seller billing cycle (`finance_billing_cycles`). Amounts in ten-thousandths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinanceBillingCycle {
    pub id: String,
    pub currency: Option<String>,
    pub date_created: Option<DateTime<Utc>>,
    pub amount_transferred_to_seller_e4: Option<i64>,
    pub amount_transferred_to_operator_e4: Option<i64>,
    pub pay_out_state: Option<String>,
    pub pay_out_reference: Option<String>,
    /// The cycle's summary as JSON text.
    pub summary: Option<String>,
}

/// What a document or billing cycle says was transferred, and the bank reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinanceTransfer {
    pub amount_e4: Option<i64>,
    pub reference: Option<String>,
}

fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn upsert_document(conn: &Connection, doc: &FinanceDocument, now: i64) -> rusqlite::Result<()> {
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
        doc.document_number,
        doc.document_type,
        doc.state,
        doc.currency,
        doc.issue_date.map(ms),
        doc.start_time.map(ms),
        doc.end_time.map(ms),
        doc.amount_transferred_e4,
        doc.total_incl_taxes_e4,
        doc.payment_state,
        doc.payment_reference,
        doc.seller_billing_cycle_id,
        doc.summary,
        now
    ])?;
    Ok(())
}

fn upsert_cycle(conn: &Connection, cycle: &FinanceBillingCycle, now: i64) -> rusqlite::Result<()> {
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
        cycle.currency,
        cycle.date_created.map(ms),
        cycle.amount_transferred_to_seller_e4,
        cycle.amount_transferred_to_operator_e4,
        cycle.pay_out_state,
        cycle.pay_out_reference,
        cycle.summary,
        now
    ])?;
    Ok(())
}

/// The first row of a transfer query; any failure to read it counts as no record (the
/// reconciliation then goes without that source).
fn transfer<P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
) -> Result<Option<FinanceTransfer>, StoreError> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row(params, |row| {
            Ok(FinanceTransfer {
                amount_e4: row.get(0)?,
                reference: row.get(1)?,
            })
        })
        .ok())
}

impl Store {
    /// Stores (or refreshes) one page of accounting documents in one transaction.
    pub fn record_finance_documents(
        &self,
        documents: &[FinanceDocument],
    ) -> Result<(), StoreError> {
        self.write_each(documents, upsert_document)
    }

    /// Stores (or refreshes) one page of billing cycles in one transaction.
    pub fn record_finance_billing_cycles(
        &self,
        cycles: &[FinanceBillingCycle],
    ) -> Result<(), StoreError> {
        self.write_each(cycles, upsert_cycle)
    }

    /// The transfer of the accounting document with this id or number, if imported.
    pub fn finance_document_transfer(
        &self,
        document_id: Option<&str>,
        document_number: Option<&str>,
    ) -> Result<Option<FinanceTransfer>, StoreError> {
        transfer(
            &self.conn,
            "SELECT amount_transferred_e4, payment_reference FROM finance_documents
             WHERE invoice_id = ?1 OR document_number = ?2 OR invoice_id = ?2 LIMIT 1",
            params![document_id, document_number],
        )
    }

    /// The transfer to the seller of the billing cycle `id`, if imported.
    pub fn finance_billing_cycle_transfer(
        &self,
        id: &str,
    ) -> Result<Option<FinanceTransfer>, StoreError> {
        transfer(
            &self.conn,
            "SELECT amount_transferred_to_seller_e4, pay_out_reference FROM finance_billing_cycles
             WHERE id = ?1",
            [id],
        )
    }
}
