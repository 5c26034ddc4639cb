//! What only WooCommerce knows about a marketplace order, reported by the plugin before each
//! match: the line, shipping and refund figures as they stand now (a merchant may edit them) and
//! the order total WooCommerce computed. The core folds them into the expected order the engine
//! recorded ([`crate::sync::expected`]) and checks that WooCommerce's total still adds up to
//! them; the plugin reads and never computes.
//!
//! Rules: a line's amount and tax are WooCommerce's; WooCommerce keeps one shipping line while
//! Mirakl books shipping per order line, so its shipping is split the way the marketplace did
//! (the engine's recorded split, else the line meta written at creation, else by quantity), in
//! whole coins; the commission is the one seen at order time; a refund whose amount is not
//! itemised counts in full under `amount`. An order total that differs from lines, shipping,
//! taxes and the commission fee line by more than the rounding tolerance is a
//! `finance_shop_total_mismatch` problem on the shop order, resolved once it adds up again.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::matching::validate_expected;
use super::{FinanceError, FinanceSettings};
use crate::store::{NewProblem, ProblemFilter, ProblemState, Severity, Store};
use crate::sync::expected::{self, ExpectedLine, ExpectedOrder, ExpectedRefund};
use crate::vocab::{EntityType, ProblemKind};

/// One marketplace order as WooCommerce has it now. Amounts are WooCommerce's own decimal
/// strings (refund items negative, as WooCommerce stores them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopOrderReport {
    pub mirakl_order_id: String,
    pub wc_order_id: i64,
    pub currency: String,
    /// The order's status is cancelled in WooCommerce.
    #[serde(default)]
    pub cancelled: bool,
    /// Whether the order's amounts were given tax included.
    #[serde(default)]
    pub prices_include_tax: bool,
    /// WooCommerce's price decimals (what figures are rounded to).
    #[serde(default = "two")]
    pub decimals: u32,
    /// The order total as WooCommerce computed it.
    pub total: Decimal,
    #[serde(default)]
    pub lines: Vec<ReportedLine>,
    /// The order's shipping items.
    #[serde(default)]
    pub shipping: Vec<ReportedItem>,
    /// The commission fee line's total, when the order has one.
    #[serde(default)]
    pub commission_fee_line: Option<Decimal>,
    #[serde(default)]
    pub refunds: Vec<ReportedRefund>,
}

fn two() -> u32 {
    2
}

/// A line item of a marketplace order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportedLine {
    pub mirakl_order_line_id: String,
    #[serde(default)]
    pub quantity: i64,
    /// The line's total without tax.
    pub amount: Decimal,
    #[serde(default)]
    pub tax: Decimal,
    /// The line meta written at creation: shipping and its tax as the marketplace split them.
    #[serde(default)]
    pub shipping: Option<Decimal>,
    #[serde(default)]
    pub shipping_tax: Option<Decimal>,
    /// The line meta written at creation: the commission seen in OR11.
    #[serde(default)]
    pub commission_fee: Decimal,
    #[serde(default)]
    pub commission_vat: Decimal,
}

/// A shipping item, or a refund's line or shipping item: total without tax and its tax.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ReportedItem {
    pub amount: Decimal,
    #[serde(default)]
    pub tax: Decimal,
}

/// A refund of the order as WooCommerce holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportedRefund {
    pub wc_refund_id: i64,
    /// The refund's `_mirakl_refund_id` meta as stored (comma separated; empty for one made in
    /// WooCommerce).
    #[serde(default)]
    pub mirakl_refund_id: String,
    /// The refund's amount.
    pub total: Decimal,
    #[serde(default)]
    pub lines: Vec<ReportedItem>,
    #[serde(default)]
    pub shipping: Vec<ReportedItem>,
}

/// Rounded half away from zero to `decimals`, shown with exactly that many.
fn money(value: Decimal, decimals: u32) -> Decimal {
    let mut rounded =
        value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(decimals);
    rounded
}

/// Splits `amount` in proportion to `weights` in whole coins of `decimals` places, the remainder
/// going to the largest fractions (the first of equal ones), so the shares add up exactly. All
/// weights zero (or none positive) share equally.
pub fn allocate(amount: Decimal, weights: &[Decimal], decimals: u32) -> Vec<Decimal> {
    if weights.is_empty() {
        return Vec::new();
    }
    let mut weights: Vec<Decimal> = weights.iter().map(|w| (*w).max(Decimal::ZERO)).collect();
    let mut total: Decimal = weights.iter().sum();
    if total <= Decimal::ZERO {
        weights = vec![Decimal::ONE; weights.len()];
        total = Decimal::from(weights.len());
    }
    let scale = Decimal::from(10_i64.pow(decimals.min(9)));
    let coins = (amount.abs() * scale)
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(0);
    let mut shares = Vec::with_capacity(weights.len());
    let mut rests = Vec::with_capacity(weights.len());
    let mut given = 0_i64;
    for weight in &weights {
        let exact = Decimal::from(coins) * *weight / total;
        let share = exact.floor();
        shares.push(share.to_i64().unwrap_or(0));
        rests.push(exact - share);
        given += share.to_i64().unwrap_or(0);
    }
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| rests[*b].cmp(&rests[*a]));
    for index in order {
        if given >= coins {
            break;
        }
        shares[index] += 1;
        given += 1;
    }
    let sign = if amount.is_sign_negative() {
        -Decimal::ONE
    } else {
        Decimal::ONE
    };
    shares
        .into_iter()
        .map(|coins| {
            let mut share = sign * Decimal::from(coins) / scale;
            share.rescale(decimals);
            share
        })
        .collect()
}

