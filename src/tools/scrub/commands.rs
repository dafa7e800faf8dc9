//! Credentials given to a command as its positional arguments, named by the argument before
//! them or by the command itself:
//!
//! - a setting named like a credential: `ENV DB_PASSWORD …` (a Dockerfile's older form),
//!   `aws configure set aws_secret_access_key …`, `npm config set //host/:_authToken …`,
//!   `setx API_TOKEN …`, HAProxy's `http-request set-header X-Api-Key …`;
//! - Redis's `AUTH [user] password` (as typed, and as `MONITOR` quotes it) and an ACL rule's
//!   `>password` (`user default on >…`, `ACL SETUSER app on >…`);
//! - Oracle's logon `user/password@database` after its tools (`sqlplus`, `expdp`, `rman
//!   target`, `connect`);
//! - a login's `-p` (`docker login -p …`, `sshpass -p …`, MySQL's `-p…`), and what `echo`,
//!   `printf` or a here-string gives a `--password-stdin`;
//! - a Secret's data given to `kubectl create secret` as `--from-literal=KEY=VALUE`, whatever
//!   the key is named.

use super::names;
use super::reading::{unit, word_may_start};
use super::runners;
use super::spans::{is_break, name_byte, past_break, skip_spaces, value};
use crate::tools::masking::names_a_place;

/// A credential a command's positional arguments hold, at `i`: its span.
pub fn credential(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    named_setting(bytes, i)
        .or_else(|| redis_auth(bytes, i))
        .or_else(|| redis_acl_password(bytes, i))
        .or_else(|| oracle_logon(bytes, i))
        .or_else(|| piped_password(bytes, i))
        .or_else(|| here_string_password(bytes, i))
        .or_else(|| here_document_password(bytes, i))
        .or_else(|| positional_password(bytes, i))
        .or_else(|| secret_literal(bytes, i))
        .or_else(|| rdp_password(bytes, i))
        .or_else(|| ftp_user_password(bytes, i))
        .or_else(|| ftp_raw_password(bytes, i))
}

/// FreeRDP's clients, whose `/p:` (`/password:`) takes the password.
const FREERDP: [&str; 4] = ["xfreerdp", "wlfreerdp", "sdl-freerdp", "xfreerdp3"];

/// FreeRDP's `/p:PASSWORD` at `i`, after one of [`FREERDP`] on its line: the password.
fn rdp_password(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if bytes[i] != b'/' || i == 0 || !matches!(bytes[i - 1], b' ' | b'\t') {
        return None;
    }
    let switch = [&b"/p:"[..], b"/password:"]
        .into_iter()
        .find(|s| bytes[i..].starts_with(s))?;
    if !command_before(bytes, i, &FREERDP) {
        return None;
    }
    value(bytes, i + switch.len(), false, 0).filter(|(s, e)| e > s)
}

/// An ftp script's `user NAME PASSWORD` line at `i` (`ftp -n host <<EOF`, a `.ftprc`; `USER` in
/// any case, as ftp reads it), with ftp named in the [`HERE_DOCUMENT_MOST`] bytes before it
/// ([`ftp_named_before`]): the password. `user alice` alone asks for it; a line with more
/// words is prose.
fn ftp_user_password(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let name = ftp_word(bytes, i, b"user")?;
    if !line_before(bytes, i).trim_ascii().is_empty() {
        return None;
    }
    let name_end = name
        + bytes[name..]
            .iter()
            .take(LONGEST_SETTING)
            .take_while(|b| !b.is_ascii_whitespace())
            .count();
    let start = skip_spaces(bytes, name_end);
    if name_end == name || start == name_end {
        return None;
    }
    ftp_line_password(bytes, i, start)
}

/// An ftp script's raw FTP `PASS PASSWORD` at `i`, sent with `quote` or `literal` (`quote PASS
/// …`), or written alone on its line in a script fed to ftp, with ftp named before it as for
/// [`ftp_user_password`]: the password.
fn ftp_raw_password(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let pass = ftp_word(bytes, i, b"quote")
        .or_else(|| ftp_word(bytes, i, b"literal"))
        .unwrap_or(i);
    let start = ftp_word(bytes, pass, b"pass")?;
    // The line read back only where its words are found: not at every byte of a text.
    if !line_before(bytes, i).trim_ascii().is_empty() {
        return None;
    }
    ftp_line_password(bytes, i, start)
}

/// Where the next word starts when `word` (in any case) is written at `at`, then spaces or
/// tabs.
fn ftp_word(bytes: &[u8], at: usize, word: &[u8]) -> Option<usize> {
    let written = bytes.get(at..at + word.len())?;
    let next = skip_spaces(bytes, at + word.len());
    (written.eq_ignore_ascii_case(word) && next > at + word.len()).then_some(next)
}

/// The password at `start` of an ftp script's line at `line` when it ends the line (as
/// written, or escaped in JSON text) and ftp is named before it ([`ftp_named_before`]).
fn ftp_line_password(bytes: &[u8], line: usize, start: usize) -> Option<(usize, usize)> {
    let (start, end) = value(bytes, start, false, 0)?;
    let rest = &bytes[end..bytes.len().min(end + 4)];
    let ends_line = rest.first().is_none_or(|b| matches!(b, b'\n' | b'\r'))
        || rest.starts_with(b"\\n")
        || rest.starts_with(b"\\r")
        || rest.first() == Some(&b'\'') && rest.get(1).is_none_or(|b| *b == b'\n');
    (ends_line && end > start && ftp_named_before(bytes, line)).then_some((start, end))
}

/// Whether `ftp` (or `lftp`) is named as a word, then a space or a tab, in the
/// [`HERE_DOCUMENT_MOST`] bytes before `i`: the script the line at `i` is part of.
fn ftp_named_before(bytes: &[u8], i: usize) -> bool {
    let floor = i.saturating_sub(HERE_DOCUMENT_MOST);
    bytes[floor..i].windows(4).enumerate().any(|(n, w)| {
        let at = floor + n;
        let word = if at > 0 && bytes[at - 1] == b'l' {
            at - 1
        } else {
            at
        };
        w.starts_with(b"ftp")
            && matches!(w[3], b' ' | b'\t')
            && word_may_start(bytes, word, |b| b.is_ascii_alphanumeric())
    })
}

/// `kubectl create secret … --from-literal=KEY=VALUE` (or `--from-literal KEY=VALUE`, the pair
/// quoted or not) at `i`: the value, a Secret's data whatever its key is named.
fn secret_literal(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    const FLAG: &[u8] = b"--from-literal";
    if !bytes[i..].starts_with(FLAG)
        || (i > 0 && !matches!(bytes[i - 1], b' ' | b'\t' | b'"' | b'\'' | b'[' | b','))
    {
        return None;
    }
    let at = i + FLAG.len();
    let pair = match bytes.get(at) {
        Some(b'=') => at + 1,
        Some(b' ' | b'\t') => skip_spaces(bytes, at),
        _ => return None,
    };
    // The pair quoted whole (`'conn=…'`): the value ends with it.
    let quote = (pair < bytes.len()).then(|| unit(bytes, pair))?;
    let (key_start, pair_end) = if matches!(quote.ch, b'"' | b'\'') {
        value(bytes, pair, false, 0)?
    } else {
        (pair, bytes.len())
    };
    let key_len = bytes[key_start..pair_end]
        .iter()
        .take_while(|b| name_byte(**b))
        .count();
    let start = key_start + key_len;
    if key_len == 0 || bytes.get(start) != Some(&b'=') || start + 1 >= pair_end {
        return None;
    }
    if pair_end < bytes.len() {
        return Some((start + 1, pair_end));
    }
    value(bytes, start + 1, false, 0)
}

/// Registry and service logins whose `-p` takes the password as the next argument.
const LOGINS_SPACED: [&str; 29] = [
    "mongosh",
    "mongo",
    "mongodump",
    "mongorestore",
    "mongoexport",
    "mongoimport",
    "mongostat",
    "mongotop",
    "mongofiles",
    "cqlsh",
    "rabbitmqadmin",
    "az login",
    "docker login",
    "podman login",
    "buildah login",
    "nerdctl login",
    "helm registry login",
    "oras login",
    "skopeo login",
    "cf login",
    "crane auth login",
    "sshpass",
    "psexec",
    "psexec64",
    "rdesktop",
    "ncftp",
    "ncftpget",
    "ncftpput",
    "ncftpls",
];

/// MySQL's tools, 7-Zip's builds and RAR's, whose `-p` takes the password attached
/// (`-pSECRET`; `-p` alone asks for it).
const LOGINS_ATTACHED: [&str; 12] = [
    "mysql",
    "mysqldump",
    "mysqladmin",
    "mysqlimport",
    "mariadb",
    "7z",
    "7za",
    "7zz",
    "7zr",
    "p7zip",
    "unrar",
    "rar",
];

/// How a command reads a one-letter flag's value.
#[derive(Clone, Copy, PartialEq)]
enum Takes {
    /// The flag stands alone; its value is the next argument (`redis-cli -a PW`).
    Spaced,
    /// The flag stands alone; its value is the next argument or attached (`sqlcmd -PPW`).
    Attached,
    /// As getopt: the flag may close a cluster of others (`zip -rP PW`) and take its value
    /// attached (`zip -PPW`) or as the next argument.
    Getopt,
}

/// Other one-letter flags that take the password as their value, how the command reads them
/// ([`Takes`]), and the commands they do so for (`redis-cli -a`, `sqlcmd -P`, `zip -P`,
/// `openssl enc -k`, the LDAP tools' `-w`, `ldappasswd -s`).
const PASSWORD_FLAGS: [(u8, Takes, &[&str]); 13] = [
    (b'a', Takes::Spaced, &["redis-cli", "redis-benchmark"]),
    (b'P', Takes::Getopt, &["zip", "unzip"]),
    // Not as getopt: `sqlcmd -SProdServer` attaches a server's name, and no flag clusters.
    // The other SQL Server clients (FreeTDS's, Sybase's) and IPMI's alike.
    (
        b'P',
        Takes::Attached,
        &["sqlcmd", "isql", "tsql", "bcp", "sqsh", "ipmitool"],
    ),
    (
        b'P',
        Takes::Spaced,
        &["mosquitto_pub", "mosquitto_sub", "mosquitto_rr"],
    ),
    // The new and the old passphrase of a key.
    (b'N', Takes::Attached, &["ssh-keygen"]),
    (b'P', Takes::Attached, &["ssh-keygen"]),
    // SNMPv3's authentication and privacy passphrases (`-OX` is an output option: no cluster).
    (b'A', Takes::Attached, &SNMP_TOOLS),
    (b'X', Takes::Attached, &SNMP_TOOLS),
    (b'k', Takes::Spaced, &["openssl"]),
    (
        b'w',
        Takes::Getopt,
        &[
            "ldapsearch",
            "ldapmodify",
            "ldapadd",
            "ldapdelete",
            "ldapwhoami",
            "ldappasswd",
            "ldapcompare",
        ],
    ),
    // lftp's `-u user,PW` (curl's `-u user:PW` is [`super::assignments::user_flag`]'s).
    (b'u', Takes::Spaced, &["lftp"]),
    // The new and the old password ldappasswd sets (`-s`, `-a`; ldapsearch's `-s` is a scope).
    (b's', Takes::Getopt, &["ldappasswd"]),
    (b'a', Takes::Getopt, &["ldappasswd"]),
];

/// Net-SNMP's tools.
const SNMP_TOOLS: [&str; 9] = [
    "snmpwalk",
    "snmpbulkwalk",
    "snmpget",
    "snmpgetnext",
    "snmpbulkget",
    "snmpset",
    "snmptrap",
    "snmptable",
    "snmpinform",
];

/// The LDAP tools' one-letter options that take a value (`-D binddn`, `-H uri`, `-s`'s new
/// password and ldapsearch's scope alike).
const LDAP_VALUED: &[u8] = b"aDdeEfHhopORsTtUwXYy";

