//! Tolerant building blocks shared by the resource models: decimals and integers that may arrive
//! as JSON numbers or strings, dates with offsets, `null` read as absent, and enums that keep
//! unknown values as `Other(String)`. Money is always `rust_decimal::Decimal`, never `f64`.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Parses a decimal as Mirakl writes it: `12.10`, `-3`, `1e2`, and a decimal comma (`108,56`)
/// from CSV files.
pub fn parse_decimal(raw: &str) -> Option<Decimal> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None;
    }
    let normalised = trimmed.replace(',', ".");
    Decimal::from_str(&normalised)
        .or_else(|_| Decimal::from_scientific(&normalised))
        .ok()
}

/// The years a marketplace date may fall in. Anything outside is refused at decoding: chrono
/// represents years up to 262,143, where adding a deadline or a retention period to the date
/// would overflow (and panic) far from where the value came in.
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

/// Parses a Mirakl timestamp: RFC 3339 (`Z` or `±hh:mm`, with or without fraction), also
/// `±hhmm`/`±hh` offsets, and a bare date or local time read as UTC. `None` for anything else,
/// and for a date outside [`DATE_YEARS`].
pub fn parse_datetime(raw: &str) -> Option<DateTime<Utc>> {
    parse_any_datetime(raw).filter(|t| DATE_YEARS.contains(&t.year()))
}

fn parse_any_datetime(raw: &str) -> Option<DateTime<Utc>> {
    let trimmed = raw.trim();
    if let Ok(parsed) = DateTime::parse_from_rfc3339(trimmed) {
        return Some(parsed.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%.f%#z"] {
        if let Ok(parsed) = DateTime::<FixedOffset>::parse_from_str(trimmed, format) {
            return Some(parsed.with_timezone(&Utc));
        }
    }
    if let Ok(local) = NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(local.and_utc());
    }
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|midnight| midnight.and_utc())
}

/// One scalar JSON value of any of the types Mirakl has been seen to use for the same field.
enum Scalar {
    Null,
    Text(String),
    Int(i128),
    Float(f64),
    Bool(bool),
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number, a boolean or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Text(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Int(i128::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Int(i128::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
}

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
    d.deserialize_any(ScalarVisitor)
}

/// The largest magnitude a decimal from Mirakl's JSON may have (10^15, far beyond any amount or
/// quantity). Anything larger is a decode error: with every value bounded, the sums and products
/// the connector makes of a page of them stay far inside `Decimal`'s range (about 7.9 × 10^28),
/// where an unbounded 1e25 would overflow and panic.
pub const MAX_DECIMAL: i64 = 1_000_000_000_000_000;

/// `Option<Decimal>` from a number, a numeric string, `null` or an empty string, at most
/// [`MAX_DECIMAL`] in magnitude.
///
/// A JSON float is read through its shortest round-trip text (`12.1` → `12.1`), so no binary
/// rounding error reaches the decimal.
pub fn decimal_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    match any_decimal(d)? {
        Some(value) if value.abs() > Decimal::from(MAX_DECIMAL) => Err(de::Error::custom(format!(
            "decimal out of range (more than 10^15 in magnitude): {value}"
        ))),
        value => Ok(value),
    }
}

fn any_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    match scalar(d)? {
        Scalar::Null => Ok(None),
        Scalar::Text(text) if text.trim().is_empty() => Ok(None),
        Scalar::Text(text) => parse_decimal(&text)
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("not a decimal: {text:?}"))),
        Scalar::Int(int) => i64::try_from(int)
            .map(|v| Some(Decimal::from(v)))
            .map_err(|_| de::Error::custom("decimal out of range")),
        Scalar::Float(float) => parse_decimal(&float.to_string())
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("not a decimal: {float}"))),
        Scalar::Bool(_) => Err(de::Error::custom("expected a decimal, found a boolean")),
    }
}

/// A required decimal, accepting numbers and numeric strings.
pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    decimal_opt(d)?.ok_or_else(|| de::Error::custom("missing decimal"))
}

/// `Option<i64>` from an integer, an integral float, a numeric string or `null`.
pub fn int_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match scalar(d)? {
        Scalar::Null => Ok(None),
        Scalar::Text(text) if text.trim().is_empty() => Ok(None),
        Scalar::Text(text) => text
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| de::Error::custom(format!("not an integer: {text:?}"))),
        Scalar::Int(int) => i64::try_from(int)
            .map(Some)
            .map_err(|_| de::Error::custom("integer out of range")),
        Scalar::Float(float) if float.fract() == 0.0 && float.abs() < 9.0e15 => {
            Ok(Some(float as i64))
        }
        Scalar::Float(float) => Err(de::Error::custom(format!("not an integer: {float}"))),
        Scalar::Bool(_) => Err(de::Error::custom("expected an integer, found a boolean")),
    }
}

/// A required integer, accepting numbers and numeric strings.
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    int_opt(d)?.ok_or_else(|| de::Error::custom("missing integer"))
}

/// `Option<String>` from a string or a number (ids and reason codes arrive as both).
pub fn text_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match scalar(d)? {
        Scalar::Null => Ok(None),
        Scalar::Text(text) => Ok(Some(text)),
        Scalar::Int(int) => Ok(Some(int.to_string())),
        Scalar::Float(float) => Ok(Some(float.to_string())),
        Scalar::Bool(flag) => Ok(Some(flag.to_string())),
    }
}

/// A required identifier given as a string or a number.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    text_opt(d)?.ok_or_else(|| de::Error::custom("missing identifier"))
}

