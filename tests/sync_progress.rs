//! The OR11 slot under load, held to Mirakl's call frequencies (a page is a call): more than a
//! page of changed orders drains one page per slot from where the last page stopped
//! while new orders still go first; one OR11 call serves the re-reads of every job waiting in
//! the slot; the tick says how long the oldest waiting item has waited.

mod sync_support;

use std::time::Duration;

use mirakl_connector::sync::{events, status};
use mirakl_sandbox::SandboxConfig;
use rust_decimal::Decimal;
use sync_support::{test_settings, Harness};

/// Mirakl limits OR11 calls, not lists: no two OR11 requests it accepted, whatever their
/// offset, within a minute of the engine's clock.
fn assert_or11_once_a_minute(h: &Harness) {
    let times: Vec<_> = h
        .calls
        .1
        .lock()
        .unwrap()
        .iter()
        .filter(|(api, _, _)| api == "OR11")
        .map(|(_, _, at)| *at)
        .collect();
    for pair in times.windows(2) {
        assert!(
            pair[1] - pair[0] >= chrono::Duration::seconds(60),
            "two OR11 calls within a minute: {} and {}",
            pair[0],
            pair[1]
        );
    }
}

fn backlog(h: &Harness) -> Option<u64> {
    status::health(&h.store, h.clock.now(), Duration::from_secs(300))
        .unwrap()
        .order_backlog
        .map(|b| b.remaining)
}

/// `n` orders of one unit of A, created a second apart, accepted, and the change window read.
fn accepted_orders(h: &mut Harness, n: usize) -> Vec<String> {
    h.add_product("A", 1000, 20);
    h.add_product("B", 1000, 7);
    h.tick();
    let ids: Vec<String> = (0..n)
        .map(|_| {
            h.advance(1);
            h.order(&[("A", 1)])
        })
        .collect();
    for _ in 0..30 {
        h.run_minutes(1);
        let waiting = ids
            .iter()
            .filter(|id| h.mirakl_state(id) != "WAITING_DEBIT_PAYMENT")
            .count();
        if waiting == 0 && backlog(h).is_none() {
            return ids;
        }
    }
    panic!("{n} orders not accepted in 30 minutes");
}

#[test]
fn more_than_a_page_of_changes_drains_a_page_per_slot_while_new_orders_go_first() {
    let mut h = Harness::with(SandboxConfig::for_tests(), test_settings());
    let ids = accepted_orders(&mut h, 150);
    // 150 orders paid at once: more than one OR11 page of changes.
    for id in &ids {
        h.sandbox.debit(id).unwrap();
    }
    h.advance(1);
    let late = h.order(&[("B", 1)]);

    let mut seen_backlog = Vec::new();
    let mut late_accepted_at = None;
    let mut drained_at = None;
    let mut total = mirakl_connector::sync::TickReport::default();
    for minute in 1..=10 {
        let report = h.run_minutes(1);
        total.absorb(&report);
        if let Some(remaining) = backlog(&h) {
            seen_backlog.push(remaining);
        } else if drained_at.is_none() && !seen_backlog.is_empty() {
            drained_at = Some(minute);
        }
        if late_accepted_at.is_none() && h.mirakl_state(&late) == "WAITING_DEBIT_PAYMENT" {
            late_accepted_at = Some(minute);
        }
    }
    // 151 changed orders (the 150 paid and the new one): 51 left after the first page.
    assert_eq!(
        seen_backlog.first(),
        Some(&51),
        "the dashboard shows what is left to read"
    );
    let drained_at = drained_at.expect("the backlog drains");
    let late_accepted_at = late_accepted_at.expect("the new order is accepted");
    assert!(
        late_accepted_at <= drained_at,
        "the new order is not queued behind old changes ({late_accepted_at} > {drained_at})"
    );
    // Page 1, then page 2 where page 1 stopped: never the beginning again. (The next windows
    // overlap the burst, so they take two pages too, and each finishes; the last may still be
    // on its way.)
    assert!(
        seen_backlog.iter().all(|left| *left <= 51),
        "a window never starts over: {seen_backlog:?}"
    );
    assert!(
        total.count("poll_orders", "polled") + 1 >= total.count("poll_orders", "partial"),
        "{total:?}"
    );
    assert_eq!(total.count("poll_orders", "throttled"), 0, "{total:?}");
    let processing = ids
        .iter()
        .filter(|id| {
            let wc = h.shop_order_id(id);
            h.shop.orders[&wc].status == "processing"
        })
        .count();
    assert_eq!(
        processing, 150,
        "every paid order is processing in the shop"
    );
    assert_eq!(h.store.order(&ids[149]).unwrap().unwrap().state, "SHIPPING");
    h.calls.assert_within_budgets();
    assert_or11_once_a_minute(&h);
}

