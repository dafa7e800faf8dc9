//! The secrets the settings hold, taken out by their value where answers leave: an upstream that
//! quotes what it was sent (a provider echoing the client secret in its refusal, a proxy
//! quoting a header) does not pass it on. The credential rules find secrets by their shape and
//! name; these are found by what they are, in the spellings an upstream writes them in.

use std::borrow::Cow;

use serde_json::Value;

use crate::settings::Settings;

/// The shortest secret taken out by its value: a shorter one would take ordinary words with it.
const OWN_SECRET_SHORTEST: usize = 6;

/// The secret values the settings hold ([`Settings::secret_values`]), in every spelling an
/// upstream quotes them in: as written, form-encoded (as sent to a token endpoint),
/// JSON-escaped, in hex, and in base64 of any text that holds them.
pub struct OwnSecrets {
    spellings: Vec<Spelling>,
    /// For each byte, the spellings that start with it ([`Self::spellings_held`]).
    starting_with: Vec<Vec<usize>>,
    /// Each secret as a pattern of what a text's escapes stand for ([`pattern_of`]): looked for
    /// there ([`read_through_breaks`]), and, for one holding a space, in the text as written
    /// with its line breaks (a passphrase wrapped at one of its spaces).
    plain: Vec<Vec<u8>>,
    /// Each secret's bytes as they are sent, to be found listed byte by byte with separators
    /// (a hex dump, a decimal byte array: [`Self::listed_hidden_in`]).
    sent: Vec<Vec<u8>>,
    /// What base64 of any text holding a secret holds ([`base64_cores`]): also looked for in
    /// base64 wrapped over lines, as MIME writes it.
    cores: Vec<Vec<u8>>,
}

/// Never says what they are.
impl std::fmt::Debug for OwnSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnSecrets")
    }
}

/// One way a secret is written, and what is hidden with it.
struct Spelling {
    text: String,
    /// Found in any ASCII case: an upstream that shouts what it was sent (`ADM1N-PW`), a store
    /// that folds case, still shows the secret.
    any_case: bool,
    /// The bytes of the word the spelling is part of, hidden with it: the base64 of a longer
    /// text holding the secret has characters that mix the secret's bits with its neighbours',
    /// so the whole base64 word goes.
    word: fn(u8) -> bool,
}

fn no_word(_: u8) -> bool {
    false
}

fn base64_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=')
}

