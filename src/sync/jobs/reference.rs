//! Reference data: SH21 carriers (the codes OR23/ST01 accept) and RE01 reasons (REFUND codes
//! for OR28, REFUND and CANCELATION labels for the notes of what Mirakl took off an order),
//! refreshed daily and cached in the store so shipping and refunds never spend a call on them.

use std::collections::BTreeMap;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::mirakl::reference::ReasonType;
use crate::mirakl::{ApiCode, CallBudget, Client, MiraklError, Transport};
use crate::store::{Store, StoreError};

use super::{Ctx, JobResult, Outcome};

/// Cursor holding the cached SH21 carriers (a JSON list of [`CarrierOption`]).
pub const CARRIERS_CURSOR: &str = "reference.carriers";
/// Cursor holding the cached RE01 REFUND reason codes (a JSON list of strings).
pub const REFUND_REASONS_CURSOR: &str = "reference.refund_reasons";
/// RE01 labels of REFUND and CANCELATION reasons, by `TYPE:code`.
pub const REASON_LABELS_CURSOR: &str = "reference.reason_labels";
/// Most reason labels kept; longest label kept, in characters.
const MAX_REASONS: usize = 500;
const MAX_REASON_LABEL_CHARS: usize = 200;

/// One carrier as Mirakl lists it (SH21), as the cache keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierOption {
    pub code: String,
    pub label: Option<String>,
}

/// Replaces the cached carriers: the one writer of [`CARRIERS_CURSOR`].
fn store_carriers(
    store: &Store,
    carriers: &[crate::mirakl::reference::Carrier],
) -> Result<Vec<CarrierOption>, StoreError> {
    let options: Vec<CarrierOption> = carriers
        .iter()
        .map(|c| CarrierOption {
            code: c.code.clone(),
            label: c.label.clone(),
        })
        .collect();
    let text = serde_json::to_string(&options).map_err(|e| StoreError::Data(e.to_string()))?;
    store.set_cursor(CARRIERS_CURSOR, &text)?;
    Ok(options)
}

/// The cached carriers; empty before the first refresh.
pub fn carriers(store: &Store) -> Result<Vec<CarrierOption>, StoreError> {
    Ok(store
        .cursor(CARRIERS_CURSOR)?
        .and_then(|cursor| serde_json::from_str::<Vec<CarrierOption>>(&cursor.value).ok())
        .unwrap_or_default())
}

/// Reads SH21 now (within its daily budget) and replaces the cached carriers; a refused
/// budget comes back as `CallBudgetExhausted` with the time it may run.
pub fn refresh_carriers<T: Transport, B: CallBudget>(
    store: &Store,
    client: &Client<T, B>,
) -> Result<Vec<CarrierOption>, RefreshError> {
    let carriers = client.reference().carriers()?;
    Ok(store_carriers(store, &carriers)?)
}

/// Why a refresh outside the tick failed.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mirakl(#[from] MiraklError),
}

impl crate::error::Coded for RefreshError {
    fn code(&self) -> crate::error::ErrorCode {
        match self {
            RefreshError::Store(e) => e.code(),
            RefreshError::Mirakl(e) => e.code(),
        }
    }
}

/// SH21 then RE01; each cached as soon as it is read.
pub(crate) fn refresh<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    // SH21 may be called once a day: when RE01 failed after it, the retry skips it.
    let fresh_carriers = ctx
        .store
        .cursor(CARRIERS_CURSOR)?
        .is_some_and(|c| c.updated_at > ctx.now() - Duration::hours(23));
    if !fresh_carriers {
        let carriers = ctx.mirakl(ApiCode::SH21, |c| c.reference().carriers())?;
        store_carriers(ctx.store, &carriers)?;
    }
    // Every type in one call: REFUND codes for OR28, and the labels of the REFUND and
    // CANCELATION reasons Mirakl's refunds and cancelations name.
    let reasons = ctx.mirakl(ApiCode::RE01, |c| c.reference().reasons(None))?;
    let refund_codes: Vec<String> = reasons
        .of_type(&ReasonType::Refund)
        .map(|r| r.code.clone())
        .collect();
    ctx.store.set_cursor(
        REFUND_REASONS_CURSOR,
        &serde_json::to_string(&refund_codes).unwrap_or_else(|_| "[]".to_owned()),
    )?;
    let labels: BTreeMap<String, String> = reasons
        .reasons
        .iter()
        .filter(|r| matches!(r.reason_type, ReasonType::Refund | ReasonType::Cancelation))
        .filter_map(|r| {
            let label = r
                .label
                .as_deref()
                .map(plain_label)
                .filter(|l| !l.is_empty())?;
            Some((reason_key(r.reason_type.as_str(), &r.code), label))
        })
        .take(MAX_REASONS)
        .collect();
    ctx.store.set_cursor(
        REASON_LABELS_CURSOR,
        &serde_json::to_string(&labels).unwrap_or_else(|_| "{}".to_owned()),
    )?;
    Ok(Outcome::Done("refreshed"))
}

/// The cached SH21 carrier codes; `None` before the first refresh.
pub(crate) fn carrier_codes(store: &Store) -> Result<Option<Vec<String>>, StoreError> {
    if store.cursor(CARRIERS_CURSOR)?.is_none() {
        return Ok(None);
    }
    Ok(Some(carriers(store)?.into_iter().map(|c| c.code).collect()))
}

/// The cached RE01 REFUND reason codes; `None` before the first refresh.
pub fn refund_reasons(store: &Store) -> Result<Option<Vec<String>>, StoreError> {
    Ok(store
        .cursor(REFUND_REASONS_CURSOR)?
        .map(|c| serde_json::from_str(&c.value).unwrap_or_default()))
}

fn reason_key(reason_type: &str, code: &str) -> String {
    format!("{reason_type}:{code}")
}

/// A label as plain, bounded text: control characters dropped, whitespace collapsed.
fn plain_label(label: &str) -> String {
    label
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(MAX_REASON_LABEL_CHARS)
        .collect()
}

/// The RE01 label of a reason code of `reason_type` (`REFUND`, `CANCELATION`), when the last
/// refresh had it.
pub fn reason_label(store: &Store, reason_type: &str, code: Option<&str>) -> Option<String> {
    let code = code?;
    let cursor = store.cursor(REASON_LABELS_CURSOR).ok()??;
    let labels: BTreeMap<String, String> = serde_json::from_str(&cursor.value).ok()?;
    labels.get(&reason_key(reason_type, code)).cloned()
}
