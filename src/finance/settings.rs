//! Finance settings: how commission is posted on shop orders, the rounding tolerance of the
//! match, and the import's schedule and page size. Deserialized from the plugin's options (every
//! field optional with a safe default) and validated once; an invalid value names its field.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::mirakl::finance::MAX_TRANSACTION_PAGE;
use crate::settings::SettingsError;
pub use crate::sync::shop::{CommissionFeeLine, CommissionPosting};
use crate::sync::shop::{CommissionPolicy, ShopOrderLine};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FinanceSettings {
    pub commission_posting: CommissionPosting,
    /// The fee line's name when `commission_posting` is `fee_line`.
    pub commission_fee_line_name: String,
    /// The ledger account commissions are posted to in the CSV export (empty: none).
    pub commission_account: String,
    /// Largest difference per compared figure still counted as equal (rounding), e.g. `0.01`.
    pub rounding_tolerance: Decimal,
    /// Hours between scheduled imports (default nightly: 24). An import can also run on demand.
    pub import_interval_hours: i64,
    /// TL02 page size, 1 to 2000.
    pub import_page_size: u32,
    /// Minutes the TL02 `last_updated_from` window reaches back before the cursor (rows seen
    /// twice are updated, never duplicated).
    pub import_overlap_minutes: i64,
    /// Also import IV01 accounting documents and SBC11 billing cycles (once a day each).
    pub import_documents: bool,
}

impl Default for FinanceSettings {
    fn default() -> FinanceSettings {
        FinanceSettings {
            commission_posting: CommissionPosting::MetaOnly,
            commission_fee_line_name: "Marketplace commission".to_owned(),
            commission_account: String::new(),
            rounding_tolerance: Decimal::new(1, 2),
            import_interval_hours: 24,
            import_page_size: MAX_TRANSACTION_PAGE,
            import_overlap_minutes: 10,
            import_documents: true,
        }
    }
}

fn invalid(field: &'static str, reason: impl Into<String>) -> SettingsError {
    SettingsError {
        field,
        reason: reason.into(),
    }
}

/// Validates raw finance settings (JSON from WordPress options).
pub fn validate_settings(raw: &Value) -> Result<FinanceSettings, SettingsError> {
    let Some(map) = raw.as_object() else {
        return Err(invalid(
            "finance_settings",
            "must be an array of named settings",
        ));
    };
    // Field by field, so an error names the field rather than serde's position.
    let mut settings = FinanceSettings::default();
    for (key, value) in map {
        match key.as_str() {
            "commission_posting" => {
                settings.commission_posting =
                    serde_json::from_value(value.clone()).map_err(|_| {
                        invalid(
                            "commission_posting",
                            "must be \"meta_only\" or \"fee_line\"",
                        )
                    })?;
            }
            "commission_fee_line_name" => {
                let name = value.as_str().map(str::trim).unwrap_or_default();
                if name.is_empty() || name.chars().count() > 200 {
                    return Err(invalid(
                        "commission_fee_line_name",
                        "must be text of 1 to 200 characters",
                    ));
                }
                settings.commission_fee_line_name = name.to_owned();
            }
            "commission_account" => {
                settings.commission_account = value
                    .as_str()
                    .ok_or_else(|| invalid("commission_account", "must be text"))?
                    .trim()
                    .to_owned();
            }
            "rounding_tolerance" => {
                let parsed = match value {
                    Value::String(text) => crate::mirakl::model::parse_decimal(text),
                    Value::Number(number) => {
                        crate::mirakl::model::parse_decimal(&number.to_string())
                    }
                    _ => None,
                };
                let tolerance =
                    parsed.ok_or_else(|| invalid("rounding_tolerance", "must be a decimal"))?;
                if tolerance < Decimal::ZERO || tolerance > Decimal::ONE {
                    return Err(invalid("rounding_tolerance", "must be between 0 and 1"));
                }
                settings.rounding_tolerance = tolerance;
            }
            "import_interval_hours" => {
                settings.import_interval_hours =
                    bounded(value, "import_interval_hours", 1, 24 * 7)?;
            }
            "import_page_size" => {
                let size = bounded(
                    value,
                    "import_page_size",
                    1,
                    i64::from(MAX_TRANSACTION_PAGE),
                )?;
                settings.import_page_size = u32::try_from(size).unwrap_or(MAX_TRANSACTION_PAGE);
            }
            "import_overlap_minutes" => {
                settings.import_overlap_minutes =
                    bounded(value, "import_overlap_minutes", 0, 24 * 60)?;
            }
            "import_documents" => {
                settings.import_documents = value
                    .as_bool()
                    .ok_or_else(|| invalid("import_documents", "must be true or false"))?;
            }
            _ => {}
        }
    }
    Ok(settings)
}

fn bounded(value: &Value, field: &'static str, min: i64, max: i64) -> Result<i64, SettingsError> {
    let number = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
    .ok_or_else(|| invalid(field, "must be a whole number"))?;
    if !(min..=max).contains(&number) {
        return Err(invalid(field, format!("must be between {min} and {max}")));
    }
    Ok(number)
}

impl FinanceSettings {
    /// What the engine does with a created order's commission.
    pub fn commission(&self) -> CommissionPolicy {
        CommissionPolicy {
            posting: self.commission_posting,
            fee_line_name: self.commission_fee_line_name.clone(),
        }
    }
}

/// The fee line for an order's lines, or `None` with `meta_only` (or no commission): the one
/// rule the engine's draft follows ([`CommissionFeeLine::of`]).
pub fn commission_fee_line(
    settings: &FinanceSettings,
    lines: &[ShopOrderLine],
) -> Option<CommissionFeeLine> {
    CommissionFeeLine::of(&settings.commission(), lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_meta_only_nightly_with_a_cent_of_tolerance() {
        let settings = validate_settings(&json!({})).unwrap();
        assert_eq!(settings.commission_posting, CommissionPosting::MetaOnly);
        assert_eq!(settings.rounding_tolerance, Decimal::new(1, 2));
        assert_eq!(settings.import_interval_hours, 24);
        assert_eq!(settings.import_page_size, 2000);
    }

    #[test]
    fn invalid_values_name_their_field() {
        for (raw, field) in [
            (
                json!({"commission_posting": "ledger"}),
                "commission_posting",
            ),
            (json!({"rounding_tolerance": "-0.01"}), "rounding_tolerance"),
            (json!({"rounding_tolerance": "abc"}), "rounding_tolerance"),
            (json!({"import_interval_hours": 0}), "import_interval_hours"),
            (json!({"import_page_size": 2001}), "import_page_size"),
            (
                json!({"commission_fee_line_name": ""}),
                "commission_fee_line_name",
            ),
            (json!([]), "finance_settings"),
        ] {
            assert_eq!(validate_settings(&raw).unwrap_err().field, field, "{raw}");
        }
        let ok = validate_settings(
            &json!({"commission_posting": "fee_line", "rounding_tolerance": "0.02"}),
        )
        .unwrap();
        assert_eq!(ok.commission_posting, CommissionPosting::FeeLine);
        assert_eq!(ok.rounding_tolerance, Decimal::new(2, 2));
    }

    #[test]
    fn settings_round_trip_as_json() {
        let settings = FinanceSettings::default();
        let text = serde_json::to_value(&settings).unwrap();
        assert_eq!(text["commission_posting"], "meta_only");
        assert_eq!(text["rounding_tolerance"], "0.01");
        assert_eq!(validate_settings(&text).unwrap(), settings);
    }
}
