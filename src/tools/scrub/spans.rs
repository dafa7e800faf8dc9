//! Where a named value in text starts and ends, shared by the rules that find credentials by
//! what names them ([`super::assignments`], [`super::members`], [`super::headers`]), and the
//! pass that replaces what they find.

use std::borrow::Cow;

use super::reading::{Level, Unit, delimits, ends_value, unit};
use crate::tools::masking::MASK;

/// A rule: the span of a credential's value found at byte `i`, if one starts there.
pub type Rule = fn(&[u8], usize) -> Option<(usize, usize)>;

/// Replaces with [`MASK`] every value one of `rules` finds in `text`, the first that finds one
/// at a place winning, every rule asked at every byte (what [`mask_all_quickly`] is checked
/// against). The rules read the text with its other line breaks as `\r\n`
/// ([`other_breaks_as_line_feeds`]).
#[cfg(any(test, feature = "fuzzing"))]
pub fn mask_all<'a>(text: &'a str, rules: &[Rule]) -> Cow<'a, str> {
    let (read, changed) = other_breaks_as_line_feeds(text);
    let spans = spans_found(read.as_bytes(), &changed, text, rules, None);
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    masked(text, spans)
}

/// [`mask_all`] as answers need it, quickly and with the same result: `inside_words` are the
/// rules that can find a value starting inside a word. In a text free of escapes
/// ([`super::reading::read_plain`]), between two ASCII letters or digits every other rule
/// returns at its first look: each asks whether a word starts there
/// ([`super::reading::word_may_start`]) or wants a byte no word holds (`=`, `-`, `<`, `(`, a
/// quote, a line break), so they are not asked there (most of a text's bytes). The scrub
/// tests and the `scrub_shortcuts` fuzz target check the result against [`mask_all`]'s.
pub fn mask_all_quickly<'a>(text: &'a str, rules: &[Rule], inside_words: &[Rule]) -> Cow<'a, str> {
    let (read, changed) = other_breaks_as_line_feeds(text);
    let bytes = read.as_bytes();
    let spans = super::reading::read_plain(bytes, || {
        let plain = super::reading::known_plain(bytes);
        spans_found(bytes, &changed, text, rules, plain.then_some(inside_words))
    });

    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    masked(text, spans)
}

/// Where `rules` find values to hide in `bytes` (`text` as the rules read it, with the line
/// breaks `changed` read as others), in order and apart.
fn spans_found(
    bytes: &[u8],
    changed: &[(usize, usize)],
    text: &str,
    rules: &[Rule],
    inside_words: Option<&[Rule]>,
) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let budget = super::reading::Budget::for_text(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if budget.spent() {
            // The rest of a text too costly to read is hidden ([`super::reading::Budget`]).
            let mut start = outside(changed, (i, bytes.len())).0;
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let from = spans.last().map_or(start, |(_, last)| start.max(*last));
            spans.push((from, text.len()));
            break;
        }
        let asked = match inside_words {
            Some(inside) if i > 0 && is_alnum(bytes[i - 1]) && is_alnum(bytes[i]) => inside,
            _ => rules,
        };
        match asked.iter().find_map(|rule| rule(bytes, i)) {
            Some(found) => {
                let (start, end) = outside(changed, found);
                let already_masked = start >= end
                    || text[start..end]
                        .split(is_line_break)
                        .all(|line| line.is_empty() || line == MASK);
                // Spans stay in order and apart, so the text is rebuilt from them in one pass.
                let after_last = spans.last().is_none_or(|(_, last)| start >= *last);
                if !already_masked && after_last {
                    spans.push((start, end));
                }
                i = found.1.max(i + 1);
            }
            None => i += 1,
        }
    }
    spans
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// `text` with each of `spans` (in order, apart) replaced by [`MASK`].
fn masked(text: &str, spans: Vec<(usize, usize)>) -> Cow<'_, str> {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in spans {
        out.push_str(&text[copied..start]);
        // A span over several lines (a key's PEM body, a block scalar) keeps its line breaks,
        // so a text read line by line keeps its lines.
        let span = &text[start..end];
        if span.trim().is_empty() || !span.contains(is_line_break) {
            out.push_str(MASK);
        } else {
            let mut rest = span;
            loop {
                let line_end = rest.find(is_line_break).unwrap_or(rest.len());
                let line = &rest[..line_end];
                let content = line.trim_start();
                if !content.is_empty() {
                    out.push_str(&line[..line.len() - content.len()]);
                    out.push_str(MASK);
                }
                let Some(brk) = rest[line_end..].chars().next() else {
                    break;
                };
                out.push(brk);
                rest = &rest[line_end + brk.len_utf8()..];
            }
        }
        copied = end;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The characters that end a line: `\n`, `\r`, and those YAML readers (go-yaml) and editors
