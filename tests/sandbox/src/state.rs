//! The marketplace state and every rule that changes it: offers, stock, the order lifecycle,
//! refunds, transaction logs and payouts.
//!
//! Invariants: all changes happen under one lock through these methods; `tick()` runs before
//! each request so time-based transitions (staging, acceptance expiry, imports) are applied in
//! order; an operation that fails returns an `ApiError` and leaves the state unchanged.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::clock::Clock;
use crate::config::SandboxConfig;
use crate::error::{ApiError, ApiResult};
use crate::model::*;

pub struct State {
    pub config: SandboxConfig,
    pub clock: Clock,
    pub rng: StdRng,
    pub offers: Vec<Offer>,
    pub offer_by_sku: HashMap<String, usize>,
    pub orders: Vec<Order>,
    pub order_by_id: HashMap<String, usize>,
    pub imports: Vec<Import>,
    pub transactions: Vec<Transaction>,
    pub invoices: Vec<Invoice>,
    pub shipments: Vec<Shipment>,
    pub balance: Decimal,
    pub billing_cycle_started: DateTime<Utc>,
    next_random_order_at: DateTime<Utc>,
    next_offer_id: i64,
    next_import_id: i64,
    next_order_number: i64,
    next_refund_id: i64,
    next_cancelation_id: i64,
    next_transaction_id: i64,
    next_invoice_id: i64,
    next_shipment_id: i64,
}

/// One requested order line for the console's order creation.
#[derive(Debug, Clone, Deserialize)]
pub struct NewLine {
    pub offer_sku: String,
    pub quantity: i64,
    /// Unit price (tax included); defaults to the offer's selling price.
    #[serde(default)]
    pub price: Option<Decimal>,
    /// Line shipping price (tax included); defaults to the configured per-unit shipping.
    #[serde(default)]
    pub shipping_price: Option<Decimal>,
}

/// The console's order creation request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewOrder {
    pub order_id: Option<String>,
    pub lines: Vec<NewLine>,
    pub customer: Option<Customer>,
    pub currency_iso_code: Option<String>,
    /// Skip STAGING and start in WAITING_ACCEPTANCE (the default when `staging_secs` is 0).
    pub skip_staging: Option<bool>,
    /// The shipping type and zone (default: STD in zone FR).
    pub shipping: Option<Shipping>,
    /// OR11 `order_additional_fields`.
    pub additional_fields: Vec<CustomField>,
    pub has_customer_message: bool,
    /// The order's own `order_tax_mode`, shown whatever OR11 asks for.
    pub tax_mode: Option<String>,
    /// An operator's fulfillment center ships the order (OR11 `fulfillment.center.code`).
    pub fulfillment_center: Option<String>,
    /// Per line, in the order of `lines`: a promotion and custom fields.
    pub line_extras: Vec<LineExtras>,
}

/// What a requested line carries besides its offer, quantity and prices.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LineExtras {
    /// What a promotion takes off the line, tax included (between 0 and the line's price).
    pub discount: Option<Decimal>,
    pub additional_fields: Vec<CustomField>,
}

/// A line decision in OR21.
#[derive(Debug, Clone)]
pub struct LineDecision {
    pub id: String,
    pub accepted: bool,
}

/// One OR28 refund request, amounts in the request's tax mode.
#[derive(Debug, Clone)]
pub struct RefundRequest {
    pub order_line_id: String,
    pub amount: Decimal,
    pub shipping_amount: Decimal,
    pub quantity: i64,
    pub reason_code: String,
    /// Sum of `taxes[]` when given (TAX_EXCLUDED requests).
    pub taxes: Option<Decimal>,
    pub shipping_taxes: Option<Decimal>,
    pub currency_iso_code: Option<String>,
}

/// One cancelation of units of a line (OR30 or the operator); amounts follow from the line.
#[derive(Debug, Clone)]
pub struct CancelRequest {
    pub order_line_id: String,
    pub quantity: i64,
    pub reason_code: String,
}

pub const REFUND_REASONS: &[&str] = &["15", "16", "17"];
pub const CANCEL_REASONS: &[&str] = &["34", "35"];
pub const CARRIERS: &[(&str, &str, &str)] = &[
    (
        "COLISSIMO",
        "Colissimo",
        "https://www.laposte.fr/outils/suivre-vos-envois?code={trackingId}",
    ),
    (
        "CHRONOPOST",
        "Chronopost",
        "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={trackingId}",
    ),
    (
        "DHL",
        "DHL",
        "https://www.dhl.com/en/express/tracking.html?AWB={trackingId}&brand=DHL",
    ),
    (
        "DPD",
        "DPD",
        "https://tracking.dpd.de/parcelstatus?query={trackingId}",
    ),
    (
        "FED",
        "Fed Ex",
        "https://www.fedex.com/Tracking?action=track&tracknumbers={trackingId}",
    ),
    ("GLS", "GLS", "https://gls-group.eu/track/{trackingId}"),
    (
        "UPS",
        "UPS",
        "https://wwwapps.ups.com/WebTracking/track?track=yes&trackNums={trackingId}",
    ),
];

