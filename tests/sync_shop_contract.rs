//! The Shop port's contract, shown on the in-memory shop (the reference the PHP `WooShop`
//! follows): orders reserve stock, are found by Mirakl order id, cancel and restock once, and a
//! Mirakl refund is recorded once per Mirakl refund id; errors say who must act.

use mirakl_connector::error::{Coded, ErrorCode};
use mirakl_connector::sync::memory::{MemoryShop, ScriptedFailure, ShopOp};
use mirakl_connector::sync::shop::*;
use rust_decimal::Decimal;

fn draft(mirakl_order_id: &str, sku: &str, quantity: i64) -> ShopOrderDraft {
    ShopOrderDraft {
        mirakl_order_id: mirakl_order_id.to_owned(),
        commercial_id: None,
        currency: "EUR".to_owned(),
        prices_include_tax: true,
        lines: vec![ShopOrderLine {
            sku: sku.to_owned(),
            quantity,
            price: Decimal::from(10 * quantity),
            unit_price: Decimal::from(10),
            tax: Decimal::ZERO,
            shipping_price: Decimal::ZERO,
            shipping_tax: Decimal::ZERO,
            commission_fee: Decimal::ONE,
            commission_vat: Decimal::new(20, 2),
            commission_total: Decimal::new(120, 2),
            mirakl_order_line_id: format!("{mirakl_order_id}-1"),
        }],
        shipping_total: Decimal::ZERO,
        total: Decimal::from(10 * quantity),
        commission_total: Decimal::new(120, 2),
        customer_first_name: None,
        customer_last_name: None,
        billing_address: None,
        shipping_address: None,
        status: "on-hold".to_owned(),
    }
}

#[test]
fn an_order_reserves_stock_is_found_by_mirakl_id_and_restocks_once() {
    let mut shop = MemoryShop::new();
    shop.add_product("A", 5, Decimal::from(10));
    assert_eq!(shop.find_order_by_mirakl_id("M-1").unwrap(), None);
    let id = shop.create_order(&draft("M-1", "A", 2)).unwrap();
    assert_eq!(shop.stock("A"), Some(3));
    assert_eq!(
        shop.find_order_by_mirakl_id("M-1").unwrap().map(|o| o.id),
        Some(id)
    );
    shop.cancel_order(id, "cancelled on Mirakl").unwrap();
    shop.cancel_order(id, "cancelled on Mirakl").unwrap();
    assert_eq!(shop.stock("A"), Some(5));
}

#[test]
fn unknown_skus_and_short_stock_are_rejections_for_a_human() {
    let mut shop = MemoryShop::new();
    shop.add_product("A", 1, Decimal::from(10));
    let unknown = shop.create_order(&draft("M-1", "NOPE", 1)).unwrap_err();
    assert!(matches!(unknown, ShopError::Rejected { .. }));
    assert_eq!(unknown.code(), ErrorCode::ShopRejected);
    assert!(matches!(
        shop.create_order(&draft("M-2", "A", 2)),
        Err(ShopError::Rejected { .. })
    ));
    assert_eq!(shop.stock("A"), Some(1), "a refused order reserves nothing");
    assert_eq!(
        ShopError::transient("busy").code(),
        ErrorCode::ShopTransient
    );
    assert!(ErrorCode::ShopTransient.is_transient());
}

#[test]
fn a_mirakl_refund_is_recorded_once_and_marked_as_from_mirakl() {
    let mut shop = MemoryShop::new();
    shop.add_product("A", 5, Decimal::from(10));
    let order = shop.create_order(&draft("M-1", "A", 2)).unwrap();
    let refund = MarketplaceRefund {
        mirakl_refund_id: "5001".to_owned(),
        mirakl_order_line_id: "M-1-1".to_owned(),
        sku: Some("A".to_owned()),
        quantity: 1,
        amount: Decimal::from(10),
        shipping_amount: Decimal::ZERO,
        reason_code: Some("15".to_owned()),
    };
    let first = shop.record_marketplace_refund(order, &refund).unwrap();
    let again = shop.record_marketplace_refund(order, &refund).unwrap();
    assert_eq!(first, again);
    let stored = shop.read_refund(first).unwrap().unwrap();
    assert_eq!(stored.mirakl_refund_id.as_deref(), Some("5001"));
    assert_eq!(
        stored.lines[0].mirakl_order_line_id.as_deref(),
        Some("M-1-1")
    );
}

#[test]
fn stock_reads_skip_unknown_skus_and_say_when_stock_is_not_managed() {
    let mut shop = MemoryShop::new();
    shop.add_product("A", 5, Decimal::from(10));
    shop.add_raw_product(mirakl_connector::sync::memory::MemoryProduct {
        product_id: 9,
        sku: Some("FREE".to_owned()),
        title: "Download".to_owned(),
        price: Decimal::ONE,
        product_reference: None,
        stock: None,
    });
    let levels = shop
        .read_stock(&["A".to_owned(), "FREE".to_owned(), "NOPE".to_owned()])
        .unwrap();
    assert_eq!(
        levels,
        vec![
            StockLevel {
                sku: "A".to_owned(),
                quantity: Some(5)
            },
            StockLevel {
                sku: "FREE".to_owned(),
                quantity: None
            },
        ]
    );
}

#[test]
fn scripted_failures_can_happen_after_the_write() {
    let mut shop = MemoryShop::new();
    shop.add_product("A", 5, Decimal::from(10));
    shop.fail_next(
        ShopOp::CreateOrder,
        ScriptedFailure::After(ShopError::transient("timeout")),
    );
    assert!(shop.create_order(&draft("M-1", "A", 1)).is_err());
    // The order exists anyway: the engine must look it up before creating again.
    assert!(shop.find_order_by_mirakl_id("M-1").unwrap().is_some());
    assert_eq!(shop.call_count(ShopOp::CreateOrder), 1);
}
