//! Credentials given to a call as its arguments, in code a log line or an error quotes:
//!
//! - a setter's value, when its first argument is a quoted name of a credential
//!   (`props.put("password", "…")`, `os.Setenv("API_TOKEN", "…")`,
//!   `System.setProperty("db.password", "…")`): its second argument;
//! - the password of a call of two arguments whose name ends in `Auth` (Go's
//!   `req.SetBasicAuth("u", "…")`, Python's `HTTPBasicAuth('u', '…')`): its second argument;
//!   of Go's `smtp.PlainAuth("", "u", "…", host)`: its third;
//! - what a credential's name is given as a tuple (Python's `auth=('u', '…')`): its last
//!   element ([`after_name`]).
//!
//! A call's argument is masked only when it is a quoted literal: a variable names a value
//! rather than holding it (`SetBasicAuth(user, pass)` is kept).

use super::names;
use super::reading::unit;
use super::spans::{closing_quote, name_byte, skip_spaces};
use crate::tools::masking::names_a_place;

/// The most arguments read, and the longest unquoted argument or call name.
const MOST_ARGUMENTS: usize = 8;
const LONGEST_WORD: usize = 128;

/// A call's argument: its span (inside its quotes when quoted), and whether it is quoted.
type Argument = ((usize, usize), bool);

/// The call or tuple whose bracket opens at `i`: the second argument when the first is a
/// quoted credential name, or when the call is named `…Auth` and takes two arguments.
pub fn credential(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if bytes[i] != b'(' {
        return None;
    }
    let callee = &bytes[i - callee_len(bytes, i)..i];
    let arguments = arguments(bytes, i)?;
    // Go's `smtp.PlainAuth(identity, user, "…", host)`: the password is the third of four.
    if arguments.len() == 4
        && callee.len() >= 9
        && callee[callee.len() - 9..].eq_ignore_ascii_case(b"plainauth")
    {
        let (third, quoted) = arguments[2];
        return quoted.then_some(third);
    }
    if let Some(position) = password_position(&bytes[..i]) {
        let (found, quoted) = *arguments.get(position)?;
        return quoted.then_some(found);
    }
    let (second, true) = *arguments.get(1)? else {
        return None;
    };
    let ((start, end), quoted) = arguments[0];
    let named = quoted
        && std::str::from_utf8(&bytes[start..end]).is_ok_and(|name| {
            !name.is_empty()
                && name.bytes().all(name_byte)
                && names::credential(name)
                && !names_a_place(name)
        });
    let auth = arguments.len() == 2
        && callee.len() >= 4
        && callee[callee.len() - 4..].eq_ignore_ascii_case(b"auth");
    (named || auth).then_some(second)
}

/// Connecting calls that take the password by its position, as a stack trace prints them (PHP
/// before 8.2 prints a frame's arguments: a refused login logs `PDO->__construct('mysql:…',
/// 'root', 'PW')`): the callee's last words (case ignored) and the password's place.
const PASSWORD_POSITIONS: [(&str, usize); 6] = [
    // `new PDO(dsn, user, PW)`, `PDO->__construct(…)`.
    ("pdo", 2),
    ("pdo->__construct", 2),
    // `new mysqli(host, user, PW, db)`, `mysqli->real_connect(…)`, `mysqli_connect(…)`.
    ("mysqli", 2),
    ("->real_connect", 2),
    ("mysqli_connect", 2),
    // Java's `DriverManager.getConnection(url, user, PW)`.
    ("drivermanager.getconnection", 2),
];

/// Where the call written just before a bracket ([`PASSWORD_POSITIONS`], `before` ending
/// where the bracket opens) takes the password, if it is one of those.
fn password_position(before: &[u8]) -> Option<usize> {
    PASSWORD_POSITIONS.iter().find_map(|(name, position)| {
        let name = name.as_bytes();
        let at = before.len().checked_sub(name.len())?;
        let whole = at == 0 || !callee_byte(before[at - 1]) || name[0] == b'-';
        (whole && before[at..].eq_ignore_ascii_case(name)).then_some(*position)
    })
}

