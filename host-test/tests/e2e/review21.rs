//! Twenty-first hostile review (issue 19): the three fixes of review 20 (the allow-list walking
//! an app of apps, the settings' own secrets in hex and base64, the backslash run read at most
//! 15 deep) and the answer surface, attacked through the built components.
//!
//! Findings (each `review21_finding_*` asserts the secure behaviour, fails today, and is
//! ignored so the suite stays green; the timing findings X1, X2 and X3 are timing assertions
//! and so only run by hand):
//!
//! - P1 (medium, ARGOCD_ALLOWED_PROJECTS) `sync_argocd_app payments prune: true`, where
//!   `payments` (allowed) manages the Application `broken-app` (project `default`, refused)
//!   marked `requiresPruning`, is sent: Argo CD's prune deletes that child Application and,
//!   through its finalizer, all it deployed: the very delete `delete_argocd_resource` (and the
//!   cascade delete of the parent) refuses. P1b: the same through `rollback_argocd_app
//!   prune: true`. Root: `operations.rs` judges a sync or rollback by the app's own project
//!   only (`ensure_project_allowed`); nothing looks at the Argo CD objects a prune would
//!   delete (`status.resources[].requiresPruning`). (A patch turning on
//!   `syncPolicy.automated.prune` on the parent leads to the same delete later.)
//! - P2 (high where Argo CD manages itself, ARGOCD_ALLOWED_PROJECTS) an allowed app that
//!   manages the CustomResourceDefinition `applications.argoproj.io`: `delete_argocd_resource`
//!   of it, and `delete_argocd_app cascade: true` of the app, are sent; deleting the CRD
//!   deletes every Application of every project (and, through their finalizers, what they
//!   deployed). Root: `project_guard.rs` `argo_object` judges Argo CD objects by kind only
//!   (Application, ApplicationSet, AppProject); their definitions (and a Namespace holding
//!   Applications, with apps in any namespace) pass as ordinary resources.
//! - E2 (low, own secrets) the client secret quoted by a provider in base64 wrapped at 76
//!   characters as MIME writes it (CRLF or LF: the line break cuts the secret's base64 core),
//!   or with every byte percent-encoded (`%43%6C%31…`, upper or lower case), is shown in the
//!   tool error. Root: `own_secrets.rs` lists exact spellings only.
//! - E3 (medium, own secrets) a settings' secret holding a quote or a backslash (the Argo CD
//!   password `R21q"Zx9\kpw`) quoted by Argo CD in a condition message is masked in
//!   `structuredContent` but shown in the `content` text of the server component's answer:
//!   that text is JSON inside a JSON string, so the secret is escaped twice there
//!   (`R21q\\\"Zx9…` in the body) and `serve` takes the secrets out of the body's text with
//!   spellings escaped once at most. (The plugin, and streamed answers, which hide value by
//!   value, hold.)
//! - E4 (low, own secrets) the same password quoted inside JSON text another program wrote,
//!   with JSON escapes (`R21\/pw\u0026Zx9-k\u003cq\u003e`: Go escapes `&<>`, PHP `/`), is
//!   shown by both components: the credential rules read through escapes, `OwnSecrets` does
//!   not.
//! - E5 (medium, own secrets) a provider refusal quoting the client secret across its 200th
//!   character shows all of the secret but its tail (`Cl1ent-s3cret-of-the-se` of 27
//!   characters). Root: `identity/delegation.rs` cuts `error_description` with
//!   `chars().take(200)` before the answer leaves, and the secrets are taken out only as whole
//!   spellings where it leaves.
//! - E6 (low, own secrets) the same for a log line longer than `max_bytes`: `logs.rs`
//!   `shortened` cuts it after the credential rules and before the settings' secrets are taken
//!   out: the Argo CD password across the cut shows its head (`Adm1n-s3cret-` of
//!   `Adm1n-s3cret-pw`), through both components. (`manifests.rs` `short`/`shorten` cut the
//!   same way.)
//! - X1 (high, denial of service) a capitalised name and a colon with no space after it reads
//!   as a Go `%+v` field (`members.rs` `unspaced_field`); its value is read with `value(…)` to
//!   the end of the word, and `switch` splits it: in text without spaces each `A:` reads the
//!   whole rest and nothing is consumed. 64 KB of `A:` in a condition message: one
//!   `get_argocd_app_status` takes ~32 s through the server component (`a:`: 0.3 s); 256 KB of
//!   `Basic:` ~80 s, `ConnectionString:` ~55 s. Every slow pattern of two or three characters
//!   (`review21_probe_native_short_patterns`, 18,000 patterns at 32 KB) holds `A:`; the worst,
//!   `&A:`, takes 2.3 s natively at 32 KB (quadratic: ~2.5 min at 256 KB).
//! - X2 (high, denial of service) `userinfo.rs` `scp_like_userinfo_end` reads, at every word
//!   start (after `=`, `,`, a space, a quote, a bracket) that reads `user:`, to the end of the
//!   word for a last `@` followed by a host; with none (`u:p@=`, `u:@=`, `u:p@,`) nothing is
//!   consumed and the next word start reads the same rest again. 64 KB of `u:p@=`: ~15 s
//!   (`u-p@=`: 0.3 s); 256 KB of `user:pw@=` ~130 s.
//! - X3 (high, denial of service by any caller) X1 and X2 need nothing planted in Argo CD: a
//!   tool refusing an argument quotes it whole (`app_name "…" is not a valid Kubernetes
//!   name`, also `app_namespace`, `revision`), and the refusal is scrubbed like any answer.
//!   A 64 KB `app_name` of `A:` takes ~13.7 s to refuse (`a:`: 0.2 s); 32 KB 3.7 s; a request
//!   may be 1 MiB, so one call can cost most of an hour of CPU, from any holder of the bearer,
//!   read-only mode included. Root: X1/X2, and arguments quoted uncut in messages.
//! - L1 (low, credentials in objects) a YAML anchor's value aliased under a credential's name
//!   (`common: &dbpass R21l01x` … `password: *dbpass`, as Helm values share a value) is shown
//!   by both components' `get_argocd_resource`.
//! - L2 (low) a `.properties` line whose key and value are separated by whitespace
//!   (`spring.datasource.password R21l02x`, as valid as `=` or `:`) is shown; natively also
//!   `PASSWORD R21…` and `db_password<TAB>R21…` (tabular output).
//! - L3 (low, credentials in text) passwords of well-known command lines: `az login -p …` (a
//!   login's `-p`, which the README says is hidden, but `az` is not among its listed logins),
//!   `mysqladmin … password …`, `htpasswd -b file user …`, `vault login …`, in condition
//!   messages, shown by both components. (`redis-cli -a …` is shown too; the README lists it
//!   as what cannot be hidden, so it is not asserted.)
//!
//! What held: the allow-list walk with a child listed in another namespace spelling (empty,
//! `ArgoCD`, trailing space) or without a namespace (refused, fail closed), a grandchild Argo
//! CD cannot show (refused, naming it) (both tests below); the direct
//! `delete_argocd_resource` of a child Application of another project. The backslash
//! fix: 256 KB of `\`, `\\z`, `\\\"`, `%25`, `&#x`, `\u001b[1`, and ~90 other single
//! patterns, with and without `kind: Secret`, all under 1 s; ~1,100 keyword/filler pairs
//! (`review21_probe_keyword_pairs_timing`) under ~2 s apart from X1 and X2. Own secrets: hex,
//! base64 at every offset, form-encoded (E1's fix, review 20's test) hold; the streamed path
//! hides value by value, so E3 should not reach it (read, not tested). Live objects (`review21_probe_live_shapes`): YAML explicit keys (`? password`),
//! `\x77` and `\u0077` in keys, a comment after the colon, ` : `, JSON with line breaks
//! around the colon, `.properties` with `:`, `mysql -p…`, CDATA, tags (`!!binary`,
//! `!vault`), TOML `'''`, `.env`, HCL heredoc, INI, `-D…Password=`, libpq conninfo,
//! `.pgpass`, `.netrc`, docker `auth`, htpasswd hashes, kubeconfig, OpenSSH keys,
//! `redis://:pw@`, SMB and JAAS options all hidden. Text (`review21_probe_native_text_shapes`):
//! ~75 command, URL, connection-string and SQL shapes hidden apart from L2 and L3 (and
//! `password&#58;`, an octal `\075`, U+2236, Cyrillic homoglyphs, not counted).

