//! Address autocomplete: tolerant of case, accents, æøå spelled as ae/o/a (or oe/aa),
//! prefixes, and one typo per word.
//!
//! Addresses are split into words, folded (see [`fold`]), and indexed in a sorted vocabulary
//! with one posting list per word. A query word matches vocabulary words it is a prefix of,
//! and, from four letters on, words within one edit of a prefix. An address matches when
//! every query word matches one of its words. The vocabulary of a municipality is a few
//! thousand words, so a linear fuzzy pass over it stays in the sub-millisecond range.

use std::cmp::Ordering;

/// Folds text for matching: lowercase ASCII, `æ`→`ae`, `ø`→`o`, `å`→`a`, other accents
/// dropped; then `aa`→`a` and `oe`→`o`, so that the old spellings ("Aasen", "Moe") and the
/// ASCII spellings users type ("Toeyen") meet the letters of the register.
pub fn fold(text: &str) -> String {
    let mut ascii = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'æ' | 'Æ' => ascii.push_str("ae"),
            'ø' | 'Ø' => ascii.push('o'),
            'å' | 'Å' => ascii.push('a'),
            c if c.is_ascii() => ascii.push(c.to_ascii_lowercase()),
            c => ascii.push_str(
                &deunicode::deunicode_char(c)
                    .unwrap_or(" ")
                    .to_ascii_lowercase(),
            ),
        }
    }
    ascii.replace("aa", "a").replace("oe", "o")
}

/// Splits folded text into words of letters and digits; `12B` stays one word.
fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum MatchQuality {
    Fuzzy = 1,
    Prefix = 2,
    Exact = 3,
}

/// The search index over a list of labels; results are indices into that list.
#[derive(Debug, Default)]
pub struct AddressSearch {
    vocabulary: Vec<String>,
    postings: Vec<Vec<u32>>,
    /// Per label: (folded street, house number value, folded label) for ordering ties.
    order_keys: Vec<(String, u32, String)>,
}

