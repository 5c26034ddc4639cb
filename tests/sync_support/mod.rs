//! Shared harness for the engine's scenario tests: the sandbox in-process with a frozen clock,
//! the store on a manual clock moved in step with it, the in-memory shop, a transport that
//! counts calls per API code, and a shop wrapper that "crashes" (panics) at a chosen operation.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use mirakl_connector::mirakl::{
    ClientConfig, HttpTransport, Request, Response, Transport, TransportError,
};
use mirakl_connector::store::{Clock, ManualClock, ProblemFilter, Store};
use mirakl_connector::sync::memory::{MemoryShop, ShopOp};
use mirakl_connector::sync::shop::*;
use mirakl_connector::sync::{
    engine_client, events, Engine, ProcessDeath, StockChange, StoreBudget, SyncSettings, TickReport,
};
use mirakl_sandbox::{NewLine, NewOrder, RunningSandbox, Sandbox, SandboxConfig};
use rust_decimal::Decimal;

/// Counts requests per API code as they go on the wire (in-call retries included), and logs
/// when each one Mirakl accepted (2xx) was made, on the engine's clock.
#[derive(Clone, Default)]
pub struct Calls(
    pub Arc<Mutex<BTreeMap<String, u32>>>,
    pub Arc<Mutex<Vec<AcceptedCall>>>,
);

/// API code, budget key and time of a call Mirakl answered with 2xx.
pub type AcceptedCall = (String, &'static str, DateTime<Utc>);

impl Calls {
    /// Asserts that no window of any budgeted API holds more accepted calls than Mirakl allows.
    pub fn assert_within_budgets(&self) {
        let log = self.1.lock().unwrap().clone();
        let mut keys: Vec<&'static str> = log.iter().map(|(_, key, _)| *key).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let times: Vec<DateTime<Utc>> = log
                .iter()
                .filter(|(_, k, _)| *k == key)
                .map(|(_, _, t)| *t)
                .collect();
            for limit in mirakl_connector::mirakl::limits_for(key) {
                let window = chrono::Duration::seconds(limit.window_secs);
                for (i, start) in times.iter().enumerate() {
                    let in_window = times[i..].iter().filter(|t| **t < *start + window).count();
                    assert!(
                        in_window <= limit.max_calls as usize,
                        "{key}: {in_window} calls within {} s from {start} (limit {})",
                        limit.window_secs,
                        limit.max_calls
                    );
                }
            }
        }
    }

    pub fn get(&self, api: &str) -> u32 {
        self.0.lock().unwrap().get(api).copied().unwrap_or(0)
    }
    pub fn reset(&self) {
        self.0.lock().unwrap().clear();
    }
    pub fn snapshot(&self) -> BTreeMap<String, u32> {
        self.0.lock().unwrap().clone()
    }
}

pub struct CountingTransport {
    inner: HttpTransport,
    calls: Calls,
    clock: Arc<ManualClock>,
}

impl Transport for CountingTransport {
    fn execute(&self, request: &Request) -> Result<Response, TransportError> {
        *self
            .calls
            .0
            .lock()
            .unwrap()
            .entry(request.api.as_str().to_owned())
            .or_default() += 1;
        let result = self.inner.execute(request);
        if result.as_ref().is_ok_and(|r| r.is_success()) {
            self.calls.1.lock().unwrap().push((
                request.api.as_str().to_owned(),
                request.budget_key,
                self.clock.now(),
            ));
        }
        result
    }
}

pub type TestEngine = Engine<CountingTransport, StoreBudget>;

pub fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-01-06T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub fn test_settings() -> SyncSettings {
    SyncSettings {
        refund_reason_code: "15".to_owned(),
        carrier_map: BTreeMap::from([("Colissimo".to_owned(), "COLISSIMO".to_owned())]),
        ..SyncSettings::default()
    }
}

pub struct Harness {
    pub sandbox: RunningSandbox,
    pub clock: Arc<ManualClock>,
    pub store: Rc<Store>,
    pub engine: TestEngine,
    pub shop: MemoryShop,
    pub calls: Calls,
    pub settings: SyncSettings,
    /// Keeps a file-backed store's directory alive.
    pub dir: Option<tempfile::TempDir>,
}

