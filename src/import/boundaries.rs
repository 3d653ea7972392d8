//! Administrative districts from OSM: `boundary=administrative` relations of
//! `admin_level` 9 (bydel, e.g. Oslo's) and 10 (delbydel), assembled from their member
//! ways into (multi)polygons and clipped to the extract's bounding box.
//!
//! An extract cuts such a relation where it crosses the box: member ways outside are
//! missing and the ring is left open. The open chains are closed along the box edge the
//! way the sea is closed from coastlines (`basemap::coast::sea`), but a boundary, unlike
//! a coastline, has no side given by its direction. So every orientation of the chains is
//! tried, the closings that give a valid polygon are kept (a wrong mix crosses itself),
//! and of the two that remain, the polygon and its complement within the box, the one
//! that overlaps least with the relations of the same level that were complete (then the
//! smaller) is taken. A relation whose open ends stop far from the box edge is left out
//! and named in the import's skipped list.

use std::collections::HashMap;

use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon, Validation};
use osmpbf::RelMemberType;

use crate::basemap::coast::{self, Bounds};
use crate::domain::NewDistrict;

/// The most open chains whose orientations are tried (2^n closings).
const MAX_OPEN_CHAINS: usize = 10;

/// A boundary relation seen in the pass over the extract.
#[derive(Debug, Clone)]
pub struct BoundaryRelation {
    pub id: i64,
    pub name: String,
    pub admin_level: u8,
}

/// The district level an `admin_level` stands for in Norway, if it is one we keep.
pub fn level_of(admin_level: &str) -> Option<u8> {
    match admin_level {
        "9" => Some(9),
        "10" => Some(10),
        _ => None,
    }
}

fn level_name(admin_level: u8) -> &'static str {
    if admin_level == 9 {
        "bydel"
    } else {
        "delbydel"
    }
}

