//! Enqueue: one statement on the unique (kind, key) index, coalescing or keeping the first.

use rusqlite::{params, Connection, OptionalExtension};

use super::{payload_text, Dedupe, EnqueueOutcome, Enqueued, JobState, NewJob};
use crate::store::StoreError;
use crate::vocab::ProblemKind;

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
    // A finished job queued again is new work: it waits (and ages) from now.
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
            created_at  = CASE WHEN state IN ('done', 'dead') THEN excluded.created_at
                               ELSE created_at END,
            last_error  = CASE WHEN state IN ('done', 'dead') THEN NULL ELSE last_error END,
            finished_at = NULL,
            state       = CASE WHEN state = 'leased' THEN 'leased' ELSE 'pending' END
         WHERE NOT (state = 'dead' AND payload = excluded.payload
                    AND EXISTS (SELECT 1 FROM problems WHERE problems.job_id = jobs.id
                                AND problems.state = 'open' AND problems.kind = ?8))
         RETURNING id, enqueue_count, state",
    )?;
    let mut with_kind: Vec<&dyn rusqlite::ToSql> = values.to_vec();
    with_kind.push(&ProblemKind::JobPanicked);
    let updated = stmt
        .query_row(with_kind.as_slice(), |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, JobState>(2)?,
            ))
        })
        .optional()?;
    let Some((id, count, state)) = updated else {
        let id = conn
            .prepare_cached("SELECT id FROM jobs WHERE kind = ?1 AND key = ?2")?
            .query_row([values[0], values[1]], |row| row.get(0))?;
        return Ok(Enqueued {
            id,
            outcome: EnqueueOutcome::Parked,
        });
    };
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
