//! The Shop port's contract, shown on the in-memory shop (the reference the PHP `WooShop`
//! follows): orders reserve stock, are found by Mirakl order id, cancel and restock once, and a
//! Mirakl refund is recorded once per Mirakl refund id; errors say who must act.

use mirakl_connector::error::{Coded, ErrorCode};
use mirakl_connector::sync::memory::{MemoryShop, ScriptedFailure, ShopOp};
use mirakl_connector::sync::shop::*;
use rust_decimal::Decimal;

fn draft(mirakl_order_id: &str, sku: &str, quantity: i64) -> ShopOrderDraft {
    let mut draft = ShopOrderDraft {
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
            discount: Decimal::ZERO,
            additional_fields: Vec::new(),
        }],
        shipping_total: Decimal::ZERO,
        total: Decimal::from(10 * quantity),
        commission_total: Decimal::new(120, 2),
        customer_first_name: None,
        customer_last_name: None,
        billing_address: None,
        shipping_address: None,
        status: "on-hold".to_owned(),
        amounts: OrderAmounts::default(),
        shipping: None,
        additional_fields: Vec::new(),
        notes: Vec::new(),
        fee_line: None,
        fulfillment_center_code: None,
        reduce_stock: true,
    };
    draft.amounts = OrderAmounts::compute(&draft.lines, draft.prices_include_tax);
    draft
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
        ..MarketplaceRefund::default()
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

fn taxed_line(price: &str, tax: &str, shipping: &str, shipping_tax: &str) -> ShopOrderLine {
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    ShopOrderLine {
        sku: "T".to_owned(),
        quantity: 2,
        price: d(price),
        unit_price: d(price) / Decimal::from(2),
        tax: d(tax),
        shipping_price: d(shipping),
        shipping_tax: d(shipping_tax),
        commission_fee: Decimal::ZERO,
        commission_vat: Decimal::ZERO,
        commission_total: Decimal::ZERO,
        mirakl_order_line_id: "T-1".to_owned(),
        discount: Decimal::ZERO,
        additional_fields: Vec::new(),
    }
}

#[test]
fn tax_included_amounts_take_the_tax_out_of_the_prices() {
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    let lines = [
        taxed_line("24.00", "4.00", "5.90", "0.983333"),
        taxed_line("12.34", "2.06", "0", "0"),
    ];
    let amounts = OrderAmounts::compute(&lines, true);
    assert_eq!(amounts.lines.len(), 2);
    assert_eq!(amounts.lines[0].net, d("20.00"));
    assert_eq!(amounts.lines[0].tax, d("4.00"));
    assert_eq!(amounts.lines[0].gross, d("24.00"));
    assert_eq!(amounts.lines[0].shipping_net, d("4.916667"));
    assert_eq!(amounts.lines[0].shipping_tax, d("0.983333"));
    assert_eq!(amounts.lines[1].net, d("10.28"));
    assert_eq!(amounts.net_total, d("30.28"));
    assert_eq!(amounts.tax_total, d("6.06"));
    assert_eq!(amounts.shipping_net, d("4.916667"));
    assert_eq!(amounts.shipping_tax, d("0.983333"));
    // Tax included: the buyer pays the prices as sold, to the last digit.
    assert_eq!(amounts.grand_total, d("42.24"));
}

#[test]
fn tax_excluded_amounts_add_the_tax_to_the_prices() {
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    let lines = [
        taxed_line("20.00", "4.00", "4.90", "0.98"),
        taxed_line("10.28", "2.06", "0", "0"),
    ];
    let amounts = OrderAmounts::compute(&lines, false);
    assert_eq!(amounts.lines[0].net, d("20.00"));
    assert_eq!(amounts.lines[0].gross, d("24.00"));
    assert_eq!(amounts.lines[0].shipping_net, d("4.90"));
    assert_eq!(amounts.lines[0].shipping_tax, d("0.98"));
    assert_eq!(amounts.lines[1].gross, d("12.34"));
    assert_eq!(amounts.net_total, d("30.28"));
    assert_eq!(amounts.tax_total, d("6.06"));
    assert_eq!(amounts.shipping_net, d("4.90"));
    assert_eq!(amounts.shipping_tax, d("0.98"));
    assert_eq!(amounts.grand_total, d("42.22"));
}

#[test]
fn the_memory_shop_refuses_a_draft_whose_amounts_do_not_match_its_lines() {
    let mut shop = MemoryShop::new();
    shop.add_product("A", 5, Decimal::from(10));
    let mut bad = draft("M-AMOUNTS", "A", 1);
    bad.amounts.lines.clear();
    let err = shop.create_order(&bad).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ShopRejected);
    assert_eq!(shop.stock("A"), Some(5));
}
