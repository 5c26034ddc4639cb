//! The orders cursor against a scripted Mirakl: it moves only past orders that were recorded.
//! A poll whose window holds more than a page records the first page and keeps the cursor (the
//! second page is another OR11 call, for the next slot); the next slot reads on from where the
//! first page stopped, never from the window's beginning, and the cursor moves to the newest
//! `last_updated_date` once the window was read; later polls overlap the window.

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use mirakl_connector::mirakl::fake::ScriptedTransport;
use mirakl_connector::mirakl::{ClientConfig, MemoryBudget};
use mirakl_connector::store::{ManualClock, Store};
use mirakl_connector::sync::memory::MemoryShop;
use mirakl_connector::sync::{Engine, SyncSettings};
use serde_json::json;

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-01-06T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn page(from: usize, count: usize, total: usize) -> Vec<u8> {
    let orders: Vec<_> = (from..from + count)
        .map(|i| {
            json!({
                "order_id": format!("X-{i:03}"),
                "order_state": "STAGING",
                "created_date": "2025-01-06T08:00:00Z",
                "last_updated_date": format!("2025-01-06T08:{:02}:{:02}Z", i / 60, i % 60),
                "order_lines": []
            })
        })
        .collect();
    serde_json::to_vec(&json!({ "orders": orders, "total_count": total })).unwrap()
}

type ScriptedEngine = Engine<Arc<ScriptedTransport>, MemoryBudget>;

/// An engine over an in-memory store and a scripted Mirakl, on a manual clock.
fn scripted_engine() -> (
    Arc<ManualClock>,
    Rc<Store>,
    Arc<ScriptedTransport>,
    ScriptedEngine,
) {
    let clock = Arc::new(ManualClock::new(start()));
    let store = Rc::new(Store::open_in_memory_with_clock(clock.clone()).unwrap());
    let transport = Arc::new(ScriptedTransport::new());
    let config = ClientConfig::new("https://mirakl.example.test/api".parse().unwrap(), "key");
    let budget_clock = clock.clone();
    let client =
        mirakl_connector::mirakl::Client::new(&config, transport.clone(), MemoryBudget::new())
            .with_clock(move || budget_clock.now())
            .with_sleeper(|_| {});
    let engine = Engine::new(
        Rc::clone(&store),
        client,
        SyncSettings::default(),
        clock.clone(),
    )
    .unwrap();
    (clock, store, transport, engine)
}