use crate::planting::{password_plugin_env, pruning_world, sent_writes, world_with_password};
use serde_json::{Value, json};

use crate::identity::{CLIENT_ID, CLIENT_SECRET, call_as, token, user_mode};

// ---------------------------------------------------------------------------------------------
// ARGOCD_ALLOWED_PROJECTS: deletes of child Applications other than delete and cascade
// ---------------------------------------------------------------------------------------------

/// P1: a sync with `prune: true` of an allowed app of apps deletes the child Application that
/// Git no longer holds, whatever its project: the delete the allow-list refuses through
/// `delete_argocd_resource` (and through the cascade delete of the parent) is sent as a sync.
#[tokio::test]
async fn review21_finding_p1_sync_prune_deletes_a_child_application_of_another_project() {
    let world = pruning_world().await;
    // The same delete asked directly is refused (holds).
    let direct = world
        .call(
            "delete_argocd_resource",
            json!({"app_name": "payments", "kind": "Application", "group": "argoproj.io",
                   "version": "v1alpha1", "resource_name": "broken-app", "namespace": "argocd",
                   "confirm": true}),
        )
        .await;
    println!("review21 P1 direct: {direct}");
    assert_eq!(direct["isError"], true, "{direct}");
    assert!(sent_writes(&world).is_empty(), "{:?}", sent_writes(&world));
    let result = world
        .call(
            "sync_argocd_app",
            json!({"app_name": "payments", "prune": true, "confirm": true}),
        )
        .await;
    println!("review21 P1 sync prune: {result}");
    let sent = sent_writes(&world);
    assert!(
        sent.is_empty(),
        "payments synced with prune while it would prune broken-app (project default): {sent:?} ({result})"
    );
}

/// A child Application listed with a namespace spelled otherwise, or none: it is read as listed
/// and a mismatch refuses (fail closed).
#[tokio::test]
async fn review21_held_child_listed_in_another_namespace_spelling_is_refused() {
    for namespace in [json!(""), json!("ArgoCD"), json!("argocd "), Value::Null] {
        let mut world = crate::World::new().await;
        world.set("allowed_projects", "payments");
        {
            let mut state = world.standin.state();
            state.apps.get_mut("broken-app").unwrap().app["spec"]["project"] = json!("payments");
            let record = state.apps.get_mut("payments").unwrap();
            let mut child = json!({"group": "argoproj.io", "version": "v1alpha1",
                "kind": "Application", "name": "broken-app", "status": "Synced"});
            if !namespace.is_null() {
                child["namespace"] = namespace.clone();
            }
            record.app["status"]["resources"]
                .as_array_mut()
                .unwrap()
                .push(child);
        }
        crate::planting::manages(&world.standin, "broken-app", "guestbook");
        let result = world
            .call(
                "delete_argocd_app",
                json!({"app_name": "payments", "cascade": true, "confirm": true}),
            )
            .await;
        println!("review21 namespace {namespace}: {result}");
        let sent: Vec<String> = sent_writes(&world);
        assert!(sent.is_empty(), "namespace {namespace}: {sent:?} {result}");
    }
}

// ---------------------------------------------------------------------------------------------
// The settings' own secrets in answers
// ---------------------------------------------------------------------------------------------

/// E2: a provider (or a proxy before it) quoting the request it refused in spellings
/// `OwnSecrets` does not know: base64 wrapped at 76 characters as MIME writes it (the secret's
/// characters cut by the line break), every byte percent-encoded, hex in mixed case, HTML
/// entities for the punctuation.
#[tokio::test]
async fn review21_finding_e2_the_client_secret_in_more_encodings_is_shown() {
    use base64::Engine;
    let body = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}&scope=openid"
    );
    let b64 = base64::engine::general_purpose::STANDARD.encode(&body);
    let wrapped: Vec<String> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let percent: String = CLIENT_SECRET.bytes().map(|b| format!("%{b:02X}")).collect();
    let variants = [
        ("MIME base64 of the body (CRLF)", wrapped.join("\r\n")),
        ("MIME base64 of the body (LF)", wrapped.join("\n")),
        ("every byte percent-encoded", percent.clone()),
        ("every byte percent-encoded, lower", percent.to_lowercase()),
    ];
    let world = user_mode(&[]).await;
    let alice = token(&world, "alice");
    let mut shown = Vec::new();
    for (name, spelling) in &variants {
        world.standin.state().idp.exchange_error_echo =
            Some(format!("refused R21e02q [{spelling}]"));
        let (status, body) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
        let said = format!("{status} {body}");
        println!("review21 E2 {name}: {said}");
        assert!(said.contains("R21e02q"), "{said}");
        // Decode what the answer holds and look for the secret in it.
        let text = body.to_string();
        let decoded = decode_echo(&text);
        if decoded.iter().any(|d| d.contains(CLIENT_SECRET)) {
            shown.push(name.to_string());
        }
    }
    assert!(
        shown.is_empty(),
        "the client secret {CLIENT_SECRET} recoverable from: {shown:?}"
    );
}

