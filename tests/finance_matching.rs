//! Matching and payouts on small scripted ledgers: rounding tolerance, unknown transaction
//! types, orders known to the orders map, refund ids from the refunds map, cancellations,
//! payouts whose difference is explained, the import schedule and the commission fee line.

mod mirakl_support;

use mirakl_connector::vocab::ProblemKind;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use mirakl_connector::finance::{
    self, commission_fee_line, import_due, import_ledger, import_status, match_ledger,
    month_end_report, payouts, record_expected_order, CommissionPosting, ExpectedLine,
    ExpectedOrder, ExpectedRefund, FinanceSettings, PayoutFilter,
};
use mirakl_connector::mirakl::fake::ScriptedTransport;
use mirakl_connector::store::{
    OrderMapping, ProblemFilter, ProblemState, RefundRecord, Severity, Store,
};
use mirakl_support::scripted_client;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn dec(text: &str) -> Decimal {
    text.parse().expect("decimal")
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 31, 22, 0, 0).unwrap()
}

struct Ledger {
    rows: Vec<Value>,
}

impl Ledger {
    fn new() -> Ledger {
        Ledger { rows: Vec::new() }
    }

    /// A row on `order` (line `order-1`), signed amount, in May 2026.
    fn order_row(mut self, kind: &str, amount: &str, order: &str, refund: Option<&str>) -> Ledger {
        let mut entities =
            json!({ "order": { "id": order }, "order_line": { "id": format!("{order}-1") } });
        if let Some(refund) = refund {
            entities["refund"] = json!({ "id": refund });
        }
        self.push(kind, amount, "PAYABLE", entities, None);
        self
    }

    fn push(
        &mut self,
        kind: &str,
        amount: &str,
        state: &str,
        entities: Value,
        document: Option<&str>,
    ) {
        let amount = dec(amount);
        let n = self.rows.len();
        let mut row = json!({
            "id": format!("T{n}"),
            "type": kind,
            "amount": amount.to_string(),
            "amount_credited": amount.max(Decimal::ZERO).to_string(),
            "amount_debited": (-amount).max(Decimal::ZERO).to_string(),
            "currency_iso_code": "EUR",
            "date_created": format!("2026-05-{:02}T10:00:00Z", 1 + n % 28),
            "last_updated": format!("2026-05-{:02}T10:00:00Z", 1 + n % 28),
            "payment_state": state,
            "entities": entities,
        });
        if let Some(document) = document {
            row["accounting_document_id"] = json!(document);
            row["accounting_document_number"] = json!(format!("DOC-{document}"));
        }
        self.rows.push(row);
    }

    /// Order A-1: 10.00 + 2.00 tax, shipping 4.90 + 0.98, commission 1.79 + 0.36.
    fn standard_order(self, order: &str) -> Ledger {
        self.order_row("ORDER_AMOUNT", "10.00", order, None)
            .order_row("ORDER_AMOUNT_TAX", "2.00", order, None)
            .order_row("ORDER_SHIPPING_AMOUNT", "4.90", order, None)
            .order_row("ORDER_SHIPPING_AMOUNT_TAX", "0.98", order, None)
            .order_row("COMMISSION_FEE", "-1.79", order, None)
            .order_row("COMMISSION_VAT", "-0.36", order, None)
    }

