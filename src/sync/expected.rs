//! The expected order: what a marketplace order the engine made in the shop is worth, the side
//! finance matching compares Mirakl's ledger with (`crate::finance::match_ledger`). The engine
//! records it itself, from the draft it created the order with, and keeps it current as it
//! cancels the order and records refunds; the plugin only reports what WooCommerce alone knows
//! (`crate::finance::record_shop_orders`).
//!
//! Invariants: one expected order per Mirakl order (the store's `finance_expected_orders` key);
//! every write is idempotent (recording a created order again keeps what is there, a refund is
//! replaced by its shop refund id), so a job retried after a crash never doubles a figure; the
//! commission fee line is never part of the compared line figures.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::store::{FinanceExpectedOrder, Store, StoreError};

use super::shop::{ShopOrderDraft, ShopOrderId, ShopRefund};

/// What the shop says a Mirakl order is worth. Amounts are positive, as the shop shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedOrder {
    pub mirakl_order_id: String,
    #[serde(default)]
    pub wc_order_id: Option<i64>,
    pub currency: String,
    /// The shop cancelled the order: Mirakl must hold no live amounts for it.
    #[serde(default)]
    pub cancelled: bool,
    #[serde(default)]
    pub lines: Vec<ExpectedLine>,
    #[serde(default)]
    pub refunds: Vec<ExpectedRefund>,
    /// Whether the shop order's amounts include tax (its refunds are read in that mode).
    #[serde(default)]
    pub prices_include_tax: bool,
    /// The commission fee line on the shop order (negative; zero without one): part of the
    /// shop order's total, never of the compared figures.
    #[serde(default)]
    pub commission_fee_line: Decimal,
    /// Units Mirakl cancelled before the customer was debited: Mirakl books the order net of
    /// them, so the matching takes them off their lines (and does not look for them among
    /// Mirakl's refunds). Only the engine knows them; a fold of WooCommerce's figures keeps them.
    #[serde(default)]
    pub cancelations: Vec<ExpectedCancelation>,
}

const CANCELATION_PREFIX: &str = "cancelation:";

/// The id a cancelation carries in the shop and the store: Mirakl numbers refunds and
/// cancelations apart, so the two must not meet in one id space.
pub fn cancelation_key(id: &str) -> String {
    format!("{CANCELATION_PREFIX}{id}")
}

/// Whether a Mirakl refund id the store or the shop keeps is a cancelation's.
pub fn is_cancelation_key(key: &str) -> bool {
    key.starts_with(CANCELATION_PREFIX)
}

/// A cancelation taken off the debit, amounts without tax (positive) plus their taxes and the
/// commission Mirakl no longer charges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedCancelation {
    /// The id the shop refund carries (`cancelation:<id>`).
    pub key: String,
    pub mirakl_order_line_id: String,
    pub amount: Decimal,
    #[serde(default)]
    pub shipping: Decimal,
    #[serde(default)]
    pub tax: Decimal,
    #[serde(default)]
    pub shipping_tax: Decimal,
    #[serde(default)]
    pub commission_fee: Decimal,
    #[serde(default)]
    pub commission_vat: Decimal,
}

/// One order line: price and shipping without tax, their taxes, and the commission from OR11.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedLine {
    pub mirakl_order_line_id: String,
    pub amount: Decimal,
    #[serde(default)]
    pub shipping: Decimal,
    #[serde(default)]
    pub tax: Decimal,
    #[serde(default)]
    pub shipping_tax: Decimal,
    #[serde(default)]
    pub commission_fee: Decimal,
    #[serde(default)]
    pub commission_vat: Decimal,
}

/// A shop refund: amounts without tax plus their taxes (compared as one gross total).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedRefund {
    pub wc_refund_id: i64,
    /// Mirakl's refund ids (one per refunded line); when empty, the store's refunds map is
    /// asked, then a Mirakl refund of the same total is looked for.
    #[serde(default)]
    pub mirakl_refund_ids: Vec<String>,
    pub amount: Decimal,
    #[serde(default)]
    pub shipping: Decimal,
    #[serde(default)]
    pub tax: Decimal,
    #[serde(default)]
    pub shipping_tax: Decimal,
}

