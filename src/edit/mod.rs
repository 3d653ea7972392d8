//! The one way in for writes to the organisations' programme (activities and volunteer
//! needs). The API's write handlers, the pages and the CLI all call [`write_item`]; it does,
//! in this order: the owner check an instance can answer from its snapshot, the merge of a
//! patch (RFC 7396) into the item as it is, the document's validation field by field
//! against the snapshot (facilities that exist, points in the area served), and then the
//! store's write, which checks owner and expected version again inside its transaction and
//! writes the audit row. A refused write changes nothing.
//!
//! HTTP's part (tokens, If-Match, status codes) stays with the API; what comes in here is
//! the actor, the item and its JSON.

use bytes::Bytes;
pub mod csv;
pub mod schema;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::domain::LonLat;
use crate::domain::activity::{ActivityDoc, FieldError, NeedDoc, PlaceCheck, today};
use crate::index::Snapshot;
use crate::store::editing::{Actor, ItemCollection, ItemWrite, Role, WriteOutcome};
use crate::store::{Store, StoreError};

/// What a writer asks for. `body` and `patch` are JSON: an object of the document's
/// fields, or a GeoJSON Feature (its properties; a Point geometry as the place when none
/// is given); keys the server computes are ignored. `org_id` among the fields names the
/// owning organisation (an admin may create for another one).
#[derive(Debug, Clone)]
pub enum Change {
    /// A new item; `example` marks generated demo content.
    Create {
        body: Bytes,
        example: bool,
    },
    /// The whole document anew (`merge: false`), or a JSON Merge Patch (RFC 7396) of it
    /// (`merge: true`), if the item is still at `expected_version`.
    Update {
        id: i64,
        expected_version: i64,
        body: Bytes,
        merge: bool,
    },
    Delete {
        id: i64,
        expected_version: i64,
    },
}

/// A write that was refused, or could not be made; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    /// The item moved on since the writer read it.
    #[error("the item changed since it was read (now version {current_version})")]
    Stale { current_version: i64 },
    #[error("invalid document: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A write that was made: the item's id, its new version (0 after a delete) and the
/// store's data version after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub id: i64,
    pub version: i64,
    pub data_version: i64,
}

/// Makes `change` to an item of `collection` as `actor`. `snapshot` is what the writer's
/// instance knows now: the item as it is (for a patch and the early owner check), the
/// organisations and the places documents may name.
///
/// Errors: [`EditError::NotFound`] (no such item), [`EditError::Forbidden`] (an editor
/// writing for another organisation), [`EditError::Stale`] (the version moved),
/// [`EditError::Invalid`] (the fields and why), [`EditError::Store`] (the store failed).
pub async fn write_item(
    store: &dyn Store,
    snapshot: &Snapshot,
    actor: &Actor,
    collection: ItemCollection,
    change: Change,
) -> Result<Written, EditError> {
    let write = match change {
        Change::Create { body, example } => {
            let (doc, org) = validate(collection, snapshot, body_fields(&body)?)?;
            let org_id = org.unwrap_or(actor.org_id);
            if actor.role == Role::Editor && org_id != actor.org_id {
                return Err(EditError::Forbidden(
                    "an editor writes only for its own organisation".into(),
                ));
            }
            if snapshot.programme.organisation(org_id).is_none() {
                return Err(EditError::Invalid(vec![FieldError {
                    field: "org_id".into(),
                    reason: format!("no organisation {org_id}"),
                }]));
            }
            ItemWrite::Create {
                org_id,
                example,
                valid_until: valid_until_of(collection, &doc),
                doc,
            }
        }
        Change::Update {
            id,
            expected_version,
            body,
            merge,
        } => replacement(
            snapshot,
            actor,
            collection,
            id,
            expected_version,
            body,
            merge,
        )?,
        Change::Delete {
            id,
            expected_version,
        } => ItemWrite::Delete {
            id,
            expected_version,
        },
    };
    match store.write_item(collection, actor, write).await? {
        WriteOutcome::Done {
            id,
            version,
            data_version,
        } => Ok(Written {
            id,
            version,
            data_version,
        }),
        WriteOutcome::NotFound => Err(EditError::NotFound(format!(
            "no item in {}",
            collection.id()
        ))),
        WriteOutcome::Forbidden => Err(EditError::Forbidden(
            "this token's organisation does not own the item".into(),
        )),
        WriteOutcome::Stale { current_version } => Err(EditError::Stale { current_version }),
    }
}