impl Harness {
    pub fn new() -> Harness {
        Harness::with(SandboxConfig::for_tests(), test_settings())
    }

    pub fn with(config: SandboxConfig, settings: SyncSettings) -> Harness {
        Harness::build(config, settings, false)
    }

    /// As `with`, on a store file (as in production) rather than in memory.
    pub fn file_backed(config: SandboxConfig, settings: SyncSettings) -> Harness {
        Harness::build(config, settings, true)
    }

    fn build(config: SandboxConfig, settings: SyncSettings, file_backed: bool) -> Harness {
        let sandbox = Sandbox::start(config).expect("sandbox starts");
        let clock = Arc::new(ManualClock::new(start_time()));
        let dir = file_backed.then(|| tempfile::tempdir().expect("temp dir"));
        let store = Rc::new(match &dir {
            Some(dir) => Store::open_with_clock(&dir.path().join("sync.sqlite"), clock.clone())
                .expect("store"),
            None => Store::open_in_memory_with_clock(clock.clone()).expect("store"),
        });
        let calls = Calls::default();
        let engine = new_engine(&sandbox, &store, &clock, &calls, settings.clone());
        let shop = MemoryShop::new().with_clock(clock.clone());
        Harness {
            sandbox,
            clock,
            store,
            engine,
            shop,
            calls,
            settings,
            dir,
        }
    }

    /// A new engine over the same store and sandbox: the process restarted.
    pub fn restart(&mut self) {
        self.engine = new_engine(
            &self.sandbox,
            &self.store,
            &self.clock,
            &self.calls,
            self.settings.clone(),
        );
    }

    /// A new engine over the same store whose own clock is `clock` (the store and the wire keep
    /// the harness clock).
    pub fn restart_with_clock(&mut self, clock: Arc<dyn Clock>) {
        let mut config = ClientConfig::new(
            self.sandbox.base_url().parse().unwrap(),
            self.sandbox.api_key(),
        );
        config.timeout = Duration::from_secs(2);
        let transport = CountingTransport {
            inner: HttpTransport::new(&config).unwrap(),
            calls: self.calls.clone(),
            clock: self.clock.clone(),
        };
        let client =
            engine_client(&config, transport, &self.store, Arc::clone(&clock)).with_sleeper(|_| {});
        self.engine = Engine::new(Rc::clone(&self.store), client, self.settings.clone(), clock)
            .expect("engine");
    }

    pub fn tick(&mut self) -> TickReport {
        self.engine
            .tick(&mut self.shop, Duration::from_secs(30))
            .expect("tick")
    }

    /// A tick whose shop panics at `op` (before or after doing it): the process died there.
    /// Returns whether it crashed.
    pub fn tick_crashing_at(&mut self, op: ShopOp, after: bool) -> bool {
        let mut shop = CrashingShop {
            inner: &mut self.shop,
            op,
            after,
            death: true,
            times: u32::MAX,
        };
        let engine = &mut self.engine;
        let result = catch_unwind(AssertUnwindSafe(|| {
            engine.tick(&mut shop, Duration::from_secs(30))
        }));
        result.is_err()
    }

    /// A tick whose shop panics (an ordinary panic, a bug) the first `times` calls of `op`,
    /// before doing it. The tick itself must return: the engine parks the job, not the runner.
    pub fn tick_panicking_at(&mut self, op: ShopOp, times: u32) -> TickReport {
        let mut shop = CrashingShop {
            inner: &mut self.shop,
            op,
            after: false,
            death: false,
            times,
        };
        self.engine
            .tick(&mut shop, Duration::from_secs(30))
            .expect("tick")
    }

    /// Moves both clocks forward.
    pub fn advance(&mut self, seconds: i64) {
        self.clock.advance(chrono::Duration::seconds(seconds));
        self.sandbox.advance_clock(seconds);
    }

    /// Advances a minute and ticks, `minutes` times; returns the merged report.
    pub fn run_minutes(&mut self, minutes: u32) -> TickReport {
        let mut total = TickReport::default();
        for _ in 0..minutes {
            self.advance(60);
            let report = self.tick();
            total.absorb(&report);
        }
        total
    }