impl State {
    pub fn new(config: SandboxConfig) -> State {
        let clock = Clock::new(config.start_time, config.clock_follows_real_time);
        let random_every = config.random_order_every_secs.max(1);
        let now = clock.now();
        let mut state = State {
            rng: StdRng::seed_from_u64(config.seed),
            clock,
            offers: Vec::new(),
            offer_by_sku: HashMap::new(),
            orders: Vec::new(),
            order_by_id: HashMap::new(),
            imports: Vec::new(),
            transactions: Vec::new(),
            invoices: Vec::new(),
            shipments: Vec::new(),
            balance: Decimal::ZERO,
            billing_cycle_started: now,
            next_random_order_at: now + Duration::seconds(random_every),
            next_offer_id: 2001,
            next_import_id: 1001,
            next_order_number: 1,
            next_refund_id: 5001,
            next_cancelation_id: 8001,
            next_transaction_id: 1,
            next_invoice_id: 7001,
            next_shipment_id: 1,
            config,
        };
        let initial = state.config.initial_offers;
        state.generate_offers(initial);
        state
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn tax_rate(&self) -> Decimal {
        self.config.sales_tax_rate
    }

    pub fn line_amounts(&self, line: &OrderLine) -> LineAmounts {
        line.amounts(
            self.config.sales_tax_rate,
            self.config.commission_rate,
            self.config.commission_vat_rate,
        )
    }

    // ---------------------------------------------------------------- offers

    /// Adds `count` generated offers `SKU-000001`... with seeded quantity and price.
    pub fn generate_offers(&mut self, count: usize) {
        let now = self.now();
        let start = self.offers.len();
        self.offers.reserve(count);
        for n in start + 1..=start + count {
            let sku = format!("SKU-{n:06}");
            let quantity = self.rng.gen_range(0..50);
            let cents = self.rng.gen_range(500..20_000);
            let offer = self.new_offer(&sku, Decimal::new(cents, 2), quantity, now);
            self.insert_offer(offer);
        }
    }

    fn new_offer(&mut self, sku: &str, price: Decimal, quantity: i64, now: DateTime<Utc>) -> Offer {
        let offer_id = self.next_offer_id;
        self.next_offer_id += 1;
        Offer {
            offer_id,
            shop_sku: sku.to_string(),
            product_sku: format!("PRD-{sku}"),
            product_id: sku.to_string(),
            product_id_type: "SHOP_SKU".into(),
            product_title: format!("Product {sku}"),
            description: String::new(),
            internal_description: String::new(),
            category_code: "GENERAL".into(),
            price,
            discount_price: None,
            quantity,
            min_quantity_alert: 0,
            state_code: "11".into(),
            leadtime_to_ship: self.config.shipping_lead_time_days,
            active: true,
            deleted: false,
            date_created: now,
            last_updated: now,
        }
    }

    fn insert_offer(&mut self, offer: Offer) -> usize {
        let index = self.offers.len();
        self.offer_by_sku.insert(offer.shop_sku.clone(), index);
        self.offers.push(offer);
        index
    }

    /// Creates or replaces an offer directly (console seeding).
    pub fn upsert_offer(
        &mut self,
        sku: &str,
        price: Decimal,
        quantity: i64,
        title: Option<String>,
    ) -> ApiResult<&Offer> {
        if sku.trim().is_empty() {
            return Err(ApiError::bad_request("offer sku is required"));
        }
        if !quantity_in_range(quantity) || price < Decimal::ZERO || !money_in_range(price) {
            return Err(ApiError::bad_request(
                "quantity and price must be positive and not absurdly large",
            ));
        }
        let now = self.now();
        let index = match self.offer_by_sku.get(sku) {
            Some(&i) => i,
            None => {
                let offer = self.new_offer(sku, price, quantity, now);
                self.insert_offer(offer)
            }
        };
        let offer = &mut self.offers[index];
        offer.price = price;
        offer.quantity = quantity;
        offer.deleted = false;
        offer.active = true;
        offer.last_updated = now;
        if let Some(title) = title {
            offer.product_title = title;
        }
        Ok(&self.offers[index])
    }

    pub fn live_offer_mut(&mut self, sku: &str) -> Option<&mut Offer> {
        let index = *self.offer_by_sku.get(sku)?;
        let offer = &mut self.offers[index];
        (!offer.deleted).then_some(offer)
    }

    // ---------------------------------------------------------------- time

    /// Applies every transition that is due at the current sandbox time.
    pub fn tick(&mut self) {
        let now = self.now();
        let mut to_debit = Vec::new();
        for index in 0..self.orders.len() {
            let order = &self.orders[index];
            match order.state.as_str() {
                "STAGING" if order.staging_until <= now => {
                    let order = &mut self.orders[index];
                    order.state = "WAITING_ACCEPTANCE".into();
                    set_line_states(order, "WAITING_ACCEPTANCE", now);
                    order.last_updated = now;
                }
                "WAITING_ACCEPTANCE" if order.acceptance_deadline <= now => {
                    self.auto_refuse(index, now)
                }
                "WAITING_DEBIT_PAYMENT" if self.config.auto_debit => {
                    to_debit.push(order.order_id.clone())
                }
                _ => {}
            }
        }
        for order_id in to_debit {
            self.demo_cancelation(&order_id);
            let _ = self.debit(&order_id);
        }
        self.process_imports(now);
        self.arrive_random_orders(now);
    }

    /// The demo's partial cancelations: before the debit, one random order in six (by its
    /// customer number) loses one unit of its first line of two or more units.
    fn demo_cancelation(&mut self, order_id: &str) {
        let Some(order) = self.orders.iter().find(|o| o.order_id == order_id) else {
            return;
        };
        let drawn = order
            .customer
            .customer_id
            .strip_prefix("CUST-")
            .and_then(|n| n.parse::<u32>().ok());
        if drawn.map_or(true, |n| n % 6 != 0) {
            return;
        }
        let Some(line) = order
            .lines
            .iter()
            .find(|l| l.is_live() && l.quantity - l.cancelled_quantity() >= 2)
        else {
            return;
        };
        let request = CancelRequest {
            order_line_id: line.order_line_id.clone(),
            quantity: 1,
            reason_code: CANCEL_REASONS[0].to_owned(),
        };
        let _ = self.cancel_lines(&[request]);
    }

    /// The demo's steady stream of orders; a big clock jump brings at most 100 at once.
    fn arrive_random_orders(&mut self, now: DateTime<Utc>) {
        let every = self.config.random_order_every_secs;
        if every <= 0 {
            return;
        }
        let mut arrived = 0;
        while self.next_random_order_at <= now && arrived < 100 {
            self.next_random_order_at += Duration::seconds(every);
            if self.create_random_order().is_err() {
                break;
            }
            arrived += 1;
        }
        if self.next_random_order_at <= now {
            self.next_random_order_at = now + Duration::seconds(every);
        }
    }

    pub fn advance_clock(&mut self, seconds: i64) {
        if let Some(by) = Duration::try_seconds(seconds) {
            self.clock.advance(by);
        }
        self.tick();
    }

    fn auto_refuse(&mut self, index: usize, now: DateTime<Utc>) {
        let order = &mut self.orders[index];
        order.state = "REFUSED".into();
        order.state_reason_code = Some("AUTO_REFUSED".into());
        order.state_reason_label = Some("Acceptance window expired".into());
        order.last_updated = now;
        set_line_states(order, "REFUSED", now);
        let restock: Vec<(String, i64)> = order
            .lines
            .iter()
            .map(|l| (l.offer_sku.clone(), l.quantity))
            .collect();
        self.restock(&restock, now);
    }

    /// Ends the acceptance window of one order (or all waiting orders) now.
    pub fn expire_acceptance(&mut self, order_id: Option<&str>) -> ApiResult<usize> {
        let now = self.now();
        let mut expired = 0;
        for index in 0..self.orders.len() {
            let order = &self.orders[index];
            if order_id.is_some_and(|id| id != order.order_id) {
                continue;
            }
            if order.state == "WAITING_ACCEPTANCE" || order.state == "STAGING" {
                self.auto_refuse(index, now);
                expired += 1;
            }
        }
        if expired == 0 {
            if let Some(id) = order_id {
                return Err(ApiError::bad_request(format!(
                    "Order {id} is not waiting for acceptance"
                )));
            }
        }
        Ok(expired)
    }

    fn restock(&mut self, lines: &[(String, i64)], now: DateTime<Utc>) {
        for (sku, quantity) in lines {
            if let Some(offer) = self.live_offer_mut(sku) {
                offer.quantity += quantity;
                offer.last_updated = now;
            }
        }
    }

    // ---------------------------------------------------------------- orders

    fn order_index(&self, order_id: &str) -> ApiResult<usize> {
        self.order_by_id
            .get(order_id)
            .copied()
            .ok_or_else(|| ApiError::not_found(format!("Order with id {order_id} not found")))
    }

    pub fn order(&self, order_id: &str) -> ApiResult<&Order> {
        Ok(&self.orders[self.order_index(order_id)?])
    }

    /// Creates a marketplace order: decrements offer quantities, refused when short.
    pub fn create_order(&mut self, request: NewOrder) -> ApiResult<String> {
        if request.lines.is_empty() {
            return Err(ApiError::bad_request("An order needs at least one line"));
        }
        let mut needed: HashMap<&str, i64> = HashMap::new();
        for line in &request.lines {
            let prices_ok = [line.price, line.shipping_price]
                .iter()
                .flatten()
                .all(|p| *p >= Decimal::ZERO && money_in_range(*p));
            if line.quantity <= 0 || !quantity_in_range(line.quantity) || !prices_ok {
                return Err(ApiError::bad_request(format!(
                    "Invalid quantity or price for offer {}",
                    line.offer_sku
                )));
            }
            *needed.entry(line.offer_sku.as_str()).or_default() += line.quantity;
        }
        for (sku, quantity) in &needed {
            let offer = self
                .offer_by_sku
                .get(*sku)
                .map(|&i| &self.offers[i])
                .filter(|o| !o.deleted && o.active)
                .ok_or_else(|| {
                    ApiError::bad_request(format!("Offer {sku} does not exist or is inactive"))
                })?;
            if offer.quantity < *quantity {
                return Err(ApiError::bad_request(format!(
                    "Insufficient quantity for offer {sku}: {} available, {quantity} ordered",
                    offer.quantity
                )));
            }
        }
        let order_id = match request.order_id {
            Some(id) if self.order_by_id.contains_key(&id) => {
                return Err(ApiError::bad_request(format!("Order {id} already exists")))
            }
            Some(id) if id.trim().is_empty() => {
                return Err(ApiError::bad_request("order_id must not be empty"))
            }
            Some(id) => id,
            None => loop {
                let candidate = format!("SBX{:06}-A", self.next_order_number);
                self.next_order_number += 1;
                if !self.order_by_id.contains_key(&candidate) {
                    break candidate;
                }
            },
        };
        let commercial_id = order_id
            .rsplit_once('-')
            .map(|(c, _)| c.to_string())
            .unwrap_or_else(|| order_id.clone());
        let now = self.now();
        let skip_staging = request
            .skip_staging
            .unwrap_or(self.config.staging_secs <= 0);
        let initial_state = if skip_staging {
            "WAITING_ACCEPTANCE"
        } else {
            "STAGING"
        };
        let mut lines = Vec::with_capacity(request.lines.len());
        let shipping_per_unit = self.config.shipping_price_per_unit;
        for (n, line) in request.lines.iter().enumerate() {
            let Some(offer) = self.live_offer_mut(&line.offer_sku) else {
                continue;
            };
            offer.quantity -= line.quantity;
            offer.last_updated = now;
            let unit_price = line.price.unwrap_or_else(|| offer.selling_price());
            let shipping_price = line
                .shipping_price
                .unwrap_or(shipping_per_unit * Decimal::from(line.quantity));
            let extras = request.line_extras.get(n).cloned().unwrap_or_default();
            let discount = round2(extras.discount.unwrap_or_default()).clamp(
                Decimal::ZERO,
                round2(unit_price * Decimal::from(line.quantity)),
            );
            lines.push(OrderLine {
                discount,
                additional_fields: extras.additional_fields,
                order_line_id: format!("{order_id}-{}", n + 1),
                index: n as i64 + 1,
                offer_id: offer.offer_id,
                offer_sku: offer.shop_sku.clone(),
                product_sku: offer.product_sku.clone(),
                product_title: offer.product_title.clone(),
                category_code: offer.category_code.clone(),
                offer_state_code: offer.state_code.clone(),
                quantity: line.quantity,
                unit_price: round2(unit_price),
                shipping_price: round2(shipping_price),
                state: initial_state.into(),
                state_reason_code: None,
                refunds: Vec::new(),
                cancelations: Vec::new(),
                created_date: now,
                debited_date: None,
                shipped_date: None,
                received_date: None,
                last_updated: now,
            });
        }
        let order = Order {
            order_id: order_id.clone(),
            commercial_id,
            state: initial_state.into(),
            state_reason_code: None,
            state_reason_label: None,
            currency_iso_code: request
                .currency_iso_code
                .unwrap_or_else(|| self.config.currency_iso_code.clone()),
            created_date: now,
            last_updated: now,
            staging_until: now + Duration::seconds(self.config.staging_secs.max(0)),
            acceptance_deadline: now
                + Duration::seconds(
                    self.config.staging_secs.max(0) + self.config.acceptance_window_secs,
                ),
            acceptance_decision_date: None,
            customer_debited_date: None,
            shipping_deadline: None,
            shipped_date: None,
            received_date: None,
            customer: request.customer.unwrap_or_default(),
            lines,
            tracking: None,
            payment_workflow: "PAY_ON_ACCEPTANCE".into(),
            shipping: request.shipping.unwrap_or_default(),
            additional_fields: request.additional_fields,
            has_customer_message: request.has_customer_message,
            tax_mode: request.tax_mode.clone(),
            fulfillment_center: request.fulfillment_center.clone(),
        };
        self.order_by_id.insert(order_id.clone(), self.orders.len());
        self.orders.push(order);
        Ok(order_id)
    }

    /// Creates an order of 1–3 random in-stock offers; `None` when nothing is in stock.
    pub fn create_random_order(&mut self) -> ApiResult<String> {
        let in_stock: Vec<usize> = self
            .offers
            .iter()
            .enumerate()
            .filter(|(_, o)| !o.deleted && o.active && o.quantity > 0)
            .map(|(i, _)| i)
            .collect();
        if in_stock.is_empty() {
            return Err(ApiError::bad_request("No offer in stock to order"));
        }
        let line_count = self.rng.gen_range(1..=3usize).min(in_stock.len());
        let mut lines: Vec<NewLine> = Vec::new();
        while lines.len() < line_count {
            let offer = &self.offers[in_stock[self.rng.gen_range(0..in_stock.len())]];
            if lines.iter().any(|l| l.offer_sku == offer.shop_sku) {
                if in_stock.len() <= lines.len() {
                    break;
                }
                continue;
            }
            let quantity = self.rng.gen_range(1..=offer.quantity.min(3));
            lines.push(NewLine {
                offer_sku: offer.shop_sku.clone(),
                quantity,
                price: None,
                shipping_price: None,
            });
        }
        let n = self.rng.gen_range(1..10_000);
        // The shapes real operators send, drawn from the same number (no extra draw, so the
        // seeded stream of offers and quantities stays as it was).
        let (country, code): (&str, Option<&str>) = match n % 5 {
            0 => ("France Métropolitaine", None),
            1 => ("FRANCE", Some("FR")),
            2 => ("Belgique", None),
            _ => ("France", Some("FRA")),
        };
        let customer = Customer {
            customer_id: format!("CUST-{n:04}"),
            lastname: format!("Client{n}"),
            country: country.into(),
            country_iso_code: code.map(Into::into),
            ..Customer::default()
        };
        let shipping = (n % 3 == 0).then(|| Shipping {
            type_code: "EXPRESS".into(),
            type_label: Some("Express 24h".into()),
            ..Shipping::default()
        });
        let additional_fields = if n % 4 == 0 {
            vec![CustomField {
                code: "gift-message".into(),
                field_type: "TEXTAREA".into(),
                value: serde_json::json!(format!("Joyeux anniversaire, Client{n} !")),
            }]
        } else {
            Vec::new()
        };
        let line_extras = lines
            .iter()
            .enumerate()
            .map(|(i, _)| LineExtras {
                discount: (i == 0 && n % 6 == 1).then(|| Decimal::new(150, 2)),
                additional_fields: Vec::new(),
            })
            .collect();
        self.create_order(NewOrder {
            lines,
            customer: Some(customer),
            shipping,
            additional_fields,
            has_customer_message: n % 7 == 0,
            tax_mode: None,
            fulfillment_center: None,
            line_extras,
            ..NewOrder::default()
        })
    }

    /// OR21: accept or refuse every line of an order in WAITING_ACCEPTANCE.
    pub fn accept_order(&mut self, order_id: &str, decisions: &[LineDecision]) -> ApiResult<()> {
        let index = self.order_index(order_id)?;
        let now = self.now();
        let order = &self.orders[index];
        if order.state != "WAITING_ACCEPTANCE" {
            return Err(ApiError::bad_request(format!(
                "ORDER_INVALID_STATE: Order {order_id} is in state {} and cannot be accepted or refused",
                order.state
            )));
        }
        for decision in decisions {
            if !order.lines.iter().any(|l| l.order_line_id == decision.id) {
                return Err(ApiError::bad_request(format!(
                    "ORDER_LINE_NOT_FOUND: Order line {} not found in order {order_id}",
                    decision.id
                )));
            }
        }
        for line in &order.lines {
            if !decisions.iter().any(|d| d.id == line.order_line_id) {
                return Err(ApiError::bad_request(format!(
                    "ORDER_LINE_ACCEPTANCE_DECISION_MISSING: No decision for order line {}",
                    line.order_line_id
                )));
            }
        }
        let accepted = |id: &str| {
            decisions
                .iter()
                .find(|d| d.id == id)
                .is_some_and(|d| d.accepted)
        };
        let any_accepted = order.lines.iter().any(|l| accepted(&l.order_line_id));
        let any_refused = order.lines.iter().any(|l| !accepted(&l.order_line_id));
        if any_accepted && any_refused && !self.config.partial_acceptance_enabled {
            return Err(ApiError::bad_request("ORDER_PARTIAL_ACCEPTANCE_DISABLED: All order lines must be accepted or all refused"));
        }
        let mut restock = Vec::new();
        let order = &mut self.orders[index];
        for line in order.lines.iter_mut() {
            if accepted(&line.order_line_id) {
                line.state = "WAITING_DEBIT_PAYMENT".into();
            } else {
                line.state = "REFUSED".into();
                restock.push((line.offer_sku.clone(), line.quantity));
            }
            line.last_updated = now;
        }
        order.state = if any_accepted {
            "WAITING_DEBIT_PAYMENT".into()
        } else {
            "REFUSED".into()
        };
        order.acceptance_decision_date = Some(now);
        order.last_updated = now;
        self.restock(&restock, now);
        if any_accepted && self.config.auto_debit {
            self.debit(order_id)?;
        }
        Ok(())
    }

    /// Console: the customer is debited; the order moves to SHIPPING and its amounts enter the
    /// transaction log (pending until shipped).
    pub fn debit(&mut self, order_id: &str) -> ApiResult<()> {
        let index = self.order_index(order_id)?;
        let now = self.now();
        if !matches!(
            self.orders[index].state.as_str(),
            "WAITING_DEBIT_PAYMENT" | "WAITING_DEBIT"
        ) {
            return Err(ApiError::bad_request(format!(
                "Order {order_id} is in state {} and cannot be debited",
                self.orders[index].state
            )));
        }
        let lead = Duration::days(self.config.shipping_lead_time_days);
        let mut rows = Vec::new();
        {
            let order = &self.orders[index];
            for line in order.lines.iter().filter(|l| l.is_live()) {
                let a = line.debited_amounts(
                    self.config.sales_tax_rate,
                    self.config.commission_rate,
                    self.config.commission_vat_rate,
                );
                rows.push((
                    "ORDER_AMOUNT",
                    a.price_included - a.price_tax,
                    Some(line.order_line_id.clone()),
                ));
                rows.push((
                    "ORDER_AMOUNT_TAX",
                    a.price_tax,
                    Some(line.order_line_id.clone()),
                ));
                rows.push((
                    "ORDER_SHIPPING_AMOUNT",
                    a.shipping_included - a.shipping_tax,
                    Some(line.order_line_id.clone()),
                ));
                rows.push((
                    "ORDER_SHIPPING_AMOUNT_TAX",
                    a.shipping_tax,
                    Some(line.order_line_id.clone()),
                ));
                rows.push((
                    "COMMISSION_FEE",
                    -a.commission_fee,
                    Some(line.order_line_id.clone()),
                ));
                rows.push((
                    "COMMISSION_VAT",
                    -a.commission_vat,
                    Some(line.order_line_id.clone()),
                ));
            }
        }
        let order = &mut self.orders[index];
        order.state = "SHIPPING".into();
        order.customer_debited_date = Some(now);
        order.shipping_deadline = Some(now + lead);
        order.last_updated = now;
        for line in order.lines.iter_mut().filter(|l| l.is_live()) {
            line.state = "SHIPPING".into();
            line.debited_date = Some(now);
            line.last_updated = now;
        }
        let (order_id, commercial_id) = (order.order_id.clone(), order.commercial_id.clone());
        for (kind, amount, line_id) in rows {
            self.add_transaction(
                kind,
                amount,
                "PENDING",
                Some(&order_id),
                Some(&commercial_id),
                line_id,
                None,
            );
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn add_transaction(
        &mut self,
        kind: &str,
        amount: Decimal,
        payment_state: &str,
        order_id: Option<&str>,
        commercial_id: Option<&str>,
        order_line_id: Option<String>,
        refund_id: Option<String>,
    ) {
        let now = self.now();
        self.balance += amount;
        let id = format!(
            "{:08x}-5bx0-4000-8000-{:012x}",
            self.next_transaction_id, self.next_transaction_id
        );
        self.next_transaction_id += 1;
        let currency = order_id
            .and_then(|id| self.order_by_id.get(id))
            .map(|&i| self.orders[i].currency_iso_code.clone())
            .unwrap_or_else(|| self.config.currency_iso_code.clone());
        self.transactions.push(Transaction {
            id,
            transaction_type: kind.into(),
            amount: round2(amount),
            balance: round2(self.balance),
            currency_iso_code: currency,
            date_created: now,
            last_updated: now,
            payment_state: payment_state.into(),
            order_id: order_id.map(str::to_string),
            commercial_id: commercial_id.map(str::to_string),
            order_line_id,
            refund_id,
            accounting_document_id: None,
            accounting_document_number: None,
            seller_billing_cycle_id: None,
        });
    }

    /// OR23: carrier and tracking number, while SHIPPING (or after, to correct them).
    pub fn set_tracking(&mut self, order_id: &str, tracking: Tracking) -> ApiResult<()> {
        let index = self.order_index(order_id)?;
        let now = self.now();
        let order = &mut self.orders[index];
        if !matches!(order.state.as_str(), "SHIPPING" | "SHIPPED" | "TO_COLLECT") {
            return Err(ApiError::bad_request(format!("ORDER_INVALID_STATE: Order {order_id} is in state {} and its tracking cannot be updated", order.state)));
        }
        let mut tracking = tracking;
        match tracking.carrier_code.as_deref() {
            Some(code) => {
                let Some(carrier) = CARRIERS.iter().find(|c| c.0 == code) else {
                    return Err(ApiError::bad_request(format!(
                        "Carrier code {code} is unknown"
                    )));
                };
                tracking.carrier_name = Some(carrier.1.to_string());
                tracking.carrier_url = tracking
                    .tracking_number
                    .as_ref()
                    .map(|n| carrier.2.replace("{trackingId}", n));
            }
            None if tracking.carrier_name.is_none() => {
                return Err(ApiError::bad_request(
                    "Either carrier_code or carrier_name is required",
                ));
            }
            None => {}
        }
        order.tracking = Some(tracking);
        order.last_updated = now;
        Ok(())
    }

    /// OR24: SHIPPING → SHIPPED; order amounts become payable.
    pub fn ship(&mut self, order_id: &str) -> ApiResult<()> {
        let index = self.order_index(order_id)?;
        let now = self.now();
        let order = &mut self.orders[index];
        if order.state != "SHIPPING" {
            return Err(ApiError::bad_request(format!("ORDER_INVALID_STATE: Order {order_id} is in state {}, it must be SHIPPING to be shipped", order.state)));
        }
        order.state = "SHIPPED".into();
        order.shipped_date = Some(now);
        order.last_updated = now;
        for line in order.lines.iter_mut().filter(|l| l.is_live()) {
            if line.state == "SHIPPING" {
                line.state = "SHIPPED".into();
            }
            line.shipped_date = Some(now);
            line.last_updated = now;
        }
        let id = order.order_id.clone();
        for row in self
            .transactions
            .iter_mut()
            .filter(|t| t.order_id.as_deref() == Some(&id) && t.payment_state == "PENDING")
        {
            row.payment_state = "PAYABLE".into();
            row.last_updated = now;
        }
        Ok(())
    }

    /// Console: SHIPPED → RECEIVED, then RECEIVED → CLOSED.
    pub fn advance_order(&mut self, order_id: &str, to: &str) -> ApiResult<()> {
        let index = self.order_index(order_id)?;
        let now = self.now();
        let order = &mut self.orders[index];
        let allowed = match to {
            "RECEIVED" => matches!(order.state.as_str(), "SHIPPED" | "TO_COLLECT"),
            "CLOSED" => matches!(order.state.as_str(), "RECEIVED" | "SHIPPED"),
            _ => false,
        };
        if !allowed {
            return Err(ApiError::bad_request(format!(
                "Order {order_id} cannot move from {} to {to}",
                order.state
            )));
        }
        order.state = to.into();
        order.last_updated = now;
        if to == "RECEIVED" {
            order.received_date = Some(now);
        }
        for line in order
            .lines
            .iter_mut()
            .filter(|l| l.is_live() && l.state != "REFUNDED")
        {
            line.state = to.into();
            if to == "RECEIVED" {
                line.received_date = Some(now);
            }
            line.last_updated = now;
        }
        Ok(())
    }

    /// OR29: cancels a whole order while `can_cancel`; quantities go back to the offers.
    pub fn cancel_order(&mut self, order_id: &str) -> ApiResult<()> {
        let index = self.order_index(order_id)?;
        let now = self.now();
        let order = &mut self.orders[index];
        if !order.can_cancel() {
            return Err(ApiError::bad_request(format!(
                "Order {order_id} cannot be canceled (state {})",
                order.state
            )));
        }
        order.state = "CANCELED".into();
        order.last_updated = now;
        let mut restock = Vec::new();
        for line in order.lines.iter_mut().filter(|l| l.is_live()) {
            line.state = "CANCELED".into();
            line.last_updated = now;
            restock.push((line.offer_sku.clone(), line.quantity));
        }
        let id = order.order_id.clone();
        // Amounts never paid out are dropped from the pending balance.
        let mut reverted = Decimal::ZERO;
        for row in self
            .transactions
            .iter_mut()
            .filter(|t| t.order_id.as_deref() == Some(&id) && t.payment_state != "PAID")
        {
            reverted += row.amount;
            row.payment_state = "NOT_APPLICABLE".into();
            row.last_updated = now;
        }
        self.balance -= reverted;
        self.restock(&restock, now);
        Ok(())
    }

    /// OR28: refunds lines; never beyond what is left to refund on a line. All-or-nothing.
    pub fn refund(
        &mut self,
        requests: &[RefundRequest],
        mode: TaxMode,
    ) -> ApiResult<Vec<(String, Refund)>> {
        if requests.is_empty() {
            return Err(ApiError::bad_request("refunds must not be empty"));
        }
        let rate = self.tax_rate();
        let now = self.now();
        // Validate everything first, accumulating per line so two refunds of one line in one call
        // are checked together.
        let mut planned: Vec<(usize, usize, Refund)> = Vec::new();
        let mut pending: HashMap<(usize, usize), (Decimal, Decimal)> = HashMap::new();
        for request in requests {
            let (order_index, line_index) = self.line_for(
                &request.order_line_id,
                &request.reason_code,
                &["SHIPPING", "SHIPPED", "TO_COLLECT", "RECEIVED"],
                REFUND_REASONS,
                ("refunded", "refund"),
            )?;
            let order = &self.orders[order_index];
            let line = &order.lines[line_index];
            if let Some(currency) = &request.currency_iso_code {
                if currency != &order.currency_iso_code {
                    return Err(ApiError::bad_request(format!(
                        "Currency {currency} does not match the order currency {}",
                        order.currency_iso_code
                    )));
                }
            }
            if request.amount < Decimal::ZERO || request.shipping_amount < Decimal::ZERO {
                return Err(ApiError::bad_request("Refund amounts must not be negative"));
            }
            if request.amount.is_zero() && request.shipping_amount.is_zero() {
                return Err(ApiError::bad_request(format!(
                    "Refund of order line {} has no amount",
                    request.order_line_id
                )));
            }
            let (amount_included, amount_tax) =
                included_and_tax(request.amount, request.taxes, mode, rate);
            let (shipping_included, shipping_tax) =
                included_and_tax(request.shipping_amount, request.shipping_taxes, mode, rate);
            let amounts = self.line_amounts(line);
            let seen = pending.entry((order_index, line_index)).or_default();
            let price_left =
                amounts.price_included - line.refunded_price() - line.cancelled_price() - seen.0;
            let shipping_left = amounts.shipping_included
                - line.refunded_shipping()
                - line.cancelled_shipping()
                - seen.1;
            if amount_included > price_left {
                return Err(ApiError::bad_request(format!(
                    "The refund amount {} exceeds the amount left to refund {} on order line {}",
                    mode.show(amount_included, amount_tax),
                    price_left.max(Decimal::ZERO),
                    request.order_line_id
                )));
            }
            if shipping_included > shipping_left {
                return Err(ApiError::bad_request(format!(
                    "The refund shipping amount exceeds the shipping amount left to refund {} on order line {}",
                    shipping_left.max(Decimal::ZERO),
                    request.order_line_id
                )));
            }
            seen.0 += amount_included;
            seen.1 += shipping_included;
            let commission_fee =
                round2((amount_included + shipping_included) * self.config.commission_rate);
            let commission_vat = round2(commission_fee * self.config.commission_vat_rate);
            let refund = Refund {
                id: String::new(),
                order_refund_id: String::new(),
                amount_included,
                amount_tax,
                shipping_included,
                shipping_tax,
                quantity: request.quantity.max(0),
                reason_code: request.reason_code.clone(),
                commission_fee,
                commission_vat,
                state: "REFUNDED".into(),
                created_date: now,
            };
            planned.push((order_index, line_index, refund));
        }
        let mut done = Vec::new();
        for (order_index, line_index, mut refund) in planned {
            let refund_id = self.next_refund_id;
            self.next_refund_id += 1;
            refund.id = refund_id.to_string();
            refund.order_refund_id = format!("{}-R{refund_id}", self.orders[order_index].order_id);
            let payment_state = if self.orders[order_index].state == "SHIPPING" {
                "PENDING"
            } else {
                "PAYABLE"
            };
            let line_id = self.orders[order_index].lines[line_index]
                .order_line_id
                .clone();
            self.book_money_back(
                order_index,
                line_index,
                [
                    refund.amount_included,
                    refund.amount_tax,
                    refund.shipping_included,
                    refund.shipping_tax,
                    refund.commission_fee,
                    refund.commission_vat,
                ],
                payment_state,
                Some(refund.id.clone()),
            );
            let tax_rate = self.tax_rate();
            let (commission_rate, commission_vat_rate) =
                (self.config.commission_rate, self.config.commission_vat_rate);
            let order = &mut self.orders[order_index];
            order.last_updated = now;
            let line = &mut order.lines[line_index];
            line.refunds.push(refund.clone());
            line.last_updated = now;
            let amounts = line.amounts(tax_rate, commission_rate, commission_vat_rate);
            if line.refunded_price() >= amounts.price_included
                && line.refunded_shipping() >= amounts.shipping_included
            {
                line.state = "REFUNDED".into();
            }
            done.push((line_id, refund));
        }
        Ok(done)
    }

    /// OR30 (or the operator): cancels units of lines that have not shipped, each at its unit
    /// price, the line's shipping with its last units; a line with nothing left is CANCELED,
    /// an order with no line left is CANCELED. Before the debit the customer is only debited
    /// what is left; after it the cancelled amounts go back to the customer (TL02 refund rows).
    /// All-or-nothing.
    pub fn cancel_lines(
        &mut self,
        requests: &[CancelRequest],
    ) -> ApiResult<Vec<(String, Cancelation)>> {
        if requests.is_empty() {
            return Err(ApiError::bad_request("cancelations must not be empty"));
        }
        let rate = self.tax_rate();
        let now = self.now();
        let mut planned: Vec<(usize, usize, Cancelation)> = Vec::new();
        let mut pending: HashMap<(usize, usize), i64> = HashMap::new();
        for request in requests {
            let (order_index, line_index) = self.line_for(
                &request.order_line_id,
                &request.reason_code,
                &["WAITING_DEBIT", "WAITING_DEBIT_PAYMENT", "SHIPPING"],
                CANCEL_REASONS,
                ("canceled", "cancelation"),
            )?;
            let order = &self.orders[order_index];
            let line = &order.lines[line_index];
            let seen = pending.entry((order_index, line_index)).or_default();
            let left = line.quantity - line.cancelled_quantity() - *seen;
            if request.quantity < 1 || request.quantity > left {
                return Err(ApiError::bad_request(format!(
                    "The quantity {} to cancel on order line {} is not between 1 and {left}",
                    request.quantity, request.order_line_id
                )));
            }
            *seen += request.quantity;
            let amounts = self.line_amounts(line);
            let last = request.quantity == left;
            let price_left =
                amounts.price_included - line.cancelled_price() - line.refunded_price();
            let amount_included = if last {
                price_left
            } else {
                round2(line.unit_price * Decimal::from(request.quantity)).min(price_left)
            }
            .max(Decimal::ZERO);
            let shipping_included = if last {
                (amounts.shipping_included - line.cancelled_shipping() - line.refunded_shipping())
                    .max(Decimal::ZERO)
            } else {
                Decimal::ZERO
            };
            let (_, amount_tax) = split_tax(amount_included, rate);
            let (_, shipping_tax) = split_tax(shipping_included, rate);
            let commission_fee =
                round2((amount_included + shipping_included) * self.config.commission_rate);
            let commission_vat = round2(commission_fee * self.config.commission_vat_rate);
            planned.push((
                order_index,
                line_index,
                Cancelation {
                    id: String::new(),
                    amount_included,
                    amount_tax,
                    shipping_included,
                    shipping_tax,
                    quantity: request.quantity,
                    reason_code: request.reason_code.clone(),
                    commission_fee,
                    commission_vat,
                    created_date: now,
                },
            ));
        }
        let mut done = Vec::new();
        let mut restock = Vec::new();
        for (order_index, line_index, mut cancelation) in planned {
            cancelation.id = self.next_cancelation_id.to_string();
            self.next_cancelation_id += 1;
            let line = &self.orders[order_index].lines[line_index];
            let line_id = line.order_line_id.clone();
            restock.push((line.offer_sku.clone(), cancelation.quantity));
            if self.orders[order_index].state == "SHIPPING" {
                self.book_money_back(
                    order_index,
                    line_index,
                    [
                        cancelation.amount_included,
                        cancelation.amount_tax,
                        cancelation.shipping_included,
                        cancelation.shipping_tax,
                        cancelation.commission_fee,
                        cancelation.commission_vat,
                    ],
                    "PENDING",
                    None,
                );
            }
            let order = &mut self.orders[order_index];
            order.last_updated = now;
            let line = &mut order.lines[line_index];
            line.cancelations.push(cancelation.clone());
            line.last_updated = now;
            if line.cancelled_quantity() >= line.quantity {
                line.state = "CANCELED".into();
                line.state_reason_code = Some(cancelation.reason_code.clone());
            }
            if order.lines.iter().all(|l| !l.is_live()) {
                order.state = "CANCELED".into();
            }
            done.push((line_id, cancelation));
        }
        self.restock(&restock, now);
        Ok(done)
    }

    /// TL02 rows of money going back to the customer on a line (a refund, or a cancelation
    /// after the debit): `[amount, its tax, shipping, its tax, commission, its VAT]`, amounts
    /// tax included; zero rows are left out.
    fn book_money_back(
        &mut self,
        order_index: usize,
        line_index: usize,
        figures: [Decimal; 6],
        payment_state: &str,
        refund_id: Option<String>,
    ) {
        let [amount, amount_tax, shipping, shipping_tax, fee, vat] = figures;
        let order = &self.orders[order_index];
        let (order_id, commercial_id) = (order.order_id.clone(), order.commercial_id.clone());
        let line_id = order.lines[line_index].order_line_id.clone();
        let rows = [
            ("REFUND_ORDER_AMOUNT", -(amount - amount_tax)),
            ("REFUND_ORDER_AMOUNT_TAX", -amount_tax),
            ("REFUND_ORDER_SHIPPING_AMOUNT", -(shipping - shipping_tax)),
            ("REFUND_ORDER_SHIPPING_AMOUNT_TAX", -shipping_tax),
            ("REFUND_COMMISSION_FEE", fee),
            ("REFUND_COMMISSION_VAT", vat),
        ];
        for (kind, amount) in rows {
            if !amount.is_zero() {
                self.add_transaction(
                    kind,
                    amount,
                    payment_state,
                    Some(&order_id),
                    Some(&commercial_id),
                    Some(line_id.clone()),
                    refund_id.clone(),
                );
            }
        }
    }

    /// A live line of an order in one of `states`, for a request with one of `reasons`;
    /// `words` name the action ("refunded", "refund") in the errors.
    fn line_for(
        &self,
        order_line_id: &str,
        reason_code: &str,
        states: &[&str],
        reasons: &[&str],
        words: (&str, &str),
    ) -> ApiResult<(usize, usize)> {
        let (order_index, line_index) = self.find_line(order_line_id)?;
        let order = &self.orders[order_index];
        if !states.contains(&order.state.as_str()) || !order.lines[line_index].is_live() {
            return Err(ApiError::bad_request(format!(
                "Order line {order_line_id} cannot be {} in state {}",
                words.0, order.state
            )));
        }
        if !reasons.contains(&reason_code) {
            return Err(ApiError::bad_request(format!(
                "Reason code {reason_code} is not a {} reason",
                words.1
            )));
        }
        Ok((order_index, line_index))
    }

    pub fn find_line(&self, order_line_id: &str) -> ApiResult<(usize, usize)> {
        // Line ids are "<order_id>-<n>": look the order up first, then scan as a fallback.
        if let Some((order_id, _)) = order_line_id.rsplit_once('-') {
            if let Some(&oi) = self.order_by_id.get(order_id) {
                if let Some(li) = self.orders[oi]
                    .lines
                    .iter()
                    .position(|l| l.order_line_id == order_line_id)
                {
                    return Ok((oi, li));
                }
            }
        }
        for (oi, order) in self.orders.iter().enumerate() {
            if let Some(li) = order
                .lines
                .iter()
                .position(|l| l.order_line_id == order_line_id)
            {
                return Ok((oi, li));
            }
        }
        Err(ApiError::not_found(format!(
            "Order line {order_line_id} not found"
        )))
    }

    /// Console: pays out every PAYABLE amount, issues the billing cycle's accounting document and
    /// starts a new cycle. Returns the document of the shop's currency.
    pub fn payout(&mut self) -> ApiResult<Invoice> {
        let default_currency = self.config.currency_iso_code.clone();
        let invoices = self.payout_all();
        invoices
            .into_iter()
            .find(|i| i.currency_iso_code == default_currency)
            .ok_or_else(|| ApiError::bad_request("No payout was made"))
    }

    /// Console: one payout per currency with PAYABLE amounts (the shop's currency always, even
    /// when nothing is payable), each with its own accounting document and billing cycle;
    /// currencies are never netted against each other.
    pub fn payout_all(&mut self) -> Vec<Invoice> {
        let now = self.now();
        let mut currencies = vec![self.config.currency_iso_code.clone()];
        for row in self
            .transactions
            .iter()
            .filter(|t| t.payment_state == "PAYABLE")
        {
            if !currencies.contains(&row.currency_iso_code) {
                currencies.push(row.currency_iso_code.clone());
            }
        }
        let mut invoices = Vec::with_capacity(currencies.len());
        for currency in currencies {
            let invoice_id = self.next_invoice_id;
            self.next_invoice_id += 1;
            let document_id = format!("INV-{invoice_id}");
            let cycle_id = crate::api::finance::cycle_id(invoice_id);
            let mut payable = Decimal::ZERO;
            let mut commission_excl = Decimal::ZERO;
            let mut commission_tax = Decimal::ZERO;
            for row in self
                .transactions
                .iter_mut()
                .filter(|t| t.payment_state == "PAYABLE" && t.currency_iso_code == currency)
            {
                payable += row.amount;
                match row.transaction_type.as_str() {
                    "COMMISSION_FEE" | "REFUND_COMMISSION_FEE" => commission_excl -= row.amount,
                    "COMMISSION_VAT" | "REFUND_COMMISSION_VAT" => commission_tax -= row.amount,
                    _ => {}
                }
                row.payment_state = "PAID".into();
                row.last_updated = now;
                row.accounting_document_id = Some(invoice_id.to_string());
                row.accounting_document_number = Some(document_id.clone());
                row.seller_billing_cycle_id = Some(cycle_id.clone());
            }
            let invoice = Invoice {
                invoice_id,
                id: document_id.clone(),
                issue_date: now,
                start_date: self.billing_cycle_started,
                end_date: now,
                currency_iso_code: currency.clone(),
                commission_excl,
                commission_tax,
                amount_transferred: payable,
                payment_reference: format!("PAYOUT-{invoice_id}"),
            };
            self.add_transaction("PAYMENT", -payable, "PAID", None, None, None, None);
            if let Some(row) = self.transactions.last_mut() {
                row.currency_iso_code = currency;
                row.accounting_document_id = Some(invoice_id.to_string());
                row.accounting_document_number = Some(document_id);
                row.seller_billing_cycle_id = Some(cycle_id);
            }
            self.invoices.push(invoice.clone());
            invoices.push(invoice);
        }
        self.billing_cycle_started = now;
        invoices
    }

    /// Console: books an operator transaction not tied to an order (a manual credit, a
    /// subscription fee, a penalty...). `amount` is the magnitude; the type decides whether it
    /// credits or debits the shop. It is PAYABLE at once. Returns the transaction id.
    pub fn add_account_transaction(&mut self, kind: &str, amount: Decimal) -> ApiResult<String> {
        let sign = match kind {
            "MANUAL_CREDIT"
            | "MANUAL_CREDIT_VAT"
            | "INVOICEABLE_ONE_OFF_CREDIT"
            | "INVOICEABLE_ONE_OFF_CREDIT_TAX" => Decimal::ONE,
            "MANUAL_INVOICE"
            | "MANUAL_INVOICE_VAT"
            | "INVOICEABLE_ONE_OFF_DEBIT"
            | "INVOICEABLE_ONE_OFF_DEBIT_TAX"
            | "SUBSCRIPTION_FEE"
            | "SUBSCRIPTION_VAT"
            | "SELLER_PENALTY_FEE"
            | "SELLER_PENALTY_FEE_TAX" => Decimal::NEGATIVE_ONE,
            other => {
                return Err(ApiError::bad_request(format!(
                    "Transaction type {other} cannot be booked from the console"
                )))
            }
        };
        if amount <= Decimal::ZERO || !money_in_range(amount) {
            return Err(ApiError::bad_request(
                "amount must be positive and not absurdly large",
            ));
        }
        self.add_transaction(kind, sign * amount, "PAYABLE", None, None, None, None);
        Ok(self
            .transactions
            .last()
            .map(|t| t.id.clone())
            .unwrap_or_default())
    }

    // ---------------------------------------------------------------- shipments

    /// ST01: one shipment of what is left on lines (ordered less cancelled units); the order
    /// becomes SHIPPED when `shipped` and every live line is in a shipment.
    pub fn create_shipment(
        &mut self,
        order_id: &str,
        lines: &[(Option<String>, Option<String>, i64)],
        tracking: Option<Tracking>,
        shipped: bool,
    ) -> ApiResult<Shipment> {
        let index = self.order_index(order_id)?;
        let now = self.now();
        if self.orders[index].state != "SHIPPING" {
            return Err(ApiError::bad_request(format!(
                "Order {order_id} is in state {}, shipments need SHIPPING",
                self.orders[index].state
            )));
        }
        if lines.is_empty() {
            return Err(ApiError::bad_request("shipment_lines must not be empty"));
        }
        let mut resolved = Vec::new();
        for (line_id, sku, quantity) in lines {
            let order = &self.orders[index];
            let line = order.lines.iter().find(|l| {
                l.is_live()
                    && (line_id.as_deref() == Some(l.order_line_id.as_str())
                        || (line_id.is_none() && sku.as_deref() == Some(l.offer_sku.as_str())))
            });
            let Some(line) = line else {
                return Err(ApiError::bad_request(
                    "Shipment line does not match any order line",
                ));
            };
            if *quantity <= 0 || *quantity > line.quantity - line.cancelled_quantity() {
                return Err(ApiError::bad_request(format!(
                    "Invalid quantity {quantity} for order line {}",
                    line.order_line_id
                )));
            }
            resolved.push((
                line.order_line_id.clone(),
                line.offer_sku.clone(),
                *quantity,
            ));
        }
        let id = format!(
            "{:08x}-5b00-4000-9000-{:012x}",
            self.next_shipment_id, self.next_shipment_id
        );
        self.next_shipment_id += 1;
        let shipment = Shipment {
            id,
            order_id: order_id.to_string(),
            status: if shipped {
                "SHIPPED".into()
            } else {
                "SHIPPING".into()
            },
            lines: resolved,
            tracking: tracking.clone(),
            created_date: now,
        };
        self.shipments.push(shipment.clone());
        if let Some(tracking) = tracking {
            self.orders[index].tracking = Some(tracking);
        }
        if shipped {
            let order = &self.orders[index];
            let all_shipped = order.lines.iter().filter(|l| l.is_live()).all(|l| {
                let sent: i64 = self
                    .shipments
                    .iter()
                    .filter(|s| s.order_id == order_id && s.status == "SHIPPED")
                    .flat_map(|s| s.lines.iter())
                    .filter(|(id, _, _)| id == &l.order_line_id)
                    .map(|(_, _, q)| q)
                    .sum();
                sent >= l.quantity - l.cancelled_quantity()
            });
            if all_shipped {
                self.ship(order_id)?;
            }
        }
        Ok(shipment)
    }

    // ---------------------------------------------------------------- imports

    /// Registers an uploaded STO01/OF01 file; it is processed by `tick` after the configured delay.
    pub fn add_import(&mut self, kind: &str, mode: &str, file_name: &str, file: Vec<u8>) -> i64 {
        let import_id = self.next_import_id;
        self.next_import_id += 1;
        self.imports.push(Import {
            import_id,
            kind: kind.into(),
            mode: mode.into(),
            status: "WAITING".into(),
            reason_status: None,
            date_created: self.now(),
            file_name: file_name.into(),
            lines_read: 0,
            lines_in_success: 0,
            lines_in_error: 0,
            offer_inserted: 0,
            offer_updated: 0,
            offer_deleted: 0,
            error_report: None,
            pending_file: Some(file),
        });
        import_id
    }

    pub fn import(&self, kind: &str, import_id: i64) -> ApiResult<&Import> {
        self.imports
            .iter()
            .find(|i| i.kind == kind && i.import_id == import_id)
            .ok_or_else(|| ApiError::not_found(format!("Import with id {import_id} not found")))
    }

    fn process_imports(&mut self, now: DateTime<Utc>) {
        let delay = Duration::seconds(self.config.import_delay_secs.max(0));
        for index in 0..self.imports.len() {
            let import = &self.imports[index];
            if import.pending_file.is_none() {
                continue;
            }
            let elapsed = now - import.date_created;
            if elapsed >= delay {
                let file = self.imports[index].pending_file.take().unwrap_or_default();
                let kind = self.imports[index].kind.clone();
                if kind == "STOCK" {
                    crate::imports::apply_stock_file(self, index, &file, now);
                } else {
                    crate::imports::apply_offer_file(self, index, &file, now);
                }
            } else if elapsed * 2 >= delay {
                self.imports[index].status = "RUNNING".into();
            }
        }
    }

    /// Resets to a fresh instance with the same configuration.
    pub fn reset(&mut self) {
        let config = self.config.clone();
        *self = State::new(config);
    }
}

fn set_line_states(order: &mut Order, state: &str, now: DateTime<Utc>) {
    for line in order.lines.iter_mut() {
        line.state = state.into();
        line.last_updated = now;
    }
}

/// Converts an amount given in `mode` to (tax included, tax), using the request's tax amounts
/// when it names them.
fn included_and_tax(
    amount: Decimal,
    given_tax: Option<Decimal>,
    mode: TaxMode,
    rate: Decimal,
) -> (Decimal, Decimal) {
    match mode {
        TaxMode::Included => {
            let (_, tax) = split_tax(amount, rate);
            (amount, given_tax.unwrap_or(tax))
        }
        TaxMode::Excluded => {
            let tax = given_tax.unwrap_or_else(|| round2(amount * rate));
            (amount + tax, tax)
        }
    }
}
