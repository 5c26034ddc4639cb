//! The durable job queue. A job is unique on (kind, key) for its whole life; a job runs only under
//! a lease (random token + expiry) and every state change out of `leased` checks that token in
//! the SQL, so a worker whose lease was recovered can never finish or fail someone else's run.
//! A payload enqueued while its job runs is parked in `pending_payload` and runs next: last write wins.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::Value;

use super::problems::{self, NewProblem, Severity};
use super::{from_ms, json_column, opt_from_ms, text_enum, StoreError};

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

/// Enqueues `job` at `now` (unix ms). Idempotent on (kind, key) through the unique index.
pub(crate) fn enqueue(conn: &Connection, job: &NewJob, now: i64) -> Result<Enqueued, StoreError> {
    let payload = payload_text(&job.payload)?;
    let run_at = job.run_at.map_or(now, |t| t.timestamp_millis());
    let max_attempts = job.max_attempts.max(1);
    let values = params![
        job.kind,
        job.key,
        payload,
        job.priority,
        max_attempts,
        run_at,
        now
    ];
    match job.dedupe {
        Dedupe::Coalesce => enqueue_coalesce(conn, values),
        Dedupe::KeepExisting => enqueue_keep_existing(conn, job, values),
    }
}

/// `values`: kind, key, payload, priority, max_attempts, run_at, now.
type JobValues<'a> = &'a [&'a dyn rusqlite::ToSql];

fn enqueue_coalesce(conn: &Connection, values: JobValues<'_>) -> Result<Enqueued, StoreError> {
    // Every right-hand side below reads the row as it was before this update (SQLite semantics).
    // A job in backoff keeps its later run_at: a burst of stock changes must not defeat backoff.
    let mut stmt = conn.prepare_cached(
        "INSERT INTO jobs (kind, key, payload, priority, max_attempts, run_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (kind, key) DO UPDATE SET
            enqueue_count    = enqueue_count + 1,
            updated_at       = excluded.updated_at,
            max_attempts     = excluded.max_attempts,
            pending_payload  = CASE WHEN state = 'leased' THEN excluded.payload END,
            pending_priority = CASE WHEN state = 'leased' THEN excluded.priority END,
            pending_run_at   = CASE WHEN state = 'leased' THEN excluded.run_at END,
            payload  = CASE WHEN state = 'leased' THEN payload ELSE excluded.payload END,
            priority = CASE WHEN state = 'leased' THEN priority ELSE excluded.priority END,
            run_at   = CASE WHEN state = 'leased' THEN run_at
                            WHEN state = 'pending' AND attempts > 0
                                 THEN max(run_at, excluded.run_at)
                            ELSE excluded.run_at END,
            attempts    = CASE WHEN state IN ('done', 'dead') THEN 0 ELSE attempts END,
            last_error  = CASE WHEN state IN ('done', 'dead') THEN NULL ELSE last_error END,
            finished_at = NULL,
            state       = CASE WHEN state = 'leased' THEN 'leased' ELSE 'pending' END
         RETURNING id, enqueue_count, state",
    )?;
    let (id, count, state) = stmt.query_row(values, |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, JobState>(2)?,
        ))
    })?;
    let outcome = if count == 1 {
        EnqueueOutcome::Inserted
    } else if state == JobState::Leased {
        EnqueueOutcome::QueuedBehindLease
    } else {
        EnqueueOutcome::Coalesced
    };
    Ok(Enqueued { id, outcome })
}

fn enqueue_keep_existing(
    conn: &Connection,
    job: &NewJob,
    values: JobValues<'_>,
) -> Result<Enqueued, StoreError> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO jobs (kind, key, payload, priority, max_attempts, run_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (kind, key) DO NOTHING
         RETURNING id",
    )?;
    // The row that blocked the insert may be purged before we read it; then insert again.
    for _ in 0..3 {
        let inserted: Option<i64> = insert.query_row(values, |row| row.get(0)).optional()?;
        if let Some(id) = inserted {
            return Ok(Enqueued {
                id,
                outcome: EnqueueOutcome::Inserted,
            });
        }
        if let Some(existing) = find_id(conn, &job.kind, &job.key)? {
            return Ok(Enqueued {
                id: existing,
                outcome: EnqueueOutcome::AlreadyQueued,
            });
        }
    }
    Err(StoreError::Data(format!(
        "job ({}, {}) vanished while enqueueing",
        job.kind, job.key
    )))
}

fn find_id(conn: &Connection, kind: &str, key: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM jobs WHERE kind = ?1 AND key = ?2")?
        .query_row(params![kind, key], |row| row.get(0))
        .optional()
}

