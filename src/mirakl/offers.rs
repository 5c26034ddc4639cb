//! Offers: OF01 uploads an offer CSV (multipart, `import_mode`), OF02 reads its status, OF03 its
//! error report (CSV), OF21 lists offers (offset pages), OF51 exports offers as CSV. CSV in and
//! out is `;`-separated and read by header name, so added columns never break parsing.

use crate::mirakl::budget::{keys, CallBudget};
use crate::mirakl::client::{resource_handler, OffsetPages};
use crate::mirakl::error::MiraklError;
use crate::mirakl::model::{
    bool_opt, date_opt, decimal_opt, int_opt, nullable, offset_page, offset_query, open_enum,
    page_size, parse_datetime, parse_decimal, text, text_opt, ImportStatus, SortOrder,
};
use crate::mirakl::request::{format_date, segment, ApiCode, Body, Method, Request};
use crate::mirakl::stock::UpdateDelete;
use crate::mirakl::transport::Transport;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;

open_enum! {
    /// OF01 `import_mode` (and OF02 `mode`). PARTIAL_UPDATE is deprecated by Mirakl.
    ImportMode { Normal => "NORMAL", Replace => "REPLACE", PartialUpdate => "PARTIAL_UPDATE" }
}

/// One OF01 row with the columns the connector fills; empty cells are left blank.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OfferLine {
    pub sku: String,
    pub product_id: Option<String>,
    pub product_id_type: Option<String>,
    pub description: Option<String>,
    pub internal_description: Option<String>,
    pub price: Option<Decimal>,
    pub price_additional_info: Option<String>,
    pub quantity: Option<u64>,
    pub min_quantity_alert: Option<u64>,
    /// Offer condition code (OF61), e.g. `11` for new.
    pub state: Option<String>,
    pub discount_price: Option<Decimal>,
    pub leadtime_to_ship: Option<u32>,
    pub logistic_class: Option<String>,
    pub update_delete: Option<UpdateDelete>,
}

/// The OF01 columns written by [`write_offer_csv`], in order.
pub const OFFER_HEADER: [&str; 14] = [
    "sku",
    "product-id",
    "product-id-type",
    "description",
    "internal-description",
    "price",
    "price-additional-info",
    "quantity",
    "min-quantity-alert",
    "state",
    "discount-price",
    "leadtime-to-ship",
    "logistic-class",
    "update-delete",
];

/// Writes the OF01 CSV: `;`-separated, quoted, decimal point.
pub fn write_offer_csv(lines: &[OfferLine]) -> Result<Vec<u8>, csv::Error> {
    fn cell<V: ToString>(value: &Option<V>) -> String {
        value.as_ref().map(ToString::to_string).unwrap_or_default()
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    writer.write_record(OFFER_HEADER)?;
    for line in lines {
        writer.write_record([
            line.sku.clone(),
            cell(&line.product_id),
            cell(&line.product_id_type),
            cell(&line.description),
            cell(&line.internal_description),
            cell(&line.price),
            cell(&line.price_additional_info),
            cell(&line.quantity),
            cell(&line.min_quantity_alert),
            cell(&line.state),
            cell(&line.discount_price),
            cell(&line.leadtime_to_ship),
            cell(&line.logistic_class),
            line.update_delete
                .map_or(String::new(), |u| u.as_str().to_owned()),
        ])?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
}

/// OF01 options besides the file.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferImportOptions {
    pub import_mode: ImportMode,
    /// The file also carries product columns.
    pub with_products: bool,
    pub operator_format: Option<bool>,
}

impl Default for OfferImportOptions {
    fn default() -> OfferImportOptions {
        OfferImportOptions {
            import_mode: ImportMode::Normal,
            with_products: false,
            operator_format: None,
        }
    }
}

/// OF01: import an offer file already written as CSV → 201 `{import_id}`.
pub fn import_file(file_name: &str, csv: Vec<u8>, options: &OfferImportOptions) -> Request {
    let mut fields = vec![
        (
            "import_mode".to_owned(),
            options.import_mode.as_str().to_owned(),
        ),
        (
            "with_products".to_owned(),
            options.with_products.to_string(),
        ),
    ];
    if let Some(operator_format) = options.operator_format {
        fields.push(("operator_format".to_owned(), operator_format.to_string()));
    }
    let mut request = Request::new(ApiCode::OF01, Method::Post, "/offers/imports");
    request.body = Body::Multipart {
        file_name: file_name.to_owned(),
        csv,
        fields,
    };
    request
}

/// OF01: import offer rows.
pub fn import(lines: &[OfferLine], options: &OfferImportOptions) -> Result<Request, MiraklError> {
    let csv = write_offer_csv(lines).map_err(|e| MiraklError::Invalid {
        api: ApiCode::OF01,
        message: format!("writing the offer file: {e}"),
    })?;
    Ok(import_file("offers.csv", csv, options))
}

/// OF01 answer (`import_id` is a number in Mirakl's example; kept as text).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OfferImport {
    #[serde(deserialize_with = "text")]
    pub import_id: String,
    #[serde(default, deserialize_with = "text_opt")]
    pub product_import_id: Option<String>,
}

