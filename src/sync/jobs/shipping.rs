//! Shipping: a shipped shop order's tracking goes to Mirakl with the carrier mapped (settings →
//! SH21 code), through ST01 where the operator has multi-shipment, else OR23 then OR24.
//!
//! Invariants: an unmapped carrier is a problem, never a free-text guess, unless the merchant
//! allowed free text; after an attempt that may have written, Mirakl's state is read (OR11)
//! before anything is sent again; an ST01 404 switches the store to OR23/OR24 for good.

use crate::vocab::{EntityType, ProblemKind};
use chrono::Duration;
use serde_json::Value;

use crate::mirakl::orders::{OrderState, Tracking};
use crate::mirakl::shipments::{NewShipment, ShipmentLine, ShipmentTracking};
use crate::mirakl::{ApiCode, CallBudget, MiraklError, Transport};
use crate::store::{NewProblem, OrderMapping, Severity};

use super::super::shop::ShopTracking;
use super::{reference, Ctx, JobError, JobKind, JobResult, Mapped, OrderRead, Outcome};

/// Set to `unsupported` once ST01 answered 404.
pub const SHIPMENTS_API_CURSOR: &str = "shipments_api";
const UNSUPPORTED: &str = "unsupported";

/// States before payment: the shipment waits for SHIPPING.
const UNPAID_STATES: &[&str] = &[
    "STAGING",
    "WAITING_ACCEPTANCE",
    "WAITING_DEBIT",
    "WAITING_DEBIT_PAYMENT",
];

/// States past SHIPPING: nothing left to send.
pub(crate) const SHIPPED_STATES: &[&str] = &["SHIPPED", "TO_COLLECT", "RECEIVED", "CLOSED"];

enum Carrier {
    Code(String),
    FreeText(String),
}