#[test]
fn the_cursor_moves_only_past_recorded_orders() {
    let (clock, store, transport, mut engine) = scripted_engine();
    let mut shop = MemoryShop::new();

    // Page 1 arrives; page 2 would be a second OR11 call within the minute: not sent.
    transport.respond(200, page(0, 100, 150));
    engine.tick(&mut shop, Duration::from_secs(5)).unwrap();
    assert!(store.order("X-000").unwrap().is_some(), "page 1 recorded");
    assert!(store.order("X-120").unwrap().is_none());
    assert!(
        store.cursor("orders.last_updated_date").unwrap().is_none(),
        "cursor kept"
    );
    let or11 = |transport: &ScriptedTransport| {
        transport
            .requests()
            .into_iter()
            .filter(|r| r.api.as_str() == "OR11")
            .collect::<Vec<_>>()
    };
    assert_eq!(or11(&transport).len(), 1, "one OR11 call in the slot");
    let health =
        mirakl_connector::sync::status::health(&store, clock.now(), Duration::from_secs(300))
            .unwrap();
    assert_eq!(
        health.order_backlog.map(|b| b.remaining),
        Some(50),
        "the dashboard sees the backlog"
    );

    // Everything the script did not expect (reference data, reconciliation) failed and backs
    // off. While a backlog drains, the sweep of waiting orders keeps its turn: the next slot.
    clock.advance(chrono::Duration::seconds(60));
    transport.respond(200, page(0, 0, 0));
    engine.tick(&mut shop, Duration::from_secs(5)).unwrap();
    assert_eq!(
        or11(&transport)[1].query_value("order_state_codes"),
        Some("WAITING_ACCEPTANCE")
    );
    // The slot after reads on where page 1 stopped: all 100 orders read share one creation
    // date, so it resumes from that date half a page before their end (passing over the read
    // ones by id: one that left the window meanwhile must not make it skip an unread one), in
    // the same frozen window.
    clock.advance(chrono::Duration::seconds(60));
    transport.respond(200, page(100, 50, 150));
    engine.tick(&mut shop, Duration::from_secs(5)).unwrap();
    let calls = or11(&transport);
    let (first, second) = (&calls[0], &calls[2]);
    assert_eq!(second.query_value("offset"), Some("50"));
    assert_eq!(
        second.query_value("start_date"),
        Some("2025-01-06T08:00:00.000Z")
    );
    assert_eq!(
        second.query_value("end_update_date"),
        first.query_value("end_update_date")
    );
    assert!(first.query_value("end_update_date").is_some());
    assert!(store.order("X-149").unwrap().is_some());
    let cursor = store.cursor("orders.last_updated_date").unwrap().unwrap();
    assert_eq!(
        DateTime::parse_from_rfc3339(&cursor.value)
            .unwrap()
            .with_timezone(&Utc),
        DateTime::parse_from_rfc3339("2025-01-06T08:02:29Z")
            .unwrap()
            .with_timezone(&Utc)
    );
    let health =
        mirakl_connector::sync::status::health(&store, clock.now(), Duration::from_secs(300))
            .unwrap();
    assert_eq!(health.order_backlog, None, "drained");

    // The next window (after the sweep's turn) asks from the cursor minus the overlap.
    for _ in 0..2 {
        clock.advance(chrono::Duration::seconds(60));
        transport.respond(200, page(0, 0, 0));
        engine.tick(&mut shop, Duration::from_secs(5)).unwrap();
    }
    let last_or11 = transport
        .requests()
        .into_iter()
        .rfind(|r| r.api.as_str() == "OR11" && r.query_value("order_state_codes").is_none())
        .unwrap();
    assert_eq!(last_or11.query_value("start_date"), None, "a new window");
    assert_eq!(
        last_or11.query_value("start_update_date"),
        Some("2025-01-06T07:52:29.000Z")
    );
}

/// One order nested deeper than the JSON decoder's recursion limit, and one dated beyond what a
/// deadline can be added to, on a page with good orders: each bad one becomes a problem naming
/// it, the good ones are recorded and the cursor moves on.
#[test]
fn one_unreadable_order_never_hides_the_rest_of_its_page() {
    let (_clock, store, transport, mut engine) = scripted_engine();
    let mut shop = MemoryShop::new();

    let order = |i: usize| {
        json!({
            "order_id": format!("X-{i:03}"),
            "order_state": "STAGING",
            "created_date": "2025-01-06T08:00:00Z",
            "last_updated_date": format!("2025-01-06T08:00:{i:02}Z"),
            "order_lines": []
        })
    };
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let mut far = order(2);
    far["created_date"] = json!("+262142-01-01T00:00:00+00:00");
    let body = format!(
        r#"{{"orders": [{}, {{"order_id": "X-001", "order_state": "STAGING", "order_additional_fields": {deep}}}, {}, {}], "total_count": 4}}"#,
        order(0),
        far,
        order(3)
    );
    transport.respond(200, body.into_bytes());
    engine.tick(&mut shop, Duration::from_secs(5)).unwrap();

    assert!(store.order("X-000").unwrap().is_some());
    assert!(
        store.order("X-003").unwrap().is_some(),
        "after the bad ones"
    );
    let unreadable = store
        .list_problems(&mirakl_connector::store::ProblemFilter {
            kind: Some("order_unreadable".to_owned()),
            ..mirakl_connector::store::ProblemFilter::open()
        })
        .unwrap();
    let message = |id: &str| {
        unreadable
            .iter()
            .find(|p| p.entity_id == id)
            .map(|p| p.message.clone())
            .unwrap_or_else(|| panic!("a problem for {id}: {unreadable:?}"))
    };
    assert!(
        message("X-001").contains("recursion limit"),
        "{}",
        message("X-001")
    );
    assert!(
        message("X-002").contains("date out of range"),
        "{}",
        message("X-002")
    );
    assert!(
        store.cursor("orders.last_updated_date").unwrap().is_some(),
        "the window was read: the cursor moves"
    );
}

