//! Thirty-second hostile review (issue 19): today's scrub rules (`runners.rs`, `commands.rs`,
//! `directives.rs`, `json_web_keys.rs` / `masking.rs` `mask_json_web_key`, `tokens.rs`), the
//! scrubbing's performance shortcuts, and the allow-list's non-cascade delete, attacked through
//! both built components (the server through wasmtime as shipped, the plugin's typed
//! `get_argocd_resource` export; every text planted as a ConfigMap guestbook manages). Time box
//! 35 minutes.
//!
//! Findings (each `review32_finding_*` asserts the secure behaviour, was seen failing on both
//! components, and is ignored until fixed):
//!
//! Fixed (its test runs): S2 (`commands.rs` `ends_command`: the `&` of a redirection, `2>&1`,
//! `<&3`, `&>file`, `&>>file`, ends no command, wherever a command line's end or start is read).
//!
//! - S1 (medium, commands, both; `src/tools/scrub/runners.rs` `RUNNERS`/`command_run`,
//!   `commands.rs` `piped_password`) what is piped to chpasswd/passwd past a runner the list does
//!   not know is shown: `echo 'root:PW' | kubectl exec -i pod-0 -- chpasswd`, `| docker exec -i
//!   box chpasswd`, `| ssh host sudo chpasswd`, `| timeout 10 chpasswd`, `| nohup`, `| nice -n
//!   10`, `| runuser -u root --`, `| stdbuf -o0`, `| command chpasswd`, a quoted or escaped name
//!   (`| "chpasswd"`, `| \chpasswd`: only closing quotes are stripped), `|& chpasswd`, sudo's
//!   `-c class`, doas' `-a style`; `echo PW | ssh host "sudo -S reboot"`; a filter between (`yes
//!   'PW' | head -2 | passwd bob`). Fix: add `timeout DURATION`, `nohup`, `nice [-n N]`,
//!   `ionice`, `stdbuf`, `setsid`, `command`, `exec`, `runuser`, `xargs`, and the remote runners
//!   (`kubectl exec … --`, `docker|podman exec [-i] [-u U] NAME`, `ssh [opts] HOST`, also a
//!   quoted remote command) to `RUNNERS`; strip an opening quote and a leading `\` in
//!   `command_name`; read `|&` as `|`; follow the pipeline past `head`/`tee`/`cat` to the last
//!   command.
//! - S2 (medium, commands, both; `commands.rs` `last_command` and `here_string_password`'s line
//!   start) a redirection with `&` before a here-document or here-string cuts the command off:
//!   `chpasswd 2>&1 <<EOF` / `root:PW` / `EOF`, `passwd bob >/dev/null 2>&1 <<EOF`, `chpasswd
//!   2>&1 <<< 'root:PW'`, `sudo chpasswd &>/dev/null <<EOF`: the `&` of `2>&1`/`&>` is read as
//!   a command separator, so the command is `1` and the password shows. (`<<EOF 2>&1` after the
//!   terminator is hidden.) Fix: do not split at `&` inside a redirection (`>&`, `<&`, `&>`,
//!   `&>>`), only at `&&` and a lone `&` between words.
//! - S3 (medium, directives, both; `directives.rs` `matching_brace`) a `}` inside a quoted value,
//!   a heredoc or a comment ends the HCL block: `secrets = {` / `db = "PW}tail"` / `api = "KEY"` /
//!   `}` hides `db = "PW` and shows `tail"` and `KEY`; Consul's `tokens { agent = "a}T" default =
//!   "DEF" }` shows `DEF`; `# a brace } in a comment` and a heredoc line `PW}` alike. Passwords
//!   hold `}` often. Fix: skip quoted strings (with their escapes), heredocs and `#`/`//`
//!   comments when matching braces; or hide to the `}` that starts a line at the block's
//!   indentation.
//! - S4 (medium, directives, both; `directives.rs` `argument_directive`) network devices' secrets
//!   beside the listed ones: BGP `neighbor 10.0.0.1 password PW`, SNMPv3 `snmp-server user U G v3
//!   auth sha PW priv aes 128 PW2`, net-snmp `createUser U SHA "PW" AES "PW2"`, `trap2sink HOST
//!   COMMUNITY`, `trapcommunity C`, Cisco `snmp-server host H version 2c COMMUNITY` (and `traps
//!   C`), OSPF `ip ospf authentication-key K` and `message-digest-key 1 md5 K`, `enable password
//!   level 15 PW`: shown. (`key-string K` and HAProxy `insecure-password` are hidden.) Fix: by
//!   name: `neighbor … password`, `auth`/`priv` arguments after `snmp-server user … v3` and
//!   `createUser`, `trap2sink`/`trapsink`/`informsink` second argument, `trapcommunity`, the last
//!   argument of `snmp-server host`, `authentication-key`, `message-digest-key N md5`, `level N`
//!   skipped after `enable password|secret`; or list them under *What cannot be hidden*.
//! - S5 (low-medium, directives, both; `directives.rs` `opening`, `block_after_name`,
//!   `login_option`) the directives in other layouts: an item of a YAML list (`lines:` / `-
//!   password PW`, `- bindpw PW`, as Ansible's `lineinfile` and Helm values hold config lines:
//!   `- ` reads as a word before), a Terraform variable labelled with a credential name
//!   (`variable "db_password" {` / `default = "PW"`: the block's label, not its type, names it),
//!   Squid's `login=U:PW` after an escaped tab in JSON text (`…0\tlogin=u:PW`: the byte before
//!   is `t`). Fix: read `- ` (YAML sequence) as indentation in `opening`; hide `default` (and
//!   `value`) inside a block whose quoted label names a credential; accept an escaped blank
//!   before `login=`.
//! - S6 (medium, JWK text, both; `json_web_keys.rs` `private_member`/`yaml_private_member`, and
//!   `masking.rs` where YAML text is read as an object) a JSON Web Key's private members where
//!   `kty` is named, written otherwise than `"d": …` or `d: …`: TOML `k = "KEY"`, HCL `d =
//!   "D"`, JavaScript `{kty:"oct",k:"KEY"}`, Python `dict(kty='oct', k='KEY')`, YAML with a tab
//!   after the colon (`k:\tKEY`), and a YAML folded block scalar (`d: >-` / `    D`: the `>-`
//!   is hidden, the key on the next line shown). Fix: in a text naming `kty`, also read `NAME =`
//!   and `NAME:` followed by no space or a tab, and a block scalar indicator (`|`, `>`, with
//!   chomping) takes the more-indented lines below, as members.rs does for credential keys.
//! - S7 (medium, tokens, both; `tokens.rs` `pem_block`) OpenVPN's tls-crypt-v2 keys,
//!   `-----BEGIN OpenVPN tls-crypt-v2 client key-----` (inline in a `.ovpn` as `<tls-crypt-v2>`)
//!   and `… server key-----`: the label stops at the first `-`, so neither `static key` nor a
//!   `KEY`/`TOKEN` ending is read and the key is shown (a data key like `server.key` hides it
//!   by name; `client.ovpn` or `openvpn.conf` do not). Fix: read `-` in the label and treat
//!   `tls-crypt-v2 … key` (any OpenVPN label ending in `key`) as secret.
//! - S8 (low, commands, both; `commands.rs` login switches) NcFTP's `-p PW` (`ncftp -u alice -p
//!   PW host`, `ncftpput`, `ncftpget`): shown. Fix: `-p` of the ncftp tools takes the password.
//!
//! Held (passing `review32_held_*`): `printf 'root:%s\n' PW | chpasswd`, `(echo PW; echo PW) |
//! passwd`, `<<EOF 2>&1` after the terminator, `cat <<EOF | chpasswd 2>&1`, CRLF here-documents,
//! `sudo -S … <<< PW`, `sudo --stdin --user=root`, `sqlplus -s/-S`, `sqlldr userid=` and
//! positional, `rman nocatalog target`, `rman catalog … target …`, upper-case `RMAN TARGET`, a
//! quoted `rman target 'sys/PW@db'`, `quote pass`, tab-separated `user`, `USER`/`PASS` lines,
//! `exp system/PW`; HAProxy `insecure-password`, `key-string`, `password 0` with CRLF, a value
//! holding `#`, `masterauth`/`requirepass`, BIND `secret` on its own line with tabs, quoted
//! and tabbed directives, PgBouncer `password=` and tab-separated userlist lines, `rocommunity`
//! quoted with tabs, `tacacs-server host … key 7`, `rootpw "{SSHA}…"`, a one-line HCL map; a JWK
//! three JSON levels deep, a Go raw string with spaces before the colon, a YAML flow mapping;
//! RFC 4716 armour with CRLF and headers, `ARGO TUNNEL TOKEN`, `ED25519-V3 PRIVATE KEY`, a PEM on
//! one line; every rule tried at two levels of JSON escaping (here-document, directive, HCL
//! block, `stats auth`), a `<<-` here-document with tabs in a YAML block scalar,
//! `LOGIN=`, `PassWord   PW\r\n`, `Secrets = {\r\n\t…`. The settings' own password (server):
//! as written, contiguous hex, `41:64:…` upper case, `, 0x` lists, decimal, octal escapes,
//! base64 of `admin:PW` and at an offset, base64 of a form body wrapped with indentation,
//! JSON-escaped three times, `\u` escapes, percent-encoded, split by CRLF: all hidden. The
//! shortcuts read as equivalent to what they replace (`spellings_held` finds exactly what
//! `contains` finds, and a changed text is searched again; `Radix::may_start` rejects only
//! bytes whose number cannot start there, octal's first digit being `byte >> 6`; `units_of`'s
//! fast path is `unit`'s plain case; `read_through_breaks` leaves nothing out without a break
//! or a space; `names_a_comparing_call` reads the same raw bytes the call's name is taken from;
//! `PREFIX_STARTS` is `written_at`'s first-byte test): no text found where one hides less.
//! Allow-list: a non-cascade delete whose PreDelete hook is an Application with only
//! `generateName`, a `post-delete` Helm hook named as `guestbook` (project default) in
//! `argocd`, and the same with `ARGOPROJ.IO`/`application`/`predelete` spellings: each refused,
//! nothing sent. Cost (`review32_probe_cost`, printed): 128 KB of `secrets {` (open and
//! closed), `kty` + `"oth":[`, YAML `- k:` lines, `key "x" { secret `, `stats auth a:`,
//! `username a password`, `com2sec -Cn`, `chpasswd 2>&1 <<EOF`, runner chains, `quote pass`,
//! `rman target a/`, userlist quotes, `encrypt = `, PEM/SSH2 begin lines, escaped tabs,
//! `assertEquals(` with 26 000 literals: each under 0.7 s for a world and both components.
//!
//! Not reached (time box): approvals' pre-check of a non-cascade delete beyond reading
//! (`guards.rs` runs the same `ensure_app_delete_allowed`), the guard's `seen` list being
//! searched linearly per child (`review32_probe_guard_walk_cost`: 2 000 child Applications in
//! an allowed app's status are walked and the cascade delete refused in 0.18 s, 4 requests; at
//! 8 000 and more the stand-in's manifests answer passes the 12 MB answer cap and the delete is
//! refused before the walk, so the quadratic search of a status near that cap, some 100 000
//! children, was not timed), the findings' shapes in
//! logs and events (the same scrubbing runs there), own secrets in UTF-16 hex dumps and
//! quoted-printable.

