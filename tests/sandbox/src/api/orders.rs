//! Orders: OR11 (list), OR21 (accept/refuse), OR23 (tracking), OR24 (ship), OR28 (refund),
//! OR29 (cancel) and ST01 (shipments).
//!
//! Rendering follows OR11's schema; amounts follow `order_tax_mode` (the request's, else the
//! platform default). `start_update_date` is widened by `UPDATE_DATE_OVERLAP` as Mirakl does.

use chrono::Duration;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::{date_param, json_body, offset_page, text_field};
use crate::clock::format_date;
use crate::error::{ApiError, ApiResult};
use crate::http::{Request, Response};
use crate::model::{
    money, parse_money_value, split_tax, LineAmounts, Order, OrderLine, TaxMode, Tracking,
};
use crate::state::{CancelRequest, LineDecision, RefundRequest, State};

/// How far Mirakl moves `start_update_date` back, so that polling windows overlap.
pub const UPDATE_DATE_OVERLAP_MINUTES: i64 = 5;

fn tax_mode(state: &State, requested: Option<&str>) -> ApiResult<TaxMode> {
    match requested {
        None => {
            Ok(TaxMode::parse(&state.config.default_order_tax_mode).unwrap_or(TaxMode::Included))
        }
        Some(text) => TaxMode::parse(text)
            .ok_or_else(|| ApiError::bad_request(format!("Invalid order_tax_mode '{text}'"))),
    }
}

/// OR11.
pub fn list(state: &State, request: &Request) -> ApiResult<Response> {
    let mode = tax_mode(state, request.param("order_tax_mode"))?;
    let order_ids = request.param_list("order_ids");
    if order_ids.len() > 100 {
        return Err(ApiError::bad_request(
            "The limit of 100 is exceeded for the parameter : order_ids",
        ));
    }
    let states = request.param_list("order_state_codes");
    let start_date = date_param(request, "start_date")?;
    let end_date = date_param(request, "end_date")?;
    let start_update = date_param(request, "start_update_date")?
        .map(|d| d - Duration::minutes(UPDATE_DATE_OVERLAP_MINUTES));
    let end_update = date_param(request, "end_update_date")?;
    let customer_debited = match request.param("customer_debited") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(v) => {
            return Err(ApiError::bad_request(format!(
                "Invalid value '{v}' for parameter customer_debited"
            )))
        }
    };
    let paginate = match request.param("paginate") {
        None | Some("true") => true,
        Some("false") => false,
        Some(v) => {
            return Err(ApiError::bad_request(format!(
                "Invalid value '{v}' for parameter paginate"
            )))
        }
    };
    match request.param("sort") {
        None | Some("dateCreated") => {}
        Some(v) => {
            return Err(ApiError::bad_request(format!(
                "Invalid value '{v}' for parameter sort"
            )))
        }
    }
    let descending = match request.param("order") {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(v) => {
            return Err(ApiError::bad_request(format!(
                "Invalid value '{v}' for parameter order"
            )))
        }
    };
    let (max, offset) = offset_page(request)?;
    let matches = |o: &&Order| {
        (order_ids.is_empty() || order_ids.iter().any(|id| id == &o.order_id))
            && (states.is_empty() || states.iter().any(|s| s == &o.state))
            && start_date.map_or(true, |d| o.created_date >= d)
            && end_date.map_or(true, |d| o.created_date <= d)
            && start_update.map_or(true, |d| o.last_updated >= d)
            && end_update.map_or(true, |d| o.last_updated <= d)
            && customer_debited.map_or(true, |c| o.customer_debited_date.is_some() == c)
    };
    let mut selected: Vec<&Order> = if order_ids.is_empty() {
        state.orders.iter().filter(matches).collect()
    } else {
        order_ids
            .iter()
            .filter_map(|id| state.order_by_id.get(id))
            .map(|&i| &state.orders[i])
            .filter(matches)
            .collect()
    };
    // Orders are kept in creation order; a stable sort keeps ties in id order.
    selected.sort_by_key(|o| o.created_date);
    if descending {
        selected.reverse();
    }
    let total = selected.len();
    let page: Vec<Value> = if paginate {
        selected
            .iter()
            .skip(offset)
            .take(max)
            .map(|o| render_order(state, o, mode))
            .collect()
    } else {
        selected
            .iter()
            .map(|o| render_order(state, o, mode))
            .collect()
    };
    Ok(Response::json(
        200,
        &json!({ "orders": page, "total_count": total }),
    ))
}

