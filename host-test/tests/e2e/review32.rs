//! Thirty-second hostile review (issue 19). Work in progress.

use serde_json::json;

use crate::planting::{LiveShape, config_map, leaks_in_live};

fn cm(name: &'static str, file: &'static str, text: &str) -> serde_json::Value {
    config_map(name, json!({ file: text }))
}

#[allow(dead_code)]
async fn shown(
    lines: &[(&'static str, &'static str, &str, &'static [&'static str])],
) -> Vec<String> {
    let shapes: Vec<LiveShape> = lines
        .iter()
        .map(|(n, file, text, s)| (*n, cm(n, file, text), *s))
        .collect();
    leaks_in_live(&shapes).await
}

/// Exploration (printed, not asserted): near-variants of the new rules.
#[tokio::test]
#[ignore = "a probe: run it by hand with --ignored"]
async fn review32_probe_explore() {
    let found = shown(&[
        ("c01", "run.sh", "echo 'root:R32c01Pw' | nohup chpasswd", &["R32c01Pw"]),
        ("c02", "run.sh", "echo 'root:R32c02Pw' | timeout 10 chpasswd", &["R32c02Pw"]),
        ("c03", "run.sh", "echo 'root:R32c03Pw' | \"chpasswd\"", &["R32c03Pw"]),
        ("c04", "run.sh", "echo 'root:R32c04Pw' | \\chpasswd", &["R32c04Pw"]),
        ("c05", "run.sh", "echo 'root:R32c05Pw' | runuser -u root -- chpasswd", &["R32c05Pw"]),
        ("c06", "run.sh", "echo 'root:R32c06Pw' | nice -n 10 chpasswd", &["R32c06Pw"]),
        ("c07", "run.sh", "echo 'root:R32c07Pw' | command chpasswd", &["R32c07Pw"]),
        ("c08", "run.sh", "echo 'root:R32c08Pw' | kubectl exec -i pod -- chpasswd", &["R32c08Pw"]),
        ("c09", "run.sh", "echo 'root:R32c09Pw' | docker exec -i c chpasswd", &["R32c09Pw"]),
        ("c10", "run.sh", "echo 'root:R32c10Pw' | ssh host sudo chpasswd", &["R32c10Pw"]),
        ("c11", "run.sh", "echo R32c11Pw | ssh host \"sudo -S reboot\"", &["R32c11Pw"]),
        ("c12", "run.sh", "printf 'root:%s\\n' R32c12Pw | chpasswd", &["R32c12Pw"]),
        ("c13", "run.sh", "chpasswd 2>&1 <<EOF\nroot:R32c13Pw\nEOF\n", &["R32c13Pw"]),
        ("c14", "run.sh", "passwd bob >/dev/null 2>&1 <<EOF\nR32c14Pw\nR32c14Pw\nEOF\n", &["R32c14Pw"]),
        ("c15", "run.sh", "chpasswd 2>&1 <<< 'root:R32c15Pw'", &["R32c15Pw"]),
        ("c16", "run.sh", "echo 'root:R32c16Pw' |& chpasswd", &["R32c16Pw"]),
        ("c17", "run.sh", "(echo R32c17Pw; echo R32c17Pw) | passwd bob", &["R32c17Pw"]),
        ("c18", "run.sh", "echo 'root:R32c18Pw' | stdbuf -o0 chpasswd", &["R32c18Pw"]),
        ("c19", "run.sh", "echo 'root:R32c19Pw' | sudo -c staff chpasswd", &["R32c19Pw"]),
        ("c20", "run.sh", "echo 'root:R32c20Pw' | doas -a bsdauth chpasswd", &["R32c20Pw"]),
        ("c21", "run.sh", "chpasswd -e <<EOF 2>&1\nroot:R32c21Pw\nEOF\n", &["R32c21Pw"]),
        ("c22", "run.sh", "cat <<EOF | chpasswd 2>&1\nroot:R32c22Pw\nEOF\n", &["R32c22Pw"]),
        ("c23", "run.sh", "CHPASSWD <<EOF\nroot:R32c23Pw\nEOF\n", &["R32c23Pw"]),
        ("c24", "run.sh", "chpasswd <<EOF\r\nroot:R32c24Pw\r\nEOF\r\n", &["R32c24Pw"]),
        ("c25", "run.sh", "sudo -S reboot <<< R32c25Pw", &["R32c25Pw"]),
        ("c26", "run.sh", "echo R32c26Pw | sudo --stdin --user=root reboot", &["R32c26Pw"]),
        ("c27", "run.sh", "sqlplus -s sys/R32c27Pw as sysdba", &["R32c27Pw"]),
        ("c28", "run.sh", "sqlplus -S scott/R32c28Pw @run.sql", &["R32c28Pw"]),
        ("c29", "run.sh", "sqlldr userid=scott/R32c29Pw control=x.ctl", &["R32c29Pw"]),
        ("c30", "run.sh", "sqlldr scott/R32c30Pw control=x.ctl", &["R32c30Pw"]),
        ("c31", "run.sh", "rman nocatalog target sys/R32c31Pw", &["R32c31Pw"]),
        ("c32", "run.sh", "rman catalog rcat/R32c32Pa target sys/R32c32Pb", &["R32c32Pa", "R32c32Pb"]),
        ("c33", "run.sh", "RMAN TARGET sys/R32c33Pw", &["R32c33Pw"]),
        ("c34", "run.sh", "rman target 'sys/R32c34Pw@db'", &["R32c34Pw"]),
        ("c35", "run.sh", "ftp -n host <<EOF\nquote USER alice\nquote pass R32c35Pw\nEOF\n", &["R32c35Pw"]),
        ("c36", "run.sh", "ftp -n host <<EOF\nuser\talice\tR32c36Pw\nEOF\n", &["R32c36Pw"]),
        ("c37", "run.sh", "ncftp -u alice -p R32c37Pw host", &["R32c37Pw"]),
        ("c38", "run.sh", "ftp -inv host <<EOF\nUSER alice\nPASS R32c38Pw\nEOF\n", &["R32c38Pw"]),
        ("c39", "run.sh", "ftp -n host <<EOF\r\nuser alice R32c39Pw\r\nEOF\r\n", &["R32c39Pw"]),
        ("c40", "run.sh", "exp system/R32c40Pw file=x.dmp", &["R32c40Pw"]),
        ("d01", "haproxy.cfg", "userlist admins\n  user admin insecure-password R32d01Pw\n", &["R32d01Pw"]),
        ("d02", "bgp.cfg", "router bgp 65000\n neighbor 10.0.0.1 password R32d02Pw\n", &["R32d02Pw"]),
        ("d03", "ios.cfg", "snmp-server user u g v3 auth sha R32d03Pw priv aes 128 R32d03Pv\n", &["R32d03Pw", "R32d03Pv"]),
        ("d04", "snmpd.conf", "createUser u SHA \"R32d04Pw\" AES \"R32d04Pv\"\n", &["R32d04Pw", "R32d04Pv"]),
        ("d05", "snmpd.conf", "trap2sink 10.0.0.1 R32d05C\ntrapcommunity R32d05D\n", &["R32d05C", "R32d05D"]),
        ("d06", "ios.cfg", "interface g0\n ip ospf authentication-key R32d06K\n ip ospf message-digest-key 1 md5 R32d06M\n", &["R32d06K", "R32d06M"]),
        ("d07", "ios.cfg", "key chain k\n key 1\n  key-string R32d07K\n", &["R32d07K"]),
        ("d08", "ios.cfg", "enable password level 15 R32d08Pw\n", &["R32d08Pw"]),
        ("d09", "ios.cfg", "username admin privilege 15 password 0 R32d09Pw\r\n", &["R32d09Pw"]),
        ("d10", "vars.tf", "secrets = {\n  db  = \"R32d10a}Pw\"\n  api = \"R32d10Key\"\n}\n", &["R32d10Key", "Pw\""]),
        ("d11", "vars.tf", "secrets = {db = \"R32d11Pw\", api = \"R32d11Key\"}\n", &["R32d11Pw", "R32d11Key"]),
        ("d12", "main.tf", "variable \"db_password\" {\n  default = \"R32d12Pw\"\n}\n", &["R32d12Pw"]),
        ("d13", "fluent.conf", "<match **>\n  password R32d13a#R32d13b\n</match>\n", &["R32d13a", "R32d13b"]),
        ("d14", "lines.yaml", "lines:\n  - password R32d14Pw\n  - bindpw R32d14Bw\n", &["R32d14Pw", "R32d14Bw"]),
        ("d15", "redis.conf", "masterauth R32d15Pw\nrequirepass R32d15Rq\n", &["R32d15Pw", "R32d15Rq"]),
        ("d16", "squid.json", "{\"conf\": \"cache_peer p parent 3128 0\\tlogin=u:R32d16Pw\"}", &["R32d16Pw"]),
        ("d17", "named.conf", "key \"x\" { algorithm hmac-sha256; secret R32d17Sc; };", &["R32d17Sc"]),
        ("d18", "named.conf", "key \"x\" {\n\talgorithm hmac-sha256;\n\tsecret\t\"R32d18Sc\";\n};", &["R32d18Sc"]),
        ("d19", "consul.hcl", "acl {\n  tokens {\n    agent = \"R32d19a}T\"\n    default = \"R32d19Def\"\n  }\n}\n", &["R32d19Def"]),
        ("d20", "fluent.conf", "<match **>\n  password \"R32d20Pw\" # x\n  Password\tR32d20Qw  \n</match>\n", &["R32d20Pw", "R32d20Qw"]),
        ("d21", "pgbouncer.ini", "[databases]\nmydb = host=db user=app password=R32d21Pw\n", &["R32d21Pw"]),
        ("d22", "haproxy.cfg", "listen stats\n    stats auth admin:R32d22a stats auth ops:R32d22b\n    stats  auth \"ops:R32d22c\"\n", &["R32d22a", "R32d22b", "R32d22c"]),
        ("d23", "snmpd.conf", "rocommunity\t\"R32d23C\"\tdefault\nrwcommunity6 R32d23D\n", &["R32d23C", "R32d23D"]),
        ("d24", "ios.cfg", "tacacs-server host 10.0.0.1 key 7 R32d24K\nradius-server host 10.0.0.2 auth-port 1645 key R32d24L\n", &["R32d24K", "R32d24L"]),
        ("d25", "slapd.conf", "rootpw\t\"{SSHA}R32d25Pw\"\n", &["R32d25Pw"]),
        ("d26", "users.txt", "\"app\"\t\"R32d26Pw\"\n\"ops\" \"R32d26Qw\" \n", &["R32d26Pw", "R32d26Qw"]),
        ("j01", "jwk.js", "module.exports = {kty:\"oct\",k:\"R32j01Key\"}", &["R32j01Key"]),
        ("j02", "jwk.toml", "[[keys]]\nkty = \"oct\"\nk = \"R32j02Key\"\n", &["R32j02Key"]),
        ("j03", "jwk.hcl", "jwk = {\n  kty = \"EC\"\n  d = \"R32j03D\"\n}\n", &["R32j03D"]),
        ("j04", "cfg.json", "{\"cfg\":\"{\\\"jwks\\\":\\\"{\\\\\\\"kty\\\\\\\":\\\\\\\"oct\\\\\\\",\\\\\\\"k\\\\\\\":\\\\\\\"R32j04Key\\\\\\\"}\\\"}\"}", &["R32j04Key"]),
        ("j05", "jwks.yaml", "keys:\n- kty: RSA\n  d: >-\n    R32j05D\n  p: \"R32j05P\"\n", &["R32j05D", "R32j05P"]),
        ("j06", "jwk.txt", "kty=oct k=R32j06Key", &["R32j06Key"]),
        ("j07", "jwk.py", "JWK = dict(kty='oct', k='R32j07Key')", &["R32j07Key"]),
        ("j08", "jwks.yaml", "keys:\n- {kty: EC, crv: P-256, d: 'R32j08D', x: a}\n- kty: oct\n  k:\tR32j08K\n", &["R32j08D", "R32j08K"]),
        ("j09", "jwk.go", "jwk := `{\n\t\"kty\": \"oct\",\n\t\"k\" : \"R32j09Key\"\n}`", &["R32j09Key"]),
        ("t01", "client.ovpn", "<tls-crypt-v2>\n-----BEGIN OpenVPN tls-crypt-v2 client key-----\nR32t01KeyLine\n-----END OpenVPN tls-crypt-v2 client key-----\n</tls-crypt-v2>\n", &["R32t01KeyLine"]),
        ("t02", "key.txt", "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\r\nComment: \"x\"\r\nR32t02Line\r\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\r\n", &["R32t02Line"]),
        ("t03", "cert.pem", "-----BEGIN ARGO TUNNEL TOKEN-----\nR32t03Line\n-----END ARGO TUNNEL TOKEN-----\n", &["R32t03Line"]),
        ("t04", "key.txt", "---- BEGIN SSH2 PRIVATE KEY ----\nR32t04Line\n---- END SSH2 PRIVATE KEY ----\n", &["R32t04Line"]),
        ("t05", "key.txt", "-----BEGIN ED25519-V3 PRIVATE KEY-----\nR32t05Line\n-----END ED25519-V3 PRIVATE KEY-----\n", &["R32t05Line"]),
        ("t06", "key.txt", "-----BEGIN PRIVATE KEY-----\tR32t06Line -----END PRIVATE KEY-----", &["R32t06Line"]),
        ("t07", "key.txt", "-----BEGIN CF-TUNNEL TOKEN-----\nR32t07Line\n-----END CF-TUNNEL TOKEN-----\n", &["R32t07Line"]),
    ])
    .await;
    println!("FOUND:\n{}", found.join("\n"));
}

