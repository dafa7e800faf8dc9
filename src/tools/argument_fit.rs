//! Where a tool's arguments depart from its published input schema, for the error an agent
//! reads: serde says what is wrong but not where, and a wrapper that tracks the path through
//! every argument type cost 36 KB of each component (issue 16). The published schemas say the
//! same as the types (a unit test keeps them equal), so the first place the arguments do not fit
//! them is where serde stopped; this is read only once a call's arguments were refused.

use serde_json::Value;

/// The first place `value` does not fit `schema` (`type`, `const`, `properties`, `required`,
/// `additionalProperties: false`, `items`: what the published input schemas use), as
/// `path: what is wrong`; `None` when it fits.
pub fn misfit(schema: &Value, value: &Value) -> Option<String> {
    let mut path = String::new();
    walk(schema, value, &mut path)
}

fn walk(schema: &Value, value: &Value, path: &mut String) -> Option<String> {
    let at = |path: &str, what: String| {
        if path.is_empty() {
            what
        } else {
            format!("{path}: {what}")
        }
    };
    if let Some(expected) = schema.get("const")
        && value != expected
    {
        return Some(at(path, format!("invalid value, expected {expected}")));
    }
    if let Some(expected) = schema.get("type").and_then(Value::as_str)
        && !is_of_type(value, expected)
    {
        let found = type_name(value);
        return Some(at(
            path,
            format!("invalid type: {found}, expected {expected}"),
        ));
    }
    match value {
        Value::Object(fields) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            if schema.get("additionalProperties") == Some(&Value::Bool(false))
                && let Some(unknown) = fields
                    .keys()
                    .find(|key| !properties.is_some_and(|p| p.contains_key(*key)))
            {
                let known: Vec<String> = properties
                    .into_iter()
                    .flat_map(|p| p.keys())
                    .map(|key| format!("`{key}`"))
                    .collect();
                // Quoted by its start when long: a megabyte of key is no name to read back.
                let unknown = if unknown.len() <= 128 {
                    format!("`{unknown}`")
                } else {
                    super::arguments::quoted(unknown)
                };
                return Some(at(
                    path,
                    format!(
                        "unknown field {unknown}, expected one of {}",
                        known.join(", ")
                    ),
                ));
            }
            for (key, inner) in fields {
                if let Some(inner_schema) = properties.and_then(|p| p.get(key)) {
                    let length = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    let found = walk(inner_schema, inner, path);
                    path.truncate(length);
                    if found.is_some() {
                        return found;
                    }
                }
            }
            let required = schema.get("required").and_then(Value::as_array);
            let missing = required
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .find(|name| !fields.contains_key(*name))?;
            Some(at(path, format!("missing field `{missing}`")))
        }
        Value::Array(items) => {
            let item_schema = schema.get("items")?;
            items.iter().enumerate().find_map(|(index, item)| {
                let length = path.len();
                path.push_str(&format!("[{index}]"));
                let found = walk(item_schema, item, path);
                path.truncate(length);
                found
            })
        }
        _ => None,
    }
}

fn is_of_type(value: &Value, expected: &str) -> bool {
    match expected {
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "null" => value.is_null(),
        // A type this reader does not know: serde's own message says what is wrong.
        _ => true,
    }
}

/// What a value is, in serde's words (never the value itself: an argument may hold a secret).
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "floating point",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "sequence",
        Value::Object(_) => "map",
    }
}

#[cfg(test)]
mod tests {
    use super::misfit;
    use serde_json::json;

    #[test]
    fn the_first_misfit_is_named_with_its_path() {
        let schema = json!({
            "type": "object", "additionalProperties": false, "required": ["app_name"],
            "properties": {
                "app_name": {"type": "string"},
                "history_id": {"type": "integer"},
                "confirm": {"const": true, "type": "boolean"},
                "resources": {"type": "array", "items": {
                    "type": "object", "additionalProperties": false, "required": ["kind"],
                    "properties": {"kind": {"type": "string"}, "name": {"type": "string"}}}}
            }
        });
        let fits = json!({"app_name": "a", "history_id": 3, "resources": [{"kind": "Pod"}]});
        assert_eq!(misfit(&schema, &fits), None);
        for (arguments, said) in [
            (json!({}), "missing field `app_name`"),
            (
                json!({"app_name": "a", "history_id": "3"}),
                "history_id: invalid type: string, expected integer",
            ),
            (
                json!({"app_name": "a", "history_id": 1.5}),
                "history_id: invalid type: floating point, expected integer",
            ),
            (
                json!({"app_name": "a", "projetc": "x"}),
                "unknown field `projetc`, expected one of `app_name`, `confirm`, `history_id`, `resources`",
            ),
            (
                json!({"app_name": "a", "confirm": false}),
                "confirm: invalid value, expected true",
            ),
            (
                json!({"app_name": "a", "resources": [{"kind": "Pod"}, {"name": "x"}]}),
                "resources[1]: missing field `kind`",
            ),
            (
                json!({"app_name": "a", "resources": [{"kind": 7}]}),
                "resources[0].kind: invalid type: integer, expected string",
            ),
            (
                json!({"app_name": "a", "resources": {"kind": "Pod"}}),
                "resources: invalid type: map, expected array",
            ),
            (json!(["a"]), "invalid type: sequence, expected object"),
        ] {
            assert_eq!(
                misfit(&schema, &arguments).as_deref(),
                Some(said),
                "{arguments}"
            );
        }
    }
}
