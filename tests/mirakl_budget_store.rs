//! Call budgets shared through the store: two clients on two handles of one store file (as two
//! PHP workers would be) spend one STO01 budget; the refused call never reaches its transport.

mod mirakl_support;

use mirakl_connector::error::ErrorCode;
use mirakl_connector::mirakl::fake::ScriptedTransport;
use mirakl_connector::mirakl::stock::StockLine;
use mirakl_connector::mirakl::{Client, ErrorClass};
use mirakl_connector::store::Store;
use mirakl_support::config;
use std::sync::Arc;

#[test]
fn two_workers_share_one_budget_through_the_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("connector.sqlite");
    let first_worker = Store::open(&path).expect("store");
    let second_worker = Store::open(&path).expect("store, second handle");
    let settings = config("https://x.test/api");
    let lines = [StockLine::new("SKU", 3)];

    let first_transport = Arc::new(ScriptedTransport::new());
    first_transport.respond(201, r#"{"import_id":"1"}"#);
    let first = Client::new(&settings, Arc::clone(&first_transport), first_worker);
    assert_eq!(
        first.stock().import(&lines).expect("first STO01").import_id,
        "1"
    );

    let second_transport = Arc::new(ScriptedTransport::new());
    let second = Client::new(&settings, Arc::clone(&second_transport), second_worker);
    let error = second
        .stock()
        .import(&lines)
        .expect_err("same minute, other worker");
    assert!(
        matches!(error.class(), ErrorClass::BudgetExhausted { .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), ErrorCode::CallBudgetExhausted);
    assert_eq!(
        second_transport.calls(),
        0,
        "refused without touching the network"
    );

    // Calls without a documented ceiling are never refused.
    second_transport.respond(204, "");
    second
        .orders()
        .ship("O-1")
        .expect("OR24 has no frequency ceiling");
    assert_eq!(second_transport.calls(), 1);
}
