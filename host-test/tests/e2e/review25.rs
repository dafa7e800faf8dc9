//! Twenty-fifth hostile review (issue 19): the review24 fixes (87798ae) attacked through the
//! built components.
//!
//! Findings (each `review25_finding_*` asserts the secure behaviour, fails today, and is
//! ignored so the suite stays green):
//!
//! - L1 (medium, anchors) `list_owner` misses: a nested list (`- - *pw`, `-\n    - *pw`), a
//!   comment after the owner (`passwords: # db`) or a comment line between, a flow list over
//!   lines (`apiKeys: [\n  *pw\n]`), a nested flow list (`[[*pw]]`), the owner more than 512
//!   bytes above (40 items between). The anchored value is shown. Both components,
//!   `get_argocd_resource` of a ConfigMap holding values text.
//! - L2 (medium, commands) clustered flags: `zip -rP PW`, `unzip -oP PW` (the common forms) in
//!   text and as command lists; `zip -PPW` attached. Both components.
//! - L3 (low, commands) siblings not named: `7zr -pPW`, `p7zip -pPW`, `mongofiles -p PW`.
//!
//! Fixed since (their tests run): L1 (`anchors.rs` `list_owner`, an owner past the bound
//! taken for a credential's), L2 and L3 (`commands.rs` getopt clusters, sibling commands).
//! Still shown (not filed): an alias in a map that is a credential's list item (`- {value:
//! *pw}`, `- name: x` then `value: *pw`).
//!
//! Held: `passwords:\n  - *pw`, CRLF, a tab before the dash, a quoted owner key;
//! `redis-benchmark -a`, `redis-cli` with tabs, `openssl enc -k`, `mongodump -p`/`-pPW`,
//! `cqlsh -p`, `rabbitmqadmin -p`, `7z -pPW` (path too), `sudo`/`sh -c` prefixes, `zip` with
//! `-P` in `args` after `command: [zip]`, 7z/openssl/redis-benchmark/mongorestore command lists.
//! Not reached: the own-secrets order in progress messages (`ScrubbedProgress` runs
//! `without_credentials` with no own-secrets pass before the sink's), the feed, approval
//! questions; 128 KB timing.
use serde_json::json;

use crate::planting::{LiveShape, leaks_in_live, leaks_in_named_conditions};

const PW: &str = "Zq9hunterAnch0r";

fn anchor_shapes() -> Vec<(&'static str, String)> {
    let pad: String = (0..40)
        .map(|i| format!("  - item-number-{i:04}\n"))
        .collect();
    vec![
        (
            "plain list",
            format!("common: &pw {PW}\npasswords:\n  - *pw\n"),
        ),
        (
            "nested list",
            format!("common: &pw {PW}\npasswords:\n  - - *pw\n"),
        ),
        (
            "nested list block",
            format!("common: &pw {PW}\npasswords:\n  -\n    - *pw\n"),
        ),
        (
            "comment after owner",
            format!("common: &pw {PW}\npasswords: # db\n  - *pw\n"),
        ),
        (
            "comment line between",
            format!("common: &pw {PW}\npasswords:\n  # the db\n  - *pw\n"),
        ),
        (
            "crlf",
            format!("common: &pw {PW}\r\npasswords:\r\n  - *pw\r\n"),
        ),
        ("tabs", format!("common: &pw {PW}\npasswords:\n\t- *pw\n")),
        (
            "quoted key",
            format!("common: &pw {PW}\n\"passwords\":\n  - *pw\n"),
        ),
        (
            "flow map in list",
            format!("common: &pw {PW}\npasswords:\n  - {{value: *pw}}\n"),
        ),
        (
            "flow multiline",
            format!("common: &pw {PW}\napiKeys: [\n  *pw\n]\n"),
        ),
        (
            "flow comment",
            format!("common: &pw {PW}\napiKeys: [ *pw ] # k\n"),
        ),
        (
            "flow nested",
            format!("common: &pw {PW}\napiKeys: [[*pw]]\n"),
        ),
        (
            "owner far above",
            format!("common: &pw {PW}\npasswords:\n{pad}  - *pw\n"),
        ),
        (
            "owner dash then key",
            format!("common: &pw {PW}\npasswords:\n  - name: x\n    value: *pw\n"),
        ),
    ]
}

