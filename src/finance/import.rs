//! Ledger import: TL02 transaction logs pulled incrementally (seek pagination, pages of up to
//! 2,000 rows, `last_updated_from` cursor), then IV01 accounting documents and SBC11 billing
//! cycles once a day where the instance has them.
//!
//! Invariants: each page is stored, and the run's position (next page token, newest
//! `last_updated` seen) saved, in one transaction; the cursor moves only when the last page of a
//! run is stored, so an interrupted run resumes from its page token (or, if Mirakl no longer
//! accepts the token, restarts from the same cursor). Rows are keyed by Mirakl's transaction id:
//! reading one again updates it, never duplicates it. A call budget refusal or a 429 ends the
//! call with `resume_at` ("come back at"); nothing here sleeps (only the client's own in-call
//! retry may wait, within its policy's `in_call_limit`, 5 s by default). Any other failure is
//! returned as an error with every stored page kept; the next call resumes. Run it from one
//! runner at a time (the engine's lease): two concurrent imports store the same rows twice over
//! (harmless upserts) but share one run position.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::db::{self, Upsert};
use super::types::{Category, LedgerRow};
use super::{FinanceError, FinanceSettings};
use crate::mirakl::finance::{
    billing_cycles, billing_cycles_page, invoices, transactions, transactions_page,
    BillingCyclePage, InvoicePage, InvoiceQuery, TransactionPage, TransactionQuery,
};
use crate::mirakl::{CallBudget, Client, MiraklError, Transport};
use crate::store::{immediate, Store};

/// `finance_import_state` name of the TL02 cursor (RFC 3339 `last_updated_from` of the next run).
pub const IMPORT_CURSOR: &str = "tl02.cursor";
/// `finance_import_state` name of the run in progress (JSON: page token, newest update seen).
pub const IMPORT_RUN: &str = "tl02.run";
const DOCUMENTS_CURSOR: &str = "iv01.cursor";
const LAST_COMPLETE: &str = "import.last_complete";
const RESUME_AT: &str = "import.resume_at";
const CYCLES_LAST_RUN: &str = "sbc11.last_run";

