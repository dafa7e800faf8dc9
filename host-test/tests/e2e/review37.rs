//! Thirty-seventh hostile review (issue 19), fresh context, time box 25 minutes: the own-secret
//! guessing oracle (`OwnSecrets::unknown_to`), label selector refusal, pairs written as text.
//!
//! Findings (each a failing test, ignored "issue 19: review37 <id>"):
//!
//! Session 23: P1 fixed (`files::ini_pair_value`: `:` after a prefixed key and blanks as
//! separators, a continued name, the whole section within 32 lines, `-`/`_` in the prefix),
//! its test runs. A1 narrowed (only the texts this server reads and may quote count as sent:
//! the path, the body, `Host`, `Origin`, `Accept`, `Mcp-*`; an `x-guess` header switches
//! nothing off) and, with A2, documented as what remains: a secret the request holds is shown
//! where an upstream quotes it in that request's answers. Closing it needs the echo places
//! known apart from the upstream's own quotes, which Argo CD's messages (quoting an argument
//! beside anything else) do not allow; before session 23 the oracle was open for any echo.
//! - A1 (medium-high, oracle, server; `src/service.rs` `serve` + `OwnSecrets::unknown_to`):
//!   the guess need not be echoed. A request that holds the secret anywhere (a header nobody
//!   reads such as `x-guess: <guess>`, an ignored `params._meta.note`) turns that secret's
//!   masking off for the WHOLE answer, so wherever Argo CD quotes the password (a condition
//!   message, the very case the masking exists for) a right guess shows it and a wrong guess
//!   shows `***`. Repro: plant `status.conditions[0].message = "the proxy echoed <PASSWORD>
//!   back"` on guestbook; `tools/call get_argocd_app_status {app_name: guestbook}` with header
//!   `x-guess: Adm1n-s3cret-pw` answers `...echoed Adm1n-s3cret-pw back`, with
//!   `x-guess: Adm1n-s3cret-pX` answers `...echoed *** back`. Thousands of guesses a second, no
//!   Argo CD login involved, so no lockout. The plugin (tool name + arguments JSON) has the same
//!   shape (any argument holding the guess), not run here.
//!   Fix: never switch a secret's masking off for an answer; mask every answer with all own
//!   secrets and put back only the caller's own echoed bytes: write the echo sites (JSON-RPC
//!   `id`, the unknown tool/method name, the server's own refusals quoting an argument) after
//!   masking, and in an upstream's text replace each argument value the caller sent by a
//!   placeholder before masking and restore it after. Then an Argo CD quote of the password
//!   stays `***` whatever the request holds.
//! - A2 (medium, amplifies A1; `Spelling::any_case` used by `unknown_to`): a guess right only
//!   case-insensitively (`x-guess: adm1n-s3cret-pw`) unmasks the password in its EXACT case
//!   where Argo CD quotes it: the caller learns what it did not send (2^11 case combinations
//!   of this password collapse to one). Fix: the "caller holds it" test must match byte for
//!   byte what it sent (or follow A1's fix, which removes this).
//! - P1 (medium, pairs as text, both components; `src/tools/scrub/files.rs`
//!   `ini_pair_value`/`ini_entry`): `.properties` as `java.util.Properties.load` reads it
//!   (`param.0.name: db.password` / `param.0.value: <v>`, or a blank as the separator:
//!   `param.0.name db.password`), a `\` line continuation inside the name
//!   (`param.0.name=db.\` + `  password`), an INI `[section]` whose name and value lines are
//!   more than `PAIR_LINES_MOST` (4) lines apart or separated by a blank line (INI allows
//!   both inside one section), and a prefix joined with `-` (`param-0-name` /
//!   `param-0-value`) all show the value in get_argocd_resource of a ConfigMap. Fix: accept
//!   `:` and blank separators and joined continuation lines in `ini_entry`; for INI, search
//!   the whole `[section]` (to the next `[` header or end), not 4 lines nor to a blank line;
//!   split the prefix at `-`/`_` as well as `.`.
//!
//! Held (passing tests that reach the place):
//! - A3: a secret with non-ASCII letters (`Grüße-proxy-k3y-9` as an extra header value) is not
//!   unmasked by a request holding another non-ASCII run in their place (`Gr€e-…` as the id),
//!   although `pattern_of` makes such runs a wildcard for masking.
//! - A4: a guess JSON-escaped in the raw body (`\u0077`), echoed decoded by the name check,
//!   reads as a wrong guess. A guess split over `app_namespace` + `app_name`, or URL-escaped
//!   (`%77`, `%2577`), is refused by the name check quoting each argument as sent (lowercase
//!   DNS names only), so Argo CD never joins or decodes it.
//! - Selectors: `!!key`, a tab before the key, `notin`, an extra `)`, prefixed keys, `==`,
//!   `!=`, `<`/`>`, `passwd`/`pwd`/`creds`/`apikey`, \v \f NEL NBSP after the key, `Value`,
//!   `env.0.Value`, `kv.val`, `x-value`, `defaultValue` are all refused before Argo CD is
//!   asked. Not counted: `team in (a,(b),db_password=x` reaches Argo CD (the paren depth never
//!   returns to 0, so the second requirement is not judged), but Kubernetes' `labels.Parse`
//!   rejects `(` where an identifier is expected; worth refusing unbalanced parentheses anyway.
//! - Pairs as text: `NAME_…`/`VALUE_…` env style, quoted INI values, CRLF, upper case, comment
//!   lines between, camelCase `paramName`/`paramValue`, `key=`/`val=`, tabs around `=`, a
//!   `\u005f` escape in the name, a trailing `; comment`.
//!
//! Not reached (time box): progress notifications and SSE answers of a streamed call carrying
//! the guess (`StreamedCall` uses the same `unknown_to` set, so A1 applies there too by
//! reading); `subscriptions/listen` (`feed/watch.rs` masks with `OwnSecrets::of`, all
//! secrets, but echoes only Argo CD data); `completion/complete`, `prompts/get`,
//! `resources/read`; approval elicitations; user mode; the plugin form of A1; very long
//! requests (cost of `unknown_to`'s N+1 readings of the whole body and every header).

