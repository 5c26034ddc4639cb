//! Sync settings: what the merchant chooses about stock, offers, orders, shipping and refunds.
//! Deserialized from the plugin's options (JSON, every field optional with a safe default) and
//! validated once; an invalid value is a [`SettingsError`] naming the field, never a guess.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Coded, ErrorCode};

/// What to do with an order line whose SKU is unknown or whose stock is short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShortagePolicy {
    /// Refuse those lines (or the whole order when partial acceptance is off).
    Refuse,
    /// Neither accept nor refuse: raise a problem and wait for a human (the deadline clock
    /// keeps warning).
    Hold,
}

/// What an order the operator fulfils (from its own fulfillment center) does to the shop's
/// stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatorFulfilledStock {
    /// The goods leave the operator's warehouse: the shop's stock stays as it is, and the
    /// order is accepted whatever the shop has.
    #[default]
    Keep,
    /// The shop's stock is reduced as for any order (one stock shared with the operator).
    Reduce,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncSettings {
    /// Units kept back from the marketplace per SKU.
    pub stock_buffer: i64,
    /// A SKU at or below this (after the buffer) is pushed in the next slot.
    pub low_stock_threshold: i64,
    /// Other stock changes are pushed within this many seconds.
    pub stock_push_interval_secs: i64,
    /// OF01 `product-id-type` (e.g. `EAN`, `SHOP_SKU`).
    pub product_id_type: String,
    /// The operator's acceptance window, in hours (Mirakl does not expose it).
    pub acceptance_window_hours: i64,
    /// Fractions of the acceptance window after which a warning is raised, e.g. `[0.5, 0.8]`.
    pub acceptance_warning_fractions: Vec<f64>,
    pub unknown_sku_policy: ShortagePolicy,
    pub short_stock_policy: ShortagePolicy,
    /// Whether the operator allows accepting some lines and refusing others.
    pub partial_acceptance: bool,
    /// Mirakl order state → shop status (`SHIPPING` → `processing` by default).
    #[serde(deserialize_with = "crate::settings::map_or_empty_list")]
    pub status_mapping: BTreeMap<String, String>,
    /// Shop carrier name → SH21 carrier code.
    #[serde(deserialize_with = "crate::settings::map_or_empty_list")]
    pub carrier_map: BTreeMap<String, String>,
    /// The operator's own country labels → ISO 3166-1 alpha-2 code, for the labels the built-in
    /// names do not know ("Metropole & Corse" → `FR`). Looked at before the built-in names.
    #[serde(deserialize_with = "crate::settings::map_or_empty_list")]
    pub country_label_map: BTreeMap<String, String>,
    /// Mirakl shipping type code (`shipping_type_code`) → the shop's shipping method id, for the
    /// types the shop books under a method of its own (`EXPRESS` → `flat_rate`).
    #[serde(deserialize_with = "crate::settings::map_or_empty_list")]
    pub shipping_method_map: BTreeMap<String, String>,
    /// Fulfillment center codes (OR11 `fulfillment.center.code`) the operator ships from: an
    /// order from one of them is shipped by the operator, never by the shop.
    pub operator_fulfillment_centers: Vec<String>,
    /// Mirakl custom field code → the meta key the shop also writes its value under (on the
    /// order for order fields, on the line for line fields), for the fields other plugins read
    /// (a gift message → `_gift_message`). Keys the shop's own data uses are refused.
    #[serde(deserialize_with = "crate::settings::map_or_empty_list")]
    pub custom_field_meta_map: BTreeMap<String, String>,
    /// Stock handling of orders the operator fulfils.
    pub operator_fulfilled_stock: OperatorFulfilledStock,
    /// Send an unmapped carrier as free text (`carrier_name`) instead of raising a problem.
    pub allow_free_text_carriers: bool,
    /// Try ST01 (multi-shipment) first; a 404 falls back to OR23 + OR24 for good.
    pub use_shipments_api: bool,
    /// RE01 REFUND reason code sent with OR28.
    pub refund_reason_code: String,
    /// `TAX_INCLUDED` or `TAX_EXCLUDED`: the mode orders are read and refunds sent in.
    pub order_tax_mode: String,
    /// A warning this many hours before `shipping_deadline`; past it, a problem.
    pub shipping_deadline_warning_hours: i64,
    /// Seconds between OR11 polls.
    pub order_poll_interval_secs: i64,
    /// Minutes the OR11 update window reaches back before the cursor.
    pub order_poll_overlap_minutes: i64,
    /// Seconds between sweeps of every WAITING_ACCEPTANCE order.
    pub acceptance_sweep_interval_secs: i64,
    /// Seconds between stock reconciliations (delta OF51); a full one runs daily.
    pub reconcile_interval_secs: i64,
    /// Seconds between deadline checks.
    pub deadline_check_interval_secs: i64,
    /// Most lines an order may have; a longer one is held (problem `order_implausible`).
    pub max_order_lines: i64,
    /// Days a finished job keeps its payload (the raw Mirakl order: names, addresses, phones),
    /// and an OR11 snapshot is kept; the core's daily purge blanks them after that.
    pub payload_retention_days: i64,
    /// What a created order carries of its commission (the finance settings'
    /// `commission_posting` and `commission_fee_line_name`; not part of the sync settings JSON).
    #[serde(skip)]
    pub commission: super::shop::CommissionPolicy,
}

