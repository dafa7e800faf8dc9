//! A credential compared with a literal in an expression: a jq or JSONPath filter in Argo CD's
//! `ignoreDifferences` (`.data.password | select(. == "…")`, `$.data[?(@.token == '…')]`), a
//! CEL or Rego rule (`self.data.apiKey == "…"`), a condition in code (`if password != "…"`).
//!
//! The quoted literal (`"…"`, `'…'`, `` `…` ``), alone or in a bracket or list (`("…")`,
//! `["…", "…"]`), on either side of `==`, `!=`, `===`, `!==`, `<>`, after ` eq `, ` ne `,
//! ` contains ` (a Go template's `eq`, `ne`, `contains`, `hasPrefix`, `hasSuffix` before both
//! arguments: the literal either one), or the first argument of a call that compares
//! (`| test("…")`, `.startsWith("…")`, `.equals("…")`, CEL's `.matches("…")`; either of two:
//! `strings.EqualFold(token, "…")`; or what it is called on: `"…".equals(password)`) is
//! masked when what it is compared with names a credential ([`names::credential`]): the last name of
//! that operand's path (an index after it skipped: `passwords[0]`), or, when the operand
//! names nothing of its own — the current item (`.`, `@`), a variable (`$p`), a filter on
//! what a pipe feeds it (`| ascii_downcase`), a bracket's result (`(…)`, `f(x)`) — any
//! credential path its expression mentions before it: on its line, or on the lines before it
//! that the expression continues from (a line ending in `(` or `|`, a line starting with `|`).
//! A value that a variable or a pipe carries keeps its source out of sight of the operand, so
//! inside an expression that names a credential the literal is masked rather than the binding
//! traced: a literal hidden there costs little, a password shown a lot.

use super::names;
use super::reading::{Unit, unit};
use super::spans::{skip_spaces, value};
use crate::tools::masking::names_a_place;

/// How far back the expression an operand belongs to is read.
const EXPRESSION_BEFORE_MOST: usize = 256;

/// The longest literal read backwards from its closing quote (`"…" == .data.password`).
const LITERAL_MOST: usize = 256;

/// A literal, what it is compared with, and whether the literal's quotes are escaped.
type Compared = ((usize, usize), (usize, usize), bool);

/// Calls that compare what they are called on with their first argument: jq's
/// `| test("…")`, Java's `.equals("…")`, JavaScript's `.startsWith("…")`, CEL's
/// `.matches("…")`, Go's `strings.EqualFold(…, "…")`.
const CALLS: [&str; 11] = [
    "test",
    "match",
    "matches",
    "startswith",
    "endswith",
    "contains",
    "equals",
    "equalsignorecase",
    "equalfold",
    "hasprefix",
    "hassuffix",
];

/// The literal of a comparison starting at `i` ([`symbolic`], [`worded`], a call that
/// compares), when what it is compared with names a credential.
pub fn credential(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if matches!(unit(bytes, i).ch, b'"' | b'\'' | b'`')
        && let Some(literal) = argument_of_comparing_call(bytes, i)
    {
        return Some(literal);
    }
    compared_literal(bytes, i)
}

/// [`credential`] for a text that names no call that compares ([`names_a_comparing_call`]):
/// the calls are not looked for, which reads back up to [`EXPRESSION_BEFORE_MOST`] bytes at
/// every quote of a JSON text.
pub fn credential_without_calls(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    compared_literal(bytes, i)
}

/// Whether `bytes` holds a word of [`COMPARING`], in any case: a call's name says it compares
/// only where one is written. Judged once for the whole text.
pub fn names_a_comparing_call(bytes: &[u8]) -> bool {
    (0..bytes.len()).any(|at| {
        COMPARING.iter().any(|word| {
            bytes[at..].len() >= word.len()
                && bytes[at..at + word.len()].eq_ignore_ascii_case(word.as_bytes())
        })
    })
}

/// The literal of a comparison by an operator or a word starting at `i` ([`symbolic`],
/// [`worded`]), when what it is compared with names a credential.
fn compared_literal(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let (literal, operand, escaped) = symbolic(bytes, i).or_else(|| worded(bytes, i))?;
    let expression_end = literal.0.min(operand.0);
    compared_with_credential(bytes, operand, expression_end, escaped).then_some(literal)
}

/// The words in a call's name that say it compares its arguments: `assertEquals`, `isEqualTo`,
/// Go's `subtle.ConstantTimeCompare` and `hmac.Equal`, Node's `timingSafeEqual`, Python's
/// `hmac.compare_digest`, Rust's `assert_eq!`, Jest's `expect(token).toBe`, Chai's `.to.eql`.
const COMPARING: [&str; 6] = ["equal", "compare", "assert", "same", "tobe", "eql"];

