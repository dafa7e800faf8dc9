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
    /// An argument the scrubbing would hide any part of: the statement cannot show it whole.
    hidden_argument: Option<String>,
}

impl Statement {
    pub fn line(&mut self, text: impl Into<String>) {
        self.lines.push(text.into());
    }

    /// `  path: value` for every leaf of `value` under `path` (an argument: one that text
    /// reads like a credential in cannot be shown whole, and the statement is refused).
    pub fn leaves(&mut self, path: &str, value: &Value) {
        let mut found = Vec::new();
        leaves(path, value, &mut found);
        for (at, leaf) in found {
            if !side_shown_whole(&Some(leaf.clone()), &Some(leaf.clone()))
                || super::scrub::without_credentials(&at) != at
            {
                let named = super::scrub::without_credentials(&at).into_owned();
                self.hidden_argument.get_or_insert(named);
            }
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
            self.lines.push(change_line(&at, &was, &will_be));
        }
    }

    /// A change inside text of several lines (Helm values): the lines that change, whole, and
    /// where they stand; the lines around them are the same on both sides. One value changed
    /// in long values text is then one short line, not the whole text twice. (What is put to
    /// a person shows every changed line whole: [`hidden_change`] refused the rest.)
    fn text_change(&mut self, at: &str, before: &str, after: &str) {
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

    /// The statement as one text, each line scrubbed on its own (a line is one argument or one
    /// field, its line breaks escaped), or why it cannot be put to a person. Scrubbed as one
    /// text, a private key's `BEGIN` line an agent put in one argument would hide every line
    /// after it: the rest of what the person approves.
    pub fn finish(self) -> Result<String, String> {
        if let Some(at) = self.hidden_argument {
            return Err(format!(
                "the argument {at} holds text that reads like a credential (a token's shape, password=…, a URL's userinfo), which the question would hide: a person cannot approve what they are not shown. Give it without that text, or make the change without this server. Nothing was changed."
            ));
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

/// The first field that `raw_before` → `raw_after` changes and that a question built from the
/// masked sides (`shown_before` → `shown_after`) would not show whole: a change the masking
/// hides (a credential's value, a Secret's data, text it cannot read), or one whose value,
/// or changed lines of text, the scrubbing would hide any part of. Text is scrubbed whole, so
/// a line hidden by the lines around it (a private key's `BEGIN` line above it, which an agent
/// can write anywhere) counts as hidden too.
pub fn hidden_change(
    raw_before: &Value,
    raw_after: &Value,
    shown_before: &Value,
    shown_after: &Value,
) -> Option<String> {
    let (mut raw, mut masked) = (Vec::new(), Vec::new());
    changes("", raw_before, raw_after, &mut raw);
    changes("", shown_before, shown_after, &mut masked);
    // A field the masked sides change and the raw sides do not: the patch changed only what
    // tells the masking a value is a credential (a Secret's `kind`, the `name` beside a
    // `value`), so the question would show a credential Argo CD holds (`***` → its value).
    if let Some((path, ..)) = masked
        .iter()
        .find(|(path, ..)| !raw.iter().any(|(at, ..)| at == path))
    {
        return Some(path.clone());
    }
    raw.into_iter().find_map(|(at, was, will_be)| {
        // The field's own path (a map key holding a URL's userinfo or a token) is shown too.
        if super::scrub::without_credentials(&at) != at {
            return Some(at);
        }
        let whole = masked.iter().any(|(path, shown_was, shown_will_be)| {
            *path == at
                && match (&was, &will_be) {
                    (Some(Value::String(a)), Some(Value::String(b)))
                        if a.contains('\n') && b.contains('\n') =>
                    {
                        text_shown_whole(a, b, shown_was, shown_will_be)
                    }
                    _ => {
                        // And the line as the person reads it: a field named like a credential
                        // (`commonAnnotations.token: "a" → "b"`) would be scrubbed there.
                        let line = change_line(&at, &was, &will_be);
                        side_shown_whole(&was, shown_was)
                            && side_shown_whole(&will_be, shown_will_be)
                            && super::scrub::without_credentials(&line) == line
                    }
                }
        });
        (!whole).then_some(at)
    })
}

/// The line of the question that shows a change of one field.
fn change_line(at: &str, was: &Option<Value>, will_be: &Option<Value>) -> String {
    let side = |v: &Option<Value>| v.as_ref().map_or("(absent)".to_owned(), shown);
    format!("  {at}: {} → {}", side(was), side(will_be))
}

/// Whether a value is shown as it is: the masking left it alone, and scrubbing takes nothing.
fn side_shown_whole(raw: &Option<Value>, shown: &Option<Value>) -> bool {
    raw == shown
        && raw.as_ref().is_none_or(|value| {
            let text = value.to_string();
            super::scrub::without_credentials(&text) == text
        })
}

/// Whether the lines that change between two texts are shown as they are: the masked and
/// scrubbed texts keep every line, and every changed line unchanged.
fn text_shown_whole(
    before: &str,
    after: &str,
    shown_before: &Option<Value>,
    shown_after: &Option<Value>,
) -> bool {
    let (old, new): (Vec<&str>, Vec<&str>) =
        (before.split('\n').collect(), after.split('\n').collect());
    let (same_start, same_end) = same_ends(&old, &new);
    let side = |raw: &[&str], shown: &Option<Value>| {
        let Some(Value::String(shown)) = shown else {
            return false;
        };
        let scrubbed = super::scrub::without_credentials(shown);
        let seen: Vec<&str> = scrubbed.split('\n').collect();
        seen.len() == raw.len() && (same_start..raw.len() - same_end).all(|i| seen[i] == raw[i])
    };
    side(&old, shown_before) && side(&new, shown_after)
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

/// A value as a person reads it: JSON, with every character outside printable ASCII escaped
/// (`\u{…}`). A person cannot see for what they are line and paragraph separators (a renderer
/// breaks lines there), bidirectional overrides, invisible and combining characters, or letters
/// of another script that look like Latin ones (`gіthub.com` with a Cyrillic `і`); escaped, each
/// stands out, and every line of the statement is one line wherever it is shown.
pub fn shown(value: &Value) -> String {
    // Credentials in URLs go first: escaped, `p\u{e4}ss@` would no longer read as a URL's
    // userinfo to the scrubber.
    escaped(&super::scrub::without_credentials(&value.to_string()))
}

/// `text` with every character outside printable ASCII written as `\u{…}`.
fn escaped(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c == ' ' || c.is_ascii_graphic() {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:04x}}}", c as u32));
        }
    }
    out
}

/// `parent.key` for a field of the Application under one that holds its fields
/// (`spec.source.helm`), `parent["key"]` for any other key: one the user wrote (labels,
/// `valuesObject`, even one named like a field: `valuesObject["server"]`), or one that is no plain name (so a
/// key holding a dot cannot pass for a deeper path). Keys the user wrote are quoted apart,
/// never joined by a dot: a setting's secret holding one (`pr0xy.T0ken`) would otherwise be
/// made of two keys a caller sent apart, and masked only when the caller guessed it right
/// (review40 S2). A path's first key is bare when plain: an argument's name or the app's own.
fn child(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    // Under a path's first key (an argument's name, the app's own `spec`) or a field that
    // holds the Application's objects (`spec.source`, `sources[0]`); not under a map the user
    // writes (`valuesObject`, `labels`) or a key quoted before.
    let under_fields = || {
        let last = parent.rsplit('.').next().unwrap_or(parent);
        let last = last.split('[').next().unwrap_or(last);
        let first_key = !parent.contains(['.', '[']);
        !parent.ends_with("\"]") && (first_key || super::patch_spelling::field_holds_fields(last))
    };
    let field = plain
        && (parent.is_empty()
            || (under_fields() && super::patch_spelling::is_application_field(key)));
    match (parent.is_empty(), field) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{parent}.{key}"),
        // Not scrubbed here: a key holding a credential must stay one for [`hidden_change`]
        // to refuse it (each line of a statement is scrubbed when it is finished).
        (_, false) => format!(
            "{parent}[{}]",
            escaped(&Value::String(key.to_owned()).to_string())
        ),
    }
}

