//! Twenty-ninth hostile review (issue 19): today's raw wasi:http request entry, approvals, the
//! patch key check, the allow-list's one read of the synced app and the scrubbing, attacked
//! through both built components (server through wasmtime as shipped, plugin alike). Time box
//! 45 minutes.
//!
//! Findings (each `review29_finding_*` asserts the secure behaviour and is ignored until fixed):
//!
//! Fixed (their tests run): C1 (`commands.rs` `stdin_password`: what `echo`/`printf`/`<<<`
//! feed `chpasswd`, after the colon, or `passwd`), C2 (`oracle_logon`: `user/password` as an
//! Oracle tool's first argument or `userid=`), C3 and C4 (the command tables: `net`,
//! `wpa_passphrase`, `nmcli`, `openssl passwd`, `mkpasswd`, `PASSWORD_FLAGS` for the SQL Server
//! clients, ipmitool, mosquitto, ssh-keygen, Net-SNMP; `psexec`/`rdesktop`/`unrar` logins;
//! FreeRDP's `/p:`, an ftp script's `user`), C5 (MySQL switch clusters closed by `p`, `-P`
//! attached for sqlcmd, curl's `-u` attached, crane's login), O1 (`own_secrets.rs`: UTF-16LE
//! sent bytes, so base64 at any offset and hex/decimal lists), N1 (`anchors.rs` `entry_name`:
//! the `name` beside a `value`), N2 (`explicit_key`), O2 (`Radix::Octal` lists, a
//! quoted-printable soft break read through), A1 (`project_guard.rs` `delete_hooks`,
//! `ensure_app_delete_allowed`: a delete reads the app's manifests and judges its delete hooks,
//! for the app and every child Application a cascade, prune or resource delete deletes). All
//! ten fixed.
//!
//! - A1 (high, allow-list, both; `src/tools/lifecycle.rs` `DeleteApp::run`, `project_guard.rs`
//!   `ensure_managed_deletes_allowed`) `delete_argocd_app` of an allowed app reads no manifests,
//!   but Argo CD's controller adds `pre-delete-finalizer`/`post-delete-finalizer` to every app
//!   whose rendered manifests hold a PreDelete or PostDelete hook (`argocd.argoproj.io/hook:
//!   PreDelete|PostDelete`, `helm.sh/hook: pre-delete|post-delete`) and, on deletion, cascade or
//!   not, *creates* each hook from Git (`controller/hook.go` `executeHooks`: `CreateResource`
//!   with the controller's own rights), then deletes it once healthy (no policy: always). An
//!   Application of a project outside the list (with auto-sync and prune, deploying anywhere
//!   that project may), an ApplicationSet or an AppProject written in the allowed app's Git as
//!   such a hook is created by the delete, where a sync of the same app is refused for it
//!   (`ensure_applied_objects_allowed`). Repro: allowed_projects=payments, payments' Git holds
//!   `{kind: Application, metadata: {name: r29-sneaky, annotations: {argocd.argoproj.io/hook:
//!   PostDelete}}, spec: {project: default, …}}`; `delete_argocd_app {app_name: payments,
//!   cascade: false, confirm: true}` answers "Deleted the Application only; its resources keep
//!   running" and sends `DELETE …/payments?cascade=false`. The same reaches a prune or cascade
//!   delete of an allowed child Application whose Git holds such hooks, and
//!   `delete_argocd_resource` of one. Fix: before any app delete (and before a delete of a child
//!   Application judged by `ensure_resource_allowed`), read `/manifests` at the app's target
//!   revisions and judge every Pre/PostDelete hook as `ensure_applied_objects_allowed` judges
//!   an applied object (ApplicationSet/AppProject refused, an Application's written project in
//!   the list); say in the answer that hooks run.
//! - C1 (medium, commands, both; `src/tools/scrub/commands.rs`) `chpasswd`/`passwd` input:
//!   `echo "alice:PW" | chpasswd`, `chpasswd <<< 'root:PW'`, `printf 'bob:PW' | chpasswd`,
//!   `echo -e "PW\nPW" | passwd bob`: the password shows (init scripts and Dockerfiles write this).
//! - C2 (medium, commands, both) Oracle `user/password` connect strings without `@service`
//!   (`@` with a space before it is a script, not a service): `expdp system/PW`, `exp
//!   scott/PW`, `sqlldr userid=scott/PW`, `sqlplus -s scott/PW @run.sql` (`impdp`/`rman`
//!   with `user/PW@db` are hidden).
//! - C3 (medium, commands, both) password arguments of common ops tools: `net user NAME PW`,
//!   `net use Z: \\srv\share PW`, `ssh-keygen -N PW`, `unrar -pPW`, `nmcli … password PW`,
//!   `wpa_passphrase SSID PW`, `psexec -p PW`, `xfreerdp /p:PW`, `rdesktop -p PW`, `snmpwalk -A
//!   PW -X PW`, `ipmitool -P PW`, `mosquitto_pub -P PW`, `isql`/`tsql`/`bcp`/`sqsh -P PW`
//!   (`sqlcmd` is known), an `ftp` script's `user NAME PW`.
//! - C4 (low, commands, both) hashing commands show the cleartext they hash: `openssl passwd
//!   -6 PW`, `mkpasswd -m sha-512 PW`.
//! - C5 (medium, commands, both; flag reading in `commands.rs`) known commands in attached
//!   spellings: `mysql -Bsp'PW'` and `-BspPW` (a cluster ending in `p`), `sqlcmd -P"PW"` and
//!   `-PPW`, `curl -ualice:PW` and `-u'alice:PW'`, `crane auth login -u bob -p PW`.
//! - O1 (medium, own secrets, both; `src/tools/scrub/own_secrets.rs`) ARGOCD_PASSWORD as
//!   UTF-16LE: base64 (PowerShell `-EncodedCommand` of a command holding it, which Windows
//!   workloads log and write into manifests) and hex (`5a 00 71 00 …`).
//! - O2 (low, own secrets, both) ARGOCD_PASSWORD as octal escapes (`\132\161…`: bash
//!   `$'…'`, `printf`, PostgreSQL's bytea escape format), as `od -b` octal bytes, and broken by
//!   a quoted-printable soft line break (`…hun=` newline `terPw`).
//! - N1 (medium, anchors, both; `src/tools/scrub/anchors.rs` `aliased_as_credentials`) an
//!   anchored value aliased as the `value` of a name/value entry named like a credential (`-
//!   name: DB_PASSWORD` / `value: *pw`, block or flow), the usual Helm `env` shape: shown
//!   where it is anchored (the alias names it a credential only through the entry's `name`).
//! - N2 (low, anchors, both) aliased under an explicit key (`? password` / `: *pw`).
//!
//! Held (passing `review29_held_*` tests): request bodies whose Content-Length lies (small
//! before a larger body, two of them, not a number, `+46`, past u64) are judged by what
//! arrives (413 past 1 MiB, 200 at it); a bearer with a non-UTF-8 byte, a tab or no scheme is
//! 401; the authority is judged (an absolute-form target's, whose Host header wasmtime strips
//! and RFC 9112 says to ignore; else Host), `host@evil`, `127.0.0.1.evil.example`,
//! `localhost.evil.example` 403; two Authorization or Origin headers 400; an Origin with a
//! non-UTF-8 byte 403. Own-secret spellings: HTML hex entities, `\u00xx` of ASCII, every byte
//! percent-encoded, upper-case hex, MIME base64 wrapped at 76, base64url, broken inside the
//! word. Commands: smbclient `%`, keytool, gpg, openssl `pass:`, `curl -u` (spaced), impdp
//! `@db`, aws configure, npm `_authToken`, argocd login, PowerShell `ConvertTo-SecureString`,
//! influx, mount `-o`; mysql/ssh/psql/scp ports, rsync `-P`, ordinary prose kept. Anchors:
//! flow, sequence items, tags before or after the anchor, `[*pw]`, a map aliased, a value on
//! the next line, `&p/w`, a quoted key, a flow map, a folded scalar.
//!
//! Tried by reading, held: `check_patch_is_kept` (top level exactly `spec`/`metadata`, metadata
//! keys exact, case twins refused by `patch_spelling`); approvals (state sealed to tool,
//! argument digest, question, caller and expiry; spent before running; the no-atomics fallback
//! writes, pauses, reads back: two winners need a writer stalled more than 30 ms between its
//! read and its write, or a store whose reads lag its writes across nodes, which no test here
//! can show); outbound paths (names checked, every segment and query value percent-encoded,
//! `split_url` cutting at `#`), header values refused by the host with no value in the error.
//! By design (README): `token_ttl: 3600` and `passwordPolicy: strong` read `***`.
//! Not reached: a streamed answer whose client leaves (Spin), Spin's own Host handling,
//! the approval question of a patch against Go's merge (`jsonpatch.MergePatch`) in detail.