/// The literal opening at `i` when it is an argument, at any depth (`[]byte("…")`,
/// `Buffer.from("…")`), of a call whose name says it compares ([`COMPARING`]) and whose other
/// arguments, or what it is called on (`assertThat(token).isEqualTo("…")`), name a credential.
/// The call's opening bracket is looked for at most [`EXPRESSION_BEFORE_MOST`] bytes back; its arguments are read forwards from there, so a
/// literal is known by its opening quote.
fn argument_of_comparing_call(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    /// How many enclosing comparing calls are read: each costs a read of its arguments.
    const CALLS_MOST: usize = 2;
    let floor = i.saturating_sub(EXPRESSION_BEFORE_MOST);
    let (mut p, mut depth, mut calls) = (i, 0usize, 0);
    // Lines included: a call's arguments may start on the next line (`assertEquals(` then
    // `"…", token)`); only brackets left open count.
    while p > floor && calls < CALLS_MOST {
        p -= 1;
        // Only the brackets that enclose the literal: a call closed before it is passed over.
        match bytes[p] {
            b')' => {
                depth += 1;
                continue;
            }
            b'(' if depth > 0 => {
                depth -= 1;
                continue;
            }
            b'(' => {}
            _ => continue,
        }
        let name_end = if p > 0 && bytes[p - 1] == b'!' {
            p - 1
        } else {
            p
        };
        let name_start = (0..name_end)
            .rev()
            .find(|q| !(bytes[*q].is_ascii_alphanumeric() || bytes[*q] == b'_'))
            .map_or(0, |q| q + 1);
        let name = String::from_utf8_lossy(&bytes[name_start..name_end]).to_ascii_lowercase();
        if !COMPARING.iter().any(|word| name.contains(word)) {
            continue;
        }
        calls += 1;
        let Some((literal, mut named)) = arguments(bytes, p, i) else {
            continue;
        };
        named |= receiver_names_credential(bytes, name_start);
        return named.then_some(literal);
    }
    None
}

/// The arguments of the call whose bracket opens at `open`, read to its closing bracket (at
/// most `2 × EXPRESSION_BEFORE_MOST` bytes on): the literal among them that opens at `i`, and whether a name among them (outside
/// the literals) names a credential. None when no literal opens at `i`.
fn arguments(bytes: &[u8], open: usize, i: usize) -> Option<((usize, usize), bool)> {
    let (mut p, mut depth) = (open + 1, 1usize);
    let (mut found, mut named) = (None, false);
    while p < bytes.len() && p < open + 2 * EXPRESSION_BEFORE_MOST {
        let u = unit(bytes, p);
        if matches!(u.ch, b'"' | b'\'' | b'`')
            && let Some((inside, _)) = literal_at(bytes, p)
        {
            if p == i {
                found = Some(inside);
            }
            p = inside.1 + bytes.get(inside.1).map_or(0, |_| unit(bytes, inside.1).len);
            continue;
        }
        match u.ch {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        if u.ch.is_ascii_alphabetic() && (p == 0 || !word_byte(bytes[p - 1])) {
            let end = (p..bytes.len())
                .find(|q| !word_byte(bytes[*q]))
                .unwrap_or(bytes.len());
            named |= std::str::from_utf8(&bytes[p..end]).is_ok_and(credential_name);
            p = end;
            continue;
        }
        p += u.len;
    }
    found.map(|literal| (literal, named))
}

/// Whether what a call whose name starts at `name_start` is called on names a credential:
/// the chain before its `.` back to a space or an operator outside brackets
/// (`assertThat(token).isEqualTo`, `password.trim().equals`).
fn receiver_names_credential(bytes: &[u8], name_start: usize) -> bool {
    if name_start == 0 || bytes[name_start - 1] != b'.' {
        return false;
    }
    let floor = name_start.saturating_sub(EXPRESSION_BEFORE_MOST);
    let (mut p, mut depth) = (name_start - 1, 0usize);
    while p > floor {
        let b = bytes[p - 1];
        match b {
            b')' | b']' => depth += 1,
            b'(' | b'[' if depth == 0 => break,
            b'(' | b'[' => depth -= 1,
            b'\n' | b'\r' => break,
            b' ' | b'\t' | b';' | b'{' | b'}' | b'=' | b',' | b'!' | b'&' | b'|' if depth == 0 => {
                break;
            }
            _ => {}
        }
        p -= 1;
    }
    bytes[p..name_start]
        .split(|b| !word_byte(*b))
        .any(|word| std::str::from_utf8(word).is_ok_and(credential_name))
}

/// A byte of a name in code: letters, digits, `_` and `-` (`api-key`).
fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')
}

/// `==`, `!=`, `===`, `!==` or SQL's `<>` at `i`, a quoted literal on either side.
fn symbolic(bytes: &[u8], i: usize) -> Option<Compared> {
    if !matches!(bytes.get(i..i + 2), Some(b"==" | b"!=" | b"<>")) {
        return None;
    }
    if i > 0 && matches!(bytes[i - 1], b'=' | b'!' | b'<' | b'>' | b':') {
        return None;
    }
    let mut after = i + 2;
    if bytes.get(after) == Some(&b'=') {
        after += 1;
    }
    let mut right = skip_spaces(bytes, after);
    let left_end = back_over_spaces(bytes, i);
    if let Some((literal, escaped, _)) = literals_at(bytes, right) {
        let operand = (operand_start(bytes, left_end), left_end);
        return Some((literal, operand, escaped));
    }
    // The literal first: `"…" == .data.password`, `("…" === apiKey)`, `["…"] == [.x]`.
    let (literal, escaped) = literals_before(bytes, left_end)?;
    while bytes.get(right) == Some(&b'(') {
        right = skip_spaces(bytes, right + 1);
    }
    Some((literal, (right, operand_end(bytes, right)), escaped))
}

