//! Problems: failures a human must see, one open row per (kind, entity) whose count and
//! last-seen time grow on each repeat (a partial unique index enforces it). Resolving closes the
//! row, so the next occurrence opens a new one; retry re-queues the job behind the problem.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::Value;

use super::queue::{self, JobState};
use super::{from_ms, json_column, opt_from_ms, text_enum, StoreError};
pub use crate::vocab::{EntityType, ProblemKind};

text_enum! {
    /// How urgent a problem is, for sorting and colouring in wp-admin.
    Severity {
        /// Money or the shop's standing at risk now (deadline about to pass, oversell).
        Critical => "critical",
        /// Something did not happen and will not without help.
        Error => "error",
        /// Worth a look; nothing is lost yet.
        Warning => "warning",
    }
}

text_enum! {
    ProblemState {
        Open => "open",
        Resolved => "resolved",
    }
}

text_enum! {
    /// How a problem was closed.
    Resolution {
        /// Marked resolved by an admin (or by the code that fixed the cause).
        Resolved => "resolved",
        /// Its job was re-queued.
        Retried => "retried",
        /// Its dead job later ran successfully (re-enqueued with a newer payload).
        Healed => "healed",
    }
}

/// A problem to raise. `entity_type`/`entity_id` name what it is about (e.g. `sku`/`ABC-1`):
/// an [`EntityType`], or for a dead job the job's kind (its key is the entity id).
#[derive(Debug, Clone, PartialEq)]
pub struct NewProblem {
    pub kind: ProblemKind,
    pub severity: Severity,
    pub entity_type: String,
    pub entity_id: String,
    pub message: String,
    pub details: Option<Value>,
    /// A short "what to do" line the admin UI shows beside the message.
    pub hint: Option<String>,
    pub job_id: Option<i64>,
}

impl NewProblem {
    pub fn new(
        kind: ProblemKind,
        entity_type: EntityType,
        entity_id: impl Into<String>,
        message: impl Into<String>,
    ) -> NewProblem {
        NewProblem::about(kind, entity_type.as_str(), entity_id, message)
    }