impl ExpectedRefund {
    /// Amount, shipping and their taxes.
    pub fn gross(&self) -> Decimal {
        self.amount + self.shipping + self.tax + self.shipping_tax
    }

    /// The refund as the shop booked it (`ShopRefund` amounts are in the order's tax mode,
    /// `prices_include_tax`), without tax and positive.
    pub fn from_shop(refund: &ShopRefund, prices_include_tax: bool) -> ExpectedRefund {
        let net = |amount: Decimal, tax: Decimal| {
            let (amount, tax) = (amount.abs(), tax.abs());
            if prices_include_tax {
                amount - tax
            } else {
                amount
            }
        };
        ExpectedRefund {
            wc_refund_id: refund.id,
            mirakl_refund_ids: refund.mirakl_refund_id.iter().cloned().collect(),
            amount: refund.lines.iter().map(|l| net(l.amount, l.tax)).sum(),
            shipping: net(refund.shipping_amount, refund.shipping_tax),
            tax: refund.lines.iter().map(|l| l.tax.abs()).sum(),
            shipping_tax: refund.shipping_tax.abs(),
        }
    }
}

impl ExpectedOrder {
    /// The shop side of an order the engine created from OR11 (`ShopOrderDraft`): line prices
    /// and shipping without tax (the draft's amounts), their taxes, the commission seen at
    /// order time and the fee line the shop order carries. Refunds are added as they are made.
    pub fn from_draft(draft: &ShopOrderDraft, wc_order_id: Option<i64>) -> ExpectedOrder {
        let computed;
        let amounts = if draft.amounts.lines.len() == draft.lines.len() {
            &draft.amounts
        } else {
            computed = super::shop::OrderAmounts::compute(&draft.lines, draft.prices_include_tax);
            &computed
        };
        ExpectedOrder {
            mirakl_order_id: draft.mirakl_order_id.clone(),
            wc_order_id,
            currency: draft.currency.clone(),
            cancelled: false,
            lines: draft
                .lines
                .iter()
                .zip(&amounts.lines)
                .map(|(line, figures)| ExpectedLine {
                    mirakl_order_line_id: line.mirakl_order_line_id.clone(),
                    amount: figures.net,
                    shipping: figures.shipping_net,
                    tax: figures.tax,
                    shipping_tax: figures.shipping_tax,
                    commission_fee: line.commission_fee,
                    commission_vat: line.commission_vat,
                })
                .collect(),
            refunds: Vec::new(),
            prices_include_tax: draft.prices_include_tax,
            commission_fee_line: draft
                .fee_line
                .as_ref()
                .map_or(Decimal::ZERO, |fee| fee.amount),
            cancelations: Vec::new(),
        }
    }

    /// What the shop order totals: its lines, shipping and taxes, plus the fee line.
    pub fn shop_total(&self) -> Decimal {
        self.lines
            .iter()
            .map(|l| l.amount + l.shipping + l.tax + l.shipping_tax)
            .sum::<Decimal>()
            + self.commission_fee_line
    }

    /// Adds a refund, or replaces the one with the same shop refund id (keeping the Mirakl
    /// refund ids already known when the new one has none).
    pub fn put_refund(&mut self, mut refund: ExpectedRefund) {
        match self
            .refunds
            .iter_mut()
            .find(|r| r.wc_refund_id == refund.wc_refund_id)
        {
            Some(existing) => {
                if refund.mirakl_refund_ids.is_empty() {
                    refund.mirakl_refund_ids = std::mem::take(&mut existing.mirakl_refund_ids);
                }
                *existing = refund;
            }
            None => self.refunds.push(refund),
        }
    }

    /// The row the store keeps.
    pub fn to_row(&self) -> FinanceExpectedOrder {
        FinanceExpectedOrder {
            mirakl_order_id: self.mirakl_order_id.clone(),
            wc_order_id: self.wc_order_id,
            currency: self.currency.clone(),
            // Plain data with string keys: serialising it cannot fail.
            payload: serde_json::to_string(self).unwrap_or_default(),
        }
    }
}