/// A word at `i` that compares: an operator (`password eq '…'`, ` ne `, JSONPath's
/// ` contains `, a Go template's `(eq "…" .Values.password)`) with the literal after it, or one of [`CALLS`] with the literal its first
/// argument, compared with what it is called on (`password.equals(`) or fed (`| test(`).
fn worded(bytes: &[u8], i: usize) -> Option<Compared> {
    if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
        return None;
    }
    let end = i + bytes[i..]
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let word = &bytes[i..end];
    let is = |words: &[&str]| {
        words
            .iter()
            .any(|w| word.eq_ignore_ascii_case(w.as_bytes()))
    };
    // Membership (SQL's and Python's `password IN ('…', '…')`) compares as `==` does.
    let membership = is(&["in"]);
    let operator = is(&["eq", "ne", "contains", "hasprefix", "hassuffix", "in"])
        && i > 0
        && matches!(bytes[i - 1], b' ' | b'(')
        && (bytes.get(end) == Some(&b' ') || (membership && bytes.get(end) == Some(&b'(')));
    let call = bytes.get(end) == Some(&b'(') && is(&CALLS);
    let (mut operand, mut at) = if call {
        let operand = match i.checked_sub(1) {
            Some(dot) if bytes[dot] == b'.' => (operand_start(bytes, dot), dot),
            _ => (i, end),
        };
        (operand, skip_spaces(bytes, end + 1))
    } else if operator {
        let mut left_end = back_over_spaces(bytes, i);
        // `password NOT IN (…)`: the operand is before the `NOT`.
        if membership
            && left_end >= 3
            && bytes[left_end - 3..left_end].eq_ignore_ascii_case(b"not")
            && (left_end == 3 || matches!(bytes[left_end - 4], b' ' | b'\t'))
        {
            left_end = back_over_spaces(bytes, left_end - 3);
        }
        (
            (operand_start(bytes, left_end), left_end),
            skip_spaces(bytes, end),
        )
    } else {
        return None;
    };
    // `"…".equals(password)`: the literal called on, compared with the argument.
    if call
        && i > 1
        && bytes[i - 1] == b'.'
        && let Some((literal, escaped)) = literal_before(bytes, i - 1)
    {
        return Some((literal, (at, operand_end(bytes, at)), escaped));
    }
    // A function given both operands, the literal either one: a Go template's
    // `eq .Values.password "…"`, `(eq "…" .Values.password)`, `hasPrefix "…" $token`, Go's
    // `strings.EqualFold(password, "…")`, Java's `Objects.equals("…", password)`; unless the
    // operand before the word names a credential (`password eq "…"`).
    let prefix =
        (operator || call) && !last_name(&bytes[operand.0..operand.1]).is_some_and(credential_name);
    let first_argument = || {
        if !call {
            return go_field(bytes, at);
        }
        let end = operand_end(bytes, at);
        let comma = skip_spaces(bytes, end);
        (end > at && literal_at(bytes, at).is_none() && bytes.get(comma) == Some(&b','))
            .then(|| ((at, end), skip_spaces(bytes, comma + 1)))
    };
    if prefix && let Some((argument, next)) = first_argument() {
        (operand, at) = (argument, next);
    }
    let (literal, escaped, after) = literals_at(bytes, at)?;
    let next = skip_spaces(bytes, after);
    let second_argument = if !call {
        go_field(bytes, next).map(|(field, _)| field)
    } else if bytes.get(next) == Some(&b',') {
        let start = skip_spaces(bytes, next + 1);
        Some((start, operand_end(bytes, start))).filter(|(s, e)| e > s)
    } else {
        None
    };
    if prefix && let Some(argument) = second_argument {
        operand = argument;
    }
    Some((literal, operand, escaped))
}

