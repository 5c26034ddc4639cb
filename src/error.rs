//! Stable error codes shared by every error that can reach PHP, and the panic guard.
//!
//! Each core error type maps to one [`ErrorCode`]; `src/php` turns the code into a typed PHP
//! exception whose class constants mirror these numbers. Codes are part of the plugin's contract:
//! never renumber one, only add.

use std::any::Any;
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

/// A stable, numbered classification of a failure, the same on both sides of the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum ErrorCode {
    /// A bug in the connector: a caught panic or a broken invariant.
    Internal = 1,
    /// Connection or sync settings failed validation; the message names the field.
    InvalidSettings = 100,
    /// An argument passed from PHP had the wrong shape.
    InvalidArgument = 101,
    /// The state file could not be opened, migrated, read or written.
    Store = 200,
    /// The state file was locked by another process for longer than the busy timeout.
    StoreBusy = 201,
    /// Mirakl could not be reached or answered 5xx.
    MiraklTransient = 300,
    /// Mirakl answered 429 Too Many Requests.
    MiraklThrottled = 301,
    /// Mirakl rejected the request (4xx other than auth): the message is Mirakl's.
    MiraklRejected = 302,
    /// Mirakl refused the API key (401/403).
    MiraklAuth = 303,
    /// Mirakl's answer could not be understood.
    MiraklDecode = 304,
    /// A write may or may not have been applied by Mirakl; reconcile before retrying.
    MiraklOutcomeUnknown = 305,
    /// The call would exceed Mirakl's documented call frequency; it may run later.
    CallBudgetExhausted = 306,
    /// The shop refused an operation and a human must look (unknown SKU, invalid address).
    ShopRejected = 400,
    /// The shop failed in a way that a retry may fix.
    ShopTransient = 401,
}

impl ErrorCode {
    /// Every code, for tables and for the PHP class constants.
    pub const ALL: [ErrorCode; 14] = [
        ErrorCode::Internal,
        ErrorCode::InvalidSettings,
        ErrorCode::InvalidArgument,
        ErrorCode::Store,
        ErrorCode::StoreBusy,
        ErrorCode::MiraklTransient,
        ErrorCode::MiraklThrottled,
        ErrorCode::MiraklRejected,
        ErrorCode::MiraklAuth,
        ErrorCode::MiraklDecode,
        ErrorCode::MiraklOutcomeUnknown,
        ErrorCode::CallBudgetExhausted,
        ErrorCode::ShopRejected,
        ErrorCode::ShopTransient,
    ];

    pub fn as_i32(self) -> i32 {
        self as i32
    }

    /// The constant name PHP sees, e.g. `NativeException::INVALID_SETTINGS`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::InvalidSettings => "INVALID_SETTINGS",
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::Store => "STORE",
            ErrorCode::StoreBusy => "STORE_BUSY",
            ErrorCode::MiraklTransient => "MIRAKL_TRANSIENT",
            ErrorCode::MiraklThrottled => "MIRAKL_THROTTLED",
            ErrorCode::MiraklRejected => "MIRAKL_REJECTED",
            ErrorCode::MiraklAuth => "MIRAKL_AUTH",
            ErrorCode::MiraklDecode => "MIRAKL_DECODE",
            ErrorCode::MiraklOutcomeUnknown => "MIRAKL_OUTCOME_UNKNOWN",
            ErrorCode::CallBudgetExhausted => "CALL_BUDGET_EXHAUSTED",
            ErrorCode::ShopRejected => "SHOP_REJECTED",
            ErrorCode::ShopTransient => "SHOP_TRANSIENT",
        }
    }

    /// Whether trying the same thing again later may succeed without a human.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorCode::StoreBusy
                | ErrorCode::MiraklTransient
                | ErrorCode::MiraklThrottled
                | ErrorCode::CallBudgetExhausted
                | ErrorCode::ShopTransient
        )
    }
}

/// An error that knows its stable code. Every error type that can reach PHP implements it.
pub trait Coded: std::error::Error {
    fn code(&self) -> ErrorCode;
}

/// What an exported call returns on failure: a code and a message safe to show an administrator
/// (never a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExportError {
    pub code: ErrorCode,
    pub message: String,
}

impl ExportError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ExportError {
            code,
            message: message.into(),
        }
    }

    pub fn from_coded<E: Coded>(error: &E) -> Self {
        ExportError::new(error.code(), error.to_string())
    }
}