/// A credential's value starting at `start` that is a tuple or a call (`auth=('u', '…')`,
/// `auth=HTTPBasicAuth('u', '…')`): the tuple's last element, quoted or not, or what
/// [`credential`] finds in the call. None when the value is neither, or a call that gives no
/// credential (`password=decrypt(x)`: the value is then read as a word).
pub fn after_name(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    let len = bytes[start..]
        .iter()
        .take(LONGEST_WORD)
        .take_while(|b| callee_byte(**b))
        .count();
    let open = start + len;
    if bytes.get(open) != Some(&b'(') {
        return None;
    }
    if len > 0 {
        return credential(bytes, open);
    }
    arguments(bytes, open)?.last().map(|(span, _)| *span)
}

/// A byte of a call's name: `req.SetBasicAuth`, `requests.auth.HTTPBasicAuth`.
fn callee_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.')
}

/// How long the call's name before the bracket at `open` is.
fn callee_len(bytes: &[u8], open: usize) -> usize {
    bytes[..open]
        .iter()
        .rev()
        .take(LONGEST_WORD)
        .take_while(|b| callee_byte(**b))
        .count()
}

/// The arguments of the call whose bracket opens at `open`, up to its closing bracket: each a
/// quoted literal (its quotes as written or escaped) or a word. None when one is anything else
/// (a nested call, a quote never closed) or the bracket does not close.
fn arguments(bytes: &[u8], open: usize) -> Option<Vec<Argument>> {
    let mut found = Vec::new();
    let mut at = open + 1;
    loop {
        at = skip_spaces(bytes, at);
        let first = (at < bytes.len()).then(|| unit(bytes, at))?;
        if first.ch == b')' && found.is_empty() {
            return Some(found);
        }
        if matches!(first.ch, b'"' | b'\'' | b'`') {
            let inner = at + first.len;
            let close = closing_quote(bytes, inner, first.ch, first.len);
            if close >= bytes.len() {
                return None;
            }
            found.push(((inner, close), true));
            at = close + unit(bytes, close).len;
        } else {
            let len = bytes[at..]
                .iter()
                .take(LONGEST_WORD)
                .take_while(|b| !matches!(b, b',' | b')' | b'(' | b'"' | b'\'' | b'\n' | b'\r'))
                .count();
            let word = bytes[at..at + len].trim_ascii_end();
            if word.is_empty() {
                return None;
            }
            found.push(((at, at + word.len()), false));
            at += len;
        }
        at = skip_spaces(bytes, at);
        let next = (at < bytes.len()).then(|| unit(bytes, at))?;
        match next.ch {
            b')' => return Some(found),
            b',' if found.len() < MOST_ARGUMENTS => at += next.len,
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::without_credentials;

    /// Every shape of the seventeenth review's T2 (`host-test/tests/e2e/review17.rs`) loses its
    /// credential.
    #[test]
    fn the_seventeenth_reviews_unclaimed_shapes_lose_their_credentials() {
        for (text, secret) in [
            (
                "+ kubectl create secret generic db --from-literal=conn=R17u10x",
                "R17u10x",
            ),
            (
                "client.py:9: r = requests.get(url, auth=('admin', 'R17u11x'))",
                "R17u11x",
            ),
            (
                "client.go:5: req.SetBasicAuth(\"admin\", \"R17u12x\")",
                "R17u12x",
            ),
            (
                "Settings.java:3: props.put(\"password\", \"R17u13x\");",
                "R17u13x",
            ),
            ("+ sshpass -p R17u14x ssh deploy@host", "R17u14x"),
            (
                "+ docker login -u robot -p R17u01x registry.example.com",
                "R17u01x",
            ),
            ("+ mysql -uroot -pR17u02x app", "R17u02x"),
            (
                "+ echo R17u03x | docker login --password-stdin -u robot r.example.com",
                "R17u03x",
            ),
            (
                "query failed: SELECT id FROM users WHERE password IN ('R17u04x')",
                "R17u04x",
            ),
            (
                "auth_test.go:12: assertEquals(\"R17u05x\", token)",
                "R17u05x",
            ),
            (
                "subtle.ConstantTimeCompare([]byte(token), []byte(\"R17u06x\"))",
                "R17u06x",
            ),
            (
                "main.go:41: hmac.Equal([]byte(apiKey), []byte(\"R17u07x\"))",
                "R17u07x",
            ),
            ("main.rs:3: let token: &str = \"R17u08x\";", "R17u08x"),
            ("config.go:7: const password = `first\nR17u09x`", "R17u09x"),
        ] {
            let clean = without_credentials(text);
            assert!(!clean.contains(secret), "{text} → {clean}");
            let json = serde_json::to_string(text).unwrap_or_default();
            let clean = without_credentials(&json);
            assert!(!clean.contains(secret), "{json} → {clean}");
        }
    }

    /// The seventeenth review (T2): a setter's value, a basic authentication's password, a
    /// tuple given to `auth=`.
    #[test]
    fn a_calls_credential_argument_is_masked() {
        for (dirty, clean) in [
            (
                "Settings.java:3: props.put(\"password\", \"P-1\");",
                "Settings.java:3: props.put(\"password\", \"***\");",
            ),
            (
                "os.Setenv(\"API_TOKEN\", `P-2`)",
                "os.Setenv(\"API_TOKEN\", `***`)",
            ),
            (
                "System.setProperty('javax.net.ssl.keyStorePassword', 'P-3')",
                "System.setProperty('javax.net.ssl.keyStorePassword', '***')",
            ),
            (
                "client.go:5: req.SetBasicAuth(\"admin\", \"P-4\")",
                "client.go:5: req.SetBasicAuth(\"admin\", \"***\")",
            ),
            (
                "r = requests.get(url, auth=('admin', 'P-5'))",
                "r = requests.get(url, auth=('admin', '***'))",
            ),
            (
                "requests.get(url, auth=HTTPBasicAuth('admin', 'P-6'))",
                "requests.get(url, auth=HTTPBasicAuth('admin', '***'))",
            ),
            ("auth = (user, P-7)", "auth = (user, ***)"),
            (
                "{\"msg\": \"req.SetBasicAuth(\\\"admin\\\", \\\"P-8\\\")\"}",
                "{\"msg\": \"req.SetBasicAuth(\\\"admin\\\", \\\"***\\\")\"}",
            ),
            ("password=(P-9)", "password=(***)"),
            (
                "auth := smtp.PlainAuth(\"\", \"u@x.io\", \"P-10\", \"smtp.x.io\")",
                "auth := smtp.PlainAuth(\"\", \"u@x.io\", \"***\", \"smtp.x.io\")",
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            "props.put(\"name\", \"web\")",
            "props.put(\"password_file\", \"/etc/pw\")",
            "req.SetBasicAuth(user, pass)",
            "props.put(\"password\", pw)",
            "smtp.PlainAuth(\"\", user, pass, host)",
            "fmt.Printf(\"token %s\", t)",
            "log(\"password\")",
            "f()",
            "auth(",
            "put(\"password\", \"",
            "(",
            "put(\"token\",",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
    }

    /// The forty-fourth review (C2): connecting calls a stack trace prints with the password by
    /// its position; a variable there, or another call, keeps its arguments.
    #[test]
    fn a_connecting_calls_password_by_position_is_hidden() {
        for (text, shown) in [
            (
                "#0 db.php(4): PDO->__construct('mysql:host=db', 'root', 'Pw1x')",
                "#0 db.php(4): PDO->__construct('mysql:host=db', 'root', '***')",
            ),
            (
                "new PDO('mysql:host=db', 'root', 'Pw1x')",
                "new PDO('mysql:host=db', 'root', '***')",
            ),
            (
                "mysqli->real_connect('db', 'root', 'Pw1x', 'app')",
                "mysqli->real_connect('db', 'root', '***', 'app')",
            ),
            (
                "mysqli_connect('db', 'root', 'Pw1x', 'app')",
                "mysqli_connect('db', 'root', '***', 'app')",
            ),
            (
                "DriverManager.getConnection(\"jdbc:x\", \"u\", \"Pw1x\")",
                "DriverManager.getConnection(\"jdbc:x\", \"u\", \"***\")",
            ),
            ("new PDO($dsn, $user, $pass)", "new PDO($dsn, $user, $pass)"),
            ("myPDO('a', 'b', 'c')", "myPDO('a', 'b', 'c')"),
        ] {
            assert_eq!(super::super::without_credentials(text), shown, "{text}");
        }
    }
}
