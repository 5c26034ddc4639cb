//! Stock against the sandbox: coalesced pushes within the interval, urgent pushes in the next
//! slot, one STO01 per slot for thousands of changes, the quantity formula, STO02 results, and
//! reconciliation repairing drift.

mod sync_support;

use mirakl_connector::sync::memory::{ScriptedFailure, ShopOp};
use mirakl_connector::sync::shop::ShopError;
use mirakl_connector::sync::{events, ShortagePolicy, StockChange, SyncSettings};
use mirakl_sandbox::SandboxConfig;
use rust_decimal::Decimal;
use sync_support::{test_settings, Harness};

#[test]
fn a_change_is_pushed_within_the_interval_and_confirmed_by_sto02() {
    let mut h = Harness::new();
    h.add_product("A", 10, 20);
    h.tick();
    h.set_stock("A", 7);
    h.advance(60);
    h.tick();
    assert_eq!(
        h.calls.get("STO01"),
        0,
        "not urgent: waits for the interval"
    );
    h.run_minutes(5);
    assert_eq!(h.calls.get("STO01"), 1);
    assert_eq!(h.mirakl_quantity("A"), 7);
    let ledger = h.store.sku_ledger("A").unwrap().unwrap();
    assert!(!ledger.dirty);
    assert_eq!(ledger.last_pushed_quantity, Some(7));
    assert_eq!(
        ledger.marketplace_quantity,
        Some(7),
        "STO02 marked it pushed"
    );
}

#[test]
fn crossing_zero_is_pushed_in_the_next_slot() {
    let mut h = Harness::new();
    h.add_product("A", 10, 20);
    h.tick();
    h.set_stock("A", 4);
    h.run_minutes(6);
    assert_eq!(h.mirakl_quantity("A"), 4);
    h.set_stock("A", 0);
    h.tick();
    assert_eq!(h.calls.get("STO01"), 2);
    h.advance(20);
    h.tick();
    assert_eq!(h.mirakl_quantity("A"), 0);
}

#[test]
fn ten_thousand_changes_in_a_minute_make_one_sto01() {
    let mut h = Harness::new();
    let skus: Vec<String> = (0..10_000).map(|i| format!("BULK-{i:05}")).collect();
    for sku in &skus {
        h.shop.add_product(sku, 50, Decimal::from(3));
    }
    h.sandbox.with_state(|s| {
        for sku in &skus {
            s.upsert_offer(sku, Decimal::from(3), 50, None).unwrap();
        }
    });
    h.tick();
    h.calls.reset();
    // Changes spread over a minute, some crossing zero, with a tick every 10 seconds.
    for (step, chunk) in skus.chunks(1_000).enumerate() {
        let changes: Vec<StockChange> = chunk
            .iter()
            .enumerate()
            .map(|(i, sku)| StockChange {
                sku: sku.clone(),
                quantity: if i % 10 == 0 { 0 } else { 40 },
            })
            .collect();
        for change in &changes {
            h.shop.set_stock(&change.sku, change.quantity);
        }
        events::stock_changed(&h.store, &h.settings, &changes, h.clock.now()).unwrap();
        if step % 2 == 1 {
            h.advance(10);
            h.tick();
        }
    }
    assert_eq!(h.calls.get("STO01"), 1, "{:?}", h.calls.snapshot());
    // The next slot takes what changed after the first file; then everything matches.
    h.run_minutes(2);
    assert_eq!(h.calls.get("STO01"), 2);
    assert!(h.calls.get("STO02") >= 1);
    for sku in skus.iter().step_by(997) {
        assert_eq!(h.mirakl_quantity(sku), h.expected_quantity(sku), "{sku}");
    }
}

#[test]
fn the_quantity_sent_is_stock_minus_buffer_minus_pending_orders() {
    let settings = SyncSettings {
        stock_buffer: 2,
        unknown_sku_policy: ShortagePolicy::Hold,
        ..test_settings()
    };
    let mut h = Harness::with(SandboxConfig::for_tests(), settings);
    h.add_product("A", 10, 20);
    h.sandbox.add_offer("GHOST", Decimal::from(5), 3).unwrap();
    h.tick();
    // Held: seen on the marketplace, not in the shop, so its unit of A is still pending.
    let id = h.order(&[("A", 1), ("GHOST", 1)]);
    h.run_minutes(2);
    assert!(h.shop.orders_for(&id).is_empty());
    h.set_stock("A", 10);
    h.run_minutes(6);
    assert_eq!(h.mirakl_quantity("A"), 10 - 2 - 1);
}

