//! What can go wrong in a Mirakl call, and its class. Classification (what happened) is kept
//! apart from the retry decision (what to do, in `retry`). Messages never carry the API key;
//! `code()` gives the crate's stable `ErrorCode`, mirrored by the PHP exceptions.

use crate::error::{Coded, ErrorCode};
use crate::mirakl::request::ApiCode;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// How the transport failed, as far as the request's fate is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// The connection was never established: nothing was sent.
    Connect,
    /// No complete answer in time after the request may have been sent.
    Timeout,
    /// The connection broke (reset, closed, unreadable body) after the request may have been sent.
    Dropped,
    /// The request could not be built locally (bad URL, bad header): nothing was sent.
    Invalid,
    /// The answer was longer than `limit` bytes (announced, on the wire or once inflated) and
    /// was not read further. The request was sent.
    TooLarge { limit: u64 },
    /// The answer arrived but is not what its API returns (an OR11 page that is not one): it
    /// cannot be read, however often it is asked again in the same call.
    Malformed,
}

/// A failure below HTTP semantics, reported by a [`crate::mirakl::transport::Transport`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("{kind:?}: {message}")]
pub struct TransportError {
    pub kind: TransportErrorKind,
    pub message: String,
}

impl TransportError {
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> TransportError {
        TransportError {
            kind,
            message: message.into(),
        }
    }
}

/// The class of an error: what the caller may do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorClass {
    /// Connection failure or server error; trying again later is safe.
    Transient,
    /// Mirakl said 429; `retry_after` is its `Retry-After`, when given.
    Throttled { retry_after: Option<Duration> },
    /// Mirakl refused the request (4xx); sending it again will not help.
    Client { status: u16, message: String },
    /// The key is missing, wrong or not allowed (401/403).
    Auth,
    /// The answer could not be read (malformed JSON/CSV, unexpected shape).
    Decode,
    /// A write may or may not have been applied: reconcile before anything else.
    OutcomeUnknown,
    /// This connector's own call budget for the API is spent until `until`;
    /// `wait` is how long that was from the moment of refusal.
    BudgetExhausted {
        until: DateTime<Utc>,
        wait: Duration,
    },
    /// The call could not be made at all: invalid configuration or request.
    Invalid,
}

#[derive(Debug, thiserror::Error)]
pub enum MiraklError {
    #[error("{api}: could not connect to Mirakl: {message}")]
    Connect { api: ApiCode, message: String },
    #[error("{api}: Mirakl server error (HTTP {status}): {message}")]
    Server {
        api: ApiCode,
        status: u16,
        message: String,
    },
    /// A read broke after it was sent; `timed_out` when the answer did not arrive within the
    /// attempt's timeout (a server sending a byte at a time), else the connection dropped.
    #[error("{api}: a read failed after it was sent ({message})")]
    ReadInterrupted {
        api: ApiCode,
        message: String,
        timed_out: bool,
    },
    #[error("{api}: too many requests (HTTP 429){}", retry_after_text(.retry_after))]
    Throttled {
        api: ApiCode,
        retry_after: Option<Duration>,
    },
    #[error("{api}: rejected by Mirakl (HTTP {status}): {message}")]
    Client {
        api: ApiCode,
        status: u16,
        message: String,
    },
    #[error("{api}: authentication refused (HTTP {status}): {message}")]
    Auth {
        api: ApiCode,
        status: u16,
        message: String,
    },
    /// The answer could not be read. After a 2xx to a write, the write did take effect: the
    /// caller reconciles (e.g. OR11 `refunds[]` after OR28) instead of sending it again.
    #[error("{api}: unreadable answer from Mirakl: {message}")]
    Decode { api: ApiCode, message: String },
    #[error("{api}: outcome unknown, the write may have been applied ({message}); reconcile before retrying")]
    OutcomeUnknown { api: ApiCode, message: String },
    #[error("{api}: call budget spent until {until}")]
    BudgetExhausted {
        api: ApiCode,
        until: DateTime<Utc>,
        wait: Duration,
    },
    #[error("{api}: call budget unavailable: {message}")]
    BudgetUnavailable { api: ApiCode, message: String },
    #[error("{api}: invalid request: {message}")]
    Invalid { api: ApiCode, message: String },
    /// The answer to a read was over the API's size cap and was not used. Like an
    /// unreadable answer it is not retried in the call; the job tries again later.
    #[error("{api}: response from {api} exceeded {limit} bytes")]
    TooLarge { api: ApiCode, limit: u64 },
}

