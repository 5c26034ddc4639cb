//! Offers against the sandbox: changed products exported with one OF01 (full rows, product id
//! type from settings), OF02/OF03 results mapped back per SKU, products without a SKU and
//! duplicate SKUs reported and never sent.

mod sync_support;

use mirakl_connector::sync::memory::MemoryProduct;
use mirakl_connector::sync::{events, SyncSettings};
use mirakl_sandbox::SandboxConfig;
use rust_decimal::Decimal;
use sync_support::{test_settings, Harness};

fn offer(h: &Harness, sku: &str) -> Option<(Decimal, i64, String, String)> {
    h.sandbox.with_state(|s| {
        s.offers
            .iter()
            .find(|o| o.shop_sku == sku && !o.deleted)
            .map(|o| {
                (
                    o.price,
                    o.quantity,
                    o.product_id.clone(),
                    o.product_id_type.clone(),
                )
            })
    })
}

#[test]
fn a_changed_product_is_exported_with_its_identifier_and_stock() {
    let settings = SyncSettings {
        product_id_type: "EAN".to_owned(),
        stock_buffer: 1,
        ..test_settings()
    };
    let mut h = Harness::with(SandboxConfig::for_tests(), settings);
    h.shop.add_raw_product(MemoryProduct {
        product_id: 1,
        sku: Some("NEW-1".to_owned()),
        title: "Blue mug".to_owned(),
        price: Decimal::new(1250, 2),
        product_reference: Some("3700000000017".to_owned()),
        stock: Some(6),
    });
    h.tick();
    events::product_changed(&h.store, &["NEW-1".to_owned()]).unwrap();
    let report = h.run_minutes(3);
    assert_eq!(report.count("export_offers", "exported"), 1, "{report:?}");
    assert_eq!(
        report.count("poll_offer_import", "complete"),
        1,
        "{report:?}"
    );
    assert_eq!(
        offer(&h, "NEW-1"),
        Some((
            Decimal::new(1250, 2),
            5,
            "3700000000017".to_owned(),
            "EAN".to_owned()
        ))
    );
    // A price change goes out the same way, once.
    h.shop.set_price("NEW-1", Decimal::from(11));
    events::product_changed(&h.store, &["NEW-1".to_owned(), "NEW-1".to_owned()]).unwrap();
    h.run_minutes(3);
    assert_eq!(offer(&h, "NEW-1").unwrap().0, Decimal::from(11));
    assert_eq!(h.calls.get("OF01"), 2);
}

#[test]
fn products_without_a_sku_and_duplicate_skus_are_reported_never_sent() {
    let mut h = Harness::new();
    let product = |id: i64, sku: Option<&str>| MemoryProduct {
        product_id: id,
        sku: sku.map(str::to_owned),
        title: format!("Product {id}"),
        price: Decimal::from(5),
        product_reference: None,
        stock: Some(3),
    };
    h.shop.add_raw_product(product(1, Some("OK-1")));
    h.shop.add_raw_product(product(2, None));
    h.shop.add_raw_product(product(3, Some("DUP")));
    h.shop.add_raw_product(product(4, Some("DUP")));
    h.tick();
    events::catalogue_export_requested(&h.store).unwrap();
    h.run_minutes(3);
    assert!(offer(&h, "OK-1").is_some());
    assert!(offer(&h, "DUP").is_none());
    assert_eq!(h.open_problems("product_without_sku"), 1);
    assert_eq!(h.open_problems("duplicate_sku"), 1);
}

#[test]
fn rows_mirakl_rejects_become_problems_per_sku() {
    let mut h = Harness::new();
    h.shop.add_product("GOOD", 3, Decimal::from(5));
    h.shop.add_product("BAD", 3, Decimal::from(-5));
    h.tick();
    events::product_changed(&h.store, &["GOOD".to_owned(), "BAD".to_owned()]).unwrap();
    h.run_minutes(3);
    assert!(offer(&h, "GOOD").is_some());
    assert!(offer(&h, "BAD").is_none());
    let rejected = h
        .store
        .list_problems(&mirakl_connector::store::ProblemFilter {
            kind: Some("offer_rejected".to_owned()),
            ..mirakl_connector::store::ProblemFilter::open()
        })
        .unwrap();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0].entity_id, "BAD");
}
