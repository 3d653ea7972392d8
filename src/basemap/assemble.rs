//! Basemap objects found during the import's pass over the extract, turned into lon/lat
//! geometry once every node and way has been read: ways as lines or rings, multipolygon
//! relations as polygons whose rings are joined from their member ways.

use std::collections::HashMap;

use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use osmpbf::RelMemberType;

use super::{Class, MapFeature, Shape, classify};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Obj {
    Node,
    Way,
    Relation,
}

/// Collects the objects the basemap draws while the importer reads the file.
#[derive(Default)]
pub struct Collector {
    wanted: Vec<(Obj, i64, Class, Option<String>)>,
    /// `natural=coastline` ways, for the sea.
    coast: Vec<i64>,
    /// The extract's bounding box from its header, where the sea is cut.
    pub bounds: Option<super::coast::Bounds>,
}

fn name_of<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> Option<String> {
    let mut name = None;
    for (k, v) in tags {
        match k {
            "name" => return Some(v.to_string()),
            "name:no" | "name:nb" if name.is_none() => name = Some(v.to_string()),
            _ => {}
        }
    }
    name
}

impl Collector {
    pub fn node<'a>(&mut self, id: i64, tags: impl Iterator<Item = (&'a str, &'a str)> + Clone) {
        if let Some(class) = classify(tags.clone(), false).filter(|c| c.shape() == Shape::Point) {
            self.wanted.push((Obj::Node, id, class, name_of(tags)));
        }
    }

    pub fn way<'a>(
        &mut self,
        id: i64,
        refs: &[i64],
        tags: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    ) {
        let closed = refs.len() >= 4 && refs.first() == refs.last();
        if tags
            .clone()
            .any(|(k, v)| k == "natural" && v == "coastline")
        {
            self.coast.push(id);
        }
        if let Some(class) = classify(tags.clone(), closed).filter(|c| c.shape() != Shape::Point) {
            self.wanted.push((Obj::Way, id, class, name_of(tags)));
        }
    }

    pub fn relation<'a>(
        &mut self,
        id: i64,
        tags: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    ) {
        if !tags
            .clone()
            .any(|(k, v)| k == "type" && v == "multipolygon")
        {
            return;
        }
        if let Some(class) = classify(tags.clone(), true).filter(|c| c.shape() == Shape::Area) {
            self.wanted.push((Obj::Relation, id, class, name_of(tags)));
        }
    }

    /// The geometry of everything collected. Objects whose nodes lie outside the extract
    /// are dropped (a line keeps the part that is inside).
    pub fn finish(
        self,
        nodes: &HashMap<i64, [f64; 2]>,
        ways: &HashMap<i64, Vec<i64>>,
        relations: &HashMap<i64, Vec<(RelMemberType, i64, String)>>,
    ) -> Vec<MapFeature> {
        let coord = |n: &i64| nodes.get(n).map(|&[x, y]| Coord { x, y });
        let mut out = Vec::with_capacity(self.wanted.len() + 1);
        if let Some(bounds) = self.bounds {
            let coast_ways: Vec<Vec<i64>> = self
                .coast
                .iter()
                .filter_map(|w| ways.get(w).cloned())
                .collect();
            // A chain with a node missing from the extract is split there.
            let lines: Vec<Vec<Coord<f64>>> = super::coast::chains(coast_ways)
                .into_iter()
                .flat_map(|chain| {
                    let mut parts = vec![Vec::new()];
                    for n in &chain {
                        match coord(n) {
                            Some(c) => parts.last_mut().expect("one part").push(c),
                            None => parts.push(Vec::new()),
                        }
                    }
                    parts.into_iter().filter(|p| p.len() >= 2)
                })
                .collect();
            if let Some(sea) = super::coast::sea(&lines, &bounds) {
                out.push(MapFeature {
                    class: Class {
                        layer: super::MapLayer::Water,
                        class: "sea",
                        min_zoom: super::MIN_ZOOM,
                        bridge: false,
                        tunnel: false,
                    },
                    name: None,
                    geometry: sea.into(),
                });
            }
        }
        for (obj, id, class, name) in self.wanted {
            let geometry: Option<geo::Geometry<f64>> = match (obj, class.shape()) {
                (Obj::Node, _) => coord(&id).map(|c| Point(c).into()),
                (Obj::Way, Shape::Line) => {
                    let refs = &ways[&id];
                    let line: Vec<Coord<f64>> = refs.iter().filter_map(coord).collect();
                    (line.len() >= 2).then(|| LineString(line).into())
                }
                (Obj::Way, _) => {
                    let refs = &ways[&id];
                    let ring: Vec<Coord<f64>> = refs.iter().filter_map(coord).collect();
                    (ring.len() == refs.len() && ring.len() >= 4)
                        .then(|| Polygon::new(LineString(ring), vec![]).into())
                }
                (Obj::Relation, _) => relations
                    .get(&id)
                    .and_then(|members| multipolygon(members, ways, &coord))
                    .map(Into::into),
            };
            if let Some(geometry) = geometry {
                out.push(MapFeature {
                    class,
                    name,
                    geometry,
                });
            }
        }
        out
    }
}

