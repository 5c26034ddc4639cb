//! The Shop port: every WooCommerce operation the engine needs, and nothing WooCommerce-specific.
//! The PHP plugin implements it by calling back into WooCommerce; `memory::MemoryShop` is the
//! reference implementation. Invariants every implementation must keep: `create_order` is only
//! called after `find_order_by_mirakl_id` said no, `cancel_order` and `record_marketplace_refund`
//! are idempotent, and an error says whether a human must look (`Rejected`) or a retry may help.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Coded, ErrorCode};

/// A shop order id (WooCommerce post/order id).
pub type ShopOrderId = i64;
/// A shop refund id.
pub type ShopRefundId = i64;

/// Why a shop operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ShopError {
    /// The shop refused: a human must look (unknown SKU, invalid address, product not purchasable).
    #[error("the shop refused: {reason}")]
    Rejected { reason: String },
    /// The shop failed in a way a retry may fix (database busy, timeout).
    #[error("the shop failed, will retry: {reason}")]
    Transient { reason: String },
}

impl ShopError {
    pub fn rejected(reason: impl Into<String>) -> ShopError {
        ShopError::Rejected {
            reason: reason.into(),
        }
    }

    pub fn transient(reason: impl Into<String>) -> ShopError {
        ShopError::Transient {
            reason: reason.into(),
        }
    }
}

impl Coded for ShopError {
    fn code(&self) -> ErrorCode {
        match self {
            ShopError::Rejected { .. } => ErrorCode::ShopRejected,
            ShopError::Transient { .. } => ErrorCode::ShopTransient,
        }
    }
}

/// The stock of one SKU as the shop sees it. `quantity` is `None` when the shop does not manage
/// stock for it (the engine then never sends a number for it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    pub sku: String,
    pub quantity: Option<i64>,
}

/// What the offer export needs about one product or variation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductOffer {
    /// The shop's own product (or variation) id, to name it in reports.
    pub product_id: i64,
    /// `None` for a product without a SKU: reported, never sent.
    pub sku: Option<String>,
    pub title: String,
    pub price: Decimal,
    /// The value of the product identifier named by `SyncSettings::product_id_type` (an EAN…);
    /// `None` makes the engine send the SKU (as with `SHOP_SKU`).
    pub product_reference: Option<String>,
    pub quantity: Option<i64>,
    pub description: Option<String>,
}

/// A page of the whole catalogue, in a stable order; `next` resumes after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CataloguePage {
    pub items: Vec<ProductOffer>,
    pub next: Option<String>,
}

/// A postal address as Mirakl gives it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Address {
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub street_1: String,
    pub street_2: Option<String>,
    pub zip_code: String,
    pub city: String,
    pub state: Option<String>,
    pub country_iso_code: String,
    pub phone: Option<String>,
}

/// One order line to create, priced as the marketplace sold it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopOrderLine {
    pub sku: String,
    pub quantity: i64,
    /// Line total without shipping, in the order's tax mode.
    pub price: Decimal,
    pub unit_price: Decimal,
    pub tax: Decimal,
    pub shipping_price: Decimal,
    pub shipping_tax: Decimal,
    /// Mirakl's `commission_fee`, `commission_vat` and `total_commission` for the line.
    pub commission_fee: Decimal,
    pub commission_vat: Decimal,
    pub commission_total: Decimal,
    pub mirakl_order_line_id: String,
    /// What the marketplace's promotions took off the line (their `deduced_amount`s), in the
    /// order's tax mode; `price` is already after it.
    #[serde(default)]
    pub discount: Decimal,
    /// The line's Mirakl custom fields (`order_line_additional_fields`), bounded and cleaned.
    #[serde(default)]
    pub additional_fields: Vec<CustomField>,
}

/// A Mirakl custom field (`order_additional_fields`, `order_line_additional_fields`) as the shop
/// keeps it: a code of letters, digits, `_` and `-`, and a value as plain text, both bounded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomField {
    pub code: String,
    pub value: String,
    /// The meta key the shop also writes the value under (`custom_field_meta_map`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta_key: Option<String>,
}

