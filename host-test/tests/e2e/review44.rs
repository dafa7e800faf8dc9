//! Forty-fourth hostile review (issue 19), fresh eyes, time box 35 minutes: the whole answer
//! surface, every tool and every field, on the seeded world (`Config::seed_credentials`), both
//! built components (the server through wasmtime as shipped, the plugin's typed exports).
//!
//! Findings (each `review44_finding_*` asserts the secure behaviour, was seen failing on both
//! components, in both get_argocd_app_status (a condition) and get_argocd_app_logs (a log
//! line), and is ignored until fixed):
//!
//! - C1 (low-medium, text, both; `src/tools/scrub/directives.rs`) Cisco's `snmp-server
//!   community C RO` is hidden only where the directive starts a line: quoted inside one, as
//!   Ansible's `ios_config` reports each item (`changed: [r1] => (item=snmp-server community C
//!   RO)`) or after a timestamp, the community is shown. Repro:
//!   `review44_finding_c1_snmp_community_inside_a_line`. Fix: also read the directive after a
//!   word's edge (space, `(`, `=`, `'`, `"`) when `snmp-server community` is followed by one
//!   word and then `RO`/`RW`/a number/an ACL name or the line's end, as the line-start rule does.
//! - C2 (medium, text, both; `src/tools/scrub/calls.rs`) PHP before 8.2 (still common in
//!   images) prints a stack frame's arguments in an uncaught exception, so a refused database
//!   connection logs its password as a positional argument: `#0 /var/www/html/db.php(4):
//!   PDO->__construct('mysql:host=db;d...', 'root', 'pw')`, `mysqli->real_connect('db',
//!   'root', 'pw', 'app')`, `mysqli_connect('db', 'root', 'pw', 'app')`, and code quoted in
//!   errors `new PDO('mysql:…', 'root', 'pw')` (PHP cuts each string at 15 bytes by default,
//!   so passwords up to 15 bytes are shown whole). `calls.rs` reads setters, `…Auth(u, pw)` and
//!   `smtp.PlainAuth` only. Repro: `review44_finding_c2_php_stack_frame_arguments`. Fix: read
//!   the connection calls by their known positions: `PDO(->__construct)?(dsn, user, PW)`,
//!   `mysqli(->real_connect|->connect)?/mysqli_connect/mysqli_real_connect(host, user, PW, …)`,
//!   `pg_connect("… password=PW")` (already by `password=`), Java's
//!   `DriverManager.getConnection(url, user, PW)`; or list them under *What cannot be hidden*.
//! - C3 (low, text, both; `src/tools/scrub/`) GitHub Actions' workflow command `::add-mask::V`
//!   declares V a secret, and a shell-traced CI step logs it (`+ echo '::add-mask::V'`): V is
//!   shown. Repro: `review44_finding_c3_add_mask_value`. Fix: hide what follows `::add-mask::`
//!   to the line's end (the command's one argument).
//!
//! Tools covered (all 33, checked against `argocd_mcp::tools::definitions`): review42's sweep
//! (`every_call`: every tool with the arguments that reach the most fields, whole HTTP answers
//! with progress, the server's log) on the seeded world plus a cluster and a repository with
//! proxy passwords and, new, Argo CD app links (`application.links`/
//! `link.argocd.argoproj.io/*`) whose URL holds `auth_token=` in the query and a password in
//! userinfo and whose description holds `apiKey=`: added to review42's seeding, so
//! `review42_held_every_tool_of_the_server` runs the sweep with them (it was a copy here).
//! get_argocd_app_status, get_argocd_app_logs (both components, 133 text shapes), and
//! get_argocd_resource (both components, config files and an Application's spec fields) again
//! with new seeding; get_argocd_app_status, list_argocd_apps, list_argocd_app_history,
//! get_argocd_app_manifests, list_argocd_app_links, wait_for_argocd_operation and
//! patch_argocd_app on an app whose own spec holds the new fields.
//!
//! Seeding added (in the tests, as Argo CD v3.5.1 returns it: an Application's spec is
//! returned as written, except Secret data): jsonnet `extVars`/`tlas` with credential-named
//! entries, Helm remote `valueFiles` and `fileParameters` paths with userinfo, `info` entries
//! (`Slack webhook` URL, `Grafana API token`), `sourceHydrator.drySource.repoURL` with userinfo,
//! `operation.sync.manifests` with a Secret's `stringData`; app links as above.
//!
//! Held (passing `review44_held_*`, each asserting its place was reached): every tool (no
//! `S33D` in any answer, error, progress notification or the log); `resources/read` of both
//! seeded apps and the fleet, `prompts/get` of every prompt for both seeded apps, completions
//! of app and project names (`review44_held_resources_prompts_completion`); the new spec fields
//! through get_argocd_resource and the app tools, both components; 16 config files as
//! ConfigMap entries (`.npmrc` `_authToken`/`_auth`, `.pgpass`, `.netrc`, Maven
//! `settings.xml`, Docker `config.json` `auth`/`identitytoken`/`password`, kubeconfig
//! `client-key-data`/`token`, AWS `credentials`, `terraform.tfvars`, `gradle.properties`,
//! `.pypirc`, Helm `repositories.yaml`, `my.cnf`, Ansible inventory `ansible_ssh_pass`/
//! `ansible_become_pass`, PgBouncer `userlist.txt`, `rclone.conf`); and 133 workload text
//! shapes as conditions and log lines (`TEXTS`): URLs of postgres, mongodb+srv, redis with an
//! empty user, amqp, smtp, sftp, ftp, ldap, nats (token as user), SQLAlchemy; JDBC query and
//! SQL Server forms, ADO.NET, ODBC `Pwd=`, Oracle `user/pw@host`, Go MySQL `user:pw@tcp(…)`,
//! libpq key=value, Azure storage/Service Bus connection strings and SAS `sig=`, AWS and GCS
//! presigned query signatures and session tokens, Kafka JAAS, Elasticsearch `ApiKey`,
//! `Proxy-Authorization`, `X-API-Key`, GitLab `PRIVATE-TOKEN`, `X-Vault-Token`, cookies,
//! curl `-u`/`--user`, docker/argocd/az/kubectl/sshpass/mysql `-p…`/mongosh/cqlsh/clickhouse/
//! influx/sqlcmd/keytool/openssl `pass:`/htpasswd `-b`, Java `-D…Password=`, PGPASSWORD,
//! `.netrc` one and several lines, `.pgpass`, `.npmrc`, `.pypirc`, Maven `<password>`/
//! `<passphrase>`, Gradle, tfvars, Ansible `_pass`, Helm repositories, Docker `auths`,
//! kubeconfig `client-key-data`/`token`/`id-token`, AWS credentials, GCP `private_key_id`,
//! Azure `accessToken`, env names (`RABBITMQ_DEFAULT_PASS`, `_PASSWD`, `_PWD`, `SMTP_PASS`,
//! `RABBITMQ_ERLANG_COOKIE`, `NEW_RELIC_LICENSE_KEY`, `SECRET_KEY_BASE`, `RAILS_MASTER_KEY`,
//! `HASURA_GRAPHQL_ADMIN_SECRET`, `DD_APP_KEY`, `SPLUNK_HEC_TOKEN`, `LDAP_BIND_CREDENTIALS`,
//! `CREDENTIALS`, `_CREDS`, `REDIS_AUTH`, `TOTP_SEED`, `_HMAC_KEY`, MinIO), Sentry DSN, Slack and
//! Discord webhooks, bare `github_pat_`, `glpat-`, `sk_live_`, `AIza`, `npm_`, `hvs.`,
//! `dckr_pat_`, `SG.` tokens, OpenSSH/encrypted PKCS#8/PGP/PuTTY private keys, a JWT, XML
//! attributes, TOML, HCL, nginx `Authorization`, Spring's JSON, snmpd at a line's start, WPA.
//!
//! Not a finding, noted: an annotation named `…inject…` is a place by design (Vault's
//! `vault.hashicorp.com/agent-inject-token: "true"` is a flag), so a value there is shown
//! (`names_a_place`); a link description in prose (`api key X`) is prose, documented.
//!
//! Not reached: Secrets among the seeded apps' resources (real Argo CD hides their data);
//! resource-tree `info`/`images`/`externalURLs` (the tree passes on no `info`); an
//! ApplicationSet's `status.applicationStatus[].message` (the tool reads `resources` and
//! `conditions` only); the live feed's notifications under seeded credentials; a preview whose
//! goTemplate runs Sprig over cluster parameters (the stand-in renders placeholders only);
//! approval questions beyond review42's 14 (not repeated); settings, GnuPG keys,
//! certificates, accounts and repocreds (no tool reads them).

