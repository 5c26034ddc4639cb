//! The client against the Mirakl sandbox, one test per API group, plus the faults a real
//! marketplace produces: 429 storms (Retry-After honoured), dropped connections (reads retried,
//! writes reported as OutcomeUnknown), slow answers, malformed bodies and a wrong key.

mod mirakl_support;

use mirakl_connector::error::ErrorCode;
use mirakl_connector::mirakl::finance::{InvoiceQuery, TransactionQuery};
use mirakl_connector::mirakl::model::ImportStatus;
use mirakl_connector::mirakl::offers::{
    OfferExportQuery, OfferImportOptions, OfferLine, OfferQuery,
};
use mirakl_connector::mirakl::orders::{
    LineDecision, Order, OrderQuery, OrderState, RefundLine, RefundRequest, Tracking,
};
use mirakl_connector::mirakl::reference::ReasonType;
use mirakl_connector::mirakl::shipments::{NewShipment, ShipmentLine, ShipmentTracking};
use mirakl_connector::mirakl::stock::StockLine;
use mirakl_connector::mirakl::{
    Client, ClientConfig, ErrorClass, HttpTransport, MemoryBudget, MiraklError,
};
use mirakl_sandbox::{
    Fault, FaultRule, NewLine, NewOrder, RunningSandbox, Sandbox, SandboxConfig, Trigger,
};
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type SandboxClient = Client<HttpTransport, MemoryBudget>;

fn start(config: SandboxConfig) -> RunningSandbox {
    Sandbox::start(config).expect("sandbox starts")
}

fn settings(sandbox: &RunningSandbox, key: &str) -> ClientConfig {
    let mut settings =
        ClientConfig::new(sandbox.base_url().parse().expect("url"), key).development();
    settings.connect_timeout = Duration::from_secs(2);
    settings.timeout = Duration::from_secs(3);
    settings
}

/// A client whose budget clock jumps a day per call, so the documented frequencies never
/// refuse the many calls of a test (budgets have their own tests); waits are recorded, not slept.
fn client(sandbox: &RunningSandbox) -> (SandboxClient, Arc<Mutex<Vec<Duration>>>) {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&waits);
    let days = AtomicI64::new(0);
    let client = Client::connect(&settings(sandbox, &sandbox.api_key()), MemoryBudget::new())
        .expect("client")
        .with_rng_seed(3)
        .with_sleeper(move |wait| log.lock().expect("log").push(wait))
        .with_clock(move || {
            chrono::Utc::now() + chrono::Duration::days(days.fetch_add(1, Ordering::SeqCst))
        });
    (client, waits)
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).expect("decimal")
}

fn fault(sandbox: &RunningSandbox, route: &str, fault: Fault, times: u32) {
    sandbox.add_fault(FaultRule {
        route: route.to_owned(),
        fault,
        trigger: Trigger::NextCalls(times),
    });
}

fn new_order(sandbox: &RunningSandbox, sku: &str, quantity: i64) -> String {
    sandbox
        .create_order(NewOrder {
            lines: vec![NewLine {
                offer_sku: sku.to_owned(),
                quantity,
                price: None,
                shipping_price: None,
            }],
            ..NewOrder::default()
        })
        .expect("order created")
}

fn find_order(client: &SandboxClient, order_id: &str) -> Order {
    let query = OrderQuery {
        order_ids: vec![order_id.to_owned()],
        ..OrderQuery::default()
    };
    client
        .orders()
        .list(query)
        .flat_map(|page| page.expect("OR11 page").orders)
        .find(|order| order.order_id == order_id)
        .unwrap_or_else(|| panic!("order {order_id} listed"))
}

fn accept_all(client: &SandboxClient, order: &Order) {
    let decisions: Vec<LineDecision> = order
        .order_lines
        .iter()
        .map(|line| LineDecision::accept(line.order_line_id.clone()))
        .collect();
    client
        .orders()
        .accept_lines(&order.order_id, &decisions)
        .expect("OR21 accepted");
}

#[test]
fn account_version_carriers_and_reasons() {
    let sandbox = start(SandboxConfig::for_tests());
    let (client, _) = client(&sandbox);
    let account = client.account().get().expect("A01");
    assert_eq!(account.shop_id, 2001);
    assert!(!client.account().version().expect("V01").version.is_empty());
    let carriers = client.reference().carriers().expect("SH21");
    assert!(carriers.iter().any(|c| c.code == "DHL"));
    let reasons = client
        .reference()
        .reasons(Some(&ReasonType::Refund))
        .expect("RE01");
    assert!(!reasons.reasons.is_empty());
    assert!(reasons
        .reasons
        .iter()
        .all(|r| r.reason_type == ReasonType::Refund));
}

