//! Twenty-fourth hostile review (issue 19): the review23 fixes (52d9fd9, 1678d1b) attacked
//! through the built components.
//!
//! Findings (each `review24_finding_*` asserts the secure behaviour, fails today, and is
//! ignored so the suite stays green):
//!
//! - A1 (medium, ARGOCD_ALLOWED_PROJECTS) `Replace=true,Force=true` given as the resource's own
//!   `argocd.argoproj.io/sync-options` annotation on the child Application in Git (Argo CD
//!   reads it per resource from the target manifest, as gitops-engine's
//!   `HasAnnotationOption`) rather than in the parent's `spec.syncPolicy.syncOptions`:
//!   `sync_argocd_app payments` without prune is sent and deletes and recreates `broken-app`
//!   (project default). Root: `replaces_what_it_manages` reads the app's options only; the
//!   target manifests (`managed-resources` `targetState`) are never read.
//!   Also so: `argocd.argoproj.io/hook: Sync` with `hook-delete-policy: BeforeHookCreation`
//!   on the child's manifest (deleted before every sync), not tested separately.
//! - L1 (medium, credentials in objects) command lists whose password follows a command the
//!   rules do not know: `zip -P`, `rabbitmqctl add_user` (L1); siblings of the review23 flags
//!   in the same families: `redis-benchmark -a`, `mongodump -p`, `cqlsh -p`, `rabbitmqadmin
//!   -p`, `lftp -u user,PW` (L1a); `unzip -P`, `7z -pPW`, `openssl enc -k`, `rabbitmqctl
//!   change_password`, `mc alias set` (L1c). Both components' `get_argocd_resource`.
//! - L1b (low) `mask_command_line`'s limits and exemption: a `redis-cli -a PW` list of more
//!   than 256 items is not read as a line; a password item the rules change on their own
//!   (`PW&token=…`) keeps its head. Both components.
//! - L4 (low) token prefixes of the same vendors as review23's additions (`doo_v1_`,
//!   `dor_v1_`, `shpss_`, `shpca_`, `shppa_`, `glptt-`, `glcbt-`, `glft-`, `glimt-`, `gloas-`,
//!   `glc_`, `xoxe-`). Both components.
//! - S5 (medium, own secrets) `/health/argocd` scrubs by the rules first (`service.rs`
//!   `scrubbed`) and takes the settings' own secrets out after (`serve`): the review23 S4 order
//!   is fixed only in `scrub::call`, so Argo CD's error quoting `password=<passphrase with
//!   spaces>` shows the passphrase's tail. Server component.
//!
//! Fixed since (their tests run): L1, L1a, L1c (`commands.rs` subcommand table, lftp `-u`),
//! L1b (`masking.rs` windows and the exemption read per item).
//!
//! Held: the app's own Replace/Force options with spacing through rollback; `htpasswd -b`,
//! `keytool -storepass`, `openssl -passout pass:`, `redis-cli AUTH`, `mysql`/`mariadb -p…`,
//! `sqlplus u/p@db`, `curl --user`, `smbclient -U u%p`, `sqlcmd -P`, `ldapsearch -w`,
//! `redis-cli --pass`, `psql` key/value, `wget --http-password`, `sshpass -p` as command lists
//! in initContainers; own secrets in a tool's error (S4 fix held there).
use serde_json::json;

use crate::planting::{LiveShape, leaks_in_live};

// ---------------------------------------------------------------------------------------------
// Allow-list
// ---------------------------------------------------------------------------------------------

