//! OR11/OR21/OR23/OR24/OR28/OR29: requests serialise to the documented shape, responses parse.

mod mirakl_support;

use chrono::{TimeZone, Utc};
use mirakl_connector::mirakl::model::TaxMode;
use mirakl_connector::mirakl::orders::{
    self, LineDecision, Order, OrderLineState, OrderPage, OrderQuery, OrderState, PaymentWorkflow,
    RefundLine, RefundRequest, RefundResponse, RefundState, Tracking,
};
use mirakl_connector::mirakl::{ApiCode, Body, Method};
use mirakl_support::{fixture, fixture_json, json_body, normalise};
use rust_decimal::Decimal;
use std::str::FromStr;

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).expect("decimal")
}

#[test]
fn or11_official_example_parses_with_money_dates_refunds_and_cancelations() {
    let page: OrderPage =
        serde_json::from_str(&fixture("OR11_orders_list_b2b_refunds_cancelations.json"))
            .expect("OR11 parses");
    assert_eq!(page.total_count, Some(1));
    let order = &page.orders[0];
    assert_eq!(order.order_id, "Order_00010-A");
    assert_eq!(order.commercial_id.as_deref(), Some("Order_00010"));
    assert_eq!(order.order_state, OrderState::Received);
    assert_eq!(order.order_state_reason_code, None, "null reads as absent");
    assert_eq!(
        order.payment_workflow,
        Some(PaymentWorkflow::PayOnAcceptance)
    );
    assert_eq!(order.order_tax_mode, Some(TaxMode::TaxExcluded));
    assert_eq!(order.total_price, Some(dec("173")));
    assert_eq!(order.total_commission, Some(dec("21.3")));
    assert_eq!(
        order.customer_debited_date,
        Some(
            Utc.with_ymd_and_hms(2019, 4, 2, 14, 58, 22).unwrap()
                + chrono::Duration::milliseconds(460)
        )
    );
    assert_eq!(
        order.shipping_deadline.map(|d| d.to_rfc3339()),
        Some("2019-09-01T23:59:59.999+00:00".to_owned())
    );
    let shipping = order
        .customer
        .as_ref()
        .and_then(|c| c.shipping_address.as_ref())
        .expect("shipping address");
    assert_eq!(shipping.zip_code.as_deref(), Some("NY 10012"));
    assert_eq!(
        shipping.additional_info.as_deref(),
        Some("One article per box")
    );

    let line = &order.order_lines[0];
    assert_eq!(line.order_line_id, "Order_00010-A-1");
    assert_eq!(line.offer_sku.as_deref(), Some("S2000"));
    assert_eq!(line.order_line_state, OrderLineState::Received);
    assert_eq!(line.quantity, Some(3));
    assert_eq!(line.price_unit, Some(dec("55")));
    assert_eq!(line.commission_fee, Some(dec("21.3")));
    // A tax entry without `rate` stays readable.
    assert_eq!(line.taxes[1].rate, None);
    assert_eq!(line.taxes[0].rate, Some(dec("17.5")));

    let refund = &line.refunds[0];
    assert_eq!(refund.id, "1106");
    assert_eq!(refund.amount, Some(dec("6.82")));
    assert_eq!(refund.shipping_amount, Some(dec("1.79")));
    assert_eq!(refund.reason_code.as_deref(), Some("19"));
    assert_eq!(
        refund.current_state(),
        Some(&RefundState::WaitingRefundPayment)
    );
    assert_eq!(
        refund.order_refund_id.as_deref(),
        Some("f029dc92-e5ae-4b89-b342-cf254ddd4b4d")
    );

    let cancelation = &line.cancelations[0];
    assert_eq!(cancelation.id, "1122");
    assert_eq!(cancelation.amount, Some(dec("12.34")));
}

#[test]
fn or12_single_order_shape_parses_as_an_order() {
    let order: Order =
        serde_json::from_str(&fixture("OR12_order_detail.json")).expect("OR12 parses");
    assert!(!order.order_id.is_empty());
    assert!(!order.order_lines.is_empty());
}

