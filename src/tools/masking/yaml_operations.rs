//! JSON patch operations written as YAML text (an Application's Kustomize `patches[].patch`),
//! read with where each operation's value is written, so that a value can be hidden in the
//! text as it stands. Every way YAML writes such a list is read: items opened by `- ` or by a
//! dash alone on its line, entries in block or flow style (`- {op: add, path: …}`), values
//! plain, quoted (escapes resolved: `"/d\x61ta"` is `/data`), as a block scalar (`value: |-`
//! then the lines below) or a map below their key; the whole list as one flow sequence is read
//! by [`super::flow`]. A line that fits none of these (an anchor, a tag, an alias, a merge key)
//! makes the text [`Operations::unreadable`]: its callers then hide it whole when it could hold
//! a credential.

use std::ops::Range;

use serde_json::{Map, Value};

use super::flow::{self, Node, NodeKind, scalar};

/// One operation: its path and its value, and the bytes of the text that write the value.
#[derive(Default)]
pub(super) struct Operation {
    pub path: Option<String>,
    /// The value: text, or the map an entry is added as (`value:` then `  name: …` below).
    pub value: Option<Value>,
    /// `(line, bytes)` pieces of the text that hold the value.
    pub written_at: Vec<(usize, Range<usize>)>,
}

#[derive(Default)]
pub(super) struct Operations {
    pub list: Vec<Operation>,
    /// A line this reading could not place: the text may hold more than it read.
    pub unreadable: bool,
}

/// The operations of `text`, a YAML list of them (see [the module](self)).
pub(super) fn read(text: &str) -> Operations {
    let mut reading = Reading::default();
    for (n, line) in text.split('\n').enumerate() {
        reading.line(n, line.strip_suffix('\r').unwrap_or(line));
    }
    reading.found
}

/// `text` with the value of each of its `operations` that `hide` picks written as
/// [`super::MASK`]; none when none was.
pub(super) fn hide_values(
    text: &str,
    operations: &[Operation],
    hide: impl Fn(&Operation) -> bool,
) -> Option<String> {
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let mut hidden = false;
    for operation in operations.iter().filter(|o| hide(o)) {
        // Right to left on each line, so that earlier spans keep their place.
        let mut spans = operation.written_at.clone();
        crate::order::sort_rows_by(&mut spans, |(n, a), (m, b)| {
            n.cmp(m).then(b.start.cmp(&a.start))
        });
        for (n, span) in spans {
            if let Some(line) = lines.get_mut(n)
                && line.get(span.clone()).is_some()
            {
                line.replace_range(span, super::MASK);
                hidden = true;
            }
        }
    }
    hidden.then(|| lines.join("\n"))
}

/// What a block below a key holds: the lines deeper than the key's column.
enum Below {
    /// The path, written on the line below `path:`.
    Path,
    /// A block scalar's lines.
    Text,
    /// A map's `key: value` lines (an entry added whole).
    Map,
}

#[derive(Default)]
struct Reading {
    found: Operations,
    /// The column of the current item's keys.
    keys_at: Option<usize>,
    /// The column of the current item's dash.
    dash_at: usize,
    /// The lines below a key, deeper than its column.
    below: Option<(usize, Below)>,
}

impl Reading {
    fn line(&mut self, n: usize, line: &str) {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = line[indent..].trim_end();
        if let Some((column, below)) = &self.below {
            if indent > *column || content.is_empty() {
                if matches!(below, Below::Path) {
                    if let (Some(operation), Some((path, _))) = (
                        self.found.list.last_mut(),
                        scalar(line[indent..].trim_end()),
                    ) && !content.is_empty()
                    {
                        operation.path = Some(path);
                    }
                    return;
                }
                let below_text = matches!(below, Below::Text);
                self.below_line(n, line, indent, below_text);
                return;
            }
            self.below = None;
        }
        if content.is_empty() || content.starts_with('#') {
            return;
        }
        if content == "-" || content.starts_with("- ") {
            self.found.list.push(Operation::default());
            self.dash_at = indent;
            let rest = content[1..].trim_start();
            if rest.is_empty() {
                self.keys_at = None;
                return;
            }
            let at = indent + (content.len() - rest.len());
            self.keys_at = Some(at);
            if rest.starts_with('{') {
                self.flow_item(n, at, rest);
            } else {
                self.entry(n, line, at);
            }
            return;
        }
        let in_item = !self.found.list.is_empty();
        match self.keys_at {
            Some(column) if in_item && indent == column => self.entry(n, line, indent),
            None if in_item && indent > self.dash_at => {
                self.keys_at = Some(indent);
                self.entry(n, line, indent);
            }
            _ => self.found.unreadable = true,
        }
    }

