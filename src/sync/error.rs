//! Errors the engine returns to its caller (PHP or a CLI runner), each with its stable
//! [`ErrorCode`]. Failures inside a job never come out here: they go back to the queue or become
//! problems; only what stops a whole tick (the store unreadable, bad settings) does.

use crate::error::{Coded, ErrorCode};
use crate::mirakl::MiraklError;
use crate::store::StoreError;

use super::settings::SettingsError;
use super::shop::ShopError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mirakl(#[from] MiraklError),
    #[error(transparent)]
    Shop(#[from] ShopError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl Coded for SyncError {
    fn code(&self) -> ErrorCode {
        match self {
            SyncError::Store(e) => e.code(),
            SyncError::Mirakl(e) => e.code(),
            SyncError::Shop(e) => e.code(),
            SyncError::Settings(e) => e.code(),
            SyncError::InvalidArgument(_) => ErrorCode::InvalidArgument,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn engine_errors_carry_the_stable_codes() {
        let throttled = SyncError::Mirakl(MiraklError::Throttled {
            api: crate::mirakl::ApiCode::OR11,
            retry_after: Some(Duration::from_secs(5)),
        });
        assert_eq!(throttled.code(), ErrorCode::MiraklThrottled);
        let unknown = SyncError::Mirakl(MiraklError::OutcomeUnknown {
            api: crate::mirakl::ApiCode::OR28,
            message: "dropped".to_owned(),
        });
        assert_eq!(unknown.code(), ErrorCode::MiraklOutcomeUnknown);
        assert_eq!(
            SyncError::Shop(ShopError::rejected("unknown SKU")).code(),
            ErrorCode::ShopRejected
        );
        assert_eq!(
            SyncError::InvalidArgument("x".to_owned()).code(),
            ErrorCode::InvalidArgument
        );
        assert_eq!(
            SyncError::Store(StoreError::NotFound {
                what: "x".to_owned()
            })
            .code(),
            ErrorCode::Store
        );
    }
}
