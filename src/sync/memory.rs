//! An in-memory [`Shop`]: the reference the PHP `WooShop` follows, and the shop of every engine
//! test and benchmark. It keeps WooCommerce's observable behaviour (orders reserve stock,
//! cancelling restocks once, marketplace refunds are recorded once per Mirakl refund id) and can
//! be told to fail, including "the write happened but the caller saw an error".

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::store::Clock;

use super::shop::{
    Address, CataloguePage, MarketplaceRefund, ProductOffer, Shop, ShopError, ShopOrderDraft,
    ShopOrderId, ShopOrderPage, ShopOrderRef, ShopOrderSummary, ShopRefund, ShopRefundId,
    ShopRefundLine, ShopRefundSummary, ShopTracking, StockLevel,
};

/// A product or variation.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryProduct {
    pub product_id: i64,
    pub sku: Option<String>,
    pub title: String,
    pub price: Decimal,
    pub product_reference: Option<String>,
    /// `None`: stock not managed.
    pub stock: Option<i64>,
}

/// An order as the memory shop keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryOrder {
    pub id: ShopOrderId,
    pub draft: ShopOrderDraft,
    pub status: String,
    pub notes: Vec<String>,
    pub cancelled: bool,
    pub tracking: Option<ShopTracking>,
    /// Units already put back in stock by refunds, per SKU (a later cancel restocks the rest).
    pub restocked: BTreeMap<String, i64>,
}

/// Which operation a scripted failure applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShopOp {
    ReadStock,
    ReadOffers,
    FindOrder,
    CreateOrder,
    SetStatus,
    SetAddresses,
    AddNote,
    Cancel,
    ReadTracking,
    ReadRefund,
    RecordRefund,
    ListOrders,
}

/// How a scripted failure behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptedFailure {
    /// Fail without doing anything.
    Before(ShopError),
    /// Do the operation, then report this error (a crash after the write).
    After(ShopError),
}

#[derive(Default)]
pub struct MemoryShop {
    pub products: BTreeMap<i64, MemoryProduct>,
    pub orders: BTreeMap<ShopOrderId, MemoryOrder>,
    pub refunds: BTreeMap<ShopRefundId, ShopRefund>,
    next_order_id: ShopOrderId,
    next_refund_id: ShopRefundId,
    failures: HashMap<ShopOp, VecDeque<ScriptedFailure>>,
    /// SKU → product id of its first product, so a 100,000-product shop stays fast.
    by_sku: HashMap<String, i64>,
    /// How many times each operation was called (tests assert on it).
    pub calls: HashMap<ShopOp, u64>,
    /// The shop's clock, for when each order was last modified and each refund made (`None`:
    /// the system clock).
    pub clock: Option<Arc<dyn Clock>>,
    /// When each order was last modified (created, status, tracking, refund, note).
    pub modified: BTreeMap<ShopOrderId, DateTime<Utc>>,
    /// When each refund was made.
    pub refunded_at: BTreeMap<ShopRefundId, DateTime<Utc>>,
}

impl std::fmt::Debug for MemoryShop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryShop")
            .field("orders", &self.orders.len())
            .field("refunds", &self.refunds.len())
            .finish_non_exhaustive()
    }
}

impl MemoryShop {
    pub fn new() -> MemoryShop {
        MemoryShop {
            next_order_id: 1000,
            next_refund_id: 5000,
            ..MemoryShop::default()
        }
    }

    /// Adds a product with a SKU, managed stock and a price; returns its product id.
    pub fn add_product(&mut self, sku: &str, stock: i64, price: Decimal) -> i64 {
        let product_id = self.products.len() as i64 + 1;
        self.by_sku.entry(sku.to_owned()).or_insert(product_id);
        self.products.insert(
            product_id,
            MemoryProduct {
                product_id,
                sku: Some(sku.to_owned()),
                title: format!("Product {sku}"),
                price,
                product_reference: None,
                stock: Some(stock),
            },
        );
        product_id
    }

    /// Adds any product (no SKU, duplicate SKU, unmanaged stock…).
    pub fn add_raw_product(&mut self, product: MemoryProduct) {
        if let Some(sku) = &product.sku {
            self.by_sku.entry(sku.clone()).or_insert(product.product_id);
        }
        self.products.insert(product.product_id, product);
    }

