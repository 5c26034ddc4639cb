//! Ledger import over a scripted transport: Mirakl's TL02 and SBC11 examples parse and are
//! stored, paging follows `next_page_token` until it is absent, re-imports update instead of
//! duplicating, and budget refusals or 429s end the call with a "come back at" time.

mod mirakl_support;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use mirakl_connector::finance::{
    self, import_ledger, month_end_report, Category, FinanceSettings, LedgerRow, IMPORT_CURSOR,
};
use mirakl_connector::mirakl::fake::ScriptedTransport;
use mirakl_connector::mirakl::finance::{BillingCyclePage, TransactionPage};
use mirakl_connector::mirakl::{Client, Response};
use mirakl_connector::store::Store;
use mirakl_support::{config, fixture, scripted_client};
use rust_decimal::Decimal;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("state.db")).expect("store");
    (dir, store)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap()
}

fn tl02_only() -> FinanceSettings {
    FinanceSettings {
        import_documents: false,
        ..FinanceSettings::default()
    }
}

fn dec(text: &str) -> Decimal {
    text.parse().expect("decimal")
}

#[test]
fn tl02_examples_parse_with_every_type_recognised() {
    for name in [
        "TL02_transaction_logs_response.json",
        "TL02_transaction_logs_page1.json",
        "TL02_transaction_logs_page2_last.json",
        "TL02_transaction_logs_single_page.json",
    ] {
        let page: TransactionPage = serde_json::from_str(&fixture(name)).expect(name);
        assert!(!page.data.is_empty(), "{name}");
        for raw in &page.data {
            let row = LedgerRow::from_transaction(raw, now());
            assert_ne!(
                row.category,
                Category::Unknown,
                "{name}: {}",
                row.transaction_type
            );
        }
    }
    let page: TransactionPage =
        serde_json::from_str(&fixture("TL02_transaction_logs_response.json")).unwrap();
    let penalty = page
        .data
        .iter()
        .find(|t| t.transaction_type.as_str() == "SELLER_PENALTY_FEE")
        .unwrap();
    let row = LedgerRow::from_transaction(penalty, now());
    assert_eq!(row.amount, dec("-1"));
    assert_eq!(row.category, Category::Fee);
    assert_eq!(row.description.as_deref(), Some("CANCELLATION_FEE"));
    assert_eq!(
        row.seller_billing_cycle_id.as_deref(),
        Some("da94f4ec-9447-4856-a637-2aad467acdeb")
    );
    let refund = page
        .data
        .iter()
        .find(|t| t.transaction_type.as_str() == "REFUND_ORDER_AMOUNT")
        .unwrap();
    let row = LedgerRow::from_transaction(refund, now());
    assert_eq!(
        (
            row.order_id.as_deref(),
            row.order_line_id.as_deref(),
            row.refund_id.as_deref()
        ),
        (Some("ORDER1-A"), Some("ORDER1-A-1"), Some("REFUND1"))
    );
    assert_eq!(row.period, "2026-07");
}

#[test]
fn billing_cycle_examples_parse() {
    for name in [
        "SBC11_billing_cycles_page1.json",
        "SBC11_billing_cycles_page2_last.json",
        "SBC11_seller_billing_cycles_response.json",
    ] {
        let page: BillingCyclePage = serde_json::from_str(&fixture(name)).expect(name);
        assert!(!page.data.is_empty());
    }
    let page: BillingCyclePage =
        serde_json::from_str(&fixture("SBC11_billing_cycles_page1.json")).unwrap();
    assert_eq!(page.next_page_token.as_deref(), Some("next-page-token-xyz"));
    let cycle = &page.data[0];
    assert_eq!(cycle.amount_transferred_to_seller, Some(dec("4545.2")));
    assert_eq!(
        cycle.pay_out.as_ref().and_then(|p| p.reference.as_deref()),
        Some("bank-ref")
    );
}