    pub fn add_product(&mut self, sku: &str, stock: i64, price: i64) {
        self.shop.add_product(sku, stock, Decimal::from(price));
        self.sandbox
            .add_offer(sku, Decimal::from(price), stock)
            .expect("offer");
    }

    pub fn set_stock(&mut self, sku: &str, stock: i64) {
        self.shop.set_stock(sku, stock);
        events::stock_changed(
            &self.store,
            &self.settings,
            &[StockChange {
                sku: sku.to_owned(),
                quantity: stock,
            }],
            self.clock.now(),
        )
        .expect("event");
    }

    pub fn order(&self, lines: &[(&str, i64)]) -> String {
        self.sandbox
            .create_order(NewOrder {
                lines: lines
                    .iter()
                    .map(|(sku, quantity)| NewLine {
                        offer_sku: (*sku).to_owned(),
                        quantity: *quantity,
                        price: None,
                        shipping_price: None,
                    })
                    .collect(),
                ..NewOrder::default()
            })
            .expect("order")
    }

    pub fn mirakl_state(&self, order_id: &str) -> String {
        self.sandbox
            .with_state(|s| s.order(order_id).map(|o| o.state.clone()))
            .expect("order in sandbox")
    }

    pub fn mirakl_quantity(&self, sku: &str) -> i64 {
        self.sandbox.with_state(|s| {
            s.offers
                .iter()
                .find(|o| o.shop_sku == sku)
                .map(|o| o.quantity)
                .expect("offer in sandbox")
        })
    }

    /// The operator refunds `amount` (tax included, one unit, no shipping) on a line in Mirakl.
    pub fn operator_refund(&self, order_line_id: &str, amount: Decimal) {
        self.sandbox
            .with_state(|s| {
                s.refund(
                    &[mirakl_sandbox::state::RefundRequest {
                        order_line_id: order_line_id.to_owned(),
                        amount,
                        shipping_amount: Decimal::ZERO,
                        quantity: 1,
                        reason_code: "15".to_owned(),
                        taxes: None,
                        shipping_taxes: None,
                        currency_iso_code: None,
                    }],
                    mirakl_sandbox::model::TaxMode::Included,
                )
            })
            .unwrap();
    }

    pub fn mirakl_refund_count(&self, order_id: &str) -> usize {
        self.sandbox.with_state(|s| {
            s.order(order_id)
                .map(|o| o.lines.iter().map(|l| l.refunds.len()).sum())
                .unwrap_or(0)
        })
    }

    pub fn shop_order_id(&self, mirakl_order_id: &str) -> i64 {
        let orders = self.shop.orders_for(mirakl_order_id);
        assert_eq!(
            orders.len(),
            1,
            "exactly one shop order for {mirakl_order_id}"
        );
        orders[0].id
    }

    pub fn open_problems(&self, kind: &str) -> usize {
        self.store
            .list_problems(&ProblemFilter {
                kind: Some(kind.to_owned()),
                ..ProblemFilter::open()
            })
            .unwrap()
            .len()
    }

    /// The shop's truth as the marketplace should show it (no pending orders assumed).
    pub fn expected_quantity(&self, sku: &str) -> i64 {
        (self.shop.stock(sku).unwrap_or(0) - self.settings.stock_buffer).max(0)
    }
}

fn new_engine(
    sandbox: &RunningSandbox,
    store: &Rc<Store>,
    clock: &Arc<ManualClock>,
    calls: &Calls,
    settings: SyncSettings,
) -> TestEngine {
    let mut config = ClientConfig::new(sandbox.base_url().parse().unwrap(), sandbox.api_key());
    config.timeout = Duration::from_secs(2);
    let transport = CountingTransport {
        inner: HttpTransport::new(&config).unwrap(),
        calls: calls.clone(),
        clock: clock.clone(),
    };
    let client = engine_client(&config, transport, store, clock.clone()).with_sleeper(|_| {});
    Engine::new(Rc::clone(store), client, settings, clock.clone()).expect("engine")
}

