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

use super::money;
use super::types::{Category, LedgerRow};
use super::{FinanceError, FinanceSettings};
use crate::mirakl::finance::{
    billing_cycles, billing_cycles_page, invoices, transactions, transactions_page, BillingCycle,
    BillingCyclePage, Invoice, InvoicePage, InvoiceQuery, TransactionPage, TransactionQuery,
};
use crate::mirakl::{ApiCode, CallBudget, Client, MiraklError, Refusal, Transport};
use crate::store::{
    FinanceBillingCycle, FinanceDocument, FinanceTransaction, ImportStateChange, Store,
};

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
    let mut report = ImportReport::default();
    let cursor = store
        .finance_import_state(IMPORT_CURSOR)?
        .as_deref()
        .and_then(parse_time);
    let mut run: Run = match store.finance_import_state(IMPORT_RUN)? {
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
        let answer = client.send_json::<TransactionPage>(request);
        // A TL02 answer refused by the connector's limits (too large, too slow, a row it cannot
        // read) is named in one problem until TL02 answers again. Bookkeeping only: a failure
        // to record it never hides the import's own outcome.
        let refusal = match &answer {
            Ok(_) => None,
            Err(error @ MiraklError::Decode { .. }) => Some(Refusal {
                reason: "unreadable",
                message: format!(
                    "{error}; the ledger import stops at this page and reads it again next time"
                ),
                hint: "Ask the operator to check this transaction on Mirakl's side.",
            }),
            Err(error) => error.refusal(),
        };
        if answer.is_ok() || refusal.is_some() {
            let _ = store.note_api_answer(ApiCode::TL02, refusal, None);
        }
        let page: TransactionPage = match answer {
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
                    store.set_finance_import_state(IMPORT_RUN, &run_json(&run)?)?;
                    continue;
                }
                return Err(error.into());
            }
        };
        let mut rows = Vec::with_capacity(page.data.len());
        let mut run_after = run.clone();
        for raw in &page.data {
            let row = LedgerRow::from_transaction(raw, now);
            if let Some(updated) = raw.last_updated.or(raw.date_created) {
                run_after.newest = Some(run_after.newest.map_or(updated, |n| n.max(updated)));
            }
            if row.category == Category::Unknown {
                *report
                    .unknown_types
                    .entry(row.transaction_type.clone())
                    .or_default() += 1;
            }
            rows.push(stored_row(row)?);
        }
        run_after.page_token = page.next_page_token.clone().filter(|t| !t.is_empty());
        let cursor_text = run_after.newest.map(|newest| newest.to_rfc3339());
        let run_text = run_json(&run_after)?;
        let mut positions = Vec::with_capacity(2);
        if run_after.page_token.is_none() {
            if let Some(value) = &cursor_text {
                positions.push(ImportStateChange::Set {
                    name: IMPORT_CURSOR,
                    value,
                });
            }
            positions.push(ImportStateChange::Clear { name: IMPORT_RUN });
        } else {
            positions.push(ImportStateChange::Set {
                name: IMPORT_RUN,
                value: &run_text,
            });
        }
        let counts = store.record_finance_page(&rows, &positions)?;
        report.transactions_seen += rows.len() as u64;
        report.inserted += counts.inserted;
        report.updated += counts.updated;
        report.unchanged += counts.unchanged;
        report.pages += 1;
        run = run_after;
        if run.page_token.is_none() {
            report.complete = true;
            break;
        }
    }
    report.cursor = store
        .finance_import_state(IMPORT_CURSOR)?
        .as_deref()
        .and_then(parse_time);
    if settings.import_documents {
        import_documents(store, client, now, &mut report)?;
        import_billing_cycles(store, client, now, &mut report)?;
    }
    if report.complete {
        report.next_import_at = Some(now + Duration::hours(settings.import_interval_hours));
        store.set_finance_import_state(LAST_COMPLETE, &now.to_rfc3339())?;
    }
    match report.resume_at {
        Some(at) => store.set_finance_import_state(RESUME_AT, &at.to_rfc3339())?,
        None => store.clear_finance_import_state(RESUME_AT)?,
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
    let read = |name: &str| -> Result<Option<DateTime<Utc>>, FinanceError> {
        Ok(store
            .finance_import_state(name)?
            .as_deref()
            .and_then(parse_time))
    };
    let last_complete = read(LAST_COMPLETE)?;
    let resume_at = read(RESUME_AT)?;
    let in_progress = store.finance_import_state(IMPORT_RUN)?.is_some();
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
    store: &Store,
    client: &Client<T, B>,
    now: DateTime<Utc>,
    report: &mut ImportReport,
) -> Result<(), FinanceError> {
    let since = store
        .finance_import_state(DOCUMENTS_CURSOR)?
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
        let documents: Vec<FinanceDocument> = page.invoices.iter().map(stored_document).collect();
        store.record_finance_documents(&documents)?;
        report.documents += count;
        offset += count;
        let reached = page
            .total_count
            .is_some_and(|t| i64::try_from(offset).map_or(true, |o| o >= t));
        if count < u64::from(query.page_size()) || reached || count == 0 {
            break;
        }
    }
    store.set_finance_import_state(DOCUMENTS_CURSOR, &now.to_rfc3339())?;
    Ok(())
}

