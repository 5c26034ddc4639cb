//! Orders against the sandbox: import and acceptance in one tick, refuse/hold policies, state
//! changes (paid, cancelled), shipping (ST01 and the OR23/OR24 fallback) and refunds both ways.

mod sync_support;

use mirakl_connector::sync::memory::ShopOp;
use mirakl_connector::sync::{events, ShortagePolicy, SyncSettings};
use mirakl_sandbox::SandboxConfig;
use rust_decimal::Decimal;
use sync_support::{test_settings, Harness};

fn accepted_order(h: &mut Harness) -> (String, i64) {
    h.add_product("A", 10, 20);
    h.add_product("B", 5, 7);
    h.tick();
    let id = h.order(&[("A", 2), ("B", 1)]);
    h.advance(60);
    let report = h.tick();
    assert_eq!(report.count("import_order", "accepted"), 1, "{report:?}");
    (id.clone(), h.shop_order_id(&id))
}

#[test]
fn a_new_order_is_created_in_the_shop_and_accepted_in_the_same_tick() {
    let mut h = Harness::new();
    let (id, wc) = accepted_order(&mut h);
    assert_eq!(h.mirakl_state(&id), "WAITING_DEBIT_PAYMENT");
    let order = &h.shop.orders[&wc];
    assert_eq!(order.draft.lines.len(), 2);
    assert_eq!(order.draft.lines[0].sku, "A");
    assert_eq!(order.draft.lines[0].quantity, 2);
    // Marketplace prices and commission come with the order.
    assert_eq!(order.draft.lines[0].price, Decimal::from(40));
    assert!(order.draft.lines[0].commission_fee > Decimal::ZERO);
    assert!(order.draft.commission_total > Decimal::ZERO);
    assert_eq!(h.shop.stock("A"), Some(8));
    assert_eq!(h.store.order(&id).unwrap().unwrap().wc_order_id, Some(wc));

    // Paid on Mirakl → "processing" in the shop.
    h.sandbox.debit(&id).unwrap();
    h.run_minutes(2);
    assert_eq!(h.shop.orders[&wc].status, "processing");
    assert_eq!(h.store.order(&id).unwrap().unwrap().state, "SHIPPING");
    // Polling again changes nothing.
    h.run_minutes(3);
    assert_eq!(h.shop.orders_for(&id).len(), 1);
}

#[test]
fn the_draft_carries_the_tax_figures_in_the_order_tax_mode() {
    for mode in ["TAX_INCLUDED", "TAX_EXCLUDED"] {
        let settings = SyncSettings {
            order_tax_mode: mode.to_owned(),
            ..test_settings()
        };
        let config = SandboxConfig {
            default_order_tax_mode: mode.to_owned(),
            ..SandboxConfig::for_tests()
        };
        let mut h = Harness::with(config, settings);
        let (_, wc) = accepted_order(&mut h);
        let draft = &h.shop.orders[&wc].draft;
        let amounts = &draft.amounts;
        assert_eq!(amounts.lines.len(), draft.lines.len());
        for (line, figures) in draft.lines.iter().zip(&amounts.lines) {
            assert_eq!(figures.tax, line.tax);
            assert_eq!(figures.shipping_tax, line.shipping_tax);
            if mode == "TAX_INCLUDED" {
                assert_eq!(figures.gross, line.price, "{mode}");
                assert_eq!(figures.net, line.price - line.tax, "{mode}");
                assert_eq!(
                    figures.shipping_net,
                    line.shipping_price - line.shipping_tax
                );
            } else {
                assert_eq!(figures.net, line.price, "{mode}");
                assert_eq!(figures.gross, line.price + line.tax, "{mode}");
                assert_eq!(figures.shipping_net, line.shipping_price);
            }
        }
        assert!(
            amounts.tax_total > Decimal::ZERO,
            "{mode}: the sandbox taxes its lines"
        );
        assert_eq!(
            amounts.grand_total,
            amounts.net_total + amounts.tax_total + amounts.shipping_net + amounts.shipping_tax
        );
        let sold: Decimal = draft.lines.iter().map(|l| l.price + l.shipping_price).sum();
        let expected = if mode == "TAX_INCLUDED" {
            sold
        } else {
            sold + amounts.tax_total + amounts.shipping_tax
        };
        assert_eq!(amounts.grand_total, expected, "{mode}");
    }
}