use serde_json::json;

use crate::planting::{config_map, shown_in_config_maps as shown};

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
        (
            "hcl closed nested",
            format!("{}{}", big("secrets {\n"), "}".repeat(13000)),
        ),
        ("jwk oth", format!("kty {}", big("\"oth\":["))),
        ("jwk yaml", format!("kty\n{}", big("- k: a\n"))),
        ("bind clause", big("key \"x\" { secret ")),
        ("stats", big("stats auth a:")),
        ("username", format!("username {}", big("a "))),
        ("usernames", big("username a password\n")),
        ("com2sec", format!("com2sec {}", big("-Cn "))),
        ("heredoc amp", big("chpasswd 2>&1 <<EOF\n")),
        (
            "sudo runs",
            format!("echo a:b | {}chpasswd", big("sudo env busybox chroot x ")),
        ),
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
        let _ = shown(&[("cost", "f", &text, &[])]).await;
        println!("review32 cost {name}: {:?}", started.elapsed());
    }
}

#[tokio::test]
async fn review32_finding_s1_runners_not_listed() {
    let found = shown(&[
        (
            "s1a",
            "run.sh",
            "echo 'root:R32s1aPw' | kubectl exec -i pod-0 -- chpasswd",
            &["R32s1aPw"],
        ),
        (
            "s1b",
            "run.sh",
            "echo 'root:R32s1bPw' | docker exec -i box chpasswd",
            &["R32s1bPw"],
        ),
        (
            "s1c",
            "run.sh",
            "echo 'root:R32s1cPw' | ssh host sudo chpasswd",
            &["R32s1cPw"],
        ),
        (
            "s1d",
            "run.sh",
            "echo 'root:R32s1dPw' | timeout 10 chpasswd",
            &["R32s1dPw"],
        ),
        (
            "s1e",
            "run.sh",
            "echo 'root:R32s1ePw' | nohup chpasswd",
            &["R32s1ePw"],
        ),
        (
            "s1f",
            "run.sh",
            "echo 'root:R32s1fPw' | nice -n 10 chpasswd",
            &["R32s1fPw"],
        ),
        (
            "s1g",
            "run.sh",
            "echo 'root:R32s1gPw' | runuser -u root -- chpasswd",
            &["R32s1gPw"],
        ),
        (
            "s1h",
            "run.sh",
            "echo 'root:R32s1hPw' | stdbuf -o0 chpasswd",
            &["R32s1hPw"],
        ),
        (
            "s1i",
            "run.sh",
            "echo 'root:R32s1iPw' | command chpasswd",
            &["R32s1iPw"],
        ),
        (
            "s1j",
            "run.sh",
            "echo 'root:R32s1jPw' | \"chpasswd\"",
            &["R32s1jPw"],
        ),
        (
            "s1k",
            "run.sh",
            "echo 'root:R32s1kPw' | \\chpasswd",
            &["R32s1kPw"],
        ),
        (
            "s1l",
            "run.sh",
            "echo R32s1lPw | ssh host \"sudo -S reboot\"",
            &["R32s1lPw"],
        ),
        (
            "s1m",
            "run.sh",
            "echo 'root:R32s1mPw' |& chpasswd",
            &["R32s1mPw"],
        ),
        (
            "s1n",
            "run.sh",
            "echo 'root:R32s1nPw' | sudo -c staff chpasswd",
            &["R32s1nPw"],
        ),
        (
            "s1o",
            "run.sh",
            "echo 'root:R32s1oPw' | doas -a bsdauth chpasswd",
            &["R32s1oPw"],
        ),
        (
            "s1p",
            "run.sh",
            "yes 'R32s1pPw' | head -2 | passwd bob",
            &["R32s1pPw"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review32_finding_s2_redirection_before_here_document() {
    let found = shown(&[
        (
            "s2a",
            "run.sh",
            "chpasswd 2>&1 <<EOF\nroot:R32s2aPw\nEOF\n",
            &["R32s2aPw"],
        ),
        (
            "s2b",
            "run.sh",
            "passwd bob >/dev/null 2>&1 <<EOF\nR32s2bPw\nR32s2bPw\nEOF\n",
            &["R32s2bPw"],
        ),
        (
            "s2c",
            "run.sh",
            "chpasswd 2>&1 <<< 'root:R32s2cPw'",
            &["R32s2cPw"],
        ),
        (
            "s2d",
            "run.sh",
            "sudo chpasswd &>/dev/null <<EOF\r\nroot:R32s2dPw\r\nEOF\r\n",
            &["R32s2dPw"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review32_finding_s3_brace_inside_a_quoted_value_ends_the_block() {
    let found = shown(&[
        (
            "s3a",
            "vars.tf",
            "secrets = {\n  db  = \"R32s3aPw}tail\"\n  api = \"R32s3aKey\"\n}\n",
            &["tail", "R32s3aKey"],
        ),
        (
            "s3b",
            "consul.hcl",
            "acl {\n  tokens {\n    agent   = \"R32s3b}T\"\n    default = \"R32s3bDef\"\n  }\n}\n",
            &["R32s3bDef"],
        ),
        (
            "s3d",
            "vars.tf",
            "secrets {\n  db = <<EOT\nR32s3dPw}\nEOT\n  api = \"R32s3dKey\"\n}\n",
            &["R32s3dKey"],
        ),
        (
            "s3c",
            "vars.tf",
            "credentials {\n  # a brace } in a comment\n  api = \"R32s3cKey\"\n}\n",
            &["R32s3cKey"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review32_finding_s4_network_device_secrets() {
    let found = shown(&[
        ("s4a", "bgp.cfg", "router bgp 65000\n neighbor 10.0.0.1 password R32s4aPw\n", &["R32s4aPw"]),
        ("s4b", "ios.cfg", "snmp-server user mon grp v3 auth sha R32s4bAu priv aes 128 R32s4bPr\n", &["R32s4bAu", "R32s4bPr"]),
        ("s4c", "snmpd.conf", "createUser mon SHA \"R32s4cAu\" AES \"R32s4cPr\"\n", &["R32s4cAu", "R32s4cPr"]),
        ("s4d", "snmpd.conf", "trap2sink 10.0.0.1 R32s4dC\ntrapcommunity R32s4dD\n", &["R32s4dC", "R32s4dD"]),
        ("s4e", "ios.cfg", "interface g0\n ip ospf authentication-key R32s4eK\n ip ospf message-digest-key 1 md5 R32s4eM\n", &["R32s4eK", "R32s4eM"]),
        ("s4f", "ios.cfg", "enable password level 15 R32s4fPw\n", &["R32s4fPw"]),
        ("s4g", "ios.cfg", "snmp-server host 10.0.0.9 version 2c R32s4gC\nsnmp-server host 10.0.0.8 traps R32s4gD\n", &["R32s4gC", "R32s4gD"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review32_finding_s5_directives_in_other_layouts() {
    let found = shown(&[
        (
            "s5a",
            "lines.yaml",
            "lines:\n  - password R32s5aPw\n  - bindpw R32s5aBw\n",
            &["R32s5aPw", "R32s5aBw"],
        ),
        (
            "s5b",
            "main.tf",
            "variable \"db_password\" {\n  default = \"R32s5bPw\"\n}\n",
            &["R32s5bPw"],
        ),
        (
            "s5c",
            "squid.json",
            "{\"conf\": \"cache_peer p parent 3128 0\\tlogin=u:R32s5cPw\"}",
            &["R32s5cPw"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review32_finding_s6_json_web_key_members_in_other_syntaxes() {
    let found = shown(&[
        (
            "s6a",
            "jwk.toml",
            "[[keys]]\nkty = \"oct\"\nk = \"R32s6aKey\"\n",
            &["R32s6aKey"],
        ),
        (
            "s6b",
            "jwk.hcl",
            "jwk = {\n  kty = \"EC\"\n  d = \"R32s6bD\"\n}\n",
            &["R32s6bD"],
        ),
        (
            "s6c",
            "jwk.js",
            "module.exports = {kty:\"oct\",k:\"R32s6cKey\"}",
            &["R32s6cKey"],
        ),
        (
            "s6d",
            "jwk.py",
            "JWK = dict(kty='oct', k='R32s6dKey')",
            &["R32s6dKey"],
        ),
        (
            "s6e",
            "jwks.yaml",
            "keys:\n- kty: RSA\n  n: abc\n  d: >-\n    R32s6eD\n  p: x\n",
            &["R32s6eD"],
        ),
        (
            "s6f",
            "jwks.yaml",
            "keys:\n- kty: oct\n  k:\tR32s6fK\n",
            &["R32s6fK"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review32_finding_s7_openvpn_tls_crypt_v2_key() {
    let found = shown(&[
        ("s7a", "client.ovpn", "<tls-crypt-v2>\n-----BEGIN OpenVPN tls-crypt-v2 client key-----\nR32s7aKeyLine\n-----END OpenVPN tls-crypt-v2 client key-----\n</tls-crypt-v2>\n", &["R32s7aKeyLine"]),
        ("s7b", "openvpn.conf", "-----BEGIN OpenVPN tls-crypt-v2 server key-----\r\nR32s7bKeyLine\r\n-----END OpenVPN tls-crypt-v2 server key-----\r\n", &["R32s7bKeyLine"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review32_finding_s8_ncftp_password_switch() {
    let found = shown(&[
        (
            "s8a",
            "run.sh",
            "ncftp -u alice -p R32s8aPw ftp.example.com",
            &["R32s8aPw"],
        ),
        (
            "s8b",
            "run.sh",
            "ncftpput -u alice -p R32s8bPw host /in x.tgz",
            &["R32s8bPw"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review32_held_command_variants() {
    let found = shown(&[
        (
            "h1a",
            "run.sh",
            "printf 'root:%s\\n' R32h1aPw | chpasswd",
            &["R32h1aPw"],
        ),
        (
            "h1b",
            "run.sh",
            "(echo R32h1bPw; echo R32h1bPw) | passwd bob",
            &["R32h1bPw"],
        ),
        (
            "h1c",
            "run.sh",
            "chpasswd -e <<EOF 2>&1\nroot:R32h1cPw\nEOF\n",
            &["R32h1cPw"],
        ),
        (
            "h1d",
            "run.sh",
            "cat <<EOF | chpasswd 2>&1\nroot:R32h1dPw\nEOF\n",
            &["R32h1dPw"],
        ),
        (
            "h1e",
            "run.sh",
            "chpasswd <<EOF\r\nroot:R32h1ePw\r\nEOF\r\n",
            &["R32h1ePw"],
        ),
        (
            "h1f",
            "run.sh",
            "sudo -S reboot <<< R32h1fPw",
            &["R32h1fPw"],
        ),
        (
            "h1g",
            "run.sh",
            "echo R32h1gPw | sudo --stdin --user=root reboot",
            &["R32h1gPw"],
        ),
        (
            "h1h",
            "run.sh",
            "sqlplus -s sys/R32h1hPw as sysdba",
            &["R32h1hPw"],
        ),
        (
            "h1i",
            "run.sh",
            "sqlplus -S scott/R32h1iPw @run.sql",
            &["R32h1iPw"],
        ),
        (
            "h1j",
            "run.sh",
            "sqlldr userid=scott/R32h1jPw control=x.ctl",
            &["R32h1jPw"],
        ),
        (
            "h1k",
            "run.sh",
            "sqlldr scott/R32h1kPw control=x.ctl",
            &["R32h1kPw"],
        ),
        (
            "h1l",
            "run.sh",
            "rman nocatalog target sys/R32h1lPw",
            &["R32h1lPw"],
        ),
        (
            "h1m",
            "run.sh",
            "rman catalog rcat/R32h1mPa target sys/R32h1mPb",
            &["R32h1mPa", "R32h1mPb"],
        ),
        ("h1n", "run.sh", "RMAN TARGET sys/R32h1nPw", &["R32h1nPw"]),
        (
            "h1o",
            "run.sh",
            "rman target 'sys/R32h1oPw@db'",
            &["R32h1oPw"],
        ),
        (
            "h1p",
            "run.sh",
            "ftp -n host <<EOF\nquote USER alice\nquote pass R32h1pPw\nEOF\n",
            &["R32h1pPw"],
        ),
        (
            "h1q",
            "run.sh",
            "ftp -n host <<EOF\nuser\talice\tR32h1qPw\nEOF\n",
            &["R32h1qPw"],
        ),
        (
            "h1r",
            "run.sh",
            "ftp -inv host <<EOF\nUSER alice\nPASS R32h1rPw\nEOF\n",
            &["R32h1rPw"],
        ),
        (
            "h1s",
            "run.sh",
            "ftp -n host <<EOF\r\nuser alice R32h1sPw\r\nEOF\r\n",
            &["R32h1sPw"],
        ),
        (
            "h1t",
            "run.sh",
            "exp system/R32h1tPw file=x.dmp",
            &["R32h1tPw"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review32_held_directive_variants() {
    let found = shown(&[
        ("h2a", "haproxy.cfg", "userlist admins\n  user admin insecure-password R32h2aPw\n", &["R32h2aPw"]),
        ("h2b", "ios.cfg", "key chain k\n key 1\n  key-string R32h2bK\n", &["R32h2bK"]),
        ("h2c", "ios.cfg", "username admin privilege 15 password 0 R32h2cPw\r\n", &["R32h2cPw"]),
        ("h2d", "fluent.conf", "<match **>\n  password R32h2dA#R32h2dB\n</match>\n", &["R32h2dA", "R32h2dB"]),
        ("h2e", "redis.conf", "masterauth R32h2eA\nrequirepass R32h2eB\n", &["R32h2eA", "R32h2eB"]),
        ("h2f", "named.conf", "key \"x\" {\n\talgorithm hmac-sha256;\n\tsecret\t\"R32h2fSc\";\n};", &["R32h2fSc"]),
        ("h2g", "fluent.conf", "<match **>\n  password \"R32h2gPw\" # x\n  Password\tR32h2gQw  \n</match>\n", &["R32h2gPw", "R32h2gQw"]),
        ("h2h", "pgbouncer.ini", "[databases]\nmydb = host=db user=app password=R32h2hPw\n", &["R32h2hPw"]),
        ("h2i", "snmpd.conf", "rocommunity\t\"R32h2iC\"\tdefault\nrwcommunity6 R32h2iD\n", &["R32h2iC", "R32h2iD"]),
        ("h2j", "ios.cfg", "tacacs-server host 10.0.0.1 key 7 R32h2jK\nradius-server host 10.0.0.2 auth-port 1645 key R32h2jL\n", &["R32h2jK", "R32h2jL"]),
        ("h2k", "slapd.conf", "rootpw\t\"{SSHA}R32h2kPw\"\n", &["R32h2kPw"]),
        ("h2l", "users.txt", "\"app\"\t\"R32h2lPw\"\n\"ops\" \"R32h2lQw\" \n", &["R32h2lPw", "R32h2lQw"]),
        ("h2m", "vars.tf", "secrets = {db = \"R32h2mPw\", api = \"R32h2mKey\"}\n", &["R32h2mPw", "R32h2mKey"]),
        ("h2n", "haproxy.cfg", "listen stats\n    stats  auth \"ops:R32h2nPw\"\n", &["R32h2nPw"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review32_held_json_web_keys_and_armour() {
    let found = shown(&[
        ("h3a", "cfg.json", "{\"cfg\":\"{\\\"jwks\\\":\\\"{\\\\\\\"kty\\\\\\\":\\\\\\\"oct\\\\\\\",\\\\\\\"k\\\\\\\":\\\\\\\"R32h3aKey\\\\\\\"}\\\"}\"}", &["R32h3aKey"]),
        ("h3b", "jwk.go", "jwk := `{\n\t\"kty\": \"oct\",\n\t\"k\" : \"R32h3bKey\"\n}`", &["R32h3bKey"]),
        ("h3c", "jwks.yaml", "keys:\n- {kty: EC, crv: P-256, d: 'R32h3cD', x: a}\n", &["R32h3cD"]),
        ("h3d", "key.txt", "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\r\nComment: \"x\"\r\nR32h3dLine\r\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\r\n", &["R32h3dLine"]),
        ("h3e", "cert.pem", "-----BEGIN ARGO TUNNEL TOKEN-----\nR32h3eLine\n-----END ARGO TUNNEL TOKEN-----\n", &["R32h3eLine"]),
        ("h3f", "key.txt", "---- BEGIN SSH2 PRIVATE KEY ----\nR32h3fLine\n---- END SSH2 PRIVATE KEY ----\n", &["R32h3fLine"]),
        ("h3g", "key.txt", "-----BEGIN ED25519-V3 PRIVATE KEY-----\nR32h3gLine\n-----END ED25519-V3 PRIVATE KEY-----\n", &["R32h3gLine"]),
        ("h3h", "key.txt", "-----BEGIN PRIVATE KEY-----\tR32h3hLine -----END PRIVATE KEY-----", &["R32h3hLine"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

/// The settings' own password (the server logs in with it) in spellings that pass through the
/// shortcuts (`spellings_held`, `Radix::may_start`, `units_of`, `read_through_breaks`): hidden
/// in the server's answer (the plugin holds a token, not this password).
#[tokio::test]
async fn review32_held_own_secret_spellings() {
    use base64::Engine;
    let pw = crate::PASSWORD;
    let bytes = pw.as_bytes();
    let hex = |sep: &str, upper: bool| {
        bytes
            .iter()
            .map(|b| {
                if upper {
                    format!("{b:02X}")
                } else {
                    format!("{b:02x}")
                }
            })
            .collect::<Vec<_>>()
            .join(sep)
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let texts = vec![
        format!("pw {pw} end"),
        format!("x{}y", hex("", false)),
        hex(":", true),
        hex(", 0x", false),
        bytes
            .iter()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        bytes
            .iter()
            .map(|b| format!("\\{b:03o}"))
            .collect::<String>(),
        b64.encode(format!("admin:{pw}")),
        b64.encode(format!("xy{pw}z")),
        {
            let e = b64.encode(format!("user=admin&password={pw}&x=1"));
            format!("{}\n  {}", &e[..20], &e[20..])
        },
        serde_json::to_string(&serde_json::to_string(&format!("\"{pw}\"")).unwrap()).unwrap(),
        pw.chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect::<String>(),
        pw.chars()
            .map(|c| format!("%{:02X}", c as u32))
            .collect::<String>(),
        format!("{}\r\n{}", &pw[..7], &pw[7..]),
    ];
    let world = crate::World::new().await;
    let objects: Vec<serde_json::Value> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            config_map(
                Box::leak(format!("own{i}").into_boxed_str()),
                json!({"f": t}),
            )
        })
        .collect();
    crate::planting::plant_live(&world, &objects);
    let env = crate::planting::plugin_env(&world.standin);
    let mut shown = Vec::new();
    for (object, text) in objects.iter().zip(&texts) {
        let (server, _) = crate::planting::read_live(&world, &env, object).await;
        let escaped = serde_json::to_string(text).unwrap();
        let inner = &escaped[1..escaped.len() - 1];
        println!("own {text}: {}", &server[..server.len().min(400)]);
        if server.contains(inner) || server.contains(pw) {
            shown.push(format!("{text}: {server}"));
        }
    }
    assert!(shown.is_empty(), "{shown:#?}");
}

/// Delete hooks of payments (non-cascade): an Application hook with only `generateName`, and
/// one named as an app of another project in another namespace; both refused, nothing sent.
#[tokio::test]
async fn review32_held_non_cascade_delete_hooks() {
    let mine = json!({"project": "payments",
        "source": {"repoURL": "https://git.example.com/x.git", "path": "prod"},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "payments"}});
    let cases = vec![
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"generateName": "r32-", "annotations": {"argocd.argoproj.io/hook": "PreDelete"}},
            "spec": mine.clone()}),
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "guestbook", "namespace": "argocd",
                "annotations": {"helm.sh/hook": "post-delete"}},
            "spec": mine.clone()}),
        json!({"apiVersion": "ARGOPROJ.IO/v1alpha1", "kind": "application",
            "metadata": {"name": "guestbook", "namespace": "argocd",
                "annotations": {"argocd.argoproj.io/hook": "predelete"}},
            "spec": mine}),
    ];
    let mut passed = Vec::new();
    for (i, case) in cases.into_iter().enumerate() {
        let mut world = crate::World::new().await;
        world.set("allowed_projects", "payments");
        let world = crate::planting::without_auto_sync(world);
        world
            .standin
            .state()
            .review_git
            .insert("payments".into(), vec![case]);
        let answer = world
            .call(
                "delete_argocd_app",
                json!({"app_name": "payments", "cascade": false, "confirm": true}),
            )
            .await;
        let sent = crate::planting::sent_writes(&world);
        println!("hook case {i}: {answer}");
        if !(answer["isError"] == true && sent.is_empty()) {
            passed.push(format!("case {i}: {answer} {sent:?}"));
        }
    }
    assert!(passed.is_empty(), "{passed:#?}");
}

/// Deeper escaping (JSON text inside a JSON string inside a ConfigMap's JSON file), YAML block
/// scalars with tabs, CRLF and mixed case.
#[tokio::test]
async fn review32_held_escaped_and_laid_out() {
    let found = shown(&[
        ("h4a", "a.json", "{\"a\":\"{\\\"s\\\":\\\"chpasswd <<EOF\\\\nroot:R32h4aPw\\\\nEOF\\\"}\"}", &["R32h4aPw"]),
        ("h4b", "a.json", "{\"a\":\"{\\\"f\\\":\\\"<match>\\\\n  password R32h4bPw\\\\n</match>\\\"}\"}", &["R32h4bPw"]),
        ("h4c", "a.json", "{\"a\":\"{\\\"t\\\":\\\"secrets = {\\\\n  db = \\\\\\\"R32h4cPw\\\\\\\"\\\\n}\\\"}\"}", &["R32h4cPw"]),
        ("h4d", "a.json", "{\"a\":\"{\\\"h\\\":\\\"listen s\\\\n  stats auth admin:R32h4dPw\\\\n\\\"}\"}", &["R32h4dPw"]),
        ("h4e", "a.json", "{\"log\":\"-----BEGIN OpenVPN Static key V1-----\\n\\tR32h4eLine\\n-----END OpenVPN Static key V1-----\"}", &["R32h4eLine"]),
        ("h4f", "a.yaml", "script: |\n  chpasswd <<-EOF\n  \troot:R32h4fPw\n  \tEOF\n", &["R32h4fPw"]),
        ("h4g", "squid.conf", "cache_peer p parent 3128 0 no-query LOGIN=u:R32h4gPw\n", &["R32h4gPw"]),
        ("h4h", "fluent.conf", "<match **>\n  PassWord   R32h4hPw\r\n</match>\r\n", &["R32h4hPw"]),
        ("h4i", "vars.tf", "Secrets = {\r\n\tdb = \"R32h4iPw\"\r\n}\r\n", &["R32h4iPw"]),
    ])
    .await;
    crate::planting::assert_none(found);
}

/// Second exploration: deeper escaping and a few more network shapes (printed, not asserted).
#[tokio::test]
#[ignore = "a probe: run it by hand with --ignored"]
async fn review32_probe_explore_escaped() {
    let found = shown(&[
        ("e01", "a.json", "{\"a\":\"{\\\"s\\\":\\\"chpasswd <<EOF\\\\nroot:R32e01Pw\\\\nEOF\\\"}\"}", &["R32e01Pw"]),
        ("e02", "a.json", "{\"a\":\"{\\\"f\\\":\\\"<match>\\\\n  password R32e02Pw\\\\n</match>\\\"}\"}", &["R32e02Pw"]),
        ("e03", "a.json", "{\"a\":\"{\\\"u\\\":\\\"\\\\\\\"app\\\\\\\" \\\\\\\"R32e03Pw\\\\\\\"\\\\n\\\"}\"}", &["R32e03Pw"]),
        ("e04", "a.json", "{\"a\":\"{\\\"t\\\":\\\"secrets = {\\\\n  db = \\\\\\\"R32e04Pw\\\\\\\"\\\\n}\\\"}\"}", &["R32e04Pw"]),
        ("e05", "a.json", "{\"a\":\"{\\\"h\\\":\\\"listen s\\\\n  stats auth admin:R32e05Pw\\\\n\\\"}\"}", &["R32e05Pw"]),
        ("e06", "ios.cfg", "snmp-server host 10.0.0.9 version 2c R32e06C\nsnmp-server host 10.0.0.8 traps R32e06D\n", &["R32e06C", "R32e06D"]),
        ("e07", "a.json", "{\"log\":\"-----BEGIN OpenVPN Static key V1-----\\n\\tR32e07Line\\n-----END OpenVPN Static key V1-----\"}", &["R32e07Line"]),
        ("e08", "run.sh", "yes 'R32e08Pw' | head -2 | passwd bob", &["R32e08Pw"]),
        ("e09", "a.yaml", "script: |\n  chpasswd <<-EOF\n  \troot:R32e09Pw\n  \tEOF\n", &["R32e09Pw"]),
        ("e10", "a.json", "{\"a\":\"{\\\"k\\\":\\\"{\\\\\\\"kty\\\\\\\":\\\\\\\"oct\\\\\\\"} k: R32e10K\\\"}\"}", &["R32e10K"]),
        ("e11", "squid.conf", "cache_peer p parent 3128 0 no-query LOGIN=u:R32e11Pw\n", &["R32e11Pw"]),
        ("e12", "fluent.conf", "<match **>\n  PassWord   R32e12Pw\r\n</match>\r\n", &["R32e12Pw"]),
        ("e13", "vars.tf", "Secrets = {\r\n\tdb = \"R32e13Pw\"\r\n}\r\n", &["R32e13Pw"]),
        ("e14", "vars.tf", "secrets {\n  db = <<EOT\nR32e14Pw}\nEOT\n  api = \"R32e14Key\"\n}\n", &["R32e14Key"]),
    ])
    .await;
    println!("FOUND:\n{}", found.join("\n"));
}

/// Cost of the guard's walk: payments (allowed) lists `n` child Applications in its status; a
/// cascade delete is refused by the read bound, and the time to refuse is printed (the `seen`
/// list is searched once per child).
#[tokio::test]
#[ignore = "a probe: run it by hand with --ignored"]
async fn review32_probe_guard_walk_cost() {
    for n in [2_000usize, 8_000, 32_000] {
        let mut world = crate::World::new().await;
        world.set("allowed_projects", "payments");
        let world = crate::planting::without_auto_sync(world);
        {
            let mut state = world.standin.state();
            let record = state.apps.get_mut("payments").unwrap();
            let resources = record.app["status"]["resources"].as_array_mut().unwrap();
            for i in 0..n {
                resources.push(json!({"group": "argoproj.io", "version": "v1alpha1",
                    "kind": "Application", "namespace": "argocd", "name": format!("child-{i}"),
                    "status": "Synced"}));
            }
        }
        let started = std::time::Instant::now();
        let answer = world
            .call(
                "delete_argocd_app",
                json!({"app_name": "payments", "cascade": true, "confirm": true}),
            )
            .await;
        let reads = world.standin.requests().len();
        println!(
            "review32 guard walk {n}: {:?}, {reads} requests, error {} {}",
            started.elapsed(),
            answer["isError"],
            &answer.to_string()[..300.min(answer.to_string().len())]
        );
    }
}