impl AddressSearch {
    /// Builds the index from `(street, number, label)` per address, in the caller's order.
    pub fn build<'a>(entries: impl Iterator<Item = (&'a str, &'a str, String)>) -> AddressSearch {
        let mut word_to_labels: std::collections::BTreeMap<String, Vec<u32>> = Default::default();
        let mut order_keys = Vec::new();
        for (i, (street, number, label)) in entries.enumerate() {
            let folded = fold(&label);
            for w in words(&folded) {
                let list = word_to_labels.entry(w.to_string()).or_default();
                if list.last() != Some(&(i as u32)) {
                    list.push(i as u32);
                }
            }
            let numeric: u32 = number
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(0);
            order_keys.push((fold(street), numeric, folded));
        }
        let (vocabulary, postings) = word_to_labels.into_iter().unzip();
        AddressSearch {
            vocabulary,
            postings,
            order_keys,
        }
    }

    /// Up to `limit` best matches for `query`, best first.
    ///
    /// The query is read as Norwegians write addresses (see [`query_words`]): abbreviations,
    /// a number glued to the street. When nothing matches every word, it is asked again
    /// without postcodes (a wrong one should not hide the street), then with house numbers
    /// without their letter (a letter that does not exist shows the number's addresses).
    pub fn search(&self, query: &str, limit: usize) -> Vec<u32> {
        let folded = fold(query);
        let mut alternatives = query_words(&folded);
        if alternatives.is_empty() || limit == 0 {
            return Vec::new();
        }
        let found = self.search_words(&alternatives, limit);
        if !found.is_empty() {
            return found;
        }
        let is_postcode = |w: &[String]| {
            w.len() == 1 && w[0].len() == 4 && w[0].bytes().all(|b| b.is_ascii_digit())
        };
        if alternatives.iter().any(|w| is_postcode(w)) && alternatives.len() > 1 {
            alternatives.retain(|w| !is_postcode(w));
            let found = self.search_words(&alternatives, limit);
            if !found.is_empty() {
                return found;
            }
        }
        let mut letters_dropped = false;
        for w in &mut alternatives {
            if let [one] = w.as_mut_slice()
                && one.starts_with(|c: char| c.is_ascii_digit())
                && one.ends_with(|c: char| c.is_ascii_alphabetic())
            {
                one.truncate(
                    one.trim_end_matches(|c: char| c.is_ascii_alphabetic())
                        .len(),
                );
                letters_dropped = true;
            }
        }
        if letters_dropped {
            return self.search_words(&alternatives, limit);
        }
        Vec::new()
    }

    /// Addresses matching every query word (any of its alternatives), best first.
    fn search_words(&self, alternatives: &[Vec<String>], limit: usize) -> Vec<u32> {
        // For each query word: the best quality with which each address matches it.
        let mut scores: Option<std::collections::HashMap<u32, u32>> = None;
        for alts in alternatives {
            let mut this_word: std::collections::HashMap<u32, MatchQuality> = Default::default();
            for qw in alts {
                for (vi, quality) in self.matching_words(qw) {
                    for &label in &self.postings[vi] {
                        let q = this_word.entry(label).or_insert(quality);
                        *q = (*q).max(quality);
                    }
                }
            }
            scores = Some(match scores {
                None => this_word.into_iter().map(|(l, q)| (l, q as u32)).collect(),
                Some(prev) => prev
                    .into_iter()
                    .filter_map(|(l, s)| this_word.get(&l).map(|q| (l, s + *q as u32)))
                    .collect(),
            });
            if scores.as_ref().is_some_and(|s| s.is_empty()) {
                return Vec::new();
            }
        }
        let mut ranked: Vec<(u32, u32)> = scores.unwrap_or_default().into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| self.tie_order(a.0, b.0)));
        ranked.into_iter().take(limit).map(|(l, _)| l).collect()
    }

    fn tie_order(&self, a: u32, b: u32) -> Ordering {
        let (ka, kb) = (&self.order_keys[a as usize], &self.order_keys[b as usize]);
        ka.cmp(kb).then(a.cmp(&b))
    }

    /// Vocabulary entries a query word matches, with how well.
    fn matching_words(&self, qw: &str) -> Vec<(usize, MatchQuality)> {
        let mut out = Vec::new();
        let start = self.vocabulary.partition_point(|w| w.as_str() < qw);
        for (i, w) in self.vocabulary.iter().enumerate().skip(start) {
            if !w.starts_with(qw) {
                break;
            }
            out.push((
                i,
                if w == qw {
                    MatchQuality::Exact
                } else {
                    MatchQuality::Prefix
                },
            ));
        }
        // Numbers are matched exactly (as prefixes): "12" must not find "13".
        let fuzzy_allowed = qw.len() >= 4 && !qw.starts_with(|c: char| c.is_ascii_digit());
        if fuzzy_allowed {
            let exact: std::collections::HashSet<usize> = out.iter().map(|(i, _)| *i).collect();
            for (i, w) in self.vocabulary.iter().enumerate() {
                if !exact.contains(&i) && within_one_edit_of_a_prefix(qw.as_bytes(), w.as_bytes()) {
                    out.push((i, MatchQuality::Fuzzy));
                }
            }
        }
        out
    }
}

/// Norwegian street-name abbreviations: a query word, and the words of the register it may
/// stand for (the word itself stays one of them).
const ABBREVIATIONS: &[(&str, &[&str])] = &[
    ("gt", &["gate", "gata"]),
    ("g", &["gate", "gata"]),
    ("vn", &["veien", "vegen"]),
    ("v", &["veien", "vegen", "vei", "veg"]),
    ("pl", &["plass"]),
    ("st", &["sankt"]),
    ("sankt", &["st"]),
    ("sct", &["sankt", "st"]),
];