/// also break at, U+0085 (NEL), U+2028 and U+2029.
fn is_line_break(ch: char) -> bool {
    matches!(ch, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `text` as the rules read it, and where it was changed: the rules know `\n` and `\r` as line
/// breaks, so NEL, U+2028 and U+2029, as written or JSON-escaped (`\u2028`, which Go's encoder
/// writes), are read as a break of the same length (`\r\n`, ` \r\n`, four spaces and `\n`
/// escaped at the escape's depth): what the rules find stays where it was in `text`.
fn other_breaks_as_line_feeds(text: &str) -> (Cow<'_, str>, Vec<(usize, usize)>) {
    let escaped = |rest: &[u8]| {
        rest.first() == Some(&b'u')
            && rest.get(1..5).is_some_and(|hex| {
                [&b"2028"[..], b"2029", b"0085"]
                    .iter()
                    .any(|h| hex.eq_ignore_ascii_case(h))
            })
    };
    let bytes = text.as_bytes();
    let plain = !text.contains(['\u{85}', '\u{2028}', '\u{2029}']);
    if plain && !bytes.windows(5).any(escaped) {
        return (Cow::Borrowed(text), Vec::new());
    }
    let (mut out, mut changed) = (Vec::with_capacity(bytes.len()), Vec::new());
    let mut at = 0;
    while at < bytes.len() {
        let ch = text[at..].chars().next().unwrap_or(' ');
        let run = bytes[at..].iter().take_while(|b| **b == b'\\').count();
        let len = if matches!(ch, '\u{85}' | '\u{2028}' | '\u{2029}') {
            out.extend(std::iter::repeat_n(b' ', ch.len_utf8() - 2));
            out.extend_from_slice(b"\r\n");
            ch.len_utf8()
        } else if run > 0 && escaped(&bytes[at + run..]) {
            out.extend_from_slice(b"    ");
            out.extend(std::iter::repeat_n(b'\\', run));
            out.push(b'n');
            run + 5
        } else {
            // A run of backslashes is copied whole: `\\u2028` is a backslash, then text.
            let len = ch.len_utf8().max(run);
            out.extend_from_slice(&bytes[at..at + len]);
            at += len;
            continue;
        };
        changed.push((at, at + len));
        at += len;
    }
    // Only whole characters were replaced, by ASCII, so the bytes are still UTF-8.
    let read = String::from_utf8(out).map_or(Cow::Borrowed(text), Cow::Owned);
    (read, changed)
}

/// `(start, end)` kept out of the line breaks `changed` (in order) read as others: a span does
/// not start or end inside one.
fn outside(changed: &[(usize, usize)], (start, end): (usize, usize)) -> (usize, usize) {
    let inside = |at: usize| {
        let before = changed.partition_point(|(from, _)| *from < at);
        before
            .checked_sub(1)
            .map(|n| changed[n])
            .filter(|(_, to)| at < *to)
    };
    (
        inside(start).map_or(start, |(_, to)| to),
        inside(end).map_or(end, |(from, _)| from),
    )
}

/// The bytes a bare name is made of: `db.password`, `API-KEY`, `access_token`.
pub fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// The value starting at `start`: inside its quotes when quoted, else up to whitespace or a
/// quote (and, with `ampersand`, up to the `&` of the next query parameter), read at `level`
/// ([`delimits`]): in a percent-encoded text (its name's `=` was `%3D`) escapes of that level
/// end it as the characters they stand for; otherwise escapes are part of it.
pub fn value(bytes: &[u8], start: usize, ampersand: bool, level: Level) -> Option<(usize, usize)> {
    if start >= bytes.len() {
        return None;
    }
    let first = unit(bytes, start);
    if let Some(found) = triple_quoted(bytes, start, first) {
        return Some(found);
    }
    // A backquoted value (Go's raw string, a JavaScript template literal) may span lines.
    if matches!(first.ch, b'"' | b'\'' | b'`') {
        let inner = start + first.len;
        let end = closing_quote(bytes, inner, first.ch, first.len);
        return (end > inner).then_some((inner, end));
    }
    let mut end = start;
    while end < bytes.len() {
        let u = unit(bytes, end);
        if ends_value(bytes, end, u, level)
            || (ampersand && u.ch == b'&' && delimits(bytes, end, u, level))
        {
            break;
        }
        end += u.len;
    }
    (end > start).then_some((start, end))
}

/// A value in three quotes (`"""…"""`, TOML's and Python's multi-line strings), its quotes as
/// written or escaped: what is inside them, to the text's end when they do not close.
fn triple_quoted(bytes: &[u8], start: usize, first: Unit) -> Option<(usize, usize)> {
    if !matches!(first.ch, b'"' | b'\'') {
        return None;
    }
    let is_quote = |at: usize| {
        at < bytes.len() && {
            let u = unit(bytes, at);
            u.ch == first.ch && u.len == first.len
        }
    };
    let three = |at: usize| (0..3).all(|n| is_quote(at + n * first.len));
    if !three(start) {
        return None;
    }
    let inner = start + 3 * first.len;
    let mut end = inner;
    while end < bytes.len() && !three(end) {
        end += unit(bytes, end).len;
    }
    (end > inner).then_some((inner, end))
}

/// Where the quote closing one opened as `quote` (written in `len` bytes: `"`, or `\"` inside
/// JSON) is: the next quote written the same way, so quotes escaped one level deeper stay
/// inside the value. The end of the text when none closes.
pub fn closing_quote(bytes: &[u8], from: usize, quote: u8, len: usize) -> usize {
    let mut at = from;
    while at < bytes.len() {
        let u = unit(bytes, at);
        if u.ch == quote && u.len == len {
            // YAML writes a single quote inside single quotes twice: `'it''s'`.
            if quote == b'\'' && len == 1 && bytes.get(at + 1) == Some(&b'\'') {
                at += 2;
                continue;
            }
            return at;
        }
        at += u.len;
    }
    bytes.len()
}

/// Past spaces and tabs as written.
pub fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|b| *b == b' ' || *b == b'\t') {
        at += 1;
    }
    at
}