/// What one import call did. JSON-serialisable for the admin page.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// TL02 pages read and stored.
    pub pages: u32,
    pub transactions_seen: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Transaction types this version does not know, with how many rows of each were seen.
    pub unknown_types: BTreeMap<String, u64>,
    /// Every TL02 page up to now is stored (the cursor moved).
    pub complete: bool,
    /// When to call again to continue (a call budget refusal or a 429): "come back at".
    pub resume_at: Option<DateTime<Utc>>,
    /// The TL02 cursor after this call.
    pub cursor: Option<DateTime<Utc>>,
    pub documents: u64,
    pub billing_cycles: u64,
    /// Why documents or billing cycles were not (all) read this time, if they were not.
    pub documents_note: Option<String>,
    /// When the next scheduled import is due (`import_interval_hours` after a complete run).
    pub next_import_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Run {
    page_token: Option<String>,
    from: Option<DateTime<Utc>>,
    newest: Option<DateTime<Utc>>,
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The "come back at" time for a refused call, or `None` if the error is a real failure.
fn come_back_at(error: &MiraklError, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match error {
        MiraklError::BudgetExhausted { until, .. } => Some(*until),
        MiraklError::Throttled { retry_after, .. } => {
            let wait = retry_after
                .and_then(|w| Duration::from_std(w).ok())
                .unwrap_or_else(|| Duration::seconds(60));
            Some(now + wait)
        }
        _ => None,
    }
}

/// Imports what changed on the Mirakl ledger since the last complete run (see the module docs).
pub fn import_ledger<T: Transport, B: CallBudget>(
    store: &Store,
    client: &Client<T, B>,
    settings: &FinanceSettings,
    now: DateTime<Utc>,
) -> Result<ImportReport, FinanceError> {
    let conn = db::open(store)?;
    let now_ms = now.timestamp_millis();
    let mut report = ImportReport::default();
    let cursor = db::get_state(conn, IMPORT_CURSOR)?
        .as_deref()
        .and_then(parse_time);
    let mut run: Run = match db::get_state(conn, IMPORT_RUN)? {
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| FinanceError::Data(format!("import run: {e}")))?,
        None => Run {
            page_token: None,
            from: cursor.map(|c| c - Duration::minutes(settings.import_overlap_minutes)),
            newest: cursor,
        },
    };
    let limit = settings
        .import_page_size
        .clamp(1, crate::mirakl::finance::MAX_TRANSACTION_PAGE);
    let mut restarted = false;
    loop {
        let request = match &run.page_token {
            Some(token) => transactions_page(token, limit),
            None => transactions(&TransactionQuery {
                last_updated_from: run.from,
                sort: Some("lastUpdated,ASC".to_owned()),
                limit: Some(limit),
                ..TransactionQuery::default()
            }),
        };
        let page: TransactionPage = match client.send_json(request) {
            Ok(page) => page,
            Err(error) => {
                if let Some(at) = come_back_at(&error, now) {
                    report.resume_at = Some(at);
                    break;
                }
                // An expired or unknown page token: read the run again from its start.
                if matches!(
                    error,
                    MiraklError::Client {
                        status: 400 | 404 | 410,
                        ..
                    }
                ) && run.page_token.is_some()
                    && !restarted
                {
                    restarted = true;
                    run.page_token = None;
                    db::set_state(conn, IMPORT_RUN, &run_json(&run)?, now_ms)?;
                    continue;
                }
                return Err(error.into());
            }
        };
        let mut counts = report.clone();
        let next_token = page.next_page_token.clone().filter(|t| !t.is_empty());
        let run_after = immediate(conn, |conn| -> Result<Run, FinanceError> {
            let mut run = run.clone();
            for raw in &page.data {
                let row = LedgerRow::from_transaction(raw, now);
                if let Some(updated) = raw.last_updated.or(raw.date_created) {
                    run.newest = Some(run.newest.map_or(updated, |n| n.max(updated)));
                }
                if row.category == Category::Unknown {
                    *counts
                        .unknown_types
                        .entry(row.transaction_type.clone())
                        .or_default() += 1;
                }
                counts.transactions_seen += 1;
                match db::upsert_transaction(conn, &row, now_ms)? {
                    Upsert::Inserted => counts.inserted += 1,
                    Upsert::Updated => counts.updated += 1,
                    Upsert::Unchanged => counts.unchanged += 1,
                }
            }
            run.page_token = next_token.clone();
            if run.page_token.is_none() {
                if let Some(newest) = run.newest {
                    db::set_state(conn, IMPORT_CURSOR, &newest.to_rfc3339(), now_ms)?;
                }
                db::clear_state(conn, IMPORT_RUN)?;
            } else {
                db::set_state(conn, IMPORT_RUN, &run_json(&run)?, now_ms)?;
            }
            Ok(run)
        })?;
        report = counts;
        report.pages += 1;
        run = run_after;
        if run.page_token.is_none() {
            report.complete = true;
            break;
        }
    }
    report.cursor = db::get_state(conn, IMPORT_CURSOR)?
        .as_deref()
        .and_then(parse_time);
    if settings.import_documents {
        import_documents(conn, client, now, &mut report)?;
        import_billing_cycles(conn, client, now, &mut report)?;
    }
    if report.complete {
        report.next_import_at = Some(now + Duration::hours(settings.import_interval_hours));
        db::set_state(conn, LAST_COMPLETE, &now.to_rfc3339(), now_ms)?;
    }
    match report.resume_at {
        Some(at) => db::set_state(conn, RESUME_AT, &at.to_rfc3339(), now_ms)?,
        None => db::clear_state(conn, RESUME_AT)?,
    }
    Ok(report)
}

/// Where the import stands, for the admin page and the scheduler.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportStatus {
    /// When the last run that read every page ended.
    pub last_complete: Option<DateTime<Utc>>,
    /// A run stopped part-way (budget or 429) and will resume from its page token.
    pub in_progress: bool,
    /// Not before this time (Mirakl's budget or `Retry-After`).
    pub resume_at: Option<DateTime<Utc>>,
    /// The TL02 `last_updated` cursor.
    pub cursor: Option<DateTime<Utc>>,
    /// When the scheduled import should run next (now, if it is due).
    pub next_due: DateTime<Utc>,
}

/// The import's state and when it is next due: after `import_interval_hours` from the last
/// complete run, or as soon as `resume_at` has passed when a run is in progress.
pub fn import_status(
    store: &Store,
    settings: &FinanceSettings,
    now: DateTime<Utc>,
) -> Result<ImportStatus, FinanceError> {
    let conn = db::open(store)?;
    let read = |name: &str| -> Result<Option<DateTime<Utc>>, FinanceError> {
        Ok(db::get_state(conn, name)?.as_deref().and_then(parse_time))
    };
    let last_complete = read(LAST_COMPLETE)?;
    let resume_at = read(RESUME_AT)?;
    let in_progress = db::get_state(conn, IMPORT_RUN)?.is_some();
    let scheduled = match last_complete {
        Some(last) if !in_progress => last + Duration::hours(settings.import_interval_hours),
        _ => now,
    };
    let next_due = match resume_at {
        Some(at) => scheduled.max(at),
        None => scheduled,
    };
    Ok(ImportStatus {
        last_complete,
        in_progress,
        resume_at,
        cursor: read(IMPORT_CURSOR)?,
        next_due,
    })
}

