//! The core's vocabularies (`crate::vocab`) as PHP classes of string constants, so the plugin
//! names a kind as `ProblemKind::CARRIER_UNMAPPED` and a misspelling fails loudly instead of
//! matching nothing. Each class's `all()` lists every value; the extension's smoke test checks
//! that every value has its constant.

use ext_php_rs::prelude::*;

use crate::vocab::{EntityType, JobKind, ProblemKind};

fn texts<T: Copy>(all: &[T], text: fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|v| text(*v).to_owned()).collect()
}

/// `MiraklConnector\\Native\\JobKind`: every [`JobKind`] as a constant.
#[php_class]
#[php(name = "MiraklConnector\\Native\\JobKind")]
pub struct JobKindNames;

#[php_impl]
#[php(change_method_case = "snake_case")]
impl JobKindNames {
    const POLL_ORDERS: &'static str = JobKind::PollOrders.as_str();
    const IMPORT_ORDER: &'static str = JobKind::ImportOrder.as_str();
    const SYNC_ORDER: &'static str = JobKind::SyncOrder.as_str();
    const SHIP_ORDER: &'static str = JobKind::ShipOrder.as_str();
    const REFUND_ORDER: &'static str = JobKind::RefundOrder.as_str();
    const PUSH_STOCK: &'static str = JobKind::PushStock.as_str();
    const POLL_STOCK_IMPORT: &'static str = JobKind::PollStockImport.as_str();
    const RECONCILE_STOCK: &'static str = JobKind::ReconcileStock.as_str();
    const OFFER_DIRTY: &'static str = JobKind::OfferDirty.as_str();
    const EXPORT_OFFERS: &'static str = JobKind::ExportOffers.as_str();
    const POLL_OFFER_IMPORT: &'static str = JobKind::PollOfferImport.as_str();
    const REFRESH_REFERENCE: &'static str = JobKind::RefreshReference.as_str();
    const CHECK_DEADLINES: &'static str = JobKind::CheckDeadlines.as_str();
    const SWEEP_ORDERS: &'static str = JobKind::SweepOrders.as_str();

    /// Every value, in the core's order.
    pub fn all() -> Vec<String> {
        texts(JobKind::ALL, JobKind::as_str)
    }

    /// The entity type a job of this kind is keyed by (a dead job's problem names its kind and
    /// key), or null when the key names nothing a screen can link to.
    pub fn key_entity(kind: &str) -> Option<String> {
        JobKind::parse(kind)
            .and_then(JobKind::key_entity)
            .map(|entity| entity.as_str().to_owned())
    }

    /// The kinds the engine runs (markers excluded).
    pub fn runnable() -> Vec<String> {
        texts(JobKind::RUNNABLE, JobKind::as_str)
    }
}

/// `MiraklConnector\\Native\\ProblemKind`: every [`ProblemKind`] as a constant.
#[php_class]
#[php(name = "MiraklConnector\\Native\\ProblemKind")]
pub struct ProblemKindNames;

