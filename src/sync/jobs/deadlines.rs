//! Deadline clocks. Mirakl does not expose the acceptance window, so each order's
//! `acceptance_deadline` is its creation plus the window from settings; an order still waiting
//! past a configured fraction of it raises a warning (one per fraction), a passed deadline a
//! critical problem. Orders in SHIPPING near or past `shipping_deadline` likewise. It also
//! purges finished jobs after a retention period: their payloads hold buyers' addresses, kept
//! only as long as a job may need them.

use crate::vocab::{EntityType, ProblemKind};
use chrono::Duration;
use std::time::Duration as StdDuration;

use crate::mirakl::{CallBudget, Transport};
use crate::store::{NewProblem, Severity};

use super::{Ctx, JobResult, Outcome};

/// Finished jobs are deleted this long after they ended (or after the payload retention, when
/// that is longer); it is longer than any acceptance window. Their payloads are blanked sooner,
/// by the tick's purge ([`crate::sync::engine`]).
const DONE_JOB_RETENTION: StdDuration = StdDuration::from_secs(35 * 86_400);

pub(crate) fn check<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let now = ctx.now();
    let window = Duration::hours(ctx.settings.acceptance_window_hours);
    let waiting = ctx
        .store
        .list_orders(Some("WAITING_ACCEPTANCE"), 10_000, 0)?;
    let mut fractions = ctx.settings.acceptance_warning_fractions.clone();
    fractions.sort_by(|a, b| b.total_cmp(a));
    for order in waiting {
        let Some(deadline) = order.acceptance_deadline else {
            continue;
        };
        let id = order.mirakl_order_id.clone();
        if now >= deadline {
            ctx.raise(
                NewProblem::new(
                    ProblemKind::AcceptanceDeadlinePassed,
                    EntityType::MiraklOrder,
                    id.clone(),
                    format!(
                        "Order {id} was not accepted before its acceptance deadline {deadline}"
                    ),
                )
                .severity(Severity::Critical),
            )?;
            continue;
        }
        let started = deadline - window;
        let elapsed = (now - started).num_seconds() as f64;
        let total = window.num_seconds().max(1) as f64;
        if let Some(fraction) = fractions.iter().find(|f| elapsed / total >= **f) {
            let percent = (fraction * 100.0).round() as i64;
            let left = deadline - now;
            ctx.raise(
                NewProblem::new(
                    ProblemKind::AcceptanceDeadlineNear,
                    EntityType::MiraklOrder,
                    id.clone(),
                    format!(
                        "Order {id} is still waiting for acceptance: {percent}% of its window \
                         is gone, {} h {} min left (deadline {deadline})",
                        left.num_hours(),
                        left.num_minutes() % 60
                    ),
                )
                .severity(Severity::Warning)
                .details(serde_json::json!({ "percent_of_window_gone": percent }))
                .hint("Accept or refuse it now, or it is refused automatically."),
            )?;
        }
    }
    let warning = Duration::hours(ctx.settings.shipping_deadline_warning_hours);
    let shipping = ctx.store.list_orders(Some("SHIPPING"), 10_000, 0)?;
    for order in shipping {
        let Some(deadline) = order.shipping_deadline else {
            continue;
        };
        let id = order.mirakl_order_id.clone();
        if now >= deadline {
            ctx.raise(
                NewProblem::new(
                    ProblemKind::ShippingDeadlinePassed,
                    EntityType::MiraklOrder,
                    id.clone(),
                    format!(
                        "Order {id} is not shipped and its shipping deadline {deadline} has passed"
                    ),
                )
                .severity(Severity::Error),
            )?;
        } else if now >= deadline - warning {
            ctx.raise(
                NewProblem::new(
                    ProblemKind::ShippingDeadlineNear,
                    EntityType::MiraklOrder,
                    id.clone(),
                    format!("Order {id} must be shipped before {deadline}"),
                )
                .severity(Severity::Warning),
            )?;
        }
    }
    // Never before their payloads' retention is over (the tick's purge blanks those earlier).
    let retention = DONE_JOB_RETENTION.max(ctx.settings.payload_retention());
    ctx.store.purge_done_older_than(retention)?;
    Ok(Outcome::Done("checked"))
}