/// A Go template's field or variable at `at`, perhaps in brackets (`.Values.password`,
/// `$token`, `( .Values.password )`): it, and where what follows it starts.
fn go_field(bytes: &[u8], mut at: usize) -> Option<((usize, usize), usize)> {
    let mut opened = 0;
    while bytes.get(at) == Some(&b'(') {
        at = skip_spaces(bytes, at + 1);
        opened += 1;
    }
    let name = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_');
    if !(matches!(bytes.get(at), Some(b'.' | b'$')) && bytes.get(at + 1).is_some_and(name)) {
        return None;
    }
    let end = operand_end(bytes, at);
    let mut next = skip_spaces(bytes, end);
    // A pipeline inside the brackets (`(.Values.password | trim)`): what it makes of the field
    // is compared, so the field stays the operand; read on to the bracket's end.
    if opened > 0 && bytes.get(next) == Some(&b'|') {
        let mut depth = opened;
        while let Some(&b) = bytes.get(next).filter(|b| !matches!(b, b'\n' | b'\r')) {
            depth += usize::from(b == b'(');
            if b == b')' {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            next += 1;
        }
    }
    while bytes.get(next) == Some(&b')') {
        next = skip_spaces(bytes, next + 1);
    }
    Some(((at, end), next))
}

/// The quoted literal (`"…"`, `'…'`, JavaScript's `` `…` ``) whose opening quote is at `at`,
/// or the literals of a bracket or list opening there (`("…")`, `["…", "…"]`): what to mask
/// (inside the quotes; from the first quote to the last when the literals' quotes differ),
/// whether the quotes are escaped, and where the last literal ends.
fn literals_at(bytes: &[u8], mut at: usize) -> Option<((usize, usize), bool, usize)> {
    let mut wrapped = false;
    while matches!(bytes.get(at), Some(b'(' | b'[')) {
        (at, wrapped) = (skip_spaces(bytes, at + 1), true);
    }
    let (first, quote) = literal_at(bytes, at)?;
    let past = |inner: (usize, usize)| {
        let close = bytes.get(inner.1).map_or(0, |_| unit(bytes, inner.1).len);
        inner.1 + close
    };
    // The next item of a list: a comma, then a literal.
    let item = |last| {
        let comma = skip_spaces(bytes, past(last));
        (bytes.get(comma) == Some(&b','))
            .then(|| literal_at(bytes, skip_spaces(bytes, comma + 1)))
            .flatten()
    };
    let (mut last, mut same) = (first, true);
    while wrapped && let Some((next, other)) = item(last) {
        same &= other.ch == quote.ch;
        last = next;
    }
    let span = if same {
        (first.0, last.1)
    } else {
        (at, past(last))
    };
    Some((span, quote.escaped, past(last)))
}

/// The quoted literal whose opening quote is at `at`: its inside, and its opening quote.
fn literal_at(bytes: &[u8], at: usize) -> Option<((usize, usize), Unit)> {
    let quote = bytes.get(at).map(|_| unit(bytes, at))?;
    let inside = match quote.ch {
        b'"' | b'\'' => value(bytes, at, false, 0)?,
        // A template literal (JavaScript's, Go's raw string), on several lines too, closed
        // within [`LITERAL_MOST`] bytes: an unclosed one is no literal.
        b'`' => {
            let window = &bytes[at + 1..bytes.len().min(at + 1 + LITERAL_MOST)];
            let end = at + 1 + window.iter().position(|b| *b == b'`')?;
            (end > at + 1).then_some((at + 1, end))?
        }
        _ => return None,
    };
    Some((inside, quote))
}

/// Where the path operand starting at `start` ends.
fn operand_end(bytes: &[u8], start: usize) -> usize {
    (start..bytes.len())
        .find(|p| !operand_byte(bytes[*p]))
        .unwrap_or(bytes.len())
}

/// Where the spaces and tabs before `at` start.
fn back_over_spaces(bytes: &[u8], at: usize) -> usize {
    (0..at)
        .rev()
        .find(|p| !matches!(bytes[*p], b' ' | b'\t'))
        .map_or(0, |p| p + 1)
}

/// Where the path operand ending at `end` starts.
fn operand_start(bytes: &[u8], end: usize) -> usize {
    let mut start = (0..end)
        .rev()
        .find(|p| !operand_byte(bytes[*p]))
        .map_or(0, |p| p + 1);
    // A line break escaped inside a JSON string (`select(\n. == …`) is no name.
    while bytes.get(start) == Some(&b'\\')
        && matches!(bytes.get(start + 1), Some(b'n' | b'r' | b't'))
    {
        start = (start + 2).min(end);
    }
    start
}

/// The bytes a path operand is made of: names, `.`, `$`, `@`, brackets and the quotes and
/// backslashes of `["name"]` (escaped inside JSON).
fn operand_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'_' | b'-' | b'.' | b'$' | b'@' | b'[' | b']' | b'"' | b'\'' | b'\\'
        )
}

/// A name that names a credential, not where one is kept (`tokenFile`).
fn credential_name(name: &str) -> bool {
    names::credential(name) && !names_a_place(name)
}

/// The quoted literal that ends at `end` (its closing quote just before), as written or with
/// its quotes escaped (`\"…\"` inside a JSON string), on one line: its inside, and whether its
/// quotes were escaped.
fn literal_before(bytes: &[u8], end: usize) -> Option<((usize, usize), bool)> {
    let quote = *bytes.get(end.checked_sub(1)?)?;
    if !matches!(quote, b'"' | b'\'' | b'`') {
        return None;
    }
    let mut close = end - 1;
    while close > 0 && bytes[close - 1] == b'\\' {
        close -= 1;
    }
    let escaped = close < end - 1;
    let floor = close.saturating_sub(LITERAL_MOST);
    // A template literal may span lines; other literals end at a line break.
    let open = (floor..close)
        .rev()
        .take_while(|p| quote == b'`' || !matches!(bytes[*p], b'\n' | b'\r'))
        .find(|p| bytes[*p] == quote && (*p > 0 && bytes[*p - 1] == b'\\') == escaped)?;
    (open + 1 < close).then_some(((open + 1, close), escaped))
}

/// The literal or literals ending at `end` ([`literal_before`]), also in a bracket or a list
/// that no name calls or indexes (`("…")`, `["…", '…']`, not `f("…")` nor `x["…"]`): what to
/// mask (inside the quotes; from the first quote to the last when the literals' quotes
/// differ), and whether the quotes are escaped.
fn literals_before(bytes: &[u8], end: usize) -> Option<((usize, usize), bool)> {
    let mut at = end;
    while at > 0 && matches!(bytes[at - 1], b')' | b']') {
        at = back_over_spaces(bytes, at - 1);
    }
    let (last, escaped) = literal_before(bytes, at)?;
    if at == end {
        return Some((last, escaped));
    }
    // Back past a literal's opening quote and the backslashes that escape it.
    let open = |inner: (usize, usize)| {
        let mut p = inner.0 - 1;
        while p > 0 && bytes[p - 1] == b'\\' {
            p -= 1;
        }
        p
    };
    let (mut first, mut same) = (last, true);
    let mut before = back_over_spaces(bytes, open(first));
    while before > 0 && bytes[before - 1] == b',' {
        let (next, _) = literal_before(bytes, back_over_spaces(bytes, before - 1))?;
        same &= bytes[next.0 - 1] == bytes[last.0 - 1];
        first = next;
        before = back_over_spaces(bytes, open(first));
    }
    let opener = before
        .checked_sub(1)
        .filter(|p| matches!(bytes[*p], b'(' | b'['))?;
    let called =
        opener > 0 && (bytes[opener - 1].is_ascii_alphanumeric() || bytes[opener - 1] == b'_');
    if called {
        return None;
    }
    let span = if same {
        (first.0, last.1)
    } else {
        (open(first), at)
    };
    Some((span, escaped))
}

