//! Registers win where they are the authority: a school in NSR, a kindergarten in NBR, a
//! pitch, skatepark or fitness station in Anleggsregisteret replaces the OpenStreetMap
//! point of the same place, so that no facility appears twice. Done when the snapshot is
//! built, so that importing either source again, in any order, gives the same map.
//!
//! Two points are the same place when they are of the same kind and near, with similar
//! names: within [`NEAR_M`] whatever the names, or within [`NAMED_M`] when the names'
//! similarity (Sørensen–Dice over character bigrams of the folded names, the kind's own
//! words such as "skole" left out) is at least [`SIMILAR`]. The register's point stays, the
//! OSM point goes, and its OSM id is kept on the register's facility (`osm_ids`) and as an
//! alias of its id. OSM points of a kind a register covers that match nothing stay, marked
//! `not_in_register`. Each match is reported with its distance and name similarity.
//! Distances are metres in a local equirectangular projection (errors ≪ 1 m at 300 m).

use std::collections::HashMap;

use serde_json::json;

use crate::domain::{Facility, FacilityKind, LonLat};

/// Matched whatever the names (an unnamed OSM pitch on the register's pitch).
pub const NEAR_M: f64 = 40.0;
/// Matched when the names are similar: the register's point and OSM's may sit at
/// different ends of a school's grounds.
pub const NAMED_M: f64 = 300.0;
/// The least name similarity (0–1) for a match beyond [`NEAR_M`].
pub const SIMILAR: f64 = 0.5;

/// One OSM point that a register's facility replaced.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub kind: FacilityKind,
    pub register_id: i64,
    pub register_name: Option<String>,
    pub osm_id: i64,
    pub osm_source_id: String,
    pub distance_m: f64,
    /// `None` when either has no name.
    pub name_similarity: Option<f64>,
}

/// What conflation did, for `status` and the tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conflation {
    pub matches: Vec<Match>,
    /// OSM facilities of a kind a register covers that match none of its units.
    pub osm_only: usize,
}

/// The register that is the authority for `kind`, by import source.
fn authority(kind: FacilityKind) -> Option<&'static str> {
    match kind {
        FacilityKind::School => Some("nsr"),
        FacilityKind::Kindergarten => Some("nbr"),
        FacilityKind::Pitch | FacilityKind::Skatepark | FacilityKind::FitnessStation => {
            Some("anleggsregisteret")
        }
        _ => None,
    }
}

/// Words that say only what the kind is: left out of name comparisons.
const KIND_WORDS: &[&str] = &[
    "skole",
    "skule",
    "barneskole",
    "ungdomsskole",
    "barnehage",
    "barnehager",
    "bhg",
    "avd",
    "avdeling",
    "as",
    "sa",
    "ballbinge",
    "ballbane",
    "balløkke",
    "skatepark",
    "trimpark",
    "kunstgress",
    "kunstgressbane",
    "fotballbane",
    "bane",
    "eksempel",
];