/// The most one-letter flags read before a password flag in one cluster (`-qrP`).
const CLUSTER_MOST: usize = 8;

/// How far back on its line a `-p` looks for the command it belongs to.
const COMMAND_BEFORE_MOST: usize = 256;

/// The command `-p` at `i` is an option of, on its line before it: the login's spaced or
/// attached form.
fn login_before(bytes: &[u8], i: usize) -> Option<bool> {
    if command_before(bytes, i, &LOGINS_SPACED) {
        Some(true)
    } else if command_before(bytes, i, &LOGINS_ATTACHED) {
        Some(false)
    } else {
        None
    }
}

/// Whether the `|`, `;` or `&` at `at` ends a command: not the `&` of a redirection (`2>&1`,
/// `<&3`, `&>/dev/null`, `&>>log`), which the command goes on past.
fn ends_command(bytes: &[u8], at: usize) -> bool {
    match bytes[at] {
        b'|' | b';' => true,
        b'&' => {
            let after_arrow = at > 0 && matches!(bytes[at - 1], b'>' | b'<');
            !after_arrow && bytes.get(at + 1) != Some(&b'>')
        }
        _ => false,
    }
}

/// Whether one of `commands` (words, a path's last part for the first) is named on the line
/// before `i` (continued lines read as one).
pub(super) fn command_before(bytes: &[u8], i: usize, commands: &[&str]) -> bool {
    let floor = i.saturating_sub(COMMAND_BEFORE_MOST);
    let start = (floor..i)
        .rev()
        .find(|&p| match bytes[p] {
            b'\n' | b'\r' => !continued_before(bytes, floor, p),
            _ => ends_command(bytes, p),
        })
        .map_or(floor, |p| p + 1);
    let line = String::from_utf8_lossy(&bytes[start..i]);
    let words: Vec<&str> = line
        .split_whitespace()
        .filter(|w| !matches!(w.as_bytes(), [c] if CONTINUATIONS.contains(c)))
        .collect();
    commands.iter().any(|command| {
        let parts: Vec<&str> = command.split(' ').collect();
        words.windows(parts.len()).any(|w| {
            w.iter().zip(&parts).all(|(word, part)| {
                let name = word.rsplit(['/', '\\']).next().unwrap_or(word);
                name.strip_prefix(part)
                    .is_some_and(|rest| rest.is_empty() || windows_suffix(rest.as_bytes()))
            })
        })
    })
}

/// `docker login -u robot -p SECRET …`, `sshpass -p SECRET ssh …`, `mysql -uroot -pSECRET`:
/// the password.
pub fn login_password(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if bytes[i] != b'-' || (i > 0 && !matches!(bytes[i - 1], b' ' | b'\t')) {
        return None;
    }
    for (flag, takes, commands) in PASSWORD_FLAGS {
        // Where the flag's value starts: the next argument, or attached in a getopt cluster.
        let cluster = if takes == Takes::Getopt {
            CLUSTER_MOST + 1
        } else {
            1
        };
        // The LDAP tools' options that take a value end a cluster (`-Hldaps://…` is no `-s`).
        let ldap = commands[0].starts_with("ldap");
        let Some(at) = bytes[i + 1..]
            .iter()
            .take(cluster)
            .take_while(|b| b.is_ascii_alphanumeric())
            .take_while(|b| !(ldap && LDAP_VALUED.contains(b) && **b != flag))
            .position(|b| *b == flag)
            .map(|n| i + 2 + n)
        else {
            continue;
        };
        let spaced = matches!(bytes.get(at), Some(b' ' | b'\t'));
        let attached =
            takes != Takes::Spaced && bytes.get(at).is_some_and(|b| !b.is_ascii_whitespace());
        if !(spaced || attached) || !command_before(bytes, i, commands) {
            continue;
        }
        // The value may be on the next line (`ldappasswd -s \` then the password).
        let start = if spaced {
            past_continuation(bytes, skip_spaces(bytes, at))
        } else {
            at
        };
        let found = value(bytes, start, false, 0).filter(|(s, e)| e > s && bytes[*s] != b'-');
        // lftp's value is `user,password`: the password after the comma.
        return match flag {
            b'u' => found.and_then(|(start, end)| {
                let comma = bytes[start..end].iter().position(|b| *b == b',')?;
                (start + comma + 1 < end).then_some((start + comma + 1, end))
            }),
            _ => found,
        };
    }
    let p = mysql_cluster_password(bytes, i).unwrap_or(i + 1);
    if bytes.get(p) != Some(&b'p') {
        return None;
    }
    let spaced = login_before(bytes, i)?;
    // A login's `-p` takes its value attached too (`-pSECRET`), as Docker's flag parser does.
    let start = if spaced && matches!(bytes.get(p + 1), Some(b' ' | b'\t')) {
        past_continuation(bytes, skip_spaces(bytes, p + 1))
    } else {
        p + 1
    };
    value(bytes, start, false, 0).filter(|(s, e)| e > s && bytes[*s] != b'-')
}

/// MySQL's tools, which read their flags as getopt does.
const MYSQL_TOOLS: [&str; 5] = ["mysql", "mysqldump", "mysqladmin", "mysqlimport", "mariadb"];

/// MySQL's one-letter options that take a value (`-hpgdb` is a host, not a `-p`).
const MYSQL_VALUED: &[u8] = b"DeFhOPSTuW";

/// The `p` closing a cluster of MySQL's switches at `i` (`-Bsp'PW'`, `-BspPW`): where it is,
/// when a MySQL tool is named before it. Other logins' `-p` stands alone (7-Zip's `-bsp1` is
/// one switch).
fn mysql_cluster_password(bytes: &[u8], i: usize) -> Option<usize> {
    let at = i
        + 1
        + bytes[i + 1..]
            .iter()
            .take(CLUSTER_MOST + 1)
            .take_while(|b| b.is_ascii_alphabetic() && !MYSQL_VALUED.contains(b))
            .position(|b| *b == b'p')?;
    (at > i + 1 && command_before(bytes, i, &MYSQL_TOOLS)).then_some(at)
}

/// Whether a login that reads its password from standard input is named in `text`.
fn reads_password_from_stdin(text: &[u8]) -> bool {
    let text = String::from_utf8_lossy(text);
    text.contains("--password-stdin") || text.contains("--pass-stdin")
}

/// What a command reads from standard input as a password.
#[derive(Clone, Copy, PartialEq)]
enum StdinPassword {
    /// All of it: a login's `--password-stdin`, `passwd` (the new password, twice).
    Whole,
    /// `user:password` lines (`chpasswd`): what follows the first colon.
    AfterColon,
}

/// Commands that pass what they read on to the next command of a pipeline (`yes PW | head -2
/// | passwd bob`, `echo PW | tee log | passwd`): what reads the password is past them.
const PASS_THROUGH: [&[u8]; 4] = [b"head", b"tail", b"tee", b"cat"];

/// The most [`PASS_THROUGH`] commands followed in one pipeline (each read once, so a line of
/// them is read in bounded time).
const PASS_THROUGH_MOST: usize = 4;

/// How the command `text` starts with (past `sudo`, `chroot DIR` and the other runners:
/// [`runners::command_run`]; past pass-through filters to the command they feed), or a login
/// named in it, reads a password from standard input; None when it reads none. `sudo -S`
/// reads its own password there.
fn stdin_password(text: &[u8]) -> Option<StdinPassword> {
    if reads_password_from_stdin(text) {
        return Some(StdinPassword::Whole);
    }
    let mut command = text;
    for _ in 0..=PASS_THROUGH_MOST {
        let run = runners::command_run(command)?;
        match run.name {
            _ if run.sudo_reads_stdin => return Some(StdinPassword::Whole),
            b"chpasswd" => return Some(StdinPassword::AfterColon),
            b"passwd" => return Some(StdinPassword::Whole),
            name if PASS_THROUGH.contains(&name) => {
                let end = (0..command.len()).find(|&p| ends_command(command, p))?;
                if command[end] != b'|' {
                    return None;
                }
                command = piped_to(&command[end + 1..])?;
            }
            _ => return None,
        }
    }
    None
}

/// What the pipe before `after` feeds: the command past it, also past `|&` (which pipes
/// standard error too). None for `||`, which runs the next command only when one fails.
fn piped_to(after: &[u8]) -> Option<&[u8]> {
    match after.first() {
        Some(b'|') => None,
        Some(b'&') => Some(&after[1..]),
        _ => Some(after),
    }
}

/// The part of `span` (what is fed to standard input) that is the password `reads` reads.
fn fed_password(
    bytes: &[u8],
    (start, end): (usize, usize),
    reads: StdinPassword,
) -> Option<(usize, usize)> {
    if reads == StdinPassword::Whole {
        return (end > start).then_some((start, end));
    }
    let colon = start + bytes[start..end].iter().position(|b| *b == b':')?;
    // Inside the closing quote, written or escaped.
    let mut end = end;
    while end > colon + 1 && matches!(bytes[end - 1], b'"' | b'\'' | b'\\') {
        end -= 1;
    }
    (end > colon + 1).then_some((colon + 1, end))
}

/// `echo SECRET | docker login --password-stdin …` (also `printf`, `yes SECRET`, a here-string
/// `cat <<< SECRET |`, and the pipe on the next line after a `\`): what is fed to the login;
/// also what is fed to `passwd` and `chpasswd` ([`stdin_password`]). `yes` alone feeds `y`.
fn piped_password(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    // The command's name, then a space or a tab (a here-string's `<<<` ends it).
    let command = ["echo", "printf", "yes", "cat <<<"].into_iter().find(|c| {
        bytes[i..].starts_with(c.as_bytes())
            && (c.ends_with('<') || matches!(bytes.get(i + c.len()), Some(b' ' | b'\t')))
    })?;
    if !word_may_start(bytes, i, command_byte) {
        return None;
    }
    // Read within bounds: what `echo` says is short, and so is the command it feeds. (Read to
    // the line's end from every `echo`, a long line of them took quadratic time.) A line
    // continued with `\` goes on to the next one.
    let bounded = |from: usize, most: usize| {
        let window = &bytes[from..bytes.len().min(from + most)];
        from + window
            .iter()
            .enumerate()
            .filter(|(_, b)| matches!(b, b'\n' | b'\r'))
            .find(|(at, _)| !window[..*at].trim_ascii_end().ends_with(b"\\"))
            .map_or(window.len(), |(at, _)| at)
    };
    let pipe = i + bytes[i..bounded(i, COMMAND_BEFORE_MOST)]
        .iter()
        .position(|b| *b == b'|')?;
    let reads = stdin_password(piped_to(
        &bytes[pipe + 1..bounded(pipe, 2 * COMMAND_BEFORE_MOST)],
    )?)?;
    let mut start = skip_spaces(bytes, i + command.len());
    // `echo -e`, `echo -n`: what is said follows the switches.
    if command == "echo" {
        while matches!(&bytes[start..], [b'-', b'e' | b'n' | b'E', ..]) {
            let switches = bytes[start + 1..]
                .iter()
                .take(3)
                .take_while(|b| matches!(b, b'e' | b'n' | b'E'))
                .count();
            if !matches!(bytes.get(start + 1 + switches), Some(b' ' | b'\t')) {
                break;
            }
            start = skip_spaces(bytes, start + 1 + switches);
        }
    }
    let end = (start..pipe)
        .rev()
        .find(|p| !matches!(bytes[*p], b' ' | b'\t' | b'\\' | b'\n' | b'\r'))
        .map(|p| p + 1)?;
    fed_password(bytes, (start, end), reads)
}

