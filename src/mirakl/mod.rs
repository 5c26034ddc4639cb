//! Mirakl shop API client: one pure request builder per API code (in the resource modules), a
//! blocking transport, error classification, the retry decision and per-API call budgets.
//! Nothing here prints or panics; the API key never appears in `Debug` output or errors.

pub mod account;
pub mod budget;
pub mod client;
pub mod config;
pub mod error;
pub mod fake;
pub mod finance;
pub mod model;
pub mod offers;
pub mod order_page;
pub mod orders;
pub mod reference;
pub mod request;
pub mod retry;
pub mod shipments;
pub mod stock;
pub mod transport;

pub use budget::{limits_for, CallBudget, Limit, MemoryBudget};
pub use client::Client;
pub use config::{ApiKey, ClientConfig, ResponseLimits};
pub use error::{ErrorClass, MiraklError, Refusal, TransportError, TransportErrorKind};
pub use request::{ApiCode, Body, Method, Request};
pub use retry::{decide, RetryDecision, RetryPolicy};
pub use transport::{HttpTransport, Response, Transport};
