//! Twenty-third hostile review (issue 19): this session's scrubbing shortcuts (texts known
//! plain, rules skipped inside words, short texts judged once), the review22 fixes, and the
//! answer surface, attacked through the built components.
//!
//! Findings (each `review23_finding_*` asserts the secure behaviour, fails today, and is
//! ignored so the suite stays green):
//!
//! - A1 (medium, ARGOCD_ALLOWED_PROJECTS) `patch_argocd_app payments` setting
//!   `spec.syncPolicy.syncOptions: ["Replace=true", "Force=true"]`, then `sync_argocd_app
//!   payments` without prune: both sent. Argo CD applies an app's own sync options to a manual
//!   sync that gives none, and Replace+Force runs `kubectl replace --force`: every resource the
//!   app manages is deleted and created again, the child Application `broken-app` (project
//!   default) through its resources finalizer with all it deployed, a Namespace with the
//!   Applications it holds. Root: `operations.rs` judges what a sync deletes only with `prune`;
//!   `ensure_patch_allowed` judges automated prune only.
//! - A2 (medium, ARGOCD_ALLOWED_PROJECTS) `create_argocd_app payments upsert: true auto_sync:
//!   true prune: true` (another source) is sent while the equivalent patch is refused: Argo
//!   CD's auto-sync then prunes all payments managed, `broken-app` included. Root:
//!   `ensure_upsert_allowed` judges the existing app's project only.
//! - L1 (medium, credentials in objects) a container's `command`/`args` or a probe's
//!   `exec.command` as a list: `redis-cli -a PW`, `mongosh -p PW`, `sqlcmd -P PW`, `ldapsearch
//!   -w PW`, `sshpass -p PW`, `docker login -p PW`, `curl -u user:PW`, `mysqladmin -pPW`: shown
//!   by both components' `get_argocd_resource`. Root: `masking.rs` `mask_flag_arguments` needs
//!   a flag name of two letters or more that looks like a credential, and the text rules that
//!   know these commands read one list item at a time.
//! - L2 (low, credentials in text) a YAML anchor aliased as an item of a credential's list
//!   (`passwords:` / `- *pw`, `apiKeys: [*k]`): `anchors.rs` reads an alias only after a colon.
//!   Both components, condition message and Helm values.
//! - L3 (low, credentials in text) Python as `black` wraps it (`DB_PASSWORD = (` / literal on
//!   the next line: only the `(` is hidden), a C# verbatim literal on the next line, a header
//!   folded onto the next line, and the one-letter flags of L1 in one line (`redis-cli -a`,
//!   `mongo -p`, `sqlcmd -P`, `ldapsearch -w`, `smbclient -U user%PW`). Both components.
//! - L4 (low, credentials in text) tokens with well-known prefixes `tokens.rs` does not list
//!   (`sk_test_`, `whsec_`, `GOCSPX-`, `glsa_`, `xapp-`, `SG.`, `pypi-`, `hf_`, `dop_v1_`,
//!   `shpat_`). Both components.
//! - S1 (low, own secrets) a non-ASCII password JSON-escaped as Python writes it (`\u00e4`) or
//!   as an HTML entity (`&auml;`, `&#228;`), and a password holding `+`/`=` in a page of Go's
//!   `html/template` (`&#43;`, `&#61;`): shown by both components. Root: `own_secrets.rs` reads
//!   through escapes only ASCII secrets, and spells as entities only `&`, `<`, `>` and quotes.
//! - S2 (low, own secrets) the Argo CD password in hex with a space or colon between bytes
//!   (`hex.Dump`, `xxd`, Wireshark): shown by both components; only unseparated hex is spelled.
//! - S3 (low, own secrets) a passphrase (a password with spaces) wrapped at one of its spaces,
//!   wrapped with indentation, or written with two spaces: shown by both components; a line
//!   break is read through only between base64 characters, and dropped there.
//! - S4 (low-medium, own secrets) the credential rules run before `OwnSecrets` (the tool's
//!   answer is scrubbed in `scrub.rs` `call`, own secrets where it leaves), and a name rule
//!   hides a value only up to a space or a quote: `password=Correct horse battery …` becomes
//!   `password=*** horse battery …`, `password=R23q'pw-Zq9tail` becomes `password=***'pw-Zq9tail`.
//!   What is left no longer holds the whole secret, so the rest of the password is shown, by
//!   both components, in exactly the place a credential's name announces it.
//!
//! What held: the shortcuts. `known_plain`/`read_plain` (a marked range restored after each
//! read; every rule reads only slices of the text marked; no rule scrubs another buffer inside
//! a read), the rules skipped between two letters or digits (each of the 17 rules' entry checks
//! read: each asks `word_may_start` or wants a byte no word holds), and `Judged`: a
//! differential run of 400,000 random texts of 24 pieces (rule triggers, NEL/U+2028,
//! non-ASCII, line breaks) through `masked_both_ways` (a scratch crate with the `fuzzing`
//! feature) found no difference, and `review23_held_…` shows repeated short texts past the
//! memo's bounds and credentials glued to words hidden through both components. Timing: 28
//! patterns of 128 KB each scrub natively in under 0.4 s (`review23_probe_native_timing`).
//! Fixed since (their tests run): L3 (`members.rs` a literal in parentheses on the next
//! line and prefixed literals, `headers.rs` a value folded onto the next line).
//!
//! Held natively (`review23_probe_native_shapes`): review 22's vault login, here-document,
//! Java/Kotlin next-line and flow-alias fixes; Docker config `auth`, kubeconfig
//! `client-key-data`, ODBC `PWD=`, `redis://:pw@`, Oracle JDBC, Kafka JAAS, Azure SAS `sig=`,
//! AWS and GCS presigned signatures, Discord webhooks, `AUTH PLAIN`, MongoDB URIs, URL
//! userinfo holding `/`, `@`, `#`, `?`. Through the components: thirty container `env` names
//! common images use (`review23_held_env_names_of_common_images`). Not reached:
//! approvals and user mode, the subscription feed's own-secret path, base32/UTF-16 spellings.