#[test]
fn addresses_revealed_when_the_order_is_paid_reach_the_shop_order() {
    let mut h = Harness::new();
    let (id, wc) = accepted_order(&mut h);
    // The buyer's final address as Mirakl shows it once the order is paid.
    h.sandbox.with_state(|state| {
        let order = state.orders.iter_mut().find(|o| o.order_id == id).unwrap();
        order.customer.street_1 = "8 quai des Orfèvres".into();
        order.customer.city = "Lyon".into();
        order.customer.zip_code = "69002".into();
    });
    h.sandbox.debit(&id).unwrap();
    h.run_minutes(2);
    let draft = &h.shop.orders[&wc].draft;
    assert_eq!(h.shop.orders[&wc].status, "processing");
    let shipping = draft.shipping_address.as_ref().expect("a shipping address");
    assert_eq!(
        (
            shipping.street_1.as_str(),
            shipping.city.as_str(),
            shipping.zip_code.as_str()
        ),
        ("8 quai des Orfèvres", "Lyon", "69002")
    );
    assert_eq!(
        draft.billing_address.as_ref().map(|a| a.city.as_str()),
        Some("Lyon")
    );
}

#[test]
fn a_cancelled_order_is_cancelled_and_restocked_in_the_shop() {
    let mut h = Harness::new();
    let (id, wc) = accepted_order(&mut h);
    h.sandbox.debit(&id).unwrap();
    h.sandbox.with_state(|s| s.cancel_order(&id)).unwrap();
    h.run_minutes(2);
    assert!(h.shop.orders[&wc].cancelled);
    assert_eq!(h.shop.stock("A"), Some(10));
    assert_eq!(h.shop.stock("B"), Some(5));
}

#[test]
fn an_unknown_sku_is_held_for_a_human_and_the_deadline_clock_warns() {
    let mut h = Harness::new();
    h.add_product("A", 10, 20);
    h.sandbox.add_offer("GHOST", Decimal::from(5), 3).unwrap();
    h.tick();
    let id = h.order(&[("A", 1), ("GHOST", 1)]);
    h.run_minutes(2);
    assert_eq!(h.mirakl_state(&id), "WAITING_ACCEPTANCE");
    assert!(h.shop.orders_for(&id).is_empty());
    assert_eq!(h.open_problems("order_held"), 1);
    // Half the 72 h window later, a warning.
    h.advance(37 * 3600);
    h.tick();
    assert_eq!(h.open_problems("acceptance_deadline_near"), 1);
    // The merchant adds the product: the next look accepts the order.
    h.shop.add_product("GHOST", 3, Decimal::from(5));
    h.run_minutes(3);
    assert_eq!(h.mirakl_state(&id), "WAITING_DEBIT_PAYMENT");
    assert_eq!(h.shop.orders_for(&id).len(), 1);
}

#[test]
fn short_stock_lines_are_refused_by_policy() {
    let settings = SyncSettings {
        short_stock_policy: ShortagePolicy::Refuse,
        ..test_settings()
    };
    let mut h = Harness::with(SandboxConfig::for_tests(), settings);
    h.add_product("A", 10, 20);
    h.add_product("B", 5, 7);
    h.tick();
    // The shop sold B elsewhere meanwhile.
    h.shop.set_stock("B", 0);
    let id = h.order(&[("A", 1), ("B", 2)]);
    h.run_minutes(2);
    let lines = h.sandbox.with_state(|s| {
        s.order(&id)
            .map(|o| o.lines.iter().map(|l| l.state.clone()).collect::<Vec<_>>())
            .unwrap()
    });
    assert_eq!(lines, ["WAITING_DEBIT_PAYMENT", "REFUSED"]);
    let wc = h.shop_order_id(&id);
    assert_eq!(h.shop.orders[&wc].draft.lines.len(), 1);
    assert_eq!(h.open_problems("order_lines_refused"), 1);
}

#[test]
fn without_partial_acceptance_a_short_line_refuses_the_whole_order() {
    let settings = SyncSettings {
        partial_acceptance: false,
        ..test_settings()
    };
    let mut h = Harness::with(
        SandboxConfig::for_tests().partial_acceptance(false),
        settings,
    );
    h.add_product("A", 10, 20);
    h.add_product("B", 5, 7);
    h.tick();
    h.shop.set_stock("B", 0);
    let id = h.order(&[("A", 1), ("B", 2)]);
    h.run_minutes(2);
    assert_eq!(h.mirakl_state(&id), "REFUSED");
    assert!(h.shop.orders_for(&id).is_empty());
}

fn shipping_order(h: &mut Harness) -> (String, i64) {
    let (id, wc) = accepted_order(h);
    h.sandbox.debit(&id).unwrap();
    h.run_minutes(2);
    (id, wc)
}

#[test]
fn a_shipped_order_goes_out_with_st01() {
    let mut h = Harness::new();
    let (id, wc) = shipping_order(&mut h);
    h.shop.ship(wc, "Colissimo", "6A123");
    events::order_shipped(&h.store, wc).unwrap();
    let report = h.tick();
    assert_eq!(report.count("ship_order", "shipped"), 1, "{report:?}");
    assert_eq!(h.calls.get("ST01"), 1);
    assert_eq!(h.mirakl_state(&id), "SHIPPED");
}