/// A1: Argo CD applies `Replace=true` / `Force=true` given as a resource's own
/// `argocd.argoproj.io/sync-options` annotation exactly as the app-level option: the child
/// Application `broken-app` (project default) whose manifest in Git carries it is deleted and
/// created again (`kubectl replace --force`) by any sync of `payments`, prune or not, and goes
/// with all it deployed through its resources finalizer. The review23 fix reads only
/// `payments`' `spec.syncPolicy.syncOptions`; the annotation, visible to the server in
/// `managed-resources` (`targetState`), is not read, so a sync without prune is sent.
#[tokio::test]
async fn review24_finding_a1_replace_force_as_resource_annotation_deletes_a_child() {
    use crate::planting::{pruning_world, sent_writes};
    let world = pruning_world().await;
    {
        let mut state = world.standin.state();
        let payments = state.apps.get_mut("payments").unwrap();
        payments.app["spec"]["syncPolicy"] = json!({});
        // The child Application's manifest as Git holds it, read back by Argo CD.
        state.review_live.insert(
            "broken-app".into(),
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                   "metadata": {"name": "broken-app", "namespace": "argocd",
                                "annotations": {"argocd.argoproj.io/sync-options": "Replace=true,Force=true"},
                                "finalizers": ["resources-finalizer.argocd.argoproj.io"]},
                   "spec": {"project": "default"}}),
        );
    }
    // Held: the same delete through prune, and through the app's own options.
    let prune = world
        .call(
            "sync_argocd_app",
            json!({"app_name": "payments", "prune": true, "confirm": true}),
        )
        .await;
    assert_eq!(prune["isError"], true, "{prune}");
    let sync = world
        .call(
            "sync_argocd_app",
            json!({"app_name": "payments", "confirm": true,
                   "resources": [{"group": "argoproj.io", "kind": "Application", "name": "broken-app", "namespace": "argocd"}]}),
        )
        .await;
    println!("review24 A1 selective sync without prune: {sync}");
    let writes = sent_writes(&world);
    assert!(
        !writes.iter().any(|w| w.ends_with("/payments/sync")),
        "a sync of payments re-creating broken-app (Replace=true,Force=true on its manifest, project default) was sent: {writes:?} {sync}"
    );
}

/// Held probe: the review23 A1/A2 fixes with spellings Argo CD also accepts (whitespace around
/// the option is trimmed by the guard).
#[tokio::test]
async fn review24_held_replace_force_app_options_with_spacing() {
    use crate::planting::{pruning_world, sent_writes};
    let world = pruning_world().await;
    {
        let mut state = world.standin.state();
        let payments = state.apps.get_mut("payments").unwrap();
        payments.app["spec"]["syncPolicy"] = json!({"syncOptions": [" Replace=true"]});
    }
    let sync = world
        .call(
            "rollback_argocd_app",
            json!({"app_name": "payments", "history_id": 1, "confirm": true}),
        )
        .await;
    println!("review24 held rollback: {sync}");
    assert!(sent_writes(&world).is_empty(), "{sync}");
}

// ---------------------------------------------------------------------------------------------
// Command lines in objects
// ---------------------------------------------------------------------------------------------

fn probe_deployment(name: &str, command: serde_json::Value) -> serde_json::Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": name, "namespace": "guestbook"},
           "spec": {"template": {"spec": {
               "initContainers": [{"name": "init", "image": "example/tool:1", "command": command}],
               "containers": [{"name": "app", "image": "example/app:1"}]}}}})
}

/// L1: command lists whose password argument follows a command the text rules do not know,
/// as initContainers commonly run them: `zip -P PW` (and `unzip -P`), `rabbitmqctl add_user
/// user PW` (and `change_password`). Through both components' `get_argocd_resource`.
#[tokio::test]
async fn review24_finding_l1_password_arguments_of_unlisted_commands_are_shown() {
    let shapes: Vec<LiveShape> = vec![
        (
            "zip -P",
            probe_deployment(
                "r24-zip",
                json!(["zip", "-P", "R24zipPw", "/out/backup.zip", "/data"]),
            ),
            &["R24zipPw"],
        ),
        (
            "rabbitmqctl add_user",
            probe_deployment(
                "r24-rabbit",
                json!(["rabbitmqctl", "add_user", "admin", "R24rabbitPw"]),
            ),
            &["R24rabbitPw"],
        ),
    ];
    let found = leaks_in_live(&shapes).await;
    assert!(found.is_empty(), "{found:#?}");
}

/// Held probe: `htpasswd -b`, `keytool -storepass`, `openssl -passout pass:`, `redis-cli AUTH`
/// as command lists in an initContainer are hidden by both components.
#[tokio::test]
async fn review24_held_password_arguments_of_known_commands() {
    let shapes: Vec<LiveShape> = vec![
        (
            "htpasswd -b",
            probe_deployment(
                "r24-htpasswd",
                json!([
                    "htpasswd",
                    "-bc",
                    "/auth/htpasswd",
                    "admin",
                    "R24htpasswdPw"
                ]),
            ),
            &["R24htpasswdPw"],
        ),
        (
            "keytool -storepass",
            probe_deployment(
                "r24-keytool",
                json!([
                    "keytool",
                    "-importcert",
                    "-keystore",
                    "/ks.jks",
                    "-storepass",
                    "R24keytoolPw",
                    "-noprompt"
                ]),
            ),
            &["R24keytoolPw"],
        ),
        (
            "openssl -passout pass:",
            probe_deployment(
                "r24-openssl",
                json!([
                    "openssl",
                    "pkcs12",
                    "-export",
                    "-in",
                    "/c.pem",
                    "-out",
                    "/c.p12",
                    "-passout",
                    "pass:R24opensslPw"
                ]),
            ),
            &["R24opensslPw"],
        ),
        (
            "redis-cli AUTH",
            probe_deployment(
                "r24-redisauth",
                json!(["redis-cli", "-h", "redis", "AUTH", "R24redisAuthPw"]),
            ),
            &["R24redisAuthPw"],
        ),
    ];
    let found = leaks_in_live(&shapes).await;
    assert!(found.is_empty(), "{found:#?}");
}

