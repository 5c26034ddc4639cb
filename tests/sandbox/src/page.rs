//! The console's HTML page: offers, orders and imports at a glance during a demo.
//!
//! Read-only and self-contained (no scripts, no external assets); every value is escaped.
//! Long lists are cut to the most recent rows so the page stays light with 100,000 offers.

use std::fmt::Write;

use crate::clock::format_date;
use crate::state::State;

const ROWS: usize = 200;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn render(state: &State) -> String {
    let mut html = String::with_capacity(64 * 1024);
    let _ = write!(
        html,
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"5\">\
         <title>Mirakl sandbox</title><style>body{{font-family:sans-serif;margin:1.5em}}table{{border-collapse:collapse;margin-bottom:2em}}\
         td,th{{border:1px solid #ccc;padding:2px 8px;font-size:13px}}th{{background:#eee}}</style></head><body>\
         <h1>Mirakl sandbox — {}</h1><p>Shop {} · sandbox time {} · {} offers · {} orders · balance {}</p>",
        escape(&state.config.shop_name),
        state.config.shop_id,
        format_date(state.now()),
        state.offers.iter().filter(|o| !o.deleted).count(),
        state.orders.len(),
        state.balance
    );
    html.push_str("<h2>Orders</h2><table><tr><th>order</th><th>state</th><th>created</th><th>lines</th><th>customer</th><th>deadline</th></tr>");
    for order in state.orders.iter().rev().take(ROWS) {
        let lines: Vec<String> = order
            .lines
            .iter()
            .map(|l| {
                format!(
                    "{} × {} ({})",
                    l.quantity,
                    escape(&l.offer_sku),
                    escape(&l.state)
                )
            })
            .collect();
        let deadline = match order.state.as_str() {
            "WAITING_ACCEPTANCE" | "STAGING" => {
                format!("accept by {}", format_date(order.acceptance_deadline))
            }
            _ => order
                .shipping_deadline
                .map(|d| format!("ship by {}", format_date(d)))
                .unwrap_or_default(),
        };
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td></tr>",
            escape(&order.order_id),
            escape(&order.state),
            format_date(order.created_date),
            lines.join("<br>"),
            escape(&order.customer.firstname),
            escape(&order.customer.lastname),
            deadline
        );
    }
    html.push_str("</table><h2>Imports</h2><table><tr><th>id</th><th>kind</th><th>mode</th><th>status</th><th>read</th><th>ok</th><th>errors</th></tr>");
    for import in state.imports.iter().rev().take(ROWS) {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            import.import_id,
            escape(&import.kind),
            escape(&import.mode),
            escape(&import.status),
            import.lines_read,
            import.lines_in_success,
            import.lines_in_error
        );
    }
    html.push_str("</table><h2>Offers</h2><table><tr><th>sku</th><th>title</th><th>price</th><th>quantity</th><th>updated</th></tr>");
    let mut offers: Vec<_> = state.offers.iter().filter(|o| !o.deleted).collect();
    offers.sort_by_key(|o| std::cmp::Reverse(o.last_updated));
    for offer in offers.iter().take(ROWS) {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&offer.shop_sku),
            escape(&offer.product_title),
            offer.selling_price(),
            offer.quantity,
            format_date(offer.last_updated)
        );
    }
    html.push_str("</table></body></html>");
    html
}
