//! Text read as the characters it stands for: answers quote log lines that are JSON (`\/` for
//! `/`, `\u0026` for `&`), JSON inside JSON (`\\/`), URLs percent-encoded inside other URLs
//! (`%3A%2F%2F`, `%40`, even twice: `%2540`), and quotes written as HTML entities (`&quot;`,
//! `&#34;`: JSON shown in an HTML page or a web framework's error). The credential rules judge
//! what these escapes mean, so an escape cannot hide a `://`, an `@` or a quote from them.

/// What one escape or byte of the text stands for, and how many bytes it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    /// The ASCII character meant; [`OTHER`] for anything else (a non-ASCII byte, an escape of
    /// a non-ASCII character).
    pub ch: u8,
    pub len: usize,
    /// Whether it was written as an escape rather than as itself.
    pub escaped: bool,
}

/// Stands for any character that is not ASCII.
pub const OTHER: u8 = 0x80;

thread_local! {
    /// How many units every rule has read so far: what a text's [`Budget`] is judged against.
    static UNITS_READ: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn units_read() -> usize {
    UNITS_READ.with(std::cell::Cell::get)
}

/// How much reading the rules may do over one text: [`READS_PER_BYTE`] units a byte, and
/// [`READS_AT_LEAST`]. Every rule reads within its own bounds, but a rule that reads far at
/// each of many places (to the end of a long word, a long run) makes a text of a few hundred
/// KB take minutes, and the reviews found such a rule again and again. A text that spends its
/// budget has the rest of it hidden: a text this costly to read is no text a person wrote.
pub struct Budget {
    start: usize,
    most: usize,
}

/// Units read per byte of a text before it counts as too costly: the unit tests' texts (logs,
/// YAML, JSON, code, prose) read 70 to 95 a byte with every rule.
pub const READS_PER_BYTE: usize = 256;
const READS_AT_LEAST: usize = 1 << 20;

impl Budget {
    pub fn for_text(len: usize) -> Budget {
        Budget {
            start: units_read(),
            most: len
                .saturating_mul(READS_PER_BYTE)
                .saturating_add(READS_AT_LEAST),
        }
    }

    pub fn spent(&self) -> bool {
        units_read().wrapping_sub(self.start) > self.most
    }
}

thread_local! {
    /// The text being read, when it holds no byte an escape or an ANSI code starts with: the
    /// address range of its bytes ([`read_plain`]).
    static PLAIN: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, 0)) };
}

/// Whether an escape or an ANSI code could start in `text`: only at one of these bytes.
fn may_hold_escapes(text: &[u8]) -> bool {
    text.iter().any(|b| matches!(b, b'\\' | b'%' | b'&' | 0x1b))
}

/// Runs `read` (the rules over `text`) knowing whether `text` holds any escape: every rule
/// asks, at every byte, whether an escape ends before it or covers it ([`escaped_before`],
/// [`word_may_start`]), and most texts (names, states, URLs, messages) hold none, so for them
/// one look at the whole text answers all those questions (most of the scrubbing's time was
/// spent asking them). Only slices lying inside `text` count as plain, and only while `read`
/// runs (the text is borrowed throughout, so no other text can take its place).
pub fn read_plain<R>(text: &[u8], read: impl FnOnce() -> R) -> R {
    let marked = if may_hold_escapes(text) {
        (0, 0)
    } else {
        let start = text.as_ptr() as usize;
        (start, start + text.len())
    };
    let before = PLAIN.with(|plain| plain.replace(marked));
    let result = read();
    PLAIN.with(|plain| plain.set(before));
    result
}

/// Whether `bytes` lies inside the text [`read_plain`] found free of escapes.
pub fn known_plain(bytes: &[u8]) -> bool {
    let (start, end) = PLAIN.with(std::cell::Cell::get);
    let at = bytes.as_ptr() as usize;
    start < end && at >= start && at + bytes.len() <= end
}

/// Whether `prefix` is written at byte `i`, looking at the first byte before anything else: the
/// rules ask this at every byte of every text, where it is almost never so.
pub fn written_at(bytes: &[u8], i: usize, prefix: &[u8]) -> bool {
    bytes.get(i) == prefix.first() && bytes.len() - i >= prefix.len() && {
        let (_, rest) = bytes.split_at(i);
        rest.starts_with(prefix)
    }
}