#[test]
fn order_lifecycle_accept_track_ship_refund() {
    let sandbox = start(SandboxConfig::for_tests());
    sandbox.add_offer("SKU-A", dec("20.00"), 10).expect("offer");
    let order_id = new_order(&sandbox, "SKU-A", 2);
    let (client, _) = client(&sandbox);

    let waiting = client
        .orders()
        .list(OrderQuery {
            order_state_codes: vec![OrderState::WaitingAcceptance],
            ..OrderQuery::default()
        })
        .flat_map(|page| page.expect("OR11").orders)
        .find(|o| o.order_id == order_id)
        .expect("new order waits for acceptance");
    assert_eq!(waiting.order_lines[0].offer_sku.as_deref(), Some("SKU-A"));
    assert_eq!(waiting.order_lines[0].quantity, Some(2));

    accept_all(&client, &waiting);
    sandbox.debit(&order_id).expect("debit");
    assert_eq!(
        find_order(&client, &order_id).order_state,
        OrderState::Shipping
    );

    let carrier = client.reference().carriers().expect("SH21").remove(0);
    client
        .orders()
        .set_tracking(
            &order_id,
            &Tracking {
                carrier_code: Some(carrier.code.clone()),
                tracking_number: Some("TRACK-1".to_owned()),
                ..Tracking::default()
            },
        )
        .expect("OR23");
    client.orders().ship(&order_id).expect("OR24");
    let shipped = find_order(&client, &order_id);
    assert_eq!(shipped.order_state, OrderState::Shipped);
    assert_eq!(shipped.shipping_tracking.as_deref(), Some("TRACK-1"));

    let reason = client
        .reference()
        .reasons(Some(&ReasonType::Refund))
        .expect("RE01")
        .reasons[0]
        .code
        .clone();
    let line = &shipped.order_lines[0];
    let mut refund = RefundLine::new(line.order_line_id.clone(), dec("10.00"));
    refund.shipping_amount = Some(Decimal::ZERO);
    refund.quantity = Some(1);
    refund.reason_code = Some(reason);
    let created = client
        .orders()
        .refund(&RefundRequest {
            order_tax_mode: None,
            refunds: vec![refund],
        })
        .expect("OR28");
    let refund_id = created.refunds[0].refund_id.clone();
    let listed = find_order(&client, &order_id);
    let refunds = &listed.order_lines[0].refunds;
    assert!(
        refunds.iter().any(|r| r.id == refund_id),
        "OR11 shows the refund made by OR28"
    );
    assert_eq!(refunds[0].amount, Some(dec("10.00")));
}

#[test]
fn refusing_and_cancelling_orders() {
    let sandbox = start(SandboxConfig::for_tests());
    sandbox.add_offer("SKU-B", dec("5.00"), 10).expect("offer");
    let (client, _) = client(&sandbox);

    let refused_id = new_order(&sandbox, "SKU-B", 1);
    let refused = find_order(&client, &refused_id);
    client
        .orders()
        .accept_lines(
            &refused_id,
            &[LineDecision::refuse(
                refused.order_lines[0].order_line_id.clone(),
            )],
        )
        .expect("OR21 refusal");
    assert_eq!(
        find_order(&client, &refused_id).order_state,
        OrderState::Refused
    );

    let cancel_id = new_order(&sandbox, "SKU-B", 1);
    accept_all(&client, &find_order(&client, &cancel_id));
    assert_eq!(find_order(&client, &cancel_id).can_cancel, Some(true));
    client.orders().cancel(&cancel_id).expect("OR29");
    assert_eq!(
        find_order(&client, &cancel_id).order_state,
        OrderState::Canceled
    );

    let error = client
        .orders()
        .cancel(&cancel_id)
        .expect_err("already canceled");
    assert!(
        matches!(error.class(), ErrorClass::Client { status: 400, ref message } if !message.is_empty())
    );
}

