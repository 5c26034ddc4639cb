//! Benchmark of the sync engine against the sandbox on loopback; prints figures, asserts nothing.
//!
//! Run: `cargo run --release --example engine_bench` (`-- --quick` for smaller sizes).
//!
//! 1. Engine time per tick with 10,000 dirty SKUs, excluding the shop (and, separately, the
//!    sandbox's own HTTP time). Target ≤ 100 ms.
//! 2. Time from a marketplace order appearing to its acceptance, in simulated time, with a tick
//!    a minute. Target: within the next tick.
//! 3. Mirakl calls for 10,000 stock changes spread over one minute. Target: 1 STO01 + its STO02.
//! 4. Peak memory of a 100,000-SKU reconciliation (allocations made by the engine's thread; the
//!    in-process sandbox and the shop's catalogue are not counted). Target ≤ 128 MiB.
#![allow(clippy::print_stdout)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use mirakl_connector::mirakl::{
    ClientConfig, HttpTransport, Request, Response, Transport, TransportError,
};
use mirakl_connector::store::{ManualClock, Store};
use mirakl_connector::sync::memory::MemoryShop;
use mirakl_connector::sync::shop::*;
use mirakl_connector::sync::{
    engine_client, events, Engine, StockChange, StoreBudget, SyncSettings,
};
use mirakl_sandbox::{NewLine, NewOrder, RunningSandbox, Sandbox, SandboxConfig};
use rust_decimal::Decimal;

// ------------------------------------------------------------------ memory accounting

/// Counts the bytes allocated (net of frees) by threads that switched tracking on.
struct TrackingAllocator;

thread_local! {
    static TRACKING: Cell<bool> = const { Cell::new(false) };
}
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for TrackingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        if !ptr.is_null() && TRACKING.try_with(Cell::get).unwrap_or(false) {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if TRACKING.try_with(Cell::get).unwrap_or(false) {
            let _ = CURRENT.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| {
                Some(c.saturating_sub(layout.size()))
            });
        }
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOCATOR: TrackingAllocator = TrackingAllocator;

