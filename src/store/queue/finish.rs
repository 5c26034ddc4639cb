//! Finish and release: the end of a run under its lease (done, re-queued with a newer payload,
//! or given back without counting an attempt).

use rusqlite::{params, Connection, OptionalExtension};

use super::JobState;
use crate::store::{problems, StoreError};
use crate::vocab::ProblemKind;

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
                                      WHERE job_id = jobs.id AND state = 'open' AND kind IN (?4, ?5))",
        )?
        .query_row(params![
                id,
                lease,
                now,
                ProblemKind::JobDead,
                ProblemKind::JobPanicked
            ], |row| {
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
