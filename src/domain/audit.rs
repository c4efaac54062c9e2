//! Reading the audit trail: what changed between an event's before and after.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One field that an event changed, each side as display text (`None` when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

/// The fields that differ between `before` and `after` (JSON objects; anything else counts as
/// one unnamed field): the fields it had, by name, then the ones it gained.
pub fn changes(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let object = |v: Option<&Value>| match v {
        Some(Value::Object(map)) => Some(map.clone()),
        Some(Value::Null) | None => Some(empty.clone()),
        Some(_) => None,
    };
    let (Some(old), Some(new)) = (object(before), object(after)) else {
        let show = |v: Option<&Value>| v.map(text);
        return match show(before) == show(after) {
            true => Vec::new(),
            false => vec![FieldChange {
                field: String::new(),
                before: show(before),
                after: show(after),
            }],
        };
    };
    let mut fields: Vec<&String> = old.keys().collect();
    fields.extend(new.keys().filter(|k| !old.contains_key(*k)));
    fields
        .into_iter()
        .filter(|field| old.get(*field) != new.get(*field))
        .map(|field| FieldChange {
            field: field.clone(),
            before: old.get(field).map(text),
            after: new.get(field).map(text),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_what_changed_is_listed() {
        let before = json!({ "status": "pending", "amount_minor": 100, "note": null });
        let after = json!({ "status": "approved", "amount_minor": 100, "note": "ok", "by": 3 });
        let changed = changes(Some(&before), Some(&after));
        let fields: Vec<&str> = changed.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["note", "status", "by"]);
        assert_eq!(changed[1].before.as_deref(), Some("pending"));
        assert_eq!(changed[0].before.as_deref(), Some("—"));
        assert_eq!(changed[2].before, None);
        assert_eq!(changed[2].after.as_deref(), Some("3"));
    }

    #[test]
    fn creations_and_removals_show_one_side() {
        let row = json!({ "name": "Acme" });
        assert_eq!(changes(None, Some(&row))[0].after.as_deref(), Some("Acme"));
        assert_eq!(changes(Some(&row), None)[0].before.as_deref(), Some("Acme"));
        assert!(changes(Some(&row), Some(&row)).is_empty());
        let odd = changes(Some(&json!(1)), Some(&json!(2)));
        assert_eq!(
            (odd[0].before.as_deref(), odd[0].after.as_deref()),
            (Some("1"), Some("2"))
        );
    }
}