    fn import(self, store: &Store) -> finance::ImportReport {
        let transport = Arc::new(ScriptedTransport::new());
        transport.respond(200, json!({ "data": self.rows }).to_string());
        let (client, _) = scripted_client(transport);
        let settings = FinanceSettings {
            import_documents: false,
            ..FinanceSettings::default()
        };
        import_ledger(store, &client, &settings, now()).expect("import")
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.db")).unwrap();
    (dir, store)
}

fn shop_order(order: &str, amount: &str) -> ExpectedOrder {
    ExpectedOrder {
        mirakl_order_id: order.to_owned(),
        wc_order_id: Some(41),
        currency: "EUR".to_owned(),
        cancelled: false,
        lines: vec![ExpectedLine {
            mirakl_order_line_id: format!("{order}-1"),
            amount: dec(amount),
            shipping: dec("4.90"),
            tax: dec("2.00"),
            shipping_tax: dec("0.98"),
            commission_fee: dec("1.79"),
            commission_vat: dec("0.36"),
        }],
        refunds: Vec::new(),
        prices_include_tax: false,
        commission_fee_line: Decimal::ZERO,
        cancelations: Vec::new(),
    }
}

fn kinds(report: &finance::MatchReport) -> Vec<&str> {
    report
        .discrepancies
        .iter()
        .map(|d| d.kind.as_str())
        .collect()
}

#[test]
fn differences_within_the_rounding_tolerance_match_and_beyond_it_do_not() {
    let (_dir, store) = store();
    Ledger::new().standard_order("A-1").import(&store);
    let settings = FinanceSettings::default();
    record_expected_order(&store, &shop_order("A-1", "10.01")).unwrap();
    let report = match_ledger(&store, &settings).unwrap();
    assert_eq!(
        (report.orders_matched, report.discrepancies.len()),
        (1, 0),
        "{report:?}"
    );

    record_expected_order(&store, &shop_order("A-1", "10.02")).unwrap();
    let report = match_ledger(&store, &settings).unwrap();
    assert_eq!(
        kinds(&report),
        [ProblemKind::FinanceAmountMismatch.as_str()]
    );
    let details = &report.discrepancies[0].details;
    assert_eq!(details["differences"][0]["figure"], "amount");
    assert_eq!(details["differences"][0]["shop"], "10.02");
    assert_eq!(details["differences"][0]["mirakl"], "10.00");
    assert_eq!(
        details["wc_order_id"],
        Value::Null,
        "the report's copy is the raw one"
    );

    let wider = FinanceSettings {
        rounding_tolerance: dec("0.05"),
        ..FinanceSettings::default()
    };
    let report = match_ledger(&store, &wider).unwrap();
    assert!(report.discrepancies.is_empty());
    assert_eq!(
        report.problems_resolved, 1,
        "the problem closes once the difference is tolerated"
    );
}

#[test]
fn an_unknown_transaction_type_is_kept_counted_and_reported_once_as_a_warning() {
    let (_dir, store) = store();
    let mut ledger = Ledger::new();
    ledger.push(
        "BRAND_NEW_MARKETPLACE_FEE",
        "-3.50",
        "PAYABLE",
        json!({}),
        None,
    );
    ledger.push(
        "BRAND_NEW_MARKETPLACE_FEE",
        "-1.50",
        "PAYABLE",
        json!({}),
        None,
    );
    let import = ledger.import(&store);
    assert_eq!(
        import.unknown_types.get("BRAND_NEW_MARKETPLACE_FEE"),
        Some(&2)
    );
    let month = month_end_report(&store, 2026, 5, None).unwrap();
    assert_eq!(month.currencies[0].other, dec("-5.00"));
    assert_eq!(month.currencies[0].net_revenue, dec("-5.00"));
    for _ in 0..3 {
        match_ledger(&store, &FinanceSettings::default()).unwrap();
    }
    let open = store
        .list_problems(&ProblemFilter {
            kind: Some(
                ProblemKind::FinanceUnknownTransactionType
                    .as_str()
                    .to_owned(),
            ),
            state: Some(ProblemState::Open),
            ..ProblemFilter::default()
        })
        .unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (
            open[0].entity_id.as_str(),
            open[0].severity,
            open[0].occurrences
        ),
        ("BRAND_NEW_MARKETPLACE_FEE", Severity::Warning, 1)
    );
}

