//! Offers and stock: STO01/STO02 (stock imports), OF01/OF02/OF03 (offer imports), OF21 (list)
//! and OF51 (CSV export).
//!
//! Imports are accepted at once (201 with an id) and processed later by the state's tick; the
//! upload only checks that the request is a multipart form with a `file` part.

use serde_json::{json, Value};

use super::{date_param, offset_page};
use crate::clock::format_date;
use crate::error::{ApiError, ApiResult};
use crate::http::{parse_multipart, Part, Request, Response};
use crate::model::{money, Import, Offer};
use crate::state::State;

/// The `file` part and the other form fields of an import upload; 415 unless multipart.
fn upload(request: &Request) -> ApiResult<(Part, Vec<Part>)> {
    if request.content_type() != "multipart/form-data" {
        return Err(ApiError::new(
            415,
            format!(
                "Content type '{}' is not supported, use multipart/form-data",
                request.content_type()
            ),
        ));
    }
    let parts = parse_multipart(request)
        .ok_or_else(|| ApiError::bad_request("Malformed multipart body"))?;
    let mut file = None;
    let mut fields = Vec::new();
    for part in parts {
        if part.name == "file" && file.is_none() {
            file = Some(part);
        } else {
            fields.push(part);
        }
    }
    let file = file.ok_or_else(|| ApiError::bad_request("The file part is required"))?;
    if file.data.is_empty() {
        return Err(ApiError::bad_request("The file is empty"));
    }
    Ok((file, fields))
}

fn field(fields: &[Part], name: &str) -> Option<String> {
    fields
        .iter()
        .find(|p| p.name == name)
        .map(|p| String::from_utf8_lossy(&p.data).trim().to_string())
}

fn import_id(text: &str) -> ApiResult<i64> {
    text.parse::<i64>()
        .map_err(|_| ApiError::not_found(format!("Import with id {text} not found")))
}

/// STO01.
pub fn stock_import(state: &mut State, request: &Request) -> ApiResult<Response> {
    let (file, _) = upload(request)?;
    let name = file.filename.clone().unwrap_or_else(|| "stock.csv".into());
    let id = state.add_import("STOCK", "NORMAL", &name, file.data);
    Ok(Response::json(201, &json!({ "import_id": id.to_string() })))
}

/// STO02.
pub fn stock_import_status(state: &State, id: &str) -> ApiResult<Response> {
    let import = state.import("STOCK", import_id(id)?)?;
    let mut body = json!({
        "import_id": import.import_id.to_string(),
        "shop_id": state.config.shop_id,
        "date_created": format_date(import.date_created),
        "status": import.status,
        "has_error_report": import.error_report.is_some(),
    });
    if import.status == "COMPLETE" {
        if let Some(obj) = body.as_object_mut() {
            obj.insert("lines_in_success".into(), json!(import.lines_in_success));
            obj.insert("lines_in_error".into(), json!(import.lines_in_error));
        }
    }
    Ok(Response::json(200, &body))
}

/// OF01.
pub fn offer_import(state: &mut State, request: &Request) -> ApiResult<Response> {
    let (file, fields) = upload(request)?;
    let mode = field(&fields, "import_mode")
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "NORMAL".into());
    if !matches!(mode.as_str(), "NORMAL" | "PARTIAL_UPDATE" | "REPLACE") {
        return Err(ApiError::bad_request(format!(
            "Invalid import_mode '{mode}'"
        )));
    }
    let name = file.filename.clone().unwrap_or_else(|| "offers.csv".into());
    if name.to_ascii_lowercase().ends_with(".xlsx") || name.to_ascii_lowercase().ends_with(".xml") {
        return Err(ApiError::bad_request(
            "This sandbox reads CSV offer files only",
        ));
    }
    let id = state.add_import("OFFER", &mode, &name, file.data);
    Ok(Response::json(201, &json!({ "import_id": id })))
}

fn offer_import_json(import: &Import) -> Value {
    let pending = if import.pending_file.is_some() { 1 } else { 0 };
    let mut body = json!({
        "import_id": import.import_id,
        "date_created": format_date(import.date_created),
        "status": import.status,
        "reason_status": import.reason_status.clone().unwrap_or_else(|| "NONE".into()),
        "mode": import.mode,
        "type": "API",
        "has_error_report": import.error_report.is_some(),
        "lines_read": import.lines_read,
        "lines_in_success": import.lines_in_success,
        "lines_in_error": import.lines_in_error,
        "lines_in_pending": pending,
        "offer_inserted": import.offer_inserted,
        "offer_updated": import.offer_updated,
        "offer_deleted": import.offer_deleted,
    });
    if let Some(obj) = body.as_object_mut() {
        obj.insert("file_name".into(), json!(import.file_name));
    }
    body
}

/// OF02.
pub fn offer_import_status(state: &State, id: &str) -> ApiResult<Response> {
    let import = state.import("OFFER", import_id(id)?)?;
    Ok(Response::json(200, &offer_import_json(import)))
}

/// OF03: the error report CSV; 404 when the import has none.
pub fn offer_import_error_report(state: &State, id: &str) -> ApiResult<Response> {
    let import = state.import("OFFER", import_id(id)?)?;
    match &import.error_report {
        Some(report) => Ok(Response::bytes(
            200,
            "application/octet-stream",
            report.clone().into_bytes(),
        )),
        None => Err(ApiError::not_found(format!(
            "No error report for import {}",
            import.import_id
        ))),
    }
}

