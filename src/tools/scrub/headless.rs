//! Credentials whose heading line is missing: a log window (`tail_lines`, a `filter`) or a
//! message cut by its writer can start below the line that says what follows, so the rules
//! that read a heading ([`super::tokens`]' PEM block, [`super::members`]' `password: |`) never
//! see one. What is left is recognised by its own shape:
//!
//! - a private key's body: the run of base64 lines just above its
//!   `-----END … PRIVATE KEY-----` line;
//! - a YAML block whose `name: |` line is gone: lines indented deeper than the member that
//!   follows them, right below a `parent:` line (or at the start of the text) that the member
//!   is a child of. Valid YAML cannot have them (a parent's first child sets its children's
//!   indentation), so a member line was removed above them, and what it held is hidden,
//!   whatever its name was.

use super::reading::written_at;
use super::spans::name_byte;

/// A credential at `i` whose heading line is missing: the span to mask.
pub fn credential(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    key_body_above_its_end(bytes, i).or_else(|| orphaned_block(bytes, i))
}

/// The shortest line, other than the last, taken for a line of a key's body: PEM writes 64
/// characters a line, OpenSSH 70, some tools 76.
const SHORTEST_BODY_LINE: usize = 40;

/// At a `-----END … PRIVATE KEY-----` line: the base64 lines right above it, from the first
/// of them (or the one just after the BEGIN line, which [`super::tokens`] reads itself) to the
/// end of the last. Lines end as written or escaped (`\n` inside a JSON string).
fn key_body_above_its_end(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    const END: &[u8] = b"-----END ";
    if !written_at(bytes, i, END) {
        return None;
    }
    let label_start = i + END.len();
    let label_len = bytes[label_start..]
        .iter()
        .take_while(|b| b.is_ascii_uppercase() || **b == b' ')
        .count();
    let label = &bytes[label_start..label_start + label_len];
    if !label.windows(11).any(|w| w == b"PRIVATE KEY")
        || !bytes[label_start + label_len..].starts_with(b"-----")
    {
        return None;
    }
    let mut at = line_break_ending_at(bytes, after_indentation_back(bytes, i))?;
    let mut span: Option<(usize, usize)> = None;
    loop {
        let content_end = at;
        let mut content_start = content_end;
        while content_start > 0
            && is_base64(bytes[content_start - 1])
            && line_break_ending_at(bytes, content_start).is_none()
        {
            content_start -= 1;
        }
        let width = content_end - content_start;
        let first_line = span.is_none();
        if width == 0 || (!first_line && width < SHORTEST_BODY_LINE) {
            break;
        }
        // The line holds nothing but base64 (after its indentation).
        let line_start = after_indentation_back(bytes, content_start);
        let break_before = line_break_ending_at(bytes, line_start);
        if line_start != 0 && break_before.is_none() {
            break;
        }
        span = Some((content_start, span.map_or(content_end, |(_, end)| end)));
        match break_before {
            Some(before) => at = before,
            None => break,
        }
    }
    span
}

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// Back from `at` over the spaces and tabs before it.
fn after_indentation_back(bytes: &[u8], mut at: usize) -> usize {
    while at > 0 && matches!(bytes[at - 1], b' ' | b'\t') {
        at -= 1;
    }
    at
}

/// Where a line break (`\n` or `\r\n`, raw or escaped once or more: `\n` inside a JSON string)
/// that ends exactly at `end` starts.
fn line_break_ending_at(bytes: &[u8], end: usize) -> Option<usize> {
    let mut start = if end >= 1 && bytes[end - 1] == b'\n' {
        end - 1
    } else if end >= 2 && bytes[end - 1] == b'n' && bytes[end - 2] == b'\\' {
        end - 1 - backslashes_before(bytes, end - 1)
    } else {
        return None;
    };
    if start >= 1 && bytes[start - 1] == b'\r' {
        start -= 1;
    } else if start >= 2 && bytes[start - 1] == b'r' && bytes[start - 2] == b'\\' {
        start = start - 1 - backslashes_before(bytes, start - 1);
    }
    Some(start)
}

fn backslashes_before(bytes: &[u8], at: usize) -> usize {
    bytes[..at]
        .iter()
        .rev()
        .take_while(|b| **b == b'\\')
        .count()
}

/// A raw line (without its break) as YAML reads it: its indentation in spaces and its content.
struct Line<'a> {
    indent: usize,
    content: &'a [u8],
}

impl<'a> Line<'a> {
    fn read(line: &'a [u8]) -> Self {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let indent = line.iter().take_while(|b| **b == b' ').count();
        Line {
            indent,
            content: line[indent..].trim_ascii_end(),
        }
    }

    fn blank(&self) -> bool {
        self.content.is_empty()
    }

    /// `name:` or `name: value`, the name bare.
    fn member(&self) -> bool {
        let name_len = self.content.iter().take_while(|b| name_byte(**b)).count();
        name_len > 0
            && self.content.get(name_len) == Some(&b':')
            && matches!(self.content.get(name_len + 1), None | Some(b' '))
    }

    /// `name:` opening a map or a block below it.
    fn opens_block(&self) -> bool {
        self.member() && self.content.ends_with(b":")
    }

