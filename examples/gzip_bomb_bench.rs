//! Peak memory of the Mirakl client fed a gzip bomb on loopback: about 1 MiB on the wire that
//! inflates to 1 GiB, answered to V01 with the default response caps. Prints the error the call
//! ends with, the time it took and the process's peak RSS; asserts nothing.
//!
//! Run: `cargo run --release --example gzip_bomb_bench` (target: peak RSS < 256 MiB).
#![allow(clippy::print_stdout)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use flate2::Compression;
use mirakl_connector::mirakl::{Client, ClientConfig, MemoryBudget, RetryPolicy};

const MIB: usize = 1024 * 1024;

/// 1 GiB of zeros as gzip: one 8 MiB member repeated (a gzip stream may hold several members,
/// and decoders read them all), which builds in milliseconds instead of deflating 1 GiB.
fn bomb() -> Vec<u8> {
    let mut gzip = GzEncoder::new(Vec::new(), Compression::best());
    let zeros = vec![0u8; MIB];
    for _ in 0..8 {
        gzip.write_all(&zeros).expect("gzip");
    }
    let member = gzip.finish().expect("gzip");
    member.repeat(128)
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let body = bomb();
    let wire = body.len();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&body);
    });
    let before = peak_rss_kib().unwrap_or(0);
    let mut config =
        ClientConfig::new(format!("http://{addr}/api").parse().expect("url"), "k").development();
    config.timeout = Duration::from_secs(60);
    let client = Client::connect(&config, MemoryBudget::new())
        .expect("client")
        .with_policy(RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        });
    let started = Instant::now();
    let outcome = client.account().version();
    let took = started.elapsed();
    println!(
        "gzip bomb: {:.2} MiB on the wire, 1024 MiB inflated, JSON cap {} MiB",
        wire as f64 / MIB as f64,
        config.limits.json_bytes / MIB as u64
    );
    match outcome {
        Ok(_) => println!("  outcome                 decoded (unexpected)"),
        Err(error) => println!("  outcome                 {error}"),
    }
    println!(
        "  time                    {:>8.1} ms",
        took.as_secs_f64() * 1000.0
    );
    println!(
        "  peak RSS before call    {:>8.1} MiB",
        before as f64 / 1024.0
    );
    match peak_rss_kib() {
        Some(kib) => println!(
            "  peak RSS                {:>8.1} MiB  (target < 256 MiB)",
            kib as f64 / 1024.0
        ),
        None => println!("  peak RSS                unavailable"),
    }
}