/// An order too large to keep, dropped by the HTTP transport as the page streams by
/// (`order_page::split`, as `HttpTransport` reads OR11): a problem names it with its size and
/// line count, the orders beside it are recorded.
#[test]
fn an_order_too_large_to_keep_is_named_and_its_page_goes_on() {
    use mirakl_connector::mirakl::order_page::{split, SplitLimits};
    let (_clock, store, transport, mut engine) = scripted_engine();
    let mut shop = MemoryShop::new();
    let line = r#"{"order_line_id":"L","offer_sku":"A","quantity":1}"#;
    let page = format!(
        r#"{{"orders": [{{"order_id": "X-000", "order_state": "STAGING", "created_date": "2025-01-06T08:00:00Z", "order_lines": []}},
            {{"order_id": "X-001", "order_state": "STAGING", "order_lines": [{}]}},
            {{"order_id": "X-002", "order_state": "STAGING", "created_date": "2025-01-06T08:00:02Z", "order_lines": []}}], "total_count": 3}}"#,
        vec![line; 1000].join(",")
    );
    let limits = SplitLimits {
        per_order: 4096,
        kept: 1 << 20,
        streamed: 1 << 24,
    };
    let body = split(page.as_bytes(), limits).expect("split").to_json();
    transport.respond(200, body);
    engine.tick(&mut shop, Duration::from_secs(5)).unwrap();

    assert!(store.order("X-000").unwrap().is_some());
    assert!(store.order("X-002").unwrap().is_some(), "after the big one");
    let problems = store
        .list_problems(&mirakl_connector::store::ProblemFilter {
            kind: Some("order_unreadable".to_owned()),
            ..mirakl_connector::store::ProblemFilter::open()
        })
        .unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].entity_id, "X-001");
    assert!(
        problems[0]
            .message
            .starts_with("OR11 returned order X-001 with 1000 lines in ")
            && problems[0]
                .message
                .contains("bytes the connector reads for one order"),
        "{}",
        problems[0].message
    );
}

/// A page of many broken orders costs a few problems, not one write per order: the first 20
/// with an id are named one by one, the others counted in one problem.
#[test]
fn many_unreadable_orders_on_a_page_are_named_in_a_few_problems() {
    let (_clock, store, transport, mut engine) = scripted_engine();
    let mut shop = MemoryShop::new();
    let broken: Vec<String> = (0..25)
        .map(|i| format!(r#"{{"order_id": "B-{i:02}", "order_state": "STAGING", "created_date": "+262142-01-01T00:00:00+00:00"}}"#))
        .collect();
    let body = format!(
        r#"{{"orders": [{}, {{"order_id": "G-1", "order_state": "STAGING", "order_lines": []}}], "total_count": 26}}"#,
        broken.join(",")
    );
    transport.respond(200, body.into_bytes());
    engine.tick(&mut shop, Duration::from_secs(5)).unwrap();

    assert!(
        store.order("G-1").unwrap().is_some(),
        "the good order is recorded"
    );
    let problems = store
        .list_problems(&mirakl_connector::store::ProblemFilter {
            kind: Some("order_unreadable".to_owned()),
            ..mirakl_connector::store::ProblemFilter::open()
        })
        .unwrap();
    assert_eq!(problems.len(), 21, "{problems:?}");
    let unnamed = problems
        .iter()
        .find(|p| p.entity_id == "unnamed")
        .expect("one problem for the rest");
    assert!(
        unnamed
            .message
            .starts_with("OR11 returned 5 orders the connector cannot read"),
        "{}",
        unnamed.message
    );
}