/// What a reader recovers from the bracketed echo of an answer: percent-decoded and base64
/// decoded with line breaks dropped.
fn decode_echo(text: &str) -> Vec<String> {
    use base64::Engine;
    let mut out = Vec::new();
    for part in text.split("R21e02q [").skip(1) {
        let inner = part.split(']').next().unwrap_or("");
        // The JSON text escapes: read it as the string it was.
        let unescaped = inner
            .replace("\\\\r", "")
            .replace("\\\\n", "")
            .replace("\\r", "")
            .replace("\\n", "");
        out.push(unescaped.clone());
        let bytes = unescaped.as_bytes();
        let mut decoded = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%'
                && i + 2 < bytes.len()
                && i + 2 < bytes.len()
                && let Ok(b) = u8::from_str_radix(&unescaped[i + 1..i + 3], 16)
            {
                decoded.push(b);
                i += 3;
                continue;
            }
            decoded.push(bytes[i]);
            i += 1;
        }
        out.push(String::from_utf8_lossy(&decoded).into_owned());
        if let Ok(b) = base64::engine::general_purpose::STANDARD.decode(unescaped.trim()) {
            out.push(String::from_utf8_lossy(&b).into_owned());
        }
        // Base64 decoding of a word with masks in it fails: decode each run of base64 text.
        for run in unescaped.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=".contains(c))) {
            for cut in 0..4 {
                if run.len() > cut {
                    let piece = &run[cut..];
                    let piece = &piece[..piece.len() / 4 * 4];
                    if let Ok(b) = base64::engine::general_purpose::STANDARD.decode(piece) {
                        out.push(String::from_utf8_lossy(&b).into_owned());
                    }
                }
            }
        }
    }
    out
}

