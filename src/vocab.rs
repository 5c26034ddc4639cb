//! The connector's closed vocabularies: the words stored in the state file and shown in wp-admin.
//! Each is a Rust enum (a misspelt kind does not compile) with the one text it is stored and
//! shown under; the extension exports every value to PHP as a class constant
//! (`MiraklConnector\Native\ProblemKind::CARRIER_UNMAPPED`), so the plugin cannot drift either.
//!
//! - [`JobKind`]: what a queued job does (the queue's `kind` column).
//! - [`ProblemKind`]: what a problem row is about (the `problems.kind` column, the dashboard's
//!   labels, the alert settings).
//! - [`EntityType`]: what a problem's `entity_id` identifies. Orders have two ids and two types:
//!   `mirakl_order` (Mirakl's order id) and `shop_order` (WooCommerce's), never a bare "order".
//!
//! This module depends on nothing of the connector's own, so every layer may use it.

/// Declares a closed set of values stored as text: `as_str` (const, for PHP class constants),
/// `parse`, `ALL`, serde as the same text, and the SQL conversions.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text stored in the database and shown to PHP.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the stored text; `None` for a value this version does not know.
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.as_str().to_owned()
            }
        }

        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                let text = value.as_str()?;
                $name::parse(text).ok_or_else(|| {
                    rusqlite::types::FromSqlError::Other(
                        format!("unknown {} {text:?}", stringify!($name)).into(),
                    )
                })
            }
        }
    };
}
pub(crate) use text_enum;

text_enum! {
    /// What a queued job does. One name everywhere: Rust, SQL, dashboard.
    JobKind {
        /// One OR11 slot: the update window since the orders cursor, or a sweep of every
        /// WAITING_ACCEPTANCE order when one is due.
        PollOrders => "poll_orders",
        /// Validate, create in the shop, accept (OR21). Key: Mirakl order id.
        ImportOrder => "import_order",
        /// Apply a Mirakl state change and mirror Mirakl refunds into the shop. Key: Mirakl
        /// order id.
        SyncOrder => "sync_order",
        /// Tracking (OR23) and shipment (OR24, or ST01). Key: shop order id.
        ShipOrder => "ship_order",
        /// A shop refund → one OR28. Key: shop refund id.
        RefundOrder => "refund_order",
        /// One STO01 with every dirty SKU.
        PushStock => "push_stock",
        /// STO02 for one stock import. Key: import id.
        PollStockImport => "poll_stock_import",
        /// OF51 against the shop and the ledger; drift is queued for a push.
        ReconcileStock => "reconcile_stock",
        /// Marker: this SKU's offer data changed. Never run on its own; `export_offers` takes
        /// them.
        OfferDirty => "offer_dirty",
        /// OF01 with every changed offer (or the whole catalogue).
        ExportOffers => "export_offers",
        /// OF02 (and OF03 on errors) for one offer import. Key: import id.
        PollOfferImport => "poll_offer_import",
        /// SH21 carriers and RE01 reasons, cached in the store.
        RefreshReference => "refresh_reference",
        /// Acceptance and shipping deadline warnings.
        CheckDeadlines => "check_deadlines",
        /// Looks for work a lost event left undone (a completed order never shipped, a shop
        /// refund never sent, a status out of step) and queues or raises it.
        SweepOrders => "sweep_orders",
    }
}

impl JobKind {
    /// Every kind the engine runs (the markers excluded).
    pub const RUNNABLE: &'static [JobKind] = &[
        JobKind::PollOrders,
        JobKind::ImportOrder,
        JobKind::SyncOrder,
        JobKind::ShipOrder,
        JobKind::RefundOrder,
        JobKind::PushStock,
        JobKind::PollStockImport,
        JobKind::ReconcileStock,
        JobKind::ExportOffers,
        JobKind::PollOfferImport,
        JobKind::RefreshReference,
        JobKind::CheckDeadlines,
        JobKind::SweepOrders,
    ];

    /// [`JobKind::RUNNABLE`] as the queue stores them (what a claim asks for).
    pub const RUNNABLE_NAMES: [&'static str; JobKind::RUNNABLE.len()] = {
        let mut names = [""; JobKind::RUNNABLE.len()];
        let mut i = 0;
        while i < names.len() {
            names[i] = JobKind::RUNNABLE[i].as_str();
            i += 1;
        }
        names
    };

    /// What a job of this kind is keyed by, as a problem's entity (a dead job's problem names
    /// its job's kind and key; the dashboard links it through this).
    pub const fn key_entity(self) -> Option<EntityType> {
        match self {
            JobKind::ImportOrder | JobKind::SyncOrder => Some(EntityType::MiraklOrder),
            JobKind::ShipOrder => Some(EntityType::ShopOrder),
            JobKind::RefundOrder => Some(EntityType::ShopRefund),
            JobKind::OfferDirty => Some(EntityType::Sku),
            JobKind::PollStockImport => Some(EntityType::StockImport),
            JobKind::PollOfferImport => Some(EntityType::OfferImport),
            _ => None,
        }
    }
}

