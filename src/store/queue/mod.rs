//! The durable job queue. A job is unique on (kind, key) for its whole life; a job runs only under
//! a lease (random token + expiry) and every state change out of `leased` checks that token in
//! the SQL, so a worker whose lease was recovered can never finish or fail someone else's run.
//! A payload enqueued while its job runs is parked in `pending_payload` and runs next: last write wins.
//!
//! One file per write operation: `enqueue`, `claim`, `finish` (and release), `fail` (with the
//! backoff policy), `recover` (expired leases, an admin's retry, purge), plus `read` and `stats`.

mod claim;
mod enqueue;
mod fail;
mod finish;
mod read;
mod recover;
mod stats;

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::Row;
use serde_json::Value;

use super::{from_ms, json_column, opt_from_ms, text_enum, StoreError};

pub(crate) use claim::claim;
pub(crate) use enqueue::enqueue;
pub(crate) use fail::fail;
pub use fail::{Backoff, Failed, Failure};
pub use finish::Finished;
pub(crate) use finish::{finish, release};
pub(crate) use read::{find, get, list};
pub use recover::LEASE_EXPIRED_MESSAGE;
pub(crate) use recover::{
    list_done_before, purge_done_before, purge_payloads_before, recover_expired, requeue,
};
pub(crate) use stats::stats;
pub use stats::{KindStats, QueueStats};

text_enum! {
    /// Where a job is in its life.
    JobState {
        /// Waiting for `run_at`, then for a worker.
        Pending => "pending",
        /// Claimed by a worker until its lease expires.
        Leased => "leased",
        /// Finished successfully.
        Done => "done",
        /// Failed its last attempt; a problem row points at it.
        Dead => "dead",
    }
}

/// What enqueueing an existing (kind, key) does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dedupe {
    /// The newer payload wins: a waiting job takes it, a running job runs again with it
    /// afterwards, a done or dead job is queued again (stock, offers: last write wins).
    #[default]
    Coalesce,
    /// The first enqueue wins and later ones change nothing, even after the job is done
    /// (refunds, shipments: exactly once per business id).
    KeepExisting,
}

/// A job to enqueue. `run_at` defaults to now; higher `priority` runs first.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub kind: String,
    pub key: String,
    pub payload: Value,
    pub priority: i32,
    pub run_at: Option<DateTime<Utc>>,
    pub max_attempts: u32,
    pub dedupe: Dedupe,
}

/// Attempts before a job is dead when the caller does not say.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;

impl NewJob {
    pub fn new(kind: impl Into<String>, key: impl Into<String>, payload: Value) -> NewJob {
        NewJob {
            kind: kind.into(),
            key: key.into(),
            payload,
            priority: 0,
            run_at: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            dedupe: Dedupe::Coalesce,
        }
    }

    pub fn priority(mut self, priority: i32) -> NewJob {
        self.priority = priority;
        self
    }

    pub fn run_at(mut self, run_at: DateTime<Utc>) -> NewJob {
        self.run_at = Some(run_at);
        self
    }

    pub fn max_attempts(mut self, max_attempts: u32) -> NewJob {
        self.max_attempts = max_attempts.max(1);
        self
    }

    pub fn keep_existing(mut self) -> NewJob {
        self.dedupe = Dedupe::KeepExisting;
        self
    }
}