fn opt_date(date: Option<chrono::DateTime<chrono::Utc>>) -> Value {
    date.map(|d| Value::String(format_date(d)))
        .unwrap_or(Value::Null)
}

fn address(order: &Order) -> Value {
    let c = &order.customer;
    json!({
        "civility": c.civility, "firstname": c.firstname, "lastname": c.lastname,
        "street_1": c.street_1, "street_2": c.street_2, "zip_code": c.zip_code, "city": c.city,
        "country": (!c.country.is_empty()).then_some(&c.country),
        "country_iso_code": c.country_iso_code, "state": c.state,
        "phone": c.phone
    })
}

/// What a line's promotion took off it, in `mode`: in TAX_EXCLUDED the discount's own tax share
/// (at the line's rate) goes with it, as the line's price is shown without tax.
fn shown_discount(line: &OrderLine, mode: TaxMode, a: &LineAmounts, rate: Decimal) -> Decimal {
    let before = a.price_included + line.discount;
    if line.discount.is_zero() || before.is_zero() {
        return line.discount;
    }
    let (_, tax_before) = split_tax(before, rate);
    mode.show(before, tax_before) - mode.show(a.price_included, a.price_tax)
}

/// A line's promotions as OR11 shows them.
fn line_promotions(line: &OrderLine, mode: TaxMode, a: &LineAmounts, rate: Decimal) -> Vec<Value> {
    if line.discount.is_zero() {
        return Vec::new();
    }
    let deduced = shown_discount(line, mode, a, rate);
    vec![json!({
        "id": format!("PROMO-{}", line.order_line_id),
        "apportioned": false,
        "deduced_amount": money(deduced),
        "configuration": { "type": "AMOUNT_OFF", "amount_off": money(deduced), "internal_description": "Sandbox promotion" }
    })]
}