fn hex_word(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

impl Spelling {
    /// Whether `text` holds this spelling at `at`.
    fn written_at(&self, text: &[u8], at: usize) -> bool {
        let spelled = self.text.as_bytes();
        let Some(here) = text.get(at..at + spelled.len()) else {
            return false;
        };
        if self.any_case {
            here.eq_ignore_ascii_case(spelled)
        } else {
            here == spelled
        }
    }
}

impl OwnSecrets {
    pub fn of(settings: &Settings) -> OwnSecrets {
        Self::of_values(settings.secret_values())
    }

    /// The secrets the settings hold less those `request` (the texts of what a caller sent)
    /// holds in a spelling [`Self::hidden_in`] finds: what a caller sent comes back in answers
    /// (an unknown tool's name, an app's name in Argo CD's refusal, the request's id), and
    /// taking a secret out of what the caller itself wrote would confirm its guess, an oracle
    /// for a password with no lockout behind it. A secret the caller sent is its own
    /// knowledge: left as sent, a right guess reads as a wrong one; every other secret is
    /// still taken out.
    pub fn unknown_to(settings: &Settings, request: &[&str]) -> OwnSecrets {
        let all = Self::of(settings);
        let holds = |secrets: &OwnSecrets| {
            request
                .iter()
                .any(|text| matches!(secrets.hidden_in(text), Cow::Owned(_)))
        };
        // Most requests hold none: one reading of each text with every secret decides it.
        if !holds(&all) {
            return all;
        }
        // Only a secret sent whole counts. One sent in pieces (its words anywhere, in any
        // order) would show any secret made of short words to a request holding them all, or
        // a passphrase to one holding a word list (review45); where this server joins what it
        // was sent, it quotes the pieces apart instead.
        let unknown = settings
            .secret_values()
            .into_iter()
            .filter(|secret| !holds(&Self::of_values(vec![secret])))
            .collect();
        Self::of_values(unknown)
    }

    fn of_values(secrets: Vec<&str>) -> OwnSecrets {
        let form = crate::identity::delegation::form_encode;
        let (mut spellings, mut plain, mut cores) = (Vec::new(), Vec::new(), Vec::new());
        let mut sent_bytes: Vec<Vec<u8>> = Vec::new();
        for secret in secrets {
            if secret.len() < OWN_SECRET_SHORTEST {
                continue;
            }
            if let Some(pattern) = pattern_of(secret) {
                plain.push(pattern);
            }
            let exact = |text: String| Spelling {
                text,
                any_case: false,
                word: no_word,
            };
            spellings.push(Spelling {
                any_case: true,
                ..exact(secret.to_owned())
            });
            // JSON-escaped as serde, Go (`\u0026` for `&`, `<`, `>`) and PHP (`\/`) write it,
            // and again for JSON text inside a JSON string, twice over.
            for (go, slash) in [(false, false), (true, false), (false, true), (true, true)] {
                let mut escaped = json_escaped(secret, go, slash);
                for _ in 0..3 {
                    // Nothing to escape: every depth writes it as it is (pushed once above).
                    if escaped == secret {
                        break;
                    }
                    spellings.push(exact(escaped.clone()));
                    escaped = json_escaped(&escaped, false, false);
                }
            }
            // In an HTML page (an error page quoting what it was sent): `&` and the characters
            // HTML escapes, as named, decimal and hex entities.
            if secret.contains(['&', '<', '>', '"', '\'']) {
                for (amp, lt, gt, quot, apos) in [
                    ("&amp;", "&lt;", "&gt;", "&quot;", "&#39;"),
                    ("&#38;", "&#60;", "&#62;", "&#34;", "&#39;"),
                    ("&#x26;", "&#x3c;", "&#x3e;", "&#x22;", "&#x27;"),
                ] {
                    let html = secret
                        .replace('&', amp)
                        .replace('<', lt)
                        .replace('>', gt)
                        .replace('"', quot)
                        .replace('\'', apos);
                    spellings.push(exact(html));
                }
            }
            // Base32 of it (TOTP seeds, DNS labels, some vaults' exports), upper or lower case.
            for text in base32_cores(secret.as_bytes()) {
                spellings.push(Spelling {
                    text,
                    any_case: true,
                    word: base64_word,
                });
            }
            // What an upstream encodes is what it was sent: the secret itself, or form-encoded
            // in a body (the client secret, also inside the pair a Basic header carries).
            // Windows writes text as UTF-16LE before encoding it (PowerShell's
            // `-EncodedCommand` is base64 of it), and dumps it so (`5a 00 71 00`); Java's and
            // .NET's "Unicode" big-endian dumps and encodings write UTF-16BE.
            let utf16le: Vec<u8> = secret.encode_utf16().flat_map(u16::to_le_bytes).collect();
            let utf16be: Vec<u8> = secret.encode_utf16().flat_map(u16::to_be_bytes).collect();
            for sent in [
                secret.as_bytes().to_vec(),
                form(secret).into_bytes(),
                utf16le,
                utf16be,
            ] {
                if !sent_bytes.contains(&sent) {
                    sent_bytes.push(sent.clone());
                }
                // Text is written as it is; UTF-16 only encoded.
                if let Some(text) = std::str::from_utf8(&sent)
                    .ok()
                    .filter(|t| !t.contains('\0'))
                {
                    spellings.push(exact(text.to_owned()));
                }
                let hex: String = sent
                    .iter()
                    .flat_map(|b| [b >> 4, b & 0xf])
                    .map(|digit| char::from(b"0123456789abcdef"[usize::from(digit)]))
                    .collect();
                spellings.push(Spelling {
                    text: hex.to_ascii_uppercase(),
                    any_case: false,
                    word: hex_word,
                });
                spellings.push(Spelling {
                    text: hex,
                    any_case: false,
                    word: hex_word,
                });
                for text in base64_cores(&sent) {
                    // Each once (not sorted: the standard sort for this type alone would cost
                    // the components kilobytes, issue 16).
                    if !cores.iter().any(|core: &Vec<u8>| core == text.as_bytes()) {
                        cores.push(text.as_bytes().to_vec());
                    }
                    spellings.push(Spelling {
                        text,
                        any_case: false,
                        word: base64_word,
                    });
                }
            }
        }
        // Longest first: a spelling inside another must not break the longer one before it is
        // found.
        crate::order::sort_rows_by(&mut spellings, |a, b| b.text.len().cmp(&a.text.len()));
        // One of each text, found in any case if one of its kind is.
        spellings.dedup_by(|later, kept| {
            let same = later.text == kept.text;
            kept.any_case |= same && later.any_case;
            same
        });
        let mut starting_with = vec![Vec::new(); 256];
        for (k, spelling) in spellings.iter().enumerate() {
            if let Some(first) = spelling.text.bytes().next() {
                let cased = [first.to_ascii_lowercase(), first.to_ascii_uppercase()];
                let firsts = if spelling.any_case {
                    &cased[..]
                } else {
                    &[first][..]
                };
                for first in firsts {
                    let list: &mut Vec<usize> = &mut starting_with[usize::from(*first)];
                    if list.last() != Some(&k) {
                        list.push(k);
                    }
                }
            }
        }
        OwnSecrets {
            spellings,
            starting_with,
            plain,
            sent: sent_bytes,
            cores,
        }
    }

    /// `text` without any of the secrets: their spellings, then what its escapes stand for.
    pub fn hidden_in<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let then = |text: Cow<'t, str>, pass: &dyn Fn(&str) -> Option<String>| match text {
            Cow::Borrowed(text) => pass(text).map_or(Cow::Borrowed(text), Cow::Owned),
            Cow::Owned(out) => Cow::Owned(pass(&out).unwrap_or(out)),
        };
        let text = self.spellings_hidden_in(text);
        let owned = |cow: Cow<'_, str>| match cow {
            Cow::Owned(clean) => Some(clean),
            Cow::Borrowed(_) => None,
        };
        let text = then(text, &|text| owned(self.escaped_hidden_in(text)));
        let text = then(text, &|text| self.listed_hidden_in(text, Radix::Hex));
        let text = then(text, &|text| self.listed_hidden_in(text, Radix::Octal));
        then(text, &|text| self.listed_hidden_in(text, Radix::Decimal))
    }

    /// `text` without the secrets written byte by byte with a separator between bytes: in hex
    /// as hex dumps write them (`70 61 73`, `70:61:73`, `7061 7373`, `hexdump -C`'s two spaces
    /// after the eighth byte, `0x70, 0x61` of a C array), and across a dump's line break
    /// ([`hex_line_skipped`]); in decimal as a list of numbers (`[112 97 115]` as Go prints a
    /// `[]byte`, `[112, 97, 115]` as Java's `Arrays.toString`). Each byte of the secret in
    /// order, hex in either case. None when there is none.
    fn listed_hidden_in(&self, text: &str, radix: Radix) -> Option<String> {
        let bytes = text.as_bytes();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for secret in &self.sent {
            let Some(&first) = secret.first() else {
                continue;
            };
            // Each byte takes at least one digit and a separator, or two digits.
            if bytes.len() + 1 < 2 * secret.len() || !radix.may_hold(text, first) {
                continue;
            }
            let mut at = 0;
            while at < bytes.len() {
                // Only where the first byte's first digit is written can its number start.
                if !radix.may_start(bytes[at], first) {
                    at += 1;
                    continue;
                }
                let Some((_, first_end)) = radix.byte_at(bytes, at).filter(|(b, _)| *b == first)
                else {
                    at += 1;
                    continue;
                };
                let (mut end, mut separated) = (first_end, false);
                let mut matched = true;
                for &byte in &secret[1..] {
                    let read = |from: usize| {
                        radix
                            .byte_at(bytes, from)
                            .filter(|(b, _)| *b == byte)
                            .map(|(_, to)| (from, to))
                    };
                    // Between bytes: a few separators (`, `, spaces, a tab, `:`, `-`, `.`, `_`,
                    // a line break of a C array, the backslash of an octal escape `\132\161`),
                    // then `0x` where each byte has it (`xxd -i`).
                    let mut gap = bytes[end.min(bytes.len())..]
                        .iter()
                        .take(4)
                        .take_while(|b| {
                            matches!(
                                b,
                                b' ' | b'\t'
                                    | b','
                                    | b':'
                                    | b'-'
                                    | b'.'
                                    | b'_'
                                    | b'\n'
                                    | b'\r'
                                    | b'\\'
                            )
                        })
                        .count();
                    if radix == Radix::Hex
                        && matches!(
                            bytes.get(end + gap..end + gap + 2),
                            Some([b'0', b'x' | b'X'])
                        )
                    {
                        gap += 2;
                    }
                    let next = read(end + gap).or_else(|| match radix {
                        Radix::Hex => hex_line_skipped(bytes, end).and_then(read),
                        Radix::Decimal | Radix::Octal => None,
                    });
                    let Some((next, next_end)) = next else {
                        matched = false;
                        break;
                    };
                    separated |= next > end;
                    end = next_end;
                }
                // Without any separator it is a spelling ([`Self::spellings_hidden_in`]).
                if matched && separated {
                    // The first byte's `0x` goes with it, as the others' do.
                    let prefixed = radix == Radix::Hex
                        && at >= 2
                        && matches!(&bytes[at - 2..at], [b'0', b'x' | b'X']);
                    spans.push((if prefixed { at - 2 } else { at }, end));
                    at = end;
                } else {
                    at += 1;
                }
            }
        }
        masked(text, spans)
    }

    /// `text` without the secrets written in escapes, at any depth of quoting or mixed
    /// (`\u0026` for `&`, `\/`, `%2F`, a quote escaped twice in JSON text inside a JSON
    /// string): each found in what the escapes stand for, and its escapes hidden.
    fn escaped_hidden_in<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let escapes = text.bytes().any(|b| matches!(b, b'\\' | b'%' | b'&'));
        let has = |set: &[u8]| !self.cores.is_empty() && text.bytes().any(|b| set.contains(&b));
        let broken = has(b"\n\r");
        // A passphrase is found across a tab, two spaces or a line break where it has a space.
        let spaced = self.plain.iter().any(|pattern| pattern.contains(&SPACES));
        let gapped = spaced && (broken || text.contains('\t') || text.contains("  "));
        // Plain secrets are read through escapes (and bare line breaks, as before base64 was
        // read across spaces); base64 also across indentation and spaces.
        let plain = !self.plain.is_empty() && (escapes || broken || gapped);
        let cores = !self.cores.is_empty() && (escapes || broken || has(b" \t"));
        if !(plain || cores) {
            return Cow::Borrowed(text);
        }
        let units = units_of(text.as_bytes());
        let mut spans: Vec<(usize, usize)> = Vec::new();
        if plain {
            // A reading of its own, keeping spaces: a secret holding one (escaped) is found.
            let reading = read_through_breaks(&units, false);
            let (read, from) = &*reading;
            for secret in &self.plain {
                look_for(read, from, secret, no_word, &mut spans);
            }
            // Wrapped at one of its spaces: the line break (written or escaped) read as the
            // space it stands for, which the reading above takes for a word cut where wrapped.
            if spaced {
                for secret in self.plain.iter().filter(|p| p.contains(&SPACES)) {
                    look_for(&units.0, &units.1, secret, no_word, &mut spans);
                }
            }
        }
        if cores {
            let reading = read_through_breaks(&units, true);
            let (read, from) = &*reading;
            for core in &self.cores {
                look_for(read, from, core, base64_word, &mut spans);
            }
        }
        masked(text, spans).map_or(Cow::Borrowed(text), Cow::Owned)
    }

    /// Which of the spellings `text` holds, found in one reading of it: most texts hold none,
    /// and one search for each spelling would read them once a spelling.
    fn spellings_held(&self, text: &[u8]) -> Vec<bool> {
        let mut held = vec![false; self.spellings.len()];
        for (at, byte) in text.iter().enumerate() {
            for &k in &self.starting_with[usize::from(*byte)] {
                held[k] |= self.spellings[k].written_at(text, at);
            }
        }
        held
    }

    /// `text` without any spelling of the secrets.
    fn spellings_hidden_in<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let held = self.spellings_held(text.as_bytes());
        let mut out = Cow::Borrowed(text);
        for (spelling, held) in self.spellings.iter().zip(held) {
            // A mask written for a longer one may make a new one: the changed text is searched.
            let may_hold = held || matches!(out, Cow::Owned(_));
            if !may_hold {
                continue;
            }
            let bytes = out.as_bytes();
            let places: Vec<usize> = (0..bytes.len())
                .filter(|&at| spelling.written_at(bytes, at))
                .collect();
            if places.is_empty() {
                continue;
            }
            let (mut clean, mut kept) = (String::with_capacity(out.len()), 0);
            for at in places {
                if at < kept {
                    continue;
                }
                // The word around it, over ASCII bytes only: every end is a character boundary.
                let mut start = at;
                while start > kept && (spelling.word)(bytes[start - 1]) {
                    start -= 1;
                }
                let mut end = at + spelling.text.len();
                while end < bytes.len() && (spelling.word)(bytes[end]) {
                    end += 1;
                }
                clean.push_str(&out[kept..start]);
                clean.push_str(crate::tools::masking::MASK);
                kept = end;
            }
            clean.push_str(&out[kept..]);
            out = Cow::Owned(clean);
        }
        out
    }

    /// Every string of a JSON value, object keys included, without the secrets.
    pub fn hide_in(&self, value: &mut Value) {
        if self.spellings.is_empty() {
            return;
        }
        match value {
            Value::String(text) => {
                if let Cow::Owned(clean) = self.hidden_in(text) {
                    *text = clean;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.hide_in(v)),
            Value::Object(map) => {
                if map
                    .keys()
                    .any(|key| matches!(self.hidden_in(key), Cow::Owned(_)))
                {
                    for (key, mut inner) in std::mem::take(map) {
                        self.hide_in(&mut inner);
                        map.insert(self.hidden_in(&key).into_owned(), inner);
                    }
                } else {
                    map.values_mut().for_each(|v| self.hide_in(v));
                }
            }
            _ => {}
        }
    }
}

