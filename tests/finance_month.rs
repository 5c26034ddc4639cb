//! A month of marketplace activity in the sandbox (February 2025): orders with one to three
//! lines, partial and full refunds (one covering two lines), a cancellation, a refusal, orders
//! still unshipped at month end, a weekly payout per billing cycle, a manual credit, a
//! subscription fee and a penalty, plus activity on both sides of the month. The ledger is
//! imported over HTTP and every report figure is compared, to the cent, with sums computed here
//! from the sandbox's own state; every payout reconciles to zero; injected discrepancies are each
//! reported exactly once across repeated matching runs.

use mirakl_connector::vocab::ProblemKind;
use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use mirakl_connector::finance::{
    self, import_ledger, ledger_csv, match_ledger, month_end_report, payouts,
    record_expected_order, report_csv, ExpectedLine, ExpectedOrder, ExpectedRefund,
    FinanceSettings, PayoutFilter,
};
use mirakl_connector::mirakl::{Client, ClientConfig, HttpTransport, MemoryBudget};
use mirakl_connector::store::{ProblemFilter, ProblemState, Store};
use mirakl_sandbox::model::TaxMode;
use mirakl_sandbox::state::{LineDecision, RefundRequest};
use mirakl_sandbox::{NewLine, NewOrder, RunningSandbox, Sandbox, SandboxConfig};
use rust_decimal::Decimal;

const KEY: &str = "finance-month-key";

fn dec(text: &str) -> Decimal {
    text.parse().expect("decimal")
}

fn utc(month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, month, day, hour, 0, 0).unwrap()
}

/// Moves the sandbox clock forward to `at`.
fn at(sandbox: &RunningSandbox, when: DateTime<Utc>) {
    let now = sandbox.with_state(|s| s.now());
    assert!(when >= now, "the clock only moves forward: {now} → {when}");
    sandbox.advance_clock((when - now).num_seconds());
}

fn order(sandbox: &RunningSandbox, id: &str, lines: &[(&str, i64)]) -> String {
    let lines = lines
        .iter()
        .map(|(sku, quantity)| NewLine {
            offer_sku: (*sku).to_owned(),
            quantity: *quantity,
            price: None,
            shipping_price: None,
        })
        .collect();
    sandbox
        .create_order(NewOrder {
            order_id: Some(id.to_owned()),
            lines,
            ..NewOrder::default()
        })
        .expect("order")
}

fn accept(sandbox: &RunningSandbox, id: &str) {
    sandbox.with_state(|s| {
        let decisions: Vec<LineDecision> = s
            .order(id)
            .expect("order")
            .lines
            .iter()
            .map(|l| LineDecision {
                id: l.order_line_id.clone(),
                accepted: true,
            })
            .collect();
        s.accept_order(id, &decisions).expect("accept");
    });
}

fn ship(sandbox: &RunningSandbox, id: &str) {
    sandbox.with_state(|s| s.ship(id)).expect("ship");
}

/// Refunds `(line number, amount, shipping)` of an order in one OR28 call; returns the refund ids.
fn refund(sandbox: &RunningSandbox, id: &str, lines: &[(usize, Decimal, Decimal)]) -> Vec<String> {
    sandbox.with_state(|s| {
        let requests: Vec<RefundRequest> = lines
            .iter()
            .map(|(n, amount, shipping)| RefundRequest {
                order_line_id: format!("{id}-{n}"),
                amount: *amount,
                shipping_amount: *shipping,
                quantity: 0,
                reason_code: "15".to_owned(),
                taxes: None,
                shipping_taxes: None,
                currency_iso_code: None,
            })
            .collect();
        s.refund(&requests, TaxMode::Included)
            .expect("refund")
            .into_iter()
            .map(|(_, r)| r.id)
            .collect()
    })
}

struct Month {
    sandbox: RunningSandbox,
    /// The sandbox's running balance at the end of February.
    balance_at_february_end: Decimal,
    /// Mirakl refund ids refunded together in one WooCommerce refund.
    grouped_refund: (String, Vec<String>),
    unknown_order: String,
}