use serde_json::{Value, json};

use crate::World;
use crate::planting::{
    LiveShape, assert_none, leaks_in_live, plugin_env, plugin_logs, plugin_status,
};
use crate::review42::{seeded, shown};

/// Workload text in real tools' formats, `SEC` standing for the secret (`S33D-r44-<n>`).
const TEXTS: &[(&str, &str)] = &[
    ("pg url", "dial postgresql://app:%S%@db:5432/app failed"),
    (
        "jdbc query",
        "jdbc:postgresql://db:5432/app?user=app&password=%S%&ssl=true",
    ),
    (
        "jdbc sqlserver",
        "jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=%S%;encrypt=true",
    ),
    (
        "ado.net",
        "Server=db;Database=app;User Id=sa;Password=%S%;TrustServerCertificate=True",
    ),
    (
        "odbc pwd",
        "Driver={ODBC Driver 18 for SQL Server};Server=db;Uid=sa;Pwd=%S%;",
    ),
    (
        "oracle sqlplus",
        "sqlplus app/%S%@//db.example.com:1521/ORCLPDB1",
    ),
    (
        "oracle ezconnect",
        "connect string: scott/%S%@db.example.com:1521/orcl",
    ),
    (
        "mongodb srv",
        "mongodb+srv://app:%S%@cluster0.example.net/?retryWrites=true",
    ),
    ("redis empty user", "redis://:%S%@redis:6379/0"),
    ("amqp", "amqp://guest:%S%@rabbit:5672/%2f"),
    (
        "go mysql dsn",
        "Error 1045: using dsn app:%S%@tcp(db:3306)/app?parseTime=true",
    ),
    (
        "libpq kv",
        "connect: host=db user=app password=%S% dbname=app sslmode=disable",
    ),
    (
        "azure storage",
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=%S%;EndpointSuffix=core.windows.net",
    ),
    (
        "azure servicebus",
        "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=%S%",
    ),
    (
        "azure sas url",
        "GET https://acct.blob.core.windows.net/c/b?sv=2022-11-02&ss=b&sig=%S%&se=2026-01-01 403",
    ),
    (
        "aws presigned",
        "GET https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Security-Token=%S%&X-Amz-Signature=abc 403",
    ),
    (
        "aws presigned sig",
        "GET https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=%S% 403",
    ),
    (
        "gcs signed",
        "GET https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=%S% 403",
    ),
    (
        "kafka jaas",
        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"%S%\";",
    ),
    (
        "es apikey header",
        "request headers: Authorization: ApiKey %S%",
    ),
    ("proxy auth header", "Proxy-Authorization: Basic %S%"),
    ("x-api-key header", "sent X-API-Key: %S% to upstream"),
    (
        "gitlab private-token",
        "curl -H \"PRIVATE-TOKEN: %S%\" https://gitlab.example.com/api/v4/projects",
    ),
    ("vault header", "X-Vault-Token: %S%"),
    ("cookie", "Cookie: argocd.token=%S%; other=1"),
    ("set-cookie", "Set-Cookie: session=%S%; Path=/; HttpOnly"),
    (
        "curl -u",
        "curl -u admin:%S% https://nexus.example.com/service/rest",
    ),
    (
        "curl --user",
        "curl --user admin:%S% https://nexus.example.com/service/rest",
    ),
    (
        "docker login",
        "docker login -u bot -p %S% registry.example.com",
    ),
    ("mysql -p attached", "mysql -h db -uroot -p%S% app"),
    ("sshpass", "sshpass -p %S% ssh deploy@host"),
    (
        "az login sp",
        "az login --service-principal -u 00000000-0000 -p %S% --tenant t",
    ),
    (
        "argocd login",
        "argocd login argocd.example.com --username admin --password %S%",
    ),
    ("kubectl token", "kubectl --token=%S% get pods"),
    (
        "token as url user",
        "git clone https://%S%@github.com/org/private.git",
    ),
    ("netrc", "machine github.com login bot password %S%"),
    (
        "netrc multi",
        "machine github.com\n  login bot\n  password %S%\n",
    ),
    ("pgpass", "/root/.pgpass: db.example.com:5432:app:app:%S%"),
    ("npmrc authtoken", "//registry.npmjs.org/:_authToken=%S%"),
    ("npmrc _auth", "//npm.example.com/:_auth=%S%"),
    ("npmrc _password", "//npm.example.com/:_password=%S%"),
    (
        "pypirc",
        "[pypi]\nusername = __token__\npassword = pypi-%S%\n",
    ),
    (
        "maven settings",
        "<servers><server><id>nexus</id><username>u</username><password>%S%</password></server></servers>",
    ),
    (
        "maven privateKey passphrase",
        "<server><id>s</id><privateKey>/k</privateKey><passphrase>%S%</passphrase></server>",
    ),
    ("gradle props", "mavenPassword=%S%"),
    ("gradle signing", "signing.password=%S%"),
    ("gradle proxy", "systemProp.https.proxyPassword=%S%"),
    ("tfvars", "db_password = \"%S%\""),
    ("tfvars client secret", "client_secret = \"%S%\""),
    ("ansible become pass", "ansible_become_pass: %S%"),
    ("ansible ssh pass", "ansible_ssh_pass=%S%"),
    (
        "helm repo config",
        "repositories:\n- name: private\n  url: https://charts.example.com\n  username: u\n  password: %S%\n",
    ),
    (
        "docker config auth",
        "{\"auths\":{\"registry.example.com\":{\"auth\":\"%S%\"}}}",
    ),
    (
        "docker config identitytoken",
        "{\"auths\":{\"acr.io\":{\"identitytoken\":\"%S%\"}}}",
    ),
    (
        "kubeconfig client-key-data",
        "users:\n- name: admin\n  user:\n    client-key-data: %S%\n",
    ),
    (
        "kubeconfig token",
        "users:\n- name: admin\n  user:\n    token: %S%\n",
    ),
    (
        "kubeconfig id-token",
        "auth-provider:\n  config:\n    id-token: %S%\n    refresh-token: %S%\n",
    ),
    (
        "aws credentials",
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = %S%\naws_session_token = %S%\n",
    ),
    (
        "gcp sa json",
        "{\"type\":\"service_account\",\"private_key_id\":\"%S%\",\"client_email\":\"a@b.iam.gserviceaccount.com\"}",
    ),
    (
        "azure accessToken",
        "{\"accessToken\":\"%S%\",\"expiresOn\":\"2026\"}",
    ),
    ("rabbitmq default pass", "RABBITMQ_DEFAULT_PASS=%S%"),
    ("passwd name", "DB_PASSWD=%S%"),
    ("pwd name", "MYSQL_ROOT_PWD=%S%"),
    ("smtp pass", "SMTP_PASS=%S%"),
    ("erlang cookie", "RABBITMQ_ERLANG_COOKIE=%S%"),
    ("license key", "NEW_RELIC_LICENSE_KEY=%S%"),
    ("secret key base", "SECRET_KEY_BASE=%S%"),
    ("rails master key", "RAILS_MASTER_KEY=%S%"),
    ("hasura admin secret", "HASURA_GRAPHQL_ADMIN_SECRET=%S%"),
    ("dd app key", "DD_APP_KEY=%S%"),
    ("splunk hec", "SPLUNK_HEC_TOKEN=%S%"),
    ("ldap bind credentials", "LDAP_BIND_CREDENTIALS=%S%"),
    ("credentials word", "CREDENTIALS=%S%"),
    ("creds word", "REGISTRY_CREDS=%S%"),
    ("auth word", "REDIS_AUTH=%S%"),
    ("otp secret", "TOTP_SEED=%S%"),
    ("hmac", "WEBHOOK_HMAC_KEY=%S%"),
    ("sentry dsn", "SENTRY_DSN=https://%S%@o0.ingest.sentry.io/1"),
    (
        "slack webhook",
        "posting to https://hooks.slack.com/services/T0000/B0000/%S% failed",
    ),
    (
        "discord webhook",
        "posting to https://discord.com/api/webhooks/123456/%S% failed",
    ),
    ("github_pat token", "token github_pat_11AAAAAA0%S% rejected"),
    ("glpat", "token glpat-%S% rejected"),
    ("stripe", "stripe key sk_live_%S% rejected"),
    (
        "google api key",
        "key AIza%S%0000000000000000000000000000 rejected",
    ),
    (
        "npm token",
        "npm_%S%0000000000000000000000000000000 rejected",
    ),
    ("vault hvs", "vault token hvs.%S% rejected"),
    ("docker pat", "dckr_pat_%S% rejected"),
    ("sendgrid", "SG.%S%.abcdefghijklmnop rejected"),
    (
        "openssh key",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE%S%\n-----END OPENSSH PRIVATE KEY-----",
    ),
    (
        "encrypted pkcs8",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF%S%\n-----END ENCRYPTED PRIVATE KEY-----",
    ),
    (
        "pgp private",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQdG%S%\n-----END PGP PRIVATE KEY BLOCK-----",
    ),
    (
        "putty",
        "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\nAAAA%S%\nPrivate-MAC: abc",
    ),
    (
        "jwt",
        "invalid token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.%S%",
    ),
    (
        "ansible vault password",
        "vault_password_file: /x; ANSIBLE_VAULT_PASSWORD=%S%",
    ),
    ("redis-cli --pass", "redis-cli --pass %S% -h redis"),
    (
        "mongosh -p",
        "mongosh --username app --password %S% mongodb://db",
    ),
    (
        "pg connection string in conninfo",
        "psql \"postgresql://app@db/app?password=%S%\"",
    ),
    (
        "htpasswd -b",
        "htpasswd -b -c /etc/nginx/.htpasswd admin %S%",
    ),
    (
        "keytool",
        "keytool -importkeystore -srcstorepass %S% -deststorepass %S%",
    ),
    (
        "openssl pass",
        "openssl pkcs12 -export -passout pass:%S% -out a.p12",
    ),
    (
        "java truststore",
        "-Djavax.net.ssl.trustStorePassword=%S% -Djavax.net.ssl.keyStorePassword=%S%",
    ),
    (
        "spring json",
        "SPRING_APPLICATION_JSON={\"spring\":{\"datasource\":{\"password\":\"%S%\"}}}",
    ),
    ("snmp", "snmp-server community %S% RO"),
    ("wpa psk", "wpa_passphrase=%S%"),
    ("minio", "MINIO_ROOT_PASSWORD=%S% MINIO_SECRET_KEY=%S%"),
    ("git credential store", "https://bot:%S%@github.com"),
    (
        "xml attr password",
        "<connection user=\"sa\" password=\"%S%\"/>",
    ),
    (
        "xml attr pwd",
        "<add name=\"db\" connectionString=\"Data Source=db;User ID=sa;Pwd=%S%\"/>",
    ),
    ("toml password", "[database]\npassword = \"%S%\"\n"),
    ("hcl token", "provider \"vault\" {\n  token = \"%S%\"\n}"),
    (
        "nginx auth",
        "proxy_set_header Authorization \"Basic %S%\";",
    ),
    (
        "sip/ldap url",
        "ldap://cn=admin,dc=example,dc=com:%S%@ldap.example.com",
    ),
    (
        "smtp url",
        "smtp://user%40example.com:%S%@smtp.example.com:587",
    ),
    ("sftp", "sftp://deploy:%S%@files.example.com/upload"),
    ("nats token url", "nats://%S%@nats:4222"),
    ("minio fixed", "MINIO_ROOT_PASSWORD=%S%"),
    ("minio secret key", "MINIO_SECRET_KEY=%S%"),
    ("hasura fixed", "HASURA_GRAPHQL_ADMIN_SECRET=%S%"),
    ("secret key base fixed", "SECRET_KEY_BASE=%S%"),
    (
        "python connect",
        "psycopg2.connect(host='db', user='app', password='%S%')",
    ),
    (
        "sqlalchemy url",
        "create_engine('mysql+pymysql://app:%S%@db/app')",
    ),
    (
        "go sql open",
        "sql.Open(\"postgres\", \"user=app password=%S% host=db\")",
    ),
    ("env json", "{\"name\":\"DB_PASS\",\"value\":\"%S%\"}"),
    ("k8s env yaml", "- name: DB_PASS\n  value: %S%\n"),
    ("bitnami redis", "REDIS_PASSWORD=%S%"),
    ("cassandra", "cqlsh -u cassandra -p %S% db"),
    (
        "clickhouse",
        "clickhouse-client --user default --password %S%",
    ),
    ("influx token", "influx auth --token %S%"),
    ("mssql sqlcmd", "sqlcmd -S db -U sa -P %S%"),
    (
        "mongodump uri",
        "mongodump --uri mongodb://root:%S%@db:27017",
    ),
    ("pg_dump env", "PGPASSWORD='%S%' pg_dump -h db app"),
    ("ftp url", "ftp://anonymous:%S%@ftp.example.com/"),
    (
        "registry basic in json",
        "{\"username\":\"bot\",\"secret\":\"%S%\"}",
    ),
];