/// Every place `needle` occurs in `read` (a reading of `text`, [`read_through_breaks`]), as
/// where in `text` it and the word around it were written. Across a space skipped in the reading
/// the word goes on only into a piece as long as the one beside it (the lines of wrapped base64
/// have one length, the last one shorter and padded): the words of the text around are kept.
fn look_for(
    read: &[u8],
    from: &[(usize, usize)],
    needle: &[u8],
    word: fn(u8) -> bool,
    spans: &mut Vec<(usize, usize)>,
) {
    // A space skipped before unit `i` (not a bare line break, which wraps one word as written).
    let spaced = |i: usize| from[i - 1].1 < from[i].0;
    // The units of the piece from `i` on (`forward`) or before `i`, to a non-word or a space.
    let piece = |i: usize, forward: bool| {
        let mut n = 0;
        while forward && i + n < read.len() && word(read[i + n]) && (n == 0 || !spaced(i + n)) {
            n += 1;
        }
        while !forward && n < i && word(read[i - n - 1]) && (n == 0 || !spaced(i - n)) {
            n += 1;
        }
        n
    };
    let (mut at, mut floor) = (0, 0);
    while let Some((found, found_end)) = find_pattern(read, at, needle) {
        let (mut start, mut end) = (found, found_end);
        while start > floor
            && word(read[start - 1])
            && (!spaced(start) || piece(start, false) == piece(start, true))
        {
            start -= 1;
        }
        while end < read.len()
            && word(read[end])
            && (!spaced(end) || {
                let (before, after) = (piece(end, false), piece(end, true));
                after == before || after < before && read[end + after - 1] == b'='
            })
        {
            end += 1;
        }
        spans.push((from[start].0, from[end - 1].1));
        (at, floor) = (end, end);
    }
}

/// How a list of a secret's bytes writes each byte ([`OwnSecrets::listed_hidden_in`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Radix {
    /// Two hex digits, in either case.
    Hex,
    /// A whole number of one to three decimal digits, as a list of numbers writes a byte.
    Decimal,
    /// Three octal digits, as `od -b` lists a byte and an escape writes it (`\132`: bash's
    /// `$'…'`, `printf`, PostgreSQL's bytea escape format).
    Octal,
}

impl Radix {
    /// The byte written at `at` and where it ends: two hex digits, or a decimal number not
    /// part of a longer one (`65` is no byte inside `1650`).
    fn byte_at(self, bytes: &[u8], at: usize) -> Option<(u8, usize)> {
        match self {
            Radix::Hex => {
                let digit = |b: u8| (b as char).to_digit(16);
                let high = digit(*bytes.get(at)?)?;
                let low = digit(*bytes.get(at + 1)?)?;
                Some((u8::try_from(high * 16 + low).ok()?, at + 2))
            }
            Radix::Decimal => {
                if at > 0 && bytes[at - 1].is_ascii_digit() {
                    return None;
                }
                let digits = bytes.get(at..)?;
                let len = digits
                    .iter()
                    .take(4)
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let number = std::str::from_utf8(&digits[..len]).ok()?;
                let byte = (1..=3).contains(&len).then(|| number.parse().ok())??;
                Some((byte, at + len))
            }
            Radix::Octal => {
                if at > 0 && bytes[at - 1].is_ascii_digit() {
                    return None;
                }
                let digits = bytes.get(at..at + 3)?;
                let octal = |b: &u8| (b'0'..=b'7').contains(b);
                if !digits.iter().all(octal) || bytes.get(at + 3).is_some_and(u8::is_ascii_digit) {
                    return None;
                }
                let number = digits.iter().fold(0u32, |n, d| n * 8 + u32::from(d - b'0'));
                Some((u8::try_from(number).ok()?, at + 3))
            }
        }
    }

    /// Whether the number of `byte` may start with the character `at` ([`Self::byte_at`]): the
    /// high digit in hex (either case), the first of three in octal, any digit in decimal
    /// (`012` is 12). A quick test before a number is read at every place.
    fn may_start(self, at: u8, byte: u8) -> bool {
        match self {
            Radix::Hex => {
                let high = b"0123456789abcdef"[usize::from(byte >> 4)];
                at.to_ascii_lowercase() == high
            }
            Radix::Octal => at == b'0' + (byte >> 6),
            Radix::Decimal => at.is_ascii_digit(),
        }
    }

    /// Whether `text` may hold a list starting with `first`. Digits are in most texts (times,
    /// counts, versions): a decimal list is read further only in a text holding the first
    /// byte's number.
    fn may_hold(self, text: &str, first: u8) -> bool {
        match self {
            Radix::Hex => true,
            Radix::Decimal => text.contains(first.to_string().as_str()),
            Radix::Octal => text.contains(format!("{first:03o}").as_str()),
        }
    }
}

/// The longest rest of a hex dump's line skipped after its last pair: its text column
/// (16 characters in `xxd`, `hexdump -C` and Go's `hex.Dump`), with room for wider dumps.
const HEX_LINE_REST: usize = 80;
/// The longest offset a hex dump starts its line with (`xxd` and `hexdump` write 8 digits,
/// `od` 7; 16 for 64-bit offsets), and the shortest (`tcpdump -X` and Wireshark write 4).
const HEX_OFFSET: std::ops::RangeInclusive<usize> = 4..=16;
/// Offsets shorter than this are told from a group of the hex itself (`7061 7373`, one space
/// after it) by a mark: `0x` before (`tcpdump -X`'s `0x0010:`), a colon or two spaces after
/// (Wireshark's `0010  `).
const HEX_OFFSET_UNMARKED: usize = 6;
/// The most blanks before a dump line's offset (`tcpdump -X` indents with a tab) and after it.
const HEX_OFFSET_BLANKS: usize = 4;

/// Where a hex dump's next line goes on with its pairs, when the pair ending at `end` is the
/// last of its line: past the rest of the line (nothing, or the text column after two spaces,
/// at most [`HEX_LINE_REST`] bytes), the line break, and the next line's offset (`00000010: `,
/// `00000010  `, `\t0x0010:  `, `0010  `) with the blanks around it. Bounded: at most some
/// hundred bytes are read.
fn hex_line_skipped(bytes: &[u8], end: usize) -> Option<usize> {
    let rest = bytes.get(end..)?;
    let line_end = rest
        .iter()
        .take(HEX_LINE_REST + 1)
        .position(|b| *b == b'\n')?;
    let column = rest[..line_end]
        .strip_suffix(b"\r")
        .unwrap_or(&rest[..line_end]);
    if !(column.is_empty() || column.starts_with(b"  ")) {
        return None;
    }
    let line = end + line_end + 1;
    let blanks = |from: usize, blank: fn(&u8) -> bool| {
        bytes[from..]
            .iter()
            .take(HEX_OFFSET_BLANKS)
            .take_while(|b| blank(b))
            .count()
    };
    let mut offset = line + blanks(line, |b| matches!(b, b' ' | b'\t'));
    let prefixed = matches!(bytes.get(offset..offset + 2), Some([b'0', b'x' | b'X']));
    offset += 2 * usize::from(prefixed);
    let digits = bytes[offset..]
        .iter()
        .take(HEX_OFFSET.end() + 1)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    offset += digits;
    let colon = bytes.get(offset) == Some(&b':');
    offset += usize::from(colon);
    let spaces = blanks(offset, |b| *b == b' ');
    let marked = digits >= HEX_OFFSET_UNMARKED || prefixed || colon || spaces >= 2;
    if HEX_OFFSET.contains(&digits) && spaces > 0 && marked {
        return Some(offset + spaces);
    }
    // No offset: plain hex wrapped, maybe indented.
    Some(line + blanks(line, |b| *b == b' ').min(2))
}