/// How the marketplace order ships.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShippingMethod {
    /// The shipping line's title: Mirakl's `shipping_type_label`, else `shipping_type_code`.
    pub title: String,
    pub type_code: Option<String>,
    pub zone_code: Option<String>,
    pub zone_label: Option<String>,
    /// The shop's shipping method id for this type (`SyncSettings::shipping_method_map`);
    /// `None` books it under the connector's own method.
    pub method_id: Option<String>,
}

/// A marketplace order to create in the shop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopOrderDraft {
    pub mirakl_order_id: String,
    pub commercial_id: Option<String>,
    pub currency: String,
    /// `true` when prices include tax (Mirakl's `order_tax_mode`).
    pub prices_include_tax: bool,
    pub lines: Vec<ShopOrderLine>,
    pub shipping_total: Decimal,
    pub total: Decimal,
    pub commission_total: Decimal,
    pub customer_first_name: Option<String>,
    pub customer_last_name: Option<String>,
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
    /// The status to create it in (from `SyncSettings::status_mapping`).
    pub status: String,
    /// Net, tax and gross figures of the lines and of the order, computed by the core in the
    /// order's tax mode: the shop writes them as they are and computes none itself. Empty when
    /// a draft is read back from JSON written without them (older payloads).
    #[serde(default)]
    pub amounts: OrderAmounts,
    /// The shipping type and zone; `None` when Mirakl names none.
    #[serde(default)]
    pub shipping: Option<ShippingMethod>,
    /// The order's Mirakl custom fields, bounded and cleaned.
    #[serde(default)]
    pub additional_fields: Vec<CustomField>,
    /// Notes to add to the order where the merchant sees them (a customer's message, a gift
    /// message), written by the core.
    #[serde(default)]
    pub notes: Vec<String>,
    /// The negative fee line the shop adds when the commission is posted as a fee line
    /// ([`CommissionPosting::FeeLine`]); `None` with `meta_only` or without commission.
    #[serde(default)]
    pub fee_line: Option<CommissionFeeLine>,
    /// The operator's fulfillment center when the operator, not the shop, ships the order.
    #[serde(default)]
    pub fulfillment_center_code: Option<String>,
    /// Whether the shop reduces its stock for the order (not for an order the operator fulfils
    /// from its own stock).
    #[serde(default = "reduces_stock")]
    pub reduce_stock: bool,
}

fn reduces_stock() -> bool {
    true
}

impl ShopOrderDraft {
    /// The draft with every figure the shop writes: the amounts of its lines in its tax mode,
    /// the commission fee line `commission` asks for, and the order total net of that line.
    pub fn priced(mut self, commission: &CommissionPolicy) -> ShopOrderDraft {
        self.amounts = OrderAmounts::compute(&self.lines, self.prices_include_tax);
        self.fee_line = CommissionFeeLine::of(commission, &self.lines);
        if let Some(fee) = &self.fee_line {
            self.amounts.order_total += fee.amount;
        }
        self
    }
}

/// How the marketplace commission of an order is shown in the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommissionPosting {
    /// Per-line commission fee, VAT and total kept as order meta; order totals untouched.
    #[default]
    MetaOnly,
    /// Also a negative fee line on the order, lowering its total by the commission and its VAT.
    FeeLine,
}

/// What the engine does with an order's commission (from the finance settings
/// `commission_posting` and `commission_fee_line_name`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionPolicy {
    pub posting: CommissionPosting,
    /// The fee line's name when `posting` is `fee_line`.
    pub fee_line_name: String,
}

impl Default for CommissionPolicy {
    fn default() -> CommissionPolicy {
        CommissionPolicy {
            posting: CommissionPosting::MetaOnly,
            fee_line_name: "Marketplace commission".to_owned(),
        }
    }
}