    /// A job that gave up: the problem names the job's kind and key.
    pub(crate) fn job_dead(
        job_kind: &str,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> NewProblem {
        NewProblem::about(ProblemKind::JobDead, job_kind, key, message)
    }

    /// A job parked by a caught panic: the problem names the job's kind and key.
    pub(crate) fn job_panicked(
        job_kind: &str,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> NewProblem {
        NewProblem::about(ProblemKind::JobPanicked, job_kind, key, message)
    }

    fn about(
        kind: ProblemKind,
        entity_type: impl Into<String>,
        entity_id: impl Into<String>,
        message: impl Into<String>,
    ) -> NewProblem {
        NewProblem {
            kind,
            severity: Severity::Error,
            entity_type: entity_type.into(),
            entity_id: entity_id.into(),
            message: message.into(),
            details: None,
            hint: None,
            job_id: None,
        }
    }

    pub fn severity(mut self, severity: Severity) -> NewProblem {
        self.severity = severity;
        self
    }

    pub fn details(mut self, details: Value) -> NewProblem {
        self.details = Some(details);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> NewProblem {
        self.hint = Some(hint.into());
        self
    }

    pub fn job(mut self, job_id: i64) -> NewProblem {
        self.job_id = Some(job_id);
        self
    }
}

/// A problem as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProblemRecord {
    pub id: i64,
    pub kind: String,
    pub severity: Severity,
    pub entity_type: String,
    pub entity_id: String,
    /// The latest occurrence's message.
    pub message: String,
    pub details: Option<Value>,
    pub hint: Option<String>,
    pub job_id: Option<i64>,
    pub state: ProblemState,
    pub resolution: Option<Resolution>,
    pub occurrences: u32,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

const PROBLEM_COLUMNS: &str = "id, kind, severity, entity_type, entity_id, message, details, \
    hint, job_id, state, resolution, occurrences, first_seen, last_seen, resolved_at";

fn problem_from_row(row: &Row<'_>) -> rusqlite::Result<ProblemRecord> {
    Ok(ProblemRecord {
        id: row.get(0)?,
        kind: row.get(1)?,
        severity: row.get(2)?,
        entity_type: row.get(3)?,
        entity_id: row.get(4)?,
        message: row.get(5)?,
        details: json_column(row, 6)?,
        hint: row.get(7)?,
        job_id: row.get(8)?,
        state: row.get(9)?,
        resolution: row.get(10)?,
        occurrences: row.get(11)?,
        first_seen: from_ms(row.get(12)?),
        last_seen: from_ms(row.get(13)?),
        resolved_at: opt_from_ms(row.get(14)?),
    })
}

/// Raises a problem, or counts one more occurrence of the open one for the same
/// (kind, entity): message, details, severity and hint become the latest ones.
pub(crate) fn raise(
    conn: &Connection,
    problem: &NewProblem,
    now: i64,
) -> Result<ProblemRecord, StoreError> {
    let details = problem
        .details
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Data(format!("problem details: {e}")))?;
    let sql = format!(
        "INSERT INTO problems (kind, severity, entity_type, entity_id, message, details, hint,
                                 job_id, first_seen, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
         ON CONFLICT (kind, entity_type, entity_id) WHERE state = 'open' DO UPDATE SET
            occurrences = occurrences + 1,
            last_seen   = max(last_seen, excluded.last_seen),
            severity    = excluded.severity,
            message     = excluded.message,
            details     = excluded.details,
            hint        = coalesce(excluded.hint, hint),
            job_id      = coalesce(excluded.job_id, job_id)
         RETURNING {PROBLEM_COLUMNS}"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(
        params![
            problem.kind,
            problem.severity,
            problem.entity_type,
            problem.entity_id,
            problem.message,
            details,
            problem.hint,
            problem.job_id,
            now
        ],
        problem_from_row,
    )?)
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<ProblemRecord>, StoreError> {
    let sql = format!("SELECT {PROBLEM_COLUMNS} FROM problems WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], problem_from_row)
        .optional()?)
}

/// Which problems to list; every `None` matches all. Newest (last seen) first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemFilter {
    pub kind: Option<String>,
    pub state: Option<ProblemState>,
    pub severity: Option<Severity>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

impl Default for ProblemFilter {
    fn default() -> ProblemFilter {
        ProblemFilter {
            kind: None,
            state: None,
            severity: None,
            entity_type: None,
            entity_id: None,
            limit: 50,
            offset: 0,
        }
    }
}

impl ProblemFilter {
    /// The open ones, which the dashboard shows first.
    pub fn open() -> ProblemFilter {
        ProblemFilter {
            state: Some(ProblemState::Open),
            ..ProblemFilter::default()
        }
    }
}

pub(crate) fn list(
    conn: &Connection,
    filter: &ProblemFilter,
) -> Result<Vec<ProblemRecord>, StoreError> {
    let sql = format!(
        "SELECT {PROBLEM_COLUMNS} FROM problems
         WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR state = ?2)
           AND (?3 IS NULL OR severity = ?3) AND (?4 IS NULL OR entity_type = ?4)
           AND (?5 IS NULL OR entity_id = ?5)
         ORDER BY last_seen DESC, id DESC LIMIT ?6 OFFSET ?7"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![
            filter.kind,
            filter.state,
            filter.severity,
            filter.entity_type,
            filter.entity_id,
            filter.limit,
            filter.offset
        ],
        problem_from_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Open problems per severity, for the dashboard badge.
pub(crate) fn count_open(conn: &Connection) -> Result<Vec<(Severity, u64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT severity, count(*) FROM problems WHERE state = 'open'
         GROUP BY severity ORDER BY severity",
    )?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Open problems per kind and severity.
pub(crate) fn count_open_by_kind(
    conn: &Connection,
) -> Result<Vec<(String, Severity, u64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, severity, count(*) FROM problems WHERE state = 'open'
         GROUP BY kind, severity ORDER BY kind, severity",
    )?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Closes an open problem. `Ok(false)` if it was already closed.
pub(crate) fn resolve(
    conn: &Connection,
    id: i64,
    resolution: Resolution,
    now: i64,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE problems SET state = 'resolved', resolution = ?2, resolved_at = ?3
             WHERE id = ?1 AND state = 'open'",
        )?
        .execute(params![id, resolution, now])?;
    if changed == 0 && get(conn, id)?.is_none() {
        return Err(StoreError::NotFound {
            what: format!("problem {id}"),
        });
    }
    Ok(changed == 1)
}

/// Closes, as healed, the open problems of `kind` about `entity_type` whose entity id starts
/// with `prefix` (e.g. every reason a Mirakl API's answer was refused, once it answers again).
/// Returns how many were closed.
pub(crate) fn heal_about(
    conn: &Connection,
    kind: ProblemKind,
    entity_type: &str,
    prefix: &str,
    now: i64,
) -> Result<usize, StoreError> {
    Ok(conn
        .prepare_cached(
            "UPDATE problems SET state = 'resolved', resolution = 'healed', resolved_at = ?4
             WHERE state = 'open' AND kind = ?1 AND entity_type = ?2
               AND substr(entity_id, 1, length(?3)) = ?3",
        )?
        .execute(params![kind, entity_type, prefix, now])?)
}

/// Closes the open problems of `kind` about exactly `entity_type`/`entity_id` as healed.
pub(crate) fn heal_exact(
    conn: &Connection,
    kind: ProblemKind,
    entity_type: &str,
    entity_id: &str,
    now: i64,
) -> Result<usize, StoreError> {
    Ok(conn
        .prepare_cached(
            "UPDATE problems SET state = 'resolved', resolution = 'healed', resolved_at = ?4
             WHERE state = 'open' AND kind = ?1 AND entity_type = ?2 AND entity_id = ?3",
        )?
        .execute(params![kind, entity_type, entity_id, now])?)
}

/// Closes the open `job_dead` (or `job_panicked`) problem of `job_id` as healed, its job having
/// now succeeded.
pub(crate) fn heal_job_dead(conn: &Connection, job_id: i64, now: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE problems SET state = 'resolved', resolution = 'healed', resolved_at = ?3
         WHERE job_id = ?1 AND state = 'open' AND kind IN (?2, ?4)",
    )?
    .execute(params![
        job_id,
        ProblemKind::JobDead,
        now,
        ProblemKind::JobPanicked
    ])?;
    Ok(())
}