/// The unit starting at byte `i` (`i < bytes.len()`).
pub fn unit(bytes: &[u8], i: usize) -> Unit {
    UNITS_READ.with(|read| read.set(read.get().wrapping_add(1)));
    let plain = Unit {
        ch: if bytes[i].is_ascii() { bytes[i] } else { OTHER },
        len: 1,
        escaped: false,
    };
    match bytes[i] {
        b'\\' => json_escape(bytes, i).unwrap_or(plain),
        b'%' => percent_escape(bytes, i).unwrap_or(plain),
        b'&' => entity(bytes, i).unwrap_or(plain),
        _ => plain,
    }
}

/// What an escape ending just before `i` stands for (`\n`, `\u0020`, `%0A`, at any depth of
/// quoting), if one does. A credential right after one (`\nBearer …` in a JSON log line,
/// `%0Aghp_…` in a URL) starts a word although the byte before it is a letter or a digit: the
/// rules that look for a word's start judge the character the escape stands for.
/// An escape of a character that is not ASCII (`\u00a0`, a no-break space) reads as
/// [`OTHER`], which continues no word; an ANSI colour code (`ESC[1m`, `\u001b[33m`) reads as a
/// space: terminals print nothing for it.
pub fn escaped_before(bytes: &[u8], i: usize) -> Option<u8> {
    if known_plain(bytes) {
        return None;
    }
    if ansi_code_before(bytes, i) {
        return Some(b' ');
    }
    (2..=ESCAPE_MOST.min(i)).find_map(|len| {
        let u = unit(bytes, i - len);
        // A percent escape of a byte of UTF-8 is part of a character, maybe a letter.
        let part_of_character = u.ch == OTHER && bytes[i - len] == b'%';
        (u.escaped && u.len == len && !part_of_character).then_some(u.ch)
    })
}

/// The longest ANSI control sequence read: `ESC[`, a few numbers, a final letter.
const ANSI_MOST: usize = 24;

/// Whether an ANSI control sequence (`ESC[1m`, `ESC[38;5;208m`) ends just before `i`, its ESC
/// written as itself or as an escape (`\u001b`, `\x1b`, `\033`, `\e`, at any depth of
/// quoting).
pub fn ansi_code_before(bytes: &[u8], i: usize) -> bool {
    if i < 3 || !bytes[i - 1].is_ascii_alphabetic() {
        return false;
    }
    let floor = i.saturating_sub(ANSI_MOST);
    let mut at = i - 1;
    while at > floor && (bytes[at - 1].is_ascii_digit() || bytes[at - 1] == b';') {
        at -= 1;
    }
    if at == floor || bytes[at - 1] != b'[' {
        return false;
    }
    let esc_end = at - 1;
    if esc_end >= 1 && bytes[esc_end - 1] == 0x1b {
        return true;
    }
    let written = &bytes[esc_end.saturating_sub(6)..esc_end];
    [&b"u001b"[..], b"u001B", b"x1b", b"x1B", b"033", b"e"]
        .iter()
        .any(|code| {
            written.len() > code.len()
                && written.ends_with(code)
                && written[written.len() - code.len() - 1] == b'\\'
        })
}

/// Whether a word may start at `i`: at the text's start, or after a byte (or an escape standing
/// for a character) that `continues` does not take as part of the word before.
/// Never inside an escape: the `n` of `\nAuthorization` is the escape's, not a word's first letter.
pub fn word_may_start(bytes: &[u8], i: usize, continues: impl Fn(u8) -> bool) -> bool {
    let after_a_separator = i.checked_sub(1).is_none_or(|p| !continues(bytes[p]));
    if known_plain(bytes) {
        return after_a_separator;
    }
    !inside_escape(bytes, i)
        && (after_a_separator || escaped_before(bytes, i).is_some_and(|c| !continues(c)))
}

/// Whether byte `i` belongs to a JSON escape that starts before it (the `n` of `\n`, the hex
/// digits of `\u0020`). Percent escapes are left out: `%41` is also how text reads `%` then
/// `41`.
fn inside_escape(bytes: &[u8], i: usize) -> bool {
    (1..=ESCAPE_MOST.min(i)).any(|back| {
        bytes[i - back] == b'\\' && {
            let u = unit(bytes, i - back);
            u.escaped && u.len > back
        }
    })
}

