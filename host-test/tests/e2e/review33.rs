//! Thirty-third hostile review (issue 19), fresh context, time box 50 minutes: the structured
//! surface field by field (live objects of many kinds through `get_argocd_resource`, an
//! Application's and an ApplicationSet's less travelled fields), the approval questions of every
//! change tool on the seeded world, and the server's own password in other spellings; through
//! both built components (the server through wasmtime as shipped, the plugin's typed exports).
//!
//! Findings (each `review33_finding_*` asserts the secure behaviour, was seen failing on both
//! components, and is ignored until fixed):
//!
//! - S1 (low-medium, own secrets, both; `src/tools/scrub/own_secrets.rs` `OwnSecrets::of`) the
//!   server's own Argo CD password (or token, bearer, client secret) written as UTF-16BE, in
//!   hex (`00410064006d…`, Java's and .NET's "Unicode" big-endian dump) or base64
//!   (`AEEAZABtADEA…`), and in base32 (`IFSG2MLOFVZTGY3SMV2C24DX`) is shown; UTF-16LE (and LE
//!   with a BOM) is hidden. Repro: a condition message `body 00410064006d0031006e002d…` on
//!   guestbook, `get_argocd_app_status` (server logged in with that password; plugin with
//!   ARGOCD_PASSWORD). Fix: add UTF-16BE bytes to `sent` (hex, base64 cores, listed) beside
//!   UTF-16LE; add base32 (RFC 4648, upper and lower case, no padding) spellings.
//! - S2 (low, own secrets, both; same place) the own password upper-cased
//!   (`ADM1N-S3CRET-PW`: a system that shouts what it was sent, a case-insensitive store) is
//!   shown. Fix: match the plain spelling ignoring ASCII case (the shortest secret is 6
//!   characters already, so no ordinary word goes with it).
//! - S3 (low-medium, names, both; `src/tools/masking.rs` `looks_like_credential`) keys the
//!   text rules already treat as credentials in a query string (`sig=`, `signature=`,
//!   `session=`, `jwt=`, `hmac=`: README "signed URLs'…") are not credential names as object
//!   keys: a ConfigMap `data: {signature: X, sig: X, SESSION: X, sessionid: X, jwt: X, hmac: X}`
//!   is answered whole by `get_argocd_resource`; the same goes for a container env, a
//!   `valuesObject`, annotations. Repro: `review33_finding_s3_…`. Fix: one list of credential
//!   words for query parameters and for names (`signature`, `sig`, `session`/`sessionid`,
//!   `jwt`, `hmac` as words in `WORDS`), so a name means the same wherever it stands.
//! - S4 (low, names, both; `looks_like_credential`) one-time-password seeds and recovery
//!   phrases (`TOTP_SEED`, `OTP`, `mnemonic`), common spellings (`pswd`, `passw0rd`) and other
//!   languages' words for a password (`passwort`, `kennwort`, `motdepasse`, `contraseña`) are
//!   shown under those keys. Fix: add `otp`/`totp`/`hotp`, `seed` after them, `mnemonic`,
//!   `pswd`, `passw0rd`, `passwort`, `kennwort`, `motdepasse`, `contrase` to the words; or list
//!   them under *What cannot be hidden*.
//! - S5 (low, objects, both; `masking.rs` `PAIR_VALUES`/`EXTERNAL_SECRETS_KEY_NAMES`) the
//!   External Secrets Operator's `fake` provider (`SecretStore`/`ClusterSecretStore`
//!   `spec.provider.fake.data[]`) holds the secret values themselves as `{key: /path, value:
//!   …}` and `valueMap`: shown (the key is a path, not a credential name). Fix: in the
//!   external-secrets.io kinds, mask every `value` and `valueMap` leaf under `provider.fake`.
//! - S6 (low, objects, both; `masking.rs` `mask_secrets`, which removes only
//!   `kubectl.kubernetes.io/last-applied-configuration`) Rancher wrangler's
//!   `objectset.rio.cattle.io/applied` annotation holds the whole object again, gzip+base64
//!   (`H4sI…`), Secret data included; it is shown on a Secret (k3s' helm-controller, Fleet and
//!   Rancher apply with it). Fix: remove `objectset.rio.cattle.io/applied` (and kapp's
//!   `kapp.k14s.io/original`, which is masked today only because it is JSON text) as
//!   last-applied is; or drop any annotation of a Secret whose value is base64 of gzip.
//!
//! Held (passing `review33_held_*`): the own password's other spellings (UTF-16LE with a BOM in
//! base64, base64url of a text holding it, mixed-case hex, C `\x` and octal escapes, HTML
//! decimal entities for every character, a quoted-printable soft line break inside it, Ascii85,
//! `\u` escapes and percent-encoding of every character) on both components; Secrets in
//! multi-document YAML and in JSON text inside a ConfigMap, in a `List` inside a custom
//! resource, without apiVersion; numbers, arrays and maps under credential names; kapp's
//! original annotation; an Application's Jsonnet `extVars`/`tlas`, kustomize
//! `commonAnnotations`, `info`, local-sync `manifests` in `operation` and `operationState`; an
//! ApplicationSet's scmProvider `api` URL with userinfo, plugin `input.parameters` (nested),
//! clusterDecisionResource `values`, `elementsYaml`, git generator `values`, Helm
//! `fileParameters` and `templatePatch`; a SecretStore webhook's headers; the approval question
//! of every change tool (sync with prune, rollback, terminate, resource action, resource delete,
//! patch, app delete) on the seeded apps.
//!
//! Not a finding, noted: read-only mode allows a normal `refresh_argocd_app`, which makes Argo
//! CD resolve the target revision in git (and render it again when it moved): what its own
//! reconciliation does every few minutes anyway.
//!
//! Not reached in the time box: the live change feed and `subscriptions/listen` under seeded
//! credentials (its events carry only project, sync, health, phase and revision: read, not
//! attacked), user mode's identity-provider error paths, the health endpoint's error text,
//! progress notifications of a long sync, managed-resources diffs with Secrets in
//! `predictedLiveState`, resource-tree `info`, revision metadata's signature info, pod logs.