fn texts() -> Vec<(String, String, String)> {
    shapes_of(TEXTS)
}

fn shapes_of(list: &[(&str, &str)]) -> Vec<(String, String, String)> {
    list.iter()
        .enumerate()
        .map(|(i, (name, text))| {
            let secret = format!("S33D-r44-{i:03}x");
            (
                format!("{name} (m44m{i:03})"),
                format!("m44m{i:03}\n{}", text.replace("%S%", &secret)),
                secret,
            )
        })
        .collect()
}

/// Each text as a condition message and as a log line of guestbook, read through both
/// components' get_argocd_app_status and get_argocd_app_logs: (leaks, unreached markers).
async fn text_leaks(shapes: &[(String, String, String)]) -> (Vec<String>, Vec<String>) {
    let world = World::new().await;
    {
        let mut state = world.standin.state();
        let record = state.apps.get_mut("guestbook").unwrap();
        record.app["status"]["conditions"] = Value::Array(
            shapes
                .iter()
                .map(|(_, t, _)| json!({"type": "ComparisonError", "message": t}))
                .collect(),
        );
        state.review_log_lines = shapes.iter().map(|(_, t, _)| t.clone()).collect();
    }
    let env = plugin_env(&world.standin);
    let server_status = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await
        .to_string();
    let server_logs = world
        .call(
            "get_argocd_app_logs",
            json!({"app_name": "guestbook", "kind": "Deployment", "resource_name": "guestbook", "tail_lines": 5000}),
        )
        .await
        .to_string();
    let answers = [
        ("server status", server_status),
        ("plugin status", plugin_status(&env).await),
        ("server logs", server_logs),
        ("plugin logs", plugin_logs(&env).await),
    ];
    for (label, a) in &answers {
        println!("== {label}\n{a}");
    }
    let mut found = Vec::new();
    let mut unreached = Vec::new();
    for (name, _, secret) in shapes {
        let marker = &name[name.len() - 8..name.len() - 1];
        for (label, answer) in &answers {
            if answer.contains(secret.as_str()) {
                found.push(format!("{label} {name}: {secret}"));
            }
            if !answer.contains(marker) {
                unreached.push(format!("{label} {name}"));
            }
        }
    }
    (found, unreached)
}

