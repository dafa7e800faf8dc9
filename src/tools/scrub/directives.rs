//! Credentials in configuration files whose syntax is a directive's name, a space and its
//! arguments, no `=` or `:` between (Fluentd, nslcd, slapd, Apache, ProFTPD, HAProxy, snmpd,
//! Cisco IOS, BIND), and in HCL blocks under a credential's name:
//!
//! - `password PW`, `bindpw PW`, `rootpw PW`, `AuthLDAPBindPassword PW` at a line's start: a
//!   directive named like a password, secret or token and its one value ([`named_directive`]);
//! - directives whose credential is one argument among others: HAProxy's `stats auth U:PW`,
//!   ProFTPD's `SQLConnectInfo db user PW`, snmpd's `rocommunity C` and `com2sec N S C`, Cisco's
//!   `username U … password 0 PW`, `enable secret 0 PW`, `snmp-server community C RO`,
//!   `tacacs-server key K` ([`argument_directive`]);
//! - BIND's `secret "…";` inside a `key` clause written on one line, Consul's `encrypt = "…"`
//!   (a boolean is kept: `encrypt = true` says whether, not with what), Squid's `login=U:PW`,
//!   a PgBouncer `userlist.txt` line (`"user" "PW"`);
//! - an HCL block or map under a credential's name (`secrets = {`, `credentials {`, `tokens {`):
//!   every line inside, to the matching `}`, as the lines below a YAML credential key are.
//!
//! Each reads at a line's start or a word's start only, and rejects at every other byte by
//! looking at the byte before it.

use super::names;
use super::reading::unit;
use super::spans::{closing_bracket, is_break, name_byte, value};
use crate::tools::masking::names_a_place;

/// A credential at `i` written in one of the shapes above: the span to hide.
pub fn credential(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let first = bytes[i];
    if first == b'"' || first == b'\\' {
        if !matches!(opening(bytes, i), Some(Opening::Line)) {
            return encryption_key(bytes, i);
        }
        return userlist_line(bytes, i)
            .or_else(|| quoted_hcl_block(bytes, i))
            .or_else(|| encryption_key(bytes, i));
    }
    if !first.is_ascii_alphabetic() {
        return None;
    }
    match opening(bytes, i)? {
        Opening::Line => {
            // Every directive has an argument after a space, every block a `{`: a JSON or
            // YAML member's name (`name:`, `name"`) is rejected here, once.
            let (_, name_end) = name_at(bytes, i)?;
            if !matches!(bytes.get(name_end), Some(b' ' | b'\t' | b'{' | b'\\')) {
                return encryption_key(bytes, i);
            }
            hcl_block(bytes, i)
                .or_else(|| argument_directive(bytes, i))
                .or_else(|| named_directive(bytes, i))
                .or_else(|| encryption_key(bytes, i))
        }
        Opening::Clause => hcl_block(bytes, i)
            .or_else(|| clause_secret(bytes, i))
            .or_else(|| encryption_key(bytes, i)),
        Opening::Word => login_option(bytes, i).or_else(|| encryption_key(bytes, i)),
    }
}

/// What comes before the word at `i`.
enum Opening {
    /// Only indentation since the line's start (a break as written or escaped, an opening
    /// quote, the text's start).
    Line,
    /// A `{` or a `;`: a clause of a block written on one line (`key "x" { secret "…"; };`).
    Clause,
    /// A space or a comma after other words.
    Word,
}

/// The most indentation read back from a word to its line's start.
const INDENT_MOST: usize = 256;

