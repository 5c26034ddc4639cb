//! The shop API under `/api`: routing by method and path to Mirakl's API codes, and the
//! request-body helpers every handler shares.
//!
//! Invariant: every route answers with Mirakl's status codes and `{status, message}` errors;
//! handlers get the state already ticked and locked, and return `ApiResult<Response>`.

pub mod account;
pub mod finance;
pub mod offers;
pub mod orders;

use crate::error::{ApiError, ApiResult};
use crate::http::{Request, Response};
use crate::state::State;

/// A matched shop API route, with its path parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    A01,
    V01,
    SH21,
    RE01,
    OR11,
    OR21(String),
    OR23(String),
    OR24(String),
    OR28,
    OR30,
    OR29(String),
    ST01,
    STO01,
    STO02(String),
    OF01,
    OF02(String),
    OF03(String),
    OF21,
    OF51,
    TL02,
    IV01,
    SBC11,
}

impl Route {
    /// Mirakl's API code, as used by rate limits and fault rules.
    pub fn code(&self) -> &'static str {
        match self {
            Route::A01 => "A01",
            Route::V01 => "V01",
            Route::SH21 => "SH21",
            Route::RE01 => "RE01",
            Route::OR11 => "OR11",
            Route::OR21(_) => "OR21",
            Route::OR23(_) => "OR23",
            Route::OR24(_) => "OR24",
            Route::OR28 => "OR28",
            Route::OR30 => "OR30",
            Route::OR29(_) => "OR29",
            Route::ST01 => "ST01",
            Route::STO01 => "STO01",
            Route::STO02(_) => "STO02",
            Route::OF01 => "OF01",
            Route::OF02(_) => "OF02",
            Route::OF03(_) => "OF03",
            Route::OF21 => "OF21",
            Route::OF51 => "OF51",
            Route::TL02 => "TL02",
            Route::IV01 => "IV01",
            Route::SBC11 => "SBC11",
        }
    }
}

/// Matches `method path`; `Err(404)` for unknown paths, `Err(405)` for a known path with another
/// method.
pub fn route(method: &str, path: &str) -> Result<Route, u16> {
    let rest = path.strip_prefix("/api").ok_or(404u16)?;
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let owned = |s: &str| s.to_string();
    let (expected, found) = match segments.as_slice() {
        ["account"] => ("GET", Route::A01),
        ["version"] => ("GET", Route::V01),
        ["shipping", "carriers"] => ("GET", Route::SH21),
        ["reasons"] => ("GET", Route::RE01),
        ["orders"] => ("GET", Route::OR11),
        ["orders", "refund"] => ("PUT", Route::OR28),
        ["orders", "cancel"] => ("PUT", Route::OR30),
        ["orders", id, "accept"] => ("PUT", Route::OR21(owned(id))),
        ["orders", id, "tracking"] => ("PUT", Route::OR23(owned(id))),
        ["orders", id, "ship"] => ("PUT", Route::OR24(owned(id))),
        ["orders", id, "cancel"] => ("PUT", Route::OR29(owned(id))),
        ["shipments"] => ("POST", Route::ST01),
        ["offers", "stock", "imports"] => ("POST", Route::STO01),
        ["offers", "stock", "imports", id, "status"] => ("GET", Route::STO02(owned(id))),
        ["offers", "imports"] => ("POST", Route::OF01),
        ["offers", "imports", id] => ("GET", Route::OF02(owned(id))),
        ["offers", "imports", id, "error_report"] => ("GET", Route::OF03(owned(id))),
        ["offers"] => ("GET", Route::OF21),
        ["offers", "export"] => ("GET", Route::OF51),
        ["sellerpayment", "transactions_logs"] => ("GET", Route::TL02),
        ["invoices"] => ("GET", Route::IV01),
        ["seller-billing-cycles"] => ("GET", Route::SBC11),
        _ => return Err(404),
    };
    let method = if method == "HEAD" { "GET" } else { method };
    if method == expected {
        Ok(found)
    } else {
        Err(405)
    }
}