fn track(on: bool) {
    if on {
        CURRENT.store(0, Ordering::Relaxed);
        PEAK.store(0, Ordering::Relaxed);
    }
    TRACKING.with(|t| t.set(on));
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The process's peak resident set (everything: sandbox and shop included), Linux only.
fn process_peak_rss() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

// ------------------------------------------------------------------ timing wrappers

#[derive(Clone, Default)]
struct Wire {
    time: Arc<Mutex<Duration>>,
    calls: Arc<Mutex<BTreeMap<String, u32>>>,
}

impl Wire {
    fn reset(&self) {
        *self.time.lock().unwrap_or_else(|p| p.into_inner()) = Duration::ZERO;
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
    fn time(&self) -> Duration {
        *self.time.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn calls(&self, api: &str) -> u32 {
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(api)
            .copied()
            .unwrap_or(0)
    }
}

struct TimedTransport {
    inner: HttpTransport,
    wire: Wire,
}

impl Transport for TimedTransport {
    fn execute(&self, request: &Request) -> Result<Response, TransportError> {
        let started = Instant::now();
        let result = self.inner.execute(request);
        *self.wire.time.lock().unwrap_or_else(|p| p.into_inner()) += started.elapsed();
        *self
            .wire
            .calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(request.api.as_str().to_owned())
            .or_default() += 1;
        result
    }
}

/// The shop with the time spent in it measured, so it can be subtracted.
struct TimedShop<'a> {
    inner: &'a mut MemoryShop,
    spent: Duration,
}

macro_rules! timed {
    ($self:ident, $call:expr) => {{
        let started = Instant::now();
        let result = $call;
        $self.spent += started.elapsed();
        result
    }};
}

impl Shop for TimedShop<'_> {
    fn read_stock(&mut self, skus: &[String]) -> Result<Vec<StockLevel>, ShopError> {
        timed!(self, self.inner.read_stock(skus))
    }
    fn read_offers(&mut self, skus: &[String]) -> Result<Vec<ProductOffer>, ShopError> {
        timed!(self, self.inner.read_offers(skus))
    }
    fn read_catalogue(
        &mut self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<CataloguePage, ShopError> {
        timed!(self, self.inner.read_catalogue(after, limit))
    }
    fn find_order_by_mirakl_id(&mut self, id: &str) -> Result<Option<ShopOrderRef>, ShopError> {
        timed!(self, self.inner.find_order_by_mirakl_id(id))
    }
    fn mirakl_order_id_of(&mut self, order: ShopOrderId) -> Result<Option<String>, ShopError> {
        timed!(self, self.inner.mirakl_order_id_of(order))
    }
    fn marketplace_orders(
        &mut self,
        since: DateTime<Utc>,
        page: u32,
        per_page: u32,
    ) -> Result<ShopOrderPage, ShopError> {
        timed!(self, self.inner.marketplace_orders(since, page, per_page))
    }
    fn create_order(&mut self, draft: &ShopOrderDraft) -> Result<ShopOrderId, ShopError> {
        timed!(self, self.inner.create_order(draft))
    }
    fn set_order_status(&mut self, order: ShopOrderId, status: &str) -> Result<(), ShopError> {
        timed!(self, self.inner.set_order_status(order, status))
    }
    fn update_order_addresses(
        &mut self,
        order: ShopOrderId,
        billing: Option<&Address>,
        shipping: Option<&Address>,
    ) -> Result<(), ShopError> {
        timed!(
            self,
            self.inner.update_order_addresses(order, billing, shipping)
        )
    }
    fn add_order_note(&mut self, order: ShopOrderId, note: &str) -> Result<(), ShopError> {
        timed!(self, self.inner.add_order_note(order, note))
    }
    fn cancel_order(&mut self, order: ShopOrderId, reason: &str) -> Result<(), ShopError> {
        timed!(self, self.inner.cancel_order(order, reason))
    }
    fn read_tracking(&mut self, order: ShopOrderId) -> Result<Option<ShopTracking>, ShopError> {
        timed!(self, self.inner.read_tracking(order))
    }
    fn read_refund(&mut self, refund: ShopRefundId) -> Result<Option<ShopRefund>, ShopError> {
        timed!(self, self.inner.read_refund(refund))
    }
    fn record_marketplace_refund(
        &mut self,
        order: ShopOrderId,
        refund: &MarketplaceRefund,
    ) -> Result<ShopRefundId, ShopError> {
        timed!(self, self.inner.record_marketplace_refund(order, refund))
    }
}

// ------------------------------------------------------------------ set-up

type BenchEngine = Engine<TimedTransport, StoreBudget>;

struct Bench {
    sandbox: RunningSandbox,
    clock: Arc<ManualClock>,
    store: Rc<Store>,
    engine: BenchEngine,
    shop: MemoryShop,
    wire: Wire,
    settings: SyncSettings,
    repaired: u32,
    _dir: tempfile::TempDir,
}

fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-01-06T09:00:00Z")
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now())
}

impl Bench {
    fn new(config: SandboxConfig) -> Bench {
        Bench::with_store(config, true)
    }

    fn with_store(config: SandboxConfig, file_backed: bool) -> Bench {
        let sandbox = Sandbox::start(config).expect("sandbox");
        let clock = Arc::new(ManualClock::new(start_time()));
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Rc::new(if file_backed {
            Store::open_with_clock(&dir.path().join("sync.sqlite"), clock.clone()).expect("store")
        } else {
            Store::open_in_memory_with_clock(clock.clone()).expect("store")
        });
        let settings = SyncSettings {
            refund_reason_code: "15".to_owned(),
            ..SyncSettings::default()
        };
        let wire = Wire::default();
        let config = ClientConfig::new(sandbox.base_url().parse().expect("url"), sandbox.api_key());
        let transport = TimedTransport {
            inner: HttpTransport::new(&config).expect("transport"),
            wire: wire.clone(),
        };
        let client = engine_client(&config, transport, &store, clock.clone());
        let engine = Engine::new(Rc::clone(&store), client, settings.clone(), clock.clone())
            .expect("engine");
        Bench {
            sandbox,
            clock,
            store,
            engine,
            shop: MemoryShop::new(),
            wire,
            settings,
            repaired: 0,
            _dir: dir,
        }
    }

