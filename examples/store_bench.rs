//! Store benchmark: enqueue latency on a warm connection and in a fresh process (open included),
//! and claim+finish throughput, on a real file in a temporary directory.
//!
//! Run: `cargo run --release --example store_bench [-- --jobs N --processes N]`
//! Targets: warm enqueue p50 ≤ 50 µs; fresh-process open+enqueue p50 ≤ 1 ms; claim+finish ≥ 5,000 jobs/s.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use mirakl_connector::store::{NewJob, Store};
use serde_json::json;

const LEASE: Duration = Duration::from_secs(60);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--child") => return child(&args[2], &args[3]),
        Some("--claimer") => return claimer(&args[2]),
        _ => {}
    }
    let jobs = flag(&args, "--jobs").unwrap_or(20_000);
    let processes = flag(&args, "--processes").unwrap_or(200);

    let dir = tempfile::tempdir()?;
    let db = dir.path().join("bench.sqlite");
    let store = Store::open(&db)?;
    println!("store benchmark: {jobs} jobs, {processes} fresh processes, file in a temp dir (WAL, synchronous=NORMAL)");
    println!();

    // 1. Enqueue on a warm connection: new keys, then coalescing onto existing ones.
    let payload = json!({"sku": "ABC-123", "quantity": 17, "reason": "stock_changed"});
    let mut samples = Vec::with_capacity(jobs);
    for i in 0..jobs {
        let job = NewJob::new("stock", format!("sku-{i}"), payload.clone());
        let start = Instant::now();
        store.enqueue(&job)?;
        samples.push(start.elapsed());
    }
    report(
        "enqueue, warm connection, new key",
        &mut samples,
        "target p50 <= 50 us",
    );
    let mut samples = Vec::with_capacity(jobs);
    for i in 0..jobs {
        let job = NewJob::new("stock", format!("sku-{}", i % 1000), payload.clone());
        let start = Instant::now();
        store.enqueue(&job)?;
        samples.push(start.elapsed());
    }
    report("enqueue, warm connection, coalesce", &mut samples, "");

    // 2. A fresh process per enqueue, as a PHP request would: open + migrate check + enqueue.
    let exe = std::env::current_exe()?;
    let mut inside = Vec::with_capacity(processes);
    let mut whole = Vec::with_capacity(processes);
    for i in 0..processes {
        let start = Instant::now();
        let output = Command::new(&exe)
            .args(["--child", &db.display().to_string(), &format!("fresh-{i}")])
            .output()?;
        whole.push(start.elapsed());
        if !output.status.success() {
            return Err(
                format!("child failed: {}", String::from_utf8_lossy(&output.stderr)).into(),
            );
        }
        let micros: u64 = String::from_utf8_lossy(&output.stdout).trim().parse()?;
        inside.push(Duration::from_micros(micros));
    }
    report(
        "open + enqueue, fresh process",
        &mut inside,
        "target p50 <= 1 ms",
    );
    report("  (whole child process incl. exec)", &mut whole, "");

    // 3. Claim + finish throughput over the jobs queued above.
    drop(store);
    for batch in [1u32, 50] {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("bench.sqlite");
        let store = Store::open(&db)?;
        for i in 0..jobs {
            store.enqueue(&NewJob::new("stock", format!("sku-{i}"), payload.clone()))?;
        }
        let start = Instant::now();
        let mut done = 0usize;
        loop {
            let claimed = store.claim(&[], batch, LEASE)?;
            if claimed.is_empty() {
                break;
            }
            for job in &claimed {
                store.finish(job.id, job.lease.as_deref().unwrap_or_default())?;
                done += 1;
            }
        }
        let elapsed = start.elapsed();
        println!(
            "claim+finish, claim batch {batch:>2}: {done} jobs in {:.2} s = {:.0} jobs/s (target >= 5,000)",
            elapsed.as_secs_f64(),
            done as f64 / elapsed.as_secs_f64()
        );
    }

    // 4. The same, drained by several processes at once (PHP-FPM workers sharing the file).
    let workers = 4;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("bench.sqlite");
    let store = Store::open(&db)?;
    for i in 0..jobs {
        store.enqueue(&NewJob::new("stock", format!("sku-{i}"), payload.clone()))?;
    }
    let start = Instant::now();
    let children = (0..workers)
        .map(|_| {
            Command::new(&exe)
                .args(["--claimer", &db.display().to_string()])
                .stdout(std::process::Stdio::piped())
                .spawn()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut done = 0usize;
    for child in children {
        let output = child.wait_with_output()?;
        done += String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse::<usize>()?;
    }
    let elapsed = start.elapsed();
    println!(
        "claim+finish, batch 1, {workers} processes: {done} jobs in {:.2} s = {:.0} jobs/s",
        elapsed.as_secs_f64(),
        done as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}

/// In a fresh process: claim and finish one job at a time until none is left; print the count.
fn claimer(db: &str) -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open(Path::new(db))?;
    let mut done = 0usize;
    loop {
        let claimed = store.claim(&[], 1, LEASE)?;
        let Some(job) = claimed.first() else { break };
        store.finish(job.id, job.lease.as_deref().unwrap_or_default())?;
        done += 1;
    }
    println!("{done}");
    Ok(())
}

/// In a fresh process: time opening the store and one enqueue; print microseconds.
fn child(db: &str, key: &str) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let store = Store::open(Path::new(db))?;
    store.enqueue(&NewJob::new("fresh", key, json!({"n": 1})))?;
    let elapsed = start.elapsed();
    println!("{}", elapsed.as_micros());
    Ok(())
}

fn flag(args: &[String], name: &str) -> Option<usize> {
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1)?.parse().ok()
}

fn report(what: &str, samples: &mut [Duration], target: &str) {
    samples.sort_unstable();
    let pick = |q: f64| {
        let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[index.min(samples.len() - 1)]
    };
    println!(
        "{what:<38} n={:<6} p50={:>9.1?} p95={:>9.1?} p99={:>9.1?} max={:>9.1?}  {target}",
        samples.len(),
        pick(0.50),
        pick(0.95),
        pick(0.99),
        samples[samples.len() - 1],
    );
}