#[test]
fn shipments_report_success_and_errors_side_by_side() {
    let sandbox = start(SandboxConfig::for_tests());
    sandbox.add_offer("SKU-C", dec("8.00"), 10).expect("offer");
    let (client, _) = client(&sandbox);
    let order_id = new_order(&sandbox, "SKU-C", 1);
    accept_all(&client, &find_order(&client, &order_id));
    sandbox.debit(&order_id).expect("debit");
    let line_id = find_order(&client, &order_id).order_lines[0]
        .order_line_id
        .clone();
    let shipment = |order: &str| NewShipment {
        order_id: order.to_owned(),
        shipment_lines: vec![ShipmentLine {
            order_line_id: Some(line_id.clone()),
            offer_sku: None,
            package_reference: None,
            quantity: 1,
        }],
        tracking: Some(ShipmentTracking {
            carrier_code: Some("DHL".to_owned()),
            tracking_number: Some("T-9".to_owned()),
            ..ShipmentTracking::default()
        }),
        shipped: Some(true),
        invoice_reference: None,
        shipping_from: None,
        shipment_additional_information: Vec::new(),
    };
    let result = client
        .shipments()
        .create(&[shipment(&order_id), shipment("NO-SUCH-ORDER")])
        .expect("ST01");
    assert_eq!(result.shipment_success.len(), 1);
    assert_eq!(result.shipment_success[0].order_id, order_id);
    assert_eq!(result.shipment_errors.len(), 1);
    assert_eq!(
        result.shipment_errors[0].order_id.as_deref(),
        Some("NO-SUCH-ORDER")
    );
}

#[test]
fn stock_import_then_status_then_offers_show_the_quantity() {
    let sandbox = start(SandboxConfig::for_tests());
    sandbox.add_offer("SKU-D", dec("12.50"), 3).expect("offer");
    let (client, _) = client(&sandbox);
    let created = client
        .stock()
        .import(&[
            StockLine::new("SKU-D", 42),
            StockLine::new("SKU-UNKNOWN", 1),
        ])
        .expect("STO01");
    let status = client
        .stock()
        .import_status(&created.import_id)
        .expect("STO02");
    assert_eq!(status.status, ImportStatus::Complete);
    assert_eq!(status.lines_in_success, Some(1));
    assert_eq!(status.lines_in_error, Some(1));

    let offer = client
        .offers()
        .list(OfferQuery::default())
        .flat_map(|page| page.expect("OF21").offers)
        .find(|o| o.shop_sku == "SKU-D")
        .expect("offer listed");
    assert_eq!(offer.quantity, Some(42));
    assert_eq!(offer.price, Some(dec("12.50")));

    let exported = client
        .offers()
        .export(&OfferExportQuery::default())
        .expect("OF51");
    let row = exported
        .iter()
        .find(|o| o.shop_sku.as_deref() == Some("SKU-D"))
        .expect("exported");
    assert_eq!(row.quantity, Some(42));
}

#[test]
fn offer_import_status_and_error_report() {
    let sandbox = start(SandboxConfig::for_tests());
    let (client, _) = client(&sandbox);
    let good = OfferLine {
        sku: "NEW-1".to_owned(),
        product_id: Some("NEW-1".to_owned()),
        product_id_type: Some("SHOP_SKU".to_owned()),
        price: Some(dec("9.99")),
        quantity: Some(5),
        state: Some("11".to_owned()),
        ..OfferLine::default()
    };
    let without_price = OfferLine {
        sku: "NEW-2".to_owned(),
        product_id: Some("NEW-2".to_owned()),
        product_id_type: Some("SHOP_SKU".to_owned()),
        quantity: Some(1),
        ..OfferLine::default()
    };
    let created = client
        .offers()
        .import(&[good, without_price], &OfferImportOptions::default())
        .expect("OF01");
    let status = client
        .offers()
        .import_status(&created.import_id)
        .expect("OF02");
    assert_eq!(status.status, ImportStatus::Complete);
    assert_eq!(
        (status.lines_in_success, status.lines_in_error),
        (Some(1), Some(1))
    );
    assert_eq!(status.has_error_report, Some(true));
    let report = client
        .offers()
        .error_report(&created.import_id)
        .expect("OF03");
    assert_eq!(report.len(), 1);
    assert_eq!(report[0].sku.as_deref(), Some("NEW-2"));
    assert!(!report[0].error_message.is_empty());
}