/// L1b: the limits and the exemption of `mask_command_line`: a `redis-cli -a PW` list with
/// more than 256 items (a long key list) is not read as a line at all, and a password item that
/// the rules change on their own (`PW&token=…` hides only what follows `token=`) is left to
/// them, its head shown.
#[tokio::test]
async fn review24_finding_l1b_command_list_limits_and_exemption_show_the_password() {
    let mut long = vec![
        json!("redis-cli"),
        json!("-a"),
        json!("R24longListPw"),
        json!("del"),
    ];
    long.extend((0..260).map(|i| json!(format!("key{i}"))));
    let shapes: Vec<LiveShape> = vec![
        (
            "redis-cli -a with 264 items",
            probe_deployment("r24-long", serde_json::Value::Array(long)),
            &["R24longListPw"],
        ),
        (
            "redis-cli -a, password item changed alone",
            probe_deployment(
                "r24-exempt",
                json!(["redis-cli", "-a", "R24exemptHead&token=tail1234", "ping"]),
            ),
            &["R24exemptHead"],
        ),
    ];
    let found = leaks_in_live(&shapes).await;
    assert!(found.is_empty(), "{found:#?}");
}

/// L1a: siblings of the one-letter password flags review23 added (`redis-cli -a`, `mongosh -p`,
/// `sqlcmd -P`) in the same tools' families: `redis-benchmark -a`, `mongodump -p` (and the
/// other MongoDB database tools), `cqlsh -p`, `rabbitmqadmin -p`, `lftp -u user,PW`. As a
/// command list in an initContainer, through both components' `get_argocd_resource`.
/// Root: `commands.rs` `PASSWORD_FLAGS` lists commands by name, one by one.
#[tokio::test]
async fn review24_finding_l1a_sibling_one_letter_password_flags_are_shown() {
    let shapes: Vec<LiveShape> = vec![
        (
            "cqlsh -p",
            probe_deployment(
                "p-cqlsh",
                json!(["cqlsh", "cassandra", "-u", "cassandra", "-p", "R24cqlshPw"]),
            ),
            &["R24cqlshPw"],
        ),
        (
            "mongodump -p",
            probe_deployment(
                "p-mongodump",
                json!([
                    "mongodump",
                    "-u",
                    "root",
                    "-p",
                    "R24mongodumpPw",
                    "--out",
                    "/b"
                ]),
            ),
            &["R24mongodumpPw"],
        ),
        (
            "redis-benchmark -a",
            probe_deployment(
                "p-redisb",
                json!(["redis-benchmark", "-h", "r", "-a", "R24redisbPw"]),
            ),
            &["R24redisbPw"],
        ),
        (
            "rabbitmqadmin -p",
            probe_deployment(
                "p-rmqadmin",
                json!([
                    "rabbitmqadmin",
                    "-u",
                    "admin",
                    "-p",
                    "R24rmqadminPw",
                    "list",
                    "queues"
                ]),
            ),
            &["R24rmqadminPw"],
        ),
        (
            "lftp -u user,pw",
            probe_deployment(
                "p-lftp",
                json!(["lftp", "-u", "backup,R24lftpPw", "ftp.example.com"]),
            ),
            &["R24lftpPw"],
        ),
    ];
    let found = leaks_in_live(&shapes).await;
    assert!(found.is_empty(), "{found:#?}");
}