/// What opens the word at `i`, if a word starts there: looking at the byte before it first
/// (a letter or a digit there, the commonest case, rejects at once), then back over spaces and
/// tabs only.
fn opening(bytes: &[u8], i: usize) -> Option<Opening> {
    let Some(before) = i.checked_sub(1).map(|p| bytes[p]) else {
        return Some(Opening::Line);
    };
    if before.is_ascii_alphanumeric() && !escaped_break_ends(bytes, i) {
        return None;
    }
    let floor = i.saturating_sub(INDENT_MOST);
    let mut at = i;
    loop {
        if at == 0 || escaped_break_ends(bytes, at) {
            return Some(Opening::Line);
        }
        if at <= floor {
            return None;
        }
        match bytes[at - 1] {
            b' ' | b'\t' => at -= 1,
            // An escaped tab indents as a tab does.
            b't' if at >= 2 && bytes[at - 2] == b'\\' => at -= 2,
            b'\n' | b'\r' | b'"' | b'\'' => return Some(Opening::Line),
            b'{' | b';' => return Some(Opening::Clause),
            b',' | b'(' => return Some(Opening::Word),
            _ if at < i => return Some(Opening::Word),
            _ => return None,
        }
    }
}

/// Whether an escaped line break (`\n`, `\r` inside a JSON string) ends just before `at`.
fn escaped_break_ends(bytes: &[u8], at: usize) -> bool {
    at >= 2 && matches!(bytes[at - 1], b'n' | b'r') && bytes[at - 2] == b'\\'
}

/// The directive's name starting at `i` (letters, digits, `_`, `-`, `.`), and where it ends.
fn name_at(bytes: &[u8], i: usize) -> Option<(&str, usize)> {
    let len = bytes[i..]
        .iter()
        .take(NAME_MOST + 1)
        .take_while(|b| name_byte(**b))
        .count();
    if len == 0 || len > NAME_MOST {
        return None;
    }
    Some((std::str::from_utf8(&bytes[i..i + len]).ok()?, i + len))
}

const NAME_MOST: usize = 64;

/// One argument after `at` on the same line (past spaces and tabs; quoted or a word): its span
/// (inside its quotes) and where what follows it starts.
fn argument(bytes: &[u8], at: usize) -> Option<(usize, usize, usize)> {
    let start = skip_gap(bytes, at);
    if start == at || start >= bytes.len() || is_break(bytes, start) {
        return None;
    }
    let (inner, end) = value(bytes, start, false, 0)?;
    let next = if inner > start && end < bytes.len() {
        end + unit(bytes, end).len
    } else {
        end
    };
    Some((inner, end, next))
}

/// Past spaces and tabs, as written or escaped (`\t` inside a JSON string).
fn skip_gap(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\\') {
        let u = unit(bytes, at);
        if !matches!(u.ch, b' ' | b'\t') {
            break;
        }
        at += u.len;
    }
    at
}

/// Whether nothing but spaces, a `;` and a comment is left of the line at `at`: its end as
/// written or escaped, or, right after the value, the quote that ends the string holding it
/// (a quote after a space opens another argument: `password eq 'PW'`).
fn ends_line(bytes: &[u8], at: usize) -> bool {
    if at < bytes.len() && matches!(unit(bytes, at).ch, b'"' | b'\'') {
        return true;
    }
    let mut at = skip_gap(bytes, at);
    if bytes.get(at) == Some(&b';') {
        at = skip_gap(bytes, at + 1);
    }
    at >= bytes.len() || is_break(bytes, at) || bytes[at] == b'#'
}

/// `(start, end)` less a `;` that ends the statement (`password PW;`).
fn without_semicolon((start, end): (usize, usize)) -> impl Fn(&[u8]) -> (usize, usize) {
    move |bytes| {
        if end > start + 1 && bytes[end - 1] == b';' {
            (start, end - 1)
        } else {
            (start, end)
        }
    }
}

/// Words a directive named like a credential is followed by in prose or a log line (`password
/// expired`, `token refreshed`), and switches (`nopass yes`): not a credential.
const PROSE_VALUES: [&str; 28] = [
    "yes",
    "no",
    "true",
    "false",
    "on",
    "off",
    "required",
    "expired",
    "changed",
    "reset",
    "incorrect",
    "invalid",
    "updated",
    "missing",
    "empty",
    "mismatch",
    "accepted",
    "rejected",
    "wrong",
    "failed",
    "ok",
    "none",
    "set",
    "unset",
    "protected",
    "refreshed",
    "revoked",
    "prompt",
];