#[test]
fn without_multi_shipment_the_tracking_goes_with_or23_then_or24() {
    let mut h = Harness::with(
        SandboxConfig::for_tests().multi_shipment(false),
        test_settings(),
    );
    let (id, wc) = shipping_order(&mut h);
    h.shop.ship(wc, "colissimo", "6A123");
    events::order_shipped(&h.store, wc).unwrap();
    h.tick();
    assert_eq!(h.mirakl_state(&id), "SHIPPED");
    assert_eq!(
        (
            h.calls.get("ST01"),
            h.calls.get("OR23"),
            h.calls.get("OR24")
        ),
        (1, 1, 1)
    );
    let tracking = h
        .sandbox
        .with_state(|s| s.order(&id).map(|o| o.tracking.clone()).unwrap())
        .unwrap();
    assert_eq!(tracking.carrier_code.as_deref(), Some("COLISSIMO"));
    assert_eq!(tracking.tracking_number.as_deref(), Some("6A123"));
}

/// Ships an order with `carrier` under `settings`, and checks nothing went to Mirakl.
fn assert_carrier_refused(settings: SyncSettings, carrier: &str) {
    let mut h = Harness::with(SandboxConfig::for_tests().multi_shipment(false), settings);
    let (id, wc) = shipping_order(&mut h);
    h.shop.ship(wc, carrier, "X1");
    events::order_shipped(&h.store, wc).unwrap();
    h.tick();
    assert_eq!(h.mirakl_state(&id), "SHIPPING");
    assert_eq!(h.calls.get("OR23"), 0);
    assert_eq!(h.open_problems("carrier_unmapped"), 1);
}

#[test]
fn an_unmapped_carrier_is_an_problem_not_a_guess() {
    assert_carrier_refused(test_settings(), "Bob's Van");
}

#[test]
fn free_text_carriers_when_the_merchant_allows_them() {
    let settings = SyncSettings {
        allow_free_text_carriers: true,
        ..test_settings()
    };
    let mut h = Harness::with(SandboxConfig::for_tests().multi_shipment(false), settings);
    let (id, wc) = shipping_order(&mut h);
    h.shop.ship(wc, "Bob's Van", "X1");
    events::order_shipped(&h.store, wc).unwrap();
    h.tick();
    assert_eq!(h.mirakl_state(&id), "SHIPPED");
}

#[test]
fn a_shop_refund_is_sent_once_with_per_line_amounts() {
    let mut h = Harness::new();
    let (id, wc) = shipping_order(&mut h);
    let refund = h
        .shop
        .refund(wc, &[("A", 1, Decimal::from(20))], Decimal::new(490, 2));
    events::refund_created(&h.store, refund).unwrap();
    let report = h.run_minutes(2);
    assert_eq!(report.count("refund_order", "refunded"), 1, "{report:?}");
    assert_eq!(h.mirakl_refund_count(&id), 1);
    // The event again, and more polls: nothing is sent twice, nothing echoes back.
    events::refund_created(&h.store, refund).unwrap();
    h.run_minutes(3);
    assert_eq!(h.mirakl_refund_count(&id), 1);
    assert_eq!(h.calls.get("OR28"), 1);
    assert_eq!(h.shop.refunds.len(), 1);
}

#[test]
fn a_refund_made_on_mirakl_is_recorded_in_the_shop_once() {
    let mut h = Harness::new();
    let (id, wc) = shipping_order(&mut h);
    let line_id = format!("{id}-1");
    h.operator_refund(&line_id, Decimal::from(10));
    h.run_minutes(3);
    let mirrored: Vec<_> = h
        .shop
        .refunds
        .values()
        .filter(|r| r.order_id == wc)
        .collect();
    assert_eq!(mirrored.len(), 1);
    assert_eq!(mirrored[0].lines[0].amount, Decimal::from(10));
    // The shop reports the mirrored refund like any other: it is not sent back.
    let mirrored_id = mirrored[0].id;
    events::refund_created(&h.store, mirrored_id).unwrap();
    h.run_minutes(3);
    assert_eq!(h.calls.get("OR28"), 0);
    assert_eq!(h.mirakl_refund_count(&id), 1);
    assert_eq!(h.shop.call_count(ShopOp::RecordRefund), 1);
}