/// A replace or patch, checked against the item as this instance knows it. Owner and
/// version are checked again by the store in the write's transaction; this answers a
/// foreign editor early and gives a patch the document to apply to.
fn replacement(
    snapshot: &Snapshot,
    actor: &Actor,
    collection: ItemCollection,
    id: i64,
    expected_version: i64,
    body: Bytes,
    patch: bool,
) -> Result<ItemWrite, EditError> {
    let p = &snapshot.programme;
    let current = match collection {
        ItemCollection::Activities => p.activities.index_of(id).map(|i| {
            let a = &p.activities.items[i as usize];
            (a.org_id, serde_json::to_value(&a.doc).expect("serialises"))
        }),
        ItemCollection::VolunteerNeeds => p.needs.index_of(id).map(|i| {
            let n = &p.needs.items[i as usize];
            (n.org_id, serde_json::to_value(&n.doc).expect("serialises"))
        }),
    };
    let Some((owner, current_doc)) = current else {
        return Err(EditError::NotFound(format!(
            "no item \"{id}\" in {}",
            collection.id()
        )));
    };
    if actor.role == Role::Editor && owner != actor.org_id {
        return Err(EditError::Forbidden(
            "this token's organisation does not own the item".into(),
        ));
    }
    let fields = body_fields(&body)?;
    let fields = if patch {
        // A document stored before texts were trimmed is trimmed first, so that a patch
        // of another field is not refused for white space its author never sent.
        let mut merged = current_doc;
        trim_text(&mut merged);
        merge_patch(&mut merged, Value::Object(fields));
        match merged {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    } else {
        fields
    };
    let (doc, org) = validate(collection, snapshot, fields)?;
    if org.is_some_and(|o| o != owner) {
        return Err(EditError::Invalid(vec![FieldError {
            field: "org_id".into(),
            reason: "an item's organisation cannot change".into(),
        }]));
    }
    let valid_until = valid_until_of(collection, &doc);
    Ok(if patch {
        ItemWrite::Update {
            id,
            expected_version,
            valid_until,
            doc,
        }
    } else {
        ItemWrite::Replace {
            id,
            expected_version,
            valid_until,
            doc,
        }
    })
}

/// Keys a client may send back from a GET that the server computes: ignored on writes.
const READ_ONLY: &[&str] = &[
    "id",
    "organisation",
    "facility",
    "free",
    "next_session",
    "example",
    "version",
    "updated_at",
    "category_label_nb",
    "category_label_en",
    "walk_seconds",
    "walk_minutes",
    "links",
];

/// Parses a written body: a GeoJSON Feature (its properties, a Point geometry as the
/// place when none is given) or the plain object. Read-only keys are dropped.
fn body_fields(body: &[u8]) -> Result<Map<String, Value>, EditError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        EditError::Invalid(vec![FieldError {
            field: "body".into(),
            reason: format!("not JSON: {e}"),
        }])
    })?;
    let Value::Object(mut o) = v else {
        return Err(EditError::Invalid(vec![FieldError {
            field: "body".into(),
            reason: "must be a JSON object or a GeoJSON Feature".into(),
        }]));
    };
    // A Feature as GET serves it, or a merge patch of one (`{"properties": {…}}`): the
    // documents have no `properties` field, so either is read as the Feature's fields.
    if o.get("type").and_then(Value::as_str) == Some("Feature")
        || o.get("properties").is_some_and(Value::is_object)
    {
        let geometry = o.remove("geometry");
        let mut props = match o.remove("properties") {
            Some(Value::Object(p)) => p,
            _ => Map::new(),
        };
        if !props.contains_key("place")
            && let Some(g) = geometry
            && g.get("type").and_then(Value::as_str) == Some("Point")
            && let Some([lon, lat]) = g
                .get("coordinates")
                .and_then(Value::as_array)
                .and_then(|c| <&[Value; 2]>::try_from(c.as_slice()).ok())
        {
            props.insert("place".into(), json!({ "lon": lon, "lat": lat }));
        }
        o = props;
    }
    for k in READ_ONLY {
        o.remove(*k);
    }
    Ok(o)
}

/// RFC 7396 JSON Merge Patch: `null` removes a key, objects merge, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let t = target.as_object_mut().expect("made an object above");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(&k);
                } else {
                    merge_patch(t.entry(k).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other,
    }
}

/// Checks places against the snapshot: facilities that exist, points in the area served.
struct World<'a>(&'a Snapshot);

impl PlaceCheck for World<'_> {
    fn facility_exists(&self, id: i64) -> bool {
        self.0.facility(id).is_some()
    }

    fn inside_area(&self, p: LonLat) -> bool {
        self.0.service_area_contains(p)
    }
}

/// The document of `collection` from its fields, validated, as JSON; and the `org_id` the
/// fields named, taken out of them.
fn validate(
    collection: ItemCollection,
    snapshot: &Snapshot,
    fields: Map<String, Value>,
) -> Result<(Value, Option<i64>), EditError> {
    let world = World(snapshot);
    match collection {
        ItemCollection::Activities => {
            checked_doc::<ActivityDoc>(collection, fields, |d| d.validate(&world))
        }
        ItemCollection::VolunteerNeeds => {
            let today = today(Timestamp::now());
            checked_doc::<NeedDoc>(collection, fields, |d| d.validate(&world, today))
        }
    }
}