/// Leases up to `limit` due jobs (of `kinds`, or any kind when empty), most urgent first:
/// priority descending, then run_at, then id. One statement, so two processes never get one job.
pub(crate) fn claim(
    conn: &Connection,
    kinds: &[&str],
    limit: u32,
    now: i64,
    lease_ms: i64,
) -> Result<Vec<Job>, StoreError> {
    let expires = now.saturating_add(lease_ms.max(1));
    // Both forms walk the pending-only index in claim order; left to itself the planner would
    // take the (kind, key) index for a kind filter and wade through every done job of the kind.
    let mut jobs = if kinds.is_empty() {
        let sql = format!(
            "UPDATE jobs SET state = 'leased', lease = lower(hex(randomblob(16))),
                 lease_expires_at = ?2, updated_at = ?1
             WHERE id IN (SELECT id FROM jobs WHERE state = 'pending' AND run_at <= ?1
                          ORDER BY priority DESC, run_at, id LIMIT ?3)
             RETURNING {JOB_COLUMNS}"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![now, expires, limit], job_from_row)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    } else {
        let kinds =
            serde_json::to_string(kinds).map_err(|e| StoreError::Data(format!("kinds: {e}")))?;
        let sql = format!(
            "UPDATE jobs SET state = 'leased', lease = lower(hex(randomblob(16))),
                 lease_expires_at = ?2, updated_at = ?1
             WHERE id IN (SELECT id FROM jobs INDEXED BY jobs_claim_order
                          WHERE state = 'pending' AND run_at <= ?1
                            AND kind IN (SELECT value FROM json_each(?4))
                          ORDER BY priority DESC, run_at, id LIMIT ?3)
             RETURNING {JOB_COLUMNS}"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![now, expires, limit, kinds], job_from_row)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    // RETURNING gives rows in no promised order.
    jobs.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(a.run_at.cmp(&b.run_at))
            .then(a.id.cmp(&b.id))
    });
    Ok(jobs)
}

/// How [`Store::finish`](super::Store::finish) left the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    Done,
    /// A newer payload arrived during the run: the job waits to run again with it.
    Requeued,
}

/// Marks a leased job done, or re-queues it with the payload that arrived during the run.
pub(crate) fn finish(
    conn: &Connection,
    id: i64,
    lease: &str,
    now: i64,
) -> Result<Finished, StoreError> {
    // The RETURNING subquery is read-only, so the common case stays a single statement.
    let finished: Option<(JobState, bool)> = conn
        .prepare_cached(
            "UPDATE jobs SET
                state       = CASE WHEN pending_payload IS NULL THEN 'done' ELSE 'pending' END,
                payload     = coalesce(pending_payload, payload),
                priority    = coalesce(pending_priority, priority),
                run_at      = coalesce(pending_run_at, run_at),
                attempts    = CASE WHEN pending_payload IS NULL THEN attempts ELSE 0 END,
                finished_at = CASE WHEN pending_payload IS NULL THEN ?3 END,
                pending_payload = NULL, pending_priority = NULL, pending_run_at = NULL,
                lease = NULL, lease_expires_at = NULL, last_error = NULL, updated_at = ?3
             WHERE id = ?1 AND lease = ?2 AND state = 'leased'
             RETURNING state, EXISTS (SELECT 1 FROM problems
                                      WHERE job_id = jobs.id AND state = 'open' AND kind = ?4)",
        )?
        .query_row(params![id, lease, now, JOB_DEAD_PROBLEM], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    match finished {
        Some((JobState::Done, has_dead_problem)) => {
            // A job that once died and now succeeded no longer needs a human.
            if has_dead_problem {
                problems::heal_job_dead(conn, id, now)?;
            }
            Ok(Finished::Done)
        }
        Some(_) => Ok(Finished::Requeued),
        None => Err(StoreError::LeaseLost { job_id: id }),
    }
}

/// Gives a leased job back without counting an attempt (e.g. its API budget is spent until
/// `run_at`). A payload that arrived meanwhile replaces the current one.
pub(crate) fn release(
    conn: &Connection,
    id: i64,
    lease: &str,
    run_at: Option<i64>,
    now: i64,
) -> Result<(), StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE jobs SET
                state    = 'pending',
                payload  = coalesce(pending_payload, payload),
                priority = coalesce(pending_priority, priority),
                attempts = CASE WHEN pending_payload IS NULL THEN attempts ELSE 0 END,
                run_at   = max(?3, coalesce(pending_run_at, ?3)),
                pending_payload = NULL, pending_priority = NULL, pending_run_at = NULL,
                lease = NULL, lease_expires_at = NULL, updated_at = ?4
             WHERE id = ?1 AND lease = ?2 AND state = 'leased'",
        )?
        .execute(params![id, lease, run_at.unwrap_or(now), now])?;
    if changed == 0 {
        return Err(StoreError::LeaseLost { job_id: id });
    }
    Ok(())
}

/// Retry policy: exponential from `base`, capped at `cap`, with "equal jitter" (half the delay
/// fixed, half random) so retries spread out yet never come back at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            base: Duration::from_secs(30),
            cap: Duration::from_secs(3600),
        }
    }
}

