//! Matching: each imported transaction is linked to its order (and refund) through Mirakl's
//! order, line and refund ids, and each order's Mirakl figures are compared with what
//! the shop says it is worth ([`ExpectedOrder`], recorded by the engine as it creates, cancels and
//! refunds shop orders, brought up to date with what WooCommerce reports: `shop_orders`).
//!
//! Invariants: a discrepancy is one open problem per (kind, entity), raised once however
//! often matching runs, and resolved automatically when a later run no longer finds it.
//! Voided (`NOT_APPLICABLE`) transactions are ignored; an order Mirakl has not debited yet
//! (no order amounts) is "awaiting", not a mismatch.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{json, Value};

use super::money::{from_e4, text};
use super::types::Category;
use super::{FinanceError, FinanceSettings};
use crate::store::{NewProblem, ProblemFilter, ProblemState, Severity, Store};
use crate::sync::expected;
pub use crate::sync::expected::{ExpectedLine, ExpectedOrder, ExpectedRefund};
use crate::vocab::{EntityType, ProblemKind};

/// Every problem kind matching raises (and resolves).
pub const PROBLEM_KINDS: [ProblemKind; 6] = [
    ProblemKind::FinanceUnknownOrder,
    ProblemKind::FinanceRefundMissingInMirakl,
    ProblemKind::FinanceRefundMissingInShop,
    ProblemKind::FinanceCommissionMismatch,
    ProblemKind::FinanceAmountMismatch,
    ProblemKind::FinanceUnknownTransactionType,
];

fn hint_for(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::FinanceUnknownOrder => {
            "Mirakl booked money on an order this shop has no record of. Look the order up in the Mirakl \
             back office: import it with the order sync, or mark this resolved if it belongs to another shop."
        }
        ProblemKind::FinanceRefundMissingInMirakl => {
            "WooCommerce has this refund but Mirakl has not booked it, so the customer may not have been \
             refunded on the marketplace. Check the refund job and the order's refunds in Mirakl; refund it \
             there if it is missing."
        }
        ProblemKind::FinanceRefundMissingInShop => {
            "Mirakl refunded the customer but WooCommerce has no matching refund. Record the refund on the \
             WooCommerce order (without paying it out again) so revenue and stock agree."
        }
        ProblemKind::FinanceCommissionMismatch => {
            "Mirakl charged a different commission than the order showed when it arrived. Compare with the \
             operator's commission rates and raise it with the operator if the charge is wrong."
        }
        ProblemKind::FinanceAmountMismatch => {
            "The amounts Mirakl booked differ from the WooCommerce order by more than the rounding \
             tolerance. Compare the figures listed in the details (lines, shipping, taxes, refunds) and \
             correct the WooCommerce order or contact the operator."
        }
        _ => {
            "Mirakl sent a transaction type this version does not know. It is kept and counted under \
             'other' in the month-end report; update the connector or classify it by hand."
        }
    }
}

/// Stores (or replaces) what the shop expects for one order.
pub fn record_expected_order(store: &Store, order: &ExpectedOrder) -> Result<(), FinanceError> {
    record_expected_orders(store, std::slice::from_ref(order))
}

/// Stores (or replaces) many orders in one transaction (a nightly batch); all or nothing.
pub fn record_expected_orders(store: &Store, orders: &[ExpectedOrder]) -> Result<(), FinanceError> {
    for order in orders {
        validate_expected(order)?;
    }
    Ok(expected::save(store, orders)?)
}

pub(crate) fn validate_expected(order: &ExpectedOrder) -> Result<(), FinanceError> {
    let invalid = |text: String| Err(FinanceError::InvalidArgument(text));
    if order.mirakl_order_id.trim().is_empty() {
        return invalid("mirakl_order_id: is required".to_owned());
    }
    if order.currency.trim().len() != 3 {
        return invalid(format!(
            "{}: currency: must be an ISO 4217 code",
            order.mirakl_order_id
        ));
    }
    if order
        .lines
        .iter()
        .any(|l| l.mirakl_order_line_id.trim().is_empty())
    {
        return invalid(format!(
            "{}: lines.mirakl_order_line_id: is required",
            order.mirakl_order_id
        ));
    }
    Ok(())
}