/// The document from its fields: first their shape against the schema (every error at
/// once), then their content (`validate`, every error at once).
fn checked_doc<D: serde::de::DeserializeOwned + serde::Serialize>(
    collection: ItemCollection,
    mut fields: Map<String, Value>,
    validate: impl Fn(&D) -> Vec<FieldError>,
) -> Result<(Value, Option<i64>), EditError> {
    let fields_value = Value::Object(fields);
    let mut shape = schema::check(collection, &fields_value);
    let Value::Object(f) = fields_value else {
        unreachable!("made an object above")
    };
    fields = f;
    if !shape.is_empty() {
        // Where the document still reads (a title one character short breaks the schema
        // and is still a string), its content is checked too, so that every error is told
        // at once, in the content check's words where both speak of a field (they name the
        // rule; the schema's repeat the value).
        let mut doc = fields.clone();
        doc.remove("org_id");
        if let Ok(doc) = serde_json::from_value::<D>(Value::Object(doc)) {
            let mut errors = validate(&doc);
            shape.retain(|s| !errors.iter().any(|e| e.field == s.field));
            errors.append(&mut shape);
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            shape = errors;
        }
        return Err(EditError::Invalid(shape));
    }
    let invalid = |field: &str, reason: String| {
        EditError::Invalid(vec![FieldError {
            field: field.into(),
            reason,
        }])
    };
    let org_id = match fields.remove("org_id") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_i64()
                .ok_or_else(|| invalid("org_id", "must be an organisation id".into()))?,
        ),
    };
    let doc: D = serde_json::from_value(Value::Object(fields))
        .map_err(|e| invalid("body", e.to_string()))?;
    let mut errors = validate(&doc);
    if !errors.is_empty() {
        // In the order of the fields, as the shape errors (the schema's order).
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        return Err(EditError::Invalid(errors));
    }
    let mut value = serde_json::to_value(&doc).expect("a document always serialises");
    trim_text(&mut value);
    Ok((value, org_id))
}

/// Trims white space from both ends of a document's texts (its top-level strings and
/// lists of strings), as stored: `" Fotball "` is kept as `"Fotball"`. The checks count
/// a text's minimum without that white space and its maximum with it (as the schema's
/// `maxLength`), so a trimmed document is as valid as the one written.
fn trim_text(doc: &mut Value) {
    let trim = |v: &mut Value| {
        if let Value::String(s) = v
            && s.trim().len() != s.len()
        {
            *s = s.trim().to_string();
        }
    };
    if let Value::Object(fields) = doc {
        for v in fields.values_mut() {
            match v {
                Value::Array(items) => items.iter_mut().for_each(trim),
                v => trim(v),
            }
        }
    }
}

/// A volunteer need's last day, kept in its own column for expiry.
fn valid_until_of(collection: ItemCollection, doc: &Value) -> Option<String> {
    (collection == ItemCollection::VolunteerNeeds)
        .then(|| {
            doc.get("valid_until")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::{body_fields, merge_patch, trim_text};

    #[test]
    fn texts_are_stored_without_white_space_at_their_ends() {
        let mut doc = json!({
            "title": " Fotball\t", "skills": [" a ", "b"], "price_nok": 0,
            "schedule": { "sessions": [] }, "description": "midt i  teksten",
        });
        trim_text(&mut doc);
        assert_eq!(
            doc,
            json!({
                "title": "Fotball", "skills": ["a", "b"], "price_nok": 0,
                "schedule": { "sessions": [] }, "description": "midt i  teksten",
            })
        );
    }

    #[test]
    fn a_patch_of_the_feature_served_is_a_patch_of_its_fields() {
        let patch =
            br#"{"properties": {"title": "Ny tittel", "version": 3, "organisation": {"id": 1}}}"#;
        let fields = body_fields(patch).unwrap();
        assert_eq!(
            serde_json::Value::Object(fields),
            json!({ "title": "Ny tittel" })
        );
        let moved = br#"{"type": "Feature", "geometry": {"type": "Point", "coordinates": [10.2, 59.7]}, "properties": {}}"#;
        assert_eq!(
            serde_json::Value::Object(body_fields(moved).unwrap()),
            json!({ "place": { "lon": 10.2, "lat": 59.7 } })
        );
        let flat = br#"{"title": "Flat"}"#;
        assert_eq!(
            serde_json::Value::Object(body_fields(flat).unwrap()),
            json!({ "title": "Flat" })
        );
    }
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        // RFC 7396, section 3's example.
        let mut target = json!({
            "title": "Goodbye!",
            "author": { "givenName": "John", "familyName": "Doe" },
            "tags": ["example", "sample"],
            "content": "This will be unchanged"
        });
        merge_patch(
            &mut target,
            json!({
                "title": "Hello!",
                "phoneNumber": "+01-234-567-8901",
                "author": { "familyName": null },
                "tags": ["example"]
            }),
        );
        assert_eq!(
            target,
            json!({
                "title": "Hello!",
                "author": { "givenName": "John" },
                "tags": ["example"],
                "content": "This will be unchanged",
                "phoneNumber": "+01-234-567-8901"
            })
        );
    }
}