/// Past whitespace, line breaks included, as written or escaped (`\n` inside a JSON string).
pub fn skip_blank(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        let u = unit(bytes, at);
        if !u.ch.is_ascii_whitespace() {
            break;
        }
        at += u.len;
    }
    at
}

/// Whether the unit at `at` is a line break, as written or escaped (`\n` in a JSON string).
pub fn is_break(bytes: &[u8], at: usize) -> bool {
    at < bytes.len() && matches!(unit(bytes, at).ch, b'\n' | b'\r')
}

/// Past the line break at `at` (`\r\n` as one), as written or escaped.
pub fn past_break(bytes: &[u8], at: usize) -> usize {
    let u = unit(bytes, at);
    let next = at + u.len;
    if u.ch == b'\r' && is_break(bytes, next) && unit(bytes, next).ch == b'\n' {
        return next + unit(bytes, next).len;
    }
    next
}

/// Where the line holding `at` ends: its line break, as written or escaped, or a quote escaped
/// as the line breaks around it are (the end of the JSON string holding the lines).
pub fn line_end_from(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        let u = unit(bytes, at);
        if matches!(u.ch, b'\n' | b'\r') || (u.escaped && u.ch == b'"') {
            break;
        }
        at += u.len;
    }
    at
}

/// How far back the start of a line is looked for.
const LONGEST_LINE: usize = 4096;

