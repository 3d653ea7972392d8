//! The coverage layer: homes grouped on H3 hexagons (h3o) with how far they walk to the
//! nearest facility of a kind, for the planners' map. Coarser hexagons at lower zooms:
//! resolution 7 (about 5 km²) to zoom 11, 8 (0.7 km²) to zoom 13, 9 (0.1 km²) beyond.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use geo::BooleanOps;
use h3o::{CellIndex, LatLng, Resolution};
use mvt::Tile;

use super::{EXTENT, TileId};
use crate::domain::{Bbox, LonLat};

/// One hexagon with homes in it.
#[derive(Debug, Clone)]
pub struct Hexagon {
    pub cell: CellIndex,
    pub addresses: u32,
    /// Homes within the walking time asked for.
    pub covered: u32,
    /// Median walking time to the nearest facility, seconds; `None` when more than half
    /// of the homes reach none within the search horizon.
    pub median_s: Option<f64>,
    boundary: Vec<LonLat>,
    bbox: Bbox,
}

pub fn resolution_for_zoom(z: u8) -> Resolution {
    match z {
        0..=11 => Resolution::Seven,
        12..=13 => Resolution::Eight,
        _ => Resolution::Nine,
    }
}

/// Groups homes (`positions`, with their walking `times` in seconds) on hexagons.
pub fn hexagons(
    positions: &[LonLat],
    times: &[f64],
    limit_s: f64,
    res: Resolution,
) -> Vec<Hexagon> {
    let mut groups: HashMap<CellIndex, Vec<f64>> = HashMap::new();
    for (p, &t) in positions.iter().zip(times) {
        let Ok(ll) = LatLng::new(p.lat, p.lon) else {
            continue;
        };
        groups.entry(ll.to_cell(res)).or_default().push(t);
    }
    let mut out: Vec<Hexagon> = groups
        .into_iter()
        .map(|(cell, mut t)| {
            t.sort_by(f64::total_cmp);
            let median = t[(t.len() - 1) / 2];
            let boundary: Vec<LonLat> = cell
                .boundary()
                .iter()
                .map(|ll| LonLat::new(ll.lng(), ll.lat()))
                .collect();
            let bbox = Bbox::around(boundary.iter().copied()).expect("a hexagon has corners");
            Hexagon {
                cell,
                addresses: t.len() as u32,
                covered: t.iter().filter(|&&x| x <= limit_s).count() as u32,
                median_s: median.is_finite().then_some(median),
                boundary,
                bbox,
            }
        })
        .collect();
    out.sort_by_key(|h| u64::from(h.cell));
    out
}

/// Hexagon sets already computed for this snapshot, by question.
#[derive(Default)]
pub struct HexCache(Mutex<HashMap<String, Arc<Vec<Hexagon>>>>);

impl HexCache {
    pub fn get_or_make(
        &self,
        key: String,
        make: impl FnOnce() -> Vec<Hexagon>,
    ) -> Arc<Vec<Hexagon>> {
        if let Some(h) = self.0.lock().expect("not poisoned").get(&key) {
            return h.clone();
        }
        let made = Arc::new(make());
        let mut map = self.0.lock().expect("not poisoned");
        // A handful of questions per snapshot in practice; a bound keeps a crawler from
        // filling memory with every combination.
        if map.len() >= 64 {
            map.clear();
        }
        map.insert(key, made.clone());
        made
    }
}

pub const FIELDS: &[(&str, &str)] = &[
    ("h3", "String"),
    ("addresses", "Number"),
    ("covered", "Number"),
    ("uncovered", "Number"),
    ("share", "Number"),
    ("median_min", "Number"),
];

/// The `coverage` layer of one tile; `None` when no hexagon touches it.
pub fn encode(hexes: &[Hexagon], t: &TileId) -> Option<Vec<u8>> {
    let area = t.buffered_bounds(super::BUFFER);
    let rect = super::buffered_rect();
    let mut tile = Tile::new(EXTENT);
    let mut layer = tile.create_layer("coverage");
    for (k, h) in hexes.iter().enumerate() {
        if !h.bbox.intersects(&area) {
            continue;
        }
        let ring: Vec<geo::Coord<f64>> = h
            .boundary
            .iter()
            .chain(h.boundary.first())
            .map(|&p| {
                let (x, y) = t.to_tile(p);
                geo::coord! { x: x, y: y }
            })
            .collect();
        let polygon = geo::Polygon::new(geo::LineString(ring), vec![]);
        let Some(geometry) = super::polygon_geometry(&polygon.intersection(&rect).0) else {
            continue;
        };
        let mut f = layer.into_feature(geometry);
        f.set_id(k as u64 + 1);
        f.add_tag_string("h3", &h.cell.to_string());
        f.add_tag_uint("addresses", h.addresses as u64);
        f.add_tag_uint("covered", h.covered as u64);
        f.add_tag_uint("uncovered", (h.addresses - h.covered) as u64);
        f.add_tag_double("share", h.covered as f64 / h.addresses as f64);
        if let Some(m) = h.median_s {
            f.add_tag_double("median_min", (m / 6.0).round() / 10.0);
        }
        layer = f.into_layer();
    }
    if layer.num_features() == 0 {
        return None;
    }
    tile.add_layer(layer).expect("a layer of this tile");
    Some(tile.to_bytes().expect("writing to memory cannot fail"))
}