#[test]
fn paging_follows_the_token_until_it_is_absent_and_the_cursor_moves_at_the_end() {
    let (_dir, store) = store();
    let transport = Arc::new(ScriptedTransport::new());
    transport
        .respond(200, fixture("TL02_transaction_logs_page1.json"))
        .respond(200, fixture("TL02_transaction_logs_page2_last.json"));
    let (client, _) = scripted_client(Arc::clone(&transport));
    let report = import_ledger(&store, &client, &tl02_only(), now()).expect("import");
    assert_eq!(
        transport.calls(),
        2,
        "no call after the page without a token"
    );
    let requests = transport.requests();
    assert_eq!(requests[0].query_value("page_token"), None);
    assert_eq!(requests[0].query_value("sort"), Some("lastUpdated,ASC"));
    assert_eq!(requests[0].query_value("limit"), Some("2000"));
    assert_eq!(requests[1].query_value("page_token"), Some("next_token"));
    assert_eq!((report.pages, report.inserted, report.updated), (2, 5, 0));
    assert!(report.complete);
    assert_eq!(report.resume_at, None);
    assert_eq!(
        report.cursor,
        Some(Utc.with_ymd_and_hms(2023, 1, 15, 14, 0, 0).unwrap())
    );
    assert!(report.next_import_at.is_some());
    assert!(
        store.cursor(IMPORT_CURSOR).unwrap().is_none(),
        "finance keeps its own cursor table"
    );

    // The next run starts from the cursor (minus the overlap) and updates, never duplicates.
    transport.respond(200, fixture("TL02_transaction_logs_single_page.json"));
    let again = import_ledger(&store, &client, &tl02_only(), now()).expect("re-import");
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 5));
    let from = transport.requests()[2]
        .query_value("last_updated_from")
        .map(str::to_owned);
    assert_eq!(from.as_deref(), Some("2023-01-15T13:50:00.000Z"));

    // Multi-currency is kept apart; the debit-only subscription rows are negative.
    let report = month_end_report(&store, 2023, 1, None).expect("report");
    let eur = report
        .currencies
        .iter()
        .find(|c| c.currency == "EUR")
        .unwrap();
    let usd = report
        .currencies
        .iter()
        .find(|c| c.currency == "USD")
        .unwrap();
    assert_eq!(eur.gross_sales, dec("375.75"));
    assert_eq!(usd.subscriptions, dec("-80.00"));
    assert_eq!(usd.gross_sales, Decimal::ZERO);
}

#[test]
fn a_changed_row_is_updated_in_place() {
    let (_dir, store) = store();
    let transport = Arc::new(ScriptedTransport::new());
    let first = fixture("TL02_transaction_logs_single_page.json");
    let changed = first.replacen("\"PENDING\"", "\"PAYABLE\"", 1);
    transport.respond(200, first).respond(200, changed);
    let (client, _) = scripted_client(Arc::clone(&transport));
    import_ledger(&store, &client, &tl02_only(), now()).unwrap();
    let report = import_ledger(&store, &client, &tl02_only(), now()).unwrap();
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (0, 1, 4)
    );
    let month = month_end_report(&store, 2023, 1, Some("EUR")).unwrap();
    assert_eq!(month.currencies[0].pending, Decimal::ZERO);
    assert_eq!(month.currencies[0].payable, dec("375.75"));
}

#[test]
fn a_429_mid_run_returns_come_back_at_and_the_next_call_resumes_from_the_page_token() {
    let (_dir, store) = store();
    let transport = Arc::new(ScriptedTransport::new());
    transport
        .respond(200, fixture("TL02_transaction_logs_page1.json"))
        .respond_with(
            Response::new(429, "{\"status\":429,\"message\":\"Too many requests\"}")
                .with_header("Retry-After", "600"),
        );
    let (client, _) = scripted_client(Arc::clone(&transport));
    let client = client.with_policy(mirakl_connector::mirakl::RetryPolicy {
        max_attempts: 1,
        ..mirakl_connector::mirakl::RetryPolicy::default()
    });
    let report = import_ledger(&store, &client, &tl02_only(), now()).expect("partial import");
    assert!(!report.complete);
    assert_eq!(report.inserted, 2, "the stored page stays stored");
    assert_eq!(
        report.resume_at,
        Some(now() + chrono::Duration::seconds(600))
    );
    assert_eq!(
        report.cursor, None,
        "the cursor waits for the run's last page"
    );

    transport.respond(200, fixture("TL02_transaction_logs_page2_last.json"));
    let report = import_ledger(&store, &client, &tl02_only(), now()).expect("resumed");
    assert!(report.complete);
    assert_eq!(report.inserted, 3);
    let last = transport.requests().last().cloned().unwrap();
    assert_eq!(last.query_value("page_token"), Some("next_token"));
}

/// A budget that refuses every call until a fixed time.
struct Refusing(DateTime<Utc>);

impl mirakl_connector::mirakl::CallBudget for Refusing {
    fn try_acquire(
        &self,
        _api: &str,
        _limits: &[mirakl_connector::mirakl::Limit],
        _now: DateTime<Utc>,
    ) -> Result<Result<(), DateTime<Utc>>, mirakl_connector::mirakl::budget::BudgetError> {
        Ok(Err(self.0))
    }
}

#[test]
fn a_budget_refusal_sends_nothing_and_says_when_to_come_back() {
    let (_dir, store) = store();
    let transport = Arc::new(ScriptedTransport::new());
    let until = now() + chrono::Duration::minutes(42);
    let client = Client::new(
        &config("https://shop.example.test/api"),
        Arc::clone(&transport),
        Refusing(until),
    );
    // SBC11 is budgeted by the client like every other API code: nothing goes out at all.
    let report =
        import_ledger(&store, &client, &FinanceSettings::default(), now()).expect("refused import");
    assert_eq!(transport.calls(), 0);
    assert_eq!(report.resume_at, Some(until));
    assert!(!report.complete);
    let note = report.documents_note.unwrap_or_default();
    assert!(
        note.contains("IV01 documents deferred") && note.contains("SBC11 billing cycles deferred"),
        "{note}"
    );
}