    fn advance(&mut self, seconds: i64) {
        self.clock.advance(chrono::Duration::seconds(seconds));
        self.sandbox.advance_clock(seconds);
    }

    /// One tick; returns (total, shop, wire) times.
    fn tick(&mut self) -> (Duration, Duration, Duration) {
        self.wire.reset();
        let mut shop = TimedShop {
            inner: &mut self.shop,
            spent: Duration::ZERO,
        };
        let started = Instant::now();
        let report = self
            .engine
            .tick(&mut shop, Duration::from_secs(60))
            .expect("tick");
        let elapsed = started.elapsed();
        let spent = shop.spent;
        self.repaired += report.stock_repaired;
        (elapsed, spent, self.wire.time())
    }

    fn catalogue(&mut self, skus: &[String], quantity: i64) {
        for sku in skus {
            self.shop.add_product(sku, quantity, Decimal::from(9));
        }
        self.sandbox.with_state(|s| {
            for sku in skus {
                let _ = s.upsert_offer(sku, Decimal::from(9), quantity, None);
            }
        });
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

// ------------------------------------------------------------------ the four figures

fn dirty_tick(skus: usize, file_backed: bool) {
    let mut b = Bench::with_store(SandboxConfig::for_tests(), file_backed);
    let names: Vec<String> = (0..skus).map(|i| format!("BENCH-{i:06}")).collect();
    b.catalogue(&names, 20);
    b.tick();
    b.advance(3600);
    b.tick();
    let changes: Vec<StockChange> = names
        .iter()
        .map(|sku| StockChange {
            sku: sku.clone(),
            quantity: 0,
        })
        .collect();
    for change in &changes {
        b.shop.set_stock(&change.sku, 0);
    }
    let started = Instant::now();
    events::stock_changed(&b.store, &b.settings, &changes, b.clock.now()).expect("events");
    let events_time = started.elapsed();
    b.advance(60);
    let (total, shop, wire) = b.tick();
    let engine = total.saturating_sub(shop).saturating_sub(wire);
    let store = if file_backed {
        "file-backed store"
    } else {
        "in-memory store"
    };
    println!("1. tick with {skus} dirty SKUs (one STO01 of {skus} rows, {store}):");
    println!("   total {:.1} ms = engine {:.1} ms + shop {:.1} ms + Mirakl HTTP (sandbox) {:.1} ms   [target: engine ≤ 100 ms]",
        ms(total), ms(engine), ms(shop), ms(wire));
    println!("   engine + HTTP (all but the shop): {:.1} ms; recording the {skus} events beforehand: {:.1} ms",
        ms(total.saturating_sub(shop)), ms(events_time));
    println!("   STO01 calls: {}", b.wire.calls("STO01"));
}

fn acceptance_latency(orders: usize) {
    let mut b = Bench::new(SandboxConfig::for_tests());
    let names: Vec<String> = (0..20).map(|i| format!("ACC-{i:02}")).collect();
    b.catalogue(&names, 1000);
    b.tick();
    let mut ids = Vec::new();
    // Orders appear at different seconds between two ticks a minute apart.
    for n in 0..orders {
        let offset = (n as i64 * 37) % 60;
        b.advance(offset);
        let id = b
            .sandbox
            .create_order(NewOrder {
                lines: vec![NewLine {
                    offer_sku: names[n % names.len()].clone(),
                    quantity: 1,
                    price: None,
                    shipping_price: None,
                }],
                ..NewOrder::default()
            })
            .expect("order");
        ids.push(id);
        b.advance(60 - offset);
        b.tick();
    }
    for _ in 0..3 {
        b.advance(60);
        b.tick();
    }
    let latencies: Vec<i64> = ids
        .iter()
        .filter_map(|id| {
            b.sandbox.with_state(|s| {
                s.order(id).ok().and_then(|o| {
                    o.acceptance_decision_date
                        .map(|d| (d - o.created_date).num_seconds())
                })
            })
        })
        .collect();
    let max = latencies.iter().copied().max().unwrap_or(-1);
    let mean = latencies.iter().sum::<i64>() as f64 / latencies.len().max(1) as f64;
    println!(
        "2. marketplace order → acceptance (simulated time, one tick a minute, {orders} orders):"
    );
    println!("   accepted {}/{orders}; mean {mean:.0} s, max {max} s   [target: within the next tick, ≤ 60 s]",
        latencies.len());
}

fn calls_per_minute(skus: usize) {
    let mut b = Bench::new(SandboxConfig::for_tests().import_delay_secs(40));
    let names: Vec<String> = (0..skus).map(|i| format!("CPM-{i:06}")).collect();
    b.catalogue(&names, 30);
    b.tick();
    b.advance(3600);
    b.tick();
    let mut stock01 = 0;
    let mut stock02 = 0;
    // 10,000 changes over one minute (some reaching zero), a tick every 10 seconds.
    for (step, chunk) in names.chunks(skus.div_ceil(6)).enumerate() {
        let changes: Vec<StockChange> = chunk
            .iter()
            .enumerate()
            .map(|(i, sku)| StockChange {
                sku: sku.clone(),
                quantity: if i % 7 == 0 { 0 } else { 25 - step as i64 },
            })
            .collect();
        for change in &changes {
            b.shop.set_stock(&change.sku, change.quantity);
        }
        events::stock_changed(&b.store, &b.settings, &changes, b.clock.now()).expect("events");
        b.tick();
        stock01 += b.wire.calls("STO01");
        stock02 += b.wire.calls("STO02");
        b.advance(10);
    }
    println!("3. {skus} stock changes within one minute:");
    println!(
        "   in that minute: {stock01} STO01, {stock02} STO02   [target: 1 STO01 + its STO02 polls]"
    );
    // Until that import is final (40 s of sandbox processing; STO02 at most every 15 s).
    for _ in 0..4 {
        b.advance(15);
        b.tick();
        stock01 += b.wire.calls("STO01");
        stock02 += b.wire.calls("STO02");
    }
    println!("   until its import was final: {stock01} STO01, {stock02} STO02 (the changes made after the file went out wait for the next slot)");
}

fn reconciliation_memory(skus: usize) {
    let mut b = Bench::new(SandboxConfig::for_tests().initial_offers(skus));
    let offers: Vec<(String, i64)> = b.sandbox.with_state(|s| {
        s.offers
            .iter()
            .map(|o| (o.shop_sku.clone(), o.quantity))
            .collect()
    });
    for (i, (sku, quantity)) in offers.iter().enumerate() {
        // One SKU in a hundred drifted.
        let shop_quantity = if i % 100 == 0 {
            quantity + 3
        } else {
            *quantity
        };
        b.shop.add_product(sku, shop_quantity, Decimal::from(9));
    }
    let before = process_peak_rss();
    track(true);
    let (total, shop, wire) = b.tick();
    track(false);
    let peak = PEAK.load(Ordering::Relaxed);
    let repaired = b.repaired;
    println!(
        "4. full reconciliation of {} SKUs (OF51 export + shop reads + ledger):",
        offers.len()
    );
    println!(
        "   peak memory allocated by the engine's thread: {:.1} MiB   [target ≤ 128 MiB]",
        mib(peak)
    );
    println!("   tick {:.0} ms (shop {:.0} ms, Mirakl HTTP {:.0} ms); {} drifted SKUs repaired (1 in 100 was made to drift)",
        ms(total), ms(shop), ms(wire), repaired);
    if let (Some(before), Some(after)) = (before, process_peak_rss()) {
        println!("   whole process peak RSS (in-process sandbox and shop included): {:.0} MiB before, {:.0} MiB after",
            mib(before), mib(after));
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let scale = if quick { 10 } else { 1 };
    println!(
        "engine_bench: sandbox on loopback, simulated clock, file-backed store{}",
        if quick { " (quick sizes)" } else { "" }
    );
    dirty_tick(10_000 / scale, true);
    dirty_tick(10_000 / scale, false);
    acceptance_latency(20);
    calls_per_minute(10_000 / scale);
    reconciliation_memory(100_000 / scale);
}
