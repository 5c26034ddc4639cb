//! What Mirakl takes off an order while it goes on, against the sandbox: cancelled units
//! (OR11 `cancelations[]`) and whole lines moved to CANCELED become one shop refund each, with
//! Mirakl's amounts and taxes, the units restocked and a note naming the RE01 reason — once,
//! also across a crash between the shop refund and the store's record of it; the shipment
//! names only what is left. Refunds keep Mirakl's taxes in TAX_EXCLUDED, and an order's own
//! `order_tax_mode` decides the tax mode of its shop order.

mod sync_support;

use mirakl_connector::sync::events;
use mirakl_connector::sync::memory::ShopOp;
use mirakl_connector::sync::shop::ShopRefund;
use mirakl_connector::sync::SyncSettings;
use mirakl_sandbox::model::TaxMode;
use mirakl_sandbox::state::{CancelRequest, RefundRequest};
use mirakl_sandbox::{NewLine, NewOrder, SandboxConfig};
use rust_decimal::Decimal;
use sync_support::{test_settings, Harness};

fn dec(text: &str) -> Decimal {
    text.parse().expect("decimal")
}

fn harness(settings: SyncSettings) -> Harness {
    let mut h = Harness::with(SandboxConfig::for_tests(), settings);
    h.add_product("A", 10, 20);
    h.add_product("B", 5, 40);
    h.tick();
    h
}

/// An order of two A and one B, accepted and created in the shop.
fn accepted(h: &mut Harness) -> (String, i64) {
    let id = h.order(&[("A", 2), ("B", 1)]);
    h.advance(60);
    let report = h.tick();
    assert_eq!(report.count("import_order", "accepted"), 1, "{report:?}");
    (id.clone(), h.shop_order_id(&id))
}

/// An order of two A, with what `extra` says besides.
fn order_of_a(h: &Harness, extra: NewOrder) -> String {
    h.sandbox
        .create_order(NewOrder {
            lines: vec![NewLine {
                offer_sku: "A".to_owned(),
                quantity: 2,
                price: None,
                shipping_price: None,
            }],
            ..extra
        })
        .expect("order")
}

fn cancel(h: &Harness, line: &str, quantity: i64) {
    h.sandbox
        .with_state(|s| {
            s.cancel_lines(&[CancelRequest {
                order_line_id: line.to_owned(),
                quantity,
                reason_code: "34".to_owned(),
            }])
        })
        .expect("cancelation");
}

fn shop_refunds(h: &Harness, wc: i64) -> Vec<ShopRefund> {
    h.shop
        .refunds
        .values()
        .filter(|r| r.order_id == wc)
        .cloned()
        .collect()
}

fn gross(refund: &ShopRefund, include_tax: bool) -> Decimal {
    let lines: Decimal = refund
        .lines
        .iter()
        .map(|l| l.amount + if include_tax { Decimal::ZERO } else { l.tax })
        .sum();
    lines
        + refund.shipping_amount
        + if include_tax {
            Decimal::ZERO
        } else {
            refund.shipping_tax
        }
}

#[test]
fn a_partial_cancelation_is_refunded_restocked_and_noted_once() {
    let mut h = harness(test_settings());
    let (id, wc) = accepted(&mut h);
    assert_eq!(h.shop.stock("A"), Some(8));
    // The reasons' labels are known once reference data ran.
    h.run_minutes(2);
    cancel(&h, &format!("{id}-1"), 1);
    h.run_minutes(3);
    let refunds = shop_refunds(&h, wc);
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    let refund = &refunds[0];
    assert!(refund
        .mirakl_refund_id
        .as_deref()
        .is_some_and(|r| r.starts_with("cancelation:")));
    assert_eq!(refund.lines[0].quantity, 1);
    // One unit of A at 20.00 tax included, its tax as Mirakl split it; no shipping yet.
    assert_eq!(refund.lines[0].amount, dec("20.00"));
    assert_eq!(refund.lines[0].tax, dec("3.33"));
    assert_eq!(refund.shipping_amount, Decimal::ZERO);
    assert_eq!(
        h.shop.stock("A"),
        Some(9),
        "the cancelled unit is back in stock"
    );
    let notes = &h.shop.orders[&wc].notes;
    assert!(
        notes
            .iter()
            .any(|n| n.contains("Cancelled on the marketplace") && n.contains("Rupture de stock")),
        "{notes:?}"
    );
    // Seen again by every later sync: nothing changes.
    h.run_minutes(10);
    events::reconcile_requested(&h.store, true).unwrap();
    h.run_minutes(3);
    assert_eq!(shop_refunds(&h, wc).len(), 1);
    assert_eq!(h.shop.call_count(ShopOp::RecordRefund), 1);
    assert_eq!(h.shop.stock("A"), Some(9));
}

