//! The runner lease: at most one process runs the engine's tick at a time. The lease is a row
//! with an owner token and an expiry; only its owner renews or releases it, and anyone may take
//! it over once it has expired (a runner killed mid-tick blocks the next one only until then),
//! or at once when its owner's process is known to be gone (`take_over`).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{duration_ms, from_ms, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerLease {
    pub name: String,
    pub owner: String,
    pub acquired_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

fn lease_from_row(row: &Row<'_>) -> rusqlite::Result<RunnerLease> {
    Ok(RunnerLease {
        name: row.get(0)?,
        owner: row.get(1)?,
        acquired_at: from_ms(row.get(2)?),
        expires_at: from_ms(row.get(3)?),
    })
}

/// Takes the lease `name` for `owner` until `now + ttl_ms` if it is free, expired or already
/// `owner`'s. `None` when another owner holds it.
pub(crate) fn acquire(
    conn: &Connection,
    name: &str,
    owner: &str,
    ttl_ms: i64,
    now: i64,
) -> Result<Option<RunnerLease>, StoreError> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO runner_lease (name, owner, acquired_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO UPDATE SET
                acquired_at = CASE WHEN owner = excluded.owner AND expires_at > excluded.acquired_at
                                   THEN acquired_at ELSE excluded.acquired_at END,
                owner       = excluded.owner,
                expires_at  = excluded.expires_at
             WHERE expires_at <= excluded.acquired_at OR owner = excluded.owner
             RETURNING name, owner, acquired_at, expires_at",
        )?
        .query_row(
            params![name, owner, now, now.saturating_add(ttl_ms.max(1))],
            lease_from_row,
        )
        .optional()?)
}

/// Takes the lease `name` from `dead`, a holder whose process is known to be gone, for `owner`
/// until `now + ttl_ms`; `None` when `dead` no longer holds it (another runner was quicker).
/// The jobs leased since `dead` took the lease were its own (one runner at a time claims
/// jobs): their leases end now, so this tick recovers them as failed attempts instead of
/// leaving them to their expiry. One transaction.
pub(crate) fn take_over(
    conn: &Connection,
    dead: &RunnerLease,
    owner: &str,
    ttl_ms: i64,
    now: i64,
) -> Result<Option<RunnerLease>, StoreError> {
    super::immediate(conn, |conn| {
        let taken = conn
            .prepare_cached(
                "UPDATE runner_lease SET owner = ?3, acquired_at = ?4, expires_at = ?5
                 WHERE name = ?1 AND owner = ?2
                 RETURNING name, owner, acquired_at, expires_at",
            )?
            .query_row(
                params![
                    dead.name,
                    dead.owner,
                    owner,
                    now,
                    now.saturating_add(ttl_ms.max(1))
                ],
                lease_from_row,
            )
            .optional()?;
        if taken.is_some() {
            conn.prepare_cached(
                "UPDATE jobs SET lease_expires_at = ?1
                 WHERE state = 'leased' AND updated_at >= ?2 AND lease_expires_at > ?1",
            )?
            .execute(params![now, dead.acquired_at.timestamp_millis()])?;
        }
        Ok(taken)
    })
}

/// Extends `owner`'s unexpired lease to `now + ttl_ms`; `false` if it was lost.
pub(crate) fn renew(
    conn: &Connection,
    name: &str,
    owner: &str,
    ttl_ms: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE runner_lease SET expires_at = ?4
             WHERE name = ?1 AND owner = ?2 AND expires_at > ?3",
        )?
        .execute(params![name, owner, now, now.saturating_add(ttl_ms.max(1))])?;
    Ok(changed == 1)
}

/// Gives up `owner`'s lease; `false` if `owner` did not hold it.
pub(crate) fn release(conn: &Connection, name: &str, owner: &str) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached("DELETE FROM runner_lease WHERE name = ?1 AND owner = ?2")?
        .execute(params![name, owner])?;
    Ok(changed == 1)
}

