//! Finance: TL02 (transaction logs, seek pagination), IV01 (accounting documents, offset
//! pagination) and SBC11 (seller billing cycles, one per payout, seek pagination).
//!
//! TL02 page tokens are opaque to clients; with a `page_token` every other parameter is ignored,
//! as Mirakl documents, because the token carries the filters of the first call.

use serde_json::{json, Value};

use super::{date_param, offset_page};
use crate::clock::format_date;
use crate::error::{ApiError, ApiResult};
use crate::http::Response;
use crate::http::{parse_query, percent_encode, Request};
use crate::model::{money, Transaction};
use crate::state::State;

const TL02_MAX_LIMIT: usize = 2000;

fn row_json(row: &Transaction) -> Value {
    let mut entities = serde_json::Map::new();
    if let Some(order_id) = &row.order_id {
        entities.insert(
            "order".into(),
            json!({ "id": order_id, "commercial_id": row.commercial_id }),
        );
    }
    if let Some(line) = &row.order_line_id {
        entities.insert("order_line".into(), json!({ "id": line }));
    }
    if let Some(refund) = &row.refund_id {
        entities.insert("refund".into(), json!({ "id": refund }));
    }
    let mut value = json!({
        "id": row.id,
        "type": row.transaction_type,
        "amount": money(row.amount),
        "amount_credited": money(row.amount.max(rust_decimal::Decimal::ZERO)),
        "amount_debited": money((-row.amount).max(rust_decimal::Decimal::ZERO)),
        "balance": money(row.balance),
        "currency_iso_code": row.currency_iso_code,
        "date_created": format_date(row.date_created),
        "last_updated": format_date(row.last_updated),
        "transaction_date": format_date(row.date_created),
        "payment_state": row.payment_state,
        "entities": Value::Object(entities),
    });
    if let Some(obj) = value.as_object_mut() {
        if let Some(id) = &row.accounting_document_id {
            obj.insert("accounting_document_id".into(), json!(id));
        }
        if let Some(number) = &row.accounting_document_number {
            obj.insert("accounting_document_number".into(), json!(number));
        }
        if let Some(cycle) = &row.seller_billing_cycle_id {
            obj.insert("seller_billing_cycle_id".into(), json!(cycle));
        }
    }
    value
}

/// A seek-paginated call's filters (the first call's query), start position and page size.
/// The token is the first call's query plus the position, hex-encoded.
fn seek_position(request: &Request, max_limit: usize) -> ApiResult<(Request, usize, usize)> {
    let (query, start): (Vec<(String, String)>, usize) = match request.param("page_token") {
        Some(token) => {
            decode_token(token).ok_or_else(|| ApiError::bad_request("Invalid page_token"))?
        }
        None => (request.query.clone(), 0),
    };
    let filters = Request {
        query,
        ..Request::default()
    };
    let limit = match filters.param("limit") {
        None => 10,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=max_limit).contains(&n) => n,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "Invalid value '{v}' for parameter limit (1 to {max_limit})"
                )))
            }
        },
    };
    Ok((filters, start, limit))
}

/// TL02.
pub fn transaction_logs(state: &State, request: &Request) -> ApiResult<Response> {
    let (filters, start, limit) = seek_position(request, TL02_MAX_LIMIT)?;
    let types = filters.param_list("transaction_type");
    let payment_states = filters.param_list("payment_state");
    let order_ids = filters.param_list("order_id");
    let line_ids = filters.param_list("order_line_id");
    let cycles = filters.param_list("seller_billing_cycle_id");
    let documents = filters.param_list("accounting_document_id");
    let created_from = date_param(&filters, "date_created_from")?;
    let created_to = date_param(&filters, "date_created_to")?;
    let updated_from = date_param(&filters, "last_updated_from")?;
    let descending = match filters.param("sort") {
        None => false,
        Some(s) => s.to_ascii_uppercase().ends_with(",DESC"),
    };
    let has = |list: &[String], v: &Option<String>| {
        list.is_empty() || v.as_ref().is_some_and(|v| list.contains(v))
    };
    let mut rows: Vec<&Transaction> = state
        .transactions
        .iter()
        .filter(|t| types.is_empty() || types.contains(&t.transaction_type))
        .filter(|t| payment_states.is_empty() || payment_states.contains(&t.payment_state))
        .filter(|t| has(&order_ids, &t.order_id) && has(&line_ids, &t.order_line_id))
        .filter(|t| {
            has(&cycles, &t.seller_billing_cycle_id) && has(&documents, &t.accounting_document_id)
        })
        .filter(|t| {
            created_from.map_or(true, |d| t.date_created >= d)
                && created_to.map_or(true, |d| t.date_created <= d)
        })
        .filter(|t| updated_from.map_or(true, |d| t.last_updated >= d))
        .collect();
    if descending {
        rows.reverse();
    }
    let data: Vec<Value> = rows
        .iter()
        .skip(start)
        .take(limit)
        .map(|r| row_json(r))
        .collect();
    let mut body = json!({ "data": data });
    if let Some(obj) = body.as_object_mut() {
        if start + limit < rows.len() {
            obj.insert(
                "next_page_token".into(),
                json!(encode_token(&filters.query, start + limit)),
            );
        }
        if start > 0 {
            obj.insert(
                "previous_page_token".into(),
                json!(encode_token(&filters.query, start.saturating_sub(limit))),
            );
        }
    }
    Ok(Response::json(200, &body))
}