/// What an enqueue did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnqueueOutcome {
    /// A new job row.
    Inserted,
    /// An existing waiting, done or dead job now carries the new payload and waits to run.
    Coalesced,
    /// The job is running; the new payload runs after the current attempt ends.
    QueuedBehindLease,
    /// `Dedupe::KeepExisting` and the job already exists: nothing changed.
    AlreadyQueued,
    /// The job was parked by a panic (an open `job_panicked` problem) and the payload is the
    /// same: it stays parked until a person retries it, rather than panicking on every poll.
    Parked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enqueued {
    pub id: i64,
    pub outcome: EnqueueOutcome,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub key: String,
    pub payload: Value,
    pub priority: i32,
    pub state: JobState,
    /// Failed attempts so far (a lease that expired counts as one).
    pub attempts: u32,
    pub max_attempts: u32,
    pub run_at: DateTime<Utc>,
    /// The lease token, while leased: pass it back to finish, fail or release.
    pub lease: Option<String>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// A newer payload is waiting to run after this attempt (the worker may cut its work short).
    pub superseded: bool,
    pub enqueue_count: u32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

const JOB_COLUMNS: &str = "id, kind, key, payload, priority, state, attempts, max_attempts, \
    run_at, lease, lease_expires_at, pending_payload IS NOT NULL, enqueue_count, last_error, \
    created_at, updated_at, finished_at";

fn job_from_row(row: &Row<'_>) -> rusqlite::Result<Job> {
    Ok(Job {
        id: row.get(0)?,
        kind: row.get(1)?,
        key: row.get(2)?,
        payload: json_column(row, 3)?.unwrap_or(Value::Null),
        priority: row.get(4)?,
        state: row.get(5)?,
        attempts: row.get(6)?,
        max_attempts: row.get(7)?,
        run_at: from_ms(row.get(8)?),
        lease: row.get(9)?,
        lease_expires_at: opt_from_ms(row.get(10)?),
        superseded: row.get(11)?,
        enqueue_count: row.get(12)?,
        last_error: row.get(13)?,
        created_at: from_ms(row.get(14)?),
        updated_at: from_ms(row.get(15)?),
        finished_at: opt_from_ms(row.get(16)?),
    })
}

fn payload_text(payload: &Value) -> Result<String, StoreError> {
    serde_json::to_string(payload).map_err(|e| StoreError::Data(format!("payload: {e}")))
}

impl super::Store {
    /// Enqueues a job, idempotently on (kind, key); see [`Dedupe`] for what a repeat does.
    pub fn enqueue(&self, job: &NewJob) -> Result<Enqueued, StoreError> {
        enqueue(&self.conn, job, self.now_ms())
    }

    /// Leases up to `limit` due jobs of `kinds` (all kinds when empty) for `lease_for`.
    pub fn claim(
        &self,
        kinds: &[&str],
        limit: u32,
        lease_for: Duration,
    ) -> Result<Vec<Job>, StoreError> {
        claim(
            &self.conn,
            kinds,
            limit,
            self.now_ms(),
            super::duration_ms(lease_for),
        )
    }

    /// The job succeeded. `Err(LeaseLost)` if this worker no longer holds it.
    pub fn finish(&self, job_id: i64, lease: &str) -> Result<Finished, StoreError> {
        finish(&self.conn, job_id, lease, self.now_ms())
    }

    /// The attempt failed: retry after backoff, or dead (with a problem) after the last one.
    pub fn fail(&self, job_id: i64, lease: &str, failure: &Failure) -> Result<Failed, StoreError> {
        let now = self.now_ms();
        super::immediate(&self.conn, |conn| {
            fail(
                conn,
                job_id,
                lease,
                failure,
                now,
                &self.backoff,
                &mut rand::thread_rng(),
            )
        })
    }

    /// Gives the job back unattempted, to run at `run_at` (now when `None`).
    pub fn release(
        &self,
        job_id: i64,
        lease: &str,
        run_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        release(
            &self.conn,
            job_id,
            lease,
            run_at.map(|t| t.timestamp_millis()),
            self.now_ms(),
        )
    }

    /// Returns jobs whose lease expired to the queue, each counted as a failed attempt.
    /// The runner calls this at the start of each tick.
    pub fn recover_expired_leases(&self) -> Result<usize, StoreError> {
        let now = self.now_ms();
        super::immediate(&self.conn, |conn| {
            recover_expired(conn, now, &self.backoff, &mut rand::thread_rng())
        })
    }

    pub fn job(&self, job_id: i64) -> Result<Option<Job>, StoreError> {
        get(&self.conn, job_id)
    }

    pub fn find_job(&self, kind: &str, key: &str) -> Result<Option<Job>, StoreError> {
        find(&self.conn, kind, key)
    }

    /// Jobs in `state` and of `kind` (each when given), most recently changed first.
    pub fn list_jobs(
        &self,
        state: Option<JobState>,
        kind: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Job>, StoreError> {
        list(&self.conn, state, kind, limit, offset)
    }

    /// The earliest time a pending job of `kinds` may run (one `MIN(run_at)` query).
    pub fn next_run_at(&self, kinds: &[&str]) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(read::next_run_at(&self.conn, kinds)?.map(super::from_ms))
    }

    /// When the oldest pending or leased job of `kinds` was queued.
    pub fn oldest_waiting_job(&self, kinds: &[&str]) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(read::oldest_waiting(&self.conn, kinds)?.map(super::from_ms))
    }

    /// Makes the pending jobs among `ids` due now; returns how many moved.
    pub fn wake_jobs(&self, ids: &[i64]) -> Result<usize, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        read::wake(&self.conn, ids, self.now_ms())
    }

    pub fn queue_stats(&self) -> Result<QueueStats, StoreError> {
        stats(&self.conn, self.now_ms())
    }

    /// Done jobs that finished more than `age` ago, oldest first.
    pub fn list_done_older_than(&self, age: Duration, limit: u32) -> Result<Vec<Job>, StoreError> {
        list_done_before(&self.conn, self.cutoff(age), limit)
    }

    /// Deletes done jobs that finished more than `age` ago; returns how many.
    pub fn purge_done_older_than(&self, age: Duration) -> Result<usize, StoreError> {
        purge_done_before(&self.conn, self.cutoff(age))
    }

    /// Blanks the payloads of at most `limit` jobs that finished more than `age` ago (done
    /// jobs, and dead ones no open problem points at); returns how many.
    pub fn purge_job_payloads_older_than(
        &self,
        age: Duration,
        limit: u32,
    ) -> Result<usize, StoreError> {
        purge_payloads_before(&self.conn, self.cutoff(age), limit)
    }

    /// The store time `age` ago, in milliseconds (the purges' cutoff).
    pub(crate) fn cutoff(&self, age: Duration) -> i64 {
        self.now_ms().saturating_sub(super::duration_ms(age))
    }
}

#[cfg(test)]
mod tests;
