//! Month-end report and payout reconciliation, read from the imported ledger with exact sums
//! in SQL. Figures are per currency and signed from the seller's view (module docs of
//! [`crate::finance`]); nothing here calls Mirakl or writes.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::db;
use super::money::from_e4;
use super::types::Category;
use super::FinanceError;
use crate::store::Store;

const LIVE: &str = "(payment_state IS NULL OR payment_state != 'NOT_APPLICABLE')";

/// The report line a category is summed into (also the payout line labels).
pub(crate) fn group_of(category: Category) -> &'static str {
    match category {
        Category::Sale | Category::SaleTax | Category::Shipping | Category::ShippingTax => "orders",
        Category::Refund
        | Category::RefundTax
        | Category::RefundShipping
        | Category::RefundShippingTax => "refunds",
        Category::Commission | Category::RefundCommission => "commissions",
        Category::CommissionVat | Category::RefundCommissionVat => "commission_vat",
        Category::Fee => "fees",
        Category::Subscription => "subscriptions",
        Category::ManualCredit => "manual_credits",
        Category::ManualInvoice => "manual_invoices",
        Category::Operator => "operator",
        Category::Purchase => "purchases",
        Category::Reserve => "reserve",
        Category::Payment => "payments",
        Category::Unknown => "other",
    }
}

/// One month's figures in one currency. Amounts are decimal strings in JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CurrencyFigures {
    pub currency: String,
    /// ORDER_AMOUNT: sales without tax or shipping.
    pub gross_sales: Decimal,
    /// ORDER_SHIPPING_AMOUNT.
    pub shipping: Decimal,
    /// Taxes collected on sales and shipping.
    pub taxes: Decimal,
    /// Refunds to customers without tax (amount and shipping): negative.
    pub refunds: Decimal,
    /// Taxes of those refunds: negative.
    pub refund_taxes: Decimal,
    /// Commission fees net of refunded commission: negative.
    pub commissions: Decimal,
    /// VAT on commission net of refunded VAT: negative.
    pub commission_vat: Decimal,
    pub fees: Decimal,
    pub subscriptions: Decimal,
    pub manual_credits: Decimal,
    pub manual_invoices: Decimal,
    /// Operator-remitted taxes and operator-paid shipping.
    pub operator: Decimal,
    pub purchases: Decimal,
    pub reserve: Decimal,
    /// Transaction types this version does not know.
    pub other: Decimal,
    /// Everything Mirakl credited minus everything it debited this month, payouts aside.
    pub net_revenue: Decimal,
    /// Payouts to the seller's bank dated this month (positive).
    pub payouts_received: Decimal,
    /// What the marketplace owed at the start of the month.
    pub opening_balance: Decimal,
    /// What the marketplace still owes at the end of the month:
    /// `opening_balance + net_revenue − payouts_received`.
    pub balance_owed: Decimal,
    /// Of the transactions dated up to the month's end, those still PENDING / PAYABLE (as of
    /// the last import).
    pub pending: Decimal,
    pub payable: Decimal,
    /// Order amounts voided by cancellation this month (not in any figure above).
    pub cancelled_sales: Decimal,
    pub transactions: u64,
    pub orders: u64,
    pub payouts: u64,
}

/// A drill-down row: one order's transactions this month.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrderRow {
    pub mirakl_order_id: String,
    pub wc_order_id: Option<i64>,
    pub currency: String,
    /// Last matching result: matched, mismatch, awaiting, cancelled, unknown_order, no_expected,
    /// or `not_matched` before any matching run.
    pub status: String,
    pub sales: Decimal,
    pub shipping: Decimal,
    pub taxes: Decimal,
    pub refunds: Decimal,
    pub refund_taxes: Decimal,
    pub commissions: Decimal,
    pub commission_vat: Decimal,
    pub fees: Decimal,
    pub net: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthEndReport {
    pub year: i32,
    pub month: u32,
    /// `YYYY-MM`.
    pub period: String,
    pub from: DateTime<Utc>,
    /// Exclusive.
    pub to: DateTime<Utc>,
    pub currencies: Vec<CurrencyFigures>,
    pub orders: Vec<OrderRow>,
}

