//! What wp-admin, WP-CLI and the settings page read or do outside a tick: the runner's health,
//! the exceptions list, the connection test and the cached carriers. Pure functions over the
//! store and the client; `src/php` only converts their arguments and results.
//!
//! Invariant: nothing here spends a call budget a tick needs — the connection test uses V01 (no
//! limit) and reads A01 only while its daily budget allows, falling back to the cached account.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::mirakl::budget::CallBudget;
use crate::mirakl::{Client, ErrorClass, MiraklError, Transport};
use crate::store::{
    ExceptionFilter, ExceptionRecord, ExceptionState, QueueStats, Severity, Store, StoreError,
};
use crate::sync::report::TickReport;
use crate::sync::RUNNER_LEASE;

/// Cursor holding a summary of the last tick.
pub const LAST_TICK_CURSOR: &str = "runner.last_tick";
/// Cursor holding the last A01 answer, for the connection test between daily budgets.
pub const ACCOUNT_CURSOR: &str = "reference.account";
/// Cursor holding the cached SH21 carriers, written by the engine's reference-data job.
pub const CARRIERS_CURSOR: &str = "reference.carriers";

/// A summary of the last tick, kept for the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastTick {
    pub at: DateTime<Utc>,
    pub duration_ms: u64,
    pub ran: bool,
    pub jobs_run: u32,
    pub api_calls: u32,
    pub exceptions_raised: u32,
    pub next_due_at: Option<DateTime<Utc>>,
}

/// Open exceptions by severity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OpenExceptions {
    pub critical: u64,
    pub error: u64,
    pub warning: u64,
}

/// The runner's health at a glance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    pub now: DateTime<Utc>,
    pub last_tick: Option<LastTick>,
    /// No tick for longer than the allowed gap: WP-Cron or the system cron is not running.
    pub runner_late: bool,
    /// A runner holds the lease right now.
    pub runner_active: bool,
    pub queue: QueueStats,
    pub open_exceptions: OpenExceptions,
    pub schema_version: i64,
}

/// Keeps a summary of a tick that ran, for [`health`].
pub fn record_tick(store: &Store, report: &TickReport, at: DateTime<Utc>) -> Result<(), StoreError> {
    if !report.ran {
        return Ok(());
    }
    let summary = LastTick {
        at,
        duration_ms: report.duration_ms,
        ran: report.ran,
        jobs_run: report.jobs.values().flat_map(|outcomes| outcomes.values()).sum(),
        api_calls: report.api_calls.values().sum(),
        exceptions_raised: u32::try_from(report.exceptions.len()).unwrap_or(u32::MAX),
        next_due_at: report.next_due_at,
    };
    let text = serde_json::to_string(&summary).map_err(|e| StoreError::Data(e.to_string()))?;
    store.set_cursor(LAST_TICK_CURSOR, &text)
}

/// The runner's health; `late_after` is the longest gap between ticks that is still normal.
pub fn health(store: &Store, now: DateTime<Utc>, late_after: Duration) -> Result<Health, StoreError> {
    let last_tick = store
        .cursor(LAST_TICK_CURSOR)?
        .and_then(|cursor| serde_json::from_str::<LastTick>(&cursor.value).ok());
    let late_after = chrono::Duration::from_std(late_after).unwrap_or(chrono::Duration::MAX);
    let runner_late = match &last_tick {
        Some(tick) => now.signed_duration_since(tick.at) > late_after,
        None => true,
    };
    let runner_active = store
        .runner_lease(RUNNER_LEASE)?
        .is_some_and(|lease| lease.expires_at > now);
    let mut open_exceptions = OpenExceptions::default();
    for (severity, count) in store.count_open_exceptions()? {
        match severity {
            Severity::Critical => open_exceptions.critical = count,
            Severity::Error => open_exceptions.error = count,
            Severity::Warning => open_exceptions.warning = count,
        }
    }
    Ok(Health {
        now,
        last_tick,
        runner_late,
        runner_active,
        queue: store.queue_stats()?,
        open_exceptions,
        schema_version: store.schema_version()?,
    })
}

/// The exceptions filter as PHP passes it: every key optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExceptionQuery {
    pub kind: Option<String>,
    /// `open` (default), `resolved` or `all`.
    pub state: Option<String>,
    pub severity: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// A filter value that is not one of the allowed words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct QueryError {
    pub field: &'static str,
    pub reason: String,
}