impl ShopOrderReport {
    /// The expected order: WooCommerce's figures, with what the engine recorded (`recorded`)
    /// for what WooCommerce cannot say (the marketplace's shipping split, the commission).
    pub fn expected(&self, recorded: Option<&ExpectedOrder>) -> ExpectedOrder {
        let dp = self.decimals.min(6);
        let recorded_line =
            |id: &str| recorded.and_then(|r| r.lines.iter().find(|l| l.mirakl_order_line_id == id));
        let mut lines: Vec<ExpectedLine> = self
            .lines
            .iter()
            .map(|line| {
                let known = recorded_line(&line.mirakl_order_line_id);
                ExpectedLine {
                    mirakl_order_line_id: line.mirakl_order_line_id.clone(),
                    amount: money(line.amount, dp),
                    shipping: Decimal::ZERO,
                    tax: money(line.tax, dp),
                    shipping_tax: Decimal::ZERO,
                    commission_fee: money(
                        known.map_or(line.commission_fee, |k| k.commission_fee),
                        dp,
                    ),
                    commission_vat: money(
                        known.map_or(line.commission_vat, |k| k.commission_vat),
                        dp,
                    ),
                }
            })
            .collect();

        let split = |pick: &dyn Fn(&ExpectedLine) -> Decimal,
                     meta: &dyn Fn(&ReportedLine) -> Option<Decimal>| {
            let weights: Vec<Decimal> = self
                .lines
                .iter()
                .map(|line| {
                    recorded_line(&line.mirakl_order_line_id)
                        .map(pick)
                        .or_else(|| meta(line))
                        .unwrap_or_default()
                })
                .collect();
            (weights.iter().sum::<Decimal>() > Decimal::ZERO).then_some(weights)
        };
        let quantities: Vec<Decimal> = self
            .lines
            .iter()
            .map(|l| Decimal::from(l.quantity.max(0)))
            .collect();
        let shipping_weights =
            split(&|l| l.shipping, &|l| l.shipping).unwrap_or_else(|| quantities.clone());
        let tax_weights = split(&|l| l.shipping_tax, &|l| l.shipping_tax)
            .unwrap_or_else(|| shipping_weights.clone());
        let shipping: Decimal = self.shipping.iter().map(|s| s.amount).sum();
        let shipping_tax: Decimal = self.shipping.iter().map(|s| s.tax).sum();
        for (line, share) in lines
            .iter_mut()
            .zip(allocate(shipping, &shipping_weights, dp))
        {
            line.shipping = share;
        }
        for (line, share) in lines
            .iter_mut()
            .zip(allocate(shipping_tax, &tax_weights, dp))
        {
            line.shipping_tax = share;
        }

        let refunds = self
            .refunds
            .iter()
            .map(|refund| {
                let sum = |items: &[ReportedItem], tax: bool| -> Decimal {
                    items
                        .iter()
                        .map(|i| if tax { i.tax.abs() } else { i.amount.abs() })
                        .sum()
                };
                let mut amount = sum(&refund.lines, false);
                let tax = sum(&refund.lines, true);
                let shipping = sum(&refund.shipping, false);
                let shipping_tax = sum(&refund.shipping, true);
                let itemised = amount + tax + shipping + shipping_tax;
                if refund.total.abs() > itemised {
                    // A refund of an amount only: its whole gross is compared.
                    amount += refund.total.abs() - itemised;
                }
                let mut ids: Vec<String> = refund
                    .mirakl_refund_id
                    .split(',')
                    .map(str::trim)
                    .filter(|id| !id.is_empty())
                    .map(str::to_owned)
                    .collect();
                if ids.is_empty() {
                    ids = recorded
                        .and_then(|r| {
                            r.refunds
                                .iter()
                                .find(|k| k.wc_refund_id == refund.wc_refund_id)
                        })
                        .map(|k| k.mirakl_refund_ids.clone())
                        .unwrap_or_default();
                }
                ExpectedRefund {
                    wc_refund_id: refund.wc_refund_id,
                    mirakl_refund_ids: ids,
                    amount: money(amount, dp),
                    shipping: money(shipping, dp),
                    tax: money(tax, dp),
                    shipping_tax: money(shipping_tax, dp),
                }
            })
            .collect();

        ExpectedOrder {
            mirakl_order_id: self.mirakl_order_id.clone(),
            wc_order_id: Some(self.wc_order_id),
            currency: self.currency.clone(),
            cancelled: self.cancelled,
            lines,
            refunds,
            prices_include_tax: self.prices_include_tax,
            commission_fee_line: recorded
                .map(|r| r.commission_fee_line)
                .filter(|fee| !fee.is_zero())
                .or(self.commission_fee_line)
                .map_or(Decimal::ZERO, |fee| money(fee, dp)),
            cancelations: recorded.map(|r| r.cancelations.clone()).unwrap_or_default(),
        }
    }
}