/// One discrepancy found by a matching run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discrepancy {
    pub kind: ProblemKind,
    pub entity_type: EntityType,
    pub entity_id: String,
    pub mirakl_order_id: Option<String>,
    pub wc_order_id: Option<i64>,
    pub message: String,
    pub hint: String,
    pub details: Value,
}

/// What a matching run found. JSON-serialisable.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MatchReport {
    /// Orders with Mirakl transactions or shop figures that were looked at.
    pub orders_checked: u64,
    pub orders_matched: u64,
    pub orders_mismatched: u64,
    /// Shop orders Mirakl has not debited yet (no order amounts booked).
    pub orders_awaiting: u64,
    /// Orders in the orders map with Mirakl transactions but no shop figures recorded yet.
    pub orders_without_expected: u64,
    pub discrepancies: Vec<Discrepancy>,
    /// New problems opened by this run.
    pub problems_raised: u64,
    /// Discrepancies already reported by an open problem (not raised again).
    pub problems_already_open: u64,
    /// Open finance problems closed because the discrepancy is gone.
    pub problems_resolved: u64,
}

/// Sums of one order line's order-time transactions, in ten-thousandths, seller's sign.
#[derive(Debug, Clone, Copy, Default)]
struct LineActual {
    sale: i64,
    sale_tax: i64,
    shipping: i64,
    shipping_tax: i64,
    commission: i64,
    commission_vat: i64,
    booked: bool,
}

#[derive(Debug, Default)]
struct OrderActual {
    currency: String,
    lines: BTreeMap<String, LineActual>,
    /// Refund id ("" when Mirakl gave none) → amount refunded to the customer (positive).
    refunds: BTreeMap<String, i64>,
}

impl OrderActual {
    fn booked(&self) -> bool {
        self.lines.values().any(|l| l.booked)
    }
}

fn load_actuals(store: &Store) -> Result<HashMap<String, OrderActual>, FinanceError> {
    let mut actuals: HashMap<String, OrderActual> = HashMap::new();
    for sum in store.finance_order_sums()? {
        let category = Category::parse(&sum.category);
        let order = actuals.entry(sum.order_id).or_default();
        if order.currency.is_empty() {
            order.currency = sum.currency;
        }
        if category.is_customer_refund() {
            *order
                .refunds
                .entry(sum.refund_id.unwrap_or_default())
                .or_default() -= sum.amount_e4;
            continue;
        }
        let line = order
            .lines
            .entry(sum.order_line_id.unwrap_or_default())
            .or_default();
        let slot = match category {
            Category::Sale => &mut line.sale,
            Category::SaleTax => &mut line.sale_tax,
            Category::Shipping => &mut line.shipping,
            Category::ShippingTax => &mut line.shipping_tax,
            Category::Commission => &mut line.commission,
            Category::CommissionVat => &mut line.commission_vat,
            _ => continue,
        };
        *slot = slot.saturating_add(sum.amount_e4);
        line.booked = true;
    }
    Ok(actuals)
}

fn load_expected(store: &Store) -> Result<HashMap<String, ExpectedOrder>, FinanceError> {
    let mut expected = HashMap::new();
    for payload in store.finance_expected_payloads()? {
        let order: ExpectedOrder = serde_json::from_str(&payload)
            .map_err(|e| FinanceError::Data(format!("expected order: {e}")))?;
        expected.insert(order.mirakl_order_id.clone(), order);
    }
    Ok(expected)
}

fn e4(value: Decimal) -> i64 {
    super::money::to_e4(value).unwrap_or(i64::MAX)
}

/// A figure compared on one line (or refund).
struct Difference {
    line: String,
    figure: &'static str,
    shop: i64,
    mirakl: i64,
}

impl Difference {
    fn json(&self) -> Value {
        json!({
            "line": self.line,
            "figure": self.figure,
            "shop": text(from_e4(self.shop)),
            "mirakl": text(from_e4(self.mirakl)),
            "difference": text(from_e4(self.mirakl.saturating_sub(self.shop))),
        })
    }

    fn sentence(&self) -> String {
        format!(
            "{} {}: shop {}, Mirakl {}",
            self.line,
            self.figure,
            text(from_e4(self.shop)),
            text(from_e4(self.mirakl))
        )
    }
}

