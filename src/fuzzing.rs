//! Entry points for the `cargo fuzz` targets in `fuzz/` (not an API: hidden from the docs, may
//! change at any time). Each function is a thin wrapper over the parser the connector runs on a
//! marketplace answer, so the fuzzers exercise the very code a poll runs, with no behaviour of
//! their own.

use serde_json::Value;

use crate::mirakl::client::decode_json;
use crate::mirakl::error::MiraklError;
use crate::mirakl::orders::Order;
use crate::mirakl::request::ApiCode;
use crate::sync::jobs::{self, sanity, RawOrderPage};

pub use crate::sync::jobs::sanity::{MAX_AMOUNT, MAX_QUANTITY, MAX_SKU_CHARS};

/// One order of an OR11 page as the order poll sees it.
pub struct PageOrder {
    /// The order's JSON text as it arrived.
    pub raw: String,
    /// The order raw and parsed, or the id it is named by in its problem and the reason.
    pub decoded: Result<(Value, Order), (String, String)>,
}

/// An OR11 page decoded as the order poll decodes it: the envelope first, then each order on
/// its own.
pub struct DecodedOrderPage {
    pub orders: Vec<PageOrder>,
    pub total_count: Option<Value>,
}

/// Decodes an OR11 answer body as [`crate::sync`]'s order poll does.
pub fn decode_order_page(body: &[u8]) -> Result<DecodedOrderPage, MiraklError> {
    let page: RawOrderPage = decode_json(ApiCode::OR11, body)?;
    let items = page.orders.unwrap_or_default();
    let orders = items
        .iter()
        .zip(jobs::decode_orders(&items))
        .map(|(item, decoded)| PageOrder {
            raw: item.get().to_owned(),
            decoded: decoded.map_err(|(id, error)| {
                (
                    id.unwrap_or_else(|| "unknown".to_owned()),
                    error.to_string(),
                )
            }),
        })
        .collect();
    Ok(DecodedOrderPage {
        orders,
        total_count: page.total_count,
    })
}

/// The order sanity rules `order` breaks, as `(rule, message)`; empty when it may be imported.
pub fn order_violations(order: &Order, max_order_lines: usize) -> Vec<(&'static str, String)> {
    sanity::check(order, max_order_lines)
        .into_iter()
        .map(|violation| (violation.rule, violation.to_string()))
        .collect()
}

/// The text cleaning applied to strings an order carries into the shop.
pub fn single_line(text: &str, max: usize) -> String {
    sanity::single_line(text, max)
}

/// The stock reconciliation's OF51 reader: `(shop-sku, quantity)` of every live offer.
pub fn export_quantities(body: &[u8]) -> Result<Vec<(String, i64)>, String> {
    jobs::stock::parse_export_quantities(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_nested_too_deep_is_named_and_the_others_are_decoded() {
        let good = |id: &str| {
            format!(
                r#"{{"order_id":"{id}","order_state":"SHIPPING","order_lines":[{{"order_line_id":"{id}-1","order_line_state":"SHIPPING","quantity":1}}]}}"#
            )
        };
        let deep = format!(
            r#"{{"order_id":"DEEP\u0007-1","order_state":"SHIPPING","x":{}{}}}"#,
            "[".repeat(300),
            "]".repeat(300)
        );
        let body = format!(
            r#"{{"orders":[{},{deep},{}],"total_count":3}}"#,
            good("A-1"),
            good("B-1")
        );
        let page = decode_order_page(body.as_bytes()).unwrap();
        let ids: Vec<_> = page
            .orders
            .iter()
            .map(|item| match &item.decoded {
                Ok((_, order)) => format!("ok {}", order.order_id),
                Err((id, _)) => format!("unreadable {id}"),
            })
            .collect();
        assert_eq!(ids, ["ok A-1", "unreadable DEEP-1", "ok B-1"]);
        assert_eq!(page.total_count, Some(serde_json::json!(3)));
    }
}