/// The most bytes one escape takes: a `\u` escape under a few levels of quoting, `%2525XX`.
const ESCAPE_MOST: usize = 12;

/// What an HTML entity stands for, among those that delimit: quotes (`&quot;`, `&#34;`,
/// `&#x22;`, `&apos;`, `&#39;`, `&#x27;`) end a value and open a member's name; `&lt;` and
/// `&gt;` open and close an element (XML shown in a web page); `&#64;` ends a URL's userinfo.
/// Not `&amp;`: `a &amp; b` is prose, and a query's `&` stays what it was.
fn entity(bytes: &[u8], i: usize) -> Option<Unit> {
    const ENTITIES: [(&[u8], u8); 12] = [
        (b"&quot;", b'"'),
        (b"&#34;", b'"'),
        (b"&#x22;", b'"'),
        (b"&apos;", b'\''),
        (b"&#39;", b'\''),
        (b"&#x27;", b'\''),
        (b"&lt;", b'<'),
        (b"&#60;", b'<'),
        (b"&gt;", b'>'),
        (b"&#62;", b'>'),
        (b"&#64;", b'@'),
        (b"&#x40;", b'@'),
    ];
    let rest = &bytes[i..];
    ENTITIES.iter().find_map(|(entity, ch)| {
        let written = rest.get(..entity.len())?;
        written.eq_ignore_ascii_case(entity).then_some(Unit {
            ch: *ch,
            len: entity.len(),
            escaped: true,
        })
    })
}

/// The most backslashes read before one escape: four levels of quoting (one level takes 1,
/// two take 3, as in `\\\"`; four take 15). A longer run reads as backslashes until its last
/// [`RUN_MOST`]: counted whole at every position, a long run took quadratic time to read.
pub const RUN_MOST: usize = 15;

/// A JSON escape after a run of backslashes (one per level of quoting): `\/`, `\\\"`,
/// `\u0040`, `\n`.
fn json_escape(bytes: &[u8], i: usize) -> Option<Unit> {
    let run = bytes[i..]
        .iter()
        .take(RUN_MOST + 1)
        .take_while(|b| **b == b'\\')
        .count();
    if run > RUN_MOST {
        return None;
    }
    let at = i + run;
    let escaped = |ch, len| {
        Some(Unit {
            ch,
            len,
            escaped: true,
        })
    };
    match *bytes.get(at)? {
        c @ (b'/' | b'"' | b'\'') => escaped(c, run + 1),
        b'n' => escaped(b'\n', run + 1),
        b'r' => escaped(b'\r', run + 1),
        b't' => escaped(b'\t', run + 1),
        b'f' => escaped(0x0c, run + 1),
        b'b' => escaped(0x08, run + 1),
        // Python's and C's `\x0a`.
        b'x' => {
            let hex = bytes.get(at + 1..at + 3)?;
            let code = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
            escaped(if code.is_ascii() { code } else { OTHER }, run + 3)
        }
        b'u' => {
            // JSON's `\u00e4`, or Rust's `\u{e4}` (1 to 6 digits), as `escape_default` and the
            // approval question write a character.
            let braced = bytes.get(at + 1) == Some(&b'{');
            let (digits, len) = if braced {
                let count = bytes
                    .get(at + 2..)?
                    .iter()
                    .take(7)
                    .position(|b| *b == b'}')?;
                (at + 2..at + 2 + count, count + 2)
            } else {
                (at + 1..at + 5, 4)
            };
            let hex = std::str::from_utf8(bytes.get(digits)?).ok()?;
            let code = u32::from_str_radix(hex, 16)
                .ok()
                .filter(|_| !hex.is_empty())?;
            let ch = u8::try_from(code)
                .ok()
                .filter(u8::is_ascii)
                .unwrap_or(OTHER);
            escaped(ch, run + 1 + len)
        }
        _ => None,
    }
}

/// `%XX`, also encoded again (`%25XX`, `%2525XX`).
fn percent_escape(bytes: &[u8], i: usize) -> Option<Unit> {
    let mut at = i + 1;
    while bytes.get(at..at + 2) == Some(b"25")
        && bytes.get(at + 2).is_some_and(u8::is_ascii_hexdigit)
    {
        // `%25` followed by hex is `%` encoded once more; `%25` at the end is a percent sign.
        if bytes.get(at + 3).is_some_and(u8::is_ascii_hexdigit) {
            at += 2;
        } else {
            break;
        }
    }
    let hex = bytes.get(at..at + 2)?;
    let code = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
    Some(Unit {
        ch: if code.is_ascii() { code } else { OTHER },
        len: at + 2 - i,
        escaped: true,
    })
}