/// The negative fee line added to a shop order when commission is posted as a fee line. Not
/// taxed by the shop: `amount` already holds the commission's VAT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionFeeLine {
    pub name: String,
    /// Negative: the lines' `commission_total` summed (commission fee plus its VAT).
    pub amount: Decimal,
    /// The lines' commission fees summed.
    pub commission_fee: Decimal,
    /// The lines' commission VAT summed.
    pub commission_vat: Decimal,
}

impl CommissionFeeLine {
    /// The fee line for these lines, or `None` with `meta_only` (or no commission at all).
    pub fn of(policy: &CommissionPolicy, lines: &[ShopOrderLine]) -> Option<CommissionFeeLine> {
        if policy.posting != CommissionPosting::FeeLine {
            return None;
        }
        let total: Decimal = lines.iter().map(|l| l.commission_total).sum();
        if total.is_zero() {
            return None;
        }
        Some(CommissionFeeLine {
            name: policy.fee_line_name.clone(),
            amount: -total,
            commission_fee: lines.iter().map(|l| l.commission_fee).sum(),
            commission_vat: lines.iter().map(|l| l.commission_vat).sum(),
        })
    }
}

/// The tax figures of one draft line (the line of `ShopOrderDraft::lines` at the same index).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LineAmounts {
    /// Line total without shipping and without tax.
    pub net: Decimal,
    /// The line's tax (Mirakl's taxes summed).
    pub tax: Decimal,
    /// Line total without shipping, tax included.
    pub gross: Decimal,
    /// The line's shipping without tax.
    pub shipping_net: Decimal,
    /// The tax on the line's shipping.
    pub shipping_tax: Decimal,
    /// What promotions took off the line before `net` (so the line's price before them is
    /// `net + discount`, its tax unchanged).
    #[serde(default)]
    pub discount: Decimal,
}

impl LineAmounts {
    /// The figures of a line whose `price` and `shipping_price` are in the order's tax mode
    /// (`prices_include_tax`: tax included; otherwise tax excluded). Exact: no rounding.
    pub fn of(line: &ShopOrderLine, prices_include_tax: bool) -> LineAmounts {
        let (net, gross) = if prices_include_tax {
            (line.price - line.tax, line.price)
        } else {
            (line.price, line.price + line.tax)
        };
        let shipping_net = if prices_include_tax {
            line.shipping_price - line.shipping_tax
        } else {
            line.shipping_price
        };
        LineAmounts {
            net,
            tax: line.tax,
            gross,
            shipping_net,
            shipping_tax: line.shipping_tax,
            discount: line.discount.max(Decimal::ZERO),
        }
    }
}

/// The tax figures of a whole order draft, in Decimal, never rounded by the core (the shop
/// rounds to its price decimals when it displays them).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrderAmounts {
    /// One entry per draft line, in the same order.
    pub lines: Vec<LineAmounts>,
    /// The lines' net totals (shipping excluded).
    pub net_total: Decimal,
    /// The lines' taxes (shipping tax excluded).
    pub tax_total: Decimal,
    /// Shipping without tax.
    pub shipping_net: Decimal,
    /// Tax on shipping.
    pub shipping_tax: Decimal,
    /// What the buyer pays: net, taxes and shipping with its tax.
    pub grand_total: Decimal,
    /// The lines' discounts (already out of `net_total` and `grand_total`).
    #[serde(default)]
    pub discount_total: Decimal,
    /// The shop order's total: `grand_total` plus the commission fee line when there is one
    /// (negative), else `grand_total`.
    #[serde(default)]
    pub order_total: Decimal,
}