/// The expected order recorded for a Mirakl order, if any.
pub fn expected_order(
    store: &Store,
    mirakl_order_id: &str,
) -> Result<Option<ExpectedOrder>, StoreError> {
    let Some(payload) = store.finance_expected_payload(mirakl_order_id)? else {
        return Ok(None);
    };
    // A row this version cannot read is replaced by the next write rather than blocking it.
    Ok(serde_json::from_str(&payload).ok())
}

/// Stores these expected orders (replacing what is there) in one transaction.
pub fn save(store: &Store, orders: &[ExpectedOrder]) -> Result<(), StoreError> {
    let rows: Vec<FinanceExpectedOrder> = orders.iter().map(ExpectedOrder::to_row).collect();
    store.record_finance_expected_orders(&rows)
}

/// Records the expected order of a shop order the engine created from `draft`, unless one is
/// recorded already (a retry after a crash keeps the refunds recorded since).
pub fn record_created(
    store: &Store,
    draft: &ShopOrderDraft,
    shop_order: ShopOrderId,
) -> Result<(), StoreError> {
    if let Some(existing) = expected_order(store, &draft.mirakl_order_id)? {
        if existing.wc_order_id == Some(shop_order) {
            return Ok(());
        }
    }
    save(store, &[ExpectedOrder::from_draft(draft, Some(shop_order))])
}

/// Marks the expected order cancelled (the engine cancelled the shop order).
pub fn record_cancelled(store: &Store, mirakl_order_id: &str) -> Result<(), StoreError> {
    let Some(mut order) = expected_order(store, mirakl_order_id)? else {
        return Ok(());
    };
    if order.cancelled {
        return Ok(());
    }
    order.cancelled = true;
    save(store, &[order])
}

/// Records a cancelation Mirakl took off the order before its debit (once per key).
pub fn record_cancelation_before_debit(
    store: &Store,
    mirakl_order_id: &str,
    cancelation: ExpectedCancelation,
) -> Result<(), StoreError> {
    let Some(mut order) = expected_order(store, mirakl_order_id)? else {
        return Ok(());
    };
    if order.cancelations.iter().any(|c| c.key == cancelation.key) {
        return Ok(());
    }
    order.cancelations.push(cancelation);
    save(store, &[order])
}

