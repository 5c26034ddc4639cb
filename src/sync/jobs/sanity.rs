//! Order sanity: the rules an OR11 order must pass before anything is written for it (a shop
//! order created, lines accepted on Mirakl), and the cleaning of the text it carries into the shop.
//!
//! Invariants of an order that passes [`check`]: at most `max_order_lines` lines; every line has
//! a quantity from 1 to 2^31−1 (OR11's int32) and a SKU of at most [`MAX_SKU_CHARS`] characters
//! with no control character; every amount (prices, shipping, taxes, commission, fees,
//! promotions) is at most [`MAX_AMOUNT`] in size and prices, shipping and taxes are not negative;
//! the totals add up as the OpenAPI contract states (line `total_price` = `price` +
//! `shipping_price` + fees; order `price` and `shipping_price` = the lines' sums, order
//! `total_price` = `price` + `shipping_price` + fees) within [`ROUNDING_TOLERANCE`] a term. With
//! those bounds no sum or product the draft makes can overflow a `Decimal`, and the sums made here
//! are checked all the same. The line count is checked first, so a huge order is refused without
//! looking at its lines.

use std::fmt;

use rust_decimal::Decimal;

use crate::mirakl::orders::{Order, OrderLine, OrderState};

/// The largest amount accepted anywhere in an order: far above any real order in any currency,
/// and far enough below `Decimal::MAX` (about 7.9e28) that sums of thousands of them cannot
/// overflow.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);
/// The largest line quantity: OR11 sends it as an int32.
pub const MAX_QUANTITY: i64 = i32::MAX as i64;
/// Longest SKU accepted, in characters.
pub const MAX_SKU_CHARS: usize = 255;
/// How far a total may be from the sum of its parts, per summed term (cents rounded by Mirakl).
pub(crate) const ROUNDING_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 2);
/// Most violations named in one problem; scanning stops there.
const MAX_VIOLATIONS: usize = 10;

/// A rule an order breaks, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    /// The rule's stable name (`quantity`, `line_total`...), kept in the problem's details.
    pub rule: &'static str,
    /// The line (1-based position, Mirakl line id), or `None` for the order as a whole.
    pub line: Option<(usize, String)>,
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.line {
            Some((position, id)) => write!(f, "line {position} ({id}): {}", self.detail),
            None => write!(f, "order: {}", self.detail),
        }
    }
}

/// The rules `order` breaks (at most [`MAX_VIOLATIONS`]); empty when it may be imported.
pub(crate) fn check(order: &Order, max_order_lines: usize) -> Vec<Violation> {
    let count = order.order_lines.len();
    if count > max_order_lines {
        return vec![Violation {
            rule: "line_count",
            line: None,
            detail: format!(
                "{count} lines, more than the {max_order_lines} an order may have (setting \
                 max_order_lines)"
            ),
        }];
    }
    let mut found = Vec::new();
    for (index, line) in order.order_lines.iter().enumerate() {
        check_line(line, index + 1, &mut found);
        if found.len() >= MAX_VIOLATIONS {
            found.truncate(MAX_VIOLATIONS);
            return found;
        }
    }
    if found.is_empty() {
        check_order_totals(order, &mut found);
    }
    found
}