pub(crate) fn month_bounds(
    year: i32,
    month: u32,
) -> Result<(DateTime<Utc>, DateTime<Utc>), FinanceError> {
    let invalid =
        || FinanceError::InvalidArgument(format!("month: {year}-{month:02} is not a valid month"));
    if !(1..=12).contains(&month) {
        return Err(invalid());
    }
    let from = Utc
        .with_ymd_and_hms(year, month, 1, 0, 0, 0)
        .single()
        .ok_or_else(invalid)?;
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let to = Utc
        .with_ymd_and_hms(next_year, next_month, 1, 0, 0, 0)
        .single()
        .ok_or_else(invalid)?;
    Ok((from, to))
}

fn add(figures: &mut CurrencyFigures, category: Category, amount: Decimal) {
    let slot = match category {
        Category::Sale => &mut figures.gross_sales,
        Category::Shipping => &mut figures.shipping,
        Category::SaleTax | Category::ShippingTax => &mut figures.taxes,
        Category::Refund | Category::RefundShipping => &mut figures.refunds,
        Category::RefundTax | Category::RefundShippingTax => &mut figures.refund_taxes,
        Category::Commission | Category::RefundCommission => &mut figures.commissions,
        Category::CommissionVat | Category::RefundCommissionVat => &mut figures.commission_vat,
        Category::Fee => &mut figures.fees,
        Category::Subscription => &mut figures.subscriptions,
        Category::ManualCredit => &mut figures.manual_credits,
        Category::ManualInvoice => &mut figures.manual_invoices,
        Category::Operator => &mut figures.operator,
        Category::Purchase => &mut figures.purchases,
        Category::Reserve => &mut figures.reserve,
        Category::Unknown => &mut figures.other,
        Category::Payment => {
            figures.payouts_received -= amount;
            return;
        }
    };
    *slot += amount;
    figures.net_revenue += amount;
}

/// The month-end report for `year`-`month` (UTC), every currency or only `currency`, with its
/// drill-down rows per order.
pub fn month_end_report(
    store: &Store,
    year: i32,
    month: u32,
    currency: Option<&str>,
) -> Result<MonthEndReport, FinanceError> {
    build_report(store, year, month, currency, true)
}

/// The month-end figures without the per-order rows (`orders` is empty; each currency's
/// `orders` count is still given): what a dashboard needs on every page view.
pub fn month_end_summary(
    store: &Store,
    year: i32,
    month: u32,
    currency: Option<&str>,
) -> Result<MonthEndReport, FinanceError> {
    build_report(store, year, month, currency, false)
}

fn figures_for<'a>(
    figures: &'a mut BTreeMap<String, CurrencyFigures>,
    currency: &str,
) -> &'a mut CurrencyFigures {
    figures
        .entry(currency.to_owned())
        .or_insert_with(|| CurrencyFigures {
            currency: currency.to_owned(),
            ..CurrencyFigures::default()
        })
}

/// Adds a live, non-payment amount to the pending or payable total by its payment state.
fn add_open(figures: &mut CurrencyFigures, state: Option<&str>, amount: Decimal) {
    match state {
        Some("PENDING") => figures.pending += amount,
        Some("PAYABLE") => figures.payable += amount,
        _ => {}
    }
}