impl Backoff {
    /// The delay before retry number `attempt` (1 after the first failure).
    pub fn delay(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let ceiling = self
            .base
            .saturating_mul(1u32 << exponent)
            .min(self.cap)
            .max(Duration::from_millis(2));
        let half = ceiling / 2;
        let jitter_ms = rng.gen_range(0..=super::duration_ms(half).max(0));
        half + Duration::from_millis(u64::try_from(jitter_ms).unwrap_or(0))
    }
}

/// Why an attempt failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub message: String,
    /// Not before this time (e.g. Mirakl's `Retry-After`); the later of this and the backoff wins.
    pub retry_at: Option<DateTime<Utc>>,
    /// No retry can help (e.g. a 400 validation error): the job dies now.
    pub permanent: bool,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            retry_at: None,
            permanent: false,
        }
    }

    pub fn retry_at(mut self, at: DateTime<Utc>) -> Failure {
        self.retry_at = Some(at);
        self
    }

    pub fn permanent(mut self) -> Failure {
        self.permanent = true;
        self
    }
}

/// How [`Store::fail`](super::Store::fail) left the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// It runs again at this time.
    RetryAt(DateTime<Utc>),
    /// It is dead; this problem row tells a human.
    Dead { problem_id: i64 },
}

/// The problem kind raised when a job dies.
pub const JOB_DEAD_PROBLEM: &str = "job_dead";

/// Records a failed attempt of a leased job: backoff to a new `run_at`, or dead after its last
/// attempt with a problem raised. Call inside an immediate transaction (it reads then writes).
pub(crate) fn fail(
    conn: &Connection,
    id: i64,
    lease: &str,
    failure: &Failure,
    now: i64,
    backoff: &Backoff,
    rng: &mut impl Rng,
) -> Result<Failed, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT attempts, max_attempts, pending_run_at, pending_payload IS NOT NULL, kind, key, payload
             FROM jobs WHERE id = ?1 AND lease = ?2 AND state = 'leased'",
        )?
        .query_row(params![id, lease], |row| {
            Ok((
                row.get::<_, u32>(0)?,
                row.get::<_, u32>(1)?,
                row.get::<_, Option<i64>>(2)?,
                row.get::<_, bool>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, String>(6)?,
            ))
        })
        .optional()?;
    let Some((attempts, max_attempts, pending_run_at, superseded, kind, key, payload)) = row else {
        return Err(StoreError::LeaseLost { job_id: id });
    };
    let attempts = attempts.saturating_add(1);
    let not_before = failure.retry_at.map_or(now, |t| t.timestamp_millis());

    if superseded {
        // The failed payload is stale; the newer one starts afresh, after the backoff.
        let run_at = (now + super::duration_ms(backoff.delay(attempts, rng)))
            .max(not_before)
            .max(pending_run_at.unwrap_or(now));
        conn.prepare_cached(
            "UPDATE jobs SET state = 'pending', payload = pending_payload,
                priority = coalesce(pending_priority, priority), attempts = 0, run_at = ?2,
                pending_payload = NULL, pending_priority = NULL, pending_run_at = NULL,
                lease = NULL, lease_expires_at = NULL, last_error = ?3, updated_at = ?4
             WHERE id = ?1",
        )?
        .execute(params![id, run_at, failure.message, now])?;
        return Ok(Failed::RetryAt(from_ms(run_at)));
    }

    if failure.permanent || attempts >= max_attempts {
        conn.prepare_cached(
            "UPDATE jobs SET state = 'dead', attempts = ?2, last_error = ?3, finished_at = ?4,
                lease = NULL, lease_expires_at = NULL, updated_at = ?4
             WHERE id = ?1",
        )?
        .execute(params![id, attempts, failure.message, now])?;
        let details = serde_json::json!({
            "job_id": id,
            "attempts": attempts,
            "payload": serde_json::from_str::<Value>(&payload).unwrap_or(Value::String(payload)),
        });
        let problem = NewProblem::new(JOB_DEAD_PROBLEM, kind, key, failure.message.clone())
            .severity(Severity::Error)
            .details(details)
            .hint("Fix the cause shown in the message, then press Retry to run the job again.")
            .job(id);
        let raised = problems::raise(conn, &problem, now)?;
        return Ok(Failed::Dead {
            problem_id: raised.id,
        });
    }

    let run_at = (now + super::duration_ms(backoff.delay(attempts, rng))).max(not_before);
    conn.prepare_cached(
        "UPDATE jobs SET state = 'pending', attempts = ?2, run_at = ?3, last_error = ?4,
            lease = NULL, lease_expires_at = NULL, updated_at = ?5
         WHERE id = ?1",
    )?
    .execute(params![id, attempts, run_at, failure.message, now])?;
    Ok(Failed::RetryAt(from_ms(run_at)))
}

/// The message recorded when a lease runs out before its worker finished.
pub const LEASE_EXPIRED_MESSAGE: &str = "lease expired before the job finished (worker stopped?)";