use serde_json::json;

/// Shapes probed natively: each text and the secret it must not show.
const SHAPES: &[(&str, &str)] = &[
    (
        "common: &dbpass R23a01x\npasswords:\n  - *dbpass\n",
        "R23a01x",
    ),
    ("common: &k R23a02x\napiKeys: [*k]\n", "R23a02x"),
    (
        "common: &k R23a03x\nauth: {user: u, password: *k}\n",
        "R23a03x",
    ),
    ("common: &k\n  R23a04x\nauth:\n  password: *k\n", "R23a04x"),
    ("vault login -method=token R23v01x", "R23v01x"),
    ("vault login -no-print R23v02x", "R23v02x"),
    ("vault login -address https://v:8200 -- R23v03x", "R23v03x"),
    ("vault login token=R23v04x", "R23v04x"),
    (
        "docker login -u x --password-stdin <<'EOF'\nR23h01x\nEOF",
        "R23h01x",
    ),
    (
        "cat <<EOF | docker login --password-stdin\nR23h02x\nEOF",
        "R23h02x",
    ),
    ("docker login --password-stdin <<< R23h03x", "R23h03x"),
    ("String dbPassword =\n    \"R23j01x\";", "R23j01x"),
    (
        "private static final String API_TOKEN =\n  \"R23j02x\";",
        "R23j02x",
    ),
    ("val dbPassword =\n \"R23j04x\"", "R23j04x"),
    ("string dbPassword =\n @\"R23j05x\";", "R23j05x"),
    ("DB_PASSWORD = (\n    \"R23p01x\"\n)", "R23p01x"),
    ("redis-cli -h redis -a R23c01x ping", "R23c01x"),
    (
        "mongo -u admin -p R23c02x --authenticationDatabase admin",
        "R23c02x",
    ),
    ("mongosh --username admin --password R23c03x", "R23c03x"),
    ("sqlcmd -S db -U sa -P R23c04x -Q 'select 1'", "R23c04x"),
    ("rabbitmqctl add_user admin R23c05x", "R23c05x"),
    (
        "keytool -list -keystore k.jks -storepass R23c06x",
        "R23c06x",
    ),
    ("openssl pkcs12 -export -passout pass:R23c07x", "R23c07x"),
    ("smbclient //srv/share -U user%R23c08x", "R23c08x"),
    (
        "ldapsearch -x -D cn=admin,dc=ex -w R23c09x -b dc=ex",
        "R23c09x",
    ),
    ("curl --oauth2-bearer R23c10x https://api", "R23c10x"),
    (
        "mc alias set minio http://minio:9000 admin R23c11x",
        "R23c11x",
    ),
    ("aws configure set aws_secret_access_key R23c12x", "R23c12x"),
    (
        "npm config set //registry.npmjs.org/:_authToken R23c13x",
        "R23c13x",
    ),
    ("export MYSQL_PWD=R23c14x", "R23c14x"),
    ("SA_PASSWORD=R23c15x", "R23c15x"),
    ("AWS_SECRET_ACCESS_KEY=R23c16x", "R23c16x"),
    ("psql \"host=db user=u password=R23c17x\"", "R23c17x"),
    ("ldapwhoami -x -w R23c18x", "R23c18x"),
    ("mysql -h db -u root --password R23c19x", "R23c19x"),
    ("influx -username admin -password R23c20x", "R23c20x"),
    ("pg_dump \"postgresql://u:R23c21x@db/x\"", "R23c21x"),
    ("htpasswd -bc /etc/auth admin R23c22x", "R23c22x"),
    ("echo -n R23c23x | base64", "R23c23x"),
    (
        "argocd login argocd.example.com --username admin --password R23c24x",
        "R23c24x",
    ),
    (
        "argocd account update-password --current-password R23c25x --new-password R23c26x",
        "R23c26x",
    ),
    (
        "argocd repo add https://git.example.com/r.git --username u --password R23c27x",
        "R23c27x",
    ),
    ("argocd cluster add ctx --bearer-token R23c28x", "R23c28x"),
    (
        "kubectl config set-credentials u --token=R23c29x",
        "R23c29x",
    ),
    (
        "kubectl config set-credentials u --password R23c30x",
        "R23c30x",
    ),
    (
        "helm repo add r https://c --username u --password R23c31x",
        "R23c31x",
    ),
    ("gh auth login --with-token <<< R23c32x", "R23c32x"),
    ("echo R23c33x | gh auth login --with-token", "R23c33x"),
    ("echo R23c34x | argocd login a --password-stdin", "R23c34x"),
    ("sshpass -pR23c35x ssh host", "R23c35x"),
    (
        "vault write auth/userpass/users/u password=R23c36x",
        "R23c36x",
    ),
    (
        "vault login -method=userpass username=u password=R23c37x",
        "R23c37x",
    ),
    ("docker login -u x -p=R23c38x reg", "R23c38x"),
    ("nats pub --user u --password R23c39x x", "R23c39x"),
    ("PGPASSWORD='R23c40x' psql -h db", "R23c40x"),
    (
        "conn = psycopg2.connect(host='db', password='R23c41x')",
        "R23c41x",
    ),
    (
        "DriverManager.getConnection(url, \"admin\", \"R23c42x\")",
        "R23c42x",
    ),
    (
        "mysql.createConnection({host: 'db', user: 'u', password: 'R23c43x'})",
        "R23c43x",
    ),
    (
        "redis.NewClient(&redis.Options{Addr: \"r:6379\", Password: \"R23c44x\"})",
        "R23c44x",
    ),
    (
        "sql.Open(\"mysql\", \"root:R23c45x@tcp(db:3306)/x\")",
        "R23c45x",
    ),
    (
        "Server=db;Database=x;User Id=sa;Password=R23c46x;",
        "R23c46x",
    ),
    ("jdbc:sqlserver://db;user=sa;password=R23c47x", "R23c47x"),
    ("amqp://guest:R23c48x@rabbit:5672/", "R23c48x"),
    ("user:R23c49x@db", "R23c49x"),
    ("Authorization: token R23c50x", "R23c50x"),
    ("Authorization: Bearer\n  R23c51xyz", "R23c51x"),
    ("Cookie: session=R23c52x; theme=dark", "R23c52x"),
    ("X-Auth-Token R23c53x", "R23c53x"),
    ("password\tR23c54x", "R23c54x"),
    ("password is R23c55x", "R23c55x"),
    ("the password was 'R23c56x'", "R23c56x"),
    ("<add key=\"Password\" value=\"R23c57x\"/>", "R23c57x"),
    ("<property name=\"password\" value=\"R23c58x\"/>", "R23c58x"),
    ("<password><![CDATA[R23c59x]]></password>", "R23c59x"),
    ("[database]\npassword = R23c60x", "R23c60x"),
    ("password = \"\"\"R23c61x\"\"\"", "R23c61x"),
    ("env:\n- name: DB_PASSWORD\n  value: R23c62x", "R23c62x"),
    ("- {name: DB_PASSWORD, value: R23c63x}", "R23c63x"),
    ("--set auth.password=R23c64x", "R23c64x"),
    ("--set-string postgresql.auth.password=R23c65x", "R23c65x"),
    (
        "helm install x --set 'auth.rootPassword=R23c66x'",
        "R23c66x",
    ),
    ("-e POSTGRES_PASSWORD=R23c67x", "R23c67x"),
    ("docker run --env MYSQL_ROOT_PASSWORD R23c68x", "R23c68x"),
    ("PASSWORD: R23c69x", "R23c69x"),
    ("\"password\" : \"R23c70x\"", "R23c70x"),
    ("password=R23c71x", "R23c71x"),
    (
        "{\"auths\":{\"reg.example.com\":{\"auth\":\"R23d01xAbc=\"}}}",
        "R23d01x",
    ),
    ("client-key-data: R23d02xLS0tLS1CRUdJTg==", "R23d02x"),
    (
        "Driver={ODBC Driver 18};Server=db;UID=sa;PWD=R23d03x;",
        "R23d03x",
    ),
    ("redis://:R23d04x@redis:6379/0", "R23d04x"),
    ("jdbc:oracle:thin:scott/R23d05x@db:1521/x", "R23d05x"),
    (
        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"R23d06x\";",
        "R23d06x",
    ),
    (
        "GET https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2026&sp=r&sig=R23d07xAbCd%3D",
        "R23d07x",
    ),
    (
        "GET https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Security-Token=R23d08x&X-Amz-Signature=R23d09x",
        "R23d08x",
    ),
    (
        "GET https://storage.googleapis.com/b/o?X-Goog-Signature=R23d10xabcdef",
        "R23d10x",
    ),
    (
        "POST https://discord.com/api/webhooks/123456789/R23d11xAbCdEfGh",
        "R23d11x",
    ),
    (
        "POST https://example.webhook.office.com/webhookb2/R23d12x@tenant/IncomingWebhook/abc/def",
        "R23d12x",
    ),
    ("using whsec_R23d13xAbCdEfGhIj", "R23d13x"),
    ("key sk_test_R23d14xAbCdEfGhIj", "R23d14x"),
    ("client GOCSPX-R23d15xAbCdEfGhIj", "R23d15x"),
    ("bearer-less ya29.R23d16xAbCdEfGhIj", "R23d16x"),
    ("grafana glsa_R23d17xAbCdEfGhIjKlMn_0123abcd", "R23d17x"),
    ("slack xapp-1-R23d18xAbCdEfGh", "R23d18x"),
    ("sendgrid SG.R23d19xAbCdEfGh.IjKlMnOpQrStUv", "R23d19x"),
    ("pypi pypi-AgEIcHlwaS5vcmcR23d20xAbCd", "R23d20x"),
    ("hf hf_R23d21xAbCdEfGhIjKlMn", "R23d21x"),
    ("do dop_v1_R23d22xabcdef0123456789", "R23d22x"),
    ("shopify shpat_R23d23xabcdef0123", "R23d23x"),
    ("AUTH PLAIN R23d24xAGFkbWlu", "R23d24x"),
    ("mongodb://u:R23d25x@m1,m2,m3/db?replicaSet=rs0", "R23d25x"),
    ("mongodb+srv://u:R23d26x@cluster0.example.net/", "R23d26x"),
    (
        "clone https://bot:R23e01x/y@git.example.com/r.git failed",
        "R23e01x",
    ),
    (
        "clone https://bot:p@ss-R23e02x@git.example.com/r.git failed",
        "R23e02x",
    ),
    (
        "clone https://bot:R23e03x#y@git.example.com/r.git failed",
        "R23e03x",
    ),
    (
        "clone https://bot:R23e04x?y@git.example.com/r.git failed",
        "R23e04x",
    ),
    (
        "clone https://bot:R23e05x y@git.example.com/r.git failed",
        "R23e05x",
    ),
    ("password: 'R23e06x''s tail Zq'", "s tail Zq"),
    ("password: \"R23e07x\\\" tail Zq\"", "tail Zq"),
    ("password=R23e08x tail", "R23e08x"),
    ("PASSWORD='R23 e09x tail'", "e09x"),
];

