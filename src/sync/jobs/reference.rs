//! Reference data: SH21 carriers (the codes OR23/ST01 accept) and RE01 REFUND reasons (OR28),
//! refreshed daily and cached in the store so shipping and refunds never spend a call on them.

use chrono::Duration;
use serde_json::json;

use crate::mirakl::reference::ReasonType;
use crate::mirakl::{ApiCode, CallBudget, Transport};
use crate::store::{Store, StoreError};

use super::{Ctx, JobResult, Outcome};

pub const CARRIERS_CURSOR: &str = "reference.carriers";
pub const REFUND_REASONS_CURSOR: &str = "reference.refund_reasons";

/// SH21 then RE01; each cached as soon as it is read.
pub(crate) fn refresh<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    // SH21 may be called once a day: when RE01 failed after it, the retry skips it.
    let fresh_carriers = ctx
        .store
        .cursor(CARRIERS_CURSOR)?
        .is_some_and(|c| c.updated_at > ctx.now() - Duration::hours(23));
    if !fresh_carriers {
        let carriers = ctx.mirakl(ApiCode::SH21, |c| c.reference().carriers())?;
        let codes: Vec<_> = carriers
            .iter()
            .map(|c| json!({ "code": c.code, "label": c.label }))
            .collect();
        ctx.store.set_cursor(
            CARRIERS_CURSOR,
            &serde_json::Value::Array(codes).to_string(),
        )?;
    }
    let reasons = ctx.mirakl(ApiCode::RE01, |c| {
        c.reference().reasons(Some(&ReasonType::Refund))
    })?;
    let refund_codes: Vec<String> = reasons
        .of_type(&ReasonType::Refund)
        .map(|r| r.code.clone())
        .collect();
    ctx.store.set_cursor(
        REFUND_REASONS_CURSOR,
        &serde_json::to_string(&refund_codes).unwrap_or_else(|_| "[]".to_owned()),
    )?;
    Ok(Outcome::Done("refreshed"))
}

/// The cached SH21 carrier codes; `None` before the first refresh.
pub(crate) fn carrier_codes(store: &Store) -> Result<Option<Vec<String>>, StoreError> {
    Ok(store.cursor(CARRIERS_CURSOR)?.map(|c| {
        serde_json::from_str::<Vec<serde_json::Value>>(&c.value)
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_owned))
            .collect()
    }))
}

/// The cached RE01 REFUND reason codes; `None` before the first refresh.
pub(crate) fn refund_reasons(store: &Store) -> Result<Option<Vec<String>>, StoreError> {
    Ok(store
        .cursor(REFUND_REASONS_CURSOR)?
        .map(|c| serde_json::from_str(&c.value).unwrap_or_default()))
}