/// `Option<bool>` from a boolean, `"true"`/`"false"` or `null`.
pub fn bool_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match scalar(d)? {
        Scalar::Null => Ok(None),
        Scalar::Bool(flag) => Ok(Some(flag)),
        Scalar::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(de::Error::custom(format!("not a boolean: {text:?}"))),
        },
        Scalar::Int(int) => Ok(Some(int != 0)),
        Scalar::Float(_) => Err(de::Error::custom("expected a boolean, found a float")),
    }
}

/// `Option<DateTime<Utc>>` from an ISO-8601 string with offset (see [`parse_datetime`]).
pub fn date_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match scalar(d)? {
        Scalar::Null => Ok(None),
        Scalar::Text(text) if text.trim().is_empty() => Ok(None),
        Scalar::Text(text) => match parse_any_datetime(&text) {
            Some(t) if DATE_YEARS.contains(&t.year()) => Ok(Some(t)),
            Some(_) => Err(de::Error::custom(format!(
                "date out of range (years {}-{}): {text:?}",
                DATE_YEARS.start(),
                DATE_YEARS.end()
            ))),
            None => Err(de::Error::custom(format!("not an ISO-8601 date: {text:?}"))),
        },
        _ => Err(de::Error::custom("expected a date string")),
    }
}

/// Any `Default` type where `null` reads as the default (lists, maps).
pub fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Serializes a decimal as a JSON number, as Mirakl's examples show amounts.
pub fn decimal_number<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    use rust_decimal::prelude::ToPrimitive;
    let normalised = value.normalize();
    if normalised.scale() == 0 {
        if let Some(int) = normalised.to_i64() {
            return s.serialize_i64(int);
        }
    }
    match normalised.to_f64() {
        Some(float) => s.serialize_f64(float),
        None => s.serialize_str(&normalised.to_string()),
    }
}

/// [`decimal_number`] for optional amounts (use with `skip_serializing_if = "Option::is_none"`).
pub fn decimal_number_opt<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => decimal_number(value, s),
        None => s.serialize_none(),
    }
}

/// Declares a string enum that keeps values it does not know as `Other(String)`.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// A value this client does not know yet, kept verbatim.
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(other) => other.as_str(),
                }
            }

            pub fn parse(raw: &str) -> $name {
                match raw {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = $crate::mirakl::model::text(d)?;
                Ok($name::parse(&raw))
            }
        }
    };
}
pub(crate) use open_enum;

open_enum! {
    /// How amounts are expressed: with or without taxes (OR11 `order_tax_mode`, OR28 body).
    TaxMode { TaxIncluded => "TAX_INCLUDED", TaxExcluded => "TAX_EXCLUDED" }
}

open_enum! {
    /// Status of an asynchronous import (OF02, STO02).
    ImportStatus {
        WaitingSynchronizationProduct => "WAITING_SYNCHRONIZATION_PRODUCT",
        Queued => "QUEUED",
        Waiting => "WAITING",
        Running => "RUNNING",
        Complete => "COMPLETE",
        Failed => "FAILED",
        Cancelled => "CANCELLED",
    }
}

impl ImportStatus {
    /// Whether the import has stopped changing (a final answer for the poller).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            ImportStatus::Complete | ImportStatus::Failed | ImportStatus::Cancelled
        )
    }
}

/// Sort direction for offset-paginated lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
}

impl SortOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }
}

/// A tax line on an order, refund or cancelation (`rate` is sometimes missing).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Tax {
    #[serde(default, deserialize_with = "text_opt")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub amount: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub rate: Option<Decimal>,
    #[serde(default)]
    pub tax_calculation_rule: Option<String>,
}

/// A coded amount as sent to Mirakl (OR28 taxes and fees).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodedAmount {
    #[serde(deserialize_with = "decimal", serialize_with = "decimal_number")]
    pub amount: Decimal,
    #[serde(deserialize_with = "text")]
    pub code: String,
}

/// A `{code, value}` additional field (values may be strings, lists or numbers).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct AdditionalField {
    pub code: String,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub field_type: Option<String>,
    #[serde(default)]
    pub value: serde_json::Value,
}

/// Offset-paginated list responses (OR11, OF21, IV01).
pub trait OffsetPage {
    fn item_count(&self) -> usize;
    fn total_count(&self) -> Option<i64>;
}

/// Implements [`OffsetPage`] for a page struct from its item list and `total_count` fields.
macro_rules! offset_page {
    ($page:ty, $items:ident) => {
        impl $crate::mirakl::model::OffsetPage for $page {
            fn item_count(&self) -> usize {
                self.$items.len()
            }
            fn total_count(&self) -> Option<i64> {
                self.total_count
            }
        }
    };
}
pub(crate) use offset_page;

/// Largest `max` Mirakl accepts for offset pagination.
pub const MAX_PAGE_SIZE: u32 = 100;

/// The page size to ask for: the caller's choice within `1..=100`, 100 by default.
pub fn page_size(requested: Option<u32>) -> u32 {
    requested.unwrap_or(MAX_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE)
}

/// Appends `max`/`offset` (and `sort`/`order`) to an offset-paginated request; pages after the
/// first spend `follow_up_budget` instead of the API's own budget.
pub(crate) fn offset_query(
    request: crate::mirakl::request::Request,
    page_size: u32,
    offset: u64,
    sort: Option<&str>,
    order: Option<SortOrder>,
    follow_up_budget: &'static str,
) -> crate::mirakl::request::Request {
    let request = request
        .query("max", page_size.clamp(1, MAX_PAGE_SIZE).to_string())
        .query("offset", offset.to_string())
        .query_opt("sort", sort)
        .query_opt("order", order.map(SortOrder::as_str));
    if offset == 0 {
        request
    } else {
        request.budget_key(follow_up_budget)
    }
}