/// Every scalar (and every empty object or list) under `value`, with its path.
fn leaves(path: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            crate::order::sort_rows_by(&mut keys, |a, b| a.cmp(b));
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
            crate::order::sort_rows_by(&mut keys, |a, b| a.cmp(b));
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
                r#"  metadata.labels["owner"]: (absent) → "x""#,
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
                r#"  c["d"]: 1 → (absent)"#,
                r#"  c: (absent) → "flat""#,
            ]
        );
    }

    /// The fortieth review (S2): keys the user wrote are quoted apart, never joined by a dot,
    /// so no two of them make a text (a secret holding a dot) that neither is.
    #[test]
    fn keys_the_user_wrote_are_quoted_apart() {
        assert_eq!(
            changed(
                json!({"spec": {"source": {"helm": {"valuesObject": {"replicas": 2}}}}}),
                json!({"spec": {"source": {"helm": {"valuesObject": {"replicas": 2, "pr0xy": {"T0ken": "x"}}}}}})
            ),
            [r#"  spec.source.helm.valuesObject["pr0xy"]["T0ken"]: (absent) → "x""#]
        );
        // Review43 O1: a key the user wrote named like a field is quoted too.
        assert_eq!(
            changed(
                json!({"spec": {"source": {"helm": {"valuesObject": {"replicas": 2}}}}}),
                json!({"spec": {"source": {"helm": {"valuesObject": {"replicas": 2, "server": {"namespace": "x"}}}}}})
            ),
            [r#"  spec.source.helm.valuesObject["server"]["namespace"]: (absent) → "x""#]
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
                r#"  resources[1]["x"]["deep"]: 1"#,
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

    /// The patch `{values: before}` → `{values: after}` of an Application's Helm values, judged
    /// as the approval question judges it: the first field it would not show whole.
    fn hidden_in_values(before: &str, after: &str) -> Option<String> {
        let app = |values: &str| {
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                   "spec": {"source": {"helm": {"values": values}}}})
        };
        let masked = |values: &str| {
            let mut app = app(values);
            crate::tools::masking::mask_secrets(&mut app);
            app
        };
        hidden_change(&app(before), &app(after), &masked(before), &masked(after))
    }

    /// The seventeenth review (M1): a patch that changes only what tells the masking a value is
    /// a credential (the `name` beside a `value`, a Secret's `kind`, a credential's `type`)
    /// would show the credential Argo CD holds, `***` → its value: refused at that value.
    #[test]
    fn a_change_that_unmasks_a_held_credential_is_found() {
        let app = |values: Value| {
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                   "spec": {"source": {"helm": {"valuesObject": values}}}})
        };
        let judged = |before: Value, after: Value| {
            let masked = |values: &Value| {
                let mut app = app(values.clone());
                crate::tools::masking::mask_secrets(&mut app);
                app
            };
            hidden_change(
                &app(before.clone()),
                &app(after.clone()),
                &masked(&before),
                &masked(&after),
            )
        };
        for (before, after) in [
            (
                json!({"db": {"name": "DB_PASSWORD", "value": "R17m02x"}}),
                json!({"db": {"name": "GREETING", "value": "R17m02x"}}),
            ),
            (
                json!({"db": {"name": "DB_PASSWORD", "value": "R17m05x"}}),
                json!({"db": {"value": "R17m05x"}}),
            ),
            (
                json!({"extra": {"apiVersion": "v1", "kind": "Secret", "data": {"c": "R17m01y"}}}),
                json!({"extra": {"apiVersion": "v1", "kind": "ConfigMap", "data": {"c": "R17m01y"}}}),
            ),
        ] {
            let hidden = judged(before.clone(), after.clone());
            assert!(hidden.is_some(), "{before} → {after}");
        }
        // A plain change beside a held credential is still asked.
        assert_eq!(
            judged(
                json!({"db": {"name": "DB_PASSWORD", "value": "x"}, "image": "nginx"}),
                json!({"db": {"name": "DB_PASSWORD", "value": "x"}, "image": "evil"}),
            ),
            None
        );
    }

    /// The twelfth, fourteenth and fifteenth reviews: a change that the masking or the
    /// scrubbing would hide any part of is no change a person can be shown, whether a key is
    /// rotated, a marker written above an image, or a command dressed as a key's body; and a
    /// key's `BEGIN` line in one argument hides nothing of the next lines.
    #[test]
    fn a_change_not_shown_whole_is_found_and_a_marker_hides_no_other_line() {
        let line = "MIIEowIBAAKCAQEAwY2V5RGF0YUZvclRoZVJldmlld1R3ZWxmdGgxYWFhYWFhYWF";
        let key = |last: &str| {
            format!(
                "replicas: 2\nserver.pem: |\n  -----BEGIN RSA PRIVATE KEY-----\n  {line}\n  {last}\n  -----END RSA PRIVATE KEY-----\nimage: v1"
            )
        };
        let marked = |image: &str| {
            format!("# -----BEGIN RSA PRIVATE KEY-----\nimage:\n  repository: {image}\nreplicas: 2")
        };
        let script = |command: &str| {
            format!(
                "initScript: |\n  # -----BEGIN PRIVATE KEY-----\n  {command}\n  # -----END PRIVATE KEY-----\n"
            )
        };
        for (before, after) in [
            (key("OLDKEYBODYaaaa=="), key("NEWKEYBODYbbbb==")),
            (marked("nginx"), marked("evil.example.com/miner")),
            (script("true"), script("reboot")),
            (
                "password: a\nimage: x\n".into(),
                "password: b\nimage: x\n".into(),
            ),
            (
                "image: {password: a, repository: nginx}\n".into(),
                "image: {password: a, repository: evil}\n".into(),
            ),
            (
                "kind: Secret\ndata:\n  image: nginx\n".into(),
                "kind: Secret\ndata:\n  image: evil\n".into(),
            ),
            ("image: nginx\n".into(), "--- {image: evil}\n".into()),
            (
                "note: x\n".into(),
                "note: Authorization: Bearer abcdefghijklmnop\n".into(),
            ),
        ] {
            assert_eq!(
                hidden_in_values(&before, &after).as_deref(),
                Some("spec.source.helm.values"),
                "{before:?} → {after:?}"
            );
        }
        // The sixteenth review: a key holding a URL's userinfo is part of what is shown.
        let key =
            json!({"spec": {"helm": {"valuesObject": {"https://u:K3y5ecret@x.example/a": "v"}}}});
        assert!(hidden_change(&json!({}), &key, &json!({}), &key).is_some());
        // A credential elsewhere in the text hides nothing of the lines that change.
        let values = |image: &str| format!("password: hunter2\nimage:\n  repository: {image}\n");
        assert_eq!(hidden_in_values(&values("nginx"), &values("evil")), None);
        let mut said = Statement::default();
        said.changes(
            &json!({"values": values("nginx")}),
            &json!({"values": values("evil")}),
        );
        let text = said.finish().unwrap();
        assert!(
            text.contains("\"  repository: evil\"") && !text.contains("hunter2"),
            "{text}"
        );
        // A key's marker in a line hides nothing of the next lines.
        let mut said = Statement::default();
        said.line("note: -----BEGIN RSA PRIVATE KEY-----");
        said.leaves("repo_url", &json!("https://evil.example.com/takeover.git"));
        said.line("Approve?");
        let text = said.finish().unwrap();
        assert!(
            text.contains("evil.example.com/takeover.git") && text.ends_with("Approve?"),
            "{text}"
        );
        // The fifteenth review: an argument the scrubbing would hide any part of (a revision
        // named like a token) is not put to a person as `***`.
        for revision in [
            "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB",
            "feature/password=x",
        ] {
            let mut said = Statement::default();
            said.leaves("revision", &json!(revision));
            assert!(
                said.finish().unwrap_err().contains("revision"),
                "{revision}"
            );
        }
    }
}
