//! Benchmark: building a 100,000-line STO01 stock file (CSV written and wrapped in the multipart
//! request), the largest thing the client builds in one tick. Targets: ≤ 200 ms, ≤ 64 MiB peak.
//!
//! Run: `cargo run --release --example sto01_bench` (optional argument: number of lines).
//! Prints the median and p95 time over repeated builds, the peak heap allocated while building
//! (counting allocator) and the process's peak resident set (VmHWM).

use mirakl_connector::mirakl::stock::{self, StockLine};
use mirakl_connector::mirakl::Body;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Counts live heap bytes and their high-water mark.
struct CountingAllocator;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            if new_size >= layout.size() {
                let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                    - layout.size();
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const RUNS: usize = 30;

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// VmHWM (peak resident set) of this process, in KiB, where /proc exists.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(100_000);
    let lines: Vec<StockLine> = (0..count)
        .map(|i| StockLine {
            offer_sku: format!("WOO-SKU-{i:07}"),
            quantity: (i as u64 * 7919) % 500,
            warehouse_code: (i % 10 == 0).then(|| "WH-MAIN".to_owned()),
            update_delete: None,
        })
        .collect();

    let baseline = LIVE.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let mut timings = Vec::with_capacity(RUNS);
    let mut file_bytes = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let request = match stock::import(&lines) {
            Ok(request) => request,
            Err(error) => {
                eprintln!("building the STO01 request failed: {error}");
                std::process::exit(1);
            }
        };
        timings.push(started.elapsed());
        if let Body::Multipart { csv, .. } = &request.body {
            file_bytes = csv.len();
        }
        drop(request);
    }
    let peak_heap = PEAK.load(Ordering::Relaxed).saturating_sub(baseline);
    timings.sort();
    let median = timings[timings.len() / 2];
    let p95 = timings[(timings.len() * 95).div_ceil(100).saturating_sub(1)];

    println!(
        "STO01 stock file: {count} lines, {:.1} MiB of CSV, {RUNS} builds",
        mib(file_bytes)
    );
    println!(
        "time: median {:.1} ms, p95 {:.1} ms (target ≤ 200 ms)",
        millis(median),
        millis(p95)
    );
    println!(
        "peak heap while building: {:.1} MiB above the {:.1} MiB of input rows (target ≤ 64 MiB)",
        mib(peak_heap),
        mib(baseline)
    );
    match peak_rss_kib() {
        Some(kib) => println!(
            "peak RSS of the whole process (VmHWM): {:.1} MiB",
            kib as f64 / 1024.0
        ),
        None => println!("peak RSS: /proc/self/status not available"),
    }
}
