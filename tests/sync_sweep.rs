//! The sweeper: work whose event was lost (a request killed before `shutdown`) is found on the
//! next pass and queued once; status drift is put right or raised; a refund WooCommerce
//! recorded twice is flagged; problems whose cause is gone close themselves.

mod sync_support;

use mirakl_connector::store::{JobState, NewJob, ProblemFilter};
use mirakl_connector::sync::events;
use mirakl_connector::vocab::JobKind;
use rust_decimal::Decimal;
use serde_json::json;
use sync_support::Harness;

/// Past one sweep interval (15 min), a tick a minute.
const PAST_A_SWEEP: u32 = 16;

fn shipping_order(h: &mut Harness) -> (String, i64) {
    h.add_product("A", 10, 20);
    h.add_product("B", 5, 7);
    h.tick();
    let id = h.order(&[("A", 2), ("B", 1)]);
    h.advance(60);
    h.tick();
    let wc = h.shop_order_id(&id);
    h.sandbox.debit(&id).unwrap();
    h.run_minutes(2);
    assert_eq!(h.mirakl_state(&id), "SHIPPING");
    (id, wc)
}

fn ship_job_enqueues(h: &Harness, wc: i64) -> Option<u32> {
    h.store
        .find_job(JobKind::ShipOrder.as_str(), &wc.to_string())
        .unwrap()
        .map(|j| j.enqueue_count)
}

fn open_about(h: &Harness, kind: &str, entity_id: &str) -> Vec<i64> {
    h.store
        .list_problems(&ProblemFilter {
            kind: Some(kind.to_owned()),
            entity_id: Some(entity_id.to_owned()),
            ..ProblemFilter::open()
        })
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect()
}

#[test]
fn a_completed_order_whose_event_was_lost_is_shipped_by_the_next_sweep_once() {
    let mut h = Harness::new();
    let (id, wc) = shipping_order(&mut h);
    // Completed with tracking, but the request died before `shutdown`: no event.
    h.shop.ship(wc, "Colissimo", "6A123");
    h.run_minutes(PAST_A_SWEEP);
    assert_eq!(h.mirakl_state(&id), "SHIPPED");
    assert_eq!(h.calls.get("ST01"), 1);
    // Later passes find nothing left to do and queue nothing again.
    h.run_minutes(2 * PAST_A_SWEEP);
    assert_eq!(ship_job_enqueues(&h, wc), Some(1));
    assert_eq!(h.calls.get("ST01"), 1);
}

#[test]
fn a_shop_refund_whose_event_was_lost_is_sent_by_the_next_sweep_once() {
    let mut h = Harness::new();
    let (id, wc) = shipping_order(&mut h);
    h.shop
        .refund(wc, &[("A", 1, Decimal::from(20))], Decimal::ZERO);
    h.run_minutes(PAST_A_SWEEP + 2);
    assert_eq!(h.mirakl_refund_count(&id), 1);
    h.run_minutes(2 * PAST_A_SWEEP);
    assert_eq!(h.mirakl_refund_count(&id), 1);
    assert_eq!(h.calls.get("OR28"), 1);
}

#[test]
fn tracking_added_after_a_tracking_missing_problem_ships_and_closes_it() {
    let mut h = Harness::new();
    let (id, wc) = shipping_order(&mut h);
    h.shop.set_status(wc, "completed");
    events::order_shipped(&h.store, wc).unwrap();
    h.tick();
    assert_eq!(open_about(&h, "tracking_missing", &id).len(), 1);
    // The tracking is added in a request that dies before `shutdown`.
    h.advance(60);
    h.shop.ship(wc, "Colissimo", "6A123");
    h.run_minutes(PAST_A_SWEEP);
    assert_eq!(h.mirakl_state(&id), "SHIPPED");
    assert!(open_about(&h, "tracking_missing", &id).is_empty());
}

#[test]
fn a_shipment_sent_on_its_event_closes_the_tracking_missing_problem() {
    let mut h = Harness::new();
    let (id, wc) = shipping_order(&mut h);
    h.shop.set_status(wc, "completed");
    events::order_shipped(&h.store, wc).unwrap();
    h.tick();
    assert_eq!(open_about(&h, "tracking_missing", &id).len(), 1);
    h.shop.ship(wc, "Colissimo", "6A123");
    events::order_shipped(&h.store, wc).unwrap();
    h.tick();
    assert_eq!(h.mirakl_state(&id), "SHIPPED");
    assert!(open_about(&h, "tracking_missing", &id).is_empty());
}

#[test]
fn completed_but_still_shipping_after_its_ship_job_ran_is_a_problem_whose_retry_ships_it() {
    let mut h = Harness::new();
    let (id, wc) = shipping_order(&mut h);
    h.shop.ship(wc, "Colissimo", "6A123");
    h.advance(60);
    // A ship job that ended after the order was completed without shipping it (as an older
    // version's "not a marketplace order" did).
    let job = NewJob::new(
        JobKind::ShipOrder,
        wc.to_string(),
        json!({ "wc_order_id": wc }),
    );
    h.store.enqueue(&job).unwrap();
    let claimed = h
        .store
        .claim(
            &[JobKind::ShipOrder.as_str()],
            1,
            std::time::Duration::from_secs(60),
        )
        .unwrap()
        .pop()
        .unwrap();
    h.store
        .finish(claimed.id, claimed.lease.as_deref().unwrap())
        .unwrap();
    h.run_minutes(PAST_A_SWEEP);
    assert_eq!(h.mirakl_state(&id), "SHIPPING");
    let problems = open_about(&h, "status_drift", &id);
    assert_eq!(problems.len(), 1);
    h.store.retry_problem(problems[0]).unwrap();
    h.tick();
    assert_eq!(h.mirakl_state(&id), "SHIPPED");
    assert!(open_about(&h, "status_drift", &id).is_empty());
}