/// OF02: an offer import's status.
pub fn import_status(import_id: &str) -> Request {
    Request::get(
        ApiCode::OF02,
        format!("/offers/imports/{}", segment(import_id)),
    )
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OfferImportStatus {
    #[serde(deserialize_with = "text")]
    pub import_id: String,
    pub status: ImportStatus,
    #[serde(default)]
    pub reason_status: Option<String>,
    #[serde(default)]
    pub mode: Option<ImportMode>,
    #[serde(default, deserialize_with = "int_opt")]
    pub lines_read: Option<i64>,
    #[serde(default, deserialize_with = "int_opt")]
    pub lines_in_success: Option<i64>,
    #[serde(default, deserialize_with = "int_opt")]
    pub lines_in_error: Option<i64>,
    #[serde(default, deserialize_with = "int_opt")]
    pub lines_in_pending: Option<i64>,
    #[serde(default, deserialize_with = "int_opt")]
    pub offer_inserted: Option<i64>,
    #[serde(default, deserialize_with = "int_opt")]
    pub offer_updated: Option<i64>,
    #[serde(default, deserialize_with = "int_opt")]
    pub offer_deleted: Option<i64>,
    #[serde(default, deserialize_with = "bool_opt")]
    pub has_error_report: Option<bool>,
    #[serde(default, deserialize_with = "date_opt")]
    pub date_created: Option<DateTime<Utc>>,
}

/// OF03: an offer import's error report (CSV).
pub fn error_report(import_id: &str) -> Request {
    Request::get(
        ApiCode::OF03,
        format!("/offers/imports/{}/error_report", segment(import_id)),
    )
}

/// A `;`-separated CSV read by header name (OF03 reports, OF51 exports).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CsvTable {
    pub headers: Vec<String>,
    pub rows: Vec<BTreeMap<String, String>>,
}

/// Reads a `;`-separated CSV with a header line. Rows shorter or longer than the header are
/// kept (missing cells absent, extra cells dropped).
pub fn parse_csv(api: ApiCode, bytes: &[u8]) -> Result<CsvTable, MiraklError> {
    let decode = |e: csv::Error| MiraklError::Decode {
        api,
        message: format!("CSV: {e}"),
    };
    let text = String::from_utf8_lossy(bytes);
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_reader(body.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(decode)?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(decode)?;
        let row = headers
            .iter()
            .zip(record.iter())
            .map(|(header, value)| (header.clone(), value.to_owned()))
            .collect();
        rows.push(row);
    }
    Ok(CsvTable { headers, rows })
}

/// One row of an OF03 error report: the SKU, the file line and Mirakl's message.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportErrorRow {
    pub sku: Option<String>,
    pub error_line: Option<i64>,
    pub error_message: String,
    pub cells: BTreeMap<String, String>,
}

