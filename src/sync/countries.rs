//! Countries as marketplaces send them, turned into the ISO 3166-1 alpha-2 codes the shop stores.
//!
//! Mirakl's `country_iso_code` is meant to be alpha-3, but real operators send alpha-2, `null`,
//! or only a label in `country` ("France", "France Métropolitaine", "Deutschland"). The core
//! decides the code once, here: an alpha-3 code is converted, an alpha-2 code is kept, and a label
//! is looked up first in the operator's own labels (the `country_label_map` setting), then in the
//! names of every country in English, French, German, Spanish, Italian, Dutch, Polish and
//! Portuguese (ISO 3166-1 data with its translations, from the `keshvar` crate). Case, accents,
//! punctuation and "metropolitan"-style suffixes do not matter.
//!
//! Invariant: a label that cannot be resolved is never passed on as a code; the caller gets
//! [`Country::Unknown`] with the label, and holds the order instead.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The languages whose country names are recognised.
pub const LANGUAGES: &[&str] = &["en", "fr", "de", "es", "it", "nl", "pl", "pt"];

/// The longest label looked at; a longer value is not a country name.
const MAX_LABEL_CHARS: usize = 120;

/// Words an operator adds after the country's name that do not change the country.
const SUFFIXES: &[&str] = &[
    "metropolitaine",
    "metropolitain",
    "metropole",
    "metropolitan",
    "metropolitana",
    "mainland",
    "continental",
    "continentale",
    "peninsular",
    "festland",
];

/// Articles an operator may put before the name ("La France", "The Netherlands").
const ARTICLES: &[&str] = &[
    "the", "la", "le", "les", "l", "el", "die", "der", "het", "de", "o", "a",
];

/// What an address's country is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Country {
    /// An ISO 3166-1 alpha-2 code, upper case.
    Code(String),
    /// Neither a code nor a label: the address says nothing (before acceptance, often).
    Missing,
    /// A label (or code) no table knows, as Mirakl sent it (trimmed, bounded).
    Unknown(String),
}

/// Resolves an address's country from Mirakl's `country_iso_code` and `country`, with the
/// operator's own labels (label → alpha-2) taking precedence over the built-in names.
pub fn resolve(
    code: Option<&str>,
    label: Option<&str>,
    operator_labels: &BTreeMap<String, String>,
) -> Country {
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    let label = label.map(str::trim).filter(|l| !l.is_empty());
    if let Some(found) = code.and_then(from_code) {
        return Country::Code(found);
    }
    // A value in the code field that is no code is a label too (some operators put it there).
    for candidate in [label, code].into_iter().flatten() {
        if let Some(found) = from_label(candidate, operator_labels) {
            return Country::Code(found);
        }
    }
    match label.or(code) {
        Some(unknown) => Country::Unknown(unknown.chars().take(MAX_LABEL_CHARS).collect()),
        None => Country::Missing,
    }
}

/// An alpha-2 or alpha-3 code (any case) as alpha-2; `None` for anything else.
pub fn from_code(code: &str) -> Option<String> {
    let code = code.trim();
    if !code.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    match code.len() {
        2 => keshvar::Alpha2::try_from(code).ok().map(|a| a.to_string()),
        3 => keshvar::Alpha3::try_from(code)
            .ok()
            .map(|a| keshvar::Alpha2::from(a).to_string()),
        _ => None,
    }
}

/// Whether `code` is an ISO 3166-1 alpha-2 code (upper case).
pub fn is_alpha2(code: &str) -> bool {
    code.len() == 2
        && code.chars().all(|c| c.is_ascii_uppercase())
        && keshvar::Alpha2::try_from(code).is_ok()
}

/// A label as alpha-2: a code written in the label, the operator's labels, then the names table.
fn from_label(label: &str, operator_labels: &BTreeMap<String, String>) -> Option<String> {
    if label.chars().count() > MAX_LABEL_CHARS {
        return None;
    }
    if let Some(found) = from_code(label) {
        return Some(found);
    }
    let key = normalize(label);
    if key.is_empty() {
        return None;
    }
    let variants = variants(&key);
    for variant in &variants {
        if let Some(code) = operator_labels
            .iter()
            .find(|(known, _)| normalize(known) == *variant)
            .and_then(|(_, code)| from_code(code))
        {
            return Some(code);
        }
    }
    for table in [&NAMES.primary, &NAMES.secondary] {
        for variant in &variants {
            if let Some(Some(code)) = table.get(variant) {
                return Some(code.clone());
            }
        }
    }
    None
}

/// The label as normalised, then without a trailing qualifier, then without a leading article.
fn variants(key: &str) -> Vec<String> {
    let mut out = vec![key.to_owned()];
    let mut words: Vec<&str> = key.split(' ').collect();
    while words.len() > 1 && words.last().is_some_and(|w| SUFFIXES.contains(w)) {
        words.pop();
        out.push(words.join(" "));
    }
    if words.len() > 1 && ARTICLES.contains(&words[0]) {
        out.push(words[1..].join(" "));
    }
    out
}

/// Lower case, accents and punctuation removed, single spaces: "Côte d'Ivoire" → "cote d ivoire".
pub fn normalize(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' => folded.push_str("ss"),
            'æ' | 'Æ' => folded.push_str("ae"),
            'œ' | 'Œ' => folded.push_str("oe"),
            'ø' | 'Ø' => folded.push('o'),
            'ł' | 'Ł' => folded.push('l'),
            'đ' | 'Đ' => folded.push('d'),
            'ı' => folded.push('i'),
            c if c.is_alphanumeric() => folded.extend(c.to_lowercase()),
            _ => folded.push(' '),
        }
    }
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Normalised name → alpha-2 (`None` where two countries share the name). `primary` holds each
/// country's ISO short name and its translations; `secondary` its long and unofficial names,
/// looked at only when no primary name matches.
struct Names {
    primary: HashMap<String, Option<String>>,
    secondary: HashMap<String, Option<String>>,
}