/// Runs one matched route against the state.
pub fn dispatch(state: &mut State, route: &Route, request: &Request) -> ApiResult<Response> {
    match route {
        Route::A01 => account::account(state),
        Route::V01 => Ok(account::version()),
        Route::SH21 => Ok(account::carriers()),
        Route::RE01 => Ok(account::reasons(request)),
        Route::OR11 => orders::list(state, request),
        Route::OR21(id) => orders::accept(state, id, request),
        Route::OR23(id) => orders::tracking(state, id, request),
        Route::OR24(id) => orders::ship(state, id),
        Route::OR28 => orders::refund(state, request),
        Route::OR30 => orders::cancel_lines(state, request),
        Route::OR29(id) => orders::cancel(state, id),
        Route::ST01 => orders::shipments(state, request),
        Route::STO01 => offers::stock_import(state, request),
        Route::STO02(id) => offers::stock_import_status(state, id),
        Route::OF01 => offers::offer_import(state, request),
        Route::OF02(id) => offers::offer_import_status(state, id),
        Route::OF03(id) => offers::offer_import_error_report(state, id),
        Route::OF21 => offers::list(state, request),
        Route::OF51 => offers::export(state, request),
        Route::TL02 => finance::transaction_logs(state, request),
        Route::IV01 => finance::invoices(state, request),
        Route::SBC11 => finance::billing_cycles(state, request),
    }
}

/// Parses a JSON request body; 415 unless the content type is JSON, 400 when unparsable.
pub fn json_body(request: &Request) -> ApiResult<serde_json::Value> {
    let content_type = request.content_type();
    if !(content_type == "application/json" || content_type.ends_with("+json")) {
        return Err(ApiError::new(
            415,
            format!("Content type '{content_type}' is not supported, use application/json"),
        ));
    }
    serde_json::from_slice(&request.body)
        .map_err(|e| ApiError::bad_request(format!("Malformed JSON body: {e}")))
}

/// A JSON string field, or a number given where Mirakl's examples give one.
pub fn text_field(value: &serde_json::Value, name: &str) -> Option<String> {
    match value.get(name)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Offset pagination parameters: `max` (default 10, at most 100) and `offset`.
pub fn offset_page(request: &Request) -> ApiResult<(usize, usize)> {
    let max = match request.param("max") {
        None => 10,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| ApiError::bad_request(format!("Invalid value '{v}' for parameter max")))?
            .clamp(1, 100),
    };
    let offset = match request.param("offset") {
        None => 0,
        Some(v) => v.parse::<usize>().map_err(|_| {
            ApiError::bad_request(format!("Invalid value '{v}' for parameter offset"))
        })?,
    };
    Ok((max, offset))
}

/// A date query parameter; 400 when present but not a date.
pub fn date_param(
    request: &Request,
    name: &str,
) -> ApiResult<Option<chrono::DateTime<chrono::Utc>>> {
    match request.param(name) {
        None => Ok(None),
        Some(text) => crate::clock::parse_date(text).map(Some).ok_or_else(|| {
            ApiError::bad_request(format!("Invalid date '{text}' for parameter {name}"))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_method_and_path() {
        assert_eq!(route("GET", "/api/orders"), Ok(Route::OR11));
        assert_eq!(
            route("PUT", "/api/orders/A-1/accept"),
            Ok(Route::OR21("A-1".into()))
        );
        assert_eq!(route("PUT", "/api/orders/refund"), Ok(Route::OR28));
        assert_eq!(route("PUT", "/api/orders/cancel"), Ok(Route::OR30));
        assert_eq!(route("POST", "/api/orders"), Err(405));
        assert_eq!(route("GET", "/api/nothing"), Err(404));
        assert_eq!(
            route("GET", "/api/offers/stock/imports/12/status"),
            Ok(Route::STO02("12".into()))
        );
    }
}