/// A shop that panics at one operation: as if the PHP process died there (`death`), or with an
/// ordinary panic (a bug in a callback), for the first `times` calls of it.
pub struct CrashingShop<'a> {
    pub inner: &'a mut MemoryShop,
    pub op: ShopOp,
    pub after: bool,
    pub death: bool,
    pub times: u32,
}

impl CrashingShop<'_> {
    fn check<T>(&mut self, op: ShopOp, f: impl FnOnce(&mut MemoryShop) -> T) -> T {
        let armed = op == self.op && self.times > 0;
        if armed {
            self.times -= 1;
        }
        if armed && !self.after {
            self.crash(format!("crash before {op:?}"));
        }
        let result = f(self.inner);
        if armed {
            self.crash(format!("crash after {op:?}"));
        }
        result
    }

    fn crash(&self, message: String) -> ! {
        if self.death {
            std::panic::panic_any(ProcessDeath);
        }
        panic!("{message}");
    }
}

impl Shop for CrashingShop<'_> {
    fn read_stock(&mut self, skus: &[String]) -> Result<Vec<StockLevel>, ShopError> {
        self.check(ShopOp::ReadStock, |s| s.read_stock(skus))
    }
    fn read_offers(&mut self, skus: &[String]) -> Result<Vec<ProductOffer>, ShopError> {
        self.check(ShopOp::ReadOffers, |s| s.read_offers(skus))
    }
    fn read_catalogue(
        &mut self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<CataloguePage, ShopError> {
        self.inner.read_catalogue(after, limit)
    }
    fn find_order_by_mirakl_id(&mut self, id: &str) -> Result<Option<ShopOrderRef>, ShopError> {
        self.check(ShopOp::FindOrder, |s| s.find_order_by_mirakl_id(id))
    }
    fn mirakl_order_id_of(&mut self, order: ShopOrderId) -> Result<Option<String>, ShopError> {
        self.inner.mirakl_order_id_of(order)
    }
    fn marketplace_orders(
        &mut self,
        since: chrono::DateTime<chrono::Utc>,
        page: u32,
        per_page: u32,
    ) -> Result<mirakl_connector::sync::shop::ShopOrderPage, ShopError> {
        self.check(ShopOp::ListOrders, |s| {
            s.marketplace_orders(since, page, per_page)
        })
    }
    fn create_order(&mut self, draft: &ShopOrderDraft) -> Result<ShopOrderId, ShopError> {
        self.check(ShopOp::CreateOrder, |s| s.create_order(draft))
    }
    fn set_order_status(&mut self, order: ShopOrderId, status: &str) -> Result<(), ShopError> {
        self.check(ShopOp::SetStatus, |s| s.set_order_status(order, status))
    }
    fn update_order_addresses(
        &mut self,
        order: ShopOrderId,
        billing: Option<&Address>,
        shipping: Option<&Address>,
    ) -> Result<(), ShopError> {
        self.check(ShopOp::SetAddresses, |s| {
            s.update_order_addresses(order, billing, shipping)
        })
    }
    fn add_order_note(&mut self, order: ShopOrderId, note: &str) -> Result<(), ShopError> {
        self.check(ShopOp::AddNote, |s| s.add_order_note(order, note))
    }
    fn cancel_order(&mut self, order: ShopOrderId, reason: &str) -> Result<(), ShopError> {
        self.check(ShopOp::Cancel, |s| s.cancel_order(order, reason))
    }
    fn read_tracking(&mut self, order: ShopOrderId) -> Result<Option<ShopTracking>, ShopError> {
        self.check(ShopOp::ReadTracking, |s| s.read_tracking(order))
    }
    fn read_refund(&mut self, refund: ShopRefundId) -> Result<Option<ShopRefund>, ShopError> {
        self.check(ShopOp::ReadRefund, |s| s.read_refund(refund))
    }
    fn record_marketplace_refund(
        &mut self,
        order: ShopOrderId,
        refund: &MarketplaceRefund,
    ) -> Result<ShopRefundId, ShopError> {
        self.check(ShopOp::RecordRefund, |s| {
            s.record_marketplace_refund(order, refund)
        })
    }
}
