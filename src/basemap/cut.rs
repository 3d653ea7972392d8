//! Cutting basemap features into Mapbox Vector Tiles for every zoom of the archive.
//!
//! Geometry goes to Web Mercator once ("world units": the whole world is `2^z · 4096`
//! units wide at zoom z, y down), is simplified once per zoom, then clipped to each tile it
//! touches plus a buffer. Points stay in the one tile that holds them.

use std::collections::HashMap;

use geo::{Area, BooleanOps, BoundingRect, MapCoords, Simplify};
use mvt::{GeomEncoder, GeomType, Tile};

use super::{MAX_ZOOM, MIN_ZOOM, MapFeature, MapLayer};
use crate::tiles::{BUFFER, EXTENT, TileId, buffered_rect, polygon_geometry};

/// The archive's tiles, encoded (uncompressed MVT), and the data's bounds in lon/lat.
pub struct Cut {
    pub tiles: Vec<(TileId, Vec<u8>)>,
    pub bounds: [f64; 4],
}

/// lon/lat to Web Mercator's unit square, y down.
fn mercator(c: geo::Coord<f64>) -> geo::Coord<f64> {
    let lat = c.y.clamp(-85.051_128_78, 85.051_128_78).to_radians();
    geo::coord! {
        x: (c.x + 180.0) / 360.0,
        y: (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0,
    }
}

/// One feature's geometry in one tile, in tile units, with what it carries.
struct Piece<'a> {
    geometry: geo::Geometry<f64>,
    feature: &'a MapFeature,
}

/// Cuts every feature into the tiles of zoom `MIN_ZOOM..=MAX_ZOOM`.
pub fn cut(features: &[MapFeature]) -> Cut {
    let mut bounds = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    // Larger areas first, so a small park draws over the residential area around it.
    let mut order: Vec<(f64, usize)> = features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if let Some(r) = f.geometry.bounding_rect() {
                bounds[0] = bounds[0].min(r.min().x);
                bounds[1] = bounds[1].min(r.min().y);
                bounds[2] = bounds[2].max(r.max().x);
                bounds[3] = bounds[3].max(r.max().y);
            }
            (-f.geometry.unsigned_area(), i)
        })
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let unit: Vec<geo::Geometry<f64>> = features
        .iter()
        .map(|f| f.geometry.map_coords(mercator))
        .collect();

    let mut tiles = Vec::new();
    for z in MIN_ZOOM..=MAX_ZOOM {
        let mut pieces: HashMap<(u32, u32), Vec<Piece<'_>>> = HashMap::new();
        let scale = (1u64 << z) as f64 * EXTENT as f64;
        let n = 1i64 << z;
        // Half a tile unit at the last zoom (kept for overzooming), 2 units below it.
        let tolerance = if z == MAX_ZOOM { 0.5 } else { 2.0 };
        for &(_, i) in &order {
            let feature = &features[i];
            if feature.class.min_zoom > z {
                continue;
            }
            let world = unit[i].map_coords(|c| geo::coord! { x: c.x * scale, y: c.y * scale });
            let world = match world {
                geo::Geometry::Point(p) => {
                    let (tx, ty) = (
                        (p.x() / EXTENT as f64).floor() as i64,
                        (p.y() / EXTENT as f64).floor() as i64,
                    );
                    if (0..n).contains(&tx) && (0..n).contains(&ty) {
                        let local = geo::Point::new(
                            p.x() - (tx * EXTENT as i64) as f64,
                            p.y() - (ty * EXTENT as i64) as f64,
                        );
                        pieces
                            .entry((tx as u32, ty as u32))
                            .or_default()
                            .push(Piece {
                                geometry: local.into(),
                                feature,
                            });
                    }
                    continue;
                }
                geo::Geometry::LineString(l) => geo::Geometry::LineString(l.simplify(tolerance)),
                geo::Geometry::Polygon(p) => {
                    // Areas smaller than a few pixels at this zoom are not drawn.
                    if z < MAX_ZOOM && p.unsigned_area() < 64.0 {
                        continue;
                    }
                    geo::Geometry::Polygon(p.simplify(tolerance))
                }
                geo::Geometry::MultiPolygon(p) => {
                    if z < MAX_ZOOM && p.unsigned_area() < 64.0 {
                        continue;
                    }
                    geo::Geometry::MultiPolygon(p.simplify(tolerance))
                }
                other => other,
            };
            let Some(r) = world.bounding_rect() else {
                continue;
            };
            let range = |lo: f64, hi: f64| {
                let a = ((lo - BUFFER) / EXTENT as f64).floor() as i64;
                let b = ((hi + BUFFER) / EXTENT as f64).floor() as i64;
                a.max(0)..=b.min(n - 1)
            };
            for ty in range(r.min().y, r.max().y) {
                for tx in range(r.min().x, r.max().x) {
                    let (ox, oy) = ((tx * EXTENT as i64) as f64, (ty * EXTENT as i64) as f64);
                    let inside = r.min().x - ox >= -BUFFER
                        && r.min().y - oy >= -BUFFER
                        && r.max().x - ox <= EXTENT as f64 + BUFFER
                        && r.max().y - oy <= EXTENT as f64 + BUFFER;
                    let local = world.map_coords(|c| geo::coord! { x: c.x - ox, y: c.y - oy });
                    let Some(geometry) = (if inside { Some(local) } else { clip(local) }) else {
                        continue;
                    };
                    pieces
                        .entry((tx as u32, ty as u32))
                        .or_default()
                        .push(Piece { geometry, feature });
                }
            }
        }
        let mut zoom_tiles: Vec<(TileId, Vec<u8>)> = pieces
            .into_iter()
            .filter_map(|((x, y), pieces)| {
                let id = TileId::new(z as i64, x as i64, y as i64).expect("in range");
                encode(&pieces).map(|bytes| (id, bytes))
            })
            .collect();
        zoom_tiles.sort_by_key(|(t, _)| (t.x, t.y));
        tiles.extend(zoom_tiles);
    }
    Cut { tiles, bounds }
}