#[test]
fn a_crash_between_the_shop_refund_and_its_record_changes_nothing_the_second_time() {
    let mut h = harness(test_settings());
    let (id, wc) = accepted(&mut h);
    h.run_minutes(2);
    cancel(&h, &format!("{id}-1"), 1);
    h.advance(60);
    let mut crashed = false;
    for _ in 0..5 {
        if h.tick_crashing_at(ShopOp::RecordRefund, true) {
            crashed = true;
            break;
        }
        h.advance(30);
    }
    assert!(crashed, "the tick reached the shop refund");
    assert_eq!(
        shop_refunds(&h, wc).len(),
        1,
        "the shop made it before the crash"
    );
    h.restart();
    h.advance(400);
    h.run_minutes(5);
    assert_eq!(shop_refunds(&h, wc).len(), 1, "not made twice");
    assert_eq!(h.shop.stock("A"), Some(9), "restocked once");
}

#[test]
fn a_whole_line_cancelled_while_the_order_goes_on_is_refunded_and_not_shipped() {
    let mut h = harness(test_settings());
    let (id, wc) = accepted(&mut h);
    h.run_minutes(2);
    cancel(&h, &format!("{id}-2"), 1);
    assert_eq!(
        h.mirakl_state(&id),
        "WAITING_DEBIT_PAYMENT",
        "the order goes on"
    );
    h.run_minutes(3);
    let refunds = shop_refunds(&h, wc);
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    // B's price and, with its last unit, its shipping, tax included.
    let line_b = &h.shop.orders[&wc].draft.lines[1];
    assert_eq!(refunds[0].lines[0].amount, line_b.price);
    assert_eq!(refunds[0].shipping_amount, line_b.shipping_price);
    assert_eq!(h.shop.stock("B"), Some(5));
    // Debited, then shipped: the shipment names only A's two units.
    h.sandbox.debit(&id).unwrap();
    h.run_minutes(2);
    h.shop.ship(wc, "Colissimo", "6A123");
    events::order_shipped(&h.store, wc).unwrap();
    h.run_minutes(2);
    assert_eq!(h.mirakl_state(&id), "SHIPPED");
    let lines = h.sandbox.with_state(|s| {
        s.shipments
            .iter()
            .filter(|sh| sh.order_id == id)
            .flat_map(|sh| sh.lines.clone())
            .collect::<Vec<_>>()
    });
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].0, format!("{id}-1"));
    assert_eq!(lines[0].2, 2);
}

#[test]
fn a_partly_cancelled_line_ships_what_is_left() {
    let mut h = harness(test_settings());
    let (id, wc) = accepted(&mut h);
    cancel(&h, &format!("{id}-1"), 1);
    h.sandbox.debit(&id).unwrap();
    h.run_minutes(3);
    h.shop.ship(wc, "Colissimo", "6A124");
    events::order_shipped(&h.store, wc).unwrap();
    h.run_minutes(2);
    assert_eq!(h.mirakl_state(&id), "SHIPPED");
    let mut lines = h.sandbox.with_state(|s| {
        s.shipments
            .iter()
            .filter(|sh| sh.order_id == id)
            .flat_map(|sh| sh.lines.clone())
            .collect::<Vec<_>>()
    });
    lines.sort();
    assert_eq!(
        lines.iter().map(|l| l.2).collect::<Vec<_>>(),
        vec![1, 1],
        "one A left, one B: {lines:?}"
    );
}