fn build_report(
    store: &Store,
    year: i32,
    month: u32,
    currency: Option<&str>,
    with_orders: bool,
) -> Result<MonthEndReport, FinanceError> {
    let (from, to) = month_bounds(year, month)?;
    let period = format!("{year:04}-{month:02}");
    let conn = db::open(store)?;
    let mut figures: BTreeMap<String, CurrencyFigures> = BTreeMap::new();

    // Earlier months, summed in SQL: the opening balance and what is still pending or payable.
    {
        let mut stmt = conn.prepare_cached(
            "SELECT currency, payment_state, category = 'payment', SUM(amount_e4)
             FROM finance_transactions WHERE period < ?1 AND (?2 IS NULL OR currency = ?2)
             GROUP BY 1, 2, 3",
        )?;
        let mut rows = stmt.query(rusqlite::params![period, currency])?;
        while let Some(row) = rows.next()? {
            let code: String = row.get(0)?;
            let state: Option<String> = row.get(1)?;
            let is_payment: bool = row.get(2)?;
            let amount = from_e4(row.get(3)?);
            if state.as_deref() == Some("NOT_APPLICABLE") || amount.is_zero() {
                continue;
            }
            let f = figures_for(&mut figures, &code);
            f.opening_balance += amount;
            if !is_payment {
                add_open(f, state.as_deref(), amount);
            }
        }
    }

    // This month, row by row from the covering index: figures per currency and per order.
    let wc_ids: HashMap<String, Option<i64>> = if with_orders {
        let mut stmt = conn
            .prepare_cached("SELECT mirakl_order_id, wc_order_id FROM finance_expected_orders")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    } else {
        HashMap::new()
    };
    let statuses: HashMap<String, String> = if with_orders {
        let mut stmt =
            conn.prepare_cached("SELECT mirakl_order_id, status FROM finance_order_status")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    } else {
        HashMap::new()
    };
    let mut orders: HashMap<(String, String), OrderRow> = HashMap::new();
    let mut currency_of_orders: HashMap<String, std::collections::HashSet<String>> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT currency, payment_state, category, order_id, amount_e4
             FROM finance_transactions WHERE period = ?1 AND (?2 IS NULL OR currency = ?2)",
        )?;
        let mut rows = stmt.query(rusqlite::params![period, currency])?;
        while let Some(row) = rows.next()? {
            let code: String = row.get(0)?;
            let state: Option<String> = row.get(1)?;
            let category = Category::parse(row.get_ref(2)?.as_str().unwrap_or_default());
            let order_id: Option<String> = row.get(3)?;
            let amount = from_e4(row.get(4)?);
            let f = figures_for(&mut figures, &code);
            if state.as_deref() == Some("NOT_APPLICABLE") {
                if matches!(
                    category,
                    Category::Sale | Category::SaleTax | Category::Shipping | Category::ShippingTax
                ) {
                    f.cancelled_sales += amount;
                }
                continue;
            }
            f.transactions += 1;
            if category == Category::Payment {
                f.payouts += 1;
            } else {
                add_open(f, state.as_deref(), amount);
            }
            add(f, category, amount);
            let Some(order_id) = order_id else { continue };
            if category == Category::Sale && !amount.is_zero() {
                currency_of_orders
                    .entry(code.clone())
                    .or_default()
                    .insert(order_id.clone());
            }
            if !with_orders || category == Category::Payment {
                continue;
            }
            let order = orders
                .entry((order_id.clone(), code.clone()))
                .or_insert_with(|| OrderRow {
                    wc_order_id: wc_ids.get(&order_id).copied().flatten(),
                    status: statuses
                        .get(&order_id)
                        .cloned()
                        .unwrap_or_else(|| "not_matched".to_owned()),
                    mirakl_order_id: order_id,
                    currency: code,
                    ..OrderRow::default()
                });
            let slot = match category {
                Category::Sale => &mut order.sales,
                Category::Shipping => &mut order.shipping,
                Category::SaleTax | Category::ShippingTax => &mut order.taxes,
                Category::Refund | Category::RefundShipping => &mut order.refunds,
                Category::RefundTax | Category::RefundShippingTax => &mut order.refund_taxes,
                Category::Commission | Category::RefundCommission => &mut order.commissions,
                Category::CommissionVat | Category::RefundCommissionVat => {
                    &mut order.commission_vat
                }
                _ => &mut order.fees,
            };
            *slot += amount;
            order.net += amount;
        }
    }
    for (code, ids) in currency_of_orders {
        figures_for(&mut figures, &code).orders = ids.len() as u64;
    }
    let mut orders: Vec<OrderRow> = orders.into_values().collect();
    orders
        .sort_by(|a, b| (&a.mirakl_order_id, &a.currency).cmp(&(&b.mirakl_order_id, &b.currency)));
    let currencies = figures
        .into_values()
        .map(|mut f| {
            f.balance_owed = f.opening_balance + f.net_revenue - f.payouts_received;
            f
        })
        .collect();
    Ok(MonthEndReport {
        year,
        month,
        period,
        from,
        to,
        currencies,
        orders,
    })
}