/// The last words of a directive's name that name a secret value: a name whose last word is
/// `key`, `auth` or `private` (OpenVPN's `key client.key`, `auth SHA256`) names a file or an
/// algorithm more often than not.
const SECRET_ENDINGS: [&str; 9] = [
    "password",
    "passwd",
    "pass",
    "pw",
    "pwd",
    "authtok",
    "secret",
    "token",
    "passphrase",
];

/// `password PW`, `bindpw PW`, `AuthLDAPBindPassword PW` (also `password 0 PW`, Cisco's type
/// digit first) as the only words of a line: the value. Names written as code
/// (`DB_PASSWORD PW`) are [`super::files::properties_password`]'s.
fn named_directive(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let (name, name_end) = name_at(bytes, i)?;
    let ends_with = |ending: &str| {
        name.len() >= ending.len()
            && name.as_bytes()[name.len() - ending.len()..].eq_ignore_ascii_case(ending.as_bytes())
    };
    let secret_name = SECRET_ENDINGS.iter().any(|e| ends_with(e))
        && names::credential(name)
        && !names_a_place(name);
    if !secret_name || name.contains(['.', '_', '-']) {
        return None;
    }
    let (mut start, mut end, mut next) = argument(bytes, name_end)?;
    let type_digit = end == start + 1 && bytes[start].is_ascii_digit();
    if type_digit && let Some(after) = argument(bytes, next) {
        (start, end, next) = after;
    }
    let first = bytes[start];
    let word = &bytes[start..end];
    let prose = PROSE_VALUES
        .iter()
        .any(|p| word.eq_ignore_ascii_case(p.as_bytes()));
    // A flag (`sshpass -p …`), an operator (`chpasswd <<< …`) or a format's verb (`"token
    // %s"`) is no value.
    let not_a_value = matches!(first, b'=' | b':' | b'-' | b'<' | b'|' | b'>' | b'%');
    if not_a_value || prose || !ends_line(bytes, next) {
        return None;
    }
    Some(without_semicolon((start, end))(bytes))
}

/// Directives whose credential is one of several arguments, by name (case ignored).
fn argument_directive(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let (name, name_end) = name_at(bytes, i)?;
    let named = |n: &str| name.eq_ignore_ascii_case(n);
    if named("stats") {
        // HAProxy's `stats auth USER:PW`: the password after the colon.
        let (start, end, next) = argument(bytes, name_end)?;
        if !bytes[start..end].eq_ignore_ascii_case(b"auth") {
            return None;
        }
        return after_colon(bytes, argument(bytes, next)?);
    }
    if named("SQLConnectInfo") {
        return nth_argument(bytes, name_end, 3);
    }
    if ["rocommunity", "rwcommunity", "rocommunity6", "rwcommunity6"]
        .iter()
        .any(|n| named(n))
    {
        return nth_argument(bytes, name_end, 1);
    }
    if named("com2sec") || named("com2sec6") {
        // `com2sec [-Cn CONTEXT] NAME SOURCE COMMUNITY`.
        let mut at = name_end;
        while let Some((start, _, next)) = argument(bytes, at) {
            if bytes[start] != b'-' {
                return nth_argument(bytes, at, 3);
            }
            at = argument(bytes, next)?.2;
        }
        return None;
    }
    if named("key") {
        // Cisco's `key 7 K` inside a `tacacs server` or `radius server` block: only with its
        // encryption type, the key's last word on its line (`key client.key` names a file).
        let (start, end, next) = argument(bytes, name_end)?;
        let (found_start, found_end, after) = argument(bytes, next)?;
        let typed = end == start + 1 && bytes[start].is_ascii_digit();
        return (typed && ends_line(bytes, after)).then_some((found_start, found_end));
    }
    // Cisco IOS: `username U privilege 15 password 0 PW`, `enable secret 0 PW`,
    // `snmp-server community C RO`, `tacacs-server key 7 K`, `radius-server host H key K`.
    let introduces: &[&str] = if named("username") || named("enable") {
        &["password", "secret"]
    } else if named("snmp-server") {
        &["community"]
    } else if named("tacacs-server") || named("radius-server") {
        &["key"]
    } else {
        return None;
    };
    let mut at = name_end;
    while let Some((start, end, next)) = argument(bytes, at) {
        let word = &bytes[start..end];
        if introduces
            .iter()
            .any(|w| word.eq_ignore_ascii_case(w.as_bytes()))
        {
            // A user's or the privileged mode's password ends its line (prose that starts
            // with `username` goes on).
            let (start, end, after) = after_type_digit(bytes, next)?;
            let last = named("snmp-server") || ends_line(bytes, after);
            return last.then_some((start, end));
        }
        at = next;
    }
    None
}

