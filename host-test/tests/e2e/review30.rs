//! Thirtieth hostile review (issue 19): the allow-list's delete-hook check and the new scrub
//! rules, attacked through both built components. Time box 15 minutes.
//!
//! Findings (each `review30_finding_*` asserts the secure behaviour and is ignored until fixed):
//!
//! Fixed (their tests run): S1 (`runners.rs` `command_run`: the command past `sudo`/`doas`,
//! their switches and switches' values, `chroot DIR`, `env`, `busybox`, `NAME=value`;
//! `commands.rs` `here_document_reader`: a here-document fed to chpasswd/passwd; `yes X |` as
//! `echo X |`; `sudo -S` reads its password from standard input), S2 (`oracle_logon`:
//! `target`/`auxiliary`/`catalog` and `target=` after `rman` or `connect`, a quote opening the
//! logon or after `userid=`, escaped in JSON text too), S3 (`ftp_user_password`: `USER` in any
//! case; `ftp_raw_password`: `PASS PW` after `quote`/`literal` or alone on its line in an ftp
//! script), L1 (`project_guard.rs` `ensure_app_delete_allowed`: a delete without cascade is
//! judged by the one walk, `Deletes::AppOnly`, what the app manages not walked, its delete
//! hooks' reads and Namespace lists counted towards the one bound and each Namespace listed
//! once). All four fixed.
//!
//! - S1 (medium, commands, both; `src/tools/scrub/commands.rs` `stdin_password`,
//!   `piped_password`) chpasswd/passwd input in near-variants: a here-document
//!   (`chpasswd <<EOF` / `root:PW` / `EOF`), `yes PW | passwd bob`, `sudo` with a switch
//!   (`| sudo -E chpasswd`), `| doas chpasswd`, `| chroot /mnt chpasswd`: the password shows.
//!   Fix: skip `sudo`/`doas` and their switches, `chroot DIR`; read a here-document fed to
//!   chpasswd/passwd; treat `yes X |` as `echo X |`.
//! - S2 (medium, commands, both; `oracle_logon`) `rman target sys/PW` (logon after the
//!   `target` keyword, not first argument), quoted logons `sqlplus "sys/PW as sysdba"`,
//!   `expdp userid='system/PW'`: shown. Fix: accept `target`/`auxiliary`/`catalog` before the
//!   logon for rman, and a quote opening the logon word or after `userid=`.
//! - S3 (medium, commands, both; `ftp_user_password`) raw FTP in an ftp script: `quote USER
//!   alice` / `quote PASS PW`, and upper-case `USER alice PW`: shown. Fix: match `user`
//!   case-insensitively, and `PASS PW` (after `quote`/`literal`) in an ftp script.
//!
//! - L1 (low, allow-list, both; `project_guard.rs` `ensure_app_delete_allowed`, non-cascade
//!   branch) the hook Namespaces (and hook Applications, each its own `ensure_apps_allowed`
//!   budget) are judged without the `APPS_READ_MOST` bound: payments' Git with 70 PostDelete
//!   `Namespace` hooks, `delete_argocd_app {cascade: false}` lists Applications 70 times and
//!   deletes; `cascade: true` refuses after 62. Fix: one shared read counter across
//!   `delete_hooks` results in the non-cascade branch (or route it through
//!   `ensure_apps_allowed` with the root not deleted-by-cascade), dedup namespaces.
//!
//! Held (passing `review30_held_*`): delete hooks with `PostDelete,PreSync`, ` PreDelete `,
//! `helm.sh/hook: post-delete, pre-install`, `argoproj.io/v1beta1`, no namespace, no project
//! written, a hook Application not yet existing (refused: unreadable), ApplicationSet,
//! AppProject, a Namespace hook naming the Applications' namespace, cascade and not. (A
//! manifest given to the stand-in as a JSON *string* is double-encoded by the stand-in and so
//! not a hook; real Argo CD never double-encodes: not a finding.) Commands: `7z -pPW`,
//! `htpasswd -bc`, `lftp -u a,PW`, FreeRDP `/p:"PW"`, `/password:`, `mysql -vpPW`, `sqlcmd -P
//! 'PW'`, `mongosh -p`, `passwd --stdin`, `dgmgrl sys/PW`, `ldapsearch -wPW`, `redis-cli -a
//! "PW"`, `echo root:PW|chpasswd`, `sshpass -p`, snmpget `-APW -XPW`.
//!
//! Not reached (time box): a hook reached through prune or `delete_argocd_resource` of a child, the
//! approval pre-check in `guards.rs`, own_secrets (UTF-16LE, octal, quoted-printable) and
//! anchors (`entry_name`, `explicit_key`) variants.

