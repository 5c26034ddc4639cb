//! Stock: STO01 uploads one `;`-separated CSV of quantities (multipart `file`, at most once a
//! minute, so every dirty SKU goes in one file); STO02 reads the import's status. Quantities are
//! never negative by construction (`u64`).

use crate::mirakl::budget::CallBudget;
use crate::mirakl::client::resource_handler;
use crate::mirakl::error::MiraklError;
use crate::mirakl::model::{bool_opt, date_opt, int_opt, text, text_opt, ImportStatus};
use crate::mirakl::request::{segment, ApiCode, Body, Method, Request};
use crate::mirakl::transport::Transport;
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// `update-delete` column of the import files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateDelete {
    Update,
    Delete,
}

impl UpdateDelete {
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateDelete::Update => "update",
            UpdateDelete::Delete => "delete",
        }
    }
}

/// One STO01 row: an offer's quantity, globally or for one warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockLine {
    pub offer_sku: String,
    pub quantity: u64,
    pub warehouse_code: Option<String>,
    pub update_delete: Option<UpdateDelete>,
}

impl StockLine {
    pub fn new(offer_sku: impl Into<String>, quantity: u64) -> StockLine {
        StockLine {
            offer_sku: offer_sku.into(),
            quantity,
            warehouse_code: None,
            update_delete: None,
        }
    }
}

/// The STO01 header, as documented.
pub const STOCK_HEADER: [&str; 4] = ["offer-sku", "quantity", "warehouse-code", "update-delete"];

/// Writes the STO01 CSV: `;`-separated, every field quoted, header first.
pub fn write_csv(lines: &[StockLine]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::with_capacity(64 + lines.len() * 32));
    writer.write_record(STOCK_HEADER)?;
    let mut quantity = String::new();
    for line in lines {
        quantity.clear();
        quantity.push_str(&line.quantity.to_string());
        writer.write_record([
            line.offer_sku.as_str(),
            quantity.as_str(),
            line.warehouse_code.as_deref().unwrap_or(""),
            line.update_delete.map_or("", UpdateDelete::as_str),
        ])?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
}

/// STO01: import stock quantities → 201 `{import_id}`.
pub fn import(lines: &[StockLine]) -> Result<Request, MiraklError> {
    let csv = write_csv(lines).map_err(|e| MiraklError::Invalid {
        api: ApiCode::STO01,
        message: format!("writing the stock file: {e}"),
    })?;
    let mut request = Request::new(ApiCode::STO01, Method::Post, "/offers/stock/imports");
    request.body = Body::Multipart {
        file_name: "stock.csv".to_owned(),
        csv,
        fields: Vec::new(),
    };
    Ok(request)
}

/// STO01 answer (`import_id` is documented as a string).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StockImport {
    #[serde(deserialize_with = "text")]
    pub import_id: String,
}

/// STO02: the status of a stock import.
pub fn import_status(import_id: &str) -> Request {
    Request::get(
        ApiCode::STO02,
        format!("/offers/stock/imports/{}/status", segment(import_id)),
    )
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StockImportStatus {
    #[serde(deserialize_with = "text")]
    pub import_id: String,
    pub status: ImportStatus,
    #[serde(default, deserialize_with = "int_opt")]
    pub lines_in_success: Option<i64>,
    #[serde(default, deserialize_with = "int_opt")]
    pub lines_in_error: Option<i64>,
    #[serde(default, deserialize_with = "bool_opt")]
    pub has_error_report: Option<bool>,
    #[serde(default, deserialize_with = "date_opt")]
    pub date_created: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "text_opt")]
    pub shop_id: Option<String>,
}

resource_handler!(
    /// Stock calls bound to a client.
    Stock,
    stock
);

impl<'c, T: Transport, B: CallBudget> Stock<'c, T, B> {
    /// STO01: upload quantities.
    pub fn import(&self, lines: &[StockLine]) -> Result<StockImport, MiraklError> {
        self.client.send_json(import(lines)?)
    }

    /// STO02: read an import's status.
    pub fn import_status(&self, import_id: &str) -> Result<StockImportStatus, MiraklError> {
        self.client.send_json(import_status(import_id))
    }
}
