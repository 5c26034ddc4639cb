//! Per-API call budgets shared by every process through the store: each call is a row in
//! `api_calls`, and the check-then-record runs under `BEGIN IMMEDIATE`, so two processes can
//! never both take the last slot of a window. Rows older than the longest window are pruned.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::{from_ms, immediate, Store, StoreError};
use crate::mirakl::budget::{BudgetError, CallBudget, Limit};

/// Records a call to `api` at `now` (unix ms) if every limit allows it, else returns the
/// earliest time (unix ms) it would. Call inside an immediate transaction.
pub(crate) fn try_acquire(
    conn: &Connection,
    api: &str,
    limits: &[Limit],
    now: i64,
) -> Result<Result<(), i64>, StoreError> {
    let Some(longest_secs) = limits.iter().map(|l| l.window_secs).max() else {
        return Ok(Ok(()));
    };
    conn.prepare_cached("DELETE FROM api_calls WHERE api = ?1 AND called_at <= ?2")?
        .execute(params![api, now.saturating_sub(window_ms(longest_secs))])?;

    let mut earliest: Option<i64> = None;
    for limit in limits {
        let window = window_ms(limit.window_secs);
        let since = now.saturating_sub(window);
        // A call at t counts while t > now - window, so it frees its slot at t + window.
        let blocked_until = if limit.max_calls == 0 {
            Some(now.saturating_add(window.max(1)))
        } else {
            conn.prepare_cached(
                "SELECT called_at FROM api_calls WHERE api = ?1 AND called_at > ?2
                 ORDER BY called_at DESC LIMIT 1 OFFSET ?3",
            )?
            .query_row(params![api, since, limit.max_calls - 1], |row| {
                row.get::<_, i64>(0)
            })
            .optional()?
            .map(|oldest_counted| oldest_counted.saturating_add(window))
        };
        if let Some(until) = blocked_until {
            earliest = Some(earliest.map_or(until, |e: i64| e.max(until)));
        }
    }
    if let Some(until) = earliest {
        return Ok(Err(until.max(now)));
    }
    conn.prepare_cached("INSERT INTO api_calls (api, called_at) VALUES (?1, ?2)")?
        .execute(params![api, now])?;
    Ok(Ok(()))
}

fn window_ms(window_secs: i64) -> i64 {
    window_secs.max(0).saturating_mul(1000)
}

/// Calls recorded for `api` in the `window_secs` before `now` (unix ms).
pub(crate) fn calls_in_window(
    conn: &Connection,
    api: &str,
    window_secs: i64,
    now: i64,
) -> Result<u32, StoreError> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM api_calls WHERE api = ?1 AND called_at > ?2")?
        .query_row(
            params![api, now.saturating_sub(window_ms(window_secs))],
            |row| row.get(0),
        )?)
}

impl CallBudget for Store {
    fn try_acquire(
        &self,
        api: &str,
        limits: &[Limit],
        now: DateTime<Utc>,
    ) -> Result<Result<(), DateTime<Utc>>, BudgetError> {
        immediate(&self.conn, |conn| {
            try_acquire(conn, api, limits, now.timestamp_millis())
        })
        .map(|decision| decision.map_err(from_ms))
        .map_err(|e| BudgetError(e.to_string()))
    }
}

impl Store {
    /// How many calls to `api` were made in the last `window_secs` (dashboard).
    pub fn api_calls_in_window(&self, api: &str, window_secs: i64) -> Result<u32, StoreError> {
        calls_in_window(&self.conn, api, window_secs, self.now_ms())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::store;
    use chrono::Duration;

    const PER_MINUTE: Limit = Limit {
        window_secs: 60,
        max_calls: 1,
    };

    #[test]
    fn a_second_call_in_the_window_is_refused_with_the_time_it_may_run() {
        let (store, clock) = store();
        let t0 = clock.now();
        assert_eq!(
            store.try_acquire("OR11", &[PER_MINUTE], t0).unwrap(),
            Ok(())
        );
        let later = t0 + Duration::seconds(20);
        assert_eq!(
            store.try_acquire("OR11", &[PER_MINUTE], later).unwrap(),
            Err(t0 + Duration::seconds(60))
        );
        // A refused call is not recorded: it does not push the next slot further out.
        assert_eq!(store.api_calls_in_window("OR11", 60).unwrap(), 1);
        assert_eq!(
            store
                .try_acquire("OR11", &[PER_MINUTE], t0 + Duration::seconds(60))
                .unwrap(),
            Ok(())
        );
    }

    #[test]
    fn apis_have_separate_budgets() {
        let (store, clock) = store();
        let now = clock.now();
        assert_eq!(
            store.try_acquire("OR11", &[PER_MINUTE], now).unwrap(),
            Ok(())
        );
        assert_eq!(
            store.try_acquire("STO01", &[PER_MINUTE], now).unwrap(),
            Ok(())
        );
    }

    #[test]
    fn the_strictest_of_several_limits_decides() {
        // TL02: 20 a minute and 60 an hour.
        let limits = [
            Limit {
                window_secs: 60,
                max_calls: 20,
            },
            Limit {
                window_secs: 3600,
                max_calls: 60,
            },
        ];
        let (store, clock) = store();
        let start = clock.now();
        let mut allowed = 0;
        for second in 0..3600 {
            let now = start + Duration::seconds(second);
            if store.try_acquire("TL02", &limits, now).unwrap().is_ok() {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 60);
        // The 61st call may run when the first leaves the hour window.
        assert_eq!(
            store
                .try_acquire("TL02", &limits, start + Duration::seconds(3599))
                .unwrap(),
            Err(start + Duration::seconds(3600))
        );
    }

    #[test]
    fn sliding_window_counts_only_recent_calls() {
        let limit = Limit {
            window_secs: 15,
            max_calls: 3,
        };
        let (store, clock) = store();
        let t0 = clock.now();
        for s in [0, 5, 10] {
            let now = t0 + Duration::seconds(s);
            assert_eq!(store.try_acquire("STO02", &[limit], now).unwrap(), Ok(()));
        }
        assert_eq!(
            store
                .try_acquire("STO02", &[limit], t0 + Duration::seconds(12))
                .unwrap(),
            Err(t0 + Duration::seconds(15))
        );
        assert_eq!(
            store
                .try_acquire("STO02", &[limit], t0 + Duration::seconds(15))
                .unwrap(),
            Ok(())
        );
    }

    #[test]
    fn no_limits_means_no_budget_and_zero_means_never() {
        let (store, clock) = store();
        let now = clock.now();
        assert_eq!(store.try_acquire("OF21", &[], now).unwrap(), Ok(()));
        let never = Limit {
            window_secs: 60,
            max_calls: 0,
        };
        assert!(store.try_acquire("X", &[never], now).unwrap().is_err());
    }

    #[test]
    fn old_calls_are_pruned() {
        let (store, clock) = store();
        let t0 = clock.now();
        for minute in 0..10 {
            let now = t0 + Duration::minutes(minute);
            assert_eq!(
                store.try_acquire("OR11", &[PER_MINUTE], now).unwrap(),
                Ok(())
            );
        }
        let rows: i64 = store
            .conn
            .query_row("SELECT count(*) FROM api_calls", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }
}
