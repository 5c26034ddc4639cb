//! The streaming split of an OR11 page (`mirakl::order_page::split`), as the HTTP transport runs
//! it on every OR11 answer, with small caps so the fuzzer reaches them.
//!
//! Contract: splitting never panics; a split page keeps at most `MAX_ORDERS` orders, each within
//! the per-order cap and all within the kept cap, each one JSON value; the page given back is
//! JSON; a dropped order's id is clean and at most 100 characters; and when serde_json reads the
//! same bytes as a page and nothing was dropped, the kept orders are exactly its orders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mirakl_connector::mirakl::order_page::{split, SplitLimits, MAX_ORDERS};
use serde_json::Value;

const LIMITS: SplitLimits = SplitLimits {
    per_order: 4096,
    kept: 16384,
    streamed: 65536,
};

fuzz_target!(|data: &[u8]| {
    let Ok(parts) = split(data, LIMITS) else {
        return;
    };
    assert!(parts.orders.len() + parts.unreadable.len() <= MAX_ORDERS);
    let kept: usize = parts.orders.iter().map(Vec::len).sum();
    assert!(kept as u64 <= LIMITS.kept, "kept {kept} bytes");
    let orders: Vec<Value> = parts
        .orders
        .iter()
        .map(|order| {
            assert!(order.len() as u64 <= LIMITS.per_order);
            serde_json::from_slice::<&serde_json::value::RawValue>(order)
                .expect("a kept order is one JSON value");
            // Within serde_json's recursion limit it also reads as a value.
            serde_json::from_slice::<Value>(order).unwrap_or(Value::Null)
        })
        .collect();
    let back: Value =
        serde_json::from_slice(&parts.to_json()).expect("the page given back is JSON");
    assert!(back["orders"].is_array());
    for order in &parts.unreadable {
        if let Some(id) = &order.order_id {
            assert!(
                id.chars().count() <= 100 && !id.chars().any(char::is_control),
                "{id:?}"
            );
        }
    }
    if parts.unreadable.is_empty() {
        if let Ok(Value::Object(page)) = serde_json::from_slice::<Value>(data) {
            if let Some(Value::Array(theirs)) = page.get("orders") {
                let readable = theirs.len() == orders.len()
                    && parts
                        .orders
                        .iter()
                        .all(|o| serde_json::from_slice::<Value>(o).is_ok());
                if readable {
                    assert_eq!(&orders, theirs, "the kept orders are serde_json's orders");
                }
            }
        }
    }
});