#[test]
fn an_order_out_of_staging_is_imported_and_accepted() {
    let mut config = SandboxConfig::for_tests();
    config.staging_secs = 150;
    let mut h = Harness::with(config, test_settings());
    h.add_product("A", 10, 20);
    h.tick();
    let id = h.order(&[("A", 1)]);
    h.run_minutes(2);
    assert_eq!(h.mirakl_state(&id), "STAGING");
    assert!(h.shop.orders_for(&id).is_empty());
    h.run_minutes(3);
    assert_eq!(h.mirakl_state(&id), "WAITING_DEBIT_PAYMENT");
    assert_eq!(h.shop.orders_for(&id).len(), 1);
}

#[test]
fn an_unshipped_order_near_and_past_its_shipping_deadline_raises_alerts() {
    let mut h = Harness::new();
    let (id, _wc) = shipping_order(&mut h);
    let deadline = h
        .store
        .order(&id)
        .unwrap()
        .unwrap()
        .shipping_deadline
        .unwrap();
    let until_warning = (deadline - h.clock.now()).num_seconds() - 11 * 3600;
    h.advance(until_warning);
    h.run_minutes(6);
    assert_eq!(h.open_problems("shipping_deadline_near"), 1);
    assert_eq!(h.open_problems("shipping_deadline_passed"), 0);
    h.advance(12 * 3600);
    let report = h.run_minutes(6);
    assert_eq!(h.open_problems("shipping_deadline_passed"), 1);
    // The tick report carries what was raised, and serialises for PHP.
    assert!(report
        .problems
        .iter()
        .any(|e| e.kind == "shipping_deadline_passed"));
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert!(json["jobs"]["check_deadlines"]["checked"].as_u64().unwrap() >= 1);
    assert!(json["api_calls"]["OR11"].as_u64().unwrap() >= 1);
}

#[test]
fn when_the_operator_refuses_partial_acceptance_the_order_is_refused_whole_and_undone() {
    // The merchant left partial acceptance on, but the operator has it off.
    let mut h = Harness::with(
        SandboxConfig::for_tests().partial_acceptance(false),
        test_settings(),
    );
    h.add_product("A", 10, 20);
    h.add_product("B", 5, 7);
    h.tick();
    h.shop.set_stock("B", 0);
    let id = h.order(&[("A", 1), ("B", 2)]);
    h.run_minutes(2);
    assert_eq!(h.mirakl_state(&id), "REFUSED");
    let orders = h.shop.orders_for(&id);
    assert!(orders.iter().all(|o| o.cancelled));
    assert_eq!(h.shop.stock("A"), Some(10));
    assert_eq!(h.open_problems("partial_acceptance_disabled"), 1);
}

#[test]
fn a_refund_over_what_is_left_is_never_sent_and_can_be_retried_once_fixed() {
    let mut h = Harness::new();
    let (id, wc) = shipping_order(&mut h);
    let refund = h
        .shop
        .refund(wc, &[("A", 2, Decimal::from(41))], Decimal::ZERO);
    events::refund_created(&h.store, refund).unwrap();
    h.run_minutes(2);
    assert_eq!(h.calls.get("OR28"), 0);
    assert_eq!(h.mirakl_refund_count(&id), 0);
    assert_eq!(h.open_problems("refund_rejected"), 1);
    // The merchant corrects the refund, then presses "retry" on the problem.
    h.shop.refunds.get_mut(&refund).unwrap().lines[0].amount = Decimal::from(40);
    let problem = h
        .store
        .list_problems(&mirakl_connector::store::ProblemFilter {
            kind: Some("refund_rejected".to_owned()),
            ..mirakl_connector::store::ProblemFilter::open()
        })
        .unwrap()
        .remove(0);
    h.store.retry_problem(problem.id).unwrap();
    h.run_minutes(2);
    assert_eq!(h.mirakl_refund_count(&id), 1);
}

#[test]
fn an_order_the_shop_refuses_to_create_is_not_accepted_until_it_can() {
    use mirakl_connector::sync::memory::ScriptedFailure;
    use mirakl_connector::sync::shop::ShopError;
    let mut h = Harness::new();
    h.add_product("A", 10, 20);
    h.tick();
    h.shop.fail_next(
        ShopOp::CreateOrder,
        ScriptedFailure::Before(ShopError::rejected("invalid shipping address")),
    );
    let id = h.order(&[("A", 1)]);
    h.advance(60);
    h.tick();
    assert_eq!(h.mirakl_state(&id), "WAITING_ACCEPTANCE");
    assert_eq!(h.open_problems("order_rejected_by_shop"), 1);
    // The next look (the address was fixed) creates and accepts it.
    h.run_minutes(3);
    assert_eq!(h.mirakl_state(&id), "WAITING_DEBIT_PAYMENT");
    assert_eq!(h.shop.orders_for(&id).len(), 1);
}