/// Reads an OF03 error report.
pub fn parse_error_report(bytes: &[u8]) -> Result<Vec<ImportErrorRow>, MiraklError> {
    let table = parse_csv(ApiCode::OF03, bytes)?;
    Ok(table
        .rows
        .into_iter()
        .map(|cells| ImportErrorRow {
            sku: cell(&cells, &["sku", "offer-sku"]).map(str::to_owned),
            error_line: cell(&cells, &["error-line"]).and_then(|v| v.parse().ok()),
            error_message: cell(&cells, &["error-message"]).unwrap_or("").to_owned(),
            cells,
        })
        .collect())
}

fn cell<'a>(cells: &'a BTreeMap<String, String>, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|name| cells.get(*name))
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
}

// ---------------------------------------------------------------------------------------------
// OF21

#[derive(Debug, Clone, PartialEq, Default)]
pub struct OfferQuery {
    pub offer_state_codes: Vec<String>,
    pub sku: Option<String>,
    pub product_id: Option<String>,
    pub favorite: Option<bool>,
    pub pricing_channel_code: Option<String>,
    pub sort: Option<String>,
    pub order: Option<SortOrder>,
    pub page_size: Option<u32>,
}

impl OfferQuery {
    pub fn page_size(&self) -> u32 {
        page_size(self.page_size)
    }
}