/// A reading of a text: the units it stands for, and where in the text each was written.
type Reading = (Vec<u8>, Vec<(usize, usize)>);

/// What `text` stands for with its escapes read ([`units_of`]), and where in `text` each byte
/// of that reading was written. Line breaks between base64 characters are left out of the
/// reading, so base64 wrapped over lines (MIME's 76 characters a line) reads as one word; with
/// `spaced`, also line breaks with the indentation after them (a YAML block scalar) and one
/// space or tab (a log flattened to one line) between base64 characters. Spaces skipped leave a
/// gap in where the units were written ([`look_for`] reads words across it by their lengths);
/// a bare line break leaves none.
fn read_through_breaks(units: &Reading, spaced: bool) -> Cow<'_, Reading> {
    let is_break = |b: u8| matches!(b, b'\n' | b'\r');
    let is_space = |b: u8| matches!(b, b' ' | b'\t');
    let (read, from) = units;
    // Without a break (or a space, when spaces are read through) nothing is left out.
    if !read.iter().any(|b| is_break(*b) || spaced && is_space(*b)) {
        return Cow::Borrowed(units);
    }
    let mut kept = (
        Vec::with_capacity(read.len()),
        Vec::with_capacity(read.len()),
    );
    let mut at = 0;
    while at < read.len() {
        if at > 0 && base64_word(read[at - 1]) {
            // A quoted-printable soft line break (`=` ending a line) is no character either.
            let soft =
                usize::from(read[at] == b'=' && read.get(at + 1).is_some_and(|b| is_break(*b)));
            let breaks = soft
                + read[at + soft..]
                    .iter()
                    .take_while(|b| is_break(**b))
                    .count();
            let spaces = match (spaced, breaks) {
                (false, _) => 0,
                (true, 0) => usize::from(read.get(at).is_some_and(|b| is_space(*b))),
                (true, _) => read[at + breaks..]
                    .iter()
                    .take_while(|b| is_space(**b))
                    .count(),
            };
            let run = breaks + spaces;
            if run > 0 && read.get(at + run).is_some_and(|b| base64_word(*b)) {
                // After a bare break the next unit is written from the break on, so the word
                // reads as unbroken; after spaces it is written after a gap.
                let written_from = if spaces > 0 {
                    from[at + run].0
                } else {
                    from[at].0
                };
                at += run;
                kept.0.push(read[at]);
                kept.1.push((written_from, from[at].1));
                at += 1;
                continue;
            }
        }
        kept.0.push(read[at]);
        kept.1.push(from[at]);
        at += 1;
    }
    Cow::Owned(kept)
}

/// What `text` stands for, one byte a unit ([`super::reading::unit`]: JSON at any depth of
/// quoting, percent-encoding, HTML's quotes), and where each unit was written. A backslash
/// written at a depth of quoting (2, 4, 8 … of them with no escape after) reads as one.
fn units_of(text: &[u8]) -> Reading {
    let (mut read, mut from) = (
        Vec::with_capacity(text.len()),
        Vec::with_capacity(text.len()),
    );
    let mut at = 0;
    while at < text.len() {
        // Only a backslash, `%` or `&` starts an escape: every other byte is itself.
        if !matches!(text[at], b'\\' | b'%' | b'&') {
            read.push(if text[at].is_ascii() {
                text[at]
            } else {
                super::reading::OTHER
            });
            from.push((at, at + 1));
            at += 1;
            continue;
        }
        let run = if text[at] == b'\\' {
            text[at..]
                .iter()
                .take(super::reading::RUN_MOST + 1)
                .take_while(|b| **b == b'\\')
                .count()
        } else {
            0
        };
        let unit = super::reading::unit(text, at);
        let len = if run >= 2 && run.is_power_of_two() && !unit.escaped {
            read.push(b'\\');
            run
        } else if let Some((ch, len)) = (text[at] == b'&' && !unit.escaped)
            .then(|| html_entity(&text[at..]))
            .flatten()
        {
            read.push(ch);
            len
        } else {
            read.push(unit.ch);
            unit.len
        };
        from.push((at, at + len));
        at += len;
    }
    (read, from)
}

/// HTML5's named character references for ASCII characters (`&plus;`, `&equals;`, `&sol;`, as
/// PHP's `htmlentities(…, ENT_HTML5)` writes them): each name (letters, case as written) then
/// its character, which is no letter. One string: a table of pairs would cost the components
/// more.
const ASCII_ENTITIES: &[u8] = b"Tab\tNewLine\nexcl!quot\"QUOT\"num#dollar$percnt%amp&AMP&apos'\
lpar(rpar)ast*midast*plus+comma,period.sol/colon:semi;lt<LT<equals=gt>GT>quest?commat@\
lsqb[lbrack[bsol\\rsqb]rbrack]Hat^lowbar_UnderBar_grave`DiacriticalGrave`lcub{lbrace{\
verbar|vert|VerticalLine|rcub}rbrace}";

/// The ASCII character the named entity `name` stands for ([`ASCII_ENTITIES`]).
fn ascii_entity(name: &[u8]) -> Option<u8> {
    let mut at = 0;
    while at < ASCII_ENTITIES.len() {
        let len = ASCII_ENTITIES[at..]
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        let ch = *ASCII_ENTITIES.get(at + len)?;
        if &ASCII_ENTITIES[at..at + len] == name {
            return Some(ch);
        }
        at += len + 1;
    }
    None
}

/// What the HTML entity `text` starts with stands for, and its length: a numeric one (`&#43;`,
/// `&#x2B;`, as Go's `html/template` writes `+` and `=`) as its character ([`OTHER`] past
/// ASCII), a named one as its character for those of ASCII ([`ASCII_ENTITIES`]) and as
/// [`OTHER`] for the rest (`&auml;`, `&nbsp;`: named entities beyond these are past ASCII).
///
/// [`OTHER`]: super::reading::OTHER
fn html_entity(text: &[u8]) -> Option<(u8, usize)> {
    // `&DiacriticalGrave;`, the longest name of an ASCII character.
    const LONGEST: usize = 18;
    let end = text.iter().take(LONGEST).position(|b| *b == b';')?;
    let body = std::str::from_utf8(&text[1..end]).ok()?;
    let other = super::reading::OTHER;
    let ch = if let Some(number) = body.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse::<u32>().ok()?,
        };
        u8::try_from(code)
            .ok()
            .filter(u8::is_ascii)
            .unwrap_or(other)
    } else if !body.is_empty() && body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        ascii_entity(body.as_bytes()).unwrap_or(other)
    } else {
        return None;
    };
    Some((ch, end + 1))
}