pub(crate) fn get(conn: &Connection, name: &str) -> Result<Option<RunnerLease>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT name, owner, acquired_at, expires_at FROM runner_lease WHERE name = ?1",
        )?
        .query_row([name], lease_from_row)
        .optional()?)
}

impl Store {
    /// Takes the runner lease `name` for `owner` for `ttl`; `None` if someone else holds it.
    pub fn acquire_runner_lease(
        &self,
        name: &str,
        owner: &str,
        ttl: std::time::Duration,
    ) -> Result<Option<RunnerLease>, StoreError> {
        acquire(&self.conn, name, owner, duration_ms(ttl), self.now_ms())
    }

    /// Takes over `dead`'s lease for `owner` (its process is gone) and ends the leases of the
    /// jobs it had claimed; `None` if `dead` no longer holds it.
    pub fn take_over_runner_lease(
        &self,
        dead: &RunnerLease,
        owner: &str,
        ttl: std::time::Duration,
    ) -> Result<Option<RunnerLease>, StoreError> {
        take_over(&self.conn, dead, owner, duration_ms(ttl), self.now_ms())
    }

    /// Extends the lease; `false` means it expired or was taken over: stop working.
    pub fn renew_runner_lease(
        &self,
        name: &str,
        owner: &str,
        ttl: std::time::Duration,
    ) -> Result<bool, StoreError> {
        renew(&self.conn, name, owner, duration_ms(ttl), self.now_ms())
    }

    pub fn release_runner_lease(&self, name: &str, owner: &str) -> Result<bool, StoreError> {
        release(&self.conn, name, owner)
    }

    /// Who holds the lease (possibly expired), for the dashboard.
    pub fn runner_lease(&self, name: &str) -> Result<Option<RunnerLease>, StoreError> {
        get(&self.conn, name)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::test_support::store;
    use chrono::Duration;
    use std::time::Duration as StdDuration;

    const TTL: StdDuration = StdDuration::from_secs(60);

    #[test]
    fn only_one_owner_at_a_time_until_expiry() {
        let (store, clock) = store();
        let lease = store
            .acquire_runner_lease("tick", "a", TTL)
            .unwrap()
            .unwrap();
        assert_eq!(lease.owner, "a");
        assert_eq!(lease.expires_at, clock.now() + Duration::seconds(60));
        assert_eq!(store.acquire_runner_lease("tick", "b", TTL).unwrap(), None);
        // The owner may re-acquire (idempotent) without losing its start time.
        clock.advance(Duration::seconds(10));
        let again = store
            .acquire_runner_lease("tick", "a", TTL)
            .unwrap()
            .unwrap();
        assert_eq!(again.acquired_at, lease.acquired_at);

        clock.advance(Duration::seconds(61));
        assert!(!store.renew_runner_lease("tick", "a", TTL).unwrap());
        let taken = store
            .acquire_runner_lease("tick", "b", TTL)
            .unwrap()
            .unwrap();
        assert_eq!(taken.owner, "b");
        assert_eq!(taken.acquired_at, clock.now());
        assert!(!store.release_runner_lease("tick", "a").unwrap());
        assert_eq!(store.runner_lease("tick").unwrap().unwrap().owner, "b");
    }

    #[test]
    fn renew_extends_and_release_frees() {
        let (store, clock) = store();
        store
            .acquire_runner_lease("tick", "a", TTL)
            .unwrap()
            .unwrap();
        clock.advance(Duration::seconds(50));
        assert!(store.renew_runner_lease("tick", "a", TTL).unwrap());
        clock.advance(Duration::seconds(50));
        assert_eq!(store.acquire_runner_lease("tick", "b", TTL).unwrap(), None);
        assert!(!store.renew_runner_lease("tick", "b", TTL).unwrap());
        assert!(store.release_runner_lease("tick", "a").unwrap());
        assert_eq!(store.runner_lease("tick").unwrap(), None);
        assert!(store
            .acquire_runner_lease("tick", "b", TTL)
            .unwrap()
            .is_some());
    }
}
