//! Processing of STO01 (stock) and OF01 (offers) CSV files once their delay has passed.
//!
//! Mirakl's dialect: `;` separator, optional double quotes, header row, decimal comma accepted.
//! Invariants: a file is processed exactly once; a bad line is counted in error and written to
//! the error report with its line number, it never aborts the others; a file without the
//! required columns fails as a whole (status FAILED), never panics.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::model::{parse_money_text, quantity_in_range, Offer};
use crate::state::State;

fn reader(file: &[u8]) -> csv::Reader<&[u8]> {
    let file = file.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(file);
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .has_headers(true)
        .from_reader(file)
}

/// Collects error-report rows: the original cells plus `error-line` and `error-message`.
struct ErrorReport {
    writer: csv::Writer<Vec<u8>>,
    rows: usize,
}

impl ErrorReport {
    fn new(header: &[String]) -> ErrorReport {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(Vec::new());
        let mut cells: Vec<&str> = header.iter().map(String::as_str).collect();
        cells.push("error-line");
        cells.push("error-message");
        let _ = writer.write_record(&cells);
        ErrorReport { writer, rows: 0 }
    }

    fn add(&mut self, record: &csv::StringRecord, line: u64, message: &str) {
        let mut cells: Vec<String> = record.iter().map(str::to_string).collect();
        cells.push(line.to_string());
        cells.push(message.to_string());
        let _ = self.writer.write_record(&cells);
        self.rows += 1;
    }

    fn finish(self) -> Option<String> {
        if self.rows == 0 {
            return None;
        }
        self.writer
            .into_inner()
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }
}

/// Reads every non-blank row and applies it; a failing row goes to the report with its line
/// number. Returns (lines read, in success, in error).
fn each_row(
    csv: &mut csv::Reader<&[u8]>,
    report: &mut ErrorReport,
    mut apply: impl FnMut(&csv::StringRecord) -> Result<(), String>,
) -> (i64, i64, i64) {
    let (mut read, mut success, mut errors) = (0i64, 0i64, 0i64);
    let mut record = csv::StringRecord::new();
    let mut line_number = 1u64;
    loop {
        line_number += 1;
        let outcome = match csv.read_record(&mut record) {
            Ok(false) => break,
            // An unreadable line (e.g. invalid UTF-8) is an error line; reading goes on.
            Err(_) => Err((
                csv::StringRecord::new(),
                "The line cannot be read".to_string(),
            )),
            Ok(true) if record.iter().all(|c| c.trim().is_empty()) => continue,
            Ok(true) => apply(&record).map_err(|m| (record.clone(), m)),
        };
        read += 1;
        match outcome {
            Ok(()) => success += 1,
            Err((row, message)) => {
                errors += 1;
                report.add(&row, line_number, &message);
            }
        }
    }
    (read, success, errors)
}

fn fail(state: &mut State, index: usize, reason: &str) {
    let import = &mut state.imports[index];
    import.status = "FAILED".into();
    import.reason_status = Some(reason.into());
}

fn column(header: &[String], name: &str) -> Option<usize> {
    header
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(name))
}

/// STO01: `offer-sku;quantity;warehouse-code;update-delete`.
pub fn apply_stock_file(state: &mut State, index: usize, file: &[u8], now: DateTime<Utc>) {
    let mut csv = reader(file);
    let header: Vec<String> = match csv.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(_) => return fail(state, index, "The file is not a valid CSV file"),
    };
    let (Some(sku_col), Some(quantity_col)) =
        (column(&header, "offer-sku"), column(&header, "quantity"))
    else {
        return fail(
            state,
            index,
            "The file must have the columns offer-sku and quantity",
        );
    };
    let delete_col = column(&header, "update-delete");
    let mut report = ErrorReport::new(&header);
    let (read, success, errors) = each_row(&mut csv, &mut report, |record| {
        let sku = record.get(sku_col).unwrap_or("").trim();
        let delete = delete_col
            .and_then(|c| record.get(c))
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("delete"));
        let quantity_text = record.get(quantity_col).unwrap_or("").trim();
        let quantity = if delete {
            Some(0)
        } else {
            quantity_text
                .parse::<i64>()
                .ok()
                .filter(|q| quantity_in_range(*q))
        };
        if sku.is_empty() {
            return Err("The offer-sku is required".to_string());
        }
        let quantity = quantity
            .ok_or_else(|| format!("The quantity '{quantity_text}' is not a positive integer"))?;
        let offer = state
            .live_offer_mut(sku)
            .ok_or_else(|| format!("The offer with sku '{sku}' does not exist"))?;
        offer.quantity = quantity;
        offer.last_updated = now;
        Ok(())
    });
    let import = &mut state.imports[index];
    import.lines_read = read;
    import.lines_in_success = success;
    import.lines_in_error = errors;
    import.offer_updated = success;
    import.error_report = report.finish();
    import.status = "COMPLETE".into();
}

