//! Orders as real operators send them, against the sandbox: countries given as a label, as an
//! alpha-3 code or only in `country` with a null code; a label nothing knows holds the order
//! (not accepted, not created) until it is mapped, then Retry creates and accepts it; the
//! shipping type and zone, custom fields, customer messages and promotions reach the draft.

mod sync_support;

use std::collections::BTreeMap;

use mirakl_connector::store::ProblemFilter;
use mirakl_connector::sync::shop::ShopOrderDraft;
use mirakl_connector::sync::SyncSettings;
use mirakl_sandbox::model::{CustomField, Customer, Shipping};
use mirakl_sandbox::{LineExtras, NewLine, NewOrder, SandboxConfig};
use rust_decimal::Decimal;
use serde_json::json;
use sync_support::{test_settings, Harness};

/// An order of two units of `A` with this buyer's address (billing and shipping alike).
fn order_with(h: &Harness, country: &str, code: Option<&str>, extra: NewOrder) -> String {
    h.sandbox
        .create_order(NewOrder {
            lines: vec![NewLine {
                offer_sku: "A".to_owned(),
                quantity: 2,
                price: None,
                shipping_price: None,
            }],
            customer: Some(Customer {
                country: country.to_owned(),
                country_iso_code: code.map(str::to_owned),
                ..Customer::default()
            }),
            ..extra
        })
        .expect("order")
}

fn harness(settings: SyncSettings) -> Harness {
    let mut h = Harness::with(SandboxConfig::for_tests(), settings);
    h.add_product("A", 10, 20);
    h.tick();
    h
}

fn draft(h: &Harness, id: &str) -> ShopOrderDraft {
    h.shop.orders[&h.shop_order_id(id)].draft.clone()
}

fn countries(draft: &ShopOrderDraft) -> (String, String) {
    (
        draft
            .billing_address
            .as_ref()
            .expect("billing")
            .country_iso_code
            .clone(),
        draft
            .shipping_address
            .as_ref()
            .expect("shipping")
            .country_iso_code
            .clone(),
    )
}

#[test]
fn labels_alpha3_and_null_codes_become_valid_alpha2_countries() {
    let mut h = harness(test_settings());
    let cases = [
        ("France Métropolitaine", None, "FR"),
        ("DEUTSCHLAND", None, "DE"),
        ("Belgique", Some("BEL"), "BE"),
        ("whatever the label", Some("ESP"), "ES"),
        ("Pays-Bas", None, "NL"),
    ];
    let ids: Vec<String> = cases
        .iter()
        .map(|(label, code, _)| order_with(&h, label, *code, NewOrder::default()))
        .collect();
    h.advance(60);
    let report = h.tick();
    assert_eq!(
        report.count("import_order", "accepted"),
        cases.len() as u32,
        "{report:?}"
    );
    for (id, (label, _, expected)) in ids.iter().zip(cases) {
        let (billing, shipping) = countries(&draft(&h, id));
        assert_eq!(
            (billing.as_str(), shipping.as_str()),
            (expected, expected),
            "{label}"
        );
        assert_eq!(h.mirakl_state(id), "WAITING_DEBIT_PAYMENT");
    }
    assert_eq!(h.open_problems("country"), 0);
}

