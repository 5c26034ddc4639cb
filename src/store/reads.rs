//! Shared OR11 re-reads: a job that needs a fresh view of a Mirakl order files a request; the
//! order poll serves every open request in one call and keeps what it read as the order's
//! snapshot; the job takes the snapshot when it runs again.
//!
//! Invariants: a request is served only by a snapshot fetched at or after it was made; a job
//! takes a served snapshot once (its request is deleted); a write the engine sends for an order
//! forgets its snapshot, so no job acts on a view older than the engine's own write; requests of
//! jobs that are no longer waiting are dropped when the poll serves.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use super::{from_ms, Store, StoreError};

/// A job's open request for a fresh view of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderReadRequest {
    pub mirakl_order_id: String,
    pub job_id: i64,
    pub requested_at: DateTime<Utc>,
}

/// What the last shared OR11 read saw of an order (`None`: OR11 did not list it).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderSnapshot {
    pub mirakl_order_id: String,
    pub payload: Option<Value>,
    pub fetched_at: DateTime<Utc>,
}

fn request(
    conn: &Connection,
    mirakl_order_id: &str,
    job_id: i64,
) -> Result<Option<OrderReadRequest>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT mirakl_order_id, job_id, requested_at FROM order_read_requests
             WHERE mirakl_order_id = ?1 AND job_id = ?2",
        )?
        .query_row(params![mirakl_order_id, job_id], |row| {
            Ok(OrderReadRequest {
                mirakl_order_id: row.get(0)?,
                job_id: row.get(1)?,
                requested_at: from_ms(row.get(2)?),
            })
        })
        .optional()?)
}