use serde_json::json;

use crate::planting::shown_in_config_maps;

/// Each (name, script, secrets) as the `run.sh` of a ConfigMap, read back through both
/// components: what showed.
async fn shown_in_commands(lines: &[(&'static str, &str, &'static [&'static str])]) -> Vec<String> {
    let files: Vec<_> = lines
        .iter()
        .map(|(name, text, secrets)| (*name, "run.sh", *text, *secrets))
        .collect();
    shown_in_config_maps(&files).await
}

#[tokio::test]
async fn review30_finding_s1() {
    let found = shown_in_commands(&[
        ("p01", "chpasswd <<EOF\nroot:R30p01Pw\nEOF", &["R30p01Pw"]),
        ("p02", "yes R30p02Pw | passwd bob", &["R30p02Pw"]),
        (
            "p03",
            "echo 'root:R30p03Pw' | sudo -E chpasswd",
            &["R30p03Pw"],
        ),
        ("p04", "echo 'root:R30p04Pw' | doas chpasswd", &["R30p04Pw"]),
        (
            "p18",
            "echo 'bob:R30p18Pw' | chroot /mnt chpasswd",
            &["R30p18Pw"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review30_finding_s2() {
    let found = shown_in_commands(&[
        ("p05", "rman target sys/R30p05Pw", &["R30p05Pw"]),
        ("p06", "sqlplus \"sys/R30p06Pw as sysdba\"", &["R30p06Pw"]),
        (
            "p07",
            "expdp userid='system/R30p07Pw' schemas=app",
            &["R30p07Pw"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review30_finding_s3() {
    let found = shown_in_commands(&[
        (
            "p11",
            "ftp -n host <<EOF\nquote USER alice\nquote PASS R30p11Pw\nEOF",
            &["R30p11Pw"],
        ),
        (
            "p16",
            "ftp -n host <<EOF\nUSER alice R30p16Pw\nEOF",
            &["R30p16Pw"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

#[tokio::test]
async fn review30_held_command_variants() {
    let found = shown_in_commands(&[
        ("p08", "7z x -pR30p08Pw archive.7z", &["R30p08Pw"]),
        (
            "p09",
            "htpasswd -bc /etc/nginx/.htpasswd admin R30p09Pw",
            &["R30p09Pw"],
        ),
        (
            "p10",
            "lftp -u alice,R30p10Pw ftp.example.com",
            &["R30p10Pw"],
        ),
        (
            "p12",
            "xfreerdp /v:host /u:bob /p:\"R30p12Pw\"",
            &["R30p12Pw"],
        ),
        ("p13", "mysql -h db -uroot -vpR30p13Pw", &["R30p13Pw"]),
        ("p14", "sqlcmd -S db -U sa -P 'R30p14Pw'", &["R30p14Pw"]),
        ("p15", "mongosh -u admin -p R30p15Pw", &["R30p15Pw"]),
        (
            "p17",
            "echo \"R30p17Pw\" | passwd --stdin bob",
            &["R30p17Pw"],
        ),
        ("p19", "dgmgrl sys/R30p19Pw", &["R30p19Pw"]),
        ("p20", "ldapsearch -x -D cn=admin -wR30p20Pw", &["R30p20Pw"]),
        ("p21", "redis-cli -h r -a \"R30p21Pw\" ping", &["R30p21Pw"]),
        ("p22", "echo root:R30p22Pw|chpasswd", &["R30p22Pw"]),
        ("p23", "sshpass -p R30p23Pw ssh host", &["R30p23Pw"]),
        ("p24", "wlfreerdp /password:R30p24Pw /v:h", &["R30p24Pw"]),
        (
            "p25",
            "snmpget -v3 -l authPriv -u u -a SHA -AR30p25Pw -x AES -XR30p25Pw h",
            &["R30p25Pw"],
        ),
    ])
    .await;
    crate::planting::assert_none(found);
}

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

fn hook(
    api: &str,
    kind: &str,
    name: &str,
    ann: (&str, &str),
    spec: serde_json::Value,
) -> serde_json::Value {
    json!({"apiVersion": api, "kind": kind,
           "metadata": {"name": name, "annotations": {ann.0: ann.1}},
           "spec": spec})
}

/// The hook cases a delete of `payments` must refuse.
fn hook_cases() -> Vec<serde_json::Value> {
    let other = json!({"project": "default",
        "source": {"repoURL": "https://git.example.com/x.git", "path": "prod"},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "kube-system"}});
    let mine = json!({"project": "payments",
        "source": {"repoURL": "https://git.example.com/x.git", "path": "prod"},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "payments"}});
    let a = "argocd.argoproj.io/hook";
    let h = "helm.sh/hook";
    vec![
        hook(
            "argoproj.io/v1alpha1",
            "Application",
            "r30-a",
            (a, "PostDelete,PreSync"),
            other.clone(),
        ),
        hook(
            "argoproj.io/v1alpha1",
            "Application",
            "r30-b",
            (a, " PreDelete "),
            other.clone(),
        ),
        hook(
            "argoproj.io/v1alpha1",
            "Application",
            "r30-c",
            (h, "post-delete, pre-install"),
            other.clone(),
        ),
        hook(
            "argoproj.io/v1beta1",
            "Application",
            "r30-d",
            (a, "PostDelete"),
            other.clone(),
        ),
        hook(
            "argoproj.io/v1alpha1",
            "Application",
            "r30-e",
            (a, "PostDelete"),
            json!({"destination": {}}),
        ),
        hook(
            "argoproj.io/v1alpha1",
            "Application",
            "r30-new",
            (a, "PostDelete"),
            mine,
        ),
        hook(
            "argoproj.io/v1beta1",
            "ApplicationSet",
            "r30-set",
            (h, "pre-delete"),
            json!({}),
        ),
        hook(
            "argoproj.io/v1alpha1",
            "AppProject",
            "r30-proj",
            (a, "PreSync,PostDelete"),
            json!({}),
        ),
        hook("v1", "Namespace", "argocd", (a, "PostDelete"), json!({})),
    ]
}

#[tokio::test]
async fn review30_held_delete_hooks() {
    let mut passed = Vec::new();
    for cascade in [false, true] {
        for (i, h) in hook_cases().into_iter().enumerate() {
            for as_string in [false] {
                let object = if as_string {
                    serde_json::Value::String(h.to_string())
                } else {
                    h.clone()
                };
                let world = payments_with_git(vec![object]).await;
                let answer = world
                    .call(
                        "delete_argocd_app",
                        json!({"app_name": "payments", "cascade": cascade, "confirm": true}),
                    )
                    .await;
                let sent = crate::planting::sent_writes(&world);
                if !(answer["isError"] == true && sent.is_empty()) {
                    passed.push(format!(
                        "cascade {cascade} case {i} string {as_string}: {answer}"
                    ));
                }
            }
        }
    }
    assert!(passed.is_empty(), "{passed:#?}");
}

#[tokio::test]
async fn review30_finding_l1_non_cascade_delete_hooks_unbounded() {
    let hooks: Vec<serde_json::Value> = (0..70)
        .map(|i| {
            hook(
                "v1",
                "Namespace",
                &format!("r30-ns-{i}"),
                ("argocd.argoproj.io/hook", "PostDelete"),
                json!({}),
            )
        })
        .collect();
    let world = payments_with_git(hooks).await;
    let answer = world
        .call(
            "delete_argocd_app",
            json!({"app_name": "payments", "cascade": false, "confirm": true}),
        )
        .await;
    let lists = world
        .standin
        .state()
        .requests
        .iter()
        .filter(|r| r.path.contains("appNamespace"))
        .count();
    assert!(
        answer["isError"] == true && lists <= 64,
        "lists {lists}: {answer}"
    );
}