#[test]
fn a_mirakl_cancellation_the_shop_order_missed_is_applied_once_then_raised() {
    let mut h = Harness::new();
    let (id, wc) = shipping_order(&mut h);
    h.sandbox.with_state(|s| s.cancel_order(&id)).unwrap();
    h.run_minutes(2);
    assert!(h.shop.orders[&wc].cancelled);
    // The shop order is open again although Mirakl cancelled it (a side step lost).
    let reopen = |h: &mut Harness| {
        let order = h.shop.orders.get_mut(&wc).unwrap();
        order.cancelled = false;
        order.status = "processing".to_owned();
    };
    reopen(&mut h);
    h.run_minutes(PAST_A_SWEEP);
    assert!(h.shop.orders[&wc].cancelled, "the sync ran again");
    assert!(open_about(&h, "status_drift", &id).is_empty());
    // Open again: the sweeper does not loop on it, it says what to do.
    reopen(&mut h);
    h.run_minutes(PAST_A_SWEEP);
    assert_eq!(h.shop.orders[&wc].status, "processing");
    assert_eq!(open_about(&h, "status_drift", &id).len(), 1);
    // Put right by hand: the problem closes itself on the next pass.
    h.shop.set_status(wc, "cancelled");
    h.run_minutes(PAST_A_SWEEP);
    assert!(open_about(&h, "status_drift", &id).is_empty());
}

#[test]
fn two_shop_refunds_at_the_same_instant_for_the_same_amount_are_flagged() {
    let mut h = Harness::new();
    let (_id, wc) = shipping_order(&mut h);
    let first = h
        .shop
        .refund(wc, &[("A", 1, Decimal::from(20))], Decimal::ZERO);
    let second = h
        .shop
        .refund(wc, &[("A", 1, Decimal::from(20))], Decimal::ZERO);
    events::refund_created(&h.store, first).unwrap();
    events::refund_created(&h.store, second).unwrap();
    h.run_minutes(PAST_A_SWEEP + 2);
    let flagged = open_about(&h, "refund_recorded_twice", &wc.to_string());
    assert_eq!(flagged.len(), 1);
    let problem = h.store.problem(flagged[0]).unwrap().unwrap();
    assert!(
        problem.message.contains(&format!("#{first}")),
        "{}",
        problem.message
    );
    assert!(
        problem.message.contains(&format!("#{second}")),
        "{}",
        problem.message
    );
    // Resolved by a person who checked both stand: the next passes leave it closed.
    h.store.resolve_problem(flagged[0]).unwrap();
    h.shop.touch(wc);
    h.run_minutes(PAST_A_SWEEP);
    assert_eq!(h.open_problems("refund_recorded_twice"), 0);
}

#[test]
fn refunds_a_second_apart_or_of_other_amounts_are_not_flagged() {
    let mut h = Harness::new();
    let (_id, wc) = shipping_order(&mut h);
    let first = h
        .shop
        .refund(wc, &[("A", 1, Decimal::from(20))], Decimal::ZERO);
    let other = h
        .shop
        .refund(wc, &[("B", 1, Decimal::from(7))], Decimal::ZERO);
    h.advance(1);
    let later = h
        .shop
        .refund(wc, &[("A", 1, Decimal::from(20))], Decimal::ZERO);
    for refund in [first, other, later] {
        events::refund_created(&h.store, refund).unwrap();
    }
    h.run_minutes(PAST_A_SWEEP + 2);
    assert_eq!(h.open_problems("refund_recorded_twice"), 0);
}

#[test]
fn a_pass_reads_one_page_per_run_and_still_sees_every_order() {
    let mut h = Harness::new();
    h.add_product("A", 1000, 20);
    h.tick();
    let mut ids = Vec::new();
    for _ in 0..60 {
        ids.push(h.order(&[("A", 1)]));
    }
    h.run_minutes(5);
    for id in &ids {
        h.sandbox.debit(id).unwrap();
    }
    h.run_minutes(5);
    let shop_orders: Vec<i64> = ids.iter().map(|id| h.shop_order_id(id)).collect();
    for wc in &shop_orders {
        h.shop.ship(*wc, "Colissimo", "6A1");
    }
    let lists_before = h
        .shop
        .call_count(mirakl_connector::sync::memory::ShopOp::ListOrders);
    h.run_minutes(PAST_A_SWEEP + 2);
    // Two pages of 50, in two runs.
    assert_eq!(
        h.shop
            .call_count(mirakl_connector::sync::memory::ShopOp::ListOrders)
            - lists_before,
        2
    );
    for wc in &shop_orders {
        let job = h
            .store
            .find_job(JobKind::ShipOrder.as_str(), &wc.to_string())
            .unwrap();
        assert!(job.is_some(), "order {wc} queued for shipping");
    }
    h.run_minutes(90);
    for id in &ids {
        assert_eq!(h.mirakl_state(id), "SHIPPED", "{id}");
    }
    let still = h
        .store
        .list_jobs(
            Some(JobState::Pending),
            Some(JobKind::ShipOrder.as_str()),
            10,
            0,
        )
        .unwrap();
    assert!(still.is_empty());
}