text_enum! {
    /// What a problem is about. The dashboard labels each one (plugin `ProblemKinds`); the
    /// alert settings choose which are mailed.
    ProblemKind {
        /// A job gave up after its attempts (its entity is the job's kind and key).
        JobDead => "job_dead",
        /// A job hit an internal error (a caught panic) and is parked until a person retries it;
        /// the message carries the panic and where it happened.
        JobPanicked => "job_panicked",
        /// An order was not accepted before its acceptance deadline.
        AcceptanceDeadlinePassed => "acceptance_deadline_passed",
        /// An order still waits for acceptance and most of its window is gone.
        AcceptanceDeadlineNear => "acceptance_deadline_near",
        /// An order is held: an unknown SKU or short stock, nothing accepted or refused.
        OrderHeld => "order_held",
        /// Lines were refused (short stock, unknown SKU) as the settings allow.
        OrderLinesRefused => "order_lines_refused",
        /// An address's country (or state) is a label no table knows: the order is held until
        /// the label is mapped in the settings.
        Country => "country",
        /// WooCommerce would not create the order.
        OrderRejectedByShop => "order_rejected_by_shop",
        /// An order breaks a sanity rule (a quantity below 1, a negative or absurd amount,
        /// totals that do not add up, too many lines, a SKU with control characters): held,
        /// neither accepted nor created in the shop.
        OrderImplausible => "order_implausible",
        /// Mirakl's answer for the order could not be read.
        OrderUnreadable => "order_unreadable",
        /// A Mirakl read was refused by this connector's own limits: the answer was over the
        /// API's size cap, did not arrive within the timeout, or Mirakl asked to wait longer
        /// than the connector does. One open problem per API and reason (its entity is
        /// `<API> <reason>`); healed when that API next answers.
        MiraklResponseRefused => "mirakl_response_refused",
        /// Mirakl refuses the shipment in the order's state.
        OrderNotShippable => "order_not_shippable",
        /// The operator refuses partial acceptance and a line cannot be accepted.
        PartialAcceptanceDisabled => "partial_acceptance_disabled",
        /// The shipping deadline is near and the order is not shipped.
        ShippingDeadlineNear => "shipping_deadline_near",
        /// The shipping deadline passed and the order is not shipped.
        ShippingDeadlinePassed => "shipping_deadline_passed",
        /// The order was completed without tracking.
        TrackingMissing => "tracking_missing",
        /// The shop's carrier has no Mirakl carrier in the mapping.
        CarrierUnmapped => "carrier_unmapped",
        /// Mirakl refused a refund (OR28).
        RefundRejected => "refund_rejected",
        /// The shop refused to record a refund made on Mirakl (e.g. it exceeds what is left to
        /// refund in the shop): the amounts on both sides are in the details.
        MarketplaceRefundConflict => "marketplace_refund_conflict",
        /// A stock update was refused for a SKU or a whole import.
        StockPushFailed => "stock_push_failed",
        /// Mirakl has no offer for a SKU the shop pushes.
        StockSkuUnknown => "stock_sku_unknown",
        /// Quantities differ between the shop and Mirakl beyond what is in flight.
        StockDrift => "stock_drift",
        /// A stock import (STO01) is still running long after it was sent.
        StockImportStuck => "stock_import_stuck",
        /// Mirakl rejected an offer line (OF03).
        OfferRejected => "offer_rejected",
        /// An offer import (OF01) failed as a whole.
        OfferImportFailed => "offer_import_failed",
        /// An offer import (OF01) is still running long after it was sent.
        OfferImportStuck => "offer_import_stuck",
        /// Two products share a SKU.
        DuplicateSku => "duplicate_sku",
        /// A product to list has no SKU.
        ProductWithoutSku => "product_without_sku",
        /// Finance: Mirakl booked money on an order the shop does not know.
        /// The shop and Mirakl disagree on an order's status and the sweeper cannot put it right.
        StatusDrift => "status_drift",
        /// Two shop refunds on one order at the same instant for the same amount: one customer
        /// refund WooCommerce recorded twice.
        RefundRecordedTwice => "refund_recorded_twice",
        FinanceUnknownOrder => "finance_unknown_order",
        /// Finance: a WooCommerce refund Mirakl never booked.
        FinanceRefundMissingInMirakl => "finance_refund_missing_in_mirakl",
        /// Finance: a Mirakl refund missing in WooCommerce.
        FinanceRefundMissingInShop => "finance_refund_missing_in_shop",
        /// Finance: the commission charged differs from the order's.
        FinanceCommissionMismatch => "finance_commission_mismatch",
        /// Finance: amounts differ between Mirakl and WooCommerce.
        FinanceAmountMismatch => "finance_amount_mismatch",
        /// Finance: a transaction type this version does not know.
        FinanceUnknownTransactionType => "finance_unknown_transaction_type",
        /// Finance: a WooCommerce order's total no longer adds up to its lines, shipping, taxes
        /// and commission fee line.
        FinanceShopTotalMismatch => "finance_shop_total_mismatch",
    }
}