#[test]
fn unknown_states_are_kept_as_text() {
    let mut value = fixture_json("OR11_orders_list_b2b_refunds_cancelations.json");
    value["orders"][0]["order_state"] = "AWAITING_SOMETHING_NEW".into();
    value["orders"][0]["order_lines"][0]["order_line_state"] = "PARTIALLY_RETURNED".into();
    value["orders"][0]["a_field_added_next_year"] = serde_json::json!({"nested": [1, 2]});
    let page: OrderPage = serde_json::from_value(value).expect("still parses");
    assert_eq!(
        page.orders[0].order_state,
        OrderState::Other("AWAITING_SOMETHING_NEW".to_owned())
    );
    assert_eq!(
        page.orders[0].order_state.as_str(),
        "AWAITING_SOMETHING_NEW"
    );
    assert_eq!(
        page.orders[0].order_lines[0].order_line_state,
        OrderLineState::Other("PARTIALLY_RETURNED".to_owned())
    );
}

#[test]
fn or11_list_request_carries_filters_paging_and_budget_key() {
    let query = OrderQuery {
        order_state_codes: vec![OrderState::WaitingAcceptance, OrderState::Shipping],
        start_update_date: Some(Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap()),
        order_tax_mode: Some(TaxMode::TaxExcluded),
        ..OrderQuery::default()
    };
    let first = orders::list(&query, 0);
    assert_eq!(first.api, ApiCode::OR11);
    assert_eq!(first.method, Method::Get);
    assert_eq!(first.path, "/orders");
    assert_eq!(
        first.query_value("order_state_codes"),
        Some("WAITING_ACCEPTANCE,SHIPPING")
    );
    assert_eq!(
        first.query_value("start_update_date"),
        Some("2026-11-27T06:00:00.000Z")
    );
    assert_eq!(first.query_value("order_tax_mode"), Some("TAX_EXCLUDED"));
    assert_eq!(first.query_value("max"), Some("100"));
    assert_eq!(first.query_value("offset"), Some("0"));
    assert_eq!(first.budget_key, "OR11");
    assert_eq!(first.body, Body::None);

    let third = orders::list(&query, 200);
    assert_eq!(third.query_value("offset"), Some("200"));
    assert_eq!(
        third.budget_key, "OR11",
        "Mirakl limits calls, not lists: a follow-up page spends an OR11 call"
    );

    let oversized = OrderQuery {
        page_size: Some(1000),
        ..OrderQuery::default()
    };
    assert_eq!(orders::list(&oversized, 0).query_value("max"), Some("100"));
}

#[test]
fn or21_accept_request_matches_the_documented_example() {
    let request = orders::accept_lines("Order_00012-B", &[LineDecision::accept("Order_00012-B-1")]);
    assert_eq!(request.api, ApiCode::OR21);
    assert_eq!(request.method, Method::Put);
    assert_eq!(request.path, "/orders/Order_00012-B/accept");
    assert_eq!(
        json_body(&request),
        fixture_json("OR21_accept_request.json")
    );

    let refusal = orders::accept_lines("A", &[LineDecision::refuse("A-1")]);
    assert_eq!(json_body(&refusal)["order_lines"][0]["accepted"], false);
}

#[test]
fn path_segments_are_escaped() {
    let request = orders::ship("weird/id?x=1");
    assert_eq!(request.path, "/orders/weird%2Fid%3Fx%3D1/ship");
}

#[test]
fn or23_tracking_request_matches_the_documented_example() {
    let tracking = Tracking {
        carrier_code: Some("UPS".to_owned()),
        carrier_name: Some("UPS".to_owned()),
        carrier_standard_code: Some("UPS".to_owned()),
        carrier_url: Some("https://ups.com".to_owned()),
        tracking_number: Some("5555".to_owned()),
    };
    let request = orders::set_tracking("ORDER-1", &tracking);
    assert_eq!(request.api, ApiCode::OR23);
    assert_eq!(request.method, Method::Put);
    assert_eq!(request.path, "/orders/ORDER-1/tracking");
    assert_eq!(
        json_body(&request),
        fixture_json("OR23_tracking_request.json")
    );

    let registered_only = Tracking {
        carrier_code: Some("DHL".to_owned()),
        tracking_number: Some("42".to_owned()),
        ..Tracking::default()
    };
    assert_eq!(
        json_body(&orders::set_tracking("O", &registered_only)),
        serde_json::json!({"carrier_code": "DHL", "tracking_number": "42"}),
        "absent fields are not sent as null"
    );
}

