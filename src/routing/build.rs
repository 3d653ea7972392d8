//! Which OSM ways are walkable, with what flags, and the graph built from them.

use std::collections::HashMap;

use super::{EdgeFlags, GraphBuilder, NodeId, WalkGraph};
use crate::domain::LonLat;

/// Highways where walking is legal unless tagged otherwise. Motorways are not among them;
/// `trunk` is, because Norwegian trunk roads in towns carry pavements (`foot=no` excludes).
const WALKABLE: &[&str] = &[
    "footway",
    "path",
    "pedestrian",
    "steps",
    "living_street",
    "residential",
    "service",
    "unclassified",
    "road",
    "track",
    "cycleway",
    "bridleway",
    "corridor",
    "tertiary",
    "tertiary_link",
    "secondary",
    "secondary_link",
    "primary",
    "primary_link",
    "trunk",
    "trunk_link",
];

/// Steepest `incline` a wheelchair user is routed over, in percent (universal design
/// guidance in Norway allows 1:12, about 8 %, for short ramps).
const MAX_WHEELCHAIR_INCLINE_PCT: f64 = 8.0;

/// The flags of a walkable way, or `None` when a pedestrian may not use it.
pub fn walk_flags<'a>(tags: impl Iterator<Item = (&'a str, &'a str)> + Clone) -> Option<EdgeFlags> {
    let get = |key: &str| tags.clone().find(|(k, _)| *k == key).map(|(_, v)| v);
    let highway = get("highway")?;
    if !WALKABLE.contains(&highway) {
        return None;
    }
    let foot = get("foot");
    let foot_allowed = matches!(foot, Some("yes" | "designated" | "permissive"));
    if foot == Some("no") || (get("motorroad") == Some("yes") && !foot_allowed) {
        return None;
    }
    if matches!(get("access"), Some("private" | "no")) && !foot_allowed {
        return None;
    }
    let mut flags = EdgeFlags::default();
    if highway == "steps" {
        flags = flags | EdgeFlags::STEPS;
    }
    if get("wheelchair") == Some("no") {
        flags = flags | EdgeFlags::WHEELCHAIR_NO;
    }
    if let Some(pct) = get("incline").and_then(incline_percent)
        && pct.abs() > MAX_WHEELCHAIR_INCLINE_PCT
    {
        flags = flags | EdgeFlags::STEEP;
    }
    Some(flags)
}

/// `12%`, `-8 %` or `5°` as percent; `up`, `down` and other words as unknown.
fn incline_percent(v: &str) -> Option<f64> {
    let v = v.trim();
    if let Some(deg) = v.strip_suffix('°') {
        return deg
            .trim()
            .parse::<f64>()
            .ok()
            .map(|d| d.to_radians().tan() * 100.0);
    }
    v.trim_end_matches('%').trim().parse().ok()
}

/// Builds the graph from OSM ways (node lists with their flags) and node positions.
/// Segments whose nodes lie outside the extract are left out.
///
/// Nodes are numbered along a Z-order curve, so that nodes near each other on the ground
/// are near each other in memory: a search touches a compact area, and with this order it
/// touches compact stretches of the arrays too (it made isochrones about twice as fast).
pub fn from_osm_ways(nodes: &HashMap<i64, [f64; 2]>, ways: &[(Vec<i64>, EdgeFlags)]) -> WalkGraph {
    let mut used: Vec<(i64, LonLat)> = ways
        .iter()
        .flat_map(|(refs, _)| refs.iter())
        .filter_map(|id| {
            nodes
                .get(id)
                .map(|&[lon, lat]| (*id, LonLat::new(lon, lat).rounded()))
        })
        .collect();
    used.sort_unstable_by_key(|(id, _)| *id);
    used.dedup_by_key(|(id, _)| *id);
    if let Some(b) = crate::domain::Bbox::around(used.iter().map(|(_, p)| *p)) {
        used.sort_by_key(|(id, p)| (z_order(&b, *p), *id));
    }

    let mut builder = GraphBuilder::default();
    let ids: HashMap<i64, NodeId> = used
        .iter()
        .map(|&(id, p)| (id, builder.add_node(p)))
        .collect();
    for (refs, flags) in ways {
        for pair in refs.windows(2) {
            if let (Some(&a), Some(&b)) = (ids.get(&pair[0]), ids.get(&pair[1])) {
                builder.add_segment(a, b, *flags);
            }
        }
    }
    builder.build()
}

/// The position's place on a Z-order (Morton) curve over `bounds`.
fn z_order(bounds: &crate::domain::Bbox, p: LonLat) -> u64 {
    let scale = |v: f64, lo: f64, hi: f64| (((v - lo) / (hi - lo).max(1e-12)) * 65535.0) as u64;
    let spread = |mut v: u64| {
        v &= 0xFFFF;
        v = (v | (v << 8)) & 0x00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333;
        (v | (v << 1)) & 0x5555_5555
    };
    spread(scale(p.lon, bounds.min_lon, bounds.max_lon))
        | (spread(scale(p.lat, bounds.min_lat, bounds.max_lat)) << 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(tags: &[(&str, &str)]) -> Option<EdgeFlags> {
        walk_flags(tags.iter().copied())
    }

    #[test]
    fn walkability_by_tags() {
        assert_eq!(
            flags(&[("highway", "residential")]),
            Some(EdgeFlags::default())
        );
        assert_eq!(
            flags(&[("highway", "residential"), ("oneway", "yes")]),
            Some(EdgeFlags::default())
        );
        assert_eq!(flags(&[("highway", "steps")]), Some(EdgeFlags::STEPS));
        assert_eq!(flags(&[("highway", "motorway")]), None);
        assert_eq!(
            flags(&[("highway", "cycleway")]),
            Some(EdgeFlags::default())
        );
        assert_eq!(flags(&[("highway", "cycleway"), ("foot", "no")]), None);
        assert_eq!(
            flags(&[("highway", "service"), ("access", "private")]),
            None
        );
        assert_eq!(
            flags(&[
                ("highway", "service"),
                ("access", "private"),
                ("foot", "yes")
            ]),
            Some(EdgeFlags::default())
        );
        assert_eq!(flags(&[("highway", "trunk"), ("motorroad", "yes")]), None);
        assert_eq!(flags(&[("building", "yes")]), None);
        assert_eq!(
            flags(&[("highway", "footway"), ("wheelchair", "no")]),
            Some(EdgeFlags::WHEELCHAIR_NO)
        );
        assert_eq!(
            flags(&[("highway", "footway"), ("incline", "12%")]),
            Some(EdgeFlags::STEEP)
        );
        assert_eq!(
            flags(&[("highway", "footway"), ("incline", "-5%")]),
            Some(EdgeFlags::default())
        );
        assert_eq!(
            flags(&[("highway", "footway"), ("incline", "up")]),
            Some(EdgeFlags::default())
        );
    }
}