use serde_json::json;

use crate::planting::{LiveShape, assert_none, config_map, leaks_in_live};
use crate::{PASSWORD, World};

/// The server's own password (crate::PASSWORD, `Adm1n-s3cret-pw`) in spellings an upstream
/// may quote, each as a condition message: (what, text, what must not show).
const OWN_SPELLINGS: [(&str, &str, &str); 14] = [
    (
        "base32",
        "debug: sent IFSG2MLOFVZTGY3SMV2C24DX",
        "IFSG2MLOFVZTGY3SMV2C24DX",
    ),
    (
        "utf16be hex",
        "body 00410064006d0031006e002d007300330063007200650074002d00700077 end",
        "006d0031006e002d0073",
    ),
    (
        "utf16be base64",
        "blob AEEAZABtADEAbgAtAHMAMwBjAHIAZQB0AC0AcAB3 end",
        "AEEAZABtADEAbgAtAHMAMwBjAHIAZQB0AC0AcAB3",
    ),
    (
        "utf16 bom base64",
        "blob //5BAGQAbQAxAG4ALQBzADMAYwByAGUAdAAtAHAAdwA= end",
        "BAGQAbQAxAG4ALQBzADMAYwByAGUAdAAtAHAAdwA",
    ),
    (
        "urlsafe base64 of a text",
        "state=Pz8-dXNlcj1hZG1pbiZwdz1BZG0xbi1zM2NyZXQtcHc_Pg== end",
        "dXNlcj1hZG1pbiZwdz1BZG0xbi1zM2NyZXQtcHc",
    ),
    (
        "mixed-case hex",
        "dump 41646D316E2D7333637265742D7077 end",
        "41646D316E2D7333637265742D7077",
    ),
    (
        "C hex escapes",
        "sent \"\\x41\\x64\\x6d\\x31\\x6e\\x2d\\x73\\x33\\x63\\x72\\x65\\x74\\x2d\\x70\\x77\"",
        "\\x73\\x33\\x63\\x72",
    ),
    (
        "octal escapes",
        "sent \"\\101\\144\\155\\061\\156\\055\\163\\063\\143\\162\\145\\164\\055\\160\\167\"",
        "\\163\\063\\143\\162",
    ),
    (
        "html decimal entities",
        "<p>&#65;&#100;&#109;&#49;&#110;&#45;&#115;&#51;&#99;&#114;&#101;&#116;&#45;&#112;&#119;</p>",
        "&#115;&#51;&#99;&#114;",
    ),
    (
        "upper case",
        "LOGIN FAILED FOR ADM1N-S3CRET-PW",
        "ADM1N-S3CRET-PW",
    ),
    (
        "quoted-printable soft break",
        "Content-Transfer-Encoding: quoted-printable\n\nuser=3Dadmin pass=3DAdm1n-s3c=\nret-pw",
        "Adm1n-s3c=\nret-pw",
    ),
    (
        "ascii85",
        "a85 <~6\"FgeDCooc@rc.&/T>n~>",
        "6\"FgeDCooc@rc.&/T>n",
    ),
    (
        "unicode escapes every char",
        "sent \\u0041\\u0064\\u006d\\u0031\\u006e\\u002d\\u0073\\u0033\\u0063\\u0072\\u0065\\u0074\\u002d\\u0070\\u0077 end",
        "\\u0073\\u0033\\u0063",
    ),
    (
        "percent every char",
        "q=%41%64%6D%31%6E%2D%73%33%63%72%65%74%2D%70%77 end",
        "%73%33%63%72",
    ),
];

