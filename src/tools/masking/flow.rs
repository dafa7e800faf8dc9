//! YAML flow collections (`{password: …, repository: nginx}`, `[{op: add, path: …}, …]`) read
//! as the objects they are, with where each node stands in the text, so that the rules for
//! objects ([`super::mask_secrets`]: credential keys, named pairs, JSON patch operations, a
//! Secret's data) judge them, and only what those rules hide is replaced in the text. A
//! collection that holds a password beside an image then hides the password and still shows
//! the image.
//!
//! Strict: what this reading does not know is no flow collection to it (the callers then hide
//! more, not less): anchors, aliases, tags, explicit keys, a collection as a key, a comment, a
//! quoted scalar over several lines, an escape it does not decode, a key written twice, or
//! nesting deeper than [`MAX_DEPTH`].

use std::ops::Range;

use serde_json::{Map, Value};

use super::MASK;

/// Deeper than this, a collection is not read (no stack is spent on `[[[[…`).
const MAX_DEPTH: usize = 32;

/// A node of a flow collection and the bytes of the text it stands on.
pub(super) struct Node {
    pub span: Range<usize>,
    pub kind: NodeKind,
}

pub(super) enum NodeKind {
    /// A scalar's value (quotes and escapes resolved); none for an empty one (`{a, b: }`).
    Scalar(Option<String>),
    Map(Vec<(String, Node)>),
    Seq(Vec<Node>),
}

impl Node {
    /// The node as JSON: every scalar a string (its YAML type does not change what it hides).
    pub fn to_value(&self) -> Value {
        match &self.kind {
            NodeKind::Scalar(text) => text.clone().map_or(Value::Null, Value::String),
            NodeKind::Map(entries) => {
                // Inserted, not collected: `from_iter` brings in a sort of its own (issue 16).
                // A key written twice keeps its last value either way.
                let mut map = Map::new();
                for (key, node) in entries {
                    map.insert(key.clone(), node.to_value());
                }
                Value::Object(map)
            }
            NodeKind::Seq(items) => Value::Array(items.iter().map(Node::to_value).collect()),
        }
    }

    /// The spans of the nodes `masked` (this node's value after masking) shows as hidden.
    fn hidden_spans(&self, masked: Option<&Value>, out: &mut Vec<Range<usize>>) {
        let Some(masked) = masked else { return };
        match (&self.kind, masked) {
            // Masked whole, or in part (JSON or YAML text inside the scalar, masked as the
            // document it is): the scalar is hidden whole.
            (NodeKind::Scalar(text), now)
                if text.as_ref().map(|t| Value::String(t.clone())) != Some(now.clone())
                    && !(text.is_none() && now.is_null()) =>
            {
                out.push(self.span.clone());
            }
            (NodeKind::Scalar(_), _) => {}
            (NodeKind::Map(_) | NodeKind::Seq(_), Value::String(now)) if now == MASK => {
                out.push(self.span.clone());
            }
            (NodeKind::Map(entries), Value::Object(fields)) => {
                for (key, node) in entries {
                    node.hidden_spans(fields.get(key), out);
                }
            }
            (NodeKind::Seq(items), Value::Array(now)) => {
                for (node, item) in items.iter().zip(now) {
                    node.hidden_spans(Some(item), out);
                }
            }
            _ => {}
        }
    }
}

/// The flow collection `text` is (blanks around it allowed), or none.
pub(super) fn parse(text: &str) -> Option<Node> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        text,
        at: 0,
    };
    reader.blanks();
    if !matches!(reader.peek(), Some(b'{' | b'[')) {
        return None;
    }
    let node = reader.node(0)?;
    reader.blanks();
    (reader.at == text.len()).then_some(node)
}

/// `text` with what `mask` hides in the collection it is replaced by [`MASK`]; none when it is
/// no flow collection this reading understands.
pub(super) fn mask_flow(text: &str, mask: impl Fn(&mut Value)) -> Option<String> {
    let node = parse(text)?;
    let mut value = node.to_value();
    mask(&mut value);
    let mut spans = Vec::new();
    node.hidden_spans(Some(&value), &mut spans);
    crate::order::sort_rows_by(&mut spans, |a, b| b.start.cmp(&a.start));
    let mut out = text.to_owned();
    for span in spans {
        // A node over several lines is hidden line by line: the lines stay where they were.
        let hidden: Vec<String> = text[span.clone()]
            .split('\n')
            .map(|piece| {
                let indent = piece.len() - piece.trim_start().len();
                format!("{}{MASK}", &piece[..indent])
            })
            .collect();
        out.replace_range(span, &hidden.join("\n"));
    }
    Some(out)
}