#[test]
fn transactions_and_invoices_after_a_payout() {
    let sandbox = start(SandboxConfig::for_tests());
    sandbox.add_offer("SKU-E", dec("30.00"), 10).expect("offer");
    let (client, _) = client(&sandbox);
    let order_id = new_order(&sandbox, "SKU-E", 1);
    accept_all(&client, &find_order(&client, &order_id));
    sandbox.debit(&order_id).expect("debit");
    client.orders().ship(&order_id).expect("OR24");
    let invoice_id = sandbox.payout().expect("payout");

    let query = TransactionQuery {
        limit: Some(2),
        ..TransactionQuery::default()
    };
    let transactions: Vec<_> = client
        .finance()
        .transactions(&query)
        .flat_map(|page| page.expect("TL02").data)
        .collect();
    assert!(transactions.len() > 2, "more than one page followed");
    assert!(transactions
        .iter()
        .any(|t| t.order_id() == Some(order_id.as_str())));
    let mut ids: Vec<&str> = transactions.iter().map(|t| t.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        ids.len(),
        transactions.len(),
        "no transaction twice across pages"
    );

    let invoices: Vec<_> = client
        .finance()
        .invoices(InvoiceQuery {
            document_type: Some("ALL".to_owned()),
            ..InvoiceQuery::default()
        })
        .flat_map(|page| page.expect("IV01").invoices)
        .collect();
    assert!(invoices
        .iter()
        .any(|i| i.invoice_id == invoice_id.to_string()));
}

#[test]
fn or11_offset_pages_cover_every_order_once() {
    let sandbox = start(SandboxConfig::for_tests());
    sandbox.add_offer("SKU-F", dec("1.00"), 100).expect("offer");
    let created: Vec<String> = (0..5).map(|_| new_order(&sandbox, "SKU-F", 1)).collect();
    let (client, _) = client(&sandbox);
    let pages: Vec<_> = client
        .orders()
        .list(OrderQuery {
            page_size: Some(2),
            ..OrderQuery::default()
        })
        .collect::<Result<_, _>>()
        .expect("pages");
    assert_eq!(pages.len(), 3);
    let mut listed: Vec<String> = pages
        .into_iter()
        .flat_map(|p| p.orders)
        .map(|o| o.order_id)
        .collect();
    listed.sort();
    let mut expected = created;
    expected.sort();
    assert_eq!(listed, expected);
}

#[test]
fn a_429_storm_is_ridden_out_with_retry_after() {
    let sandbox = start(SandboxConfig::for_tests());
    let (client, waits) = client(&sandbox);
    fault(
        &sandbox,
        "V01",
        Fault::Status {
            status: 429,
            retry_after_secs: Some(1),
        },
        2,
    );
    client.account().version().expect("third try passes");
    assert_eq!(
        *waits.lock().unwrap(),
        vec![Duration::from_secs(1), Duration::from_secs(1)]
    );

    // A longer storm: the call gives up after max_attempts and says when to come back.
    fault(
        &sandbox,
        "OR11",
        Fault::Status {
            status: 429,
            retry_after_secs: Some(1),
        },
        10,
    );
    let error = client
        .orders()
        .list(OrderQuery::default())
        .next()
        .expect("a page")
        .expect_err("storm outlasts the attempts");
    assert_eq!(
        error.class(),
        ErrorClass::Throttled {
            retry_after: Some(Duration::from_secs(1))
        }
    );
}

#[test]
fn the_sandbox_rate_limit_is_honoured_with_a_real_wait() {
    // "Once per minute" scaled to 0.6 s: the second STO01 is throttled and succeeds after the
    // Retry-After the sandbox sends (the client sleeps for real here).
    let sandbox = start(SandboxConfig::for_tests().rate_limit_scale(0.01));
    sandbox.add_offer("SKU-G", dec("1.00"), 1).expect("offer");
    let days = AtomicI64::new(0);
    let client = Client::connect(&settings(&sandbox, &sandbox.api_key()), MemoryBudget::new())
        .expect("client")
        .with_clock(move || {
            chrono::Utc::now() + chrono::Duration::days(days.fetch_add(1, Ordering::SeqCst))
        });
    let started = std::time::Instant::now();
    client
        .stock()
        .import(&[StockLine::new("SKU-G", 2)])
        .expect("first");
    client
        .stock()
        .import(&[StockLine::new("SKU-G", 3)])
        .expect("second, after Retry-After");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited {:?}",
        started.elapsed()
    );
}

#[test]
fn the_client_budget_refuses_before_the_sandbox_sees_the_call() {
    let sandbox = start(SandboxConfig::for_tests());
    let client = Client::connect(&settings(&sandbox, &sandbox.api_key()), MemoryBudget::new())
        .expect("client");
    client
        .stock()
        .import(&[StockLine::new("X", 1)])
        .expect("first STO01");
    let error = client
        .stock()
        .import(&[StockLine::new("X", 2)])
        .expect_err("second within a minute");
    let ErrorClass::BudgetExhausted { wait, .. } = error.class() else {
        panic!("expected a budget refusal, got {error:?}");
    };
    assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(50));
    let imports = sandbox.state()["imports"].as_array().map_or(0, Vec::len);
    assert_eq!(imports, 1, "the refused call never reached the sandbox");
}

