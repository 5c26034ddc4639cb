//! Durable state in one SQLite file: migrations, the job queue, ledgers and problems.
//! Every PHP process opens its own [`Store`]; the file is the only shared state, so every
//! invariant (unique keys, leases, call budgets) is enforced by SQL, never by process memory.
//!
//! The public API is the methods on [`Store`]; the SQL lives in one module per area, as small
//! functions taking a `&Connection`, so another backend (MySQL) can later sit behind the same API.

mod budgets;
mod clock;
mod cursors;
mod error;
pub(crate) mod finance;
mod ledger;
mod migrations;
mod orders;
mod permissions;
mod problems;
mod queue;
mod reads;
mod refunds;
mod runner;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};

pub use clock::{Clock, ManualClock, SystemClock};
pub use cursors::Cursor;
pub use error::StoreError;
pub use finance::{
    FinanceBillingCycle, FinanceDocument, FinanceExpectedOrder, FinanceLedgerLine,
    FinanceOpeningSum, FinanceOrderSum, FinancePayment, FinancePaymentQuery, FinancePeriodRow,
    FinanceSettledSum, FinanceTransaction, FinanceTransfer, FinanceTypeTotal, ImportStateChange,
    SettledBy, UpsertCounts,
};
pub use ledger::{DirtySku, SkuLedgerEntry, SkuPush};
pub use migrations::SCHEMA_VERSION;
pub use orders::OrderMapping;
pub use problems::{NewProblem, ProblemFilter, ProblemRecord, ProblemState, Resolution, Severity};
pub use queue::{
    Backoff, Dedupe, EnqueueOutcome, Enqueued, Failed, Failure, Finished, Job, JobState, KindStats,
    NewJob, QueueStats, DEFAULT_MAX_ATTEMPTS, LEASE_EXPIRED_MESSAGE,
};
pub use reads::{OrderReadRequest, OrderSnapshot};
pub use refunds::RefundRecord;
pub use runner::RunnerLease;

/// How long a statement waits for another process's write lock before giving up. PHP requests
/// are short, so a few seconds covers any real contention without hanging a shopper's page.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Enough prepared-statement slots for every statement the store issues.
const STATEMENT_CACHE_CAPACITY: usize = 64;

