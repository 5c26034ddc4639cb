//! OR11 pages read as a stream, one order at a time.
//!
//! An OR11 page is `{"orders": [...], "total_count": N}`, and it may be far larger than anything
//! the connector should hold in memory: a broken or hostile server can send one order of 100,000
//! lines (about 150 MB) beside a well-formed one. [`split`] reads the page from the wire without
//! keeping it: each order's JSON text is kept when it is at most `per_order` bytes; a larger one
//! is dropped as it streams by, and only what names it is kept (its `order_id`, its count of
//! `order_lines`, its size). Every kept order must be one JSON value on its own; one that is not
//! is also dropped and named. [`PageParts::to_json`] gives the page back as the connector's own
//! JSON (`orders` verbatim, `total_count`, `unreadable_orders`), which the sync decodes order by
//! order.
//!
//! Invariants: memory is bounded by `kept` (the orders kept, in total) plus one order and at most
//! [`MAX_ORDERS`] small records of dropped ones; the wire is read at most up to `streamed` bytes;
//! nesting is counted without recursion (one bit per level), so no depth overflows a stack. Keys
//! are compared as serde_json reads them (escapes decoded); `orders` or `total_count` given twice
//! make the page malformed, as they make it for serde_json's typed decoding. This module only finds where values start and end
//! (strings and escapes honoured, brackets matched); what an order means is serde_json's job,
//! on each kept order alone.

use std::io::BufRead;

/// How much of an OR11 page is read and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitLimits {
    /// The most bytes one order may have to be kept.
    pub per_order: u64,
    /// The most bytes all kept orders may have together.
    pub kept: u64,
    /// The most bytes read from the answer (after inflating), kept or not.
    pub streamed: u64,
}

/// An order of the page the connector did not keep, with what names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnreadableOrder {
    /// Its `order_id` when it has one as a string (control characters removed, 100 at most).
    pub order_id: Option<String>,
    /// Its size in bytes as sent.
    pub bytes: u64,
    /// How many `order_lines` it has, when it has a list of them.
    pub lines: Option<u64>,
    /// Why it was dropped: `too_large`, or `malformed: <what serde_json said>`.
    pub reason: String,
}

/// What [`split`] read from a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageParts {
    /// Each kept order's JSON text, as sent (whitespace between tokens removed).
    pub orders: Vec<Vec<u8>>,
    pub unreadable: Vec<UnreadableOrder>,
    /// `total_count` as sent (one JSON value of at most 64 bytes).
    pub total_count: Option<Vec<u8>>,
}

impl PageParts {
    /// The page as JSON: `{"orders":[...],"total_count":...,"unreadable_orders":[...]}`. Every
    /// kept order was checked to be one JSON value, so this is valid JSON.
    pub fn to_json(&self) -> Vec<u8> {
        let size = self.orders.iter().map(|o| o.len() + 1).sum::<usize>() + 128;
        let mut out = Vec::with_capacity(size);
        out.extend_from_slice(b"{\"orders\":[");
        for (index, order) in self.orders.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            out.extend_from_slice(order);
        }
        out.push(b']');
        if let Some(total) = &self.total_count {
            out.extend_from_slice(b",\"total_count\":");
            out.extend_from_slice(total);
        }
        out.extend_from_slice(b",\"unreadable_orders\":");
        out.extend_from_slice(
            &serde_json::to_vec(&self.unreadable).unwrap_or_else(|_| b"[]".to_vec()),
        );
        out.push(b'}');
        out
    }
}