struct Reader<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn node(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.blanks();
        let start = self.at;
        let kind = match self.peek()? {
            b'{' => self.map(depth)?,
            b'[' => self.seq(depth)?,
            b'"' => NodeKind::Scalar(Some(self.double_quoted()?)),
            b'\'' => NodeKind::Scalar(Some(self.single_quoted()?)),
            b',' | b'}' | b']' | b':' => NodeKind::Scalar(None),
            // What an earlier masking left (`***`), read again: no alias.
            b'*' if self.text[self.at..].strip_prefix(MASK).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with([',', ']', '}', ' ', '\n', '\r'])
            }) =>
            {
                NodeKind::Scalar(Some(self.plain()))
            }
            b'&' | b'*' | b'!' | b'?' | b'|' | b'>' | b'%' | b'@' | b'`' | b'#' => return None,
            _ => NodeKind::Scalar(Some(self.plain())),
        };
        Some(Node {
            span: start..self.at,
            kind,
        })
    }

    fn map(&mut self, depth: usize) -> Option<NodeKind> {
        self.at += 1;
        let mut entries: Vec<(String, Node)> = Vec::new();
        loop {
            self.blanks();
            if self.peek()? == b'}' {
                self.at += 1;
                return Some(NodeKind::Map(entries));
            }
            let key = match self.node(depth + 1)?.kind {
                NodeKind::Scalar(Some(key)) => key,
                _ => return None,
            };
            if entries.iter().any(|(known, _)| *known == key) {
                return None;
            }
            self.blanks();
            let value = if self.peek()? == b':' {
                self.at += 1;
                self.node(depth + 1)?
            } else {
                Node {
                    span: self.at..self.at,
                    kind: NodeKind::Scalar(None),
                }
            };
            entries.push((key, value));
            self.blanks();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {}
                _ => return None,
            }
        }
    }

    fn seq(&mut self, depth: usize) -> Option<NodeKind> {
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.blanks();
            if self.peek()? == b']' {
                self.at += 1;
                return Some(NodeKind::Seq(items));
            }
            let item = self.node(depth + 1)?;
            if matches!(item.kind, NodeKind::Scalar(None)) {
                return None;
            }
            self.blanks();
            if self.peek()? == b':' {
                // `[a: b]`, a single-pair map in a list: not read here.
                return None;
            }
            items.push(item);
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {}
                _ => return None,
            }
        }
    }

    /// A plain scalar: up to a flow indicator, `: ` (or `:` before one), a line break or a
    /// comment, without its trailing blanks.
    fn plain(&mut self) -> String {
        let start = self.at;
        let mut end = self.at;
        while let Some(b) = self.peek() {
            let next = self.bytes.get(self.at + 1).copied();
            let ends = match b {
                b',' | b'[' | b']' | b'{' | b'}' | b'\n' | b'\r' => true,
                b':' => next.is_none_or(|n| b" \t\n\r,[]{}".contains(&n)),
                b'#' => self.at > start && matches!(self.bytes[self.at - 1], b' ' | b'\t'),
                _ => false,
            };
            if ends {
                break;
            }
            self.at += 1;
            if !matches!(b, b' ' | b'\t') {
                end = self.at;
            }
        }
        self.text[start..end].to_owned()
    }

    fn single_quoted(&mut self) -> Option<String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.at..];
            let quote = rest.find('\'')?;
            if rest[..quote].contains('\n') {
                return None;
            }
            out.push_str(&rest[..quote]);
            self.at += quote + 1;
            if self.peek() == Some(b'\'') {
                out.push('\'');
                self.at += 1;
            } else {
                return Some(out);
            }
        }
    }

    fn double_quoted(&mut self) -> Option<String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.at..];
            let stop = rest.find(['"', '\\', '\n'])?;
            out.push_str(&rest[..stop]);
            self.at += stop;
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(out);
                }
                b'\\' => {
                    let escape = *self.bytes.get(self.at + 1)?;
                    self.at += 2;
                    let simple = match escape {
                        b'0' => Some('\0'),
                        b'a' => Some('\u{7}'),
                        b'b' => Some('\u{8}'),
                        b't' | b'\t' => Some('\t'),
                        b'n' => Some('\n'),
                        b'v' => Some('\u{b}'),
                        b'f' => Some('\u{c}'),
                        b'r' => Some('\r'),
                        b'e' => Some('\u{1b}'),
                        b' ' => Some(' '),
                        b'"' => Some('"'),
                        b'/' => Some('/'),
                        b'\\' => Some('\\'),
                        b'N' => Some('\u{85}'),
                        b'_' => Some('\u{a0}'),
                        b'L' => Some('\u{2028}'),
                        b'P' => Some('\u{2029}'),
                        _ => None,
                    };
                    let c = match (simple, escape) {
                        (Some(c), _) => c,
                        (None, b'x') => self.hex(2)?,
                        (None, b'u') => self.hex(4)?,
                        (None, b'U') => self.hex(8)?,
                        _ => return None,
                    };
                    out.push(c);
                }
                _ => return None,
            }
        }
    }

    /// `digits` hexadecimal digits as a character.
    fn hex(&mut self, digits: usize) -> Option<char> {
        let code = self.text.get(self.at..self.at + digits)?;
        if !code.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.at += digits;
        char::from_u32(u32::from_str_radix(code, 16).ok()?)
    }
}