/// Anchor shapes as condition messages of guestbook through both components.
#[tokio::test]
#[ignore = "a probe: run it by hand with --ignored"]
async fn review25_probe_anchor_shapes() {
    let shapes = anchor_shapes();
    let named: Vec<(&str, &str, &str)> = shapes.iter().map(|(n, t)| (*n, t.as_str(), PW)).collect();
    let found = leaks_in_named_conditions(&named).await;
    for f in &found {
        eprintln!("ANCHORCOND {f}");
    }
    let names: Vec<String> = (0..shapes.len()).map(|i| format!("r25-a{i}")).collect();
    let objects: Vec<LiveShape> = shapes
        .iter()
        .zip(&names)
        .map(|((n, t), m)| {
            let n: &'static str = n;
            let m: &'static str = Box::leak(m.clone().into_boxed_str());
            let t: &'static str = Box::leak(t.clone().into_boxed_str());
            (
                n,
                crate::planting::config_map(m, json!({"values.yaml": t})),
                &[PW][..],
            )
        })
        .collect();
    for f in leaks_in_live(&objects).await {
        eprintln!("ANCHORLEAK {f}");
    }
}

/// Command shapes as condition messages.
#[tokio::test]
#[ignore = "a probe: run it by hand with --ignored"]
async fn review25_probe_command_shapes() {
    let shapes: Vec<(&str, &str, &str)> = vec![
        (
            "zip -rP",
            "zip -rP Zq9zipClustered out.zip dir",
            "Zq9zipClustered",
        ),
        (
            "unzip -oP",
            "unzip -oP Zq9unzipClustered a.zip",
            "Zq9unzipClustered",
        ),
        (
            "unzip -qo -P",
            "unzip -qo -P Zq9unzipSep a.zip",
            "Zq9unzipSep",
        ),
        (
            "zip -P attached",
            "zip -PZq9zipAttached out.zip dir",
            "Zq9zipAttached",
        ),
        (
            "redis-benchmark -a",
            "redis-benchmark -h r -a Zq9benchSpaced -n 10",
            "Zq9benchSpaced",
        ),
        (
            "redis-cli -a tab",
            "redis-cli\t-a\tZq9redisTab ping",
            "Zq9redisTab",
        ),
        (
            "openssl -k",
            "openssl enc -aes-256-cbc -k Zq9opensslK -in a",
            "Zq9opensslK",
        ),
        (
            "openssl -kfile?",
            "openssl aes-256-cbc -d -k Zq9opensslD",
            "Zq9opensslD",
        ),
        (
            "mongodump -p",
            "mongodump -u admin -p Zq9mongoSpaced --db x",
            "Zq9mongoSpaced",
        ),
        (
            "mongodump -pattached",
            "mongodump -u admin -pZq9mongoAttached",
            "Zq9mongoAttached",
        ),
        (
            "cqlsh -p",
            "cqlsh -u cassandra -p Zq9cqlsh host",
            "Zq9cqlsh",
        ),
        (
            "rabbitmqadmin -p",
            "rabbitmqadmin -u guest -p Zq9rabbit list queues",
            "Zq9rabbit",
        ),
        ("7z -p", "7z x -pZq9sevenZip a.7z", "Zq9sevenZip"),
        (
            "7z a -mhe -p",
            "7z a -mhe=on -pZq9sevenHe a.7z f",
            "Zq9sevenHe",
        ),
        (
            "7z path",
            "/usr/bin/7z x -pZq9sevenPath a.7z",
            "Zq9sevenPath",
        ),
        ("7zr", "7zr x -pZq9sevenR a.7z", "Zq9sevenR"),
        ("p7zip", "p7zip -d -pZq9p7zip a.7z", "Zq9p7zip"),
        (
            "mongosh uri then -p",
            "mongosh mongodb://h/db --username u -p Zq9mongosh",
            "Zq9mongosh",
        ),
        (
            "mongofiles",
            "mongofiles -u u -p Zq9mongofiles list",
            "Zq9mongofiles",
        ),
        (
            "bsondump-ish mongoexport",
            "mongoexport --uri x -u u -p Zq9mongoexport",
            "Zq9mongoexport",
        ),
        ("zipcloak", "zipcloak -P Zq9zipcloak a.zip", "Zq9zipcloak"),
        ("funzip", "funzip Zq9funzipPw < a.zip", "Zq9funzipPw"),
        ("unrar -p", "unrar x -pZq9unrar a.rar", "Zq9unrar"),
        ("rar -hp", "rar a -hpZq9rarHp a.rar f", "Zq9rarHp"),
        (
            "redis-benchmark after sudo",
            "sudo redis-benchmark -a Zq9benchSudo",
            "Zq9benchSudo",
        ),
        (
            "sh -c quoted",
            "sh -c 'redis-benchmark -a Zq9benchQuoted -q'",
            "Zq9benchQuoted",
        ),
    ];
    let found = leaks_in_named_conditions(&shapes).await;
    for f in &found {
        eprintln!("CMDLEAK {f}");
    }
}