fn check_line(line: &OrderLine, position: usize, found: &mut Vec<Violation>) {
    let at = || Some((position, clean_id(&line.order_line_id)));
    let mut violation = |rule: &'static str, detail: String| {
        found.push(Violation {
            rule,
            line: at(),
            detail,
        })
    };
    match line.quantity {
        None => violation("quantity", "no quantity".to_owned()),
        Some(quantity) if !(1..=MAX_QUANTITY).contains(&quantity) => violation(
            "quantity",
            format!("quantity must be from 1 to {MAX_QUANTITY}, not {quantity}"),
        ),
        Some(_) => {}
    }
    match line.offer_sku.as_deref() {
        Some(sku) if sku.chars().any(char::is_control) => violation(
            "sku",
            format!(
                "the SKU {:?} contains control characters",
                single_line(sku, 64)
            ),
        ),
        Some(sku) if sku.chars().count() > MAX_SKU_CHARS => violation(
            "sku",
            format!("the SKU is longer than {MAX_SKU_CHARS} characters"),
        ),
        _ => {}
    }
    let not_negative = [
        ("price", line.price),
        ("price_unit", line.price_unit),
        ("shipping_price", line.shipping_price),
        ("total_price", line.total_price),
    ];
    let taxes = line.taxes.iter().map(|t| ("taxes", t.amount)).chain(
        line.shipping_taxes
            .iter()
            .map(|t| ("shipping_taxes", t.amount)),
    );
    for (name, amount) in not_negative.into_iter().chain(taxes) {
        if let Some(amount) = amount {
            if amount.is_sign_negative() && !amount.is_zero() {
                violation(
                    "amount_negative",
                    format!("{name} must not be negative, not {amount}"),
                );
            } else if amount > MAX_AMOUNT {
                violation(
                    "amount_too_large",
                    format!("{name} {amount} is larger than {MAX_AMOUNT}"),
                );
            }
        }
    }
    let signed = [
        ("origin_unit_price", line.origin_unit_price),
        ("commission_fee", line.commission_fee),
        ("commission_vat", line.commission_vat),
        ("total_commission", line.total_commission),
    ]
    .into_iter()
    .chain(line.fees.iter().map(|f| ("fees", f.amount)))
    .chain(
        line.promotions
            .iter()
            .map(|p| ("promotions", p.deduced_amount)),
    )
    .chain(
        line.commission_taxes
            .iter()
            .map(|t| ("commission_taxes", t.amount)),
    );
    for (name, amount) in signed {
        if let Some(amount) = amount {
            if amount.abs() > MAX_AMOUNT {
                violation(
                    "amount_too_large",
                    format!("{name} {amount} is larger than {MAX_AMOUNT} in size"),
                );
            }
        }
    }
    if let (Some(total), Some(price)) = (line.total_price, line.price) {
        let parts = [Some(price), line.shipping_price]
            .into_iter()
            .flatten()
            .chain(line.fees.iter().filter_map(|f| f.amount));
        match checked_sum(parts) {
            None => violation("arithmetic", "its amounts overflow when added".to_owned()),
            Some(sum) if !within(total, sum, 1 + line.fees.len()) => violation(
                "line_total",
                format!("total_price {total} is not price + shipping_price + fees ({sum})"),
            ),
            Some(_) => {}
        }
    }
}

/// The order's own figures against its lines. Only while every line is still to be decided
/// (WAITING_ACCEPTANCE): once lines are refused Mirakl's order sums may leave them out.
fn check_order_totals(order: &Order, found: &mut Vec<Violation>) {
    let violation = |rule: &'static str, detail: String| Violation {
        rule,
        line: None,
        detail,
    };
    let before = found.len();
    for (name, amount) in [
        ("price", order.price),
        ("shipping_price", order.shipping_price),
        ("total_price", order.total_price),
    ] {
        match amount {
            Some(a) if a.is_sign_negative() && !a.is_zero() => found.push(violation(
                "amount_negative",
                format!("{name} must not be negative, not {a}"),
            )),
            Some(a) if a > MAX_AMOUNT => found.push(violation(
                "amount_too_large",
                format!("{name} {a} is larger than {MAX_AMOUNT}"),
            )),
            _ => {}
        }
    }
    if found.len() > before || order.order_state != OrderState::WaitingAcceptance {
        return;
    }
    let lines = order.order_lines.len();
    let line_prices = checked_sum(order.order_lines.iter().filter_map(|l| l.price));
    let line_shipping = checked_sum(order.order_lines.iter().filter_map(|l| l.shipping_price));
    let fees = checked_sum(
        order
            .order_lines
            .iter()
            .flat_map(|l| l.fees.iter().filter_map(|f| f.amount)),
    );
    let (Some(line_prices), Some(line_shipping), Some(fees)) = (line_prices, line_shipping, fees)
    else {
        found.push(violation(
            "arithmetic",
            "the lines' amounts overflow when added".to_owned(),
        ));
        return;
    };
    if let Some(price) = order.price {
        if !within(price, line_prices, lines) {
            found.push(violation(
                "order_price",
                format!("price {price} is not the sum of the lines' prices ({line_prices})"),
            ));
        }
    }
    if let Some(shipping) = order.shipping_price {
        if !within(shipping, line_shipping, lines) {
            found.push(violation(
                "order_shipping",
                format!(
                    "shipping_price {shipping} is not the sum of the lines' shipping \
                     ({line_shipping})"
                ),
            ));
        }
    }
    if let (Some(total), Some(price)) = (order.total_price, order.price) {
        let parts = [price, order.shipping_price.unwrap_or_default(), fees];
        match checked_sum(parts.into_iter()) {
            None => found.push(violation(
                "arithmetic",
                "its amounts overflow when added".to_owned(),
            )),
            Some(sum) if !within(total, sum, lines.saturating_add(2)) => found.push(violation(
                "order_total",
                format!("total_price {total} is not price + shipping_price + fees ({sum})"),
            )),
            Some(_) => {}
        }
    }
}