#[test]
fn one_re_read_serves_every_refund_waiting_in_the_slot() {
    let mut h = Harness::with(SandboxConfig::for_tests(), test_settings());
    let ids = accepted_orders(&mut h, 5);
    for id in &ids {
        h.sandbox.debit(id).unwrap();
    }
    h.run_minutes(3);
    let shop_orders: Vec<i64> = ids.iter().map(|id| h.shop_order_id(id)).collect();
    for wc in &shop_orders {
        assert_eq!(h.shop.orders[wc].status, "processing");
    }
    // Two refunds on each order: ten jobs that need a fresh view of five orders.
    for wc in &shop_orders {
        for _ in 0..2 {
            let refund = h.shop.refund(*wc, &[("A", 0, Decimal::ONE)], Decimal::ZERO);
            events::refund_created(&h.store, refund).unwrap();
        }
    }
    let mut total = mirakl_connector::sync::TickReport::default();
    let mut waited = Vec::new();
    for _ in 0..4 {
        let report = h.run_minutes(1);
        waited.push(report.oldest_waiting_secs);
        total.absorb(&report);
    }
    assert_eq!(h.calls.get("OR28"), 10, "{total:?}");
    assert_eq!(
        total.count("poll_orders", "reread"),
        1,
        "one OR11 call for every refund: {total:?}"
    );
    for id in &ids {
        assert_eq!(h.mirakl_refund_count(id), 2);
    }
    assert!(
        waited.iter().any(|w| w.is_some_and(|s| s > 0)),
        "the tick says how long the refunds waited: {waited:?}"
    );
    assert_eq!(waited.last(), Some(&None), "nothing waits at the end");
    h.calls.assert_within_budgets();
    assert_or11_once_a_minute(&h);
}

#[test]
fn orders_of_one_date_across_a_page_boundary_are_all_read_when_a_read_one_leaves_the_window() {
    let mut h = Harness::with(SandboxConfig::for_tests(), test_settings());
    h.add_product("A", 1000, 20);
    h.tick();
    // 150 orders created at the same instant (a burst): OR11 lists them in no promised order
    // among themselves, and the first page ends in the middle of them.
    let ids: Vec<String> = (0..150).map(|_| h.order(&[("A", 1)])).collect();
    for _ in 0..30 {
        h.run_minutes(1);
        let waiting = ids
            .iter()
            .filter(|id| h.mirakl_state(id) != "WAITING_DEBIT_PAYMENT")
            .count();
        if waiting == 0 && backlog(&h).is_none() {
            break;
        }
    }
    for id in &ids {
        h.sandbox.debit(id).unwrap();
    }
    h.advance(1);
    let mut left = None;
    for _ in 0..5 {
        h.run_minutes(1);
        left = backlog(&h);
        if left.is_some() {
            break;
        }
    }
    assert!(left.is_some(), "the first page of the paid orders was read");
    // Orders the first page read change again on Mirakl: they leave the frozen window.
    let read: Vec<String> = ids
        .iter()
        .filter(|id| h.store.order(id).unwrap().unwrap().state == "SHIPPING")
        .cloned()
        .collect();
    assert!(!read.is_empty() && read.len() < ids.len(), "{}", read.len());
    h.sandbox.with_state(|state| {
        let later = state.now() + chrono::Duration::seconds(30);
        for order in state.orders.iter_mut() {
            if read[..5].contains(&order.order_id) {
                order.last_updated = later;
            }
        }
    });
    // When the window has been read to its end, every paid order was seen: none waits for a
    // later window.
    for _ in 0..10 {
        h.run_minutes(1);
        if backlog(&h).is_none() {
            break;
        }
    }
    assert_eq!(backlog(&h), None, "the window was read to its end");
    let behind: Vec<&String> = ids
        .iter()
        .filter(|id| h.store.order(id).unwrap().unwrap().state != "SHIPPING")
        .collect();
    assert!(
        behind.is_empty(),
        "{} paid orders never read: {behind:?}",
        behind.len()
    );
    assert_or11_once_a_minute(&h);
}