/// Which payouts to reconcile; every `None` matches all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PayoutFilter {
    pub currency: Option<String>,
    /// Payouts dated from (inclusive) ...
    pub from: Option<DateTime<Utc>>,
    /// ... to (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// One accounting document (id or number).
    pub document: Option<String>,
    /// List the settled order ids in each reconciliation.
    pub include_orders: bool,
}

/// What one payout settles, by report line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayoutLine {
    /// orders, refunds, commissions, commission_vat, fees, subscriptions, manual_credits,
    /// manual_invoices, operator, purchases, reserve, other.
    pub line: String,
    pub transactions: u64,
    pub amount: Decimal,
}

/// One payout and what it settles: expected net, amount paid, difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayoutReconciliation {
    /// The PAYMENT transaction's id.
    pub transaction_id: String,
    pub date: DateTime<Utc>,
    pub currency: String,
    pub accounting_document_id: Option<String>,
    pub accounting_document_number: Option<String>,
    pub seller_billing_cycle_id: Option<String>,
    /// The bank reference (IV01 payment reference or SBC11 pay-out reference) when known.
    pub payout_reference: Option<String>,
    pub lines: Vec<PayoutLine>,
    /// Sum of the settled transactions.
    pub expected_net: Decimal,
    /// What the payout transferred (positive).
    pub amount_paid: Decimal,
    /// `amount_paid − expected_net`.
    pub difference: Decimal,
    pub reconciled: bool,
    /// The accounting document's `amount_transferred`, when imported.
    pub document_amount_transferred: Option<Decimal>,
    /// The billing cycle's `amount_transferred_to_seller`, when imported.
    pub billing_cycle_amount_transferred: Option<Decimal>,
    /// Number of distinct orders settled.
    pub orders: u64,
    pub order_ids: Vec<String>,
    /// Line-by-line explanation of a non-zero difference (or of other sources disagreeing).
    pub explanation: Vec<String>,
}

