//! Mirakl sandbox: a stateful HTTP server that behaves like a Mirakl shop API (same paths,
//! bodies, status codes and business rules), with an operator console under `/_sandbox/` and
//! fault injection. It is the connector's test peer and the demo's marketplace.
//!
//! Start it in-process with [`Sandbox::start`] (it serves on background threads and stops when
//! the [`RunningSandbox`] is dropped) or run the `mirakl-sandbox` binary. It shares no types
//! with the connector: its fidelity is checked against Mirakl's OpenAPI document.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod api;
pub mod client;
pub mod clock;
pub mod config;
pub mod console;
pub mod error;
pub mod faults;
pub mod http;
pub mod imports;
pub mod model;
mod page;
pub mod rate_limit;
pub mod state;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::SeedableRng;

pub use config::SandboxConfig;
pub use error::ApiError;
pub use faults::{Fault, FaultRule, Trigger};
pub use state::{LineExtras, NewLine, NewOrder, State};

use faults::Faults;
use http::{Outcome, Request, Response};
use rate_limit::RateLimiter;

/// Everything the connection threads share. Lock order: faults, then limiter, then state.
pub struct Shared {
    state: Mutex<State>,
    faults: Mutex<Faults>,
    limiter: Mutex<RateLimiter>,
    fault_rng: Mutex<StdRng>,
}

impl Shared {
    fn new(config: SandboxConfig) -> Shared {
        let seed = config.seed;
        Shared {
            state: Mutex::new(State::new(config)),
            faults: Mutex::new(Faults::default()),
            limiter: Mutex::new(RateLimiter::default()),
            fault_rng: Mutex::new(StdRng::seed_from_u64(seed ^ 0x5eed)),
        }
    }

    /// The state lock; a panic in another thread never makes the state unreachable.
    pub fn lock_state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn lock_faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_limiter(&self) -> MutexGuard<'_, RateLimiter> {
        self.limiter.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Back to a fresh marketplace with the same configuration; faults and call history cleared.
    pub fn reset(&self) {
        self.lock_faults().rules.clear();
        self.lock_limiter().reset();
        self.lock_state().reset();
    }

