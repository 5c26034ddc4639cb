//! `mirakl-sandbox --addr 127.0.0.1:0 --api-key KEY [--seed N] [--config FILE]`: runs the
//! sandbox until killed; the first stdout line is the bound address.

use std::io::Write;

use mirakl_sandbox::{Sandbox, SandboxConfig};

const USAGE: &str =
    "usage: mirakl-sandbox --addr HOST:PORT --api-key KEY [--seed N] [--config FILE]";

fn main() {
    if let Err(message) = run() {
        eprintln!("{message}\n{USAGE}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut addr = "127.0.0.1:0".to_string();
    let mut api_key = None;
    let mut seed = None;
    let mut config_path = None;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--addr" => addr = value("--addr")?,
            "--api-key" => api_key = Some(value("--api-key")?),
            "--seed" => {
                seed = Some(
                    value("--seed")?
                        .parse::<u64>()
                        .map_err(|e| format!("--seed: {e}"))?,
                )
            }
            "--config" => config_path = Some(value("--config")?),
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let mut config = match config_path {
        Some(path) => SandboxConfig::from_json_file(std::path::Path::new(&path))?,
        None => SandboxConfig::default(),
    };
    if let Some(key) = api_key {
        config.api_key = key;
    }
    if let Some(seed) = seed {
        config.seed = seed;
    }
    let sandbox =
        Sandbox::start_on(&addr, config).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "{}", sandbox.addr());
    let _ = writeln!(
        stdout,
        "shop API: {}  console: {}/",
        sandbox.base_url(),
        sandbox.console_url()
    );
    let _ = stdout.flush();
    loop {
        std::thread::park();
    }
}
