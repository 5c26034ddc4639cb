//! Refunds: a shop refund on a Mirakl order becomes one OR28 with per-line amounts and shipping.
//!
//! Invariants: exactly once per shop refund — the job is keyed by the shop refund id, the refund
//! row is written as `sending` before OR28, and a `sending` row is first looked for in OR11
//! `refunds[]` (and adopted) before anything is sent again; never more than what is left to
//! refund on a line (computed from OR11, fresh, in the same tax mode as the OR28); a refund
//! that came from Mirakl is never sent back.

use crate::vocab::{EntityType, ProblemKind};
use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::mirakl::orders::{Order, OrderLine, RefundLine, RefundRequest};
use crate::mirakl::{ApiCode, CallBudget, Transport};
use crate::store::{NewProblem, RefundRecord};

use super::super::expected;
use super::orders::{known_refund_ids, REFUND_SENDING};
use super::{reference, Ctx, JobError, JobResult, Mapped, OrderRead, Outcome};

/// Refund row states after which nothing is sent. A `rejected` refund (nothing was sent) runs
/// again when a human retries its problem.
const SETTLED: &[&str] = &["sent", "adopted", "mirrored"];

pub(crate) fn refund<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let refund_id = ctx
        .job
        .payload
        .get("wc_refund_id")
        .and_then(Value::as_i64)
        .or_else(|| ctx.job.key.parse().ok())
        .ok_or_else(|| JobError::Permanent("refund job without a shop refund id".to_owned()))?;
    let record = ctx.store.refund(refund_id)?;
    if record
        .as_ref()
        .is_some_and(|r| SETTLED.contains(&r.state.as_str()))
    {
        return Ok(Outcome::Done("already_settled"));
    }
    let Some(shop_refund) = ctx.shop.read_refund(refund_id)? else {
        return Ok(Outcome::Done("unknown_refund"));
    };
    if shop_refund.mirakl_refund_id.is_some() {
        return Ok(Outcome::Done("from_marketplace"));
    }
    let mapping = match ctx.shop_order_mapping(shop_refund.order_id)? {
        Mapped::Row(mapping) => mapping,
        Mapped::NotMarketplace => return Ok(Outcome::Done("not_marketplace")),
        Mapped::Waiting(outcome) => return Ok(outcome),
    };
    // A refund that only restocks moves no money: nothing to tell Mirakl.
    if shop_refund.lines.iter().all(|l| l.amount.is_zero()) && shop_refund.shipping_amount.is_zero()
    {
        return Ok(Outcome::Done("no_amount"));
    }
    let id = mapping.mirakl_order_id.clone();
    // Whatever Mirakl answers, the shop refunded this: finance expects it.
    expected::record_refund(ctx.store, &id, &shop_refund)?;
    // What is left to refund, and whether an earlier attempt already refunded, are only known
    // from a fresh OR11.
    let (raw, order, fetched_at) = match ctx.read_order(&id)? {
        OrderRead::Found(raw, order, fetched_at) => (raw, *order, fetched_at),
        OrderRead::Waiting(outcome) => return Ok(outcome),
        OrderRead::Absent => {
            return Err(JobError::Permanent(format!("order {id} is not in OR11")));
        }
    };

    if record.as_ref().is_some_and(|r| r.state == REFUND_SENDING) {
        // The last OR28 may have reached Mirakl: adopt its refunds instead of sending again.
        // Matching is on line and amount; what is "left" already counts them, so it is not
        // checked here.
        if let Ok(expected) = plan(ctx, &order, &shop_refund, false) {
            let mut taken: BTreeSet<String> = known_refund_ids(ctx, &id)?;
            let mut adopted = Vec::new();
            for line in &expected {
                let found = order
                    .order_lines
                    .iter()
                    .filter(|l| l.order_line_id == line.order_line_id)
                    .flat_map(|l| l.refunds.iter())
                    .find(|r| {
                        !taken.contains(&r.id) && r.amount.unwrap_or_default() == line.amount
                    });
                if let Some(found) = found {
                    taken.insert(found.id.clone());
                    adopted.push(found.id.clone());
                }
            }
            if !adopted.is_empty() {
                let mut settled = RefundRecord::new(refund_id, id.clone(), "adopted");
                settled.mirakl_refund_ids = adopted;
                ctx.store.upsert_refund(&settled)?;
                return Ok(Outcome::Done("adopted"));
            }
        }
    }

    let plan = match plan(ctx, &order, &shop_refund, true) {
        Ok(plan) => plan,
        Err(message) => {
            ctx.store
                .upsert_refund(&RefundRecord::new(refund_id, id.clone(), "rejected"))?;
            ctx.raise(
                NewProblem::new(
                    ProblemKind::RefundRejected,
                    EntityType::ShopRefund,
                    refund_id.to_string(),
                    message,
                )
                .details(serde_json::json!({ "mirakl_order_id": id }))
                .job(ctx.job.id)
                .hint("Refund the customer on the marketplace by hand if needed."),
            )?;
            return Ok(Outcome::Done("rejected"));
        }
    };

    ctx.store
        .upsert_refund(&RefundRecord::new(refund_id, id.clone(), REFUND_SENDING))?;
    ctx.writing_to(&id)?;
    let request = RefundRequest {
        order_tax_mode: Some(ctx.order_tax_mode(&order)),
        refunds: plan,
    };
    let response = ctx.mirakl(ApiCode::OR28, |c| c.orders().refund(&request))?;
    let mut sent = RefundRecord::new(refund_id, id.clone(), "sent");
    sent.mirakl_refund_ids = response
        .refunds
        .iter()
        .map(|r| r.refund_id.clone())
        .collect();
    ctx.store.upsert_refund(&sent)?;
    // The view this refund was planned on, plus the refund itself, is still exact: the next
    // refund of the order plans on it in this slot instead of waiting for another read.
    let patched = with_refunds(raw, &request.refunds, &response.refunds);
    ctx.store
        .restore_order_snapshot(&id, &patched, fetched_at)?;
    let total: Decimal = request
        .refunds
        .iter()
        .map(|l| l.amount + l.shipping_amount.unwrap_or_default())
        .sum();
    let note = format!("Refund of {total} sent to the marketplace (Mirakl order {id}).");
    // The refund is made; a note that fails to save must not make it look undone.
    let _ = ctx.shop.add_order_note(shop_refund.order_id, &note);
    Ok(Outcome::Done("refunded"))
}