impl SyncSettings {
    /// Whether the operator, not the shop, ships `order`: its fulfillment center is one of
    /// [`Self::operator_fulfillment_centers`] (codes compared without case).
    pub fn operator_fulfils(&self, order: &crate::mirakl::orders::Order) -> bool {
        order.fulfillment_center().is_some_and(|center| {
            self.operator_fulfillment_centers
                .iter()
                .any(|c| c.trim().eq_ignore_ascii_case(center))
        })
    }

    /// Whether the shop's stock goes down for `order` (not when the operator ships it from its
    /// own stock).
    pub fn reduces_stock_for(&self, order: &crate::mirakl::orders::Order) -> bool {
        !self.operator_fulfils(order)
            || self.operator_fulfilled_stock == OperatorFulfilledStock::Reduce
    }

    /// These settings with the commission policy orders are created with.
    pub fn with_commission(mut self, commission: super::shop::CommissionPolicy) -> SyncSettings {
        self.commission = commission;
        self
    }
}

impl Default for SyncSettings {
    fn default() -> SyncSettings {
        SyncSettings {
            stock_buffer: 0,
            low_stock_threshold: 2,
            stock_push_interval_secs: 300,
            product_id_type: "SHOP_SKU".to_owned(),
            acceptance_window_hours: 72,
            acceptance_warning_fractions: vec![0.5, 0.8],
            unknown_sku_policy: ShortagePolicy::Hold,
            short_stock_policy: ShortagePolicy::Refuse,
            partial_acceptance: true,
            status_mapping: BTreeMap::from([
                ("WAITING_ACCEPTANCE".to_owned(), "on-hold".to_owned()),
                ("WAITING_DEBIT".to_owned(), "on-hold".to_owned()),
                ("WAITING_DEBIT_PAYMENT".to_owned(), "on-hold".to_owned()),
                ("SHIPPING".to_owned(), "processing".to_owned()),
            ]),
            carrier_map: BTreeMap::new(),
            country_label_map: BTreeMap::new(),
            shipping_method_map: BTreeMap::new(),
            custom_field_meta_map: BTreeMap::new(),
            operator_fulfillment_centers: Vec::new(),
            operator_fulfilled_stock: OperatorFulfilledStock::Keep,
            allow_free_text_carriers: false,
            use_shipments_api: true,
            refund_reason_code: String::new(),
            order_tax_mode: "TAX_INCLUDED".to_owned(),
            shipping_deadline_warning_hours: 12,
            order_poll_interval_secs: 60,
            order_poll_overlap_minutes: 10,
            acceptance_sweep_interval_secs: 120,
            reconcile_interval_secs: 3600,
            deadline_check_interval_secs: 300,
            max_order_lines: DEFAULT_MAX_ORDER_LINES,
            payload_retention_days: DEFAULT_PAYLOAD_RETENTION_DAYS,
            commission: super::shop::CommissionPolicy::default(),
        }
    }
}

