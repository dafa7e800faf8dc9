//! HEADER

use serde_json::json;

use crate::planting::{LiveShape, config_map, leaks_in_live};

fn cm(name: &'static str, text: &str) -> serde_json::Value {
    config_map(name, json!({"run.sh": text}))
}

#[tokio::test]
async fn review29_probe_commands() {
    let lines: Vec<(&'static str, String, &'static [&'static str])> = vec![
        ("c01", "net user admin Pw1Secret01 /add".into(), &["Pw1Secret01"]),
        ("c02", "smbclient //srv/share -U alice%Pw1Secret02".into(), &["Pw1Secret02"]),
        ("c03", "keytool -importkeystore -storepass Pw1Secret03 -keystore x.jks".into(), &["Pw1Secret03"]),
        ("c04", "gpg --batch --passphrase Pw1Secret04 -d file.gpg".into(), &["Pw1Secret04"]),
        ("c05", "ssh-keygen -t ed25519 -N Pw1Secret05 -f key".into(), &["Pw1Secret05"]),
        ("c06", "openssl pkcs12 -export -passout pass:Pw1Secret06 -out a.p12".into(), &["Pw1Secret06"]),
        ("c07", "curl -u alice:Pw1Secret07 https://x.example".into(), &["Pw1Secret07"]),
        ("c09", "echo \"alice:Pw1Secret09\" | chpasswd".into(), &["Pw1Secret09"]),
        ("c11", "java -Djavax.net.ssl.trustStorePassword=Pw1Secret11 -jar app.jar".into(), &["Pw1Secret11"]),
        ("c12", "mount -t cifs //srv/s /mnt -o username=alice,password=Pw1Secret12".into(), &["Pw1Secret12"]),
        ("c13", "sqlplus scott/Pw1Secret13@orcl @run.sql".into(), &["Pw1Secret13"]),
        ("c14", "expdp system/Pw1Secret14 directory=dmp dumpfile=x.dmp".into(), &["Pw1Secret14"]),
        ("c16", "isql -U sa -P Pw1Secret16 -S srv".into(), &["Pw1Secret16"]),
        ("c21", "aws configure set aws_secret_access_key Pw1Secret21".into(), &["Pw1Secret21"]),
        ("c23", "npm config set //registry.npmjs.org/:_authToken Pw1Secret23".into(), &["Pw1Secret23"]),
        ("c25", "kubectl config set-credentials bob --password Pw1Secret25".into(), &["Pw1Secret25"]),
        ("c27", "unrar x -pPw1Secret27 a.rar".into(), &["Pw1Secret27"]),
        ("c31", "argocd login argocd.example --username admin --password Pw1Secret31".into(), &["Pw1Secret31"]),
        ("c33", "nmcli dev wifi connect HomeNet password Pw1Secret33".into(), &["Pw1Secret33"]),
        ("c34", "wpa_passphrase HomeNet Pw1Secret34".into(), &["Pw1Secret34"]),
        ("c37", "psexec \\\\host -u admin -p Pw1Secret37 cmd".into(), &["Pw1Secret37"]),
        ("c38", "xfreerdp /u:admin /p:Pw1Secret38 /v:host".into(), &["Pw1Secret38"]),
        ("c39", "rdesktop -u admin -p Pw1Secret39 host".into(), &["Pw1Secret39"]),
        ("c42", "$pw = ConvertTo-SecureString 'Pw1Secret42' -AsPlainText -Force".into(), &["Pw1Secret42"]),
        ("c44", "snmpwalk -v3 -l authPriv -u user -a SHA -A Pw1Secret44 -x AES -X Pw1Secret4b host".into(), &["Pw1Secret44", "Pw1Secret4b"]),
        ("c45", "ipmitool -I lanplus -H bmc -U admin -P Pw1Secret45 power status".into(), &["Pw1Secret45"]),
        ("c46", "mosquitto_pub -h b -u user -P Pw1Secret46 -t x -m y".into(), &["Pw1Secret46"]),
        ("c47", "influx -username admin -password Pw1Secret47".into(), &["Pw1Secret47"]),
        ("c48", "htpasswd -nbB alice Pw1Secret48".into(), &["Pw1Secret48"]),
        ("c49", "sshpass -pPw1Secret49 ssh host".into(), &["Pw1Secret49"]),
        ("c50", "mysql --user=root --password Pw1Secret50 db".into(), &["Pw1Secret50"]),
        ("c51", "PGPASSWORD=Pw1Secret51 psql -h db".into(), &["Pw1Secret51"]),
        ("c52", "docker login -u bob -p Pw1Secret52 registry.example".into(), &["Pw1Secret52"]),
        ("c53", "echo Pw1Secret53 | docker login -u bob --password-stdin r.example".into(), &["Pw1Secret53"]),
        ("c54", "vault login Pw1Secret54".into(), &["Pw1Secret54"]),
        ("c55", "redis-cli -h r AUTH Pw1Secret55".into(), &["Pw1Secret55"]),
        ("c56", "git clone https://oauth2:Pw1Secret56@gitlab.example/a.git".into(), &["Pw1Secret56"]),
        ("c57", "mongo admin -u root -p Pw1Secret57".into(), &["Pw1Secret57"]),
        ("c58", "zip -P Pw1Secret58 a.zip f".into(), &["Pw1Secret58"]),
        ("c59", "openssl enc -aes-256-cbc -k Pw1Secret59 -in f".into(), &["Pw1Secret59"]),
        ("c60", "pg_dump --dbname=postgresql://app:Pw1Secret60@db/x".into(), &["Pw1Secret60"]),
    ];
    let shapes: Vec<LiveShape> = lines
        .iter()
        .map(|(n, text, s)| (*n, cm(n, text), *s))
        .collect();
    let found = leaks_in_live(&shapes).await;
    println!("REVIEW29 COMMANDS: {found:#?}");
}

#[tokio::test]
async fn review29_probe_overhiding() {
    let lines: Vec<(&'static str, String)> = vec![
        ("o01", "mysql -h db -P 3306 -u app -e 'SELECT 1' keepme01".into()),
        ("o02", "ssh -p 2222 deploy@host uptime keepme02".into()),
        ("o03", "docker run -p 8080:80 nginx keepme03".into()),
        ("o04", "psql -h db -p 5432 -U app keepme04".into()),
        ("o05", "rsync -avP src/ dst/ keepme05".into()),
        ("o06", "zip -r archive.zip dir keepme06".into()),
        ("o07", "Set the password in the Secret named db-creds keepme07".into()),
        ("o08", "scp -P 2222 file host:/tmp keepme08".into()),
        ("o09", "curl -k https://x.example/health keepme09".into()),
        ("o10", "echo deploying version 1.2.3 keepme10".into()),
        ("o11", "mongo --port 27017 --host db keepme11".into()),
        ("o12", "openssl s_client -connect host:443 -servername host keepme12".into()),
        ("o13", "user: alice\nrole: admin\nkeepme13: yes".into()),
        ("o14", "mc ls local/bucket keepme14".into()),
        ("o15", "token_ttl: 3600 keepme15".into()),
        ("o16", "passwordPolicy: strong keepme16".into()),
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
        &objects.iter().map(|(_, o, _)| o.clone()).collect::<Vec<_>>(),
    );
    let env = crate::planting::plugin_env(&world.standin);
    for ((name, object, _), (_, text)) in objects.iter().zip(&lines) {
        let (server, _plugin) = crate::planting::read_live(&world, &env, object).await;
        let v: serde_json::Value = serde_json::from_str(&server).unwrap();
        let shown = v["structuredContent"].to_string();
        let want = serde_json::Value::String(text.clone()).to_string();
        let want = &want[1..want.len() - 1];
        if !shown.contains(want) {
            println!("REVIEW29 OVERHIDE {name}: {text:?} -> {shown}");
        }
    }
}

const PW: &str = "Zq9R29hunterPw";

#[tokio::test]
async fn review29_probe_own() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let utf16: Vec<u8> = PW.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let hex16 = utf16.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ");
    let octal: String = PW.bytes().map(|b| format!("\\{b:03o}")).collect();
    let htmlhex: String = PW.bytes().map(|b| format!("&#x{b:x};")).collect();
    let ujson: String = PW.bytes().map(|b| format!("\\u{b:04x}")).collect();
    let pct: String = PW.bytes().map(|b| format!("%{b:02X}")).collect();
    let hexup: String = PW.bytes().map(|b| format!("{b:02X}")).collect();
    let long = format!("{}password={PW}&user=admin&{}", "x".repeat(40), "y".repeat(60));
    let mime = b64.encode(long.as_bytes());
    let mime_wrapped: String = mime
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    let mut spellings: Vec<(&str, String)> = vec![
        ("utf16hex", hex16),
        ("utf16b64", format!("powershell -EncodedCommand {}", b64.encode(&utf16))),
        ("octal", octal),
        ("htmlhex", htmlhex),
        ("ujson", ujson),
        ("pct", pct),
        ("hexup", hexup),
        ("mime", mime_wrapped),
        ("qp", format!("Zq9R29hun=\nterPw")),
        ("wrap", format!("Zq9R29hun\nterPw")),
        ("spaced", PW.chars().map(|c| c.to_string()).collect::<Vec<_>>().join(" ")),
        ("rev", PW.chars().rev().collect()),
        ("upper", PW.to_uppercase()),
        ("lower", PW.to_lowercase()),
        ("b32", "".into()),
    ];
    for off in 0..3 {
        let text = format!("{}{PW}>>??", "a?".repeat(off));
        spellings.push(("b64url", b64url.encode(text.as_bytes())));
    }
    let world = crate::planting::world_with_password(PW).await;
    let env = crate::planting::password_plugin_env(&world.standin, PW);
    let objects: Vec<serde_json::Value> = spellings
        .iter()
        .enumerate()
        .map(|(i, (_, s))| config_map(Box::leak(format!("own{i}").into_boxed_str()), json!({"x": s})))
        .collect();
    crate::planting::plant_live(&world, &objects);
    for ((name, s), object) in spellings.iter().zip(&objects) {
        if s.is_empty() { continue; }
        let (server, plugin) = crate::planting::read_live(&world, &env, object).await;
        let sj = serde_json::Value::String(s.clone()).to_string();
        let sj = &sj[1..sj.len() - 1];
        for (c, a) in [("server", &server), ("plugin", &plugin)] {
            if a.contains(sj) {
                println!("REVIEW29 OWN SHOWN {c} {name}: {s}");
            }
        }
    }
}

