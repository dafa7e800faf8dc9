//! Resources (documents a client can read) and prompts (task templates a user can pick): the
//! MCP methods over static content the server declares.

use serde_json::{Value, json};

use super::jsonrpc::{INVALID_PARAMS, RpcError};

/// Not found, as 2025-11-25 numbers it.
pub const RESOURCE_NOT_FOUND: i64 = -32002;

#[derive(Debug, Clone, Copy)]
pub struct Resource {
    pub uri: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// Markdown.
    pub text: &'static str,
}

/// A family of resources the provider reads on demand (`scheme://things/{name}`).
#[derive(Debug, Clone, Copy)]
pub struct ResourceTemplate {
    pub uri_template: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub mime_type: &'static str,
    /// Each `{variable}` of the template with the argument whose values complete it (as
    /// [`super::tool::ToolProvider::complete`] knows it).
    pub completions: &'static [(&'static str, &'static str)],
}

pub fn list_resource_templates(templates: &[ResourceTemplate]) -> Value {
    let listed: Vec<Value> = templates
        .iter()
        .map(|t| {
            json!({"uriTemplate": t.uri_template, "name": t.name, "title": t.title,
                   "description": t.description, "mimeType": t.mime_type})
        })
        .collect();
    json!({ "resourceTemplates": listed })
}

/// The resource `uri` names is not one the server has.
pub fn resource_not_found(uri: &str) -> RpcError {
    RpcError::new(
        RESOURCE_NOT_FOUND,
        format!("Resource not found: {uri}; see resources/list and resources/templates/list"),
    )
    .with_data(json!({"uri": uri}))
}

#[derive(Debug, Clone, Copy)]
pub struct PromptArgument {
    pub name: &'static str,
    pub description: &'static str,
    /// `None`: required. Otherwise the words used in the template when it is not given.
    pub when_missing: Option<&'static str>,
}

#[derive(Debug, Clone, Copy)]
pub struct Prompt {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub arguments: &'static [PromptArgument],
    /// `{argument}` placeholders are replaced by the values.
    pub template: &'static str,
}

pub fn list_resources(resources: &[Resource]) -> Value {
    let listed: Vec<Value> = resources
        .iter()
        .map(|r| {
            json!({"uri": r.uri, "name": r.name, "title": r.title, "description": r.description,
                   "mimeType": "text/markdown", "size": r.text.len()})
        })
        .collect();
    json!({ "resources": listed })
}

pub fn read_resource(resources: &[Resource], uri: &str) -> Result<Value, RpcError> {
    let resource = resources
        .iter()
        .find(|r| r.uri == uri)
        .ok_or_else(|| resource_not_found(uri))?;
    Ok(
        json!({"contents": [{"uri": resource.uri, "mimeType": "text/markdown", "text": resource.text}]}),
    )
}

pub fn list_prompts(prompts: &[Prompt]) -> Value {
    let listed: Vec<Value> = prompts
        .iter()
        .map(|p| {
            let arguments: Vec<Value> = p
                .arguments
                .iter()
                .map(|a| json!({"name": a.name, "description": a.description, "required": a.when_missing.is_none()}))
                .collect();
            json!({"name": p.name, "title": p.title, "description": p.description, "arguments": arguments})
        })
        .collect();
    json!({ "prompts": listed })
}

pub fn get_prompt(
    prompts: &[Prompt],
    name: &str,
    given: &serde_json::Map<String, Value>,
) -> Result<Value, RpcError> {
    let prompt = prompts.iter().find(|p| p.name == name).ok_or_else(|| {
        RpcError::new(
            INVALID_PARAMS,
            format!("Unknown prompt: {name}; see prompts/list"),
        )
    })?;
    let mut values: Vec<(&str, &str)> = Vec::new();
    for argument in prompt.arguments {
        let value = given
            .get(argument.name)
            .and_then(Value::as_str)
            .filter(|v| !v.trim().is_empty());
        let value = match (value, argument.when_missing) {
            (Some(v), _) => v.trim(),
            (None, Some(default)) => default,
            (None, None) => {
                return Err(RpcError::new(
                    INVALID_PARAMS,
                    format!("prompt {name} needs the argument {}", argument.name),
                ));
            }
        };
        values.push((argument.name, value));
    }
    // One pass over the template alone: a value is never read for placeholders (one holding
    // `{other}` would have the other spliced into it, making text the caller never sent).
    let mut text = String::new();
    let mut rest = prompt.template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        rest = &rest[open + 1..];
        let named = rest.find('}').and_then(|close| {
            let (_, value) = values.iter().find(|(name, _)| *name == &rest[..close])?;
            Some((close, value))
        });
        match named {
            Some((close, value)) => {
                text.push_str(value);
                rest = &rest[close + 1..];
            }
            None => text.push('{'),
        }
    }
    text.push_str(rest);
    Ok(json!({
        "description": prompt.description,
        "messages": [{"role": "user", "content": {"type": "text", "text": text}}],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROMPTS: &[Prompt] = &[Prompt {
        name: "p",
        title: "P",
        description: "d",
        arguments: &[
            PromptArgument {
                name: "app",
                description: "",
                when_missing: None,
            },
            PromptArgument {
                name: "rev",
                description: "",
                when_missing: Some("HEAD"),
            },
        ],
        template: "sync {app} to {rev}",
    }];

    #[test]
    fn prompts_fill_their_arguments() {
        let given = json!({"app": "web"});
        let out = get_prompt(PROMPTS, "p", given.as_object().unwrap()).unwrap();
        assert_eq!(out["messages"][0]["content"]["text"], "sync web to HEAD");
        let missing = get_prompt(PROMPTS, "p", &serde_json::Map::new()).unwrap_err();
        assert_eq!(missing.code, INVALID_PARAMS);
        assert_eq!(
            list_prompts(PROMPTS)["prompts"][0]["arguments"][1]["required"],
            false
        );
    }

    #[test]
    fn unknown_resources_are_not_found() {
        let resources = [Resource {
            uri: "x://a",
            name: "a",
            title: "A",
            description: "",
            text: "hi",
        }];
        assert_eq!(
            read_resource(&resources, "x://a").unwrap()["contents"][0]["text"],
            "hi"
        );
        assert_eq!(
            read_resource(&resources, "x://b").unwrap_err().code,
            RESOURCE_NOT_FOUND
        );
    }
}