/// `text` as the inside of a JSON string: quotes, backslashes and control characters escaped;
/// with `go`, also `&`, `<` and `>` as Go's encoder writes them; with `slash`, `/` as `\/`.
fn json_escaped(text: &str, go: bool, slash: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '/' if slash => out.push_str("\\/"),
            '&' | '<' | '>' if go => out.push_str(&format!("\\u{:04x}", u32::from(ch))),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// `text` with each of `spans` (byte ranges, in any order, overlapping or not) masked, widened
/// to whole characters; None when there is none.
fn masked(text: &str, mut spans: Vec<(usize, usize)>) -> Option<String> {
    if spans.is_empty() {
        return None;
    }
    crate::order::sort_rows_by(&mut spans, |a, b| a.cmp(b));
    let (mut out, mut kept) = (String::with_capacity(text.len()), 0);
    for (start, end) in spans {
        if end <= kept {
            continue;
        }
        // Units are ASCII escapes or whole bytes of a character: widen to whole characters.
        let mut start = start.max(kept);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = end.min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        out.push_str(&text[kept..start]);
        out.push_str(crate::tools::masking::MASK);
        kept = end;
    }
    out.push_str(&text[kept..]);
    Some(out)
}

/// In a pattern ([`pattern_of`]): one or more units that are no ASCII character.
const OTHERS: u8 = super::reading::OTHER;
/// In a pattern: one or more spaces, tabs or line breaks.
const SPACES: u8 = 0x81;

/// `secret` as it is looked for in what a text's escapes stand for: its ASCII characters as
/// they are, each run of other characters as [`OTHERS`] (however an upstream escapes them:
/// `\u00e4`, `&auml;`, `&#228;`, `%C3%A4`) and each run of spaces as [`SPACES`]. None for a
/// secret with fewer than [`OWN_SECRET_SHORTEST`] ASCII characters apart from spaces: the
/// pattern would match too much that is not it.
fn pattern_of(secret: &str) -> Option<Vec<u8>> {
    let mut pattern: Vec<u8> = Vec::with_capacity(secret.len());
    let mut known = 0;
    for b in secret.bytes() {
        let unit = match b {
            b' ' | b'\t' | b'\n' | b'\r' => SPACES,
            b if b.is_ascii() => {
                known += 1;
                b
            }
            _ => OTHERS,
        };
        if !(matches!(unit, OTHERS | SPACES) && pattern.last() == Some(&unit)) {
            pattern.push(unit);
        }
    }
    (known >= OWN_SECRET_SHORTEST).then_some(pattern)
}

/// Where `pattern` ([`pattern_of`]) first matches `read` from `at` on: its start and end. A run
/// marker takes the whole run it meets (what follows it in the pattern is no unit of the run),
/// so each place is judged in one pass.
fn find_pattern(read: &[u8], at: usize, pattern: &[u8]) -> Option<(usize, usize)> {
    if !pattern.iter().any(|b| matches!(*b, OTHERS | SPACES)) {
        return find(&read[at..], pattern).map(|found| (at + found, at + found + pattern.len()));
    }
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let fits = |marker: u8, b: u8| match marker {
        OTHERS => b == OTHERS,
        SPACES => is_space(b),
        _ => b == marker,
    };
    let first = *pattern.first()?;
    for start in at..read.len() {
        // A run starts the match only at its start.
        if !fits(first, read[start])
            || (matches!(first, OTHERS | SPACES) && start > at && fits(first, read[start - 1]))
        {
            continue;
        }
        let mut end = start;
        let whole = pattern.iter().all(|&unit| {
            if !read.get(end).is_some_and(|b| fits(unit, *b)) {
                return false;
            }
            end += 1;
            while matches!(unit, OTHERS | SPACES) && read.get(end).is_some_and(|b| fits(unit, *b)) {
                end += 1;
            }
            true
        });
        if whole {
            return Some((start, end));
        }
    }
    None
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = haystack.len().checked_sub(needle.len())?;
    // The first byte alone rules out almost every place: compared before the rest. (A plain
    // loop: the size profile keeps an iterator's closure out of line, a call a byte.)
    let mut at = 0;
    while at <= last_start {
        if haystack[at] == first && haystack[at + 1..at + needle.len()] == *rest {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// What base64 of any text holding `secret` holds, whatever stands around it: base64 writes six
/// bits a character, so the secret starts 0, 8 or 16 bits into a character group of 24, and
/// only the characters whose six bits all fall inside the secret are the same in every text
/// (in the standard and the URL-safe alphabet).
fn base64_cores(secret: &[u8]) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let mut cores = Vec::new();
    for offset in 0..3 {
        let mut text = vec![0; offset];
        text.extend_from_slice(secret);
        let (first_bit, end_bit) = (8 * offset, 8 * (offset + secret.len()));
        // Characters whose bits [6c, 6c + 6) lie within [first_bit, end_bit).
        let first = first_bit.div_ceil(6);
        let end = end_bit / 6;
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let encoded = engine.encode(&text);
            if let Some(core) = encoded.get(first..end) {
                cores.push(core.to_owned());
            }
        }
    }
    cores
}

/// What RFC 4648 base32 of any text holding `secret` holds, in upper case (the alphabet's own;
/// [`Spelling::any_case`] finds lower case too): the characters whose five bits all come from
/// the secret, for each of the five places it can start in a group of five bytes.
fn base32_cores(secret: &[u8]) -> Vec<String> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut cores = Vec::new();
    for offset in 0..5 {
        let (first_bit, end_bit) = (8 * offset, 8 * (offset + secret.len()));
        let bit = |at: usize| {
            let byte = at / 8;
            byte >= offset && (secret[byte - offset] >> (7 - at % 8)) & 1 == 1
        };
        let core: String = (first_bit.div_ceil(5)..end_bit / 5)
            .map(|c| {
                let value = (0..5).fold(0, |v, k| (v << 1) | usize::from(bit(5 * c + k)));
                char::from(ALPHABET[value])
            })
            .collect();
        cores.push(core);
    }
    cores
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The thirty-third review (S1, S2): the secret as UTF-16BE (hex and base64, Java's and
    /// .NET's big-endian "Unicode"), in base32 at any of the five places in a group, and in
    /// another ASCII case; ordinary text beside it stays.
    #[test]
    fn big_endian_base32_and_shouted_spellings_are_taken_out() {
        use base64::Engine;
        let secret = "Adm1n-s3cret-pw";
        let mut settings = crate::testing::login_settings();
        settings.mcp_auth_token = Some(crate::settings::Secret::new(secret));
        let secrets = OwnSecrets::of(&settings);
        let utf16be: Vec<u8> = secret.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let hex: String = utf16be.iter().map(|b| format!("{b:02x}")).collect();
        let base64 = base64::engine::general_purpose::STANDARD.encode(&utf16be);
        let mut shown = vec![
            format!("dump {hex} end"),
            format!("dump {} end", hex.to_ascii_uppercase()),
            format!("b64 {base64} end"),
            format!("LOGIN FAILED FOR {} end", secret.to_ascii_uppercase()),
            format!("login failed for {} end", secret.to_ascii_lowercase()),
        ];
        for prefix in ["", "a", "ab", "abc", "abcd", "user=admin&pw="] {
            let text = format!("{prefix}{secret}!");
            let base32 = base32_of(text.as_bytes());
            shown.push(format!("seed {base32} end"));
            shown.push(format!("seed {} end", base32.to_ascii_lowercase()));
        }
        for text in shown {
            let clean = secrets.hidden_in(&text);
            assert!(clean.starts_with(&text[..4]), "{text} → {clean}");
            assert!(clean.ends_with(" end"), "{text} → {clean}");
            assert!(clean.contains("***"), "{text} → {clean}");
            let core = &text[5..text.len() - 4];
            assert!(!clean.contains(core), "{text} → {clean}");
        }
        // Base32 of other text, and the secret's words apart, are not it.
        for kept in [
            format!("seed {} end", base32_of(b"an ordinary seed value")),
            "adm1n and s3cret and pw".to_owned(),
        ] {
            assert_eq!(secrets.hidden_in(&kept), kept);
        }
    }

    /// RFC 4648 base32 with padding, written out bit by bit (the test's own encoder).
    fn base32_of(bytes: &[u8]) -> String {
        let bits: Vec<u8> = bytes
            .iter()
            .flat_map(|b| (0..8).rev().map(move |k| (b >> k) & 1))
            .collect();
        let mut out: String = bits
            .chunks(5)
            .map(|chunk| {
                let value = (0..5).fold(0usize, |v, k| {
                    (v << 1) | usize::from(*chunk.get(k).unwrap_or(&0))
                });
                char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[value])
            })
            .collect();
        while !out.len().is_multiple_of(8) {
            out.push('=');
        }
        out
    }

    /// The eighteenth review (S1): what an upstream quotes of the secrets the settings hold
    /// (the client secret a provider echoes, as sent or form-encoded) is taken out of answers.
    #[test]
    fn a_secret_the_caller_sent_is_left_as_sent_and_no_other() {
        use base64::Engine;
        let mut settings = crate::testing::login_settings();
        settings.mcp_auth_token = Some(crate::settings::Secret::new("Mcp-T0ken+x/y"));
        let quoted = "upstream said pw-never-shown and Mcp-T0ken+x/y";
        let shown = |request: &[&str]| {
            OwnSecrets::unknown_to(&settings, request)
                .hidden_in(quoted)
                .into_owned()
        };
        // Nothing sent: both taken out.
        assert_eq!(shown(&["{\"id\":1}"]), "upstream said *** and ***");
        // The password sent in any spelling this reads (shouted, escaped, in base64 of a
        // longer text): left as sent; the bearer still taken out.
        let base64 = base64::engine::general_purpose::STANDARD.encode("x:pw-never-shown");
        for sent in [
            "{\"name\":\"pw-never-shown\"}",
            "PW-NEVER-SHOWN",
            "pw-never\\u002dshown",
            "pw-never%2Dshown",
            base64.as_str(),
        ] {
            assert_eq!(
                shown(&["{}", sent]),
                "upstream said pw-never-shown and ***",
                "{sent}"
            );
        }
        // A part of it, or a wrong guess, unmasks nothing.
        for sent in ["pw-never", "pw-never-showX", "never-shown"] {
            let guessed = shown(&[sent]);
            assert!(!guessed.contains("never-shown"), "{sent}: {guessed}");
        }
        assert_eq!(shown(&["pw-never-shown Mcp-T0ken+x/y"]), quoted);
        // Review45: sent in pieces (every word, in any order, as separate strings), it is not
        // sent whole: taken out.
        for sent in [
            "pwd nevermore shownup",
            "pw never",
            "{\"kind\":\"PW never\",\"name\":\"shown\"}",
            "shown never pw",
        ] {
            assert_eq!(shown(&[sent]), "upstream said *** and ***", "{sent}");
        }
    }

    #[test]
    fn the_settings_own_secrets_are_taken_out_by_value() {
        let mut settings = crate::testing::login_settings();
        settings.mcp_auth_token = Some(crate::settings::Secret::new("Mcp-T0ken+x/y"));
        settings.extra_headers = vec![("X-Key".into(), crate::settings::Secret::new("hdr"))];
        let secrets = OwnSecrets::of(&settings);
        let mut answer = json!({
            "error": "client argocd-mcp:pw-never-shown may not exchange tokens",
            "echo": "client_secret=Mcp-T0ken%2Bx%2Fy&grant_type=x",
            "pw-never-shown": ["Mcp-T0ken+x/y"],
            "short": "hdr stays: too short to take out by value"
        });
        secrets.hide_in(&mut answer);
        let text = answer.to_string();
        assert!(!text.contains("pw-never-shown"), "{text}");
        assert!(!text.contains("Mcp-T0ken"), "{text}");
        assert!(text.contains("hdr stays"), "{text}");
        assert_eq!(
            secrets.hidden_in("refused (secret pw-never-shown)"),
            "refused (secret ***)"
        );
        // The nineteenth review (B1): the client credentials in base64, as a Basic header
        // carries them, and a secret JSON-escaped or in base64 alone.
        use base64::Engine;
        let secret = "Cl1ent \"s3cret\"";
        settings.user_mode = Some(crate::settings::UserMode {
            issuer: "https://idp.test".into(),
            resource: "https://mcp.test/mcp".into(),
            audience: "argocd-mcp".into(),
            client_id: "argocd-mcp".into(),
            client_secret: Some(crate::settings::Secret::new(secret)),
            argocd_client_id: "argo-cd".into(),
            scopes: Vec::new(),
            delegation: crate::settings::Delegation::Exchange,
        });
        let secrets = OwnSecrets::of(&settings);
        let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
        for echoed in [
            format!(
                "client credentials {} refused",
                b64(&format!("argocd-mcp:{secret}"))
            ),
            format!(
                "client credentials {} refused",
                b64("argocd-mcp:Cl1ent+%22s3cret%22")
            ),
            format!("{{\"secret\": {}}}", Value::String(secret.into())),
            format!("secret {} refused", b64(secret)),
        ] {
            let clean = secrets.hidden_in(&echoed);
            assert!(clean.contains("***"), "{echoed} → {clean}");
            assert!(!clean.contains("s3cret"), "{echoed} → {clean}");
        }
    }

    /// The twenty-ninth review (O2): a secret as octal escapes, as `od -b` lists its bytes, or
    /// broken by a quoted-printable soft line break; other octal numbers and `=` stay.
    #[test]
    fn a_secret_in_octal_escapes_or_bytes_is_taken_out() {
        let mut settings = crate::testing::login_settings();
        let secret = "Zq9R29hunterPw";
        settings.mcp_auth_token = Some(crate::settings::Secret::new(secret));
        let secrets = OwnSecrets::of(&settings);
        for separator in ["\\", " ", "\\\\"] {
            let listed: Vec<String> = secret.bytes().map(|b| format!("{b:03o}")).collect();
            let echoed = format!("x {}{} refused", separator.trim(), listed.join(separator));
            let clean = secrets.hidden_in(&echoed);
            assert!(!clean.contains("132"), "{echoed} → {clean}");
            assert!(clean.ends_with(" refused"), "{echoed} → {clean}");
        }
        // Broken by a quoted-printable soft line break.
        let clean = secrets.hidden_in("pw Zq9R29hun=\nterPw ok");
        assert!(!clean.contains("hun") && clean.ends_with(" ok"), "{clean}");
        for kept in [
            "chmod 755 a 644 b",
            "\\132\\161\\071 mode 0640",
            "a=\nb Zq9R29=\nx",
        ] {
            assert_eq!(secrets.hidden_in(kept), kept);
        }
        let _ = secrets.hidden_in(&"\\132\\161".repeat(100_000));
    }

    /// The twenty-ninth review (O1): a secret as UTF-16LE, as Windows encodes text: base64 of
    /// a command holding it at each of base64's three offsets (PowerShell's
    /// `-EncodedCommand`), and hex or decimal bytes; another UTF-16 command stays.
    #[test]
    fn a_secret_in_utf16_base64_or_hex_is_taken_out() {
        use base64::Engine;
        use base64::engine::general_purpose::STANDARD;
        let mut settings = crate::testing::login_settings();
        let secret = "Zq9R29hunterPw";
        settings.mcp_auth_token = Some(crate::settings::Secret::new(secret));
        let secrets = OwnSecrets::of(&settings);
        let utf16 =
            |text: &str| -> Vec<u8> { text.encode_utf16().flat_map(u16::to_le_bytes).collect() };
        let mut echoes: Vec<String> = ["", "a", "ab"]
            .iter()
            .map(|prefix| {
                let command = format!("{prefix}argocd login x --password {secret} --grpc-web");
                format!(
                    "powershell -EncodedCommand {} refused",
                    STANDARD.encode(utf16(&command))
                )
            })
            .collect();
        let bytes = utf16(secret);
        echoes.push(format!(
            "dump {} refused",
            bytes
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        ));
        echoes.push(format!(
            "dump {} refused",
            bytes
                .iter()
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for echoed in echoes {
            let clean = secrets.hidden_in(&echoed);
            assert!(clean.ends_with(" refused"), "{echoed} → {clean}");
            assert!(!clean.contains("hunter"), "{echoed} → {clean}");
            assert_ne!(clean, echoed);
        }
        let other = format!(
            "powershell -EncodedCommand {}",
            STANDARD.encode(utf16("argocd app list --grpc-web"))
        );
        assert_eq!(secrets.hidden_in(&other), other);
        // A long UTF-16 dump is read in linear time.
        let long = "5a 00 71 00 39 00 ".repeat(60_000);
        let _ = secrets.hidden_in(&long);
    }

    /// The twentieth review (E1): a secret quoted in hex, or inside the base64 of a longer text
    /// at any offset (the whole form body base64'd), is taken out with the word around it.
    #[test]
    fn a_secret_in_hex_or_in_base64_at_any_offset_is_taken_out() {
        use base64::Engine;
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let mut settings = crate::testing::login_settings();
        let secret = "Sh0rt+s3cret/value";
        settings.mcp_auth_token = Some(crate::settings::Secret::new(secret));
        let secrets = OwnSecrets::of(&settings);
        let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
        let mut echoes = vec![
            format!("sent {hex} refused"),
            format!("sent {} refused", hex.to_uppercase()),
        ];
        for prefix in ["", "s", "s=", "client_id=x&client_secret=", "ab:"] {
            for sent in [
                secret.to_owned(),
                crate::identity::delegation::form_encode(secret),
            ] {
                let body = format!("{prefix}{sent}&grant_type=x");
                echoes.push(format!("body {} refused", STANDARD.encode(&body)));
                echoes.push(format!("body {} refused", URL_SAFE_NO_PAD.encode(&body)));
            }
        }
        for echoed in echoes {
            let clean = secrets.hidden_in(&echoed);
            assert!(clean.ends_with(" refused"), "{echoed} → {clean}");
            assert_eq!(clean.matches("***").count(), 1, "{echoed} → {clean}");
            // Nothing of the encoded word is left beside the mask.
            let word = clean.split(' ').nth(1).unwrap();
            assert_eq!(word, "***", "{echoed} → {clean}");
        }
        // MIME's base64, wrapped at 76 characters, with line breaks as written or escaped.
        let body =
            format!("client_id=x&client_secret={secret}&scope=openid&grant_type=token-exchange");
        let b64 = STANDARD.encode(&body);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(20)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        for joined in [lines.join("\r\n"), lines.join("\n"), lines.join("\\r\\n")] {
            let echoed = format!("refused [{joined}] here");
            let clean = secrets.hidden_in(&echoed);
            assert_eq!(clean, "refused [***] here", "{echoed}");
        }
        // Words that do not hold the secret stay.
        let escaped_settings = {
            let mut settings = crate::testing::login_settings();
            settings.mcp_auth_token = Some(crate::settings::Secret::new("R21/pw&Zx9-k<q>\\\"e"));
            settings
        };
        let escaped = OwnSecrets::of(&escaped_settings);
        for echoed in [
            // Go's JSON (`\u0026`, `\u003c`), PHP's `\/`.
            r#"upstream said {"seed":"R21\/pw\u0026Zx9-k\u003cq\u003e\\\"e","ok":false}"#,
            // JSON text inside a JSON string: every escape doubled.
            r#"{"text": "{\"seed\":\"R21/pw&Zx9-k<q>\\\\\\\"e\"}"}"#,
            // In an HTML page.
            "<p>token R21/pw&amp;Zx9-k&lt;q&gt;\\&quot;e refused</p>",
            "<p>token R21/pw&#38;Zx9-k&#60;q&#62;\\&#34;e refused</p>",
            // Every byte percent-encoded.
            "token=%52%32%31%2F%70%77%26%5A%78%39%2D%6B%3C%71%3E%5C%22%65 ok",
        ] {
            let clean = escaped.hidden_in(echoed);
            assert!(
                !clean.contains("Zx9") && !clean.contains("%5A"),
                "{echoed} → {clean}"
            );
            assert!(clean.contains("***"), "{echoed} → {clean}");
        }
        let other = STANDARD.encode("client_secret=another-value&grant_type=x");
        assert_eq!(secrets.hidden_in(&other), other);
    }

    fn own(secret: &str) -> OwnSecrets {
        let mut settings = crate::testing::login_settings();
        settings.mcp_auth_token = Some(crate::settings::Secret::new(secret));
        OwnSecrets::of(&settings)
    }

    /// The twenty-third review (S1): a secret past ASCII escaped as Python's `json.dumps` or an
    /// HTML page writes it, and one holding `+` or `=` as Go's `html/template` writes them.
    #[test]
    fn a_secret_escaped_past_ascii_or_as_html_templates_write_it_is_taken_out() {
        let umlaut = own("R23-p\u{e4}sswort-Zq9");
        for echoed in [
            "{\"detail\": \"refused R23-p\\u00e4sswort-Zq9\"}",
            "{\"detail\": \"refused R23-p\\u00E4sswort-Zq9\"}",
            "<td>R23-p&auml;sswort-Zq9</td>",
            "<td>R23-p&#228;sswort-Zq9</td>",
            "<td>R23-p&#xe4;sswort-Zq9</td>",
            "q=R23-p%C3%A4sswort-Zq9",
            "raw R23-p\u{e4}sswort-Zq9 end",
        ] {
            let clean = umlaut.hidden_in(echoed);
            assert!(!clean.contains("sswort-Zq9"), "{echoed} → {clean}");
            assert!(clean.contains("***"), "{echoed} → {clean}");
        }
        // The twenty-sixth review (S2): HTML5's names for ASCII characters.
        let html5 = own("R26+pw=Kx7/Lm_(x)");
        for echoed in [
            "<td>R26&plus;pw&equals;Kx7&sol;Lm&lowbar;&lpar;x&rpar;</td>",
            "<td>R26&#X2B;pw&#X3D;Kx7&#X2F;Lm&UnderBar;&#40;x&#41;</td>",
        ] {
            let clean = html5.hidden_in(echoed);
            assert_eq!(clean, "<td>***</td>", "{echoed}");
        }
        for kept in [
            "<td>R26&plus;pw&equals;Kx7&sol;Lm&lowbar;&lpar;y&rpar;</td>",
            "<td>R26&pluss;pw&equals;Kx7&sol;Lm_(x)</td>",
            "&Tab;&NewLine;&excl;&VerticalLine;&rbrace;&nbsp;&tilde;&hyphen;&bogus;&;",
        ] {
            assert_eq!(html5.hidden_in(kept), kept);
        }
        let plus = own("R23+pw=Kx7Lm");
        for echoed in [
            "<input value=\"R23&#43;pw&#61;Kx7Lm\">",
            "<p>R23&#x2b;pw&#x3D;Kx7Lm</p>",
            "<p>R23&#43;pw=Kx7Lm</p>",
        ] {
            assert_eq!(
                plus.hidden_in(echoed).matches("Kx7Lm").count(),
                0,
                "{echoed}"
            );
        }
        // Other words with entities stay, and a secret nearly all past ASCII is looked for only
        // as written (its pattern would take other words).
        for kept in [
            "<td>R23-p&auml;ss</td> &lt;b&gt; &#43; &nbsp; &bogus",
            "{\"detail\": \"refused R24-p\\u00e4sswort-Zq9\"}",
        ] {
            assert_eq!(umlaut.hidden_in(kept), kept);
        }
        let mostly_other = own("\u{e4}\u{f6}\u{fc}\u{df}ab\u{e4}\u{f6}\u{fc}");
        let text = "\\u00e4\\u00f6 ab \\u00fc";
        assert_eq!(mostly_other.hidden_in(text), text);
    }

    /// The twenty-third review (S2): a secret in hex with a separator between bytes, as hex
    /// dumps write it; hex that is not the secret stays.
    #[test]
    fn a_secret_in_a_hex_dump_is_taken_out() {
        let secret = "R23hex-pw!";
        let secrets = own(secret);
        let hex = |sep: &str, upper: bool| {
            let pairs: Vec<String> = secret
                .bytes()
                .map(|b| {
                    if upper {
                        format!("{b:02X}")
                    } else {
                        format!("{b:02x}")
                    }
                })
                .collect();
            pairs.join(sep)
        };
        let xxd: String = secret
            .as_bytes()
            .chunks(2)
            .map(|pair| pair.iter().map(|b| format!("{b:02x}")).collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        // Review28 H1/H3: C arrays (`xxd -i`), `0x` before each byte, commas, tabs, `_`.
        let c_array = hex(", 0x", false).replacen("", "0x", 1);
        let wrapped = c_array.replacen(", ", ",\n  ", 3);
        for dumped in [
            hex(" ", false),
            hex(":", true),
            hex("-", false),
            xxd,
            c_array,
            wrapped,
            hex(" 0x", false),
            hex(",", false),
            hex("\t", true),
            hex("_", false),
            hex("   ", false),
        ] {
            let echoed = format!("00000010: {dumped}  ok");
            let clean = secrets.hidden_in(&echoed);
            assert_eq!(clean, "00000010: ***  ok", "{echoed}");
        }
        for kept in [
            "52 32 33 68 65 78 2d 70 77",
            "de:ad:be:ef:00:11:22:33:44:55:66",
            "52 32 33 68 65 78 2d 70 77 20",
            "0x52, 0x32, 0x33, 0x68, 0x65, 0x78, 0x2d, 0x70, 0x77, 0x22",
            "52     32 33 68 65 78 2d 70 77 21",
        ] {
            assert_eq!(secrets.hidden_in(kept), kept);
        }
    }

    /// The twenty-sixth review (S1): a secret across `hexdump -C`'s gap after the eighth byte,
    /// and across a dump's line break (the text column, the break and the next offset between
    /// its pairs); dumps of other bytes stay.
    #[test]
    fn a_secret_across_a_hex_dumps_gap_or_line_break_is_taken_out() {
        let secrets = own("R26hex-pw!");
        for echoed in [
            // `hexdump -C` of `=R26hex-pw!`: the gap after the eighth byte.
            "00000000  3d 52 32 36 68 65 78 2d  70 77 21  |=R26hex-pw!| ok",
            // `xxd` of `body: pw: R26hex-pw!`: the line break after `R26hex`.
            "00000000: 626f 6479 3a20 7077 3a20 5232 3668 6578  body: pw: R26hex\n\
             00000010: 2d70 7721                                -pw! ok",
            // `hexdump -C` over a line break, CRLF, an offset without colon.
            "00000000  2e 2e 2e 2e 2e 2e 2e 2e  2e 2e 2e 2e 2e 52 32 36  |.............R26|\r\n\
             00000010  68 65 78 2d 70 77 21  |hex-pw!| ok",
            // Plain hex wrapped without offsets.
            "52 32 36 68 65\n78 2d 70 77 21 ok",
        ] {
            let clean = secrets.hidden_in(echoed);
            assert!(
                clean.ends_with(" ok") && clean.contains("***"),
                "{echoed} → {clean}"
            );
            for hex in ["68 65", "6578", "2d 70", "2d70", "77 21", "7721"] {
                assert!(!clean.contains(hex), "{echoed} → {clean}");
            }
        }
        for kept in [
            // Other bytes, and the secret's bytes with another between.
            "00000000  3d 52 32 36 68 65 78 2d  70 78 21  |=R26hex-px!|",
            "00000000: 626f 6479 3a20 7077 3a20 5232 3668 6578  body: pw: R26hex\n\
             00000010: 002d 7077 21                             .-pw!",
            // The text column not after two spaces: no dump line.
            "52 32 36 68 65 text\n78 2d 70 77 21",
        ] {
            assert_eq!(secrets.hidden_in(kept), kept);
        }
        // Long runs of pairs and dump lines are read in linear time.
        let long = "00000000  52 32 36 68 65  |R26he|\n".repeat(4000);
        assert_eq!(secrets.hidden_in(&long), long);
    }

    /// Review28 H2: `tcpdump -X` (a tab, `0x0010:`) and Wireshark (`0010  `) dumps, the secret
    /// crossing a line break; a group of the hex starting a line (one space after it) is read
    /// as hex, not as an offset; dumps of other bytes stay.
    #[test]
    fn a_secret_across_tcpdump_and_wireshark_dump_lines_is_taken_out() {
        let secrets = own("R26hex-pw!");
        for echoed in [
            "\t0x0000:  504f 5354 202f 6c6f 6769 6e20 7077 3d52  POST./login.pw=R\n\
             \t0x0010:  3236 6865 782d 7077 21                   26hex-pw! ok",
            "0000  50 4f 53 54 20 2f 6c 6f 67 69 6e 20 70 77 3d 52   POST /login pw=R\r\n\
             0010  32 36 68 65 78 2d 70 77 21                        26hex-pw! ok",
            "5232 3668 6578\n2d70 7721 ok",
        ] {
            let clean = secrets.hidden_in(echoed);
            assert!(
                clean.ends_with(" ok") && clean.contains("***"),
                "{echoed} → {clean}"
            );
            for hex in ["3236", "32 36", "2d70", "2d 70", "7721", "77 21"] {
                assert!(!clean.contains(hex), "{echoed} → {clean}");
            }
        }
        for kept in [
            "\t0x0000:  504f 5354 202f 6c6f 6769 6e20 7077 3d52  POST./login.pw=R\n\
             \t0x0010:  3236 6865 782d 7078 21                   26hex-px!",
            "0000  50 4f 53 54 20 2f 6c 6f 67 69 6e 20 70 77 3d 52   POST /login pw=R\n\
             0010  00 32 36 68 65 78 2d 70 77 21                     .26hex-pw!",
        ] {
            assert_eq!(secrets.hidden_in(kept), kept);
        }
    }

    /// Review28 H4: a secret's bytes as a list of decimal numbers (Go's `[]byte`, Java's
    /// `Arrays.toString`, comma-separated); lists of other bytes, and numbers that are parts of
    /// longer ones, stay.
    #[test]
    fn a_secret_as_a_decimal_byte_list_is_taken_out() {
        let secrets = own("R26hex-pw!");
        for (echoed, clean) in [
            ("pw [82 50 54 104 101 120 45 112 119 33] ok", "pw [***] ok"),
            (
                "pw [82, 50, 54, 104, 101, 120, 45, 112, 119, 33] ok",
                "pw [***] ok",
            ),
            ("pw=82,50,54,104,101,120,45,112,119,33 ok", "pw=*** ok"),
            (
                "pw = {82, 50, 54, 104,\n  101, 120, 45, 112, 119, 33};",
                "pw = {***};",
            ),
        ] {
            assert_eq!(secrets.hidden_in(echoed), clean, "{echoed}");
        }
        for kept in [
            "[82 50 54 104 101 120 45 112 119 34]",
            "[182 50 54 104 101 120 45 112 119 33]",
            "[82 50 54 104 101 120 45 112 119 330]",
            "[82 50 54 104 101 1120 45 112 119 33]",
            "[82 50 54 104 101 120 45 112 119]",
            "took 82 ms, 50 54 104 retries",
        ] {
            assert_eq!(secrets.hidden_in(kept), kept);
        }
        // Long runs of the first bytes are read in linear time.
        let long = "82 50 54 104 101 ".repeat(20_000);
        assert_eq!(secrets.hidden_in(&long), long);
    }

    /// The twenty-third review (S3): a passphrase wrapped at one of its spaces, indented on the
    /// next line, or written with two spaces or a tab where it has one.
    #[test]
    fn a_passphrase_wrapped_at_a_space_is_taken_out() {
        let secrets = own("Correct horse battery Zq9staple");
        for echoed in [
            "body: Correct horse\nbattery Zq9staple end",
            "body: Correct horse battery\n    Zq9staple end",
            "body: Correct horse battery\r\nZq9staple end",
            "body: Correct  horse battery Zq9staple end",
            "body: Correct\thorse battery Zq9staple end",
            "body: Correct horse\\nbattery Zq9staple end",
        ] {
            let clean = secrets.hidden_in(echoed);
            assert_eq!(clean, "body: *** end", "{echoed}");
        }
        for kept in [
            "Correct horse\nbattery Zq9",
            "Correcthorse battery Zq9staple",
            "Correct horse\n\tbattery-Zq9staple",
        ] {
            assert_eq!(secrets.hidden_in(kept), kept);
        }
    }

    /// The twenty-second review (S3): base64 wrapped with indentation after each line break (a
    /// YAML block scalar) or with a space or tab between its lines (a log flattened to one
    /// line); the words around stay.
    #[test]
    fn a_secret_in_base64_wrapped_with_indentation_or_spaces_is_taken_out() {
        use base64::Engine;
        let mut settings = crate::testing::login_settings();
        settings.mcp_auth_token = Some(crate::settings::Secret::new("R22s3-secret"));
        let secrets = OwnSecrets::of(&settings);
        let b64 = base64::engine::general_purpose::STANDARD
            .encode("{\"username\":\"admin\",\"password\":\"R22s3-secret\",\"x\":1}");
        for width in [8, 16, 40] {
            let lines: Vec<&str> = b64
                .as_bytes()
                .chunks(width)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect();
            for joined in [
                format!("blob: |\n    {}", lines.join("\n    ")),
                format!("blob {}", lines.join(" ")),
                format!("blob {}", lines.join("\t")),
                format!("blob {}", lines.join("\\n  ")),
            ] {
                let echoed = format!("R22s03q {joined} end");
                let clean = secrets.hidden_in(&echoed);
                assert!(clean.starts_with("R22s03q blob"), "{echoed} → {clean}");
                let left: String = clean.split_whitespace().skip(2).collect();
                let left = left.replace("\\n", "");
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(&left[..left.len() / 4 * 4])
                    .unwrap_or_default();
                assert!(
                    !String::from_utf8_lossy(&decoded).contains("s3-s"),
                    "{clean}"
                );
                assert!(clean.contains("***"), "{echoed} → {clean}");
            }
        }
        // Ordinary words stay, and words beside base64 that does not hold the secret.
        for kept in [
            "the quick brown fox jumps over the lazy dog",
            "sync failed: a b c d e f g h",
            "blob: |\n    QUJDREVGR0hJSktM\n    TU5PUFFSU1RVVldY",
        ] {
            assert_eq!(secrets.hidden_in(kept), kept);
        }
        // Many spaces and line breaks between base64 characters are read in one pass.
        let long = "a \n\t ".repeat(40_000);
        assert_eq!(secrets.hidden_in(&long), long);
    }
}
