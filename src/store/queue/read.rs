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
