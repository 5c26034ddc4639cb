//! Benchmark of the sync engine against the sandbox on loopback (filled in below).
fn main() {}