fn generate_month() -> Month {
    let config = SandboxConfig {
        start_time: Some(utc(1, 31, 9)),
        ..SandboxConfig::for_tests().api_key(KEY)
    };
    let sandbox = Sandbox::start(config).expect("sandbox");
    for (sku, price) in [("SKU-A", "60.00"), ("SKU-B", "25.50"), ("SKU-C", "9.99")] {
        sandbox.add_offer(sku, dec(price), 10_000).expect("offer");
    }
    // January: one order, shipped, paid out in February (the opening balance).
    at(&sandbox, utc(1, 31, 12));
    order(&sandbox, "JAN-1", &[("SKU-A", 1), ("SKU-C", 2)]);
    accept(&sandbox, "JAN-1");
    sandbox.debit("JAN-1").expect("debit");
    ship(&sandbox, "JAN-1");

    at(&sandbox, utc(2, 1, 0) + chrono::Duration::minutes(30));
    sandbox
        .add_account_transaction("SUBSCRIPTION_FEE", dec("39.90"))
        .expect("subscription");
    let mut grouped_refund = (String::new(), Vec::new());
    let mut unknown_order = String::new();
    for day in 1..=27u32 {
        at(&sandbox, utc(2, day, 10));
        let id = format!("FEB-{day:02}");
        let mut lines = vec![("SKU-A", 1 + i64::from(day % 2))];
        if day % 3 == 0 {
            lines.push(("SKU-B", 2));
        }
        if day % 4 == 0 {
            lines.push(("SKU-C", 3));
        }
        order(&sandbox, &id, &lines);
        if day == 5 {
            sandbox.expire_acceptance(Some(&id)).expect("refused");
            continue;
        }
        accept(&sandbox, &id);
        if day == 20 {
            continue; // accepted, never debited: nothing booked yet
        }
        sandbox.debit(&id).expect("debit");
        if day == 7 {
            at(&sandbox, utc(2, day, 11));
            sandbox.with_state(|s| s.cancel_order(&id)).expect("cancel");
            continue;
        }
        at(&sandbox, utc(2, day, 16));
        if day % 5 != 4 {
            ship(&sandbox, &id);
        }
        at(&sandbox, utc(2, day, 18));
        match day {
            3 => {
                refund(&sandbox, &id, &[(1, dec("10.00"), Decimal::ZERO)]);
            }
            6 => {
                // The whole line: 60.00 and its shipping 4.90.
                refund(&sandbox, &id, &[(1, dec("60.00"), dec("4.90"))]);
            }
            9 => {
                refund(&sandbox, &id, &[(1, dec("15.00"), Decimal::ZERO)]); // still SHIPPING: pending
            }
            12 => {
                let ids = refund(
                    &sandbox,
                    &id,
                    &[
                        (1, dec("20.00"), Decimal::ZERO),
                        (2, dec("25.50"), dec("4.90")),
                    ],
                );
                grouped_refund = (id.clone(), ids);
            }
            14 => {
                unknown_order = "ELSEWHERE-1".to_owned();
                order(&sandbox, &unknown_order, &[("SKU-B", 1)]);
                accept(&sandbox, &unknown_order);
                sandbox.debit(&unknown_order).expect("debit");
                ship(&sandbox, &unknown_order);
            }
            _ => {}
        }
        match day {
            8 | 15 | 22 => {
                at(&sandbox, utc(2, day, 23));
                sandbox.payout().expect("payout");
            }
            10 => {
                at(&sandbox, utc(2, day, 20));
                sandbox
                    .add_account_transaction("MANUAL_CREDIT", dec("25.00"))
                    .expect("manual credit");
            }
            18 => {
                at(&sandbox, utc(2, day, 20));
                sandbox
                    .add_account_transaction("SELLER_PENALTY_FEE", dec("5.00"))
                    .expect("penalty");
            }
            _ => {}
        }
    }
    at(&sandbox, utc(2, 28, 23) + chrono::Duration::minutes(59));
    let balance_at_february_end = sandbox.with_state(|s| s.balance);
    // March: the month's last payout, then new business.
    at(&sandbox, utc(3, 1, 6));
    sandbox.payout().expect("payout");
    at(&sandbox, utc(3, 2, 10));
    order(&sandbox, "MAR-1", &[("SKU-A", 1)]);
    accept(&sandbox, "MAR-1");
    sandbox.debit("MAR-1").expect("debit");
    ship(&sandbox, "MAR-1");
    Month {
        sandbox,
        balance_at_february_end,
        grouped_refund,
        unknown_order,
    }
}

