//! Thirty-first hostile review (issue 19): credentials in answers, attacked with configuration
//! file formats that ConfigMaps (and so `get_argocd_resource`, manifests, diffs and logs that
//! print them) commonly hold, through both built components (the server through wasmtime as
//! shipped, and the plugin's typed `get_argocd_resource` export). Time box 50 minutes.
//!
//! Findings (each `review31_finding_*` asserts the secure behaviour; all five are fixed and
//! pass: S1, S4's TSIG and gossip keys, S5 and S3 by `src/tools/scrub/directives.rs` (directives
//! at a line's start, HCL blocks under a credential's name), S2 by `masking.rs`'s
//! `mask_json_web_key` for objects and `src/tools/scrub/json_web_keys.rs` for JSON and YAML text
//! naming a `kty`, S4's token and RFC 4716 blocks by `tokens.rs`; `authtok` and `psk` are
//! credential words; `encrypt = true` is kept, a boolean being no key; a password written
//! unquoted with spaces after a directive stays shown, listed in the README):
//!
//! - S1 (medium, credentials in text, both; `src/tools/scrub/assignments.rs`
//!   `keyword_argument`, which reads `password` followed by a space only when the value is
//!   quoted or a `.netrc` `login ` is before it; `src/tools/scrub/names.rs`) password
//!   directives written `NAME VALUE`, the syntax of some of the commonest configs in
//!   ConfigMaps: Fluentd's `password PW` inside `<match>` (its standard form, unquoted), a bare
//!   `password PW` line, nslcd/pam_ldap `bindpw PW`, OpenLDAP `rootpw PW`, Apache
//!   `AuthLDAPBindPassword PW`, ProFTPD `SQLConnectInfo db@host user PW`, HAProxy `stats auth
//!   admin:PW`, and SSSD `ldap_default_authtok = PW` (`authtok` is no credential word): all
//!   shown. (`remote_password PW`, `HTTP_Passwd PW` and a quoted `password "PW"` are hidden.)
//!   Repro: a ConfigMap `fluent.conf: "<match **>\n  @type elasticsearch\n  user elastic\n
//!   password PW\n</match>"` managed by guestbook; `get_argocd_resource` (server and plugin)
//!   answers it with `password PW`. Fix: at a line's start (after indentation), a directive
//!   whose name names a credential (`password`, `passwd`, `bindpw`, `rootpw`, `*Password`,
//!   `authtok`) followed by one value word hides that word; `stats auth USER:PW` hides after
//!   the colon; ProFTPD's `SQLConnectInfo` third argument.
//! - S2 (medium, credentials in objects and JSON text, both; `src/tools/masking.rs` key
//!   judging) a JSON Web Key's private members: an EC/RSA/OKP key's `d` (and RSA's `p`, `q`,
//!   `dp`, `dq`, `qi`) and a symmetric `kty: oct` key's `k` are shown whole (a JWKS with the
//!   signing key, as OIDC providers, Dex and token issuers mount it: `jwks.json` in a
//!   ConfigMap). The names are one letter, so no name rule can see them. Fix: in any object
//!   (and JSON text read as one) that has a `kty` member, mask `d`, `p`, `q`, `dp`, `dq`, `qi`,
//!   `oth` and `k`.
//! - S3 (medium, credentials in text, both; the block reading of `src/tools/scrub/members.rs`
//!   / `headless.rs`, which follows YAML's indentation but not HCL's braces) HCL blocks and
//!   maps under a credential's name (Terraform tfvars, Consul, Nomad, Vault agent configs):
//!   `secrets = {` / `  db = "PW"` / `}` hides only the `{` (`secrets = ***`) and shows `PW`;
//!   `credentials {` / `  api = "KEY"`, Consul's `acl { tokens { agent = "TOKEN" } }` (also with
//!   a comment after it, or single quotes) and `passwords { admin "PW" }` show the value. The
//!   YAML twin (`tokens:` / `  agent: "TOKEN"`) is hidden. Fix: a `{` ending a line whose key
//!   names a credential opens a block whose lines, to the matching `}`, are hidden as the
//!   lines below a YAML credential key are.
//! - S4 (low-medium, credentials in text, both; `src/tools/scrub/tokens.rs`, `assignments.rs`)
//!   secrets whose shape says what they are, missed: cloudflared's origin certificate
//!   `-----BEGIN ARGO TUNNEL TOKEN-----` block (the tunnel's API token; only labels ending in
//!   `PRIVATE KEY` and OpenVPN's are read), RFC 4716 / SSH.com armour `---- BEGIN SSH2
//!   ENCRYPTED PRIVATE KEY ----` (four dashes and spaces), a BIND/TSIG `key "x" { secret
//!   "…"; }` (the key external-dns' RFC2136 provider and DHCP servers share), Consul's gossip
//!   `encrypt = "…"`. Fix: any `-----BEGIN … TOKEN-----` label and the RFC 4716 armour; `secret
//!   "…";` inside a `key` clause; `encrypt` as a credential name in HCL/JSON.
//! - S5 (low, credentials in text, both) shared secrets in formats with no credential name
//!   beside them: snmpd `rocommunity COMMUNITY …` and `com2sec NAME SOURCE COMMUNITY`, Cisco
//!   IOS `username U … password 0 PW`, `enable password PW`, `snmp-server community C RO`,
//!   `tacacs-server key K`, wpa_supplicant `psk="…"`, PgBouncer's `userlist.txt` (`"user"
//!   "PW"`), Squid's `cache_peer … login=user:PW`. Fix: the directives by name (`rocommunity`,
//!   `rwcommunity`, `com2sec`'s third argument, `community`, `key` after `tacacs-server`/
//!   `radius-server`, `password [0-7]`, `psk=`, `login=U:P`), or list them under *What cannot
//!   be hidden* in the README.
//!
//! Held (passing `review31_held_*`): Fluent Bit `HTTP_Passwd`, `Cloud_Auth elastic:PW`,
//! keepalived `auth_pass`, mosquitto `remote_password`, Postfix `sasl_passwd`, Alertmanager
//! PagerDuty `routing_key`/`service_key`, Redis ACL `>PW`, Fluentd `shared_key` and a quoted
//! `password "PW"`, OpenVPN inline `<auth-user-pass>`, RabbitMQ `default_pass`, rclone `pass =`,
//! npm `_auth=`, strongSwan `: PSK "…"`, Telegraf `token = "…"`, Dovecot `args =
//! password=…`, PPP `chap-secrets`, a kubeconfig's `client-key-data`, Docker `config.json`
//! `auth` and `identitytoken`, Argo CD's cluster `keyData`, Spring `client-secret`, Gitea
//! `app.ini` (`PASSWD`, `INTERNAL_TOKEN`, `SECRET_KEY`), Django `settings.py`, WireGuard
//! `PrivateKey`/`PresharedKey`, Nomad `vault { token = … }`.
//!
//! Read, not probed (nothing found by reading): read-only's revision checks
//! (`read_only.rs`: `source_index` sent 0-based as Argo CD's `sourceIndex` reads it,
//! `source_positions` 1-based and checked at position - 1, abbreviations resolved only to one
//! known full commit), the preview generator check (capitalised generator kinds fall to the
//! refusing side), `needs_approval_of`'s dry-run skip (only a JSON `true` skips, and the tool
//! sends the same flag as `dryRun`), the Host/Origin/bearer checks in `src/mcp/http.rs`, the
//! allow-list's `argo_object`/`is_namespace` spellings (Argo CD finds the node by exact group
//! and kind, so another case finds nothing).
//!
//! Not reached (time box): an Application of another project that has an ownerReference to
//! an ordinary object an allowed app manages (deleting or pruning that object makes Kubernetes'
//! garbage collector delete the Application; the guard judges only `status.resources` Argo CD
//! kinds, and the stand-in has no garbage collector to show it); approvals and user mode beyond
//! reading; the findings' shapes in events and diffs (the same scrubbing runs there). In logs
//! they are shown too: `review31_finding_s1_s2_s3_in_logs` (`password PW`, `bindpw PW`, an
//! `oct` JWK as a log line, a tfvars map over three lines; both components).

