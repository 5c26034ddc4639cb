//! Sandbox configuration: one struct shared by the in-process starter and the binary's
//! `--config FILE` (JSON; every field optional, defaults as in `Default`).
//!
//! Defaults are faithful to Mirakl (documented call frequencies enforced, a 3-day acceptance
//! window); `SandboxConfig::for_tests()` turns off what would slow a test down.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Everything an instance can be told at start. Money rates are decimals (`0.10` = 10 %).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SandboxConfig {
    /// The shop API key expected verbatim in `Authorization`.
    pub api_key: String,
    /// The shop id of the single shop this instance serves; `shop_id` query values must match.
    pub shop_id: i64,
    pub shop_name: String,
    /// Currency of offers and orders unless an order says otherwise.
    pub currency_iso_code: String,
    /// Seed for random orders and generated data; the same seed gives the same marketplace.
    pub seed: u64,
    /// Enforce the documented per-API maximum call frequencies (429 + `Retry-After`).
    pub rate_limits_enabled: bool,
    /// Multiplies every rate-limit window: `0.01` turns "once per minute" into once per 0.6 s.
    pub rate_limit_scale: f64,
    /// Sandbox-clock seconds from an STO01/OF01 upload to COMPLETE (RUNNING from half-way).
    pub import_delay_secs: i64,
    /// When false, OR21 with mixed decisions fails with ORDER_PARTIAL_ACCEPTANCE_DISABLED.
    pub partial_acceptance_enabled: bool,
    /// When false, ST01 answers 404 as on instances without multi-shipment.
    pub multi_shipment_enabled: bool,
    /// Seconds an order stays in WAITING_ACCEPTANCE before it is refused automatically.
    pub acceptance_window_secs: i64,
    /// Seconds an order stays in STAGING (fraud check) before WAITING_ACCEPTANCE.
    pub staging_secs: i64,
    /// Days from debit to `shipping_deadline`.
    pub shipping_lead_time_days: i64,
    /// Commission on each line's price plus shipping (tax included).
    pub commission_rate: Decimal,
    /// VAT on the commission.
    pub commission_vat_rate: Decimal,
    /// Sales tax (VAT) contained in offer prices and shipping prices.
    pub sales_tax_rate: Decimal,
    /// `TAX_INCLUDED` or `TAX_EXCLUDED`: the mode used when a request does not name one.
    pub default_order_tax_mode: String,
    /// Shipping price charged per order line unit.
    pub shipping_price_per_unit: Decimal,
    /// Debit customers as soon as an order is accepted (the demo's convenience).
    pub auto_debit: bool,
    /// Largest request body accepted (413 beyond).
    pub max_body_bytes: usize,
    /// Start of the sandbox clock; `None` = the real current time.
    pub start_time: Option<DateTime<Utc>>,
    /// When true the clock runs with real time (plus any advance); when false it only moves on
    /// "advance clock", which makes tests deterministic.
    pub clock_follows_real_time: bool,
    /// Number of offers generated at start (skus `SKU-000001`...), quantity and price from the seed.
    pub initial_offers: usize,
    /// When above 0, a random order arrives every this many sandbox seconds (a live demo).
    pub random_order_every_secs: i64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            api_key: "sandbox-key".into(),
            shop_id: 2001,
            shop_name: "Sandbox Shop".into(),
            currency_iso_code: "EUR".into(),
            seed: 1,
            rate_limits_enabled: true,
            rate_limit_scale: 1.0,
            import_delay_secs: 10,
            partial_acceptance_enabled: true,
            multi_shipment_enabled: true,
            acceptance_window_secs: 3 * 24 * 3600,
            staging_secs: 0,
            shipping_lead_time_days: 2,
            commission_rate: Decimal::new(10, 2),
            commission_vat_rate: Decimal::new(20, 2),
            sales_tax_rate: Decimal::new(20, 2),
            default_order_tax_mode: "TAX_INCLUDED".into(),
            shipping_price_per_unit: Decimal::new(490, 2),
            auto_debit: false,
            max_body_bytes: 50 * 1024 * 1024,
            start_time: None,
            clock_follows_real_time: true,
            initial_offers: 0,
            random_order_every_secs: 0,
        }
    }
}

impl SandboxConfig {
    /// A configuration for tests: no rate limits, imports complete at the next call, a frozen
    /// clock starting at 2025-01-06T09:00:00Z.
    pub fn for_tests() -> Self {
        SandboxConfig {
            rate_limits_enabled: false,
            import_delay_secs: 0,
            clock_follows_real_time: false,
            start_time: DateTime::parse_from_rfc3339("2025-01-06T09:00:00Z")
                .ok()
                .map(|d| d.with_timezone(&Utc)),
            ..SandboxConfig::default()
        }
    }

    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = key.into();
        self
    }
    pub fn shop_id(mut self, shop_id: i64) -> Self {
        self.shop_id = shop_id;
        self
    }
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Scales every rate-limit window (see the field); also switches rate limits on.
    pub fn rate_limit_scale(mut self, scale: f64) -> Self {
        self.rate_limit_scale = scale;
        self.rate_limits_enabled = true;
        self
    }
    pub fn without_rate_limits(mut self) -> Self {
        self.rate_limits_enabled = false;
        self
    }
    pub fn import_delay_secs(mut self, secs: i64) -> Self {
        self.import_delay_secs = secs;
        self
    }
    pub fn partial_acceptance(mut self, enabled: bool) -> Self {
        self.partial_acceptance_enabled = enabled;
        self
    }
    pub fn multi_shipment(mut self, enabled: bool) -> Self {
        self.multi_shipment_enabled = enabled;
        self
    }
    pub fn acceptance_window_secs(mut self, secs: i64) -> Self {
        self.acceptance_window_secs = secs;
        self
    }
    pub fn shipping_lead_time_days(mut self, days: i64) -> Self {
        self.shipping_lead_time_days = days;
        self
    }
    pub fn commission(mut self, rate: Decimal, vat_rate: Decimal) -> Self {
        self.commission_rate = rate;
        self.commission_vat_rate = vat_rate;
        self
    }
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }
    pub fn initial_offers(mut self, count: usize) -> Self {
        self.initial_offers = count;
        self
    }

    /// Reads a JSON configuration file; absent fields keep their defaults.
    pub fn from_json_file(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("invalid config {}: {e}", path.display()))
    }
}