#[test]
fn a_tax_excluded_refund_on_mirakl_is_booked_with_mirakls_taxes() {
    let mut settings = test_settings();
    settings.order_tax_mode = "TAX_EXCLUDED".to_owned();
    let mut h = harness(settings);
    let (id, wc) = accepted(&mut h);
    assert!(!h.shop.orders[&wc].draft.prices_include_tax);
    h.sandbox.debit(&id).unwrap();
    h.run_minutes(2);
    // 20.00 + 10.00 tax, shipping 0.20 + 0.17 tax, as an operator books it.
    h.sandbox
        .with_state(|s| {
            s.refund(
                &[RefundRequest {
                    order_line_id: format!("{id}-2"),
                    amount: dec("20.00"),
                    shipping_amount: dec("0.20"),
                    quantity: 1,
                    reason_code: "15".to_owned(),
                    taxes: Some(dec("10.00")),
                    shipping_taxes: Some(dec("0.17")),
                    currency_iso_code: None,
                }],
                TaxMode::Excluded,
            )
        })
        .expect("refund");
    h.run_minutes(3);
    let refunds = shop_refunds(&h, wc);
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(refunds[0].lines[0].amount, dec("20.00"));
    assert_eq!(refunds[0].lines[0].tax, dec("10.00"));
    assert_eq!(refunds[0].shipping_amount, dec("0.20"));
    assert_eq!(refunds[0].shipping_tax, dec("0.17"));
    assert_eq!(gross(&refunds[0], false), dec("30.37"));
}

#[test]
fn an_orders_own_tax_mode_decides_its_shop_order() {
    // The poll asks for TAX_INCLUDED; this operator fixes the order in TAX_EXCLUDED.
    let mut h = harness(test_settings());
    let id = order_of_a(
        &h,
        NewOrder {
            tax_mode: Some("TAX_EXCLUDED".to_owned()),
            ..NewOrder::default()
        },
    );
    h.advance(60);
    h.tick();
    let draft = &h.shop.orders[&h.shop_order_id(&id)].draft;
    assert!(!draft.prices_include_tax, "{draft:?}");
    // Two at 20.00 tax included at 20 %: 33.33 without tax.
    assert_eq!(draft.lines[0].price, dec("33.33"));
    assert_eq!(draft.lines[0].tax, dec("6.67"));
}

#[test]
fn a_line_moved_to_canceled_without_cancelations_is_cancelled_whole_once() {
    let mut h = harness(test_settings());
    let (id, wc) = accepted(&mut h);
    h.run_minutes(2);
    // Some operators only move the line's state.
    h.sandbox.with_state(|s| {
        let now = s.now();
        let order = s.orders.iter_mut().find(|o| o.order_id == id).unwrap();
        order.last_updated = now;
        let line = &mut order.lines[1];
        line.state = "CANCELED".to_owned();
        line.state_reason_code = Some("35".to_owned());
        line.last_updated = now;
    });
    h.run_minutes(3);
    let refunds = shop_refunds(&h, wc);
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    let line_b = h.shop.orders[&wc].draft.lines[1].clone();
    assert_eq!(refunds[0].lines[0].quantity, 1);
    assert_eq!(refunds[0].lines[0].amount, line_b.price);
    assert_eq!(refunds[0].lines[0].tax, line_b.tax);
    assert_eq!(refunds[0].shipping_amount, line_b.shipping_price);
    assert_eq!(h.shop.stock("B"), Some(5));
    h.run_minutes(10);
    assert_eq!(shop_refunds(&h, wc).len(), 1);
}

#[test]
fn an_order_cancelled_after_a_partial_cancelation_restocks_each_unit_once() {
    let mut h = harness(test_settings());
    let (id, _wc) = accepted(&mut h);
    h.run_minutes(2);
    cancel(&h, &format!("{id}-1"), 1);
    h.run_minutes(3);
    assert_eq!(h.shop.stock("A"), Some(9));
    cancel(&h, &format!("{id}-1"), 1);
    cancel(&h, &format!("{id}-2"), 1);
    assert_eq!(h.mirakl_state(&id), "CANCELED");
    h.run_minutes(3);
    assert_eq!(h.shop.stock("A"), Some(10), "each unit back once");
    assert_eq!(h.shop.stock("B"), Some(5));
}

