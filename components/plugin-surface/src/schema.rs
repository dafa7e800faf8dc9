//! How the argument types' JSON Schemas become WIT: a type for each schema, parameters in the
//! order the argument type declares them, and a record for each named object type.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WitType {
    String,
    Bool,
    U32,
    U64,
    S64,
    List(Box<WitType>),
    Option(Box<WitType>),
    Record(String),
    /// Any JSON, carried as text.
    JsonText,
}

impl WitType {
    pub(crate) fn is_json_text(&self) -> bool {
        match self {
            WitType::JsonText => true,
            WitType::Option(inner) => inner.is_json_text(),
            _ => false,
        }
    }
}

/// A parameter of an export, or a field of a record.
pub(crate) struct Param {
    /// The argument's name in the tool's JSON.
    pub(crate) json_name: String,
    /// kebab-case, `-json` added for JSON text.
    pub(crate) wit_name: String,
    pub(crate) ty: WitType,
    pub(crate) doc: Option<String>,
}

pub(crate) struct Record {
    /// kebab-case, from the Rust type's name.
    pub(crate) name: String,
    pub(crate) doc: Option<String>,
    pub(crate) fields: Vec<Param>,
}

/// One tool's export.
pub(crate) struct Export {
    /// The tool's name in kebab-case.
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) params: Vec<Param>,
}

/// What converting one tool's schema needs: its named types, and the records made so far.
pub(crate) struct Context<'a> {
    pub(crate) definitions: &'a Value,
    pub(crate) records: &'a mut Vec<Record>,
}

/// The parameters an object schema declares, `fields` (the declared order) first.
pub(crate) fn params_of(
    schema: &Value,
    fields: &[&'static str],
    at: &str,
    context: &mut Context<'_>,
) -> Result<Vec<Param>, String> {
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut names: Vec<&str> = fields
        .iter()
        .copied()
        .filter(|f| properties.contains_key(*f))
        .collect();
    // Properties serde did not name (none today) keep the schema's order after the others.
    names.extend(
        properties
            .keys()
            .map(String::as_str)
            .filter(|k| !fields.contains(k)),
    );
    let mut params = Vec::new();
    for name in names {
        let property = &properties[name];
        let where_ = format!("{at}.{name}");
        let ty = type_of(property, &where_, context)?;
        let ty = if required.contains(&name) {
            ty
        } else {
            WitType::Option(Box::new(ty))
        };
        let mut wit_name = name.replace('_', "-");
        if ty.is_json_text() {
            wit_name.push_str("-json");
        }
        params.push(Param {
            json_name: name.to_owned(),
            wit_name,
            ty,
            doc: property
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
        });
    }
    Ok(params)
}

fn type_of(schema: &Value, at: &str, context: &mut Context<'_>) -> Result<WitType, String> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/$defs/");
        let Some(definition) = context.definitions.get(name).cloned() else {
            return Err(format!("{at}: {reference} is not defined"));
        };
        if definition.get("type").and_then(Value::as_str) != Some("object") {
            return type_of(&definition, at, context);
        }
        let record = kebab(name);
        if !context.records.iter().any(|r| r.name == record) {
            let fields = params_of(&definition, &[], at, context)?;
            if fields.iter().any(|f| f.ty.is_json_text()) {
                return Err(format!(
                    "{at}: JSON text inside a record has no WIT form here"
                ));
            }
            context.records.push(Record {
                name: record.clone(),
                doc: definition
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                fields,
            });
        }
        return Ok(WitType::Record(record));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(options)) = schema.get(key) {
            let concrete: Vec<&Value> = options
                .iter()
                .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            return match concrete.as_slice() {
                [one] => type_of(one, at, context),
                _ if options
                    .iter()
                    .all(|o| o.get("const").is_some_and(Value::is_string)) =>
                {
                    Ok(WitType::String)
                }
                _ => Err(format!(
                    "{at}: a choice of several types has no WIT form here"
                )),
            };
        }
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ if schema.get("enum").is_some() => vec!["string"],
        _ => return Ok(WitType::JsonText),
    };
    match types.as_slice() {
        ["string"] => Ok(WitType::String),
        ["boolean"] => Ok(WitType::Bool),
        ["integer"] => match schema.get("format").and_then(Value::as_str) {
            Some("uint8" | "uint16" | "uint32" | "uint") => Ok(WitType::U32),
            Some("uint64") => Ok(WitType::U64),
            _ => Ok(WitType::S64),
        },
        ["array"] => {
            let items = schema.get("items").unwrap_or(&Value::Null);
            Ok(WitType::List(Box::new(type_of(items, at, context)?)))
        }
        ["object"] if schema.get("properties").is_some() => Err(format!(
            "{at}: an unnamed object has no record name; give it a type of its own"
        )),
        ["object"] => Ok(WitType::JsonText),
        _ => Err(format!("{at}: the type {types:?} has no WIT form here")),
    }
}

/// `ResourceRef` → `resource-ref`.
fn kebab(upper_camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in upper_camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}