/// Why a page could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SplitError {
    /// More than `limit` bytes streamed, or kept.
    #[error("the answer exceeded {limit} bytes")]
    TooLarge { limit: u64 },
    /// The page is not an OR11 page (or is cut short): the message says where.
    #[error("the answer is not an OR11 page: {0}")]
    Malformed(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Reads one OR11 page from `reader` within `limits`.
pub fn split(reader: impl BufRead, limits: SplitLimits) -> Result<PageParts, SplitError> {
    let mut scan = Scan {
        inner: reader,
        read: 0,
        cap: limits.streamed,
    };
    let mut parts = PageParts::default();
    let mut kept: u64 = 0;
    let (mut seen_orders, mut seen_total) = (false, false);
    scan.expect(b'{', &mut Keep::off())?;
    if scan.ws()? == Some(b'}') {
        scan.bump()?;
    } else {
        loop {
            let mut key = Keep::new(KEY_CAP);
            scan.string(&mut key)?;
            scan.expect(b':', &mut Keep::off())?;
            match key_name(&key).as_deref() {
                Some("orders") => {
                    if std::mem::replace(&mut seen_orders, true) {
                        return Err(SplitError::Malformed("`orders` is given twice".to_owned()));
                    }
                    orders(&mut scan, limits, &mut kept, &mut parts)?;
                }
                Some("total_count") => {
                    if std::mem::replace(&mut seen_total, true) {
                        return Err(SplitError::Malformed(
                            "`total_count` is given twice".to_owned(),
                        ));
                    }
                    let mut total = Keep::new(TOTAL_CAP);
                    scan.value(&mut total)?;
                    // Kept only as one JSON value, so the page given back stays JSON.
                    parts.total_count = total
                        .text()
                        .filter(|t| {
                            serde_json::from_slice::<&serde_json::value::RawValue>(t).is_ok()
                        })
                        .map(<[u8]>::to_vec);
                }
                _ => scan.value(&mut Keep::off())?,
            }
            match scan.ws()? {
                Some(b',') => {
                    scan.bump()?;
                }
                Some(b'}') => {
                    scan.bump()?;
                    break;
                }
                other => return Err(unexpected(other, "after a member of the page")),
            }
        }
    }
    if let Some(byte) = scan.ws()? {
        return Err(unexpected(Some(byte), "after the page"));
    }
    Ok(parts)
}

/// The most orders one page may list (kept or dropped): ten times the largest page Mirakl serves.
pub const MAX_ORDERS: usize = 1000;
/// The longest key compared (longer keys are none the connector reads).
const KEY_CAP: u64 = 64;
/// The longest reason kept for a dropped order.
const REASON_CAP: usize = 300;
/// The longest `total_count` kept.
const TOTAL_CAP: u64 = 64;
/// The longest `order_id` (as JSON text) kept to name an order.
const ORDER_ID_CAP: u64 = 512;

/// The `orders` member: `null` or a list of orders.
fn orders<R: BufRead>(
    scan: &mut Scan<R>,
    limits: SplitLimits,
    kept: &mut u64,
    parts: &mut PageParts,
) -> Result<(), SplitError> {
    match scan.ws()? {
        Some(b'n') => {
            let mut null = Keep::new(4);
            scan.value(&mut null)?;
            return match null.text() {
                Some(b"null") => Ok(()),
                _ => Err(unexpected(Some(b'n'), "where the list of orders starts")),
            };
        }
        Some(b'[') => {
            scan.bump()?;
        }
        other => return Err(unexpected(other, "where the list of orders starts")),
    }
    if scan.ws()? == Some(b']') {
        scan.bump()?;
        return Ok(());
    }
    loop {
        if parts.orders.len() + parts.unreadable.len() >= MAX_ORDERS {
            return Err(SplitError::Malformed(format!(
                "more than {MAX_ORDERS} orders on one page"
            )));
        }
        let order = one_order(scan, limits.per_order)?;
        match order {
            Ok(text) => {
                *kept = kept.saturating_add(text.len() as u64);
                if *kept > limits.kept {
                    return Err(SplitError::TooLarge { limit: limits.kept });
                }
                parts.orders.push(text);
            }
            Err(unreadable) => parts.unreadable.push(unreadable),
        }
        match scan.ws()? {
            Some(b',') => {
                scan.bump()?;
            }
            Some(b']') => {
                scan.bump()?;
                return Ok(());
            }
            other => return Err(unexpected(other, "after an order")),
        }
    }
}

/// One element of `orders`: its text when it is kept, else what names it.
fn one_order<R: BufRead>(
    scan: &mut Scan<R>,
    per_order: u64,
) -> Result<Result<Vec<u8>, UnreadableOrder>, SplitError> {
    let mut keep = Keep::new(per_order);
    let mut order_id = None;
    let mut lines = None;
    if scan.ws()? == Some(b'{') {
        scan.bump_into(&mut keep)?;
        if scan.ws()? == Some(b'}') {
            scan.bump_into(&mut keep)?;
        } else {
            loop {
                let mut key = Keep::new(KEY_CAP);
                scan.string(&mut Tee(&mut keep, &mut key))?;
                scan.expect(b':', &mut keep)?;
                let next = scan.ws()?;
                match (key_name(&key).as_deref(), next) {
                    (Some("order_id"), Some(b'"')) => {
                        let mut id = Keep::new(ORDER_ID_CAP);
                        scan.string(&mut Tee(&mut keep, &mut id))?;
                        // The first one names it (a later duplicate cannot rename it).
                        if order_id.is_none() {
                            order_id = id.text().and_then(order_id_text);
                        }
                    }
                    (Some("order_lines"), Some(b'[')) => {
                        lines = Some(scan.count_elements(&mut keep)?);
                    }
                    _ => scan.value(&mut keep)?,
                }
                match scan.ws()? {
                    Some(b',') => scan.bump_into(&mut keep)?,
                    Some(b'}') => {
                        scan.bump_into(&mut keep)?;
                        break;
                    }
                    other => return Err(unexpected(other, "after a member of an order")),
                }
            }
        }
    } else {
        scan.value(&mut keep)?;
    }
    let bytes = keep.len;
    let unreadable = |reason: String| UnreadableOrder {
        order_id: order_id.clone(),
        bytes,
        lines,
        reason,
    };
    let Some(text) = keep.into_text() else {
        return Ok(Err(unreadable("too_large".to_owned())));
    };
    // One JSON value, checked without recursion: serde_json skips nested values iteratively.
    if let Err(error) = serde_json::from_slice::<&serde_json::value::RawValue>(&text) {
        let reason: String = format!("malformed: {error}")
            .chars()
            .take(REASON_CAP)
            .collect();
        return Ok(Err(unreadable(reason)));
    }
    Ok(Ok(text))
}

/// An `order_id` JSON string as plain text for a message: without control characters nor the
/// invisible ones that reorder or hide text (bidirectional overrides, zero-width marks).
fn order_id_text(json: &[u8]) -> Option<String> {
    let id = serde_json::from_slice::<String>(json).ok()?;
    let text: String = id
        .chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
        })
        .take(100)
        .collect();
    (!text.is_empty()).then_some(text)
}