    fn product_mut(&mut self, sku: &str) -> Option<&mut MemoryProduct> {
        let id = self.by_sku.get(sku)?;
        self.products.get_mut(id)
    }

    fn product(&self, sku: &str) -> Option<&MemoryProduct> {
        self.products.get(self.by_sku.get(sku)?)
    }

    pub fn stock(&self, sku: &str) -> Option<i64> {
        self.product(sku).and_then(|p| p.stock)
    }

    /// Sets a SKU's stock as a merchant would (the caller reports the event to the engine).
    pub fn set_stock(&mut self, sku: &str, stock: i64) {
        if let Some(product) = self.product_mut(sku) {
            product.stock = Some(stock);
        }
    }

    pub fn set_price(&mut self, sku: &str, price: Decimal) {
        if let Some(product) = self.product_mut(sku) {
            product.price = price;
        }
    }

    /// Ships an order with tracking, as the merchant would.
    pub fn ship(&mut self, order: ShopOrderId, carrier: &str, tracking_number: &str) {
        if let Some(order) = self.orders.get_mut(&order) {
            order.status = "completed".to_owned();
            order.tracking = Some(ShopTracking {
                carrier: carrier.to_owned(),
                tracking_number: tracking_number.to_owned(),
                tracking_url: None,
            });
        }
        self.touch(order);
    }

    /// Makes a refund in the shop (a merchant's action); returns its id.
    pub fn refund(
        &mut self,
        order: ShopOrderId,
        lines: &[(&str, i64, Decimal)],
        shipping_amount: Decimal,
    ) -> ShopRefundId {
        let line_ids: HashMap<String, String> = self
            .orders
            .get(&order)
            .map(|o| {
                o.draft
                    .lines
                    .iter()
                    .map(|l| (l.sku.clone(), l.mirakl_order_line_id.clone()))
                    .collect()
            })
            .unwrap_or_default();
        self.next_refund_id += 1;
        let id = self.next_refund_id;
        self.refunds.insert(
            id,
            ShopRefund {
                id,
                order_id: order,
                lines: lines
                    .iter()
                    .map(|(sku, quantity, amount)| ShopRefundLine {
                        sku: (*sku).to_owned(),
                        mirakl_order_line_id: line_ids.get(*sku).cloned(),
                        quantity: *quantity,
                        amount: *amount,
                        tax: Decimal::ZERO,
                    })
                    .collect(),
                shipping_amount,
                shipping_tax: Decimal::ZERO,
                mirakl_refund_id: None,
            },
        );
        let now = self.time();
        self.refunded_at.insert(id, now);
        self.touch(order);
        id
    }

    /// The shop on `clock` (for its modification and refund times).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> MemoryShop {
        self.clock = Some(clock);
        self
    }

    /// The shop's time now.
    pub fn time(&self) -> DateTime<Utc> {
        self.clock.as_ref().map_or_else(Utc::now, |c| c.now())
    }

    /// Notes that `order` changed now.
    pub fn touch(&mut self, order: ShopOrderId) {
        let now = self.time();
        self.modified.insert(order, now);
    }

    /// Sets an order's status as a merchant would (the caller reports the event, or not).
    pub fn set_status(&mut self, order: ShopOrderId, status: &str) {
        if let Some(o) = self.orders.get_mut(&order) {
            o.status = status.to_owned();
        }
        self.touch(order);
    }

    /// Queues a failure for the next call of `op`.
    pub fn fail_next(&mut self, op: ShopOp, failure: ScriptedFailure) {
        self.failures.entry(op).or_default().push_back(failure);
    }

    pub fn call_count(&self, op: ShopOp) -> u64 {
        self.calls.get(&op).copied().unwrap_or(0)
    }

    /// Orders made for this Mirakl order (more than one would be a double import).
    pub fn orders_for(&self, mirakl_order_id: &str) -> Vec<&MemoryOrder> {
        self.orders
            .values()
            .filter(|o| o.draft.mirakl_order_id == mirakl_order_id)
            .collect()
    }

    /// Runs `op` under the scripted failures: `Before` skips it, `After` runs it then fails.
    fn run<T>(
        &mut self,
        op: ShopOp,
        f: impl FnOnce(&mut MemoryShop) -> Result<T, ShopError>,
    ) -> Result<T, ShopError> {
        *self.calls.entry(op).or_default() += 1;
        match self.failures.get_mut(&op).and_then(VecDeque::pop_front) {
            Some(ScriptedFailure::Before(error)) => Err(error),
            Some(ScriptedFailure::After(error)) => {
                f(self)?;
                Err(error)
            }
            None => f(self),
        }
    }
}