/// `docker login --password-stdin <<< SECRET`, `chpasswd <<< 'root:SECRET'`: the here-string
/// after a command that reads a password from standard input ([`stdin_password`]), on the line
/// before it.
fn here_string_password(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if !bytes[i..].starts_with(b"<<<") {
        return None;
    }
    let floor = i.saturating_sub(COMMAND_BEFORE_MOST);
    let line_start = (floor..i)
        .rev()
        .find(|&p| matches!(bytes[p], b'\n' | b'\r') || bytes[p] != b'|' && ends_command(bytes, p))
        .map_or(floor, |p| p + 1);
    let reads = stdin_password(&bytes[line_start..i])?;
    let fed = value(bytes, skip_spaces(bytes, i + 3), false, 0)?;
    fed_password(bytes, fed, reads)
}

/// The most bytes of a here-document read as what a login reads from standard input.
const HERE_DOCUMENT_MOST: usize = 1024;

/// `docker login --password-stdin <<EOF`, the password on the lines below, then `EOF` (also
/// `cat <<EOF | helm registry login --password-stdin …`, and what `chpasswd` or `passwd` reads:
/// [`here_document_reader`]): the lines up to the terminator, or up to [`HERE_DOCUMENT_MOST`]
/// bytes when it is not found by then; for `chpasswd`, from its first line's password on.
fn here_document_password(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if !bytes[i..].starts_with(b"<<")
        || bytes.get(i + 2) == Some(&b'<')
        || i > 0 && bytes[i - 1] == b'<'
    {
        return None;
    }
    // The terminator: `<<EOF`, `<<-EOF`, `<< 'EOF'`, `<<"EOF"` (a quote escaped in JSON too).
    let mut at = skip_spaces(bytes, i + 2 + usize::from(bytes.get(i + 2) == Some(&b'-')));
    at += bytes[at..]
        .iter()
        .take(8)
        .take_while(|b| matches!(b, b'\\' | b'"' | b'\''))
        .count();
    let word_len = bytes[at..]
        .iter()
        .take(64)
        .take_while(|b| terminator_byte(**b))
        .count();
    let terminator = &bytes[at..at + word_len];
    // The command's line, read within bounds around `<<` (a long line of them is read in
    // linear time), names what reads the document; the document starts below it.
    let window_end = bytes.len().min(i + COMMAND_BEFORE_MOST);
    let line_break = (at..window_end).find(|p| is_break(bytes, *p))?;
    if word_len == 0 {
        return None;
    }
    let reads = here_document_reader(bytes, i, &bytes[at + word_len..line_break])?;
    let document = document_lines(bytes, past_break(bytes, line_break), terminator)?;
    fed_password(bytes, document, reads)
}

/// Whether `b` may be part of a here-document's terminator word.
fn terminator_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// How what a here-document at `i` (`<<`) feeds reads a password from it, `after` the rest of
/// its line past the terminator word: a login named on the line (`docker login
/// --password-stdin <<EOF`, `cat <<EOF | docker login --password-stdin`), the command written
/// before `<<` (`sudo chpasswd <<EOF`), or the command `after` pipes it to (`cat <<EOF |
/// chpasswd`). None when nothing reads one.
fn here_document_reader(bytes: &[u8], i: usize, after: &[u8]) -> Option<StdinPassword> {
    let before = line_before(bytes, i);
    if reads_password_from_stdin(before) || reads_password_from_stdin(after) {
        return Some(StdinPassword::Whole);
    }
    stdin_password(last_command(before)).or_else(|| {
        let pipe = after.iter().position(|b| *b == b'|')?;
        stdin_password(piped_to(&after[pipe + 1..])?)
    })
}

/// The last command `line` starts: past its last pipe, `;`, `&`, opening bracket, backquote
/// or quote (`sh -c "chpasswd <<EOF`, `{ chpasswd <<EOF`).
fn last_command(line: &[u8]) -> &[u8] {
    let start = (0..line.len())
        .rposition(|p| {
            matches!(line[p], b'(' | b'{' | b'`' | b'"' | b'\'') || ends_command(line, p)
        })
        .map_or(0, |p| p + 1);
    &line[start..]
}

/// A here-document's lines from `body`: up to the line holding `terminator` alone (past its
/// indentation), or up to [`HERE_DOCUMENT_MOST`] bytes when it is not found by then (to the
/// last line's end, or the bound on a character). None when it has none.
fn document_lines(bytes: &[u8], body: usize, terminator: &[u8]) -> Option<(usize, usize)> {
    let bound = bytes.len().min(body + HERE_DOCUMENT_MOST);
    let (mut line, mut end, mut p) = (body, None, body);
    while p <= bound {
        if p < bytes.len() && !is_break(bytes, p) {
            p += 1;
            continue;
        }
        // Past the indentation (`<<-` strips tabs), as written or escaped.
        let mut first = line;
        while first < p && matches!(unit(bytes, first).ch, b' ' | b'\t') {
            first += unit(bytes, first).len;
        }
        if bytes[first..].starts_with(terminator)
            && !bytes
                .get(first + terminator.len())
                .is_some_and(|b| terminator_byte(*b))
        {
            return end.map(|end| (body, end));
        }
        if p == bytes.len() {
            end = Some(p);
            break;
        }
        (end, p, line) = (Some(p), past_break(bytes, p), past_break(bytes, p));
    }
    let mut end = end.unwrap_or(bound.min(bytes.len()));
    while end > body && end < bytes.len() && bytes[end] & 0xC0 == 0x80 {
        end -= 1;
    }
    (end > body).then_some((body, end))
}

/// Subcommands that take a password as a plain argument: the command, the subcommand's words,
/// and which of the plain arguments after them (from 0) is the password. Flags before the
/// subcommand are passed over (`rabbitmqctl -n rabbit@db add_user …`), and among the arguments
/// after it ([`nth_plain_after`]).
const PASSWORD_ARGUMENTS: [(&str, &[&str], usize); 11] = [
    ("rabbitmqctl", &["add_user"], 1),
    ("rabbitmqctl", &["change_password"], 1),
    ("rabbitmqctl", &["authenticate_user"], 1),
    ("rabbitmqctl", &["hash_password"], 0),
    // MinIO's client: `mc alias set NAME URL ACCESS_KEY SECRET_KEY` (older `config host add`).
    ("mc", &["alias", "set"], 3),
    ("mc", &["config", "host", "add"], 3),
    // Windows' `net user NAME PASSWORD`, and `net use [DRIVE:] \\\\server\\share PASSWORD` (the
    // word after the share: [`positional_password`]).
    ("net", &["user"], 1),
    ("net", &["use"], 0),
    ("wpa_passphrase", &[], 1),
    // Hashing commands, given the cleartext they hash.
    ("openssl", &["passwd"], 0),
    ("mkpasswd", &[], 0),
];

/// Flags of [`PASSWORD_ARGUMENTS`]' commands known to take the next word as their value
/// (`mc alias set --api S3v4 …`, `rabbitmqctl -n rabbit@db …`).
const VALUE_FLAGS: [&str; 9] = [
    "--api",
    "--path",
    "--config-dir",
    "-C",
    "-n",
    "--node",
    "-salt",
    "-m",
    "--method",
];

/// The end of the command line from `from` on, within `window_end`: at a line break, a pipe,
/// `;` or `&`, but not at a break continued by a `\` before it (spaces between), so that a
/// command written over several lines reads as one.
fn continued_line_end(bytes: &[u8], from: usize, window_end: usize) -> usize {
    (from..window_end)
        .find(|&at| match bytes[at] {
            b'\n' | b'\r' => !continued_before(bytes, from, at),
            _ => ends_command(bytes, at),
        })
        .unwrap_or(window_end)
}

/// What continues a command on the next line when it ends one: a shell's `\`, PowerShell's
/// backtick, cmd's `^`. Written twice it is the character itself (`\\`, ``` `` ```, `^^`).
const CONTINUATIONS: &[u8] = b"\\`^";