use serde_json::{Value, json};

use crate::planting::{config_map, leaks_in_live, selector_requests};
use crate::{PASSWORD, World};

const WRONG: &str = "Adm1n-s3cret-pX";

/// Argo CD quotes `secret` in guestbook's condition (what the masking exists for).
fn plant_condition(world: &World, secret: &str) {
    let mut state = world.standin.state();
    let app = state.apps.get_mut("guestbook").expect("guestbook");
    app.app["status"]["conditions"] = json!([{
        "type": "ComparisonError",
        "message": format!("the proxy echoed {secret} back"),
    }]);
}

fn status_call(id: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": "get_argocd_app_status", "arguments": {"app_name": "guestbook"}}})
}

async fn body_of(world: &World, message: &Value, headers: &[(&str, &str)]) -> String {
    let response = world.mcp_with(message, headers).await;
    String::from_utf8_lossy(&response.body).into_owned()
}

/// A1: the guess need not be echoed at all. Sent anywhere in the request (a header nobody
/// reads, an ignored `_meta` field), a right guess turns the masking of everything else in the
/// answer off for that secret: the password Argo CD quotes in a condition then shows, where a
/// wrong guess leaves it hidden. Right and wrong guesses read differently.
#[tokio::test]
#[ignore = "documented limit (README, Security: a secret the request holds): review37 A1"]
async fn review37_finding_a1_unechoed_guess_unmasks_quoted_password() {
    let world = World::new().await;
    plant_condition(&world, PASSWORD);
    let mut answers = Vec::new();
    for guess in [PASSWORD, WRONG] {
        let header = body_of(&world, &status_call(json!(1)), &[("x-guess", guess)]).await;
        let mut meta = status_call(json!(2));
        meta["params"]["_meta"] = json!({"note": guess});
        let meta = body_of(&world, &meta, &[]).await;
        eprintln!("{guess}:\n  header: {header}\n  meta: {meta}");
        assert!(header.contains("the proxy echoed"), "not reached: {header}");
        answers.push((header.replace(guess, "GUESS"), meta.replace(guess, "GUESS")));
    }
    assert_eq!(
        answers[0].0, answers[1].0,
        "header: a right guess reads otherwise"
    );
    assert_eq!(
        answers[0].1, answers[1].1,
        "_meta: a right guess reads otherwise"
    );
}

/// A2: a guess right in any case unmasks the password in its exact case: the caller learns
/// what it did not send (the case of each letter).
#[tokio::test]
#[ignore = "documented limit (README, Security: a secret the request holds): review37 A2"]
async fn review37_finding_a2_any_case_guess_reveals_exact_case() {
    let world = World::new().await;
    plant_condition(&world, PASSWORD);
    let lower = PASSWORD.to_ascii_lowercase();
    let body = body_of(&world, &status_call(json!(1)), &[("x-guess", &lower)]).await;
    eprintln!("{body}");
    assert!(body.contains("the proxy echoed"), "not reached: {body}");
    assert!(
        !body.contains(PASSWORD),
        "the exact-case password shows: {body}"
    );
}