/// Re-queues the job behind an open problem and closes it as retried; returns the job id.
/// Call inside an immediate transaction (it reads then writes).
pub(crate) fn retry(conn: &Connection, id: i64, now: i64) -> Result<i64, StoreError> {
    let not_retryable = |reason: &str| StoreError::NotRetryable {
        problem_id: id,
        reason: reason.to_owned(),
    };
    let problem = get(conn, id)?.ok_or_else(|| StoreError::NotFound {
        what: format!("problem {id}"),
    })?;
    if problem.state != ProblemState::Open {
        return Err(not_retryable("it is already resolved"));
    }
    let job_id = problem
        .job_id
        .ok_or_else(|| not_retryable("no job is linked to it"))?;
    match queue::requeue(conn, job_id, now)? {
        None => return Err(not_retryable("its job no longer exists")),
        Some(JobState::Leased) => return Err(not_retryable("its job is running now")),
        Some(_) => {}
    }
    resolve(conn, id, Resolution::Retried, now)?;
    Ok(job_id)
}

impl super::Store {
    /// Raises a problem, or counts another occurrence of the open one for the same entity.
    pub fn raise_problem(&self, problem: &NewProblem) -> Result<ProblemRecord, StoreError> {
        raise(&self.conn, problem, self.now_ms())
    }

    pub fn problem(&self, id: i64) -> Result<Option<ProblemRecord>, StoreError> {
        get(&self.conn, id)
    }

    pub fn list_problems(&self, filter: &ProblemFilter) -> Result<Vec<ProblemRecord>, StoreError> {
        list(&self.conn, filter)
    }

    /// Open problems per severity.
    pub fn count_open_problems(&self) -> Result<Vec<(Severity, u64)>, StoreError> {
        count_open(&self.conn)
    }

    /// Heals the open problems of `kind` about `entity_type` whose entity id starts with
    /// `prefix`; how many were closed.
    pub fn heal_problems_about(
        &self,
        kind: ProblemKind,
        entity_type: &str,
        prefix: &str,
    ) -> Result<usize, StoreError> {
        heal_about(&self.conn, kind, entity_type, prefix, self.now_ms())
    }

    /// Open problems per kind and severity.
    pub fn count_open_problems_by_kind(&self) -> Result<Vec<(String, Severity, u64)>, StoreError> {
        count_open_by_kind(&self.conn)
    }

    /// Heals the open problems of `kind` about exactly this entity (its cause is gone); how many
    /// were closed.
    pub fn heal_problem(
        &self,
        kind: ProblemKind,
        entity_type: &str,
        entity_id: &str,
    ) -> Result<usize, StoreError> {
        heal_exact(&self.conn, kind, entity_type, entity_id, self.now_ms())
    }

