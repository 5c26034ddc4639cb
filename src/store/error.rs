//! Errors of the store. Anything about opening the file names the file, so the admin notice a
//! PHP worker shows says which path to fix; nothing here panics.

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file or its directory cannot be opened or created (missing directory, permissions).
    #[error("cannot open the store {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The file exists but cannot be written.
    #[error("the store {} is read-only; the web server user must be able to write it and its directory", path.display())]
    ReadOnly { path: PathBuf },
    /// The file is not a SQLite database, or is damaged.
    #[error("the store {} is not a valid SQLite database (corrupt or another kind of file): {source}", path.display())]
    Corrupt {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The file was written by a newer version of the connector.
    #[error("the store {} has schema version {found}, newer than this connector supports ({supported}); upgrade the connector", path.display())]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// A migration failed; the database stays at the last version that applied.
    #[error("migration {version} failed on the store {}: {source}", path.display())]
    Migration {
        path: PathBuf,
        version: i64,
        #[source]
        source: rusqlite::Error,
    },
    /// The job's lease is no longer held (it expired and was recovered, or the job finished).
    #[error("job {job_id}: lease lost")]
    LeaseLost { job_id: i64 },
    /// The row the operation names does not exist.
    #[error("{what} not found")]
    NotFound { what: String },
    /// The problem has no job to re-queue, or its job is running.
    #[error("problem {problem_id} cannot be retried: {reason}")]
    NotRetryable { problem_id: i64, reason: String },
    /// A value stored in a column could not be decoded (e.g. a payload that is not JSON).
    #[error("bad stored data: {0}")]
    Data(String),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// Classifies an error met while opening `path`.
    pub(crate) fn from_open(path: &Path, source: rusqlite::Error) -> StoreError {
        let path = path.to_path_buf();
        match source.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
                StoreError::Corrupt { path, source }
            }
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path },
            _ => StoreError::Open { path, source },
        }
    }

    /// Whether trying again later may succeed (lock contention), as opposed to a permanent fault.
    pub fn is_transient(&self) -> bool {
        let source = match self {
            StoreError::Sqlite(e) | StoreError::Open { source: e, .. } => e,
            _ => return false,
        };
        is_busy(source)
    }
}

/// Whether SQLite gave up waiting for another process's lock (worth retrying).
fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked)
    )
}

impl crate::error::Coded for StoreError {
    fn code(&self) -> crate::error::ErrorCode {
        if self.is_transient() {
            crate::error::ErrorCode::StoreBusy
        } else {
            crate::error::ErrorCode::Store
        }
    }
}
