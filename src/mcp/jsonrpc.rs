//! JSON-RPC 2.0 messages as MCP uses them.

use serde_json::{Value, json};

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const INTERNAL_ERROR: i64 = -32603;

/// One incoming message after the envelope checks.
#[derive(Debug)]
pub enum Incoming {
    /// A request: it must be answered.
    Request {
        id: Value,
        method: String,
        params: Value,
    },
    /// A notification: never answered.
    Notification { method: String },
    /// A response to a request of ours (we send none, so it is accepted and dropped).
    Response,
}

/// A JSON-RPC error before or instead of a result.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
}

/// A message as read off the wire: what it asks, or why it cannot be answered (with its id when
/// one could be read).
pub type Parsed = Result<Incoming, (Value, RpcError)>;

/// Parses one HTTP body into a message. Errors carry the id when one could be read.
pub fn parse(body: &[u8]) -> Parsed {
    serde_json::from_slice(body)
        .map_err(not_json)
        .and_then(from_value)
}

/// The error for a body that is not JSON at all.
pub fn not_json(error: serde_json::Error) -> (Value, RpcError) {
    (
        Value::Null,
        RpcError::new(
            PARSE_ERROR,
            format!("Parse error: body is not valid JSON ({error})"),
        ),
    )
}

/// Reads a message from JSON already parsed (the transport parses each body once).
pub fn from_value(value: Value) -> Parsed {
    let object = match value {
        Value::Object(object) => object,
        Value::Array(_) => {
            return Err((
                Value::Null,
                RpcError::new(
                    INVALID_REQUEST,
                    "Invalid request: JSON-RPC batches are not supported since MCP 2025-06-18; send one message per POST",
                ),
            ));
        }
        _ => {
            return Err((
                Value::Null,
                RpcError::new(
                    INVALID_REQUEST,
                    "Invalid request: expected a JSON-RPC object",
                ),
            ));
        }
    };
    let id = object.get("id").cloned();
    let id_for_error = id.clone().unwrap_or(Value::Null);
    let invalid = |msg: &str| {
        Err((
            id_for_error.clone(),
            RpcError::new(INVALID_REQUEST, format!("Invalid request: {msg}")),
        ))
    };
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return invalid("\"jsonrpc\" must be \"2.0\"");
    }
    if let Some(id) = &id
        && !(id.is_string() || id.is_i64() || id.is_u64())
    {
        return invalid("\"id\" must be a string or an integer");
    }
    match (object.get("method"), id) {
        (Some(Value::String(method)), Some(id)) => {
            let params = object.get("params").cloned().unwrap_or(Value::Null);
            if !(params.is_object() || params.is_null()) {
                return invalid("\"params\" must be an object");
            }
            Ok(Incoming::Request {
                id,
                method: method.clone(),
                params,
            })
        }
        (Some(Value::String(method)), None) => Ok(Incoming::Notification {
            method: method.clone(),
        }),
        (Some(_), _) => invalid("\"method\" must be a string"),
        (None, Some(_)) if object.contains_key("result") || object.contains_key("error") => {
            Ok(Incoming::Response)
        }
        (None, _) => invalid("missing \"method\""),
    }
}

pub fn result(id: &Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

pub fn error(id: &Value, error: &RpcError) -> Value {
    let mut body = json!({"code": error.code, "message": error.message});
    if let Some(data) = &error.data {
        body["data"] = data.clone();
    }
    json!({"jsonrpc": "2.0", "id": id, "error": body})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &str) -> i64 {
        parse(body.as_bytes()).unwrap_err().1.code
    }

    #[test]
    fn malformed_messages_get_the_spec_codes() {
        assert_eq!(code("{not json"), PARSE_ERROR);
        assert_eq!(code("[]"), INVALID_REQUEST);
        assert_eq!(code("42"), INVALID_REQUEST);
        assert_eq!(code(r#"{"id":1,"method":"ping"}"#), INVALID_REQUEST);
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#),
            INVALID_REQUEST
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":1,"method":7}"#),
            INVALID_REQUEST
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":1,"method":"x","params":[1]}"#),
            INVALID_REQUEST
        );
    }

    #[test]
    fn error_keeps_the_request_id() {
        let (id, _) = parse(br#"{"jsonrpc":"1.0","id":"a","method":"ping"}"#).unwrap_err();
        assert_eq!(id, Value::from("a"));
    }

    #[test]
    fn kinds_are_told_apart() {
        assert!(matches!(
            parse(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            Ok(Incoming::Notification { .. })
        ));
        assert!(matches!(
            parse(br#"{"jsonrpc":"2.0","id":3,"result":{}}"#),
            Ok(Incoming::Response)
        ));
        assert!(matches!(
            parse(br#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#),
            Ok(Incoming::Request { .. })
        ));
    }
}
