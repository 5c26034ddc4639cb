//! The engine under faults: the process dying between any two shop steps, connections dropped
//! after Mirakl applied a write, 429 storms, 5xx, slow and malformed answers. After each, the
//! invariants hold: no order lost or created twice, no refund sent twice, every order accepted,
//! stock converged, and no Mirakl budget exceeded.

mod sync_support;

use mirakl_connector::sync::events;
use mirakl_connector::sync::memory::ShopOp;
use mirakl_sandbox::{Fault, FaultRule, Trigger};
use rust_decimal::Decimal;
use sync_support::Harness;

/// Past every job lease and the runner lease, so a restarted engine takes over.
const AFTER_LEASES: i64 = 6 * 60;

fn fault(route: &str, fault: Fault, trigger: Trigger) -> FaultRule {
    FaultRule {
        route: route.to_owned(),
        fault,
        trigger,
    }
}

fn setup() -> Harness {
    let mut h = Harness::new();
    h.add_product("A", 10, 20);
    h.add_product("B", 5, 7);
    h.tick();
    h
}

#[test]
fn a_crash_at_any_shop_step_of_an_import_never_creates_the_order_twice() {
    for op in [
        ShopOp::ReadStock,
        ShopOp::FindOrder,
        ShopOp::CreateOrder,
        ShopOp::AddNote,
    ] {
        for after in [false, true] {
            let mut h = setup();
            let id = h.order(&[("A", 2), ("B", 1)]);
            h.advance(60);
            assert!(
                h.tick_crashing_at(op, after),
                "{op:?} after={after} did not crash"
            );
            h.advance(AFTER_LEASES);
            h.restart();
            h.run_minutes(3);
            assert_eq!(h.shop.orders_for(&id).len(), 1, "{op:?} after={after}");
            assert_eq!(
                h.mirakl_state(&id),
                "WAITING_DEBIT_PAYMENT",
                "{op:?} after={after}"
            );
            assert_eq!(h.shop.stock("A"), Some(8), "{op:?} after={after}");
            h.calls.assert_within_budgets();
        }
    }
}

#[test]
fn a_dropped_connection_after_or21_is_reconciled_by_reading_the_order() {
    let mut h = setup();
    let id = h.order(&[("A", 1)]);
    h.sandbox.add_fault(fault(
        "OR21",
        Fault::DropAfterProcessing,
        Trigger::NextCalls(1),
    ));
    h.advance(60);
    let report = h.tick();
    assert_eq!(
        report.count("import_order", "outcome_unknown"),
        1,
        "{report:?}"
    );
    h.run_minutes(4);
    assert_eq!(
        h.calls.get("OR21"),
        1,
        "never resent once Mirakl showed it accepted"
    );
    assert_eq!(h.shop.orders_for(&id).len(), 1);
    assert_eq!(h.mirakl_state(&id), "WAITING_DEBIT_PAYMENT");
    h.calls.assert_within_budgets();
}

fn shipping_order(h: &mut Harness) -> (String, i64) {
    let id = h.order(&[("A", 2), ("B", 1)]);
    h.advance(60);
    h.tick();
    h.sandbox.debit(&id).unwrap();
    h.run_minutes(2);
    let wc = h.shop_order_id(&id);
    (id, wc)
}

#[test]
fn a_refund_whose_answer_was_lost_is_adopted_not_sent_again() {
    let mut h = setup();
    let (id, wc) = shipping_order(&mut h);
    h.sandbox.add_fault(fault(
        "OR28",
        Fault::DropAfterProcessing,
        Trigger::NextCalls(1),
    ));
    let refund = h
        .shop
        .refund(wc, &[("A", 1, Decimal::from(20))], Decimal::ZERO);
    events::refund_created(&h.store, refund).unwrap();
    h.run_minutes(6);
    assert_eq!(h.mirakl_refund_count(&id), 1);
    assert_eq!(h.calls.get("OR28"), 1);
    assert_eq!(h.store.refund(refund).unwrap().unwrap().state, "adopted");
    assert_eq!(h.shop.refunds.len(), 1, "no echo of our own refund");
    h.calls.assert_within_budgets();
}

