//! Recover and requeue: expired leases counted as failed attempts, an admin's retry, and the
//! purge of old done jobs.

use rand::Rng;
use rusqlite::{params, Connection, OptionalExtension};

use super::fail::{fail, Backoff, Failure};
use super::{job_from_row, Job, JobState, JOB_COLUMNS};
use crate::store::StoreError;

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

/// The payload a finished job keeps once its own has been purged (the column is NOT NULL).
const PURGED_PAYLOAD: &str = "null";

/// Blanks the payloads of at most `limit` jobs that finished before `before` (unix ms): done
/// jobs, and dead jobs no open problem points at (a person may still retry those). Kind, key,
/// state, attempts and times stay, so the unique (kind, key) keeps its exactly-once meaning and
/// problems keep their job. Pending and leased jobs are never touched. Returns how many.
pub(crate) fn purge_payloads_before(
    conn: &Connection,
    before: i64,
    limit: u32,
) -> Result<usize, StoreError> {
    Ok(conn
        .prepare_cached(
            "UPDATE jobs SET payload = ?3 WHERE id IN (
                SELECT id FROM jobs
                WHERE state IN ('done', 'dead') AND finished_at < ?1 AND payload <> ?3
                  AND NOT EXISTS (
                      SELECT 1 FROM problems p WHERE p.job_id = jobs.id AND p.state = 'open')
                ORDER BY finished_at, id LIMIT ?2)
             AND state IN ('done', 'dead')",
        )?
        .execute(params![before, limit, PURGED_PAYLOAD])?)
}