/// Cost: 128 KB hostile texts made of the new rules' pieces, read through both components;
/// the time printed (no timing assertion).
#[tokio::test]
#[ignore = "a probe: run it by hand with --ignored"]
async fn review32_probe_cost() {
    let big = |unit: &str| unit.repeat(128 * 1024 / unit.len());
    let texts: Vec<(&'static str, String)> = vec![
        ("hcl open", big("secrets {\n")),
        ("hcl closed nested", format!("{}{}", big("secrets {\n"), "}".repeat(13000))),
        ("jwk oth", format!("kty {}", big("\"oth\":["))),
        ("jwk yaml", format!("kty\n{}", big("- k: a\n"))),
        ("bind clause", big("key \"x\" { secret ")),
        ("stats", big("stats auth a:")),
        ("username", format!("username {}", big("a "))),
        ("usernames", big("username a password\n")),
        ("com2sec", format!("com2sec {}", big("-Cn "))),
        ("heredoc amp", big("chpasswd 2>&1 <<EOF\n")),
        ("sudo runs", format!("echo a:b | {}chpasswd", big("sudo env busybox chroot x "))),
        ("ftp", format!("ftp {}", big("quote pass x\n"))),
        ("rman", big("rman target a/")),
        ("userlist", big("\"a\" \"")),
        ("encrypt", big("encrypt = ")),
        ("pem token", big("-----BEGIN TOKEN-----")),
        ("ssh2", big("---- BEGIN SSH2 PRIVATE KEY ----")),
        ("indent", format!("{}x", big("\\t"))),
        ("compare", format!("assertEquals( {}", big("\"a\", "))),
    ];
    for (name, text) in texts {
        let started = std::time::Instant::now();
        let shapes: Vec<LiveShape> = vec![(name, cm("cost", "f", &text), &[])];
        let _ = leaks_in_live(&shapes).await;
        println!("review32 cost {name}: {:?}", started.elapsed());
    }
}
