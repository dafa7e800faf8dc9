//! `subscriptions/listen` (2026-07-28): a long-lived request whose answer is a stream. The
//! server acknowledges first with the part of the filter it honours, then sends the
//! notifications the provider reports, each tagged with the subscription's id (the request's
//! JSON-RPC id), and ends with a result when it closes the subscription itself. The client ends
//! it by leaving (closing the stream, or `notifications/cancelled` over stdio).
//!
//! The protocol alone lives here; what changes and when is the provider's
//! ([`super::tool::ToolProvider::listen`]).

use serde_json::{Map, Value, json};

use super::jsonrpc::{INVALID_PARAMS, RpcError};
use super::server::MessageSink;

pub const META_SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";

/// Which notifications a client asks for, or a server agrees to send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub tools_list_changed: bool,
    pub prompts_list_changed: bool,
    pub resources_list_changed: bool,
    /// URIs whose `notifications/resources/updated` the client wants.
    pub resource_subscriptions: Vec<String>,
}

/// A subscription the provider agreed to: the filter it honours, and the provider's own note of
/// what it holds for the subscription while it runs (its place under the provider's limits),
/// handed back to [`super::tool::ToolProvider::listen`]. The protocol carries the note from the
/// agreement to the listening (which may run on another value of the provider) and never reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agreed {
    pub filter: Filter,
    pub note: String,
}

/// The most URIs one request may name: the filter is read whole before anything is agreed.
const MOST_URIS_READ: usize = 1_000;

impl Filter {
    /// Reads `params.notifications`; fields left out are not asked for.
    pub fn read(params: &Map<String, Value>) -> Result<Filter, RpcError> {
        let invalid =
            |why: &str| RpcError::new(INVALID_PARAMS, format!("subscriptions/listen: {why}"));
        let notifications = match params.get("notifications") {
            Some(Value::Object(fields)) => fields,
            _ => {
                return Err(invalid(
                    "needs params.notifications, an object saying what to send",
                ));
            }
        };
        let flag = |name: &str| -> Result<bool, RpcError> {
            match notifications.get(name) {
                None | Some(Value::Null) => Ok(false),
                Some(Value::Bool(on)) => Ok(*on),
                Some(_) => Err(invalid(&format!(
                    "notifications.{name} must be true or false"
                ))),
            }
        };
        let uris = match notifications.get("resourceSubscriptions") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) if items.len() <= MOST_URIS_READ => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<String>>>()
                .ok_or_else(|| {
                    invalid("notifications.resourceSubscriptions must list URIs as strings")
                })?,
            Some(Value::Array(_)) => {
                return Err(invalid(&format!(
                    "notifications.resourceSubscriptions names more than {MOST_URIS_READ} URIs"
                )));
            }
            Some(_) => {
                return Err(invalid(
                    "notifications.resourceSubscriptions must be a list of URIs",
                ));
            }
        };
        Ok(Filter {
            tools_list_changed: flag("toolsListChanged")?,
            prompts_list_changed: flag("promptsListChanged")?,
            resources_list_changed: flag("resourcesListChanged")?,
            resource_subscriptions: uris,
        })
    }

    /// The filter as the acknowledgment states it: only what is on.
    pub fn to_json(&self) -> Value {
        let mut fields = Map::new();
        for (name, on) in [
            ("toolsListChanged", self.tools_list_changed),
            ("promptsListChanged", self.prompts_list_changed),
            ("resourcesListChanged", self.resources_list_changed),
        ] {
            if on {
                fields.insert(name.into(), json!(true));
            }
        }
        if !self.resource_subscriptions.is_empty() {
            fields.insert(
                "resourceSubscriptions".into(),
                json!(self.resource_subscriptions),
            );
        }
        Value::Object(fields)
    }

    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }
}

/// Where a provider reports changes while a subscription is open.
pub trait Listener {
    /// `uri` (one the subscription agreed to) changed; `meta` says how, for the client to
    /// need no read (under `_meta`, beside the subscription's id).
    fn resource_updated(&self, uri: &str, meta: Map<String, Value>);
    /// The list of resources changed (something appeared or went).
    fn resources_list_changed(&self);
    /// Whether the client left: the provider stops watching.
    fn is_closed(&self) -> bool;
    /// Nothing to report for a while: the transport writes something that is no notification,
    /// so that it notices a client who left (see [`MessageSink::keep_alive`]).
    fn keep_alive(&self);
}