#[test]
fn an_order_in_the_orders_map_is_not_unknown_and_one_elsewhere_is() {
    let (_dir, store) = store();
    Ledger::new()
        .standard_order("KNOWN-1")
        .standard_order("STRANGER-1")
        .import(&store);
    store
        .upsert_order(&OrderMapping::new("KNOWN-1", "SHIPPED"))
        .unwrap();
    let report = match_ledger(&store, &FinanceSettings::default()).unwrap();
    assert_eq!(report.orders_without_expected, 1);
    assert_eq!(kinds(&report), [ProblemKind::FinanceUnknownOrder.as_str()]);
    assert_eq!(report.discrepancies[0].entity_id, "STRANGER-1");
    assert!(report.discrepancies[0].hint.contains("Mirakl"));
}

#[test]
fn refund_ids_come_from_the_refunds_map_and_totals_are_compared() {
    let (_dir, store) = store();
    Ledger::new()
        .standard_order("R-1")
        .order_row("REFUND_ORDER_AMOUNT", "-5.00", "R-1", Some("9001"))
        .order_row("REFUND_ORDER_AMOUNT_TAX", "-1.00", "R-1", Some("9001"))
        .order_row("REFUND_COMMISSION_FEE", "0.60", "R-1", Some("9001"))
        .import(&store);
    let mut record = RefundRecord::new(55, "R-1", "sent");
    record.mirakl_refund_ids = vec!["9001".to_owned()];
    store.upsert_refund(&record).unwrap();
    let mut order = shop_order("R-1", "10.00");
    order.refunds.push(ExpectedRefund {
        wc_refund_id: 55,
        mirakl_refund_ids: Vec::new(),
        amount: dec("5.00"),
        shipping: Decimal::ZERO,
        tax: dec("1.00"),
        shipping_tax: Decimal::ZERO,
    });
    record_expected_order(&store, &order).unwrap();
    let report = match_ledger(&store, &FinanceSettings::default()).unwrap();
    assert!(
        report.discrepancies.is_empty(),
        "{:?}",
        report.discrepancies
    );

    // The same refund id with another total: one amount mismatch, not a missing refund.
    order.refunds[0].amount = dec("7.00");
    record_expected_order(&store, &order).unwrap();
    let report = match_ledger(&store, &FinanceSettings::default()).unwrap();
    assert_eq!(
        kinds(&report),
        [ProblemKind::FinanceAmountMismatch.as_str()]
    );
    assert_eq!(
        report.discrepancies[0].details["differences"][0]["figure"],
        "refund total"
    );
}

#[test]
fn an_order_cancelled_in_the_shop_but_still_booked_in_mirakl_is_a_mismatch() {
    let (_dir, store) = store();
    Ledger::new().standard_order("C-1").import(&store);
    let mut order = shop_order("C-1", "10.00");
    order.cancelled = true;
    record_expected_order(&store, &order).unwrap();
    let report = match_ledger(&store, &FinanceSettings::default()).unwrap();
    assert_eq!(
        kinds(&report),
        [ProblemKind::FinanceAmountMismatch.as_str()]
    );
    assert!(
        report.discrepancies[0].message.contains("cancelled"),
        "{}",
        report.discrepancies[0].message
    );
}

#[test]
fn a_payout_that_leaves_a_settled_row_unpaid_is_explained_line_by_line() {
    let (_dir, store) = store();
    let mut ledger = Ledger::new();
    let order = json!({ "order": { "id": "P-1" }, "order_line": { "id": "P-1-1" } });
    ledger.push("ORDER_AMOUNT", "100.00", "PAID", order.clone(), Some("77"));
    ledger.push("COMMISSION_FEE", "-10.00", "PAID", order, Some("77"));
    ledger.push("MANUAL_CREDIT", "15.00", "PAYABLE", json!({}), Some("77"));
    ledger.push("PAYMENT", "-90.00", "PAID", json!({}), Some("77"));
    ledger.import(&store);
    let all = payouts(
        &store,
        &PayoutFilter {
            include_orders: true,
            ..PayoutFilter::default()
        },
    )
    .unwrap();
    assert_eq!(all.len(), 1);
    let payout = &all[0];
    assert_eq!(
        (payout.amount_paid, payout.expected_net, payout.difference),
        (dec("90.00"), dec("105.00"), dec("-15.00"))
    );
    assert!(!payout.reconciled);
    assert_eq!(payout.order_ids, ["P-1"]);
    assert_eq!(payout.accounting_document_number.as_deref(), Some("DOC-77"));
    let lines: Vec<(&str, Decimal)> = payout
        .lines
        .iter()
        .map(|l| (l.line.as_str(), l.amount))
        .collect();
    assert_eq!(
        lines,
        [
            ("commissions", dec("-10.00")),
            ("manual_credits", dec("15.00")),
            ("orders", dec("100.00"))
        ]
    );
    let explanation = payout.explanation.join(" | ");
    assert!(
        explanation.contains("not marked PAID") && explanation.contains("whole difference"),
        "{explanation}"
    );
    assert!(payouts(
        &store,
        &PayoutFilter {
            currency: Some("USD".to_owned()),
            ..PayoutFilter::default()
        }
    )
    .unwrap()
    .is_empty());
    let json = serde_json::to_value(payout).unwrap();
    assert_eq!(json["difference"], "-15.00");
}

