//! The operator console under `/_sandbox/`: JSON endpoints that play the marketplace's part
//! (create orders, debit customers, move the clock, expire acceptance windows, book manual credits
//! and fees, pay out), fault
//! configuration, a JSON snapshot of the whole state, reset, and a small HTML page for demos.
//!
//! The console needs no API key and is never rate limited or faulted.

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::clock::format_date;
use crate::error::{ApiError, ApiResult};
use crate::faults::FaultRule;
use crate::http::{Request, Response};
use crate::model::money;
use crate::state::{NewOrder, State};
use crate::Shared;

pub const PREFIX: &str = "/_sandbox";

/// Largest single clock move, so that dates never overflow.
const MAX_ADVANCE_SECS: i64 = 10 * 366 * 86_400;

/// The whole state as JSON, for assertions and the HTML page.
pub fn snapshot(state: &State, faults: &[FaultRule]) -> Value {
    json!({
        "now": format_date(state.now()),
        "config": state.config,
        "offers": state.offers,
        "orders": state.orders,
        "imports": state.imports,
        "transactions": state.transactions,
        "invoices": state.invoices,
        "shipments": state.shipments,
        "balance": money(state.balance),
        "faults": faults,
    })
}

#[derive(Deserialize)]
struct OfferInput {
    sku: String,
    price: Decimal,
    quantity: i64,
    #[serde(default)]
    title: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OffersInput {
    Generate { generate: usize },
    Many(Vec<OfferInput>),
    One(OfferInput),
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RandomOrders {
    count: Option<usize>,
}

#[derive(Deserialize)]
struct Advance {
    #[serde(default)]
    seconds: i64,
    #[serde(default)]
    minutes: i64,
    #[serde(default)]
    hours: i64,
    #[serde(default)]
    days: i64,
}

#[derive(Deserialize)]
struct AccountTransaction {
    #[serde(rename = "type")]
    transaction_type: String,
    amount: Decimal,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FaultsInput {
    Many(Vec<FaultRule>),
    One(FaultRule),
}

fn parse<T: for<'de> Deserialize<'de>>(request: &Request) -> ApiResult<T> {
    let body: &[u8] = if request.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &request.body
    };
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Invalid console request: {e}")))
}

/// Handles one console request.
pub fn handle(shared: &Shared, request: &Request) -> Response {
    match route(shared, request) {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

fn route(shared: &Shared, request: &Request) -> ApiResult<Response> {
    let rest = request.path.strip_prefix(PREFIX).unwrap_or("");
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let method = request.method.as_str();
    match (method, segments.as_slice()) {
        ("GET", []) | ("GET", ["ui"]) => {
            let mut state = shared.lock_state();
            state.tick();
            Ok(Response::bytes(
                200,
                "text/html;charset=UTF-8",
                crate::page::render(&state).into_bytes(),
            ))
        }
        ("GET", ["state"]) => {
            let faults = shared.lock_faults().rules.clone();
            let mut state = shared.lock_state();
            state.tick();
            Ok(Response::json(200, &snapshot(&state, &faults)))
        }
        ("POST", ["reset"]) => {
            shared.reset();
            Ok(Response::json(200, &json!({ "reset": true })))
        }
        ("GET", ["clock"]) => {
            let state = shared.lock_state();
            Ok(Response::json(
                200,
                &json!({ "now": format_date(state.now()) }),
            ))
        }
        ("POST", ["clock", "advance"]) => {
            let a: Advance = parse(request)?;
            let seconds = [
                (a.seconds, 1i64),
                (a.minutes, 60),
                (a.hours, 3600),
                (a.days, 86_400),
            ]
            .iter()
            .try_fold(0i64, |total, (n, unit)| {
                n.checked_mul(*unit).and_then(|s| total.checked_add(s))
            })
            .filter(|s| (0..=MAX_ADVANCE_SECS).contains(s))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "The clock only moves forward, by at most ten years at a time",
                )
            })?;
            let mut state = shared.lock_state();
            state.advance_clock(seconds);
            Ok(Response::json(
                200,
                &json!({ "now": format_date(state.now()) }),
            ))
        }
        ("POST", ["offers"]) => {
            let input: OffersInput = parse(request)?;
            let mut state = shared.lock_state();
            state.tick();
            let created = match input {
                OffersInput::Generate { generate } => {
                    state.generate_offers(generate);
                    generate
                }
                OffersInput::Many(list) => {
                    for o in &list {
                        state.upsert_offer(&o.sku, o.price, o.quantity, o.title.clone())?;
                    }
                    list.len()
                }
                OffersInput::One(o) => {
                    state.upsert_offer(&o.sku, o.price, o.quantity, o.title.clone())?;
                    1
                }
            };
            Ok(Response::json(201, &json!({ "offers": created })))
        }
        ("POST", ["orders"]) => {
            let order: NewOrder = parse(request)?;
            let mut state = shared.lock_state();
            state.tick();
            let id = state.create_order(order)?;
            state.tick();
            Ok(Response::json(201, &json!({ "order_id": id })))
        }
        ("POST", ["orders", "random"]) => {
            let input: RandomOrders = parse(request)?;
            let mut state = shared.lock_state();
            state.tick();
            let mut ids = Vec::new();
            for _ in 0..input.count.unwrap_or(1) {
                ids.push(state.create_random_order()?);
            }
            state.tick();
            Ok(Response::json(201, &json!({ "order_ids": ids })))
        }
        ("POST", ["orders", id, action]) => {
            let mut state = shared.lock_state();
            state.tick();
            match *action {
                "debit" => state.debit(id)?,
                "receive" => state.advance_order(id, "RECEIVED")?,
                "close" => state.advance_order(id, "CLOSED")?,
                "expire-acceptance" => {
                    state.expire_acceptance(Some(id))?;
                }
                _ => {
                    return Err(ApiError::not_found(format!(
                        "Unknown console action {action}"
                    )))
                }
            }
            let order = state.order(id)?;
            Ok(Response::json(
                200,
                &json!({ "order_id": order.order_id, "order_state": order.state }),
            ))
        }
        ("POST", ["expire-acceptance"]) => {
            let mut state = shared.lock_state();
            state.tick();
            let expired = state.expire_acceptance(None)?;
            Ok(Response::json(200, &json!({ "expired": expired })))
        }
        ("POST", ["payout"]) => {
            let mut state = shared.lock_state();
            state.tick();
            let invoices = state.payout_all();
            let default_currency = state.config.currency_iso_code.clone();
            let invoice = invoices
                .iter()
                .find(|i| i.currency_iso_code == default_currency)
                .ok_or_else(|| ApiError::bad_request("No payout was made"))?;
            let per_currency: Vec<Value> = invoices
                .iter()
                .map(|i| json!({ "invoice_id": i.invoice_id, "currency_iso_code": i.currency_iso_code, "amount_transferred": money(i.amount_transferred) }))
                .collect();
            Ok(Response::json(
                200,
                &json!({
                    "invoice_id": invoice.invoice_id,
                    "amount_transferred": money(invoice.amount_transferred),
                    "commission_excl_taxes": money(invoice.commission_excl),
                    "commission_taxes": money(invoice.commission_tax),
                    "payouts": per_currency,
                }),
            ))
        }
        ("POST", ["transactions"]) => {
            let input: AccountTransaction = parse(request)?;
            let mut state = shared.lock_state();
            state.tick();
            let id = state.add_account_transaction(&input.transaction_type, input.amount)?;
            Ok(Response::json(201, &json!({ "id": id })))
        }
        ("GET", ["imports", id, "error_report"]) => {
            let state = shared.lock_state();
            let id: i64 = id
                .parse()
                .map_err(|_| ApiError::not_found("Unknown import"))?;
            let import = state
                .imports
                .iter()
                .find(|i| i.import_id == id)
                .ok_or_else(|| ApiError::not_found("Unknown import"))?;
            let report = import
                .error_report
                .clone()
                .ok_or_else(|| ApiError::not_found("No error report"))?;
            Ok(Response::bytes(
                200,
                "text/csv;charset=UTF-8",
                report.into_bytes(),
            ))
        }
        ("GET", ["faults"]) => Ok(Response::json(
            200,
            &json!({ "faults": shared.lock_faults().rules }),
        )),
        ("POST", ["faults"]) => {
            let input: FaultsInput = parse(request)?;
            let rules = match input {
                FaultsInput::Many(list) => list,
                FaultsInput::One(rule) => vec![rule],
            };
            let mut faults = shared.lock_faults();
            faults.rules.extend(rules);
            Ok(Response::json(201, &json!({ "faults": faults.rules })))
        }
        ("DELETE", ["faults"]) => {
            shared.lock_faults().rules.clear();
            Ok(Response::no_content())
        }
        (_, _) => Err(ApiError::not_found(format!(
            "No console route {} {}",
            request.method, request.path
        ))),
    }
}
