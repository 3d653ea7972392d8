//! What a snapshot holds, for people looking after a server (issue 20 item 11): rows per
//! source, the kommuner, and what to do when the walking network is missing. Read by
//! `naermiljo status` and `/healthz` alike.

use std::collections::BTreeMap;

use super::Snapshot;

/// What to run when there is no walking network: `build-graph` when the store already holds
/// facilities or addresses (it adds only the network; `import osm` would add OSM's
/// facilities and addresses on top of the registers'), else `import osm`.
pub fn no_network_hint(has_rows: bool) -> &'static str {
    if has_rows {
        "no walking network yet: build it from an OpenStreetMap extract with `naermiljo \
         build-graph FILE.osm.pbf` (it adds only the network)"
    } else {
        "no walking network yet: import an OpenStreetMap extract with `naermiljo import osm \
         FILE.osm.pbf`"
    }
}

impl Snapshot {
    /// Rows per source: facilities by kind, `addresses`, districts by level
    /// (`grunnkrets districts`), nature areas by class (`forest areas`).
    pub fn rows_by_source(&self) -> BTreeMap<String, BTreeMap<String, usize>> {
        let mut rows: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        let mut count = |source: &str, what: String| {
            *rows
                .entry(source.to_string())
                .or_default()
                .entry(what)
                .or_default() += 1;
        };
        for f in &self.facilities {
            count(&f.source.source, f.kind.as_str().to_string());
        }
        for a in &self.addresses {
            count(&a.source.source, "addresses".into());
        }
        for d in &self.districts {
            if let Some(src) = &d.source {
                count(&src.source, format!("{} districts", d.level));
            }
        }
        for n in &self.nature {
            count(&n.source.source, format!("{} areas", n.class.as_str()));
        }
        rows
    }

    /// The kommuner the store holds (districts of level `kommune`): (code, name).
    pub fn kommuner(&self) -> Vec<(String, String)> {
        self.districts
            .iter()
            .filter(|d| d.level == "kommune")
            .map(|d| (d.code.clone(), d.name.clone()))
            .collect()
    }

    /// A real address of the store to show as an example in the pages' search hints
    /// (`Storgata 12`): the one nearest the middle of all addresses (the median lon and
    /// lat, so an outlying island does not move it); `None` without addresses.
    pub fn example_address(&self) -> Option<String> {
        if self.addresses.is_empty() {
            return None;
        }
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let lon = median(self.addresses.iter().map(|a| a.position.lon).collect());
        let lat = median(self.addresses.iter().map(|a| a.position.lat).collect());
        let cos = lat.to_radians().cos();
        self.addresses
            .iter()
            .min_by(|a, b| {
                let d = |p: crate::domain::LonLat| {
                    ((p.lon - lon) * cos).powi(2) + (p.lat - lat).powi(2)
                };
                d(a.position).total_cmp(&d(b.position))
            })
            .map(|a| format!("{} {}", a.street, a.number))
    }

    /// [`no_network_hint`] for this snapshot.
    pub fn no_network_hint(&self) -> &'static str {
        no_network_hint(!self.facilities.is_empty() || !self.addresses.is_empty())
    }
}