#[test]
fn the_import_is_due_nightly_and_after_a_refusal_not_before_its_time() {
    let (_dir, store) = store();
    let settings = FinanceSettings::default();
    assert!(
        import_due(&store, &settings, now()).unwrap(),
        "never imported: due now"
    );
    Ledger::new().standard_order("S-1").import(&store);
    let status = import_status(&store, &settings, now()).unwrap();
    assert_eq!(status.last_complete, Some(now()));
    assert_eq!(status.next_due, now() + Duration::hours(24));
    assert!(!import_due(&store, &settings, now() + Duration::hours(23)).unwrap());
    assert!(import_due(&store, &settings, now() + Duration::hours(24)).unwrap());
    let json = serde_json::to_value(&status).unwrap();
    assert!(json["next_due"].as_str().is_some());

    // A run stopped by a 429 is due again as soon as Retry-After has passed, not a day later.
    let transport = Arc::new(ScriptedTransport::new());
    transport.respond_with(
        mirakl_connector::mirakl::Response::new(429, "{}").with_header("Retry-After", "900"),
    );
    let (client, _) = scripted_client(transport);
    let client = client.with_policy(mirakl_connector::mirakl::RetryPolicy {
        max_attempts: 1,
        ..mirakl_connector::mirakl::RetryPolicy::default()
    });
    let later = now() + Duration::hours(30);
    let refused = import_ledger(
        &store,
        &client,
        &FinanceSettings {
            import_documents: false,
            ..settings.clone()
        },
        later,
    )
    .unwrap();
    assert_eq!(refused.resume_at, Some(later + Duration::seconds(900)));
    assert!(!import_due(&store, &settings, later + Duration::seconds(899)).unwrap());
    assert!(import_due(&store, &settings, later + Duration::seconds(900)).unwrap());
}

#[test]
fn commission_is_a_negative_fee_line_only_when_chosen() {
    let line = mirakl_connector::sync::shop::ShopOrderLine {
        sku: "S".to_owned(),
        quantity: 1,
        price: dec("10.00"),
        unit_price: dec("10.00"),
        tax: dec("2.00"),
        shipping_price: dec("4.90"),
        shipping_tax: dec("0.98"),
        commission_fee: dec("1.79"),
        commission_vat: dec("0.36"),
        commission_total: dec("2.15"),
        mirakl_order_line_id: "X-1".to_owned(),
        discount: Decimal::ZERO,
        additional_fields: Vec::new(),
    };
    assert_eq!(
        commission_fee_line(&FinanceSettings::default(), std::slice::from_ref(&line)),
        None
    );
    let settings = FinanceSettings {
        commission_posting: CommissionPosting::FeeLine,
        ..FinanceSettings::default()
    };
    let fee = commission_fee_line(&settings, &[line.clone(), line]).unwrap();
    assert_eq!(
        (fee.name.as_str(), fee.amount, fee.commission_fee),
        ("Marketplace commission", dec("-4.30"), dec("3.58"))
    );
}