fn snapshot(conn: &Connection, mirakl_order_id: &str) -> Result<Option<OrderSnapshot>, StoreError> {
    let row: Option<(String, Option<String>, i64)> = conn
        .prepare_cached(
            "SELECT mirakl_order_id, payload, fetched_at FROM order_snapshots
             WHERE mirakl_order_id = ?1",
        )?
        .query_row([mirakl_order_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    let Some((id, payload, fetched_at)) = row else {
        return Ok(None);
    };
    let payload = match payload {
        Some(text) => Some(
            serde_json::from_str(&text)
                .map_err(|e| StoreError::Data(format!("order snapshot {id}: {e}")))?,
        ),
        None => None,
    };
    Ok(Some(OrderSnapshot {
        mirakl_order_id: id,
        payload,
        fetched_at: from_ms(fetched_at),
    }))
}

impl Store {
    /// Files (or keeps) `job_id`'s request for a fresh view of `mirakl_order_id`.
    pub fn request_order_read(
        &self,
        mirakl_order_id: &str,
        job_id: i64,
    ) -> Result<OrderReadRequest, StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO order_read_requests (mirakl_order_id, job_id, requested_at)
                 VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            )?
            .execute(params![mirakl_order_id, job_id, self.now_ms()])?;
        request(&self.conn, mirakl_order_id, job_id)?
            .ok_or_else(|| StoreError::Data("order read request vanished".to_owned()))
    }

    /// The snapshot that serves `job_id`'s request for `mirakl_order_id`, taken once (the
    /// request is deleted); `None` while the request waits (or when there is none).
    pub fn take_order_snapshot(
        &self,
        mirakl_order_id: &str,
        job_id: i64,
    ) -> Result<Option<OrderSnapshot>, StoreError> {
        super::immediate(&self.conn, |conn| {
            let Some(request) = request(conn, mirakl_order_id, job_id)? else {
                return Ok(None);
            };
            let Some(snapshot) = snapshot(conn, mirakl_order_id)? else {
                return Ok(None);
            };
            if snapshot.fetched_at < request.requested_at {
                return Ok(None);
            }
            conn.prepare_cached(
                "DELETE FROM order_read_requests WHERE mirakl_order_id = ?1 AND job_id = ?2",
            )?
            .execute(params![mirakl_order_id, job_id])?;
            Ok(Some(snapshot))
        })
    }

    /// Open requests of waiting jobs not served yet, oldest first, one row per order (its
    /// oldest request), at most `limit` orders.
    pub fn open_order_reads(&self, limit: u32) -> Result<Vec<OrderReadRequest>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.mirakl_order_id, MIN(r.job_id), MIN(r.requested_at) AS first
             FROM order_read_requests r
             JOIN jobs j ON j.id = r.job_id AND j.state IN ('pending', 'leased')
             LEFT JOIN order_snapshots s ON s.mirakl_order_id = r.mirakl_order_id
             WHERE s.fetched_at IS NULL OR s.fetched_at < r.requested_at
             GROUP BY r.mirakl_order_id ORDER BY first, r.mirakl_order_id LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |row| {
            Ok(OrderReadRequest {
                mirakl_order_id: row.get(0)?,
                job_id: row.get(1)?,
                requested_at: from_ms(row.get(2)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Keeps what one OR11 read saw of each order (`None`: not listed) and returns the waiting
    /// jobs whose requests it serves; requests of jobs no longer waiting are dropped.
    pub fn serve_order_reads(
        &self,
        seen: &[(String, Option<Value>)],
    ) -> Result<Vec<i64>, StoreError> {
        let now = self.now_ms();
        super::immediate(&self.conn, |conn| {
            conn.prepare_cached(
                "DELETE FROM order_read_requests WHERE job_id NOT IN
                 (SELECT id FROM jobs WHERE state IN ('pending', 'leased'))",
            )?
            .execute([])?;
            let mut jobs = Vec::new();
            for (id, payload) in seen {
                let text = payload
                    .as_ref()
                    .map(serde_json::to_string)
                    .transpose()
                    .map_err(|e| StoreError::Data(format!("order snapshot {id}: {e}")))?;
                conn.prepare_cached(
                    "INSERT INTO order_snapshots (mirakl_order_id, payload, fetched_at)
                     VALUES (?1, ?2, ?3)
                     ON CONFLICT (mirakl_order_id) DO UPDATE
                     SET payload = excluded.payload, fetched_at = excluded.fetched_at",
                )?
                .execute(params![id, text, now])?;
                let mut stmt = conn.prepare_cached(
                    "SELECT job_id FROM order_read_requests
                     WHERE mirakl_order_id = ?1 AND requested_at <= ?2",
                )?;
                let rows = stmt.query_map(params![id, now], |row| row.get::<_, i64>(0))?;
                for job in rows {
                    jobs.push(job?);
                }
            }
            jobs.sort_unstable();
            jobs.dedup();
            Ok(jobs)
        })
    }

    /// Puts back the snapshot of an order the engine wrote to, patched with what the write
    /// is known to have changed, as of its original read.
    pub fn restore_order_snapshot(
        &self,
        mirakl_order_id: &str,
        payload: &Value,
        fetched_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(payload)
            .map_err(|e| StoreError::Data(format!("order snapshot {mirakl_order_id}: {e}")))?;
        self.conn
            .prepare_cached(
                "INSERT INTO order_snapshots (mirakl_order_id, payload, fetched_at)
                 VALUES (?1, ?2, ?3)
                 ON CONFLICT (mirakl_order_id) DO UPDATE
                 SET payload = excluded.payload, fetched_at = excluded.fetched_at",
            )?
            .execute(params![
                mirakl_order_id,
                text,
                fetched_at.timestamp_millis()
            ])?;
        Ok(())
    }

    /// Forgets the snapshot of an order the engine just wrote to.
    pub fn forget_order_snapshot(&self, mirakl_order_id: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM order_snapshots WHERE mirakl_order_id = ?1")?
            .execute([mirakl_order_id])?;
        Ok(())
    }

    /// Deletes at most `limit` snapshots fetched more than `age` ago (they hold the buyer's
    /// address); a job that still waits for one gets a fresh read. Returns how many.
    pub fn purge_order_snapshots_older_than(
        &self,
        age: std::time::Duration,
        limit: u32,
    ) -> Result<usize, StoreError> {
        let before = self.cutoff(age);
        Ok(self
            .conn
            .prepare_cached(
                "DELETE FROM order_snapshots WHERE mirakl_order_id IN (
                    SELECT mirakl_order_id FROM order_snapshots WHERE fetched_at < ?1
                    ORDER BY fetched_at LIMIT ?2)",
            )?
            .execute(params![before, limit])?)
    }

    /// When the oldest open request of a waiting job was made.
    pub fn oldest_order_read(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.open_order_reads(1)?.first().map(|r| r.requested_at))
    }
}

#[cfg(test)]
mod tests {
    use crate::store::test_support::store;
    use crate::store::NewJob;
    use chrono::Duration;
    use serde_json::json;

    #[test]
    fn a_request_is_served_by_a_later_read_and_taken_once() {
        let (store, clock) = store();
        let job = store
            .enqueue(&NewJob::new("refund_order", "7", json!({})))
            .unwrap()
            .id;
        store.request_order_read("M-1", job).unwrap();
        assert_eq!(store.take_order_snapshot("M-1", job).unwrap(), None);
        assert_eq!(store.open_order_reads(100).unwrap().len(), 1);
        clock.advance(Duration::seconds(30));
        let served = store
            .serve_order_reads(&[("M-1".to_owned(), Some(json!({"order_id": "M-1"})))])
            .unwrap();
        assert_eq!(served, vec![job]);
        assert!(store.open_order_reads(100).unwrap().is_empty());
        let snapshot = store.take_order_snapshot("M-1", job).unwrap().unwrap();
        assert_eq!(snapshot.payload, Some(json!({"order_id": "M-1"})));
        assert_eq!(store.take_order_snapshot("M-1", job).unwrap(), None);

        // A write forgets the snapshot: a new request waits for a new read.
        store.request_order_read("M-1", job).unwrap();
        store.forget_order_snapshot("M-1").unwrap();
        assert_eq!(store.take_order_snapshot("M-1", job).unwrap(), None);
        assert_eq!(store.open_order_reads(100).unwrap().len(), 1);
    }

    #[test]
    fn snapshots_older_than_the_retention_are_purged_in_bounded_batches() {
        let (store, clock) = store();
        let job = store
            .enqueue(&NewJob::new("refund_order", "7", json!({})))
            .unwrap()
            .id;
        for id in ["M-1", "M-2", "M-3"] {
            store.request_order_read(id, job).unwrap();
        }
        let seen = |id: &str| {
            (
                id.to_owned(),
                Some(json!({"customer": {"firstname": "Ann"}})),
            )
        };
        store
            .serve_order_reads(&[seen("M-1"), seen("M-2")])
            .unwrap();
        clock.advance(Duration::days(20));
        store.serve_order_reads(&[seen("M-3")]).unwrap();
        clock.advance(Duration::days(11));
        let month = std::time::Duration::from_secs(30 * 86_400);
        assert_eq!(store.purge_order_snapshots_older_than(month, 1).unwrap(), 1);
        assert_eq!(
            store.purge_order_snapshots_older_than(month, 10).unwrap(),
            1
        );
        assert_eq!(
            store.purge_order_snapshots_older_than(month, 10).unwrap(),
            0
        );
        // The recent one stays and still serves its request; the purged ones are read again.
        assert!(store.take_order_snapshot("M-3", job).unwrap().is_some());
        assert_eq!(store.take_order_snapshot("M-1", job).unwrap(), None);
        let open: Vec<_> = store
            .open_order_reads(100)
            .unwrap()
            .into_iter()
            .map(|r| r.mirakl_order_id)
            .collect();
        assert_eq!(open, ["M-1", "M-2"]);
    }
}
