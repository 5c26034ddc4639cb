//! One order through its whole life — create, accept, debit, track, ship, partial refund,
//! receive, payout, close — checking every state and every amount on the way.
//!
//! Offer at 60.00 (VAT 20 % included), 2 units, shipping 4.90 a unit, commission 10 % + 20 % VAT:
//! line 120.00 (tax 20.00), shipping 9.80 (tax 1.63), commission 12.98 + 2.60.

mod common;

use common::{amount, Harness};
use serde_json::{json, Value};

fn rows(h: &Harness, order_id: &str) -> Vec<(String, String, String)> {
    let logs = h.get_json(&format!(
        "/api/sellerpayment/transactions_logs?order_id={order_id}&limit=100"
    ));
    logs["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|r| {
            (
                r["type"].as_str().unwrap_or("").to_string(),
                amount(&r["amount"]),
                r["payment_state"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn find<'a>(rows: &'a [(String, String, String)], kind: &str) -> &'a (String, String, String) {
    rows.iter()
        .find(|r| r.0 == kind)
        .unwrap_or_else(|| panic!("no {kind} row in {rows:?}"))
}

#[test]
fn one_order_from_creation_to_payout() {
    let h = Harness::start();
    let id = h.order_of("LIFE-1-A", "LIFE", "60.00", 2);
    assert_eq!(
        h.get_json("/api/offers?sku=LIFE")["offers"][0]["quantity"],
        98
    );

    // Created: waiting for acceptance, amounts tax included by default.
    let order = h.order(&id);
    assert_eq!(order["order_state"], "WAITING_ACCEPTANCE");
    assert_eq!(order["order_tax_mode"], "TAX_INCLUDED");
    assert_eq!(amount(&order["price"]), "120.00");
    assert_eq!(amount(&order["shipping_price"]), "9.80");
    assert_eq!(amount(&order["total_price"]), "129.80");
    assert_eq!(amount(&order["total_commission"]), "15.58");
    let line = &order["order_lines"][0];
    assert_eq!(amount(&line["price_unit"]), "60.00");
    assert_eq!(amount(&line["commission_fee"]), "12.98");
    assert_eq!(amount(&line["commission_vat"]), "2.60");
    assert_eq!(amount(&line["taxes"][0]["amount"]), "20.00");
    assert_eq!(amount(&line["shipping_taxes"][0]["amount"]), "1.63");
    assert_eq!(order["can_cancel"], false);
    assert!(order["customer_debited_date"].is_null());

    // The same order without tax.
    let excluded = h.get_json(&format!(
        "/api/orders?order_ids={id}&order_tax_mode=TAX_EXCLUDED"
    ))["orders"][0]
        .clone();
    assert_eq!(amount(&excluded["price"]), "100.00");
    assert_eq!(amount(&excluded["shipping_price"]), "8.17");
    assert_eq!(amount(&excluded["total_price"]), "108.17");

    // Accept.
    h.accept_all(&id);
    let order = h.order(&id);
    assert_eq!(order["order_state"], "WAITING_DEBIT_PAYMENT");
    assert_eq!(
        order["order_lines"][0]["order_line_state"],
        "WAITING_DEBIT_PAYMENT"
    );
    assert!(order["acceptance_decision_date"].is_string());
    assert!(rows(&h, &id).is_empty(), "nothing owed before the debit");

    // Debit: SHIPPING, shipping deadline two days later, amounts pending.
    h.console("POST", &format!("/orders/{id}/debit"), &json!({}));
    let order = h.order(&id);
    assert_eq!(order["order_state"], "SHIPPING");
    assert_eq!(order["can_shop_ship"], true);
    let debited = chrono::DateTime::parse_from_rfc3339(
        order["customer_debited_date"].as_str().expect("debited"),
    )
    .expect("date");
    let deadline = chrono::DateTime::parse_from_rfc3339(
        order["shipping_deadline"].as_str().expect("deadline"),
    )
    .expect("date");
    assert_eq!(deadline - debited, chrono::Duration::days(2));
    let logged = rows(&h, &id);
    assert_eq!(logged.len(), 6);
    assert_eq!(find(&logged, "ORDER_AMOUNT").1, "100.00");
    assert_eq!(find(&logged, "ORDER_AMOUNT_TAX").1, "20.00");
    assert_eq!(find(&logged, "ORDER_SHIPPING_AMOUNT").1, "8.17");
    assert_eq!(find(&logged, "ORDER_SHIPPING_AMOUNT_TAX").1, "1.63");
    assert_eq!(find(&logged, "COMMISSION_FEE").1, "-12.98");
    assert_eq!(find(&logged, "COMMISSION_VAT").1, "-2.60");
    assert!(logged.iter().all(|r| r.2 == "PENDING"));

    // Track and ship: amounts become payable.
    h.sandbox.advance_clock(3600);
    let r = h.put_json(
        &format!("/api/orders/{id}/tracking"),
        &json!({ "carrier_code": "UPS", "tracking_number": "1Z42" }),
    );
    assert_eq!(r.status, 204);
    assert_eq!(
        h.call("PUT", &format!("/api/orders/{id}/ship"), None, b"")
            .status,
        204
    );
    let order = h.order(&id);
    assert_eq!(order["order_state"], "SHIPPED");
    assert_eq!(order["shipping_tracking"], "1Z42");
    assert!(order["order_lines"][0]["shipped_date"].is_string());
    assert!(rows(&h, &id).iter().all(|r| r.2 == "PAYABLE"));

    // Partial refund of 30.00 (tax included): 25.00 + 5.00 tax, commission 3.00 + 0.60 back.
    let r = h.put_json(
        "/api/orders/refund",
        &json!({ "refunds": [{ "order_line_id": format!("{id}-1"), "amount": 30, "shipping_amount": 0, "quantity": 0, "reason_code": "15" }] }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let refund_id = r.json().expect("json")["refunds"][0]["refund_id"]
        .as_str()
        .expect("refund id")
        .to_string();
    let order = h.order(&id);
    let refunds = &order["order_lines"][0]["refunds"];
    assert_eq!(refunds.as_array().map(|a| a.len()), Some(1));
    assert_eq!(refunds[0]["id"], Value::String(refund_id));
    assert_eq!(amount(&refunds[0]["amount"]), "30.00");
    assert_eq!(amount(&refunds[0]["commission_amount"]), "3.00");
    assert_eq!(amount(&refunds[0]["commission_tax_amount"]), "0.60");
    assert_eq!(refunds[0]["state"], "REFUNDED");
    assert_eq!(order["order_lines"][0]["can_refund"], true);
    assert_eq!(order["fully_refunded"], false);
    let logged = rows(&h, &id);
    assert_eq!(find(&logged, "REFUND_ORDER_AMOUNT").1, "-25.00");
    assert_eq!(find(&logged, "REFUND_ORDER_AMOUNT_TAX").1, "-5.00");
    assert_eq!(find(&logged, "REFUND_COMMISSION_FEE").1, "3.00");
    assert_eq!(find(&logged, "REFUND_COMMISSION_VAT").1, "0.60");

    // Received.
    h.console("POST", &format!("/orders/{id}/receive"), &json!({}));
    assert_eq!(h.order(&id)["order_state"], "RECEIVED");

    // Payout: 129.80 − 15.58 − 30.00 + 3.60 = 87.82 paid; the cycle's document charges 11.98.
    let account = h.get_json("/api/account");
    assert_eq!(
        amount(&account["payment_details"]["payable_balance"]),
        "87.82"
    );
    let payout = h.console("POST", "/payout", &json!({}));
    assert_eq!(amount(&payout["amount_transferred"]), "87.82");
    let logged = rows(&h, &id);
    assert!(logged.iter().all(|r| r.2 == "PAID"), "{logged:?}");
    let payments = h.get_json("/api/sellerpayment/transactions_logs?transaction_type=PAYMENT");
    assert_eq!(amount(&payments["data"][0]["amount"]), "-87.82");
    assert_eq!(amount(&payments["data"][0]["balance"]), "0.00");
    let invoices = h.get_json("/api/invoices");
    assert_eq!(invoices["total_count"], 1);
    assert_eq!(
        amount(&invoices["invoices"][0]["total_charged_amount"]),
        "11.98"
    );
    assert_eq!(
        amount(&invoices["invoices"][0]["total_amount_excl_taxes"]),
        "9.98"
    );
    let account = h.get_json("/api/account");
    assert_eq!(amount(&account["payment_details"]["paid_balance"]), "87.82");
    assert_eq!(
        amount(&account["payment_details"]["payable_balance"]),
        "0.00"
    );

    // Closed.
    h.console("POST", &format!("/orders/{id}/close"), &json!({}));
    let order = h.order(&id);
    assert_eq!(order["order_state"], "CLOSED");
    let snapshot = h.sandbox.state();
    assert_eq!(snapshot["orders"][0]["state"], "CLOSED");
}