fn offer_json(state: &State, offer: &Offer) -> Value {
    let price = offer.selling_price();
    let shipping = state.config.shipping_price_per_unit;
    let volume = json!([{ "quantity_threshold": 1, "price": money(price), "unit_origin_price": money(offer.price), "unit_discount_price": money(price) }]);
    let pricing = json!({
        "price": money(price),
        "unit_origin_price": money(offer.price),
        "unit_discount_price": money(price),
        "volume_prices": volume,
    });
    json!({
        "offer_id": offer.offer_id,
        "shop_sku": offer.shop_sku,
        "product_sku": offer.product_sku,
        "product_title": offer.product_title,
        "product_references": [{ "reference": offer.product_id, "reference_type": offer.product_id_type }],
        "category_code": offer.category_code,
        "category_label": offer.category_code,
        "description": offer.description,
        "quantity": offer.quantity,
        "price": money(price),
        "total_price": money(price + shipping),
        "currency_iso_code": state.config.currency_iso_code,
        "state_code": offer.state_code,
        "active": offer.active && !offer.deleted,
        "inactivity_reasons": if offer.quantity > 0 { json!([]) } else { json!(["OUT_OF_STOCK"]) },
        "all_prices": [pricing.clone()],
        "applicable_pricing": pricing,
        "channels": [],
        "leadtime_to_ship": offer.leadtime_to_ship,
        "logistic_class": { "code": "STD", "label": "Standard" },
        "fulfillment": { "center": { "code": "DEFAULT" } },
        "min_order_quantity": 1,
        "max_order_quantity": 999,
        "min_quantity_alert": offer.min_quantity_alert,
        "package_quantity": 1,
        "min_shipping_price": money(shipping),
        "min_shipping_price_additional": money(shipping),
        "min_shipping_type": "STD",
        "min_shipping_zone": "FR",
        "shipping_deadline": format_date(state.now() + chrono::Duration::days(offer.leadtime_to_ship)),
        "offer_additional_fields": [],
        "favorite_rank": 0,
    })
}

/// OF21.
pub fn list(state: &State, request: &Request) -> ApiResult<Response> {
    let (max, offset) = offset_page(request)?;
    let states = request.param_list("offer_state_codes");
    let sku = request.param("sku");
    let product_id = request.param("product_id");
    let selected: Vec<&Offer> = match sku {
        Some(sku) => state
            .offer_by_sku
            .get(sku)
            .map(|&i| &state.offers[i])
            .into_iter()
            .filter(|o| !o.deleted)
            .collect(),
        None => state
            .offers
            .iter()
            .filter(|o| !o.deleted)
            .filter(|o| states.is_empty() || states.contains(&o.state_code))
            .filter(|o| product_id.map_or(true, |p| p == o.product_sku || p == o.product_id))
            .collect(),
    };
    let page: Vec<Value> = selected
        .iter()
        .skip(offset)
        .take(max)
        .map(|o| offer_json(state, o))
        .collect();
    Ok(Response::json(
        200,
        &json!({ "offers": page, "total_count": selected.len() }),
    ))
}

/// OF51: all active offers, or with `last_request_date` every offer changed since (deleted ones
/// flagged in the `deleted` column).
pub fn export(state: &State, request: &Request) -> ApiResult<Response> {
    let since = date_param(request, "last_request_date")?;
    let include_inactive = request.param("include_inactive_offers") == Some("true");
    let header = [
        "offer-id",
        "product-sku",
        "shop-sku",
        "price",
        "origin-price",
        "discount-price",
        "total-price",
        "quantity",
        "description",
        "state-code",
        "shop-id",
        "shop-name",
        "active",
        "deleted",
        "currency-iso-code",
        "leadtime-to-ship",
        "min-quantity-alert",
        "product-id",
        "product-id-type",
        "date-created",
        "last-updated",
    ];
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    let write_err = |_| ApiError::new(500, "Could not write the export");
    writer.write_record(header).map_err(write_err)?;
    let shop_id = state.config.shop_id.to_string();
    for offer in &state.offers {
        let keep = match since {
            Some(date) => offer.last_updated > date,
            None => !offer.deleted && (offer.active || include_inactive),
        };
        if !keep {
            continue;
        }
        let price = offer.selling_price();
        let row = [
            offer.offer_id.to_string(),
            offer.product_sku.clone(),
            offer.shop_sku.clone(),
            price.to_string(),
            offer.price.to_string(),
            offer
                .discount_price
                .map(|d| d.to_string())
                .unwrap_or_default(),
            (price + state.config.shipping_price_per_unit).to_string(),
            offer.quantity.to_string(),
            offer.description.clone(),
            offer.state_code.clone(),
            shop_id.clone(),
            state.config.shop_name.clone(),
            (offer.active && !offer.deleted).to_string(),
            offer.deleted.to_string(),
            state.config.currency_iso_code.clone(),
            offer.leadtime_to_ship.to_string(),
            offer.min_quantity_alert.to_string(),
            offer.product_id.clone(),
            offer.product_id_type.clone(),
            format_date(offer.date_created),
            format_date(offer.last_updated),
        ];
        writer.write_record(&row).map_err(write_err)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|_| ApiError::new(500, "Could not write the export"))?;
    Ok(Response::bytes(200, "text/csv;charset=UTF-8", bytes))
}