#[test]
fn documents_and_billing_cycles_are_imported_once_a_day() {
    let (_dir, store) = store();
    let transport = Arc::new(ScriptedTransport::new());
    transport
        .respond(200, fixture("TL02_transaction_logs_response.json"))
        .respond(200, fixture("IV01_invoices_response.json"))
        .respond(200, fixture("SBC11_billing_cycles_page1.json"))
        .respond(200, fixture("SBC11_billing_cycles_page2_last.json"));
    let (client, _) = scripted_client(Arc::clone(&transport));
    let report =
        import_ledger(&store, &client, &FinanceSettings::default(), now()).expect("import");
    assert_eq!(
        (report.inserted, report.documents, report.billing_cycles),
        (5, 3, 2),
        "{report:?}"
    );
    let requests = transport.requests();
    assert_eq!(requests[1].path, "/invoices");
    assert_eq!(requests[2].path, "/seller-billing-cycles");
    assert_eq!(
        requests[3].query_value("page_token"),
        Some("next-page-token-xyz")
    );

    // Later the same day: TL02 again, documents and cycles deferred by their daily budget.
    transport.respond(200, "{\"data\": []}");
    let later = import_ledger(
        &store,
        &client,
        &FinanceSettings::default(),
        now() + chrono::Duration::hours(1),
    )
    .unwrap();
    assert_eq!(transport.calls(), 5);
    assert!(later.complete);
    assert_eq!(requests[2].api, mirakl_connector::mirakl::ApiCode::SBC11);
    let note = later.documents_note.unwrap_or_default();
    assert!(note.contains("IV01") && note.contains("SBC11"), "{note}");
}

#[test]
fn finance_works_on_an_in_memory_store() {
    let store = Store::open_in_memory().unwrap();
    let report = finance::month_end_report(&store, 2025, 2, None).unwrap();
    assert!(report.currencies.is_empty(), "{report:?}");
}

#[test]
fn an_amount_too_large_for_the_ledger_is_a_clear_error_not_a_panic() {
    // 1e25 overflows the ten-thousandths multiply; 9.5e14 passes decoding but not an i64 of
    // ten-thousandths. Each is an error saying so and naming the transaction (the first when
    // the row is decoded on its own), and the next run imports the page.
    for (amount, named) in [
        ("10000000000000000000000000", true),
        ("950000000000000", true),
    ] {
        let (_dir, store) = store();
        let transport = Arc::new(ScriptedTransport::new());
        let page = fixture("TL02_transaction_logs_single_page.json");
        let hostile = page.replacen(
            "\"amount_credited\": 100.50",
            &format!("\"amount_credited\": \"{amount}\""),
            1,
        );
        assert_ne!(hostile, page);
        transport.respond(200, hostile).respond(200, page);
        let (client, _) = scripted_client(Arc::clone(&transport));
        let error = import_ledger(&store, &client, &tl02_only(), now())
            .unwrap_err()
            .to_string();
        assert!(error.contains("out of range"), "{amount}: {error}");
        assert_eq!(error.contains("TXN001"), named, "{amount}: {error}");
        // Nothing was half-written and the store is not left locked.
        let report = import_ledger(&store, &client, &tl02_only(), now()).unwrap();
        assert_eq!(report.inserted, 5, "{amount}");
    }
}

#[test]
fn a_tl02_row_past_the_bounds_names_its_transaction_in_one_problem_healed_by_a_good_page() {
    let (_dir, store) = store();
    let transport = Arc::new(ScriptedTransport::new());
    let good = fixture("TL02_transaction_logs_single_page.json");
    let spoiled = good.replacen("\"amount\": 50.00", "\"amount\": 1e25", 1);
    assert_ne!(good, spoiled);
    transport
        .respond(200, spoiled.clone())
        .respond(200, spoiled)
        .respond(200, good);
    let (client, _) = scripted_client(Arc::clone(&transport));
    let open = |store: &Store| {
        store
            .list_problems(&mirakl_connector::store::ProblemFilter {
                kind: Some("mirakl_response_refused".to_owned()),
                ..mirakl_connector::store::ProblemFilter::open()
            })
            .unwrap()
    };
    for _ in 0..2 {
        let error = import_ledger(&store, &client, &tl02_only(), now()).unwrap_err();
        assert!(error.to_string().contains("TXN002"), "{error}");
    }
    let problems = open(&store);
    assert_eq!(problems.len(), 1, "one open problem, seen twice");
    assert_eq!(problems[0].entity_id, "TL02 unreadable");
    assert!(
        problems[0].message.contains("transaction TXN002") && problems[0].message.contains("10^15"),
        "{}",
        problems[0].message
    );
    let report = import_ledger(&store, &client, &tl02_only(), now()).unwrap();
    assert!(report.complete);
    assert_eq!(report.inserted, 5, "nothing of the refused page was lost");
    assert!(open(&store).is_empty(), "healed once TL02 answers");
}
