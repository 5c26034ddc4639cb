//! Reads of single jobs and job lists.

use rusqlite::{params, Connection, OptionalExtension};

use super::{job_from_row, Job, JobState, JOB_COLUMNS};
use crate::store::StoreError;

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

/// The earliest `run_at` of a pending job of `kinds`: one `MIN` over the pending rows.
pub(crate) fn next_run_at(conn: &Connection, kinds: &[&str]) -> Result<Option<i64>, StoreError> {
    let kinds =
        serde_json::to_string(kinds).map_err(|e| StoreError::Data(format!("kinds: {e}")))?;
    Ok(conn
        .prepare_cached(
            "SELECT MIN(run_at) FROM jobs
             WHERE state = 'pending' AND kind IN (SELECT value FROM json_each(?1))",
        )?
        .query_row([kinds], |row| row.get::<_, Option<i64>>(0))?)
}

/// The earliest `created_at` of a pending or leased job of `kinds`.
pub(crate) fn oldest_waiting(conn: &Connection, kinds: &[&str]) -> Result<Option<i64>, StoreError> {
    let kinds =
        serde_json::to_string(kinds).map_err(|e| StoreError::Data(format!("kinds: {e}")))?;
    Ok(conn
        .prepare_cached(
            "SELECT MIN(created_at) FROM jobs
             WHERE state IN ('pending', 'leased') AND kind IN (SELECT value FROM json_each(?1))",
        )?
        .query_row([kinds], |row| row.get::<_, Option<i64>>(0))?)
}

/// Makes the pending jobs among `ids` due at `now` (those already due keep their time).
pub(crate) fn wake(conn: &Connection, ids: &[i64], now: i64) -> Result<usize, StoreError> {
    let ids = serde_json::to_string(ids).map_err(|e| StoreError::Data(format!("ids: {e}")))?;
    Ok(conn
        .prepare_cached(
            "UPDATE jobs SET run_at = ?2, updated_at = ?2
             WHERE state = 'pending' AND run_at > ?2 AND id IN (SELECT value FROM json_each(?1))",
        )?
        .execute(params![ids, now])?)
}