/// One order as OR11 shows it, amounts in `mode`.
pub fn render_order(state: &State, order: &Order, mode: TaxMode) -> Value {
    let mode = order
        .tax_mode
        .as_deref()
        .and_then(TaxMode::parse)
        .unwrap_or(mode);
    let rate = state.tax_rate();
    let rate_percent = money(rate * Decimal::ONE_HUNDRED);
    let mut price = Decimal::ZERO;
    let mut shipping = Decimal::ZERO;
    let mut commission = Decimal::ZERO;
    let mut all_refunded = true;
    let mut lines = Vec::with_capacity(order.lines.len());
    for line in &order.lines {
        let a = state.line_amounts(line);
        let line_price = mode.show(a.price_included, a.price_tax);
        let line_shipping = mode.show(a.shipping_included, a.shipping_tax);
        let unit = if line.quantity > 0 {
            line_price / Decimal::from(line.quantity)
        } else {
            Decimal::ZERO
        };
        if line.is_live() {
            price += line_price;
            shipping += line_shipping;
            commission += a.commission_fee + a.commission_vat;
            all_refunded &= line.state == "REFUNDED";
        }
        let refunds: Vec<Value> = line
            .refunds
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "order_refund_id": r.order_refund_id,
                    "amount": money(mode.show(r.amount_included, r.amount_tax)),
                    "shipping_amount": money(mode.show(r.shipping_included, r.shipping_tax)),
                    "quantity": r.quantity,
                    "reason_code": r.reason_code,
                    "state": r.state,
                    "refund_state": r.state,
                    "created_date": format_date(r.created_date),
                    "transaction_date": format_date(r.created_date),
                    "commission_amount": money(r.commission_fee),
                    "commission_tax_amount": money(r.commission_vat),
                    "commission_total_amount": money(r.commission_fee + r.commission_vat),
                    "commission_taxes": [{ "code": "COMMISSION_VAT", "amount": money(r.commission_vat), "rate": money(state.config.commission_vat_rate * Decimal::ONE_HUNDRED) }],
                    "taxes": [{ "code": "TAXDEFAULT", "amount": money(r.amount_tax), "rate": rate_percent }],
                    "shipping_taxes": [{ "code": "TAXDEFAULT", "amount": money(r.shipping_tax), "rate": rate_percent }],
                    "fees": []
                })
            })
            .collect();
        let cancelations: Vec<Value> = line
            .cancelations
            .iter()
            .map(|c| {
                json!({
                    "id": c.id,
                    "amount": money(mode.show(c.amount_included, c.amount_tax)),
                    "shipping_amount": money(mode.show(c.shipping_included, c.shipping_tax)),
                    "quantity": c.quantity,
                    "reason_code": c.reason_code,
                    "created_date": format_date(c.created_date),
                    "commission_amount": money(c.commission_fee),
                    "commission_taxes": [{ "code": "COMMISSION_VAT", "amount": money(c.commission_vat) }],
                    "commission_total_amount": money(c.commission_fee + c.commission_vat),
                    "taxes": [{ "code": "TAXDEFAULT", "amount": money(c.amount_tax), "rate": rate_percent }],
                    "shipping_taxes": [{ "code": "TAXDEFAULT", "amount": money(c.shipping_tax), "rate": rate_percent }],
                    "fees": []
                })
            })
            .collect();
        let live = line.is_live() && line.state != "REFUNDED";
        let can_refund = live
            && matches!(
                order.state.as_str(),
                "SHIPPING" | "SHIPPED" | "TO_COLLECT" | "RECEIVED"
            );
        let mut value = json!({
            "order_line_id": line.order_line_id,
            "order_line_index": line.index,
            "order_line_state": line.state,
            "order_line_additional_fields": line.additional_fields,
            "offer_id": line.offer_id,
            "offer_sku": line.offer_sku,
            "offer_state_code": line.offer_state_code,
            "product_sku": line.product_sku,
            "product_shop_sku": line.offer_sku,
            "product_title": line.product_title,
            "product_medias": [],
            "category_code": line.category_code,
            "category_label": line.category_code,
            "description": line.product_title,
            "quantity": line.quantity,
            "price_unit": money(unit),
            "origin_unit_price": money(if line.quantity > 0 {
                (line_price + shown_discount(line, mode, &a, rate)) / Decimal::from(line.quantity)
            } else {
                unit
            }),
            "promotions": line_promotions(line, mode, &a, rate),
            "price": money(line_price),
            "shipping_price": money(line_shipping),
            "total_price": money(line_price + line_shipping),
            "commission_fee": money(a.commission_fee),
            "commission_vat": money(a.commission_vat),
            "commission_rate_vat": money(state.config.commission_vat_rate * Decimal::ONE_HUNDRED),
            "commission_taxes": [{ "code": "COMMISSION_VAT", "amount": money(a.commission_vat), "rate": money(state.config.commission_vat_rate * Decimal::ONE_HUNDRED) }],
            "total_commission": money(a.commission_fee + a.commission_vat),
            "taxes": [{ "code": "TAXDEFAULT", "amount": money(a.price_tax), "rate": rate_percent, "tax_calculation_rule": "PROPORTIONAL" }],
            "shipping_taxes": [{ "code": "TAXDEFAULT", "amount": money(a.shipping_tax), "rate": rate_percent, "tax_calculation_rule": "PROPORTIONAL" }],
            "fees": [],
            "refunds": refunds,
            "cancelations": cancelations,
            "can_refund": can_refund,
            "created_date": format_date(line.created_date),
            "last_updated_date": format_date(line.last_updated),
            "debited_date": opt_date(line.debited_date),
            "shipped_date": opt_date(line.shipped_date),
            "received_date": opt_date(line.received_date),
        });
        if let (Some(code), Some(obj)) = (&line.state_reason_code, value.as_object_mut()) {
            obj.insert("order_line_state_reason_code".into(), json!(code));
        }
        lines.push(value);
    }
    let live_lines = order.lines.iter().any(|l| l.is_live());
    let mut body = Map::new();
    let mut put = |k: &str, v: Value| {
        body.insert(k.to_string(), v);
    };
    put("order_id", json!(order.order_id));
    put("commercial_id", json!(order.commercial_id));
    put("order_state", json!(order.state));
    if let Some(code) = &order.state_reason_code {
        put("order_state_reason_code", json!(code));
    }
    if let Some(label) = &order.state_reason_label {
        put("order_state_reason_label", json!(label));
    }
    put("order_tax_mode", json!(mode.code()));
    put("currency_iso_code", json!(order.currency_iso_code));
    put("created_date", json!(format_date(order.created_date)));
    put("last_updated_date", json!(format_date(order.last_updated)));
    put(
        "acceptance_decision_date",
        opt_date(order.acceptance_decision_date),
    );
    put(
        "customer_debited_date",
        opt_date(order.customer_debited_date),
    );
    put("shipping_deadline", opt_date(order.shipping_deadline));
    put(
        "leadtime_to_ship",
        json!(state.config.shipping_lead_time_days),
    );
    put("can_cancel", json!(order.can_cancel()));
    put("can_shop_ship", json!(order.state == "SHIPPING"));
    put("fully_refunded", json!(live_lines && all_refunded));
    put("has_customer_message", json!(order.has_customer_message));
    put("has_incident", json!(false));
    put("has_invoice", json!(false));
    put("customer_directly_pays_seller", json!(false));
    put(
        "customer_notification_email",
        json!(format!(
            "{}@notification.sandbox.invalid",
            order.commercial_id.to_ascii_lowercase()
        )),
    );
    put(
        "customer",
        json!({
            "customer_id": order.customer.customer_id,
            "civility": order.customer.civility,
            "firstname": order.customer.firstname,
            "lastname": order.customer.lastname,
            "locale": order.customer.locale,
            "billing_address": address(order),
            "shipping_address": address(order),
        }),
    );
    // The shop's own center, unless an operator's center ships the order.
    let center = order.fulfillment_center.as_deref().unwrap_or("DEFAULT");
    put("fulfillment", json!({ "center": { "code": center } }));
    put("order_additional_fields", json!(order.additional_fields));
    let applied: Vec<Value> = order
        .lines
        .iter()
        .filter(|l| l.is_live())
        .flat_map(|l| line_promotions(l, mode, &state.line_amounts(l), rate))
        .collect();
    let deduced: Decimal = order
        .lines
        .iter()
        .filter(|l| l.is_live())
        .map(|l| shown_discount(l, mode, &state.line_amounts(l), rate))
        .sum();
    put(
        "promotions",
        json!({ "applied_promotions": applied, "total_deduced_amount": money(deduced) }),
    );
    put("order_lines", Value::Array(lines));
    put("paymentType", json!("CREDIT_CARD"));
    put("payment_type", json!("CREDIT_CARD"));
    put("payment_workflow", json!(order.payment_workflow));
    put("price", money(price));
    put("shipping_price", money(shipping));
    put("total_price", money(price + shipping));
    put("total_commission", money(commission));
    put("shipping_type_code", json!(order.shipping.type_code));
    put("shipping_type_label", json!(order.shipping.type_label));
    put("shipping_zone_code", json!(order.shipping.zone_code));
    put("shipping_zone_label", json!(order.shipping.zone_label));
    put(
        "references",
        json!({ "order_reference_for_customer": order.commercial_id }),
    );
    if let Some(t) = &order.tracking {
        put("shipping_carrier_code", json!(t.carrier_code));
        put(
            "shipping_carrier_standard_code",
            json!(t
                .carrier_standard_code
                .clone()
                .or_else(|| t.carrier_code.clone())),
        );
        put("shipping_company", json!(t.carrier_name));
        put("shipping_tracking", json!(t.tracking_number));
        put("shipping_tracking_url", json!(t.carrier_url));
    }
    if let Some(date) = order.customer_debited_date {
        put("transaction_date", json!(format_date(date)));
        put(
            "transaction_number",
            json!(format!("TRX-{}", order.commercial_id)),
        );
    }
    Value::Object(body)
}