/// The part of `g` (tile units) inside the tile plus its buffer; `None` when nothing is.
fn clip(g: geo::Geometry<f64>) -> Option<geo::Geometry<f64>> {
    let rect = buffered_rect();
    let clipped: geo::Geometry<f64> = match g {
        geo::Geometry::LineString(l) => rect.clip(&geo::MultiLineString(vec![l]), false).into(),
        geo::Geometry::Polygon(p) => p.intersection(&rect).into(),
        geo::Geometry::MultiPolygon(p) => p.intersection(&geo::MultiPolygon(vec![rect])).into(),
        other => other,
    };
    let empty = match &clipped {
        geo::Geometry::MultiLineString(m) => m.0.is_empty(),
        geo::Geometry::MultiPolygon(m) => m.0.is_empty(),
        _ => false,
    };
    (!empty).then_some(clipped)
}

fn line_geometry(lines: &[&geo::LineString<f64>]) -> Option<mvt::GeomData> {
    let mut encoder = GeomEncoder::new(GeomType::Linestring);
    for l in lines {
        if l.0.len() < 2 {
            continue;
        }
        for c in &l.0 {
            encoder.add_point(c.x, c.y).ok()?;
        }
        encoder.complete_geom().ok()?;
    }
    encoder.encode().ok()
}

fn encode(pieces: &[Piece<'_>]) -> Option<Vec<u8>> {
    let mut tile = Tile::new(EXTENT);
    for layer in MapLayer::ALL {
        let mut out = tile.create_layer(layer.name());
        for piece in pieces.iter().filter(|p| p.feature.class.layer == layer) {
            let geometry = match &piece.geometry {
                geo::Geometry::Point(p) => GeomEncoder::new(GeomType::Point)
                    .point(p.x(), p.y())
                    .and_then(|e| e.encode())
                    .ok(),
                geo::Geometry::LineString(l) => line_geometry(&[l]),
                geo::Geometry::MultiLineString(m) => line_geometry(&m.0.iter().collect::<Vec<_>>()),
                geo::Geometry::Polygon(p) => polygon_geometry(std::slice::from_ref(p)),
                geo::Geometry::MultiPolygon(m) => polygon_geometry(&m.0),
                _ => None,
            };
            let Some(geometry) = geometry.filter(|g| !g.is_empty()) else {
                continue;
            };
            let f = piece.feature;
            let mut feature = out.into_feature(geometry);
            if layer != MapLayer::Building {
                feature.add_tag_string("class", f.class.class);
                if let Some(name) = &f.name {
                    feature.add_tag_string("name", name);
                }
            }
            if matches!(layer, MapLayer::Road | MapLayer::Rail) {
                if layer == MapLayer::Road {
                    feature.add_tag_bool("bridge", f.class.bridge);
                }
                feature.add_tag_bool("tunnel", f.class.tunnel);
            }
            out = feature.into_layer();
        }
        if out.num_features() > 0 {
            tile.add_layer(out).expect("a layer made by this tile");
        }
    }
    (tile.num_layers() > 0).then(|| tile.to_bytes().expect("writing to memory cannot fail"))
}