/// Each text as a condition message of guestbook, read back through `get_argocd_app_status` of
/// the server (logged in with [`PASSWORD`]) and of the plugin logged in with the same password:
/// which of the `secrets` showed.
async fn own_spellings_shown(shapes: &[(&str, &str, &str)]) -> Vec<String> {
    let world = World::new().await;
    crate::planting::plant_conditions(&world.standin, "guestbook", shapes);
    let server = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await
        .to_string();
    let env = crate::planting::password_plugin_env(&world.standin, PASSWORD);
    let plugin = crate::planting::plugin_status(&env).await;
    println!("own spellings:\n server: {server}\n plugin: {plugin}");
    // The place was reached: the condition messages are answered.
    assert!(server.contains("ComparisonError"), "{server}");
    assert!(plugin.contains("ComparisonError"), "{plugin}");
    let mut found = Vec::new();
    for (name, _, secret) in shapes {
        for (component, answer) in [("server", &server), ("plugin", &plugin)] {
            if answer.contains(secret) {
                found.push(format!("{component} {name}: {secret}"));
            }
        }
    }
    found
}

/// S1: the server's own password as UTF-16BE (hex and base64) and base32.
#[tokio::test]
async fn review33_finding_s1_own_password_in_utf16be_and_base32() {
    let shapes: Vec<(&str, &str, &str)> = OWN_SPELLINGS[..3].to_vec();
    assert_none(own_spellings_shown(&shapes).await);
}

/// S2: the server's own password upper-cased (an upstream that shouts what it was sent).
#[tokio::test]
async fn review33_finding_s2_own_password_upper_cased() {
    let shapes: Vec<(&str, &str, &str)> = OWN_SPELLINGS[9..10].to_vec();
    assert_none(own_spellings_shown(&shapes).await);
}

/// The other spellings of the server's own password: hidden by both components.
#[tokio::test]
async fn review33_held_own_password_spellings() {
    let shapes: Vec<(&str, &str, &str)> = OWN_SPELLINGS[3..9]
        .iter()
        .chain(&OWN_SPELLINGS[10..])
        .copied()
        .collect();
    assert_none(own_spellings_shown(&shapes).await);
}

/// S3: object keys whose value the text rules hide as a query parameter (`sig=`,
/// `signature=`, `session=`, `jwt=`, `hmac=`) are shown as a ConfigMap's (or any object's)
/// keys.
#[tokio::test]
async fn review33_finding_s3_query_credential_names_as_object_keys() {
    let shapes: Vec<LiveShape> = vec![(
        "query credential names as keys",
        config_map(
            "r33-s3",
            json!({"signature": "R33S3-a", "sig": "R33S3-b", "SESSION": "R33S3-c",
                   "sessionid": "R33S3-d", "jwt": "R33S3-e", "hmac": "R33S3-f"}),
        ),
        &[
            "R33S3-a", "R33S3-b", "R33S3-c", "R33S3-d", "R33S3-e", "R33S3-f",
        ],
    )];
    assert_none(leaks_in_live(&shapes).await);
}