#[test]
fn an_unknown_label_holds_the_order_until_it_is_mapped_then_retry_creates_it() {
    let mut h = harness(test_settings());
    let id = order_with(&h, "Royaume de Nulle Part", None, NewOrder::default());
    h.advance(60);
    let report = h.tick();
    assert_eq!(report.count("import_order", "held"), 1, "{report:?}");
    // Held: neither accepted nor created, and the label never reaches the shop.
    assert_eq!(h.mirakl_state(&id), "WAITING_ACCEPTANCE");
    assert!(h.shop.orders_for(&id).is_empty());
    let problems = h
        .store
        .list_problems(&ProblemFilter {
            kind: Some("country".to_owned()),
            ..ProblemFilter::open()
        })
        .unwrap();
    assert_eq!(problems.len(), 1);
    let problem = &problems[0];
    assert!(
        problem.message.contains("Royaume de Nulle Part"),
        "{}",
        problem.message
    );
    assert!(
        problem.message.contains("refused automatically"),
        "{}",
        problem.message
    );
    assert!(
        problem
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("Country label mapping")),
        "{problem:?}"
    );
    assert_eq!(problem.entity_id, id);
    assert!(problem.job_id.is_some(), "Retry needs the job");
    // Later polls keep it held, on the same problem.
    h.run_minutes(3);
    assert!(h.shop.orders_for(&id).is_empty());
    assert_eq!(h.open_problems("country"), 1);

    // The operator's label is mapped (data, not code); Retry creates and accepts the order.
    let mut settings = h.settings.clone();
    settings.country_label_map =
        BTreeMap::from([("royaume de nulle-part".to_owned(), "LU".to_owned())]);
    h.engine.set_settings(settings).unwrap();
    h.store.retry_problem(problem.id).unwrap();
    let report = h.tick();
    assert_eq!(report.count("import_order", "accepted"), 1, "{report:?}");
    assert_eq!(h.mirakl_state(&id), "WAITING_DEBIT_PAYMENT");
    assert_eq!(
        countries(&draft(&h, &id)),
        ("LU".to_owned(), "LU".to_owned())
    );
    assert_eq!(h.open_problems("country"), 0);
    assert_eq!(h.shop.orders_for(&id).len(), 1);
}

#[test]
fn an_unknown_label_revealed_after_acceptance_leaves_the_country_empty_with_a_problem() {
    let mut h = harness(test_settings());
    let id = order_with(&h, "France", Some("FRA"), NewOrder::default());
    h.advance(60);
    h.tick();
    let wc = h.shop_order_id(&id);
    h.sandbox.with_state(|state| {
        let order = state.orders.iter_mut().find(|o| o.order_id == id).unwrap();
        order.customer.country = "Utopia".into();
        order.customer.country_iso_code = None;
    });
    h.sandbox.debit(&id).unwrap();
    h.run_minutes(2);
    let draft = &h.shop.orders[&wc].draft;
    assert_eq!(h.shop.orders[&wc].status, "processing");
    assert_eq!(
        draft.shipping_address.as_ref().unwrap().country_iso_code,
        ""
    );
    assert_eq!(h.open_problems("country"), 1);
}

#[test]
fn the_state_is_passed_as_given() {
    let mut h = harness(test_settings());
    let id = h
        .sandbox
        .create_order(NewOrder {
            lines: vec![NewLine {
                offer_sku: "A".to_owned(),
                quantity: 1,
                price: None,
                shipping_price: None,
            }],
            customer: Some(Customer {
                country: "Spain".into(),
                country_iso_code: None,
                state: Some("Barcelona".into()),
                ..Customer::default()
            }),
            ..NewOrder::default()
        })
        .unwrap();
    h.advance(60);
    h.tick();
    let shipping = draft(&h, &id).shipping_address.unwrap();
    assert_eq!(shipping.country_iso_code, "ES");
    assert_eq!(shipping.state.as_deref(), Some("Barcelona"));
}