    /// After a call to `api`: with a refusal, raises (or counts again) the one open
    /// `mirakl_response_refused` problem for `api` and that reason; without, heals every such
    /// problem of `api`. Returns the problem raised.
    pub fn note_api_answer(
        &self,
        api: crate::mirakl::ApiCode,
        refusal: Option<crate::mirakl::Refusal>,
        job_id: Option<i64>,
    ) -> Result<Option<ProblemRecord>, StoreError> {
        let Some(refusal) = refusal else {
            self.heal_problems_about(
                ProblemKind::MiraklResponseRefused,
                EntityType::MiraklApi.as_str(),
                &format!("{} ", api.as_str()),
            )?;
            return Ok(None);
        };
        let mut problem = NewProblem::new(
            ProblemKind::MiraklResponseRefused,
            EntityType::MiraklApi,
            format!("{} {}", api.as_str(), refusal.reason),
            refusal.message,
        )
        .severity(Severity::Warning)
        .hint(refusal.hint);
        problem.job_id = job_id;
        self.raise_problem(&problem).map(Some)
    }

    /// Marks an open problem resolved; `Ok(false)` if it already was.
    pub fn resolve_problem(&self, id: i64) -> Result<bool, StoreError> {
        resolve(&self.conn, id, Resolution::Resolved, self.now_ms())
    }