impl crate::error::Coded for QueryError {
    fn code(&self) -> crate::error::ErrorCode {
        crate::error::ErrorCode::InvalidArgument
    }
}

impl ExceptionQuery {
    /// Reads the query from PHP's array (as JSON).
    pub fn from_json(value: Value) -> Result<ExceptionQuery, QueryError> {
        serde_json::from_value(value).map_err(|e| QueryError { field: "filter", reason: e.to_string() })
    }

    pub fn to_filter(&self) -> Result<ExceptionFilter, QueryError> {
        let state = match self.state.as_deref().unwrap_or("open") {
            "all" => None,
            word => Some(ExceptionState::parse(word).ok_or_else(|| QueryError {
                field: "state",
                reason: "must be open, resolved or all".to_owned(),
            })?),
        };
        let severity = match self.severity.as_deref() {
            None => None,
            Some(word) => Some(Severity::parse(word).ok_or_else(|| QueryError {
                field: "severity",
                reason: "must be critical, error or warning".to_owned(),
            })?),
        };
        Ok(ExceptionFilter {
            kind: self.kind.clone(),
            state,
            severity,
            entity_type: self.entity_type.clone(),
            entity_id: self.entity_id.clone(),
            limit: self.limit.unwrap_or(100).clamp(1, 1000),
            offset: self.offset.unwrap_or(0),
        })
    }
}

/// Lists exceptions for the dashboard.
pub fn exceptions(store: &Store, query: &ExceptionQuery) -> Result<Vec<ExceptionRecord>, OpsError> {
    let filter = query.to_filter()?;
    Ok(store.list_exceptions(&filter)?)
}

/// What the connection test found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionReport {
    /// The Mirakl platform version (V01): the URL and the key work.
    pub platform_version: String,
    pub shop_id: Option<i64>,
    pub shop_name: Option<String>,
    pub shop_state: Option<String>,
    pub currency_iso_code: Option<String>,
    /// When the shop details were read from Mirakl (A01 may be called once a day).
    pub account_read_at: Option<DateTime<Utc>>,
}

/// Tests the URL and key with V01, then reads the shop (A01) if its daily budget allows, else
/// reports the shop as last read.
pub fn test_connection<T: Transport, B: CallBudget>(
    store: &Store,
    client: &Client<T, B>,
    now: DateTime<Utc>,
) -> Result<ConnectionReport, OpsError> {
    let version = client.account().version()?;
    let cached = store
        .cursor(ACCOUNT_CURSOR)?
        .and_then(|cursor| serde_json::from_str::<ConnectionReport>(&cursor.value).ok());
    let mut report = match client.account().get() {
        Ok(account) => {
            let report = ConnectionReport {
                platform_version: version.version.clone(),
                shop_id: Some(account.shop_id),
                shop_name: account.shop_name,
                shop_state: account.shop_state.map(|state| state.to_string()),
                currency_iso_code: account.currency_iso_code,
                account_read_at: Some(now),
            };
            let text = serde_json::to_string(&report).map_err(|e| StoreError::Data(e.to_string()))?;
            store.set_cursor(ACCOUNT_CURSOR, &text)?;
            report
        }
        Err(error) if matches!(error.class(), ErrorClass::BudgetExhausted { .. }) => {
            cached.unwrap_or(ConnectionReport {
                platform_version: String::new(),
                shop_id: None,
                shop_name: None,
                shop_state: None,
                currency_iso_code: None,
                account_read_at: None,
            })
        }
        Err(error) => return Err(error.into()),
    };
    report.platform_version = version.version;
    Ok(report)
}

/// One carrier as Mirakl lists it (SH21).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierOption {
    pub code: String,
    pub label: Option<String>,
}

/// The carriers cached by the engine's daily reference-data job; empty before its first run.
pub fn carriers(store: &Store) -> Result<Vec<CarrierOption>, StoreError> {
    Ok(store
        .cursor(CARRIERS_CURSOR)?
        .and_then(|cursor| serde_json::from_str::<Vec<CarrierOption>>(&cursor.value).ok())
        .unwrap_or_default())
}

/// Why an operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mirakl(#[from] MiraklError),
    #[error(transparent)]
    Query(#[from] QueryError),
}