/// The districts, and why any relation was left out.
pub fn assemble(
    boundaries: &[BoundaryRelation],
    relations: &HashMap<i64, Vec<(RelMemberType, i64, String)>>,
    ways: &HashMap<i64, Vec<i64>>,
    nodes: &HashMap<i64, [f64; 2]>,
    bounds: Option<Bounds>,
) -> (Vec<NewDistrict>, Vec<String>) {
    let coord = |n: &i64| nodes.get(n).map(|&[x, y]| Coord { x, y });
    let box_polygon = bounds.map(|b| MultiPolygon(vec![geo::Rect::new(b.min, b.max).to_polygon()]));
    let mut skipped = Vec::new();
    // Per relation, its possible polygons (one when it was complete).
    let mut candidates: Vec<(usize, Vec<MultiPolygon<f64>>)> = Vec::new();
    for (k, b) in boundaries.iter().enumerate() {
        let Some(members) = relations.get(&b.id) else {
            continue;
        };
        let (mut outer, mut inner) = (Vec::new(), Vec::new());
        for (t, id, role) in members {
            if *t != RelMemberType::Way {
                continue;
            }
            let Some(refs) = ways.get(id).filter(|r| r.len() >= 2) else {
                continue;
            };
            if role == "inner" {
                inner.push(refs.clone());
            } else {
                outer.push(refs.clone());
            }
        }
        let (closed, open) = crate::basemap::assemble::join(outer);
        let lines_of = |chain: &[i64]| -> Vec<Vec<Coord<f64>>> {
            // A chain with a node missing from the extract is split there.
            let mut parts = vec![Vec::new()];
            for n in chain {
                match coord(n) {
                    Some(c) => parts.last_mut().expect("one part").push(c),
                    None => parts.push(Vec::new()),
                }
            }
            parts.into_iter().filter(|p| p.len() >= 2).collect()
        };
        let mut whole: Vec<Polygon<f64>> = Vec::new();
        let mut open_lines: Vec<Vec<Coord<f64>>> = open.iter().flat_map(|c| lines_of(c)).collect();
        for ring in &closed {
            let coords: Vec<Coord<f64>> = ring.iter().filter_map(coord).collect();
            if coords.len() == ring.len() {
                whole.push(Polygon::new(LineString(coords), vec![]));
            } else {
                open_lines.extend(lines_of(ring));
            }
        }
        let holes: Vec<LineString<f64>> = crate::basemap::assemble::join(inner)
            .0
            .into_iter()
            .filter_map(|ring| {
                let coords: Vec<Coord<f64>> = ring.iter().filter_map(coord).collect();
                (coords.len() == ring.len()).then_some(LineString(coords))
            })
            .collect();
        let mut base = MultiPolygon(whole);
        for hole in holes {
            base = base.difference(&MultiPolygon(vec![Polygon::new(hole, vec![])]));
        }
        let options: Vec<MultiPolygon<f64>> = if open_lines.is_empty() {
            vec![match &box_polygon {
                Some(clip) => base.intersection(clip),
                None => base,
            }]
        } else {
            match bounds {
                None => {
                    skipped.push(format!(
                        "relation/{}: boundary {:?} is incomplete and the extract has no bounding box to close it along",
                        b.id, b.name
                    ));
                    continue;
                }
                Some(bounds) if open_lines.len() <= MAX_OPEN_CHAINS => {
                    closings(&open_lines, &bounds, &base)
                }
                Some(_) => Vec::new(),
            }
        };
        let options: Vec<MultiPolygon<f64>> = options
            .into_iter()
            .filter(|p| !p.0.is_empty() && p.unsigned_area() > 0.0)
            .collect();
        if options.is_empty() {
            skipped.push(format!(
                "relation/{}: boundary {:?} could not be closed within the extract",
                b.id, b.name
            ));
            continue;
        }
        candidates.push((k, options));
    }

    // Complete relations first; each cut one takes the closing that overlaps least with
    // those settled at its level, then the smaller.
    candidates.sort_by_key(|(k, options)| (options.len() > 1, *k));
    let mut settled: Vec<(u8, MultiPolygon<f64>)> = Vec::new();
    let mut out = Vec::new();
    for (k, options) in candidates {
        let b = &boundaries[k];
        let overlap = |p: &MultiPolygon<f64>| -> f64 {
            settled
                .iter()
                .filter(|(level, _)| *level == b.admin_level)
                .map(|(_, q)| p.intersection(q).unsigned_area())
                .sum()
        };
        let chosen = options
            .into_iter()
            .map(|p| (overlap(&p), p.unsigned_area(), p))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)))
            .map(|(_, _, p)| p)
            .expect("options are not empty");
        settled.push((b.admin_level, chosen.clone()));
        out.push(NewDistrict {
            name: b.name.clone(),
            level: level_name(b.admin_level).to_string(),
            geometry: chosen,
            population: None,
            source_id: format!("relation/{}", b.id),
        });
    }
    out.sort_by(|a, b| a.source_id.cmp(&b.source_id));
    (out, skipped)
}

/// Every valid polygon the open lines close into along the box, for each orientation.
fn closings(
    lines: &[Vec<Coord<f64>>],
    bounds: &Bounds,
    base: &MultiPolygon<f64>,
) -> Vec<MultiPolygon<f64>> {
    let mut found: Vec<MultiPolygon<f64>> = Vec::new();
    for mask in 0u32..(1 << lines.len()) {
        let oriented: Vec<Vec<Coord<f64>>> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut l = l.clone();
                if mask & (1 << i) != 0 {
                    l.reverse();
                }
                l
            })
            .collect();
        let Some(polygon) = coast::sea(&oriented, bounds) else {
            continue;
        };
        if !polygon.is_valid() {
            continue;
        }
        let polygon = if base.0.is_empty() {
            polygon
        } else {
            polygon.union(base)
        };
        let area = polygon.unsigned_area();
        if found
            .iter()
            .all(|f| (f.unsigned_area() - area).abs() > area * 1e-9)
        {
            found.push(polygon);
        }
    }
    found
}
