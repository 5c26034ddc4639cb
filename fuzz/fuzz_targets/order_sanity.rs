//! The order sanity check, fed an OR11 order decoded as the order poll decodes it.
//!
//! Contract: the check never panics and names at most 10 violations, each on one line without
//! control characters; an order it passes has at most `max_order_lines` lines, quantities from 1
//! to 2^31−1, clean SKUs and bounded, non-negative prices, so the draft's products and sums
//! (unit price × quantity, the lines' totals) cannot overflow a Decimal. The text cleaning
//! yields at most `max` characters, trimmed, without control characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mirakl_connector::fuzzing::{
    decode_order_page, order_violations, single_line, MAX_AMOUNT, MAX_QUANTITY, MAX_SKU_CHARS,
};
use mirakl_connector::mirakl::orders::Order;
use rust_decimal::Decimal;

/// The bound of the `max_order_lines` setting.
const MAX_ORDER_LINES_BOUND: usize = 10_000;

fn check(order: &Order, max_order_lines: usize) {
    let violations = order_violations(order, max_order_lines);
    assert!(violations.len() <= 10, "{} violations", violations.len());
    for (rule, message) in &violations {
        assert!(!rule.is_empty());
        assert!(
            !message.chars().any(char::is_control),
            "control character in a violation: {message:?}"
        );
    }
    for text in [
        Some(order.order_id.as_str()),
        order.commercial_id.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        for max in [0, 1, 64, 255] {
            let clean = single_line(text, max);
            assert!(clean.chars().count() <= max);
            assert!(!clean.chars().any(char::is_control));
            assert_eq!(clean, clean.trim());
        }
    }
    if !violations.is_empty() {
        return;
    }
    assert!(order.order_lines.len() <= max_order_lines);
    let mut total = Decimal::ZERO;
    for line in &order.order_lines {
        let quantity = line.quantity.expect("a passed line has a quantity");
        assert!(
            (1..=MAX_QUANTITY).contains(&quantity),
            "quantity {quantity}"
        );
        if let Some(sku) = &line.offer_sku {
            assert!(sku.chars().count() <= MAX_SKU_CHARS);
            assert!(!sku.chars().any(char::is_control));
        }
        for amount in [
            line.price,
            line.price_unit,
            line.shipping_price,
            line.total_price,
        ]
        .into_iter()
        .flatten()
        {
            assert!(
                !amount.is_sign_negative() || amount.is_zero(),
                "negative {amount}"
            );
            assert!(amount <= MAX_AMOUNT, "too large {amount}");
        }
        let unit = line.price_unit.or(line.price).unwrap_or_default();
        let product = unit
            .checked_mul(Decimal::from(quantity))
            .expect("unit price × quantity overflows");
        total = total
            .checked_add(product)
            .and_then(|t| t.checked_add(line.shipping_price.unwrap_or_default()))
            .expect("the lines' totals overflow");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&[high, low], json)) = data.split_first_chunk::<2>().map(|(h, j)| (h, j)) else {
        return;
    };
    let max_order_lines = usize::from(u16::from_be_bytes([high, low])) % MAX_ORDER_LINES_BOUND + 1;
    let mut body = Vec::with_capacity(json.len() + 16);
    body.extend_from_slice(br#"{"orders":["#);
    body.extend_from_slice(json);
    body.extend_from_slice(b"]}");
    let Ok(page) = decode_order_page(&body) else {
        return;
    };
    for item in &page.orders {
        if let Ok((_, order)) = &item.decoded {
            check(order, max_order_lines);
        }
    }
});