/// Command lists in a live object.
#[tokio::test]
#[ignore = "a probe: run it by hand with --ignored"]
async fn review25_probe_command_lists() {
    let pod = |name: &'static str, cmd: Value| {
        json!({"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name, "namespace": "default"},
               "spec": {"containers": [{"name": "c", "image": "x", "command": cmd}]}})
    };
    use serde_json::Value;
    let objects: Vec<LiveShape> = vec![
        (
            "zip -rP list",
            pod(
                "zip-rp",
                json!(["zip", "-rP", "Zq9listZipRP", "o.zip", "d"]),
            ),
            &["Zq9listZipRP"],
        ),
        (
            "unzip -oP list",
            pod(
                "unzip-op",
                json!(["unzip", "-oP", "Zq9listUnzipOP", "a.zip"]),
            ),
            &["Zq9listUnzipOP"],
        ),
        (
            "7z list",
            pod("sevenz", json!(["7z", "x", "-pZq9listSeven", "a.7z"])),
            &["Zq9listSeven"],
        ),
        (
            "openssl list",
            pod(
                "openssl-k",
                json!(["openssl", "enc", "-d", "-k", "Zq9listOpenssl"]),
            ),
            &["Zq9listOpenssl"],
        ),
        (
            "redis-benchmark list",
            pod("rb", json!(["redis-benchmark", "-a", "Zq9listBench"])),
            &["Zq9listBench"],
        ),
        (
            "mongorestore list attached",
            pod("mr", json!(["mongorestore", "-u", "u", "-pZq9listMongo"])),
            &["Zq9listMongo"],
        ),
        (
            "args split",
            json!({"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": "split", "namespace": "default"},
               "spec": {"containers": [{"name": "c", "image": "x", "command": ["zip"], "args": ["-P", "Zq9listSplit", "o.zip"]}]}}),
            &["Zq9listSplit"],
        ),
    ];
    let found = leaks_in_live(&objects).await;
    for f in &found {
        eprintln!("LISTLEAK {f}");
    }
}

/// L1: anchors aliased under a credential's list in shapes `list_owner` does not read.
#[tokio::test]
async fn review25_finding_l1_anchor_list_shapes_are_shown() {
    let strong = [
        "nested list",
        "nested list block",
        "comment after owner",
        "comment line between",
        "flow multiline",
        "flow nested",
        "owner far above",
    ];
    let shapes: Vec<(&'static str, String)> = anchor_shapes()
        .into_iter()
        .filter(|(n, _)| strong.contains(n))
        .collect();
    let objects: Vec<LiveShape> = shapes
        .iter()
        .enumerate()
        .map(|(i, (n, t))| {
            let m: &'static str = Box::leak(format!("r25-l1-{i}").into_boxed_str());
            (
                *n,
                crate::planting::config_map(m, json!({"values.yaml": t})),
                &[PW][..],
            )
        })
        .collect();
    crate::planting::assert_none(leaks_in_live(&objects).await);
}

/// L2: `zip -rP PW`, `unzip -oP PW`, `zip -PPW` in text and lists.
#[tokio::test]
async fn review25_finding_l2_clustered_zip_password_is_shown() {
    let mut found = leaks_in_named_conditions(&[
        (
            "zip -rP",
            "zip -rP Zq9zipClustered out.zip dir",
            "Zq9zipClustered",
        ),
        (
            "unzip -oP",
            "unzip -oP Zq9unzipClustered a.zip",
            "Zq9unzipClustered",
        ),
        (
            "zip -PPW",
            "zip -PZq9zipAttached out.zip dir",
            "Zq9zipAttached",
        ),
    ])
    .await;
    let pod = |name: &'static str, cmd: serde_json::Value| {
        json!({"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name, "namespace": "default"},
               "spec": {"containers": [{"name": "c", "image": "x", "command": cmd}]}})
    };
    found.extend(
        leaks_in_live(&[
            (
                "zip -rP list",
                pod(
                    "zip-rp",
                    json!(["zip", "-rP", "Zq9listZipRP", "o.zip", "d"]),
                ),
                &["Zq9listZipRP"],
            ),
            (
                "unzip -oP list",
                pod(
                    "unzip-op",
                    json!(["unzip", "-oP", "Zq9listUnzipOP", "a.zip"]),
                ),
                &["Zq9listUnzipOP"],
            ),
        ])
        .await,
    );
    crate::planting::assert_none(found);
}

/// L3: `7zr -pPW`, `p7zip -pPW`, `mongofiles -p PW`.
#[tokio::test]
async fn review25_finding_l3_sibling_commands_are_shown() {
    crate::planting::assert_none(
        leaks_in_named_conditions(&[
            ("7zr", "7zr x -pZq9sevenR a.7z", "Zq9sevenR"),
            ("p7zip", "p7zip -d -pZq9p7zip a.7z", "Zq9p7zip"),
            (
                "mongofiles",
                "mongofiles -u u -p Zq9mongofiles list",
                "Zq9mongofiles",
            ),
        ])
        .await,
    );
}
