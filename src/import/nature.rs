//! Nature areas from an OpenStreetMap extract (issue 22): green areas, forest and shores as
//! areas and lines, each with its class, name and size in hectares.
//!
//! - Closed ways and `type=multipolygon` relations become polygons; a relation's member ways
//!   are joined into rings by their end nodes (`basemap::assemble::join`), inner rings are
//!   holes. A ring that cannot be closed, or a polygon that is not valid (OGC simple
//!   features: self-intersections), is left out and named.
//! - `landuse=grass` under [`GRASS_MIN_HA`] is a verge and left out.
//! - The polygons of each class are merged where they touch or overlap (`geo::unary_union`,
//!   after orienting every ring the same way, which it needs), so the two halves of a
//!   forest split at a parish line, or a park and the grass inside it, are one area. Each
//!   merged area takes its largest piece's id and tag and its largest named piece's name.
//! - Areas under their class's [`NatureClass::min_ha`] after merging are slivers: counted.
//! - Rivers and the coastline drawn as lines stay lines, the ways of one named river one
//!   area.
//! - Nodes (a bathing place, a beach drawn as a point) are points.
//!
//! Sizes are computed in metres on the GRS80 ellipsoid's local equirectangular projection
//! around each polygon (`index::partition::LocalMetres`, ~0.1 % within a kommune).

use std::collections::{BTreeMap, HashMap};

use geo::{Area, BoundingRect, Contains, InteriorPoint, Orient, Validation};
use osmpbf::RelMemberType;

use crate::domain::LonLat;
use crate::domain::nature::{GRASS_MIN_HA, NatureClass, NatureGeometry, NewNatureArea};
use crate::index::partition::LocalMetres;

/// An OSM object tagged as nature: (`node`/`way`/`relation`, id), class, tag, name.
#[derive(Debug, Clone)]
pub struct Tagged {
    pub obj: &'static str,
    pub id: i64,
    pub class: NatureClass,
    pub tag: String,
    pub name: Option<String>,
}

impl Tagged {
    fn source_id(&self) -> String {
        format!("{}/{}", self.obj, self.id)
    }

    /// `relation/5009 (leisure=park «Brutt»)`, as messages name it.
    fn described(&self) -> String {
        match &self.name {
            Some(n) => format!("{} ({} «{n}»)", self.source_id(), self.tag),
            None => format!("{} ({})", self.source_id(), self.tag),
        }
    }
}

/// What [`assemble`] made of the tagged objects.
#[derive(Debug, Default)]
pub struct NatureData {
    pub areas: Vec<NewNatureArea>,
    /// Objects left out, each with why (an open ring, an invalid polygon).
    pub skipped: Vec<String>,
    /// Areas under their class's minimum size after merging, per class.
    pub slivers: BTreeMap<&'static str, usize>,
    /// Pieces that were merged into another piece's area.
    pub merged: usize,
    /// Outlines that crossed themselves and were mended, each named with why.
    pub mended: Vec<String>,
    /// `landuse=grass` pieces under [`GRASS_MIN_HA`]: verges, left out.
    pub verges: usize,
}

/// A polygon of one object, in lon/lat, with its size and a point inside it.
struct Piece {
    polygon: geo::Polygon<f64>,
    area_ha: f64,
    tagged: usize,
    inside: Option<geo::Point<f64>>,
}

/// The lines of one water (one named river): the first object's index and its lines.
type LineGroup = (usize, Vec<geo::LineString<f64>>);

/// Size of a lon/lat polygon in hectares, in the GRS80 local projection around it.
pub fn area_ha(polygon: &geo::Polygon<f64>) -> f64 {
    let Some(centre) = polygon.bounding_rect().map(|r| r.center()) else {
        return 0.0;
    };
    let proj = LocalMetres::at(LonLat::new(centre.x, centre.y));
    let ring = |l: &geo::LineString<f64>| {
        geo::LineString(
            l.0.iter()
                .map(|c| proj.to_metres(LonLat::new(c.x, c.y)))
                .collect(),
        )
    };
    let metres = geo::Polygon::new(
        ring(polygon.exterior()),
        polygon.interiors().iter().map(ring).collect(),
    );
    metres.unsigned_area() / 10_000.0
}