/// Prefixes of the meta keys WooCommerce, WordPress and the connector keep their own data under.
const RESERVED_META_PREFIXES: &[&str] = &[
    "_mirakl",
    "mirakl",
    "_order",
    "_billing",
    "_shipping",
    "_customer",
    "_payment",
    "_transaction",
    "_cart",
    "_created",
    "_date",
    "_paid",
    "_completed",
    "_recorded",
    "_refund",
    "_reduced",
    "_download",
    "_prices",
    "_wc",
    "wc_",
    "_edit",
    "_wp",
    "_product",
    "_variation",
    "_qty",
    "_tax",
    "_line",
    "_restock",
    "_new_order",
    "_stock",
    // Meta other plugins and WooCommerce read as their own (tracking, VAT exemption).
    "ywot_",
    "_wc_shipment_tracking",
    "is_vat_exempt",
    "_tracking",
    "tracking_",
];

/// Whether `key` may carry a custom field: plain, bounded, and no one else's.
pub fn is_free_meta_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        && !RESERVED_META_PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// Default for [`SyncSettings::max_order_lines`].
pub const DEFAULT_MAX_ORDER_LINES: i64 = 500;
/// The largest `max_order_lines` a merchant may set.
pub const MAX_ORDER_LINES_BOUND: i64 = 10_000;

/// Default for [`SyncSettings::payload_retention_days`].
pub const DEFAULT_PAYLOAD_RETENTION_DAYS: i64 = 30;
/// The bounds of `payload_retention_days` (one day to ten years).
pub const PAYLOAD_RETENTION_BOUNDS: (i64, i64) = (1, 3650);

/// A setting that cannot be used; `field` is its JSON name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid sync setting {field}: {message}")]
pub struct SettingsError {
    pub field: &'static str,
    pub message: String,
}

impl Coded for SettingsError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidSettings
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> SettingsError {
    SettingsError {
        field,
        message: message.into(),
    }
}