/// L1c: more commands taking a password as a plain argument: `unzip -P`, `7z -pPW`, `openssl
/// enc -k PW`, `rabbitmqctl change_password user PW`, `mc alias set NAME URL KEY SECRET`.
#[tokio::test]
async fn review24_finding_l1c_more_unlisted_password_arguments_are_shown() {
    let shapes: Vec<LiveShape> = vec![
        (
            "unzip -P",
            probe_deployment("p-unzip", json!(["unzip", "-P", "R24unzipPw", "/a.zip"])),
            &["R24unzipPw"],
        ),
        (
            "7z -p",
            probe_deployment("p-7z", json!(["7z", "x", "-pR24sevenzipPw", "/a.7z"])),
            &["R24sevenzipPw"],
        ),
        (
            "openssl enc -k",
            probe_deployment(
                "p-openssl-k",
                json!([
                    "openssl",
                    "enc",
                    "-d",
                    "-aes256",
                    "-k",
                    "R24opensslK",
                    "-in",
                    "/a"
                ]),
            ),
            &["R24opensslK"],
        ),
        (
            "rabbitmqctl change_password",
            probe_deployment(
                "p-rmqctl",
                json!(["rabbitmqctl", "change_password", "guest", "R24rmqChangePw"]),
            ),
            &["R24rmqChangePw"],
        ),
        (
            "mc alias set",
            probe_deployment(
                "p-mc",
                json!([
                    "mc",
                    "alias",
                    "set",
                    "minio",
                    "http://minio:9000",
                    "admin",
                    "R24mcSecretKey"
                ]),
            ),
            &["R24mcSecretKey"],
        ),
    ];
    let found = leaks_in_live(&shapes).await;
    assert!(found.is_empty(), "{found:#?}");
}

/// Held probe: command lists the rules know (the review23 additions among them) as an
/// initContainer's `command`: hidden by both components.
#[tokio::test]
async fn review24_held_more_known_commands() {
    let shapes: Vec<LiveShape> = vec![
        (
            "mariadb -p attached",
            probe_deployment(
                "p-mariadb",
                json!(["mariadb", "-uroot", "-pR24mariadbPw", "-e", "select 1"]),
            ),
            &["R24mariadbPw"],
        ),
        (
            "mysql -p attached",
            probe_deployment(
                "p-mysql",
                json!(["mysql", "-h", "db", "-uroot", "-pR24mysqlPw"]),
            ),
            &["R24mysqlPw"],
        ),
        (
            "sqlplus user/pw@db",
            probe_deployment(
                "p-sqlplus",
                json!(["sqlplus", "-s", "system/R24sqlplusPw@//db:1521/XE"]),
            ),
            &["R24sqlplusPw"],
        ),
        (
            "curl --user",
            probe_deployment(
                "p-curl",
                json!(["curl", "--user", "admin:R24curlUserPw", "http://x"]),
            ),
            &["R24curlUserPw"],
        ),
        (
            "smbclient -U",
            probe_deployment(
                "p-smb",
                json!(["smbclient", "//fs/share", "-U", "svc%R24smbPw"]),
            ),
            &["R24smbPw"],
        ),
        (
            "sqlcmd -P",
            probe_deployment(
                "p-sqlcmd",
                json!([
                    "/opt/mssql-tools/bin/sqlcmd",
                    "-S",
                    "db",
                    "-U",
                    "sa",
                    "-P",
                    "R24sqlcmdPw"
                ]),
            ),
            &["R24sqlcmdPw"],
        ),
        (
            "ldapsearch -w",
            probe_deployment(
                "p-ldap",
                json!(["ldapsearch", "-x", "-D", "cn=admin", "-w", "R24ldapPw"]),
            ),
            &["R24ldapPw"],
        ),
        (
            "redis-cli -a path",
            probe_deployment(
                "p-redispath",
                json!(["/usr/local/bin/redis-cli", "-a", "R24redisPathPw", "ping"]),
            ),
            &["R24redisPathPw"],
        ),
        (
            "redis-cli --pass",
            probe_deployment(
                "p-redispass",
                json!(["redis-cli", "--pass", "R24redisPassPw", "ping"]),
            ),
            &["R24redisPassPw"],
        ),
        (
            "redis-cli -a after -n",
            probe_deployment(
                "p-redisn",
                json!([
                    "redis-cli",
                    "-n",
                    "0",
                    "--no-auth-warning",
                    "-a",
                    "R24redisNPw"
                ]),
            ),
            &["R24redisNPw"],
        ),
        (
            "psql connstring kv",
            probe_deployment(
                "p-psql",
                json!(["psql", "host=db user=app password=R24psqlPw dbname=x"]),
            ),
            &["R24psqlPw"],
        ),
        (
            "wget --http-password",
            probe_deployment(
                "p-wget",
                json!([
                    "wget",
                    "--http-user=u",
                    "--http-password",
                    "R24wgetPw",
                    "http://x"
                ]),
            ),
            &["R24wgetPw"],
        ),
        (
            "sshpass -p",
            probe_deployment(
                "p-sshpass",
                json!(["sshpass", "-p", "R24sshpassPw", "ssh", "h"]),
            ),
            &["R24sshpassPw"],
        ),
    ];
    let found = leaks_in_live(&shapes).await;
    assert!(found.is_empty(), "{found:#?}");
}

