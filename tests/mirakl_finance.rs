//! TL02 transaction logs (seek pages) and IV01 invoices (offset pages): requests, documented
//! answers, and the page iterators over a scripted transport.

mod mirakl_support;

use chrono::{TimeZone, Utc};
use mirakl_connector::mirakl::fake::ScriptedTransport;
use mirakl_connector::mirakl::finance::{
    self, InvoicePage, InvoiceQuery, InvoiceType, PaymentState, TransactionPage, TransactionQuery,
    TransactionType,
};
use mirakl_connector::mirakl::ApiCode;
use mirakl_support::{fixture, scripted_client};
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;

#[test]
fn tl02_official_example_parses_with_unknown_types_kept() {
    let page: TransactionPage =
        serde_json::from_str(&fixture("TL02_transaction_logs_response.json")).expect("TL02");
    assert_eq!(page.next_page_token, None);
    let first = &page.data[0];
    assert_eq!(
        first.transaction_type,
        TransactionType::Other("INVOICEABLE_ONE_OFF_DEBIT_TAX".to_owned())
    );
    assert_eq!(first.amount, Decimal::from_str("-0.5").ok());
    assert_eq!(first.payment_state, Some(PaymentState::Payable));
    assert!(first.accounting_document_creation_date.is_some());
    let with_order = page
        .data
        .iter()
        .find(|t| t.entities.as_ref().is_some_and(|e| e.order_line.is_some()))
        .expect("a transaction about an order line");
    assert_eq!(with_order.order_id(), Some("ORDER1-A"));
    let entities = with_order.entities.as_ref().expect("entities");
    assert_eq!(
        entities.order_line.as_ref().map(|l| l.id.as_str()),
        Some("ORDER1-A-1")
    );
}

#[test]
fn tl02_request_uses_repeated_filters_and_page_token_alone() {
    let query = TransactionQuery {
        last_updated_from: Some(Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()),
        transaction_types: vec![TransactionType::OrderAmount, TransactionType::CommissionFee],
        order_ids: vec!["A-1".to_owned(), "B-1".to_owned()],
        sort: Some("lastUpdated,ASC".to_owned()),
        ..TransactionQuery::default()
    };
    let request = finance::transactions(&query);
    assert_eq!(
        (request.api, request.path.as_str()),
        (ApiCode::TL02, "/sellerpayment/transactions_logs")
    );
    let types: Vec<&str> = request
        .query
        .iter()
        .filter(|(k, _)| k == "transaction_type")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(types, ["ORDER_AMOUNT", "COMMISSION_FEE"]);
    assert_eq!(request.query_value("limit"), Some("2000"));
    assert_eq!(
        request.query_value("last_updated_from"),
        Some("2026-11-01T00:00:00.000Z")
    );

    let next = finance::transactions_page("tok", 2000);
    assert_eq!(next.query_value("page_token"), Some("tok"));
    assert_eq!(next.query_value("transaction_type"), None);
}

#[test]
fn tl02_pages_are_followed_until_the_token_disappears() {
    let transport = Arc::new(ScriptedTransport::new());
    transport
        .respond(200, fixture("TL02_transaction_logs_page1.json"))
        .respond(200, fixture("TL02_transaction_logs_page2_last.json"));
    let (client, _) = scripted_client(Arc::clone(&transport));
    let pages: Vec<TransactionPage> = client
        .finance()
        .transactions(&TransactionQuery::default())
        .collect::<Result<_, _>>()
        .expect("pages");
    assert_eq!(pages.len(), 2);
    let ids: Vec<&str> = pages
        .iter()
        .flat_map(|p| p.data.iter().map(|t| t.id.as_str()))
        .collect();
    assert_eq!(ids, ["TXN001", "TXN002", "TXN003", "TXN004", "TXN005"]);
    assert_eq!(pages[1].data[1].amount, Decimal::from_str("200.00").ok());
    let requests = transport.requests();
    assert_eq!(requests[1].query_value("page_token"), Some("next_token"));
}

#[test]
fn tl02_single_page_mock_parses() {
    let page: TransactionPage =
        serde_json::from_str(&fixture("TL02_transaction_logs_single_page.json"))
            .expect("TL02 single");
    assert!(page.next_page_token.is_none());
    assert!(!page.data.is_empty());
}

#[test]
fn iv01_official_example_parses() {
    let page: InvoicePage =
        serde_json::from_str(&fixture("IV01_invoices_response.json")).expect("IV01");
    let invoice = &page.invoices[0];
    assert_eq!(invoice.invoice_id, "2");
    assert_eq!(invoice.invoice_type, Some(InvoiceType::AutoInvoice));
    assert_eq!(invoice.total_amount_incl_taxes, Some(Decimal::from(1002)));
    assert_eq!(
        invoice.payment.as_ref().and_then(|p| p.state.as_deref()),
        Some("PENDING")
    );
    assert_eq!(
        invoice.payment.as_ref().and_then(|p| p.reference.clone()),
        None
    );
    let summary = invoice.summary.as_ref().expect("summary");
    assert_eq!(summary.total_commissions_incl_tax, Some(Decimal::from(-9)));
    assert!(page.total_count.is_some());
}

#[test]
fn iv01_request_and_pages() {
    let query = InvoiceQuery {
        start_date: Some(Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap()),
        document_type: Some("ALL".to_owned()),
        page_size: Some(1),
        ..InvoiceQuery::default()
    };
    let request = finance::invoices(&query, 0);
    assert_eq!(
        (request.api, request.path.as_str()),
        (ApiCode::IV01, "/invoices")
    );
    assert_eq!(request.query_value("type"), Some("ALL"));
    assert_eq!(request.budget_key, "IV01");
    assert_eq!(finance::invoices(&query, 1).budget_key, "IV01-page");

    let transport = Arc::new(ScriptedTransport::new());
    let one = |id: u32| {
        format!(r#"{{"invoices":[{{"invoice_id":{id},"type":"AUTO_INVOICE"}}],"total_count":2}}"#)
    };
    transport.respond(200, one(1)).respond(200, one(2));
    let (client, _) = scripted_client(Arc::clone(&transport));
    let ids: Vec<String> = client
        .finance()
        .invoices(query)
        .map(|page| page.expect("page").invoices[0].invoice_id.clone())
        .collect();
    assert_eq!(ids, ["1", "2"]);
    assert_eq!(transport.calls(), 2, "stops at total_count");
}

#[test]
fn sbc11_has_its_own_api_code_builders_and_daily_budget() {
    use mirakl_connector::mirakl::budget::{keys, limits_for};
    use mirakl_connector::mirakl::finance::{billing_cycles, billing_cycles_page};
    use mirakl_connector::mirakl::ApiCode;
    let first = billing_cycles();
    assert_eq!(first.api, ApiCode::SBC11);
    assert_eq!(first.path, "/seller-billing-cycles");
    assert_eq!(first.budget_key, "SBC11");
    let next = billing_cycles_page("tok");
    assert_eq!(next.api, ApiCode::SBC11);
    assert_eq!(next.budget_key, keys::SBC11_PAGE);
    assert!(next
        .query
        .contains(&("page_token".to_owned(), "tok".to_owned())));
    assert_eq!(limits_for("SBC11"), limits_for("IV01"));
    assert!(!limits_for(keys::SBC11_PAGE).is_empty());
    assert!(ApiCode::ALL.contains(&ApiCode::SBC11));
}