struct OfferColumns {
    sku: usize,
    product_id: Option<usize>,
    product_id_type: Option<usize>,
    description: Option<usize>,
    internal_description: Option<usize>,
    price: Option<usize>,
    discount_price: Option<usize>,
    quantity: Option<usize>,
    min_quantity_alert: Option<usize>,
    state: Option<usize>,
    leadtime: Option<usize>,
    update_delete: Option<usize>,
}

fn cell(record: &csv::StringRecord, col: Option<usize>) -> Option<&str> {
    col.and_then(|c| record.get(c))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// OF01 in NORMAL, PARTIAL_UPDATE or REPLACE mode.
pub fn apply_offer_file(state: &mut State, index: usize, file: &[u8], now: DateTime<Utc>) {
    let mode = state.imports[index].mode.clone();
    let mut csv = reader(file);
    let header: Vec<String> = match csv.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(_) => return fail(state, index, "The file is not a valid CSV file"),
    };
    let Some(sku) = column(&header, "sku") else {
        return fail(state, index, "The file must have a sku column");
    };
    let cols = OfferColumns {
        sku,
        product_id: column(&header, "product-id"),
        product_id_type: column(&header, "product-id-type"),
        description: column(&header, "description"),
        internal_description: column(&header, "internal-description"),
        price: column(&header, "price"),
        discount_price: column(&header, "discount-price"),
        quantity: column(&header, "quantity"),
        min_quantity_alert: column(&header, "min-quantity-alert"),
        state: column(&header, "state"),
        leadtime: column(&header, "leadtime-to-ship"),
        update_delete: column(&header, "update-delete"),
    };
    let mut report = ErrorReport::new(&header);
    let mut seen: HashSet<String> = HashSet::new();
    let (mut inserted, mut updated, mut deleted) = (0i64, 0i64, 0i64);
    let (read, success, errors) = each_row(&mut csv, &mut report, |record| {
        let outcome = apply_offer_row(state, &cols, record, &mode, now)?;
        if let Some(sku) = cell(record, Some(cols.sku)) {
            seen.insert(sku.to_string());
        }
        match outcome {
            RowOutcome::Inserted => inserted += 1,
            RowOutcome::Updated => updated += 1,
            RowOutcome::Deleted => deleted += 1,
        }
        Ok(())
    });
    if mode == "REPLACE" {
        for offer in state
            .offers
            .iter_mut()
            .filter(|o| !o.deleted && !seen.contains(&o.shop_sku))
        {
            offer.deleted = true;
            offer.active = false;
            offer.last_updated = now;
            deleted += 1;
        }
    }
    let import = &mut state.imports[index];
    import.lines_read = read;
    import.lines_in_success = success;
    import.lines_in_error = errors;
    import.offer_inserted = inserted;
    import.offer_updated = updated;
    import.offer_deleted = deleted;
    import.error_report = report.finish();
    import.status = "COMPLETE".into();
}

enum RowOutcome {
    Inserted,
    Updated,
    Deleted,
}

fn parse_price(
    record: &csv::StringRecord,
    col: Option<usize>,
    name: &str,
) -> Result<Option<Decimal>, String> {
    match cell(record, col) {
        None => Ok(None),
        Some(text) => match parse_money_text(text) {
            Some(v) if v >= Decimal::ZERO => Ok(Some(v)),
            _ => Err(format!("The {name} '{text}' is not a valid amount")),
        },
    }
}