#[test]
fn a_malformed_refund_answer_is_adopted_too() {
    let mut h = setup();
    let (id, wc) = shipping_order(&mut h);
    h.sandbox
        .add_fault(fault("OR28", Fault::MalformedJson, Trigger::NextCalls(1)));
    let refund = h
        .shop
        .refund(wc, &[("B", 1, Decimal::from(3))], Decimal::new(490, 2));
    events::refund_created(&h.store, refund).unwrap();
    h.run_minutes(6);
    assert_eq!(h.mirakl_refund_count(&id), 1);
    assert_eq!(h.calls.get("OR28"), 1);
}

#[test]
fn a_shipment_whose_answer_was_lost_is_not_sent_again() {
    let mut h = setup();
    let (id, wc) = shipping_order(&mut h);
    h.sandbox.add_fault(fault(
        "ST01",
        Fault::DropAfterProcessing,
        Trigger::NextCalls(1),
    ));
    h.shop.ship(wc, "Colissimo", "6A1");
    events::order_shipped(&h.store, wc).unwrap();
    h.run_minutes(4);
    assert_eq!(h.mirakl_state(&id), "SHIPPED");
    assert_eq!(h.calls.get("ST01"), 1);
}

#[test]
fn a_429_storm_and_5xx_delay_but_lose_nothing() {
    let mut h = setup();
    h.sandbox.add_fault(fault(
        "*",
        Fault::Status {
            status: 429,
            retry_after_secs: Some(30),
        },
        Trigger::Probability(0.6),
    ));
    h.sandbox.add_fault(fault(
        "*",
        Fault::Status {
            status: 503,
            retry_after_secs: None,
        },
        Trigger::Probability(0.2),
    ));
    let ids: Vec<String> = (0..5).map(|_| h.order(&[("A", 1)])).collect();
    h.set_stock("B", 0);
    h.run_minutes(20);
    h.sandbox.clear_faults();
    h.run_minutes(12);
    for id in &ids {
        assert_eq!(h.shop.orders_for(id).len(), 1, "{id}");
        assert_eq!(h.mirakl_state(id), "WAITING_DEBIT_PAYMENT", "{id}");
    }
    assert_eq!(h.shop.stock("A"), Some(5));
    assert_eq!(h.mirakl_quantity("A"), h.expected_quantity("A"));
    assert_eq!(h.mirakl_quantity("B"), 0);
    h.calls.assert_within_budgets();
}

#[test]
fn slow_and_malformed_answers_are_retried() {
    let mut h = setup();
    h.sandbox.add_fault(fault(
        "OR11",
        Fault::Latency { millis: 2_300 },
        Trigger::NextCalls(1),
    ));
    h.sandbox
        .add_fault(fault("OR11", Fault::MalformedJson, Trigger::NextCalls(3)));
    let id = h.order(&[("B", 2)]);
    h.run_minutes(10);
    assert_eq!(h.shop.orders_for(&id).len(), 1);
    assert_eq!(h.mirakl_state(&id), "WAITING_DEBIT_PAYMENT");
    h.calls.assert_within_budgets();
}

#[test]
fn a_crash_while_cancelling_restocks_once() {
    let mut h = setup();
    let (id, wc) = shipping_order(&mut h);
    h.sandbox.with_state(|s| s.cancel_order(&id)).unwrap();
    // The slot may go to the acceptance sweep first; the update window sees it next.
    let crashed = (0..4).any(|_| {
        h.advance(60);
        h.tick_crashing_at(ShopOp::Cancel, true)
    });
    assert!(crashed);
    h.advance(AFTER_LEASES);
    h.restart();
    h.run_minutes(3);
    assert!(h.shop.orders[&wc].cancelled);
    assert_eq!(h.shop.stock("A"), Some(10));
    assert_eq!(h.shop.stock("B"), Some(5));
}

#[test]
fn a_second_runner_does_nothing_while_the_first_holds_the_lease() {
    let mut h = setup();
    // A runner that died mid-tick still holds the runner lease until it expires.
    let id = h.order(&[("A", 1)]);
    h.advance(60);
    assert!(h.tick_crashing_at(ShopOp::ReadStock, false));
    h.restart();
    let report = h.tick();
    assert!(!report.ran);
    h.advance(AFTER_LEASES);
    let report = h.tick();
    assert!(report.ran);
    assert!(report.recovered_leases >= 1);
    h.run_minutes(2);
    assert_eq!(h.shop.orders_for(&id).len(), 1);
}