impl OrderAmounts {
    /// The figures of these lines in the order's tax mode.
    pub fn compute(lines: &[ShopOrderLine], prices_include_tax: bool) -> OrderAmounts {
        let lines: Vec<LineAmounts> = lines
            .iter()
            .map(|l| LineAmounts::of(l, prices_include_tax))
            .collect();
        let net_total: Decimal = lines.iter().map(|l| l.net).sum();
        let tax_total: Decimal = lines.iter().map(|l| l.tax).sum();
        let shipping_net: Decimal = lines.iter().map(|l| l.shipping_net).sum();
        let shipping_tax: Decimal = lines.iter().map(|l| l.shipping_tax).sum();
        let discount_total: Decimal = lines.iter().map(|l| l.discount).sum();
        OrderAmounts {
            discount_total,
            lines,
            net_total,
            tax_total,
            shipping_net,
            shipping_tax,
            grand_total: net_total + tax_total + shipping_net + shipping_tax,
            order_total: net_total + tax_total + shipping_net + shipping_tax,
        }
    }
}

/// A shop order the engine looks up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopOrderRef {
    pub id: ShopOrderId,
    pub status: String,
}

/// The tracking of a shipped order, in the shop's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopTracking {
    /// The carrier as the shop names it; mapped to an SH21 code by settings.
    pub carrier: String,
    pub tracking_number: String,
    pub tracking_url: Option<String>,
}

/// One refunded line of a shop refund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopRefundLine {
    pub sku: String,
    /// The Mirakl order line id stored on the shop line when the order was created.
    pub mirakl_order_line_id: Option<String>,
    pub quantity: i64,
    /// Amount refunded on the line, shipping excluded, in the order's tax mode.
    pub amount: Decimal,
    /// The tax refunded on the line, as the shop booked it.
    #[serde(default)]
    pub tax: Decimal,
}

/// A refund made in the shop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopRefund {
    pub id: ShopRefundId,
    pub order_id: ShopOrderId,
    pub lines: Vec<ShopRefundLine>,
    /// Shipping refunded, in the order's tax mode.
    pub shipping_amount: Decimal,
    /// The tax refunded on shipping, as the shop booked it.
    #[serde(default)]
    pub shipping_tax: Decimal,
    /// Set when the refund was recorded by the engine from Mirakl: never sent back.
    pub mirakl_refund_id: Option<String>,
}

/// What Mirakl took off an order line: a refund (money back, goods kept or returned) or a
/// cancelation (units that will never ship).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarketplaceRefundKind {
    #[default]
    Refund,
    Cancelation,
}

/// A refund or cancelation made on Mirakl, to record in the shop once as a shop refund.
/// Amounts are Mirakl's, in the Mirakl order's tax mode (`prices_include_tax`); `tax` and
/// `shipping_tax` are the sums of Mirakl's `taxes[]` and `shipping_taxes[]`: the shop books
/// them as they are, never re-derived from its own rates.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MarketplaceRefund {
    /// The id the shop refund carries: Mirakl's refund id, or `cancelation:<id>` for a
    /// cancelation (the two id sequences are separate on Mirakl).
    pub mirakl_refund_id: String,
    pub mirakl_order_line_id: String,
    pub sku: Option<String>,
    pub quantity: i64,
    pub amount: Decimal,
    pub shipping_amount: Decimal,
    pub reason_code: Option<String>,
    #[serde(default)]
    pub kind: MarketplaceRefundKind,
    #[serde(default)]
    pub tax: Decimal,
    #[serde(default)]
    pub shipping_tax: Decimal,
    #[serde(default)]
    pub prices_include_tax: bool,
    /// The reason's label from RE01, when known.
    #[serde(default)]
    pub reason_label: Option<String>,
    /// Whether the shop puts `quantity` units back in stock (cancelled units never left).
    #[serde(default)]
    pub restock: bool,
}

impl MarketplaceRefund {
    /// What the shop refund totals, tax included.
    pub fn gross(&self) -> Decimal {
        let (tax, shipping_tax) = if self.prices_include_tax {
            (Decimal::ZERO, Decimal::ZERO)
        } else {
            (self.tax, self.shipping_tax)
        };
        self.amount + tax + self.shipping_amount + shipping_tax
    }
}