/// Reconciles every payout matching `filter`, oldest first.
pub fn payouts(
    store: &Store,
    filter: &PayoutFilter,
) -> Result<Vec<PayoutReconciliation>, FinanceError> {
    let conn = db::open(store)?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, amount_e4, currency, transaction_date, accounting_document_id,
                accounting_document_number, seller_billing_cycle_id
         FROM finance_transactions
         WHERE category = 'payment' AND (?1 IS NULL OR currency = ?1)
           AND (?2 IS NULL OR transaction_date >= ?2) AND (?3 IS NULL OR transaction_date < ?3)
           AND (?4 IS NULL OR accounting_document_id = ?4 OR accounting_document_number = ?4)
         ORDER BY transaction_date, id",
    )?;
    type PaymentRow = (
        String,
        i64,
        String,
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let payments: Vec<PaymentRow> = stmt
        .query_map(
            rusqlite::params![
                filter.currency,
                filter.from.map(|d| d.timestamp_millis()),
                filter.to.map(|d| d.timestamp_millis()),
                filter.document
            ],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                ))
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(payments.len());
    for (id, amount, currency, date, document_id, document_number, cycle_id) in payments {
        // Settled rows: same accounting document, else same billing cycle.
        let (column, key) = match (&document_id, &cycle_id) {
            (Some(document), _) => ("accounting_document_id", document.clone()),
            (None, Some(cycle)) => ("seller_billing_cycle_id", cycle.clone()),
            (None, None) => ("id", String::new()),
        };
        let sql = format!(
            "SELECT category, payment_state IS 'PAID', SUM(amount_e4), COUNT(*) FROM finance_transactions
             WHERE {column} = ?1 AND category != 'payment' AND currency = ?2 AND {LIVE}
             GROUP BY 1, 2"
        );
        let mut by_line: BTreeMap<&'static str, (u64, i64)> = BTreeMap::new();
        let mut unpaid: (u64, i64) = (0, 0);
        {
            let mut stmt = conn.prepare_cached(&sql)?;
            let mut rows = stmt.query(rusqlite::params![key, currency])?;
            while let Some(row) = rows.next()? {
                let category = Category::parse(&row.get::<_, String>(0)?);
                let paid: bool = row.get(1)?;
                let sum: i64 = row.get(2)?;
                let count = u64::try_from(row.get::<_, i64>(3)?).unwrap_or_default();
                let entry = by_line.entry(group_of(category)).or_default();
                entry.0 += count;
                entry.1 += sum;
                if !paid {
                    unpaid.0 += count;
                    unpaid.1 += sum;
                }
            }
        }
        let order_ids: Vec<String> = {
            let sql = format!(
                "SELECT DISTINCT order_id FROM finance_transactions
                 WHERE {column} = ?1 AND order_id IS NOT NULL AND currency = ?2 AND {LIVE} ORDER BY 1"
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params![key, currency], |row| row.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let document: Option<(Option<i64>, Option<String>)> = match (&document_id, &document_number)
        {
            (None, None) => None,
            _ => conn
                .prepare_cached(
                    "SELECT amount_transferred_e4, payment_reference FROM finance_documents
                     WHERE invoice_id = ?1 OR document_number = ?2 OR invoice_id = ?2 LIMIT 1",
                )?
                .query_row(rusqlite::params![document_id, document_number], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .ok(),
        };
        let cycle: Option<(Option<i64>, Option<String>)> = match &cycle_id {
            None => None,
            Some(cycle) => conn
                .prepare_cached(
                    "SELECT amount_transferred_to_seller_e4, pay_out_reference FROM finance_billing_cycles WHERE id = ?1",
                )?
                .query_row([cycle], |row| Ok((row.get(0)?, row.get(1)?)))
                .ok(),
        };
        let expected_e4: i64 = by_line.values().map(|(_, sum)| sum).sum();
        let paid_e4 = -amount;
        let difference_e4 = paid_e4 - expected_e4;
        let mut explanation = Vec::new();
        if difference_e4 != 0 {
            explanation.push(format!(
                "paid {} but the settled transactions sum to {}: difference {}",
                from_e4(paid_e4),
                from_e4(expected_e4),
                from_e4(difference_e4)
            ));
            if unpaid.0 > 0 {
                explanation.push(format!(
                    "{} settled transaction(s) totalling {} are not marked PAID yet (re-import to refresh)",
                    unpaid.0,
                    from_e4(unpaid.1)
                ));
            }
            if unpaid.0 > 0 && unpaid.1 == -difference_e4 {
                explanation.push("the whole difference is those transactions: Mirakl kept them for a later payout".to_owned());
            }
            if column == "id" {
                explanation.push("the payout names no accounting document or billing cycle: its settled transactions cannot be listed".to_owned());
            }
        }
        let document_amount = document
            .as_ref()
            .and_then(|(amount, _)| amount.map(from_e4));
        if let Some(transferred) = document_amount {
            if transferred != from_e4(paid_e4) {
                explanation.push(format!(
                    "the accounting document says {transferred} was transferred, the PAYMENT transaction {}",
                    from_e4(paid_e4)
                ));
            }
        }
        let cycle_amount = cycle.as_ref().and_then(|(amount, _)| amount.map(from_e4));
        let payout_reference = document
            .and_then(|(_, reference)| reference)
            .or_else(|| cycle.and_then(|(_, reference)| reference))
            .or_else(|| document_number.clone());
        out.push(PayoutReconciliation {
            transaction_id: id,
            date: crate::store::from_ms(date),
            currency,
            accounting_document_id: document_id,
            accounting_document_number: document_number,
            seller_billing_cycle_id: cycle_id,
            payout_reference,
            lines: by_line
                .into_iter()
                .map(|(line, (count, sum))| PayoutLine {
                    line: line.to_owned(),
                    transactions: count,
                    amount: from_e4(sum),
                })
                .collect(),
            expected_net: from_e4(expected_e4),
            amount_paid: from_e4(paid_e4),
            difference: from_e4(difference_e4),
            reconciled: difference_e4 == 0,
            document_amount_transferred: document_amount,
            billing_cycle_amount_transferred: cycle_amount,
            orders: order_ids.len() as u64,
            order_ids: if filter.include_orders {
                order_ids
            } else {
                Vec::new()
            },
            explanation,
        });
    }
    Ok(out)
}