// ---------------------------------------------------------------------------------------------
// Token prefixes
// ---------------------------------------------------------------------------------------------

/// L4: siblings of the prefixes review23 added, issued by the same vendors: DigitalOcean's
/// OAuth and refresh tokens (`doo_v1_`, `dor_v1_`; `dop_v1_` is listed), Shopify's other
/// tokens (`shpss_`, `shpca_`, `shppa_`; `shpat_` is listed), GitLab's other tokens (`glptt-`,
/// `glcbt-`, `glft-`, `glimt-`, `gloas-`; `glpat-`, `gldt-`, `glrt-` are listed), Grafana
/// Cloud (`glc_`; `glsa_` is listed), Slack's refresh tokens (`xoxe-`; `xoxb-`… are listed).
/// In a condition message, through both components.
#[tokio::test]
async fn review24_finding_l4_sibling_token_prefixes_are_shown() {
    let shapes = [
        (
            "do oauth",
            "token doo_v1_R24doo0123456789abcdef0123456789abcdef",
            "R24doo",
        ),
        (
            "do refresh",
            "token dor_v1_R24dor0123456789abcdef0123456789abcdef",
            "R24dor",
        ),
        (
            "shopify shared",
            "secret shpss_R24shpss0123456789abcdef0123",
            "R24shpss",
        ),
        (
            "shopify custom",
            "token shpca_R24shpca0123456789abcdef0123",
            "R24shpca",
        ),
        (
            "shopify private",
            "token shppa_R24shppa0123456789abcdef0123",
            "R24shppa",
        ),
        (
            "gitlab trigger",
            "trigger with glptt-R24glptt0123456789abcd",
            "R24glptt",
        ),
        (
            "gitlab job",
            "job token glcbt-64_R24glcbt0123456789abcd",
            "R24glcbt",
        ),
        (
            "gitlab feed",
            "feed glft-R24glft0123456789abcdef",
            "R24glft",
        ),
        (
            "gitlab incident",
            "alert glimt-R24glimt0123456789abcdef",
            "R24glimt",
        ),
        (
            "gitlab oauth",
            "app secret gloas-R24gloas0123456789abcdef0123456789",
            "R24gloas",
        ),
        (
            "grafana cloud",
            "stack glc_R24glc0123456789abcdefABCDEFGHIJ",
            "R24glc",
        ),
        (
            "slack refresh",
            "refresh xoxe-1-R24xoxe0123456789abcdef",
            "R24xoxe",
        ),
    ];
    let found = crate::planting::leaks_in_named_conditions(&shapes).await;
    assert!(found.is_empty(), "{found:#?}");
}

// ---------------------------------------------------------------------------------------------
// The settings' own secrets
// ---------------------------------------------------------------------------------------------

/// S5: the review23 S4 fix (own secrets before the rules) is in `scrub::call` only. The
/// `/health/argocd` report is scrubbed by the rules first (`service.rs` `scrubbed`:
/// `scrub_value`), and the settings' own secrets are taken out after (`serve`): Argo CD's error
/// quoting `password=Correct horse battery Zq9staple` becomes `password=*** horse battery
/// Zq9staple`, which no longer holds the whole password, so its tail is shown. The same error
/// through a tool is held (asserted first). Server component.
#[tokio::test]
async fn review24_finding_s5_health_report_shows_the_passphrase_tail() {
    use host_test::standin::{Fault, FaultRule};
    let passphrase = "Correct horse battery Zq9staple";
    let world = crate::planting::world_with_password(passphrase).await;
    let message = format!("upstream login form: user=admin password={passphrase} R24own");
    let body = json!({"code": 2, "error": message, "message": message}).to_string();
    world.standin.inject(FaultRule::new(
        Some("GET"),
        "/api/v1/applications/guestbook",
        Fault::Answer(500, body.clone()),
    ));
    let tool = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await
        .to_string();
    println!("review24 S5 tool: {tool}");
    assert!(tool.contains("R24own"), "{tool}");
    assert!(!tool.contains("Zq9staple"), "held in tools: {tool}");
    world.standin.inject(FaultRule::new(
        Some("GET"),
        "/api/v1/session/userinfo",
        Fault::Answer(500, body),
    ));
    let health = world.http("GET", "/health/argocd", &[], "").await;
    let text = String::from_utf8_lossy(&health.body).into_owned();
    println!("review24 S5 health: {text}");
    assert!(text.contains("R24own"), "the error is not quoted: {text}");
    assert!(
        !text.contains("Zq9staple"),
        "/health/argocd shows the tail of the Argo CD password: {text}"
    );
}