    /// `key: value` at `at` in `line`, an entry of the current operation.
    fn entry(&mut self, n: usize, line: &str, at: usize) {
        let content = line[at..].trim_end();
        let Some((key, value_at)) = key_of(content) else {
            self.found.unreadable = true;
            return;
        };
        let raw = content[value_at..].trim_start();
        let start = at + value_at + (content[value_at..].len() - raw.len());
        let Some(operation) = self.found.list.last_mut() else {
            return;
        };
        match raw.bytes().next() {
            None => {
                if key == "value" {
                    operation.value = Some(Value::Object(Map::new()));
                }
                self.below = Some((
                    at,
                    if key == "path" {
                        Below::Path
                    } else {
                        Below::Map
                    },
                ));
            }
            Some(b'|' | b'>') => {
                if key == "value" {
                    operation.value = Some(Value::String(String::new()));
                }
                self.below = Some((at, Below::Text));
            }
            // `***` is what an earlier masking left, no alias.
            Some(b'*') if raw == super::MASK => {}
            Some(b'&' | b'*' | b'!' | b'?' | b'@' | b'`' | b'%') => self.found.unreadable = true,
            Some(b'{' | b'[') => match flow::parse(raw) {
                Some(node) if key == "value" => {
                    operation.value = Some(node.to_value());
                    operation.written_at.push((n, start..start + raw.len()));
                }
                Some(_) => {}
                None => self.found.unreadable = true,
            },
            Some(_) => {
                let Some((text, len)) = scalar(raw) else {
                    self.found.unreadable = true;
                    return;
                };
                match key.as_str() {
                    "path" => operation.path = Some(text),
                    "value" => {
                        operation.value = Some(Value::String(text));
                        operation.written_at.push((n, start..start + len));
                    }
                    _ => {}
                }
            }
        }
    }

    /// A line below a key: a block scalar's text, or an entry of the map an entry is added as.
    fn below_line(&mut self, n: usize, line: &str, indent: usize, text: bool) {
        let Some(operation) = self.found.list.last_mut() else {
            return;
        };
        let owns_value = matches!(
            (&operation.value, text),
            (Some(Value::String(_)), true) | (Some(Value::Object(_)), false)
        );
        if !owns_value || line[indent..].trim().is_empty() {
            return;
        }
        operation.written_at.push((n, indent..line.len()));
        match &mut operation.value {
            Some(Value::String(value)) => {
                value.push_str(line[indent..].trim_end());
                value.push('\n');
            }
            Some(Value::Object(map)) => match key_of(line[indent..].trim_end()) {
                Some((key, value_at)) => {
                    if let Some((value, _)) = scalar(line[indent + value_at..].trim()) {
                        map.insert(key, Value::String(value));
                    }
                }
                // No key: the value is a scalar written on the line below `value:`.
                None if map.is_empty() => {
                    let text = scalar(line[indent..].trim_end()).map(|(t, _)| t);
                    operation.value = Some(Value::String(text.unwrap_or_default()));
                }
                None => {}
            },
            _ => {}
        }
    }

    /// `- {op: add, path: …, value: …}`.
    fn flow_item(&mut self, n: usize, at: usize, text: &str) {
        let Some(Node {
            kind: NodeKind::Map(entries),
            ..
        }) = flow::parse(text)
        else {
            self.found.unreadable = true;
            return;
        };
        let Some(operation) = self.found.list.last_mut() else {
            return;
        };
        for (key, node) in entries {
            match key.as_str() {
                "path" => operation.path = node.to_value().as_str().map(str::to_owned),
                "value" => {
                    operation.value = Some(node.to_value());
                    operation
                        .written_at
                        .push((n, at + node.span.start..at + node.span.end));
                }
                _ => {}
            }
        }
    }
}