#[test]
fn an_order_the_operator_fulfils_keeps_the_shops_stock_and_sends_no_shipment() {
    let mut settings = test_settings();
    settings.operator_fulfillment_centers = vec!["operator-dc1".to_owned()];
    let mut h = harness(settings);
    // The shop has one left; the operator's center has plenty (Mirakl's offer quantity).
    h.shop.set_stock("A", 1);
    let id = order_of_a(
        &h,
        NewOrder {
            fulfillment_center: Some("OPERATOR-DC1".to_owned()),
            ..NewOrder::default()
        },
    );
    h.advance(60);
    let report = h.tick();
    assert_eq!(report.count("import_order", "accepted"), 1, "{report:?}");
    let wc = h.shop_order_id(&id);
    let draft = &h.shop.orders[&wc].draft;
    assert_eq!(
        draft.fulfillment_center_code.as_deref(),
        Some("OPERATOR-DC1")
    );
    assert!(!draft.reduce_stock);
    assert_eq!(
        h.shop.stock("A"),
        Some(1),
        "the operator's stock went out, not the shop's"
    );
    h.sandbox.debit(&id).unwrap();
    h.run_minutes(2);
    h.shop.ship(wc, "Colissimo", "6A125");
    events::order_shipped(&h.store, wc).unwrap();
    h.calls.reset();
    h.run_minutes(2);
    assert_eq!(h.calls.get("ST01"), 0);
    assert_eq!(h.calls.get("OR24"), 0);
}

/// Past the retention, the stored OR11 payloads are blanked: the shipment reads the order
/// afresh, and still sends nothing for an order the operator fulfils.
#[test]
fn an_order_the_operator_fulfils_sends_no_shipment_after_its_payloads_are_purged() {
    let mut settings = test_settings();
    settings.operator_fulfillment_centers = vec!["operator-dc1".to_owned()];
    let mut h = harness(settings);
    h.shop.set_stock("A", 1);
    let id = order_of_a(
        &h,
        NewOrder {
            fulfillment_center: Some("OPERATOR-DC1".to_owned()),
            ..NewOrder::default()
        },
    );
    h.advance(60);
    h.tick();
    let wc = h.shop_order_id(&id);
    h.sandbox.debit(&id).unwrap();
    h.run_minutes(2);
    h.advance(1);
    let purged = h
        .store
        .purge_job_payloads_older_than(std::time::Duration::ZERO, 1000)
        .unwrap();
    assert!(purged >= 1, "the order's jobs had payloads");
    h.shop.ship(wc, "Colissimo", "6A125");
    events::order_shipped(&h.store, wc).unwrap();
    h.calls.reset();
    h.run_minutes(3);
    assert_eq!(h.calls.get("ST01"), 0);
    assert_eq!(h.calls.get("OR24"), 0);
    assert!(h.calls.get("OR11") >= 1, "read afresh");
}

#[test]
fn with_one_shared_stock_an_order_the_operator_fulfils_reduces_the_shops() {
    let mut settings = test_settings();
    settings.operator_fulfillment_centers = vec!["OPERATOR-DC1".to_owned()];
    settings.operator_fulfilled_stock =
        mirakl_connector::sync::settings::OperatorFulfilledStock::Reduce;
    let mut h = harness(settings);
    let id = order_of_a(
        &h,
        NewOrder {
            fulfillment_center: Some("OPERATOR-DC1".to_owned()),
            ..NewOrder::default()
        },
    );
    h.advance(60);
    h.tick();
    let wc = h.shop_order_id(&id);
    assert!(h.shop.orders[&wc].draft.reduce_stock);
    assert_eq!(h.shop.stock("A"), Some(8));
}