/// The argument after `at`, past Cisco's encryption type (`0`, `7`) when one is written before
/// it, and where what follows it starts.
fn after_type_digit(bytes: &[u8], at: usize) -> Option<(usize, usize, usize)> {
    let found @ (start, end, next) = argument(bytes, at)?;
    if end == start + 1
        && bytes[start].is_ascii_digit()
        && let Some(after) = argument(bytes, next)
    {
        return Some(after);
    }
    Some(found)
}

/// The `n`th argument (from 1) after `at`.
fn nth_argument(bytes: &[u8], mut at: usize, n: usize) -> Option<(usize, usize)> {
    for _ in 1..n {
        at = argument(bytes, at)?.2;
    }
    argument(bytes, at).map(|(start, end, _)| (start, end))
}

/// What follows the first colon of the argument `start..end` (`admin:PW`), if anything does.
fn after_colon(bytes: &[u8], (start, end, _): (usize, usize, usize)) -> Option<(usize, usize)> {
    let colon = bytes[start..end].iter().position(|b| *b == b':')?;
    (start + colon + 1 < end).then_some((start + colon + 1, end))
}

/// Squid's `cache_peer … login=USER:PW`: the password after the colon (`login=PASS` and the
/// other keywords hold none).
fn login_option(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    const LOGIN: &[u8] = b"login=";
    let written = bytes
        .get(i..i + LOGIN.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(LOGIN));
    if !written || !bytes[i - 1].is_ascii_whitespace() {
        return None;
    }
    let (start, end) = value(bytes, i + LOGIN.len(), false, 0)?;
    after_colon(bytes, (start, end, end))
}

/// BIND's `secret "…";` as a clause of a block written on one line (`key "x" { algorithm
/// hmac-sha256; secret "…"; };`): the quoted value.
fn clause_secret(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    const SECRET: &[u8] = b"secret";
    if !bytes[i..].starts_with(SECRET) {
        return None;
    }
    let (start, end, _) = argument(bytes, i + SECRET.len())?;
    let quoted = start > 0 && matches!(unit(bytes, start - 1).ch, b'"' | b'\'');
    (quoted && end > start).then_some((start, end))
}

/// Consul's gossip key, `encrypt = "…"` (HCL), `"encrypt": "…"` (JSON), `encrypt: …` (YAML):
/// the value, unless it is a boolean.
fn encryption_key(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    const ENCRYPT: &[u8] = b"encrypt";
    let mut at = i;
    let quote = unit(bytes, at);
    if quote.ch == b'"' {
        at += quote.len;
    } else if i > 0 && name_byte(bytes[i - 1]) {
        return None;
    }
    let written = bytes
        .get(at..at + ENCRYPT.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(ENCRYPT));
    if !written {
        return None;
    }
    at += ENCRYPT.len();
    if at < bytes.len() && unit(bytes, at).ch == b'"' {
        at += unit(bytes, at).len;
    }
    at = skip_gap(bytes, at);
    if !matches!(bytes.get(at), Some(b'=' | b':')) {
        return None;
    }
    let start = skip_gap(bytes, at + 1);
    if bytes.get(start) == Some(&b'=') {
        return None;
    }
    let (start, end) = value(bytes, start, false, 0)?;
    let word = &bytes[start..end];
    let word = word.strip_suffix(b",").unwrap_or(word);
    let boolean = ["true", "false", "yes", "no", "on", "off"]
        .iter()
        .any(|b| word.eq_ignore_ascii_case(b.as_bytes()));
    (!boolean && !word.is_empty()).then_some((start, end))
}

