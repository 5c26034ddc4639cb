//! The PHP exception hierarchy: every error from the core is a `NativeException` subclass whose
//! code is one of the stable [`ErrorCode`] numbers, mirrored as class constants.

use ext_php_rs::class::RegisteredClass;
use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::ce;

use crate::error::{ErrorCode, ExportError};

/// Base class of every exception the extension throws.
#[php_class]
#[php(name = "MiraklConnector\\Native\\NativeException")]
#[php(extends(ce = ce::exception, stub = "\\Exception"))]
#[derive(Default)]
pub struct NativeException;

#[php_impl]
impl NativeException {
    const INTERNAL: i64 = ErrorCode::Internal as i64;
    const INVALID_SETTINGS: i64 = ErrorCode::InvalidSettings as i64;
    const INVALID_ARGUMENT: i64 = ErrorCode::InvalidArgument as i64;
    const STORE: i64 = ErrorCode::Store as i64;
    const STORE_BUSY: i64 = ErrorCode::StoreBusy as i64;
    const MIRAKL_TRANSIENT: i64 = ErrorCode::MiraklTransient as i64;
    const MIRAKL_THROTTLED: i64 = ErrorCode::MiraklThrottled as i64;
    const MIRAKL_REJECTED: i64 = ErrorCode::MiraklRejected as i64;
    const MIRAKL_AUTH: i64 = ErrorCode::MiraklAuth as i64;
    const MIRAKL_DECODE: i64 = ErrorCode::MiraklDecode as i64;
    const MIRAKL_OUTCOME_UNKNOWN: i64 = ErrorCode::MiraklOutcomeUnknown as i64;
    const CALL_BUDGET_EXHAUSTED: i64 = ErrorCode::CallBudgetExhausted as i64;
    const SHOP_REJECTED: i64 = ErrorCode::ShopRejected as i64;
    const SHOP_TRANSIENT: i64 = ErrorCode::ShopTransient as i64;
}

/// Settings or arguments failed validation; the message names the field.
#[php_class]
#[php(name = "MiraklConnector\\Native\\SettingsException")]
#[php(extends(NativeException))]
#[derive(Default)]
pub struct SettingsException;

/// The state file could not be opened, read or written.
#[php_class]
#[php(name = "MiraklConnector\\Native\\StoreException")]
#[php(extends(NativeException))]
#[derive(Default)]
pub struct StoreException;

/// A Mirakl API call failed; the code tells whether it is worth retrying.
#[php_class]
#[php(name = "MiraklConnector\\Native\\MiraklException")]
#[php(extends(NativeException))]
#[derive(Default)]
pub struct MiraklException;

/// An operation the engine asked of the shop failed.
#[php_class]
#[php(name = "MiraklConnector\\Native\\ShopException")]
#[php(extends(NativeException))]
#[derive(Default)]
pub struct ShopException;

/// A bug in the connector core (a caught panic): report it.
#[php_class]
#[php(name = "MiraklConnector\\Native\\InternalException")]
#[php(extends(NativeException))]
#[derive(Default)]
pub struct InternalException;

/// Maps a core error to the exception class of its code family, keeping the code and message.
pub fn to_php_exception(error: ExportError) -> PhpException {
    let code = error.code.as_i32();
    let class = match error.code {
        ErrorCode::Internal => InternalException::get_metadata().ce(),
        ErrorCode::InvalidSettings | ErrorCode::InvalidArgument => {
            SettingsException::get_metadata().ce()
        }
        ErrorCode::Store | ErrorCode::StoreBusy => StoreException::get_metadata().ce(),
        ErrorCode::MiraklTransient
        | ErrorCode::MiraklThrottled
        | ErrorCode::MiraklRejected
        | ErrorCode::MiraklAuth
        | ErrorCode::MiraklDecode
        | ErrorCode::MiraklOutcomeUnknown
        | ErrorCode::CallBudgetExhausted => MiraklException::get_metadata().ce(),
        ErrorCode::ShopRejected | ErrorCode::ShopTransient => ShopException::get_metadata().ce(),
    };
    PhpException::new(exception_message(&error.message), code, class)
}

/// A message PHP can carry: Zend builds exception messages from C strings, so a NUL byte (from a
/// Mirakl message, say) would make the exception itself fail and surface as a plain `\Error`.
/// Each NUL becomes U+FFFD, the replacement character.
pub fn exception_message(message: &str) -> String {
    message.replace('\0', "\u{FFFD}")
}