/// Native probe: which of [`SHAPES`] `without_credentials` leaves showing.
#[test]
#[ignore = "a probe: run it by hand with --ignored"]
fn review23_probe_native_shapes() {
    let mut shown = Vec::new();
    for (text, secret) in SHAPES {
        let clean = argocd_mcp::tools::without_credentials(text);
        if clean.contains(secret) {
            println!("SHOWN {text:?} -> {clean:?}");
            shown.push(*secret);
        }
    }
    println!("shown: {shown:?}");
    let _ = json!({});
}

// ---------------------------------------------------------------------------------------------
// Allow-list
// ---------------------------------------------------------------------------------------------

/// A1: Argo CD's `Replace=true,Force=true` sync options make a sync run `kubectl replace
/// --force`: every resource the app manages is deleted and created again. A child Application
/// deleted that way is deleted through its `resources-finalizer` (all it deployed goes with
/// it), and a Namespace holding Applications takes them with it. A sync without prune is not
/// judged for what it deletes (`operations.rs` calls `ensure_managed_deletes_allowed` only with
/// `prune`), and Argo CD applies the app's own `spec.syncPolicy.syncOptions` to a manual sync
/// that gives none (this tool never gives any). So two allowed calls (a patch of `payments`'
/// sync options, judged by its project only; a sync without prune) delete `broken-app` of
/// project `default`, which the prune guard refuses to.
#[tokio::test]
async fn review23_finding_a1_replace_force_sync_options_delete_a_child_of_another_project() {
    use crate::planting::{pruning_world, sent_writes};
    let world = pruning_world().await;
    // payments without auto-sync: the patch below turns nothing on that prunes.
    {
        let mut state = world.standin.state();
        let payments = state.apps.get_mut("payments").unwrap();
        payments.app["spec"]["syncPolicy"] = json!({});
    }
    // The guard itself holds against the prune.
    let prune = world
        .call(
            "sync_argocd_app",
            json!({"app_name": "payments", "prune": true, "confirm": true}),
        )
        .await;
    println!("review23 A1 sync prune: {prune}");
    assert_eq!(prune["isError"], true, "{prune}");
    assert!(sent_writes(&world).is_empty());
    // The same delete through the app's sync options.
    let patch = world
        .call(
            "patch_argocd_app",
            json!({"app_name": "payments", "confirm": true,
                   "patch": {"spec": {"syncPolicy": {"syncOptions": ["Replace=true", "Force=true"]}}}}),
        )
        .await;
    println!("review23 A1 patch: {patch}");
    // What Argo CD now holds for payments (the stand-in applies merge patches; set it anyway,
    // as an app whose owner set these options in Git would have them).
    {
        let mut state = world.standin.state();
        let payments = state.apps.get_mut("payments").unwrap();
        payments.app["spec"]["syncPolicy"]["syncOptions"] = json!(["Replace=true", "Force=true"]);
    }
    let sync = world
        .call(
            "sync_argocd_app",
            json!({"app_name": "payments", "confirm": true}),
        )
        .await;
    println!("review23 A1 sync without prune: {sync}");
    let writes = sent_writes(&world);
    println!("review23 A1 writes: {writes:?}");
    let synced = writes.iter().any(|w| w.ends_with("/payments/sync"));
    assert!(
        !synced,
        "a sync of payments with Replace=true,Force=true (deletes and recreates broken-app, project default) was sent: {writes:?} {sync}"
    );
}