/// A key as serde_json reads it (escapes decoded); `None` when it was too long to keep.
fn key_name(key: &Keep) -> Option<String> {
    serde_json::from_slice::<String>(key.text()?).ok()
}

fn unexpected(byte: Option<u8>, place: &str) -> SplitError {
    SplitError::Malformed(match byte {
        None => format!("the answer ends {place}"),
        Some(byte) => format!("unexpected {:?} {place}", char::from(byte)),
    })
}

/// Where the bytes of a value go.
trait Sink {
    fn push(&mut self, byte: u8);
}

/// Bytes kept up to a cap: past it the bytes are only counted, and what was kept is freed.
struct Keep {
    buf: Vec<u8>,
    cap: u64,
    len: u64,
    on: bool,
}

impl Keep {
    fn new(cap: u64) -> Keep {
        Keep {
            buf: Vec::new(),
            cap,
            len: 0,
            on: true,
        }
    }

    /// A sink that keeps nothing.
    fn off() -> Keep {
        Keep {
            on: false,
            ..Keep::new(0)
        }
    }

    /// What was kept, when nothing was cut.
    fn text(&self) -> Option<&[u8]> {
        (self.on && self.len <= self.cap).then_some(self.buf.as_slice())
    }

    fn into_text(self) -> Option<Vec<u8>> {
        (self.on && self.len <= self.cap).then_some(self.buf)
    }
}

impl Sink for Keep {
    fn push(&mut self, byte: u8) {
        self.len = self.len.saturating_add(1);
        if !self.on {
            return;
        }
        if self.len <= self.cap {
            self.buf.push(byte);
        } else if !self.buf.is_empty() {
            self.buf = Vec::new();
        }
    }
}

/// Two sinks at once.
struct Tee<'a>(&'a mut Keep, &'a mut Keep);

impl Sink for Tee<'_> {
    fn push(&mut self, byte: u8) {
        self.0.push(byte);
        self.1.push(byte);
    }
}

/// The answer, read a byte at a time through its buffer, at most `cap` bytes.
struct Scan<R> {
    inner: R,
    read: u64,
    cap: u64,
}