#[test]
fn or24_and_or29_have_no_body() {
    let ship = orders::ship("ORDER-1");
    assert_eq!(
        (ship.api, ship.method, ship.path.as_str()),
        (ApiCode::OR24, Method::Put, "/orders/ORDER-1/ship")
    );
    assert_eq!(ship.body, Body::None);
    let cancel = orders::cancel("ORDER-1");
    assert_eq!(
        (cancel.api, cancel.method, cancel.path.as_str()),
        (ApiCode::OR29, Method::Put, "/orders/ORDER-1/cancel")
    );
    assert_eq!(cancel.body, Body::None);
}

#[test]
fn or28_refund_request_matches_the_documented_example() {
    let mut line = RefundLine::new("Order_00010-A-1", dec("1.5"));
    line.currency_iso_code = Some("USD".to_owned());
    line.excluded_from_shipment = Some(false);
    line.fees = vec![coded("0.5", "CARD_FEE"), coded("0.25", "EU_DRS")];
    line.quantity = Some(0);
    line.reason_code = Some("15".to_owned());
    line.shipping_amount = Some(dec("2"));
    line.shipping_taxes = vec![coded("1", "tax1"), coded("1", "tax2")];
    line.taxes = vec![coded("1", "tax1"), coded("1", "tax2")];
    line.tax_legal_notice = Some("Tax legal notice".to_owned());
    let request = orders::refund(&RefundRequest {
        order_tax_mode: Some(TaxMode::TaxExcluded),
        refunds: vec![line],
    });
    assert_eq!(request.api, ApiCode::OR28);
    assert_eq!(request.method, Method::Put);
    assert_eq!(request.path, "/orders/refund");
    // The example mixes "1" and 1 for amounts; Mirakl accepts both, the client sends numbers.
    assert_eq!(
        normalise(&json_body(&request)),
        normalise(&fixture_json("OR28_refund_request.json"))
    );
    assert!(json_body(&request)["refunds"][0]["amount"].is_number());

    // The documented example also reads back into the request type (strings accepted).
    let parsed: RefundRequest =
        serde_json::from_str(&fixture("OR28_refund_request.json")).expect("OR28 request parses");
    assert_eq!(parsed.refunds[0].taxes[0].amount, dec("1"));
}

fn coded(amount: &str, code: &str) -> mirakl_connector::mirakl::model::CodedAmount {
    mirakl_connector::mirakl::model::CodedAmount {
        amount: dec(amount),
        code: code.to_owned(),
    }
}

#[test]
fn or28_refund_amounts_keep_their_cents() {
    let request = orders::refund(&RefundRequest {
        order_tax_mode: None,
        refunds: vec![
            RefundLine::new("L-1", dec("12.10")),
            RefundLine::new("L-2", dec("0.07")),
        ],
    });
    let body = serde_json::to_string(&json_body(&request)).expect("json");
    assert!(body.contains("\"amount\":12.1"), "{body}");
    assert!(body.contains("\"amount\":0.07"), "{body}");
    assert!(!body.contains("order_tax_mode"));
}

#[test]
fn or28_refund_response_parses_with_refund_ids() {
    let response: RefundResponse =
        serde_json::from_str(&fixture("OR28_refund_response.json")).expect("OR28 response parses");
    assert_eq!(response.order_tax_mode, Some(TaxMode::TaxExcluded));
    let refund = &response.refunds[0];
    assert_eq!(refund.refund_id, "1130");
    assert_eq!(refund.order_line_id, "Order_00010-A-1");
    assert_eq!(refund.amount, Some(dec("1.5")));
    assert_eq!(refund.taxes[1].rate, None);
}