/// Whether the line break at `at` continues the line (one of [`CONTINUATIONS`] before it,
/// spaces or the `\r` of a CRLF between), looking back no further than `floor`.
fn continued_before(bytes: &[u8], floor: usize, at: usize) -> bool {
    // One `\r` only: a run of them is read once per break, in linear time.
    let mut end = at;
    if end > floor && bytes[at] == b'\n' && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    while end > floor && matches!(bytes[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    match &bytes[floor..end] {
        [.., before, last] => CONTINUATIONS.contains(last) && before != last,
        [last] => CONTINUATIONS.contains(last),
        [] => false,
    }
}

/// Past a continuation at `at` (one of [`CONTINUATIONS`], spaces, the line break and the next
/// line's indentation): where a flag's value written on the next line starts. `at` itself
/// when there is none.
fn past_continuation(bytes: &[u8], at: usize) -> usize {
    if !bytes.get(at).is_some_and(|b| CONTINUATIONS.contains(b)) {
        return at;
    }
    let spaces = skip_spaces(bytes, at + 1);
    if !matches!(bytes.get(spaces), Some(b'\n' | b'\r'))
        || !continued_before(bytes, at.saturating_sub(1), spaces)
    {
        return at;
    }
    skip_spaces(bytes, past_break(bytes, spaces))
}

/// The Windows spellings of a command's file (`mc.exe`, `rabbitmqctl.bat`, `.cmd`).
const WINDOWS_SUFFIXES: [&[u8]; 3] = [b".exe", b".bat", b".cmd"];

/// Whether `rest`, what follows a command's name in its file's name, is a Windows suffix
/// ([`WINDOWS_SUFFIXES`], in any case).
fn windows_suffix(rest: &[u8]) -> bool {
    WINDOWS_SUFFIXES
        .iter()
        .any(|suffix| rest.eq_ignore_ascii_case(suffix))
}

/// Where the command `name` (words separated by one space) ends when it is written at `i`: its
/// words separated by spaces or tabs, the first maybe with a Windows suffix
/// ([`WINDOWS_SUFFIXES`]), then a space or a tab.
fn command_at(bytes: &[u8], i: usize, name: &str) -> Option<usize> {
    /// How long a Windows suffix is ([`WINDOWS_SUFFIXES`]).
    const SUFFIX_LEN: usize = 4;
    // Asked for many names at every word: most differ at the first byte.
    if bytes.get(i) != name.as_bytes().first() {
        return None;
    }
    let mut at = i;
    for (n, part) in name.split(' ').enumerate() {
        if n > 0 {
            let blanks = skip_spaces(bytes, at);
            if blanks == at {
                return None;
            }
            at = blanks;
        }
        if !bytes[at..].starts_with(part.as_bytes()) {
            return None;
        }
        // The word as written, read no further than the longest it may be.
        let len = bytes[at..]
            .iter()
            .take(part.len() + SUFFIX_LEN)
            .take_while(|b| !matches!(b, b' ' | b'\t'))
            .count();
        let word = &bytes[at..at + len];
        let rest = &word[part.len()..];
        if !(rest.is_empty() || n == 0 && windows_suffix(rest)) {
            return None;
        }
        at += len;
    }
    matches!(bytes.get(at), Some(b' ' | b'\t')).then_some(at)
}

/// Commands that take a password as a plain argument, at `i`: `mysqladmin … password SECRET`,
/// `htpasswd -b[…] FILE USER SECRET` (`-nb USER SECRET` without a file), `vault login TOKEN`,
/// and [`PASSWORD_ARGUMENTS`] (`mcli` is MinIO's client as Debian names it), their words
/// separated by spaces or tabs, a Windows suffix to the command's name ([`command_at`]). The
/// word, without the punctuation a message puts after it, or inside its quotes when quoted. A
/// line continued ([`CONTINUATIONS`]) goes on.
fn positional_password(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    const COMMANDS: [&str; 11] = [
        "mysqladmin",
        "nmcli",
        "htpasswd",
        "vault login",
        "rabbitmqctl",
        "mc",
        "mcli",
        "net",
        "wpa_passphrase",
        "openssl",
        "mkpasswd",
    ];
    let (command, after_command) = COMMANDS
        .iter()
        .find_map(|c| command_at(bytes, i, c).map(|end| (*c, end)))?;
    let command = if command == "mcli" { "mc" } else { command };
    if !word_may_start(bytes, i, command_byte) {
        return None;
    }
    let window_end = bytes.len().min(i + COMMAND_BEFORE_MOST);
    let line_end = continued_line_end(bytes, i, window_end);
    // The words after the command, each as where it starts and ends: a continuation and its
    // line break are spaces between them.
    let gap = |at: usize| match bytes[at] {
        b' ' | b'\t' | b'\n' | b'\r' => true,
        b'\\' | b'`' | b'^' => {
            let spaces = skip_spaces(bytes, at + 1);
            spaces >= line_end || matches!(bytes[spaces], b'\n' | b'\r')
        }
        _ => false,
    };
    let mut words = Vec::new();
    let mut at = after_command;
    while at < line_end {
        while at < line_end && gap(at) {
            at += 1;
        }
        let start = at;
        // A word quoted whole holds its spaces (`"my minio"`, `'ad min'`), as a shell reads it.
        at = quoted_word_end(bytes, at, line_end).unwrap_or(at);
        while at < line_end && !gap(at) {
            at += 1;
        }
        if at > start {
            words.push((start, at));
        }
    }
    let text = |(start, end): (usize, usize)| &bytes[start..end];
    // Windows' `net` writes its switches with a slash (`/add`, `/user:dom\\bob`).
    if command == "net" {
        words.retain(|w| !text(*w).starts_with(b"/"));
    }
    let is_flag = |word: &(usize, usize)| text(*word).starts_with(b"-");
    let plain: Vec<(usize, usize)> = words.iter().copied().filter(|w| !is_flag(w)).collect();
    let found = match command {
        // `mysqladmin … password SECRET`, `nmcli dev wifi connect SSID password SECRET`.
        "mysqladmin" | "nmcli" => words
            .iter()
            .position(|w| text(*w) == b"password")
            .and_then(|n| words.get(n + 1))
            .copied(),
        "rabbitmqctl" | "mc" | "net" | "wpa_passphrase" | "openssl" | "mkpasswd" => {
            PASSWORD_ARGUMENTS
                .iter()
                .filter(|(name, _, _)| *name == command)
                .find_map(|(_, subcommand, n)| {
                    let after = if subcommand.is_empty() {
                        0
                    } else {
                        let at = plain.windows(subcommand.len()).position(|w| {
                            w.iter()
                                .zip(subcommand.iter())
                                .all(|(word, part)| text(*word) == part.as_bytes())
                        })?;
                        let last = plain[at + subcommand.len() - 1];
                        words.iter().position(|w| *w == last)? + 1
                    };
                    let mut rest = &words[after..];
                    if command == "net" && *subcommand == ["use"] {
                        let share = rest.iter().position(|w| text(*w).starts_with(b"\\\\"))?;
                        rest = &rest[share + 1..];
                    }
                    nth_plain_after(bytes, rest, *n)
                })
        }
        "htpasswd" => {
            let short_flags = || {
                words
                    .iter()
                    .filter(|w| is_flag(w) && !text(**w).starts_with(b"--"))
                    .map(|w| text(*w))
            };
            let batch = short_flags().any(|f| f.contains(&b'b'));
            let no_file = short_flags().any(|f| f.contains(&b'n'));
            batch
                .then(|| plain.get(if no_file { 1 } else { 2 }).copied())
                .flatten()
        }
        // `vault login [flags] TOKEN`: a flag without `=` takes the next word as its value
        // (Go's flags: `-address https://…`), unless it is a switch (`-no-print`).
        _ => {
            let mut flag_value = false;
            words
                .iter()
                .copied()
                .find(|w| {
                    let word = text(*w);
                    let was_value = std::mem::replace(&mut flag_value, false);
                    if word.starts_with(b"-") {
                        let name = &word[word.iter().take_while(|b| **b == b'-').count()..];
                        // `--` ends the flags: the token follows it.
                        flag_value = !name.is_empty()
                            && !word.contains(&b'=')
                            && !VAULT_SWITCHES.iter().any(|s| name == s.as_bytes());
                        return false;
                    }
                    !was_value
                })
                .filter(|w| !text(*w).contains(&b'='))
        }
    }?;
    let (mut start, mut end) = found;
    // Quoted whole: what is inside the quotes.
    if quoted_word_end(bytes, start, end) == Some(end) {
        let quote = unit(bytes, start).len;
        (start, end) = (start + quote, end - quote);
    }
    while end > start && matches!(bytes[end - 1], b':' | b',' | b'.' | b';' | b')') {
        end -= 1;
    }
    (end > start && bytes[start] != b'-').then_some((start, end))
}

/// Where the word starting at `at` with a quote (`"` or `'`, as written or escaped: `\"` in
/// JSON text) ends: past its closing quote, written the same way, before `end`. None when it
/// starts with none or its quote does not close.
fn quoted_word_end(bytes: &[u8], at: usize, end: usize) -> Option<usize> {
    let quote = (at < end).then(|| unit(bytes, at))?;
    if !matches!(quote.ch, b'"' | b'\'') {
        return None;
    }
    let mut p = at + quote.len;
    while p < end {
        let u = unit(bytes, p);
        if u.ch == quote.ch && u.len == quote.len {
            return Some(p + u.len);
        }
        p += u.len;
    }
    None
}

/// The `n`th plain argument (from 0) of `words`, past flags and their values: a flag of
/// [`VALUE_FLAGS`] takes the next word; another flag without `=` may or may not (a switch, or
/// an option unknown here), and then the safe reading is taken: the later of the two words
/// that may be the `n`th, when there is one.
fn nth_plain_after(bytes: &[u8], words: &[(usize, usize)], n: usize) -> Option<(usize, usize)> {
    // The `n`th plain word read with every unknown flag a switch, and with every one taking a
    // value; how many plain words each reading has passed.
    let (mut as_switches, mut as_valued, mut switches, mut valued) = (None, None, 0, 0);
    let (mut value_next, mut maybe_value_next, mut flags_ended) = (false, false, false);
    for &word in words {
        let text = &bytes[word.0..word.1];
        let was_maybe = std::mem::take(&mut maybe_value_next);
        if std::mem::take(&mut value_next) {
            continue;
        }
        if !flags_ended && text.starts_with(b"-") {
            if text == b"--" {
                flags_ended = true;
            } else if VALUE_FLAGS.iter().any(|f| text == f.as_bytes()) {
                value_next = true;
            } else {
                maybe_value_next = !text.contains(&b'=');
            }
            continue;
        }
        if switches == n {
            as_switches = Some(word);
        }
        switches += 1;
        if !was_maybe {
            if valued == n {
                as_valued = Some(word);
            }
            valued += 1;
        }
    }
    as_valued.or(as_switches)
}

/// Commands whose first argument names a setting and whose second is its value. `ENV` only in
/// capitals, as Dockerfiles write it (`env` is also a word of prose).
const SETTING_COMMANDS: [(&str, bool); 5] = [
    ("set-header ", false),
    ("add-header ", false),
    ("setx ", false),
    ("set ", false),
    ("ENV ", true),
];

/// The longest setting name read.
const LONGEST_SETTING: usize = 128;

fn command_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')
}

/// `set NAME value` and its kin ([`SETTING_COMMANDS`]) at `i`: the value, when NAME looks like
/// a credential and is written as code (`_`, `-`, `.`, `:`, a digit or a capital in it): `set
/// password for …` is prose.
fn named_setting(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if !word_may_start(bytes, i, command_byte) {
        return None;
    }
    let rest = &bytes[i..];
    let (command, _) = SETTING_COMMANDS.iter().find(|(command, exact)| {
        rest.get(..command.len()).is_some_and(|w| {
            if *exact {
                w == command.as_bytes()
            } else {
                w.eq_ignore_ascii_case(command.as_bytes())
            }
        })
    })?;
    let name_start = skip_spaces(bytes, i + command.len());
    let name_len = bytes[name_start..]
        .iter()
        .take(LONGEST_SETTING + 1)
        .take_while(|b| command_byte(**b) || matches!(b, b'.' | b'/' | b':' | b'@'))
        .count();
    let name_end = name_start + name_len;
    if name_len == 0 || name_len > LONGEST_SETTING || bytes.get(name_end) != Some(&b' ') {
        return None;
    }
    let name = std::str::from_utf8(&bytes[name_start..name_end]).ok()?;
    // `//registry.npmjs.org/:_authToken`: the setting is the last part of the path.
    let last = name.rsplit(['/', ':']).next().unwrap_or(name);
    let as_code = name.bytes().any(|b| !b.is_ascii_lowercase());
    if !as_code || !names::credential(last) || names_a_place(last) {
        return None;
    }
    let start = skip_spaces(bytes, name_end);
    if bytes.get(start).is_none_or(|b| *b == b'-') {
        return None;
    }
    value(bytes, start, false, 0)
}

/// Redis's `AUTH password` or `AUTH user password` at `i` (also quoted, `"AUTH" "user" "…"`, as
/// `MONITOR` prints commands): both arguments when there are two (either may be the password),
/// the one otherwise. A second word that ends a clause (`failed:`) is not an argument.
fn redis_auth(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let quote = unit(bytes, i);
    let quoted = quote.ch == b'"';
    let word_start = if quoted { i + quote.len } else { i };
    if !bytes[word_start..].starts_with(b"AUTH")
        || (!quoted && !word_may_start(bytes, i, |b| b.is_ascii_alphanumeric()))
    {
        return None;
    }
    let mut after = word_start + 4;
    if quoted {
        let closing = (after < bytes.len()).then(|| unit(bytes, after))?;
        if closing.ch != b'"' || closing.len != quote.len {
            return None;
        }
        after += closing.len;
    }
    if bytes.get(after) != Some(&b' ') {
        return None;
    }
    let first = argument(bytes, skip_spaces(bytes, after))?;
    let second_start = skip_spaces(bytes, first.1);
    let second = (second_start > first.1)
        .then(|| argument(bytes, second_start))
        .flatten()
        .filter(|(start, end)| {
            let word = &bytes[*start..*end];
            !word.ends_with(b":") && !word.ends_with(b",") && !word.ends_with(b".")
        });
    let (start, _) = value(bytes, first.0, false, 0)?;
    let end = match second {
        Some(second) => value(bytes, second.0, false, 0)?.1,
        None => value(bytes, first.0, false, 0)?.1,
    };
    Some((start, end))
}

/// `vault login`'s flags that take no value: the word after one is the token.
const VAULT_SWITCHES: [&str; 8] = [
    "no-print",
    "no-store",
    "token-only",
    "non-interactive",
    "tls-skip-verify",
    "output-curl-string",
    "output-policy",
    "disable-redirects",
];

/// One argument at `at`, quoted or a bare word: from its first byte to past its end.
fn argument(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let first = (at < bytes.len()).then(|| unit(bytes, at))?;
    if first.ch.is_ascii_whitespace() || matches!(first.ch, b'-' | b'(' | b'[' | b'{') {
        return None;
    }
    let (_, end) = value(bytes, at, false, 0)?;
    let closing = (end < bytes.len()).then(|| unit(bytes, end));
    let past = match closing {
        Some(u) if first.ch == b'"' || first.ch == b'\'' => end + u.len,
        _ => end,
    };
    Some((at, past))
}

/// How far back on its line a Redis ACL rule's or an Oracle logon's context is looked for.
const LINE_REACH: usize = 200;

/// The line holding `i` up to `i`, at most [`LINE_REACH`] bytes of it, its break as written or
/// escaped (`\n` inside a JSON string).
fn line_before(bytes: &[u8], i: usize) -> &[u8] {
    let floor = i.saturating_sub(LINE_REACH);
    let window = &bytes[floor..i];
    let raw = window.iter().rposition(|b| *b == b'\n').map(|p| p + 1);
    let escaped = window.windows(2).rposition(|w| w == b"\\n").map(|p| p + 2);
    let start = raw.max(escaped).unwrap_or(0);
    &window[start..]
}

/// A Redis ACL rule's `>password` (or `<password`, which removes one) at `i`: the password,
/// on a line that defines a user (`user NAME …` in users.acl, `ACL SETUSER NAME …`).
fn redis_acl_password(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if !matches!(bytes[i], b'>' | b'<') || i == 0 || bytes[i - 1] != b' ' {
        return None;
    }
    let line = line_before(bytes, i);
    // Past the indentation and the quote of a string that holds the rule.
    let content = &line[line
        .iter()
        .take_while(|b| matches!(b, b' ' | b'"' | b'\'' | b'\\'))
        .count()..];
    let defines_user = content
        .get(..5)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"user "))
        || line.windows(8).any(|w| w.eq_ignore_ascii_case(b"setuser "));
    let start = i + 1;
    if !defines_user || bytes.get(start).is_none_or(|b| b.is_ascii_whitespace()) {
        return None;
    }
    value(bytes, start, false, 0)
}