#[test]
fn dropped_connections_retry_reads_and_report_writes_as_outcome_unknown() {
    let sandbox = start(SandboxConfig::for_tests());
    sandbox.add_offer("SKU-H", dec("3.00"), 10).expect("offer");
    let order_id = new_order(&sandbox, "SKU-H", 1);
    let (client, waits) = client(&sandbox);

    fault(&sandbox, "V01", Fault::DropBeforeProcessing, 1);
    client
        .account()
        .version()
        .expect("read retried after a drop");
    fault(&sandbox, "OR11", Fault::TruncatedBody, 1);
    let order = find_order(&client, &order_id);
    assert_eq!(waits.lock().unwrap().len(), 2);

    // The write is applied, then the connection drops: the client must not re-send it.
    fault(&sandbox, "OR21", Fault::DropAfterProcessing, 1);
    let decisions = [LineDecision::accept(
        order.order_lines[0].order_line_id.clone(),
    )];
    let error = client
        .orders()
        .accept_lines(&order_id, &decisions)
        .expect_err("no answer");
    assert_eq!(error.class(), ErrorClass::OutcomeUnknown);
    assert!(matches!(error, MiraklError::OutcomeUnknown { .. }));
    // Reconciling shows the acceptance did happen.
    assert_ne!(
        find_order(&client, &order_id).order_state,
        OrderState::WaitingAcceptance
    );

    // Dropped before processing looks the same from outside: still unknown, still not re-sent.
    fault(&sandbox, "OR24", Fault::DropBeforeProcessing, 1);
    let error = client.orders().ship(&order_id).expect_err("no answer");
    assert_eq!(error.class(), ErrorClass::OutcomeUnknown);
}

#[test]
fn slow_answers_time_out_reads_retry_writes_are_unknown() {
    let sandbox = start(SandboxConfig::for_tests());
    let (client, _) = client(&sandbox);
    fault(&sandbox, "V01", Fault::Latency { millis: 4000 }, 1);
    client.account().version().expect("the retry is fast");
    fault(&sandbox, "OR29", Fault::Latency { millis: 4000 }, 1);
    let error = client.orders().cancel("ANY").expect_err("timed out");
    assert_eq!(error.class(), ErrorClass::OutcomeUnknown);
}

#[test]
fn server_errors_on_reads_are_retried() {
    let sandbox = start(SandboxConfig::for_tests());
    let (client, waits) = client(&sandbox);
    fault(
        &sandbox,
        "A01",
        Fault::Status {
            status: 500,
            retry_after_secs: None,
        },
        2,
    );
    client.account().get().expect("third try");
    assert_eq!(waits.lock().unwrap().len(), 2);
}

#[test]
fn malformed_bodies_are_decode_errors() {
    let sandbox = start(SandboxConfig::for_tests());
    let (client, waits) = client(&sandbox);
    fault(&sandbox, "A01", Fault::MalformedJson, 1);
    let error = client.account().get().expect_err("malformed");
    assert_eq!(
        (error.class(), error.code()),
        (ErrorClass::Decode, ErrorCode::MiraklDecode)
    );
    assert!(waits.lock().unwrap().is_empty(), "not retried");
    client.account().get().expect("the next call is fine");
}

#[test]
fn a_wrong_key_is_an_auth_error_that_does_not_leak_the_key() {
    let sandbox = start(SandboxConfig::for_tests());
    let wrong = "definitely-not-the-key";
    let client = Client::connect(&settings(&sandbox, wrong), MemoryBudget::new()).expect("client");
    let error = client.account().version().expect_err("401");
    assert_eq!(error.class(), ErrorClass::Auth);
    assert!(!error.to_string().contains(wrong));
}

#[test]
fn nothing_listening_is_a_transient_connect_error() {
    let sandbox = start(SandboxConfig::for_tests());
    let settings = settings(&sandbox, "k");
    drop(sandbox);
    let client = Client::connect(&settings, MemoryBudget::new())
        .expect("client")
        .with_sleeper(|_| {});
    let error = client.orders().ship("O-1").expect_err("refused");
    assert_eq!(
        (error.class(), error.code()),
        (ErrorClass::Transient, ErrorCode::MiraklTransient)
    );
}