/// Treats every lease expired at `now` as a failed attempt (so a job that kills its worker
/// still ends dead rather than looping). Call inside an immediate transaction.
pub(crate) fn recover_expired(
    conn: &Connection,
    now: i64,
    backoff: &Backoff,
    rng: &mut impl Rng,
) -> Result<usize, StoreError> {
    let expired: Vec<(i64, String)> = conn
        .prepare_cached(
            "SELECT id, lease FROM jobs WHERE state = 'leased' AND lease_expires_at <= ?1",
        )?
        .query_map([now], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let failure = Failure::new(LEASE_EXPIRED_MESSAGE);
    for (id, lease) in &expired {
        fail(conn, *id, lease, &failure, now, backoff, rng)?;
    }
    Ok(expired.len())
}

/// Puts a job back to pending now with a fresh attempt count (an admin's "retry"), unless it is
/// running. Returns the state the job was in (`None`: no such job; `Leased`: left alone).
pub(crate) fn requeue(
    conn: &Connection,
    id: i64,
    now: i64,
) -> Result<Option<JobState>, StoreError> {
    let state: Option<JobState> = conn
        .prepare_cached("SELECT state FROM jobs WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?;
    if matches!(state, Some(s) if s != JobState::Leased) {
        conn.prepare_cached(
            "UPDATE jobs SET state = 'pending', attempts = 0, run_at = ?2, finished_at = NULL,
                updated_at = ?2 WHERE id = ?1",
        )?
        .execute(params![id, now])?;
    }
    Ok(state)
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<Job>, StoreError> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], job_from_row)
        .optional()?)
}

pub(crate) fn find(conn: &Connection, kind: &str, key: &str) -> Result<Option<Job>, StoreError> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE kind = ?1 AND key = ?2");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![kind, key], job_from_row)
        .optional()?)
}

