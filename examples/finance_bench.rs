//! Finance benchmark: import and match 200,000 TL02 transactions for 20,000 orders in one month
//! (plus four weekly PAYMENT rows), then reconcile the payouts and build that month's report and
//! CSV exports. Prints timings and peak memory.
//!
//! `cargo run --release --example finance_bench [-- ORDERS]`
//!
//! TL02 pages (2,000 rows each) are generated on demand by an in-process transport, so the
//! figures cover parsing, storing, matching and reporting, not the network. The call budget is
//! unlimited here: on a real instance TL02's 60 calls an hour spread a first import of 100 pages
//! over two hours (the import returns "come back at" and resumes from its page token).

use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use mirakl_connector::finance::{
    import_ledger, ledger_csv, match_ledger, month_end_report, payouts, record_expected_orders,
    report_csv, ExpectedLine, ExpectedOrder, ExpectedRefund, FinanceSettings, PayoutFilter,
};
use mirakl_connector::mirakl::budget::BudgetError;
use mirakl_connector::mirakl::{
    CallBudget, Client, ClientConfig, Limit, Request, Response, Transport, TransportError,
};
use mirakl_connector::store::Store;
use rust_decimal::Decimal;
use serde_json::{json, Value};

const ROWS_PER_ORDER: usize = 10;
const PAGE: usize = 2000;

/// No call budget: the benchmark measures the connector, not Mirakl's allowance.
struct Unlimited;

impl CallBudget for Unlimited {
    fn try_acquire(
        &self,
        _: &str,
        _: &[Limit],
        _: DateTime<Utc>,
    ) -> Result<Result<(), DateTime<Utc>>, BudgetError> {
        Ok(Ok(()))
    }
}

fn month_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

