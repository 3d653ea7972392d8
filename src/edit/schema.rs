//! The shape of a written activity or volunteer need, checked before it is read (issue 21
//! items 1, 2): the JSON Schema generated from the same Rust types that parse the document
//! (schemars), so the OpenAPI document and the check cannot drift, and every shape error of
//! a body is told at once, each at its field (jsonschema), where serde would stop at the
//! first with no field.

use std::sync::LazyLock;

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use crate::domain::activity::{ActivityDoc, FieldError, NeedDoc};
use crate::store::editing::ItemCollection;

/// The JSON Schema (draft 2020-12) of `collection`'s written fields: the document and the
/// optional `org_id` an administrator may give.
pub fn schema(collection: ItemCollection) -> Value {
    let mut schema = match collection {
        ItemCollection::Activities => schemars::schema_for!(ActivityDoc),
        ItemCollection::VolunteerNeeds => schemars::schema_for!(NeedDoc),
    }
    .to_value();
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert(
            "org_id".into(),
            serde_json::json!({
                "type": "integer",
                "description": "The organisation it belongs to: an administrator's token may write for any organisation; an editor's writes for its own (default)."
            }),
        );
    }
    schema
}

static VALIDATORS: LazyLock<[jsonschema::Validator; 2]> = LazyLock::new(|| {
    [ItemCollection::Activities, ItemCollection::VolunteerNeeds].map(|c| {
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema(c))
            .expect("the generated schema is valid")
    })
});

/// A JSON Pointer (`/schedule/exceptions/0`) as the dotted field names of the API's errors
/// (`schedule.exceptions[0]`).
fn field_of(pointer: &str) -> String {
    let mut out = String::new();
    for part in pointer.split('/').skip(1) {
        let part = part.replace("~1", "/").replace("~0", "~");
        if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&part);
        }
    }
    out
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

/// Every shape error of `fields` against `collection`'s schema, each at its field, ordered
/// by field (the order of the document's properties); empty when the shape is right.
pub fn check(collection: ItemCollection, fields: &Value) -> Vec<FieldError> {
    let validator = match collection {
        ItemCollection::Activities => &VALIDATORS[0],
        ItemCollection::VolunteerNeeds => &VALIDATORS[1],
    };
    let what = match collection {
        ItemCollection::Activities => "an activity",
        ItemCollection::VolunteerNeeds => "a volunteer need",
    };
    let mut errors: Vec<FieldError> = Vec::new();
    for e in validator.iter_errors(fields) {
        let at = field_of(e.instance_path.as_str());
        let instance = e.instance.to_string();
        let (field, reason) = match &e.kind {
            ValidationErrorKind::Required { property } => (
                join(&at, property.as_str().unwrap_or_default()),
                "is required".to_string(),
            ),
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for name in unexpected {
                    errors.push(FieldError {
                        field: join(&at, name),
                        reason: format!("is not a field of {what} (see the OpenAPI document)"),
                    });
                }
                continue;
            }
            ValidationErrorKind::Type { kind } => {
                let expected = match kind {
                    jsonschema::error::TypeKind::Single(t) => t.to_string(),
                    jsonschema::error::TypeKind::Multiple(ts) => ts
                        .iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(" or "),
                };
                (at, format!("must be of type {expected} (is {instance})"))
            }
            ValidationErrorKind::Format { format } if format == "date" => (
                at,
                format!("must be a date written YYYY-MM-DD (is {instance})"),
            ),
            ValidationErrorKind::Pattern { .. }
                if at.ends_with(".start") || at.ends_with(".end") =>
            {
                (at, format!("must be a time written HH:MM (is {instance})"))
            }
            ValidationErrorKind::OneOfNotValid { .. }
            | ValidationErrorKind::OneOfMultipleValid { .. }
                if at.ends_with("place") =>
            {
                (
                    at,
                    "must be {\"facility_id\": ID} or {\"lon\": LON, \"lat\": LAT}, not both"
                        .to_string(),
                )
            }
            ValidationErrorKind::OneOfNotValid { .. } if at.ends_with(".weekday") => (
                at,
                format!("must be 1 (Monday) to 7 (Sunday), or mon … sun (is {instance})"),
            ),
            ValidationErrorKind::Enum { options } => (
                at,
                format!(
                    "must be one of {} (is {instance})",
                    options
                        .as_array()
                        .map(|o| o
                            .iter()
                            .map(Value::to_string)
                            .collect::<Vec<_>>()
                            .join(", "))
                        .unwrap_or_default()
                ),
            ),
            _ => (at, e.to_string()),
        };
        errors.push(FieldError { field, reason });
    }
    errors.sort_by(|a, b| a.field.cmp(&b.field));
    errors.dedup();
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_become_field_names() {
        assert_eq!(field_of("/schedule/exceptions/0"), "schedule.exceptions[0]");
        assert_eq!(field_of(""), "");
        assert_eq!(field_of("/title"), "title");
    }

    #[test]
    fn every_shape_error_is_told_at_its_field() {
        let body = serde_json::json!({
            "category": "sport",
            "price_nok": 0,
            "age_min": "ten",
            "place": { "facility_id": 3, "lon": 10.2, "lat": 59.7 },
            "schedule": { "sessions": [{ "weekday": "tue", "start": "18:00", "end": "19:00" }], "exceptions": ["2026-13-01"] },
            "colour": "red"
        });
        let errors = check(ItemCollection::Activities, &body);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "age_min",
                "colour",
                "place",
                "schedule.exceptions[0]",
                "title"
            ],
            "{errors:#?}"
        );
        assert!(errors[3].reason.contains("YYYY-MM-DD"), "{errors:#?}");
    }
}