#[test]
fn an_order_with_cancelations_before_and_after_the_debit_a_refund_and_a_promotion_reconciles_to_zero(
) {
    use mirakl_connector::finance::{
        import_ledger, match_ledger, month_end_report, FinanceSettings,
    };
    use mirakl_connector::mirakl::{Client, ClientConfig, MemoryBudget};
    use mirakl_sandbox::LineExtras;

    let mut h = harness(test_settings());
    let id = h
        .sandbox
        .create_order(NewOrder {
            lines: vec![
                NewLine {
                    offer_sku: "A".to_owned(),
                    quantity: 3,
                    price: None,
                    shipping_price: None,
                },
                NewLine {
                    offer_sku: "B".to_owned(),
                    quantity: 1,
                    price: None,
                    shipping_price: None,
                },
            ],
            line_extras: vec![LineExtras {
                discount: Some(dec("5.00")),
                ..LineExtras::default()
            }],
            ..NewOrder::default()
        })
        .expect("order");
    h.advance(60);
    h.tick();
    let wc = h.shop_order_id(&id);
    h.run_minutes(2);
    // One A cancelled before the debit, then B refunded in part after it.
    cancel(&h, &format!("{id}-1"), 1);
    h.run_minutes(3);
    h.sandbox.debit(&id).unwrap();
    h.run_minutes(2);
    h.operator_refund(&format!("{id}-2"), dec("10.00"));
    // And one more A cancelled after the debit: Mirakl gives that money back.
    cancel(&h, &format!("{id}-1"), 1);
    h.run_minutes(3);
    assert_eq!(
        shop_refunds(&h, wc).len(),
        3,
        "two cancelations and the refund"
    );

    let config = ClientConfig::new(
        h.sandbox.base_url().parse().expect("url"),
        h.sandbox.api_key(),
    )
    .development();
    let client = Client::connect(&config, MemoryBudget::new()).expect("client");
    let settings = FinanceSettings::default();
    let now = h.sandbox.with_state(|s| s.now());
    import_ledger(&h.store, &client, &settings, now).expect("import");
    let matched = match_ledger(&h.store, &settings).expect("match");
    let mine: Vec<_> = matched
        .discrepancies
        .iter()
        .filter(|d| d.mirakl_order_id.as_deref() == Some(id.as_str()))
        .collect();
    assert!(mine.is_empty(), "{mine:#?}");
    let report = month_end_report(&h.store, 2025, 1, None).expect("report");
    let row = report
        .orders
        .iter()
        .find(|r| r.mirakl_order_id == id)
        .expect("the order's row");
    assert_eq!(row.status, "matched", "{row:?}");
}

/// Adds a cancelation to a sandbox line by hand, as a hostile or odd operator might send it.
fn add_cancelation(h: &Harness, line_id: &str, id: &str, quantity: i64, amount: &str) {
    h.sandbox.with_state(|s| {
        let now = s.now();
        let (oi, li) = s.find_line(line_id).expect("line");
        let order = &mut s.orders[oi];
        order.last_updated = now;
        order.lines[li]
            .cancelations
            .push(mirakl_sandbox::model::Cancelation {
                id: id.to_owned(),
                amount_included: dec(amount),
                amount_tax: Decimal::ZERO,
                shipping_included: Decimal::ZERO,
                shipping_tax: Decimal::ZERO,
                quantity,
                reason_code: "34".to_owned(),
                commission_fee: Decimal::ZERO,
                commission_vat: Decimal::ZERO,
                created_date: now,
            });
        order.lines[li].last_updated = now;
    });
}

#[test]
fn a_cancelation_of_more_units_than_the_line_has_restocks_only_what_it_has() {
    let mut h = harness(test_settings());
    let (id, wc) = accepted(&mut h);
    h.run_minutes(2);
    add_cancelation(&h, &format!("{id}-1"), "9001", 1000, "1.00");
    h.run_minutes(3);
    let refunds = shop_refunds(&h, wc);
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(
        refunds[0].lines[0].quantity, 2,
        "the line's two units, not 1000"
    );
    assert_eq!(h.shop.stock("A"), Some(10));
}

#[test]
fn the_same_cancelation_id_on_two_lines_is_two_cancelations() {
    let mut h = harness(test_settings());
    let (id, wc) = accepted(&mut h);
    h.run_minutes(2);
    add_cancelation(&h, &format!("{id}-1"), "77", 1, "20.00");
    add_cancelation(&h, &format!("{id}-2"), "77", 1, "40.00");
    h.run_minutes(3);
    assert_eq!(shop_refunds(&h, wc).len(), 2);
    assert_eq!(h.shop.stock("A"), Some(9));
    assert_eq!(h.shop.stock("B"), Some(5));
}

#[test]
fn entries_listed_after_a_whole_line_cancel_are_not_refunded_again() {
    let mut h = harness(test_settings());
    let (id, wc) = accepted(&mut h);
    h.run_minutes(2);
    h.sandbox.with_state(|s| {
        let now = s.now();
        let order = s.orders.iter_mut().find(|o| o.order_id == id).unwrap();
        order.last_updated = now;
        order.lines[1].state = "CANCELED".to_owned();
        order.lines[1].last_updated = now;
    });
    h.run_minutes(3);
    assert_eq!(shop_refunds(&h, wc).len(), 1);
    // Mirakl now lists the cancelation behind it.
    add_cancelation(&h, &format!("{id}-2"), "8100", 1, "40.00");
    h.run_minutes(3);
    assert_eq!(shop_refunds(&h, wc).len(), 1, "not a second refund");
    assert_eq!(h.shop.stock("B"), Some(5), "not a second restock");
}