/// A PgBouncer `userlist.txt` line, `"user" "PW"` (also escaped inside a JSON string), at a
/// line's start: the password. Only a line holding exactly two quoted words and nothing else.
fn userlist_line(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let quote = unit(bytes, i);
    if quote.ch != b'"' {
        return None;
    }
    let (_, user_end) = value(bytes, i, false, 0)?;
    let after_user = user_end + quote.len;
    let gap = skip_gap(bytes, after_user);
    if gap == after_user || gap >= bytes.len() {
        return None;
    }
    let second = unit(bytes, gap);
    if second.ch != b'"' || second.len != quote.len {
        return None;
    }
    let (start, end) = value(bytes, gap, false, 0)?;
    let after = skip_gap(bytes, end + quote.len);
    let ends = after >= bytes.len()
        || is_break(bytes, after)
        || (unit(bytes, after).ch == b'"' && unit(bytes, after).len != quote.len);
    (ends && end > start).then_some((start, end))
}

/// An HCL block or map under a credential's name at the line's (or a clause's) start:
/// `secrets = {`, `credentials {`, `tokens {`: what is inside, to the matching `}` (to the
/// text's end when none closes it).
fn hcl_block(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let (name, name_end) = name_at(bytes, i)?;
    block_after_name(bytes, name, name_end)
}

/// [`hcl_block`] under a quoted name (`"secrets" = {`, as written or escaped) at a line's
/// start.
fn quoted_hcl_block(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let quote = unit(bytes, i);
    if quote.ch != b'"' {
        return None;
    }
    let (name, name_end) = name_at(bytes, i + quote.len)?;
    let closes = name_end < bytes.len() && unit(bytes, name_end) == quote;
    if !closes {
        return None;
    }
    block_after_name(bytes, name, name_end + quote.len)
}

/// The block opened by `= {` or `{` after the name `name` ending at `name_end`.
fn block_after_name(bytes: &[u8], name: &str, name_end: usize) -> Option<(usize, usize)> {
    let mut at = skip_gap(bytes, name_end);
    if bytes.get(at) == Some(&b'=') {
        at = skip_gap(bytes, at + 1);
    }
    // HCL writes a space or a line break after the `{` (`rootpw {SSHA}…` is a value).
    let opens = bytes.get(at) == Some(&b'{')
        && bytes
            .get(at + 1)
            .is_none_or(|b| b.is_ascii_whitespace() || *b == b'\\' || *b == b'}');
    if !opens {
        return None;
    }
    if !names::credential(name) || names_a_place(name) {
        return None;
    }
    let close = closing_bracket(bytes, at, (b'{', b'}'));
    let start = skip_gap(bytes, at + 1);
    let end = before_closing_line(bytes, close);
    (end > start).then_some((start, end))
}