static NAMES: LazyLock<Names> = LazyLock::new(|| {
    let mut names = Names {
        primary: HashMap::new(),
        secondary: HashMap::new(),
    };
    for alpha2 in keshvar::SUPPORTED_ALPHA2_LIST {
        let country = alpha2.to_country();
        let code = alpha2.to_string();
        insert(&mut names.primary, country.iso_short_name(), &code);
        for language in LANGUAGES {
            if let Some(name) = country.translations().get(language) {
                insert(&mut names.primary, name, &code);
            }
        }
        insert(&mut names.secondary, country.iso_long_name(), &code);
        for name in country.unofficial_name_list() {
            insert(&mut names.secondary, name, &code);
        }
    }
    names
});

fn insert(table: &mut HashMap<String, Option<String>>, name: &str, code: &str) {
    let key = normalize(name);
    if key.is_empty() {
        return;
    }
    table
        .entry(key)
        .and_modify(|known| {
            if known.as_deref() != Some(code) {
                *known = None;
            }
        })
        .or_insert_with(|| Some(code.to_owned()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    fn code(c: &str) -> Country {
        Country::Code(c.to_owned())
    }

    #[test]
    fn codes_in_both_lengths_and_any_case() {
        assert_eq!(resolve(Some("FRA"), None, &none()), code("FR"));
        assert_eq!(resolve(Some("deu"), None, &none()), code("DE"));
        assert_eq!(resolve(Some("GB"), Some("whatever"), &none()), code("GB"));
        assert_eq!(resolve(Some(" es "), None, &none()), code("ES"));
        // Every alpha-3 code converts, and to the same country's alpha-2.
        for alpha2 in keshvar::SUPPORTED_ALPHA2_LIST {
            let alpha3 = keshvar::Alpha3::from(*alpha2).to_string();
            assert_eq!(from_code(&alpha3), Some(alpha2.to_string()), "{alpha3}");
        }
        assert!(keshvar::SUPPORTED_ALPHA2_LIST.len() >= 249);
    }

    #[test]
    fn labels_in_eight_languages_with_accents_case_and_suffixes() {
        for (label, expected) in [
            ("France", "FR"),
            ("FRANCE", "FR"),
            ("France Métropolitaine", "FR"),
            ("france metropolitaine", "FR"),
            ("France (métropolitaine)", "FR"),
            ("Deutschland", "DE"),
            ("Allemagne", "DE"),
            ("Niemcy", "DE"),
            ("Alemanha", "DE"),
            ("España", "ES"),
            ("Espagne", "ES"),
            ("Spanien", "ES"),
            ("Italia", "IT"),
            ("Nederland", "NL"),
            ("Pays-Bas", "NL"),
            ("The Netherlands", "NL"),
            ("Polska", "PL"),
            ("Royaume-Uni", "GB"),
            ("Vereinigtes Königreich", "GB"),
            ("Belgique", "BE"),
            ("België", "BE"),
            ("Suisse", "CH"),
            ("Schweiz", "CH"),
            ("Österreich", "AT"),
            ("Côte d'Ivoire", "CI"),
            ("Portugal Continental", "PT"),
            ("Stany Zjednoczone", "US"),
        ] {
            assert_eq!(
                resolve(None, Some(label), &none()),
                code(expected),
                "{label}"
            );
        }
    }

    #[test]
    fn a_label_in_the_code_field_and_a_code_in_the_label() {
        assert_eq!(resolve(Some("France"), None, &none()), code("FR"));
        assert_eq!(resolve(None, Some("ITA"), &none()), code("IT"));
        assert_eq!(resolve(Some("XYZ"), Some("Belgique"), &none()), code("BE"));
    }

    #[test]
    fn unknown_and_missing() {
        assert_eq!(
            resolve(None, Some("Atlantis"), &none()),
            Country::Unknown("Atlantis".to_owned())
        );
        assert_eq!(
            resolve(Some("XYZ"), None, &none()),
            Country::Unknown("XYZ".to_owned())
        );
        assert_eq!(resolve(None, None, &none()), Country::Missing);
        assert_eq!(resolve(Some("  "), Some(""), &none()), Country::Missing);
        let long = "x".repeat(500);
        assert!(
            matches!(resolve(None, Some(&long), &none()), Country::Unknown(l) if l.len() == MAX_LABEL_CHARS)
        );
    }

    #[test]
    fn the_operators_labels_come_first() {
        let labels = BTreeMap::from([
            ("Métropole & Corse".to_owned(), "FR".to_owned()),
            ("Allemagne".to_owned(), "AT".to_owned()),
        ]);
        assert_eq!(
            resolve(None, Some("METROPOLE ET CORSE"), &labels),
            Country::Unknown("METROPOLE ET CORSE".to_owned())
        );
        assert_eq!(resolve(None, Some("metropole corse"), &labels), code("FR"));
        assert_eq!(resolve(None, Some("allemagne"), &labels), code("AT"));
    }

    #[test]
    fn normalising() {
        assert_eq!(normalize("  Côte d'Ivoire "), "cote d ivoire");
        assert_eq!(normalize("ŁÓDŹ–Straße"), "lodz strasse");
        assert!(is_alpha2("FR"));
        assert!(!is_alpha2("fr"));
        assert!(!is_alpha2("ZZ"));
    }
}