/// Whether the scheduled import should run now (see [`import_status`]).
pub fn import_due(
    store: &Store,
    settings: &FinanceSettings,
    now: DateTime<Utc>,
) -> Result<bool, FinanceError> {
    Ok(import_status(store, settings, now)?.next_due <= now)
}

fn run_json(run: &Run) -> Result<String, FinanceError> {
    serde_json::to_string(run).map_err(|e| FinanceError::Data(format!("import run: {e}")))
}

fn note(report: &mut ImportReport, text: String) {
    report.documents_note = Some(match report.documents_note.take() {
        Some(previous) => format!("{previous}; {text}"),
        None => text,
    });
}

/// IV01 accounting documents issued since the last read (one day of overlap), all types.
fn import_documents<T: Transport, B: CallBudget>(
    conn: &rusqlite::Connection,
    client: &Client<T, B>,
    now: DateTime<Utc>,
    report: &mut ImportReport,
) -> Result<(), FinanceError> {
    let since = db::get_state(conn, DOCUMENTS_CURSOR)?
        .as_deref()
        .and_then(parse_time);
    let query = InvoiceQuery {
        start_date: since.map(|s| s - Duration::days(1)),
        document_type: Some("ALL".to_owned()),
        page_size: Some(100),
        ..InvoiceQuery::default()
    };
    let mut offset: u64 = 0;
    loop {
        let page: InvoicePage = match client.send_json(invoices(&query, offset)) {
            Ok(page) => page,
            Err(error) => {
                if let Some(at) = come_back_at(&error, now) {
                    note(
                        report,
                        format!("IV01 documents deferred until {}", at.to_rfc3339()),
                    );
                    return Ok(());
                }
                if matches!(error, MiraklError::Client { status: 404, .. }) {
                    note(
                        report,
                        "IV01 documents are not available on this instance".to_owned(),
                    );
                    return Ok(());
                }
                return Err(error.into());
            }
        };
        let count = page.invoices.len() as u64;
        immediate(conn, |conn| -> Result<(), FinanceError> {
            for document in &page.invoices {
                db::upsert_document(conn, document, now.timestamp_millis())?;
            }
            Ok(())
        })?;
        report.documents += count;
        offset += count;
        let reached = page
            .total_count
            .is_some_and(|t| i64::try_from(offset).map_or(true, |o| o >= t));
        if count < u64::from(query.page_size()) || reached || count == 0 {
            break;
        }
    }
    db::set_state(
        conn,
        DOCUMENTS_CURSOR,
        &now.to_rfc3339(),
        now.timestamp_millis(),
    )?;
    Ok(())
}

/// SBC11 seller billing cycles (all pages), once a day (the client's SBC11 budget).
fn import_billing_cycles<T: Transport, B: CallBudget>(
    conn: &rusqlite::Connection,
    client: &Client<T, B>,
    now: DateTime<Utc>,
    report: &mut ImportReport,
) -> Result<(), FinanceError> {
    let mut request = billing_cycles();
    loop {
        let page: BillingCyclePage = match client.send_json(request) {
            Ok(page) => page,
            Err(error) => {
                if let Some(at) = come_back_at(&error, now) {
                    note(
                        report,
                        format!("SBC11 billing cycles deferred until {}", at.to_rfc3339()),
                    );
                    return Ok(());
                }
                if matches!(error, MiraklError::Client { status: 404, .. }) {
                    note(
                        report,
                        "SBC11 billing cycles are not available on this instance".to_owned(),
                    );
                    return Ok(());
                }
                return Err(error.into());
            }
        };
        immediate(conn, |conn| -> Result<(), FinanceError> {
            for cycle in &page.data {
                db::upsert_cycle(conn, cycle, now.timestamp_millis())?;
            }
            Ok(())
        })?;
        report.billing_cycles += page.data.len() as u64;
        match page.next_page_token.filter(|t| !t.is_empty()) {
            Some(token) => request = billing_cycles_page(&token),
            None => break,
        }
    }
    db::set_state(
        conn,
        CYCLES_LAST_RUN,
        &now.to_rfc3339(),
        now.timestamp_millis(),
    )?;
    Ok(())
}
