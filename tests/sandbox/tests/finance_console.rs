//! Operator transactions booked from the console (manual credit, subscription fee) and SBC11
//! billing cycles, one per payout, with seek pagination.

mod common;

use common::{amount, Harness};
use serde_json::json;

#[test]
fn manual_credits_and_subscription_fees_are_booked_payable_and_paid_out() {
    let h = Harness::start();
    let credit = h.console(
        "POST",
        "/transactions",
        &json!({ "type": "MANUAL_CREDIT", "amount": "25.00" }),
    );
    assert!(credit["id"].as_str().is_some_and(|id| !id.is_empty()));
    h.console(
        "POST",
        "/transactions",
        &json!({ "type": "SUBSCRIPTION_FEE", "amount": "39.90" }),
    );
    let logs = h.get_json("/api/sellerpayment/transactions_logs?limit=10");
    let rows = logs["data"].as_array().expect("data");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (
            rows[0]["type"].as_str(),
            amount(&rows[0]["amount"]),
            rows[0]["payment_state"].as_str()
        ),
        (Some("MANUAL_CREDIT"), "25.00".to_owned(), Some("PAYABLE"))
    );
    assert_eq!(amount(&rows[0]["amount_credited"]), "25.00");
    assert_eq!(
        (rows[1]["type"].as_str(), amount(&rows[1]["amount"])),
        (Some("SUBSCRIPTION_FEE"), "-39.90".to_owned())
    );
    assert_eq!(amount(&rows[1]["amount_debited"]), "39.90");
    assert!(rows[1]
        .get("entities")
        .and_then(|e| e.get("order"))
        .is_none());

    let payout = h.console("POST", "/payout", &json!({}));
    assert_eq!(amount(&payout["amount_transferred"]), "-14.90");

    for bad in [
        json!({ "type": "ORDER_AMOUNT", "amount": "1" }),
        json!({ "type": "MANUAL_CREDIT", "amount": "-1" }),
    ] {
        let response = common_console_status(&h, &bad);
        assert_eq!(response, 400, "{bad}");
    }
}

fn common_console_status(h: &Harness, body: &serde_json::Value) -> u16 {
    mirakl_sandbox::client::send(
        h.sandbox.addr(),
        "POST",
        "/_sandbox/transactions",
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    )
    .expect("console answers")
    .status
}

#[test]
fn billing_cycles_list_one_cycle_per_payout_with_seek_pages() {
    let h = Harness::start();
    for n in 0..3 {
        h.console(
            "POST",
            "/transactions",
            &json!({ "type": "MANUAL_CREDIT", "amount": format!("{}.00", n + 1) }),
        );
        h.console("POST", "/payout", &json!({}));
    }
    let first = h.get_json("/api/seller-billing-cycles?limit=2");
    let data = first["data"].as_array().expect("data");
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["pay_out"]["state"], "PAID");
    assert_eq!(amount(&data[0]["amount_transferred_to_seller"]), "1.00");
    let token = first["next_page_token"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let second = h.get_json(&format!("/api/seller-billing-cycles?page_token={token}"));
    assert_eq!(second["data"].as_array().map(Vec::len), Some(1));
    assert!(second.get("next_page_token").is_none());
    // The payout's transactions and its accounting document name the same cycle.
    let cycle = second["data"][0]["id"].as_str().expect("id").to_owned();
    let payments =
        h.get_json("/api/sellerpayment/transactions_logs?transaction_type=PAYMENT&limit=10");
    assert_eq!(
        payments["data"][2]["seller_billing_cycle_id"].as_str(),
        Some(cycle.as_str())
    );
    let invoices = h.get_json("/api/invoices");
    assert_eq!(
        invoices["invoices"][2]["seller_billing_cycle_id"].as_str(),
        Some(cycle.as_str())
    );
}

#[test]
fn payouts_are_made_per_currency_never_netted() {
    let h = Harness::start();
    h.console(
        "POST",
        "/offers",
        &json!({ "sku": "GB-1", "price": "12.00", "quantity": 10 }),
    );
    let created = h.console("POST", "/orders", &json!({ "order_id": "GBP-1-A", "currency_iso_code": "GBP", "lines": [{ "offer_sku": "GB-1", "quantity": 1 }] }));
    let id = created["order_id"].as_str().expect("id").to_owned();
    h.accept_all(&id);
    h.console("POST", &format!("/orders/{id}/debit"), &json!({}));
    let shipped = h.put_json(&format!("/api/orders/{id}/ship"), &json!({}));
    assert_eq!(shipped.status, 204, "{}", shipped.text());
    h.console(
        "POST",
        "/transactions",
        &json!({ "type": "MANUAL_CREDIT", "amount": "5.00" }),
    );
    let payout = h.console("POST", "/payout", &json!({}));
    assert_eq!(amount(&payout["amount_transferred"]), "5.00");
    let payouts = payout["payouts"].as_array().expect("payouts");
    assert_eq!(payouts.len(), 2);
    assert_eq!(payouts[1]["currency_iso_code"], "GBP");
    let payments =
        h.get_json("/api/sellerpayment/transactions_logs?transaction_type=PAYMENT&limit=10");
    let rows = payments["data"].as_array().expect("data");
    let by_currency: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["currency_iso_code"].as_str().unwrap_or("").to_owned(),
                amount(&r["amount"]),
            )
        })
        .collect();
    assert_eq!(by_currency[0], ("EUR".to_owned(), "-5.00".to_owned()));
    assert_eq!(by_currency[1].0, "GBP");
    assert_eq!(
        by_currency[1].1,
        format!("-{}", amount(&payouts[1]["amount_transferred"]))
    );
    let cycles = h.get_json("/api/seller-billing-cycles?limit=10");
    assert_eq!(cycles["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(cycles["data"][1]["currency_iso_code"], "GBP");
}