impl SyncSettings {
    /// Parses the plugin's JSON and validates it.
    pub fn from_json(json: &str) -> Result<SyncSettings, SettingsError> {
        let settings: SyncSettings =
            serde_json::from_str(json).map_err(|e| invalid("settings", e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.stock_buffer < 0 {
            return Err(invalid("stock_buffer", "must be 0 or more"));
        }
        if self.low_stock_threshold < 0 {
            return Err(invalid("low_stock_threshold", "must be 0 or more"));
        }
        // Mirakl allows one STO01 a minute; a shorter interval would only queue.
        if !(60..=86_400).contains(&self.stock_push_interval_secs) {
            return Err(invalid(
                "stock_push_interval_secs",
                "must be between 60 and 86400",
            ));
        }
        if self.product_id_type.trim().is_empty() {
            return Err(invalid(
                "product_id_type",
                "must name a product identifier type",
            ));
        }
        if !(1..=24 * 30).contains(&self.acceptance_window_hours) {
            return Err(invalid(
                "acceptance_window_hours",
                "must be between 1 and 720",
            ));
        }
        if self
            .acceptance_warning_fractions
            .iter()
            .any(|f| !f.is_finite() || *f <= 0.0 || *f >= 1.0)
        {
            return Err(invalid(
                "acceptance_warning_fractions",
                "each fraction must be between 0 and 1 (exclusive)",
            ));
        }
        if let Some((state, _)) = self
            .status_mapping
            .iter()
            .find(|(state, status)| state.trim().is_empty() || status.trim().is_empty())
        {
            return Err(invalid(
                "status_mapping",
                format!("empty state or status in mapping {state:?}"),
            ));
        }
        if let Some((carrier, _)) = self
            .carrier_map
            .iter()
            .find(|(name, code)| name.trim().is_empty() || code.trim().is_empty())
        {
            return Err(invalid(
                "carrier_map",
                format!("empty carrier name or code for {carrier:?}"),
            ));
        }
        if let Some((label, code)) = self.country_label_map.iter().find(|(label, code)| {
            super::countries::normalize(label).is_empty()
                || !super::countries::is_alpha2(code.trim())
        }) {
            return Err(invalid(
                "country_label_map",
                format!("{label:?} needs a label and a two-letter ISO country code, not {code:?}"),
            ));
        }
        if let Some((code, _)) = self
            .shipping_method_map
            .iter()
            .find(|(code, method)| code.trim().is_empty() || method.trim().is_empty())
        {
            return Err(invalid(
                "shipping_method_map",
                format!("empty shipping type or shipping method for {code:?}"),
            ));
        }
        if let Some((code, key)) = self
            .custom_field_meta_map
            .iter()
            .find(|(code, key)| code.trim().is_empty() || !is_free_meta_key(key))
        {
            return Err(invalid(
                "custom_field_meta_map",
                format!(
                    "{code:?} → {key:?}: a meta key is letters, digits, \"_\" and \"-\" (up to 64), \
                     and not one WooCommerce or the connector keeps its own data under"
                ),
            ));
        }
        for center in &self.operator_fulfillment_centers {
            let center = center.trim();
            if center.is_empty()
                || center.len() > 64
                || !center
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            {
                return Err(invalid(
                    "operator_fulfillment_centers",
                    format!("{center:?} is not a fulfillment center code"),
                ));
            }
        }
        if !matches!(
            self.order_tax_mode.as_str(),
            "TAX_INCLUDED" | "TAX_EXCLUDED"
        ) {
            return Err(invalid(
                "order_tax_mode",
                "must be TAX_INCLUDED or TAX_EXCLUDED",
            ));
        }
        if self.shipping_deadline_warning_hours < 0 {
            return Err(invalid(
                "shipping_deadline_warning_hours",
                "must be 0 or more",
            ));
        }
        if self.order_poll_interval_secs < 60 {
            return Err(invalid(
                "order_poll_interval_secs",
                "must be at least 60 (Mirakl allows one OR11 a minute)",
            ));
        }
        if !(0..=24 * 60).contains(&self.order_poll_overlap_minutes) {
            return Err(invalid(
                "order_poll_overlap_minutes",
                "must be between 0 and 1440",
            ));
        }
        if self.acceptance_sweep_interval_secs < 60 {
            return Err(invalid(
                "acceptance_sweep_interval_secs",
                "must be at least 60",
            ));
        }
        if self.reconcile_interval_secs < 60 {
            return Err(invalid("reconcile_interval_secs", "must be at least 60"));
        }
        if !(1..=MAX_ORDER_LINES_BOUND).contains(&self.max_order_lines) {
            return Err(invalid(
                "max_order_lines",
                format!("must be between 1 and {MAX_ORDER_LINES_BOUND}"),
            ));
        }
        let (min, max) = PAYLOAD_RETENTION_BOUNDS;
        if !(min..=max).contains(&self.payload_retention_days) {
            return Err(invalid(
                "payload_retention_days",
                format!("must be between {min} and {max} days"),
            ));
        }
        if self.deadline_check_interval_secs < 1 {
            return Err(invalid(
                "deadline_check_interval_secs",
                "must be at least 1",
            ));
        }
        Ok(())
    }

    /// The shop status for a Mirakl order state, when the merchant mapped one.
    pub fn shop_status_for(&self, order_state: &str) -> Option<&str> {
        self.status_mapping.get(order_state).map(String::as_str)
    }

    /// The shop's shipping method for a Mirakl shipping type, when the merchant mapped one.
    /// Operators' codes vary in case ("Std", "EXPRESS"), so the match ignores it.
    pub fn shipping_method_for(&self, type_code: &str) -> Option<&str> {
        self.shipping_method_map
            .iter()
            .find(|(code, _)| code.trim().eq_ignore_ascii_case(type_code.trim()))
            .map(|(_, method)| method.trim())
    }

    /// [`SyncSettings::max_order_lines`] as a count (validated positive).
    pub fn order_line_limit(&self) -> usize {
        usize::try_from(self.max_order_lines).unwrap_or(0)
    }

    /// [`SyncSettings::payload_retention_days`] as a duration (validated positive).
    pub fn payload_retention(&self) -> std::time::Duration {
        let days = u64::try_from(self.payload_retention_days).unwrap_or(1);
        std::time::Duration::from_secs(days.saturating_mul(86_400))
    }

    pub fn prices_include_tax(&self) -> bool {
        self.order_tax_mode == "TAX_INCLUDED"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_json_fills_the_rest() {
        SyncSettings::default().validate().unwrap();
        let settings =
            SyncSettings::from_json(r#"{"stock_buffer": 2, "refund_reason_code": "15"}"#).unwrap();
        assert_eq!(settings.stock_buffer, 2);
        assert_eq!(settings.low_stock_threshold, 2);
    }

    #[test]
    fn custom_fields_map_only_to_meta_keys_nobody_else_uses() {
        for key in ["gift_message", "Gift-Note", "_gift_message"] {
            let json = format!(r#"{{"custom_field_meta_map": {{"gift-message": "{key}"}}}}"#);
            SyncSettings::from_json(&json).unwrap_or_else(|e| panic!("{key}: {e}"));
        }
        for key in [
            "_order_total",
            "_billing_email",
            "_mirakl_order_id",
            "_stock",
            "has space",
            "",
            "x\u{0}",
            &"k".repeat(65),
        ] {
            let json = serde_json::json!({ "custom_field_meta_map": { "gift-message": key } });
            let error = SyncSettings::from_json(&json.to_string()).unwrap_err();
            assert_eq!(error.field, "custom_field_meta_map", "{key:?}");
        }
        let error =
            SyncSettings::from_json(r#"{"operator_fulfillment_centers": ["DC 1"]}"#).unwrap_err();
        assert_eq!(error.field, "operator_fulfillment_centers");
    }

    #[test]
    fn an_invalid_value_names_its_field() {
        let error =
            SyncSettings::from_json(r#"{"acceptance_warning_fractions": [0.5, 1.5]}"#).unwrap_err();
        assert_eq!(error.field, "acceptance_warning_fractions");
        let error = SyncSettings::from_json(r#"{"order_tax_mode": "BOTH"}"#).unwrap_err();
        assert_eq!(error.field, "order_tax_mode");
        let error = SyncSettings::from_json(r#"{"stock_push_interval_secs": 10}"#).unwrap_err();
        assert_eq!(error.field, "stock_push_interval_secs");
        assert_eq!(error.code(), ErrorCode::InvalidSettings);
        let error =
            SyncSettings::from_json(r#"{"country_label_map": {"France": "FRA"}}"#).unwrap_err();
        assert_eq!(error.field, "country_label_map");
        let error = SyncSettings::from_json(r#"{"country_label_map": {"": "FR"}}"#).unwrap_err();
        assert_eq!(error.field, "country_label_map");
        let error =
            SyncSettings::from_json(r#"{"shipping_method_map": {"EXPRESS": " "}}"#).unwrap_err();
        assert_eq!(error.field, "shipping_method_map");
        let settings = SyncSettings::from_json(
            r#"{"country_label_map": {"Metropole": "FR"}, "shipping_method_map": []}"#,
        )
        .unwrap();
        assert_eq!(settings.country_label_map["Metropole"], "FR");
        assert_eq!(SyncSettings::default().max_order_lines, 500);
        let error = SyncSettings::from_json(r#"{"max_order_lines": 0}"#).unwrap_err();
        assert_eq!(error.field, "max_order_lines");
        let error = SyncSettings::from_json(r#"{"max_order_lines": 10001}"#).unwrap_err();
        assert_eq!(error.field, "max_order_lines");
        let settings = SyncSettings::from_json(r#"{"max_order_lines": 20}"#).unwrap();
        assert_eq!(settings.order_line_limit(), 20);
        assert_eq!(SyncSettings::default().payload_retention_days, 30);
        for days in [0, -1, 3651] {
            let json = format!(r#"{{"payload_retention_days": {days}}}"#);
            let error = SyncSettings::from_json(&json).unwrap_err();
            assert_eq!(error.field, "payload_retention_days", "{days}");
        }
        let settings = SyncSettings::from_json(r#"{"payload_retention_days": 7}"#).unwrap();
        assert_eq!(settings.payload_retention().as_secs(), 7 * 86_400);
        let error = SyncSettings::from_json(r#"{"no_such_setting": 1}"#).unwrap_err();
        assert_eq!(error.field, "settings");
    }
}
