//! The rows of the ledger CSV: a month's transactions with the shop order, document and payout
//! reference they are matched to.

use chrono::{DateTime, Utc};

use super::super::{from_ms, Store, StoreError};
use super::each_row;

/// One transaction of the month with what it is matched to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinanceLedgerLine {
    pub transaction_date: DateTime<Utc>,
    pub accounting_document_number: Option<String>,
    pub accounting_document_id: Option<String>,
    /// The document's payment reference, else the billing cycle's pay-out reference.
    pub payout_reference: Option<String>,
    pub id: String,
    pub order_id: Option<String>,
    pub wc_order_id: Option<i64>,
    pub order_line_id: Option<String>,
    pub refund_id: Option<String>,
    pub transaction_type: String,
    pub category: String,
    pub description: Option<String>,
    /// Signed, in ten-thousandths.
    pub amount_e4: i64,
    pub currency: String,
    pub payment_state: Option<String>,
    pub seller_billing_cycle_id: Option<String>,
}

impl Store {
    /// Hands every transaction of `period` (`YYYY-MM`), voided ones included, to `visit`,
    /// oldest first, one at a time.
    pub fn for_each_finance_ledger_line<E: From<StoreError>>(
        &self,
        period: &str,
        visit: impl FnMut(FinanceLedgerLine) -> Result<(), E>,
    ) -> Result<(), E> {
        each_row(
            &self.conn,
            "SELECT t.transaction_date, t.accounting_document_number, t.accounting_document_id,
                    coalesce(d.payment_reference, c.pay_out_reference), t.id, t.order_id, e.wc_order_id,
                    t.order_line_id, t.refund_id, t.transaction_type, t.category, t.description,
                    t.amount_e4, t.currency, t.payment_state, t.seller_billing_cycle_id
             FROM finance_transactions t
             LEFT JOIN finance_expected_orders e ON e.mirakl_order_id = t.order_id
             LEFT JOIN finance_documents d ON d.invoice_id = t.accounting_document_id
             LEFT JOIN finance_billing_cycles c ON c.id = t.seller_billing_cycle_id
             WHERE t.period = ?1
             ORDER BY t.transaction_date, t.id",
            [period],
            |row| {
                Ok(FinanceLedgerLine {
                    transaction_date: from_ms(row.get(0)?),
                    accounting_document_number: row.get(1)?,
                    accounting_document_id: row.get(2)?,
                    payout_reference: row.get(3)?,
                    id: row.get(4)?,
                    order_id: row.get(5)?,
                    wc_order_id: row.get(6)?,
                    order_line_id: row.get(7)?,
                    refund_id: row.get(8)?,
                    transaction_type: row.get(9)?,
                    category: row.get(10)?,
                    description: row.get(11)?,
                    amount_e4: row.get(12)?,
                    currency: row.get(13)?,
                    payment_state: row.get(14)?,
                    seller_billing_cycle_id: row.get(15)?,
                })
            },
            visit,
        )
    }
}