/// Why this connector refused a Mirakl answer by its own limits (see [`MiraklError::refusal`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// A stable word for the reason: `too_large`, `timeout`, `retry_after`.
    pub reason: &'static str,
    /// What was wrong, naming the API and the figures.
    pub message: String,
    /// What the merchant can do.
    pub hint: &'static str,
}

fn retry_after_text(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(", retry after {} s", wait.as_secs()),
        None => String::new(),
    }
}

impl MiraklError {
    /// When the answer was refused by the connector's own limits (over the size cap, not in
    /// time, or a `Retry-After` of the clamp or more), why, for a problem naming it.
    pub fn refusal(&self) -> Option<Refusal> {
        match self {
            MiraklError::TooLarge { api, limit } => Some(Refusal {
                reason: "too_large",
                message: format!(
                    "{api}: Mirakl's answer was too large: over the size limit of {limit} bytes \
                     ({:.1} MB) for {api}; it was not used and the call is tried again later",
                    *limit as f64 / 1_048_576.0
                ),
                hint: if *api == ApiCode::OR11 {
                    "If this lasts, ask the operator why this page of orders is so large; the \
                     orders of one page together must fit in the connection setting \
                     max_response_mib (one order too large alone is skipped and named)."
                } else {
                    "If this lasts, ask the operator why this answer is so large."
                },
            }),
            MiraklError::ReadInterrupted {
                api,
                timed_out: true,
                ..
            } => Some(Refusal {
                reason: "timeout",
                message: format!(
                    "{api}: Mirakl's answer did not arrive in time (too slow, dropped at the \
                     read timeout); the call is tried again later"
                ),
                hint: "A slow marketplace usually recovers; if this lasts, tell the operator.",
            }),
            MiraklError::Throttled {
                api,
                retry_after: Some(wait),
            } if *wait >= crate::mirakl::client::MAX_RETRY_AFTER => Some(Refusal {
                reason: "retry_after",
                message: format!(
                    "{api}: Mirakl throttled the call (HTTP 429) and its Retry-After asked to \
                     wait {} s or longer; the connector waits at most {} s and then tries again",
                    crate::mirakl::client::MAX_RETRY_AFTER.as_secs(),
                    wait.as_secs()
                ),
                hint: "Nothing to do unless this lasts; then ask the operator about the \
                       rate limit on this API.",
            }),
            _ => None,
        }
    }

    pub fn class(&self) -> ErrorClass {
        match self {
            MiraklError::Connect { .. }
            | MiraklError::Server { .. }
            | MiraklError::ReadInterrupted { .. }
            | MiraklError::BudgetUnavailable { .. } => ErrorClass::Transient,
            MiraklError::Throttled { retry_after, .. } => ErrorClass::Throttled {
                retry_after: *retry_after,
            },
            MiraklError::Client {
                status, message, ..
            } => ErrorClass::Client {
                status: *status,
                message: message.clone(),
            },
            MiraklError::Auth { .. } => ErrorClass::Auth,
            MiraklError::Decode { .. } | MiraklError::TooLarge { .. } => ErrorClass::Decode,
            MiraklError::OutcomeUnknown { .. } => ErrorClass::OutcomeUnknown,
            MiraklError::BudgetExhausted { until, wait, .. } => ErrorClass::BudgetExhausted {
                until: *until,
                wait: *wait,
            },
            MiraklError::Invalid { .. } => ErrorClass::Invalid,
        }
    }

    /// The stable code PHP sees (`crate::error::ErrorCode`, never renumbered).
    pub fn code(&self) -> ErrorCode {
        match self {
            MiraklError::Connect { .. }
            | MiraklError::Server { .. }
            | MiraklError::ReadInterrupted { .. } => ErrorCode::MiraklTransient,
            MiraklError::Throttled { .. } => ErrorCode::MiraklThrottled,
            MiraklError::Client { .. } => ErrorCode::MiraklRejected,
            MiraklError::Auth { .. } => ErrorCode::MiraklAuth,
            MiraklError::Decode { .. } | MiraklError::TooLarge { .. } => ErrorCode::MiraklDecode,
            MiraklError::OutcomeUnknown { .. } => ErrorCode::MiraklOutcomeUnknown,
            MiraklError::BudgetExhausted { .. } => ErrorCode::CallBudgetExhausted,
            // The shared budget lives in the store; a failure there is almost always a lock held
            // too long by another process, and the call can run on a later tick.
            MiraklError::BudgetUnavailable { .. } => ErrorCode::StoreBusy,
            // Settings are validated before a client exists, so a request that cannot be built
            // is a defect of the connector.
            MiraklError::Invalid { .. } => ErrorCode::Internal,
        }
    }

