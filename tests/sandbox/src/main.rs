//! Mirakl sandbox server (placeholder until the sandbox lands).
fn main() {}