#[test]
fn shipping_type_zone_fields_messages_and_promotions_reach_the_draft() {
    for mode in ["TAX_INCLUDED", "TAX_EXCLUDED"] {
        let settings = SyncSettings {
            order_tax_mode: mode.to_owned(),
            // Mapped codes match whatever their case (the second pass maps the code in lower case).
            shipping_method_map: BTreeMap::from([(
                if mode == "TAX_INCLUDED" {
                    "EXPRESS"
                } else {
                    "express"
                }
                .to_owned(),
                "flat_rate".to_owned(),
            )]),
            custom_field_meta_map: BTreeMap::from([
                ("gift-message".to_owned(), "gift_message".to_owned()),
                ("engraving".to_owned(), "engraving_text".to_owned()),
            ]),
            ..test_settings()
        };
        let config = SandboxConfig {
            default_order_tax_mode: mode.to_owned(),
            ..SandboxConfig::for_tests()
        };
        let mut h = Harness::with(config, settings);
        h.add_product("A", 10, 20);
        h.tick();
        let long = "x".repeat(5000);
        let id = order_with(
            &h,
            "France",
            Some("FRA"),
            NewOrder {
                shipping: Some(Shipping {
                    type_code: "EXPRESS".into(),
                    type_label: Some("Express 24h".into()),
                    zone_code: "FR-IDF".into(),
                    zone_label: Some("Île-de-France".into()),
                }),
                additional_fields: vec![
                    CustomField {
                        code: "gift-message".into(),
                        field_type: "TEXTAREA".into(),
                        value: json!("Bon anniversaire\u{0007} !"),
                    },
                    CustomField {
                        code: "delivery<slot>".into(),
                        field_type: "LIST".into(),
                        value: json!(["morning", "noon"]),
                    },
                    CustomField {
                        code: "notes".into(),
                        field_type: "TEXTAREA".into(),
                        value: json!(long),
                    },
                ],
                has_customer_message: true,
                line_extras: vec![LineExtras {
                    discount: Some(Decimal::new(500, 2)),
                    additional_fields: vec![CustomField {
                        code: "engraving".into(),
                        field_type: "STRING".into(),
                        value: json!("A & B"),
                    }],
                }],
                ..NewOrder::default()
            },
        );
        h.advance(60);
        h.tick();
        let draft = draft(&h, &id);
        let shipping = draft.shipping.as_ref().expect("shipping");
        assert_eq!(shipping.title, "Express 24h");
        assert_eq!(shipping.type_code.as_deref(), Some("EXPRESS"));
        assert_eq!(shipping.zone_code.as_deref(), Some("FR-IDF"));
        assert_eq!(shipping.zone_label.as_deref(), Some("Île-de-France"));
        assert_eq!(shipping.method_id.as_deref(), Some("flat_rate"));

        let fields: Vec<(&str, &str)> = draft
            .additional_fields
            .iter()
            .map(|f| (f.code.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(fields[0], ("gift-message", "Bon anniversaire  !"));
        assert_eq!(fields[1], ("deliveryslot", "morning, noon"));
        assert_eq!(fields[2].1.chars().count(), 2000, "values are bounded");
        assert_eq!(draft.lines[0].additional_fields[0].value, "A & B");
        // Mapped fields name the meta key they are also written under; the others none.
        assert_eq!(
            draft.additional_fields[0].meta_key.as_deref(),
            Some("gift_message")
        );
        assert_eq!(draft.additional_fields[1].meta_key, None);
        assert_eq!(
            draft.lines[0].additional_fields[0].meta_key.as_deref(),
            Some("engraving_text")
        );
        assert!(draft
            .notes
            .iter()
            .any(|n| n.contains("message about this order")));
        assert!(draft.notes.iter().any(|n| n.contains("Bon anniversaire")));

        // The promotion is a discount on the line; the total is Mirakl's to the cent.
        let line = &draft.lines[0];
        assert!(line.discount > Decimal::ZERO, "{mode}");
        assert_eq!(draft.amounts.discount_total, line.discount);
        assert_eq!(draft.amounts.lines[0].discount, line.discount);
        let mirakl_total: Decimal = h.sandbox.with_state(|state| {
            let order = state.order(&id).unwrap();
            order
                .lines
                .iter()
                .map(|l| {
                    let a = state.line_amounts(l);
                    a.price_included + a.shipping_included
                })
                .sum()
        });
        assert_eq!(draft.amounts.grand_total, mirakl_total, "{mode}");
        if mode == "TAX_INCLUDED" {
            assert_eq!(line.discount, Decimal::new(500, 2));
        }
    }
}

#[test]
fn a_shipping_type_without_a_label_is_titled_by_its_code_and_unmapped_types_keep_none() {
    let mut h = harness(test_settings());
    let id = order_with(
        &h,
        "France",
        Some("FRA"),
        NewOrder {
            shipping: Some(Shipping {
                type_code: "PICKUP".into(),
                type_label: None,
                zone_code: "FR".into(),
                zone_label: None,
            }),
            ..NewOrder::default()
        },
    );
    h.advance(60);
    h.tick();
    let shipping = draft(&h, &id).shipping.expect("shipping");
    assert_eq!(shipping.title, "PICKUP");
    assert_eq!(shipping.method_id, None);
    assert_eq!(shipping.zone_label, None);
}