#[test]
fn a_runner_whose_process_is_gone_is_taken_over_at_once_with_its_jobs() {
    use mirakl_connector::sync::engine::runner_owner;
    use mirakl_connector::sync::RUNNER_LEASE;
    use std::time::Duration;

    let mut h = setup();
    let id = h.order(&[("A", 1)]);
    h.advance(60);
    // A runner of this host killed mid-tick: its process no longer exists, and it holds the
    // runner lease and the order's import job for minutes more.
    let mut child = std::process::Command::new("true")
        .spawn()
        .expect("spawns true");
    let pid = child.id();
    child.wait().expect("true ends");
    let dead = runner_owner(pid, 0xdead);
    let ttl = Duration::from_secs(170);
    assert!(h
        .store
        .acquire_runner_lease(RUNNER_LEASE, &dead, ttl)
        .unwrap()
        .is_some());
    h.store
        .enqueue(&mirakl_connector::store::NewJob::new(
            "check_deadlines",
            "killed",
            serde_json::json!({}),
        ))
        .unwrap();
    let claimed = h
        .store
        .claim(&["check_deadlines"], 10, Duration::from_secs(300))
        .unwrap();
    assert_eq!(claimed.len(), 1);

    // The next runner does not wait for the lease to run out: it takes it over and recovers
    // the dead runner's jobs in the same tick.
    let report = h.tick();
    assert!(report.ran, "{report:?}");
    assert_eq!(report.recovered_leases, claimed.len(), "{report:?}");
    h.run_minutes(3);
    assert_eq!(h.shop.orders_for(&id).len(), 1);

    // A holder whose process still runs (this one) keeps its lease.
    let alive = runner_owner(std::process::id(), 0xa11e);
    assert!(h
        .store
        .acquire_runner_lease(RUNNER_LEASE, &alive, ttl)
        .unwrap()
        .is_some());
    assert!(!h.tick().ran);
}

/// The OR11 slot's turn, as the poll left it.
fn or11_turn(h: &Harness) -> Option<String> {
    h.store.cursor("orders.last_turn").unwrap().map(|c| c.value)
}

/// An accepted order, then every OR11 call answered with `status`.
fn or11_always_failing(status: u16, retry_after_secs: Option<u64>) -> Harness {
    let mut h = setup();
    let id = h.order(&[("A", 1)]);
    h.run_minutes(5);
    assert_eq!(h.mirakl_state(&id), "WAITING_DEBIT_PAYMENT");
    h.sandbox.add_fault(fault(
        "OR11",
        Fault::Status {
            status,
            retry_after_secs,
        },
        Trigger::Probability(1.0),
    ));
    h
}

#[test]
fn an_or11_class_whose_call_keeps_failing_passes_the_turn_on() {
    // The classes (sweep, change window) still take turns, so a request that fails every time
    // (a timeout, a 400, a truncated page) never holds the slot for good.
    let mut h = or11_always_failing(500, None);
    let mut turns = std::collections::BTreeSet::new();
    for _ in 0..8 {
        h.run_minutes(5);
        turns.insert(or11_turn(&h));
    }
    assert!(
        turns.len() >= 2,
        "the failing class kept the slot: turns seen {turns:?}"
    );
}

#[test]
fn an_or11_call_mirakl_throttles_keeps_its_turn() {
    let mut h = or11_always_failing(429, Some(60));
    let before = or11_turn(&h);
    for _ in 0..4 {
        h.run_minutes(3);
        assert_eq!(or11_turn(&h), before, "a throttled call used no slot");
    }
}

#[test]
fn a_retry_after_past_the_clamp_raises_one_problem_healed_when_or11_answers() {
    let mut h = or11_always_failing(429, Some(99_999_999));
    h.run_minutes(3);
    h.run_minutes(3);
    assert_eq!(
        h.open_problems("mirakl_response_refused"),
        1,
        "one open problem for OR11's Retry-After, however often it is seen"
    );
    let problems = h
        .store
        .list_problems(&mirakl_connector::store::ProblemFilter::open())
        .unwrap();
    let refused = problems
        .iter()
        .find(|p| p.kind == "mirakl_response_refused")
        .unwrap();
    assert_eq!(refused.entity_id, "OR11 retry_after");
    assert!(
        refused.message.contains("Retry-After") && refused.message.contains("3600"),
        "{}",
        refused.message
    );
    h.sandbox.clear_faults();
    h.run_minutes(70);
    assert_eq!(h.open_problems("mirakl_response_refused"), 0, "healed");
}