fn encode_token(query: &[(String, String)], position: usize) -> String {
    let mut text = format!("{position}|");
    let pairs: Vec<String> = query
        .iter()
        .filter(|(k, _)| k != "page_token" && k != "shop_id")
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect();
    text.push_str(&pairs.join("&"));
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_token(token: &str) -> Option<(Vec<(String, String)>, usize)> {
    if token.len() % 2 != 0 || !token.is_ascii() {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&token[i..i + 2], 16).ok())
        .collect();
    let text = String::from_utf8(bytes?).ok()?;
    let (position, query) = text.split_once('|')?;
    Some((parse_query(query), position.parse().ok()?))
}

/// IV01.
pub fn invoices(state: &State, request: &Request) -> ApiResult<Response> {
    let (max, offset) = offset_page(request)?;
    let start = date_param(request, "start_date")?;
    let end = date_param(request, "end_date")?;
    let types = request.param_list("type");
    if !types.is_empty() && !types.iter().any(|t| t == "AUTO_INVOICE" || t == "ALL") {
        return Ok(Response::json(
            200,
            &json!({ "invoices": [], "total_count": 0 }),
        ));
    }
    let selected: Vec<_> = state
        .invoices
        .iter()
        .filter(|i| {
            start.map_or(true, |d| i.issue_date >= d) && end.map_or(true, |d| i.issue_date <= d)
        })
        .collect();
    let config = &state.config;
    let page: Vec<Value> = selected
        .iter()
        .skip(offset)
        .take(max)
        .map(|i| {
            let issue = format_date(i.issue_date);
            json!({
                "invoice_id": i.invoice_id,
                "id": i.id,
                "type": "AUTO_INVOICE",
                "state": "COMPLETE",
                "date_created": issue,
                "issue_date": issue,
                "due_date": issue,
                "start_time": format_date(i.start_date),
                "end_time": format_date(i.end_date),
                "currency_iso_code": i.currency_iso_code,
                "shop_id": config.shop_id,
                "shop_name": config.shop_name,
                "shop_corporate_name": config.shop_name,
                "shop_model": "MARKETPLACE",
                "total_amount_excl_taxes": money(i.commission_excl),
                "total_amount_incl_taxes": money(i.commission_excl + i.commission_tax),
                "total_charged_amount": money(i.commission_excl + i.commission_tax),
                "total_taxes": [{ "code": "COMMISSION_VAT", "amount": money(i.commission_tax) }],
                "issuing_user": { "type": "OPERATOR" },
                "payment": { "state": "PAID", "reference": i.payment_reference, "transaction_date": issue },
                "seller_billing_cycle_id": cycle_id(i.invoice_id),
                "summary": { "amount_transferred": money(i.amount_transferred), "total_commissions_incl_tax": money(i.commission_excl + i.commission_tax) },
            })
        })
        .collect();
    Ok(Response::json(
        200,
        &json!({ "invoices": page, "total_count": selected.len() }),
    ))
}

/// The billing cycle a payout closes (the payout's transactions carry the same id).
pub fn cycle_id(invoice_id: i64) -> String {
    format!("SBC-{invoice_id}")
}

const SBC11_MAX_LIMIT: usize = 1000;

/// SBC11: one billing cycle per payout, oldest first.
pub fn billing_cycles(state: &State, request: &Request) -> ApiResult<Response> {
    let (filters, start, limit) = seek_position(request, SBC11_MAX_LIMIT)?;
    let config = &state.config;
    let data: Vec<Value> = state
        .invoices
        .iter()
        .skip(start)
        .take(limit)
        .map(|i| {
            let commission = i.commission_excl + i.commission_tax;
            json!({
                "id": cycle_id(i.invoice_id),
                "currency_iso_code": i.currency_iso_code,
                "date_created": format_date(i.issue_date),
                "amount_transferred_to_seller": money(i.amount_transferred),
                "amount_transferred_to_operator": money(commission),
                "pay_out": { "state": "PAID", "reference": i.payment_reference },
                "pay_out_psp_code": "NOT_SPECIFIED",
                "shop": { "shop_id": config.shop_id, "shop_name": config.shop_name },
                "summary": {
                    "total_commissions_excl_tax": money(-i.commission_excl),
                    "total_commissions_incl_tax": money(-commission),
                },
            })
        })
        .collect();
    let mut body = json!({ "data": data });
    if start + limit < state.invoices.len() {
        if let Some(obj) = body.as_object_mut() {
            obj.insert(
                "next_page_token".into(),
                json!(encode_token(&filters.query, start + limit)),
            );
        }
    }
    Ok(Response::json(200, &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_token_round_trips() {
        let query = vec![
            ("order_id".to_string(), "A-1".to_string()),
            ("limit".to_string(), "2".to_string()),
        ];
        let token = encode_token(&query, 4);
        let (decoded, position) = decode_token(&token).expect("token");
        assert_eq!(position, 4);
        assert_eq!(decoded, query);
        assert!(decode_token("zz").is_none());
    }
}
