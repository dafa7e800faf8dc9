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
use super::spans::{hcl_closing_brace, is_break, name_byte, value};
use crate::tools::masking::names_a_place;

/// A credential at `i` written in one of the shapes above: the span to hide.
pub fn credential(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let first = bytes[i];
    if first == b':' {
        return add_mask(bytes, i);
    }
    if first | 0x20 == b's'
        && let Some(found) = snmp_community_in_line(bytes, i)
    {
        return Some(found);
    }
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
                .or_else(|| labelled_default(bytes, i))
                .or_else(|| argument_directive(bytes, i))
                .or_else(|| named_directive(bytes, i))
                .or_else(|| snmp_privacy_key(bytes, i))
                .or_else(|| encryption_key(bytes, i))
        }
        Opening::Clause => hcl_block(bytes, i)
            .or_else(|| labelled_default(bytes, i))
            .or_else(|| clause_secret(bytes, i))
            .or_else(|| encryption_key(bytes, i)),
        Opening::Word => login_option(bytes, i)
            .or_else(|| snmp_privacy_key(bytes, i))
            .or_else(|| encryption_key(bytes, i)),
    }
}

/// GitHub Actions' `::add-mask::VALUE` at `i`, the command that declares VALUE a secret (a step
/// traced with `set -x` logs it): the value, to its line's end or the quote the command was
/// written in.
fn add_mask(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    const COMMAND: &[u8] = b"::add-mask::";
    let start = i + COMMAND.len();
    if !bytes.get(i..start)?.eq_ignore_ascii_case(COMMAND) {
        return None;
    }
    let quote = i
        .checked_sub(1)
        .map(|before| bytes[before])
        .filter(|b| matches!(b, b'\'' | b'"'));
    let end = (start..bytes.len())
        .find(|at| is_break(bytes, *at) || Some(bytes[*at]) == quote)
        .unwrap_or(bytes.len());
    (end > start).then_some((start, end))
}

/// Cisco's `snmp-server community C RO` (or `RW`, with an access list after it) quoted inside a
/// line (Ansible's `(item=snmp-server community C RO)`, after a log's timestamp): the community.
/// At a line's start [`argument_directive`] reads it; inside one, `RO` or `RW` after it is
/// what says it is one, so prose naming the directive keeps its words.
fn snmp_community_in_line(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    const DIRECTIVE: &[u8] = b"snmp-server";
    let words_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
    if !words_start
        || !bytes
            .get(i..i + DIRECTIVE.len())?
            .eq_ignore_ascii_case(DIRECTIVE)
    {
        return None;
    }
    let (start, end, next) = argument(bytes, i + DIRECTIVE.len())?;
    if !bytes[start..end].eq_ignore_ascii_case(b"community") {
        return None;
    }
    let (found_start, found_end, after) = argument(bytes, next)?;
    let (mode_start, mode_end, _) = argument(bytes, after)?;
    let mode = &bytes[mode_start..mode_end];
    let access = mode.len() >= 2
        && (mode[..2].eq_ignore_ascii_case(b"ro") || mode[..2].eq_ignore_ascii_case(b"rw"))
        && !mode.get(2).is_some_and(u8::is_ascii_alphanumeric);
    access.then_some((found_start, found_end))
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
    if before.is_ascii_alphanumeric()
        && !escaped_break_ends(bytes, i)
        && !escaped_tab_ends(bytes, i)
    {
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
            b't' if escaped_tab_ends(bytes, at) => at -= 2,
            // A YAML sequence's `- ` (a list of config lines, as Ansible's `lineinfile` or a
            // chart's values hold them) indents its item.
            b'-' if at < i && matches!(bytes[at], b' ' | b'\t' | b'\\') => at -= 1,
            b'\n' | b'\r' | b'"' | b'\'' => return Some(Opening::Line),
            b'{' | b';' => return Some(Opening::Clause),
            b',' | b'(' => return Some(Opening::Word),
            _ if at < i => return Some(Opening::Word),
            _ => return None,
        }
    }
}