/// SBC11 seller billing cycles (all pages), once a day (the client's SBC11 budget).
fn import_billing_cycles<T: Transport, B: CallBudget>(
    store: &Store,
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
        let cycles: Vec<FinanceBillingCycle> = page.data.iter().map(stored_cycle).collect();
        store.record_finance_billing_cycles(&cycles)?;
        report.billing_cycles += page.data.len() as u64;
        match page.next_page_token.filter(|t| !t.is_empty()) {
            Some(token) => request = billing_cycles_page(&token),
            None => break,
        }
    }
    store.set_finance_import_state(CYCLES_LAST_RUN, &now.to_rfc3339())?;
    Ok(())
}

/// A ledger row as the store keeps it (amount in ten-thousandths).
fn stored_row(row: LedgerRow) -> Result<FinanceTransaction, FinanceError> {
    let amount_e4 = money::to_e4(row.amount).ok_or_else(|| {
        FinanceError::Data(format!("transaction {}: amount out of range", row.id))
    })?;
    Ok(FinanceTransaction {
        id: row.id,
        transaction_type: row.transaction_type,
        category: row.category.as_str().to_owned(),
        amount_e4,
        currency: row.currency,
        transaction_date: row.transaction_date,
        period: row.period,
        date_created: row.date_created,
        last_updated: row.last_updated,
        payment_state: row.payment_state,
        order_id: row.order_id,
        commercial_id: row.commercial_id,
        order_line_id: row.order_line_id,
        refund_id: row.refund_id,
        accounting_document_id: row.accounting_document_id,
        accounting_document_number: row.accounting_document_number,
        seller_billing_cycle_id: row.seller_billing_cycle_id,
        description: row.description,
    })
}

/// An optional amount in ten-thousandths (one out of range is not stored).
fn opt_e4(value: Option<rust_decimal::Decimal>) -> Option<i64> {
    value.and_then(money::to_e4)
}

/// An IV01 document as the store keeps it.
fn stored_document(doc: &Invoice) -> FinanceDocument {
    let payment = doc.payment.as_ref();
    FinanceDocument {
        invoice_id: doc.invoice_id.clone(),
        document_number: doc.id.clone(),
        document_type: doc.invoice_type.as_ref().map(|t| t.as_str().to_owned()),
        state: doc.state.clone(),
        currency: doc.currency_iso_code.clone(),
        issue_date: doc.issue_date,
        start_time: doc.start_time,
        end_time: doc.end_time,
        amount_transferred_e4: opt_e4(doc.summary.as_ref().and_then(|s| s.amount_transferred)),
        total_incl_taxes_e4: opt_e4(doc.total_amount_incl_taxes),
        payment_state: payment.and_then(|p| p.state.clone()),
        payment_reference: payment.and_then(|p| p.reference.clone()),
        seller_billing_cycle_id: doc.seller_billing_cycle_id.clone(),
        summary: doc
            .summary
            .as_ref()
            .and_then(|s| serde_json::to_string(s).ok()),
    }
}

/// An SBC11 billing cycle as the store keeps it.
fn stored_cycle(cycle: &BillingCycle) -> FinanceBillingCycle {
    let pay_out = cycle.pay_out.as_ref();
    FinanceBillingCycle {
        id: cycle.id.clone(),
        currency: cycle.currency_iso_code.clone(),
        date_created: cycle.date_created,
        amount_transferred_to_seller_e4: opt_e4(cycle.amount_transferred_to_seller),
        amount_transferred_to_operator_e4: opt_e4(cycle.amount_transferred_to_operator),
        pay_out_state: pay_out.and_then(|p| p.state.clone()),
        pay_out_reference: pay_out.and_then(|p| p.reference.clone()),
        summary: cycle.summary.as_ref().map(|s| s.to_string()),
    }
}
