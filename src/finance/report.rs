//! Month-end report and payout reconciliation, read from the imported ledger with exact sums
//! made by the store. Figures are per currency and signed from the seller's view (module docs of
//! [`crate::finance`]); nothing here calls Mirakl or writes.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::from_e4;
use super::types::Category;
use super::FinanceError;
use crate::store::{FinancePaymentQuery, SettledBy, Store};

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
    let mut figures: BTreeMap<String, CurrencyFigures> = BTreeMap::new();

    // Earlier months, summed by the store: the opening balance and what is still pending or
    // payable.
    for sum in store.finance_opening_sums(&period, currency)? {
        let amount = from_e4(sum.amount_e4);
        if sum.payment_state.as_deref() == Some("NOT_APPLICABLE") || amount.is_zero() {
            continue;
        }
        let f = figures_for(&mut figures, &sum.currency);
        f.opening_balance += amount;
        if !sum.is_payment {
            add_open(f, sum.payment_state.as_deref(), amount);
        }
    }

    // This month, row by row from the covering index: figures per currency and per order.
    let wc_ids: HashMap<String, Option<i64>> = if with_orders {
        store.finance_expected_wc_order_ids()?.into_iter().collect()
    } else {
        HashMap::new()
    };
    let statuses: HashMap<String, String> = if with_orders {
        store.finance_order_statuses()?.into_iter().collect()
    } else {
        HashMap::new()
    };
    let mut orders: HashMap<(String, String), OrderRow> = HashMap::new();
    let mut currency_of_orders: HashMap<String, std::collections::HashSet<String>> = HashMap::new();
    store.for_each_finance_period_row(&period, currency, |row| -> Result<(), FinanceError> {
        let code = row.currency;
        let state = row.payment_state;
        let category = Category::parse(&row.category);
        let amount = from_e4(row.amount_e4);
        let f = figures_for(&mut figures, &code);
        if state.as_deref() == Some("NOT_APPLICABLE") {
            if matches!(
                category,
                Category::Sale | Category::SaleTax | Category::Shipping | Category::ShippingTax
            ) {
                f.cancelled_sales += amount;
            }
            return Ok(());
        }
        f.transactions += 1;
        if category == Category::Payment {
            f.payouts += 1;
        } else {
            add_open(f, state.as_deref(), amount);
        }
        add(f, category, amount);
        let Some(order_id) = row.order_id else {
            return Ok(());
        };
        if category == Category::Sale && !amount.is_zero() {
            currency_of_orders
                .entry(code.clone())
                .or_default()
                .insert(order_id.clone());
        }
        if !with_orders || category == Category::Payment {
            return Ok(());
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
            Category::CommissionVat | Category::RefundCommissionVat => &mut order.commission_vat,
            _ => &mut order.fees,
        };
        *slot += amount;
        order.net += amount;
        Ok(())
    })?;
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
    let payments = store.finance_payments(&FinancePaymentQuery {
        currency: filter.currency.as_deref(),
        from: filter.from,
        to: filter.to,
        document: filter.document.as_deref(),
    })?;
    let mut out = Vec::with_capacity(payments.len());
    for payment in payments {
        let document_id = payment.accounting_document_id;
        let document_number = payment.accounting_document_number;
        let cycle_id = payment.seller_billing_cycle_id;
        let currency = payment.currency;
        // Settled rows: same accounting document, else same billing cycle.
        let settled_by = match (&document_id, &cycle_id) {
            (Some(document), _) => SettledBy::Document(document),
            (None, Some(cycle)) => SettledBy::BillingCycle(cycle),
            (None, None) => SettledBy::Nothing,
        };
        let mut by_line: BTreeMap<&'static str, (u64, i64)> = BTreeMap::new();
        let mut unpaid: (u64, i64) = (0, 0);
        for sum in store.finance_settled_sums(settled_by, &currency)? {
            let entry = by_line
                .entry(group_of(Category::parse(&sum.category)))
                .or_default();
            entry.0 += sum.transactions;
            entry.1 = entry.1.saturating_add(sum.amount_e4);
            if !sum.paid {
                unpaid.0 += sum.transactions;
                unpaid.1 = unpaid.1.saturating_add(sum.amount_e4);
            }
        }
        let order_ids = store.finance_settled_order_ids(settled_by, &currency)?;
        let document = match (&document_id, &document_number) {
            (None, None) => None,
            _ => store
                .finance_document_transfer(document_id.as_deref(), document_number.as_deref())?,
        };
        let cycle = match &cycle_id {
            None => None,
            Some(cycle) => store.finance_billing_cycle_transfer(cycle)?,
        };
        let expected_e4 = by_line
            .values()
            .fold(0_i64, |total, (_, sum)| total.saturating_add(*sum));
        let paid_e4 = payment.amount_e4.saturating_neg();
        let difference_e4 = paid_e4.saturating_sub(expected_e4);
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
            if settled_by == SettledBy::Nothing {
                explanation.push("the payout names no accounting document or billing cycle: its settled transactions cannot be listed".to_owned());
            }
        }
        let document_amount = document
            .as_ref()
            .and_then(|transfer| transfer.amount_e4.map(from_e4));
        if let Some(transferred) = document_amount {
            if transferred != from_e4(paid_e4) {
                explanation.push(format!(
                    "the accounting document says {transferred} was transferred, the PAYMENT transaction {}",
                    from_e4(paid_e4)
                ));
            }
        }
        let cycle_amount = cycle
            .as_ref()
            .and_then(|transfer| transfer.amount_e4.map(from_e4));
        let payout_reference = document
            .and_then(|transfer| transfer.reference)
            .or_else(|| cycle.and_then(|transfer| transfer.reference))
            .or_else(|| document_number.clone());
        out.push(PayoutReconciliation {
            transaction_id: payment.id,
            date: payment.transaction_date,
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