/// Held: every shape of [`TEXTS`] (real tools' formats: connection strings of many drivers,
/// cloud CLIs' files, CI and container env names, kubeconfig, Docker `auths`, `.netrc`,
/// `.pgpass`, `.npmrc`, `.pypirc`, Maven, Gradle, Terraform, Ansible, Helm repositories, bare
/// provider tokens, PEM/PGP/PuTTY keys), as a condition and a log line, through both
/// components' status and logs: each reached (its marker shown) and its secret hidden.
#[tokio::test]
async fn review44_held_workload_text_formats() {
    let all = texts();
    assert!(all.len() > 120);
    let mut found = Vec::new();
    let mut unreached = Vec::new();
    for batch in all.chunks(8) {
        let (f, u) = text_leaks(batch).await;
        found.extend(f);
        unreached.extend(u);
    }
    assert!(unreached.is_empty(), "never reached: {unreached:#?}");
    assert_none(found);
}

/// The finding's shapes through both components' status and logs: each reached, none shown.
async fn assert_finding(list: &[(&str, &str)]) {
    let (found, unreached) = text_leaks(&shapes_of(list)).await;
    assert!(unreached.is_empty(), "never reached: {unreached:#?}");
    assert_none(found);
}

/// C1: Cisco's `snmp-server community C RO` is hidden at a line's start only: quoted inside a
/// line (Ansible's `ios_config` item, a timestamped log line) the community is shown.
#[tokio::test]
async fn review44_fixed_c1_snmp_community_inside_a_line() {
    assert_finding(&[
        (
            "ansible ios item",
            "changed: [r1] => (item=snmp-server community %S% RO)",
        ),
        (
            "timestamped directive",
            "2026-06-01T00:00:00Z applying snmp-server community %S% RO",
        ),
        (
            "ansible ios rw",
            "ok: [sw1] => (item=snmp-server community %S% RW 10)",
        ),
    ])
    .await;
}