/// The words of a folded query, each with the words it may stand for: abbreviations
/// (`gt`, `gt.`, `g.` for gate/gata, `vn` for veien/vegen, `pl.` for plass, `st.` for sankt
/// and back), the same glued to the end of a street name (`tøyengt`), and a house number glued
/// to the name (`tøyengata12` is `tøyengata 12`).
fn query_words(folded: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for w in words(folded) {
        // A number glued to a name: letters, then digits (and perhaps a house letter).
        let split_at = w
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit())
            .map(|(i, _)| i)
            .filter(|&i| i >= 3 && w[..i].bytes().all(|b| b.is_ascii_alphabetic()));
        let parts: Vec<&str> = match split_at {
            Some(i) => vec![&w[..i], &w[i..]],
            None => vec![w],
        };
        for part in parts {
            let mut alts = vec![part.to_string()];
            if let Some((_, full)) = ABBREVIATIONS.iter().find(|(a, _)| *a == part) {
                alts.extend(full.iter().map(|f| f.to_string()));
            } else {
                for (suffix, full) in [("gt", ["gate", "gata"]), ("vn", ["veien", "vegen"])] {
                    if let Some(stem) = part.strip_suffix(suffix).filter(|s| s.len() >= 3) {
                        alts.extend(full.iter().map(|f| format!("{stem}{f}")));
                    }
                }
            }
            out.push(alts);
        }
    }
    out
}