/// OR21.
pub fn accept(state: &mut State, order_id: &str, request: &Request) -> ApiResult<Response> {
    let body = json_body(request)?;
    let lines = body
        .get("order_lines")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request("order_lines is required"))?;
    let mut decisions = Vec::with_capacity(lines.len());
    for line in lines {
        let id = text_field(line, "id")
            .ok_or_else(|| ApiError::bad_request("order_lines[].id is required"))?;
        let accepted = match line.get("accepted") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) if s == "true" || s == "false" => s == "true",
            _ => {
                return Err(ApiError::bad_request(format!(
                    "order_lines[].accepted is required for line {id}"
                )))
            }
        };
        decisions.push(LineDecision { id, accepted });
    }
    state.accept_order(order_id, &decisions)?;
    Ok(Response::no_content())
}

fn tracking_from(value: &Value) -> Tracking {
    let field = |name: &str| text_field(value, name).filter(|s| !s.is_empty());
    Tracking {
        carrier_code: field("carrier_code"),
        carrier_name: field("carrier_name"),
        carrier_standard_code: field("carrier_standard_code"),
        carrier_url: field("carrier_url").or_else(|| field("tracking_url")),
        tracking_number: field("tracking_number"),
    }
}

/// OR23.
pub fn tracking(state: &mut State, order_id: &str, request: &Request) -> ApiResult<Response> {
    let body = json_body(request)?;
    if !body.is_object() {
        return Err(ApiError::bad_request("The body must be a JSON object"));
    }
    state.set_tracking(order_id, tracking_from(&body))?;
    Ok(Response::no_content())
}

