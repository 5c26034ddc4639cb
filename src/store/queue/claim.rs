//! Claim: due jobs leased in one `UPDATE … RETURNING`, so two processes never get one job.

use rusqlite::{params, Connection};

use super::{job_from_row, Job, JOB_COLUMNS};
use crate::store::StoreError;

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