    /// Drops the job payload (`details.payload`) from at most `limit` problems closed more than
    /// `age` ago; open problems keep theirs (a person may still need it). Returns how many.
    pub fn purge_problem_payloads_older_than(
        &self,
        age: std::time::Duration,
        limit: u32,
    ) -> Result<usize, StoreError> {
        let before = self.cutoff(age);
        Ok(self
            .conn
            .prepare_cached(
                "UPDATE problems SET details = json_remove(details, '$.payload') WHERE id IN (
                    SELECT id FROM problems
                    WHERE state = 'resolved' AND resolved_at < ?1 AND json_valid(details)
                      AND json_type(details, '$.payload') IS NOT NULL
                    ORDER BY resolved_at, id LIMIT ?2)",
            )?
            .execute(params![before, limit])?)
    }

    /// Re-queues the job behind the problem now and closes the problem as retried.
    /// Returns the job id.
    pub fn retry_problem(&self, id: i64) -> Result<i64, StoreError> {
        let now = self.now_ms();
        super::immediate(&self.conn, |conn| retry(conn, id, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::store;
    use crate::store::{Failure, NewJob};
    use chrono::Duration;
    use serde_json::json;

    fn unmapped(carrier: &str) -> NewProblem {
        NewProblem::new(
            ProblemKind::CarrierUnmapped,
            EntityType::MiraklOrder,
            "M-1",
            format!("carrier {carrier} unmapped"),
        )
        .severity(Severity::Warning)
        .hint("Map the carrier in Settings → Carriers.")
    }

    #[test]
    fn repeats_of_an_open_problem_are_counted_on_one_row() {
        let (store, clock) = store();
        let first = store.raise_problem(&unmapped("DHL")).unwrap();
        clock.advance(Duration::minutes(5));
        let second = store
            .raise_problem(&unmapped("UPS").details(json!({"carrier": "UPS"})))
            .unwrap();
        assert_eq!(second.id, first.id);
        assert_eq!(second.occurrences, 2);
        assert_eq!(second.first_seen, first.first_seen);
        assert_eq!(second.last_seen, clock.now());
        assert_eq!(second.message, "carrier UPS unmapped");
        assert_eq!(second.details, Some(json!({"carrier": "UPS"})));
        assert_eq!(second.severity, Severity::Warning);
        assert_eq!(
            second.hint.as_deref(),
            Some("Map the carrier in Settings → Carriers.")
        );
        // Another entity is another problem.
        let other = store
            .raise_problem(&NewProblem::new(
                ProblemKind::CarrierUnmapped,
                EntityType::MiraklOrder,
                "M-2",
                "x",
            ))
            .unwrap();
        assert_ne!(other.id, first.id);
    }

    #[test]
    fn a_resolved_problem_stays_closed_and_a_repeat_opens_a_new_one() {
        let (store, _clock) = store();
        let first = store.raise_problem(&unmapped("DHL")).unwrap();
        assert!(store.resolve_problem(first.id).unwrap());
        assert!(!store.resolve_problem(first.id).unwrap());
        let closed = store.problem(first.id).unwrap().unwrap();
        assert_eq!(
            (closed.state, closed.resolution),
            (ProblemState::Resolved, Some(Resolution::Resolved))
        );
        assert!(closed.resolved_at.is_some());
        let again = store.raise_problem(&unmapped("DHL")).unwrap();
        assert_ne!(again.id, first.id);
        assert_eq!(again.occurrences, 1);
        assert!(matches!(
            store.resolve_problem(999),
            Err(StoreError::NotFound { .. })
        ));
    }

    #[test]
    fn problems_list_with_filters_newest_first() {
        let (store, clock) = store();
        store.raise_problem(&unmapped("DHL")).unwrap();
        clock.advance(Duration::seconds(1));
        let sku = store
            .raise_problem(
                &NewProblem::new(
                    ProblemKind::StockPushFailed,
                    EntityType::Sku,
                    "A",
                    "STO02 error",
                )
                .severity(Severity::Critical),
            )
            .unwrap();
        clock.advance(Duration::seconds(1));
        let resolved = store
            .raise_problem(&NewProblem::new(
                ProblemKind::StockPushFailed,
                EntityType::Sku,
                "B",
                "x",
            ))
            .unwrap();
        store.resolve_problem(resolved.id).unwrap();

        let all = store.list_problems(&ProblemFilter::default()).unwrap();
        assert_eq!(
            all.iter().map(|e| e.entity_id.as_str()).collect::<Vec<_>>(),
            ["B", "A", "M-1"]
        );
        let open = store.list_problems(&ProblemFilter::open()).unwrap();
        assert_eq!(open.len(), 2);
        let filter = ProblemFilter {
            kind: Some("stock_push_failed".into()),
            ..ProblemFilter::open()
        };
        assert_eq!(store.list_problems(&filter).unwrap(), vec![sku.clone()]);
        let filter = ProblemFilter {
            severity: Some(Severity::Critical),
            ..ProblemFilter::default()
        };
        assert_eq!(store.list_problems(&filter).unwrap().len(), 1);
        let filter = ProblemFilter {
            entity_type: Some("sku".into()),
            entity_id: Some("B".into()),
            ..ProblemFilter::default()
        };
        assert_eq!(store.list_problems(&filter).unwrap()[0].id, resolved.id);
        let page = ProblemFilter {
            limit: 1,
            offset: 1,
            ..ProblemFilter::default()
        };
        assert_eq!(store.list_problems(&page).unwrap()[0].entity_id, "A");
        let mut counts = store.count_open_problems().unwrap();
        counts.sort_by_key(|(s, _)| s.as_str());
        assert_eq!(
            counts,
            vec![(Severity::Critical, 1), (Severity::Warning, 1)]
        );
    }

    #[test]
    fn retry_requeues_the_dead_job_and_closes_the_problem() {
        let (store, clock) = store();
        let id = store
            .enqueue(&NewJob::new("ship", "7", json!(null)).max_attempts(1))
            .unwrap()
            .id;
        let job = store
            .claim(&[], 1, std::time::Duration::from_secs(60))
            .unwrap()
            .remove(0);
        let failed = store
            .fail(
                id,
                job.lease.as_deref().unwrap(),
                &Failure::new("carrier unmapped"),
            )
            .unwrap();
        let crate::store::Failed::Dead { problem_id } = failed else {
            panic!("{failed:?}")
        };

        clock.advance(Duration::hours(1));
        assert_eq!(store.retry_problem(problem_id).unwrap(), id);
        let job = store.job(id).unwrap().unwrap();
        assert_eq!(
            (job.state, job.attempts, job.run_at),
            (JobState::Pending, 0, clock.now())
        );
        let problem = store.problem(problem_id).unwrap().unwrap();
        assert_eq!(problem.resolution, Some(Resolution::Retried));
        assert!(matches!(
            store.retry_problem(problem_id),
            Err(StoreError::NotRetryable { .. })
        ));
        assert_eq!(
            store
                .claim(&[], 1, std::time::Duration::from_secs(60))
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn retry_refuses_an_problem_without_a_job_or_with_a_running_one() {
        let (store, _clock) = store();
        let lone = store.raise_problem(&unmapped("DHL")).unwrap();
        assert!(matches!(
            store.retry_problem(lone.id),
            Err(StoreError::NotRetryable { .. })
        ));
        let id = store
            .enqueue(&NewJob::new("ship", "8", json!(null)))
            .unwrap()
            .id;
        store
            .claim(&[], 1, std::time::Duration::from_secs(60))
            .unwrap();
        let linked = store
            .raise_problem(
                &NewProblem::new(
                    ProblemKind::ShippingDeadlinePassed,
                    EntityType::MiraklOrder,
                    "8",
                    "late",
                )
                .job(id),
            )
            .unwrap();
        assert!(matches!(
            store.retry_problem(linked.id),
            Err(StoreError::NotRetryable { .. })
        ));
        assert_eq!(
            store.problem(linked.id).unwrap().unwrap().state,
            ProblemState::Open
        );
        assert!(matches!(
            store.retry_problem(12345),
            Err(StoreError::NotFound { .. })
        ));
    }
}