/// Joins member ways into closed rings by their end nodes. Rings that cannot be closed
/// (members outside the extract) are left out.
fn rings(parts: Vec<Vec<i64>>) -> Vec<Vec<i64>> {
    join(parts).0
}

/// Joins ways by shared end nodes, in either direction: closed rings and open chains.
pub(crate) fn join(mut parts: Vec<Vec<i64>>) -> (Vec<Vec<i64>>, Vec<Vec<i64>>) {
    let (mut closed, mut open) = (Vec::new(), Vec::new());
    while let Some(mut chain) = parts.pop() {
        loop {
            if chain.len() >= 4 && chain.first() == chain.last() {
                closed.push(chain);
                break;
            }
            let end = *chain.last().expect("parts are not empty");
            if let Some(next) = parts
                .iter()
                .position(|p| p.first() == Some(&end) || p.last() == Some(&end))
            {
                let mut part = parts.swap_remove(next);
                if part.first() != Some(&end) {
                    part.reverse();
                }
                chain.extend_from_slice(&part[1..]);
                continue;
            }
            let start = chain[0];
            if let Some(prev) = parts
                .iter()
                .position(|p| p.first() == Some(&start) || p.last() == Some(&start))
            {
                let mut part = parts.swap_remove(prev);
                if part.last() != Some(&start) {
                    part.reverse();
                }
                part.extend_from_slice(&chain[1..]);
                chain = part;
                continue;
            }
            open.push(chain);
            break;
        }
    }
    (closed, open)
}

fn multipolygon(
    members: &[(RelMemberType, i64, String)],
    ways: &HashMap<i64, Vec<i64>>,
    coord: &impl Fn(&i64) -> Option<Coord<f64>>,
) -> Option<MultiPolygon<f64>> {
    let mut outer = Vec::new();
    let mut inner = Vec::new();
    for (t, id, role) in members {
        if *t != RelMemberType::Way {
            continue;
        }
        let Some(refs) = ways.get(id).filter(|r| !r.is_empty()) else {
            continue;
        };
        if role == "inner" {
            inner.push(refs.clone());
        } else {
            outer.push(refs.clone());
        }
    }
    let to_line = |ring: Vec<i64>| -> Option<LineString<f64>> {
        let coords: Vec<Coord<f64>> = ring.iter().filter_map(coord).collect();
        (coords.len() == ring.len()).then_some(LineString(coords))
    };
    let mut polygons: Vec<Polygon<f64>> = rings(outer)
        .into_iter()
        .filter_map(to_line)
        .map(|l| Polygon::new(l, vec![]))
        .collect();
    for hole in rings(inner).into_iter().filter_map(to_line) {
        let first = Point(hole.0[0]);
        if let Some(p) = polygons.iter_mut().find(|p| p.contains(&first)) {
            p.interiors_push(hole);
        }
    }
    (!polygons.is_empty()).then_some(MultiPolygon(polygons))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_join_split_ways_in_either_direction() {
        // A square split into three ways, one of them drawn backwards, plus a dangling way.
        let parts = vec![vec![1, 2], vec![3, 2], vec![3, 4, 1], vec![8, 9]];
        let got = rings(parts);
        assert_eq!(got.len(), 1);
        let ring = &got[0];
        assert_eq!(ring.first(), ring.last());
        let mut nodes: Vec<i64> = ring[1..].to_vec();
        nodes.sort();
        assert_eq!(nodes, vec![1, 2, 3, 4]);
    }

    #[test]
    fn classify_by_tags() {
        let c = |tags: &[(&str, &str)], closed| {
            classify(tags.iter().copied(), closed).map(|c| (c.layer.name(), c.class))
        };
        assert_eq!(
            c(&[("highway", "residential")], false),
            Some(("road", "minor"))
        );
        assert_eq!(
            c(&[("building", "yes")], true),
            Some(("building", "building"))
        );
        assert_eq!(c(&[("building", "yes")], false), None);
        assert_eq!(
            c(&[("natural", "water"), ("water", "lake")], true),
            Some(("water", "lake"))
        );
        assert_eq!(c(&[("leisure", "park")], true), Some(("landuse", "park")));
        assert_eq!(c(&[("place", "suburb")], false), None, "places need a name");
        assert_eq!(
            c(&[("place", "suburb"), ("name", "Grünerløkka")], false),
            Some(("place", "suburb"))
        );
        assert_eq!(c(&[("highway", "bus_stop")], false), None);
    }
}