/// A2: `create_argocd_app` with `upsert` replaces an existing app of apps: its new source (any
/// repository) no longer holds what the old one managed, so with `auto_sync` and `prune` Argo
/// CD's auto-sync prunes every resource the app managed, the child Application `broken-app`
/// (project `default`) among them. `ensure_upsert_allowed` judges only the existing app's
/// project; the patch that turns on automated prune is judged as a prune since review 22, the
/// upsert is not (review 22 read this, untested).
#[tokio::test]
async fn review23_finding_a2_upsert_with_auto_prune_replaces_an_app_of_apps() {
    use crate::planting::{pruning_world, sent_writes};
    let world = pruning_world().await;
    let patch = world
        .call(
            "patch_argocd_app",
            json!({"app_name": "payments", "confirm": true,
                   "patch": {"spec": {"syncPolicy": {"automated": {"prune": true}}}}}),
        )
        .await;
    println!("review23 A2 patch (held since review 22): {patch}");
    assert_eq!(patch["isError"], true, "{patch}");
    let create = world
        .call(
            "create_argocd_app",
            json!({"name": "payments", "project": "payments", "upsert": true,
                   "repo_url": "https://git.example.com/empty.git", "path": "nothing",
                   "dest_namespace": "payments", "auto_sync": true, "prune": true,
                   "confirm": true}),
        )
        .await;
    println!("review23 A2 upsert: {create}");
    let writes = sent_writes(&world);
    assert!(
        writes.is_empty(),
        "payments replaced with auto-sync and prune (prunes broken-app, project default): {writes:?} {create}"
    );
}