/// A3: a secret with non-ASCII characters is held by any request with any non-ASCII run in
/// their place (`pattern_of` makes them a wildcard); the secret then shows in full.
#[tokio::test]
async fn review37_held_a3_non_ascii_wildcard_does_not_unmask() {
    let secret = "Grüße-proxy-k3y-9";
    let mut world = World::new().await;
    world.set("extra_headers", &json!({"X-Proxy-Key": secret}).to_string());
    plant_condition(&world, secret);
    let plain = body_of(&world, &status_call(json!(1)), &[]).await;
    assert!(plain.contains("the proxy echoed"), "not reached: {plain}");
    assert!(!plain.contains(secret), "shows even unasked: {plain}");
    let body = body_of(&world, &status_call(json!("Gr€e-proxy-k3y-9")), &[]).await;
    eprintln!("{body}");
    assert!(body.contains("the proxy echoed"), "not reached: {body}");
    assert!(
        !body.contains(secret),
        "the secret shows to a wildcard guess: {body}"
    );
}

/// Held: a guess JSON-escaped in the raw body (`\u0077`), echoed decoded by the server's own
/// refusal, reads as a wrong guess does. (Split over app_namespace + app_name, or URL-escaped,
/// is refused by the name check before Argo CD is asked, quoting each argument as sent.)
#[tokio::test]
async fn review37_held_a4_json_escaped_guess_reads_as_wrong() {
    let world = World::new().await;
    let mut answers = Vec::new();
    for (guess, escaped) in [
        (PASSWORD, "Adm1n-s3cret-p\\u0077"),
        (WRONG, "Adm1n-s3cret-p\\u0058"),
    ] {
        let raw = format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"get_argocd_app_status","arguments":{{"app_name":"guestbook","app_namespace":"{escaped}"}}}}}}"#
        );
        let response = world
            .http(
                "POST",
                "/mcp",
                &[
                    ("content-type", "application/json"),
                    ("accept", "application/json, text/event-stream"),
                    ("mcp-protocol-version", "2025-11-25"),
                ],
                &raw,
            )
            .await;
        let body = String::from_utf8_lossy(&response.body).into_owned();
        eprintln!("A4 {guess}: {body}");
        assert!(body.contains(guess), "not echoed: {body}");
        answers.push(body.replace(guess, "GUESS"));
    }
    assert_eq!(answers[0], answers[1], "a right guess reads otherwise");
}

/// Held: selector grammar variants naming a credential-named key or a pair value field are
/// refused before Argo CD is asked (a plain selector reaches it, so the place was reached).
/// Not counted: `team in (a,(b),db_password=x` reaches Argo CD (the splitter's paren depth
/// never returns to 0) but Kubernetes' `labels.Parse` rejects it (`(` where an identifier is
/// expected), so no app list answers it.
#[tokio::test]
async fn review37_held_selector_variants() {
    let world = World::new().await;
    let before = selector_requests(&world).len();
    world
        .call("list_argocd_apps", json!({"selector": "team=payments"}))
        .await;
    assert!(
        selector_requests(&world).len() > before,
        "a plain selector did not reach Argo CD"
    );
    let mut reached = Vec::new();
    for selector in [
        "!!db-password",
        "team=a,\tdb_password=x",
        "team in (a,b),db_password notin (x)",
        "team in (a,b)),db_password=x",
        "example.com/api-token=x",
        "DB_PASSWORD==x",
        "db.password!=x",
        "x-value=1",
        "app.value in (1,2)",
        "defaultValue=1",
        "passwd=x",
        "pwd=x",
        "creds=x",
        "apikey=x",
        "api_key>1",
        "token<5",
        "db_password\u{0b}=x",
        "db_password\u{0c}=x",
        "db_password\u{85}=x",
        "db_password\u{a0}=x",
        "Value=1",
        "env.0.Value=1",
        "kv.val=1",
    ] {
        let before = selector_requests(&world).len();
        let result = world
            .call("list_argocd_apps", json!({"selector": selector}))
            .await;
        if selector_requests(&world).len() > before {
            eprintln!("SELECTOR REACHED Argo CD: {selector:?} -> {result}");
            reached.push(selector);
        }
    }
    assert!(reached.is_empty(), "reached Argo CD: {reached:?}");
}