/// OR24.
pub fn ship(state: &mut State, order_id: &str) -> ApiResult<Response> {
    state.ship(order_id)?;
    Ok(Response::no_content())
}

/// OR29.
pub fn cancel(state: &mut State, order_id: &str) -> ApiResult<Response> {
    state.cancel_order(order_id)?;
    Ok(Response::no_content())
}

fn tax_sum(value: Option<&Value>) -> ApiResult<Option<Decimal>> {
    let Some(items) = value.and_then(Value::as_array) else {
        return Ok(None);
    };
    if items.is_empty() {
        return Ok(None);
    }
    let mut sum = Decimal::ZERO;
    for item in items {
        let amount = item
            .get("amount")
            .and_then(parse_money_value)
            .ok_or_else(|| ApiError::bad_request("taxes[].amount must be a number"))?;
        sum += amount;
    }
    Ok(Some(sum))
}

/// OR28.
pub fn refund(state: &mut State, request: &Request) -> ApiResult<Response> {
    let body = json_body(request)?;
    let mode = tax_mode(state, body.get("order_tax_mode").and_then(Value::as_str))?;
    let items = body
        .get("refunds")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request("refunds is required"))?;
    let mut requests = Vec::with_capacity(items.len());
    for item in items {
        let order_line_id = text_field(item, "order_line_id")
            .ok_or_else(|| ApiError::bad_request("refunds[].order_line_id is required"))?;
        let amount = item
            .get("amount")
            .and_then(parse_money_value)
            .ok_or_else(|| {
                ApiError::bad_request("refunds[].amount is required and must be a number")
            })?;
        let shipping_amount = match item.get("shipping_amount") {
            None | Some(Value::Null) => Decimal::ZERO,
            Some(v) => parse_money_value(v).ok_or_else(|| {
                ApiError::bad_request("refunds[].shipping_amount must be a number")
            })?,
        };
        let reason_code = text_field(item, "reason_code")
            .ok_or_else(|| ApiError::bad_request("refunds[].reason_code is required"))?;
        let quantity = match item.get("quantity") {
            Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
            Some(Value::String(s)) => s.parse().unwrap_or(0),
            _ => 0,
        };
        requests.push(RefundRequest {
            order_line_id,
            amount,
            shipping_amount,
            quantity,
            reason_code,
            taxes: tax_sum(item.get("taxes"))?,
            shipping_taxes: tax_sum(item.get("shipping_taxes"))?,
            currency_iso_code: text_field(item, "currency_iso_code"),
        });
    }
    let done = state.refund(&requests, mode)?;
    let rate = money(state.tax_rate() * Decimal::ONE_HUNDRED);
    let refunds: Vec<Value> = done
        .iter()
        .map(|(line_id, r)| {
            let amount = mode.show(r.amount_included, r.amount_tax);
            let shipping = mode.show(r.shipping_included, r.shipping_tax);
            json!({
                "refund_id": r.id,
                "order_refund_id": r.order_refund_id,
                "order_line_id": line_id,
                "amount": money(amount),
                "amount_breakdown": { "parts": [{ "amount": money(amount), "commissionable": true, "debitable_from_customer": true, "payable_to_shop": true }] },
                "shipping_amount": money(shipping),
                "shipping_amount_breakdown": { "parts": [{ "amount": money(shipping), "commissionable": true, "debitable_from_customer": true, "payable_to_shop": true }] },
                "quantity": r.quantity,
                "reason_code": r.reason_code,
                "taxes": [{ "code": "TAXDEFAULT", "amount": money(r.amount_tax), "rate": rate,
                            "amount_breakdown": { "parts": [{ "amount": money(r.amount_tax), "debitable_from_customer": true, "payable_to_shop": true }] } }],
                "shipping_taxes": [{ "code": "TAXDEFAULT", "amount": money(r.shipping_tax), "rate": rate,
                            "amount_breakdown": { "parts": [{ "amount": money(r.shipping_tax), "debitable_from_customer": true, "payable_to_shop": true }] } }],
                "fees": []
            })
        })
        .collect();
    Ok(Response::json(
        200,
        &json!({ "order_tax_mode": mode.code(), "refunds": refunds }),
    ))
}