/// How a text is percent-encoded: 0 when it is not, else the bytes one of its own escapes takes
/// (3 for `%3A`; 5 for `%253A`, a URL encoded inside a URL encoded inside another).
pub type Level = usize;

/// Whether `u` at `at` acts as the character it stands for in a text at `level`: written as
/// itself or JSON-escaped, or percent-escaped exactly at the text's level. Any other percent
/// escape is data (`p%40ss` is a password holding `@`; in a URL encoded once, `%2520` is the
/// inner URL's own `%20`).
pub fn delimits(bytes: &[u8], at: usize, u: Unit, level: Level) -> bool {
    let percent = u.escaped && bytes[at] == b'%';
    !percent || u.len == level
}

/// Whether the unit `u` at `at` ends a value in a text at `level`: whitespace or a quote acting
/// as itself ([`delimits`]). A password may hold `<`, `>`, `&` or a backquote.
pub fn ends_value(bytes: &[u8], at: usize, u: Unit, level: Level) -> bool {
    let ends = u.ch.is_ascii_whitespace() || matches!(u.ch, b'"' | b'\'');
    ends && delimits(bytes, at, u, level)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The twenty-first review (X1, X2): a text whose reading costs far more than ordinary
    /// text (a rule reading to the end of one long word at each of its colons) is hidden from
    /// where its budget ran out, in whole characters; ordinary text is read whole.
    #[test]
    fn a_text_too_costly_to_read_is_hidden_from_where_its_budget_ran_out() {
        use super::super::without_credentials;
        for pattern in ["A:", "Ä:A:", "u:p@=", "user:pw@="] {
            let text = pattern.repeat(200_000 / pattern.len());
            let clean = without_credentials(&text);
            assert!(
                clean.ends_with("***"),
                "{pattern}: {}",
                &clean[clean.len() - 20..]
            );
            assert!(clean.len() < text.len() / 2, "{pattern}: {}", clean.len());
        }
        let ordinary =
            "level=info msg=\"synced\" app=guestbook rev=abc123 user=admin ".repeat(4000);
        assert_eq!(without_credentials(&ordinary), ordinary);
    }

    /// The twentieth review (X3): a run of backslashes longer than any quoting reads as
    /// backslashes until its last [`RUN_MOST`], which with what follows are one escape; what
    /// the run ends in is still read for what it stands for.
    #[test]
    fn a_long_run_of_backslashes_is_read_from_its_last_levels() {
        let text = format!("{}\"", "\\".repeat(RUN_MOST + 5));
        let bytes = text.as_bytes();
        for i in 0..5 {
            assert_eq!(
                unit(bytes, i),
                Unit {
                    ch: b'\\',
                    len: 1,
                    escaped: false
                }
            );
        }
        let quote = Unit {
            ch: b'"',
            len: RUN_MOST + 1,
            escaped: true,
        };
        assert_eq!(unit(bytes, 5), quote);
        assert_eq!(unit(bytes, 6).len, RUN_MOST);
        assert_eq!(json_escape(b"\\\\z", 0), None);
    }

    /// The fortieth review (S4): Rust's `\u{…}` (as the approval question writes a character
    /// past ASCII) is read for what it stands for, like JSON's `\u00e4`, also quoted again.
    #[test]
    fn rust_escapes_are_read_for_what_they_stand_for() {
        let read = |text: &str| json_escape(text.as_bytes(), 0);
        let unit = |ch, len| {
            Some(Unit {
                ch,
                len,
                escaped: true,
            })
        };
        assert_eq!(read(r"\u{41}x"), unit(b'A', 6));
        assert_eq!(read(r"\u{00e4}x"), unit(OTHER, 8));
        assert_eq!(read(r"\u{10ffff}"), unit(OTHER, 10));
        assert_eq!(read(r"\\u{e4}"), unit(OTHER, 7));
        assert_eq!(read(r"\u00e4"), unit(OTHER, 6));
        for broken in [r"\u{}", r"\u{1234567}", r"\u{e4", r"\u{zz}"] {
            assert_eq!(read(broken), None, "{broken}");
        }
    }

    #[test]
    fn an_escape_before_a_word_is_read_for_what_it_stands_for() {
        let word = |text: &str, i: usize| {
            word_may_start(text.as_bytes(), i, |b| b.is_ascii_alphanumeric())
        };
        assert!(word(r"x\nBearer", 3));
        assert!(word(r"x\\nBearer", 4));
        assert!(word(r"x\u0020ghp_", 7));
        assert!(word("x%0Aghp_", 4));
        assert!(word("x%250Aghp_", 6));
        assert!(word("Bearer", 0));
        assert!(word(" Bearer", 1));
        // What an escape stands for that continues a word, and plain letters, do not separate.
        assert!(!word(r"x\u0041Bearer", 7));
        assert!(!word("x%41Bearer", 4));
        assert!(!word("xBearer", 1));
        assert!(!word("anBearer", 2));
        // `\f`, `\b`, `\x0a`, an escaped no-break space and ANSI colour codes separate too.
        assert!(word(r"x\fBearer", 3));
        assert!(word(r"x\bghp_", 3));
        assert!(word(r"x\x0aBearer", 5));
        assert!(word(r"x\u00a0Bearer", 7));
        assert!(word("x\u{1b}[1mghp_", 5));
        assert!(word(r"x\u001b[33mBearer", 11));
        assert!(word("x\u{1b}[38;5;208mghp_", 12));
        // Look-alikes: a bracketed word before a letter, a `%C3` of a UTF-8 letter.
        assert!(!word("x[1mghp_", 4));
        assert!(!word("caf%C3%A9Bearer", 9));
        // The letter of an escape starts no word.
        assert!(!word(r"x\nAuthorization", 2));
        assert!(!word(r"x\u0020ghp_", 3));
    }

    fn read(text: &str) -> Vec<(u8, usize)> {
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut out = Vec::new();
        while i < bytes.len() {
            let u = unit(bytes, i);
            out.push((u.ch, u.len));
            i += u.len;
        }
        out
    }

    #[test]
    fn escapes_are_read_as_what_they_stand_for() {
        assert_eq!(read(r"\/"), [(b'/', 2)]);
        assert_eq!(read(r"\\\/"), [(b'/', 4)]);
        assert_eq!(read(r"\u0040"), [(b'@', 6)]);
        assert_eq!(read(r"\u00e9"), [(OTHER, 6)]);
        assert_eq!(read(r#"\""#), [(b'"', 2)]);
        assert_eq!(read(r"\n"), [(b'\n', 2)]);
        assert_eq!(read("%40"), [(b'@', 3)]);
        assert_eq!(read("%2540"), [(b'@', 5)]);
        assert_eq!(read("%252F"), [(b'/', 5)]);
        assert_eq!(read("%C3"), [(OTHER, 3)]);
        assert_eq!(read("é"), [(OTHER, 1), (OTHER, 1)]);
        assert_eq!(read("&quot;"), [(b'"', 6)]);
        assert_eq!(read("&#34;"), [(b'"', 5)]);
        assert_eq!(read("&#X22;"), [(b'"', 6)]);
        assert_eq!(read("&apos;"), [(b'\'', 6)]);
        assert_eq!(read("&lt;"), [(b'<', 4)]);
        assert_eq!(read("&#64;"), [(b'@', 5)]);
    }

    #[test]
    fn what_is_no_escape_is_itself() {
        assert_eq!(read(r"\x"), [(b'\\', 1), (b'x', 1)]);
        assert_eq!(read(r"\u00"), [(b'\\', 1), (b'u', 1), (b'0', 1), (b'0', 1)]);
        assert_eq!(read("%4"), [(b'%', 1), (b'4', 1)]);
        assert_eq!(read("%25"), [(b'%', 3)]);
        assert_eq!(read("%zz"), [(b'%', 1), (b'z', 1), (b'z', 1)]);
        assert_eq!(read("\\"), [(b'\\', 1)]);
        assert_eq!(read("%"), [(b'%', 1)]);
        assert_eq!(
            read("&quot"),
            [(b'&', 1), (b'q', 1), (b'u', 1), (b'o', 1), (b't', 1)]
        );
        assert_eq!(
            read("&amp;"),
            [(b'&', 1), (b'a', 1), (b'm', 1), (b'p', 1), (b';', 1)]
        );
    }
}