    /// What a YAML reader would take for structure, not a scalar's text.
    fn structure(&self) -> bool {
        self.member() || self.content.starts_with(b"- ") || self.content.starts_with(b"#")
    }
}

/// Where the raw line starting at `start` ends: its `\n`, or the end of the text.
fn line_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |p| start + p)
}

/// How many lines below an orphaned block are read to find the member after it.
const MOST_BLOCK_LINES: usize = 200;

/// At the start of a line: the lines of a block whose `name: |` line is gone (see [the
/// module](self)), from the first one's content to the last one's end.
fn orphaned_block(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if i > 0 && bytes[i - 1] != b'\n' {
        return None;
    }
    let first = Line::read(&bytes[i..line_end(bytes, i)]);
    if first.blank() || first.indent == 0 || first.structure() {
        return None;
    }
    // The line above (blank lines passed over): a `parent:` the block's member was a child of,
    // or none (the text starts in the block).
    let parent = previous_line(bytes, i);
    if parent
        .as_ref()
        .is_some_and(|p| !p.opens_block() || p.indent >= first.indent)
    {
        return None;
    }
    // The block: every line below indented at least as deep as its first, or blank.
    let mut at = i;
    let mut end = i + first.indent;
    let mut lines = 0;
    let next = loop {
        if at >= bytes.len() || lines > MOST_BLOCK_LINES {
            return None;
        }
        let line_stop = line_end(bytes, at);
        let line = Line::read(&bytes[at..line_stop]);
        if !line.blank() && line.indent < first.indent {
            break line;
        }
        if !line.blank() {
            end = at + line.indent + line.content.len();
        }
        lines += 1;
        at = line_stop + 1;
    };
    // The member after it: a sibling of the member that was removed, shallower than the block
    // and deeper than the parent (or, at the start of the text, indented itself: a child).
    let parent_indent = parent.map_or(0, |p| p.indent);
    let sibling = next.member() && next.indent > parent_indent;
    (sibling && end > i + first.indent).then_some((i + first.indent, end))
}

/// The last non-blank line before the line starting at `line_start`.
fn previous_line(bytes: &[u8], line_start: usize) -> Option<Line<'_>> {
    let mut end = line_start;
    while end > 0 {
        let stop = end - 1;
        let start = bytes[..stop]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |p| p + 1);
        let line = Line::read(&bytes[start..stop]);
        if !line.blank() {
            return Some(line);
        }
        end = start;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        super::super::spans::mask_all(text, &[credential]).into_owned()
    }

    #[test]
    fn a_key_body_above_its_end_line_is_masked_without_its_begin_line() {
        let line = "MIIEowIBAAKCAQEAabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL";
        for (dirty, clean) in [
            (
                format!("{line}\n{line}\nQUJD==\n-----END RSA PRIVATE KEY-----\nnext"),
                "***\n***\n***\n-----END RSA PRIVATE KEY-----\nnext".to_owned(),
            ),
            (
                format!("level=info\n  {line}\n  QUJD\n  -----END PRIVATE KEY-----"),
                "level=info\n  ***\n  ***\n  -----END PRIVATE KEY-----".to_owned(),
            ),
            (
                format!(r"key: {line}\n{line}\n-----END OPENSSH PRIVATE KEY-----"),
                format!(r"key: {line}\n***\n-----END OPENSSH PRIVATE KEY-----"),
            ),
        ] {
            assert_eq!(masked(&dirty), clean, "{dirty}");
        }
        for text in [
            format!("{line}\n-----END CERTIFICATE-----"),
            "short words\n-----END RSA PRIVATE KEY-----".to_owned(),
            "-----END RSA PRIVATE KEY-----".to_owned(),
            "***\n***\n-----END RSA PRIVATE KEY-----".to_owned(),
        ] {
            assert_eq!(masked(&text), text, "{text}");
        }
    }

    #[test]
    fn a_block_whose_member_line_is_gone_is_masked() {
        for (dirty, clean) in [
            (
                "effective config:\ndb:\n    P-1 x\n    P-2\n  user: app",
                "effective config:\ndb:\n    ***\n    ***\n  user: app",
            ),
            (
                "    P-3\n\n    P-4\n  user: app\n",
                "    ***\n\n    ***\n  user: app\n",
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for text in [
            // Valid YAML: a value on the next line, a multi-line plain scalar.
            "db:\n  password:\n    ***\n  user: app",
            "db:\n  host: x\n    continued\n  user: app",
            "note:\n    a plain scalar\n",
            // Stack traces.
            "java.lang.IllegalStateException: boom\n    at a.B.c(B.java:1)\nCaused by: x",
            "    at a.B.c(B.java:1)\nCaused by: java.io.IOException: x",
            "Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n    main()\nValueError: x",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn any_text_is_read_without_panicking() {
        for text in [
            "-----END PRIVATE KEY-----",
            "\n-----END PRIVATE KEY-----",
            "\\n-----END PRIVATE KEY-----",
            "\\\\n-----END PRIVATE KEY-----",
            "\r\n-----END PRIVATE KEY-----",
            "a:\n  b\n",
            "\n\n  x\n y: z",
            " ",
            "\n",
        ] {
            let _ = masked(text);
        }
    }
}