use serde_json::json;

use crate::planting::{leaks_in_live, shown_in_config_maps as shown};

#[tokio::test]
async fn review31_finding_s1_password_directives() {
    let found = shown(&[
        ("s1a", "fluent.conf", "<match **>\n  @type elasticsearch\n  host es\n  user elastic\n  password R31s1aPw\n</match>", &["R31s1aPw"]),
        ("s1b", "app.conf", "password R31s1bPw\n", &["R31s1bPw"]),
        ("s1c", "nslcd.conf", "uri ldap://ldap\nbinddn cn=admin,dc=x\nbindpw R31s1cPw\n", &["R31s1cPw"]),
        ("s1d", "slapd.conf", "rootdn cn=admin\nrootpw R31s1dPw\n", &["R31s1dPw"]),
        ("s1e", "httpd.conf", "AuthLDAPBindDN cn=x\nAuthLDAPBindPassword R31s1ePw\n", &["R31s1ePw"]),
        ("s1f", "proftpd.conf", "SQLConnectInfo proftpd@db proftpd R31s1fPw\n", &["R31s1fPw"]),
        ("s1g", "haproxy.cfg", "listen stats\n    bind :8404\n    stats enable\n    stats auth admin:R31s1gPw\n", &["R31s1gPw"]),
        ("s1h", "sssd.conf", "[domain/x]\nldap_default_authtok = R31s1hPw\n", &["R31s1hPw"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review31_finding_s2_jwk_private_members() {
    let jwks =
        r#"{"keys":[{"kty":"EC","crv":"P-256","x":"f83O","y":"x_FE","d":"R31s2aPrivateScalar"}]}"#;
    let rsa = r#"{"kty":"RSA","n":"0vx7","e":"AQAB","d":"R31s2bPrivExp","p":"R31s2bPrimeP","q":"R31s2bPrimeQ","dp":"R31s2bDp","dq":"R31s2bDq","qi":"R31s2bQi"}"#;
    let oct = r#"{"kty":"oct","alg":"HS256","k":"R31s2cSymmetricKey"}"#;
    let mut found = shown(&[
        ("s2a", "jwks.json", jwks, &["R31s2aPrivate"]),
        (
            "s2b",
            "rsa.jwk",
            rsa,
            &[
                "R31s2bPrivExp",
                "R31s2bPrimeP",
                "R31s2bPrimeQ",
                "R31s2bDp",
                "R31s2bDq",
                "R31s2bQi",
            ],
        ),
        ("s2c", "hmac.jwk", oct, &["R31s2cSymmetric"]),
    ])
    .await;
    // The same as an object's own fields (a custom resource holding a JWKS).
    let object = json!({"apiVersion": "example.com/v1", "kind": "SigningKeys",
        "metadata": {"name": "s2d", "namespace": "guestbook"},
        "spec": {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qY", "d": "R31s2dEdPrivate"}]}});
    found.extend(leaks_in_live(&[("s2d", object, &["R31s2dEdPrivate"])]).await);
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review31_finding_s3_hcl_blocks_under_credential_names() {
    let found = shown(&[
        (
            "s3a",
            "terraform.tfvars",
            "secrets = {\n  db = \"R31s3aPw\"\n}\n",
            &["R31s3aPw"],
        ),
        (
            "s3b",
            "terraform.tfvars",
            "credentials {\n  api = \"R31s3bKey\"\n}\n",
            &["R31s3bKey"],
        ),
        (
            "s3c",
            "consul.hcl",
            "acl {\n  tokens {\n    agent = \"R31s3cTok\"\n  }\n}\n",
            &["R31s3cTok"],
        ),
        (
            "s3d",
            "consul.hcl",
            "tokens {\n  agent = 'R31s3dTok'\n}\n",
            &["R31s3dTok"],
        ),
        (
            "s3e",
            "consul.hcl",
            "tokens {\n  agent = \"R31s3eTok\" # the agent's\n}\n",
            &["R31s3eTok"],
        ),
        (
            "s3f",
            "app.conf",
            "passwords {\n  admin \"R31s3fPw\"\n}\n",
            &["R31s3fPw"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review31_finding_s4_self_describing_secrets() {
    let found = shown(&[
        ("s4a", "cert.pem", "-----BEGIN ARGO TUNNEL TOKEN-----\nR31s4aTunnelTokenBody\n-----END ARGO TUNNEL TOKEN-----\n", &["R31s4aTunnel"]),
        ("s4b", "id_ssh2", "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: \"k\"\nR31s4bKeyBody\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n", &["R31s4bKeyBody"]),
        ("s4c", "named.conf", "key \"ddns\" {\n  algorithm hmac-sha256;\n  secret \"R31s4cTsigKeyQUJDREVGRw==\";\n};", &["R31s4cTsig"]),
        ("s4d", "consul.hcl", "encrypt = \"R31s4dGossipKeyQUJDREVGR0g=\"\n", &["R31s4dGossip"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review31_finding_s5_unnamed_shared_secrets() {
    let found = shown(&[
        ("s5a", "snmpd.conf", "rocommunity R31s5aCom 10.0.0.0/8\ncom2sec ro default R31s5aCo2\n", &["R31s5aCom", "R31s5aCo2"]),
        ("s5b", "router.cfg", "username admin privilege 15 password 0 R31s5bPw\nenable password R31s5bEn\nsnmp-server community R31s5bCo RO\ntacacs-server key R31s5bTk\n", &["R31s5bPw", "R31s5bEn", "R31s5bCo", "R31s5bTk"]),
        ("s5c", "wpa_supplicant.conf", "network={\n  ssid=\"corp\"\n  psk=\"R31s5cPsk\"\n}\n", &["R31s5cPsk"]),
        ("s5d", "userlist.txt", "\"app\" \"R31s5dPw\"\n", &["R31s5dPw"]),
        ("s5e", "squid.conf", "cache_peer parent.example parent 3128 0 login=user:R31s5ePw\n", &["R31s5ePw"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review31_held_config_files() {
    let found = shown(&[
        ("h01", "fluent-bit.conf", "[OUTPUT]\n    Name  es\n    HTTP_User elastic\n    HTTP_Passwd R31h01Pw\n", &["R31h01Pw"]),
        ("h02", "fluent-bit.conf", "[OUTPUT]\n    Name  es\n    Cloud_Auth elastic:R31h02Pw\n", &["R31h02Pw"]),
        ("h03", "keepalived.conf", "authentication {\n    auth_type PASS\n    auth_pass R31h03Pw\n}", &["R31h03Pw"]),
        ("h04", "mosquitto.conf", "connection bridge\naddress broker:1883\nremote_username bridge\nremote_password R31h04Pw\n", &["R31h04Pw"]),
        ("h05", "sasl_passwd", "[smtp.example.com]:587 mailer:R31h05Pw\n", &["R31h05Pw"]),
        ("h06", "alertmanager.yml", "receivers:\n- name: pd\n  pagerduty_configs:\n  - routing_key: R31h06Key0123456789abcdef\n  - service_key: R31h06Svc0123456789abcdef\n", &["R31h06Key", "R31h06Svc"]),
        ("h07", "users.acl", "user app on >R31h07Pw ~* +@all\n", &["R31h07Pw"]),
        ("h08", "td-agent.conf", "<source>\n  @type forward\n  <security>\n    self_hostname x\n    shared_key R31h08Key\n  </security>\n</source>", &["R31h08Key"]),
        ("h09", "fluent.conf", "<match **>\n  @type http\n  <auth>\n    method basic\n    username u\n    password \"R31h09Pw\"\n  </auth>\n</match>", &["R31h09Pw"]),
        ("h10", "client.ovpn", "client\n<auth-user-pass>\nvpnuser\nR31h10Pw\n</auth-user-pass>\n", &["R31h10Pw"]),
        ("h11", "rabbitmq.conf", "default_user = admin\ndefault_pass = R31h11Pw\n", &["R31h11Pw"]),
        ("h12", "rclone.conf", "[remote]\ntype = sftp\nuser = bob\npass = R31h12Pw\n", &["R31h12Pw"]),
        ("h13", ".npmrc", "//registry.example.com/:_auth=UjMxaDEzVXNlcjpSMzFoMTNQdw==\n", &["UjMxaDEzVXNlcjpSMzFoMTNQdw"]),
        ("h14", "ipsec.secrets", ": PSK \"R31h14Psk\"\n", &["R31h14Psk"]),
        ("h15", "telegraf.conf", "[[outputs.influxdb_v2]]\n  urls = [\"http://influx:8086\"]\n  token = \"R31h15Tok\"\n", &["R31h15Tok"]),
        ("h16", "dovecot.conf", "passdb {\n  driver = static\n  args = password=R31h16Pw\n}\n", &["R31h16Pw"]),
        ("h17", "chap-secrets", "# client server secret IP\nvpnuser * R31h17Pw *\n", &["R31h17Pw"]),
        ("h18", "kubeconfig", "apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    client-certificate-data: Q0VSVA==\n    client-key-data: UjMxaDE4S2V5RGF0YUJhc2U2NA==\n", &["UjMxaDE4S2V5RGF0YUJhc2U2NA"]),
        ("h19", "config.json", "{\"auths\":{\"registry.example.com\":{\"auth\":\"UjMxaDE5VXNlcjpSMzFoMTlQdw==\",\"identitytoken\":\"R31h19IdTok\"}}}", &["UjMxaDE5VXNlcjpSMzFoMTlQdw", "R31h19IdTok"]),
        ("h20", "cluster.json", "{\"tlsClientConfig\":{\"insecure\":false,\"keyData\":\"UjMxaDIwS2V5RGF0YQ==\"}}", &["UjMxaDIwS2V5RGF0YQ"]),
        ("h21", "application.yml", "spring:\n  security:\n    oauth2:\n      client:\n        registration:\n          github:\n            client-id: abc\n            client-secret: R31h21Cs\n", &["R31h21Cs"]),
        ("h22", "app.ini", "[database]\nPASSWD = R31h22Pw\n[security]\nINTERNAL_TOKEN = R31h22Tok\nSECRET_KEY = R31h22Sk\n", &["R31h22Pw", "R31h22Tok", "R31h22Sk"]),
        ("h23", "settings.py", "DATABASES = {'default': {'ENGINE': 'x', 'USER': 'app', 'PASSWORD': 'R31h23Pw'}}\nSECRET_KEY = 'R31h23Sk'\n", &["R31h23Pw", "R31h23Sk"]),
        ("h24", "wg0.conf", "[Interface]\nPrivateKey = R31h24WgPrivKeyAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n[Peer]\nPresharedKey = R31h24WgPskAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", &["R31h24WgPriv", "R31h24WgPsk"]),
        ("h25", "nomad.hcl", "vault {\n  token = \"R31h25Tok\"\n}\n", &["R31h25Tok"]),
        ("h26", "x.yaml", "tokens:\n  agent: \"R31h26Tok\"\n", &["R31h26Tok"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

/// The findings' shapes as log lines of guestbook's pods (a program printing its configuration
/// at start), through `get_argocd_app_logs` of both components.
#[tokio::test]
async fn review31_finding_s1_s2_s3_in_logs() {
    let world = crate::World::new().await;
    let lines = [
        "  password R31lg1Pw",
        "bindpw R31lg2Pw",
        "{\"kty\":\"oct\",\"k\":\"R31lg3SymKey\"}",
        "secrets = {",
        "  db = \"R31lg4Pw\"",
        "}",
    ];
    world.standin.state().review_log_lines = lines.iter().map(|l| (*l).to_owned()).collect();
    let server = crate::planting::server_logs(&world).await;
    let plugin = crate::planting::plugin_logs(&crate::planting::plugin_env(&world.standin)).await;
    println!("server: {server}\nplugin: {plugin}");
    let mut found = Vec::new();
    for secret in ["R31lg1Pw", "R31lg2Pw", "R31lg3SymKey", "R31lg4Pw"] {
        for (component, answer) in [("server", &server), ("plugin", &plugin)] {
            if answer.contains(secret) {
                found.push(format!("{component} get_argocd_app_logs: {secret}"));
            }
        }
    }
    crate::planting::assert_none(found);
}