/// Whether an escaped tab (`\t` inside a JSON string) ends just before `at`.
fn escaped_tab_ends(bytes: &[u8], at: usize) -> bool {
    at >= 2 && bytes[at - 1] == b't' && bytes[at - 2] == b'\\'
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
    if ["trap2sink", "trapsink", "informsink"]
        .iter()
        .any(|n| named(n))
    {
        // snmpd's `trap2sink HOST [COMMUNITY [PORT]]`.
        return nth_argument(bytes, name_end, 2);
    }
    if named("trapcommunity") {
        return nth_argument(bytes, name_end, 1);
    }
    if named("createUser") || named("snmp-server") {
        if let Some(keys) = snmp_user_keys(bytes, i) {
            return Some(keys.authentication);
        }
        if named("snmp-server")
            && let Some(community) = snmp_host_community(bytes, name_end)
        {
            return Some(community);
        }
    }
    if named("authentication-key") || named("message-digest-key") {
        // Junos' `authentication-key "…";` on its own.
        return routing_key(bytes, name_end).map(|(start, end, _)| (start, end));
    }
    if ["ip", "ipv6", "ntp", "area"].iter().any(|n| named(n)) {
        // OSPF's `ip ospf authentication-key K` and `ip ospf message-digest-key 1 md5 K`,
        // NTP's `ntp authentication-key 1 md5 K 7`.
        let mut at = name_end;
        while let Some((start, end, next)) = argument(bytes, at) {
            let word = &bytes[start..end];
            if word.eq_ignore_ascii_case(b"authentication-key")
                || word.eq_ignore_ascii_case(b"message-digest-key")
            {
                return routing_key(bytes, next).map(|(start, end, _)| (start, end));
            }
            at = next;
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
    // Cisco IOS: `username U privilege 15 password 0 PW`, `enable secret 0 PW`, `enable
    // password level 15 PW`, BGP's `neighbor 10.0.0.1 password PW`, `snmp-server community C
    // RO`, `tacacs-server key 7 K`, `radius-server host H key K`.
    let introduces: &[&str] = if named("username") || named("enable") || named("neighbor") {
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
            let (start, end, after) = after_type_digit(bytes, past_level(bytes, next))?;
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

/// Past `level N` after `at` (`enable secret level 15 5 HASH`), if written there.
fn past_level(bytes: &[u8], at: usize) -> usize {
    let Some((start, end, next)) = argument(bytes, at) else {
        return at;
    };
    if !bytes[start..end].eq_ignore_ascii_case(b"level") {
        return at;
    }
    argument(bytes, next).map_or(at, |(_, _, after)| after)
}

/// A routing protocol's or NTP's key after its keyword, `authentication-key` or
/// `message-digest-key`, ending at `at`: past a key number and its algorithm when written
/// (`1 md5 K`), and past the encryption type (`7 K`); and where what follows it starts.
fn routing_key(bytes: &[u8], at: usize) -> Option<(usize, usize, usize)> {
    let (start, end, next) = argument(bytes, at)?;
    let numbered = bytes[start..end].iter().all(u8::is_ascii_digit);
    if numbered && let Some((algorithm, algorithm_end, after)) = argument(bytes, next) {
        let word = &bytes[algorithm..algorithm_end];
        let algorithm = ["md5", "sha", "hmac", "cmac"]
            .iter()
            .any(|a| word.len() >= a.len() && word[..a.len()].eq_ignore_ascii_case(a.as_bytes()));
        if algorithm && let Some(key) = after_type_digit(bytes, after) {
            return Some(key);
        }
    }
    after_type_digit(bytes, at)
}

/// The keys of an SNMPv3 user, Cisco's `snmp-server user U G [remote H] v3 auth sha PW [priv
/// aes 128 PW2]` or net-snmp's `createUser [-e ID] U SHA "PW" [AES "PW2"]`, whose directive's
/// name starts at `i`.
struct SnmpUserKeys {
    authentication: (usize, usize),
    /// Where the privacy part starts (`priv`, or net-snmp's algorithm), and its key.
    privacy: Option<(usize, (usize, usize))>,
}

/// The most arguments read before Cisco's `auth`.
const SNMP_USER_ARGUMENTS_MOST: usize = 12;

fn snmp_user_keys(bytes: &[u8], i: usize) -> Option<SnmpUserKeys> {
    let (name, name_end) = name_at(bytes, i)?;
    let is = |(start, end): (usize, usize), word: &str| {
        bytes[start..end].eq_ignore_ascii_case(word.as_bytes())
    };
    // Past net-snmp's `-l`/`-m` (a localized or master key follows, not a passphrase).
    let past_key_kind = |at: usize| match argument(bytes, at) {
        Some((start, end, next)) if is((start, end), "-l") || is((start, end), "-m") => next,
        _ => at,
    };
    let (authentication, after_authentication) = if name.eq_ignore_ascii_case("createUser") {
        let (first, first_end, mut after_user) = argument(bytes, name_end)?;
        if is((first, first_end), "-e") {
            let after_engine = argument(bytes, after_user)?.2;
            after_user = argument(bytes, after_engine)?.2;
        }
        let (_, _, after_algorithm) = argument(bytes, after_user)?;
        let (start, end, next) = argument(bytes, past_key_kind(after_algorithm))?;
        ((start, end), next)
    } else {
        let (start, end, mut at) = argument(bytes, name_end)?;
        if !is((start, end), "user") {
            return None;
        }
        let mut found = None;
        for _ in 0..SNMP_USER_ARGUMENTS_MOST {
            let (start, end, next) = argument(bytes, at)?;
            if is((start, end), "auth") {
                found = Some(next);
                break;
            }
            at = next;
        }
        let (_, _, after_algorithm) = argument(bytes, found?)?;
        let (start, end, next) = argument(bytes, after_algorithm)?;
        ((start, end), next)
    };
    let privacy = argument(bytes, after_authentication).and_then(|(start, end, next)| {
        let cisco = !name.eq_ignore_ascii_case("createUser");
        let algorithm_end = if cisco {
            if !is((start, end), "priv") {
                return None;
            }
            let (algorithm, algorithm_end, after) = argument(bytes, next)?;
            let aes = bytes[algorithm..algorithm_end]
                .get(..3)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"aes"));
            // `priv aes 128 PW`: the key's size after AES.
            match argument(bytes, after) {
                Some((size, size_end, past_size))
                    if aes && bytes[size..size_end].iter().all(u8::is_ascii_digit) =>
                {
                    past_size
                }
                _ => after,
            }
        } else {
            next
        };
        let (key, key_end, _) = argument(bytes, past_key_kind(algorithm_end))?;
        Some((start, (key, key_end)))
    });
    Some(SnmpUserKeys {
        authentication,
        privacy,
    })
}

/// How far back the start of an SNMPv3 user's line is looked for from its privacy part.
const SNMP_USER_LINE_MOST: usize = 512;

/// The privacy key of an SNMPv3 user ([`SnmpUserKeys`]) when its part starts at `i` (the
/// authentication key, found at the line's start, was hidden before it).
fn snmp_privacy_key(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    // Most words are not these: their first byte says so before the word is read.
    if !matches!(bytes[i] | 0x20, b'p' | b'a' | b'd') && bytes[i] != b'3' {
        return None;
    }
    let (word, _) = name_at(bytes, i)?;
    let starts = |prefix: &[u8]| {
        word.len() >= prefix.len() && word.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    let starts_privacy = word.eq_ignore_ascii_case("priv")
        || [&b"aes"[..], b"des", b"3des"].iter().any(|a| starts(a));
    if !starts_privacy {
        return None;
    }
    // The nearest user directive at a line's start before it: the line holding `i`, if any.
    let floor = i.saturating_sub(SNMP_USER_LINE_MOST);
    let line_start = (floor..i).rev().find(|at| {
        let directive = [&b"snmp-server"[..], b"createUser"].iter().any(|d| {
            bytes[*at..]
                .get(..d.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(d))
        });
        directive && matches!(opening(bytes, *at), Some(Opening::Line))
    })?;
    let (privacy_at, key) = snmp_user_keys(bytes, line_start)?.privacy?;
    (privacy_at == i).then_some(key)
}

/// Cisco's `snmp-server host H [vrf V] [traps|informs] [version 1|2c] COMMUNITY [udp-port P]
/// [types…]` whose arguments start at `at`: the community (SNMPv3's `version 3 auth USER`
/// names a user, kept).
fn snmp_host_community(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let (start, end, next) = argument(bytes, at)?;
    if !bytes[start..end].eq_ignore_ascii_case(b"host") {
        return None;
    }
    let mut at = argument(bytes, next)?.2;
    loop {
        let (start, end, next) = argument(bytes, at)?;
        let word = &bytes[start..end];
        let is = |w: &str| word.eq_ignore_ascii_case(w.as_bytes());
        at = if is("traps") || is("informs") {
            next
        } else if is("vrf") {
            argument(bytes, next)?.2
        } else if is("version") {
            let (version, version_end, after) = argument(bytes, next)?;
            if bytes[version..version_end].starts_with(b"3") {
                return None;
            }
            after
        } else {
            return Some((start, end));
        };
    }
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
    if !written || !(bytes[i - 1].is_ascii_whitespace() || escaped_tab_ends(bytes, i)) {
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
    let close = hcl_closing_brace(bytes, at);
    let start = skip_gap(bytes, at + 1);
    let end = before_closing_line(bytes, close);
    (end > start).then_some((start, end))
}

/// How far back the `{` of the block holding a `default` is looked for.
const LABELLED_BLOCK_MOST: usize = 1024;

/// Terraform's `default = "PW"` (a variable's) or `value = …` (an output's) inside a block
/// whose quoted label names a credential (`variable "db_password" {`): the value. A map, a
/// list or a heredoc (`{`, `[`, `<<`) and `null` are kept.
fn labelled_default(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let (name, name_end) = name_at(bytes, i)?;
    if !name.eq_ignore_ascii_case("default") && !name.eq_ignore_ascii_case("value") {
        return None;
    }
    let equals = skip_gap(bytes, name_end);
    if bytes.get(equals) != Some(&b'=') {
        return None;
    }
    let start = skip_gap(bytes, equals + 1);
    if matches!(bytes.get(start), None | Some(b'=' | b'{' | b'[' | b'<')) {
        return None;
    }
    let label = block_label(bytes, enclosing_brace(bytes, i)?)?;
    if !names::credential(label) || names_a_place(label) {
        return None;
    }
    let (start, end) = value(bytes, start, false, 0)?;
    (!bytes[start..end].eq_ignore_ascii_case(b"null")).then_some((start, end))
}

/// The `{` of the block holding `at` (nested blocks before `at` counted), within
/// [`LABELLED_BLOCK_MOST`] bytes.
fn enclosing_brace(bytes: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let floor = at.saturating_sub(LABELLED_BLOCK_MOST);
    for p in (floor..at).rev() {
        match bytes[p] {
            b'}' => depth += 1,
            b'{' if depth == 0 => return Some(p),
            b'{' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The quoted label just before the `{` at `open` of a block opened at a line's start
/// (`variable "db_password" {`, its quotes as written or escaped).
fn block_label(bytes: &[u8], open: usize) -> Option<&str> {
    let mut at = open;
    while at > 0 && matches!(bytes[at - 1], b' ' | b'\t') {
        at -= 1;
    }
    // The closing quote and the backslashes escaping it.
    let quote_at = at.checked_sub(1).filter(|q| bytes[*q] == b'"')?;
    let escapes = bytes[..quote_at]
        .iter()
        .rev()
        .take_while(|b| **b == b'\\')
        .count();
    let label_end = quote_at - escapes;
    let label_len = bytes[..label_end]
        .iter()
        .rev()
        .take(NAME_MOST + 1)
        .take_while(|b| name_byte(**b))
        .count();
    let label_start = label_end - label_len;
    let opening_quote = label_start.checked_sub(escapes + 1)?;
    let opened = bytes[label_start - 1] == b'"'
        && bytes[opening_quote..label_start - 1]
            .iter()
            .all(|b| *b == b'\\');
    if label_len == 0 || label_len > NAME_MOST || !opened {
        return None;
    }
    // The block's type before its label (`variable`), at a line's start.
    let mut type_end = opening_quote;
    while type_end > 0 && matches!(bytes[type_end - 1], b' ' | b'\t') {
        type_end -= 1;
    }
    let type_len = bytes[..type_end]
        .iter()
        .rev()
        .take(NAME_MOST + 1)
        .take_while(|b| name_byte(**b))
        .count();
    let typed = type_len > 0 && type_end < opening_quote;
    if !typed || !matches!(opening(bytes, type_end - type_len), Some(Opening::Line)) {
        return None;
    }
    std::str::from_utf8(&bytes[label_start..label_end]).ok()
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

    /// Review32 S3: a `}` inside a quoted value, a heredoc or a comment ends no block.
    #[test]
    fn a_brace_in_a_string_a_heredoc_or_a_comment_ends_no_block() {
        assert_hidden(&[
            (
                "secrets = {\n  db  = \"Pw1}tail\"\n  api = \"K1\"\n}\nname = \"shown\"\n",
                "secrets = {\n  ***\n  ***\n}\nname = \"shown\"\n",
            ),
            (
                "acl {\n  tokens {\n    agent   = \"a}T\"\n    default = \"D1\"\n  }\n  enabled = true\n}\n",
                "acl {\n  tokens {\n    ***\n    ***\n  }\n  enabled = true\n}\n",
            ),
            (
                "secrets {\n  db = <<EOT\nPw2}\nEOT\n  api = \"K2\"\n}\nport = 1\n",
                "secrets {\n  ***\n***\n***\n  ***\n}\nport = 1\n",
            ),
            (
                "secrets {\n  db = <<-EOT\n    Pw3}\n    EOT\n  api = \"K3\"\n}\n",
                "secrets {\n  ***\n    ***\n    ***\n  ***\n}\n",
            ),
            (
                "credentials {\n  # a brace } in a comment\n  api = \"K4\"\n}\n",
                "credentials {\n  ***\n  ***\n}\n",
            ),
            (
                "credentials {\n  // a brace }\n  /* and } */ api = \"K5\"\n}\n",
                "credentials {\n  ***\n  ***\n}\n",
            ),
            (
                "secrets = {\n  db = \"a\\\"}b\"\n  api = \"K6\"\n}\n",
                "secrets = {\n  ***\n  ***\n}\n",
            ),
            (
                "secrets { url = https://h/p }\nport = 1\n",
                "secrets { *** }\nport = 1\n",
            ),
            (
                r#"{"vars.tf":"secrets = {\n  db = \"Pw7}tail\"\n  api = \"K7\"\n}\nport = 1\n"}"#,
                r#"{"vars.tf":"secrets = ***\nport = 1\n"}"#,
            ),
        ]);
    }

    /// Review32 S4: network devices' secrets among other arguments.
    #[test]
    fn network_device_secrets_are_hidden() {
        assert_hidden(&[
            (
                "router bgp 65000\n neighbor 10.0.0.1 remote-as 65001\n neighbor 10.0.0.1 password Pw1\n neighbor PEERS password 7 Pw2\n",
                "router bgp 65000\n neighbor 10.0.0.1 remote-as 65001\n neighbor 10.0.0.1 password ***\n neighbor PEERS password 7 ***\n",
            ),
            (
                "snmp-server user mon grp v3 auth sha Au1 priv aes 128 Pr1 access 10\nsnmp-server user ops grp remote 10.0.0.1 v3 auth md5 Au2\n",
                "snmp-server user mon grp v3 auth sha *** priv aes 128 *** access 10\nsnmp-server user ops grp remote 10.0.0.1 v3 auth md5 ***\n",
            ),
            (
                "createUser mon SHA \"Au3\" AES \"Pr3\"\ncreateUser -e 0x8000 ops MD5 Au4 DES Pr4\ncreateUser lone SHA Au5\n",
                "createUser mon SHA \"***\" AES \"***\"\ncreateUser -e 0x8000 ops MD5 *** DES ***\ncreateUser lone SHA ***\n",
            ),
            (
                "trap2sink 10.0.0.1 C1\ntrapsink host C2 162\ninformsink 10.0.0.2 C3\ntrapcommunity C4\ntrap2sink 10.0.0.3\n",
                "trap2sink 10.0.0.1 ***\ntrapsink host *** 162\ninformsink 10.0.0.2 ***\ntrapcommunity ***\ntrap2sink 10.0.0.3\n",
            ),
            (
                "snmp-server host 10.0.0.9 version 2c C5\nsnmp-server host 10.0.0.8 traps C6 udp-port 162 config\nsnmp-server host 10.0.0.7 C7\nsnmp-server host 10.0.0.6 informs version 3 priv monuser\n",
                "snmp-server host 10.0.0.9 version 2c ***\nsnmp-server host 10.0.0.8 traps *** udp-port 162 config\nsnmp-server host 10.0.0.7 ***\nsnmp-server host 10.0.0.6 informs version 3 priv monuser\n",
            ),
            (
                "interface g0\n ip ospf authentication-key K1\n ip ospf message-digest-key 1 md5 K2\n ip ospf authentication-key 7 K3\nntp authentication-key 1 md5 K4 7\n",
                "interface g0\n ip ospf authentication-key ***\n ip ospf message-digest-key 1 md5 ***\n ip ospf authentication-key 7 ***\nntp authentication-key 1 md5 *** 7\n",
            ),
            (
                "enable password level 15 Pw3\nenable secret level 5 5 Pw4\n",
                "enable password level 15 ***\nenable secret level 5 5 ***\n",
            ),
            (
                r#"{"snmpd.conf":"createUser mon SHA \"Au6\" AES \"Pr6\"\ntrap2sink h C8\n"}"#,
                r#"{"snmpd.conf":"createUser mon SHA \"***\" AES \"***\"\ntrap2sink h ***\n"}"#,
            ),
        ]);
        assert_kept(&[
            "ip address 10.0.0.1 255.255.255.0\nip ospf cost 10\n",
            "neighbor 10.0.0.1 remote-as 65001\n",
            "snmp-server user mon grp v3\n",
            "area 0 authentication message-digest\n",
            "the aes key and the priv flag\n",
            "enable password level 15\n",
        ]);
    }

    /// Review32 S5: directives as a YAML list's items, a Terraform variable named like a
    /// credential, Squid's `login=` after an escaped tab.
    #[test]
    fn directives_in_other_layouts_are_hidden() {
        assert_hidden(&[
            (
                "lines:\n  - password Pw1\n  - bindpw Pw2\n  - uri ldap://x\n",
                "lines:\n  - password ***\n  - bindpw ***\n  - uri ldap://x\n",
            ),
            (
                r#"{"lines":"- password Pw3\n- host db\n"}"#,
                r#"{"lines":"- password ***\n- host db\n"}"#,
            ),
            (
                "variable \"db_password\" {\n  type      = string\n  default   = \"Pw4\"\n  sensitive = true\n}\n",
                "variable \"db_password\" {\n  type      = string\n  default   = \"***\"\n  sensitive = true\n}\n",
            ),
            (
                "variable \"api_token\" { default = \"Pw5\" }\noutput \"db_password\" {\n  value = random_password.db.result\n}\n",
                "variable \"api_token\" { default = \"***\" }\noutput \"db_password\" {\n  value = ***\n}\n",
            ),
            (
                "variable \"db_password\" {\n  validation {\n    condition = length(var.db_password) > 8\n  }\n  default = \"Pw6\"\n}\n",
                "variable \"db_password\" {\n  validation {\n    condition = length(var.db_password) > 8\n  }\n  default = \"***\"\n}\n",
            ),
            (
                r#"{"main.tf":"variable \"db_password\" {\n  default = \"Pw7\"\n}\n"}"#,
                r#"{"main.tf":"variable \"db_password\" {\n  default = \"***\"\n}\n"}"#,
            ),
            (
                r#"{"conf": "cache_peer p parent 3128 0\tlogin=u:Pw8"}"#,
                r#"{"conf": "cache_peer p parent 3128 0\tlogin=u:***"}"#,
            ),
        ]);
        assert_kept(&[
            "- password expired\n- host db\n",
            "variable \"region\" {\n  default = \"eu-west-1\"\n}\n",
            "variable \"db_password_file\" {\n  default = \"/run/pw\"\n}\n",
            "variable \"db_password\" {\n  type    = string\n  default = null\n}\n",
            "variable \"db_password\" {\n  type = string\n}\ndefault = \"shown\"\n",
            "default = \"shown\"\n",
            "note - password b\n",
        ]);
    }

    /// The pieces review32's shapes are made of (heredocs, comments, labels, list items, SNMP
    /// users), in every order: read as every rule would, and nothing panics.
    #[test]
    fn mixes_of_labelled_blocks_and_device_lines_are_read_as_every_rule_would() {
        const PIECES: [&str; 24] = [
            "secrets {",
            "variable \"db_password\" {",
            "default = ",
            "<<EOT",
            "EOT",
            "#",
            "//",
            "/*",
            "*/",
            "- ",
            "password",
            "createUser u SHA",
            "snmp-server user u g v3 auth sha",
            " priv aes 128",
            "snmp-server host h version 2c",
            "ip ospf message-digest-key 1 md5",
            "enable secret level 15",
            "\\tlogin=u:",
            "\\\"",
            "\"",
            "}",
            "\n",
            "\\n",
            "x",
        ];
        for text in crate::testing::mixes(&PIECES, 8, 20_000) {
            let (quick, exhaustive) = super::super::masked_both_ways(&text);
            assert_eq!(quick, exhaustive, "{text:?}");
        }
    }

    /// The forty-fourth review (C1, C3): Cisco's community quoted inside a line, with its
    /// access after it; GitHub Actions' `::add-mask::` value. Prose naming them keeps its words.
    #[test]
    fn a_community_inside_a_line_and_a_masked_value_are_hidden() {
        for (text, shown) in [
            (
                "changed: [r1] => (item=snmp-server community C0mm RO)",
                "changed: [r1] => (item=snmp-server community *** RO)",
            ),
            (
                "ts applying snmp-server community C0mm RW 10",
                "ts applying snmp-server community *** RW 10",
            ),
            ("::add-mask::S3cr3tV\nnext", "::add-mask::***\nnext"),
            ("+ echo '::add-mask::S3cr3tV'", "+ echo '::add-mask::***'"),
            (
                "the snmp-server community string is set",
                "the snmp-server community string is set",
            ),
            ("::add-mask::", "::add-mask::"),
        ] {
            assert_eq!(super::super::without_credentials(text), shown, "{text}");
        }
    }
}
