//! A01 (shop account), V01 (version), SH21 (carriers) and RE01 (reasons): reference data.
//!
//! A01 counts and balances are computed from the live state, so a connector's key check also
//! sees the marketplace it talks to.

use rust_decimal::Decimal;
use serde_json::json;

use crate::clock::format_date;
use crate::error::ApiResult;
use crate::http::{Request, Response};
use crate::model::money;
use crate::state::{State, CANCEL_REASONS, CARRIERS, REFUND_REASONS};

/// The Mirakl release this sandbox imitates (V01).
pub const MIRAKL_VERSION: &str = "3.210";

pub fn account(state: &State) -> ApiResult<Response> {
    let config = &state.config;
    let mut pending = Decimal::ZERO;
    let mut payable = Decimal::ZERO;
    let mut paid = Decimal::ZERO;
    for row in &state.transactions {
        match row.payment_state.as_str() {
            "PENDING" => pending += row.amount,
            "PAYABLE" => payable += row.amount,
            "PAID" if row.transaction_type == "PAYMENT" => paid -= row.amount,
            _ => {}
        }
    }
    let offers_count = state
        .offers
        .iter()
        .filter(|o| !o.deleted && o.active)
        .count();
    let created = format_date(state.billing_cycle_started.min(state.now()));
    let body = json!({
        "shop_id": config.shop_id,
        "shop_name": config.shop_name,
        "shop_state": "OPEN",
        "currency_iso_code": config.currency_iso_code,
        "channels": [],
        "model": "MARKETPLACE",
        "is_professional": true,
        "premium": false,
        "free_shipping": false,
        "payment_method_mandatory": false,
        "approval_delay": 3600,
        "approval_rate": 100.0,
        "evaluations_count": 0,
        "offers_count": offers_count,
        "orders_count": state.orders.len(),
        "date_created": created,
        "last_updated_date": format_date(state.now()),
        "domains": [],
        "shop_additional_fields": [],
        "applicable_taxes": [{ "code": "TAXDEFAULT", "label": "VAT" }],
        "shipping": { "lead_time_to_ship": config.shipping_lead_time_days },
        "shipping_types": ["STD"],
        "shipping_zones": ["FR"],
        "shippings": [{
            "shipping_type_code": "STD", "shipping_type_label": "Standard",
            "shipping_zone_code": "FR", "shipping_zone_label": "France",
            "additional_fields": []
        }],
        "shipping_country": "FRA",
        "billing_info": { "owner": config.shop_name, "bank_name": "Sandbox Bank", "iban": "FR7630006000011234567890189", "bic": "AGRIFRPP" },
        "contact_informations": {
            "civility": "MR", "firstname": "Sam", "lastname": "Seller", "email": "seller@example.invalid",
            "street1": "1 place du Marché", "zip_code": "69001", "city": "Lyon", "country": "FRA"
        },
        "default_billing_information": {
            "id": "DEFAULT",
            "default_language": "fr",
            "corporate_information": { "company_registration_name": config.shop_name, "company_registration_number": "12345678900012" },
            "fiscal_information": { "tax_identification_number": "FR00123456789" },
            "registration_address": { "street_1": "1 place du Marché", "zip_code": "69001", "city": "Lyon", "country_iso_code": "FRA" }
        },
        "pro_details": { "corporate_name": config.shop_name, "identification_number": "12345678900012", "VAT_number": "FR00123456789" },
        "payment_details": {
            "pending_balance": money(pending),
            "payable_balance": money(payable),
            "paid_balance": money(paid)
        },
        "payment_info": { "@type": "IBAN", "owner": config.shop_name },
        "kyc": { "status": "APPROVED" }
    });
    Ok(Response::json(200, &body))
}

pub fn version() -> Response {
    Response::json(200, &json!({ "version": MIRAKL_VERSION }))
}

pub fn carriers() -> Response {
    let mut carriers: Vec<_> = CARRIERS.iter().collect();
    carriers.sort_by_key(|c| c.1);
    let list: Vec<_> = carriers
        .iter()
        .map(|(code, label, url)| json!({ "code": code, "label": label, "standard_code": code, "tracking_url": url }))
        .collect();
    Response::json(200, &json!({ "carriers": list }))
}

pub fn reasons(request: &Request) -> Response {
    let mut reasons = vec![
        json!({ "code": "1", "label": "Article non reçu", "type": "INCIDENT_OPEN", "is_shop_right": false }),
        json!({ "code": "10", "label": "Problème résolu", "type": "INCIDENT_CLOSE", "is_shop_right": true }),
    ];
    let labels = [
        "Article endommagé",
        "Rétractation du client",
        "Article manquant",
    ];
    for (code, label) in REFUND_REASONS.iter().zip(labels) {
        reasons
            .push(json!({ "code": code, "label": label, "type": "REFUND", "is_shop_right": true }));
    }
    let labels = ["Rupture de stock", "Annulation à la demande du client"];
    for (code, label) in CANCEL_REASONS.iter().zip(labels) {
        reasons.push(
            json!({ "code": code, "label": label, "type": "CANCELATION", "is_shop_right": true }),
        );
    }
    if let Some(kind) = request.param("type") {
        reasons.retain(|r| r["type"] == kind);
    }
    let total = reasons.len();
    Response::json(200, &json!({ "reasons": reasons, "total_count": total }))
}
