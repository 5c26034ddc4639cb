//! Fail: a failed attempt backs off with jitter, or the job dies with a problem raised.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use crate::store::problems::{self, NewProblem, Severity};
use crate::store::{from_ms, StoreError};

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
        let jitter_ms = rng.gen_range(0..=crate::store::duration_ms(half).max(0));
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
    /// The attempt ended in a caught panic: the job is parked (dead) at once with a
    /// `job_panicked` problem, never retried automatically.
    pub panicked: bool,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            retry_at: None,
            permanent: false,
            panicked: false,
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

    /// A caught panic: permanent, raised as `job_panicked`.
    pub fn panicked(mut self) -> Failure {
        self.permanent = true;
        self.panicked = true;
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
        let run_at = (now + crate::store::duration_ms(backoff.delay(attempts, rng)))
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

    if failure.permanent || failure.panicked || attempts >= max_attempts {
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
        let problem = if failure.panicked {
            NewProblem::job_panicked(&kind, key, failure.message.clone()).hint(
                "The connector stopped this job on an internal error and will not retry it on \
                 its own; the other jobs go on. Report the message (it names the place in the \
                 code) with the job's details, then press Retry once the connector is updated \
                 or the marketplace data is corrected.",
            )
        } else {
            NewProblem::job_dead(&kind, key, failure.message.clone())
                .hint("Fix the cause shown in the message, then press Retry to run the job again.")
        }
        .severity(Severity::Error)
        .details(details)
        .job(id);
        let raised = problems::raise(conn, &problem, now)?;
        return Ok(Failed::Dead {
            problem_id: raised.id,
        });
    }

    let run_at = (now + crate::store::duration_ms(backoff.delay(attempts, rng))).max(not_before);
    conn.prepare_cached(
        "UPDATE jobs SET state = 'pending', attempts = ?2, run_at = ?3, last_error = ?4,
            lease = NULL, lease_expires_at = NULL, updated_at = ?5
         WHERE id = ?1",
    )?
    .execute(params![id, attempts, run_at, failure.message, now])?;
    Ok(Failed::RetryAt(from_ms(run_at)))
}