/// E3: the settings' own secrets are taken out of a whole answer as its JSON text: a secret
/// holding a quote or a backslash is written escaped once in `structuredContent` but twice in
/// the `content` text (JSON text inside a JSON string), a spelling `OwnSecrets` does not list.
#[tokio::test]
async fn review21_finding_e3_a_password_with_a_quote_is_shown_in_the_content_text() {
    let password = "R21q\"Zx9\\kpw";
    let world = world_with_password(password).await;
    crate::planting::plant_conditions(
        &world.standin,
        "guestbook",
        &[("m", format!("rendered {password} into the chart"), "")],
    );
    let result = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await;
    assert_eq!(result["isError"], false, "{result}");
    let structured = result["structuredContent"].to_string();
    let text = result["content"][0]["text"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    println!("review21 E3 structured: {structured}");
    println!("review21 E3 text: {text}");
    assert!(
        !structured.contains("R21q") || !structured.contains("Zx9"),
        "structured: {structured}"
    );
    assert!(
        !text.contains("Zx9"),
        "the password {password} in the content text: {text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Denial of service: 256 KB of one repeated pattern in a condition message
// ---------------------------------------------------------------------------------------------

/// Every pattern repeated to 256 KB, with and without a `kind: Secret` line before it, through
/// one `get_argocd_app_status` each: the slowest are printed.
#[tokio::test]
#[ignore = "a timing probe: run it by hand with --ignored"]
async fn review21_probe_repeated_patterns_timing() {
    let size: usize = std::env::var("R21_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256 * 1024);
    let only = std::env::var("R21_ONLY").ok();
    let patterns: Vec<String> = [
        "\\",
        "\\\\z",
        "%",
        "%25",
        "%5C",
        "&",
        "&#",
        "&#x",
        "&quot;",
        ":",
        "=",
        "@",
        "/",
        "\"",
        "'",
        "-",
        ".",
        "$",
        "${",
        "{",
        "[",
        "<",
        " ",
        "\t",
        "\n",
        "\\n",
        "#",
        "*",
        "|",
        "`",
        "\u{1b}[",
        "\\u001b[1",
        ";",
        "://",
        "Bearer ",
        "password=",
        "password: ",
        "-----BEGIN ",
        "eyJ",
        "ghp_",
        "AKIA",
        "data:",
        "stringData:",
        "token:",
        "\\\"",
        "\\u005c",
        "a:b@",
        "x://a:b",
        "--password ",
        "-p",
        "Authorization: ",
        "Basic ",
        "key=",
        "secret ",
        "pass",
        "password",
        "\"password\":",
        "'password':",
        "password=\"",
        "PASSWORD=",
        "apiKey",
        "\\\\\\\"",
        "\\u0022",
        "%22",
        "%2522",
        "&#34;",
        "-----",
        "a=b&",
        "a=",
        "=a",
        "_",
        "aA1",
        "0",
        "==",
        "\\x1b[",
        "\\033[",
        "\\e[",
        "\r",
        "\u{2028}",
        "\u{e9}",
        "é:",
        "@@",
        "::",
        "//",
        "@a:",
        "a@",
        ":@",
        "{{",
        "}}",
        "${{",
        "\\\\",
        "\\/",
        "%2F",
        "%40",
        "%3A",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let patterns = match only {
        Some(only) => vec![only.replace("\\n", "\n")],
        None => patterns,
    };
    let world = crate::World::new().await;
    let mut times = Vec::new();
    for pattern in &patterns {
        for prefix in ["", "kind: Secret\n"] {
            let body = pattern.repeat(size / pattern.len().max(1));
            let message = format!("{prefix}{body}z");
            crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", &message, "")]);
            let started = std::time::Instant::now();
            let _ = world
                .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
                .await;
            let took = started.elapsed();
            println!("review21 timing {pattern:?} {prefix:?}: {took:?}");
            times.push((took, format!("{pattern:?} {prefix:?}")));
        }
    }
    times.sort();
    times.reverse();
    for (took, name) in times.iter().take(10) {
        println!("review21 slowest {name}: {took:?}");
    }
}

/// Keyword and filler pairs repeated to 256 KB (`R21_SIZE`), timed through
/// `get_argocd_app_status`: the slowest are printed.
#[tokio::test]
#[ignore = "a timing probe: run it by hand with --ignored"]
async fn review21_probe_keyword_pairs_timing() {
    let size: usize = std::env::var("R21_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256 * 1024);
    let keywords = [
        "password",
        "token",
        "secret",
        "Secret",
        "kind: Secret",
        "apiVersion: v1",
        "data",
        "stringData",
        "Authorization",
        "Bearer",
        "Basic",
        "-----BEGIN",
        "-----BEGIN RSA PRIVATE KEY-----",
        "https://",
        "git@",
        "ssh://",
        "mongodb://",
        "postgres://",
        "user:pw@",
        "--password",
        "-p",
        "PGPASSWORD",
        "export",
        "set",
        "aws_secret_access_key",
        "client_secret",
        "private_key",
        "<password>",
        "<Password>",
        "\"password\"",
        "'password'",
        "password:",
        "password=",
        "password =",
        "${",
        "{{",
        "\"\"\"",
        "'''",
        "```",
        "`",
        "\\\"",
        "&quot;",
        "Set-Cookie",
        "Cookie",
        "X-Api-Key",
        "api_key",
        "hooks.slack.com/services/",
        "http://a",
        "@",
        "%40",
        "\\u0040",
        "hash",
        "assertEquals(",
        "check(",
        "==",
        "!=",
        "password(",
        "login(",
        "kubectl create secret",
        "--from-literal=",
        "helm",
        "--set",
        "values:",
        "env:",
        "- name:",
        "value:",
        "valueFrom:",
        "ConnectionString",
        "Data Source=",
        "Server=",
        "jdbc:",
        "redis://",
        "amqp://",
        "s3://",
        "AKIA",
        "ghp_",
        "glpat-",
        "xoxb-",
        "sk-",
        "eyJhbGciOi",
        "npm_",
        "AIza",
        "[",
        "(",
        "{",
    ];
    let fillers = [
        " ", "a", "x ", "\n", "\\n", ":", "=", "\"", "'", ": ", "=\"", "\\\"", "/",
    ];
    let world = crate::World::new().await;
    let mut times = Vec::new();
    for keyword in keywords {
        for filler in fillers {
            let unit = format!("{keyword}{filler}");
            let body = unit.repeat(size / unit.len());
            crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", &body, "")]);
            let started = std::time::Instant::now();
            let _ = world
                .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
                .await;
            let took = started.elapsed();
            if took > std::time::Duration::from_millis(1500) {
                println!("review21 SLOW {unit:?}: {took:?}");
            }
            times.push((took, format!("{unit:?}")));
        }
    }
    times.sort();
    times.reverse();
    for (took, name) in times.iter().take(15) {
        println!("review21 slowest {name}: {took:?}");
    }
}

/// E4: a secret the settings hold, quoted inside JSON text that another program wrote (a Go
/// service's JSON log line or error body escapes `&`, `<`, `>` as `\u0026`…, PHP and others
/// write `/` as `\/`): the credential rules read through these escapes, `OwnSecrets` does not.
/// Through both components.
#[tokio::test]
async fn review21_finding_e4_a_password_quoted_with_json_escapes_is_shown() {
    let password = "R21/pw&Zx9-k<q>";
    let escaped = "R21\\/pw\\u0026Zx9-k\\u003cq\\u003e";
    let message = format!("upstream said {{\"seed\":\"{escaped}\",\"ok\":false}}");
    let world = world_with_password(password).await;
    crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", &message, "")]);
    let result = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await;
    let server = result["structuredContent"].to_string();
    println!("review21 E4 server: {server}");
    // The plugin with the same password.
    let config = host_test::standin::Config {
        users: vec![("admin".into(), password.into())],
        ..Default::default()
    };
    let standin = host_test::standin::StandIn::start(config).await.unwrap();
    crate::planting::plant_conditions(&standin, "guestbook", &[("m", &message, "")]);
    let env = password_plugin_env(&standin, password);
    let plugin = crate::planting::plugin_status(&env).await;
    println!("review21 E4 plugin: {plugin}");
    for (name, said) in [("server", &server), ("plugin", &plugin)] {
        assert!(said.contains("upstream said"), "{name}: {said}");
        assert!(
            !said.contains("Zx9"),
            "{name}: the password {password} quoted as {escaped}: {said}"
        );
    }
}

/// P1b: the same prune through a rollback with `prune: true` (the old revision lacks the child).
#[tokio::test]
async fn review21_finding_p1b_rollback_prune_deletes_a_child_application_of_another_project() {
    let world = pruning_world().await;
    {
        let mut state = world.standin.state();
        let record = state.apps.get_mut("payments").unwrap();
        record.app["spec"]["syncPolicy"]["automated"] = Value::Null;
        record.blueprint.auto_sync = false;
    }
    let history = world
        .call("list_argocd_app_history", json!({"app_name": "payments"}))
        .await;
    println!("review21 P1b history: {history}");
    let id = history["structuredContent"]["entries"][0]["id"]
        .as_i64()
        .or_else(|| history["structuredContent"]["history"][0]["id"].as_i64())
        .unwrap_or(0);
    let result = world
        .call(
            "rollback_argocd_app",
            json!({"app_name": "payments", "history_id": id, "prune": true, "confirm": true}),
        )
        .await;
    println!("review21 P1b rollback prune: {result}");
    let sent = sent_writes(&world);
    assert!(
        sent.is_empty(),
        "payments rolled back with prune while it would prune broken-app (project default): {sent:?} ({result})"
    );
}

// ---------------------------------------------------------------------------------------------
// The settings' own secrets cut before they are taken out
// ---------------------------------------------------------------------------------------------

/// E5: the provider's `error_description` is cut to 200 characters
/// (`identity/delegation.rs`, `chars().take(200)`) before the answer leaves, and the settings'
/// own secrets are taken out only where it leaves, by their whole spelling: a refusal quoting
/// the request with the client secret across the 200th character shows all of it but its tail.
#[tokio::test]
async fn review21_finding_e5_a_cut_provider_refusal_shows_the_head_of_the_client_secret() {
    let world = user_mode(&[]).await;
    let alice = token(&world, "alice");
    let head = &CLIENT_SECRET[..CLIENT_SECRET.len() - 4];
    let mut shown = Vec::new();
    // "refused R21e05q " is 16 characters and "sent " 5: the filler puts the secret across
    // character 200.
    for filler in [156usize, 160, 164, 170] {
        let echo = format!(
            "refused R21e05q {}sent {CLIENT_SECRET} as the client's",
            "a ".repeat(filler / 2)
        );
        world.standin.state().idp.exchange_error_echo = Some(echo);
        let (status, body) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
        let said = format!("{status} {body}");
        println!("review21 E5 filler {filler}: {said}");
        assert!(said.contains("R21e05q"), "{said}");
        if said.contains(head) {
            shown.push(format!("filler {filler}: {said}"));
        }
    }
    assert!(
        shown.is_empty(),
        "the head {head:?} of the client secret shown:\n{}",
        shown.join("\n")
    );
}

/// E6: a log line longer than `max_bytes` is cut (`logs.rs` `shortened`) after the credential
/// rules and before the settings' own secrets are taken out by value: the Argo CD password
/// quoted by a pod across the cut shows all of it but its tail. Through both components.
#[tokio::test]
async fn review21_finding_e6_a_cut_log_line_shows_the_head_of_the_password() {
    let head = &crate::PASSWORD[..crate::PASSWORD.len() - 3];
    let mut shown = Vec::new();
    for filler in (150..=184).step_by(2) {
        let world = crate::World::new().await;
        let line = format!(
            "R21e06q {} seed {} rest of the line {}",
            "a ".repeat(filler / 2),
            crate::PASSWORD,
            "b ".repeat(200)
        );
        world.standin.state().review_log_lines = vec![line];
        let args = json!({"app_name": "guestbook", "kind": "Deployment", "resource_name": "guestbook",
                          "tail_lines": 500, "max_bytes": 256, "filter": "R21e06q"});
        let server = world.call("get_argocd_app_logs", args).await.to_string();
        let env = password_plugin_env(&world.standin, crate::PASSWORD);
        let (p, mut st) = crate::harness().plugin(&env).await.unwrap();
        let plugin = match p
            .call_get_argocd_app_logs(
                &mut st,
                "guestbook",
                None,
                Some("Deployment"),
                Some("guestbook"),
                None,
                None,
                Some(500),
                None,
                Some("R21e06q"),
                None,
                None,
                Some(256),
                None,
                None,
            )
            .await
            .expect("plugin answers")
        {
            Ok(a) | Err(a) => a,
        };
        if filler == 150 {
            println!("review21 E6 server: {server}\nplugin: {plugin}");
        }
        for (name, said) in [("server", &server), ("plugin", &plugin)] {
            if said.contains(head) {
                println!("review21 E6 {name} filler {filler}: {said}");
                shown.push(format!("{name} filler {filler}"));
            }
        }
    }
    assert!(
        shown.is_empty(),
        "the head {head:?} of the Argo CD password shown: {shown:?}"
    );
}

/// The credential rules natively (no component): `R21_ONLY` repeated to `R21_SIZE`, timed.
#[test]
#[ignore = "a timing probe: run it by hand with --ignored"]
fn review21_probe_native_scrub_timing() {
    let size: usize = std::env::var("R21_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64 * 1024);
    let patterns = std::env::var("R21_ONLY").unwrap_or_else(|_| "Basic:".into());
    for pattern in patterns.split("|||") {
        let pattern = pattern.replace("\\n", "\n");
        let text = pattern.repeat(size / pattern.len().max(1));
        let started = std::time::Instant::now();
        let clean = argocd_mcp::tools::without_credentials(&text);
        println!(
            "review21 native {pattern:?} x{}: {:?} (changed: {})",
            size / pattern.len().max(1),
            started.elapsed(),
            clean != text
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Denial of service: Go `%+v` field names without a space
// ---------------------------------------------------------------------------------------------

/// X1: a capitalised name and a colon with no space after it reads as a Go `%+v` field
/// (`members.rs`: `unspaced_field` when the name starts upper case), whose value is read with
/// `value(…)` to the end of the word; a text with no space is one word, so each of `A:A:A:…`
/// reads (and `switch` splits) the whole rest of the text and nothing is consumed: quadratic.
/// 64 KB of `A:` takes ~6 s natively (`a:` 40 ms); 256 KB of `Basic:` in a condition message
/// made one `get_argocd_app_status` take ~80 s through the server component.
#[tokio::test]
#[ignore = "a timing probe (fixed; the suite holds no timing assertions): run it by hand with --ignored"]
async fn review21_finding_x1_capitalised_fields_without_spaces_take_quadratic_time() {
    let size = 64 * 1024;
    let world = crate::World::new().await;
    let mut took = Vec::new();
    for pattern in ["a:", "A:"] {
        let message = pattern.repeat(size / 2);
        crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", &message, "")]);
        let started = std::time::Instant::now();
        let result = world
            .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await;
        let elapsed = started.elapsed();
        println!(
            "review21 X1 {pattern:?} x{}: {elapsed:?} ({})",
            size / 2,
            result["isError"]
        );
        took.push(elapsed);
    }
    assert!(
        took[1] < std::time::Duration::from_secs(3),
        "64 KB of `A:` took {:?} against {:?} for `a:`",
        took[1],
        took[0]
    );
}

/// X2: `userinfo.rs` `scp_like_userinfo_end` reads, at every word start (after a space, `=`,
/// `,`, a quote, a bracket) that reads `user:`, to the end of the word for the last `@`
/// followed by a host; when none is (`u:p@=`), nothing is consumed and the next word start,
/// one `=` further on, reads the same rest again: quadratic. 32 KB of `u:p@=` takes 0.6 s
/// natively, 128 KB 9 s; 256 KB of `user:pw@=` in a condition message made one
/// `get_argocd_app_status` take ~130 s through the server component.
#[tokio::test]
#[ignore = "a timing probe (fixed; the suite holds no timing assertions): run it by hand with --ignored"]
async fn review21_finding_x2_scheme_less_userinfo_without_host_takes_quadratic_time() {
    let size = 64 * 1024;
    let world = crate::World::new().await;
    let mut took = Vec::new();
    for pattern in ["u-p@=", "u:p@="] {
        let message = pattern.repeat(size / pattern.len());
        crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", &message, "")]);
        let started = std::time::Instant::now();
        let result = world
            .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await;
        let elapsed = started.elapsed();
        println!(
            "review21 X2 {pattern:?}: {elapsed:?} ({})",
            result["isError"]
        );
        took.push(elapsed);
    }
    assert!(
        took[1] < std::time::Duration::from_secs(3),
        "64 KB of `u:p@=` took {:?} against {:?} for `u-p@=`",
        took[1],
        took[0]
    );
}

/// P2: an allowed app that manages Argo CD's own installation (Argo CD managing itself is the
/// usual setup) holds the CustomResourceDefinition `applications.argoproj.io`. Deleting that
/// resource, or the cascade delete of the app, deletes every Application of every project
/// (and, through their finalizers, all they deployed). The allow-list judges Applications,
/// ApplicationSets and AppProjects by kind only (`project_guard.rs` `argo_object`), so the
/// definition they all depend on (and a Namespace that holds them) passes.
#[tokio::test]
async fn review21_finding_p2_deleting_the_application_crd_through_an_allowed_app_is_sent() {
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    {
        let mut state = world.standin.state();
        let record = state.apps.get_mut("payments").unwrap();
        record.app["status"]["resources"]
            .as_array_mut()
            .unwrap()
            .push(json!({"group": "apiextensions.k8s.io", "version": "v1",
                "kind": "CustomResourceDefinition", "name": "applications.argoproj.io",
                "status": "Synced"}));
    }
    let direct = world
        .call(
            "delete_argocd_resource",
            json!({"app_name": "payments", "kind": "CustomResourceDefinition",
                   "group": "apiextensions.k8s.io", "version": "v1",
                   "resource_name": "applications.argoproj.io", "confirm": true}),
        )
        .await;
    println!("review21 P2 delete the CRD: {direct}");
    let after_direct = sent_writes(&world);
    let cascade = world
        .call(
            "delete_argocd_app",
            json!({"app_name": "payments", "cascade": true, "confirm": true}),
        )
        .await;
    println!("review21 P2 cascade: {cascade}");
    let sent = sent_writes(&world);
    println!("review21 P2 sent: {sent:?}");
    assert!(
        after_direct.is_empty(),
        "the Application CRD deleted through payments: {after_direct:?} ({direct})"
    );
    assert!(
        sent.is_empty(),
        "payments, which manages the Application CRD, deleted with cascade: {sent:?} ({cascade})"
    );
}

// ---------------------------------------------------------------------------------------------
// Credentials in live objects: shapes the earlier reviews did not try
// ---------------------------------------------------------------------------------------------

fn config_map(name: &str, key: &str, text: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": name, "namespace": "guestbook"},
           "data": {key: text}})
}

/// Shapes through `get_argocd_resource` of both components; prints what leaked.
#[tokio::test]
#[ignore = "a probe: run it by hand with --ignored"]
async fn review21_probe_live_shapes() {
    let shapes: Vec<crate::planting::LiveShape> = vec![
        (
            "yaml anchor",
            config_map(
                "r21-a01",
                "values.yaml",
                "common: &pw R21a01x\ndb:\n  password: *pw\n",
            ),
            &["R21a01x"],
        ),
        (
            "yaml explicit key",
            config_map("r21-a10", "values.yaml", "db:\n  ? password\n  : R21a10x\n"),
            &["R21a10x"],
        ),
        (
            "yaml dq \\x escape key",
            config_map(
                "r21-a11",
                "values.yaml",
                "db:\n  \"pass\\x77ord\": R21a11x\n",
            ),
            &["R21a11x"],
        ),
        (
            "yaml comment then value",
            config_map(
                "r21-a13",
                "values.yaml",
                "db:\n  password: # from vault\n    R21a13x\n",
            ),
            &["R21a13x"],
        ),
        (
            "yaml space before colon",
            config_map("r21-a24", "values.yaml", "db:\n  password : R21a24x\n"),
            &["R21a24x"],
        ),
        (
            "json newline colon",
            config_map("r21-a25", "config.json", "{\"password\"\n:\n\"R21a25x\"}"),
            &["R21a25x"],
        ),
        (
            "properties space sep",
            config_map(
                "r21-a08",
                "application.properties",
                "spring.datasource.url=jdbc:x\nspring.datasource.password R21a08y\n",
            ),
            &["R21a08y"],
        ),
        (
            "properties colon sep",
            config_map(
                "r21-a09",
                "application.properties",
                "spring.datasource.password:R21a09y\n",
            ),
            &["R21a09y"],
        ),
        (
            "mysql -p attached",
            config_map("r21-a06", "run.sh", "mysql -uroot -pR21a06x mydb\n"),
            &["R21a06x"],
        ),
        (
            "xml cdata",
            config_map(
                "r21-a17",
                "conf.xml",
                "<db><password><![CDATA[R21a17y]]></password></db>",
            ),
            &["R21a17y"],
        ),
        (
            "yaml dq unicode key",
            config_map(
                "r21-a03",
                "values.yaml",
                "db:\n  \"pass\\u0077ord\": R21a03x\n",
            ),
            &["R21a03x"],
        ),
        (
            "yaml merge",
            config_map(
                "r21-a14",
                "values.yaml",
                "creds: &c\n  user: u\n  secret_value: R21a14x\n",
            ),
            &["R21a14x"],
        ),
        (
            "yaml flow seq",
            config_map("r21-a15", "values.yaml", "password: [R21a15x]\n"),
            &["R21a15x"],
        ),
        (
            "yaml tagged",
            config_map(
                "r21-a16",
                "values.yaml",
                "db:\n  password: !!binary UjIxYTE2eA==\n  token: !vault R21a16x\n",
            ),
            &["R21a16x", "UjIxYTE2eA"],
        ),
        (
            "toml multiline",
            config_map("r21-a18", "c.toml", "[db]\npassword = '''\nR21a18x'''\n"),
            &["R21a18x"],
        ),
        (
            "env file",
            config_map("r21-a20", ".env", "DB_PASS=R21a20x\nAPI_SECRET=R21a20y\n"),
            &["R21a20x", "R21a20y"],
        ),
        (
            "hcl heredoc",
            config_map("r21-a21", "main.tf", "password = <<EOT\nR21a21x\nEOT\n"),
            &["R21a21x"],
        ),
        (
            "yaml long key",
            config_map(
                "r21-a22",
                "values.yaml",
                "db:\n  \"password\"   :   \"R21a22x\"\n",
            ),
            &["R21a22x"],
        ),
        (
            "ini semicolon",
            config_map(
                "r21-a23",
                "php.ini",
                "[mysql]\nmysql.default_password = R21a23x ; default\n",
            ),
            &["R21a23x"],
        ),
        (
            "java keystore pass",
            config_map(
                "r21-a26",
                "jvm.options",
                "-Djavax.net.ssl.keyStorePassword=R21a26x\n-Ddb.pw=R21a26y\n",
            ),
            &["R21a26x", "R21a26y"],
        ),
        (
            "psql conninfo",
            config_map(
                "r21-a27",
                "conn",
                "host=db port=5432 dbname=app user=app password=R21a27x sslmode=require\n",
            ),
            &["R21a27x"],
        ),
        (
            "pgpass",
            config_map(
                "r21-a28",
                ".pgpass",
                "db.example.com:5432:app:app:R21a28x\n",
            ),
            &["R21a28x"],
        ),
        (
            "netrc",
            config_map(
                "r21-a29",
                ".netrc",
                "machine github.com login bot password R21a29x\n",
            ),
            &["R21a29x"],
        ),
        (
            "docker auth b64",
            config_map(
                "r21-a30",
                "config.json",
                "{\"auths\":{\"r.example.com\":{\"auth\":\"Ym90OlIyMWEzMHg=\"}}}",
            ),
            &["Ym90OlIyMWEzMHg"],
        ),
        (
            "htpasswd",
            config_map(
                "r21-a31",
                "htpasswd",
                "admin:$apr1$R21a31x$abcdefghijklmnopqrstuv\n",
            ),
            &["R21a31x"],
        ),
        (
            "kubeconfig",
            config_map(
                "r21-a32",
                "kubeconfig",
                "users:\n- name: x\n  user:\n    client-key-data: UjIxYTMyeA==\n    token: R21a32y\n",
            ),
            &["UjIxYTMyeA", "R21a32y"],
        ),
        (
            "ssh private key openssh",
            config_map(
                "r21-a33",
                "id",
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAR21a33x\n-----END OPENSSH PRIVATE KEY-----\n",
            ),
            &["R21a33x"],
        ),
        (
            "redis url no user",
            config_map("r21-a34", "redis", "redis://:R21a34x@redis:6379/0\n"),
            &["R21a34x"],
        ),
        (
            "smb",
            config_map(
                "r21-a35",
                "mount",
                "//server/share -o username=u,password=R21a35x\n",
            ),
            &["R21a35x"],
        ),
        (
            "sasl jaas",
            config_map(
                "r21-a36",
                "jaas",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"R21a36x\";\n",
            ),
            &["R21a36x"],
        ),
    ];
    let found = crate::planting::leaks_in_live(&shapes).await;
    println!("review21 live leaks: {found:#?}");
}

/// L1: YAML anchors: a value anchored under an innocent key and aliased under a credential's
/// name (`common: &pw …` then `password: *pw`, as Helm values share one value between charts)
/// is the credential, and is shown where it is written: the masking judges the alias's line
/// (`*pw`), the scrubbing the anchor's key. Through both components (`get_argocd_resource` of
/// a ConfigMap holding values text).
#[tokio::test]
async fn review21_finding_l1_a_yaml_anchor_aliased_as_a_password_is_shown() {
    let found = crate::planting::leaks_in_live(&[(
        "yaml anchor",
        config_map(
            "r21-l1",
            "values.yaml",
            "common: &dbpass R21l01x\npostgresql:\n  auth:\n    password: *dbpass\n",
        ),
        &["R21l01x"],
    )])
    .await;
    assert!(found.is_empty(), "{found:?}");
}

/// L2: a Java `.properties` line whose key and value are separated by whitespace (as valid as
/// `=` or `:`): `spring.datasource.password R21l02x` is shown; with `=` or `:` it is hidden.
#[tokio::test]
async fn review21_finding_l2_a_properties_password_after_a_space_is_shown() {
    let found = crate::planting::leaks_in_live(&[(
        "properties space separator",
        config_map(
            "r21-l2",
            "application.properties",
            "spring.datasource.url=jdbc:postgresql://db/app\nspring.datasource.password R21l02x\n",
        ),
        &["R21l02x"],
    )])
    .await;
    assert!(found.is_empty(), "{found:?}");
}

/// Text shapes through the credential rules natively: prints the ones whose secret stays.
#[test]
#[ignore = "a probe: run it by hand with --ignored"]
fn review21_probe_native_text_shapes() {
    let shapes = [
        "sshpass -p R21b02x ssh host",
        "PGPASSWORD=R21b03x psql -h db",
        "redis-cli -a R21b04x ping",
        "htpasswd -b -c file admin R21b05x",
        "openssl pkcs12 -export -passin pass:R21b06x -out x",
        "openssl pkcs12 -export -passout pass:R21b07x -out x",
        "echo R21b09x | docker login --password-stdin -u bot",
        "X-Auth-Token: R21b12x",
        "api-key: R21b13x",
        "apikey=R21b14x",
        "GET /v1/data?apikey=R21b15x&x=1",
        "https://acct.blob.core.windows.net/c/b?sv=2020-08-04&sig=R21b16xAbC%3D&se=2030",
        "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA/x&X-Amz-Signature=R21b17xabcdef",
        "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=R21b18x==;EndpointSuffix=core.windows.net",
        "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=R21b19x=",
        "VAULT_TOKEN=hvs.R21b20xCAESIJ",
        "token hvs.CAESIR21b20y",
        "AWS_SESSION_TOKEN=R21b23x",
        "kubectl --token R21b25x get pods",
        "helm repo add x https://x --username u --password R21b26x",
        "helm install x --set auth.rootPassword=R21b27x",
        "helm install x --set-string db.pass=R21b28x",
        "pass: R21b29x",
        "passwd=R21b30x",
        "Driver={ODBC};Server=db;Uid=sa;Pwd=R21b32x;",
        "credentials: R21b33x",
        "\"secretKey\": \"R21b35x\"",
        "MINIO_ROOT_PASSWORD=R21b36x",
        "ConnectionStrings__Default=Server=x;Database=y;User Id=sa;Password=R21b37x",
        "jdbc:mysql://db/app?user=u&password=R21b38x",
        "user=u pass=R21b41x",
        "failed: {Username:admin Password:R21b42x}",
        ":password => \"R21b44x\"",
        "'password' => 'R21b45x'",
        "spec.containers[0].env: [{name: DB_PASSWORD, value: R21b46x}]",
        "invalid: {\"name\":\"DB_PASSWORD\",\"value\":\"R21b47x\"}",
        "parameters: [{\"name\":\"auth.password\",\"value\":\"R21b48x\"}]",
        "env DB_PASSWORD=R21b49x not allowed",
        "Error: secret \"db\" data.password: R21b50x",
        "- --db-password\n- R21b51x",
        "args: [\"--password\", \"R21b52x\"]",
        "command: mysqladmin -u root password R21b53x",
        "ALTER USER app WITH PASSWORD 'R21b54x';",
        "CREATE USER app IDENTIFIED BY 'R21b55x';",
        "GRANT ALL ON *.* TO 'u'@'%' IDENTIFIED BY 'R21b56x';",
        "set PASSWORD for root = PASSWORD('R21b57x')",
        "az login --service-principal -u x -p R21b58x --tenant t",
        "gcloud auth activate --key-file=- <<< R21b59x",
        "curl -u bot:R21b60x https://x",
        "curl --user bot:R21b61x https://x",
        "curl -H \"PRIVATE-TOKEN: R21b62x\" https://x",
        "wget --http-password=R21b63x https://x",
        "git -c http.extraHeader=\"Authorization: Basic R21b64xQ==\" clone",
        "rclone config create r s3 secret_access_key R21b65x",
        "aws configure set aws_secret_access_key R21b66x",
        "vault login R21b67x",
        "argocd login argocd.example.com --username admin --password R21b68x",
        "argocd repo add https://x --username u --password R21b69x",
        "argocd account update-password --current-password a --new-password R21b70x",
        "psql postgresql://app@db/app?password=R21b71x",
        "password\":\"R21b72x",
        "PASSWORD R21b73x",
        "the password is R21b74x",
        "db_password\tR21b75x",
        "token\u{3000}R21b76x",
        "password\u{ff1a}R21b77x",
        "password\u{2236} R21b78x",
        "p\u{0430}ssword: R21b79x",
        "password&#58; R21b80x",
        "password%3A R21b81x",
        "password%3DR21b82x",
        "password\\u003dR21b83x",
        "password\\x3dR21b84x",
        "password\\075R21b85x",
    ];
    let mut left = Vec::new();
    for shape in shapes {
        let clean = argocd_mcp::tools::without_credentials(shape);
        let secret = shape
            .split(|c: char| !c.is_ascii_alphanumeric())
            .find(|w| w.starts_with("R21b"))
            .unwrap_or("R21b");
        if clean.contains(secret) {
            left.push(format!("{shape:?} -> {clean:?}"));
        }
    }
    println!("review21 native text shapes kept:\n{}", left.join("\n"));
}

/// L3: well-known command lines that take a password positionally or after a login's `-p`
/// the command rules do not know: `az login -p …` (a login's `-p`, which the README says is
/// hidden, but `az` is not among the logins listed), `mysqladmin … password …`,
/// `htpasswd -b file user …`, `vault login …`. (`commands.rs` knows Redis's `AUTH`,
/// `docker login -p` and its kin, `sshpass -p`, MySQL's `-p…`; `redis-cli -a …` is shown too,
/// but the README lists it among what cannot be hidden.)
/// Condition messages through both components.
#[tokio::test]
async fn review21_finding_l3_passwords_of_well_known_commands_are_shown() {
    let shapes = [
        (
            "az login -p",
            "job failed: az login --service-principal -u app -p R21l03b --tenant t",
        ),
        (
            "mysqladmin password",
            "init: mysqladmin -u root password R21l03c exited 1",
        ),
        (
            "htpasswd -b",
            "init: htpasswd -b -c /auth/htpasswd admin R21l03d: permission denied",
        ),
        (
            "vault login",
            "hook failed: vault login R21l03e: permission denied",
        ),
    ];
    let world = crate::World::new().await;
    let planted: Vec<(&str, &str, &str)> = shapes.iter().map(|(n, t)| (*n, *t, "")).collect();
    crate::planting::plant_conditions(&world.standin, "guestbook", &planted);
    let server = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await
        .to_string();
    let env = crate::planting::plugin_env(&world.standin);
    let plugin = crate::planting::plugin_status(&env).await;
    println!("review21 L3 server: {server}\nplugin: {plugin}");
    let mut shown = Vec::new();
    for (name, text) in shapes {
        let secret = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .find(|w| w.starts_with("R21l03"))
            .unwrap();
        for (component, said) in [("server", &server), ("plugin", &plugin)] {
            if said.contains(secret) {
                shown.push(format!("{component} {name}: {secret}"));
            }
        }
    }
    assert!(shown.is_empty(), "{shown:#?}");
}

/// X1 and X2 reached by a caller alone: a long argument the tool quotes in its refusal (or
/// sends to Argo CD, which quotes it back) is scrubbed like any answer.
#[tokio::test]
#[ignore = "a timing probe: run it by hand with --ignored"]
async fn review21_probe_caller_arguments_timing() {
    let world = crate::World::new().await;
    for (tool, field, pattern) in [
        ("get_argocd_app_status", "app_name", "a:"),
        ("get_argocd_app_status", "app_name", "A:"),
        ("get_argocd_app_status", "app_namespace", "A:"),
        ("get_argocd_revision_metadata", "revision", "A:"),
        ("get_argocd_app_status", "app_name", "u:p@="),
    ] {
        let value = pattern.repeat(32 * 1024 / pattern.len());
        let mut args = json!({"app_name": "guestbook"});
        args[field] = json!(value);
        let started = std::time::Instant::now();
        let result = world.call(tool, args).await;
        let text = result.to_string();
        println!(
            "review21 caller {tool} {field} {pattern:?} x32 KB: {:?} ({} bytes answered: {})",
            started.elapsed(),
            text.len(),
            &text[..text.len().min(200)]
        );
    }
}

/// X3: X1 and X2 need nothing planted: a tool refusing an argument quotes it whole
/// (`app_name "…" is not a valid Kubernetes name`), and the refusal is scrubbed like any answer.
/// 32 KB of `A:` as `app_name` takes ~3.7 s through the server component (`a:`: 0.06 s);
/// 64 KB ~15 s; a request may be 1 MiB, so one call costs the better part of an hour of
/// CPU. Any caller can send it, in read-only mode too.
#[tokio::test]
#[ignore = "a timing probe (fixed; the suite holds no timing assertions): run it by hand with --ignored"]
async fn review21_finding_x3_a_long_argument_quoted_in_a_refusal_takes_quadratic_time() {
    let world = crate::World::new().await;
    let mut took = Vec::new();
    for pattern in ["a:", "A:"] {
        let started = std::time::Instant::now();
        let refused = world
            .tool_error(
                "get_argocd_app_status",
                json!({"app_name": pattern.repeat(32 * 1024)}),
            )
            .await;
        let elapsed = started.elapsed();
        println!(
            "review21 X3 {pattern:?} x64 KB: {elapsed:?} ({} bytes)",
            refused.len()
        );
        took.push(elapsed);
    }
    assert!(
        took[1] < std::time::Duration::from_secs(3),
        "a 64 KB app_name of `A:` took {:?} to refuse against {:?} for `a:`",
        took[1],
        took[0]
    );
}

/// Every pattern of two and three characters from a set of delimiters and letters, repeated
/// to 32 KB, through the credential rules natively: the slow ones are printed.
#[test]
#[ignore = "a timing probe: run it by hand with --ignored"]
fn review21_probe_native_short_patterns() {
    let alphabet: Vec<char> = "Aa1:=@,/\"'{[<-. \\%&#*|;\n(".chars().collect();
    let mut patterns = Vec::new();
    for a in &alphabet {
        for b in &alphabet {
            patterns.push(format!("{a}{b}"));
            for c in &alphabet {
                patterns.push(format!("{a}{b}{c}"));
            }
        }
    }
    let mut slow = Vec::new();
    for pattern in patterns {
        let text = pattern.repeat(32 * 1024 / pattern.len());
        let started = std::time::Instant::now();
        let _ = argocd_mcp::tools::without_credentials(&text);
        let took = started.elapsed();
        if took > std::time::Duration::from_millis(250) {
            slow.push((took, pattern));
        }
    }
    slow.sort();
    slow.reverse();
    for (took, pattern) in &slow {
        println!("review21 short {pattern:?}: {took:?}");
    }
    println!("review21 short: {} slow", slow.len());
}

/// Held: a grandchild Argo CD cannot show (it does not exist, or the caller may not read it)
/// refuses the cascade delete rather than passing it unjudged; so does a child's child in
/// another namespace that answers for another app.
#[tokio::test]
async fn review21_held_an_unreadable_grandchild_refuses_the_cascade() {
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    world
        .standin
        .state()
        .apps
        .get_mut("broken-app")
        .unwrap()
        .app["spec"]["project"] = json!("payments");
    crate::planting::manages(&world.standin, "payments", "broken-app");
    crate::planting::manages(&world.standin, "broken-app", "r21-no-such-app");
    let result = world
        .call(
            "delete_argocd_app",
            json!({"app_name": "payments", "cascade": true, "confirm": true}),
        )
        .await;
    println!("review21 held grandchild: {result}");
    assert_eq!(result["isError"], true, "{result}");
    assert!(sent_writes(&world).is_empty(), "{:?}", sent_writes(&world));
    assert!(result.to_string().contains("r21-no-such-app"), "{result}");
}