    fn api(&self, request: Request) -> Outcome {
        let route = match api::route(&request.method, &request.path) {
            Ok(route) => route,
            Err(405) => {
                return Outcome::Respond(Response::error(
                    405,
                    format!(
                        "Method {} is not allowed on {}",
                        request.method, request.path
                    ),
                ))
            }
            Err(_) => {
                return Outcome::Respond(Response::error(
                    404,
                    format!("No API found for {} {}", request.method, request.path),
                ))
            }
        };
        let (api_key, shop_id, scale, limits_on) = {
            let state = self.lock_state();
            let c = &state.config;
            (
                c.api_key.clone(),
                c.shop_id,
                c.rate_limit_scale,
                c.rate_limits_enabled,
            )
        };
        if request.header("authorization") != Some(api_key.as_str()) {
            return Outcome::Respond(Response::error(
                401,
                "Unauthorized: a valid shop API key is required in the Authorization header",
            ));
        }
        if let Some(requested) = request.param("shop_id") {
            if requested.parse::<i64>().ok() != Some(shop_id) {
                return Outcome::Respond(Response::error(
                    403,
                    format!("You are not allowed to access the shop {requested}"),
                ));
            }
        }
        let code = route.code();
        let answers_json = !matches!(route, api::Route::OF51 | api::Route::OF03(_));
        if let Some(accept) = request
            .header("accept")
            .filter(|a| answers_json && !a.trim().is_empty())
        {
            let accept = accept.to_ascii_lowercase();
            if !["*/*", "application/*", "json"]
                .iter()
                .any(|t| accept.contains(t))
            {
                return Outcome::Respond(Response::error(
                    406,
                    format!("{code} answers application/json, not {accept}"),
                ));
            }
        }
        let planned = {
            let mut rng = self.fault_rng.lock().unwrap_or_else(|p| p.into_inner());
            self.lock_faults().plan(code, &request.path, &mut rng)
        };
        if planned.latency_ms > 0 {
            std::thread::sleep(Duration::from_millis(planned.latency_ms));
        }
        match &planned.fault {
            Some(Fault::Status {
                status,
                retry_after_secs,
            }) => {
                let mut response = Response::error(*status, fault_message(*status));
                if *status == 429 || retry_after_secs.is_some() {
                    response = response
                        .with_header("Retry-After", retry_after_secs.unwrap_or(1).to_string());
                }
                return Outcome::Respond(response);
            }
            Some(Fault::DropBeforeProcessing) => return Outcome::Drop,
            _ => {}
        }
        if limits_on {
            let limit_key = match (&route, request.param("last_request_date")) {
                (api::Route::OF51, None) => "OF51-full",
                (api::Route::IV01, _) if request.param("offset").is_some_and(|o| o != "0") => {
                    "IV01-page"
                }
                (api::Route::SBC11, _) if request.param("page_token").is_some() => "SBC11-page",
                _ => code,
            };
            if let Err(wait) = self.lock_limiter().check(limit_key, scale) {
                return Outcome::Respond(
                    Response::error(429, format!("Too many requests: the maximum call frequency of {code} is reached, retry in {wait} s"))
                        .with_header("Retry-After", wait.to_string()),
                );
            }
        }
        let response = {
            let mut state = self.lock_state();
            state.tick();
            match api::dispatch(&mut state, &route, &request) {
                Ok(response) => response,
                Err(error) => error.into_response(),
            }
        };
        match planned.fault {
            Some(Fault::DropAfterProcessing) => Outcome::Drop,
            Some(Fault::TruncatedBody) => Outcome::Truncate(response),
            Some(Fault::MalformedJson) => Outcome::Respond(Response::bytes(
                200,
                "application/json;charset=UTF-8",
                b"{\"status\": 200, \"orders\": [{\"order_id\": ".to_vec(),
            )),
            _ => Outcome::Respond(response),
        }
    }
}

fn fault_message(status: u16) -> &'static str {
    match status {
        429 => "Too many requests",
        500 => "Internal server error",
        502 => "Bad gateway",
        503 => "Service temporarily unavailable",
        _ => "Injected fault",
    }
}

/// The HTTP handler: console, shop API, and Mirakl-shaped 404s for everything else.
struct Server {
    shared: Arc<Shared>,
    max_body_bytes: usize,
}

impl http::Handler for Server {
    fn handle(&self, request: Request) -> Outcome {
        if request.path == console::PREFIX || request.path.starts_with("/_sandbox/") {
            return Outcome::Respond(console::handle(&self.shared, &request));
        }
        if request.path == "/api" || request.path.starts_with("/api/") {
            return self.shared.api(request);
        }
        Outcome::Respond(Response::error(
            404,
            format!("No API found for {} {}", request.method, request.path),
        ))
    }

    fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }
}

/// Entry point of the in-process sandbox.
///
/// ```
/// use mirakl_sandbox::{NewLine, NewOrder, Sandbox, SandboxConfig};
/// use rust_decimal::Decimal;
///
/// let sandbox = Sandbox::start(SandboxConfig::for_tests().api_key("KEY")).expect("starts");
/// assert!(sandbox.base_url().ends_with("/api"));
/// sandbox.add_offer("SKU-1", Decimal::new(1990, 2), 10).expect("offer");
/// let line = NewLine { offer_sku: "SKU-1".into(), quantity: 2, price: None, shipping_price: None };
/// let order_id = sandbox.create_order(NewOrder { lines: vec![line], ..NewOrder::default() }).expect("order");
/// assert_eq!(sandbox.state()["orders"][0]["order_id"], order_id.as_str());
/// sandbox.advance_clock(3 * 24 * 3600); // the acceptance window runs out
/// assert_eq!(sandbox.state()["orders"][0]["state"], "REFUSED");
/// ```
pub struct Sandbox;