/// Where the line holding `at` starts: after the line break before it, as written or escaped,
/// or after the quote that opens the string holding the lines.
pub fn line_start_of(bytes: &[u8], at: usize) -> usize {
    let floor = at.saturating_sub(LONGEST_LINE);
    (floor..at)
        .rev()
        .find(|p| {
            matches!(bytes[*p], b'\n' | b'\r' | b'"')
                || (matches!(bytes[*p], b'n' | b'r') && *p > 0 && bytes[*p - 1] == b'\\')
        })
        .map_or(floor, |p| p + 1)
}

/// Where the line before the one starting at `line_start` ends: before its line break, as
/// written or escaped (`\r\n` as one); none at the start of the text.
pub fn previous_line_end(bytes: &[u8], line_start: usize) -> Option<usize> {
    let mut at = line_start;
    let mut stepped = false;
    loop {
        if at >= 1 && matches!(bytes[at - 1], b'\n' | b'\r') {
            at -= 1;
        } else if at >= 2 && matches!(bytes[at - 1], b'n' | b'r') && bytes[at - 2] == b'\\' {
            at -= 2;
            while at >= 1 && bytes[at - 1] == b'\\' {
                at -= 1;
            }
        } else {
            break;
        }
        stepped = true;
        // `\r\n` is one break; two `\n` are a blank line between.
        let carriage_return_before = (at >= 1 && bytes[at - 1] == b'\r')
            || (at >= 2 && bytes[at - 1] == b'r' && bytes[at - 2] == b'\\');
        if !carriage_return_before {
            break;
        }
    }
    stepped.then_some(at)
}

/// Where the bracket closing the one `opening` opens at `open` is (nested pairs counted), or
/// the text's end when it never closes.
pub fn closing_bracket(bytes: &[u8], open: usize, (opening, closing): (u8, u8)) -> usize {
    let mut depth = 0usize;
    for (at, b) in bytes.iter().enumerate().skip(open) {
        if *b == opening {
            depth += 1;
        } else if *b == closing {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return at;
            }
        }
    }
    bytes.len()
}

/// Where the `}` closing the HCL block opened at `open` is (nested blocks counted), the text's
/// end when it never closes. A `}` that closes nothing is read past: one inside a quoted string
/// (its quotes as written or escaped, [`closing_quote`]), a heredoc (`<<EOT` … `EOT`, `<<-EOT`)
/// or a comment (`#` and `//` to the line's end, `/* … */`), since passwords hold `}` often.
/// One pass: every byte is read once.
pub fn hcl_closing_brace(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut at = open;
    while at < bytes.len() {
        let u = if bytes[at] == b'\\' {
            unit(bytes, at)
        } else {
            Unit {
                ch: bytes[at],
                len: 1,
                escaped: false,
            }
        };
        at = match u.ch {
            b'{' => {
                depth += 1;
                at + 1
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return at;
                }
                at + 1
            }
            b'"' => (closing_quote(bytes, at + u.len, b'"', u.len) + u.len).min(bytes.len()),
            // An apostrophe inside a word (`the agent's`) opens nothing.
            b'\'' if at == 0 || !bytes[at - 1].is_ascii_alphanumeric() => {
                (closing_quote(bytes, at + u.len, b'\'', u.len) + u.len).min(bytes.len())
            }
            b'#' => end_of_line(bytes, at),
            // `//` after a `:` is a URL's (`https://`), not a comment.
            b'/' if at == 0 || bytes[at - 1] != b':' => {
                let after = at + u.len;
                match following(bytes, after) {
                    Some(b'/') => end_of_line(bytes, at),
                    // A `*` is never escaped: one byte.
                    Some(b'*') => bytes[after + 1..]
                        .windows(2)
                        .position(|w| w == b"*/")
                        .map_or(bytes.len(), |p| after + 1 + p + 2),
                    _ => after,
                }
            }
            b'<' if bytes.get(at + 1) == Some(&b'<') => past_heredoc(bytes, at + 2),
            _ => at + u.len,
        };
    }
    bytes.len()
}