    pub fn api(&self) -> ApiCode {
        match self {
            MiraklError::Connect { api, .. }
            | MiraklError::Server { api, .. }
            | MiraklError::ReadInterrupted { api, .. }
            | MiraklError::Throttled { api, .. }
            | MiraklError::Client { api, .. }
            | MiraklError::Auth { api, .. }
            | MiraklError::Decode { api, .. }
            | MiraklError::OutcomeUnknown { api, .. }
            | MiraklError::BudgetExhausted { api, .. }
            | MiraklError::BudgetUnavailable { api, .. }
            | MiraklError::Invalid { api, .. }
            | MiraklError::TooLarge { api, .. } => *api,
        }
    }

    /// Whether trying the same call again later may succeed without a human.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.class(),
            ErrorClass::Transient
                | ErrorClass::Throttled { .. }
                | ErrorClass::BudgetExhausted { .. }
        )
    }

    /// Maps a transport failure, knowing whether the request was a write: a write that may
    /// have reached Mirakl becomes [`MiraklError::OutcomeUnknown`].
    pub fn from_transport(api: ApiCode, is_write: bool, error: TransportError) -> MiraklError {
        let message = error.message;
        match error.kind {
            TransportErrorKind::Connect => MiraklError::Connect { api, message },
            TransportErrorKind::Invalid => MiraklError::Invalid { api, message },
            // Whatever the answer said, the write was sent: only a read tells what happened.
            TransportErrorKind::TooLarge { .. } if is_write => {
                MiraklError::OutcomeUnknown { api, message }
            }
            TransportErrorKind::TooLarge { limit } => MiraklError::TooLarge { api, limit },
            TransportErrorKind::Malformed if is_write => {
                MiraklError::OutcomeUnknown { api, message }
            }
            TransportErrorKind::Malformed => MiraklError::Decode { api, message },
            TransportErrorKind::Timeout | TransportErrorKind::Dropped if is_write => {
                MiraklError::OutcomeUnknown { api, message }
            }
            kind @ (TransportErrorKind::Timeout | TransportErrorKind::Dropped) => {
                MiraklError::ReadInterrupted {
                    api,
                    message,
                    timed_out: kind == TransportErrorKind::Timeout,
                }
            }
        }
    }

    /// Maps an HTTP answer that is not a success. `message` is Mirakl's `message` (or the start
    /// of the body). For a write, a 5xx other than 503 may hide a half-applied change, so it
    /// is an unknown outcome; 503 and 429 mean the request was turned away before processing.
    pub fn from_status(
        api: ApiCode,
        is_write: bool,
        status: u16,
        retry_after: Option<Duration>,
        message: String,
    ) -> MiraklError {
        match status {
            401 | 403 => MiraklError::Auth {
                api,
                status,
                message,
            },
            429 => MiraklError::Throttled { api, retry_after },
            503 => MiraklError::Server {
                api,
                status,
                message,
            },
            500..=599 if is_write => MiraklError::OutcomeUnknown {
                api,
                message: format!("HTTP {status}: {message}"),
            },
            500..=599 => MiraklError::Server {
                api,
                status,
                message,
            },
            400..=499 => MiraklError::Client {
                api,
                status,
                message,
            },
            _ => MiraklError::Decode {
                api,
                message: format!("unexpected HTTP status {status}"),
            },
        }
    }
}

impl Coded for MiraklError {
    fn code(&self) -> ErrorCode {
        MiraklError::code(self)
    }
}

impl Coded for TransportError {
    /// Only [`crate::mirakl::Client::connect`] returns a bare `TransportError`: a transport that
    /// cannot be set up is a defect of this build, not of the settings (those are validated).
    fn code(&self) -> ErrorCode {
        match self.kind {
            TransportErrorKind::Invalid => ErrorCode::Internal,
            _ => ErrorCode::MiraklTransient,
        }
    }
}