/// The sum, or `None` when it overflows.
fn checked_sum(mut amounts: impl Iterator<Item = Decimal>) -> Option<Decimal> {
    amounts.try_fold(Decimal::ZERO, |sum, amount| sum.checked_add(amount))
}

/// Whether `total` is `sum` within the rounding tolerance of `terms` rounded terms.
fn within(total: Decimal, sum: Decimal, terms: usize) -> bool {
    let allowed = ROUNDING_TOLERANCE
        .checked_mul(Decimal::from(terms.max(1)))
        .unwrap_or(Decimal::MAX);
    total
        .checked_sub(sum)
        .is_some_and(|difference| difference.abs() <= allowed)
}

/// A line id fit for a message.
fn clean_id(id: &str) -> String {
    single_line(id, 64)
}

/// Text for one line of the shop (a name, an address field): control characters and NUL
/// removed (tabs and line breaks become spaces), trimmed, at most `max` characters.
pub(crate) fn single_line(text: &str, max: usize) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .take(max)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order(lines: Vec<serde_json::Value>) -> Order {
        serde_json::from_value(json!({
            "order_id": "O-1",
            "order_state": "WAITING_ACCEPTANCE",
            "order_lines": lines,
        }))
        .expect("order")
    }

    fn line(id: &str, quantity: i64, price: &str) -> serde_json::Value {
        json!({
            "order_line_id": id,
            "order_line_state": "WAITING_ACCEPTANCE",
            "offer_sku": "SKU-1",
            "quantity": quantity,
            "price": price,
            "shipping_price": "0",
        })
    }

    fn rules(order: &Order) -> Vec<&'static str> {
        check(order, 500).iter().map(|v| v.rule).collect()
    }

    #[test]
    fn the_bounds_are_the_documented_ones() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_000_i64));
        assert_eq!(ROUNDING_TOLERANCE, Decimal::new(1, 2));
    }

    #[test]
    fn a_plain_order_passes() {
        let mut plain = line("L1", 2, "40.00");
        plain["total_price"] = json!("45.00");
        plain["shipping_price"] = json!("5.00");
        let mut o = order(vec![plain, line("L2", 1, "7")]);
        o.price = Some(Decimal::new(4700, 2));
        o.shipping_price = Some(Decimal::from(5));
        o.total_price = Some(Decimal::new(5201, 2));
        assert!(check(&o, 500).is_empty(), "{:?}", check(&o, 500));
    }

    #[test]
    fn quantities_below_one_are_named_with_their_line() {
        let o = order(vec![
            line("L1", 1, "1"),
            line("L2", -3, "1"),
            line("L3", 0, "1"),
        ]);
        let found = check(&o, 500);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].to_string(),
            "line 2 (L2): quantity must be from 1 to 2147483647, not -3"
        );
        assert_eq!(found[1].line, Some((3, "L3".to_owned())));
        let mut missing = line("L1", 1, "1");
        missing.as_object_mut().unwrap().remove("quantity");
        assert_eq!(rules(&order(vec![missing])), ["quantity"]);
    }

    #[test]
    fn negative_and_huge_amounts_are_refused_without_overflow() {
        let mut negative = line("L1", 1, "-5");
        negative["taxes"] = json!([{ "amount": "-1" }]);
        assert_eq!(
            rules(&order(vec![negative])),
            ["amount_negative", "amount_negative"]
        );
        // 1e25 never decodes (the model bounds Mirakl's decimals); were it built by hand,
        // 1e25 × 10000 would overflow a Decimal: a clear violation, no panic.
        let decoded: Result<Order, _> = serde_json::from_value(json!({
            "order_id": "O-1",
            "order_state": "WAITING_ACCEPTANCE",
            "order_lines": [line("L1", 10_000, "10000000000000000000000000")],
        }));
        assert!(decoded.is_err());
        let mut built = order(vec![line("L1", 10_000, "1")]);
        built.order_lines[0].price = Some("10000000000000000000000000".parse().unwrap());
        built.order_lines[0].price_unit = built.order_lines[0].price;
        let found = check(&built, 500);
        assert!(
            found.iter().all(|v| v.rule == "amount_too_large"),
            "{found:?}"
        );
        assert!(found[0].detail.contains("larger than 1000000000000000"));
        // The largest amounts that pass still add up without overflowing.
        let lines: Vec<_> = (0..500)
            .map(|i| line(&format!("L{i}"), i32::MAX.into(), "1000000000000000"))
            .collect();
        let mut o = order(lines);
        o.price = Some(Decimal::from(500) * MAX_AMOUNT);
        assert_eq!(
            rules(&o),
            ["amount_too_large"],
            "the order's price, not a panic"
        );
    }

    #[test]
    fn totals_must_add_up_within_the_rounding_tolerance() {
        let mut off = line("L1", 1, "10.00");
        off["total_price"] = json!("10.02");
        assert_eq!(rules(&order(vec![off])), ["line_total"]);
        let mut cent = line("L1", 1, "10.00");
        cent["total_price"] = json!("10.01");
        assert!(rules(&order(vec![cent])).is_empty());
        let mut with_fee = line("L1", 1, "10.00");
        with_fee["fees"] = json!([{ "code": "F", "amount": "1.50" }]);
        with_fee["total_price"] = json!("11.50");
        assert!(rules(&order(vec![with_fee])).is_empty());

        let mut o = order(vec![line("L1", 1, "10"), line("L2", 1, "5")]);
        o.price = Some(Decimal::from(16));
        assert_eq!(rules(&o), ["order_price"]);
        o.price = Some(Decimal::from(15));
        o.shipping_price = Some(Decimal::ONE);
        assert_eq!(rules(&o), ["order_shipping"]);
        o.shipping_price = Some(Decimal::ZERO);
        o.total_price = Some(Decimal::from(14));
        assert_eq!(rules(&o), ["order_total"]);
        o.total_price = Some(Decimal::from(15));
        assert!(rules(&o).is_empty());
        // Once lines are decided, Mirakl's order sums may leave refused lines out.
        o.order_state = OrderState::Shipping;
        o.price = Some(Decimal::from(10));
        o.total_price = Some(Decimal::from(10));
        assert!(rules(&o).is_empty());
    }

    #[test]
    fn skus_with_control_characters_or_too_long_are_refused() {
        let mut nul = line("L1", 1, "1");
        nul["offer_sku"] = json!("SKU\u{0}1");
        let mut long = line("L2", 1, "1");
        long["offer_sku"] = json!("S".repeat(300));
        assert_eq!(rules(&order(vec![nul, long])), ["sku", "sku"]);
    }

    #[test]
    fn a_huge_order_is_refused_by_its_line_count_alone() {
        let lines: Vec<_> = (0..100_000)
            .map(|i| line(&format!("L{i}"), -1, "-1"))
            .collect();
        let o = order(lines);
        let found = check(&o, 500);
        assert_eq!(found.len(), 1, "the lines are not looked at");
        assert_eq!(found[0].rule, "line_count");
        assert_eq!(
            found[0].to_string(),
            "order: 100000 lines, more than the 500 an order may have (setting max_order_lines)"
        );
    }

    #[test]
    fn at_most_ten_violations_are_collected() {
        let lines: Vec<_> = (0..400).map(|i| line(&format!("L{i}"), 0, "1")).collect();
        assert_eq!(check(&order(lines), 500).len(), MAX_VIOLATIONS);
    }

    #[test]
    fn single_line_text_loses_control_characters() {
        assert_eq!(
            single_line(" Ly\u{0}on\u{1b}[31m\r\nCedex ", 100),
            "Lyon[31m  Cedex"
        );
        assert_eq!(single_line("abcdef", 3), "abc");
        assert_eq!(single_line("\u{7f}\u{9b}x", 10), "x");
    }
}