/// What WooCommerce would say about each sandbox order (all but the unknown one).
fn expected_orders(month: &Month) -> Vec<ExpectedOrder> {
    month.sandbox.with_state(|s| {
        let mut wc_refund_id = 9000;
        s.orders
            .iter()
            .filter(|o| o.order_id != month.unknown_order)
            .enumerate()
            .map(|(n, o)| {
                let lines = o
                    .lines
                    .iter()
                    .map(|l| {
                        let a = s.line_amounts(l);
                        ExpectedLine {
                            mirakl_order_line_id: l.order_line_id.clone(),
                            amount: a.price_included - a.price_tax,
                            shipping: a.shipping_included - a.shipping_tax,
                            tax: a.price_tax,
                            shipping_tax: a.shipping_tax,
                            commission_fee: a.commission_fee,
                            commission_vat: a.commission_vat,
                        }
                    })
                    .collect();
                let mut refunds: Vec<ExpectedRefund> = Vec::new();
                for line in &o.lines {
                    for r in &line.refunds {
                        let grouped = month.grouped_refund.1.contains(&r.id);
                        if grouped && refunds.iter().any(|e| e.mirakl_refund_ids.contains(&r.id)) {
                            continue;
                        }
                        wc_refund_id += 1;
                        let members: Vec<&mirakl_sandbox::model::Refund> = o
                            .lines
                            .iter()
                            .flat_map(|l| l.refunds.iter())
                            .filter(|x| {
                                if grouped {
                                    month.grouped_refund.1.contains(&x.id)
                                } else {
                                    x.id == r.id
                                }
                            })
                            .collect();
                        let sum = |f: fn(&mirakl_sandbox::model::Refund) -> Decimal| {
                            members.iter().map(|m| f(m)).sum::<Decimal>()
                        };
                        refunds.push(ExpectedRefund {
                            wc_refund_id,
                            // Some refunds name their Mirakl ids, others are found by amount.
                            mirakl_refund_ids: if grouped || wc_refund_id % 2 == 0 {
                                members.iter().map(|m| m.id.clone()).collect()
                            } else {
                                Vec::new()
                            },
                            amount: sum(|m| m.amount_included - m.amount_tax),
                            shipping: sum(|m| m.shipping_included - m.shipping_tax),
                            tax: sum(|m| m.amount_tax),
                            shipping_tax: sum(|m| m.shipping_tax),
                        });
                    }
                }
                ExpectedOrder {
                    mirakl_order_id: o.order_id.clone(),
                    wc_order_id: Some(100 + n as i64),
                    currency: o.currency_iso_code.clone(),
                    cancelled: matches!(o.state.as_str(), "CANCELED" | "REFUSED"),
                    lines,
                    refunds,
                    prices_include_tax: false,
                    commission_fee_line: Decimal::ZERO,
                    cancelations: Vec::new(),
                }
            })
            .collect()
    })
}

/// Sums of the sandbox's own transaction log (not TL02) for February, by type, live rows only.
fn february_sums(month: &Month) -> (BTreeMap<String, Decimal>, usize, Decimal, Decimal, Decimal) {
    month.sandbox.with_state(|s| {
        let (from, to) = (utc(2, 1, 0), utc(3, 1, 0));
        let mut by_type: BTreeMap<String, Decimal> = BTreeMap::new();
        let mut count = 0;
        let mut voided_sales = Decimal::ZERO;
        let mut opening = Decimal::ZERO;
        let mut pending = Decimal::ZERO;
        for t in &s.transactions {
            let live = t.payment_state != "NOT_APPLICABLE";
            if t.date_created < from && live {
                opening += t.amount;
            }
            if t.date_created < to && live && t.payment_state == "PENDING" {
                pending += t.amount;
            }
            if t.date_created < from || t.date_created >= to {
                continue;
            }
            count += 1;
            if live {
                *by_type.entry(t.transaction_type.clone()).or_default() += t.amount;
            } else if t.transaction_type.starts_with("ORDER_") {
                voided_sales += t.amount;
            }
        }
        (by_type, count, voided_sales, opening, pending)
    })
}

fn client(sandbox: &RunningSandbox) -> Client<HttpTransport, MemoryBudget> {
    let config = ClientConfig::new(sandbox.base_url().parse().expect("url"), KEY).development();
    Client::connect(&config, MemoryBudget::new()).expect("client")
}

