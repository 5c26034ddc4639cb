//! CSV exports an accountant can import: the month-end summary (one row per currency), its
//! per-order drill-down, and the month's matched ledger (one row per Mirakl transaction).
//!
//! Ledger columns `debit`/`credit` follow TL02: `credit` is what Mirakl credited to the seller's
//! balance, `debit` what it debited (both positive, one of them empty). Amounts use a dot and
//! at least two decimals; dates are UTC (`YYYY-MM-DD`).

use rust_decimal::Decimal;

use super::db;
use super::money::{from_e4, text};
use super::report::{month_bounds, MonthEndReport};
use super::types::Category;
use super::{FinanceError, FinanceSettings};
use crate::store::Store;

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().from_writer(Vec::new())
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<String, FinanceError> {
    let bytes = writer
        .into_inner()
        .map_err(|e| FinanceError::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| FinanceError::Csv(e.to_string()))
}

fn csv_error(error: csv::Error) -> FinanceError {
    FinanceError::Csv(error.to_string())
}

/// The summary: one row per currency.
pub fn report_csv(report: &MonthEndReport) -> Result<String, FinanceError> {
    let mut out = writer();
    out.write_record([
        "period",
        "currency",
        "gross_sales",
        "shipping",
        "taxes",
        "refunds",
        "refund_taxes",
        "commissions",
        "commission_vat",
        "fees",
        "subscriptions",
        "manual_credits",
        "manual_invoices",
        "operator",
        "purchases",
        "reserve",
        "other",
        "net_revenue",
        "payouts_received",
        "opening_balance",
        "balance_owed",
        "pending",
        "payable",
        "cancelled_sales",
        "transactions",
        "orders",
        "payouts",
    ])
    .map_err(csv_error)?;
    for f in &report.currencies {
        let amounts: [Decimal; 22] = [
            f.gross_sales,
            f.shipping,
            f.taxes,
            f.refunds,
            f.refund_taxes,
            f.commissions,
            f.commission_vat,
            f.fees,
            f.subscriptions,
            f.manual_credits,
            f.manual_invoices,
            f.operator,
            f.purchases,
            f.reserve,
            f.other,
            f.net_revenue,
            f.payouts_received,
            f.opening_balance,
            f.balance_owed,
            f.pending,
            f.payable,
            f.cancelled_sales,
        ];
        let mut record = vec![report.period.clone(), f.currency.clone()];
        record.extend(amounts.iter().map(|a| text(*a)));
        record.extend([
            f.transactions.to_string(),
            f.orders.to_string(),
            f.payouts.to_string(),
        ]);
        out.write_record(&record).map_err(csv_error)?;
    }
    finish(out)
}

/// The drill-down: one row per order and currency with transactions this month.
pub fn report_orders_csv(report: &MonthEndReport) -> Result<String, FinanceError> {
    let mut out = writer();
    out.write_record([
        "period",
        "currency",
        "mirakl_order_id",
        "wc_order_id",
        "status",
        "sales",
        "shipping",
        "taxes",
        "refunds",
        "refund_taxes",
        "commissions",
        "commission_vat",
        "fees",
        "net",
    ])
    .map_err(csv_error)?;
    for o in &report.orders {
        let mut record = vec![
            report.period.clone(),
            o.currency.clone(),
            o.mirakl_order_id.clone(),
            o.wc_order_id.map(|id| id.to_string()).unwrap_or_default(),
            o.status.clone(),
        ];
        for amount in [
            o.sales,
            o.shipping,
            o.taxes,
            o.refunds,
            o.refund_taxes,
            o.commissions,
            o.commission_vat,
            o.fees,
            o.net,
        ] {
            record.push(text(amount));
        }
        out.write_record(&record).map_err(csv_error)?;
    }
    finish(out)
}

/// The month's ledger, matched to shop orders: one row per Mirakl transaction dated in the
/// month (UTC), oldest first. Voided transactions are included with their payment state
/// `NOT_APPLICABLE` so the export ties to Mirakl's own log. The `account` column is empty; see
/// [`ledger_csv_with_accounts`].
pub fn ledger_csv(store: &Store, year: i32, month: u32) -> Result<String, FinanceError> {
    ledger_csv_with_accounts(store, year, month, &FinanceSettings::default())
}

/// As [`ledger_csv`], with commission rows (fee, VAT and their refunds) posted to
/// [`FinanceSettings::commission_account`] in the `account` column.
pub fn ledger_csv_with_accounts(
    store: &Store,
    year: i32,
    month: u32,
    settings: &FinanceSettings,
) -> Result<String, FinanceError> {
    month_bounds(year, month)?;
    let period = format!("{year:04}-{month:02}");
    let conn = db::open(store)?;
    let mut stmt = conn.prepare(
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
    )?;
    let mut out = writer();
    out.write_record([
        "date",
        "document_number",
        "payout_reference",
        "transaction_id",
        "order_id",
        "wc_order_id",
        "line_id",
        "refund_id",
        "type",
        "category",
        "description",
        "debit",
        "credit",
        "currency",
        "payment_state",
        "billing_cycle",
        "account",
    ])
    .map_err(csv_error)?;
    let mut rows = stmt.query([period])?;
    while let Some(row) = rows.next()? {
        let date = crate::store::from_ms(row.get(0)?)
            .format("%Y-%m-%d")
            .to_string();
        let number: Option<String> = row.get(1)?;
        let document_id: Option<String> = row.get(2)?;
        let reference: Option<String> = row.get(3)?;
        let amount = from_e4(row.get(12)?);
        let (debit, credit) = if amount.is_sign_negative() && !amount.is_zero() {
            (text(-amount), String::new())
        } else {
            (String::new(), text(amount))
        };
        let wc_order_id: Option<i64> = row.get(6)?;
        let category: String = row.get(10)?;
        let account = match Category::parse(&category) {
            Category::Commission
            | Category::CommissionVat
            | Category::RefundCommission
            | Category::RefundCommissionVat => settings.commission_account.clone(),
            _ => String::new(),
        };
        let record: [String; 17] = [
            date,
            number.or(document_id).unwrap_or_default(),
            reference.unwrap_or_default(),
            row.get(4)?,
            row.get::<_, Option<String>>(5)?.unwrap_or_default(),
            wc_order_id.map(|id| id.to_string()).unwrap_or_default(),
            row.get::<_, Option<String>>(7)?.unwrap_or_default(),
            row.get::<_, Option<String>>(8)?.unwrap_or_default(),
            row.get(9)?,
            category,
            row.get::<_, Option<String>>(11)?.unwrap_or_default(),
            debit,
            credit,
            row.get(13)?,
            row.get::<_, Option<String>>(14)?.unwrap_or_default(),
            row.get::<_, Option<String>>(15)?.unwrap_or_default(),
            account,
        ];
        out.write_record(&record).map_err(csv_error)?;
    }
    finish(out)
}