use serde_json::json;

use crate::planting::{LiveShape, config_map, leaks_in_live};

fn cm(name: &'static str, text: &str) -> serde_json::Value {
    config_map(name, json!({"run.sh": text}))
}

#[tokio::test]
async fn review29_held_ordinary_command_lines_kept() {
    let lines: Vec<(&'static str, String)> = vec![
        (
            "o01",
            "mysql -h db -P 3306 -u app -e 'SELECT 1' keepme01".into(),
        ),
        ("o02", "ssh -p 2222 deploy@host uptime keepme02".into()),
        ("o03", "docker run -p 8080:80 nginx keepme03".into()),
        ("o04", "psql -h db -p 5432 -U app keepme04".into()),
        ("o05", "rsync -avP src/ dst/ keepme05".into()),
        ("o06", "zip -r archive.zip dir keepme06".into()),
        (
            "o07",
            "Set the password in the Secret named db-creds keepme07".into(),
        ),
        ("o08", "scp -P 2222 file host:/tmp keepme08".into()),
        ("o09", "curl -k https://x.example/health keepme09".into()),
        ("o10", "echo deploying version 1.2.3 keepme10".into()),
        ("o11", "mongo --port 27017 --host db keepme11".into()),
        (
            "o12",
            "openssl s_client -connect host:443 -servername host keepme12".into(),
        ),
        ("o13", "user: alice\nrole: admin\nkeepme13: yes".into()),
        ("o14", "mc ls local/bucket keepme14".into()),
        ("o17", "secretName: db-creds keepme17".into()),
        ("o18", "password_file: /run/secrets/db keepme18".into()),
    ];
    let objects: Vec<LiveShape> = lines
        .iter()
        .map(|(n, text)| (*n, cm(n, text), &[][..]))
        .collect();
    let world = crate::World::new().await;
    crate::planting::plant_live(
        &world,
        &objects
            .iter()
            .map(|(_, o, _)| o.clone())
            .collect::<Vec<_>>(),
    );
    let env = crate::planting::plugin_env(&world.standin);
    let mut hidden = Vec::new();
    for ((name, object, _), (_, text)) in objects.iter().zip(&lines) {
        let (server, plugin) = crate::planting::read_live(&world, &env, object).await;
        let want = serde_json::Value::String(text.clone()).to_string();
        let want = &want[1..want.len() - 1];
        for (component, answer) in [("server", &server), ("plugin", &plugin)] {
            if !answer.contains(want) {
                hidden.push(format!("{component} {name}: {answer}"));
            }
        }
    }
    assert!(hidden.is_empty(), "{hidden:#?}");
}