fn summary(differences: &[Difference]) -> String {
    let shown: Vec<String> = differences
        .iter()
        .take(3)
        .map(Difference::sentence)
        .collect();
    let more = differences.len().saturating_sub(3);
    if more > 0 {
        format!("{} (and {more} more)", shown.join("; "))
    } else {
        shown.join("; ")
    }
}

/// One order-level discrepancy listing every differing figure.
fn order_discrepancy(
    kind: ProblemKind,
    order_id: &str,
    shop: &ExpectedOrder,
    differences: &[Difference],
) -> Discrepancy {
    Discrepancy {
        kind,
        entity_type: EntityType::MiraklOrder,
        entity_id: order_id.to_owned(),
        mirakl_order_id: Some(order_id.to_owned()),
        wc_order_id: shop.wc_order_id,
        message: format!("Order {order_id}: {}", summary(differences)),
        hint: String::new(),
        details: json!({
            "currency": shop.currency,
            "differences": differences.iter().map(Difference::json).collect::<Vec<_>>(),
        }),
    }
}

/// Compares every order's Mirakl transactions with the shop's figures and raises or resolves
/// finance problems (see the module docs).
pub fn match_ledger(
    store: &Store,
    settings: &FinanceSettings,
) -> Result<MatchReport, FinanceError> {
    let tolerance = e4(settings.rounding_tolerance);
    let actuals = load_actuals(store)?;
    let expected = load_expected(store)?;
    let mut report = MatchReport::default();
    let mut statuses: Vec<(String, &'static str)> =
        Vec::with_capacity(actuals.len() + expected.len());
    let mut found: Vec<Discrepancy> = Vec::new();
    let differs = |shop: i64, mirakl: i64| shop.saturating_sub(mirakl).saturating_abs() > tolerance;

    let mut order_ids: BTreeSet<&String> = actuals.keys().collect();
    order_ids.extend(expected.keys());
    for order_id in order_ids {
        report.orders_checked += 1;
        let actual = actuals.get(order_id);
        let Some(shop) = expected.get(order_id) else {
            if store.order(order_id)?.is_some() {
                report.orders_without_expected += 1;
                statuses.push((order_id.clone(), "no_expected"));
                continue;
            }
            let currency = actual.map(|a| a.currency.clone()).unwrap_or_default();
            found.push(Discrepancy {
                kind: ProblemKind::FinanceUnknownOrder,
                entity_type: EntityType::MiraklOrder,
                entity_id: order_id.clone(),
                mirakl_order_id: Some(order_id.clone()),
                wc_order_id: None,
                message: format!(
                    "Mirakl has transactions for order {order_id}, which the shop does not know"
                ),
                hint: String::new(),
                details: json!({ "currency": currency }),
            });
            report.orders_mismatched += 1;
            statuses.push((order_id.clone(), "unknown_order"));
            continue;
        };
        let empty = OrderActual::default();
        let actual = actual.unwrap_or(&empty);
        let mut amount_differences: Vec<Difference> = Vec::new();
        let mut commission_differences: Vec<Difference> = Vec::new();
        let mut refund_problems: Vec<Discrepancy> = Vec::new();

        let booked = actual.booked();
        if shop.cancelled {
            for (line_id, line) in &actual.lines {
                let held = [line.sale_tax, line.shipping, line.shipping_tax]
                    .into_iter()
                    .fold(line.sale, i64::saturating_add);
                if line.booked && held != 0 {
                    amount_differences.push(Difference {
                        line: line_id.clone(),
                        figure: "amount held although cancelled in the shop",
                        shop: 0,
                        mirakl: held,
                    });
                }
            }
        } else if booked {
            let mut line_ids: BTreeSet<&String> = actual.lines.keys().collect();
            line_ids.extend(shop.lines.iter().map(|l| &l.mirakl_order_line_id));
            for line_id in line_ids {
                let mirakl = actual.lines.get(line_id).copied().unwrap_or_default();
                let shop_line = shop
                    .lines
                    .iter()
                    .find(|l| &l.mirakl_order_line_id == line_id);
                let (mut amount, mut shipping, mut tax, mut fee, mut vat) =
                    shop_line.map_or((0, 0, 0, 0, 0), |l| {
                        (
                            e4(l.amount),
                            e4(l.shipping),
                            e4(l.tax + l.shipping_tax),
                            e4(l.commission_fee),
                            e4(l.commission_vat),
                        )
                    });
                // Cancelled before the debit: Mirakl booked the line without them.
                for c in shop
                    .cancelations
                    .iter()
                    .filter(|c| &c.mirakl_order_line_id == line_id)
                {
                    amount -= e4(c.amount);
                    shipping -= e4(c.shipping);
                    tax -= e4(c.tax + c.shipping_tax);
                    fee -= e4(c.commission_fee);
                    vat -= e4(c.commission_vat);
                }
                for (figure, shop_value, mirakl_value) in [
                    ("amount", amount, mirakl.sale),
                    ("shipping", shipping, mirakl.shipping),
                    (
                        "tax",
                        tax,
                        mirakl.sale_tax.saturating_add(mirakl.shipping_tax),
                    ),
                ] {
                    if differs(shop_value, mirakl_value) {
                        amount_differences.push(Difference {
                            line: line_id.clone(),
                            figure,
                            shop: shop_value,
                            mirakl: mirakl_value,
                        });
                    }
                }
                for (figure, shop_value, mirakl_value) in [
                    ("commission fee", fee, -mirakl.commission),
                    ("commission VAT", vat, -mirakl.commission_vat),
                ] {
                    if differs(shop_value, mirakl_value) {
                        commission_differences.push(Difference {
                            line: line_id.clone(),
                            figure,
                            shop: shop_value,
                            mirakl: mirakl_value,
                        });
                    }
                }
            }
        }

        // Refunds: by Mirakl refund id when known, else by total.
        let mut claimed: HashSet<&String> = HashSet::new();
        // Refunds known by id first, so one matched by total never takes their ledger rows.
        let mut ordered: Vec<&ExpectedRefund> = shop.refunds.iter().collect();
        ordered.sort_by_key(|r| {
            r.mirakl_refund_ids.is_empty()
                || r.mirakl_refund_ids
                    .iter()
                    .all(|id| crate::sync::expected::is_cancelation_key(id))
        });
        for refund in ordered {
            let mut ids = refund.mirakl_refund_ids.clone();
            if ids.is_empty() {
                if let Some(record) = store.refund(refund.wc_refund_id)? {
                    ids = record.mirakl_refund_ids;
                }
            }
            // A cancelation taken off the debit is in the line figures, not among refunds.
            if !ids.is_empty()
                && ids
                    .iter()
                    .all(|id| shop.cancelations.iter().any(|c| &c.key == id))
            {
                continue;
            }
            let gross = e4(refund.gross());
            let present: Vec<&String> = actual
                .refunds
                .keys()
                .filter(|k| ids.contains(k) && !claimed.contains(k))
                .collect();
            // Mirakl's ledger names no cancelation: a cancelation after the debit is found
            // among Mirakl's refunds by its total.
            let by_id = !ids.is_empty()
                && !ids
                    .iter()
                    .all(|id| crate::sync::expected::is_cancelation_key(id));
            let matched: Option<Vec<&String>> = if by_id {
                (!present.is_empty()).then_some(present)
            } else {
                actual
                    .refunds
                    .iter()
                    .find(|(id, amount)| !claimed.contains(id) && !differs(gross, **amount))
                    .map(|(id, _)| vec![id])
            };
            match matched {
                Some(ids) => {
                    let mirakl = ids.iter().map(|id| actual.refunds.get(*id).copied().unwrap_or_default()).fold(0_i64, i64::saturating_add);
                    if differs(gross, mirakl) {
                        amount_differences.push(Difference {
                            line: format!("refund {}", refund.wc_refund_id),
                            figure: "refund total",
                            shop: gross,
                            mirakl,
                        });
                    }
                    claimed.extend(ids);
                }
                None => refund_problems.push(Discrepancy {
                    kind: ProblemKind::FinanceRefundMissingInMirakl,
                    entity_type: EntityType::ShopRefund,
                    entity_id: refund.wc_refund_id.to_string(),
                    mirakl_order_id: Some(order_id.clone()),
                    wc_order_id: shop.wc_order_id,
                    message: format!(
                        "WooCommerce refund {} of {} {} on order {order_id} is not in Mirakl's ledger",
                        refund.wc_refund_id,
                        text(refund.gross()),
                        shop.currency
                    ),
                    hint: String::new(),
                    details: json!({ "currency": shop.currency, "amount": text(refund.gross()), "mirakl_refund_ids": ids }),
                }),
            }
        }
        for (refund_id, amount) in &actual.refunds {
            if claimed.contains(refund_id) || *amount == 0 {
                continue;
            }
            let label = if refund_id.is_empty() {
                "without id".to_owned()
            } else {
                refund_id.clone()
            };
            refund_problems.push(Discrepancy {
                kind: ProblemKind::FinanceRefundMissingInShop,
                entity_type: EntityType::MiraklRefund,
                entity_id: format!("{order_id}:{refund_id}"),
                mirakl_order_id: Some(order_id.clone()),
                wc_order_id: shop.wc_order_id,
                message: format!(
                    "Mirakl refund {label} of {} {} on order {order_id} has no WooCommerce refund",
                    text(from_e4(*amount)),
                    actual.currency
                ),
                hint: String::new(),
                details: json!({ "currency": actual.currency, "amount": text(from_e4(*amount)), "mirakl_refund_id": refund_id }),
            });
        }

        let clean = amount_differences.is_empty()
            && commission_differences.is_empty()
            && refund_problems.is_empty();
        for (kind, differences) in [
            (ProblemKind::FinanceAmountMismatch, &amount_differences),
            (
                ProblemKind::FinanceCommissionMismatch,
                &commission_differences,
            ),
        ] {
            if !differences.is_empty() {
                found.push(order_discrepancy(kind, order_id, shop, differences));
            }
        }
        found.extend(refund_problems);
        let status = if !clean {
            report.orders_mismatched += 1;
            "mismatch"
        } else if shop.cancelled {
            report.orders_matched += 1;
            "cancelled"
        } else if !booked {
            report.orders_awaiting += 1;
            "awaiting"
        } else {
            report.orders_matched += 1;
            "matched"
        };
        statuses.push((order_id.clone(), status));
    }

    // Unknown transaction types: one discrepancy per type.
    {
        let mut by_type: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for total in store.finance_unknown_type_totals()? {
            by_type
                .entry(total.transaction_type)
                .or_default()
                .push(json!({
                    "currency": total.currency,
                    "transactions": total.transactions,
                    "amount": text(from_e4(total.amount_e4)),
                }));
        }
        for (kind, totals) in by_type {
            found.push(Discrepancy {
                kind: ProblemKind::FinanceUnknownTransactionType,
                entity_type: EntityType::TransactionType,
                entity_id: kind.clone(),
                mirakl_order_id: None,
                wc_order_id: None,
                message: format!("Mirakl transaction type {kind} is not known to this version; its rows are kept"),
                hint: String::new(),
                details: json!({ "totals": totals }),
            });
        }
    }

    store.record_finance_order_statuses(&statuses)?;

    // Problems: raise the new ones, leave the open ones, resolve the ones that went away.
    let mut open: HashMap<(String, String, String), i64> = HashMap::new();
    for kind in PROBLEM_KINDS {
        let mut offset = 0;
        loop {
            let page = store.list_problems(&ProblemFilter {
                kind: Some(kind.as_str().to_owned()),
                state: Some(ProblemState::Open),
                limit: 500,
                offset,
                ..ProblemFilter::default()
            })?;
            let count = page.len();
            for problem in page {
                open.insert(
                    (problem.kind, problem.entity_type, problem.entity_id),
                    problem.id,
                );
            }
            if count < 500 {
                break;
            }
            offset += 500;
        }
    }
    let mut still_open: HashSet<i64> = HashSet::new();
    for discrepancy in &mut found {
        discrepancy.hint = hint_for(discrepancy.kind).to_owned();
        let key = (
            discrepancy.kind.as_str().to_owned(),
            discrepancy.entity_type.as_str().to_owned(),
            discrepancy.entity_id.clone(),
        );
        if let Some(id) = open.get(&key) {
            still_open.insert(*id);
            report.problems_already_open += 1;
            continue;
        }
        let severity = if discrepancy.kind == ProblemKind::FinanceUnknownTransactionType {
            Severity::Warning
        } else {
            Severity::Error
        };
        let mut details = discrepancy.details.clone();
        if let Some(map) = details.as_object_mut() {
            if let Some(order) = &discrepancy.mirakl_order_id {
                map.insert("mirakl_order_id".to_owned(), json!(order));
            }
            if let Some(order) = discrepancy.wc_order_id {
                map.insert("wc_order_id".to_owned(), json!(order));
            }
        }
        let record = store.raise_problem(
            &NewProblem::new(
                discrepancy.kind,
                discrepancy.entity_type,
                discrepancy.entity_id.clone(),
                discrepancy.message.clone(),
            )
            .severity(severity)
            .details(details)
            .hint(discrepancy.hint.clone()),
        )?;
        still_open.insert(record.id);
        report.problems_raised += 1;
    }
    for id in open.values() {
        if !still_open.contains(id) && store.resolve_problem(*id)? {
            report.problems_resolved += 1;
        }
    }
    report.discrepancies = found;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::shop::ShopOrderDraft;

    #[test]
    fn expected_orders_accept_decimal_strings_and_numbers_from_php() {
        let order: ExpectedOrder = serde_json::from_str(
            r#"{"mirakl_order_id":"A-1","currency":"EUR","lines":[{"mirakl_order_line_id":"A-1-1","amount":"10.10","shipping":4.9,"tax":0.1}],
                "refunds":[{"wc_refund_id":7,"amount":"2.00"}]}"#,
        )
        .unwrap();
        assert_eq!(order.lines[0].amount, Decimal::new(1010, 2));
        assert_eq!(order.lines[0].shipping, Decimal::new(49, 1));
        assert_eq!(order.lines[0].tax, Decimal::new(1, 1));
        assert_eq!(order.refunds[0].gross(), Decimal::new(2, 0));
        assert!(!order.cancelled);
        let json = serde_json::to_value(&order).unwrap();
        assert_eq!(json["lines"][0]["amount"], "10.10");
    }

    #[test]
    fn an_expected_order_comes_from_the_engine_s_draft_without_tax() {
        let draft: ShopOrderDraft = serde_json::from_value(serde_json::json!({
            "mirakl_order_id": "D-1", "commercial_id": null, "currency": "EUR", "prices_include_tax": true,
            "lines": [{"sku": "S", "quantity": 2, "price": "120.00", "unit_price": "60.00", "tax": "20.00",
                       "shipping_price": "9.80", "shipping_tax": "1.63", "commission_fee": "12.98",
                       "commission_vat": "2.60", "commission_total": "15.58", "mirakl_order_line_id": "D-1-1"}],
            "shipping_total": "9.80", "total": "129.80", "commission_total": "15.58",
            "customer_first_name": null, "customer_last_name": null, "billing_address": null,
            "shipping_address": null, "status": "processing"
        }))
        .unwrap();
        let order = ExpectedOrder::from_draft(&draft, Some(12));
        let line = &order.lines[0];
        assert_eq!(
            (line.amount, line.tax, line.shipping, line.shipping_tax),
            (
                Decimal::new(10000, 2),
                Decimal::new(2000, 2),
                Decimal::new(817, 2),
                Decimal::new(163, 2)
            )
        );
        assert_eq!(
            (line.commission_fee, line.commission_vat),
            (Decimal::new(1298, 2), Decimal::new(260, 2))
        );
        assert_eq!(order.wc_order_id, Some(12));
    }

    #[test]
    fn expected_orders_are_validated_naming_the_field() {
        let order = ExpectedOrder {
            mirakl_order_id: "A-1".to_owned(),
            wc_order_id: None,
            currency: "EURO".to_owned(),
            cancelled: false,
            lines: Vec::new(),
            refunds: Vec::new(),
            prices_include_tax: false,
            commission_fee_line: Decimal::ZERO,
            cancelations: Vec::new(),
        };
        let error = validate_expected(&order).unwrap_err().to_string();
        assert!(error.contains("currency"), "{error}");
    }
}