/// Jobs in `state` (and of `kind` when given), newest change first.
pub(crate) fn list(
    conn: &Connection,
    state: Option<JobState>,
    kind: Option<&str>,
    limit: u32,
    offset: u32,
) -> Result<Vec<Job>, StoreError> {
    let sql = format!(
        "SELECT {JOB_COLUMNS} FROM jobs
         WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR kind = ?2)
         ORDER BY updated_at DESC, id DESC LIMIT ?3 OFFSET ?4"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![state, kind, limit, offset], job_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Done jobs that finished before `before` (unix ms), oldest first.
pub(crate) fn list_done_before(
    conn: &Connection,
    before: i64,
    limit: u32,
) -> Result<Vec<Job>, StoreError> {
    let sql = format!(
        "SELECT {JOB_COLUMNS} FROM jobs WHERE state = 'done' AND finished_at < ?1
         ORDER BY finished_at, id LIMIT ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![before, limit], job_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Deletes done jobs that finished before `before` (unix ms). Dead jobs stay: problems
/// point at them.
pub(crate) fn purge_done_before(conn: &Connection, before: i64) -> Result<usize, StoreError> {
    Ok(conn
        .prepare_cached("DELETE FROM jobs WHERE state = 'done' AND finished_at < ?1")?
        .execute([before])?)
}

/// Counts for one job kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct KindStats {
    pub kind: String,
    pub pending: u64,
    /// Pending jobs whose run_at has come: the backlog.
    pub due: u64,
    pub leased: u64,
    pub done: u64,
    pub dead: u64,
}

/// Queue depth for the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct QueueStats {
    pub pending: u64,
    pub due: u64,
    pub leased: u64,
    pub done: u64,
    pub dead: u64,
    /// The oldest run_at among due jobs: how far behind the queue is.
    pub oldest_due_at: Option<DateTime<Utc>>,
    pub by_kind: Vec<KindStats>,
}

pub(crate) fn stats(conn: &Connection, now: i64) -> Result<QueueStats, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, state, count(*),
                sum(state = 'pending' AND run_at <= ?1),
                min(CASE WHEN state = 'pending' AND run_at <= ?1 THEN run_at END)
         FROM jobs GROUP BY kind, state ORDER BY kind",
    )?;
    let rows = stmt.query_map([now], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, JobState>(1)?,
            row.get::<_, u64>(2)?,
            row.get::<_, Option<u64>>(3)?.unwrap_or(0),
            row.get::<_, Option<i64>>(4)?,
        ))
    })?;
    let mut stats = QueueStats::default();
    let mut oldest: Option<i64> = None;
    for row in rows {
        let (kind, state, count, due, oldest_due) = row?;
        if stats.by_kind.last().map(|k| k.kind.as_str()) != Some(kind.as_str()) {
            stats.by_kind.push(KindStats {
                kind,
                ..KindStats::default()
            });
        }
        let Some(per_kind) = stats.by_kind.last_mut() else {
            continue;
        };
        match state {
            JobState::Pending => {
                per_kind.pending += count;
                per_kind.due += due;
                stats.pending += count;
                stats.due += due;
            }
            JobState::Leased => {
                per_kind.leased += count;
                stats.leased += count;
            }
            JobState::Done => {
                per_kind.done += count;
                stats.done += count;
            }
            JobState::Dead => {
                per_kind.dead += count;
                stats.dead += count;
            }
        }
        oldest = match (oldest, oldest_due) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    stats.oldest_due_at = opt_from_ms(oldest);
    Ok(stats)
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

    fn cutoff(&self, age: Duration) -> i64 {
        self.now_ms().saturating_sub(super::duration_ms(age))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::store;
    use crate::store::{ProblemFilter, Store};
    use chrono::Duration as Span;
    use serde_json::json;

    const LEASE: Duration = Duration::from_secs(60);

    fn claim_one(store: &Store) -> Job {
        let mut jobs = store.claim(&[], 1, LEASE).unwrap();
        assert_eq!(jobs.len(), 1, "expected one due job");
        jobs.remove(0)
    }

    #[test]
    fn enqueue_inserts_once_per_kind_and_key() {
        let (store, clock) = store();
        let first = store
            .enqueue(&NewJob::new("stock", "A", json!({"q": 1})))
            .unwrap();
        assert_eq!(first.outcome, EnqueueOutcome::Inserted);
        let other = store
            .enqueue(&NewJob::new("offer", "A", json!({})))
            .unwrap();
        assert_ne!(other.id, first.id);
        let job = store.job(first.id).unwrap().unwrap();
        assert_eq!(
            (job.state, job.attempts, job.run_at),
            (JobState::Pending, 0, clock.now())
        );
        assert_eq!(job.max_attempts, DEFAULT_MAX_ATTEMPTS);
    }

    #[test]
    fn coalescing_replaces_a_waiting_jobs_payload_and_run_at() {
        let (store, clock) = store();
        let later = clock.now() + Span::minutes(5);
        let first = store
            .enqueue(&NewJob::new("stock", "A", json!({"q": 1})).run_at(later))
            .unwrap();
        let again = store
            .enqueue(&NewJob::new("stock", "A", json!({"q": 2})).priority(3))
            .unwrap();
        assert_eq!(
            again,
            Enqueued {
                id: first.id,
                outcome: EnqueueOutcome::Coalesced
            }
        );
        let job = store.job(first.id).unwrap().unwrap();
        assert_eq!(job.payload, json!({"q": 2}));
        assert_eq!(
            (job.run_at, job.priority, job.enqueue_count),
            (clock.now(), 3, 2)
        );
        assert_eq!(store.queue_stats().unwrap().pending, 1);
    }

    #[test]
    fn keep_existing_never_changes_the_first_job_even_when_done() {
        let (store, _clock) = store();
        let first = store
            .enqueue(&NewJob::new("refund", "9", json!({"amount": "5.00"})).keep_existing())
            .unwrap();
        let again = store
            .enqueue(&NewJob::new("refund", "9", json!({"amount": "7.00"})).keep_existing())
            .unwrap();
        assert_eq!(
            again,
            Enqueued {
                id: first.id,
                outcome: EnqueueOutcome::AlreadyQueued
            }
        );
        let job = claim_one(&store);
        assert_eq!(job.payload, json!({"amount": "5.00"}));
        store.finish(job.id, job.lease.as_deref().unwrap()).unwrap();
        let after = store
            .enqueue(&NewJob::new("refund", "9", json!({})).keep_existing())
            .unwrap();
        assert_eq!(after.outcome, EnqueueOutcome::AlreadyQueued);
        assert_eq!(store.job(first.id).unwrap().unwrap().state, JobState::Done);
        assert!(store.claim(&[], 10, LEASE).unwrap().is_empty());
    }

    #[test]
    fn a_payload_enqueued_during_a_run_runs_after_it_and_the_last_write_wins() {
        let (store, _clock) = store();
        store
            .enqueue(&NewJob::new("stock", "A", json!({"q": 1})))
            .unwrap();
        let running = claim_one(&store);
        let lease = running.lease.clone().unwrap();
        for q in [2, 3] {
            let queued = store
                .enqueue(&NewJob::new("stock", "A", json!({"q": q})))
                .unwrap();
            assert_eq!(queued.outcome, EnqueueOutcome::QueuedBehindLease);
        }
        // The running attempt is not clobbered and the job is not claimable twice.
        let during = store.job(running.id).unwrap().unwrap();
        assert_eq!(
            (during.state, during.payload.clone()),
            (JobState::Leased, json!({"q": 1}))
        );
        assert!(during.superseded);
        assert!(store.claim(&[], 10, LEASE).unwrap().is_empty());

        assert_eq!(
            store.finish(running.id, &lease).unwrap(),
            Finished::Requeued
        );
        let next = claim_one(&store);
        assert_eq!(
            (next.id, next.payload.clone()),
            (running.id, json!({"q": 3}))
        );
        assert!(!next.superseded);
        assert_eq!(
            store
                .finish(next.id, next.lease.as_deref().unwrap())
                .unwrap(),
            Finished::Done
        );
    }

    #[test]
    fn coalescing_a_done_or_dead_job_queues_it_again() {
        let (store, _clock) = store();
        store
            .enqueue(&NewJob::new("stock", "A", json!(1)).max_attempts(1))
            .unwrap();
        let job = claim_one(&store);
        store.finish(job.id, job.lease.as_deref().unwrap()).unwrap();
        let revived = store.enqueue(&NewJob::new("stock", "A", json!(2))).unwrap();
        assert_eq!(revived.outcome, EnqueueOutcome::Coalesced);
        let job = claim_one(&store);
        assert_eq!(job.payload, json!(2));
        store
            .fail(
                job.id,
                job.lease.as_deref().unwrap(),
                &Failure::new("boom").permanent(),
            )
            .unwrap();
        assert_eq!(store.job(job.id).unwrap().unwrap().state, JobState::Dead);
        store.enqueue(&NewJob::new("stock", "A", json!(3))).unwrap();
        let job = store.job(job.id).unwrap().unwrap();
        assert_eq!(
            (job.state, job.attempts, job.last_error),
            (JobState::Pending, 0, None)
        );
        assert_eq!(job.finished_at, None);
    }

    #[test]
    fn claim_takes_due_jobs_by_priority_then_time() {
        let (store, clock) = store();
        let now = clock.now();
        store
            .enqueue(&NewJob::new("k", "late", json!(0)).run_at(now - Span::seconds(1)))
            .unwrap();
        store
            .enqueue(&NewJob::new("k", "early", json!(0)).run_at(now - Span::seconds(9)))
            .unwrap();
        store
            .enqueue(&NewJob::new("k", "urgent", json!(0)).priority(10))
            .unwrap();
        store
            .enqueue(
                &NewJob::new("k", "future", json!(0))
                    .priority(99)
                    .run_at(now + Span::seconds(1)),
            )
            .unwrap();
        let jobs = store.claim(&[], 10, LEASE).unwrap();
        let keys: Vec<_> = jobs.iter().map(|j| j.key.as_str()).collect();
        assert_eq!(keys, ["urgent", "early", "late"]);
        for job in &jobs {
            assert_eq!(job.state, JobState::Leased);
            assert_eq!(job.lease_expires_at, Some(now + Span::seconds(60)));
        }
        let leases: std::collections::HashSet<_> = jobs.iter().map(|j| j.lease.clone()).collect();
        assert_eq!(leases.len(), 3, "each job gets its own lease token");
        clock.advance(Span::seconds(1));
        assert_eq!(claim_one(&store).key, "future");
    }

    #[test]
    fn claim_respects_limit_and_kinds() {
        let (store, _clock) = store();
        for i in 0..5 {
            store
                .enqueue(&NewJob::new("a", i.to_string(), json!(i)))
                .unwrap();
            store
                .enqueue(&NewJob::new("b", i.to_string(), json!(i)))
                .unwrap();
        }
        assert_eq!(store.claim(&["a"], 3, LEASE).unwrap().len(), 3);
        let rest = store.claim(&["a", "c"], 10, LEASE).unwrap();
        assert_eq!(rest.len(), 2);
        assert!(rest.iter().all(|j| j.kind == "a"));
        assert_eq!(store.claim(&[], 100, LEASE).unwrap().len(), 5);
        assert!(store.claim(&[], 100, LEASE).unwrap().is_empty());
    }

    #[test]
    fn finish_checks_the_lease() {
        let (store, _clock) = store();
        store.enqueue(&NewJob::new("k", "1", json!(null))).unwrap();
        let job = claim_one(&store);
        let err = store.finish(job.id, "not-the-lease").unwrap_err();
        assert!(matches!(err, StoreError::LeaseLost { job_id } if job_id == job.id));
        let lease = job.lease.as_deref().unwrap();
        assert_eq!(store.finish(job.id, lease).unwrap(), Finished::Done);
        assert!(matches!(
            store.finish(job.id, lease),
            Err(StoreError::LeaseLost { .. })
        ));
        let done = store.job(job.id).unwrap().unwrap();
        assert_eq!((done.state, done.lease), (JobState::Done, None));
        assert!(done.finished_at.is_some());
    }

    #[test]
    fn fail_backs_off_with_jitter_and_records_the_error() {
        let (store, clock) = store();
        store.enqueue(&NewJob::new("k", "1", json!(null))).unwrap();
        let job = claim_one(&store);
        let failed = store
            .fail(job.id, job.lease.as_deref().unwrap(), &Failure::new("503"))
            .unwrap();
        let Failed::RetryAt(at) = failed else {
            panic!("expected a retry, got {failed:?}")
        };
        // Default backoff: 30 s base, equal jitter → between 15 and 30 s.
        assert!(
            at >= clock.now() + Span::seconds(15) && at <= clock.now() + Span::seconds(30),
            "{at}"
        );
        let stored = store.job(job.id).unwrap().unwrap();
        assert_eq!(
            (stored.state, stored.attempts, stored.run_at),
            (JobState::Pending, 1, at)
        );
        assert_eq!(stored.last_error.as_deref(), Some("503"));
        assert!(store.claim(&[], 1, LEASE).unwrap().is_empty());
        clock.set(at);
        assert_eq!(claim_one(&store).attempts, 1);
    }

    #[test]
    fn fail_honours_a_later_retry_at() {
        let (store, clock) = store();
        store.enqueue(&NewJob::new("k", "1", json!(null))).unwrap();
        let job = claim_one(&store);
        let retry_after = clock.now() + Span::minutes(10);
        let failure = Failure::new("429").retry_at(retry_after);
        assert_eq!(
            store
                .fail(job.id, job.lease.as_deref().unwrap(), &failure)
                .unwrap(),
            Failed::RetryAt(retry_after)
        );
        assert!(matches!(
            store.fail(job.id, job.lease.as_deref().unwrap(), &failure),
            Err(StoreError::LeaseLost { .. })
        ));
    }

    #[test]
    fn the_last_attempt_kills_the_job_and_raises_one_problem() {
        let (store, clock) = store();
        let id = store
            .enqueue(&NewJob::new("ship", "W-7", json!({"order": 7})).max_attempts(3))
            .unwrap()
            .id;
        let mut outcome = None;
        for attempt in 1..=3 {
            let job = claim_one(&store);
            outcome = Some(
                store
                    .fail(
                        id,
                        job.lease.as_deref().unwrap(),
                        &Failure::new(format!("err {attempt}")),
                    )
                    .unwrap(),
            );
            clock.advance(Span::hours(2));
        }
        let Some(Failed::Dead { problem_id }) = outcome else {
            panic!("{outcome:?}")
        };
        let job = store.job(id).unwrap().unwrap();
        assert_eq!((job.state, job.attempts), (JobState::Dead, 3));
        let problem = store.problem(problem_id).unwrap().unwrap();
        assert_eq!(problem.kind, JOB_DEAD_PROBLEM);
        assert_eq!(
            (problem.entity_type.as_str(), problem.entity_id.as_str()),
            ("ship", "W-7")
        );
        assert_eq!(problem.job_id, Some(id));
        assert_eq!(problem.message, "err 3");
        assert_eq!(problem.details.unwrap()["payload"], json!({"order": 7}));
        assert!(problem.hint.is_some());
        assert_eq!(
            store.list_problems(&ProblemFilter::open()).unwrap().len(),
            1
        );
    }

    #[test]
    fn a_failure_of_a_superseded_payload_retries_with_the_newer_one() {
        let (store, clock) = store();
        store
            .enqueue(&NewJob::new("stock", "A", json!(1)).max_attempts(1))
            .unwrap();
        let job = claim_one(&store);
        store.enqueue(&NewJob::new("stock", "A", json!(2))).unwrap();
        let failed = store
            .fail(job.id, job.lease.as_deref().unwrap(), &Failure::new("x"))
            .unwrap();
        assert!(
            matches!(failed, Failed::RetryAt(_)),
            "newer payload must not die with the old one"
        );
        let stored = store.job(job.id).unwrap().unwrap();
        assert_eq!(
            (stored.state, stored.payload, stored.attempts),
            (JobState::Pending, json!(2), 0)
        );
        assert!(!stored.superseded);
        clock.advance(Span::hours(1));
        assert_eq!(claim_one(&store).payload, json!(2));
    }

    #[test]
    fn release_returns_the_job_without_counting_an_attempt() {
        let (store, clock) = store();
        store.enqueue(&NewJob::new("k", "1", json!(null))).unwrap();
        let job = claim_one(&store);
        let at = clock.now() + Span::seconds(45);
        store
            .release(job.id, job.lease.as_deref().unwrap(), Some(at))
            .unwrap();
        let stored = store.job(job.id).unwrap().unwrap();
        assert_eq!(
            (stored.state, stored.attempts, stored.run_at),
            (JobState::Pending, 0, at)
        );
        assert!(matches!(
            store.release(job.id, job.lease.as_deref().unwrap(), None),
            Err(StoreError::LeaseLost { .. })
        ));
    }

    #[test]
    fn expired_leases_are_recovered_as_failed_attempts() {
        let (store, clock) = store();
        store
            .enqueue(&NewJob::new("k", "stuck", json!(null)))
            .unwrap();
        store
            .enqueue(&NewJob::new("k", "alive", json!(null)))
            .unwrap();
        let stuck = store
            .claim(&[], 1, Duration::from_secs(10))
            .unwrap()
            .remove(0);
        let alive = store
            .claim(&[], 1, Duration::from_secs(600))
            .unwrap()
            .remove(0);
        assert_eq!(store.recover_expired_leases().unwrap(), 0);
        clock.advance(Span::seconds(10));
        assert_eq!(store.recover_expired_leases().unwrap(), 1);
        let recovered = store.job(stuck.id).unwrap().unwrap();
        assert_eq!(
            (recovered.state, recovered.attempts),
            (JobState::Pending, 1)
        );
        assert_eq!(recovered.last_error.as_deref(), Some(LEASE_EXPIRED_MESSAGE));
        // The stopped worker cannot finish it any more; the live one still can.
        assert!(matches!(
            store.finish(stuck.id, stuck.lease.as_deref().unwrap()),
            Err(StoreError::LeaseLost { .. })
        ));
        assert_eq!(
            store
                .finish(alive.id, alive.lease.as_deref().unwrap())
                .unwrap(),
            Finished::Done
        );
    }

    #[test]
    fn a_job_that_keeps_killing_its_worker_ends_dead() {
        let (store, clock) = store();
        store
            .enqueue(&NewJob::new("k", "poison", json!(null)).max_attempts(2))
            .unwrap();
        for _ in 0..2 {
            clock.advance(Span::hours(2));
            store.claim(&[], 1, LEASE).unwrap();
            clock.advance(Span::minutes(2));
            store.recover_expired_leases().unwrap();
        }
        let job = store.find_job("k", "poison").unwrap().unwrap();
        assert_eq!(job.state, JobState::Dead);
    }

    #[test]
    fn coalescing_does_not_cut_a_backoff_short() {
        let (store, _clock) = store();
        store.enqueue(&NewJob::new("stock", "A", json!(1))).unwrap();
        let job = claim_one(&store);
        let Failed::RetryAt(at) = store
            .fail(job.id, job.lease.as_deref().unwrap(), &Failure::new("down"))
            .unwrap()
        else {
            panic!()
        };
        store.enqueue(&NewJob::new("stock", "A", json!(2))).unwrap();
        let stored = store.job(job.id).unwrap().unwrap();
        assert_eq!((stored.payload, stored.run_at), (json!(2), at));
    }

    #[test]
    fn stats_count_by_state_and_kind() {
        let (store, clock) = store();
        let now = clock.now();
        store
            .enqueue(&NewJob::new("a", "1", json!(null)).run_at(now - Span::seconds(30)))
            .unwrap();
        store
            .enqueue(&NewJob::new("a", "2", json!(null)).run_at(now + Span::seconds(30)))
            .unwrap();
        store.enqueue(&NewJob::new("b", "1", json!(null))).unwrap();
        store.enqueue(&NewJob::new("b", "2", json!(null))).unwrap();
        let claimed = store.claim(&["b"], 1, LEASE).unwrap();
        store
            .finish(claimed[0].id, claimed[0].lease.as_deref().unwrap())
            .unwrap();
        let leased = store.claim(&["b"], 1, LEASE).unwrap();
        assert_eq!(leased.len(), 1);
        let stats = store.queue_stats().unwrap();
        assert_eq!(
            (
                stats.pending,
                stats.due,
                stats.leased,
                stats.done,
                stats.dead
            ),
            (2, 1, 1, 1, 0)
        );
        assert_eq!(stats.oldest_due_at, Some(now - Span::seconds(30)));
        assert_eq!(stats.by_kind.len(), 2);
        assert_eq!(
            (
                stats.by_kind[0].kind.as_str(),
                stats.by_kind[0].pending,
                stats.by_kind[0].due
            ),
            ("a", 2, 1)
        );
        assert_eq!((stats.by_kind[1].leased, stats.by_kind[1].done), (1, 1));
        assert_eq!(
            store
                .list_jobs(Some(JobState::Pending), Some("a"), 10, 0)
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn done_jobs_older_than_a_cutoff_are_listed_and_purged() {
        let (store, clock) = store();
        for key in ["old", "new"] {
            store.enqueue(&NewJob::new("k", key, json!(null))).unwrap();
            let job = claim_one(&store);
            store.finish(job.id, job.lease.as_deref().unwrap()).unwrap();
            clock.advance(Span::days(3));
        }
        store
            .enqueue(&NewJob::new("k", "pending", json!(null)).run_at(clock.now() + Span::days(30)))
            .unwrap();
        let week = Duration::from_secs(5 * 86_400);
        let old = store.list_done_older_than(week, 10).unwrap();
        assert_eq!(
            old.iter().map(|j| j.key.as_str()).collect::<Vec<_>>(),
            ["old"]
        );
        assert_eq!(store.purge_done_older_than(week).unwrap(), 1);
        assert_eq!(store.find_job("k", "old").unwrap(), None);
        assert!(store.find_job("k", "new").unwrap().is_some());
        assert!(store.find_job("k", "pending").unwrap().is_some());
    }

    #[test]
    fn backoff_grows_exponentially_within_jitter_and_is_capped() {
        let backoff = Backoff {
            base: Duration::from_secs(10),
            cap: Duration::from_secs(100),
        };
        let mut rng = rand::thread_rng();
        for _ in 0..200 {
            let first = backoff.delay(1, &mut rng);
            assert!(first >= Duration::from_secs(5) && first <= Duration::from_secs(10));
            let third = backoff.delay(3, &mut rng);
            assert!(third >= Duration::from_secs(20) && third <= Duration::from_secs(40));
            let late = backoff.delay(40, &mut rng);
            assert!(late >= Duration::from_secs(50) && late <= Duration::from_secs(100));
        }
    }
}