// ---------------------------------------------------------------------------------------------
// Credentials in objects and text
// ---------------------------------------------------------------------------------------------

fn deployment(name: &str, containers: serde_json::Value) -> serde_json::Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": name, "namespace": "guestbook"},
           "spec": {"template": {"spec": {"containers": containers}}}})
}

/// L1: a container's `command`/`args` (and a probe's `exec.command`) given as a list, one
/// argument an item: the password after a one-letter flag (`redis-cli -a`, `mongosh -p`,
/// `sqlcmd -P`, `ldapsearch -w`, `sshpass -p`, `docker login -p`, `curl -u user:password`) or
/// attached to it (`mysqladmin -p…`). `masking.rs`
/// `mask_flag_arguments` masks only the item after a flag whose name (two letters or more)
/// looks like a credential, and the text rules that know `mysql -p…`, `docker login -p`,
/// `sshpass -p` and `curl -u` read one string at a time, so the command in one item and its `-p…` in
/// another are never read together. Through both components' `get_argocd_resource`.
#[tokio::test]
async fn review23_finding_l1_password_arguments_in_a_command_list_are_shown() {
    let probe = |command: serde_json::Value| {
        json!({"name": "app", "image": "example/app:1",
               "livenessProbe": {"exec": {"command": command}}})
    };
    let shapes: Vec<crate::planting::LiveShape> = vec![
        (
            "redis-cli -a in a probe",
            deployment(
                "r23-l1-redis",
                json!([probe(json!(["redis-cli", "-a", "R23l1redis", "ping"]))]),
            ),
            &["R23l1redis"],
        ),
        (
            "mysqladmin -p attached in a probe",
            deployment(
                "r23-l1-mysql",
                json!([probe(json!([
                    "mysqladmin",
                    "-uroot",
                    "-pR23l1mysql",
                    "ping"
                ]))]),
            ),
            &["R23l1mysql"],
        ),
        (
            "mongosh -p in args",
            deployment(
                "r23-l1-mongo",
                json!([{"name": "init", "image": "mongo:7", "command": ["mongosh"],
                        "args": ["--host", "db", "-u", "admin", "-p", "R23l1mongo", "--eval", "1"]}]),
            ),
            &["R23l1mongo"],
        ),
        (
            "sqlcmd -P in args",
            deployment(
                "r23-l1-sqlcmd",
                json!([{"name": "init", "image": "mssql-tools", "command": ["/opt/mssql-tools/bin/sqlcmd"],
                        "args": ["-S", "db", "-U", "sa", "-P", "R23l1sqlcmd", "-Q", "select 1"]}]),
            ),
            &["R23l1sqlcmd"],
        ),
        (
            "sshpass -p in command",
            deployment(
                "r23-l1-sshpass",
                json!([{"name": "sync", "image": "alpine", "command": ["sshpass", "-p", "R23l1sshpass", "rsync", "-a", "src", "dst"]}]),
            ),
            &["R23l1sshpass"],
        ),
        (
            "ldapsearch -w in command",
            deployment(
                "r23-l1-ldap",
                json!([{"name": "check", "image": "openldap", "command": ["ldapsearch", "-x", "-D", "cn=admin,dc=example,dc=org", "-w", "R23l1ldap", "-b", "dc=example,dc=org"]}]),
            ),
            &["R23l1ldap"],
        ),
        (
            "curl -u in a probe",
            deployment(
                "r23-l1-curl",
                json!([probe(json!([
                    "curl",
                    "-fsS",
                    "-u",
                    "admin:R23l1curl",
                    "http://localhost:8080/health"
                ]))]),
            ),
            &["R23l1curl"],
        ),
        (
            "docker login -p in args",
            deployment(
                "r23-l1-docker",
                json!([{"name": "push", "image": "docker:27", "command": ["docker"],
                        "args": ["login", "-u", "robot", "-p", "R23l1docker", "registry.example.com"]}]),
            ),
            &["R23l1docker"],
        ),
    ];
    let found = crate::planting::leaks_in_live(&shapes).await;
    assert!(found.is_empty(), "{found:?}");
}

/// L2: a YAML anchor aliased under a credential's name as an item of a list (`passwords:` then
/// `- *dbpass`, or `apiKeys: [*k]`): `anchors.rs` `aliased_as_credentials` takes an alias only
/// after `: ` (or `:`), so the anchored value stays, where the alias itself is hidden. In a
/// Helm source's values (both components' status) and a condition message.
#[tokio::test]
async fn review23_finding_l2_an_anchor_aliased_in_a_credentials_list_is_shown() {
    let block = "shared: &sentinelpw R23l2block\nsentinel:\n  passwords:\n    - *sentinelpw\n";
    let flow = "common: &apikey R23l2flow\nclient:\n  apiKeys: [*apikey]\n";
    let mut found = Vec::new();
    for (name, yaml, secret) in [("block", block, "R23l2block"), ("flow", flow, "R23l2flow")] {
        let clean = argocd_mcp::tools::without_credentials(yaml);
        println!("review23 L2 native {name}: {clean:?}");
        let world = crate::World::new().await;
        crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", yaml, secret)]);
        {
            let mut state = world.standin.state();
            let app = state.apps.get_mut("guestbook").unwrap();
            app.app["spec"]["source"] = json!({"repoURL": "https://charts.example.com",
                "chart": "guestbook", "targetRevision": "1.0.0", "helm": {"values": yaml}});
        }
        let env = crate::planting::plugin_env(&world.standin);
        let server = world
            .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await
            .to_string();
        let plugin = crate::planting::plugin_status(&env).await;
        for (component, answer) in [("server", &server), ("plugin", &plugin)] {
            println!("review23 L2 {component} {name}: {answer}");
            assert!(answer.contains("ComparisonError"), "{component}: {answer}");
            if answer.contains(secret) {
                found.push(format!("{component} {name}"));
            }
        }
    }
    assert!(found.is_empty(), "{found:?}");
}

