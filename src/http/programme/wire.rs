//! Items on the wire: an activity or a volunteer need as a GeoJSON feature (with its
//! organisation, facility and next session), an activity as schema.org / OpenActive
//! `SessionSeries` JSON-LD, and the two collections' entries for `/api/collections`.

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::domain::LonLat;
use crate::domain::activity::{Place, rfc3339};
use crate::index::Snapshot;

pub const GEO_JSON: &str = "application/geo+json";
pub const JSON_LD: &str = "application/ld+json";

/// RFC 3339 with Oslo's offset of that moment (what browsers' `Date` parses).
fn timestamp_oslo(t: Timestamp) -> String {
    rfc3339(&t.to_zoned_datetime(crate::domain::activity::oslo()))
}

fn place_json(s: &Snapshot, place: &Place, position: Option<LonLat>) -> (Value, Value) {
    let geometry = match position {
        Some(p) => json!({ "type": "Point", "coordinates": [p.lon, p.lat] }),
        None => Value::Null,
    };
    let facility = match place {
        Place::Facility { facility_id } => match s.facility(*facility_id) {
            Some(i) => {
                let f = &s.facilities[i as usize];
                json!({ "id": f.id, "name": f.name, "kind": f.kind.as_str(), "kind_label_nb": f.kind.label_nb(), "kind_label_en": f.kind.label_en() })
            }
            None => Value::Null,
        },
        Place::Point { .. } => Value::Null,
    };
    (geometry, facility)
}

fn organisation_json(s: &Snapshot, org_id: i64) -> Value {
    match s.programme.organisation(org_id) {
        Some(o) => {
            json!({ "id": o.id, "name": o.name, "kind": o.kind.as_str(), "contact": o.contact })
        }
        None => json!({ "id": org_id }),
    }
}

/// An activity as a GeoJSON feature. Its next session is counted from `now`.
pub fn activity_feature(s: &Snapshot, i: u32, now: Timestamp, base: &str) -> Value {
    let p = &s.programme.activities;
    let a = &p.items[i as usize];
    let (geometry, facility) = place_json(s, &a.doc.place, p.positions[i as usize]);
    let mut props = serde_json::to_value(&a.doc).expect("a document always serialises");
    let next = a
        .doc
        .schedule
        .next(now)
        .map(|o| json!({ "start": rfc3339(&o.start), "end": rfc3339(&o.end) }));
    let extra = json!({
        "category_label_nb": a.doc.category.label_nb(),
        "category_label_en": a.doc.category.label_en(),
        "free": a.doc.free(),
        "organisation": organisation_json(s, a.org_id),
        "facility": facility,
        "next_session": next,
        "example": a.example,
        "version": a.version,
        "updated_at": timestamp_oslo(a.updated_at),
    });
    merge_into(&mut props, extra);
    json!({
        "type": "Feature",
        "id": a.id,
        "geometry": geometry,
        "properties": props,
        "links": [
            { "href": format!("{base}/api/collections/activities/items/{}", a.id), "rel": "self", "type": GEO_JSON },
            { "href": format!("{base}/api/collections/activities/items/{}?f=jsonld", a.id), "rel": "alternate", "type": JSON_LD, "title": "schema.org / OpenActive" },
        ],
    })
}

/// A volunteer need as a GeoJSON feature: never with the offers of help.
pub fn need_feature(s: &Snapshot, i: u32, base: &str) -> Value {
    let p = &s.programme.needs;
    let n = &p.items[i as usize];
    let (geometry, facility) = place_json(s, &n.doc.place, p.positions[i as usize]);
    let mut props = serde_json::to_value(&n.doc).expect("a document always serialises");
    merge_into(
        &mut props,
        json!({
            "organisation": organisation_json(s, n.org_id),
            "facility": facility,
            "example": n.example,
            "version": n.version,
            "updated_at": timestamp_oslo(n.updated_at),
        }),
    );
    json!({
        "type": "Feature",
        "id": n.id,
        "geometry": geometry,
        "properties": props,
        "links": [
            { "href": format!("{base}/api/collections/volunteer-needs/items/{}", n.id), "rel": "self", "type": GEO_JSON },
            { "href": format!("{base}/api/collections/volunteer-needs/items/{}/offers", n.id), "rel": "offer-help", "type": "application/json", "title": "POST {name, contact} to offer help" },
        ],
    })
}