impl ProblemKind {
    /// Kinds that record routine work done by the merchant's own policy (lines refused for
    /// short stock or an unknown SKU under the "refuse" policy): the dashboard shows them as
    /// activity, and the counts of problems needing a person leave them out.
    pub const ROUTINE: &'static [ProblemKind] = &[ProblemKind::OrderLinesRefused];

    pub fn is_routine(self) -> bool {
        ProblemKind::ROUTINE.contains(&self)
    }
}

text_enum! {
    /// What a problem's `entity_id` identifies.
    EntityType {
        /// A Mirakl order id.
        MiraklOrder => "mirakl_order",
        /// A WooCommerce order id.
        ShopOrder => "shop_order",
        /// A WooCommerce refund id.
        ShopRefund => "shop_refund",
        /// A Mirakl refund id.
        MiraklRefund => "mirakl_refund",
        /// A SKU, the key joining a WooCommerce product and a Mirakl offer.
        Sku => "sku",
        /// A WooCommerce product id (a product without a SKU has nothing else).
        Product => "product",
        /// A stock-wide check (`push`, `reconcile`).
        Stock => "stock",
        /// A Mirakl stock import id (STO01).
        StockImport => "stock_import",
        /// A Mirakl offer import id (OF01).
        OfferImport => "offer_import",
        /// A Mirakl transaction type code (finance).
        TransactionType => "transaction_type",
        /// A Mirakl API and what was wrong with its answer (`OR11 too_large`).
        MiraklApi => "mirakl_api",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_unique_and_parses_back() {
        fn check<T: Copy + Eq + std::fmt::Debug>(all: &[T], text: fn(T) -> &'static str) {
            let mut seen = std::collections::HashSet::new();
            for value in all {
                let t = text(*value);
                assert!(seen.insert(t), "{t} twice");
                assert!(
                    t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                    "{t} is not snake_case"
                );
            }
        }
        check(JobKind::ALL, JobKind::as_str);
        check(ProblemKind::ALL, ProblemKind::as_str);
        check(EntityType::ALL, EntityType::as_str);
        for kind in JobKind::ALL {
            assert_eq!(JobKind::parse(kind.as_str()), Some(*kind));
        }
        for kind in ProblemKind::ALL {
            assert_eq!(ProblemKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(ProblemKind::parse("unmapped_carrier"), None);
    }

    #[test]
    fn a_job_kind_and_an_entity_type_never_share_a_name() {
        // A dead job's problem names the job kind as its entity type; the two sets must not
        // overlap or the dashboard would link it to the wrong thing.
        for kind in JobKind::ALL {
            assert_eq!(EntityType::parse(kind.as_str()), None, "{kind}");
        }
    }

    #[test]
    fn serde_uses_the_stored_text() {
        assert_eq!(
            serde_json::to_value(ProblemKind::CarrierUnmapped).unwrap(),
            "carrier_unmapped"
        );
        assert_eq!(
            serde_json::from_value::<JobKind>("ship_order".into()).unwrap(),
            JobKind::ShipOrder
        );
    }
}