/// C2: PHP (before 8.2's `#[SensitiveParameter]`) prints a stack frame's arguments, so a failed
/// connection logs the password as a positional argument: `PDO->__construct('mysql:…',
/// 'root', 'pw')`, `mysqli->real_connect('db', 'root', 'pw', 'app')`, `mysqli_connect(…)`.
#[tokio::test]
async fn review44_fixed_c2_php_stack_frame_arguments() {
    assert_finding(&[
        ("pdo frame", "PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [1045] Access denied for user 'root'@'10.0.0.5' (using password: YES) in /var/www/html/db.php:4\nStack trace:\n#0 /var/www/html/db.php(4): PDO->__construct('mysql:host=db;d...', 'root', '%S%')\n#1 {main}"),
        ("pdo new", "new PDO('mysql:host=db;dbname=app', 'root', '%S%')"),
        ("mysqli frame", "#0 /var/www/html/index.php(7): mysqli->real_connect('db', 'root', '%S%', 'app')"),
        ("mysqli_connect frame", "#0 /var/www/html/index.php(3): mysqli_connect('db', 'root', '%S%', 'app')"),
    ])
    .await;
}

/// C3: a CI step traced by the shell (`set -x`) logs GitHub Actions' `::add-mask::VALUE`, the
/// command that declares VALUE a secret: the value is shown.
#[tokio::test]
async fn review44_fixed_c3_add_mask_value() {
    assert_finding(&[
        ("add-mask", "::add-mask::%S%"),
        ("traced add-mask", "+ echo '::add-mask::%S%'"),
    ])
    .await;
}