/// Words that introduce an Oracle logon on their line.
const ORACLE_TOOLS: [&str; 12] = [
    "sqlplus",
    "expdp",
    "impdp",
    "exp",
    "imp",
    "sqlldr",
    "rman",
    "dgmgrl",
    "connect",
    "conn",
    "connecting",
    "userid",
];

/// RMAN's words that name the database the logon after them connects to (`rman target
/// sys/PW`, `target=sys/PW`, `connect auxiliary sys/PW` in its scripts).
const RMAN_CONNECTIONS: [&str; 3] = ["target", "auxiliary", "catalog"];

/// Oracle's `user/password@database` at `i`, after one of [`ORACLE_TOOLS`] on its line, or
/// `user/password` as such a tool's first argument (`expdp system/PW`, `userid=scott/PW`), or
/// after RMAN's [`RMAN_CONNECTIONS`] (`rman target sys/PW`), quoted or not (`sqlplus "sys/PW
/// as sysdba"`, `userid='system/PW'`): the password. Elsewhere `a/b@c` is a path with a version
/// (`actions/checkout@v4`), `a/b` a path.
fn oracle_logon(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let user_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'#');
    if !bytes[i].is_ascii_alphabetic() {
        return None;
    }
    let user_len = bytes[i..]
        .iter()
        .take(31)
        .take_while(|b| user_byte(**b))
        .count();
    let slash = i + user_len;
    if bytes.get(slash) != Some(&b'/') || !word_may_start(bytes, i, |b| user_byte(b) || b == b'/') {
        return None;
    }
    let start = slash + 1;
    let len = bytes[start..]
        .iter()
        .take(129)
        .take_while(|b| !b.is_ascii_whitespace() && !matches!(b, b'@' | b'/' | b'"' | b'\''))
        .count();
    // A quote escaped in JSON text (`\"`) closes a quoted logon too.
    let escaped_quote = len > 0
        && bytes[start + len - 1] == b'\\'
        && matches!(bytes.get(start + len), Some(b'"' | b'\''));
    let len = len - usize::from(escaped_quote);
    let end = start + len;
    let before = line_before(bytes, i);
    if len > 0 && bytes.get(end) == Some(&b'@') {
        let service = bytes.get(end + 1).is_some_and(|b| !b.is_ascii_whitespace());
        let introduced = before
            .split(|b| !b.is_ascii_alphanumeric())
            .any(is_oracle_tool);
        return (service && introduced).then_some((start, end));
    }
    // Without `@service` (`expdp system/PW`, `sqlplus -s scott/PW @run.sql`, `userid=scott/PW`)
    // `a/b` is as often a path: a logon only as the tool's first argument past its switches.
    let ends_word = bytes
        .get(end)
        .is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'\\'));
    if len == 0 || !ends_word {
        return None;
    }
    let before = without_opening_quote(before);
    let argument_of_tool = match before.last() {
        Some(b'=') => logon_setting(before),
        Some(b' ' | b'\t') => logon_argument(before),
        _ => false,
    };
    argument_of_tool.then_some((start, end))
}

/// The last part of a command's path (`/opt/oracle/bin/sqlplus`).
fn tool_name(word: &[u8]) -> &[u8] {
    word.rsplit(|b| *b == b'/').next().unwrap_or(word)
}

fn is_oracle_tool(word: &[u8]) -> bool {
    ORACLE_TOOLS
        .iter()
        .any(|t| word.eq_ignore_ascii_case(t.as_bytes()))
}

/// `line` without the quote it ends with (`"`, `'`, or `\"` escaped in JSON text): what a
/// quoted logon's line reads before the quote.
fn without_opening_quote(line: &[u8]) -> &[u8] {
    match line {
        [rest @ .., b'\\', b'"'] => rest,
        [rest @ .., b'"' | b'\''] => rest,
        _ => line,
    }
}

/// Whether `before` (a line up to a logon) ends with the setting that takes one: `userid=`,
/// or RMAN's `target=` ([`RMAN_CONNECTIONS`]) with `rman` named before.
fn logon_setting(before: &[u8]) -> bool {
    let mut words = before.rsplit(|b| !(b.is_ascii_alphanumeric() || *b == b'='));
    let Some(setting) = words.next().and_then(|w| w.strip_suffix(b"=")) else {
        return false;
    };
    setting.eq_ignore_ascii_case(b"userid")
        || is_rman_connection(setting) && words.any(|w| w.eq_ignore_ascii_case(b"rman"))
}

fn is_rman_connection(word: &[u8]) -> bool {
    RMAN_CONNECTIONS
        .iter()
        .any(|k| word.eq_ignore_ascii_case(k.as_bytes()))
}

