//! Thirty-first hostile review (issue 19). Work in progress.

use serde_json::json;

use crate::planting::{LiveShape, config_map, leaks_in_live};

fn cm(name: &'static str, file: &'static str, text: &str) -> serde_json::Value {
    config_map(name, json!({ file: text }))
}

async fn shown(lines: &[(&'static str, &'static str, &str, &'static [&'static str])]) -> Vec<String> {
    let shapes: Vec<LiveShape> = lines
        .iter()
        .map(|(n, file, text, s)| (*n, cm(n, file, text), *s))
        .collect();
    leaks_in_live(&shapes).await
}

#[tokio::test]
async fn review31_probe_config_files() {
    let found = shown(&[
        ("q01", "fluent.conf", "<match **>\n  @type elasticsearch\n  host es\n  user elastic\n  password R31q01Pw\n</match>", &["R31q01Pw"]),
        ("q02", "fluent-bit.conf", "[OUTPUT]\n    Name  es\n    HTTP_User elastic\n    HTTP_Passwd R31q02Pw\n", &["R31q02Pw"]),
        ("q03", "fluent-bit.conf", "[OUTPUT]\n    Name  es\n    Cloud_Auth elastic:R31q03Pw\n", &["R31q03Pw"]),
        ("q04", "nslcd.conf", "uri ldap://ldap\nbinddn cn=admin,dc=x\nbindpw R31q04Pw\n", &["R31q04Pw"]),
        ("q05", "slapd.conf", "rootdn cn=admin\nrootpw R31q05Pw\n", &["R31q05Pw"]),
        ("q06", "keepalived.conf", "authentication {\n    auth_type PASS\n    auth_pass R31q06Pw\n}", &["R31q06Pw"]),
        ("q07", "haproxy.cfg", "listen stats\n    bind :8404\n    stats enable\n    stats auth admin:R31q07Pw\n", &["R31q07Pw"]),
        ("q08", "httpd.conf", "AuthLDAPBindDN cn=x\nAuthLDAPBindPassword R31q08Pw\n", &["R31q08Pw"]),
        ("q09", "mosquitto.conf", "connection bridge\naddress broker:1883\nremote_username bridge\nremote_password R31q09Pw\n", &["R31q09Pw"]),
        ("q10", "sasl_passwd", "[smtp.example.com]:587 mailer:R31q10Pw\n", &["R31q10Pw"]),
        ("q11", "sssd.conf", "[domain/x]\nldap_default_authtok = R31q11Pw\n", &["R31q11Pw"]),
        ("q12", "alertmanager.yml", "receivers:\n- name: pd\n  pagerduty_configs:\n  - routing_key: R31q12Key0123456789abcdef\n", &["R31q12Key"]),
        ("q13", "alertmanager.yml", "receivers:\n- name: pd\n  pagerduty_configs:\n  - service_key: R31q13Key0123456789abcdef\n", &["R31q13Key"]),
        ("q14", "snmpd.conf", "rocommunity R31q14Com 10.0.0.0/8\ncom2sec ro default R31q14Co2\n", &["R31q14Com", "R31q14Co2"]),
        ("q15", "pgbouncer-users.txt", "\"app\" \"R31q15Pw\"\n", &["R31q15Pw"]),
        ("q16", "redis-users.acl", "user app on >R31q16Pw ~* +@all\n", &["R31q16Pw"]),
        ("q17", "td-agent.conf", "<source>\n  @type forward\n  <security>\n    self_hostname x\n    shared_key R31q17Key\n  </security>\n</source>", &["R31q17Key"]),
        ("q18", "fluent.conf", "<match **>\n  @type http\n  <auth>\n    method basic\n    username u\n    password \"R31q18Pw\"\n  </auth>\n</match>", &["R31q18Pw"]),
        ("q19", "squid.conf", "cache_peer parent.example parent 3128 0 login=user:R31q19Pw\n", &["R31q19Pw"]),
        ("q20", "stunnel.psk", "client1:R31q20PskSecretValue\n", &["R31q20Psk"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review31_probe_config_files_2() {
    let found = shown(&[
        ("r01", "client.ovpn", "client\n<auth-user-pass>\nvpnuser\nR31r01Pw\n</auth-user-pass>\n", &["R31r01Pw"]),
        ("r02", "named.conf", "key \"ddns\" {\n  algorithm hmac-sha256;\n  secret \"R31r02TsigKeyQUJDREVGRw==\";\n};", &["R31r02Tsig"]),
        ("r03", "router.cfg", "username admin privilege 15 password 0 R31r03Pw\nenable password R31r03En\nsnmp-server community R31r03Co RO\ntacacs-server key R31r03Tk\n", &["R31r03Pw", "R31r03En", "R31r03Co", "R31r03Tk"]),
        ("r04", "rabbitmq.conf", "default_user = admin\ndefault_pass = R31r04Pw\n", &["R31r04Pw"]),
        ("r05", "consul.hcl", "encrypt = \"R31r05GossipKeyQUJDREVGR0g=\"\nacl {\n  tokens {\n    agent = \"R31r05-agent-token\"\n  }\n}\n", &["R31r05Gossip", "R31r05-agent"]),
        ("r06", "rclone.conf", "[remote]\ntype = sftp\nuser = bob\npass = R31r06Pw\n", &["R31r06Pw"]),
        ("r07", ".npmrc", "//registry.example.com/:_auth=UjMxcjA3VXNlcjpSMzFyMDdQdw==\n", &["UjMxcjA3VXNlcjpSMzFyMDdQdw"]),
        ("r08", "cert.pem", "-----BEGIN ARGO TUNNEL TOKEN-----\nR31r08TunnelTokenBody\n-----END ARGO TUNNEL TOKEN-----\n", &["R31r08Tunnel"]),
        ("r09", "id_ssh2", "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: \"k\"\nR31r09KeyBody\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n", &["R31r09KeyBody"]),
        ("r10", "jwks.json", "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83O\",\"y\":\"x_FE\",\"d\":\"R31r10PrivateScalar\"}]}", &["R31r10Private"]),
        ("r11", "jwk.json", "{\"kty\":\"oct\",\"alg\":\"HS256\",\"k\":\"R31r11SymmetricKey\"}", &["R31r11Symmetric"]),
        ("r12", "proftpd.conf", "SQLConnectInfo proftpd@db proftpd R31r12Pw\n", &["R31r12Pw"]),
        ("r13", "wpa_supplicant.conf", "network={\n  ssid=\"corp\"\n  psk=\"R31r13Psk\"\n}\n", &["R31r13Psk"]),
        ("r14", "ipsec.secrets", ": PSK \"R31r14Psk\"\n", &["R31r14Psk"]),
        ("r15", "influx.toml", "[[outputs.influxdb_v2]]\n  urls = [\"http://influx:8086\"]\n  token = \"R31r15Tok\"\n", &["R31r15Tok"]),
        ("r16", "dovecot.conf", "passdb {\n  driver = static\n  args = password=R31r16Pw\n}\n", &["R31r16Pw"]),
        ("r17", "chap-secrets", "# client server secret IP\nvpnuser * R31r17Pw *\n", &["R31r17Pw"]),
        ("r18", "krb5.keytab.b64", "password R31r18Pw\n", &["R31r18Pw"]),
    ])
    .await;
    crate::planting::assert_none(found);
}