/// L3: text shapes the rules miss, as condition messages through both components: Python as
/// `black` wraps a long assignment (`DB_PASSWORD = (` then the literal on the next line; the
/// rule hides the `(`), a C# verbatim literal on the next line, a header folded onto the next
/// line, and the one-letter password flags of L1 written in one line (`redis-cli -a`, `mongo
/// -p`, `sqlcmd -P`, `ldapsearch -w`, `smbclient -U user%pw`).
#[tokio::test]
async fn review23_finding_l3_text_shapes_still_shown() {
    let shapes = [
        (
            "python black",
            "settings.py:\nDB_PASSWORD = (\n    \"R23l3py\"\n)\n",
            "R23l3py",
        ),
        (
            "csharp",
            "string dbPassword =\n    @\"R23l3cs\";",
            "R23l3cs",
        ),
        (
            "folded header",
            "Authorization: Bearer\n  R23l3fold",
            "R23l3fold",
        ),
        (
            "redis-cli",
            "exec: redis-cli -h redis -a R23l3redis ping",
            "R23l3redis",
        ),
        (
            "mongo",
            "mongo -u admin -p R23l3mongo --authenticationDatabase admin",
            "R23l3mongo",
        ),
        (
            "sqlcmd",
            "sqlcmd -S db -U sa -P R23l3sqlcmd -Q 'select 1'",
            "R23l3sqlcmd",
        ),
        (
            "ldapsearch",
            "ldapsearch -x -D cn=admin -w R23l3ldap -b dc=ex",
            "R23l3ldap",
        ),
        (
            "smbclient",
            "smbclient //srv/share -U backup%R23l3smb",
            "R23l3smb",
        ),
    ];
    let found = crate::planting::leaks_in_named_conditions(&shapes).await;
    assert!(found.is_empty(), "{found:?}");
}

// ---------------------------------------------------------------------------------------------
// The settings' own secrets
// ---------------------------------------------------------------------------------------------

/// What each of `spellings` (a name, the text planted, the part of the secret that must not
/// show) leaves in both components' status of guestbook, logged in with `password`.
async fn own_secret_shown(password: &str, spellings: &[(&str, String, &str)]) -> Vec<String> {
    let world = crate::planting::world_with_password(password).await;
    let env = crate::planting::password_plugin_env(&world.standin, password);
    let mut shown = Vec::new();
    for (name, spelling, part) in spellings {
        let message = format!("upstream said: {spelling} R23own");
        crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", message, "")]);
        let server = world
            .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await
            .to_string();
        let plugin = crate::planting::plugin_status(&env).await;
        for (component, answer) in [("server", &server), ("plugin", &plugin)] {
            assert!(answer.contains("R23own"), "{component} {name}: {answer}");
            if answer.contains(part) {
                println!("review23 {component} {name}: {answer}");
                shown.push(format!("{component} {name}"));
            }
        }
    }
    shown
}

/// S1: a password that is not ASCII, quoted by an upstream that writes JSON with every other
/// character escaped (Python's `json.dumps`, `ensure_ascii` by default: `\u00e4`) or as an
/// HTML entity (`&auml;`, `&#228;`): `own_secrets.rs` looks for the secret through escapes
/// only when it is ASCII (`plain`), and `reading.rs` reads an escape of a character that is
/// not ASCII as [`OTHER`], so no spelling matches. And a password holding `+` or `=` in a page
/// Go's `html/template` wrote (`&#43;`, `&#61;`: it escapes both in text and attributes):
/// only `&`, `<`, `>` and quotes are spelled as entities. Through both components.
#[tokio::test]
async fn review23_finding_s1_the_password_escaped_as_python_or_go_templates_do_is_shown() {
    let umlaut = "R23-p\u{e4}sswort-Zq9";
    let mut shown = own_secret_shown(
        umlaut,
        &[
            (
                "python json.dumps",
                "{\"detail\": \"refused R23-p\\u00e4sswort-Zq9\"}".into(),
                "sswort-Zq9",
            ),
            (
                "html named entity",
                "<td>R23-p&auml;sswort-Zq9</td>".into(),
                "sswort-Zq9",
            ),
            (
                "html decimal entity",
                "<td>R23-p&#228;sswort-Zq9</td>".into(),
                "sswort-Zq9",
            ),
        ],
    )
    .await;
    let plus = "R23+pw=Kx7Lm";
    shown.extend(
        own_secret_shown(
            plus,
            &[(
                "go html/template",
                "<input value=\"R23&#43;pw&#61;Kx7Lm\">".into(),
                "pw&#61;Kx7Lm",
            )],
        )
        .await,
    );
    assert!(shown.is_empty(), "the password recoverable: {shown:?}");
}

/// S2: the Argo CD password in a hex dump (Go's `hex.Dump`, `xxd`, Wireshark's "hex stream"
/// with separators): `own_secrets.rs` spells the secret's hex without separators only, so
/// bytes written with a space or a colon between them read back to the password.
#[tokio::test]
async fn review23_finding_s2_the_password_in_a_hex_dump_is_shown() {
    let password = crate::PASSWORD;
    let hex = |sep: &str| {
        password
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(sep)
    };
    let spaced = hex(" ");
    let colons = hex(":");
    let shown = own_secret_shown(
        password,
        &[
            ("hex with spaces", format!("body: {spaced}"), &spaced),
            ("hex with colons", format!("body: {colons}"), &colons),
        ],
    )
    .await;
    assert!(shown.is_empty(), "the password ({spaced}) shown: {shown:?}");
}