/// Builds the nature areas of `tagged` from the extract's `nodes`, `ways` and `relations`.
pub fn assemble(
    tagged: &[Tagged],
    nodes: &HashMap<i64, [f64; 2]>,
    ways: &HashMap<i64, Vec<i64>>,
    relations: &HashMap<i64, Vec<(RelMemberType, i64, String)>>,
) -> NatureData {
    let coord = |n: &i64| nodes.get(n).map(|&[x, y]| geo::Coord { x, y });
    let ring_of = |refs: &[i64]| -> Option<geo::LineString<f64>> {
        let coords: Vec<geo::Coord<f64>> = refs.iter().filter_map(coord).collect();
        (coords.len() == refs.len()).then_some(geo::LineString(coords))
    };
    let mut out = NatureData::default();
    let mut pieces: Vec<Piece> = Vec::new();
    // Lines by (tag, name); unnamed lines each on their own.
    let mut lines: BTreeMap<(String, String), LineGroup> = BTreeMap::new();
    for (t, object) in tagged.iter().enumerate() {
        let polygons: Vec<geo::Polygon<f64>> = match object.obj {
            "node" => {
                if let Some(c) = coord(&object.id) {
                    out.areas.push(NewNatureArea {
                        class: object.class,
                        tag: object.tag.clone(),
                        name: object.name.clone(),
                        area_ha: 0.0,
                        position: LonLat::new(c.x, c.y).rounded(),
                        source_id: object.source_id(),
                        geometry: NatureGeometry::Point(LonLat::new(c.x, c.y).rounded()),
                    });
                }
                continue;
            }
            "way" => {
                let Some(refs) = ways.get(&object.id) else {
                    continue;
                };
                let closed = refs.len() >= 4 && refs.first() == refs.last();
                let line = match ring_of(refs) {
                    Some(line) => line,
                    // Cut by the extract's edge: an area keeps the part inside, closed
                    // along the cut (approximate); a line keeps its runs inside.
                    None if closed => {
                        let mut coords: Vec<geo::Coord<f64>> =
                            refs.iter().filter_map(coord).collect();
                        if coords.len() < 3 {
                            out.skipped.push(format!(
                                "{}: too few of its nodes are in the extract",
                                object.described()
                            ));
                            continue;
                        }
                        coords.dedup();
                        if coords.first() != coords.last() {
                            coords.push(coords[0]);
                        }
                        geo::LineString(coords)
                    }
                    None => {
                        let mut runs = vec![Vec::new()];
                        for r in refs {
                            match coord(r) {
                                Some(c) => runs.last_mut().expect("a run").push(c),
                                None => runs.push(Vec::new()),
                            }
                        }
                        geo::LineString(runs.into_iter().max_by_key(Vec::len).unwrap_or_default())
                    }
                };
                if !closed {
                    if object.class == NatureClass::Shore && line.0.len() >= 2 {
                        let key = match &object.name {
                            Some(n) => (object.tag.clone(), n.clone()),
                            None => (object.tag.clone(), format!("\u{0}{}", object.id)),
                        };
                        lines.entry(key).or_insert((t, Vec::new())).1.push(line);
                    } else if line.0.len() < 2 {
                        out.skipped.push(format!(
                            "{}: none of its nodes are in the extract",
                            object.described()
                        ));
                    } else {
                        out.skipped.push(format!(
                            "{}: an area whose way is not closed",
                            object.described()
                        ));
                    }
                    continue;
                }
                vec![geo::Polygon::new(line, vec![])]
            }
            _ => {
                let Some(members) = relations.get(&object.id) else {
                    continue;
                };
                match multipolygon(members, ways, &ring_of) {
                    Ok(p) => p,
                    Err(why) => {
                        out.skipped.push(format!("{}: {why}", object.described()));
                        continue;
                    }
                }
            }
        };
        let mut valid = Vec::with_capacity(polygons.len());
        for polygon in polygons {
            if polygon.is_valid() {
                valid.push(polygon);
                continue;
            }
            // A ring that crosses itself (a figure eight drawn by hand) is mended as the
            // area it encloses (the union of its parts, non-zero winding); anything else
            // is left out and named.
            let why = polygon
                .validation_errors()
                .first()
                .map(|e| e.to_string())
                .unwrap_or_default();
            let mended = geo::unary_union([&polygon.orient(geo::orient::Direction::Default)]);
            if !mended.0.is_empty() && mended.is_valid() {
                out.mended.push(format!("{}: {why}", object.described()));
                valid.extend(mended.0);
            } else {
                out.skipped.push(format!(
                    "{}: not a valid polygon ({why})",
                    object.described()
                ));
            }
        }
        for polygon in valid {
            let size = area_ha(&polygon);
            if object.tag == "landuse=grass" && size < GRASS_MIN_HA {
                out.verges += 1;
                continue;
            }
            pieces.push(Piece {
                inside: polygon.interior_point(),
                polygon: polygon.orient(geo::orient::Direction::Default),
                area_ha: size,
                tagged: t,
            });
        }
    }
    for class in NatureClass::ALL {
        let of_class: Vec<&Piece> = pieces
            .iter()
            .filter(|p| tagged[p.tagged].class == class)
            .collect();
        merge(class, &of_class, tagged, &mut out);
    }
    for ((_, _), (t, parts)) in lines {
        let object = &tagged[t];
        let longest = parts
            .iter()
            .max_by(|a, b| a.0.len().cmp(&b.0.len()))
            .expect("a line group has a line");
        let mid = longest.0[longest.0.len() / 2];
        out.areas.push(NewNatureArea {
            class: object.class,
            tag: object.tag.clone(),
            name: object.name.clone(),
            area_ha: 0.0,
            position: LonLat::new(mid.x, mid.y).rounded(),
            source_id: object.source_id(),
            geometry: NatureGeometry::Line(geo::MultiLineString(parts)),
        });
    }
    out
}