impl crate::error::Coded for OpsError {
    fn code(&self) -> crate::error::ErrorCode {
        match self {
            OpsError::Store(e) => e.code(),
            OpsError::Mirakl(e) => e.code(),
            OpsError::Query(e) => e.code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirakl::fake::ScriptedTransport;
    use crate::mirakl::{ClientConfig, MemoryBudget};
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 10, minute, 0).unwrap()
    }

    #[test]
    fn a_runner_that_never_ticked_or_stopped_is_late() {
        let store = Store::open_in_memory().unwrap();
        let late_after = Duration::from_secs(300);
        assert!(health(&store, at(0), late_after).unwrap().runner_late);

        let report = TickReport { ran: true, duration_ms: 12, ..TickReport::default() };
        record_tick(&store, &report, at(0)).unwrap();
        let fresh = health(&store, at(4), late_after).unwrap();
        assert!(!fresh.runner_late);
        assert_eq!(fresh.last_tick.unwrap().duration_ms, 12);
        assert!(health(&store, at(6), late_after).unwrap().runner_late);
    }

    #[test]
    fn a_tick_that_did_not_run_is_not_recorded() {
        let store = Store::open_in_memory().unwrap();
        record_tick(&store, &TickReport::default(), at(0)).unwrap();
        assert!(health(&store, at(1), Duration::from_secs(300)).unwrap().last_tick.is_none());
    }

    #[test]
    fn exception_queries_name_the_bad_field() {
        let query = ExceptionQuery::from_json(serde_json::json!({"state": "all", "limit": 5000})).unwrap();
        let filter = query.to_filter().unwrap();
        assert_eq!(filter.state, None);
        assert_eq!(filter.limit, 1000);
        assert_eq!(ExceptionQuery::default().to_filter().unwrap().state, Some(ExceptionState::Open));
        let bad = ExceptionQuery { severity: Some("loud".into()), ..ExceptionQuery::default() };
        assert_eq!(bad.to_filter().unwrap_err().field, "severity");
        assert_eq!(ExceptionQuery::from_json(serde_json::json!({"colour": 1})).unwrap_err().field, "filter");
    }

    #[test]
    fn carriers_come_from_the_engine_cache() {
        let store = Store::open_in_memory().unwrap();
        assert!(carriers(&store).unwrap().is_empty());
        store.set_cursor(CARRIERS_CURSOR, r#"[{"code":"UPS","label":"UPS"},{"code":"DHL","label":null}]"#).unwrap();
        let list = carriers(&store).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1], CarrierOption { code: "DHL".into(), label: None });
    }

    fn client(transport: ScriptedTransport, budget: MemoryBudget) -> Client<ScriptedTransport, MemoryBudget> {
        let config = ClientConfig::new("https://acme.mirakl.net/api".parse().unwrap(), "key");
        Client::new(&config, transport, budget).with_sleeper(|_| {})
    }

    #[test]
    fn the_connection_test_falls_back_to_the_cached_shop_when_a01_is_spent() {
        let store = Store::open_in_memory().unwrap();
        let transport = ScriptedTransport::new();
        transport
            .respond(200, r#"{"version":"3.210"}"#)
            .respond(200, r#"{"shop_id":2001,"shop_name":"Acme","shop_state":"OPEN","currency_iso_code":"EUR"}"#)
            .respond(200, r#"{"version":"3.211"}"#);
        let client = client(transport, MemoryBudget::new());
        let first = test_connection(&store, &client, at(0)).unwrap();
        assert_eq!(first.shop_name.as_deref(), Some("Acme"));
        assert_eq!(first.shop_state.as_deref(), Some("OPEN"));
        // A01's daily budget is spent: V01 still proves the key works, the shop is the cached one.
        let second = test_connection(&store, &client, at(1)).unwrap();
        assert_eq!(second.platform_version, "3.211");
        assert_eq!(second.shop_name.as_deref(), Some("Acme"));
        assert_eq!(second.account_read_at, Some(at(0)));
    }

    #[test]
    fn a_wrong_key_fails_the_connection_test() {
        let store = Store::open_in_memory().unwrap();
        let transport = ScriptedTransport::new();
        transport.respond(401, r#"{"status":401,"message":"Unauthorized"}"#);
        let error = test_connection(&store, &client(transport, MemoryBudget::new()), at(0)).unwrap_err();
        assert_eq!(crate::error::Coded::code(&error), crate::error::ErrorCode::MiraklAuth);
    }
}