/// S4: one-time-password seeds, recovery phrases and common misspellings / other languages'
/// words for a password, as keys.
#[tokio::test]
async fn review33_finding_s4_credential_names_the_rule_misses() {
    let shapes: Vec<LiveShape> = vec![(
        "otp seeds, mnemonics, other spellings",
        config_map(
            "r33-s4",
            json!({"TOTP_SEED": "R33S4-a", "OTP": "R33S4-b", "mnemonic": "R33S4-c",
                   "pswd": "R33S4-d", "passw0rd": "R33S4-e", "passwort": "R33S4-f",
                   "kennwort": "R33S4-g", "motdepasse": "R33S4-h", "contraseña": "R33S4-i"}),
        ),
        &[
            "R33S4-a", "R33S4-b", "R33S4-c", "R33S4-d", "R33S4-e", "R33S4-f", "R33S4-g", "R33S4-h",
            "R33S4-i",
        ],
    )];
    assert_none(leaks_in_live(&shapes).await);
}

/// S5: the External Secrets Operator's `fake` provider holds secret values as `{key, value}`
/// entries (key a path, no credential name): shown by get_argocd_resource.
#[tokio::test]
async fn review33_finding_s5_external_secrets_fake_provider_values() {
    let shapes: Vec<LiveShape> = vec![(
        "SecretStore fake provider",
        json!({"apiVersion": "external-secrets.io/v1beta1", "kind": "SecretStore",
               "metadata": {"name": "r33-s5", "namespace": "guestbook"},
               "spec": {"provider": {"fake": {"data": [
                   {"key": "/db/conn", "value": "R33S5-fake-value", "version": "v1"},
                   {"key": "/app/config", "valueMap": {"dsn": "R33S5-fake-map"}}]}}}}),
        &["R33S5-fake-value", "R33S5-fake-map"],
    )];
    assert_none(leaks_in_live(&shapes).await);
}

/// S6: a Secret's data gzip+base64'd in Rancher wrangler's `objectset.rio.cattle.io/applied`
/// annotation (the whole object again, as `last-applied-configuration` is, which is removed).
#[tokio::test]
async fn review33_finding_s6_gzipped_applied_annotation() {
    let shapes: Vec<LiveShape> = vec![(
        "wrangler applied annotation",
        json!({"apiVersion": "v1", "kind": "Secret",
               "metadata": {"name": "r33-p11", "namespace": "guestbook", "annotations": {
                   "objectset.rio.cattle.io/applied": "H4sIAAAAAAACA6tWSizIDEstKs7Mz1OyUlAqM1TSUVDKzsxLAfGCU5OLUktAIrmpJYkpiSWJQNFqpbzE3FSQdIGhoVItUBIukZyfBzYlNMu3KtTFtSIywqk8yT0nJ8rR1hassrikKDMv3QWmvgKkOMjYOMDQUDexoCAnMzVFqbYWAOU8HdOUAAAA"}},
               "data": {"conn": "UjMzUDExYXBwbGllZA=="}}),
        &["H4sIAAAAAAACA6tWSizIDEstKs7Mz1OyUlAq"],
    )];
    assert_none(leaks_in_live(&shapes).await);
}