/// The polygons of a `type=multipolygon` relation: outer rings joined from its ways, inner
/// rings as holes of the outer ring that holds them. An outer ring that cannot be closed is
/// an error (a broken relation, or one cut by the extract's edge).
fn multipolygon(
    members: &[(RelMemberType, i64, String)],
    ways: &HashMap<i64, Vec<i64>>,
    ring_of: &impl Fn(&[i64]) -> Option<geo::LineString<f64>>,
) -> Result<Vec<geo::Polygon<f64>>, String> {
    let (mut outer, mut inner) = (Vec::new(), Vec::new());
    for (t, id, role) in members {
        if *t != RelMemberType::Way {
            continue;
        }
        let Some(refs) = ways.get(id).filter(|r| !r.is_empty()) else {
            return Err(format!("member way/{id} is not in the extract"));
        };
        if role == "inner" {
            inner.push(refs.clone());
        } else {
            outer.push(refs.clone());
        }
    }
    let (closed, open) = crate::basemap::assemble::join(outer);
    if let Some(chain) = open.first() {
        return Err(format!(
            "its outer ring is not closed (from node/{} to node/{})",
            chain[0],
            chain[chain.len() - 1]
        ));
    }
    if closed.is_empty() {
        return Err("no outer ring".into());
    }
    let mut polygons = Vec::new();
    for ring in &closed {
        let line = ring_of(ring).ok_or("some nodes of an outer ring are outside the extract")?;
        polygons.push(geo::Polygon::new(line, vec![]));
    }
    let (holes, _) = crate::basemap::assemble::join(inner);
    for ring in holes {
        let Some(hole) = ring_of(&ring) else {
            continue;
        };
        let first = geo::Point(hole.0[0]);
        if let Some(p) = polygons.iter_mut().find(|p| p.contains(&first)) {
            p.interiors_push(hole);
        }
    }
    Ok(polygons)
}

/// Merges the pieces of one class where they touch or overlap; each merged polygon is one
/// area, named after its pieces.
fn merge(class: NatureClass, pieces: &[&Piece], tagged: &[Tagged], out: &mut NatureData) {
    if pieces.is_empty() {
        return;
    }
    let merged = geo::unary_union(pieces.iter().map(|p| &p.polygon));
    let mut used_ids = std::collections::HashSet::new();
    for polygon in merged.0 {
        let size = area_ha(&polygon);
        if size < class.min_ha() {
            *out.slivers.entry(class.as_str()).or_default() += 1;
            continue;
        }
        let bbox = polygon.bounding_rect();
        // The pieces inside this area: their interior point lies in it.
        let inside: Vec<&&Piece> = pieces
            .iter()
            .filter(|p| {
                let Some(at) = p.inside else {
                    return false;
                };
                bbox.is_some_and(|b| {
                    at.x() >= b.min().x
                        && at.x() <= b.max().x
                        && at.y() >= b.min().y
                        && at.y() <= b.max().y
                }) && polygon.contains(&at)
            })
            .collect();
        out.merged += inside.len().saturating_sub(1);
        let largest = inside
            .iter()
            .max_by(|a, b| a.area_ha.total_cmp(&b.area_ha))
            .map(|p| &tagged[p.tagged]);
        let named = inside
            .iter()
            .filter(|p| tagged[p.tagged].name.is_some())
            .max_by(|a, b| a.area_ha.total_cmp(&b.area_ha))
            .and_then(|p| tagged[p.tagged].name.clone());
        let Some(position) = polygon.interior_point() else {
            continue;
        };
        let mut source_id = largest.map(Tagged::source_id).unwrap_or_else(|| {
            format!("{}/{:.6},{:.6}", class.as_str(), position.x(), position.y())
        });
        while !used_ids.insert(source_id.clone()) {
            source_id.push('+');
        }
        out.areas.push(NewNatureArea {
            class,
            tag: largest
                .map(|t| t.tag.clone())
                .unwrap_or_else(|| class.as_str().into()),
            name: named,
            area_ha: (size * 10_000.0).round() / 10_000.0,
            position: LonLat::new(position.x(), position.y()).rounded(),
            source_id,
            geometry: NatureGeometry::Area(geo::MultiPolygon(vec![polygon])),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, side_m: f64) -> geo::Polygon<f64> {
        let proj = LocalMetres::at(LonLat::new(10.25, 59.73));
        let at = |x: f64, y: f64| proj.to_lonlat(geo::Coord { x, y });
        geo::Polygon::new(
            geo::LineString(vec![
                at(x0, y0),
                at(x0 + side_m, y0),
                at(x0 + side_m, y0 + side_m),
                at(x0, y0 + side_m),
                at(x0, y0),
            ]),
            vec![],
        )
    }

    #[test]
    fn a_hundred_metre_square_is_one_hectare() {
        let a = area_ha(&square(0.0, 0.0, 100.0));
        assert!((a - 1.0).abs() < 1e-4, "{a}");
    }
}
