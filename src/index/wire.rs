//! Each feature's GeoJSON text, encoded once when a snapshot is built, so that a request
//! only selects and concatenates. A snapshot never changes, so neither do these.

use serde_json::{Value, json};

use crate::domain::{Address, District, Facility, LonLat};

fn point(p: LonLat) -> Value {
    json!({ "type": "Point", "coordinates": [p.lon, p.lat] })
}

fn district_ref(d: Option<&District>) -> (Value, Value) {
    match d {
        Some(d) => (Value::from(d.id.clone()), Value::from(d.name.clone())),
        None => (Value::Null, Value::Null),
    }
}

/// A knutepunkt's services with their labels (issue 18), or null: what `services` holds in a
/// facility's properties, read by the importer.
fn services(f: &Facility) -> Value {
    let Some(list) = super::hub_services(f) else {
        return Value::Null;
    };
    list.iter()
        .map(|e| {
            json!({
                "service": e.service.as_str(),
                "label_nb": e.service.label_nb(),
                "label_en": e.service.label_en(),
                "name": e.name,
                "opening_hours": e.opening_hours,
                "contact": e.contact,
            })
        })
        .collect()
}

/// A facility's Feature, written with `properties` last, so the text ends with the
/// properties' closing brace and the feature's (`Snapshot::facility_json_with` adds
/// members there).
pub(super) fn facility(f: &Facility, district: Option<&District>) -> Box<str> {
    let (district_id, district) = district_ref(district);
    let mut details = f.properties.clone();
    details.remove("services");
    // Set by staff (issue 18): the organisation that runs the facility and keeps its hours.
    let operator_org = details.remove("operator_org");
    let properties = json!({
        "kind": f.kind,
        "kind_label_nb": f.kind.label_nb(),
        "kind_label_en": f.kind.label_en(),
        "naermiljoanlegg": f.kind.is_naermiljoanlegg(),
        "name": f.name,
        "address": f.address,
        "district_id": district_id,
        "district": district,
        "wheelchair": f.wheelchair,
        "opening_hours": f.opening_hours,
        "services": services(f),
        "operator_org": operator_org,
        "source": f.source.source,
        "source_id": f.source.source_id,
        "details": details,
    });
    format!(
        r#"{{"type":"Feature","id":{},"geometry":{},"properties":{properties}}}"#,
        f.id,
        point(f.position)
    )
    .into()
}

pub(super) fn address(a: &Address, district: Option<&District>) -> Box<str> {
    let (district_id, district) = district_ref(district);
    json!({
        "type": "Feature",
        "id": a.id,
        "geometry": point(a.position),
        "properties": {
            "label": a.label(),
            "street": a.street,
            "number": a.number,
            "postcode": a.postcode,
            "city": a.city,
            "municipality_code": a.municipality_code,
            "grunnkrets_code": a.grunnkrets_code,
            "grunnkrets_name": a.grunnkrets_name,
            "district_id": district_id,
            "district": district,
            "source": a.source.source,
            "source_id": a.source.source_id,
        }
    })
    .to_string()
    .into()
}

pub(super) fn district(
    d: &District,
    parent: Option<&District>,
    addresses: usize,
    facilities: usize,
) -> Box<str> {
    let suppressed = super::districts::suppressed(d.population, addresses as u64);
    let ring = |ring: &geo::LineString<f64>| ring.0.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>();
    let coordinates: Vec<Vec<Vec<[f64; 2]>>> = d
        .geometry
        .0
        .iter()
        .map(|p| {
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(ring)
                .collect()
        })
        .collect();
    json!({
        "type": "Feature",
        "id": d.id,
        "geometry": { "type": "MultiPolygon", "coordinates": coordinates },
        "properties": {
            "name": d.name,
            "code": d.code,
            "level": d.level,
            "parent_id": parent.map(|p| p.id.clone()),
            "parent": parent.map(|p| p.name.clone()),
            "population": if suppressed { None } else { d.population },
            "population_sum": d.population_sum && !suppressed,
            "suppressed": suppressed,
            "addresses": addresses,
            "facilities": facilities,
            "derived": d.source.is_none(),
            "source": d.source.as_ref().map(|s| s.source.clone()),
            "source_id": d.source.as_ref().map(|s| s.source_id.clone()),
        }
    })
    .to_string()
    .into()
}