/// A handle on the store file, one per process (or per thread). Cheap to open; not `Sync`.
pub struct Store {
    conn: Connection,
    clock: Arc<dyn Clock>,
    backoff: Backoff,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path` with the system clock and migrates it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with_clock(path, Arc::new(SystemClock))
    }

    /// As [`Store::open`], with an injected clock (tests, simulations).
    pub fn open_with_clock(path: &Path, clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        permissions::restrict(path);
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| StoreError::from_open(path, e))?;
        // SQLite silently falls back to read-only on a write-protected file; say so now
        // rather than on the first enqueue inside a shopper's request.
        if conn
            .is_readonly(rusqlite::MAIN_DB)
            .map_err(|e| StoreError::from_open(path, e))?
        {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
            });
        }
        configure(&conn, true).map_err(|e| StoreError::from_open(path, e))?;
        migrations::migrate(&conn, Some(path))?;
        Ok(Store {
            conn,
            clock,
            backoff: Backoff::default(),
            path: Some(path.to_path_buf()),
        })
    }

    /// A private in-memory store (tests), with the system clock.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::open_in_memory_with_clock(Arc::new(SystemClock))
    }

    /// A private in-memory store with an injected clock.
    pub fn open_in_memory_with_clock(clock: Arc<dyn Clock>) -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory().map_err(StoreError::Sqlite)?;
        configure(&conn, false)?;
        migrations::migrate(&conn, None)?;
        Ok(Store {
            conn,
            clock,
            backoff: Backoff::default(),
            path: None,
        })
    }

    /// Replaces the retry backoff policy used by [`Store::fail`].
    pub fn with_backoff(mut self, backoff: Backoff) -> Store {
        self.backoff = backoff;
        self
    }

    /// The file this store was opened from (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(migrations::user_version(&self.conn)?)
    }

    /// `PRAGMA integrity_check`: `Ok(())` when the file is sound, else the reported problems.
    pub fn integrity_check(&self) -> Result<Result<(), Vec<String>>, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        if rows.len() == 1 && rows[0] == "ok" {
            Ok(Ok(()))
        } else {
            Ok(Err(rows))
        }
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }
}

/// Connection settings that are not schema: they are set on every open, outside migrations.
fn configure(conn: &Connection, file_backed: bool) -> rusqlite::Result<()> {
    // The busy timeout goes first: switching to WAL itself needs a lock another process may hold.
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Every store statement is cached; the default 16 would evict hot queue statements.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    if file_backed {
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(format!("journal_mode is {mode}: WAL was refused")),
            ));
        }
    }
    // NORMAL is durable across process crashes in WAL mode; only an OS crash may lose the
    // last transactions, never corrupt the file.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// Runs `f` inside `BEGIN IMMEDIATE`: the write lock is taken up front (waiting through the busy
/// timeout), so a read-then-write sequence can never fail half-way on a stale snapshot. The
/// transaction is an [`Immediate`] guard: an error, or a panic unwinding out of `f`, rolls it
/// back, so the process never keeps the file's write lock after `f` is gone.
fn immediate<T, E>(conn: &Connection, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E>
where
    E: From<rusqlite::Error>,
{
    let tx = Immediate::begin(conn)?;
    let value = f(conn)?;
    tx.commit()?;
    Ok(value)
}

/// An open `BEGIN IMMEDIATE` transaction that rolls back when dropped uncommitted (an early
/// return, an error, or unwinding from a panic). The only way the store opens a transaction.
struct Immediate<'c> {
    conn: &'c Connection,
    open: bool,
}

impl<'c> Immediate<'c> {
    fn begin(conn: &'c Connection) -> rusqlite::Result<Immediate<'c>> {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(Immediate { conn, open: true })
    }

    /// Commits; on failure the guard still rolls back (dropped with `open` set).
    fn commit(mut self) -> rusqlite::Result<()> {
        self.conn.execute_batch("COMMIT")?;
        self.open = false;
        Ok(())
    }
}

impl Drop for Immediate<'_> {
    fn drop(&mut self) {
        if self.open && !self.conn.is_autocommit() {
            // The error that matters is the caller's; a failed rollback leaves SQLite to roll
            // back on close.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// Unix milliseconds to a UTC time (out-of-range values clamp rather than panic).
pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

pub(crate) fn opt_from_ms(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.map(from_ms)
}

pub(crate) fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub(crate) use crate::vocab::text_enum;

/// Decodes a JSON text column; a value that is not JSON is reported, not panicked on.
pub(crate) fn json_column(
    row: &rusqlite::Row<'_>,
    index: usize,
) -> rusqlite::Result<Option<serde_json::Value>> {
    let text: Option<String> = row.get(index)?;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(
                index,
                rusqlite::types::Type::Text,
                Box::new(e),
            )
        })
    })
    .transpose()
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use chrono::TimeZone;

    /// An in-memory store on a manual clock set to a fixed, readable instant.
    pub fn store() -> (Store, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap(),
        ));
        let store = Store::open_in_memory_with_clock(clock.clone()).unwrap();
        (store, clock)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two connections on one file, the second one not waiting for locks at all.
    fn file_pair() -> (tempfile::TempDir, Store, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let store = Store::open(&path).unwrap();
        let other = Connection::open(&path).unwrap();
        other.busy_timeout(Duration::ZERO).unwrap();
        (dir, store, other)
    }

    fn cursor_count(conn: &Connection) -> i64 {
        conn.query_row("SELECT count(*) FROM sync_cursors", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_panic_inside_a_transaction_rolls_it_back_and_frees_the_file() {
        let (_dir, store, other) = file_pair();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = immediate(&store.conn, |conn| -> Result<(), StoreError> {
                conn.execute(
                    "INSERT INTO sync_cursors (name, value, updated_at) VALUES ('x', 'y', 0)",
                    [],
                )?;
                panic!("overflow inside the transaction");
            });
        }));
        assert!(outcome.is_err());
        assert!(store.conn.is_autocommit(), "the transaction is closed");
        // Another process writes at once: no "database is locked".
        other
            .execute(
                "INSERT INTO sync_cursors (name, value, updated_at) VALUES ('z', 'w', 0)",
                [],
            )
            .unwrap();
        assert_eq!(
            cursor_count(&other),
            1,
            "the panicked write was rolled back"
        );
        // The store's own connection goes on working.
        store.set_cursor("after", "1").unwrap();
        assert_eq!(cursor_count(&other), 2);
    }

    #[test]
    fn an_error_inside_a_transaction_rolls_it_back() {
        let (_dir, store, other) = file_pair();
        let result = immediate(&store.conn, |conn| -> Result<(), StoreError> {
            conn.execute(
                "INSERT INTO sync_cursors (name, value, updated_at) VALUES ('x', 'y', 0)",
                [],
            )?;
            Err(StoreError::LeaseLost { job_id: 1 })
        });
        assert!(matches!(result, Err(StoreError::LeaseLost { .. })));
        assert!(store.conn.is_autocommit());
        assert_eq!(cursor_count(&other), 0);
        immediate(&store.conn, |conn| -> Result<(), StoreError> {
            conn.execute(
                "INSERT INTO sync_cursors (name, value, updated_at) VALUES ('x', 'y', 0)",
                [],
            )?;
            Ok(())
        })
        .unwrap();
        assert_eq!(cursor_count(&other), 1, "committed");
    }
}