fn money(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// The amounts of order `n` (one line, a partial refund): price, tax, shipping, shipping tax,
/// commission, commission VAT, refund, refund tax, refunded commission, its VAT (cents).
fn amounts(n: usize) -> [i64; 10] {
    let price = 1000 + (n as i64 % 9000);
    let tax = price / 5;
    let shipping = 490;
    let shipping_tax = 98;
    let commission = (price + tax + shipping + shipping_tax) / 10;
    let vat = commission / 5;
    let refund = price / 4;
    let refund_tax = refund / 5;
    let refunded_commission = (refund + refund_tax) / 10;
    [
        price,
        tax,
        shipping,
        shipping_tax,
        -commission,
        -vat,
        -refund,
        -refund_tax,
        refunded_commission,
        refunded_commission / 5,
    ]
}

const TYPES: [&str; ROWS_PER_ORDER] = [
    "ORDER_AMOUNT",
    "ORDER_AMOUNT_TAX",
    "ORDER_SHIPPING_AMOUNT",
    "ORDER_SHIPPING_AMOUNT_TAX",
    "COMMISSION_FEE",
    "COMMISSION_VAT",
    "REFUND_ORDER_AMOUNT",
    "REFUND_ORDER_AMOUNT_TAX",
    "REFUND_COMMISSION_FEE",
    "REFUND_COMMISSION_VAT",
];

/// Weekly payouts: orders are settled in four accounting documents, each paid by a PAYMENT.
const PAYOUTS: usize = 4;

fn week_of(order: usize, orders: usize) -> usize {
    (order * PAYOUTS / orders.max(1)).min(PAYOUTS - 1)
}

/// The PAYMENT of week `week`: everything its orders' rows add up to.
fn payment_row(week: usize, orders: usize) -> Value {
    let cents: i64 = (0..orders)
        .filter(|o| week_of(*o, orders) == week)
        .map(|o| amounts(o).iter().sum::<i64>())
        .sum();
    let date = (month_start() + Duration::days(7 * week as i64 + 7)).to_rfc3339();
    json!({
        "id": format!("payment-{week}"),
        "type": "PAYMENT",
        "amount": money(-cents).to_string(),
        "amount_credited": "0",
        "amount_debited": money(cents).to_string(),
        "currency_iso_code": "EUR",
        "date_created": date,
        "last_updated": date,
        "payment_state": "PAID",
        "accounting_document_id": format!("DOC-{week}"),
        "entities": {},
    })
}

fn row(index: usize, orders: usize) -> Value {
    let total = orders * ROWS_PER_ORDER;
    if index >= total {
        return payment_row(index - total, orders);
    }
    let order = index / ROWS_PER_ORDER;
    let kind = index % ROWS_PER_ORDER;
    let cents = amounts(order)[kind];
    let amount = money(cents);
    // Spread over the month: orders in sequence, a few minutes apart.
    let minutes = (order as i64 * 27 * 24 * 60) / orders.max(1) as i64;
    let date =
        (month_start() + Duration::minutes(minutes) + Duration::seconds(kind as i64)).to_rfc3339();
    let mut entities = json!({
        "order": { "id": format!("BENCH-{order:06}-A"), "commercial_id": format!("BENCH-{order:06}") },
        "order_line": { "id": format!("BENCH-{order:06}-A-1") },
    });
    if kind >= 6 {
        entities["refund"] = json!({ "id": format!("R{order}") });
    }
    json!({
        "id": format!("tx-{index:08}"),
        "type": TYPES[kind],
        "amount": amount.to_string(),
        "amount_credited": if cents > 0 { amount.to_string() } else { "0".to_owned() },
        "amount_debited": if cents < 0 { (-amount).to_string() } else { "0".to_owned() },
        "currency_iso_code": "EUR",
        "date_created": date,
        "last_updated": date,
        "transaction_date": date,
        "payment_state": "PAID",
        "accounting_document_id": format!("DOC-{}", week_of(order, orders)),
        "entities": entities,
    })
}

/// Serves TL02 pages generated on demand; the page token is the next row index.
struct GeneratedLedger {
    orders: usize,
}

impl Transport for GeneratedLedger {
    fn execute(&self, request: &Request) -> Result<Response, TransportError> {
        let total = self.orders * ROWS_PER_ORDER + PAYOUTS;
        if request.path != "/sellerpayment/transactions_logs" {
            return Ok(Response::new(
                404,
                "{\"status\":404,\"message\":\"not in this benchmark\"}",
            ));
        }
        let start: usize = request
            .query_value("page_token")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let end = (start + PAGE).min(total);
        let data: Vec<Value> = (start..end).map(|i| row(i, self.orders)).collect();
        let mut body = json!({ "data": data });
        if end < total {
            body["next_page_token"] = json!(end.to_string());
        }
        Ok(Response::new(200, body.to_string()))
    }
}

fn expected(orders: usize) -> Vec<ExpectedOrder> {
    (0..orders)
        .map(|n| {
            let a = amounts(n);
            ExpectedOrder {
                mirakl_order_id: format!("BENCH-{n:06}-A"),
                wc_order_id: Some(n as i64 + 1),
                currency: "EUR".to_owned(),
                cancelled: false,
                lines: vec![ExpectedLine {
                    mirakl_order_line_id: format!("BENCH-{n:06}-A-1"),
                    amount: money(a[0]),
                    shipping: money(a[2]),
                    tax: money(a[1]),
                    shipping_tax: money(a[3]),
                    commission_fee: money(-a[4]),
                    commission_vat: money(-a[5]),
                }],
                refunds: vec![ExpectedRefund {
                    wc_refund_id: n as i64 + 1,
                    mirakl_refund_ids: vec![format!("R{n}")],
                    amount: money(-a[6]),
                    shipping: Decimal::ZERO,
                    tax: money(-a[7]),
                    shipping_tax: Decimal::ZERO,
                }],
                prices_include_tax: false,
                commission_fee_line: rust_decimal::Decimal::ZERO,
                cancelations: Vec::new(),
            }
        })
        .collect()
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let orders: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let dir = std::env::temp_dir().join(format!("finance-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = Store::open(&dir.join("state.db"))?;
    let config = ClientConfig::new("https://bench.invalid/api".parse()?, "bench-key");
    let client = Client::new(&config, GeneratedLedger { orders }, Unlimited);
    let settings = FinanceSettings {
        import_documents: false,
        ..FinanceSettings::default()
    };
    let now = month_start() + Duration::days(31);

    let started = Instant::now();
    let import = import_ledger(&store, &client, &settings, now)?;
    let import_time = started.elapsed();

    let started = Instant::now();
    record_expected_orders(&store, &expected(orders))?;
    let expected_time = started.elapsed();

    let started = Instant::now();
    let matched = match_ledger(&store, &settings)?;
    let match_time = started.elapsed();

    let started = Instant::now();
    let report = month_end_report(&store, 2026, 3, None)?;
    let report_time = started.elapsed();

    let started = Instant::now();
    let summary = report_csv(&report)?;
    let ledger = ledger_csv(&store, 2026, 3)?;
    let csv_time = started.elapsed();
    let started = Instant::now();
    let reconciled = payouts(&store, &PayoutFilter::default())?;
    let payouts_time = started.elapsed();
    let payouts_reconciled = reconciled.iter().filter(|p| p.reconciled).count();

    let eur = report.currencies.first();
    println!(
        "finance benchmark: {orders} orders, {} transactions in {} pages",
        import.inserted, import.pages
    );
    println!(
        "  import (parse + store)        {:>8.2} s",
        import_time.as_secs_f64()
    );
    println!(
        "  record expected orders        {:>8.2} s",
        expected_time.as_secs_f64()
    );
    println!(
        "  match                         {:>8.2} s  ({} matched, {} discrepancies)",
        match_time.as_secs_f64(),
        matched.orders_matched,
        matched.discrepancies.len()
    );
    println!(
        "  import + record + match       {:>8.2} s  (target ≤ 30 s)",
        (import_time + expected_time + match_time).as_secs_f64()
    );
    println!(
        "  month-end report              {:>8.2} s  (target ≤ 2 s; {} order rows)",
        report_time.as_secs_f64(),
        report.orders.len()
    );
    println!(
        "  payouts reconciled            {:>8.2} s  ({payouts_reconciled} of {} to zero)",
        payouts_time.as_secs_f64(),
        reconciled.len()
    );
    println!(
        "  CSV summary + ledger          {:>8.2} s  ({} + {} bytes)",
        csv_time.as_secs_f64(),
        summary.len(),
        ledger.len()
    );
    if let Some(eur) = eur {
        println!(
            "  gross sales {} EUR, net revenue {} EUR, payouts {} EUR",
            eur.gross_sales, eur.net_revenue, eur.payouts_received
        );
    }
    match peak_rss_mib() {
        Some(mib) => println!("  peak RSS                      {mib:>8.1} MiB  (target ≤ 256 MiB)"),
        None => println!("  peak RSS                      unavailable"),
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
