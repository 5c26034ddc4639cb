//! CSV exports an accountant can import: the month-end summary (one row per currency), its
//! per-order drill-down, and the month's matched ledger (one row per Mirakl transaction), each
//! named by a [`CsvExport`] kind and made by [`month_csv`].
//!
//! Ledger columns `debit`/`credit` follow TL02: `credit` is what Mirakl credited to the seller's
//! balance, `debit` what it debited (both positive, one of them empty). Amounts use a dot and
//! at least two decimals; dates are UTC (`YYYY-MM-DD`).

use rust_decimal::Decimal;

use super::money::{from_e4, text};
use super::report::{month_bounds, month_end_report, month_end_summary, MonthEndReport};
use super::types::Category;
use super::{FinanceError, FinanceSettings};
use crate::store::Store;

/// The month CSVs, by the names the PHP layer asks for (`summary`, `orders`, `ledger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CsvExport {
    /// [`report_csv`]: the month-end figures per currency.
    Summary,
    /// [`report_orders_csv`]: one row per order and currency.
    Orders,
    /// [`ledger_csv_with_accounts`]: every transaction of the month, with accounts.
    Ledger,
}

impl CsvExport {
    pub const ALL: [CsvExport; 3] = [CsvExport::Summary, CsvExport::Orders, CsvExport::Ledger];

    /// The kind's name, as PHP passes it and as download file names carry it.
    pub fn as_str(self) -> &'static str {
        match self {
            CsvExport::Summary => "summary",
            CsvExport::Orders => "orders",
            CsvExport::Ledger => "ledger",
        }
    }
}

impl std::str::FromStr for CsvExport {
    type Err = FinanceError;

    /// Parses a kind's name; an unknown one is an invalid argument listing the known names.
    fn from_str(name: &str) -> Result<CsvExport, FinanceError> {
        CsvExport::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = CsvExport::ALL.iter().map(|k| k.as_str()).collect();
                let (last, first) = names.split_last().unwrap_or((&"", &[]));
                FinanceError::InvalidArgument(format!(
                    "kind: must be {} or {last}",
                    first.join(", ")
                ))
            })
    }
}

/// The CSV of `kind` for `year`-`month` (UTC): the summary and orders exports for `currency`
/// only when given, the ledger for every currency with its commission account from `settings`.
pub fn month_csv(
    store: &Store,
    kind: CsvExport,
    year: i32,
    month: u32,
    currency: Option<&str>,
    settings: &FinanceSettings,
) -> Result<String, FinanceError> {
    match kind {
        CsvExport::Summary => report_csv(&month_end_summary(store, year, month, currency)?),
        CsvExport::Orders => report_orders_csv(&month_end_report(store, year, month, currency)?),
        CsvExport::Ledger => ledger_csv_with_accounts(store, year, month, settings),
    }
}

/// The one CSV writer of the finance exports. Marketplace strings (order ids, document numbers,
/// descriptions) are untrusted: a cell that a spreadsheet would read as a formula (starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return) is written with a leading `'` so it shows as
/// text; plain numbers such as `-12.50` are numbers, not formulas, and stay as they are.
struct SheetWriter(csv::Writer<Vec<u8>>);

impl SheetWriter {
    fn new() -> SheetWriter {
        SheetWriter(csv::WriterBuilder::new().from_writer(Vec::new()))
    }

    fn write_record<I, T>(&mut self, record: I) -> Result<(), FinanceError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.0
            .write_record(
                record
                    .into_iter()
                    .map(|cell| safe_cell(cell.as_ref()).into_owned()),
            )
            .map_err(|e| FinanceError::Csv(e.to_string()))
    }

    fn finish(self) -> Result<String, FinanceError> {
        let bytes = self
            .0
            .into_inner()
            .map_err(|e| FinanceError::Csv(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| FinanceError::Csv(e.to_string()))
    }
}