impl<E: Coded> From<E> for ExportError {
    fn from(error: E) -> Self {
        ExportError::from_coded(&error)
    }
}

thread_local! {
    /// Set while a guarded call runs on this thread: its panics are recorded, not printed.
    static GUARDED_PANIC: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

static QUIET_PANIC_HOOK: Once = Once::new();

/// Runs `f`, turning a panic into an [`ErrorCode::Internal`] error instead of unwinding into the
/// caller (see [`catch_panic`] for how the message is kept).
pub fn guard<T>(f: impl FnOnce() -> Result<T, ExportError>) -> Result<T, ExportError> {
    match catch_panic(f) {
        Ok(result) => result,
        Err(caught) => Err(ExportError::new(
            ErrorCode::Internal,
            format!(
                "internal error in the connector core ({}); please report it",
                caught.message
            ),
        )),
    }
}

/// A panic caught by [`catch_panic`]: its text with the place it happened, and its payload (to
/// resume unwinding with, for a caller that only handles some panics).
pub struct CaughtPanic {
    pub message: String,
    pub payload: Box<dyn Any + Send>,
}

impl std::fmt::Debug for CaughtPanic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaughtPanic")
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

/// Runs `f`; a panic inside it is caught and returned with its message and location. While `f`
/// runs the panic is recorded, not printed (the default hook would write it to the web server's
/// stderr, where nobody looks); panics elsewhere still reach the previous hook. Calls nest.
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, CaughtPanic> {
    QUIET_PANIC_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let location = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let recorded = GUARDED_PANIC.with(|slot| match slot.borrow_mut().as_mut() {
                Some(message) => {
                    *message = Some(format!("{}{location}", panic_text(info.payload())));
                    true
                }
                None => false,
            });
            if !recorded {
                previous(info);
            }
        }));
    });
    let outer = GUARDED_PANIC.with(|slot| slot.borrow_mut().replace(None));
    let outcome = panic::catch_unwind(AssertUnwindSafe(f));
    let recorded = GUARDED_PANIC.with(|slot| std::mem::replace(&mut *slot.borrow_mut(), outer));
    outcome.map_err(|payload| CaughtPanic {
        message: recorded
            .flatten()
            .unwrap_or_else(|| panic_text(payload.as_ref())),
        payload,
    })
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "non-text panic payload".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_named() {
        let mut numbers: Vec<i32> = ErrorCode::ALL.iter().map(|c| c.as_i32()).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), ErrorCode::ALL.len());
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn transient_codes_are_the_retryable_ones() {
        assert!(ErrorCode::MiraklThrottled.is_transient());
        assert!(ErrorCode::StoreBusy.is_transient());
        assert!(!ErrorCode::InvalidSettings.is_transient());
        assert!(
            !ErrorCode::MiraklOutcomeUnknown.is_transient(),
            "must reconcile, not retry"
        );
        assert!(!ErrorCode::MiraklAuth.is_transient());
    }

    #[test]
    fn guard_passes_results_through() {
        assert_eq!(guard(|| Ok(7)), Ok(7));
        let err = guard::<()>(|| Err(ExportError::new(ErrorCode::Store, "disk full")));
        assert_eq!(err.unwrap_err().code, ErrorCode::Store);
    }

    #[test]
    fn guard_turns_a_panic_into_an_internal_error() {
        let err = guard::<()>(|| panic!("index out of range")).unwrap_err();
        assert_eq!(err.code, ErrorCode::Internal);
        assert!(
            err.message.contains("index out of range"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("error.rs"),
            "location kept: {}",
            err.message
        );
        // The thread stays usable and the next call is unaffected.
        assert_eq!(guard(|| Ok(1)), Ok(1));
    }

    #[test]
    fn catch_panic_nests_and_keeps_the_inner_message() {
        let outer = catch_panic(|| {
            let inner = catch_panic(|| -> u8 { panic!("inner boom") });
            assert!(inner.unwrap_err().message.contains("inner boom"));
            panic!("outer boom")
        });
        let message = outer.unwrap_err().message;
        assert!(message.contains("outer boom"), "{message}");
        assert_eq!(catch_panic(|| 3).unwrap(), 3);
    }

    #[test]
    fn guard_reports_non_text_payloads() {
        let err = guard::<()>(|| std::panic::panic_any(42_u8)).unwrap_err();
        assert!(
            err.message.contains("non-text panic payload"),
            "{}",
            err.message
        );
    }
}