/// What a report of shop orders did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ShopOrdersReport {
    /// Orders whose expected side was brought up to date.
    pub recorded: u64,
    /// Orders whose WooCommerce total does not add up to their figures.
    pub total_mismatches: u64,
}

/// Brings the expected orders up to date with what WooCommerce reports (all or nothing), then
/// raises or resolves `finance_shop_total_mismatch` for each.
pub fn record_shop_orders(
    store: &Store,
    settings: &FinanceSettings,
    reports: &[ShopOrderReport],
) -> Result<ShopOrdersReport, FinanceError> {
    let mut orders = Vec::with_capacity(reports.len());
    for report in reports {
        let recorded = expected::expected_order(store, &report.mirakl_order_id)?;
        let order = report.expected(recorded.as_ref());
        validate_expected(&order)?;
        orders.push(order);
    }
    expected::save(store, &orders)?;

    let mut outcome = ShopOrdersReport {
        recorded: u64::try_from(orders.len()).unwrap_or(u64::MAX),
        total_mismatches: 0,
    };
    for (report, order) in reports.iter().zip(&orders) {
        let entity = report.wc_order_id.to_string();
        let figures = order.shop_total();
        let total = money(report.total, report.decimals.min(6));
        if (figures - total).abs() > settings.rounding_tolerance {
            outcome.total_mismatches += 1;
            store.raise_problem(
                &NewProblem::new(
                    ProblemKind::FinanceShopTotalMismatch,
                    EntityType::ShopOrder,
                    entity,
                    format!(
                        "WooCommerce order {} totals {total} {} but its lines, shipping, taxes and \
                         commission fee line add up to {figures}",
                        report.wc_order_id, report.currency
                    ),
                )
                .severity(Severity::Warning)
                .details(serde_json::json!({
                    "mirakl_order_id": report.mirakl_order_id,
                    "wc_order_id": report.wc_order_id,
                    "currency": report.currency,
                    "shop_total": total.to_string(),
                    "figures": figures.to_string(),
                }))
                .hint(
                    "Something on the WooCommerce order (a fee, a discount, an edited total) is not \
                     part of the marketplace order: Mirakl pays what it sold. Recalculate or correct \
                     the order in WooCommerce.",
                ),
            )?;
        } else {
            for open in store.list_problems(&ProblemFilter {
                kind: Some(ProblemKind::FinanceShopTotalMismatch.as_str().to_owned()),
                state: Some(ProblemState::Open),
                entity_type: Some(EntityType::ShopOrder.as_str().to_owned()),
                entity_id: Some(entity),
                ..ProblemFilter::default()
            })? {
                store.resolve_problem(open.id)?;
            }
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn shipping_without_the_marketplace_split_is_shared_by_quantity_to_the_cent() {
        assert_eq!(
            allocate(d("10.00"), &[d("2"), d("1")], 2),
            [d("6.67"), d("3.33")]
        );
        assert_eq!(
            allocate(d("10.00"), &[d("1"), d("1"), d("1")], 2),
            [d("3.34"), d("3.33"), d("3.33")]
        );
        assert_eq!(
            allocate(d("12.25"), &[d("8.17"), d("4.08")], 2),
            [d("8.17"), d("4.08")]
        );
        assert_eq!(allocate(d("0"), &[d("0"), d("0")], 2), [d("0"), d("0")]);
        assert_eq!(
            allocate(d("-1.00"), &[d("1"), d("2")], 2),
            [d("-0.33"), d("-0.67")]
        );
    }

    #[test]
    fn a_refund_of_an_amount_only_counts_in_full_and_ids_are_split() {
        let report: ShopOrderReport = serde_json::from_value(serde_json::json!({
            "mirakl_order_id": "A-1", "wc_order_id": 5, "currency": "EUR", "total": "12.00",
            "lines": [{"mirakl_order_line_id": "A-1-1", "quantity": 1, "amount": "10", "tax": "2"}],
            "refunds": [{"wc_refund_id": 9, "mirakl_refund_id": "R1, R2", "total": "5.00",
                         "lines": [{"amount": "-2.00", "tax": "-0.40"}]}]
        }))
        .unwrap();
        let order = report.expected(None);
        assert_eq!(order.lines[0].amount.to_string(), "10.00");
        assert_eq!(order.refunds[0].amount.to_string(), "4.60");
        assert_eq!(order.refunds[0].tax.to_string(), "0.40");
        assert_eq!(order.refunds[0].mirakl_refund_ids, ["R1", "R2"]);
        assert_eq!(order.shop_total(), d("12.00"));
    }
}