/// `raw` (an OR11 order) with the refunds OR28 just created added to their lines.
fn with_refunds(
    mut raw: Value,
    sent: &[RefundLine],
    created: &[crate::mirakl::orders::CreatedRefund],
) -> Value {
    let Some(lines) = raw.get_mut("order_lines").and_then(Value::as_array_mut) else {
        return raw;
    };
    for refund in created {
        let Some(planned) = sent
            .iter()
            .find(|l| l.order_line_id == refund.order_line_id)
        else {
            continue;
        };
        let Some(line) = lines.iter_mut().find(|l| {
            l.get("order_line_id").and_then(Value::as_str) == Some(refund.order_line_id.as_str())
        }) else {
            continue;
        };
        let entry = serde_json::json!({
            "id": refund.refund_id,
            "amount": planned.amount.to_string(),
            "shipping_amount": planned.shipping_amount.unwrap_or_default().to_string(),
            "quantity": planned.quantity,
            "reason_code": planned.reason_code,
            "state": "WAITING_REFUND",
        });
        match line.get_mut("refunds").and_then(Value::as_array_mut) {
            Some(refunds) => refunds.push(entry),
            None => {
                if let Some(object) = line.as_object_mut() {
                    object.insert("refunds".to_owned(), Value::Array(vec![entry]));
                }
            }
        }
    }
    raw
}

/// What is left to refund on a line: its price and shipping less what Mirakl already refunded
/// or cancelled on it.
pub(crate) fn left_on(line: &OrderLine) -> (Decimal, Decimal) {
    let taken: Decimal = line
        .refunds
        .iter()
        .filter_map(|r| r.amount)
        .sum::<Decimal>()
        + line
            .cancelations
            .iter()
            .filter_map(|c| c.amount)
            .sum::<Decimal>();
    let taken_shipping: Decimal = line
        .refunds
        .iter()
        .filter_map(|r| r.shipping_amount)
        .sum::<Decimal>()
        + line
            .cancelations
            .iter()
            .filter_map(|c| c.shipping_amount)
            .sum::<Decimal>();
    (
        line.price.unwrap_or_default() - taken,
        line.shipping_price.unwrap_or_default() - taken_shipping,
    )
}