/// Config files as a ConfigMap's entries, under their usual file names.
fn files() -> Vec<(&'static str, &'static str, String)> {
    vec![
        (
            ".npmrc",
            "//registry.npmjs.org/:_authToken=S33D-r44-f01\n//npm.example.com/:_auth=S33D-r44-f02\nalways-auth=true\n",
            String::new(),
        ),
        (
            ".pgpass",
            "db.example.com:5432:app:app:S33D-r44-f03\n",
            String::new(),
        ),
        (
            ".netrc",
            "machine github.com login bot password S33D-r44-f04\n",
            String::new(),
        ),
        (
            "settings.xml",
            "<settings><servers><server><id>nexus</id><username>u</username><password>S33D-r44-f05</password></server></servers></settings>\n",
            String::new(),
        ),
        (
            "config.json",
            "{\"auths\":{\"registry.example.com\":{\"auth\":\"S33D-r44-f06\"},\"acr.io\":{\"identitytoken\":\"S33D-r44-f07\"}}}",
            String::new(),
        ),
        (
            "kubeconfig",
            "apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    client-key-data: S33D-r44-f08\n    token: S33D-r44-f09\n",
            String::new(),
        ),
        (
            "credentials",
            "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = S33D-r44-f10\n",
            String::new(),
        ),
        (
            "terraform.tfvars",
            "db_password = \"S33D-r44-f11\"\nregion = \"eu\"\n",
            String::new(),
        ),
        (
            "gradle.properties",
            "mavenPassword=S33D-r44-f12\nsigning.password=S33D-r44-f13\n",
            String::new(),
        ),
        (
            ".pypirc",
            "[pypi]\nusername = __token__\npassword = pypi-S33D-r44-f14\n",
            String::new(),
        ),
        (
            "repositories.yaml",
            "apiVersion: \"\"\nrepositories:\n- name: p\n  url: https://charts.example.com\n  username: u\n  password: S33D-r44-f15\n",
            String::new(),
        ),
        (
            "my.cnf",
            "[client]\nuser=root\npassword=S33D-r44-f16\n",
            String::new(),
        ),
        (
            "hosts.ini",
            "[web]\nweb1 ansible_host=10.0.0.1 ansible_user=root ansible_ssh_pass=S33D-r44-f17 ansible_become_pass=S33D-r44-f18\n",
            String::new(),
        ),
        (
            "docker-config",
            "{\"auths\":{\"r.example.com\":{\"username\":\"u\",\"password\":\"S33D-r44-f19\",\"auth\":\"S33D-r44-f20\"}}}",
            String::new(),
        ),
        (
            "userlist.txt",
            "\"pgbouncer\" \"S33D-r44-f21\"\n",
            String::new(),
        ),
        (
            "rclone.conf",
            "[s3]\ntype = s3\naccess_key_id = AKIA\nsecret_access_key = S33D-r44-f22\n",
            String::new(),
        ),
    ]
}