/// Held: the approval question of every change tool, asked about the seeded apps (credentials
/// in sources, history, conditions and operation messages, the child Application and
/// ApplicationSet): no seeded secret, and each question was put.
#[tokio::test]
async fn review33_held_approval_questions_on_the_seeded_world() {
    use host_test::standin::credentials;
    let world = World::with(
        host_test::standin::Config {
            seed_credentials: true,
            ..Default::default()
        },
        &[
            ("argocd_username", "admin"),
            ("argocd_password", PASSWORD),
            ("require_approval", "true"),
        ],
    )
    .await;
    let child = json!({"app_name": "vault-app", "kind": "Application", "resource_name": "vault-app-child", "group": "argoproj.io", "version": "v1alpha1", "namespace": "argocd", "confirm": true});
    let mut action = child.clone();
    action["action"] = json!("refresh");
    let calls = [
        (
            "sync_argocd_app",
            json!({"app_name": "vault-multi", "confirm": true, "prune": true}),
        ),
        (
            "rollback_argocd_app",
            json!({"app_name": "vault-app", "history_id": 0, "confirm": true}),
        ),
        (
            "terminate_argocd_operation",
            json!({"app_name": "vault-app", "confirm": true}),
        ),
        ("run_argocd_resource_action", action),
        ("delete_argocd_resource", child),
        (
            "patch_argocd_app",
            json!({"app_name": "vault-multi", "patch": {"metadata": {"labels": {"checked": "yes"}}}, "confirm": true}),
        ),
        (
            "patch_argocd_app",
            json!({"app_name": "vault-app", "patch": {"spec": {"source": {"targetRevision": "main"}}}, "confirm": true}),
        ),
        (
            "delete_argocd_app",
            json!({"app_name": "vault-app", "cascade": true, "confirm": true}),
        ),
    ];
    let mut found = Vec::new();
    let mut asked = 0;
    for (tool, arguments) in calls {
        let text =
            crate::planting::asked_text(&world, &json!({"name": tool, "arguments": arguments}))
                .await;
        if text.contains("An agent asks to run") {
            asked += 1;
        }
        for secret in credentials::SECRETS {
            if text.contains(secret) {
                found.push(format!("{tool} question: {secret}"));
            }
        }
        if text.contains(credentials::MARK) {
            found.push(format!("{tool} question: {}", credentials::MARK));
        }
    }
    assert_none(found);
    assert!(asked >= 6, "only {asked} questions were put");
}

