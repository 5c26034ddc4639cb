//! Queue depth per kind, for the dashboard.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::JobState;
use crate::store::{opt_from_ms, StoreError};

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