// ---------------------------------------------------------------------------------------------
// The scrubbing shortcuts (held)
// ---------------------------------------------------------------------------------------------

/// Short texts judged once per answer (`scrub.rs` `Judged`, up to 128 of 64 bytes or less):
/// the same credential-bearing short text in 200 rows, as a value and with variants past the
/// memo's bound, keys of the same answer alike, is hidden in every row, by both components.
/// Also texts free of escapes whose credential starts right after a word (the rules skipped
/// between two letters or digits): `xpassword=…`, a token glued to a digit, a URL's userinfo
/// after a word.
#[tokio::test]
async fn review23_held_repeated_short_texts_and_glued_words_are_hidden_everywhere() {
    let world = crate::World::new().await;
    let env = crate::planting::plugin_env(&world.standin);
    let mut shapes: Vec<(String, String, String)> = Vec::new();
    for n in 0..200 {
        shapes.push(("same".into(), "token: R23judged".into(), "R23judged".into()));
        shapes.push((
            "variant".into(),
            format!("password=R23memo{n:03}x"),
            format!("R23memo{n:03}x"),
        ));
    }
    for (text, secret) in [
        ("id7 password=R23glue1", "R23glue1"),
        ("x:https://u:R23glue2@git.example.com/r.git", "R23glue2"),
        ("abc--password R23glue3", "R23glue3"),
        ("rev9Authorization: Bearer R23glue4", "R23glue4"),
        (
            "at1 -----BEGIN PRIVATE KEY-----\nR23glue5\n-----END PRIVATE KEY-----",
            "R23glue5",
        ),
    ] {
        shapes.push(("glued".into(), text.into(), secret.into()));
    }
    let planted: Vec<(&str, &str, &str)> = shapes
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    crate::planting::plant_conditions(&world.standin, "guestbook", &planted);
    let server = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await
        .to_string();
    let plugin = crate::planting::plugin_status(&env).await;
    let mut shown = Vec::new();
    for (component, answer) in [("server", &server), ("plugin", &plugin)] {
        assert!(answer.contains("ComparisonError"), "{component}: {answer}");
        for (_, text, secret) in &shapes {
            if answer.contains(secret.as_str()) {
                shown.push(format!("{component}: {text}"));
            }
        }
    }
    shown.dedup();
    assert!(shown.is_empty(), "{shown:?}");
}

/// L4: credentials that say what they are, by prefixes `tokens.rs` `PREFIXES` does not list:
/// Stripe's test keys and webhook signing secrets (`sk_test_`, `whsec_`), Google's OAuth
/// client secret (`GOCSPX-`), Grafana's service account tokens (`glsa_`, in many a cluster's
/// dashboards provisioning), Slack's app-level tokens (`xapp-`), SendGrid's (`SG.…`), PyPI's
/// (`pypi-`), Hugging Face's (`hf_`), DigitalOcean's (`dop_v1_`), Shopify's (`shpat_`). In a
/// condition message, through both components.
#[tokio::test]
async fn review23_finding_l4_self_identifying_tokens_with_unlisted_prefixes_are_shown() {
    let shapes = [
        (
            "stripe test",
            "charge failed with sk_test_R23l4stripeAbCdEfGh",
            "R23l4stripe",
        ),
        (
            "stripe webhook",
            "verify with whsec_R23l4whsecAbCdEfGh",
            "R23l4whsec",
        ),
        (
            "google oauth",
            "dex connector secret GOCSPX-R23l4googleAbCdEf",
            "R23l4google",
        ),
        (
            "grafana",
            "provisioning with glsa_R23l4grafanaAbCdEfGhIjKl_0123abcd",
            "R23l4grafana",
        ),
        (
            "slack app",
            "socket mode xapp-1-A0123-R23l4slackAbCdEf",
            "R23l4slack",
        ),
        (
            "sendgrid",
            "mail via SG.R23l4sendgridAbCd.EfGhIjKlMnOpQrSt",
            "R23l4sendgrid",
        ),
        (
            "pypi",
            "upload pypi-AgEIcHlwaS5vcmcR23l4pypiAbCd",
            "R23l4pypi",
        ),
        (
            "huggingface",
            "model pull hf_R23l4hfAbCdEfGhIjKlMn",
            "R23l4hf",
        ),
        (
            "digitalocean",
            "doctl dop_v1_R23l4doabcdef0123456789",
            "R23l4do",
        ),
        (
            "shopify",
            "admin api shpat_R23l4shopabcdef0123",
            "R23l4shop",
        ),
    ];
    let found = crate::planting::leaks_in_named_conditions(&shapes).await;
    assert!(found.is_empty(), "{found:?}");
}