/// Whether a logon after `before` (a line up to it, ending with a space) is an Oracle tool's
/// first argument past its switches (`sqlplus -s scott/PW`), or follows one of RMAN's
/// [`RMAN_CONNECTIONS`] with `rman` or its `connect` named before (`rman target sys/PW`,
/// `RMAN> connect auxiliary sys/PW`).
fn logon_argument(before: &[u8]) -> bool {
    let mut arguments = before
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty() && !w.starts_with(b"-"))
        .rev();
    let Some(last) = arguments.next() else {
        return false;
    };
    let last = tool_name(last);
    if is_rman_connection(last) {
        return arguments.any(|w| {
            let name = tool_name(w);
            name.eq_ignore_ascii_case(b"rman") || name.eq_ignore_ascii_case(b"connect")
        });
    }
    is_oracle_tool(last) && !last.eq_ignore_ascii_case(b"connecting")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        super::super::spans::mask_all(text, &[credential]).into_owned()
    }

    #[test]
    fn positional_credentials_lose_their_values() {
        for (dirty, clean) in [
            ("ENV DB_PASSWORD P-1", "ENV DB_PASSWORD ***"),
            (
                "aws configure set aws_secret_access_key P-2 --profile ci",
                "aws configure set aws_secret_access_key *** --profile ci",
            ),
            (
                "npm config set //registry.npmjs.org/:_authToken P-3",
                "npm config set //registry.npmjs.org/:_authToken ***",
            ),
            (
                "yarn config set npmAuthToken P-4",
                "yarn config set npmAuthToken ***",
            ),
            ("setx API_TOKEN P-5", "setx API_TOKEN ***"),
            (
                "http-request set-header X-Api-Key P-6",
                "http-request set-header X-Api-Key ***",
            ),
            ("redis> AUTH P-7", "redis> AUTH ***"),
            ("\"AUTH\" \"default\" \"P-8\"", "\"AUTH\" \"***\""),
            ("AUTH app P-9", "AUTH ***"),
            (
                "redis-cli: AUTH P-10 failed: WRONGPASS",
                "redis-cli: AUTH *** failed: WRONGPASS",
            ),
            (
                "user default on >P-11 ~* +@all",
                "user default on >*** ~* +@all",
            ),
            (
                "ACL SETUSER app on >P-12 ~c:* +get",
                "ACL SETUSER app on >*** ~c:* +get",
            ),
            (
                "sqlplus -s scott/P-13@//db:1521/X",
                "sqlplus -s scott/***@//db:1521/X",
            ),
            ("rman target sys/P-14@orcl", "rman target sys/***@orcl"),
            (
                "ORA-01017 connecting as app/P-15@PROD",
                "ORA-01017 connecting as app/***@PROD",
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for text in [
            "set password for the user",
            "set token expiry to 1h",
            "ENV LOG_LEVEL debug",
            "env DB_PASSWORD x",
            "--set DB_PASSWORD x",
            "uses: actions/checkout@v4",
            "image docker.io/library/nginx@sha256:abc",
            "if a > b then",
            "user default on nopass ~*",
            "OAUTH ok",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    /// The seventeenth review (T2): `--from-literal` gives a Secret its data.
    #[test]
    fn a_secrets_literal_is_masked_whatever_its_key() {
        for (dirty, clean) in [
            (
                "+ kubectl create secret generic db --from-literal=conn=P-1",
                "+ kubectl create secret generic db --from-literal=conn=***",
            ),
            (
                "kubectl create secret generic db --from-literal conn=P-2 --from-literal=host=db",
                "kubectl create secret generic db --from-literal conn=*** --from-literal=host=***",
            ),
            (
                "--from-literal='dsn=postgres://app:P 3@db/app' -n x",
                "--from-literal='dsn=***' -n x",
            ),
            (
                "[\"--from-literal=conn=P-4\"]",
                "[\"--from-literal=conn=***\"]",
            ),
            (
                "--from-literal=conn=\"P 5\" x",
                "--from-literal=conn=\"***\" x",
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for kept in [
            "--from-literal",
            "--from-literal=",
            "--from-literal=conn",
            "--from-literal=conn=",
            "--from-literal='conn='",
            "--from-literal='",
            "x--from-literal=a=b",
            "--from-file=conn=./conn.txt",
        ] {
            assert_eq!(masked(kept), kept, "{kept}");
        }
    }

    /// The seventeenth review (T2): a login's password on its command line or piped into it.
    #[test]
    fn a_logins_password_is_masked() {
        for (dirty, secret) in [
            (
                "+ docker login -u robot -p R17u01x registry.example.com",
                "R17u01x",
            ),
            ("+ mysql -uroot -pR17u02x app", "R17u02x"),
            ("+ /usr/bin/mysqldump -pR17u02y app", "R17u02y"),
            (
                "+ echo R17u03x | docker login --password-stdin -u robot r.example.com",
                "R17u03x",
            ),
            ("sshpass -p 'R17u04x' ssh host", "R17u04x"),
            ("main.rs:3: let token: &str = \"R17u08x\";", "R17u08x"),
            ("let token: string = 'R17u08y'", "R17u08y"),
            ("val password: String =\n    \"R21k01x\"", "R21k01x"),
            ("val password: String =\r\n  String(\"R21k02x\")", "R21k02x"),
            ("config.go:7: const password = `first\nR17u09x`", "R17u09x"),
            ("password: hunter2 = x", "hunter2"),
            ("note: password: Hunter2 = x", "Hunter2"),
            // Shapes the nineteenth review found and did not file.
            (
                "echo R21p01x \\\n  | docker login --password-stdin -u robot r.io",
                "R21p01x",
            ),
            (
                "echo \"R21p02x\" \\\r\n| docker login --password-stdin",
                "R21p02x",
            ),
            ("cat <<< R21p03x | docker login --password-stdin", "R21p03x"),
            (
                "cat <<<'R21p04x' | helm registry login --password-stdin",
                "R21p04x",
            ),
            (
                "docker login -u robot --password-stdin <<< \"R21p05x\"",
                "R21p05x",
            ),
            // The twenty-first review (L3).
            (
                "az login --service-principal -u app -p R21l03b --tenant t",
                "R21l03b",
            ),
            (
                "init: mysqladmin -u root password R21l03c exited 1",
                "R21l03c",
            ),
            (
                "init: htpasswd -b -c /auth/htpasswd admin R21l03d: denied",
                "R21l03d",
            ),
            ("htpasswd -nbB admin R21l03f", "R21l03f"),
            (
                "hook failed: vault login R21l03e: permission denied",
                "R21l03e",
            ),
        ] {
            let clean = super::super::without_credentials(dirty);
            assert!(!clean.contains(secret), "{dirty} → {clean}");
        }
        // A line not continued ends the command: what `echo` says there feeds nothing.
        let ended = "echo done\n| docker login --password-stdin";
        assert_eq!(super::super::without_credentials(ended), ended);
        for kept in [
            "mysql -p app",
            "docker run -p 8080:80 nginx",
            "echo done | tee log",
            "vault login -method=oidc",
            "htpasswd -c /auth/htpasswd admin",
        ] {
            let clean = super::super::without_credentials(kept);
            assert!(
                clean.contains(kept.split(' ').nth(2).unwrap_or("")),
                "{kept} → {clean}"
            );
        }
    }
}
/// The nineteenth review (T3): shapes of the newer rules that still showed the credential.
#[cfg(test)]
mod nineteenth_review {
    #[test]
    fn attached_logins_constructed_values_and_switches_with_more_are_hidden() {
        for (dirty, secret) in [
            (
                "+ docker login -u robot -pR19t31qpw r.example.com",
                "R19t31q",
            ),
            (
                "let password: String = String::from(\"R19t32qpw\");",
                "R19t32q",
            ),
            ("password: true \"R19t33q\"", "R19t33q"),
            ("{'kind': 'Secret', 'data': {'conn': 'R19t34q'}}", "R19t34q"),
        ] {
            let clean = super::super::without_credentials(dirty);
            assert!(!clean.contains(secret), "{dirty} → {clean}");
        }
        assert_eq!(
            super::super::without_credentials("passCredentials: true"),
            "passCredentials: true"
        );
    }
}
/// A login's `-p` is read before the flag rule, and only it: `SET PASSWORD = '…'` stays the
/// assignment rule's (the full run caught the whole command rule placed there).
#[cfg(test)]
mod rule_order {
    #[test]
    fn a_login_is_read_first_and_an_sql_assignment_still_after() {
        for (dirty, secret) in [
            ("SET PASSWORD FOR 'u'@'%' = 'R12d10'", "R12d10"),
            ("SET PASSWORD = 'R8f14xAbCdEf';", "R8f14"),
            (
                "+ docker login -u robot -pR19t31qpw r.example.com",
                "R19t31q",
            ),
        ] {
            let clean = super::super::without_credentials(dirty);
            assert!(!clean.contains(secret), "{dirty} → {clean}");
        }
    }
}

/// The twenty-second review (L2): `vault login` with flags before its token, and a
/// here-document fed to a login reading standard input.
#[cfg(test)]
mod flags_and_here_documents {
    use super::super::without_credentials;

    #[test]
    fn a_token_after_flags_and_a_here_documents_lines_are_hidden() {
        for (dirty, clean) in [
            (
                "vault login -address https://vault:8200 R22l2va",
                "vault login -address https://vault:8200 ***",
            ),
            (
                "vault login -no-print -method=token R22l2vb: denied",
                "vault login -no-print -method=token ***: denied",
            ),
            (
                "vault login -ns team -- R22l2vd",
                "vault login -ns team -- ***",
            ),
            (
                "docker login --password-stdin -u bot <<EOF\nR22l2hd\nEOF\ndone",
                "docker login --password-stdin -u bot <<EOF\n***\nEOF\ndone",
            ),
            (
                "cat <<'EOF' | helm registry login --password-stdin r.io\nR22l2hc\nEOF",
                "cat <<'EOF' | helm registry login --password-stdin r.io\n***\nEOF",
            ),
            (
                "{\"log\": \"cat <<-END | docker login --password-stdin\\n\\tR22l2hj\\n\\tEND\\nok\"}",
                "{\"log\": \"cat <<-END | docker login --password-stdin\\n***\\n\\tEND\\nok\"}",
            ),
            // Unterminated: to the end of the text.
            (
                "docker login --password-stdin <<EOF\nR22l2hu",
                "docker login --password-stdin <<EOF\n***",
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            "vault login -method=oidc role=dev",
            "vault status -address https://vault:8200 ok",
            "cat <<EOF | kubectl apply -f -\nkind: ConfigMap\nEOF",
            "docker login --password-stdin <<< ",
            "x << y\nnot a document",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
        // Long runs of `<<` and of logins are read in linear time.
        for long in [
            "docker login --password-stdin ".to_string() + &"<<EOF ".repeat(30_000),
            "<<".repeat(100_000),
            "vault login ".to_string() + &"-a ".repeat(50_000),
        ] {
            let _ = without_credentials(&long);
        }
    }
}

/// The twenty-fourth and twenty-fifth reviews: one-letter password flags clustered with others
/// or with their value attached as getopt reads them, sibling commands, lftp's `user,password`,
/// and subcommands taking the password as a plain argument.
#[cfg(test)]
mod clusters_siblings_and_subcommands {
    use super::super::without_credentials;

    #[test]
    fn clustered_attached_and_positional_passwords_are_hidden() {
        for (dirty, clean) in [
            ("zip -rP R25a out.zip dir", "zip -rP *** out.zip dir"),
            ("unzip -oP R25b a.zip", "unzip -oP *** a.zip"),
            ("zip -PR25c out.zip dir", "zip -P*** out.zip dir"),
            (
                "/usr/bin/zip -9qrP R25d o.zip d",
                "/usr/bin/zip -9qrP *** o.zip d",
            ),
            ("ldapsearch -xw R25e -b dc=x", "ldapsearch -xw *** -b dc=x"),
            ("7zr x -pR25f a.7z", "7zr x -p*** a.7z"),
            ("p7zip -d -pR25g a.7z", "p7zip -d -p*** a.7z"),
            (
                "mongofiles -u u -p R25h list",
                "mongofiles -u u -p *** list",
            ),
            (
                "lftp -u backup,R25i ftp.example.com",
                "lftp -u backup,*** ftp.example.com",
            ),
            (
                "rabbitmqctl add_user admin R25j",
                "rabbitmqctl add_user admin ***",
            ),
            (
                "rabbitmqctl -n rabbit@db change_password guest R25k: done",
                "rabbitmqctl -n rabbit@db change_password guest ***: done",
            ),
            (
                "mc alias set minio http://minio:9000 admin R25l",
                "mc alias set minio http://minio:9000 admin ***",
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        // Harmless look-alikes keep every word.
        for kept in [
            "zip -r archive.zip dir",
            "unzip -o a.zip -d /tmp/out",
            "zip --password-file x a.zip",
            "tar -rP file",
            "sqlcmd -SProdServer -Q 'select 1'",
            "redis-cli -aR25x ping",
            "ps -u root,daemon",
            "lftp -u backup ftp.example.com",
            "rabbitmqctl list_users",
            "rabbitmqctl add_user",
            "mc alias list",
            "mc cp a b",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
        // Runs of clusters and of commands are read in linear time, on any byte.
        for long in [
            "zip ".to_string() + &"-rrrrrrrrrP ".repeat(20_000),
            "rabbitmqctl ".repeat(20_000),
            "zip -Pé".repeat(20_000),
        ] {
            let _ = without_credentials(&long);
        }
    }

    /// The twenty-ninth review (C5): known commands in attached spellings: a MySQL cluster
    /// closed by `-p`, sqlcmd's `-P` attached, curl's `-u` attached, crane's login.
    #[test]
    fn clustered_and_attached_spellings_of_known_commands_are_hidden() {
        for (dirty, clean) in [
            ("mysql -Bsp'R29a' db", "mysql -Bsp'***' db"),
            ("mysql -BspR29b db", "mysql -Bsp*** db"),
            ("mysqldump -BspR29b db", "mysqldump -Bsp*** db"),
            (
                "sqlcmd -S db -U sa -P\"R29c\"",
                "sqlcmd -S db -U sa -P\"***\"",
            ),
            ("sqlcmd -S db -U sa -PR29d", "sqlcmd -S db -U sa -P***"),
            (
                "curl -ualice:R29e https://x.example",
                "curl -ualice:*** https://x.example",
            ),
            (
                "curl -u'alice:R29f' https://x.example",
                "curl -u'alice:***' https://x.example",
            ),
            (
                "crane auth login r.example -u bob -p R29g",
                "crane auth login r.example -u bob -p ***",
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            "mysql -h db -P 3306 -u app -e 'SELECT 1'",
            "mysql -hpgdb -uapp app",
            "mysql -Bs -e 'select 1' db",
            "7z a -bsp1 out.7z dir",
            "ssh -p 22 host",
            "psql -h db -p 5432 -U app",
            "docker run -u1000:1000 nginx",
            "redis-cli -aR25x ping",
            "sqlcmd -SProdServer -Q 'select 1'",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
        for long in [
            "mysql ".to_string() + &"-Bsssssssssp".repeat(20_000),
            "curl ".to_string() + &"-ua:".repeat(50_000),
        ] {
            let _ = without_credentials(&long);
        }
    }

    /// The twenty-ninth review (C1): what is fed to `chpasswd` (after the user's colon) and to
    /// `passwd`, piped or as a here-string; what is fed to other commands stays.
    #[test]
    fn passwords_fed_to_chpasswd_and_passwd_are_hidden() {
        for (dirty, clean) in [
            (
                "echo \"alice:R29a\" | chpasswd",
                "echo \"alice:***\" | chpasswd",
            ),
            (
                "echo root:R29b | sudo chpasswd",
                "echo root:*** | sudo chpasswd",
            ),
            ("chpasswd <<< 'root:R29c'", "chpasswd <<< 'root:***'"),
            (
                "printf 'bob:R29d' | /usr/sbin/chpasswd",
                "printf 'bob:***' | /usr/sbin/chpasswd",
            ),
            (
                "echo -e \"R29e\\nR29e\" | passwd bob",
                "echo -e *** | passwd bob",
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            "echo alice:admin | tee users",
            "echo done | chpasswdx",
            "cat <<< 'a:b' | sort",
            "grep <<< 'root:x' passwd",
            "echo -e \"a\\nb\" | wc -l",
            "echo hello | chpasswd -e",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
        for long in [
            "echo a:b | ".repeat(40_000) + "chpasswd",
            "chpasswd <<< ".repeat(40_000),
        ] {
            let _ = without_credentials(&long);
        }
    }

    /// The twenty-ninth review (C2): Oracle's `user/password` without `@service`, as a tool's
    /// first argument past its switches or as `userid=`; paths stay.
    #[test]
    fn oracle_logons_without_a_service_are_hidden() {
        for (dirty, clean) in [
            (
                "expdp system/R29a schemas=app dumpfile=x.dmp",
                "expdp system/*** schemas=app dumpfile=x.dmp",
            ),
            ("exp scott/R29b file=x.dmp", "exp scott/*** file=x.dmp"),
            (
                "sqlldr userid=scott/R29c control=x.ctl",
                "sqlldr userid=scott/*** control=x.ctl",
            ),
            (
                "sqlplus -s scott/R29d @run.sql",
                "sqlplus -s scott/*** @run.sql",
            ),
            (
                "/opt/oracle/bin/sqlplus scott/R29e",
                "/opt/oracle/bin/sqlplus scott/***",
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            "cp exp/a exp/b",
            "ls exp/results",
            "sqlplus / as sysdba",
            "sqlplus -s @scripts/run.sql",
            "exp scott file=dir/x.dmp",
            "connecting to api/v1 now",
            "uses: actions/checkout@v4",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
        let _ = without_credentials(&"sqlplus a/b ".repeat(50_000));
    }

    /// The twenty-ninth review (C3, C4): ops tools' password arguments and flags, and the
    /// cleartext given to hashing commands; their other arguments stay.
    #[test]
    fn ops_tools_and_hashing_commands_lose_their_passwords() {
        for (dirty, secret) in [
            ("net user admin R29a /add", "R29a"),
            ("net use Z: \\\\srv\\share R29b /user:dom\\bob", "R29b"),
            ("net use \\\\srv\\share /persistent:no R29b2", "R29b2"),
            ("ssh-keygen -t ed25519 -N R29c -f key", "R29c"),
            ("unrar x -pR29d a.rar", "R29d"),
            ("nmcli dev wifi connect HomeNet password R29e", "R29e"),
            ("wpa_passphrase HomeNet R29f", "R29f"),
            ("psexec \\\\host -u admin -p R29g cmd", "R29g"),
            ("xfreerdp /u:admin /p:R29h /v:host", "R29h"),
            ("rdesktop -u admin -p R29i host", "R29i"),
            (
                "snmpwalk -v3 -u mon -a SHA -A R29j -x AES -X R29k host",
                "R29j",
            ),
            ("snmpget -v3 -u mon -X R29k host", "R29k"),
            (
                "ipmitool -I lanplus -H bmc -U admin -P R29l power status",
                "R29l",
            ),
            ("mosquitto_pub -h broker -u dev -P R29m -t t", "R29m"),
            ("isql -U sa -P R29n -S srv", "R29n"),
            ("tsql -S srv -U sa -PR29o", "R29o"),
            ("bcp db.dbo.t out f -S srv -U sa -P R29p", "R29p"),
            ("sqsh -S srv -U sa -P R29q", "R29q"),
            ("ftp -n host <<EOF\nuser bob R29r\nput f\nEOF", "R29r"),
            ("openssl passwd -6 R29s", "R29s"),
            ("openssl passwd -apr1 -salt xyz R29t", "R29t"),
            ("mkpasswd -m sha-512 R29u", "R29u"),
        ] {
            let clean = without_credentials(dirty);
            assert!(!clean.contains(secret), "{dirty} → {clean}");
        }
        for kept in [
            "net user",
            "net user admin /domain",
            "net use Z: \\\\srv\\share /persistent:yes",
            "ssh-keygen -t ed25519 -N '' -f key",
            "ssh-keygen -lf key.pub",
            "unrar x a.rar",
            "nmcli dev wifi list",
            "wpa_supplicant -B -i wlan0 -c wpa.conf",
            "rdesktop -u admin host",
            "snmpwalk -v2c -c public -OX host",
            "mosquitto_pub -h broker -p 1883 -t t",
            "xfreerdp /u:admin /v:host",
            "cp /p:x y",
            "user alice logged in from host",
            "user bob pw",
            "openssl passwd",
            "mkpasswd",
            "openssl x509 -in cert.pem",
            "dotnet user-secrets list",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
        for long in [
            "xfreerdp ".to_string() + &" /p:".repeat(50_000),
            "ftp \n".to_string() + &"user a b\n".repeat(50_000),
            "net use ".repeat(40_000),
        ] {
            let _ = without_credentials(&long);
        }
    }

    /// The twenty-sixth review (C1, C2, C4): positional passwords past flags among the
    /// arguments, under `mcli`, over lines continued with `\\`; ldappasswd's new password.
    #[test]
    fn positional_passwords_past_flags_and_continued_lines_are_hidden() {
        use super::super::without_credentials;
        for (dirty, clean) in [
            (
                "mc alias set --api S3v4 minio http://m:9000 AKIA R26a",
                "mc alias set --api S3v4 minio http://m:9000 AKIA ***",
            ),
            (
                "mc alias set --insecure minio http://m:9000 AKIA R26b",
                "mc alias set --insecure minio http://m:9000 AKIA ***",
            ),
            (
                "mc alias set --api=S3v4 minio http://m:9000 AKIA R26c --json",
                "mc alias set --api=S3v4 minio http://m:9000 AKIA *** --json",
            ),
            (
                "mcli alias set minio http://m:9000 AKIA R26d",
                "mcli alias set minio http://m:9000 AKIA ***",
            ),
            (
                "mc alias set minio \\\n  http://m:9000 \\\n  AKIA \\\n  R26e\nls",
                "mc alias set minio \\\n  http://m:9000 \\\n  AKIA \\\n  ***\nls",
            ),
            (
                "rabbitmqctl add_user \\\r\n  admin \\\r\n  R26f\r\n",
                "rabbitmqctl add_user \\\r\n  admin \\\r\n  ***\r\n",
            ),
            (
                "rabbitmqctl add_user --pre-hashed-password admin R26g",
                "rabbitmqctl add_user --pre-hashed-password admin ***",
            ),
            (
                "ldappasswd -x -D cn=admin -w R26h -s R26i uid=bob",
                "ldappasswd -x -D cn=admin -w *** -s *** uid=bob",
            ),
            (
                "ldappasswd -xs R26j -a R26k uid=bob",
                "ldappasswd -xs *** -a *** uid=bob",
            ),
            (
                "ldappasswd -x \\\n  -w R26l uid=bob",
                "ldappasswd -x \\\n  -w *** uid=bob",
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            "mc cp a b",
            "mcli cp --attr k=v a b",
            "mc alias set --api S3v4 minio http://m:9000",
            "ls \\\n  -la /tmp",
            "rabbitmqctl add_user \\\\\nadmin R26z",
            "rabbitmqctl add_user admin\nR26z",
            "ldapsearch -x -s sub -b dc=x",
            "ldappasswd -Hldaps://ldap.example.com -x uid=bob",
            "ldapsearch -Hldap://www.example.com -x",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
        // Long runs of continuations and flags are read in linear time.
        for long in [
            "rabbitmqctl add_user \\\n".repeat(20_000),
            "mc alias set ".to_string() + &"--x \\\n ".repeat(20_000),
        ] {
            let _ = without_credentials(&long);
        }
    }
}

/// The twenty-eighth review (C1-C4): quoted arguments holding a space, words separated by tabs,
/// a flag's value on a continued line, Windows spellings of commands and continuations.
#[cfg(test)]
mod quotes_tabs_and_windows {
    use super::super::without_credentials;

    #[test]
    fn quoted_tabbed_continued_and_windows_passwords_are_hidden() {
        for (dirty, clean) in [
            // C1: quoted arguments before the password, and the password quoted.
            (
                "mc alias set \"my minio\" http://h:9000 AK R28a",
                "mc alias set \"my minio\" http://h:9000 AK ***",
            ),
            (
                "rabbitmqctl add_user 'ad min' R28b",
                "rabbitmqctl add_user 'ad min' ***",
            ),
            (
                "rabbitmqctl add_user admin \"R28 c\"",
                "rabbitmqctl add_user admin \"***\"",
            ),
            // C2: tabs between words.
            (
                "mc\talias\tset\tm\thttp://h:9000\tAK\tR28d",
                "mc\talias\tset\tm\thttp://h:9000\tAK\t***",
            ),
            (
                "rabbitmqctl\tadd_user\tadmin\tR28e",
                "rabbitmqctl\tadd_user\tadmin\t***",
            ),
            // C3: a value flag, its value on the continued line.
            (
                "ldappasswd -x -S -s \\\n  R28f uid=u",
                "ldappasswd -x -S -s \\\n  *** uid=u",
            ),
            (
                "docker login -u bot -p \\\r\n  R28g r.io",
                "docker login -u bot -p \\\r\n  *** r.io",
            ),
            // C4: Windows.
            (
                "mc.exe alias set m http://h:9000 AK R28h",
                "mc.exe alias set m http://h:9000 AK ***",
            ),
            (
                "rabbitmqctl.bat add_user admin R28i",
                "rabbitmqctl.bat add_user admin ***",
            ),
            (
                "rabbitmqctl.cmd change_password admin R28j",
                "rabbitmqctl.cmd change_password admin ***",
            ),
            (
                "D:\\minio\\mc.EXE alias set m http://h:9000 AK R28n",
                "D:\\minio\\mc.EXE alias set m http://h:9000 AK ***",
            ),
            (
                "mc alias set m `\n  http://h:9000 `\n  AK `\n  R28k\n",
                "mc alias set m `\n  http://h:9000 `\n  AK `\n  ***\n",
            ),
            (
                "mc alias set m ^\r\n  http://h:9000 ^\r\n  AK ^\r\n  R28l\r\n",
                "mc alias set m ^\r\n  http://h:9000 ^\r\n  AK ^\r\n  ***\r\n",
            ),
            ("mysql.exe -uroot -pR28m app", "mysql.exe -uroot -p*** app"),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            "mc alias set \"my minio\" http://h:9000 AK",
            "rabbitmqctl add_user \"ad min\"",
            "mc\talias\tlist",
            "rabbitmqctl\tlist_users",
            "ldapsearch -x -s \\\n  sub -b dc=x",
            "ldappasswd -x -S -s\nuid=u",
            "mc.exe alias list",
            "mcx alias set m http://h:9000 AK R28z",
            "mc.exe.bak alias set m http://h:9000 AK R28z",
            "mc alias set m http://h:9000 ``\nAK R28z",
            "mc alias set m http://h:9000 ^^\nAK R28z",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
        // Long runs of quotes, tabs and Windows continuations are read in linear time.
        for long in [
            "mc alias set ".to_string() + &"\"a ".repeat(20_000),
            "mc\t".repeat(20_000),
            "rabbitmqctl add_user `\n".repeat(20_000),
            "ldappasswd -s \\\n".repeat(20_000),
        ] {
            let _ = without_credentials(&long);
        }
    }
}

/// The thirtieth review (S1-S3): what `chpasswd` and `passwd` read past `sudo` and its kin, from
/// `yes` and from a here-document; Oracle's logons after RMAN's `target` and quoted; raw FTP's
/// `PASS` and `USER` in any case in an ftp script.
#[cfg(test)]
mod thirtieth_review {
    use super::super::without_credentials;

    /// The thirty-second review (S2): the `&` of a redirection (`2>&1`, `&>/dev/null`) does not
    /// end the command a here-document or here-string feeds; `&&` and a lone `&` still do.
    #[test]
    fn a_redirection_before_a_here_document_keeps_its_command() {
        for dirty in [
            "chpasswd 2>&1 <<EOF\nroot:R32a\nEOF\n",
            "passwd bob >/dev/null 2>&1 <<EOF\nR32a\nR32a\nEOF\n",
            "chpasswd 2>&1 <<< 'root:R32a'",
            "sudo chpasswd &>/dev/null <<EOF\r\nroot:R32a\r\nEOF\r\n",
            "sudo chpasswd &>>log <&0 <<EOF\nroot:R32a\nEOF",
            "echo 'root:R32a' 2>&1 | chpasswd",
        ] {
            let clean = without_credentials(dirty);
            assert!(!clean.contains("R32a"), "{dirty} → {clean}");
        }
        for kept in [
            "chpasswd && cat <<EOF\nroot:R32kept\nEOF",
            "chpasswd & cat <<EOF\nroot:R32kept\nEOF",
        ] {
            assert_eq!(without_credentials(kept), kept);
        }
    }

    #[test]
    fn what_chpasswd_and_passwd_read_past_runners_yes_and_here_documents_is_hidden() {
        for (dirty, clean) in [
            (
                "chpasswd <<EOF\nroot:R30a\nEOF",
                "chpasswd <<EOF\nroot:***\nEOF",
            ),
            (
                "chpasswd <<EOF\nroot:R30b\nbob:R30c\nEOF\necho done",
                "chpasswd <<EOF\nroot:***\n***\nEOF\necho done",
            ),
            (
                "sudo -u root -E chpasswd <<-'EOF'\n\troot:R30d\n\tEOF",
                "sudo -u root -E chpasswd <<-'EOF'\n\troot:***\n\tEOF",
            ),
            (
                "cat << \"END\" | sudo chpasswd\r\nroot:R30e\r\nEND\r\n",
                "cat << \"END\" | sudo chpasswd\r\nroot:***\r\nEND\r\n",
            ),
            (
                "passwd bob <<EOF\nR30f\nR30f\nEOF",
                "passwd bob <<EOF\n***\n***\nEOF",
            ),
            (
                "{\"log\": \"chpasswd <<EOF\\nroot:R30g\\nEOF\"}",
                "{\"log\": \"chpasswd <<EOF\\nroot:***\\nEOF\"}",
            ),
            ("yes R30h | passwd bob", "yes *** | passwd bob"),
            ("yes 'R30i' | passwd bob", "yes *** | passwd bob"),
            ("yes\tR30j | passwd", "yes\t*** | passwd"),
            (
                "echo 'root:R30k' | sudo -E chpasswd",
                "echo 'root:***' | sudo -E chpasswd",
            ),
            (
                "echo 'root:R30l' | doas chpasswd",
                "echo 'root:***' | doas chpasswd",
            ),
            (
                "echo 'bob:R30m' | chroot /mnt chpasswd",
                "echo 'bob:***' | chroot /mnt chpasswd",
            ),
            (
                "echo 'bob:R30n' | sudo -u root -E chpasswd",
                "echo 'bob:***' | sudo -u root -E chpasswd",
            ),
            (
                "echo 'bob:R30o' | env LANG=C chpasswd",
                "echo 'bob:***' | env LANG=C chpasswd",
            ),
            (
                "echo 'bob:R30p' | busybox chpasswd",
                "echo 'bob:***' | busybox chpasswd",
            ),
            (
                "echo R30q | sudo -S apt-get update",
                "echo *** | sudo -S apt-get update",
            ),
            (
                "sh -c 'echo root:R30s | chpasswd'",
                "sh -c 'echo root:*** | chpasswd'",
            ),
            (
                "{\"c\": [\"sh\", \"-c\", \"echo \\\"root:R30t\\\" | chpasswd\"]}",
                "{\"c\": [\"sh\", \"-c\", \"echo \\\"root:***\\\" | chpasswd\"]}",
            ),
            (
                "chpasswd <<EOF | tee log\nroot:R30r\nEOF",
                "chpasswd <<EOF | tee log\nroot:***\nEOF",
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            "yes | apt-get install foo",
            "say yes to it",
            "yes it is | sort",
            "sudo chpasswd < users.txt",
            "echo root:x | sudo tee users",
            "cat <<EOF | kubectl apply -f -\nkind: x\nEOF",
            "chpasswd <<EOF\nEOF",
            "sudo -u",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
        for long in [
            "yes a | ".repeat(40_000) + "passwd",
            "chpasswd <<EOF\n".repeat(40_000),
            "echo a:b | sudo ".to_string() + &"-u x ".repeat(40_000) + "chpasswd",
        ] {
            let _ = without_credentials(&long);
        }
    }

    #[test]
    fn rman_connections_and_quoted_oracle_logons_are_hidden() {
        for (dirty, clean) in [
            ("rman target sys/R30a", "rman target sys/***"),
            (
                "rman TARGET sys/R30b catalog rco/R30c",
                "rman TARGET sys/*** catalog rco/***",
            ),
            (
                "rman target=sys/R30d nocatalog",
                "rman target=sys/*** nocatalog",
            ),
            ("rman\ttarget\t'sys/R30e'", "rman\ttarget\t'sys/***'"),
            (
                "RMAN> connect auxiliary sys/R30f",
                "RMAN> connect auxiliary sys/***",
            ),
            (
                "sqlplus \"sys/R30g as sysdba\"",
                "sqlplus \"sys/*** as sysdba\"",
            ),
            ("sqlplus 'sys/R30h@db'", "sqlplus 'sys/***@db'"),
            ("sqlplus -s \"sys/R30i\"@db", "sqlplus -s \"sys/***\"@db"),
            (
                "expdp userid='system/R30j' schemas=app",
                "expdp userid='system/***' schemas=app",
            ),
            (
                "{\"c\": \"expdp userid=\\\"system/R30k\\\" schemas=app\"}",
                "{\"c\": \"expdp userid=\\\"system/***\\\" schemas=app\"}",
            ),
            (
                "impdp \"sys/R30l as sysdba\" directory=d",
                "impdp \"sys/*** as sysdba\" directory=d",
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            "aim the target sys/file at it",
            "deploy to target hosts/a",
            "set target=dir/file",
            "rman target /",
            "cp \"dir/file\" x",
            "catalog x/y",
            "echo 'a/b'",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
        let _ = without_credentials(&"rman target \"a/b ".repeat(40_000));
    }

    #[test]
    fn raw_ftp_passwords_and_upper_case_user_lines_are_hidden() {
        for (dirty, clean) in [
            (
                "ftp -n host <<EOF\nquote USER alice\nquote PASS R30a\nEOF",
                "ftp -n host <<EOF\nquote USER alice\nquote PASS ***\nEOF",
            ),
            (
                "ftp -n host <<EOF\nUSER alice R30b\nEOF",
                "ftp -n host <<EOF\nUSER alice ***\nEOF",
            ),
            (
                "ftp -n host <<-'EOF'\r\n\tQUOTE\tpass\tR30c\r\n\tEOF",
                "ftp -n host <<-'EOF'\r\n\tQUOTE\tpass\t***\r\n\tEOF",
            ),
            (
                "ftp -inv host << \"END\"\nliteral PASS 'R30d'\nbye\nEND",
                "ftp -inv host << \"END\"\nliteral PASS '***'\nbye\nEND",
            ),
            (
                "ftp host <<EOF\nUSER alice\nPASS R30e\nEOF",
                "ftp host <<EOF\nUSER alice\nPASS ***\nEOF",
            ),
            (
                "lftp host <<EOF\nuser alice R30f\nEOF",
                "lftp host <<EOF\nuser alice ***\nEOF",
            ),
            (
                "{\"s\": \"ftp -n h <<EOF\\nquote PASS R30g\\r\\nEOF\"}",
                "{\"s\": \"ftp -n h <<EOF\\nquote PASS ***\\r\\nEOF\"}",
            ),
            (
                "{\"s\": \"set -e\\nftp -n h <<EOF\\nUSER a R30h\\nEOF\"}",
                "{\"s\": \"set -e\\nftp -n h <<EOF\\nUSER a ***\\nEOF\"}",
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            "sftp host <<EOF\nuser alice kept\nEOF",
            "ftp host\nPASS the salt\nquote PASS\npass\n",
            "the tests PASS here",
            "quote PASS R30z",
            "USER alice R30z",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
        for long in [
            "ftp \n".to_string() + &"quote PASS a\n".repeat(50_000),
            "ftp \n".to_string() + &"USER a b\n".repeat(50_000),
            " ; ".repeat(300_000),
        ] {
            let _ = without_credentials(&long);
        }
    }
}

#[cfg(test)]
mod thirty_second_review {
    use crate::tools::scrub::without_credentials;

    #[test]
    fn what_is_piped_past_wrappers_remote_runners_and_filters_is_hidden() {
        for (dirty, clean) in [
            (
                "echo 'root:R32a' | kubectl exec -i pod-0 -- chpasswd",
                "echo 'root:***' | kubectl exec -i pod-0 -- chpasswd",
            ),
            (
                "echo 'root:R32b' | docker exec -i -u root box chpasswd",
                "echo 'root:***' | docker exec -i -u root box chpasswd",
            ),
            (
                "echo 'root:R32c' | podman exec -i box chpasswd",
                "echo 'root:***' | podman exec -i box chpasswd",
            ),
            (
                "echo 'root:R32d' | ssh -p 22 host sudo chpasswd",
                "echo 'root:***' | ssh -p 22 host sudo chpasswd",
            ),
            (
                "echo R32e | ssh host \"sudo -S reboot\"",
                "echo *** | ssh host \"sudo -S reboot\"",
            ),
            (
                "echo 'root:R32f' | timeout 10 chpasswd",
                "echo 'root:***' | timeout 10 chpasswd",
            ),
            (
                "echo 'root:R32g' | nohup nice -n 10 stdbuf -o0 chpasswd",
                "echo 'root:***' | nohup nice -n 10 stdbuf -o0 chpasswd",
            ),
            (
                "echo 'root:R32h' | runuser -u root -- chpasswd",
                "echo 'root:***' | runuser -u root -- chpasswd",
            ),
            (
                "echo 'root:R32i' | command chpasswd",
                "echo 'root:***' | command chpasswd",
            ),
            (
                "echo 'root:R32j' | \"chpasswd\"",
                "echo 'root:***' | \"chpasswd\"",
            ),
            (
                "echo 'root:R32k' | \\chpasswd",
                "echo 'root:***' | \\chpasswd",
            ),
            (
                "echo 'root:R32l' |& chpasswd",
                "echo 'root:***' |& chpasswd",
            ),
            (
                "echo 'root:R32m' | sudo -c staff chpasswd",
                "echo 'root:***' | sudo -c staff chpasswd",
            ),
            (
                "echo 'root:R32n' | doas -a bsdauth chpasswd",
                "echo 'root:***' | doas -a bsdauth chpasswd",
            ),
            (
                "yes 'R32o' | head -2 | passwd bob",
                "yes *** | head -2 | passwd bob",
            ),
            (
                "echo 'root:R32p' | tee /dev/stderr |& sudo chpasswd",
                "echo 'root:***' | tee /dev/stderr |& sudo chpasswd",
            ),
            (
                "echo 'root:R32q' | kubectl exec -i pod -- sh -c 'cat | chpasswd'",
                "echo 'root:***' | kubectl exec -i pod -- sh -c 'cat | chpasswd'",
            ),
            (
                "cat <<EOF | head -1 | chpasswd\nroot:R32r\nEOF",
                "cat <<EOF | head -1 | chpasswd\nroot:***\nEOF",
            ),
            (
                "cat <<EOF |& docker exec -i box chpasswd\nroot:R32s\nEOF",
                "cat <<EOF |& docker exec -i box chpasswd\nroot:***\nEOF",
            ),
            (
                "ssh host 'sudo chpasswd' <<< 'root:R32t'",
                "ssh host 'sudo chpasswd' <<< 'root:***'",
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            "echo 'root:x' | kubectl apply -f -",
            "echo 'root:x' | docker run -i box chpasswd",
            "echo hello | ssh host cat",
            "echo 'root:x' | timeout 10 tee users",
            "echo 'root:x' | tee users; chpasswd",
            "echo 'root:x' | head -1 || chpasswd",
            "echo 'root:x' || chpasswd",
            "echo 'root:x' | cat > users && passwd bob",
            "yes | head -2 | sort",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
        for long in [
            "echo a:b | ".to_string() + &"cat | ".repeat(40_000) + "chpasswd",
            "echo a:b | ".to_string() + &"ssh -t h ".repeat(40_000) + "chpasswd",
            "echo a:b | kubectl ".to_string() + &"exec ".repeat(40_000),
        ] {
            let _ = without_credentials(&long);
        }
    }

    #[test]
    fn the_ncftp_tools_password_switch_is_hidden() {
        for (dirty, clean) in [
            (
                "ncftp -u alice -p R32u ftp.example.com",
                "ncftp -u alice -p *** ftp.example.com",
            ),
            (
                "ncftpput -u alice -p R32v host /in x.tgz",
                "ncftpput -u alice -p *** host /in x.tgz",
            ),
            (
                "ncftpget -u alice -p 'R32w' host . /x",
                "ncftpget -u alice -p '***' host . /x",
            ),
            (
                "/usr/bin/ncftpls -u a -pR32x ftp://h/",
                "/usr/bin/ncftpls -u a -p*** ftp://h/",
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in ["ncftp -P 2121 host", "ncftpput -R -p", "rsync -p src dst"] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
    }
}