/// The OR28 lines for a shop refund, or why it cannot be sent.
fn plan<T: Transport, B: CallBudget>(
    ctx: &Ctx<'_, T, B>,
    order: &Order,
    refund: &super::super::shop::ShopRefund,
    check_left: bool,
) -> Result<Vec<RefundLine>, String> {
    let reason = if ctx.settings.refund_reason_code.trim().is_empty() {
        reference::refund_reasons(ctx.store)
            .map_err(|e| e.to_string())?
            .and_then(|codes| codes.into_iter().next())
            .ok_or_else(|| "no refund reason code: set one in the settings".to_owned())?
    } else {
        ctx.settings.refund_reason_code.clone()
    };
    let mut lines: Vec<RefundLine> = Vec::new();
    for shop_line in &refund.lines {
        let line = order
            .order_lines
            .iter()
            .find(|l| shop_line.mirakl_order_line_id.as_deref() == Some(l.order_line_id.as_str()))
            .or_else(|| {
                order
                    .order_lines
                    .iter()
                    .find(|l| l.offer_sku.as_deref() == Some(shop_line.sku.as_str()))
            })
            .ok_or_else(|| {
                format!(
                    "refunded SKU {} is not in Mirakl order {}",
                    shop_line.sku, order.order_id
                )
            })?;
        if shop_line.amount < Decimal::ZERO {
            return Err("a refund amount is negative".to_owned());
        }
        // A line Mirakl cancelled or refused has nothing left to refund.
        let (amount_left, _) = if matches!(line.order_line_state.as_str(), "CANCELED" | "REFUSED") {
            (Decimal::ZERO, Decimal::ZERO)
        } else {
            left_on(line)
        };
        if check_left && shop_line.amount > amount_left {
            return Err(format!(
                "refund of {} on line {} exceeds the {} left to refund",
                shop_line.amount, line.order_line_id, amount_left
            ));
        }
        let mut refund_line = RefundLine::new(line.order_line_id.clone(), shop_line.amount);
        refund_line.quantity = Some(shop_line.quantity);
        refund_line.reason_code = Some(reason.clone());
        refund_line.shipping_amount = Some(Decimal::ZERO);
        lines.push(refund_line);
    }
    // Shipping is refunded on the refunded lines first, then any other line, never beyond what
    // each line has left.
    let mut shipping = refund.shipping_amount;
    if shipping < Decimal::ZERO {
        return Err("the shipping refund is negative".to_owned());
    }
    let mut order_of_lines: Vec<&OrderLine> = Vec::new();
    for planned in &lines {
        if let Some(l) = order
            .order_lines
            .iter()
            .find(|l| l.order_line_id == planned.order_line_id)
        {
            order_of_lines.push(l);
        }
    }
    for l in &order.order_lines {
        if !order_of_lines
            .iter()
            .any(|o| o.order_line_id == l.order_line_id)
        {
            order_of_lines.push(l);
        }
    }
    for line in order_of_lines {
        if shipping <= Decimal::ZERO {
            break;
        }
        let shipping_left = if check_left {
            left_on(line).1
        } else {
            shipping
        };
        let take = shipping.min(shipping_left.max(Decimal::ZERO));
        if take <= Decimal::ZERO {
            continue;
        }
        shipping -= take;
        match lines
            .iter_mut()
            .find(|l| l.order_line_id == line.order_line_id)
        {
            Some(existing) => existing.shipping_amount = Some(take),
            None => {
                let mut extra = RefundLine::new(line.order_line_id.clone(), Decimal::ZERO);
                extra.shipping_amount = Some(take);
                extra.quantity = Some(0);
                extra.reason_code = Some(reason.clone());
                lines.push(extra);
            }
        }
    }
    if shipping > Decimal::ZERO {
        return Err(format!(
            "the shipping refund exceeds what is left by {shipping}"
        ));
    }
    lines.retain(|l| {
        l.amount > Decimal::ZERO || l.shipping_amount.unwrap_or_default() > Decimal::ZERO
    });
    if lines.is_empty() {
        return Err("the refund has no amount".to_owned());
    }
    Ok(lines)
}
