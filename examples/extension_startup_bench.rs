//! Benchmark: what loading the extension adds to a bare PHP start.
//!
//! Runs `php -n -r ''` with and without `-d extension=<so>`, interleaved so that machine noise
//! hits both alike, and prints the median and spread of each and the median difference.
//!
//! `cargo run --release --example extension_startup_bench -- [path/to/libmirakl_connector.so] [runs]`

use std::env;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let mut args = env::args().skip(1);
    let so = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/libmirakl_connector.so")
    });
    let runs: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(300);
    let so = match so.canonicalize() {
        Ok(path) => path,
        Err(e) => {
            eprintln!("extension not found at {} ({e}); build it with `cargo build --release --features php`", so.display());
            std::process::exit(2);
        }
    };
    let extension_arg = format!("extension={}", so.display());
    let with: [&str; 5] = [
        "-n",
        "-d",
        &extension_arg,
        "-r",
        "if (!extension_loaded('mirakl_connector')) exit(3);",
    ];
    let without: [&str; 3] = ["-n", "-r", ""];

    // Warm the page cache and check both commands work before measuring.
    for _ in 0..10 {
        time_php(&with);
        time_php(&without);
    }
    let mut with_times = Vec::with_capacity(runs);
    let mut without_times = Vec::with_capacity(runs);
    for _ in 0..runs {
        without_times.push(time_php(&without));
        with_times.push(time_php(&with));
    }
    // Paired differences: each run with the extension against the run just before it.
    let mut paired_us: Vec<f64> = with_times
        .iter()
        .zip(&without_times)
        .map(|(w, wo)| w.as_secs_f64() * 1e6 - wo.as_secs_f64() * 1e6)
        .collect();
    paired_us.sort_by(f64::total_cmp);
    let paired_median = paired_us[paired_us.len() / 2];
    let base = Summary::of(&mut without_times);
    let loaded = Summary::of(&mut with_times);
    let added_us = loaded.median.as_secs_f64() * 1e6 - base.median.as_secs_f64() * 1e6;

    println!(
        "php start-up, {runs} interleaved runs each ({})",
        so.display()
    );
    println!("  without extension: {base}");
    println!("  with extension:    {loaded}");
    println!("  added by the extension: {added_us:.0} µs difference of medians, {paired_median:.0} µs median of paired differences (target < 1000 µs)");
}

fn time_php(args: &[&str]) -> Duration {
    let start = Instant::now();
    let status = Command::new("php")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let elapsed = start.elapsed();
    match status {
        Ok(status) if status.success() => elapsed,
        Ok(status) => {
            eprintln!("php {args:?} failed: {status}");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("cannot run php: {e}");
            std::process::exit(1);
        }
    }
}

struct Summary {
    median: Duration,
    p10: Duration,
    p90: Duration,
    min: Duration,
}

impl Summary {
    fn of(samples: &mut [Duration]) -> Summary {
        samples.sort_unstable();
        let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
        Summary {
            median: at(0.5),
            p10: at(0.1),
            p90: at(0.9),
            min: samples[0],
        }
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        write!(
            f,
            "median {:.0} µs, p10 {:.0} µs, p90 {:.0} µs, min {:.0} µs",
            us(self.median),
            us(self.p10),
            us(self.p90),
            us(self.min)
        )
    }
}