#[php_impl]
#[php(change_method_case = "snake_case")]
impl ProblemKindNames {
    const JOB_DEAD: &'static str = ProblemKind::JobDead.as_str();
    const JOB_PANICKED: &'static str = ProblemKind::JobPanicked.as_str();
    const ACCEPTANCE_DEADLINE_PASSED: &'static str = ProblemKind::AcceptanceDeadlinePassed.as_str();
    const ACCEPTANCE_DEADLINE_NEAR: &'static str = ProblemKind::AcceptanceDeadlineNear.as_str();
    const ORDER_HELD: &'static str = ProblemKind::OrderHeld.as_str();
    const ORDER_LINES_REFUSED: &'static str = ProblemKind::OrderLinesRefused.as_str();
    const COUNTRY: &'static str = ProblemKind::Country.as_str();
    const ORDER_REJECTED_BY_SHOP: &'static str = ProblemKind::OrderRejectedByShop.as_str();
    const ORDER_IMPLAUSIBLE: &'static str = ProblemKind::OrderImplausible.as_str();
    const ORDER_UNREADABLE: &'static str = ProblemKind::OrderUnreadable.as_str();
    const MIRAKL_RESPONSE_REFUSED: &'static str = ProblemKind::MiraklResponseRefused.as_str();
    const ORDER_NOT_SHIPPABLE: &'static str = ProblemKind::OrderNotShippable.as_str();
    const PARTIAL_ACCEPTANCE_DISABLED: &'static str =
        ProblemKind::PartialAcceptanceDisabled.as_str();
    const SHIPPING_DEADLINE_NEAR: &'static str = ProblemKind::ShippingDeadlineNear.as_str();
    const SHIPPING_DEADLINE_PASSED: &'static str = ProblemKind::ShippingDeadlinePassed.as_str();
    const TRACKING_MISSING: &'static str = ProblemKind::TrackingMissing.as_str();
    const CARRIER_UNMAPPED: &'static str = ProblemKind::CarrierUnmapped.as_str();
    const REFUND_REJECTED: &'static str = ProblemKind::RefundRejected.as_str();
    const MARKETPLACE_REFUND_CONFLICT: &'static str =
        ProblemKind::MarketplaceRefundConflict.as_str();
    const STATUS_DRIFT: &'static str = ProblemKind::StatusDrift.as_str();
    const REFUND_RECORDED_TWICE: &'static str = ProblemKind::RefundRecordedTwice.as_str();
    const STOCK_PUSH_FAILED: &'static str = ProblemKind::StockPushFailed.as_str();
    const STOCK_SKU_UNKNOWN: &'static str = ProblemKind::StockSkuUnknown.as_str();
    const STOCK_DRIFT: &'static str = ProblemKind::StockDrift.as_str();
    const STOCK_IMPORT_STUCK: &'static str = ProblemKind::StockImportStuck.as_str();
    const OFFER_REJECTED: &'static str = ProblemKind::OfferRejected.as_str();
    const OFFER_IMPORT_FAILED: &'static str = ProblemKind::OfferImportFailed.as_str();
    const OFFER_IMPORT_STUCK: &'static str = ProblemKind::OfferImportStuck.as_str();
    const DUPLICATE_SKU: &'static str = ProblemKind::DuplicateSku.as_str();
    const PRODUCT_WITHOUT_SKU: &'static str = ProblemKind::ProductWithoutSku.as_str();
    const FINANCE_UNKNOWN_ORDER: &'static str = ProblemKind::FinanceUnknownOrder.as_str();
    const FINANCE_REFUND_MISSING_IN_MIRAKL: &'static str =
        ProblemKind::FinanceRefundMissingInMirakl.as_str();
    const FINANCE_REFUND_MISSING_IN_SHOP: &'static str =
        ProblemKind::FinanceRefundMissingInShop.as_str();
    const FINANCE_COMMISSION_MISMATCH: &'static str =
        ProblemKind::FinanceCommissionMismatch.as_str();
    const FINANCE_AMOUNT_MISMATCH: &'static str = ProblemKind::FinanceAmountMismatch.as_str();
    const FINANCE_UNKNOWN_TRANSACTION_TYPE: &'static str =
        ProblemKind::FinanceUnknownTransactionType.as_str();
    const FINANCE_SHOP_TOTAL_MISMATCH: &'static str =
        ProblemKind::FinanceShopTotalMismatch.as_str();

    /// Every value, in the core's order.
    pub fn all() -> Vec<String> {
        texts(ProblemKind::ALL, ProblemKind::as_str)
    }

    /// The kinds that record routine work done by the merchant's own policy (lines refused
    /// for short stock): activity to show, not problems needing a person.
    pub fn routine() -> Vec<String> {
        texts(ProblemKind::ROUTINE, ProblemKind::as_str)
    }
}

/// `MiraklConnector\\Native\\EntityType`: every [`EntityType`] as a constant.
#[php_class]
#[php(name = "MiraklConnector\\Native\\EntityType")]
pub struct EntityTypeNames;

#[php_impl]
#[php(change_method_case = "snake_case")]
impl EntityTypeNames {
    const MIRAKL_ORDER: &'static str = EntityType::MiraklOrder.as_str();
    const SHOP_ORDER: &'static str = EntityType::ShopOrder.as_str();
    const SHOP_REFUND: &'static str = EntityType::ShopRefund.as_str();
    const MIRAKL_REFUND: &'static str = EntityType::MiraklRefund.as_str();
    const SKU: &'static str = EntityType::Sku.as_str();
    const PRODUCT: &'static str = EntityType::Product.as_str();
    const STOCK: &'static str = EntityType::Stock.as_str();
    const STOCK_IMPORT: &'static str = EntityType::StockImport.as_str();
    const OFFER_IMPORT: &'static str = EntityType::OfferImport.as_str();
    const TRANSACTION_TYPE: &'static str = EntityType::TransactionType.as_str();
    const MIRAKL_API: &'static str = EntityType::MiraklApi.as_str();

    /// Every value, in the core's order.
    pub fn all() -> Vec<String> {
        texts(EntityType::ALL, EntityType::as_str)
    }
}