/// OR30: cancels units of order lines. The amounts follow from the line (its unit price, and
/// its shipping with its last units), so `amount`/`shipping_amount` in the request are not
/// needed; `quantity` and a CANCELATION `reason_code` are.
pub fn cancel_lines(state: &mut State, request: &Request) -> ApiResult<Response> {
    let body = json_body(request)?;
    let items = body
        .get("cancelations")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request("cancelations is required"))?;
    let mut requests = Vec::with_capacity(items.len());
    for item in items {
        let order_line_id = text_field(item, "order_line_id")
            .ok_or_else(|| ApiError::bad_request("cancelations[].order_line_id is required"))?;
        let reason_code = text_field(item, "reason_code")
            .ok_or_else(|| ApiError::bad_request("cancelations[].reason_code is required"))?;
        let quantity = item
            .get("quantity")
            .and_then(Value::as_i64)
            .ok_or_else(|| ApiError::bad_request("cancelations[].quantity is required"))?;
        requests.push(CancelRequest {
            order_line_id,
            quantity,
            reason_code,
        });
    }
    let mode = tax_mode(state, body.get("order_tax_mode").and_then(Value::as_str))?;
    let done = state.cancel_lines(&requests)?;
    let rate = money(state.tax_rate() * Decimal::ONE_HUNDRED);
    let cancelations: Vec<Value> = done
        .iter()
        .map(|(line_id, c)| {
            json!({
                "cancelation_id": c.id,
                "order_line_id": line_id,
                "amount": money(mode.show(c.amount_included, c.amount_tax)),
                "shipping_amount": money(mode.show(c.shipping_included, c.shipping_tax)),
                "quantity": c.quantity,
                "reason_code": c.reason_code,
                "taxes": [{ "code": "TAXDEFAULT", "amount": money(c.amount_tax), "rate": rate }],
                "shipping_taxes": [{ "code": "TAXDEFAULT", "amount": money(c.shipping_tax), "rate": rate }],
                "fees": []
            })
        })
        .collect();
    Ok(Response::json(
        200,
        &json!({ "order_tax_mode": mode.code(), "cancelations": cancelations }),
    ))
}