pub(crate) fn ship<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let shop_order = ctx
        .job
        .payload
        .get("wc_order_id")
        .and_then(Value::as_i64)
        .or_else(|| ctx.job.key.parse().ok())
        .ok_or_else(|| JobError::Permanent("ship job without a shop order id".to_owned()))?;
    let mut mapping = match ctx.shop_order_mapping(shop_order)? {
        Mapped::Row(mapping) => mapping,
        Mapped::NotMarketplace => return Ok(Outcome::Done("not_marketplace")),
        Mapped::Waiting(outcome) => return Ok(outcome),
    };
    let id = mapping.mirakl_order_id.clone();
    if SHIPPED_STATES.contains(&mapping.state.as_str()) {
        return Ok(Outcome::Done("already_shipped"));
    }
    // The operator ships it from its fulfillment center: nothing for the shop to send.
    if latest_order(ctx, &id)?.is_some_and(|o| ctx.settings.operator_fulfils(&o)) {
        return Ok(Outcome::Done("operator_fulfilled"));
    }
    let Some(tracking) = ctx.shop.read_tracking(shop_order)? else {
        ctx.raise(
            NewProblem::new(
                ProblemKind::TrackingMissing,
                EntityType::MiraklOrder,
                id.clone(),
                format!("Order {id} is marked shipped in the shop but has no tracking number"),
            )
            .severity(Severity::Warning)
            .job(ctx.job.id)
            .hint("Add the carrier and tracking number to the order; it is sent then."),
        )?;
        return Ok(Outcome::Done("no_tracking"));
    };
    let carrier = match map_carrier(ctx, &tracking)? {
        Some(carrier) => carrier,
        None => {
            ctx.raise(
                NewProblem::new(
                    ProblemKind::CarrierUnmapped,
                    EntityType::MiraklOrder,
                    id.clone(),
                    format!(
                        "Carrier \"{}\" of order {id} has no Mirakl carrier code",
                        tracking.carrier
                    ),
                )
                .job(ctx.job.id)
                .hint("Map this carrier to a Mirakl carrier in the settings, then retry."),
            )?;
            return Ok(Outcome::Done("carrier_unmapped"));
        }
    };

    let mut order_lines: Option<Vec<ShipmentLine>> = None;
    if ctx.may_have_written() {
        let fresh = match ctx.read_order(&id)? {
            OrderRead::Found(_, fresh, _) => *fresh,
            OrderRead::Waiting(outcome) => return Ok(outcome),
            OrderRead::Absent => {
                return Err(JobError::Permanent(format!("order {id} is not in OR11")));
            }
        };
        if SHIPPED_STATES.contains(&fresh.order_state.as_str()) {
            mark_shipped(ctx, &mut mapping)?;
            return Ok(Outcome::Done("already_shipped"));
        }
        mapping.state = fresh.order_state.as_str().to_owned();
        order_lines = Some(shipment_lines_of(&fresh.order_lines));
    }
    if UNPAID_STATES.contains(&mapping.state.as_str()) {
        // Mirakl ships only paid (SHIPPING) orders; the poll brings the state change.
        let at = ctx.now() + Duration::seconds(ctx.settings.order_poll_interval_secs);
        return Ok(Outcome::Later(at, "not_yet_payable"));
    }
    if mapping.state != OrderState::Shipping.as_str() {
        ctx.raise(
            NewProblem::new(
                ProblemKind::OrderNotShippable,
                EntityType::MiraklOrder,
                id.clone(),
                format!(
                    "Order {id} was shipped in the shop but is {} on the marketplace",
                    mapping.state
                ),
            )
            .severity(Severity::Warning),
        )?;
        return Ok(Outcome::Done("not_shippable"));
    }

    if ctx.settings.use_shipments_api
        && ctx
            .store
            .cursor(SHIPMENTS_API_CURSOR)?
            .map(|c| c.value)
            .as_deref()
            != Some(UNSUPPORTED)
    {
        let lines = match order_lines {
            Some(lines) => Some(lines),
            None => latest_lines(ctx, &id)?,
        };
        if let Some(lines) = lines.filter(|l| !l.is_empty()) {
            let shipment = NewShipment {
                order_id: id.clone(),
                shipment_lines: lines,
                tracking: Some(ShipmentTracking {
                    carrier_code: match &carrier {
                        Carrier::Code(code) => Some(code.clone()),
                        Carrier::FreeText(_) => None,
                    },
                    carrier_name: match &carrier {
                        Carrier::FreeText(name) => Some(name.clone()),
                        Carrier::Code(_) => None,
                    },
                    carrier_standard_code: None,
                    tracking_number: Some(tracking.tracking_number.clone()),
                    tracking_url: match &carrier {
                        Carrier::FreeText(_) => tracking.tracking_url.clone(),
                        Carrier::Code(_) => None,
                    },
                }),
                shipped: Some(true),
                invoice_reference: None,
                shipping_from: None,
                shipment_additional_information: Vec::new(),
            };
            ctx.writing_to(&id)?;
            match ctx.mirakl(ApiCode::ST01, |c| c.shipments().create(&[shipment])) {
                Ok(result) if result.shipment_errors.is_empty() => {
                    mark_shipped(ctx, &mut mapping)?;
                    note(ctx, shop_order, &id, &tracking);
                    return Ok(Outcome::Done("shipped"));
                }
                Ok(result) => {
                    let messages: Vec<String> = result
                        .shipment_errors
                        .iter()
                        .filter_map(|e| e.message.clone())
                        .collect();
                    return Err(JobError::Permanent(format!(
                        "ST01 refused the shipment of {id}: {}",
                        messages.join("; ")
                    )));
                }
                Err(MiraklError::Client { status: 404, .. }) => {
                    ctx.store.set_cursor(SHIPMENTS_API_CURSOR, UNSUPPORTED)?;
                }
                Err(error) => return Err(error.into()),
            }
        }
    }

    let tracking_body = match &carrier {
        Carrier::Code(code) => Tracking {
            carrier_code: Some(code.clone()),
            tracking_number: Some(tracking.tracking_number.clone()),
            ..Tracking::default()
        },
        Carrier::FreeText(name) => Tracking {
            carrier_name: Some(name.clone()),
            carrier_url: tracking.tracking_url.clone(),
            tracking_number: Some(tracking.tracking_number.clone()),
            ..Tracking::default()
        },
    };
    // OR23 sets the same values again if a retry repeats it: harmless.
    ctx.writing_to(&id)?;
    ctx.mirakl(ApiCode::OR23, |c| {
        c.orders().set_tracking(&id, &tracking_body)
    })?;
    ctx.mirakl(ApiCode::OR24, |c| c.orders().ship(&id))?;
    mark_shipped(ctx, &mut mapping)?;
    note(ctx, shop_order, &id, &tracking);
    Ok(Outcome::Done("shipped"))
}