#[tokio::test]
async fn review29_probe_commands2() {
    let lines: Vec<(&'static str, String, &'static [&'static str])> = vec![
        ("d01", "impdp system/Pw2Secret01@orcl directory=dmp".into(), &["Pw2Secret01"]),
        ("d02", "rman target sys/Pw2Secret02@orcl".into(), &["Pw2Secret02"]),
        ("d03", "sqlldr userid=scott/Pw2Secret03 control=x.ctl".into(), &["Pw2Secret03"]),
        ("d04", "chpasswd <<< 'root:Pw2Secret04'".into(), &["Pw2Secret04"]),
        ("d05", "echo root:Pw2Secret05 | chpasswd".into(), &["Pw2Secret05"]),
        ("d06", "openssl passwd -6 Pw2Secret06".into(), &["Pw2Secret06"]),
        ("d07", "mkpasswd -m sha-512 Pw2Secret07".into(), &["Pw2Secret07"]),
        ("d08", "tsql -S srv -U sa -P Pw2Secret08".into(), &["Pw2Secret08"]),
        ("d09", "bcp db.dbo.t out f -S srv -U sa -P Pw2Secret09".into(), &["Pw2Secret09"]),
        ("d10", "ftp -n host <<EOF\nuser bob Pw2Secret10\nput f\nEOF".into(), &["Pw2Secret10"]),
        ("d11", "sqsh -S srv -U sa -P Pw2Secret11".into(), &["Pw2Secret11"]),
        ("d12", "expdp system/Pw2Secret12 schemas=app".into(), &["Pw2Secret12"]),
        ("d13", "exp scott/Pw2Secret13 file=x.dmp".into(), &["Pw2Secret13"]),
        ("d14", "net use Z: \\\\srv\\share Pw2Secret14 /user:dom\\bob".into(), &["Pw2Secret14"]),
        ("d15", "echo -e \"Pw2Secret15\\nPw2Secret15\" | passwd bob".into(), &["Pw2Secret15"]),
        ("d16", "printf 'bob:Pw2Secret16' | chpasswd".into(), &["Pw2Secret16"]),
    ];
    let shapes: Vec<LiveShape> = lines
        .iter()
        .map(|(n, text, s)| (*n, cm(n, text), *s))
        .collect();
    let found = leaks_in_live(&shapes).await;
    println!("REVIEW29 COMMANDS2: {found:#?}");
}

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
#[ignore = "issue 19: chpasswd/passwd input (user:PASSWORD piped or here-string) shows the password"]
async fn review29_finding_c1_chpasswd_input() {
    let found = shown_in_commands(&[
        ("c1a", "echo \"alice:R29c1PwA\" | chpasswd", &["R29c1PwA"]),
        ("c1b", "echo root:R29c1PwB | chpasswd", &["R29c1PwB"]),
        ("c1c", "chpasswd <<< 'root:R29c1PwC'", &["R29c1PwC"]),
        ("c1d", "printf 'bob:R29c1PwD' | chpasswd", &["R29c1PwD"]),
        ("c1e", "echo -e \"R29c1PwE\\nR29c1PwE\" | passwd bob", &["R29c1PwE"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
#[ignore = "issue 19: Oracle user/password connect strings without @service show the password"]
async fn review29_finding_c2_oracle_connect_strings() {
    let found = shown_in_commands(&[
        ("c2a", "expdp system/R29c2PwA schemas=app dumpfile=x.dmp", &["R29c2PwA"]),
        ("c2b", "exp scott/R29c2PwB file=x.dmp", &["R29c2PwB"]),
        ("c2c", "sqlldr userid=scott/R29c2PwC control=x.ctl", &["R29c2PwC"]),
        ("c2d", "sqlplus -s scott/R29c2PwD @run.sql", &["R29c2PwD"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
#[ignore = "issue 19: password arguments of common ops tools (net user, ipmitool -P, snmp -A/-X, xfreerdp /p:, ...) show"]
async fn review29_finding_c3_ops_tool_passwords() {
    let found = shown_in_commands(&[
        ("c3a", "net user admin R29c3PwA /add", &["R29c3PwA"]),
        ("c3b", "net use Z: \\\\srv\\share R29c3PwB /user:dom\\bob", &["R29c3PwB"]),
        ("c3c", "ssh-keygen -t ed25519 -N R29c3PwC -f key", &["R29c3PwC"]),
        ("c3d", "unrar x -pR29c3PwD a.rar", &["R29c3PwD"]),
        ("c3e", "nmcli dev wifi connect HomeNet password R29c3PwE", &["R29c3PwE"]),
        ("c3f", "wpa_passphrase HomeNet R29c3PwF", &["R29c3PwF"]),
        ("c3g", "psexec \\\\host -u admin -p R29c3PwG cmd", &["R29c3PwG"]),
        ("c3h", "xfreerdp /u:admin /p:R29c3PwH /v:host", &["R29c3PwH"]),
        ("c3i", "rdesktop -u admin -p R29c3PwI host", &["R29c3PwI"]),
        ("c3j", "snmpwalk -v3 -l authPriv -u mon -a SHA -A R29c3PwJ -x AES -X R29c3PwK host", &["R29c3PwJ", "R29c3PwK"]),
        ("c3l", "ipmitool -I lanplus -H bmc -U admin -P R29c3PwL power status", &["R29c3PwL"]),
        ("c3m", "mosquitto_pub -h broker -u dev -P R29c3PwM -t t -m m", &["R29c3PwM"]),
        ("c3n", "isql -U sa -P R29c3PwN -S srv", &["R29c3PwN"]),
        ("c3o", "tsql -S srv -U sa -P R29c3PwO", &["R29c3PwO"]),
        ("c3p", "bcp db.dbo.t out f -S srv -U sa -P R29c3PwP", &["R29c3PwP"]),
        ("c3q", "sqsh -S srv -U sa -P R29c3PwQ", &["R29c3PwQ"]),
        ("c3r", "ftp -n host <<EOF\nuser bob R29c3PwR\nput f\nEOF", &["R29c3PwR"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
#[ignore = "issue 19: password hashing commands (openssl passwd, mkpasswd) show the cleartext they hash"]
async fn review29_finding_c4_hashing_commands() {
    let found = shown_in_commands(&[
        ("c4a", "openssl passwd -6 R29c4PwA", &["R29c4PwA"]),
        ("c4b", "mkpasswd -m sha-512 R29c4PwB", &["R29c4PwB"]),
        ("c4c", "openssl passwd -apr1 -salt xyz R29c4PwC", &["R29c4PwC"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review29_held_known_commands() {
    let found = shown_in_commands(&[
        ("h1", "smbclient //srv/share -U alice%R29h1PwA", &["R29h1PwA"]),
        ("h2", "keytool -importkeystore -storepass R29h1PwB -keystore x.jks", &["R29h1PwB"]),
        ("h3", "gpg --batch --passphrase R29h1PwC -d f.gpg", &["R29h1PwC"]),
        ("h4", "openssl pkcs12 -export -passout pass:R29h1PwD -out a.p12", &["R29h1PwD"]),
        ("h5", "curl -u alice:R29h1PwE https://x.example", &["R29h1PwE"]),
        ("h6", "impdp system/R29h1PwF@orcl directory=dmp", &["R29h1PwF"]),
        ("h7", "aws configure set aws_secret_access_key R29h1PwG", &["R29h1PwG"]),
        ("h8", "npm config set //registry.npmjs.org/:_authToken R29h1PwH", &["R29h1PwH"]),
        ("h9", "argocd login a.example --username admin --password R29h1PwI", &["R29h1PwI"]),
        ("h10", "$pw = ConvertTo-SecureString 'R29h1PwJ' -AsPlainText -Force", &["R29h1PwJ"]),
        ("h11", "influx -username admin -password R29h1PwK", &["R29h1PwK"]),
        ("h12", "mount -t cifs //s/x /mnt -o username=a,password=R29h1PwL", &["R29h1PwL"]),
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
#[ignore = "issue 19: the settings' own password as UTF-16LE (PowerShell -EncodedCommand base64, hex) shows"]
async fn review29_finding_o1_own_secret_utf16() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let command = format!("argocd login a.example --username admin --password {PW}");
    let spellings = [
        (
            "powershell -EncodedCommand of a command holding it",
            format!("powershell -EncodedCommand {}", b64.encode(utf16le(&command))),
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
#[ignore = "issue 19: the settings' own password as octal escapes or quoted-printable soft breaks shows"]
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
    let long = format!("{}password={PW}&user=admin&{}", "x".repeat(40), "y".repeat(60));
    let mime = b64
        .encode(long.as_bytes())
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    let spellings = [
        ("html hex entities", PW.bytes().map(|b| format!("&#x{b:x};")).collect()),
        ("\\u escapes of ASCII", PW.bytes().map(|b| format!("\\u{b:04x}")).collect()),
        ("every byte percent-encoded", PW.bytes().map(|b| format!("%{b:02X}")).collect()),
        ("upper-case hex", PW.bytes().map(|b| format!("{b:02X}")).collect()),
        ("MIME base64 wrapped at 76", mime),
        ("base64url", url.encode(format!("a?{PW}>>??"))),
        ("wrapped inside the word", format!("{}\n{}", &PW[..9], &PW[9..])),
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
fn delete_hook(kind: &str, name: &str, hook: (&str, &str), spec: serde_json::Value) -> serde_json::Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": kind,
           "metadata": {"name": name, "namespace": "argocd",
                        "annotations": {hook.0: hook.1}},
           "spec": spec})
}

#[tokio::test]
#[ignore = "issue 19: deleting an allowed app makes Argo CD create its Git's Pre/PostDelete hooks: Applications of other projects, ApplicationSets, AppProjects"]
async fn review29_finding_a1_delete_hooks_create_argo_objects_of_other_projects() {
    let other_project_app = json!({"project": "default",
        "source": {"repoURL": "https://git.example.com/x.git", "path": "prod"},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "kube-system"},
        "syncPolicy": {"automated": {"prune": true}}});
    let cases = [
        delete_hook("Application", "r29-sneaky", ("argocd.argoproj.io/hook", "PostDelete"), other_project_app.clone()),
        delete_hook("Application", "r29-sneaky", ("helm.sh/hook", "pre-delete"), other_project_app),
        delete_hook("ApplicationSet", "r29-sneaky-set", ("argocd.argoproj.io/hook", "PreDelete"), json!({"generators": []})),
        delete_hook("AppProject", "r29-sneaky-project", ("argocd.argoproj.io/hook", "PostDelete"), json!({"sourceRepos": ["*"]})),
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

#[tokio::test]
async fn review29_probe_anchors() {
    let lines: Vec<(&'static str, &str, &'static [&'static str])> = vec![
        ("a01", "common: &pw R29anc01\npassword: *pw\n", &["R29anc01"]),
        ("a02", "common: {x: &pw R29anc02}\npassword: *pw\n", &["R29anc02"]),
        ("a03", "list:\n  - &pw R29anc03\npassword: *pw\n", &["R29anc03"]),
        ("a04", "common: !!str &pw R29anc04\npassword: *pw\n", &["R29anc04"]),
        ("a05", "common: &pw !!str R29anc05\npassword: *pw\n", &["R29anc05"]),
        ("a06", "common: &pw R29anc06\npasswords: [*pw]\n", &["R29anc06"]),
        ("a07", "base: &b {user: u, key: R29anc07}\ndb:\n  password: *b\n", &["R29anc07"]),
        ("a08", "common: &pw \"R29anc08\"\npassword: *pw\n", &["R29anc08"]),
        ("a09", "common: &pw R29anc09\nenv:\n  - name: DB_PASSWORD\n    value: *pw\n", &["R29anc09"]),
        ("a11", "common: &pw\n  R29anc11\npassword: *pw\n", &["R29anc11"]),
        ("a13", "common: &p/w R29anc13\npassword: *p/w\n", &["R29anc13"]),
        ("a15", "common: &pw R29anc15\npassword: *pw # db\n", &["R29anc15"]),
        ("a16", "common: &pw R29anc16\n\"password\": *pw\n", &["R29anc16"]),
        ("a17", "common: &pw R29anc17\ndb: {user: u, password: *pw}\n", &["R29anc17"]),
        ("a18", "common: &pw R29anc18\npassword:\n  *pw\n", &["R29anc18"]),
        ("a19", "common: &pw R29anc19\npassword: !!str *pw\n", &["R29anc19"]),
        ("a20", "common: &pw R29anc20\n? password\n: *pw\n", &["R29anc20"]),
        ("a21", "c: &pw 'R29anc21'\nauth: {password: *pw}\n", &["R29anc21"]),
        ("a22", "common: &pw R29anc22\ncreds:\n  - *pw\n", &["R29anc22"]),
        ("a23", "common: &pw R29anc23\napiKey: *pw\n", &["R29anc23"]),
        ("a24", "common: &pw >-\n  R29anc24\npassword: *pw\n", &["R29anc24"]),
    ];
    let shapes: Vec<LiveShape> = lines
        .iter()
        .map(|(n, text, s)| (*n, config_map(n, json!({"values.yaml": text})), *s))
        .collect();
    let found = leaks_in_live(&shapes).await;
    println!("REVIEW29 ANCHORS: {found:#?}");
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
#[ignore = "issue 19: a YAML anchor aliased as the value of a name/value entry named like a credential shows"]
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
#[ignore = "issue 19: a YAML anchor aliased under an explicit key (? password / : *alias) shows"]
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
        ("h01", "common: {x: &pw R29hA01}\npassword: *pw\n", &["R29hA01"]),
        ("h02", "list:\n  - &pw R29hA02\npassword: *pw\n", &["R29hA02"]),
        ("h03", "common: !!str &pw R29hA03\npassword: *pw\n", &["R29hA03"]),
        ("h04", "common: &pw R29hA04\npasswords: [*pw]\n", &["R29hA04"]),
        ("h05", "base: &b {user: u, key: R29hA05}\ndb:\n  password: *b\n", &["R29hA05"]),
        ("h06", "common: &pw\n  R29hA06\npassword: *pw\n", &["R29hA06"]),
        ("h07", "common: &p/w R29hA07\npassword: *p/w\n", &["R29hA07"]),
        ("h08", "common: &pw R29hA08\n\"password\": *pw\n", &["R29hA08"]),
        ("h09", "common: &pw R29hA09\ndb: {user: u, password: *pw}\n", &["R29hA09"]),
        ("h10", "common: &pw >-\n  R29hA10\npassword: *pw\n", &["R29hA10"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review29_probe_known_variants() {
    let lines: Vec<(&'static str, &str, &'static [&'static str])> = vec![
        ("k01", "mysql -u root -p\"R29k01pw\" db", &["R29k01pw"]),
        ("k02", "mysql -Bsp'R29k02pw' db", &["R29k02pw"]),
        ("k03", "mysql -uroot -pR29k03pw db", &["R29k03pw"]),
        ("k04", "sshpass -p 'R29k04pw' ssh host", &["R29k04pw"]),
        ("k05", "redis-cli --pass R29k05pw ping", &["R29k05pw"]),
        ("k06", "redis-cli --user u --pass R29k06pw", &["R29k06pw"]),
        ("k07", "zip -eP R29k07pw a.zip f", &["R29k07pw"]),
        ("k08", "htpasswd -b -c .htpasswd alice R29k08pw", &["R29k08pw"]),
        ("k09", "htpasswd -cb .htpasswd alice R29k09pw", &["R29k09pw"]),
        ("k10", "sqlcmd -S db -U sa -P\"R29k10pw\"", &["R29k10pw"]),
        ("k11", "ldapsearch -xw R29k11pw -D cn=admin", &["R29k11pw"]),
        ("k12", "curl -ualice:R29k12pw https://x.example", &["R29k12pw"]),
        ("k13", "curl --user alice:R29k13pw https://x.example", &["R29k13pw"]),
        ("k14", "wget --password R29k14pw https://x.example/f", &["R29k14pw"]),
        ("k15", "mongosh --username u --password R29k15pw", &["R29k15pw"]),
        ("k16", "cqlsh -u cassandra -p R29k16pw host", &["R29k16pw"]),
        ("k17", "rabbitmqadmin -u guest -p R29k17pw list queues", &["R29k17pw"]),
        ("k18", "helm repo add x https://c.example --username u --password R29k18pw", &["R29k18pw"]),
        ("k19", "docker login --username bob --password=R29k19pw r.example", &["R29k19pw"]),
        ("k20", "cf login -a api.example -u bob -p R29k20pw", &["R29k20pw"]),
        ("k21", "mysql --user root --password=\"R29k21pw\" db", &["R29k21pw"]),
        ("k22", "mysql -h db -u root --password R29k22pw", &["R29k22pw"]),
        ("k23", "redis-cli -h r -p 6379 -a R29k23pw", &["R29k23pw"]),
        ("k24", "sshpass -p\"R29k24pw\" scp f host:", &["R29k24pw"]),
        ("k25", "7z x -p\"R29k25pw\" a.7z", &["R29k25pw"]),
        ("k26", "podman login -u bob -p R29k26pw quay.io", &["R29k26pw"]),
        ("k27", "mysqldump -u root -p'R29k27pw' --all-databases", &["R29k27pw"]),
        ("k28", "MYSQL_PWD=R29k28pw mysql -u root", &["R29k28pw"]),
        ("k29", "az login --service-principal -u id -p R29k29pw --tenant t", &["R29k29pw"]),
        ("k30", "skopeo copy --src-creds bob:R29k30pw docker://a docker://b", &["R29k30pw"]),
        ("k31", "skopeo login -u bob -p R29k31pw quay.io", &["R29k31pw"]),
        ("k32", "crane auth login r.example -u bob -p R29k32pw", &["R29k32pw"]),
        ("k33", "oras login -u bob -p R29k33pw r.example", &["R29k33pw"]),
        ("k34", "buildah push --creds bob:R29k34pw img docker://r/x", &["R29k34pw"]),
        ("k35", "kubectl create secret docker-registry r --docker-password=R29k35pw", &["R29k35pw"]),
        ("k36", "argocd repo add https://g.example/x.git --username u --password R29k36pw", &["R29k36pw"]),
        ("k37", "flux create secret git s --username u --password R29k37pw", &["R29k37pw"]),
        ("k38", "git -c http.extraHeader='Authorization: Basic R29k38pwXyZ=' clone x", &["R29k38pwXyZ"]),
    ];
    let found = shown_in_commands(&lines).await;
    println!("REVIEW29 KNOWN: {found:#?}");
}

#[tokio::test]
#[ignore = "issue 19: known commands' passwords attached to a flag cluster or quoted flag show (mysql -Bsp'..', sqlcmd -P\"..\", curl -uuser:pw, crane -p)"]
async fn review29_finding_c5_known_commands_attached_spellings() {
    let found = shown_in_commands(&[
        ("c5a", "mysql -Bsp'R29c5PwA' db", &["R29c5PwA"]),
        ("c5b", "mysql -BspR29c5PwB db", &["R29c5PwB"]),
        ("c5c", "sqlcmd -S db -U sa -P\"R29c5PwC\"", &["R29c5PwC"]),
        ("c5d", "sqlcmd -S db -U sa -PR29c5PwD", &["R29c5PwD"]),
        ("c5e", "curl -ualice:R29c5PwE https://x.example", &["R29c5PwE"]),
        ("c5f", "curl -u'alice:R29c5PwF' https://x.example", &["R29c5PwF"]),
        ("c5g", "crane auth login r.example -u bob -p R29c5PwG", &["R29c5PwG"]),
    ])
    .await;
    crate::planting::assert_none(found);
}