fn open_finance_problems(store: &Store) -> Vec<(String, String, u32)> {
    let mut all: Vec<(String, String, u32)> = store
        .list_problems(&ProblemFilter {
            state: Some(ProblemState::Open),
            limit: 1000,
            ..ProblemFilter::default()
        })
        .unwrap()
        .into_iter()
        .filter(|e| e.kind.starts_with("finance_"))
        .map(|e| (e.kind, e.entity_id, e.occurrences))
        .collect();
    all.sort();
    all
}

#[test]
fn a_month_of_activity_reconciles_to_the_cent() {
    let month = generate_month();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.db")).unwrap();
    let client = client(&month.sandbox);
    let settings = FinanceSettings {
        import_page_size: 100,
        ..FinanceSettings::default()
    };
    let now = month.sandbox.with_state(|s| s.now());
    let import = import_ledger(&store, &client, &settings, now).expect("import");
    let total_rows = month.sandbox.with_state(|s| s.transactions.len()) as u64;
    assert!(import.complete, "{import:?}");
    assert_eq!(import.inserted, total_rows);
    assert!(import.pages >= 3, "several pages: {import:?}");
    assert_eq!(
        (import.documents, import.billing_cycles),
        (4, 4),
        "{import:?}"
    );
    assert!(import.unknown_types.is_empty());
    let again = import_ledger(&store, &client, &settings, now).expect("re-import");
    assert_eq!(again.inserted, 0, "re-importing never duplicates");

    // The month-end report, figure by figure.
    let report = month_end_report(&store, 2025, 2, None).expect("report");
    assert_eq!(report.currencies.len(), 1);
    let eur = &report.currencies[0];
    assert_eq!(eur.currency, "EUR");
    let (by_type, count, voided_sales, opening, pending) = february_sums(&month);
    let sum = |types: &[&str]| {
        types
            .iter()
            .map(|t| by_type.get(*t).copied().unwrap_or_default())
            .sum::<Decimal>()
    };
    assert_eq!(eur.gross_sales, sum(&["ORDER_AMOUNT"]));
    assert_eq!(eur.shipping, sum(&["ORDER_SHIPPING_AMOUNT"]));
    assert_eq!(
        eur.taxes,
        sum(&["ORDER_AMOUNT_TAX", "ORDER_SHIPPING_AMOUNT_TAX"])
    );
    assert_eq!(
        eur.refunds,
        sum(&["REFUND_ORDER_AMOUNT", "REFUND_ORDER_SHIPPING_AMOUNT"])
    );
    assert_eq!(
        eur.refund_taxes,
        sum(&[
            "REFUND_ORDER_AMOUNT_TAX",
            "REFUND_ORDER_SHIPPING_AMOUNT_TAX"
        ])
    );
    assert_eq!(
        eur.commissions,
        sum(&["COMMISSION_FEE", "REFUND_COMMISSION_FEE"])
    );
    assert_eq!(
        eur.commission_vat,
        sum(&["COMMISSION_VAT", "REFUND_COMMISSION_VAT"])
    );
    assert_eq!(eur.fees, dec("-5.00"));
    assert_eq!(eur.subscriptions, dec("-39.90"));
    assert_eq!(eur.manual_credits, dec("25.00"));
    assert_eq!(eur.payouts_received, -sum(&["PAYMENT"]));
    let all_but_payments: Decimal = by_type
        .iter()
        .filter(|(t, _)| *t != "PAYMENT")
        .map(|(_, a)| *a)
        .sum();
    assert_eq!(eur.net_revenue, all_but_payments);
    assert_eq!(eur.opening_balance, opening);
    assert!(
        opening > Decimal::ZERO,
        "January's order was still owed on February 1st"
    );
    assert_eq!(eur.balance_owed, month.balance_at_february_end);
    assert_eq!(eur.pending, pending);
    assert_eq!(eur.cancelled_sales, voided_sales);
    assert!(voided_sales > Decimal::ZERO);
    assert_eq!(eur.transactions as usize + voided_rows(&month), count);
    assert_eq!(eur.payouts, 3);
    assert!(eur.refunds < Decimal::ZERO && eur.commissions < Decimal::ZERO);

    // Gross sales again, from the orders themselves: every line debited in February and not
    // cancelled, price without tax.
    let from_orders: Decimal = month.sandbox.with_state(|s| {
        s.orders
            .iter()
            .filter(|o| {
                o.customer_debited_date
                    .is_some_and(|d| d >= utc(2, 1, 0) && d < utc(3, 1, 0))
            })
            .filter(|o| o.state != "CANCELED")
            .flat_map(|o| o.lines.iter())
            .map(|l| {
                let a = s.line_amounts(l);
                a.price_included - a.price_tax
            })
            .sum()
    });
    assert_eq!(eur.gross_sales, from_orders);

    // Drill-down: one row per order with February transactions.
    assert!(report
        .orders
        .iter()
        .any(|o| o.mirakl_order_id == "FEB-03" && o.refunds < Decimal::ZERO));
    assert!(!report
        .orders
        .iter()
        .any(|o| o.mirakl_order_id == "MAR-1" || o.mirakl_order_id == "FEB-20"));
    let drilled: Decimal = report.orders.iter().map(|o| o.sales).sum();
    assert_eq!(drilled, eur.gross_sales);
    let summary = finance::month_end_summary(&store, 2025, 2, Some("EUR")).unwrap();
    assert!(summary.orders.is_empty());
    assert_eq!(summary.currencies, report.currencies);

    // Every payout reconciles to zero and agrees with Mirakl's documents.
    let reconciled = payouts(&store, &PayoutFilter::default()).expect("payouts");
    let invoices = month.sandbox.with_state(|s| s.invoices.clone());
    assert_eq!(reconciled.len(), 4);
    for (payout, invoice) in reconciled.iter().zip(&invoices) {
        assert!(payout.reconciled, "{payout:?}");
        assert_eq!(payout.difference, Decimal::ZERO);
        assert_eq!(payout.amount_paid, invoice.amount_transferred);
        assert_eq!(payout.expected_net, invoice.amount_transferred);
        assert_eq!(
            payout.document_amount_transferred,
            Some(invoice.amount_transferred)
        );
        assert_eq!(
            payout.billing_cycle_amount_transferred,
            Some(invoice.amount_transferred)
        );
        assert_eq!(
            payout.payout_reference.as_deref(),
            Some(invoice.payment_reference.as_str())
        );
        assert!(payout.explanation.is_empty(), "{payout:?}");
    }
    let first = &reconciled[0];
    assert!(first
        .lines
        .iter()
        .any(|l| l.line == "subscriptions" && l.amount == dec("-39.90")));
    assert!(reconciled[1]
        .lines
        .iter()
        .any(|l| l.line == "manual_credits" && l.amount == dec("25.00")));
    let february = payouts(
        &store,
        &PayoutFilter {
            from: Some(utc(2, 1, 0)),
            to: Some(utc(3, 1, 0)),
            include_orders: true,
            ..PayoutFilter::default()
        },
    )
    .unwrap();
    assert_eq!(february.len(), 3);
    assert!(february[0].order_ids.contains(&"JAN-1".to_owned()));

    // CSV: the summary ties to the report, the ledger to Mirakl's log.
    let summary = report_csv(&report).unwrap();
    let mut reader = csv::Reader::from_reader(summary.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let column = |name: &str| {
        row.get(headers.iter().position(|h| h == name).unwrap())
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        column("gross_sales").parse::<Decimal>().unwrap(),
        eur.gross_sales
    );
    assert_eq!(
        column("balance_owed").parse::<Decimal>().unwrap(),
        eur.balance_owed
    );
    let ledger = ledger_csv(&store, 2025, 2).unwrap();
    let mut reader = csv::Reader::from_reader(ledger.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        &headers.iter().take(3).collect::<Vec<_>>(),
        &["date", "document_number", "payout_reference"]
    );
    let mut rows = 0;
    let mut net = Decimal::ZERO;
    for record in reader.records() {
        let record = record.unwrap();
        rows += 1;
        let debit = record.get(11).unwrap();
        let credit = record.get(12).unwrap();
        assert!(debit.is_empty() != credit.is_empty(), "{record:?}");
        if record.get(14) != Some("NOT_APPLICABLE") {
            net += credit.parse::<Decimal>().unwrap_or_default()
                - debit.parse::<Decimal>().unwrap_or_default();
        }
    }
    assert_eq!(rows, count);
    assert_eq!(net, all_but_payments + sum(&["PAYMENT"]));
    let with_accounts = finance::ledger_csv_with_accounts(
        &store,
        2025,
        2,
        &FinanceSettings {
            commission_account: "6221".to_owned(),
            ..FinanceSettings::default()
        },
    )
    .unwrap();
    let mut reader = csv::Reader::from_reader(with_accounts.as_bytes());
    for record in reader.records() {
        let record = record.unwrap();
        let commission = record.get(8).is_some_and(|t| t.contains("COMMISSION"));
        assert_eq!(record.get(16) == Some("6221"), commission, "{record:?}");
    }

    // Matching: clean apart from the order the shop never had.
    for expected in expected_orders(&month) {
        record_expected_order(&store, &expected).unwrap();
    }
    let matched = match_ledger(&store, &settings).expect("match");
    let kinds: Vec<(&str, &str)> = matched
        .discrepancies
        .iter()
        .map(|d| (d.kind.as_str(), d.entity_id.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [(
            ProblemKind::FinanceUnknownOrder.as_str(),
            month.unknown_order.as_str()
        )]
    );
    assert_eq!(matched.orders_awaiting, 1, "FEB-20 was never debited");
    assert!(matched.orders_matched >= 25, "{matched:?}");
    let report = month_end_report(&store, 2025, 2, None).unwrap();
    let statuses: BTreeMap<&str, &str> = report
        .orders
        .iter()
        .map(|o| (o.mirakl_order_id.as_str(), o.status.as_str()))
        .collect();
    assert_eq!(statuses.get("FEB-12"), Some(&"matched"));
    assert_eq!(
        statuses.get(month.unknown_order.as_str()),
        Some(&"unknown_order")
    );

    // Injected discrepancies.
    let mut orders = expected_orders(&month);
    let find = |orders: &mut Vec<ExpectedOrder>, id: &str| {
        orders.iter().position(|o| o.mirakl_order_id == id).unwrap()
    };
    let i = find(&mut orders, "FEB-06");
    let dropped = orders[i].refunds.remove(0); // Mirakl refunded, WooCommerce has no refund
    let i = find(&mut orders, "FEB-02");
    orders[i].lines[0].commission_fee += dec("0.50"); // the commission seen at order time differs
    let i = find(&mut orders, "FEB-10");
    orders[i].refunds.push(ExpectedRefund {
        wc_refund_id: 777,
        mirakl_refund_ids: Vec::new(),
        amount: dec("8.00"),
        shipping: Decimal::ZERO,
        tax: dec("1.60"),
        shipping_tax: Decimal::ZERO,
    }); // refunded in WooCommerce, never sent to Mirakl
    let i = find(&mut orders, "FEB-11");
    orders[i].lines[0].shipping += dec("1.00"); // shop shipping differs
    for expected in &orders {
        record_expected_order(&store, expected).unwrap();
    }
    let expected_open = {
        let mut list = vec![
            (
                ProblemKind::FinanceAmountMismatch.as_str().to_owned(),
                "FEB-11".to_owned(),
                1,
            ),
            (
                ProblemKind::FinanceCommissionMismatch.as_str().to_owned(),
                "FEB-02".to_owned(),
                1,
            ),
            (
                ProblemKind::FinanceRefundMissingInMirakl
                    .as_str()
                    .to_owned(),
                "777".to_owned(),
                1,
            ),
            (
                ProblemKind::FinanceRefundMissingInShop.as_str().to_owned(),
                format!(
                    "FEB-06:{}",
                    month
                        .sandbox
                        .with_state(|s| s.order("FEB-06").unwrap().lines[0].refunds[0].id.clone())
                ),
                1,
            ),
            (
                ProblemKind::FinanceUnknownOrder.as_str().to_owned(),
                month.unknown_order.clone(),
                1,
            ),
        ];
        list.sort();
        list
    };
    for run in 0..3 {
        let matched = match_ledger(&store, &settings).expect("match");
        assert_eq!(
            matched.discrepancies.len(),
            5,
            "run {run}: {:?}",
            matched.discrepancies
        );
        assert_eq!(
            matched.problems_raised,
            if run == 0 { 4 } else { 0 },
            "run {run}"
        );
        assert_eq!(open_finance_problems(&store), expected_open, "run {run}");
    }
    let hints = store
        .list_problems(&ProblemFilter {
            kind: Some(ProblemKind::FinanceRefundMissingInShop.as_str().to_owned()),
            ..ProblemFilter::default()
        })
        .unwrap();
    assert!(hints[0]
        .hint
        .as_deref()
        .is_some_and(|h| h.contains("WooCommerce")));
    assert!(hints[0].message.contains("FEB-06"));

    // Fixing the shop side closes the problem on the next run.
    let i = find(&mut orders, "FEB-06");
    orders[i].refunds.push(dropped);
    record_expected_order(&store, &orders[i]).unwrap();
    let matched = match_ledger(&store, &settings).unwrap();
    assert_eq!(matched.problems_resolved, 1);
    assert_eq!(open_finance_problems(&store).len(), 4);
}

/// February rows voided by the cancellation (counted by the report apart from `transactions`).
fn voided_rows(month: &Month) -> usize {
    month.sandbox.with_state(|s| {
        s.transactions
            .iter()
            .filter(|t| {
                t.payment_state == "NOT_APPLICABLE"
                    && t.date_created >= utc(2, 1, 0)
                    && t.date_created < utc(3, 1, 0)
            })
            .count()
    })
}

#[test]
fn tl02_s_budget_stops_a_long_import_which_resumes_where_it_stopped() {
    let config = SandboxConfig {
        start_time: Some(utc(4, 1, 9)),
        ..SandboxConfig::for_tests().api_key(KEY)
    };
    let sandbox = Sandbox::start(config).expect("sandbox");
    sandbox.add_offer("SKU-A", dec("60.00"), 100).unwrap();
    for n in 0..5 {
        let id = format!("APR-{n}");
        order(&sandbox, &id, &[("SKU-A", 1)]);
        accept(&sandbox, &id);
        sandbox.debit(&id).unwrap();
    }
    let rows = sandbox.with_state(|s| s.transactions.len());
    assert_eq!(rows, 30);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.db")).unwrap();
    let settings = FinanceSettings {
        import_page_size: 1,
        import_documents: false,
        ..FinanceSettings::default()
    };
    let now = sandbox.with_state(|s| s.now());
    // 20 TL02 calls a minute: the 21st page is refused before it is sent.
    let first = import_ledger(&store, &client(&sandbox), &settings, now).unwrap();
    assert_eq!(
        (first.pages, first.inserted, first.complete),
        (20, 20, false)
    );
    let resume_at = first.resume_at.expect("come back at");
    assert!(
        resume_at > Utc::now() && resume_at <= Utc::now() + chrono::Duration::seconds(61),
        "{resume_at}"
    );
    // Later (a fresh budget stands for the minute having passed): the run continues from its
    // page token and the cursor moves only now.
    let second = import_ledger(&store, &client(&sandbox), &settings, now).unwrap();
    assert!(second.complete, "{second:?}");
    assert_eq!((second.pages, second.inserted), (10, 10));
    let report = month_end_report(&store, 2025, 4, None).unwrap();
    assert_eq!(report.currencies[0].gross_sales, dec("250.00"));
}

#[test]
fn a_second_currency_is_reported_and_paid_out_apart() {
    let config = SandboxConfig {
        start_time: Some(utc(6, 2, 9)),
        ..SandboxConfig::for_tests().api_key(KEY)
    };
    let sandbox = Sandbox::start(config).expect("sandbox");
    sandbox.add_offer("SKU-A", dec("60.00"), 100).unwrap();
    sandbox.add_offer("SKU-G", dec("41.99"), 100).unwrap();
    for (n, (currency, sku)) in [
        ("EUR", "SKU-A"),
        ("GBP", "SKU-G"),
        ("EUR", "SKU-A"),
        ("GBP", "SKU-G"),
    ]
    .iter()
    .enumerate()
    {
        at(&sandbox, utc(6, 2 + n as u32, 10));
        let id = format!("JUN-{n}");
        sandbox
            .create_order(NewOrder {
                order_id: Some(id.clone()),
                currency_iso_code: Some((*currency).to_owned()),
                lines: vec![NewLine {
                    offer_sku: (*sku).to_owned(),
                    quantity: 2,
                    price: None,
                    shipping_price: None,
                }],
                ..NewOrder::default()
            })
            .unwrap();
        accept(&sandbox, &id);
        sandbox.debit(&id).unwrap();
        ship(&sandbox, &id);
    }
    at(&sandbox, utc(6, 8, 10));
    refund(&sandbox, "JUN-1", &[(1, dec("20.00"), Decimal::ZERO)]);
    at(&sandbox, utc(6, 9, 23));
    let invoices = sandbox.with_state(|s| s.payout_all());
    assert_eq!(invoices.len(), 2, "one payout per currency");
    at(&sandbox, utc(6, 12, 10));
    order(&sandbox, "JUN-LATE", &[("SKU-A", 1)]);
    accept(&sandbox, "JUN-LATE");
    sandbox.debit("JUN-LATE").unwrap(); // pending at month end

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.db")).unwrap();
    let now = sandbox.with_state(|s| s.now());
    import_ledger(&store, &client(&sandbox), &FinanceSettings::default(), now).expect("import");
    let report = month_end_report(&store, 2025, 6, None).unwrap();
    let codes: Vec<&str> = report
        .currencies
        .iter()
        .map(|c| c.currency.as_str())
        .collect();
    assert_eq!(codes, ["EUR", "GBP"]);
    for figures in &report.currencies {
        let (by_type, balance, pending) = sandbox.with_state(|s| {
            let mut by_type: BTreeMap<String, Decimal> = BTreeMap::new();
            let (mut balance, mut pending) = (Decimal::ZERO, Decimal::ZERO);
            for t in s
                .transactions
                .iter()
                .filter(|t| t.currency_iso_code == figures.currency)
            {
                *by_type.entry(t.transaction_type.clone()).or_default() += t.amount;
                balance += t.amount;
                if t.payment_state == "PENDING" {
                    pending += t.amount;
                }
            }
            (by_type, balance, pending)
        });
        let sum = |types: &[&str]| {
            types
                .iter()
                .map(|t| by_type.get(*t).copied().unwrap_or_default())
                .sum::<Decimal>()
        };
        assert_eq!(
            figures.gross_sales,
            sum(&["ORDER_AMOUNT"]),
            "{}",
            figures.currency
        );
        assert_eq!(
            figures.refunds,
            sum(&["REFUND_ORDER_AMOUNT", "REFUND_ORDER_SHIPPING_AMOUNT"])
        );
        assert_eq!(
            figures.commissions,
            sum(&["COMMISSION_FEE", "REFUND_COMMISSION_FEE"])
        );
        assert_eq!(figures.payouts_received, -sum(&["PAYMENT"]));
        assert_eq!(figures.balance_owed, balance);
        assert_eq!(figures.pending, pending);
        assert_eq!(figures.payouts, 1);
    }
    let gbp = &report.currencies[1];
    assert_eq!(
        gbp.balance_owed,
        Decimal::ZERO,
        "everything in GBP was paid out"
    );
    assert!(
        report.currencies[0].balance_owed > Decimal::ZERO,
        "JUN-LATE is still owed in EUR"
    );

    let reconciled = payouts(&store, &PayoutFilter::default()).unwrap();
    assert_eq!(reconciled.len(), 2);
    for payout in &reconciled {
        let invoice = invoices
            .iter()
            .find(|i| Some(i.invoice_id.to_string()) == payout.accounting_document_id)
            .expect("the payout's document");
        assert_eq!(payout.currency, invoice.currency_iso_code);
        assert!(payout.reconciled, "{payout:?}");
        assert_eq!(payout.amount_paid, invoice.amount_transferred);
    }
    let gbp_only = payouts(
        &store,
        &PayoutFilter {
            currency: Some("GBP".to_owned()),
            ..PayoutFilter::default()
        },
    )
    .unwrap();
    assert_eq!(gbp_only.len(), 1);

    let month = Month {
        sandbox,
        balance_at_february_end: Decimal::ZERO,
        grouped_refund: (String::new(), Vec::new()),
        unknown_order: String::new(),
    };
    for expected in expected_orders(&month) {
        record_expected_order(&store, &expected).unwrap();
    }
    let matched = match_ledger(&store, &FinanceSettings::default()).unwrap();
    assert!(
        matched.discrepancies.is_empty(),
        "{:?}",
        matched.discrepancies
    );
    assert_eq!(matched.orders_matched, 5);
}