impl Sandbox {
    /// Binds `127.0.0.1:0` and serves on background threads; returns at once.
    pub fn start(config: SandboxConfig) -> std::io::Result<RunningSandbox> {
        Sandbox::start_on("127.0.0.1:0", config)
    }

    /// Like `start`, on a given address (`host:port`, port 0 for any).
    pub fn start_on(addr: &str, config: SandboxConfig) -> std::io::Result<RunningSandbox> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let max_body_bytes = config.max_body_bytes;
        let shared = Arc::new(Shared::new(config));
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(http::Connections::default());
        let handler: Arc<dyn http::Handler> = Arc::new(Server {
            shared: Arc::clone(&shared),
            max_body_bytes,
        });
        let (thread_stop, thread_connections) = (Arc::clone(&stop), Arc::clone(&connections));
        let thread = std::thread::Builder::new()
            .name("sandbox-accept".into())
            .spawn(move || http::serve(listener, handler, thread_stop, thread_connections))?;
        Ok(RunningSandbox {
            addr,
            shared,
            stop,
            connections,
            thread: Some(thread),
        })
    }
}

/// A running sandbox; when dropped it stops accepting and closes open connections.
pub struct RunningSandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    connections: Arc<http::Connections>,
    thread: Option<JoinHandle<()>>,
}

impl RunningSandbox {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shop API base URL, ending in `/api` like a Mirakl instance's.
    pub fn base_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    /// The operator console's base URL (`.../_sandbox`).
    pub fn console_url(&self) -> String {
        format!("http://{}{}", self.addr, console::PREFIX)
    }

    pub fn api_key(&self) -> String {
        self.shared.lock_state().config.api_key.clone()
    }

    /// Runs `f` on the locked, ticked state: the in-process console.
    pub fn with_state<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut state = self.shared.lock_state();
        state.tick();
        f(&mut state)
    }

    /// The whole state as JSON, as the console's `GET /_sandbox/state` shows it.
    pub fn state(&self) -> serde_json::Value {
        let faults = self.shared.lock_faults().rules.clone();
        let mut state = self.shared.lock_state();
        state.tick();
        console::snapshot(&state, &faults)
    }

    pub fn add_offer(
        &self,
        sku: &str,
        price: rust_decimal::Decimal,
        quantity: i64,
    ) -> Result<(), ApiError> {
        self.with_state(|s| s.upsert_offer(sku, price, quantity, None).map(|_| ()))
    }

    pub fn create_order(&self, order: NewOrder) -> Result<String, ApiError> {
        self.with_state(|s| {
            let id = s.create_order(order);
            s.tick();
            id
        })
    }

    pub fn create_random_order(&self) -> Result<String, ApiError> {
        self.with_state(|s| s.create_random_order())
    }

    pub fn debit(&self, order_id: &str) -> Result<(), ApiError> {
        self.with_state(|s| s.debit(order_id))
    }

    pub fn advance_clock(&self, seconds: i64) {
        self.with_state(|s| s.advance_clock(seconds))
    }

    pub fn expire_acceptance(&self, order_id: Option<&str>) -> Result<usize, ApiError> {
        self.with_state(|s| s.expire_acceptance(order_id))
    }

    /// Books a manual credit, subscription fee or other operator transaction (see the console's
    /// `POST /_sandbox/transactions`); returns its transaction id.
    pub fn add_account_transaction(
        &self,
        kind: &str,
        amount: rust_decimal::Decimal,
    ) -> Result<String, ApiError> {
        self.with_state(|s| s.add_account_transaction(kind, amount))
    }

    /// Pays out every payable amount; returns the accounting document's `invoice_id`.
    pub fn payout(&self) -> Result<i64, ApiError> {
        self.with_state(|s| s.payout().map(|i| i.invoice_id))
    }

    pub fn add_fault(&self, rule: FaultRule) {
        self.shared.lock_faults().rules.push(rule);
    }

    pub fn clear_faults(&self) {
        self.shared.lock_faults().rules.clear();
    }

    pub fn reset(&self) {
        self.shared.reset();
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.connections.close_all();
    }
}