/// Whether the operand at `operand` names a credential by its last name, or names nothing of
/// its own ([`stands_for_input`]) in an expression that mentions a credential before
/// `expression_end`. `in_string`: the comparison is inside a quoted string (its literal's
/// quotes escaped), which an unescaped quote before it opens.
fn compared_with_credential(
    bytes: &[u8],
    operand: (usize, usize),
    expression_end: usize,
    in_string: bool,
) -> bool {
    match last_name(&bytes[operand.0..operand.1]) {
        Some(name) if credential_name(name) => return true,
        Some(_) if !stands_for_input(bytes, operand) => return false,
        _ => {}
    }
    let start = expression_start(bytes, expression_end, in_string);
    mentions_credential(&bytes[start..expression_end])
}

/// The last name of a path operand (`password` of `.data["password"]` and of `passwords[0]`:
/// an index is no name), none for the current item alone (`.`, `@`).
fn last_name(operand: &[u8]) -> Option<&str> {
    operand
        .split(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')))
        .rfind(|piece| !piece.is_empty() && !piece.iter().all(u8::is_ascii_digit))
        .and_then(|piece| std::str::from_utf8(piece).ok())
}

/// Whether a named operand stands for a value that came from elsewhere in its expression: a
/// variable alone (`$p`: jq's `… as $p`), or a bare filter a single `|` feeds
/// (`.data.password | ascii_downcase == "…"`: jq's `==` binds tighter than `|`).
fn stands_for_input(bytes: &[u8], (start, end): (usize, usize)) -> bool {
    let operand = &bytes[start..end];
    let path = |b: &u8| matches!(b, b'.' | b'[' | b'@' | b'$');
    if let Some(rest) = operand.strip_prefix(b"$") {
        return !rest.iter().any(path);
    }
    let before = (0..start)
        .rev()
        .find(|p| !matches!(bytes[*p], b' ' | b'\t'));
    let piped = before.is_some_and(|p| bytes[p] == b'|' && (p == 0 || bytes[p - 1] != b'|'));
    piped && !operand.iter().any(path)
}

/// Where the expression holding `at` starts: its line's start, or an earlier line's when the
/// expression continues across the break ([`continues`]); inside a quoted string, after the
/// quote that opens it. At most [`EXPRESSION_BEFORE_MOST`] bytes back.
fn expression_start(bytes: &[u8], at: usize, in_string: bool) -> usize {
    let floor = at.saturating_sub(EXPRESSION_BEFORE_MOST);
    let mut p = at;
    while p > floor {
        let b = bytes[p - 1];
        let escaped = p >= 2 && bytes[p - 2] == b'\\';
        let line_break = if matches!(b, b'\n' | b'\r') {
            Some(p - 1)
        } else if escaped && matches!(b, b'n' | b'r') {
            Some(p - 2)
        } else {
            None
        };
        if let Some(line_break) = line_break {
            if !continues(bytes, floor, line_break, p) {
                return p;
            }
            p = line_break;
            continue;
        }
        if in_string && b == b'"' && !escaped {
            return p;
        }
        p -= 1;
    }
    floor
}

/// Whether an expression runs on across the line break at `line_break..next`: the line before
/// ends in an open bracket, a pipe, a comma or `&&`, or the next line starts with a pipe, `&&`
/// or a closing bracket (jq and code broken over lines).
fn continues(bytes: &[u8], floor: usize, line_break: usize, next: usize) -> bool {
    let mut end = line_break;
    while end > floor {
        if matches!(bytes[end - 1], b' ' | b'\t' | b'\r') {
            end -= 1;
        } else if end >= floor + 2
            && bytes[end - 2] == b'\\'
            && matches!(bytes[end - 1], b'r' | b't')
        {
            end -= 2;
        } else {
            break;
        }
    }
    let ends_open =
        end > floor && matches!(bytes[end - 1], b'(' | b'[' | b'{' | b'|' | b',' | b'&');
    let first = bytes.get(skip_spaces(bytes, next));
    ends_open || matches!(first, Some(b'|' | b'&' | b')'))
}

/// Whether `text` mentions a credential as a path does: a name after `.`, `[` (`["password"]`)
/// or `$`, or a name a `.` or `[` follows (`password.trim()`, `passwords[0]`).
fn mentions_credential(text: &[u8]) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-');
    let mut at = 0;
    while at < text.len() {
        if !(text[at].is_ascii_alphanumeric() || text[at] == b'_') {
            at += 1;
            continue;
        }
        let end = (at..text.len())
            .find(|p| !word(text[*p]))
            .unwrap_or(text.len());
        let before = text[..at]
            .iter()
            .rev()
            .find(|b| !matches!(b, b'"' | b'\'' | b'\\'));
        let in_path = matches!(before, Some(b'.' | b'[' | b'$'))
            || matches!(text.get(end), Some(b'.' | b'['));
        if in_path && std::str::from_utf8(&text[at..end]).is_ok_and(credential_name) {
            return true;
        }
        at = end;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::without_credentials;

    /// The calls that compare are looked for only in a text that names one: where none is
    /// named, the rule finds at every byte what it finds looking for them.
    #[test]
    fn calls_that_compare_are_looked_for_only_where_one_is_named() {
        let named = [
            r#"assertEquals(token, "R1-x")"#,
            r#"ASSERTEQUALS(token, "R1-x")"#,
            r#"assertThat(password).isEqualTo("R1-x")"#,
            r#"hmac.Compare_digest(api_key, b"R1-x")"#,
            r#"expect(secret).toBe('R1-x')"#,
            r#"subtle.ConstantTimeCompare([]byte(token), []byte("R1-x"))"#,
        ];
        for text in named {
            assert!(super::names_a_comparing_call(text.as_bytes()), "{text}");
            assert!(!without_credentials(text).contains("R1-x"), "{text}");
        }
        let unnamed = [
            r#"check(token, "R1-x")"#,
            r#"{"name":"guestbook","message":"synced (all tasks run)","token":"x"}"#,
            r#"if password == "R1-x" { run("R1-y") }"#,
            r#"verify(password, 'R1-x') && match_case(token, "R1-y")"#,
        ];
        for text in unnamed {
            let bytes = text.as_bytes();
            assert!(!super::names_a_comparing_call(bytes), "{text}");
            for i in 0..bytes.len() {
                assert_eq!(
                    super::credential(bytes, i),
                    super::credential_without_calls(bytes, i),
                    "{text} at {i}"
                );
            }
        }
    }

    #[test]
    fn a_literal_compared_with_a_credential_is_masked() {
        for (dirty, clean) in [
            (
                r#".data.password | select(. == "P-1")"#,
                r#".data.password | select(. == "***")"#,
            ),
            (
                r#"$.data[?(@.token == 'T-2')]"#,
                r#"$.data[?(@.token == '***')]"#,
            ),
            (
                r#"self.data.apiKey != "K-3""#,
                r#"self.data.apiKey != "***""#,
            ),
            (r#".data["password"]=="P-4""#, r#".data["password"]=="***""#),
            (r#"if password === "P-5" {"#, r#"if password === "***" {"#),
            (
                r#"{"jq": ".data.password | select(. == \"P-6\")"}"#,
                r#"{"jq": ".data.password | select(. == \"***\")"}"#,
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            r#".metadata.labels.app | select(. == "web")"#,
            r#"user.role == "admin""#,
            r#"if token != "" {"#,
            r#".spec.tokenFile == "/run/t""#,
            r#"a == "b" && c"#,
            "==\"x\"",
            ". == \"x\"",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
    }

    /// The literal first, an index after the name, the value carried by a variable, a filter or
    /// a bracket, and `select(` closing on the next line.
    #[test]
    fn a_literal_compared_in_other_spellings_is_masked() {
        for (dirty, clean) in [
            (
                r#"select("P-1" == .data.password)"#,
                r#"select("***" == .data.password)"#,
            ),
            (r#"if ("K-2" === apiKey) {"#, r#"if ("***" === apiKey) {"#),
            (r#"'T-3' !== @.token"#, r#"'***' !== @.token"#),
            (
                r#".data.password | select("P-4" == .)"#,
                r#".data.password | select("***" == .)"#,
            ),
            (
                r#"{"jq": "select(\"P-5\" == .data.password)"}"#,
                r#"{"jq": "select(\"***\" == .data.password)"}"#,
            ),
            (
                r#".data.password as $p | $p == "P-6""#,
                r#".data.password as $p | $p == "***""#,
            ),
            (
                r#".data.password as $p | select($p == "P-7")"#,
                r#".data.password as $p | select($p == "***")"#,
            ),
            (
                r#".data.password | ascii_downcase == "P-8""#,
                r#".data.password | ascii_downcase == "***""#,
            ),
            (
                r#".data.password | tostring != "P-9""#,
                r#".data.password | tostring != "***""#,
            ),
            (
                ".data.password | select(\n. == \"P-10\")",
                ".data.password | select(\n. == \"***\")",
            ),
            (
                ".data.password\n  | select(. == \"P-11\")",
                ".data.password\n  | select(. == \"***\")",
            ),
            (
                r#"{"jq": ".data.password | select(\n. == \"P-12\")"}"#,
                r#"{"jq": ".data.password | select(\n. == \"***\")"}"#,
            ),
            (r#"passwords[0] == "P-13""#, r#"passwords[0] == "***""#),
            (
                r#"(.data.password) == "P-14""#,
                r#"(.data.password) == "***""#,
            ),
            (
                r#"password.trim() == "P-15""#,
                r#"password.trim() == "***""#,
            ),
            (
                r#".data["password"] | select(. == "P-16")"#,
                r#".data["password"] | select(. == "***")"#,
            ),
            (
                r#"{"jq": ".data[\"password\"] | select(\"P-17\" == .)"}"#,
                r#"{"jq": ".data[\"password\"] | select(\"***\" == .)"}"#,
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            r#"if ("nginx" == image) {"#,
            r#"select("web" == .metadata.name)"#,
            r#".metadata.name as $n | $n == "web""#,
            r#".metadata.name | ascii_downcase == "web""#,
            r#"images[0] == "nginx""#,
            ".data.password\n.metadata.labels.app | select(. == \"web\")",
            ".data.password\n- select(\n. == \"web\")",
            r#"{"a": ".data.password", "b": ". == \"web\""}"#,
            r#"if (token || mode == "dev")"#,
            r#""" == password"#,
            r#"it's "x" == y"#,
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
    }

    /// Comparisons in words: operators and calls that compare.
    #[test]
    fn a_literal_compared_in_words_is_masked() {
        for (dirty, clean) in [
            (
                r#".data.password | test("^P-1$")"#,
                r#".data.password | test("***")"#,
            ),
            (
                r#".data.password | startswith("P-2")"#,
                r#".data.password | startswith("***")"#,
            ),
            (r#"password.equals("P-3")"#, r#"password.equals("***")"#),
            (
                r#"if (apiKey.startsWith('K-4')) {"#,
                r#"if (apiKey.startsWith('***')) {"#,
            ),
            ("@.password contains 'P-5'", "@.password contains '***'"),
            ("data.password <> 'P-6'", "data.password <> '***'"),
            ("password eq 'P-7'", "password eq '***'"),
            (r#"$token ne "T-8""#, r#"$token ne "***""#),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            r#".metadata.name | test("^web")"#,
            r#"image.startsWith("nginx")"#,
            "image eq 'nginx'",
            "status <> 'done'",
            r#"attest("x") && .data.password"#,
            r#"select(test("x"))"#,
            "a<>b",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
    }

    /// The fifteenth review's shapes: the literal wrapped in brackets or a list, in backticks,
    /// first in a Go template's `eq`, the argument of CEL's `matches(`; and those held before.
    #[test]
    fn a_literal_wrapped_backticked_or_first_in_a_template_is_masked() {
        for dirty in [
            r#".data.password == ("R15c02")"#,
            r#"{{ if eq "R15c22" .Values.password }}"#,
            r#"[.data.password] == ["R15c24"]"#,
            r#"self.data.password.matches("R15c19")"#,
            "password !== `R15c08`",
            r#".data.password|test("R15c01")"#,
            "password.equalsIgnoreCase('R15c03')",
            r#""R15c04" != password"#,
            r#"password eq "R15c05""#,
            r#".data.password|startswith("R15c06")"#,
            "PASSWORD<>'R15c07'",
            r#".data.password | test("R15c09"; "i")"#,
            r#"select(.data.token == "R15c10" or .x)"#,
            r#".data.password | contains("R15c11")"#,
            r#".data["api-key"] == "R15c12""#,
            r#".data.password as $p | ($p == "R15c15")"#,
            "password ne 'R15c17'",
            "password ne 'R15c44' .x",
            "password contains 'R15c18'",
            r#".data.password | endswith("R15c20")"#,
            r#"{{ if eq .Values.password "R15c21" }}"#,
            r#"{{ if ne .Values.password "R15c23" }}"#,
            r#".data.password | . == "R15c25""#,
            "password==='R15c26'",
            r#"("R15c27") == .data.password"#,
            r#"[ "R15c28", "R15c29" ] == [.data.password, .data.token]"#,
            r#".data.password == ["R15c30", 'R15c31']"#,
            "`R15c32` === apiKey",
            r#"{{ if eq $.Values.token "R15c33" }}"#,
            r#"{{- if ne "R15c34" $token -}}"#,
            r#"{"jq": ".data.password == (\"R15c35\")"}"#,
            r#"has(self.data.password) && self.data.password.matches('^R15c36$')"#,
            r#"{{ if eq "R15c37" (.Values.password) }}"#,
            r#"{{ if and (eq "R15c38" .Values.password) .x }}"#,
            r#"{{ if eq ( .Values.password ) "R15c39" }}"#,
            r#"{{ if hasPrefix "R15c40" .Values.password }}"#,
            r#"{{ if contains "R15c41" .Values.token }}"#,
            r#"{"m": "{{ if eq \"R15c42\" .Values.password }}"}"#,
            "if (password == `R15c43`) {",
            r#"if ("R15c45".equals(password)) {"#,
            r#"strings.EqualFold(token, "R15c46")"#,
            r#"Objects.equals("R15c47", user.password)"#,
            r#"strings.HasPrefix(apiKey, 'R15c48')"#,
            r#"{"m": "\"R15c49\".equalsIgnoreCase(password)"}"#,
        ] {
            let clean = without_credentials(dirty);
            assert!(!clean.contains("R15"), "{dirty} -> {clean}");
            assert_eq!(without_credentials(&clean), clean, "{dirty}");
        }
        for (dirty, clean) in [
            (
                r#"[.data.password] == ["R-1", "R-2"]"#,
                r#"[.data.password] == ["***"]"#,
            ),
            (
                r#"{{ if eq "R-3" .Values.password }}"#,
                r#"{{ if eq "***" .Values.password }}"#,
            ),
            ("password !== `R-4`", "password !== `***`"),
            (
                r#".data.password == ("R-5", 'R-6')"#,
                r#".data.password == (***)"#,
            ),
            (
                r#"('R-7', "R-8") == [.data.token]"#,
                r#"(***) == [.data.token]"#,
            ),
            (
                r#"{"jq": "[\"R-9\"] == [.data.password]"}"#,
                r#"{"jq": "[\"***\"] == [.data.password]"}"#,
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            r#"image == ("nginx")"#,
            r#"[.metadata.name] == ["web"]"#,
            r#"{{ if eq "web" .Values.name }}"#,
            r#"{{ if eq .Values.name "web" }}"#,
            r#"{{ if and (eq "web" .Values.name) .x }}"#,
            r#"{{ if hasPrefix "web" .Values.name }}"#,
            r#""web".equals(name)"#,
            r#"strings.EqualFold(name, "web")"#,
            r#"Objects.equals("web", user.name)"#,
            r#"contains("a", "b")"#,
            "image !== `nginx`",
            r#"self.metadata.name.matches("^web")"#,
            r#"len("abc") == password"#,
            r#"x["a"] == password"#,
            "run `make` then eq `x`",
            "a ` b == c",
            "token !== `",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
    }

    /// Multi-byte characters around, inside and before the rule's pieces: read by bytes, cut
    /// only at ASCII ones.
    #[test]
    fn text_with_multi_byte_characters_is_read_without_panicking() {
        for (dirty, clean) in [
            (
                "é .data.pässword | select(\"ü\" == .data.password)",
                "é .data.pässword | select(\"***\" == .data.password)",
            ),
            (
                "日本 .data.password as $p | $p == \"秘密\"",
                "日本 .data.password as $p | $p == \"***\"",
            ),
            (
                "„.data.password\u{200B}|\u{200B}select(\n. == \"ß\")",
                "„.data.password\u{200B}|\u{200B}select(\n. == \"***\")",
            ),
            (
                "é .data.password == (\"日本\") ü",
                "é .data.password == (\"***\") ü",
            ),
            (
                "{{ if eq `秘密` .Values.password }}é",
                "{{ if eq `***` .Values.password }}é",
            ),
            (
                "[\"ß\", 'é'] == [.data.password]",
                "[***] == [.data.password]",
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for text in [
            "é\"==",
            "\"é\"==",
            "é\\\"==é",
            "==\"é",
            "\n\"é\" == $é",
            "é | é == \"é\"",
            "\\n\"\\\"é\\\" != .",
            "ü\r\n. == 'x'",
            "é.equals(\"",
            "é eq 'é",
            "| test(é",
            "équals(\"x\")",
            "é == (\"é",
            "é == [ 'é', ",
            "é == [\"é\",é",
            "`é` == é",
            "== `é",
            "é`)] == é",
            "(`é`) == .é",
            " eq \"é\" .é",
            " eq .é \"é",
            " ne `é` $",
            " eq .é",
            "é.matches(`é`)",
            "password == `é\né`",
            "\"é\".equals(",
            "é.equals(é, ",
            "EqualFold(é,\"é",
            "EqualFold(\"é\", ",
            "é == [`é`, ",
        ] {
            let _ = without_credentials(text);
        }
    }

    /// The shapes the sixteenth review's scrubbing helper listed as still shown: a call that
    /// compares, membership, a pipeline in a template's brackets, a template literal on
    /// several lines.
    #[test]
    fn literals_a_comparing_call_or_a_membership_test_holds_are_masked() {
        for (dirty, clean) in [
            (
                "WHERE password IN ('Q1aaaa', 'Q1bbbb')",
                "WHERE password IN ('***')",
            ),
            (
                "WHERE password NOT IN ('Q1c')",
                "WHERE password NOT IN ('***')",
            ),
            (r#"if token in ("Q2a", "Q2b"):"#, r#"if token in ("***"):"#),
            (
                r#"assertEquals("Q3a", token)"#,
                r#"assertEquals("***", token)"#,
            ),
            (
                r#"assertEquals(token, "Q3b")"#,
                r#"assertEquals(token, "***")"#,
            ),
            (
                r#"subtle.ConstantTimeCompare([]byte("Q4a"), []byte(token))"#,
                r#"subtle.ConstantTimeCompare([]byte("***"), []byte(token))"#,
            ),
            (
                r#"hmac.Equal([]byte(apiKey), []byte("Q5a"))"#,
                r#"hmac.Equal([]byte(apiKey), []byte("***"))"#,
            ),
            (
                r#"{{ if eq (.Values.password | trim) "Q6b" }}"#,
                r#"{{ if eq (.Values.password | trim) "***" }}"#,
            ),
            ("if password == `Q7a\nQ7b` {", "if password == `***\n***` {"),
            (
                r#"secrets.compare_digest(token, "Q8a")"#,
                r#"secrets.compare_digest(token, "***")"#,
            ),
            (
                r#"crypto.timingSafeEqual(Buffer.from(token), Buffer.from("Q9a"))"#,
                r#"crypto.timingSafeEqual(Buffer.from(token), Buffer.from("***"))"#,
            ),
            (
                r#"assertThat(token).isEqualTo("Q10a")"#,
                r#"assertThat(token).isEqualTo("***")"#,
            ),
            (
                r#"expect(token).toBe("Q11a")"#,
                r#"expect(token).toBe("***")"#,
            ),
            (
                "expect(password).to.eql('Q13a')",
                "expect(password).to.eql('***')",
            ),
            (
                r#"{"t": "assertEquals(\"Q12a\", token)"}"#,
                r#"{"t": "assertEquals(\"***\", token)"}"#,
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            r#"assertEquals("ok", status) and the token is fine"#,
            "found it in ('a', 'b') today",
            r#"assertEquals("web", labels.app)"#,
        ] {
            assert_eq!(without_credentials(kept), kept);
        }
    }
}
/// The nineteenth review (T3): a comparing call and a template action over two lines.
#[cfg(test)]
mod nineteenth_review {
    #[test]
    fn a_call_or_a_template_going_on_to_the_next_line_is_read_whole() {
        for (dirty, secret) in [
            (
                "LoginTest.java:40: assertEquals(\n    \"R19t33qpw\", client.token());",
                "R19t33q",
            ),
            (
                "templates/secret.yaml:3: password: {{\n  \"R19t34qpw\" | b64enc }}",
                "R19t34q",
            ),
        ] {
            let clean = super::super::without_credentials(dirty);
            assert!(!clean.contains(secret), "{dirty} → {clean}");
        }
    }
}