fn note<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    shop_order: i64,
    id: &str,
    tracking: &ShopTracking,
) {
    let text = format!(
        "Shipped on the marketplace (Mirakl order {id}, {} {}).",
        tracking.carrier, tracking.tracking_number
    );
    // The shipment is done; a note that fails to save must not make it look undone.
    let _ = ctx.shop.add_order_note(shop_order, &text);
}

fn mark_shipped<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    mapping: &mut OrderMapping,
) -> Result<(), JobError> {
    mapping.state = OrderState::Shipped.as_str().to_owned();
    ctx.store.upsert_order(mapping)?;
    // What kept it from shipping is gone: those problems close themselves.
    for kind in [
        ProblemKind::TrackingMissing,
        ProblemKind::CarrierUnmapped,
        ProblemKind::OrderNotShippable,
        ProblemKind::StatusDrift,
    ] {
        ctx.store.heal_problem(
            kind,
            EntityType::MiraklOrder.as_str(),
            &mapping.mirakl_order_id,
        )?;
    }
    Ok(())
}

/// The carrier to send, or `None` when it is unmapped and free text is not allowed.
fn map_carrier<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    tracking: &ShopTracking,
) -> Result<Option<Carrier>, JobError> {
    let mapped = ctx
        .settings
        .carrier_map
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(tracking.carrier.trim()))
        .map(|(_, code)| code.clone());
    if let Some(code) = mapped {
        // A mapping to a code SH21 no longer lists would be refused by Mirakl: say so now.
        let known = reference::carrier_codes(ctx.store)?;
        if known.map_or(true, |codes| codes.contains(&code)) {
            return Ok(Some(Carrier::Code(code)));
        }
        if !ctx.settings.allow_free_text_carriers {
            return Ok(None);
        }
    }
    if ctx.settings.allow_free_text_carriers && !tracking.carrier.trim().is_empty() {
        return Ok(Some(Carrier::FreeText(tracking.carrier.trim().to_owned())));
    }
    Ok(None)
}

fn shipment_lines_of(lines: &[crate::mirakl::orders::OrderLine]) -> Vec<ShipmentLine> {
    lines
        .iter()
        .filter(|l| {
            !matches!(
                l.order_line_state.as_str(),
                "REFUSED" | "CANCELED" | "REFUNDED"
            )
        })
        // Only what is left to ship: units Mirakl cancelled are not named.
        .map(|l| ShipmentLine {
            order_line_id: Some(l.order_line_id.clone()),
            offer_sku: None,
            package_reference: None,
            quantity: super::orders::left_to_ship(l),
        })
        .filter(|l| l.quantity > 0)
        .collect()
}

/// The latest OR11 payload of the order the store kept (sync or import job).
pub(crate) fn latest_order<T: Transport, B: CallBudget>(
    ctx: &Ctx<'_, T, B>,
    id: &str,
) -> Result<Option<crate::mirakl::orders::Order>, JobError> {
    for kind in [JobKind::SyncOrder, JobKind::ImportOrder] {
        if let Some(job) = ctx.store.find_job(kind.as_str(), id)? {
            if let Ok(order) = serde_json::from_value(job.payload.clone()) {
                return Ok(Some(order));
            }
        }
    }
    Ok(None)
}

/// The order's lines from the latest OR11 payload the store kept.
fn latest_lines<T: Transport, B: CallBudget>(
    ctx: &Ctx<'_, T, B>,
    id: &str,
) -> Result<Option<Vec<ShipmentLine>>, JobError> {
    Ok(latest_order(ctx, id)?.map(|order| shipment_lines_of(&order.order_lines)))
}