fn parse_count(
    record: &csv::StringRecord,
    col: Option<usize>,
    name: &str,
) -> Result<Option<i64>, String> {
    match cell(record, col) {
        None => Ok(None),
        Some(text) => match text.parse::<i64>() {
            Ok(v) if quantity_in_range(v) => Ok(Some(v)),
            _ => Err(format!("The {name} '{text}' is not a positive integer")),
        },
    }
}

fn apply_offer_row(
    state: &mut State,
    cols: &OfferColumns,
    record: &csv::StringRecord,
    mode: &str,
    now: DateTime<Utc>,
) -> Result<RowOutcome, String> {
    let sku = cell(record, Some(cols.sku))
        .ok_or("The sku is required")?
        .to_string();
    let action = cell(record, cols.update_delete)
        .unwrap_or("update")
        .to_ascii_lowercase();
    if action == "delete" {
        if mode == "PARTIAL_UPDATE" {
            return Err("update-delete must be empty in PARTIAL_UPDATE mode".into());
        }
        let offer = state
            .live_offer_mut(&sku)
            .ok_or_else(|| format!("The offer with sku '{sku}' does not exist"))?;
        offer.deleted = true;
        offer.active = false;
        offer.last_updated = now;
        return Ok(RowOutcome::Deleted);
    }
    if action != "update" {
        return Err(format!("Invalid update-delete value '{action}'"));
    }
    let price = parse_price(record, cols.price, "price")?;
    let discount_price = parse_price(record, cols.discount_price, "discount-price")?;
    let quantity = parse_count(record, cols.quantity, "quantity")?;
    let min_quantity_alert = parse_count(record, cols.min_quantity_alert, "min-quantity-alert")?;
    let leadtime = parse_count(record, cols.leadtime, "leadtime-to-ship")?;
    let exists = state.live_offer_mut(&sku).is_some();
    if !exists {
        if mode == "PARTIAL_UPDATE" {
            return Err(format!("The offer with sku '{sku}' does not exist"));
        }
        let Some(price) = price else {
            return Err("The price is required to create an offer".into());
        };
        if cell(record, cols.product_id).is_none() {
            return Err("The product-id is required to create an offer".into());
        }
        let was_deleted = state.offer_by_sku.contains_key(&sku);
        if !was_deleted {
            state
                .upsert_offer(&sku, price, 0, None)
                .map_err(|e| e.message)?;
        } else if let Some(offer) = state
            .offer_by_sku
            .get(&sku)
            .copied()
            .map(|i| &mut state.offers[i])
        {
            offer.deleted = false;
            offer.active = true;
        }
    }
    let offer: &mut Offer = state
        .live_offer_mut(&sku)
        .ok_or("The offer could not be created")?;
    if let Some(v) = price {
        offer.price = v;
    }
    if discount_price.is_some() || (mode != "PARTIAL_UPDATE" && cols.discount_price.is_some()) {
        offer.discount_price = discount_price;
    }
    if let Some(v) = quantity {
        offer.quantity = v;
    } else if mode != "PARTIAL_UPDATE" && !exists {
        offer.quantity = 0;
    }
    if let Some(v) = min_quantity_alert {
        offer.min_quantity_alert = v;
    }
    if let Some(v) = leadtime {
        offer.leadtime_to_ship = v;
    }
    if let Some(v) = cell(record, cols.product_id) {
        offer.product_id = v.to_string();
    }
    if let Some(v) = cell(record, cols.product_id_type) {
        offer.product_id_type = v.to_string();
    }
    if let Some(v) = cell(record, cols.description) {
        offer.description = v.to_string();
    }
    if let Some(v) = cell(record, cols.internal_description) {
        offer.internal_description = v.to_string();
    }
    if let Some(v) = cell(record, cols.state) {
        offer.state_code = v.to_string();
    }
    offer.last_updated = now;
    Ok(if exists {
        RowOutcome::Updated
    } else {
        RowOutcome::Inserted
    })
}