/// P1 (pairs as text): `.properties` entries over two lines in the spellings Java's
/// `Properties.load` reads but `files::ini_pair_value` (only `=`) does not: `:` or blanks as
/// the separator, a line continuation in the name; INI entries of one `[section]` more than
/// `PAIR_LINES_MOST` (4) lines apart or with a blank line between; a prefix joined by `-`.
#[tokio::test]
async fn review37_finding_p1_pairs_as_text_leak() {
    let shapes: Vec<crate::planting::LiveShape> = vec![
        (
            "props colon",
            config_map(
                "r37-a",
                json!({"a.properties": "param.0.name: db.password\nparam.0.value: S37Dpair01\n"}),
            ),
            &["S37Dpair01"],
        ),
        (
            "props space",
            config_map(
                "r37-b",
                json!({"a.properties": "param.0.name db.password\nparam.0.value S37Dpair02\n"}),
            ),
            &["S37Dpair02"],
        ),
        (
            "ini far",
            config_map(
                "r37-d",
                json!({"a.ini": "[param]\nname=db_password\nowner=a\nteam=b\nregion=c\nzone=d\nvalue=S37Dpair04\n"}),
            ),
            &["S37Dpair04"],
        ),
        (
            "props dash",
            config_map(
                "r37-h",
                json!({"a.properties": "param-0-name=db.password\nparam-0-value=S37Dpair08\n"}),
            ),
            &["S37Dpair08"],
        ),
        (
            "props continuation",
            config_map(
                "r37-i",
                json!({"a.properties": "param.0.name=db.\\\n  password\nparam.0.value=S37Dpair09\n"}),
            ),
            &["S37Dpair09"],
        ),
        (
            "ini blank between",
            config_map(
                "r37-k",
                json!({"a.ini": "[param]\nname=db_password\n\nvalue=S37Dpair11\n"}),
            ),
            &["S37Dpair11"],
        ),
    ];
    let found = leaks_in_live(&shapes).await;
    assert!(found.is_empty(), "{found:#?}");
}

/// Held: other INI spellings of the two-line pair.
#[tokio::test]
async fn review37_held_pairs_as_text() {
    let shapes: Vec<crate::planting::LiveShape> = vec![
        (
            "env underscore",
            config_map(
                "r37-c",
                json!({"a.env": "PARAM_NAME=DB_PASSWORD\nPARAM_VALUE=S37Dpair03\n"}),
            ),
            &["S37Dpair03"],
        ),
        (
            "ini quoted",
            config_map(
                "r37-e",
                json!({"a.ini": "[param]\nname=\"db_password\"\nvalue=\"S37Dpair05\"\n"}),
            ),
            &["S37Dpair05"],
        ),
        (
            "ini crlf",
            config_map(
                "r37-f",
                json!({"a.ini": "[param]\r\nname=db_password\r\nvalue=S37Dpair06\r\n"}),
            ),
            &["S37Dpair06"],
        ),
        (
            "ini upper",
            config_map(
                "r37-g",
                json!({"a.ini": "[PARAM]\nNAME=DB_PASSWORD\nVALUE=S37Dpair07\n"}),
            ),
            &["S37Dpair07"],
        ),
        (
            "ini comment between",
            config_map(
                "r37-j",
                json!({"a.ini": "[param]\nname=db_password\n; the value\n# below\nvalue=S37Dpair10\n"}),
            ),
            &["S37Dpair10"],
        ),
        (
            "props camel",
            config_map(
                "r37-l",
                json!({"a.properties": "param.0.paramName=db.password\nparam.0.paramValue=S37Dpair12\n"}),
            ),
            &["S37Dpair12"],
        ),
        (
            "ini key field",
            config_map(
                "r37-m",
                json!({"a.ini": "[param]\nkey=api_token\nval=S37Dpair13\n"}),
            ),
            &["S37Dpair13"],
        ),
        (
            "ini tab sep",
            config_map(
                "r37-n",
                json!({"a.ini": "[param]\nname\t=\tdb_password\nvalue\t=\tS37Dpair14\n"}),
            ),
            &["S37Dpair14"],
        ),
        (
            "props unicode esc",
            config_map(
                "r37-o",
                json!({"a.properties": "p.name=db\\u005fpassword\np.value=S37Dpair15\n"}),
            ),
            &["S37Dpair15"],
        ),
        (
            "ini sep semicolon",
            config_map(
                "r37-p",
                json!({"a.ini": "[param]\nname=db_password ; the db\nvalue=S37Dpair16\n"}),
            ),
            &["S37Dpair16"],
        ),
    ];
    let found = leaks_in_live(&shapes).await;
    assert!(found.is_empty(), "{found:#?}");
}
