//! The payload purge: once a day the tick blanks what finished jobs keep of the marketplace's
//! raw orders (names, addresses, phones) after `payload_retention_days`, and deletes OR11
//! snapshots as old; waiting jobs keep theirs, and keys, states and ids stay, so an order is
//! still imported exactly once.

mod sync_support;

use mirakl_connector::store::{JobState, NewJob};
use mirakl_connector::sync::status::{self, RUNNER_LATE_AFTER};
use mirakl_connector::sync::{SyncSettings, PURGE_CURSOR};
use mirakl_sandbox::SandboxConfig;
use serde_json::json;
use sync_support::{test_settings, Harness};

const DAY: i64 = 86_400;

fn imported_order(h: &mut Harness) -> String {
    h.add_product("A", 10, 20);
    h.tick();
    let order = h.order(&[("A", 1)]);
    h.run_minutes(3);
    assert_eq!(h.shop.orders_for(&order).len(), 1, "imported");
    order
}

#[test]
fn a_tick_after_the_retention_blanks_finished_payloads_and_keeps_waiting_ones() {
    let mut h = Harness::new();
    let order = imported_order(&mut h);
    let import = h.store.find_job("import_order", &order).unwrap().unwrap();
    assert_eq!(import.state, JobState::Done);
    assert_ne!(
        import.payload,
        json!(null),
        "the raw order is kept while it may be needed"
    );
    let far = h.clock.now() + chrono::Duration::days(400);
    let waiting = h
        .store
        .enqueue(
            &NewJob::new(
                "import_order",
                "M-WAITING",
                json!({"customer": {"lastname": "Doe"}}),
            )
            .run_at(far),
        )
        .unwrap()
        .id;

    // Within the retention nothing goes.
    h.advance(29 * DAY);
    let report = h.tick();
    assert_eq!(report.purged.total(), 0, "{:?}", report.purged);
    assert_ne!(
        h.store.job(import.id).unwrap().unwrap().payload,
        json!(null)
    );

    h.advance(2 * DAY);
    let report = h.tick();
    assert!(report.purged.job_payloads >= 1, "{:?}", report.purged);
    assert!(report.to_json().contains("\"purged\""));
    let purged = h.store.job(import.id).unwrap().unwrap();
    assert_eq!(purged.payload, json!(null));
    assert_eq!(
        (purged.state, purged.key.as_str()),
        (JobState::Done, order.as_str())
    );
    assert_eq!(
        h.store.job(waiting).unwrap().unwrap().payload,
        json!({"customer": {"lastname": "Doe"}}),
        "a waiting job's payload is never purged"
    );

    let health = status::health(&h.store, h.clock.now(), RUNNER_LATE_AFTER).unwrap();
    let last = health
        .last_purge
        .expect("the status says what the last purge removed");
    assert_eq!(last.purged, report.purged);
    assert_eq!(last.at, h.clock.now());

    // Once a day: the next tick of the day does not purge again.
    assert!(h.store.cursor(PURGE_CURSOR).unwrap().is_some());
    h.advance(60);
    assert_eq!(h.tick().purged.total(), 0);

    // The order is still known: polling it again imports nothing twice.
    h.run_minutes(3);
    assert_eq!(h.shop.orders_for(&order).len(), 1);
}

#[test]
fn a_longer_retention_keeps_the_payloads_longer() {
    let settings = SyncSettings {
        payload_retention_days: 90,
        ..test_settings()
    };
    let mut h = Harness::with(SandboxConfig::for_tests(), settings);
    let order = imported_order(&mut h);
    let import = h.store.find_job("import_order", &order).unwrap().unwrap();
    h.advance(60 * DAY);
    let report = h.tick();
    assert_eq!(report.purged.job_payloads, 0, "{:?}", report.purged);
    assert_ne!(
        h.store.job(import.id).unwrap().unwrap().payload,
        json!(null)
    );
    assert!(
        h.store.find_job("import_order", &order).unwrap().is_some(),
        "the deadline check keeps done jobs for the retention at least"
    );
    h.advance(31 * DAY);
    assert!(h.tick().purged.job_payloads >= 1);
    let after = h.store.job(import.id).unwrap();
    assert!(
        after
            .as_ref()
            .map_or(true, |job| job.payload == json!(null)),
        "{after:?}"
    );
}