/// Native timing probe: 128 KB of shapes that make rules read back or ahead at each of many
/// places, scrubbed by `without_credentials` (the quick path).
#[test]
#[ignore = "a timing probe: run it by hand with --ignored"]
fn review23_probe_native_timing() {
    let patterns = [
        "a",
        "(\"",
        "equal(\"",
        "assertEquals(token, \"",
        "<<a\n",
        "docker login -p x ",
        " -p",
        "echo x | ",
        "password: *a &a ",
        "- *a\n",
        "x=",
        "a@b:",
        "\"a\":",
        "<a>",
        "-----END PRIVATE KEY-----\n",
        "  a\n",
        "AUTH ",
        "user ",
        "aaaaaaaaaa(",
        "set password ",
        "vault login ",
        "htpasswd ",
        "token == \"",
        "<<EOF\n--password-stdin\n",
        "String dbPassword =\n",
        "data: {",
        "kind: Secret\ndata:\n",
        "Private-Lines: 9\n",
    ];
    for pattern in patterns {
        let text = pattern.repeat(128 * 1024 / pattern.len());
        let started = std::time::Instant::now();
        let clean = argocd_mcp::tools::without_credentials(&text);
        let took = started.elapsed();
        println!("{pattern:?}: {took:?} ({} bytes out)", clean.len());
    }
}

/// S3: a passphrase (words and spaces, as many password policies now advise) quoted by an
/// upstream that wraps text at a space (a mail-style or terminal log wrapping long lines) or
/// writes two spaces: `own_secrets.rs` reads a line break as a gap only between base64
/// characters (where it drops it), so `horse⏎battery` reads as `horsebattery`, and no spelling
/// matches. Through both components.
#[tokio::test]
async fn review23_finding_s3_a_passphrase_wrapped_at_a_space_is_shown() {
    let password = "Correct horse battery Zq9staple";
    let shown = own_secret_shown(
        password,
        &[
            (
                "wrapped",
                "request body: Correct horse\nbattery Zq9staple".into(),
                "Zq9staple",
            ),
            (
                "wrapped with indentation",
                "request body: Correct horse battery\n    Zq9staple".into(),
                "Zq9staple",
            ),
            (
                "two spaces",
                "request body: Correct horse  battery Zq9staple".into(),
                "Zq9staple",
            ),
        ],
    )
    .await;
    assert!(shown.is_empty(), "the passphrase recoverable: {shown:?}");
}

/// S4: the credential rules run before the settings' own secrets are taken out (`scrub.rs`
/// `call` scrubs the tool's answer; `OwnSecrets` runs where the answer leaves), and a rule
/// that hides a named value up to a space or a quote hides part of a password holding one:
/// `password=Correct horse battery …` becomes `password=*** horse battery …`, and
/// `"password": "R23'pw…"` written with single quotes loses only what precedes the quote. What
/// is left no longer holds the whole secret, so `OwnSecrets` finds nothing, and the rest of
/// the password is shown. Through both components.
#[tokio::test]
async fn review23_finding_s4_a_rule_hiding_the_head_of_the_password_shows_its_tail() {
    let passphrase = "Correct horse battery Zq9staple";
    let mut shown = own_secret_shown(
        passphrase,
        &[(
            "passphrase after password=",
            "login form: user=admin password=Correct horse battery Zq9staple".into(),
            "Zq9staple",
        )],
    )
    .await;
    let quoted = "R23q'pw-Zq9tail";
    shown.extend(
        own_secret_shown(
            quoted,
            &[(
                "quote inside, after password=",
                "login form: user=admin password=R23q'pw-Zq9tail".into(),
                "Zq9tail",
            )],
        )
        .await,
    );
    assert!(
        shown.is_empty(),
        "the rest of the password shown: {shown:?}"
    );
}

/// Environment variables of a container named as the images people run name their
/// credentials: each value must be hidden by both components' `get_argocd_resource`.
#[tokio::test]
async fn review23_held_env_names_of_common_images() {
    let names = [
        "MYSQL_PWD",
        "REDIS_AUTH",
        "DB_PASS",
        "SMTP_PASS",
        "LDAP_BIND_PW",
        "RABBITMQ_DEFAULT_PASS",
        "MINIO_ROOT_PASSWORD",
        "MINIO_SECRET_KEY",
        "GF_SECURITY_ADMIN_PASSWORD",
        "JWT_SIGNING_KEY",
        "SESSION_SECRET",
        "ENCRYPTION_KEY",
        "MONGO_INITDB_ROOT_PASSWORD",
        "KEYCLOAK_ADMIN_PASSWORD",
        "PASSPHRASE",
        "TOTP_SECRET",
        "NUGET_API_KEY",
        "MASTER_KEY",
        "COOKIE_SECRET",
        "SECRET_KEY_BASE",
        "APP_KEY",
        "DJANGO_SECRET_KEY",
        "NEXTAUTH_SECRET",
        "RAILS_MASTER_KEY",
        "APP_SECRET",
        "KC_DB_PASSWORD",
        "AUTH_TOKEN",
        "HMAC_KEY",
        "LICENSE_KEY",
        "DEPLOY_KEY",
    ];
    let env: Vec<serde_json::Value> = names
        .iter()
        .enumerate()
        .map(|(n, name)| json!({"name": name, "value": format!("R23env{n:02}v")}))
        .collect();
    let secrets: Vec<String> = (0..names.len()).map(|n| format!("R23env{n:02}v")).collect();
    let secrets: &'static [&'static str] = Box::leak(
        secrets
            .into_iter()
            .map(|s| &*Box::leak(s.into_boxed_str()))
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    );
    let shapes: Vec<crate::planting::LiveShape> = vec![(
        "env names",
        deployment(
            "r23-env",
            json!([{"name": "app", "image": "example/app:1", "env": env}]),
        ),
        secrets,
    )];
    let found = crate::planting::leaks_in_live(&shapes).await;
    let named: Vec<String> = found
        .iter()
        .filter_map(|f| {
            let n: usize = f.rsplit("R23env").next()?.get(..2)?.parse().ok()?;
            Some(format!("{f} ({})", names[n]))
        })
        .collect();
    assert!(found.is_empty(), "{named:?}");
}