/// Adds a refund the shop booked on the order (one the engine recorded from Mirakl, or one
/// made in the shop that the engine sends to Mirakl).
pub fn record_refund(
    store: &Store,
    mirakl_order_id: &str,
    refund: &ShopRefund,
) -> Result<(), StoreError> {
    let Some(mut order) = expected_order(store, mirakl_order_id)? else {
        return Ok(());
    };
    let refund = ExpectedRefund::from_shop(refund, order.prices_include_tax);
    if order
        .refunds
        .iter()
        .any(|r| r.wc_refund_id == refund.wc_refund_id && *r == refund)
    {
        return Ok(());
    }
    order.put_refund(refund);
    save(store, &[order])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::shop::{
        CommissionPolicy, CommissionPosting, OrderAmounts, ShopOrderDraft, ShopOrderLine,
        ShopRefundLine,
    };

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn draft() -> ShopOrderDraft {
        let line = |id: &str,
                    price: &str,
                    tax: &str,
                    ship: &str,
                    ship_tax: &str,
                    fee: &str,
                    vat: &str,
                    total: &str| ShopOrderLine {
            sku: id.to_owned(),
            quantity: 1,
            price: d(price),
            unit_price: d(price),
            tax: d(tax),
            shipping_price: d(ship),
            shipping_tax: d(ship_tax),
            commission_fee: d(fee),
            commission_vat: d(vat),
            commission_total: d(total),
            mirakl_order_line_id: format!("O-1-{id}"),
            discount: Decimal::ZERO,
            additional_fields: Vec::new(),
        };
        ShopOrderDraft {
            mirakl_order_id: "O-1".to_owned(),
            commercial_id: None,
            currency: "EUR".to_owned(),
            prices_include_tax: true,
            lines: vec![
                line("1", "39.80", "6.63", "9.80", "1.63", "4.96", "0.99", "5.95"),
                line("2", "30.00", "5.00", "4.90", "0.82", "3.49", "0.70", "4.19"),
            ],
            shipping_total: d("14.70"),
            total: d("84.50"),
            commission_total: d("10.14"),
            customer_first_name: None,
            customer_last_name: None,
            billing_address: None,
            shipping_address: None,
            status: "processing".to_owned(),
            amounts: OrderAmounts::default(),
            shipping: None,
            additional_fields: Vec::new(),
            notes: Vec::new(),
            fee_line: None,
            fulfillment_center_code: None,
            reduce_stock: true,
        }
    }

    #[test]
    fn the_draft_carries_the_fee_line_the_settings_ask_for_and_the_total_net_of_it() {
        let meta_only = draft().priced(&CommissionPolicy::default());
        assert_eq!(meta_only.fee_line, None);
        assert_eq!(meta_only.amounts.order_total, d("84.50"));
        let policy = CommissionPolicy {
            posting: CommissionPosting::FeeLine,
            fee_line_name: "Marketplace commission".to_owned(),
        };
        let priced = draft().priced(&policy);
        let fee = priced.fee_line.clone().unwrap();
        assert_eq!(fee.name, "Marketplace commission");
        assert_eq!(
            (fee.amount, fee.commission_fee, fee.commission_vat),
            (d("-10.14"), d("8.45"), d("1.69"))
        );
        assert_eq!(priced.amounts.grand_total, d("84.50"));
        assert_eq!(priced.amounts.order_total, d("74.36"));
        let lines = &priced.amounts.lines;
        assert_eq!(
            (lines[0].net, lines[0].shipping_net, lines[1].shipping_net),
            (d("33.17"), d("8.17"), d("4.08"))
        );
        let expected = ExpectedOrder::from_draft(&priced, Some(7));
        assert_eq!(expected.commission_fee_line, d("-10.14"));
        assert_eq!(expected.shop_total(), d("74.36"));
    }

    #[test]
    fn the_engine_records_the_expected_order_once_and_keeps_it_current() {
        let store = Store::open_in_memory().unwrap();
        let draft = draft().priced(&CommissionPolicy::default());
        record_created(&store, &draft, 7).unwrap();
        let refund = ShopRefund {
            id: 70,
            order_id: 7,
            lines: vec![ShopRefundLine {
                sku: "1".to_owned(),
                mirakl_order_line_id: Some("O-1-1".to_owned()),
                quantity: 1,
                amount: d("19.90"),
                tax: d("3.32"),
            }],
            shipping_amount: d("4.90"),
            shipping_tax: d("0.82"),
            mirakl_refund_id: None,
        };
        record_refund(&store, "O-1", &refund).unwrap();
        // A retry after a crash: recording the created order and the refund again changes nothing.
        record_created(&store, &draft, 7).unwrap();
        record_refund(&store, "O-1", &refund).unwrap();
        let order = expected_order(&store, "O-1").unwrap().unwrap();
        assert_eq!(order.wc_order_id, Some(7));
        assert_eq!(order.lines.len(), 2);
        assert_eq!(order.lines[0].amount, d("33.17"));
        assert_eq!(order.refunds.len(), 1);
        let r = &order.refunds[0];
        assert_eq!(
            (r.amount, r.tax, r.shipping, r.shipping_tax),
            (d("16.58"), d("3.32"), d("4.08"), d("0.82"))
        );
        assert!(!order.cancelled);
        record_cancelled(&store, "O-1").unwrap();
        record_cancelled(&store, "O-1").unwrap();
        let order = expected_order(&store, "O-1").unwrap().unwrap();
        assert!(order.cancelled);
        assert_eq!(order.refunds.len(), 1, "cancelling keeps the refunds");
        // Nothing is made up for an order the engine never created.
        record_cancelled(&store, "O-2").unwrap();
        assert_eq!(expected_order(&store, "O-2").unwrap(), None);
    }
}