const PW: &str = "Zq9R29hunterPw";

/// Each text planted as a ConfigMap's `run.sh` and read through both components'
/// `get_argocd_resource`: which of its secrets showed.
async fn shown_in_commands(lines: &[(&'static str, &str, &'static [&'static str])]) -> Vec<String> {
    let shapes: Vec<LiveShape> = lines
        .iter()
        .map(|(n, text, s)| (*n, cm(n, text), *s))
        .collect();
    leaks_in_live(&shapes).await
}

#[tokio::test]
async fn review29_finding_c1_chpasswd_input() {
    let found = shown_in_commands(&[
        ("c1a", "echo \"alice:R29c1PwA\" | chpasswd", &["R29c1PwA"]),
        ("c1b", "echo root:R29c1PwB | chpasswd", &["R29c1PwB"]),
        ("c1c", "chpasswd <<< 'root:R29c1PwC'", &["R29c1PwC"]),
        ("c1d", "printf 'bob:R29c1PwD' | chpasswd", &["R29c1PwD"]),
        (
            "c1e",
            "echo -e \"R29c1PwE\\nR29c1PwE\" | passwd bob",
            &["R29c1PwE"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review29_finding_c2_oracle_connect_strings() {
    let found = shown_in_commands(&[
        (
            "c2a",
            "expdp system/R29c2PwA schemas=app dumpfile=x.dmp",
            &["R29c2PwA"],
        ),
        ("c2b", "exp scott/R29c2PwB file=x.dmp", &["R29c2PwB"]),
        (
            "c2c",
            "sqlldr userid=scott/R29c2PwC control=x.ctl",
            &["R29c2PwC"],
        ),
        ("c2d", "sqlplus -s scott/R29c2PwD @run.sql", &["R29c2PwD"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review29_finding_c3_ops_tool_passwords() {
    let found = shown_in_commands(&[
        ("c3a", "net user admin R29c3PwA /add", &["R29c3PwA"]),
        (
            "c3b",
            "net use Z: \\\\srv\\share R29c3PwB /user:dom\\bob",
            &["R29c3PwB"],
        ),
        (
            "c3c",
            "ssh-keygen -t ed25519 -N R29c3PwC -f key",
            &["R29c3PwC"],
        ),
        ("c3d", "unrar x -pR29c3PwD a.rar", &["R29c3PwD"]),
        (
            "c3e",
            "nmcli dev wifi connect HomeNet password R29c3PwE",
            &["R29c3PwE"],
        ),
        ("c3f", "wpa_passphrase HomeNet R29c3PwF", &["R29c3PwF"]),
        (
            "c3g",
            "psexec \\\\host -u admin -p R29c3PwG cmd",
            &["R29c3PwG"],
        ),
        (
            "c3h",
            "xfreerdp /u:admin /p:R29c3PwH /v:host",
            &["R29c3PwH"],
        ),
        ("c3i", "rdesktop -u admin -p R29c3PwI host", &["R29c3PwI"]),
        (
            "c3j",
            "snmpwalk -v3 -l authPriv -u mon -a SHA -A R29c3PwJ -x AES -X R29c3PwK host",
            &["R29c3PwJ", "R29c3PwK"],
        ),
        (
            "c3l",
            "ipmitool -I lanplus -H bmc -U admin -P R29c3PwL power status",
            &["R29c3PwL"],
        ),
        (
            "c3m",
            "mosquitto_pub -h broker -u dev -P R29c3PwM -t t -m m",
            &["R29c3PwM"],
        ),
        ("c3n", "isql -U sa -P R29c3PwN -S srv", &["R29c3PwN"]),
        ("c3o", "tsql -S srv -U sa -P R29c3PwO", &["R29c3PwO"]),
        (
            "c3p",
            "bcp db.dbo.t out f -S srv -U sa -P R29c3PwP",
            &["R29c3PwP"],
        ),
        ("c3q", "sqsh -S srv -U sa -P R29c3PwQ", &["R29c3PwQ"]),
        (
            "c3r",
            "ftp -n host <<EOF\nuser bob R29c3PwR\nput f\nEOF",
            &["R29c3PwR"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review29_finding_c4_hashing_commands() {
    let found = shown_in_commands(&[
        ("c4a", "openssl passwd -6 R29c4PwA", &["R29c4PwA"]),
        ("c4b", "mkpasswd -m sha-512 R29c4PwB", &["R29c4PwB"]),
        (
            "c4c",
            "openssl passwd -apr1 -salt xyz R29c4PwC",
            &["R29c4PwC"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review29_held_known_commands() {
    let found = shown_in_commands(&[
        (
            "h1",
            "smbclient //srv/share -U alice%R29h1PwA",
            &["R29h1PwA"],
        ),
        (
            "h2",
            "keytool -importkeystore -storepass R29h1PwB -keystore x.jks",
            &["R29h1PwB"],
        ),
        (
            "h3",
            "gpg --batch --passphrase R29h1PwC -d f.gpg",
            &["R29h1PwC"],
        ),
        (
            "h4",
            "openssl pkcs12 -export -passout pass:R29h1PwD -out a.p12",
            &["R29h1PwD"],
        ),
        (
            "h5",
            "curl -u alice:R29h1PwE https://x.example",
            &["R29h1PwE"],
        ),
        (
            "h6",
            "impdp system/R29h1PwF@orcl directory=dmp",
            &["R29h1PwF"],
        ),
        (
            "h7",
            "aws configure set aws_secret_access_key R29h1PwG",
            &["R29h1PwG"],
        ),
        (
            "h8",
            "npm config set //registry.npmjs.org/:_authToken R29h1PwH",
            &["R29h1PwH"],
        ),
        (
            "h9",
            "argocd login a.example --username admin --password R29h1PwI",
            &["R29h1PwI"],
        ),
        (
            "h10",
            "$pw = ConvertTo-SecureString 'R29h1PwJ' -AsPlainText -Force",
            &["R29h1PwJ"],
        ),
        (
            "h11",
            "influx -username admin -password R29h1PwK",
            &["R29h1PwK"],
        ),
        (
            "h12",
            "mount -t cifs //s/x /mnt -o username=a,password=R29h1PwL",
            &["R29h1PwL"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

/// Each spelling planted as a ConfigMap's data in a world whose ARGOCD_PASSWORD is [`PW`],
/// read through both components' `get_argocd_resource`: the spellings that showed.
async fn own_shown(spellings: &[(&str, String)]) -> Vec<String> {
    let world = crate::planting::world_with_password(PW).await;
    let env = crate::planting::password_plugin_env(&world.standin, PW);
    let objects: Vec<serde_json::Value> = spellings
        .iter()
        .enumerate()
        .map(|(i, (_, s))| config_map(&format!("own{i}"), json!({"x": s})))
        .collect();
    crate::planting::plant_live(&world, &objects);
    let mut shown = Vec::new();
    for ((name, spelling), object) in spellings.iter().zip(&objects) {
        let (server, plugin) = crate::planting::read_live(&world, &env, object).await;
        let escaped = serde_json::Value::String(spelling.clone()).to_string();
        let escaped = &escaped[1..escaped.len() - 1];
        for (component, answer) in [("server", &server), ("plugin", &plugin)] {
            assert!(answer.contains("guestbook"), "{component} {name}: {answer}");
            if answer.contains(escaped) {
                shown.push(format!("{component} {name}"));
            }
        }
    }
    shown
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[tokio::test]
async fn review29_finding_o1_own_secret_utf16() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let command = format!("argocd login a.example --username admin --password {PW}");
    let spellings = [
        (
            "powershell -EncodedCommand of a command holding it",
            format!(
                "powershell -EncodedCommand {}",
                b64.encode(utf16le(&command))
            ),
        ),
        ("base64 of the UTF-16LE password", b64.encode(utf16le(PW))),
        (
            "hex dump of the UTF-16LE password",
            utf16le(PW)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" "),
        ),
    ];
    let shown = own_shown(&spellings).await;
    assert!(shown.is_empty(), "shown: {shown:?}");
}

#[tokio::test]
async fn review29_finding_o2_own_secret_octal_and_qp() {
    let spellings = [
        (
            "octal escapes (bash $'...', printf, bytea escape)",
            PW.bytes().map(|b| format!("\\{b:03o}")).collect::<String>(),
        ),
        (
            "od -b octal bytes",
            PW.bytes()
                .map(|b| format!("{b:03o}"))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        (
            "quoted-printable soft line break",
            format!("{}=\n{}", &PW[..9], &PW[9..]),
        ),
    ];
    let shown = own_shown(&spellings).await;
    assert!(shown.is_empty(), "shown: {shown:?}");
}

#[tokio::test]
async fn review29_held_own_secret_spellings() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let long = format!(
        "{}password={PW}&user=admin&{}",
        "x".repeat(40),
        "y".repeat(60)
    );
    let mime = b64
        .encode(long.as_bytes())
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    let spellings = [
        (
            "html hex entities",
            PW.bytes().map(|b| format!("&#x{b:x};")).collect(),
        ),
        (
            "\\u escapes of ASCII",
            PW.bytes().map(|b| format!("\\u{b:04x}")).collect(),
        ),
        (
            "every byte percent-encoded",
            PW.bytes().map(|b| format!("%{b:02X}")).collect(),
        ),
        (
            "upper-case hex",
            PW.bytes().map(|b| format!("{b:02X}")).collect(),
        ),
        ("MIME base64 wrapped at 76", mime),
        ("base64url", url.encode(format!("a?{PW}>>??"))),
        (
            "wrapped inside the word",
            format!("{}\n{}", &PW[..9], &PW[9..]),
        ),
    ];
    let shown = own_shown(&spellings).await;
    assert!(shown.is_empty(), "shown: {shown:?}");
}

/// A POST to the server component as built: `uri` (its authority is wasi:http's), then the
/// headers as raw bytes, in order (names may repeat).
async fn raw_post(
    world: &crate::World,
    uri: &str,
    headers: &[(&str, &[u8])],
    body: Vec<u8>,
) -> host_test::embed::CollectedResponse {
    let mut request = http::Request::post(uri);
    for (name, value) in headers {
        request = request.header(*name, http::HeaderValue::from_bytes(value).unwrap());
    }
    crate::harness()
        .request(&world.env, request.body(bytes::Bytes::from(body)).unwrap())
        .await
        .expect("component answers")
}

const LIST: &str = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;

#[tokio::test]
async fn review29_held_request_lengths_that_lie() {
    let world = crate::World::new().await;
    let big = |n: usize| {
        let mut body = LIST.as_bytes().to_vec();
        body.resize(n, b' ');
        body
    };
    let base: [(&str, &[u8]); 3] = [
        ("host", b"localhost:8787"),
        ("content-type", b"application/json"),
        ("accept", b"application/json, text/event-stream"),
    ];
    let uri = "http://localhost:8787/mcp";
    // A small declared length before a body over the limit: the body is what counts.
    let mut headers = base.to_vec();
    headers.push(("content-length", b"46"));
    let answer = raw_post(&world, uri, &headers, big((1 << 20) + 4096)).await;
    assert_eq!(answer.status, 413);
    // Two lengths, the first small.
    headers.push(("content-length", b"47"));
    let answer = raw_post(&world, uri, &headers, big((1 << 20) + 4096)).await;
    assert_eq!(answer.status, 413);
    // A length that is no number, a sign, one that overflows u64: the body still counts.
    for stated in [&b"abc"[..], b"+46", b"99999999999999999999999"] {
        let mut headers = base.to_vec();
        headers.push(("content-length", stated));
        let answer = raw_post(&world, uri, &headers, big((1 << 20) + 1)).await;
        assert_eq!(answer.status, 413, "{}", String::from_utf8_lossy(stated));
    }
    // Just under the limit still answers.
    let answer = raw_post(&world, uri, &base, big(1 << 20)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
}

#[tokio::test]
async fn review29_held_site_and_bearer_over_raw_headers() {
    let mut world = crate::World::new().await;
    world.set("mcp_auth_token", "R29-mcp-token-value");
    let json: [(&str, &[u8]); 2] = [
        ("content-type", b"application/json"),
        ("accept", b"application/json, text/event-stream"),
    ];
    let with = |extra: &[(&'static str, &'static [u8])]| {
        let mut headers = json.to_vec();
        headers.extend_from_slice(extra);
        headers
    };
    let body = || LIST.as_bytes().to_vec();
    let ok: &[u8] = b"Bearer R29-mcp-token-value";
    // The right bearer answers.
    let answer = raw_post(
        &world,
        "http://localhost:8787/mcp",
        &with(&[("host", b"localhost:8787"), ("authorization", ok)]),
        body(),
    )
    .await;
    assert_eq!(answer.status, 200);
    // A bearer with a byte that is no UTF-8 (lossy conversion must not make it match).
    for bad in [
        &b"Bearer R29-mcp-token-value\xff"[..],
        b"Bearer \xffR29-mcp-token-value",
        b"Bearer\tR29-mcp-token-value",
        b"R29-mcp-token-value",
    ] {
        let answer = raw_post(
            &world,
            "http://localhost:8787/mcp",
            &with(&[("host", b"localhost:8787"), ("authorization", bad)]),
            body(),
        )
        .await;
        assert_eq!(answer.status, 401, "{}", String::from_utf8_lossy(bad));
    }
    // The authority is judged: an absolute-form request target's (RFC 9112 3.2.2: a Host
    // header beside it is ignored, and wasmtime hands the guest no Host header at all), else
    // the Host header's.
    for (uri, host) in [
        ("http://evil.example:8787/mcp", &b"localhost:8787"[..]),
        ("/mcp", b"evil.example:8787"),
        ("/mcp", b"localhost:8787@evil.example"),
        ("/mcp", b"127.0.0.1.evil.example"),
        ("/mcp", b"localhost.evil.example"),
    ] {
        let answer = raw_post(
            &world,
            uri,
            &with(&[("host", host), ("authorization", ok)]),
            body(),
        )
        .await;
        assert_eq!(
            answer.status,
            403,
            "{uri} {}",
            String::from_utf8_lossy(host)
        );
    }
    // Two Authorization headers, or two Origins, are refused whatever their order.
    let answer = raw_post(
        &world,
        "http://localhost:8787/mcp",
        &with(&[
            ("host", b"localhost:8787"),
            ("authorization", ok),
            ("authorization", b"Bearer other"),
        ]),
        body(),
    )
    .await;
    assert_eq!(answer.status, 400);
    let answer = raw_post(
        &world,
        "http://localhost:8787/mcp",
        &with(&[
            ("host", b"localhost:8787"),
            ("authorization", ok),
            ("origin", b"http://localhost:8787"),
            ("origin", b"http://evil.example"),
        ]),
        body(),
    )
    .await;
    assert_eq!(answer.status, 400);
    // An Origin header with a non-UTF-8 byte after a loopback name.
    let answer = raw_post(
        &world,
        "http://localhost:8787/mcp",
        &with(&[
            ("host", b"localhost:8787"),
            ("authorization", ok),
            ("origin", b"http://localhost\xff.evil.example"),
        ]),
        body(),
    )
    .await;
    assert_eq!(answer.status, 403);
}

/// `payments` (allowed, auto-sync off) whose Git holds `hooks`.
async fn payments_with_git(hooks: Vec<serde_json::Value>) -> crate::World {
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    let world = crate::planting::without_auto_sync(world);
    world
        .standin
        .state()
        .review_git
        .insert("payments".into(), hooks);
    world
}

/// An Argo CD object written in Git as a PreDelete or PostDelete hook: Argo CD's controller
/// adds the app's pre-/post-delete finalizer whenever the rendered manifests hold one, and on
/// deletion creates each such hook (`executeHooks`: `CreateResource`, then deletes it once
/// healthy), cascade or not.
fn delete_hook(
    kind: &str,
    name: &str,
    hook: (&str, &str),
    spec: serde_json::Value,
) -> serde_json::Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": kind,
           "metadata": {"name": name, "namespace": "argocd",
                        "annotations": {hook.0: hook.1}},
           "spec": spec})
}

#[tokio::test]
async fn review29_finding_a1_delete_hooks_create_argo_objects_of_other_projects() {
    let other_project_app = json!({"project": "default",
        "source": {"repoURL": "https://git.example.com/x.git", "path": "prod"},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "kube-system"},
        "syncPolicy": {"automated": {"prune": true}}});
    let cases = [
        delete_hook(
            "Application",
            "r29-sneaky",
            ("argocd.argoproj.io/hook", "PostDelete"),
            other_project_app.clone(),
        ),
        delete_hook(
            "Application",
            "r29-sneaky",
            ("helm.sh/hook", "pre-delete"),
            other_project_app,
        ),
        delete_hook(
            "ApplicationSet",
            "r29-sneaky-set",
            ("argocd.argoproj.io/hook", "PreDelete"),
            json!({"generators": []}),
        ),
        delete_hook(
            "AppProject",
            "r29-sneaky-project",
            ("argocd.argoproj.io/hook", "PostDelete"),
            json!({"sourceRepos": ["*"]}),
        ),
    ];
    for cascade in [false, true] {
        for hook in &cases {
            let world = payments_with_git(vec![hook.clone()]).await;
            let answer = world
                .call(
                    "delete_argocd_app",
                    json!({"app_name": "payments", "cascade": cascade, "confirm": true}),
                )
                .await;
            let sent = crate::planting::sent_writes(&world);
            assert!(
                answer["isError"] == true && sent.is_empty(),
                "cascade {cascade}, {} {}: {answer}\nsent: {sent:?}",
                hook["kind"],
                hook["metadata"]["annotations"]
            );
            let mut env = crate::planting::plugin_env(&world.standin);
            env.env
                .push(("ARGOCD_ALLOWED_PROJECTS".into(), "payments".into()));
            let (plugin, mut store) = crate::harness().plugin(&env).await.unwrap();
            let answer = plugin
                .call_delete_argocd_app(&mut store, "payments", cascade, None, None, true, None)
                .await
                .expect("the plugin answers");
            assert!(answer.is_err(), "plugin, cascade {cascade}: {answer:?}");
            assert!(crate::planting::sent_writes(&world).is_empty());
        }
    }
}

/// Each text planted as a ConfigMap's `values.yaml` and read through both components'
/// `get_argocd_resource`: which of its secrets showed.
async fn shown_in_values(lines: &[(&'static str, &str, &'static [&'static str])]) -> Vec<String> {
    let shapes: Vec<LiveShape> = lines
        .iter()
        .map(|(n, text, s)| (*n, config_map(n, json!({"values.yaml": text})), *s))
        .collect();
    leaks_in_live(&shapes).await
}

#[tokio::test]
async fn review29_finding_n1_anchor_aliased_in_name_value_entry() {
    let found = shown_in_values(&[
        (
            "n1a",
            "common: &pw R29n1PwA\nenv:\n  - name: DB_PASSWORD\n    value: *pw\n",
            &["R29n1PwA"],
        ),
        (
            "n1b",
            "shared: &tok R29n1PwB\nextraEnv:\n  - name: API_TOKEN\n    value: *tok\n",
            &["R29n1PwB"],
        ),
        (
            "n1c",
            "common: &pw R29n1PwC\nenv:\n  - {name: DB_PASSWORD, value: *pw}\n",
            &["R29n1PwC"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review29_finding_n2_anchor_aliased_under_explicit_key() {
    let found = shown_in_values(&[(
        "n2a",
        "common: &pw R29n2PwA\n? password\n: *pw\n",
        &["R29n2PwA"],
    )])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review29_held_anchor_shapes() {
    let found = shown_in_values(&[
        (
            "h01",
            "common: {x: &pw R29hA01}\npassword: *pw\n",
            &["R29hA01"],
        ),
        (
            "h02",
            "list:\n  - &pw R29hA02\npassword: *pw\n",
            &["R29hA02"],
        ),
        (
            "h03",
            "common: !!str &pw R29hA03\npassword: *pw\n",
            &["R29hA03"],
        ),
        (
            "h04",
            "common: &pw R29hA04\npasswords: [*pw]\n",
            &["R29hA04"],
        ),
        (
            "h05",
            "base: &b {user: u, key: R29hA05}\ndb:\n  password: *b\n",
            &["R29hA05"],
        ),
        (
            "h06",
            "common: &pw\n  R29hA06\npassword: *pw\n",
            &["R29hA06"],
        ),
        (
            "h07",
            "common: &p/w R29hA07\npassword: *p/w\n",
            &["R29hA07"],
        ),
        (
            "h08",
            "common: &pw R29hA08\n\"password\": *pw\n",
            &["R29hA08"],
        ),
        (
            "h09",
            "common: &pw R29hA09\ndb: {user: u, password: *pw}\n",
            &["R29hA09"],
        ),
        (
            "h10",
            "common: &pw >-\n  R29hA10\npassword: *pw\n",
            &["R29hA10"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review29_finding_c5_known_commands_attached_spellings() {
    let found = shown_in_commands(&[
        ("c5a", "mysql -Bsp'R29c5PwA' db", &["R29c5PwA"]),
        ("c5b", "mysql -BspR29c5PwB db", &["R29c5PwB"]),
        ("c5c", "sqlcmd -S db -U sa -P\"R29c5PwC\"", &["R29c5PwC"]),
        ("c5d", "sqlcmd -S db -U sa -PR29c5PwD", &["R29c5PwD"]),
        (
            "c5e",
            "curl -ualice:R29c5PwE https://x.example",
            &["R29c5PwE"],
        ),
        (
            "c5f",
            "curl -u'alice:R29c5PwF' https://x.example",
            &["R29c5PwF"],
        ),
        (
            "c5g",
            "crane auth login r.example -u bob -p R29c5PwG",
            &["R29c5PwG"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}