/// A name folded for comparison: lower case, ASCII, kind words and punctuation gone.
fn folded(name: &str) -> String {
    let lower = deunicode::deunicode(&name.to_lowercase());
    let kind_words: Vec<String> = KIND_WORDS.iter().map(|w| deunicode::deunicode(w)).collect();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !kind_words.iter().any(|k| k == w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Sørensen–Dice similarity of two names over character bigrams (0: nothing shared, 1:
/// the same); `None` when either name is empty once folded.
pub fn name_similarity(a: &str, b: &str) -> Option<f64> {
    let (a, b) = (folded(a), folded(b));
    if a.is_empty() || b.is_empty() {
        return None;
    }
    if a == b {
        return Some(1.0);
    }
    let bigrams = |s: &str| -> Vec<(char, char)> {
        let chars: Vec<char> = s.chars().collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    };
    let (x, mut y) = (bigrams(&a), bigrams(&b));
    if x.is_empty() || y.is_empty() {
        return Some(0.0);
    }
    let total = x.len() + y.len();
    let mut shared = 0;
    for g in &x {
        if let Some(i) = y.iter().position(|h| h == g) {
            y.swap_remove(i);
            shared += 1;
        }
    }
    Some(2.0 * shared as f64 / total as f64)
}

/// Metres between two points, in a local projection at their mean latitude.
fn metres(a: LonLat, b: LonLat) -> f64 {
    let lat = ((a.lat + b.lat) / 2.0).to_radians();
    let dx = (a.lon - b.lon) * 111_320.0 * lat.cos();
    let dy = (a.lat - b.lat) * 110_574.0;
    dx.hypot(dy)
}

/// The facilities with each OSM point a register replaces left out, and what was done;
/// `aliases` maps a removed OSM facility's id to the index of the facility that replaced
/// it, in the returned order.
pub fn conflate(facilities: Vec<Facility>) -> (Vec<Facility>, Conflation, HashMap<i64, usize>) {
    let covered: Vec<FacilityKind> = FacilityKind::ALL
        .into_iter()
        .filter(|&k| {
            authority(k).is_some_and(|src| {
                facilities
                    .iter()
                    .any(|f| f.kind == k && f.source.source == src)
            })
        })
        .collect();
    if covered.is_empty() {
        return (facilities, Conflation::default(), HashMap::new());
    }
    // Each OSM point of a covered kind: its best register match, if any.
    let mut replaced_by: HashMap<usize, (usize, f64, Option<f64>)> = HashMap::new();
    let mut osm_only = std::collections::HashSet::new();
    for (i, f) in facilities.iter().enumerate() {
        if f.source.source != "osm" || !covered.contains(&f.kind) {
            continue;
        }
        let register = authority(f.kind).expect("a covered kind has an authority");
        let best = facilities
            .iter()
            .enumerate()
            .filter(|(_, r)| r.kind == f.kind && r.source.source == register)
            .filter_map(|(j, r)| {
                let d = metres(f.position, r.position);
                if d > NAMED_M {
                    return None;
                }
                let sim = match (&f.name, &r.name) {
                    (Some(a), Some(b)) => name_similarity(a, b),
                    _ => None,
                };
                let same = d <= NEAR_M || sim.is_some_and(|s| s >= SIMILAR);
                // The best: the most similar name, then the nearest.
                same.then_some((j, d, sim))
            })
            .max_by(|a, b| {
                a.2.unwrap_or(0.0)
                    .total_cmp(&b.2.unwrap_or(0.0))
                    .then(b.1.total_cmp(&a.1))
            });
        match best {
            Some(m) => {
                replaced_by.insert(i, m);
            }
            None => {
                osm_only.insert(i);
            }
        }
    }
    let mut osm_ids: HashMap<usize, Vec<serde_json::Value>> = HashMap::new();
    let mut matches = Vec::new();
    for (&i, &(j, d, sim)) in &replaced_by {
        let (f, r) = (&facilities[i], &facilities[j]);
        osm_ids
            .entry(j)
            .or_default()
            .push(json!(f.source.source_id));
        matches.push(Match {
            kind: f.kind,
            register_id: r.id,
            register_name: r.name.clone(),
            osm_id: f.id,
            osm_source_id: f.source.source_id.clone(),
            distance_m: (d * 10.0).round() / 10.0,
            name_similarity: sim.map(|s| (s * 100.0).round() / 100.0),
        });
    }
    matches.sort_by_key(|m| (m.register_id, m.osm_id));
    let alias_pairs: Vec<(i64, usize)> = replaced_by
        .iter()
        .map(|(&i, &(j, _, _))| (facilities[i].id, j))
        .collect();
    let osm_only_count = osm_only.len();
    let mut kept = Vec::with_capacity(facilities.len() - replaced_by.len());
    let mut new_index: HashMap<usize, usize> = HashMap::new();
    for (i, mut f) in facilities.into_iter().enumerate() {
        if replaced_by.contains_key(&i) {
            continue;
        }
        if let Some(ids) = osm_ids.remove(&i) {
            f.properties.insert("osm_ids".into(), json!(ids));
        }
        if osm_only.contains(&i) {
            let register = authority(f.kind).expect("a covered kind has an authority");
            f.properties
                .insert("not_in_register".into(), json!(register));
        }
        new_index.insert(i, kept.len());
        kept.push(f);
    }
    let aliases = alias_pairs
        .into_iter()
        .map(|(osm_id, j)| (osm_id, new_index[&j]))
        .collect();
    (
        kept,
        Conflation {
            matches,
            osm_only: osm_only_count,
        },
        aliases,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SourceRef;

    fn facility(
        id: i64,
        kind: FacilityKind,
        name: Option<&str>,
        lon: f64,
        source: &str,
    ) -> Facility {
        Facility {
            id,
            kind,
            name: name.map(str::to_string),
            position: LonLat::new(lon, 59.74),
            address: None,
            wheelchair: None,
            opening_hours: None,
            source: SourceRef {
                source: source.into(),
                source_id: format!("{source}-{id}"),
            },
            properties: Default::default(),
            area: None,
        }
    }

    #[test]
    fn names_are_compared_without_the_kinds_words() {
        assert_eq!(name_similarity("Fjell skole", "FJELL SKOLE"), Some(1.0));
        assert_eq!(name_similarity("Åssiden skole", "Assiden skule"), Some(1.0));
        assert!(name_similarity("Fjell skole", "Fjell barneskole").unwrap() > 0.99);
        assert!(name_similarity("Fjell skole", "Danvik skole").unwrap() < 0.3);
        assert_eq!(name_similarity("Skole", "Fjell skole"), None);
    }

    #[test]
    fn the_register_replaces_the_same_place_in_osm_and_keeps_its_id() {
        // 0.001° of longitude at 59.74° ≈ 56 m.
        let s = FacilityKind::School;
        let facilities = vec![
            facility(1, s, Some("Fjell skole"), 10.000, "nsr"),
            facility(2, s, Some("Fjell barneskole"), 10.004, "osm"), // 225 m, similar: same
            facility(3, s, Some("Danvik skole"), 10.003, "osm"),     // 168 m, another school
            facility(4, s, None, 10.0005, "osm"),                    // 28 m, unnamed: same
            facility(5, s, Some("Fjell skole"), 10.010, "osm"),      // 560 m: too far
            facility(
                6,
                FacilityKind::Library,
                Some("Fjell bibliotek"),
                10.0,
                "osm",
            ),
        ];
        let (kept, c, aliases) = conflate(facilities);
        let ids: Vec<i64> = kept.iter().map(|f| f.id).collect();
        assert_eq!(ids, [1, 3, 5, 6]);
        assert_eq!(kept[0].properties["osm_ids"].as_array().unwrap().len(), 2);
        assert_eq!(kept[1].properties["not_in_register"], "nsr");
        assert!(
            !kept[3].properties.contains_key("not_in_register"),
            "no register for libraries"
        );
        assert_eq!(c.osm_only, 2);
        assert_eq!(c.matches.len(), 2);
        assert!(c.matches.iter().all(|m| m.register_id == 1));
        assert_eq!(aliases[&2], 0);
        assert_eq!(aliases[&4], 0);
        // Without a register, OSM stands alone, unmarked.
        let (kept, c, _) = conflate(vec![facility(2, s, Some("Fjell"), 10.0, "osm")]);
        assert_eq!((kept.len(), c.osm_only), (1, 0));
        assert!(kept[0].properties.is_empty());
    }
}
