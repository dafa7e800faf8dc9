//! What a person is shown before they approve a change: every argument, and for a patch every
//! field it changes with its value before and after, each on its own line, each value whole.
//! Never cut: a statement too long for a person to read is no statement, and the call is
//! refused with a request for a smaller change instead (a cut is where an agent would hide the
//! part that matters behind padding).

use serde_json::Value;

/// The most lines (one per argument or changed field) a person is asked to read at once.
pub const MAX_LINES: usize = 40;
/// The most characters of a whole statement.
pub const MAX_CHARS: usize = 4_000;

/// A statement under construction.
#[derive(Debug, Default)]
pub struct Statement {
    lines: Vec<String>,
    /// Why the statement cannot be put to a person, when something it must say cannot be shown.
    refusal: Option<String>,
}

impl Statement {
    pub fn line(&mut self, text: impl Into<String>) {
        self.lines.push(text.into());
    }

    /// `  path: value` for every leaf of `value` under `path`.
    pub fn leaves(&mut self, path: &str, value: &Value) {
        let mut found = Vec::new();
        leaves(path, value, &mut found);
        for (at, leaf) in found {
            self.lines.push(format!("  {at}: {}", shown(&leaf)));
        }
    }

    /// `  path: before → after` for every leaf that differs between `before` and `after`.
    pub fn changes(&mut self, before: &Value, after: &Value) {
        let mut found = Vec::new();
        changes("", before, after, &mut found);
        for (at, was, will_be) in found {
            if let (Some(Value::String(was)), Some(Value::String(will_be))) = (&was, &will_be)
                && was.contains('\n')
                && will_be.contains('\n')
            {
                self.text_change(&at, was, will_be);
                continue;
            }
            let side = |v: &Option<Value>| v.as_ref().map_or("(absent)".to_owned(), shown);
            self.lines
                .push(format!("  {at}: {} → {}", side(&was), side(&will_be)));
        }
    }

    /// A change inside text of several lines (Helm values): the lines that change, whole, and
    /// where they stand; the lines around them are the same on both sides. One value changed
    /// in long values text is then one short line, not the whole text twice.
    ///
    /// Each text is scrubbed whole before the lines are compared: cut from the lines around
    /// them, a private key's body lines would lose the `BEGIN` and `END` lines that say what
    /// they are.
    ///
    /// A changed line hidden only by what surrounds it (a private key's `BEGIN` line above
    /// it, which an agent can write anywhere, even as a comment) cannot be told from a line
    /// that matters (an image, a repository, a script's command): such a change is not put to
    /// a person at all, unless the line is the body of a whole key ([`in_a_key_block`]).
    fn text_change(&mut self, at: &str, raw_before: &str, raw_after: &str) {
        let (before, after) = (
            super::scrub::without_credentials(raw_before),
            super::scrub::without_credentials(raw_after),
        );
        if let Some(line) = changed_line_hidden_by_context(raw_before, raw_after, &before, &after) {
            self.refusal = Some(format!(
                "{at} changes at line {line}, which the credential scrubbing hides only because of the lines around it (a private key's BEGIN line above it, say), though it is no key: a change a person cannot be shown is not put to them. Make the change without that context, or without this server. Nothing was changed."
            ));
            return;
        }
        if before == after {
            self.lines.push(format!(
                "  {at}: text of {} lines, changed only where credentials are hidden (not shown)",
                before.split('\n').count()
            ));
            return;
        }
        let (old, new): (Vec<&str>, Vec<&str>) =
            (before.split('\n').collect(), after.split('\n').collect());
        let (same_start, same_end) = same_ends(&old, &new);
        let removed = old[same_start..old.len() - same_end].join("\n");
        let added = new[same_start..new.len() - same_end].join("\n");
        self.lines.push(format!(
            "  {at}: text of {} lines, from line {} on: {} → {}",
            old.len(),
            same_start + 1,
            shown(&Value::String(removed)),
            shown(&Value::String(added))
        ));
    }

    /// The paths whose values differ between `before` and `after`.
    pub fn change_paths(before: &Value, after: &Value) -> Vec<String> {
        let mut found = Vec::new();
        changes("", before, after, &mut found);
        found.into_iter().map(|(at, _, _)| at).collect()
    }