/// A scalar at the start of `text`: quoted (read by this module's rules) or plain (to the end of
/// the line or a comment), and how many bytes it takes.
pub(super) fn scalar(text: &str) -> Option<(String, usize)> {
    if text.starts_with(['"', '\'']) {
        // The quoted scalar alone, as the one item of a flow sequence.
        let end = quoted_end(text)?;
        let node = parse(&format!("[{}]", &text[..end]))?;
        let NodeKind::Seq(items) = node.kind else {
            return None;
        };
        let value = items.first()?.to_value();
        return Some((value.as_str()?.to_owned(), end));
    }
    let end = text.find(" #").unwrap_or(text.len());
    let plain = text[..end].trim_end();
    Some((plain.to_owned(), plain.len()))
}

/// Where a quoted scalar that opens `text` closes (after its quote).
fn quoted_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = bytes[0];
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b if b == quote => {
                if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                return Some(i + 1);
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::mask_secrets;
    use super::*;

    #[test]
    fn a_flow_collection_reads_as_the_object_it_is() {
        let node =
            parse(r#" {op: add, path: "/d\x61ta/x", 'value': 'it''s, here', e: , n} "#).unwrap();
        assert_eq!(
            node.to_value(),
            json!({"op": "add", "path": "/data/x", "value": "it's, here", "e": null, "n": null})
        );
        let node = parse("[{a: 1}, [b, c d], \"\\u00e9\"]").unwrap();
        assert_eq!(node.to_value(), json!([{"a": "1"}, ["b", "c d"], "é"]));
        for unread in [
            "{a: &x 1}",
            "{a: *x}",
            "{a: !!str b}",
            "{? a: b}",
            "{[a]: b}",
            "{a: 1, a: 2}",
            "{a: \"b\nc\"}",
            "{a: \"\\q\"}",
            "{a: b # c\n}",
            "[a: b]",
            "{a: b",
            "{a: b} c",
            "[a,,b]",
            "plain",
            "{a: \"\\u12\"}",
            "{a: \"\\xé\"}",
        ] {
            assert!(parse(unread).is_none(), "{unread}");
        }
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse(&deep).is_none());
        // Multi-byte text anywhere: no panic.
        for text in [
            "{é: ü}",
            "{a: 'é",
            "{\"é\\",
            "[ü,",
            "{a: \"\\u",
            "{a: \"\\xé",
        ] {
            let _ = parse(text);
        }
    }

    #[test]
    fn only_what_the_object_rules_hide_is_replaced() {
        let masked = mask_flow(
            "{password: hunter2, repository: evil.example.com/miner, tag: \"v1\"}",
            mask_secrets,
        )
        .unwrap();
        assert_eq!(
            masked,
            "{password: ***, repository: evil.example.com/miner, tag: \"v1\"}"
        );
        let ops = "[{op: add, path: /e/0/name, value: DB_PASSWORD}, {op: add, path: /e/0/value, value: \"x,y\"}]";
        assert_eq!(
            mask_flow(ops, mask_secrets).unwrap(),
            "[{op: add, path: /e/0/name, value: DB_PASSWORD}, {op: add, path: /e/0/value, value: ***}]"
        );
        // The fifteenth review: a node over two lines keeps both lines hidden; a scalar the
        // rules rewrite in part (a Secret as JSON text) is hidden whole.
        assert_eq!(
            mask_flow(
                "{kind: Secret, stringData: {conn: [a,\n    b]}}",
                mask_secrets
            )
            .unwrap(),
            "{kind: Secret, stringData: {conn: ***\n    ***}}"
        );
        let json = r#"{manifest: "{\"kind\": \"Secret\", \"apiVersion\": \"v1\", \"stringData\": {\"c\": \"S\"}}"}"#;
        assert_eq!(mask_flow(json, mask_secrets).unwrap(), "{manifest: ***}");
        // Masked once, masked again the same (an answer is masked by more than one rule).
        let once = mask_flow("{password: a, image: b}", mask_secrets).unwrap();
        assert_eq!(mask_flow(&once, mask_secrets).unwrap(), once);
        assert!(parse("{a: ***x}").is_none());
        let secret = "{apiVersion: v1, kind: Secret, stringData: {conn: a, other: b}}";
        assert_eq!(
            mask_flow(secret, mask_secrets).unwrap(),
            "{apiVersion: v1, kind: Secret, stringData: {conn: ***, other: ***}}"
        );
    }
}
