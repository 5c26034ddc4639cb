//! OR11 page decoding as the order poll does it (the envelope, then each order on its own).
//!
//! Contract: decoding never panics; every item of a readable page is either an order or an
//! unreadable order named by an id of at most 100 characters without control characters; a
//! decoded order's dates lie in the accepted years; and the fuzzed order placed between two
//! well-formed orders never keeps them from being decoded (one bad order never blocks the others).
#![no_main]

use chrono::Datelike;
use libfuzzer_sys::fuzz_target;
use mirakl_connector::fuzzing::{decode_order_page, DecodedOrderPage};
use mirakl_connector::mirakl::model::DATE_YEARS;
use mirakl_connector::mirakl::orders::Order;

const GOOD_BEFORE: &str = r#"{"order_id":"FUZZ-GOOD-1","order_state":"WAITING_ACCEPTANCE","created_date":"2026-01-02T03:04:05Z","price":20,"total_price":20,"order_lines":[{"order_line_id":"FUZZ-GOOD-1-1","offer_sku":"SKU-1","order_line_state":"WAITING_ACCEPTANCE","quantity":2,"price":"20.00","total_price":"20.00"}]}"#;
const GOOD_AFTER: &str = r#"{"order_id":"FUZZ-GOOD-2","order_state":"SHIPPING","order_lines":[{"order_line_id":"FUZZ-GOOD-2-1","offer_sku":"SKU-2","order_line_state":"SHIPPING","quantity":1}]}"#;

fn check_page(page: &DecodedOrderPage) {
    for item in &page.orders {
        match &item.decoded {
            Ok((_, order)) => check_order(order),
            Err((id, _)) => {
                assert!(id.chars().count() <= 100, "unreadable order id too long");
                assert!(
                    !id.chars().any(char::is_control),
                    "control character in an unreadable order's id"
                );
            }
        }
    }
}

fn check_order(order: &Order) {
    let dates = [
        order.created_date,
        order.last_updated_date,
        order.acceptance_decision_date,
        order.shipping_deadline,
        order.customer_debited_date,
    ];
    for date in dates.into_iter().flatten() {
        assert!(
            DATE_YEARS.contains(&date.year()),
            "date out of range: {date}"
        );
    }
}

fn decoded_id<'p>(page: &'p DecodedOrderPage, raw: &str) -> Vec<&'p str> {
    page.orders
        .iter()
        .filter(|item| item.raw == raw)
        .map(|item| match &item.decoded {
            Ok((_, order)) => order.order_id.as_str(),
            Err(_) => "<unreadable>",
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    // The input as a whole OR11 answer.
    if let Ok(page) = decode_order_page(data) {
        check_page(&page);
    }
    // The input as one order between two good ones on the same page.
    let mut body = Vec::with_capacity(data.len() + 512);
    body.extend_from_slice(br#"{"orders":["#);
    body.extend_from_slice(GOOD_BEFORE.as_bytes());
    body.push(b',');
    body.extend_from_slice(data);
    body.push(b',');
    body.extend_from_slice(GOOD_AFTER.as_bytes());
    body.extend_from_slice(br#"],"total_count":3}"#);
    if let Ok(page) = decode_order_page(&body) {
        check_page(&page);
        // The envelope parsed, so the first item is the first good order, whatever follows.
        assert_eq!(
            page.orders.first().map(|o| o.raw.as_str()),
            Some(GOOD_BEFORE)
        );
        for id in decoded_id(&page, GOOD_BEFORE) {
            assert_eq!(id, "FUZZ-GOOD-1", "a bad order hid the good one before it");
        }
        for id in decoded_id(&page, GOOD_AFTER) {
            assert_eq!(id, "FUZZ-GOOD-2", "a bad order hid the good one after it");
        }
    }
});