/// Held: structured places and encodings of credentials in live objects (Secrets in
/// multi-document YAML and JSON text, in a List inside a custom resource, without apiVersion;
/// numbers, arrays and maps under credential names; kapp's original annotation; an
/// Application's Jsonnet variables, annotations, info, local-sync manifests in `operation` and
/// `operationState`; an ApplicationSet's scmProvider API URL, plugin input, clusterDecisionResource
/// values, elementsYaml, git values, Helm fileParameters and templatePatch; a SecretStore
/// webhook's headers), read through get_argocd_resource of both components.
#[tokio::test]
async fn review33_held_structured_places() {
    let objects: Vec<LiveShape> = vec![
        (
            "multi-doc secret in configmap",
            json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p1","namespace":"guestbook"},
            "data":{"bundle.yaml":"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: y\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\ndata:\n  conn: UjMzUDFtdWx0aWRvYw==\nstringData:\n  blob: R33P1-plain\n"}}),
            &["UjMzUDFtdWx0aWRvYw", "R33P1-plain"],
        ),
        (
            "secret json in configmap",
            json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p2","namespace":"guestbook"},
            "data":{"s.json":"{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"b\"},\"data\":{\"conn\":\"UjMzUDJqc29u\"}}"}}),
            &["UjMzUDJqc29u"],
        ),
        (
            "numbers under credential names",
            json!({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"p3","namespace":"guestbook"},
            "spec":{"dbPassword": 33303330, "auth": {"apiKey": 33313331}}}),
            &["33303330", "33313331"],
        ),
        (
            "arrays and maps under credential names",
            json!({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"p4","namespace":"guestbook"},
            "spec":{"auth":{"usernames":["a","b"],"passwords":["R33P4-pw1","R33P4-pw2"]},"tokens":{"alice":"R33P4-tok"}}}),
            &["R33P4-pw1", "R33P4-pw2", "R33P4-tok"],
        ),
        (
            "kapp original annotation",
            json!({"apiVersion":"v1","kind":"Secret","metadata":{"name":"p6","namespace":"guestbook","annotations":{
              "kapp.k14s.io/original":"{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"p6\"},\"data\":{\"conn\":\"UjMzUDZrYXBw\"}}"}},
            "data":{"conn":"UjMzUDZkYXRh"}}),
            &["UjMzUDZrYXBw", "UjMzUDZkYXRh"],
        ),
        (
            "secret inside List inside CR",
            json!({"apiVersion":"example.com/v1","kind":"Bundle","metadata":{"name":"p7","namespace":"guestbook"},
            "spec":{"resources":{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Secret","metadata":{"name":"q"},"data":{"conn":"UjMzUDdsaXN0"}}]},
                    "raw":[{"kind":"Secret","metadata":{"name":"r"},"stringData":{"conn":"R33P7-noapiversion"}}]}}),
            &["UjMzUDdsaXN0", "R33P7-noapiversion"],
        ),
        (
            "secret store webhook headers",
            json!({"apiVersion":"external-secrets.io/v1beta1","kind":"SecretStore","metadata":{"name":"p8","namespace":"guestbook"},
            "spec":{"provider":{"webhook":{"url":"https://x","headers":{"X-Api-Key":"R33P8-hdr","Authorization":"Bearer R33P8-bearer"}}}}}),
            &["R33P8-hdr", "R33P8-bearer"],
        ),
        (
            "app with local sync manifests",
            json!({"apiVersion":"argoproj.io/v1alpha1","kind":"Application","metadata":{"name":"p9","namespace":"argocd"},
            "spec":{"project":"default","destination":{"server":"https://kubernetes.default.svc","namespace":"x"},
               "source":{"repoURL":"https://git.example.com/a.git","path":"a",
                  "directory":{"jsonnet":{"extVars":[{"name":"dbpassword","value":"R33P9-extvar"}],"tlas":[{"name":"apiToken","value":"R33P9-tla","code":true}]}},
                  "kustomize":{"commonAnnotations":{"vault.token":"R33P9-annot"}}},
               "info":[{"name":"admin password","value":"R33P9-info"}]},
            "operation":{"sync":{"manifests":["apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  conn: UjMzUDltYW5pZmVzdA==\n"]}},
            "status":{"operationState":{"operation":{"sync":{"manifests":["{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},\"stringData\":{\"conn\":\"R33P9-opstate\"}}"]}},"phase":"Succeeded","message":"ok"}}}),
            &[
                "R33P9-extvar",
                "R33P9-tla",
                "R33P9-annot",
                "R33P9-info",
                "UjMzUDltYW5pZmVzdA",
                "R33P9-opstate",
            ],
        ),
        (
            "appset generators",
            json!({"apiVersion":"argoproj.io/v1alpha1","kind":"ApplicationSet","metadata":{"name":"p10","namespace":"argocd"},
            "spec":{"generators":[
                {"scmProvider":{"github":{"organization":"o","api":"https://bot:R33P10-api@ghe.example.com/api/v3","tokenRef":{"secretName":"s","key":"token"}}}},
                {"plugin":{"configMapRef":{"name":"cm"},"input":{"parameters":{"apiToken":"R33P10-plugin-token","nested":{"dbPassword":"R33P10-nested"}}}}},
                {"clusterDecisionResource":{"configMapRef":"cm","name":"n","values":{"clientSecret":"R33P10-cdr"}}},
                {"matrix":{"generators":[{"list":{"elementsYaml":"- env: dev\n  dbPassword: R33P10-elyaml\n"}},{"git":{"repoURL":"https://x","revision":"HEAD","files":[{"path":"a"}],"values":{"apiKey":"R33P10-gitvals"}}}]}}
            ],"template":{"metadata":{"name":"x"},"spec":{"project":"default","destination":{"server":"https://kubernetes.default.svc"},"source":{"repoURL":"https://x","helm":{"fileParameters":[{"name":"tls.key","path":"secrets://R33P10-fileparam"}]}}}},
              "templatePatch":"spec:\n  source:\n    helm:\n      parameters:\n      - name: db.password\n        value: R33P10-tpatch\n"}}),
            &[
                "R33P10-api",
                "R33P10-plugin-token",
                "R33P10-nested",
                "R33P10-cdr",
                "R33P10-elyaml",
                "R33P10-gitvals",
                "R33P10-tpatch",
            ],
        ),
    ];
    assert_none(leaks_in_live(&objects).await);
}