/// Sends what the provider reports as notifications of subscription `id`.
pub struct Notifier<'a> {
    pub id: &'a Value,
    pub agreed: &'a Filter,
    pub sink: &'a dyn MessageSink,
}

impl Notifier<'_> {
    fn send(&self, method: &str, mut params: Map<String, Value>, mut meta: Map<String, Value>) {
        meta.insert(META_SUBSCRIPTION_ID.into(), self.id.clone());
        params.insert("_meta".into(), Value::Object(meta));
        self.sink
            .send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The acknowledgment: first on the stream, with what the server agreed to.
    pub fn acknowledge(&self) {
        let mut params = Map::new();
        params.insert("notifications".into(), self.agreed.to_json());
        self.send(
            "notifications/subscriptions/acknowledged",
            params,
            Map::new(),
        );
    }

    /// The result that closes the subscription gracefully.
    pub fn closing_result(&self) -> Value {
        json!({"_meta": {META_SUBSCRIPTION_ID: self.id}})
    }
}

impl Listener for Notifier<'_> {
    fn resource_updated(&self, uri: &str, meta: Map<String, Value>) {
        // Never what the client did not ask for.
        if !self.agreed.resource_subscriptions.iter().any(|u| u == uri) {
            return;
        }
        let mut params = Map::new();
        params.insert("uri".into(), json!(uri));
        self.send("notifications/resources/updated", params, meta);
    }

    fn resources_list_changed(&self) {
        if self.agreed.resources_list_changed {
            self.send(
                "notifications/resources/list_changed",
                Map::new(),
                Map::new(),
            );
        }
    }

    fn is_closed(&self) -> bool {
        self.sink.is_closed()
    }

    fn keep_alive(&self) {
        self.sink.keep_alive();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[derive(Default)]
    struct Sent(RefCell<Vec<Value>>);
    impl MessageSink for Sent {
        fn send(&self, message: &Value) {
            self.0.borrow_mut().push(message.clone());
        }
    }

    fn read(notifications: Value) -> Result<Filter, RpcError> {
        let params = json!({"notifications": notifications});
        Filter::read(params.as_object().unwrap())
    }

    #[test]
    fn the_filter_is_read_strictly_and_stated_as_agreed() {
        let filter =
            read(json!({"resourcesListChanged": true, "resourceSubscriptions": ["a://x"]}))
                .unwrap();
        assert!(filter.resources_list_changed && !filter.tools_list_changed);
        assert_eq!(
            filter.to_json(),
            json!({"resourcesListChanged": true, "resourceSubscriptions": ["a://x"]})
        );
        assert!(read(json!({})).unwrap().is_empty());
        for bad in [
            json!({"resourcesListChanged": "yes"}),
            json!({"resourceSubscriptions": "a://x"}),
            json!({"resourceSubscriptions": [1]}),
            json!({"resourceSubscriptions": vec!["a://x"; MOST_URIS_READ + 1]}),
        ] {
            assert_eq!(read(bad.clone()).unwrap_err().code, INVALID_PARAMS, "{bad}");
        }
        assert!(Filter::read(&Map::new()).is_err());
    }

    #[test]
    fn every_notification_carries_the_subscription_id_and_only_what_was_agreed() {
        let sent = Sent::default();
        let agreed = Filter {
            resource_subscriptions: vec!["a://x".into()],
            ..Filter::default()
        };
        let id = json!(7);
        let notifier = Notifier {
            id: &id,
            agreed: &agreed,
            sink: &sent,
        };
        notifier.acknowledge();
        notifier.resource_updated("a://x", Map::from_iter([("k".into(), json!(1))]));
        notifier.resource_updated("a://other", Map::new());
        notifier.resources_list_changed();
        let sent = sent.0.borrow().clone();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert_eq!(
            sent[0]["method"],
            "notifications/subscriptions/acknowledged"
        );
        assert_eq!(
            sent[0]["params"]["notifications"],
            json!({"resourceSubscriptions": ["a://x"]})
        );
        assert_eq!(sent[1]["params"]["uri"], "a://x");
        assert_eq!(sent[1]["params"]["_meta"]["k"], 1);
        for message in &sent {
            assert_eq!(message["params"]["_meta"][META_SUBSCRIPTION_ID], 7);
        }
        assert_eq!(notifier.closing_result()["_meta"][META_SUBSCRIPTION_ID], 7);
    }
}