/// OF21: list the shop's offers, one page at `offset`.
pub fn list(query: &OfferQuery, offset: u64) -> Request {
    let request = Request::get(ApiCode::OF21, "/offers")
        .query_list("offer_state_codes", &query.offer_state_codes)
        .query_opt("sku", query.sku.as_ref())
        .query_opt("product_id", query.product_id.as_ref())
        .query_opt("favorite", query.favorite)
        .query_opt("pricing_channel_code", query.pricing_channel_code.as_ref());
    offset_query(
        request,
        query.page_size(),
        offset,
        query.sort.as_deref(),
        query.order,
        keys::OF21_PAGE,
    )
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OfferPage {
    #[serde(default, deserialize_with = "nullable")]
    pub offers: Vec<Offer>,
    #[serde(default, deserialize_with = "int_opt")]
    pub total_count: Option<i64>,
}

offset_page!(OfferPage, offers);

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Offer {
    #[serde(default, deserialize_with = "int_opt")]
    pub offer_id: Option<i64>,
    #[serde(deserialize_with = "text")]
    pub shop_sku: String,
    #[serde(default, deserialize_with = "text_opt")]
    pub product_sku: Option<String>,
    #[serde(default)]
    pub product_title: Option<String>,
    #[serde(default, deserialize_with = "int_opt")]
    pub quantity: Option<i64>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_price: Option<Decimal>,
    #[serde(default, deserialize_with = "text_opt")]
    pub state_code: Option<String>,
    #[serde(default, deserialize_with = "bool_opt")]
    pub active: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    pub inactivity_reasons: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub channels: Vec<String>,
    #[serde(default)]
    pub currency_iso_code: Option<String>,
    #[serde(default, deserialize_with = "int_opt")]
    pub leadtime_to_ship: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    pub warehouses: Vec<WarehouseQuantity>,
    #[serde(default, deserialize_with = "date_opt")]
    pub available_start_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub available_end_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WarehouseQuantity {
    #[serde(deserialize_with = "text")]
    pub code: String,
    #[serde(default, deserialize_with = "int_opt")]
    pub quantity: Option<i64>,
}

// ---------------------------------------------------------------------------------------------
// OF51

#[derive(Debug, Clone, PartialEq, Default)]
pub struct OfferExportQuery {
    /// Differential export since this date (includes deleted and inactive offers); without it
    /// the export is full, which Mirakl allows once a day.
    pub last_request_date: Option<DateTime<Utc>>,
    pub include_inactive_offers: Option<bool>,
    pub channel_codes: Vec<String>,
    pub include_fields: Vec<String>,
}

/// OF51: export offers as CSV.
pub fn export(query: &OfferExportQuery) -> Request {
    let request = Request::get(ApiCode::OF51, "/offers/export")
        .query_opt(
            "last_request_date",
            query.last_request_date.as_ref().map(format_date),
        )
        .query_opt("include_inactive_offers", query.include_inactive_offers)
        .query_list("channel_codes", &query.channel_codes)
        .query_list("include_fields", &query.include_fields);
    if query.last_request_date.is_some() {
        request
    } else {
        request.budget_key(keys::OF51_FULL)
    }
}

/// One OF51 row with the fields the connector reconciles; every cell stays in `cells`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedOffer {
    pub offer_id: Option<i64>,
    pub shop_sku: Option<String>,
    pub product_sku: Option<String>,
    pub quantity: Option<i64>,
    pub price: Option<Decimal>,
    pub active: Option<bool>,
    pub deleted: Option<bool>,
    pub state_code: Option<String>,
    pub last_updated: Option<DateTime<Utc>>,
    pub cells: BTreeMap<String, String>,
}

/// Reads an OF51 export.
pub fn parse_export(bytes: &[u8]) -> Result<Vec<ExportedOffer>, MiraklError> {
    let table = parse_csv(ApiCode::OF51, bytes)?;
    let flag = |value: Option<&str>| value.and_then(|v| v.parse::<bool>().ok());
    Ok(table
        .rows
        .into_iter()
        .map(|cells| ExportedOffer {
            offer_id: cell(&cells, &["offer-id"]).and_then(|v| v.parse().ok()),
            shop_sku: cell(&cells, &["shop-sku"]).map(str::to_owned),
            product_sku: cell(&cells, &["product-sku"]).map(str::to_owned),
            quantity: cell(&cells, &["quantity"]).and_then(|v| v.parse().ok()),
            price: cell(&cells, &["price"]).and_then(parse_decimal),
            active: flag(cell(&cells, &["active"])),
            deleted: flag(cell(&cells, &["deleted"])),
            state_code: cell(&cells, &["state-code"]).map(str::to_owned),
            last_updated: cell(&cells, &["last-updated"]).and_then(parse_datetime),
            cells,
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Client handler

resource_handler!(
    /// Offer calls bound to a client.
    Offers,
    offers
);

impl<'c, T: Transport, B: CallBudget> Offers<'c, T, B> {
    /// OF01: import offer rows.
    pub fn import(
        &self,
        lines: &[OfferLine],
        options: &OfferImportOptions,
    ) -> Result<OfferImport, MiraklError> {
        self.client.send_json(import(lines, options)?)
    }

    /// OF01: import a file already written.
    pub fn import_file(
        &self,
        file_name: &str,
        csv: Vec<u8>,
        options: &OfferImportOptions,
    ) -> Result<OfferImport, MiraklError> {
        self.client.send_json(import_file(file_name, csv, options))
    }

    /// OF02: an import's status.
    pub fn import_status(&self, import_id: &str) -> Result<OfferImportStatus, MiraklError> {
        self.client.send_json(import_status(import_id))
    }

    /// OF03: an import's error report, parsed.
    pub fn error_report(&self, import_id: &str) -> Result<Vec<ImportErrorRow>, MiraklError> {
        let body = self.client.send_bytes(error_report(import_id))?;
        parse_error_report(&body)
    }

    /// OF21: the pages of offers.
    pub fn list(&self, query: OfferQuery) -> OffsetPages<'c, T, B, OfferPage> {
        let page_size = query.page_size();
        self.client
            .offset_pages(page_size, move |offset| list(&query, offset))
    }

    /// OF51: export offers, parsed.
    pub fn export(&self, query: &OfferExportQuery) -> Result<Vec<ExportedOffer>, MiraklError> {
        let body = self.client.send_bytes(export(query))?;
        parse_export(&body)
    }
}
