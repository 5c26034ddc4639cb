//! `cargo run --release -p mirakl-sandbox --bin sandbox-bench [-- RUNS]`: loads 100,000 offers
//! and 20,000 orders, then prints median and p95 timings of an OR11 page of 100 and of a
//! 100,000-line STO01 upload through to COMPLETE, plus peak memory. Figures, not assertions.

use std::io::Write;
use std::time::{Duration, Instant};

use mirakl_sandbox::client::{self, ClientResponse};
use mirakl_sandbox::{NewLine, NewOrder, Sandbox, SandboxConfig};

const OFFERS: usize = 100_000;
const ORDERS: usize = 20_000;
const KEY: &str = "bench-key";

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let config = SandboxConfig {
        api_key: KEY.into(),
        ..SandboxConfig::for_tests()
    };
    let sandbox = match Sandbox::start(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot start the sandbox: {e}");
            std::process::exit(1);
        }
    };
    let mut out = std::io::stdout();

    let started = Instant::now();
    sandbox.with_state(|s| s.generate_offers(OFFERS));
    let offers_loaded = started.elapsed();
    let started = Instant::now();
    sandbox.with_state(|s| {
        for n in 0..ORDERS {
            let first = (n * 7) % OFFERS;
            let second = (n * 13 + 1) % OFFERS;
            for index in [first, second] {
                s.offers[index].quantity = s.offers[index].quantity.max(10);
            }
            let lines = vec![
                NewLine {
                    offer_sku: s.offers[first].shop_sku.clone(),
                    quantity: 1,
                    price: None,
                    shipping_price: None,
                },
                NewLine {
                    offer_sku: s.offers[second].shop_sku.clone(),
                    quantity: 2,
                    price: None,
                    shipping_price: None,
                },
            ];
            let _ = s.create_order(NewOrder {
                lines,
                ..NewOrder::default()
            });
            if n % 1000 == 0 {
                s.advance_clock(60);
            }
        }
    });
    let orders_loaded = started.elapsed();
    let _ = writeln!(
        out,
        "loaded {OFFERS} offers in {offers_loaded:.2?}, {ORDERS} orders in {orders_loaded:.2?}"
    );

    let addr = sandbox.addr();
    let get = |path: &str| -> ClientResponse {
        client::send(addr, "GET", path, &[("Authorization", KEY)], b"").unwrap_or_else(|e| {
            eprintln!("GET {path}: {e}");
            std::process::exit(1);
        })
    };

    let mut or11 = Vec::with_capacity(runs);
    for run in 0..runs {
        let offset = (run * 997) % (ORDERS - 100);
        let started = Instant::now();
        let response = get(&format!(
            "/api/orders?max=100&offset={offset}&order_tax_mode=TAX_EXCLUDED"
        ));
        let elapsed = started.elapsed();
        if response.status != 200 || response.body.len() < 1000 {
            eprintln!("OR11 failed: {} {}", response.status, response.text());
            std::process::exit(1);
        }
        or11.push(elapsed);
    }
    report(&mut out, "OR11 page of 100 (20,000 orders)", &mut or11);

    let mut csv = String::with_capacity(OFFERS * 32);
    csv.push_str("\"offer-sku\";\"quantity\";\"warehouse-code\";\"update-delete\"\n");
    for n in 1..=OFFERS {
        csv.push_str(&format!("\"SKU-{n:06}\";\"{}\";\"\";\"\"\n", n % 97));
    }
    let (content_type, body) = client::multipart("stock.csv", csv.as_bytes(), &[]);
    let sto_runs = runs.clamp(3, 10);
    let mut sto01 = Vec::with_capacity(sto_runs);
    for _ in 0..sto_runs {
        let started = Instant::now();
        let uploaded = client::send(
            addr,
            "POST",
            "/api/offers/stock/imports",
            &[("Authorization", KEY), ("Content-Type", &content_type)],
            &body,
        );
        let import_id = match uploaded
            .ok()
            .filter(|r| r.status == 201)
            .and_then(|r| r.json().ok())
        {
            Some(json) => json["import_id"].as_str().unwrap_or("").to_string(),
            None => {
                eprintln!("STO01 upload failed");
                std::process::exit(1);
            }
        };
        loop {
            let status = get(&format!("/api/offers/stock/imports/{import_id}/status"));
            let json = status.json().unwrap_or_default();
            if json["status"] == "COMPLETE" {
                if json["lines_in_success"] != OFFERS as u64 {
                    eprintln!("STO01 processed wrongly: {json}");
                    std::process::exit(1);
                }
                break;
            }
            if json["status"] == "FAILED" {
                eprintln!("STO01 failed: {json}");
                std::process::exit(1);
            }
        }
        sto01.push(started.elapsed());
    }
    report(
        &mut out,
        &format!(
            "STO01 {OFFERS}-line upload to COMPLETE ({} KiB)",
            body.len() / 1024
        ),
        &mut sto01,
    );
    let _ = writeln!(
        out,
        "peak memory (VmHWM): {}",
        peak_memory().unwrap_or_else(|| "unknown".into())
    );
}

fn report(out: &mut impl Write, name: &str, samples: &mut [Duration]) {
    samples.sort();
    let median = samples[samples.len() / 2];
    let p95 = samples[((samples.len() as f64 * 0.95).ceil() as usize)
        .saturating_sub(1)
        .min(samples.len() - 1)];
    let _ = writeln!(
        out,
        "{name}: median {median:.2?}, p95 {p95:.2?}, max {:.2?} over {} runs",
        samples[samples.len() - 1],
        samples.len()
    );
}

fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
}