    /// The statement as one text, each line scrubbed on its own (a line is one argument or one
    /// field, its line breaks escaped), or why it cannot be put to a person. Scrubbed as one
    /// text, a private key's `BEGIN` line an agent put in one argument would hide every line
    /// after it: the rest of what the person approves.
    pub fn finish(self) -> Result<String, String> {
        if let Some(refusal) = self.refusal {
            return Err(refusal);
        }
        let text = self
            .lines
            .iter()
            .map(|line| super::scrub::without_credentials(line))
            .collect::<Vec<_>>()
            .join("\n");
        let chars = text.chars().count();
        if self.lines.len() > MAX_LINES || chars > MAX_CHARS {
            return Err(format!(
                "this change is too large to put to a person in one question ({} lines, {chars} characters; a question holds at most {MAX_LINES} lines and {MAX_CHARS} characters, and is never cut): split it into smaller calls. Nothing was changed.",
                self.lines.len()
            ));
        }
        Ok(text)
    }
}

/// The first line (1-based, on the side it is on) that differs between the raw texts and that
/// the scrubbing of its whole text hides though the line alone shows something that is no
/// key's body: a line hidden by its context. Texts whose scrubbing changed their line count
/// are judged as a whole: any difference counts.
fn changed_line_hidden_by_context(
    raw_before: &str,
    raw_after: &str,
    before: &str,
    after: &str,
) -> Option<usize> {
    let (old, new): (Vec<&str>, Vec<&str>) = (
        raw_before.split('\n').collect(),
        raw_after.split('\n').collect(),
    );
    let (same_start, same_end) = same_ends(&old, &new);
    let hidden = |raw: &[&str], scrubbed: &str| {
        let seen: Vec<&str> = scrubbed.split('\n').collect();
        if seen.len() != raw.len() {
            return Some(same_start + 1);
        }
        (same_start..raw.len() - same_end)
            .find(|&i| {
                seen[i].contains(super::masking::MASK)
                    && !in_a_key_block(raw, i)
                    && super::scrub::without_credentials(raw[i]) != seen[i]
            })
            .map(|i| i + 1)
    };
    hidden(&old, before).or_else(|| hidden(&new, after))
}

/// How many lines the two texts share at their start, and then at their end.
fn same_ends(old: &[&str], new: &[&str]) -> (usize, usize) {
    let same_start = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let same_end = old[same_start..]
        .iter()
        .rev()
        .zip(new[same_start..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    (same_start, same_end)
}

/// Whether line `at` is in the body of a whole PEM block: below a `-----BEGIN LABEL-----` line
/// and above its `-----END LABEL-----` (nothing else on either line, no comment mark), with
/// only base64 between them, in lines of one length but the last, 64 characters at least in
/// all (the smallest private key, Ed25519's, has 64) and a multiple of four. A line an agent
/// hides under a lone or commented marker (`reboot` under `# -----BEGIN PRIVATE KEY-----`)
/// is not.
fn in_a_key_block(lines: &[&str], at: usize) -> bool {
    let label = |line: &str, marker: &str| {
        line.trim()
            .strip_prefix(marker)?
            .strip_suffix("-----")
            .map(str::to_owned)
    };
    let is_body = |line: &&str| {
        let body = line.trim();
        !body.is_empty()
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    };
    let Some(begin) = (0..at).rev().find(|&i| !is_body(&lines[i])) else {
        return false;
    };
    let Some(end) = (at..lines.len()).find(|&i| !is_body(&lines[i])) else {
        return false;
    };
    let (Some(opened), Some(closed)) = (
        label(lines[begin], "-----BEGIN "),
        label(lines[end], "-----END "),
    ) else {
        return false;
    };
    let body: Vec<usize> = lines[begin + 1..end]
        .iter()
        .map(|l| l.trim().len())
        .collect();
    let total: usize = body.iter().sum();
    let (last, full) = body.split_last().unwrap_or((&0, &[]));
    opened == closed
        && total >= 64
        && total % 4 == 0
        && full.iter().all(|&n| n == body[0])
        && *last <= body[0]
}

/// A value as a person reads it: JSON, with every character outside printable ASCII escaped
/// (`\u{…}`). A person cannot see for what they are line and paragraph separators (a renderer
/// breaks lines there), bidirectional overrides, invisible and combining characters, or letters
/// of another script that look like Latin ones (`gіthub.com` with a Cyrillic `і`); escaped, each
/// stands out, and every line of the statement is one line wherever it is shown.
pub fn shown(value: &Value) -> String {
    let mut out = String::new();
    // Credentials in URLs go first: escaped, `p\u{e4}ss@` would no longer read as a URL's
    // userinfo to the scrubber.
    let text = value.to_string();
    for c in super::scrub::without_credentials(&text).chars() {
        if c == ' ' || c.is_ascii_graphic() {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:04x}}}", c as u32));
        }
    }
    out
}