#[test]
fn a_sku_the_shop_cannot_read_is_never_sent() {
    let mut h = Harness::new();
    h.add_product("A", 10, 20);
    h.tick();
    // The shop reports a SKU it does not have (a deleted product).
    events::stock_changed(
        &h.store,
        &h.settings,
        &[StockChange {
            sku: "GONE".to_owned(),
            quantity: 0,
        }],
        h.clock.now(),
    )
    .unwrap();
    h.tick();
    assert_eq!(h.calls.get("STO01"), 0);
    assert_eq!(h.open_problems("stock_sku_unknown"), 1);
    // A shop that fails to answer: nothing is sent either, the push waits.
    h.set_stock("A", 0);
    h.shop.fail_next(
        ShopOp::ReadStock,
        ScriptedFailure::Before(ShopError::transient("db busy")),
    );
    h.advance(60);
    h.tick();
    assert_eq!(h.calls.get("STO01"), 0);
    h.run_minutes(2);
    assert_eq!(h.mirakl_quantity("A"), 0);
}

#[test]
fn reconciliation_repairs_drift_and_reports_it() {
    let mut h = Harness::new();
    h.add_product("A", 10, 20);
    h.add_product("B", 4, 20);
    h.tick();
    h.advance(3600);
    // Someone changed the offer in Mirakl's back office.
    h.sandbox.with_state(|s| {
        let now = s.now();
        if let Some(offer) = s.live_offer_mut("A") {
            offer.quantity = 99;
            offer.last_updated = now;
        }
    });
    // A full export is allowed once a day (the first tick made it): this is a delta.
    events::reconcile_requested(&h.store, false).unwrap();
    let report = h.tick();
    assert_eq!(report.stock_repaired, 1, "{report:?}");
    assert_eq!(h.open_problems("stock_drift"), 1);
    h.run_minutes(2);
    assert_eq!(h.mirakl_quantity("A"), 10);
    assert_eq!(h.mirakl_quantity("B"), 4);
}

#[test]
fn on_a_store_file_pushes_and_their_results_are_recorded_in_one_go() {
    let mut h = Harness::file_backed(SandboxConfig::for_tests(), test_settings());
    for i in 0..50 {
        h.add_product(&format!("F-{i:02}"), 10, 20);
    }
    h.tick();
    for i in 0..50 {
        h.set_stock(&format!("F-{i:02}"), i % 3);
    }
    h.tick();
    // A change after the push went out stays dirty for the next slot.
    h.set_stock("F-07", 9);
    h.advance(20);
    h.tick();
    let pushed = h.store.sku_ledger("F-05").unwrap().unwrap();
    assert!(!pushed.dirty);
    assert_eq!(pushed.last_pushed_quantity, Some(2));
    assert_eq!(pushed.marketplace_quantity, Some(2));
    assert!(h.store.sku_ledger("F-07").unwrap().unwrap().dirty);
    h.run_minutes(6);
    for i in 0..50 {
        let sku = format!("F-{i:02}");
        assert_eq!(h.mirakl_quantity(&sku), h.expected_quantity(&sku), "{sku}");
    }
    assert!(h.store.list_dirty_skus(100).unwrap().is_empty());
}

#[test]
fn the_dashboard_drift_and_the_reconciliation_agree_with_a_buffer_and_pending_units() {
    use mirakl_connector::sync::status;
    let settings = SyncSettings {
        stock_buffer: 2,
        unknown_sku_policy: ShortagePolicy::Hold,
        ..test_settings()
    };
    let mut h = Harness::with(SandboxConfig::for_tests(), settings.clone());
    h.add_product("A", 10, 20);
    h.sandbox.add_offer("GHOST", Decimal::from(5), 3).unwrap();
    h.tick();
    // A held order keeps one unit of A pending: the push sends 10 - 2 - 1.
    h.order(&[("A", 1), ("GHOST", 1)]);
    h.run_minutes(2);
    h.set_stock("A", 10);
    h.run_minutes(6);
    assert_eq!(h.mirakl_quantity("A"), 7);
    h.advance(3600);
    events::reconcile_requested(&h.store, false).unwrap();
    let report = h.tick();
    assert_eq!(report.stock_repaired, 0, "{report:?}");
    let health = status::health(&h.store, h.clock.now(), status::RUNNER_LATE_AFTER).unwrap();
    assert!(
        health.last_tick.is_some(),
        "Engine::tick records its summary"
    );
    let drift = status::stock_drift(&h.store, &settings, 100).unwrap();
    assert!(
        drift.iter().all(|d| d.sku != "A"),
        "the engine sees no drift on A, nor may the dashboard: {drift:?}"
    );
    // Someone changes the offer in Mirakl: both see it.
    h.sandbox.with_state(|s| {
        let now = s.now();
        if let Some(offer) = s.live_offer_mut("A") {
            offer.quantity = 99;
            offer.last_updated = now;
        }
    });
    h.advance(60);
    events::reconcile_requested(&h.store, false).unwrap();
    let report = h.tick();
    assert_eq!(report.stock_repaired, 1, "{report:?}");
    let drift = status::stock_drift(&h.store, &settings, 100).unwrap();
    assert!(drift.iter().any(|d| d.sku == "A"), "{drift:?}");
}