impl Shop for MemoryShop {
    fn read_stock(&mut self, skus: &[String]) -> Result<Vec<StockLevel>, ShopError> {
        self.run(ShopOp::ReadStock, |shop| {
            Ok(skus
                .iter()
                .filter_map(|sku| {
                    shop.product(sku).map(|p| StockLevel {
                        sku: sku.clone(),
                        quantity: p.stock,
                    })
                })
                .collect())
        })
    }

    fn read_offers(&mut self, skus: &[String]) -> Result<Vec<ProductOffer>, ShopError> {
        self.run(ShopOp::ReadOffers, |shop| {
            Ok(shop
                .products
                .values()
                .filter(|p| p.sku.as_ref().is_some_and(|s| skus.contains(s)))
                .map(to_offer)
                .collect())
        })
    }

    fn read_catalogue(
        &mut self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<CataloguePage, ShopError> {
        let start: i64 = after.and_then(|a| a.parse().ok()).unwrap_or(0);
        let items: Vec<ProductOffer> = self
            .products
            .range(start + 1..)
            .take(limit.max(1))
            .map(|(_, p)| to_offer(p))
            .collect();
        let next = if items.len() == limit.max(1) {
            items.last().map(|p| p.product_id.to_string())
        } else {
            None
        };
        Ok(CataloguePage { items, next })
    }

    fn find_order_by_mirakl_id(
        &mut self,
        mirakl_order_id: &str,
    ) -> Result<Option<ShopOrderRef>, ShopError> {
        self.run(ShopOp::FindOrder, |shop| {
            Ok(shop
                .orders
                .values()
                .find(|o| o.draft.mirakl_order_id == mirakl_order_id)
                .map(|o| ShopOrderRef {
                    id: o.id,
                    status: o.status.clone(),
                }))
        })
    }

    fn mirakl_order_id_of(&mut self, order: ShopOrderId) -> Result<Option<String>, ShopError> {
        self.run(ShopOp::FindOrder, |shop| {
            Ok(shop
                .orders
                .get(&order)
                .map(|o| o.draft.mirakl_order_id.clone()))
        })
    }

    fn marketplace_orders(
        &mut self,
        since: DateTime<Utc>,
        page: u32,
        per_page: u32,
    ) -> Result<ShopOrderPage, ShopError> {
        self.run(ShopOp::ListOrders, |shop| {
            let per_page = per_page.max(1) as usize;
            let skip = (page.max(1) as usize - 1) * per_page;
            let epoch = DateTime::<Utc>::UNIX_EPOCH;
            let matching: Vec<&MemoryOrder> = shop
                .orders
                .values()
                .filter(|o| !o.draft.mirakl_order_id.is_empty())
                .filter(|o| shop.modified.get(&o.id).copied().unwrap_or(epoch) >= since)
                .collect();
            let more = matching.len() > skip + per_page;
            let orders = matching
                .into_iter()
                .skip(skip)
                .take(per_page)
                .map(|o| ShopOrderSummary {
                    id: o.id,
                    mirakl_order_id: o.draft.mirakl_order_id.clone(),
                    status: o.status.clone(),
                    modified_at: shop.modified.get(&o.id).copied().unwrap_or(epoch),
                    refunds: shop
                        .refunds
                        .values()
                        .filter(|r| r.order_id == o.id)
                        .map(|r| ShopRefundSummary {
                            id: r.id,
                            amount: r.lines.iter().map(|l| l.amount).sum::<Decimal>()
                                + r.shipping_amount,
                            created_at: shop.refunded_at.get(&r.id).copied().unwrap_or(epoch),
                            mirakl_refund_id: r.mirakl_refund_id.clone(),
                        })
                        .collect(),
                })
                .collect();
            Ok(ShopOrderPage { orders, more })
        })
    }

    fn create_order(&mut self, draft: &ShopOrderDraft) -> Result<ShopOrderId, ShopError> {
        self.run(ShopOp::CreateOrder, |shop| {
            if draft.lines.is_empty() {
                return Err(ShopError::rejected("an order needs at least one line"));
            }
            if draft.amounts.lines.len() != draft.lines.len() {
                // The shop writes the core's figures line by line: it never computes one.
                return Err(ShopError::rejected(
                    "the draft's amounts do not match its lines",
                ));
            }
            for line in &draft.lines {
                let Some(product) = shop.product_mut(&line.sku) else {
                    return Err(ShopError::rejected(format!("unknown SKU {}", line.sku)));
                };
                if draft.reduce_stock && product.stock.is_some_and(|s| s < line.quantity) {
                    return Err(ShopError::rejected(format!(
                        "not enough stock for {}",
                        line.sku
                    )));
                }
            }
            // An order the operator ships from its own stock leaves the shop's stock alone.
            for line in draft.lines.iter().filter(|_| draft.reduce_stock) {
                if let Some(stock) = shop.product_mut(&line.sku).and_then(|p| p.stock.as_mut()) {
                    *stock -= line.quantity;
                }
            }
            shop.next_order_id += 1;
            let id = shop.next_order_id;
            shop.orders.insert(
                id,
                MemoryOrder {
                    id,
                    draft: draft.clone(),
                    status: draft.status.clone(),
                    notes: Vec::new(),
                    cancelled: false,
                    tracking: None,
                    restocked: BTreeMap::new(),
                },
            );
            shop.touch(id);
            Ok(id)
        })
    }

    fn set_order_status(&mut self, order: ShopOrderId, status: &str) -> Result<(), ShopError> {
        self.run(ShopOp::SetStatus, |shop| {
            let order = shop
                .orders
                .get_mut(&order)
                .ok_or_else(|| ShopError::rejected(format!("no order {order}")))?;
            order.status = status.to_owned();
            let id = order.id;
            shop.touch(id);
            Ok(())
        })
    }

    fn update_order_addresses(
        &mut self,
        order: ShopOrderId,
        billing: Option<&Address>,
        shipping: Option<&Address>,
    ) -> Result<(), ShopError> {
        self.run(ShopOp::SetAddresses, |shop| {
            let order = shop
                .orders
                .get_mut(&order)
                .ok_or_else(|| ShopError::rejected(format!("no order {order}")))?;
            if let Some(billing) = billing {
                order.draft.billing_address = Some(billing.clone());
            }
            if let Some(shipping) = shipping {
                order.draft.shipping_address = Some(shipping.clone());
            }
            Ok(())
        })
    }

    fn add_order_note(&mut self, order: ShopOrderId, note: &str) -> Result<(), ShopError> {
        self.run(ShopOp::AddNote, |shop| {
            let order = shop
                .orders
                .get_mut(&order)
                .ok_or_else(|| ShopError::rejected(format!("no order {order}")))?;
            order.notes.push(note.to_owned());
            Ok(())
        })
    }

    fn cancel_order(&mut self, order: ShopOrderId, reason: &str) -> Result<(), ShopError> {
        self.run(ShopOp::Cancel, |shop| {
            let Some(existing) = shop.orders.get(&order) else {
                return Err(ShopError::rejected(format!("no order {order}")));
            };
            if existing.cancelled {
                return Ok(());
            }
            let lines: Vec<(String, i64)> = existing
                .draft
                .lines
                .iter()
                .filter(|_| existing.draft.reduce_stock)
                .map(|l| {
                    let back = existing.restocked.get(&l.sku).copied().unwrap_or(0);
                    (l.sku.clone(), (l.quantity - back).max(0))
                })
                .collect();
            for (sku, quantity) in lines {
                if let Some(stock) = shop.product_mut(&sku).and_then(|p| p.stock.as_mut()) {
                    *stock += quantity;
                }
            }
            if let Some(existing) = shop.orders.get_mut(&order) {
                existing.cancelled = true;
                existing.status = "cancelled".to_owned();
                existing.notes.push(reason.to_owned());
            }
            shop.touch(order);
            Ok(())
        })
    }

    fn read_tracking(&mut self, order: ShopOrderId) -> Result<Option<ShopTracking>, ShopError> {
        self.run(ShopOp::ReadTracking, |shop| {
            Ok(shop.orders.get(&order).and_then(|o| o.tracking.clone()))
        })
    }

    fn read_refund(&mut self, refund: ShopRefundId) -> Result<Option<ShopRefund>, ShopError> {
        self.run(ShopOp::ReadRefund, |shop| {
            Ok(shop.refunds.get(&refund).cloned())
        })
    }

    fn record_marketplace_refund(
        &mut self,
        order: ShopOrderId,
        refund: &MarketplaceRefund,
    ) -> Result<ShopRefundId, ShopError> {
        self.run(ShopOp::RecordRefund, |shop| {
            if let Some(existing) = shop
                .refunds
                .values()
                .find(|r| r.mirakl_refund_id.as_deref() == Some(refund.mirakl_refund_id.as_str()))
            {
                return Ok(existing.id);
            }
            let Some(total) = shop.orders.get(&order).map(|o| o.draft.total) else {
                return Err(ShopError::rejected(format!("no order {order}")));
            };
            // As WooCommerce: never more refunded than the order's total.
            let refunded: Decimal = shop
                .refunds
                .values()
                .filter(|r| r.order_id == order)
                .map(|r| r.lines.iter().map(|l| l.amount).sum::<Decimal>() + r.shipping_amount)
                .sum();
            // Booked as the shop would: Mirakl's taxes, amounts in the order's tax mode.
            let include = shop
                .orders
                .get(&order)
                .is_some_and(|o| o.draft.prices_include_tax);
            let in_mode = |amount: Decimal, tax: Decimal| match (include, refund.prices_include_tax)
            {
                (true, false) => amount + tax,
                (false, true) => amount - tax,
                _ => amount,
            };
            if refunded
                + in_mode(refund.amount, refund.tax)
                + in_mode(refund.shipping_amount, refund.shipping_tax)
                > total
            {
                return Err(ShopError::rejected("Invalid refund amount"));
            }
            // As WooCommerce with `restock_items`: the refunded units go back in stock.
            if refund.restock && refund.quantity > 0 {
                if let Some(stock) = refund
                    .sku
                    .as_deref()
                    .and_then(|sku| shop.product_mut(sku))
                    .and_then(|p| p.stock.as_mut())
                {
                    *stock += refund.quantity;
                }
                if let (Some(existing), Some(sku)) = (shop.orders.get_mut(&order), &refund.sku) {
                    *existing.restocked.entry(sku.clone()).or_default() += refund.quantity;
                }
            }
            let note = match (refund.kind, refund.reason_label.as_deref()) {
                (crate::sync::shop::MarketplaceRefundKind::Cancelation, label) => format!(
                    "Cancelled on the marketplace: {} unit(s) of {} ({}).",
                    refund.quantity,
                    refund.sku.as_deref().unwrap_or("-"),
                    label.or(refund.reason_code.as_deref()).unwrap_or("-")
                ),
                (_, label) => format!(
                    "Refund made on the marketplace ({}).",
                    label.or(refund.reason_code.as_deref()).unwrap_or("-")
                ),
            };
            if let Some(existing) = shop.orders.get_mut(&order) {
                existing.notes.push(note);
            }
            shop.next_refund_id += 1;
            let id = shop.next_refund_id;
            shop.refunds.insert(
                id,
                ShopRefund {
                    id,
                    order_id: order,
                    lines: vec![ShopRefundLine {
                        sku: refund.sku.clone().unwrap_or_default(),
                        mirakl_order_line_id: Some(refund.mirakl_order_line_id.clone()),
                        quantity: refund.quantity,
                        amount: in_mode(refund.amount, refund.tax),
                        tax: refund.tax,
                    }],
                    shipping_amount: in_mode(refund.shipping_amount, refund.shipping_tax),
                    shipping_tax: refund.shipping_tax,
                    mirakl_refund_id: Some(refund.mirakl_refund_id.clone()),
                },
            );
            let now = shop.time();
            shop.refunded_at.insert(id, now);
            shop.touch(order);
            Ok(id)
        })
    }
}

fn to_offer(product: &MemoryProduct) -> ProductOffer {
    ProductOffer {
        product_id: product.product_id,
        sku: product.sku.clone(),
        title: product.title.clone(),
        price: product.price,
        product_reference: product.product_reference.clone(),
        quantity: product.stock,
        description: None,
    }
}