/// Held: config files under their usual names as a ConfigMap's entries, through
/// get_argocd_resource of both components (each reached: the file's name is shown).
#[tokio::test]
async fn review44_held_config_files() {
    let mut shapes: Vec<LiveShape> = Vec::new();
    for (i, (file, text, _)) in files().into_iter().enumerate() {
        let name: &'static str = Box::leak(format!("r44-file-{i}").into_boxed_str());
        let secrets: Vec<&'static str> = text
            .match_indices("S33D-r44-f")
            .map(|(at, _)| &*Box::leak(text[at..at + 13].to_owned().into_boxed_str()))
            .collect();
        shapes.push((
            name,
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": name, "namespace": "guestbook"},
                   "data": {file: text}}),
            Box::leak(secrets.into_boxed_slice()),
        ));
    }
    assert_none(leaks_in_live(&shapes).await);
    let world = World::new().await;
    let objects: Vec<Value> = shapes.iter().map(|(_, o, _)| o.clone()).collect();
    crate::planting::plant_live(&world, &objects);
    let env = plugin_env(&world.standin);
    for ((file, _, _), object) in files().iter().zip(&objects) {
        let (server, plugin) = crate::planting::read_live(&world, &env, object).await;
        assert!(
            server.contains(file) && plugin.contains(file),
            "never reached {file}: {server} {plugin}"
        );
    }
}

/// Held: the MCP surfaces beside tools on the seeded world: `resources/read` of both seeded
/// apps and the fleet, every prompt with the seeded apps, completions of app and project names.
#[tokio::test]
async fn review44_held_resources_prompts_completion() {
    let world = seeded(&[]).await;
    let mut found = Vec::new();
    let mut reached = String::new();
    for uri in [
        "argocd://applications/argocd/vault-app",
        "argocd://applications/argocd/vault-multi",
        "argocd://applications",
    ] {
        let (status, read) = world.modern("resources/read", json!({"uri": uri})).await;
        let text = read.to_string();
        println!("== {uri} {status}\n{text}");
        found.extend(shown(&format!("resources/read {uri}"), &text));
        reached.push_str(&text);
    }
    let prompts = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 2, "method": "prompts/list", "params": {}}))
        .await
        .json()
        .unwrap();
    let mut prompt_count = 0;
    for prompt in prompts["result"]["prompts"].as_array().unwrap() {
        let name = prompt["name"].as_str().unwrap();
        for app in ["vault-app", "vault-multi"] {
            let got = world
                .mcp(&json!({"jsonrpc": "2.0", "id": 3, "method": "prompts/get", "params": {"name": name, "arguments": {"app_name": app, "revision": "feature-x"}}}))
                .await;
            let text = String::from_utf8_lossy(&got.body).into_owned();
            println!("== prompt {name} {app}\n{text}");
            found.extend(shown(&format!("prompts/get {name} {app}"), &text));
            prompt_count += 1;
        }
    }
    for (prompt, argument) in [
        ("triage_app", "app_name"),
        ("triage_app", "project"),
        ("safe_sync", "app_name"),
    ] {
        let got = world
            .mcp(
                &json!({"jsonrpc": "2.0", "id": 5, "method": "completion/complete", "params": {
                "ref": {"type": "ref/prompt", "name": prompt},
                "argument": {"name": argument, "value": ""}}}),
            )
            .await;
        let text = String::from_utf8_lossy(&got.body).into_owned();
        println!("== complete {prompt} {argument}\n{text}");
        found.extend(shown(&format!("completion {prompt} {argument}"), &text));
        reached.push_str(&text);
    }
    found.extend(shown("server log", &world.stderr()));
    assert_none(found);
    assert!(prompt_count >= 6, "prompts: {prompts}");
    assert!(
        reached.contains("vault-multi"),
        "never reached the seeded apps"
    );
}