fn merge_into(target: &mut Value, extra: Value) {
    if let (Value::Object(t), Value::Object(e)) = (target, extra) {
        t.extend(e);
    }
}

/// schema.org / OpenActive `SessionSeries` for an activity.
pub(super) fn activity_jsonld(s: &Snapshot, i: u32, base: &str) -> Value {
    const DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let p = &s.programme.activities;
    let a = &p.items[i as usize];
    let d = &a.doc;
    let org = s.programme.organisation(a.org_id);
    let (_, facility) = place_json(s, &d.place, p.positions[i as usize]);
    let location = match p.positions[i as usize] {
        Some(pos) => json!({
            "@type": "Place",
            "name": facility.get("name").cloned().unwrap_or(Value::Null),
            "geo": { "@type": "GeoCoordinates", "latitude": pos.lat, "longitude": pos.lon },
        }),
        None => Value::Null,
    };
    let schedule: Vec<Value> = d
        .schedule
        .sessions
        .iter()
        .map(|session| {
            json!({
                "@type": "Schedule",
                "byDay": format!("https://schema.org/{}", DAYS[(session.weekday.clamp(1, 7) - 1) as usize]),
                "startTime": session.start.to_string(),
                "endTime": session.end.to_string(),
                "repeatFrequency": "P1W",
                "scheduleTimezone": "Europe/Oslo",
                "startDate": d.schedule.valid_from.map(|x| x.to_string()),
                "endDate": d.schedule.valid_to.map(|x| x.to_string()),
                "exceptDate": d.schedule.exceptions.iter().map(|x| x.to_string()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "@context": ["https://schema.org/", "https://openactive.io/"],
        "@type": "SessionSeries",
        "@id": format!("{base}/api/collections/activities/items/{}", a.id),
        "identifier": a.id,
        "name": d.title,
        "description": d.description,
        "activity": [{ "@type": "Concept", "prefLabel": d.category.label_en(), "altLabel": d.category.label_nb() }],
        "organizer": { "@type": "Organization", "name": org.map(|o| o.name.as_str()), "email": org.and_then(|o| o.contact.as_deref()) },
        "location": location,
        "ageRange": { "@type": "QuantitativeValue", "minValue": d.age_min, "maxValue": d.age_max },
        "isAccessibleForFree": d.free(),
        "offers": [{ "@type": "Offer", "price": d.price_nok, "priceCurrency": "NOK", "description": d.price_note }],
        "inLanguage": d.languages,
        "accessibilityFeature": d.accessibility,
        "eventSchedule": schedule,
        "url": d.signup_url,
        "dateModified": a.updated_at.to_string(),
        "isExample": a.example,
    })
}

/// The two collections' entries for `/api/collections`.
pub fn collections_json(s: &Snapshot, base: &str) -> Vec<Value> {
    let extent = s
        .extent()
        .map(|b| b.as_array().to_vec())
        .unwrap_or_default();
    [
        ("activities", "Aktiviteter / Activities", "Recurring activities at facilities or places: category, ages, price, weekly sessions with the next one, organiser. Filter by category, age, weekday, time_of_day, free, org; lon/lat/minutes/profile for those within a walk. Writable with an API token (POST; PUT/PATCH/DELETE with If-Match)."),
        ("volunteer-needs", "Frivillighet / Volunteer needs", "What organisations need help with, until when; offer help with POST …/items/{id}/offers. Writable with an API token."),
    ]
    .iter()
    .map(|(id, title, description)| {
        json!({
            "id": id,
            "title": title,
            "description": description,
            "itemType": "feature",
            "crs": crate::http::crs::Crs::offered_uris(),
            "storageCrs": crate::http::crs::CRS84,
            "extent": { "spatial": { "bbox": [extent], "crs": crate::http::crs::CRS84 } },
            // The organisations write these; the places are the facilities' (their sources).
            "attribution": format!("Organisasjonene selv / the organisations themselves; steder / places: {}", s.attribution()),
            "links": [
                { "href": format!("{base}/api/collections/{id}"), "rel": "self", "type": "application/json" },
                { "href": format!("{base}/api/collections/{id}/items"), "rel": "items", "type": GEO_JSON },
            ]
        })
    })
    .collect()
}