impl<R: BufRead> Scan<R> {
    fn peek(&mut self) -> Result<Option<u8>, SplitError> {
        Ok(self.inner.fill_buf()?.first().copied())
    }

    fn bump(&mut self) -> Result<Option<u8>, SplitError> {
        let byte = self.peek()?;
        if byte.is_some() {
            self.inner.consume(1);
            self.read += 1;
            if self.read > self.cap {
                return Err(SplitError::TooLarge { limit: self.cap });
            }
        }
        Ok(byte)
    }

    fn bump_into(&mut self, sink: &mut impl Sink) -> Result<(), SplitError> {
        if let Some(byte) = self.bump()? {
            sink.push(byte);
        }
        Ok(())
    }

    /// Skips whitespace and returns the next byte without taking it.
    fn ws(&mut self) -> Result<Option<u8>, SplitError> {
        loop {
            match self.peek()? {
                Some(b' ' | b'\t' | b'\n' | b'\r') => {
                    self.bump()?;
                }
                other => return Ok(other),
            }
        }
    }

    fn expect(&mut self, wanted: u8, sink: &mut impl Sink) -> Result<(), SplitError> {
        match self.ws()? {
            Some(byte) if byte == wanted => self.bump_into(sink),
            other => Err(unexpected(
                other,
                &format!("where {:?} was expected", char::from(wanted)),
            )),
        }
    }

    /// A string, quotes included, escapes left as they are.
    fn string(&mut self, sink: &mut impl Sink) -> Result<(), SplitError> {
        self.expect(b'"', sink)?;
        self.string_rest(sink)
    }

    /// The rest of a string whose opening quote was taken.
    fn string_rest(&mut self, sink: &mut impl Sink) -> Result<(), SplitError> {
        loop {
            let Some(byte) = self.bump()? else {
                return Err(unexpected(None, "inside a string"));
            };
            sink.push(byte);
            match byte {
                b'"' => return Ok(()),
                b'\\' => match self.bump()? {
                    Some(escaped) => sink.push(escaped),
                    None => return Err(unexpected(None, "inside a string")),
                },
                _ => {}
            }
        }
    }

    /// One value of any kind. Objects and lists are followed by counting their brackets (one bit
    /// per level says which kind is open), so nesting costs no stack.
    fn value(&mut self, sink: &mut impl Sink) -> Result<(), SplitError> {
        match self.ws()? {
            Some(b'"') => self.string(sink),
            Some(b'{' | b'[') => self.nested(sink),
            Some(b',' | b':' | b']' | b'}') | None => {
                let next = self.peek()?;
                Err(unexpected(next, "where a value was expected"))
            }
            Some(_) => self.scalar(sink),
        }
    }

    fn scalar(&mut self, sink: &mut impl Sink) -> Result<(), SplitError> {
        while let Some(byte) = self.peek()? {
            if matches!(
                byte,
                b',' | b':' | b']' | b'}' | b'{' | b'[' | b'"' | b' ' | b'\t' | b'\n' | b'\r'
            ) {
                break;
            }
            self.bump_into(sink)?;
        }
        Ok(())
    }