/// `parent.key`, or `parent["key"]` when the key is not a plain name (so a key holding a dot
/// cannot pass for a deeper path).
fn child(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (parent.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => format!("{parent}[{}]", shown(&Value::String(key.to_owned()))),
    }
}

/// Every scalar (and every empty object or list) under `value`, with its path.
fn leaves(path: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for key in keys {
                leaves(&child(path, key), &map[key], out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                let at = format!("{path}[{i}]");
                // A list of small records (resources, parameters) reads best a record a line.
                if is_flat_record(item) {
                    out.push((at, item.clone()));
                } else {
                    leaves(&at, item, out);
                }
            }
        }
        leaf => out.push((path.to_owned(), leaf.clone())),
    }
}

/// An object of a few scalars, short enough to read on one line.
fn is_flat_record(value: &Value) -> bool {
    const MAX_RECORD_CHARS: usize = 160;
    match value {
        Value::Object(map) => {
            !map.is_empty()
                && map.values().all(|v| !v.is_object() && !v.is_array())
                && value.to_string().len() <= MAX_RECORD_CHARS
        }
        _ => false,
    }
}

type Change = (String, Option<Value>, Option<Value>);

/// Every leaf path whose value differs, with its value before and after (`None`: absent).
fn changes(path: &str, before: &Value, after: &Value, out: &mut Vec<Change>) {
    if before == after {
        return;
    }
    match (before, after) {
        (Value::Object(was), Value::Object(will_be)) if !was.is_empty() && !will_be.is_empty() => {
            let mut keys: Vec<&String> = was.keys().chain(will_be.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let at = child(path, key);
                match (was.get(key), will_be.get(key)) {
                    (Some(b), Some(a)) => changes(&at, b, a, out),
                    (Some(b), None) => gone(&at, b, out),
                    (None, Some(a)) => added(&at, a, out),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(was), Value::Array(will_be)) if !was.is_empty() && !will_be.is_empty() => {
            for i in 0..was.len().max(will_be.len()) {
                let at = format!("{path}[{i}]");
                match (was.get(i), will_be.get(i)) {
                    (Some(b), Some(a)) => changes(&at, b, a, out),
                    (Some(b), None) => gone(&at, b, out),
                    (None, Some(a)) => added(&at, a, out),
                    (None, None) => {}
                }
            }
        }
        // One value for another.
        (was, will_be) if is_leaf(was) && is_leaf(will_be) => {
            out.push((path.to_owned(), Some(was.clone()), Some(will_be.clone())));
        }
        // Different shapes: what was there goes, what comes arrives.
        _ => {
            gone(path, before, out);
            added(path, after, out);
        }
    }
}

/// A scalar, or an empty object or list: what [`leaves`] stops at.
fn is_leaf(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => true,
    }
}

fn gone(path: &str, value: &Value, out: &mut Vec<Change>) {
    let mut found = Vec::new();
    leaves(path, value, &mut found);
    out.extend(found.into_iter().map(|(at, v)| (at, Some(v), None)));
}

fn added(path: &str, value: &Value, out: &mut Vec<Change>) {
    let mut found = Vec::new();
    leaves(path, value, &mut found);
    out.extend(found.into_iter().map(|(at, v)| (at, None, Some(v))));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changed(before: Value, after: Value) -> Vec<String> {
        let mut statement = Statement::default();
        statement.changes(&before, &after);
        statement.lines
    }

    #[test]
    fn every_changed_field_is_stated_with_before_and_after() {
        let before = json!({"spec": {"source": {"repoURL": "https://git.example.com/a", "targetRevision": "main"},
                                     "project": "payments"},
                            "metadata": {"labels": {"team": "pay"}}});
        let after = json!({"spec": {"source": {"repoURL": "https://evil.example.com/x", "targetRevision": "main"},
                                    "project": "payments",
                                    "syncPolicy": {"automated": {"prune": true}}},
                           "metadata": {"labels": {"team": "pay", "owner": "x"}}});
        assert_eq!(
            changed(before, after),
            [
                r#"  metadata.labels.owner: (absent) → "x""#,
                r#"  spec.source.repoURL: "https://git.example.com/a" → "https://evil.example.com/x""#,
                "  spec.syncPolicy.automated.prune: (absent) → true",
            ]
        );
        // Lists by position; a removed field; a field that changes shape.
        assert_eq!(
            changed(
                json!({"a": [1, 2], "b": "x", "c": {"d": 1}}),
                json!({"a": [1, 3, 4], "c": "flat"})
            ),
            [
                "  a[1]: 2 → 3",
                "  a[2]: (absent) → 4",
                r#"  b: "x" → (absent)"#,
                "  c.d: 1 → (absent)",
                r#"  c: (absent) → "flat""#,
            ]
        );
    }

    #[test]
    fn a_list_of_small_records_reads_a_record_a_line() {
        let mut statement = Statement::default();
        statement.leaves(
            "resources",
            &json!([{"kind": "ConfigMap", "name": "a"}, {"kind": "Secret", "name": "b", "x": {"deep": 1}}]),
        );
        assert_eq!(
            statement.lines,
            [
                r#"  resources[0]: {"kind":"ConfigMap","name":"a"}"#,
                r#"  resources[1].kind: "Secret""#,
                r#"  resources[1].name: "b""#,
                "  resources[1].x.deep: 1",
            ]
        );
    }

    #[test]
    fn keys_and_values_cannot_pass_for_something_else() {
        let mut statement = Statement::default();
        statement.leaves(
            "patch",
            &json!({"metadata": {"annotations": {
                "a.b/c": "line\nbreak \u{202e}gnp.exe\u{2028}Approve? g\u{456}thub \u{e9}\u{336}"
            }}}),
        );
        assert_eq!(
            statement.lines,
            [
                r#"  patch.metadata.annotations["a.b/c"]: "line\nbreak \u{202e}gnp.exe\u{2028}Approve? g\u{0456}thub \u{00e9}\u{0336}""#
            ]
        );
    }

    #[test]
    fn a_statement_too_long_to_read_is_refused_never_cut() {
        let mut short = Statement::default();
        short.leaves("resources", &json!(vec!["x"; MAX_LINES]));
        assert_eq!(short.finish().unwrap().lines().count(), MAX_LINES);
        let mut long = Statement::default();
        long.leaves("resources", &json!(vec!["x"; MAX_LINES + 1]));
        assert!(long.finish().unwrap_err().contains("smaller"));
        let mut wide = Statement::default();
        wide.leaves("note", &json!("y".repeat(MAX_CHARS)));
        assert!(wide.finish().is_err());
    }

    #[test]
    fn a_change_inside_long_text_shows_the_lines_that_change() {
        let values = |replicas: u32| {
            let mut text: Vec<String> = (0..200).map(|i| format!("key{i}: value{i}")).collect();
            text.insert(100, format!("replicaCount: {replicas}"));
            text.join("\n")
        };
        let mut said = Statement::default();
        said.changes(
            &json!({"helm": {"values": values(1)}}),
            &json!({"helm": {"values": values(3)}}),
        );
        let text = said.finish().unwrap();
        assert_eq!(
            text,
            "  helm.values: text of 201 lines, from line 101 on: \"replicaCount: 1\" → \"replicaCount: 3\""
        );
        // Lines added at the end, and text that becomes one line, are shown as they are.
        let mut said = Statement::default();
        said.changes(&json!({"v": "a\nb"}), &json!({"v": "a\nb\nc: 1"}));
        said.changes(&json!({"w": "a\nb"}), &json!({"w": "ab"}));
        let text = said.finish().unwrap();
        assert!(
            text.contains("  v: text of 2 lines, from line 3 on: \"\" → \"c: 1\""),
            "{text}"
        );
        assert!(text.contains("  w: \"a\\nb\" → \"ab\""), "{text}");
    }

    /// The twelfth review: a key's body lines rotated inside text are judged with the text
    /// around them, and a key's `BEGIN` line in one argument hides nothing of the next lines.
    #[test]
    fn a_private_key_is_judged_whole_and_its_marker_hides_no_other_line() {
        let values = |body: &str| {
            format!(
                "replicas: 2\nserver.pem: |\n  -----BEGIN RSA PRIVATE KEY-----\n  {body}\n  -----END RSA PRIVATE KEY-----\nimage: v1"
            )
        };
        let mut said = Statement::default();
        let line = "MIIEowIBAAKCAQEAwY2V5RGF0YUZvclRoZVJldmlld1R3ZWxmdGgxYWFhYWFhYWF";
        said.changes(
            &json!({"values": values(&format!("{line}\n  OLDKEYBODYaaaa=="))}),
            &json!({"values": values(&format!("{line}\n  NEWKEYBODYbbbb=="))}),
        );
        let text = said.finish().unwrap();
        assert!(
            !text.contains("OLDKEYBODY") && !text.contains("NEWKEYBODY"),
            "{text}"
        );
        assert!(text.contains("credentials are hidden"), "{text}");
        // A marker written above a line that matters does not hide its change: not asked.
        let values = |image: &str| {
            format!("# -----BEGIN RSA PRIVATE KEY-----\nimage:\n  repository: {image}\nreplicas: 2")
        };
        let mut said = Statement::default();
        said.changes(
            &json!({"values": values("nginx")}),
            &json!({"values": values("evil.example.com/miner")}),
        );
        let refused = said.finish().unwrap_err();
        assert!(
            refused.contains("line 3") && !refused.contains("evil"),
            "{refused}"
        );
        // The fourteenth review: a command that reads as base64 under a lone or commented
        // marker, or between markers around no whole key, is no key's body.
        for (before, after) in [
            (
                "# -----BEGIN PRIVATE KEY-----\n  true\n",
                "# -----BEGIN PRIVATE KEY-----\n  reboot\n",
            ),
            (
                "  # -----BEGIN PRIVATE KEY-----\n  true\n  # -----END PRIVATE KEY-----",
                "  # -----BEGIN PRIVATE KEY-----\n  reboot\n  # -----END PRIVATE KEY-----",
            ),
            (
                "-----BEGIN PRIVATE KEY-----\ntrue\n-----END PRIVATE KEY-----",
                "-----BEGIN PRIVATE KEY-----\nreboot\n-----END PRIVATE KEY-----",
            ),
            (
                &format!(
                    "-----BEGIN PRIVATE KEY-----\n{line}\ntrue\n-----END RSA PRIVATE KEY-----"
                ),
                &format!(
                    "-----BEGIN PRIVATE KEY-----\n{line}\nreboot\n-----END RSA PRIVATE KEY-----"
                ),
            ),
        ] {
            let mut said = Statement::default();
            said.changes(&json!({"script": before}), &json!({"script": after}));
            match said.finish() {
                Ok(text) => assert!(text.contains("reboot"), "{text}"),
                Err(refused) => assert!(refused.contains("hides only"), "{refused}"),
            }
        }
        let mut said = Statement::default();
        said.leaves("annotation", &json!("-----BEGIN RSA PRIVATE KEY-----"));
        said.leaves("repo_url", &json!("https://evil.example.com/takeover.git"));
        said.line("Approve?");
        let text = said.finish().unwrap();
        assert!(
            text.contains("evil.example.com/takeover.git") && text.ends_with("Approve?"),
            "{text}"
        );
    }
}