/// True when `query` is within one edit (insert, delete, substitute, or swap of two
/// neighbours) of some prefix of `word`.
fn within_one_edit_of_a_prefix(query: &[u8], word: &[u8]) -> bool {
    if word.len() + 1 < query.len() {
        return false;
    }
    // Walk the common start, then try each single edit at the first difference.
    let common = query.iter().zip(word).take_while(|(a, b)| a == b).count();
    if common == query.len() {
        return true;
    }
    let (q, w) = (&query[common..], &word[common..]);
    let is_prefix = |q: &[u8], w: &[u8]| w.starts_with(q);
    // Substitution.
    (!w.is_empty() && is_prefix(&q[1..], &w[1..]))
        // A letter missing from the query.
        || (!w.is_empty() && is_prefix(q, &w[1..]))
        // An extra letter in the query.
        || is_prefix(&q[1..], w)
        // Two neighbours swapped.
        || (q.len() >= 2 && w.len() >= 2 && q[0] == w[1] && q[1] == w[0] && is_prefix(&q[2..], &w[2..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(labels: &[&str]) -> AddressSearch {
        AddressSearch::build(labels.iter().map(|l| {
            let (street, rest) = l.rsplit_once(' ').unwrap();
            (street, rest, l.to_string())
        }))
    }

    fn check(labels: &[&str], query: &str, expected_first: Option<&str>) {
        let idx = index(labels);
        let got = idx.search(query, 5).first().map(|&i| labels[i as usize]);
        assert_eq!(got, expected_first, "query {query:?}");
    }

    #[test]
    fn folding() {
        assert_eq!(fold("Tøyengata"), "toyengata");
        assert_eq!(fold("Toeyengata"), "toyengata");
        assert_eq!(fold("ÆRØ Åsen"), "aero asen");
        assert_eq!(fold("Aasen"), "asen");
        assert_eq!(fold("Café Müller"), "cafe muller");
    }

    #[test]
    fn tolerant_matches() {
        let labels = [
            "Tøyengata 12",
            "Thorvald Meyers gate 5",
            "Åsengata 3",
            "Kjærlighetsstien 7",
        ];
        check(&labels, "tøyengata 12", Some("Tøyengata 12"));
        check(&labels, "TOYENGATA", Some("Tøyengata 12"));
        check(&labels, "toeyen", Some("Tøyengata 12"));
        check(&labels, "tyengata", Some("Tøyengata 12")); // a missing letter
        check(&labels, "tøyengatta", Some("Tøyengata 12")); // an extra letter
        check(&labels, "thorvlad meyers", Some("Thorvald Meyers gate 5")); // swapped letters
        check(&labels, "aasengata", Some("Åsengata 3"));
        check(&labels, "kjaerlighets", Some("Kjærlighetsstien 7"));
        check(&labels, "thor 5", Some("Thorvald Meyers gate 5"));
        check(&labels, "thor 6", None);
        check(&labels, "zzzz", None);
        check(&labels, "", None);
    }

    #[test]
    fn exact_beats_fuzzy_and_numbers_order_naturally() {
        let labels = ["Storgata 10", "Storgata 2", "Storgate 1", "Storgata 1"];
        let idx = index(&labels);
        let got: Vec<_> = idx
            .search("storgata", 10)
            .into_iter()
            .map(|i| labels[i as usize])
            .collect();
        assert_eq!(
            got,
            ["Storgata 1", "Storgata 2", "Storgata 10", "Storgate 1"]
        );
    }

    #[test]
    fn queries_are_read_as_norwegians_write_addresses() {
        let words = |q: &str| query_words(&fold(q));
        assert_eq!(
            words("Tøyengata12B"),
            vec![vec!["toyengata".to_string()], vec!["12b".to_string()]]
        );
        assert_eq!(
            words("Storgt. 3")[0],
            vec!["storgt", "storgate", "storgata"]
        );
        assert_eq!(words("st olavs")[0], vec!["st", "sankt"]);
        assert_eq!(
            words("12b"),
            vec![vec!["12b".to_string()]],
            "a number with its letter stays one word"
        );
        assert_eq!(
            words("E6 1"),
            vec![vec!["e6".to_string()], vec!["1".to_string()]],
            "short names keep their digits"
        );
        check(
            &["Storgata 3, 3017 Drammen", "Storgata 30, 3017 Drammen"],
            "storgt 3",
            Some("Storgata 3, 3017 Drammen"),
        );
        check(
            &["Bragernes torg 2, 3017 Drammen"],
            "Bragernes torg 2C",
            Some("Bragernes torg 2, 3017 Drammen"),
        );
        check(
            &["Bragernes torg 2, 3017 Drammen"],
            "Bragernes torg 2 3999",
            Some("Bragernes torg 2, 3017 Drammen"),
        );
    }

    #[test]
    fn one_edit_of_a_prefix() {
        assert!(within_one_edit_of_a_prefix(b"tyen", b"toyengata"));
        assert!(within_one_edit_of_a_prefix(b"toxen", b"toyengata"));
        assert!(!within_one_edit_of_a_prefix(b"txxen", b"toyengata"));
        assert!(within_one_edit_of_a_prefix(b"otyen", b"toyen"));
    }
}

/// A named place the search box finds besides addresses: a facility or a district, by index
/// into the snapshot's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Facility(u32),
    District(u32),
}

/// Facilities by name ("Sagene skole") and districts by name ("Grünerløkka"), with the same
/// tolerance as addresses (case, æøå spellings, prefixes, one typo per word): the labels
/// are indexed by [`AddressSearch`] (a name is a street without a number).
#[derive(Debug, Default)]
pub struct PlaceSearch {
    index: AddressSearch,
    places: Vec<Place>,
}

impl PlaceSearch {
    pub fn build(
        facilities: &[crate::domain::Facility],
        districts: &[crate::domain::District],
    ) -> PlaceSearch {
        let mut labels = Vec::new();
        let mut places = Vec::new();
        for (i, f) in facilities.iter().enumerate() {
            if let Some(name) = f.name.as_deref().filter(|n| !n.trim().is_empty()) {
                labels.push(name.to_string());
                places.push(Place::Facility(i as u32));
            }
        }
        for (i, d) in districts.iter().enumerate() {
            labels.push(d.name.clone());
            places.push(Place::District(i as u32));
        }
        let index = AddressSearch::build(labels.iter().map(|l| (l.as_str(), "", l.clone())));
        PlaceSearch { index, places }
    }

    /// Up to `limit` places matching every word of `query`, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Place> {
        self.index
            .search(query, limit)
            .into_iter()
            .map(|i| self.places[i as usize])
            .collect()
    }
}