/// ST01: 404 when multi-shipment is off; otherwise 201 with successes and errors side by side.
pub fn shipments(state: &mut State, request: &Request) -> ApiResult<Response> {
    if !state.config.multi_shipment_enabled {
        return Err(ApiError::not_found(
            "Multi-shipment is not enabled on this platform",
        ));
    }
    let body = json_body(request)?;
    let items = body
        .get("shipments")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request("shipments is required"))?;
    if items.len() > 1000 {
        return Err(ApiError::bad_request(
            "The limit of 1000 is exceeded for the parameter : shipments",
        ));
    }
    let mut success = Vec::new();
    let mut errors = Vec::new();
    for item in items {
        let order_id = text_field(item, "order_id").unwrap_or_default();
        let lines: Vec<(Option<String>, Option<String>, i64)> = item
            .get("shipment_lines")
            .and_then(Value::as_array)
            .map(|ls| {
                ls.iter()
                    .map(|l| {
                        let quantity = match l.get("quantity") {
                            Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
                            Some(Value::String(s)) => s.parse().unwrap_or(0),
                            _ => 0,
                        };
                        (
                            text_field(l, "order_line_id"),
                            text_field(l, "offer_sku"),
                            quantity,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let tracking = item
            .get("tracking")
            .filter(|t| t.is_object())
            .map(tracking_from);
        let shipped = item
            .get("shipped")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        match state.create_shipment(&order_id, &lines, tracking, shipped) {
            Ok(s) => {
                let now = format_date(s.created_date);
                let shipment_lines: Vec<Value> = s
                    .lines
                    .iter()
                    .map(|(line_id, sku, q)| json!({ "order_line_id": line_id, "offer_sku": sku, "quantity": q }))
                    .collect();
                let mut value = json!({
                    "id": s.id,
                    "order_id": s.order_id,
                    "status": s.status,
                    "status_customer_debit": "DEBITED",
                    "created_date": now,
                    "last_updated_date": now,
                    "shipment_lines": shipment_lines,
                });
                if let (Some(t), Some(obj)) = (&s.tracking, value.as_object_mut()) {
                    obj.insert(
                        "tracking".into(),
                        json!({ "carrier_code": t.carrier_code, "carrier_name": t.carrier_name, "tracking_number": t.tracking_number, "tracking_url": t.carrier_url }),
                    );
                }
                success.push(value);
            }
            Err(e) => {
                let mut value = item.clone();
                if let Some(obj) = value.as_object_mut() {
                    obj.insert("message".into(), json!(e.message));
                }
                errors.push(value);
            }
        }
    }
    Ok(Response::json(
        201,
        &json!({ "shipment_success": success, "shipment_errors": errors }),
    ))
}