/// A block entry's key (quotes and escapes resolved) and where its value starts.
fn key_of(content: &str) -> Option<(String, usize)> {
    // Blanks may stand between a key and its colon (`value : x`), and a tab after it.
    let after_colon =
        |at: usize| matches!(content.as_bytes().get(at + 1), None | Some(b' ' | b'\t'));
    if content.starts_with(['"', '\'']) {
        let (key, len) = scalar(content)?;
        let colon = len + (content[len..].len() - content[len..].trim_start().len());
        return (content[colon..].starts_with(':') && after_colon(colon))
            .then_some((key, colon + 1));
    }
    let colon = content
        .match_indices(':')
        .map(|(i, _)| i)
        .find(|&i| after_colon(i))?;
    let key = content[..colon].trim_end();
    (!key.is_empty() && !key.starts_with(['{', '[', '&', '*', '!', '?', '-', '<']))
        .then(|| (key.to_owned(), colon + 1))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read_back(text: &str) -> Vec<(Option<String>, Option<Value>, Vec<String>)> {
        let lines: Vec<&str> = text.split('\n').collect();
        read(text)
            .list
            .into_iter()
            .map(|o| {
                let written = o
                    .written_at
                    .iter()
                    .map(|(n, span)| lines[*n][span.clone()].to_owned())
                    .collect();
                (o.path, o.value, written)
            })
            .collect()
    }

    #[test]
    fn every_way_yaml_writes_the_list_is_read() {
        let text = "- op: add\n  path: /a/name\n  value: DB_PASSWORD # the name\n-\n  op: add\n  path: \"/d\\x61ta/x\"\n  value: |-\n    line one\n    line two\n- {op: add, path: /b, value: \"x,y\"}\n- op: add\n  path: /e/0\n  value:\n    name: API_TOKEN\n    value: v\n- op: add\n  'path': '/c'\n  value: {k: v}\n";
        let read = read_back(text);
        assert_eq!(
            read,
            vec![
                (
                    Some("/a/name".into()),
                    Some(json!("DB_PASSWORD")),
                    vec!["DB_PASSWORD".into()]
                ),
                (
                    Some("/data/x".into()),
                    Some(json!("line one\nline two\n")),
                    vec!["line one".into(), "line two".into()]
                ),
                (
                    Some("/b".into()),
                    Some(json!("x,y")),
                    vec!["\"x,y\"".into()]
                ),
                (
                    Some("/e/0".into()),
                    Some(json!({"name": "API_TOKEN", "value": "v"})),
                    vec!["name: API_TOKEN".into(), "value: v".into()]
                ),
                (
                    Some("/c".into()),
                    Some(json!({"k": "v"})),
                    vec!["{k: v}".into()]
                ),
            ]
        );
        assert!(!super::read(text).unreadable);
        assert!(!super::read("- op: add\n  path: /a/value\n  value: ***\n").unreadable);
        // The fifteenth review: blanks before a colon, a value on the line below its key.
        assert_eq!(
            read_back("- op: add\n  path :\n    /a/name\n  value :\n    DB_PASSWORD\n"),
            vec![(
                Some("/a/name".into()),
                Some(json!("DB_PASSWORD")),
                vec!["DB_PASSWORD".into()]
            )]
        );
        for odd in [
            "- op: add\n  path: /a\n  value: &x secret\n",
            "- op: add\n  <<: *base\n",
            "- op: add\n  path: /a\n  value: !!binary c2VjcmV0\n",
            "op: add\npath: /a\n",
            "- {op: add, value: &x y}\n",
        ] {
            assert!(super::read(odd).unreadable, "{odd}");
        }
        // Multi-byte text anywhere: no panic.
        for text in ["- é: ü\n  ö", "- 'é", "- \"é\\", "-\n é\n  ü: \"\\xé"] {
            let _ = super::read(text);
        }
    }
}
