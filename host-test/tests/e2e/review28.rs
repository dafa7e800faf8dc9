//! Twenty-eighth hostile review (issue 19): today's own-secret hex spellings and command rules
//! attacked through both built components (server `get_argocd_app_status` /
//! `get_argocd_resource`, plugin alike). Time box 18 minutes: the allow-list was not reached.
//!
//! Findings (each `review28_finding_*` asserts the secure behaviour; all are fixed and their
//! tests run: H1 and H3 (separators `[ \t,:.-_]` and line breaks, up to four, and `0x` before
//! each byte); H2 (`hex_line_skipped` reads indented, `0x`-prefixed and 4-digit offsets) and H4
//! (`listed_hidden_in` reads decimal byte lists too); C1-C4 in `commands.rs` (quoted words
//! hold their spaces, tabs separate words, `past_continuation` for a flag's value, `.exe`,
//! `.bat`, `.cmd` and the `` ` `` and `^` continuations)):
//!
//! - H1 (medium, own secrets, both; `own_secrets.rs` `hex_hidden_in`) hex bytes each with a
//!   `0x` prefix, as `xxd -i` (`0x41, 0x64, …`) or a log of a byte array writes them: the
//!   separator read is one of `:`, `-`, `.` or up to two spaces, never `, 0x` or ` 0x`.
//! - H2 (low, own secrets, both; `hex_line_skipped`) dumps whose offsets are not 6..16 bare
//!   hex digits: `tcpdump -X` (`\t0x0010:  `) and Wireshark's 4-digit offsets: a password
//!   crossing the line break is shown on the next line.
//! - H3 (low, own secrets, both; `hex_hidden_in`) other separators between bytes: `,`, `_`, a
//!   tab, three spaces.
//! - H4 (low, own secrets, both) the password's bytes in decimal, as Go's `fmt` prints a
//!   `[]byte` (`[65 100 109 …]`) and Java's `Arrays.toString` (`[65, 100, …]`): no decimal
//!   spelling exists.
//! - C1 (medium, commands, both; `commands.rs` word reading for `nth_plain_after`) a quoted
//!   positional argument holding a space before the password (`mc alias set "my minio" URL AK
//!   SECRET`, `rabbitmqctl add_user 'ad min' SECRET`): quotes are not read, the count shifts
//!   by one, SECRET shown.
//! - C2 (low, commands, both) words separated by tabs (`mc\talias\tset…`,
//!   `rabbitmqctl\tadd_user…`): `positional_password` matches `"mc "` with a space only.
//! - C3 (low, commands, both) `ldappasswd -x -S -s \` then the new password on the next line:
//!   a value flag followed by a continuation.
//! - C4 (low, commands, both) Windows spellings: `mc.exe`, `rabbitmqctl.bat`, PowerShell's
//!   backtick and cmd's `^` continuations.
//!
//! Held: `\x41\x64` escapes, hex in 4-byte groups; `mc --insecure alias set`, two spaces,
//! Dockerfile `RUN … &&`, inside YAML args, a trailing `--api`, `--path auto` before, a blank
//! continued line, `rabbitmqctl add_user --`, `--node`, `docker exec`/`kubectl exec --`
//! prefixes, CRLF continuation of `change_password`, `ldappasswd -s{PW}`, `-a{PW}`, `-xs PW`.
//! Cost held: 128 KB of `mc `, `mc alias set \`+newline, `rabbitmqctl -n x `, `ldappasswd -s \`,
//! spaces/tabs/CR continuations and near-miss hex lines each read (world start and both
//! components) in 0.16-0.67 s. Allow-list (probe only, `review28_probe_auto_sync_patches`):
//! with auto-sync on, a helm values change, a destination change with `automated.enabled:
//! false` and `ignoreDifferences` are refused; metadata annotations, `CreateNamespace` with
//! `managedNamespaceMetadata`, and a top-level `operation` (sync of another source) pass the
//! guard (Argo CD's API `Patch` keeps spec, labels, annotations, finalizers only: unverified
//! here). Not reached: false positives of the new spellings.

use serde_json::json;

use crate::planting::{LiveShape, config_map, leaks_in_live, plant_conditions, plugin_status};

const PW: &str = "Zq9R28hunterPw";