/// An Application's fields that hold credentials in real Argo CD specs and that the seeding
/// did not cover: jsonnet `extVars`/`tlas`, Helm `fileParameters` and remote `valueFiles`,
/// `info` entries, a source hydrator's repository, an operation's inline `manifests`, Kustomize
/// `commonAnnotations`.
fn spec_fields_app(name: &str) -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": name, "namespace": "guestbook"},
        "spec": {"project": "default",
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"},
            "info": [{"name": "Slack webhook", "value": "https://hooks.slack.com/services/T0000/B0000/S33D-r44-s01"},
                     {"name": "Grafana API token", "value": "S33D-r44-s02"}],
            "sources": [
                {"repoURL": "https://git.example.com/a.git", "path": "j",
                 "directory": {"jsonnet": {
                    "extVars": [{"name": "dbPassword", "value": "S33D-r44-s03", "code": false}],
                    "tlas": [{"name": "apiToken", "value": "S33D-r44-s04", "code": false}]}}},
                {"repoURL": "https://charts.example.com", "chart": "c", "targetRevision": "1",
                 "helm": {"valueFiles": ["https://ci:S33D-r44-s05@raw.example.com/values.yaml"],
                          "fileParameters": [{"name": "tls.key", "path": "https://ci:S33D-r44-s06@raw.example.com/key.pem"}]}},
                {"repoURL": "https://git.example.com/k.git", "path": "k",
                 "kustomize": {"commonAnnotations": {"team": "a"}}}
            ],
            "sourceHydrator": {"drySource": {"repoURL": "https://ci:S33D-r44-s08@git.example.com/dry.git", "targetRevision": "HEAD", "path": "d"},
                               "syncSource": {"targetBranch": "env/prod", "path": "p"}}},
        "operation": {"sync": {"manifests": ["apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: S33D-r44-s09\n"]}}
    })
}

const SPEC_SECRETS: &[&str] = &[
    "S33D-r44-s01",
    "S33D-r44-s02",
    "S33D-r44-s03",
    "S33D-r44-s04",
    "S33D-r44-s05",
    "S33D-r44-s06",
    "S33D-r44-s08",
    "S33D-r44-s09",
];

#[tokio::test]
async fn review44_held_application_spec_fields() {
    let shapes: Vec<LiveShape> = vec![(
        "application spec fields",
        spec_fields_app("r44-spec"),
        SPEC_SECRETS,
    )];
    assert_none(leaks_in_live(&shapes).await);
    {
        let world = World::new().await;
        let app = spec_fields_app("r44-spec");
        crate::planting::plant_live(&world, std::slice::from_ref(&app));
        let (server, plugin) =
            crate::planting::read_live(&world, &plugin_env(&world.standin), &app).await;
        for answer in [&server, &plugin] {
            for evidence in [
                "raw.example.com",
                "dry.git",
                "extVars",
                "Grafana API token",
                "Secret",
            ] {
                assert!(
                    answer.contains(evidence),
                    "never reached {evidence}: {answer}"
                );
            }
        }
    }
    // The same fields in an app's own spec, read by the app tools.
    let world = World::new().await;
    {
        let mut state = world.standin.state();
        let record = state.apps.get_mut("guestbook").unwrap();
        let planted = spec_fields_app("guestbook");
        record.app["spec"]["info"] = planted["spec"]["info"].clone();
        record.app["spec"]["sourceHydrator"] = planted["spec"]["sourceHydrator"].clone();
        record.app["spec"]["sources"] = planted["spec"]["sources"].clone();
        record.app["spec"].as_object_mut().unwrap().remove("source");
        record.app["operation"] = planted["operation"].clone();
    }
    let env = plugin_env(&world.standin);
    let mut answers = vec![("plugin status".to_string(), plugin_status(&env).await)];
    for (tool, args) in [
        (
            "get_argocd_app_status",
            json!({"app_name": "guestbook", "include_resources": true}),
        ),
        ("list_argocd_apps", json!({"limit": 500})),
        ("list_argocd_app_history", json!({"app_name": "guestbook"})),
        (
            "get_argocd_app_manifests",
            json!({"app_name": "guestbook", "include_objects": true}),
        ),
        ("list_argocd_app_links", json!({"app_name": "guestbook"})),
        (
            "wait_for_argocd_operation",
            json!({"app_name": "guestbook", "timeout_seconds": 1}),
        ),
        (
            "patch_argocd_app",
            json!({"app_name": "guestbook", "patch": {"metadata": {"labels": {"a": "b"}}}, "confirm": true}),
        ),
    ] {
        answers.push((tool.to_string(), world.call(tool, args).await.to_string()));
    }
    for (label, answer) in &answers {
        println!("== {label}\n{answer}");
        for s in SPEC_SECRETS {
            if answer.contains(s) {
                panic!("{label} shows {s}");
            }
        }
    }
}