/// The character at `at` (an escaped one read as what it stands for), if any.
fn following(bytes: &[u8], at: usize) -> Option<u8> {
    (at < bytes.len()).then(|| unit(bytes, at).ch)
}

/// Where the line holding `at` ends: at its line break, as written or escaped.
fn end_of_line(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && !is_break(bytes, at) {
        at += unit(bytes, at).len;
    }
    at
}

/// Past a heredoc whose `<<` ends at `at` (`<<EOT`, `<<-EOT`, its body on the lines below, to a
/// line holding only `EOT`): where its closing word ends, the text's end when none closes it.
/// Where no heredoc opens (`a << b`), just `at`.
fn past_heredoc(bytes: &[u8], at: usize) -> usize {
    let word_start = if bytes.get(at) == Some(&b'-') {
        at + 1
    } else {
        at
    };
    let word_len = bytes[word_start.min(bytes.len())..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    let word = &bytes[word_start..word_start + word_len];
    let word_end = word_start + word_len;
    if word.is_empty() || !is_break(bytes, word_end) {
        return at;
    }
    let mut line = end_of_line(bytes, word_end);
    while line < bytes.len() {
        line = past_break(bytes, line);
        let mut start = line;
        while start < bytes.len() && matches!(unit(bytes, start).ch, b' ' | b'\t') {
            start += unit(bytes, start).len;
        }
        let end = start + word.len();
        let closes = bytes.get(start..end) == Some(word)
            && (end >= bytes.len() || is_break(bytes, end) || bytes[end] == b'"');
        if closes {
            return end;
        }
        line = end_of_line(bytes, start);
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::super::without_credentials;

    /// The seventeenth review (L1): NEL, U+2028 and U+2029 end a line for go-yaml, and so for
    /// the rules that read lines (a block scalar, a value on the line below its key, a key's
    /// PEM body), as written or escaped: each is read as the line feed it stands in for is, and
    /// the text keeps it as it was.
    #[test]
    fn other_line_breaks_end_lines_for_the_rules() {
        for (sep, feed) in [
            ("\u{85}", "\n"),
            ("\u{2028}", "\n"),
            ("\u{2029}", "\n"),
            ("\\u2028", "\\n"),
            ("\\\\u2029", "\\\\n"),
            ("\\u0085", "\\n"),
        ] {
            for dirty in [
                "db:{}  password: |{}    first P-1 line{}    P-2{}user: u",
                "password:{}  P-1{}user: u",
                "token: >-{}  P-1{}user: u",
                "key: |{}  -----BEGIN PRIVATE KEY-----{}  P-1{}",
                "password=P-1{}user=u",
            ] {
                let clean = without_credentials(&dirty.replace("{}", sep)).into_owned();
                let as_feed = without_credentials(&dirty.replace("{}", feed)).replace(feed, sep);
                assert_eq!(clean, as_feed, "{dirty:?} {sep:?}");
                let kept = dirty.contains("user") == clean.contains("user");
                assert!(!clean.contains("P-") && kept, "{clean:?}");
            }
        }
        for kept in [
            "a\u{2028}b\u{2029}c\u{85}d",
            "title: a\u{2028}  b",
            "note: line\\u2028next",
            "\\\\u2028",
            "\\u202",
            "\u{2028}",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept:?}");
        }
    }

    #[test]
    fn any_mix_of_line_breaks_is_read_without_panicking() {
        const PIECES: [&str; 16] = [
            "\u{85}",
            "\u{2028}",
            "\u{2029}",
            "\\u2028",
            "\\",
            "u2029",
            "\r",
            "\n",
            "password: ",
            "|",
            "  ",
            "P-1",
            "=",
            "-----BEGIN PRIVATE KEY-----",
            "é",
            "\"",
        ];
        for text in crate::testing::mixes(&PIECES, 10, 20_000) {
            let once = without_credentials(&text).into_owned();
            assert_eq!(without_credentials(&once), once, "{text:?}");
        }
    }
}