#[test]
fn a_mapping_to_a_carrier_code_mirakl_does_not_list_is_an_problem() {
    let mut settings = test_settings();
    settings
        .carrier_map
        .insert("Colissimo".to_owned(), "NO-SUCH-CARRIER".to_owned());
    assert_carrier_refused(settings, "Colissimo");
}

#[test]
fn a_short_sweep_interval_still_leaves_turns_to_the_update_window() {
    let settings = SyncSettings {
        acceptance_sweep_interval_secs: 60,
        ..test_settings()
    };
    let mut h = Harness::with(SandboxConfig::for_tests(), settings);
    let (id, wc) = accepted_order(&mut h);
    h.sandbox.debit(&id).unwrap();
    let report = h.run_minutes(4);
    assert!(report.count("poll_orders", "polled") >= 1, "{report:?}");
    assert!(report.count("poll_orders", "swept") >= 1, "{report:?}");
    assert_eq!(h.shop.orders[&wc].status, "processing");
}

#[test]
fn a_restock_only_refund_and_a_shipment_of_a_cancelled_order_send_nothing() {
    let mut h = Harness::new();
    let (id, wc) = shipping_order(&mut h);
    let refund = h.shop.refund(wc, &[("A", 1, Decimal::ZERO)], Decimal::ZERO);
    events::refund_created(&h.store, refund).unwrap();
    h.run_minutes(2);
    assert_eq!(h.calls.get("OR28"), 0);
    assert_eq!(h.open_problems("refund_rejected"), 0);

    h.sandbox.with_state(|s| s.cancel_order(&id)).unwrap();
    h.run_minutes(3);
    h.shop.ship(wc, "Colissimo", "6A1");
    events::order_shipped(&h.store, wc).unwrap();
    let report = h.run_minutes(2);
    assert_eq!(report.count("ship_order", "not_shippable"), 1, "{report:?}");
    assert_eq!(h.calls.get("ST01") + h.calls.get("OR23"), 0);
}

#[test]
fn a_burst_of_refunds_does_not_keep_new_orders_waiting() {
    let mut h = Harness::new();
    let (_id, wc) = shipping_order(&mut h);
    for _ in 0..8 {
        let refund = h.shop.refund(wc, &[("A", 0, Decimal::ONE)], Decimal::ZERO);
        events::refund_created(&h.store, refund).unwrap();
    }
    let new_order = h.order(&[("B", 1)]);
    h.run_minutes(4);
    assert_eq!(h.mirakl_state(&new_order), "WAITING_DEBIT_PAYMENT");
    // And every refund still goes out, once.
    h.run_minutes(12);
    assert_eq!(h.calls.get("OR28"), 8);
    h.calls.assert_within_budgets();
}

#[test]
fn a_status_the_merchant_set_is_never_overwritten() {
    let mut h = Harness::new();
    let (id, wc) = accepted_order(&mut h);
    h.sandbox.debit(&id).unwrap();
    // The merchant ships before the engine has seen the payment (SHIPPING → "processing").
    h.shop.ship(wc, "Colissimo", "6A1");
    events::order_shipped(&h.store, wc).unwrap();
    h.run_minutes(4);
    assert_eq!(h.mirakl_state(&id), "SHIPPED");
    assert_eq!(
        h.shop.orders[&wc].status, "completed",
        "not moved back to processing"
    );
    assert_eq!(h.store.order(&id).unwrap().unwrap().state, "SHIPPED");
}

#[test]
fn reference_data_is_cached_and_a_failed_re01_does_not_spend_sh21_again() {
    use mirakl_sandbox::{Fault, FaultRule, Trigger};
    let mut h = Harness::new();
    h.sandbox.add_fault(FaultRule {
        route: "RE01".to_owned(),
        fault: Fault::Status {
            status: 500,
            retry_after_secs: None,
        },
        trigger: Trigger::NextCalls(3),
    });
    h.tick();
    assert_eq!(h.calls.get("SH21"), 1);
    h.run_minutes(5);
    assert_eq!(h.calls.get("SH21"), 1, "SH21 once a day");
    assert!(h
        .store
        .cursor("reference.refund_reasons")
        .unwrap()
        .is_some());
    assert!(h.store.cursor("reference.carriers").unwrap().is_some());
    h.calls.assert_within_budgets();
}