/// A refund of a marketplace order as the sweeper sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopRefundSummary {
    pub id: ShopRefundId,
    /// What the refund gave back, tax included (positive).
    pub amount: Decimal,
    pub created_at: DateTime<Utc>,
    /// Set when the engine recorded it from Mirakl: never sent back.
    #[serde(default)]
    pub mirakl_refund_id: Option<String>,
}

/// A shop order carrying a Mirakl order id, as the sweeper sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopOrderSummary {
    pub id: ShopOrderId,
    pub mirakl_order_id: String,
    /// The shop's status slug (`completed`, `processing`…).
    pub status: String,
    pub modified_at: DateTime<Utc>,
    #[serde(default)]
    pub refunds: Vec<ShopRefundSummary>,
}

/// One page of [`Shop::marketplace_orders`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShopOrderPage {
    pub orders: Vec<ShopOrderSummary>,
    /// Whether a next page exists.
    pub more: bool,
}

/// The WooCommerce operations the engine needs. Object safe: the engine takes `&mut dyn Shop`.
pub trait Shop {
    /// Stock of these SKUs; SKUs the shop does not know are absent from the answer.
    fn read_stock(&mut self, skus: &[String]) -> Result<Vec<StockLevel>, ShopError>;

    /// Offer data of these SKUs; several entries for one SKU mean a duplicate SKU.
    fn read_offers(&mut self, skus: &[String]) -> Result<Vec<ProductOffer>, ShopError>;

    /// One page of the whole catalogue (products and variations), `limit` items from `after`.
    fn read_catalogue(
        &mut self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<CataloguePage, ShopError>;

    /// The shop order made for this Mirakl order, if any.
    fn find_order_by_mirakl_id(
        &mut self,
        mirakl_order_id: &str,
    ) -> Result<Option<ShopOrderRef>, ShopError>;

    /// The Mirakl order id a shop order carries (written in the save that created it, so an
    /// order that exists has it even if the engine never learnt the shop id); `None` for an
    /// order the connector did not make or that does not exist.
    fn mirakl_order_id_of(&mut self, order: ShopOrderId) -> Result<Option<String>, ShopError>;

    /// Shop orders carrying a Mirakl order id modified at or after `since`, by ascending id,
    /// `per_page` per page (`page` from 1), with their refunds. An order modified during a pass
    /// may show twice across pages; none is skipped.
    fn marketplace_orders(
        &mut self,
        since: DateTime<Utc>,
        page: u32,
        per_page: u32,
    ) -> Result<ShopOrderPage, ShopError>;

    /// Creates the order and reserves its stock; returns its id.
    fn create_order(&mut self, draft: &ShopOrderDraft) -> Result<ShopOrderId, ShopError>;

    fn set_order_status(&mut self, order: ShopOrderId, status: &str) -> Result<(), ShopError>;

    fn add_order_note(&mut self, order: ShopOrderId, note: &str) -> Result<(), ShopError>;

    /// Sets the order's addresses once Mirakl reveals them (operators often hide them until
    /// the order is paid); `None` leaves that address as it is. Setting the same address again
    /// changes nothing.
    fn update_order_addresses(
        &mut self,
        order: ShopOrderId,
        billing: Option<&Address>,
        shipping: Option<&Address>,
    ) -> Result<(), ShopError>;

    /// Cancels the order and puts its stock back; a second call changes nothing.
    fn cancel_order(&mut self, order: ShopOrderId, reason: &str) -> Result<(), ShopError>;

    /// The tracking of a shipped order; `None` when none was entered.
    fn read_tracking(&mut self, order: ShopOrderId) -> Result<Option<ShopTracking>, ShopError>;

    /// A refund's lines and amounts; `None` if it does not exist.
    fn read_refund(&mut self, refund: ShopRefundId) -> Result<Option<ShopRefund>, ShopError>;

    /// Records a refund made on Mirakl; a second call with the same `mirakl_refund_id` returns
    /// the refund already recorded.
    fn record_marketplace_refund(
        &mut self,
        order: ShopOrderId,
        refund: &MarketplaceRefund,
    ) -> Result<ShopRefundId, ShopError>;
}