/// `cell` as a spreadsheet shows it as text: prefixed with `'` when it starts with a formula
/// character and is not a plain number.
fn safe_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let formula_start = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let plain_number = cell.len() < 64 && cell.parse::<Decimal>().is_ok() && !cell.starts_with('+');
    if formula_start && !plain_number {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The summary: one row per currency.
pub fn report_csv(report: &MonthEndReport) -> Result<String, FinanceError> {
    let mut out = SheetWriter::new();
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
    ])?;
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
        out.write_record(&record)?;
    }
    out.finish()
}

/// The drill-down: one row per order and currency with transactions this month.
pub fn report_orders_csv(report: &MonthEndReport) -> Result<String, FinanceError> {
    let mut out = SheetWriter::new();
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
    ])?;
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
        out.write_record(&record)?;
    }
    out.finish()
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
    let mut out = SheetWriter::new();
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
    ])?;
    store.for_each_finance_ledger_line(&period, |line| -> Result<(), FinanceError> {
        let date = line.transaction_date.format("%Y-%m-%d").to_string();
        let amount = from_e4(line.amount_e4);
        let (debit, credit) = if amount.is_sign_negative() && !amount.is_zero() {
            (text(-amount), String::new())
        } else {
            (String::new(), text(amount))
        };
        let account = match Category::parse(&line.category) {
            Category::Commission
            | Category::CommissionVat
            | Category::RefundCommission
            | Category::RefundCommissionVat => settings.commission_account.clone(),
            _ => String::new(),
        };
        let record: [String; 17] = [
            date,
            line.accounting_document_number
                .or(line.accounting_document_id)
                .unwrap_or_default(),
            line.payout_reference.unwrap_or_default(),
            line.id,
            line.order_id.unwrap_or_default(),
            line.wc_order_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            line.order_line_id.unwrap_or_default(),
            line.refund_id.unwrap_or_default(),
            line.transaction_type,
            line.category,
            line.description.unwrap_or_default(),
            debit,
            credit,
            line.currency,
            line.payment_state.unwrap_or_default(),
            line.seller_billing_cycle_id.unwrap_or_default(),
            account,
        ];
        out.write_record(&record)
    })?;
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finance::report::OrderRow;
    use chrono::{TimeZone, Utc};

    #[test]
    fn a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text() {
        for hostile in [
            "=HYPERLINK(\"https://example.invalid\",\"x\")",
            "+SUM(A1:A9)",
            "-2+3",
            "@SUM(A1)",
            "=cmd|' /C calc'!A0",
            "\t=1",
            "\r=1",
            "+12.50",
        ] {
            assert_eq!(safe_cell(hostile), format!("'{hostile}"), "{hostile:?}");
        }
        for plain in ["-12.50", "12.50", "0.00", "ORD-1=2", "", "2025-02"] {
            assert_eq!(safe_cell(plain), plain, "{plain:?}");
        }
    }

    #[test]
    fn marketplace_strings_in_an_export_never_start_with_a_formula_character() {
        let report = MonthEndReport {
            year: 2025,
            month: 2,
            period: "2025-02".to_owned(),
            from: Utc.with_ymd_and_hms(2025, 2, 1, 0, 0, 0).unwrap(),
            to: Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap(),
            currencies: Vec::new(),
            orders: vec![OrderRow {
                mirakl_order_id: "=HYPERLINK(\"https://example.invalid\")".to_owned(),
                currency: "EUR".to_owned(),
                status: "@cmd".to_owned(),
                refunds: "-4.20".parse().unwrap(),
                ..OrderRow::default()
            }],
        };
        let csv = report_orders_csv(&report).unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[2], "'=HYPERLINK(\"https://example.invalid\")");
        assert_eq!(&row[4], "'@cmd");
        assert_eq!(&row[8], "-4.20", "a negative amount stays a number");
    }

    #[test]
    fn a_csv_export_is_parsed_from_its_name_and_an_unknown_name_is_refused() {
        for kind in CsvExport::ALL {
            assert_eq!(kind.as_str().parse::<CsvExport>().unwrap(), kind);
        }
        let error = "balance".parse::<CsvExport>().unwrap_err();
        assert!(
            matches!(error, FinanceError::InvalidArgument(_)),
            "{error:?}"
        );
        assert_eq!(error.to_string(), "kind: must be summary, orders or ledger");
    }
}