#[test]
fn a_shipment_after_a_crash_between_the_shop_commit_and_the_map_waits_and_goes_out() {
    let mut h = Harness::new();
    h.add_product("A", 10, 20);
    h.tick();
    let id = h.order(&[("A", 1)]);
    h.advance(60);
    // The shop order is committed (with its Mirakl id), then the process dies before the core
    // records the shop id.
    assert!(h.tick_crashing_at(ShopOp::CreateOrder, true));
    let wc = h.shop_order_id(&id);
    assert_eq!(h.store.order(&id).unwrap().unwrap().wc_order_id, None);
    // The runner's lease is gone, the import job's not yet: the shipment runs first.
    h.advance(160);
    h.restart();
    h.shop.ship(wc, "Colissimo", "6A1");
    events::order_shipped(&h.store, wc).unwrap();
    let mut total = h.tick();
    assert_eq!(total.count("ship_order", "not_marketplace"), 0, "{total:?}");
    assert_eq!(
        h.store.order(&id).unwrap().unwrap().wc_order_id,
        Some(wc),
        "the shop order's Mirakl id maps it"
    );
    for _ in 0..10 {
        total.absorb(&h.run_minutes(1));
        if h.mirakl_state(&id) == "WAITING_DEBIT_PAYMENT" {
            h.sandbox.debit(&id).unwrap();
        }
    }
    assert_eq!(h.mirakl_state(&id), "SHIPPED", "{total:?}");
    assert_eq!(total.count("ship_order", "not_marketplace"), 0, "{total:?}");
    assert_eq!(h.shop.orders_for(&id).len(), 1);
}

#[test]
fn a_refund_for_a_marketplace_order_not_yet_imported_waits_for_the_import() {
    let mut h = Harness::new();
    h.add_product("A", 10, 20);
    h.tick();
    let id = h.order(&[("A", 1)]);
    // The shop has the order (its Mirakl id in its meta) but the core has never seen it, as
    // after a store restored from a backup.
    let draft: mirakl_connector::sync::shop::ShopOrderDraft =
        serde_json::from_value(serde_json::json!({
            "mirakl_order_id": id,
            "commercial_id": null,
            "currency": "EUR",
            "prices_include_tax": true,
            "lines": [{
                "sku": "A", "quantity": 1, "price": "20", "unit_price": "20", "tax": "0",
                "shipping_price": "0", "shipping_tax": "0", "commission_fee": "0",
                "commission_vat": "0", "commission_total": "0",
                "mirakl_order_line_id": format!("{id}-1")
            }],
            "shipping_total": "0",
            "total": "20",
            "commission_total": "0",
            "customer_first_name": null,
            "customer_last_name": null,
            "billing_address": null,
            "shipping_address": null,
            "status": "processing"
        }))
        .unwrap();
    let mut draft = draft;
    draft.amounts = mirakl_connector::sync::shop::OrderAmounts::compute(&draft.lines, true);
    let wc = mirakl_connector::sync::Shop::create_order(&mut h.shop, &draft).unwrap();
    let refund = h
        .shop
        .refund(wc, &[("A", 1, Decimal::from(5))], Decimal::ZERO);
    events::refund_created(&h.store, refund).unwrap();
    let report = h.tick();
    assert_eq!(
        report.count("refund_order", "not_marketplace"),
        0,
        "{report:?}"
    );
    assert_eq!(
        report.count("refund_order", "awaiting_import"),
        1,
        "{report:?}"
    );
    let job = h
        .store
        .find_job("refund_order", &refund.to_string())
        .unwrap()
        .unwrap();
    assert_eq!(job.state, mirakl_connector::store::JobState::Pending);
}

