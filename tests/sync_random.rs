//! A randomised run: long seeded sequences of shop and marketplace events (stock changes, orders,
//! payments, shipments, refunds on both sides, cancellations) under random faults and crashes,
//! with the invariants checked along the way and once everything has settled.
//! `SYNC_RANDOM_SEEDS=1,2,3 SYNC_RANDOM_STEPS=600` widens the run.

mod sync_support;

use std::collections::BTreeMap;

use mirakl_connector::sync::memory::ShopOp;
use mirakl_connector::sync::{events, SyncSettings};
use mirakl_connector::vocab::ProblemKind;
use mirakl_sandbox::{Fault, FaultRule, SandboxConfig, Trigger};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use sync_support::{test_settings, Harness};

const SKUS: usize = 12;
const AFTER_LEASES: i64 = 6 * 60;

fn seeds() -> Vec<u64> {
    std::env::var("SYNC_RANDOM_SEEDS")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![11, 23])
}

fn steps() -> u32 {
    std::env::var("SYNC_RANDOM_STEPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(180)
}

fn sku(i: usize) -> String {
    format!("R-{i:02}")
}

const CRASH_OPS: [ShopOp; 7] = [
    ShopOp::ReadStock,
    ShopOp::FindOrder,
    ShopOp::CreateOrder,
    ShopOp::SetStatus,
    ShopOp::Cancel,
    ShopOp::ReadRefund,
    ShopOp::RecordRefund,
];

fn random_faults(rng: &mut StdRng) -> Vec<FaultRule> {
    let mut rules = Vec::new();
    let mut add = |route: &str, fault: Fault, p: f64| {
        rules.push(FaultRule {
            route: route.to_owned(),
            fault,
            trigger: Trigger::Probability(p),
        })
    };
    if rng.gen_bool(0.5) {
        add(
            "*",
            Fault::Status {
                status: 429,
                retry_after_secs: Some(20),
            },
            0.3,
        );
    }
    if rng.gen_bool(0.5) {
        add(
            "*",
            Fault::Status {
                status: 503,
                retry_after_secs: None,
            },
            0.15,
        );
    }
    if rng.gen_bool(0.5) {
        add(
            "*",
            Fault::Status {
                status: 500,
                retry_after_secs: None,
            },
            0.1,
        );
    }
    for write in ["OR21", "OR28", "ST01", "OR24", "STO01"] {
        if rng.gen_bool(0.4) {
            add(write, Fault::DropAfterProcessing, 0.3);
        }
    }
    if rng.gen_bool(0.3) {
        add("OR11", Fault::MalformedJson, 0.2);
    }
    rules
}

struct Run {
    h: Harness,
    rng: StdRng,
    marketplace_refunds: usize,
}

impl Run {
    fn new(seed: u64) -> Run {
        let config = SandboxConfig::for_tests()
            .seed(seed)
            .acceptance_window_secs(4 * 3600);
        let settings = SyncSettings {
            acceptance_window_hours: 4,
            stock_buffer: 1,
            ..test_settings()
        };
        let mut h = Harness::with(config, settings);
        let mut rng = StdRng::seed_from_u64(seed);
        for i in 0..SKUS {
            let stock = rng.gen_range(0..15);
            h.add_product(&sku(i), stock, rng.gen_range(5..40));
            // The marketplace starts from what the shop shows it.
            h.sandbox.with_state(|s| {
                s.live_offer_mut(&sku(i))
                    .map(|o| o.quantity = (stock - 1).max(0))
            });
        }
        h.tick();
        Run {
            h,
            rng,
            marketplace_refunds: 0,
        }
    }

    fn random_event(&mut self) {
        let roll: f64 = self.rng.gen();
        let h = &mut self.h;
        if roll < 0.30 {
            let i = self.rng.gen_range(0..SKUS);
            let stock = self.rng.gen_range(0..15);
            h.set_stock(&sku(i), stock);
        } else if roll < 0.52 {
            let _ = h.sandbox.create_random_order();
        } else if roll < 0.64 {
            let waiting: Vec<String> = h.sandbox.with_state(|s| {
                s.orders
                    .iter()
                    .filter(|o| o.state == "WAITING_DEBIT_PAYMENT")
                    .map(|o| o.order_id.clone())
                    .collect()
            });
            if let Some(id) = pick(&mut self.rng, &waiting) {
                let _ = h.sandbox.debit(&id);
            }
        } else if roll < 0.74 {
            let processing: Vec<i64> = h
                .shop
                .orders
                .values()
                .filter(|o| o.status == "processing" && !o.cancelled)
                .map(|o| o.id)
                .collect();
            if let Some(wc) = pick(&mut self.rng, &processing) {
                let carrier = if self.rng.gen_bool(0.9) {
                    "Colissimo"
                } else {
                    "Unknown Van"
                };
                h.shop.ship(wc, carrier, "TRK");
                events::order_shipped(&h.store, wc).unwrap();
            }
        } else if roll < 0.84 {
            let shipped: Vec<i64> = h
                .shop
                .orders
                .values()
                .filter(|o| !o.cancelled && o.tracking.is_some())
                .map(|o| o.id)
                .collect();
            if let Some(wc) = pick(&mut self.rng, &shipped) {
                let order = &h.shop.orders[&wc];
                let line = &order.draft.lines[self.rng.gen_range(0..order.draft.lines.len())];
                // Sometimes more than the line: the over-refund guard must stop it.
                let cap = (line.price * Decimal::from(3) / Decimal::from(2)).round();
                let amount = Decimal::from(
                    self.rng
                        .gen_range(1..=cap.max(Decimal::ONE).mantissa().max(1) as i64),
                )
                .min(cap);
                let sku = line.sku.clone();
                let quantity = line.quantity;
                let refund = h
                    .shop
                    .refund(wc, &[(&sku, quantity, amount)], Decimal::ZERO);
                events::refund_created(&h.store, refund).unwrap();
            }
        } else if roll < 0.90 {
            let refundable: Vec<(String, Decimal)> = h.sandbox.with_state(|s| {
                s.orders
                    .iter()
                    .filter(|o| matches!(o.state.as_str(), "SHIPPING" | "SHIPPED"))
                    .flat_map(|o| {
                        o.lines
                            .iter()
                            .filter(|l| l.is_live())
                            .map(|l| (l.order_line_id.clone(), l.unit_price - l.refunded_price()))
                    })
                    .filter(|(_, left)| *left >= Decimal::ONE)
                    .collect()
            });
            if let Some((line_id, _)) = pick(&mut self.rng, &refundable) {
                let done = h.sandbox.with_state(|s| {
                    s.refund(
                        &[mirakl_sandbox::state::RefundRequest {
                            order_line_id: line_id.clone(),
                            amount: Decimal::ONE,
                            shipping_amount: Decimal::ZERO,
                            quantity: 0,
                            reason_code: "16".to_owned(),
                            taxes: None,
                            shipping_taxes: None,
                            currency_iso_code: None,
                        }],
                        mirakl_sandbox::model::TaxMode::Included,
                    )
                });
                if done.is_ok() {
                    self.marketplace_refunds += 1;
                }
            }
        } else if roll < 0.94 {
            let cancellable: Vec<String> = h.sandbox.with_state(|s| {
                s.orders
                    .iter()
                    .filter(|o| o.can_cancel())
                    .map(|o| o.order_id.clone())
                    .collect()
            });
            if let Some(id) = pick(&mut self.rng, &cancellable) {
                let _ = h.sandbox.with_state(|s| s.cancel_order(&id));
            }
        }
    }

    fn step(&mut self, faults_on: bool) {
        if faults_on && self.rng.gen_bool(0.04) {
            let op = CRASH_OPS[self.rng.gen_range(0..CRASH_OPS.len())];
            let after = self.rng.gen_bool(0.5);
            self.h.advance(60);
            if self.h.tick_crashing_at(op, after) {
                self.h.advance(AFTER_LEASES);
                self.h.restart();
            }
        } else {
            self.h.advance(60);
            self.h.tick();
        }
        self.check_no_double_orders();
    }

    fn check_no_double_orders(&self) {
        let mut per_order: BTreeMap<&str, usize> = BTreeMap::new();
        for order in self.h.shop.orders.values() {
            *per_order
                .entry(order.draft.mirakl_order_id.as_str())
                .or_default() += 1;
        }
        for (id, count) in per_order {
            assert!(count <= 1, "Mirakl order {id} became {count} shop orders");
        }
    }

    fn check_settled(&self, seed: u64) {
        let h = &self.h;
        self.check_no_double_orders();
        // Every order was decided in time: none waiting, none refused by the window.
        let orders = h.sandbox.with_state(|s| s.orders.clone());
        for order in &orders {
            assert_ne!(
                order.state, "WAITING_ACCEPTANCE",
                "seed {seed}: {} still waiting",
                order.order_id
            );
            assert_ne!(
                order.state_reason_code.as_deref(),
                Some("AUTO_REFUSED"),
                "seed {seed}: {} auto-refused",
                order.order_id
            );
            let accepted = order.lines.iter().any(|l| l.state != "REFUSED");
            if accepted {
                assert_eq!(
                    h.shop.orders_for(&order.order_id).len(),
                    1,
                    "seed {seed}: {} lost",
                    order.order_id
                );
            }
            for line in &order.lines {
                let total = line.unit_price * Decimal::from(line.quantity);
                assert!(
                    line.refunded_price() <= total,
                    "seed {seed}: {} over-refunded",
                    line.order_line_id
                );
            }
        }
        // Refunds: each Mirakl refund belongs to one record; ours were sent once; Mirakl's were
        // mirrored once and never sent back.
        let mirakl_refunds: usize = orders
            .iter()
            .flat_map(|o| &o.lines)
            .map(|l| l.refunds.len())
            .sum();
        let records = h.store.list_refunds(None, 100_000, 0).unwrap();
        let mut ids: Vec<&String> = records.iter().flat_map(|r| &r.mirakl_refund_ids).collect();
        let recorded = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(
            ids.len(),
            recorded,
            "seed {seed}: a Mirakl refund recorded twice"
        );
        // A Mirakl refund WooCommerce refuses (the shop already refunded the order's total) is
        // raised as a conflict on that refund instead of being recorded.
        let conflicts: Vec<String> = self
            .h
            .store
            .list_problems(&mirakl_connector::store::ProblemFilter {
                limit: 100_000,
                ..mirakl_connector::store::ProblemFilter::open()
            })
            .unwrap()
            .into_iter()
            .filter(|p| p.kind == ProblemKind::MarketplaceRefundConflict.as_str())
            .map(|p| p.entity_id)
            .collect();
        for conflict in &conflicts {
            assert!(
                !ids.contains(&conflict),
                "seed {seed}: Mirakl refund {conflict} both recorded and raised as a conflict"
            );
        }
        assert_eq!(
            recorded + conflicts.len(),
            mirakl_refunds,
            "seed {seed}: Mirakl refunds {mirakl_refunds}, recorded {recorded}, raised {}",
            conflicts.len()
        );
        let mirrored = h
            .shop
            .refunds
            .values()
            .filter(|r| r.mirakl_refund_id.is_some())
            .count();
        assert_eq!(
            mirrored + conflicts.len(),
            self.marketplace_refunds,
            "seed {seed}: mirrored refunds (and conflicts raised)"
        );
        self.check_stock(seed);
        h.calls.assert_within_budgets();
    }

    /// The marketplace shows the shop's truth (no order is waiting once faults have stopped).
    fn check_stock(&self, seed: u64) {
        for i in 0..SKUS {
            let sku = sku(i);
            assert_eq!(
                self.h.mirakl_quantity(&sku),
                self.h.expected_quantity(&sku),
                "seed {seed}: stock of {sku}"
            );
        }
    }
}

fn pick<T: Clone>(rng: &mut StdRng, items: &[T]) -> Option<T> {
    if items.is_empty() {
        None
    } else {
        Some(items[rng.gen_range(0..items.len())].clone())
    }
}

#[test]
fn random_event_sequences_under_faults_keep_the_invariants() {
    for seed in seeds() {
        let mut run = Run::new(seed);
        let steps = steps();
        let fault_window = steps / 5..steps * 3 / 5;
        let mut faults_on = false;
        for step in 0..steps {
            let in_window = fault_window.contains(&step);
            if in_window && !faults_on {
                for rule in random_faults(&mut run.rng) {
                    run.h.sandbox.add_fault(rule);
                }
                faults_on = true;
            }
            if !in_window && faults_on {
                run.h.sandbox.clear_faults();
                faults_on = false;
            }
            for _ in 0..run.rng.gen_range(0..3) {
                run.random_event();
            }
            run.step(faults_on);
        }
        run.h.sandbox.clear_faults();
        // Quiet: within two stock slots (the push interval, twice) the marketplace shows the
        // shop's stock again; then every queue drains.
        let two_slots = 2 * run.h.settings.stock_push_interval_secs / 60 + 1;
        for _ in 0..two_slots {
            run.h.advance(60);
            run.h.tick();
        }
        run.check_stock(seed);
        for _ in 0..30 {
            run.h.advance(60);
            run.h.tick();
        }
        run.check_settled(seed);
        let (orders, refused) = run.h.sandbox.with_state(|s| {
            (
                s.orders.len(),
                s.orders.iter().filter(|o| o.state == "REFUSED").count(),
            )
        });
        eprintln!(
            "seed {seed}: {orders} marketplace orders ({refused} refused), {} shop orders, {} shop refunds, {} marketplace refunds, {} problems open",
            run.h.shop.orders.len(),
            run.h.shop.refunds.len(),
            run.marketplace_refunds,
            run.h.store.count_open_problems().unwrap().iter().map(|(_, n)| n).sum::<u64>()
        );
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        for e in run
            .h
            .store
            .list_problems(&mirakl_connector::store::ProblemFilter {
                limit: 1000,
                ..mirakl_connector::store::ProblemFilter::open()
            })
            .unwrap()
        {
            *kinds.entry(e.kind).or_default() += 1;
        }
        eprintln!("  open problems by kind: {kinds:?}");
    }
}