    fn nested(&mut self, sink: &mut impl Sink) -> Result<(), SplitError> {
        // Bit set: an object is open at that level; clear: a list.
        let mut open: Vec<u64> = Vec::new();
        let mut depth: u64 = 0;
        loop {
            let Some(byte) = self.bump()? else {
                return Err(unexpected(None, "inside a value"));
            };
            sink.push(byte);
            match byte {
                b'"' => self.string_rest(sink)?,
                b'{' | b'[' => {
                    let word = usize::try_from(depth / 64).unwrap_or(usize::MAX);
                    if word >= open.len() {
                        open.push(0);
                    }
                    let bit = 1u64 << (depth % 64);
                    if byte == b'{' {
                        open[word] |= bit;
                    } else {
                        open[word] &= !bit;
                    }
                    depth += 1;
                }
                b'}' | b']' => {
                    if depth == 0 {
                        return Err(unexpected(Some(byte), "inside a value"));
                    }
                    depth -= 1;
                    let word = usize::try_from(depth / 64).unwrap_or(usize::MAX);
                    let object = open
                        .get(word)
                        .is_some_and(|w| w & (1u64 << (depth % 64)) != 0);
                    if object != (byte == b'}') {
                        return Err(unexpected(Some(byte), "closing another kind of value"));
                    }
                    if depth == 0 {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
    }

    /// A list's elements, counted (the list is copied to `sink`).
    fn count_elements(&mut self, sink: &mut impl Sink) -> Result<u64, SplitError> {
        self.expect(b'[', sink)?;
        if self.ws()? == Some(b']') {
            self.bump_into(sink)?;
            return Ok(0);
        }
        let mut count: u64 = 0;
        loop {
            self.value(sink)?;
            count += 1;
            match self.ws()? {
                Some(b',') => self.bump_into(sink)?,
                Some(b']') => {
                    self.bump_into(sink)?;
                    return Ok(count);
                }
                other => return Err(unexpected(other, "after an element of a list")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOMY: SplitLimits = SplitLimits {
        per_order: 1 << 20,
        kept: 1 << 22,
        streamed: 1 << 24,
    };

    fn page(json: &str, limits: SplitLimits) -> Result<PageParts, SplitError> {
        split(json.as_bytes(), limits)
    }

    fn reparsed(parts: &PageParts) -> serde_json::Value {
        serde_json::from_slice(&parts.to_json()).expect("the page back is JSON")
    }

    #[test]
    fn a_page_comes_back_as_it_was() {
        let json = r#" { "orders" : [ {"order_id":"A-1","order_lines":[{"q":1},{"q":2}],"s":"a,]}\"b"} ,
            {"order_id":"A-2","x":[1,{"y":[true,null,-1.5e3]}]} ], "total_count" : 2, "other": {"k":[1,2]} } "#;
        let parts = page(json, ROOMY).expect("split");
        assert_eq!(parts.orders.len(), 2);
        assert!(parts.unreadable.is_empty());
        let back = reparsed(&parts);
        assert_eq!(back["total_count"], 2);
        assert_eq!(back["orders"][0]["s"], "a,]}\"b");
        assert_eq!(back["orders"][1]["x"][1]["y"][2], -1500.0);
        assert_eq!(back["unreadable_orders"], serde_json::json!([]));
        assert!(
            back.get("other").is_none(),
            "members the connector does not read are left out"
        );
    }

    #[test]
    fn an_order_over_the_cap_is_named_and_the_others_kept() {
        let lines: Vec<String> = (0..2000)
            .map(|i| format!(r#"{{"order_line_id":"B-{i}","quantity":1}}"#))
            .collect();
        let big = format!(
            r#"{{"order_lines":[{}],"order_id":"B\u0007-1"}}"#,
            lines.join(",")
        );
        let json = format!(r#"{{"orders":[{big},{{"order_id":"G-1"}}],"total_count":2}}"#);
        let limits = SplitLimits {
            per_order: 4096,
            ..ROOMY
        };
        let parts = page(&json, limits).expect("split");
        assert_eq!(parts.orders, vec![br#"{"order_id":"G-1"}"#.to_vec()]);
        assert_eq!(
            parts.unreadable,
            vec![UnreadableOrder {
                order_id: Some("B-1".to_owned()),
                bytes: big.len() as u64,
                lines: Some(2000),
                reason: "too_large".to_owned(),
            }]
        );
        assert_eq!(reparsed(&parts)["unreadable_orders"][0]["lines"], 2000);
    }

    #[test]
    fn a_malformed_order_is_named_and_the_page_goes_on() {
        let json = r#"{"orders":[{"order_id":"M-1","price":tru},{"order_id":"G-1"}]}"#;
        let parts = page(json, ROOMY).expect("split");
        assert_eq!(parts.orders.len(), 1);
        assert_eq!(parts.unreadable[0].order_id.as_deref(), Some("M-1"));
        assert!(parts.unreadable[0].reason.starts_with("malformed: "));
    }

    #[test]
    fn nesting_costs_no_stack() {
        let depth = 1_000_000;
        let json = format!(
            r#"{{"orders":[{{"order_id":"D-1","deep":{}{}}},{{"order_id":"G-1"}}]}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let limits = SplitLimits {
            per_order: 1 << 22,
            ..ROOMY
        };
        let parts = page(&json, limits).expect("split");
        // Kept (it is one JSON value); serde_json's recursion limit refuses it when decoded.
        assert_eq!(parts.orders.len(), 2);
        assert!(serde_json::from_slice::<serde_json::Value>(&parts.orders[0]).is_err());
    }

    #[test]
    fn broken_pages_are_errors_not_panics() {
        for json in [
            "",
            "[]",
            "{",
            r#"{"orders":[{"order_id":"A"}"#,
            r#"{"orders":[{"a":[}]}"#,
            r#"{"orders":{}}"#,
            r#"{"orders":[],}"#,
            r#"{"orders":[]} x"#,
            r#"{"orders":[{"a":"\"#,
            r#"{"orders":[{"a":1]}"#,
            r#"{"orders":[,]}"#,
        ] {
            assert!(
                matches!(page(json, ROOMY), Err(SplitError::Malformed(_))),
                "{json:?} is refused"
            );
        }
        assert!(page(r#"{"orders":null}"#, ROOMY)
            .expect("null")
            .orders
            .is_empty());
        assert!(page("{}", ROOMY).expect("empty").orders.is_empty());
    }

    #[test]
    fn the_stream_and_the_kept_orders_have_caps() {
        let order = format!(r#"{{"order_id":"K","pad":"{}"}}"#, "x".repeat(1000));
        let json = format!(r#"{{"orders":[{}]}}"#, vec![order; 10].join(","));
        let kept = SplitLimits {
            per_order: 2000,
            kept: 5000,
            streamed: 1 << 20,
        };
        assert!(matches!(
            page(&json, kept),
            Err(SplitError::TooLarge { limit: 5000 })
        ));
        let streamed = SplitLimits {
            per_order: 500,
            kept: 5000,
            streamed: 8000,
        };
        assert!(matches!(
            page(&json, streamed),
            Err(SplitError::TooLarge { limit: 8000 })
        ));
        let enough = SplitLimits {
            streamed: 20_000,
            ..streamed
        };
        assert_eq!(page(&json, enough).expect("split").unreadable.len(), 10);
    }

    #[test]
    fn keys_are_read_as_serde_json_reads_them() {
        let json = r#"{"ord\u0065rs":[{"order_\u0069d":"E-1","x":1}],"total_count":1}"#;
        let parts = page(json, ROOMY).expect("split");
        assert_eq!(parts.orders.len(), 1, "an escaped key is still `orders`");
        for json in [
            r#"{"orders":[{"order_id":"A"}],"orders":[{"order_id":"B"}]}"#,
            r#"{"orders":[],"total_count":1,"total_count":2}"#,
            r#"{"orders":nonsense}"#,
            r#"{"orders":nul}"#,
        ] {
            assert!(
                matches!(page(json, ROOMY), Err(SplitError::Malformed(_))),
                "{json:?} is refused"
            );
        }
    }

    #[test]
    fn a_total_count_that_is_not_json_is_left_out() {
        for total in ["tru", "[1 2]", "\"\u{1}\""] {
            let json = format!(r#"{{"orders":[{{"order_id":"A"}}],"total_count":{total}}}"#);
            let parts = page(&json, ROOMY).expect("split");
            assert_eq!(parts.total_count, None, "{total}");
            reparsed(&parts);
        }
    }

    #[test]
    fn a_page_of_countless_tiny_broken_orders_is_refused() {
        let json = format!(r#"{{"orders":[{}1]}}"#, "t,".repeat(MAX_ORDERS));
        assert!(
            matches!(page(&json, ROOMY), Err(SplitError::Malformed(m)) if m.contains("more than 1000 orders"))
        );
        let json = format!(r#"{{"orders":[{}1]}}"#, "t,".repeat(MAX_ORDERS - 1));
        assert_eq!(
            page(&json, ROOMY).expect("split").unreadable.len(),
            MAX_ORDERS - 1
        );
    }

    #[test]
    fn a_dropped_order_is_named_by_its_first_order_id_without_hidden_characters() {
        let json = r#"{"orders":[{"order_id":"RE\u202eAL","price":tru,"order_id":"FAKE"}]}"#;
        let parts = page(json, ROOMY).expect("split");
        assert_eq!(parts.unreadable[0].order_id.as_deref(), Some("REAL"));
    }
}