#[test]
fn a_mirakl_refund_the_shop_refuses_is_a_problem_and_the_order_goes_on() {
    let mut h = Harness::new();
    let (id, wc) = accepted_order(&mut h);
    // The merchant refunded everything in WooCommerce; the event died with the request.
    let total = h.shop.orders[&wc].draft.total;
    let shipping = h.shop.orders[&wc].draft.shipping_total;
    let lines: Vec<(String, i64, Decimal)> = h.shop.orders[&wc]
        .draft
        .lines
        .iter()
        .map(|l| (l.sku.clone(), l.quantity, l.price))
        .collect();
    let lines: Vec<(&str, i64, Decimal)> =
        lines.iter().map(|(s, q, a)| (s.as_str(), *q, *a)).collect();
    let woo_refund = h.shop.refund(wc, &lines, shipping);
    assert_eq!(lines.iter().map(|l| l.2).sum::<Decimal>() + shipping, total);
    // Mirakl: paid, and the operator refunds 10 on the first line.
    h.sandbox.debit(&id).unwrap();
    h.operator_refund(&format!("{id}-1"), Decimal::from(10));
    h.run_minutes(3);
    // The order's new state is saved and its status synced despite the refused refund.
    assert_eq!(h.store.order(&id).unwrap().unwrap().state, "SHIPPING");
    assert_eq!(h.shop.orders[&wc].status, "processing");
    let problems = h
        .store
        .list_problems(&mirakl_connector::store::ProblemFilter {
            kind: Some("marketplace_refund_conflict".to_owned()),
            ..mirakl_connector::store::ProblemFilter::open()
        })
        .unwrap();
    assert_eq!(problems.len(), 1);
    let problem = &problems[0];
    assert_eq!(problem.entity_type, "mirakl_refund");
    let details = problem.details.as_ref().unwrap();
    assert_eq!(details["mirakl_refund_amount"], "10");
    assert_eq!(details["mirakl_order_id"], id.as_str());
    assert!(
        problem.message.contains("Invalid refund amount"),
        "{}",
        problem.message
    );
    // Shipping goes on.
    h.shop.ship(wc, "Colissimo", "6A1");
    events::order_shipped(&h.store, wc).unwrap();
    h.run_minutes(2);
    assert_eq!(h.mirakl_state(&id), "SHIPPED");

    // The merchant removes the WooCommerce refund that was never meant; Retry records Mirakl's.
    h.shop.refunds.remove(&woo_refund);
    let problem_id = h
        .store
        .list_problems(&mirakl_connector::store::ProblemFilter {
            kind: Some("marketplace_refund_conflict".to_owned()),
            ..mirakl_connector::store::ProblemFilter::open()
        })
        .unwrap()[0]
        .id;
    h.store.retry_problem(problem_id).unwrap();
    h.run_minutes(1);
    let mirrored: Vec<_> = h
        .shop
        .refunds
        .values()
        .filter(|r| r.order_id == wc && r.mirakl_refund_id.is_some())
        .collect();
    assert_eq!(mirrored.len(), 1);
    assert_eq!(mirrored[0].lines[0].amount, Decimal::from(10));
    assert_eq!(h.open_problems("marketplace_refund_conflict"), 0);
}

#[test]
fn a_refused_line_is_pushed_again_with_the_shop_stock() {
    let mut h = Harness::new();
    h.add_product("A", 3, 20);
    h.run_minutes(2);
    assert_eq!(h.mirakl_quantity("A"), 3);
    // A sale in the shop whose stock event has not arrived yet: 1 left.
    h.shop.set_stock("A", 1);
    let id = h.order(&[("A", 2)]);
    h.advance(60);
    let report = h.tick();
    assert_eq!(report.count("import_order", "refused"), 1, "{report:?}");
    assert_eq!(h.mirakl_state(&id), "REFUSED");
    // Mirakl put the 2 units back on the offer (3 there, 1 in the shop): the SKU is pushed
    // again at once.
    h.run_minutes(2);
    assert_eq!(h.mirakl_quantity("A"), 1);
}

/// The open `order_implausible` problems' messages.
fn implausible(h: &Harness) -> Vec<String> {
    h.store
        .list_problems(&mirakl_connector::store::ProblemFilter {
            kind: Some("order_implausible".to_owned()),
            ..mirakl_connector::store::ProblemFilter::open()
        })
        .unwrap()
        .into_iter()
        .map(|p| p.message)
        .collect()
}

/// Two orders in the same poll; the second is made hostile by `spoil` (on the sandbox's order)
/// before the connector sees it. Returns (good id, spoiled id).
fn good_and_spoiled(
    h: &mut Harness,
    spoil: impl FnOnce(&mut mirakl_sandbox::model::Order),
) -> (String, String) {
    h.add_product("A", 10, 20);
    h.add_product("B", 5, 7);
    h.tick();
    let good = h.order(&[("A", 2)]);
    let bad = h.order(&[("A", 1), ("B", 1)]);
    change_on_mirakl(h, &bad, spoil);
    h.run_minutes(2);
    (good, bad)
}

/// Changes the sandbox's order `id` as a hostile marketplace would send it.
fn change_on_mirakl(h: &Harness, id: &str, change: impl FnOnce(&mut mirakl_sandbox::model::Order)) {
    h.sandbox
        .with_state(|state| change(state.orders.iter_mut().find(|o| o.order_id == id).unwrap()));
}

/// The spoiled order is held: not accepted on Mirakl, not in the shop, its stock untouched;
/// the good one of the same poll is accepted.
fn assert_held_and_the_other_accepted(h: &Harness, good: &str, bad: &str) {
    assert_eq!(h.mirakl_state(good), "WAITING_DEBIT_PAYMENT");
    assert_eq!(h.shop.orders_for(good).len(), 1);
    assert_eq!(h.mirakl_state(bad), "WAITING_ACCEPTANCE", "not accepted");
    assert!(h.shop.orders_for(bad).is_empty(), "not created in the shop");
    assert_eq!(h.shop.stock("A"), Some(8), "only the good order took stock");
    assert_eq!(h.shop.stock("B"), Some(5));
    assert_eq!(h.open_problems("order_implausible"), 1);
}