/// The end of what a block holds whose `}` is at `close`: the end of the line before, when the
/// `}` starts its line (so the `}` keeps its indentation), else the last non-space before it.
fn before_closing_line(bytes: &[u8], close: usize) -> usize {
    let mut at = close;
    while at > 0 && matches!(bytes[at - 1], b' ' | b'\t') {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    /// Each `(dirty, clean)` through this rule alone and through every rule.
    fn assert_hidden(cases: &[(&str, &str)]) {
        for (dirty, clean) in cases {
            assert_eq!(
                super::super::without_credentials(dirty),
                *clean,
                "{dirty:?}"
            );
        }
    }

    fn assert_kept(texts: &[&str]) {
        for text in texts {
            assert_eq!(super::super::without_credentials(text), *text, "{text:?}");
        }
    }

    /// Texts made of the pieces these rules react to, in every order: the quick reading
    /// ([`super::super::spans::mask_all_quickly`]) hides what asking every rule at every byte
    /// hides, and nothing panics.
    #[test]
    fn mixes_of_directives_and_blocks_are_read_as_every_rule_would() {
        const PIECES: [&str; 26] = [
            "password",
            "bindpw",
            "stats",
            " auth",
            "rocommunity",
            "com2sec",
            "username",
            "secrets",
            "encrypt",
            "login=",
            "secret",
            "kty",
            "k",
            " ",
            "\t",
            "\n",
            "\\n",
            "{",
            "}",
            "=",
            ":",
            "\"",
            "\\\"",
            "a:b",
            "x",
            "7",
        ];
        for text in crate::testing::mixes(&PIECES, 10, 20_000) {
            let (quick, exhaustive) = super::super::masked_both_ways(&text);
            assert_eq!(quick, exhaustive, "{text:?}");
        }
    }

    /// Review31 S1: a password directive and its one value at a line's start.
    #[test]
    fn a_password_directive_and_its_value_are_hidden() {
        assert_hidden(&[
            (
                "<match **>\n  @type elasticsearch\n  user elastic\n  password Pw1\n</match>",
                "<match **>\n  @type elasticsearch\n  user elastic\n  password ***\n</match>",
            ),
            ("password Pw2\n", "password ***\n"),
            ("\tPassword\tPw3\r\n", "\tPassword\t***\r\n"),
            ("bindpw Pw4", "bindpw ***"),
            (
                "rootdn cn=admin\nrootpw {SSHA}Pw5\n",
                "rootdn cn=admin\nrootpw ***\n",
            ),
            ("AuthLDAPBindPassword Pw6\n", "AuthLDAPBindPassword ***\n"),
            (
                "AUTHLDAPBINDPASSWORD \"Pw 7\"",
                "AUTHLDAPBINDPASSWORD \"***\"",
            ),
            ("password Pw8;  # the bot's", "password ***;  # the bot's"),
            (
                r#"{"fluent.conf":"<match **>\n  password Pw9\n</match>"}"#,
                r#"{"fluent.conf":"<match **>\n  password ***\n</match>"}"#,
            ),
            (
                "SQLConnectInfo proftpd@db proftpd Pw10 PERCONNECTION\n",
                "SQLConnectInfo proftpd@db proftpd *** PERCONNECTION\n",
            ),
            (
                "listen stats\n    stats auth admin:Pw11\n",
                "listen stats\n    stats auth admin:***\n",
            ),
            (
                "ldap_default_authtok = Pw12\n",
                "ldap_default_authtok = ***\n",
            ),
            ("ldap_default_authtok Pw13\n", "ldap_default_authtok ***\n"),
            (
                r#"{"nslcd.conf":"uri ldap://x\nbindpw\tPw14\n"}"#,
                r#"{"nslcd.conf":"uri ldap://x\nbindpw\t***\n"}"#,
            ),
        ]);
    }

    /// Prose and directives with no credential keep their words.
    #[test]
    fn prose_about_passwords_is_kept() {
        assert_kept(&[
            "the password is required",
            "password expired",
            "Password changed\n",
            "  password required for admin\n",
            "stats auth\n",
            "nopass yes\n",
            "PermitEmptyPasswords no\nPasswordAuthentication yes\n",
            "stats enable\n",
            "SQLConnectInfo db@host\n",
            "key \"name\" {\n  algorithm hmac-sha256;\n};",
            "auth SHA256\nkey client.key\n",
            "the community meets on Mondays",
            "encrypt = true\nencrypt_verify_incoming = true\n",
            "username admin privilege 15 password policy applies to all users",
            "\"a\", \"b\"\n",
            "login=PASSTHRU\n",
            "tokens are rotated { weekly }",
        ]);
    }

    /// Review31 S3: an HCL block or map under a credential's name, on lines or on one.
    #[test]
    fn an_hcl_block_under_a_credentials_name_is_hidden() {
        assert_hidden(&[
            (
                "secrets = {\n  db = \"Pw1\"\n}\n",
                "secrets = {\n  ***\n}\n",
            ),
            (
                "credentials {\n  api = \"K2\"\n}\n",
                "credentials {\n  ***\n}\n",
            ),
            (
                "acl {\n  tokens {\n    agent = \"T3\" # the agent's\n    default = 'T4'\n  }\n}\n",
                "acl {\n  tokens {\n    ***\n    ***\n  }\n}\n",
            ),
            ("passwords {\n  admin \"Pw5\"\n}", "passwords {\n  ***\n}"),
            (
                "acl { tokens { agent = \"T6\" } }",
                "acl { tokens { *** } }",
            ),
            (
                r#""secrets = {\n  db = \"Pw7\"\n}\n""#,
                r#""secrets = ***\n""#,
            ),
            ("secrets = {\n  db = \"Pw8\"", "secrets = {\n  ***"),
            (
                "\"secrets\" = {\n  db = \"Pw9\"\n}\n",
                "\"secrets\" = {\n  ***\n}\n",
            ),
            (
                "SECRETS = {\r\n  db = \"Pw10\"\r\n}",
                "SECRETS = {\r\n  ***\r\n}",
            ),
        ]);
        assert_kept(&[
            "acl {\n  enabled = true\n}\n",
            "tokens {}\n",
            "if token {\n  x()\n}\n",
            "resource \"aws_secretsmanager_secret\" \"db\" {\n  name = \"db\"\n}\n",
        ]);
    }

    /// Review31 S4: BIND's TSIG key and Consul's gossip key.
    #[test]
    fn a_tsig_secret_and_a_gossip_key_are_hidden() {
        assert_hidden(&[
            (
                "key \"ddns\" {\n  algorithm hmac-sha256;\n  secret \"QUJDREVGRw==\";\n};",
                "key \"ddns\" {\n  algorithm hmac-sha256;\n  secret \"***\";\n};",
            ),
            (
                "key \"ddns\" { algorithm hmac-sha256; secret \"QUJDREVGRw==\"; };",
                "key \"ddns\" { algorithm hmac-sha256; secret \"***\"; };",
            ),
            ("encrypt = \"R0g=\"\n", "encrypt = \"***\"\n"),
            ("Encrypt = \"R0g=\"", "Encrypt = \"***\""),
            ("encrypt: 'R0g='", "encrypt: '***'"),
            (
                "{\"encrypt\": \"R0g=\", \"x\": 1}",
                "{\"encrypt\": \"***\", \"x\": 1}",
            ),
            (
                r#"{"consul.json":"{\"encrypt\":\"R0g=\"}"}"#,
                r#"{"consul.json":"{\"encrypt\":\"***\"}"}"#,
            ),
        ]);
    }

    /// Review31 S5: shared secrets in snmpd, Cisco IOS, wpa_supplicant, PgBouncer and Squid.
    #[test]
    fn shared_secrets_of_network_configs_are_hidden() {
        assert_hidden(&[
            (
                "rocommunity C1 10.0.0.0/8\nrwcommunity C2\ncom2sec ro default C3\ncom2sec -Cn ctx rw default C4\n",
                "rocommunity *** 10.0.0.0/8\nrwcommunity ***\ncom2sec ro default ***\ncom2sec -Cn ctx rw default ***\n",
            ),
            (
                "username admin privilege 15 password 0 P1\nenable password P2\nenable secret 0 P3\n",
                "username admin privilege 15 password 0 ***\nenable password ***\nenable secret 0 ***\n",
            ),
            (
                "snmp-server community C5 RO\ntacacs-server key K1\nradius-server key 7 K2\n",
                "snmp-server community *** RO\ntacacs-server key ***\nradius-server key 7 ***\n",
            ),
            (
                "line vty 0 4\n password 7 0822455D0A16\n",
                "line vty 0 4\n password 7 ***\n",
            ),
            (
                "tacacs server t1\n key 7 K3\n",
                "tacacs server t1\n key 7 ***\n",
            ),
            (
                "network={\n  ssid=\"corp\"\n  psk=\"Psk1\"\n}\n",
                "network={\n  ssid=\"corp\"\n  psk=\"***\"\n}\n",
            ),
            (
                "\"app\" \"Pw1\"\n\"ops\"  \"md5abc\"\r\n",
                "\"app\" \"***\"\n\"ops\"  \"***\"\r\n",
            ),
            (
                r#"{"userlist.txt":"\"app\" \"Pw2\"\n"}"#,
                r#"{"userlist.txt":"\"app\" \"***\"\n"}"#,
            ),
            (
                "cache_peer parent.example parent 3128 0 login=user:Pw3\n",
                "cache_peer parent.example parent 3128 0 login=user:***\n",
            ),
        ]);
    }
}