async fn own_secret_shown(password: &str, spellings: &[(&str, String, String)]) -> Vec<String> {
    let world = crate::planting::world_with_password(password).await;
    let env = crate::planting::password_plugin_env(&world.standin, password);
    let mut shown = Vec::new();
    for (name, spelling, part) in spellings {
        let message = format!("upstream said: {spelling} R28own");
        plant_conditions(&world.standin, "guestbook", &[("m", message, "")]);
        let server = world
            .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await
            .to_string();
        let plugin = plugin_status(&env).await;
        for (component, answer) in [("server", &server), ("plugin", &plugin)] {
            assert!(answer.contains("R28own"), "{component} {name}: {answer}");
            if answer.contains(part.as_str()) {
                println!("review28 {component} {name}: {answer}");
                shown.push(format!("{component} {name}"));
            }
        }
    }
    shown
}

fn hex_of(bytes: &[u8], sep: &str) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(sep)
}

/// `bytes` as `tcpdump -X` writes them: a tab, `0x0010:`, two spaces, 8 groups of two bytes.
fn tcpdump_x(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (line, chunk) in bytes.chunks(16).enumerate() {
        out.push_str(&format!("\t0x{:04x}:  ", line * 16));
        let groups: Vec<String> = chunk.chunks(2).map(|p| hex_of(p, "")).collect();
        out.push_str(&groups.join(" "));
        let ascii: String = chunk
            .iter()
            .map(|b| {
                if b.is_ascii_graphic() {
                    *b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&format!("  {ascii}\n"));
    }
    out
}

/// `bytes` as Wireshark's "Copy as Hex + ASCII dump" writes them: 4-digit offsets.
fn wireshark(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (line, chunk) in bytes.chunks(16).enumerate() {
        out.push_str(&format!("{:04x}   {}", line * 16, hex_of(chunk, " ")));
        out.push_str("   ........\n");
    }
    out
}

fn hex0x(bytes: &[u8], sep: &str) -> String {
    bytes
        .iter()
        .map(|b| format!("0x{b:02x}"))
        .collect::<Vec<_>>()
        .join(sep)
}

/// The spellings probed (name, text, part that must not show).
fn hex_spellings() -> Vec<(&'static str, String, String)> {
    let pw = crate::PASSWORD.as_bytes();
    let mut before = b"POST /login HTTP/1.1 body: pw=".to_vec();
    before.extend_from_slice(pw);
    let tcp = tcpdump_x(&before);
    let ws = wireshark(&before);
    let dec: Vec<String> = pw.iter().map(|b| b.to_string()).collect();
    vec![
        (
            "xxd -i",
            format!("unsigned char pw[] = {{\n  {}\n}};", hex0x(pw, ", ")),
            hex0x(&pw[..5], ", "),
        ),
        ("0x spaced", hex0x(pw, " "), hex0x(&pw[..5], " ")),
        (
            "C escapes",
            pw.iter().map(|b| format!("\\x{b:02x}")).collect(),
            { pw[..5].iter().map(|b| format!("\\\\x{b:02x}")).collect() },
        ),
        (
            "tcpdump -X",
            tcp.clone(),
            tcp.lines().nth(2).unwrap()[10..24].to_owned(),
        ),
        (
            "wireshark",
            ws.clone(),
            ws.lines().nth(2).unwrap()[7..20].to_owned(),
        ),
        (
            "go []byte",
            format!("[{}]", dec.join(" ")),
            dec[..6].join(" "),
        ),
        (
            "java Arrays",
            format!("[{}]", dec.join(", ")),
            dec[..6].join(", "),
        ),
        ("hex comma", hex_of(pw, ","), hex_of(&pw[..6], ",")),
        ("hex underscore", hex_of(pw, "_"), hex_of(&pw[..6], "_")),
        ("hex tab", hex_of(pw, "\t"), hex_of(&pw[..6], "\\t")),
        (
            "hex three spaces",
            hex_of(pw, "   "),
            hex_of(&pw[..6], "   "),
        ),
        (
            "hex 4-groups",
            pw.chunks(4)
                .map(|c| hex_of(c, ""))
                .collect::<Vec<_>>()
                .join(" "),
            hex_of(&pw[..4], ""),
        ),
    ]
}

async fn hex_shown(names: &[&str]) -> Vec<String> {
    let picked: Vec<_> = hex_spellings()
        .into_iter()
        .filter(|(n, _, _)| names.contains(n))
        .collect();
    assert_eq!(picked.len(), names.len());
    own_secret_shown(crate::PASSWORD, &picked).await
}

/// H1: `0x41, 0x64, …` (`xxd -i`) and `0x41 0x64 …`: the password shown in hex.
#[tokio::test]
async fn review28_finding_h1_hex_with_0x_prefixes_is_shown() {
    let shown = hex_shown(&["xxd -i", "0x spaced"]).await;
    assert!(shown.is_empty(), "shown: {shown:?}");
}

/// H2: `tcpdump -X` and Wireshark dumps, the password crossing a line break.
#[tokio::test]
async fn review28_finding_h2_tcpdump_and_wireshark_dumps_across_lines_are_shown() {
    let shown = hex_shown(&["tcpdump -X", "wireshark"]).await;
    assert!(shown.is_empty(), "shown: {shown:?}");
}

/// H3: hex bytes separated by `,`, `_`, a tab, three spaces.
#[tokio::test]
async fn review28_finding_h3_hex_with_other_separators_is_shown() {
    let shown = hex_shown(&["hex comma", "hex underscore", "hex tab", "hex three spaces"]).await;
    assert!(shown.is_empty(), "shown: {shown:?}");
}

/// H4: the password's bytes in decimal (Go `[]byte` with `%v`, Java `Arrays.toString`).
#[tokio::test]
async fn review28_finding_h4_decimal_byte_lists_are_shown() {
    let shown = hex_shown(&["go []byte", "java Arrays"]).await;
    assert!(shown.is_empty(), "shown: {shown:?}");
}

#[tokio::test]
async fn review28_held_hex_escapes_and_groups() {
    let shown = hex_shown(&["C escapes", "hex 4-groups"]).await;
    assert!(shown.is_empty(), "shown: {shown:?}");
}

fn script(name: &'static str, text: String) -> LiveShape {
    (
        name,
        config_map(
            &format!("r28-{}", name.replace([' ', '/', ',', '.'], "-")),
            json!({"run.sh": text}),
        ),
        &[PW],
    )
}

#[tokio::test]
async fn review28_finding_c1_quoted_argument_with_a_space_shifts_the_count() {
    let shapes = vec![
        script(
            "mc quoted alias",
            format!("mc alias set \"my minio\" http://h:9000 AK28 {PW}\n"),
        ),
        script(
            "rabbit quoted user",
            format!("rabbitmqctl add_user 'ad min' {PW}\n"),
        ),
    ];
    crate::planting::assert_none(leaks_in_live(&shapes).await);
}

#[tokio::test]
async fn review28_finding_c2_tab_separated_words_are_not_read() {
    let shapes = vec![
        script(
            "mc tab",
            format!("mc\talias\tset\tm\thttp://h:9000\tAK28\t{PW}\n"),
        ),
        script(
            "rabbit tab",
            format!("rabbitmqctl\tadd_user\tadmin\t{PW}\n"),
        ),
    ];
    crate::planting::assert_none(leaks_in_live(&shapes).await);
}

#[tokio::test]
async fn review28_finding_c3_ldappasswd_value_on_a_continued_line() {
    let shapes = vec![script(
        "ldappasswd long",
        format!("ldappasswd -x -S -s \\\n  {PW} uid=u\n"),
    )];
    crate::planting::assert_none(leaks_in_live(&shapes).await);
}

#[tokio::test]
async fn review28_finding_c4_windows_spellings_are_shown() {
    let shapes = vec![
        script(
            "mc dot exe",
            format!("mc.exe alias set m http://h:9000 AK28 {PW}\n"),
        ),
        script(
            "mc powershell",
            format!("mc alias set m `\n  http://h:9000 `\n  AK28 `\n  {PW}\n"),
        ),
        script(
            "mc cmd caret",
            format!("mc alias set m ^\r\n  http://h:9000 ^\r\n  AK28 ^\r\n  {PW}\r\n"),
        ),
        script(
            "rabbit bat",
            format!("rabbitmqctl.bat add_user admin {PW}\n"),
        ),
    ];
    crate::planting::assert_none(leaks_in_live(&shapes).await);
}

#[tokio::test]
async fn review28_held_command_neighbours() {
    let shapes = vec![
        script(
            "mc global flag",
            format!("mc --insecure alias set m http://h:9000 AK28 {PW}\n"),
        ),
        script(
            "mc two spaces",
            format!("mc  alias  set m http://h:9000 AK28 {PW}\n"),
        ),
        script(
            "mc dockerfile",
            format!("RUN mc alias set m http://h:9000 AK28 {PW} && mc ls m\n"),
        ),
        script(
            "mc in yaml args",
            format!("args: [\"mc alias set m http://h:9000 AK28 {PW}\"]\n"),
        ),
        script(
            "mc valued flag",
            format!("mc alias set m http://h:9000 AK28 {PW} --api S3v4\n"),
        ),
        script(
            "mc path flag",
            format!("mc alias set --path auto m http://h:9000 AK28 {PW}\n"),
        ),
        script(
            "mc continued comment",
            format!("mc alias set m http://h:9000 \\\n  AK28 \\\n  \\\n  {PW}\n"),
        ),
        script(
            "rabbit double dash",
            format!("rabbitmqctl add_user -- admin {PW}\n"),
        ),
        script(
            "rabbit long opt",
            format!("rabbitmqctl --node rabbit@db add_user admin {PW}\n"),
        ),
        script(
            "rabbit in docker exec",
            format!("docker exec rmq rabbitmqctl add_user admin {PW}\n"),
        ),
        script(
            "rabbit kubectl exec",
            format!("kubectl exec rmq-0 -- rabbitmqctl add_user admin {PW}\n"),
        ),
        script(
            "rabbit change continued",
            format!("rabbitmqctl change_password admin \\\r\n   {PW}\n"),
        ),
        script(
            "ldappasswd s cluster",
            format!("ldappasswd -xD cn=admin -w x -s{PW} uid=u\n"),
        ),
        script(
            "ldappasswd a",
            format!("ldappasswd -x -a{PW} -s other uid=u\n"),
        ),
        script(
            "ldappasswd xs cluster",
            format!("ldappasswd -xs {PW} uid=u\n"),
        ),
    ];
    crate::planting::assert_none(leaks_in_live(&shapes).await);
}

/// Cost: 128 KB hostile command texts (many command starts on one continued line) read through
/// both components, nothing shown; the time printed (well under a second each on 2 cores; no
/// timing assertion, which a busy machine fails).
#[tokio::test]
async fn review28_held_cost_of_hostile_command_texts() {
    let big = |unit: &str| unit.repeat(128 * 1024 / unit.len());
    let shapes = vec![
        script("cost mc", big("mc ")),
        script("cost mc continued", big("mc alias set \\\n")),
        script("cost rabbit", big("rabbitmqctl -n x ")),
        script("cost ldap", big("ldappasswd -s \\\n")),
        script("cost spaces", big("mc alias set m u k  \t\\ \r\n")),
        script(
            "cost hex",
            big("41 64 6d 31 6e 2d 73 33 63 72 65 74 2d 70  \n"),
        ),
    ];
    for shape in shapes {
        let started = std::time::Instant::now();
        let name = shape.0;
        let found = leaks_in_live(&[shape]).await;
        let took = started.elapsed();
        println!("review28 cost {name}: {took:?}");
        assert!(found.is_empty(), "{name}: {found:?}");
    }
}

/// Allow-list probe: patches of `payments` with auto-sync on (printed, not asserted).
#[tokio::test]
#[ignore = "a probe: run it by hand with --ignored"]
async fn review28_probe_auto_sync_patches() {
    let patches = [
        json!({"metadata": {"annotations": {"argocd.argoproj.io/manifest-generate-paths": "/x"}}}),
        json!({"spec": {"source": {"targetRevision": "evil", "helm": {"values": "x: 1"}}}}),
        json!({"spec": {"syncPolicy": {"syncOptions": ["CreateNamespace=true"],
               "managedNamespaceMetadata": {"labels": {"a": "b"}}}}}),
        json!({"spec": {"destination": {"namespace": "kube-system"}, "syncPolicy": {"automated": {"enabled": false}}}}),
        json!({"operation": {"sync": {"revision": "evil", "source": {"repoURL": "https://git.example.com/x.git", "path": "hooks"}}}}),
        json!({"spec": {"ignoreDifferences": [{"kind": "Secret", "jsonPointers": ["/data"]}]}}),
    ];
    for patch in patches {
        let mut world = crate::World::new().await;
        world.set("allowed_projects", "payments");
        world.standin.state().apps.get_mut("payments").unwrap().app["spec"]["syncPolicy"] =
            json!({"automated": {"selfHeal": true}});
        let answer = world
            .call(
                "patch_argocd_app",
                json!({"app_name": "payments", "confirm": true, "patch": patch}),
            )
            .await;
        println!("review28 patch {patch} -> {answer}");
    }
}