#[test]
fn an_order_with_a_negative_quantity_is_held_and_never_reaches_the_stock() {
    let mut h = Harness::new();
    let (good, bad) = good_and_spoiled(&mut h, |order| order.lines[1].quantity = -3);
    assert_held_and_the_other_accepted(&h, &good, &bad);
    let messages = implausible(&h);
    assert!(
        messages[0].contains(&format!("Order {bad} breaks the connector's sanity rules"))
            && messages[0].contains("line 2 (")
            && messages[0].contains("quantity must be from 1 to 2147483647, not -3"),
        "{messages:?}"
    );
    // Every later poll holds it again; it never reaches the shop.
    h.run_minutes(5);
    assert!(h.shop.orders_for(&bad).is_empty());
    assert_eq!(h.shop.stock("B"), Some(5));
}

#[test]
fn an_order_with_a_negative_or_overflowing_amount_is_held() {
    let mut h = Harness::new();
    let (good, bad) = good_and_spoiled(&mut h, |order| {
        order.lines[1].shipping_price = Decimal::from(-4);
    });
    assert_held_and_the_other_accepted(&h, &good, &bad);
    assert!(
        implausible(&h)[0].contains("line 2 (")
            && implausible(&h)[0].contains("shipping_price must not be negative, not -4"),
        "{:?}",
        implausible(&h)
    );

    // 1e25: summing or multiplying such amounts would overflow a Decimal in the draft. The
    // order does not even decode: it is an unreadable order, the good one goes on.
    let mut h = Harness::new();
    let (good, bad) = good_and_spoiled(&mut h, |order| {
        order.lines[0].unit_price = "10000000000000000000000000".parse().unwrap();
    });
    assert_eq!(h.mirakl_state(&good), "WAITING_DEBIT_PAYMENT");
    assert_eq!(h.mirakl_state(&bad), "WAITING_ACCEPTANCE", "not accepted");
    assert!(
        h.shop.orders_for(&bad).is_empty(),
        "not created in the shop"
    );
    assert_eq!(h.open_problems("order_unreadable"), 1);
}

#[test]
fn an_order_with_more_lines_than_the_setting_is_held() {
    let mut h = Harness::new();
    h.add_product("A", 10_000, 2);
    h.add_product("B", 5, 7);
    h.tick();
    let good = h.order(&[("B", 1)]);
    let lines: Vec<(&str, i64)> = (0..501).map(|_| ("A", 1)).collect();
    let big = h.order(&lines);
    h.run_minutes(2);
    assert_eq!(h.mirakl_state(&good), "WAITING_DEBIT_PAYMENT");
    assert_eq!(h.mirakl_state(&big), "WAITING_ACCEPTANCE");
    assert!(h.shop.orders_for(&big).is_empty());
    assert_eq!(h.shop.stock("A"), Some(10_000));
    assert_eq!(
        implausible(&h)[0],
        format!(
            "Order {big} breaks the connector's sanity rules: order: 501 lines, more than the 500 \
             an order may have (setting max_order_lines). It is held, neither accepted nor \
             created in the shop, and refused automatically by the marketplace at {}.",
            h.store
                .order(&big)
                .unwrap()
                .unwrap()
                .acceptance_deadline
                .unwrap()
                .to_rfc3339()
        )
    );

    // A merchant who sells in bulk raises the limit: the same order goes through.
    let settings = SyncSettings {
        max_order_lines: 501,
        ..test_settings()
    };
    h.settings = settings;
    h.restart();
    h.run_minutes(3);
    assert_eq!(h.mirakl_state(&big), "WAITING_DEBIT_PAYMENT");
    assert_eq!(h.shop.orders_for(&big).len(), 1);
}

#[test]
fn control_characters_and_nul_never_reach_the_shop_order() {
    let mut h = Harness::new();
    h.add_product("A", 10, 20);
    h.tick();
    let id = h.order(&[("A", 1)]);
    change_on_mirakl(&h, &id, |order| {
        order.customer.firstname = "Ann\u{0}e\u{1b}[2J".into();
        order.customer.city = "Ly\u{0}on\r\nCedex".into();
        order.customer.street_1 = "x".repeat(1000);
    });
    h.run_minutes(2);
    let wc = h.shop_order_id(&id);
    let draft = &h.shop.orders[&wc].draft;
    assert_eq!(draft.customer_first_name.as_deref(), Some("Anne[2J"));
    let shipping = draft.shipping_address.as_ref().expect("shipping address");
    assert_eq!(shipping.first_name, "Anne[2J");
    assert_eq!(shipping.city, "Lyon  Cedex");
    assert_eq!(shipping.street_1.chars().count(), 255);
}
