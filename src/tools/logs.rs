//! Pod logs of an app, read from Argo CD's NDJSON stream (never followed) and trimmed to a budget.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Tool, app_path, check_name};
use crate::argocd::error::ErrorKind;
use crate::argocd::objects::Object;
use crate::argocd::{ArgoClient, ArgoError, Query};
use crate::events::{EventError, Events};
use crate::host::Host;
use crate::mcp::tool::{Annotations, Progress};

pub const DEFAULT_MAX_LINES: usize = 200;
pub const MAX_LINES: usize = 2000;
pub const DEFAULT_MAX_BYTES: usize = 12 * 1024;
pub const MAX_BYTES: usize = 64 * 1024;
/// Most lines asked of Argo CD per pod; `tail_lines` above it is lowered to it.
pub const MAX_TAIL_LINES: u32 = 10_000;
/// Most bytes of a log stream read: ample for 2,000 kept lines with `filter` thinning a bigger
/// tail, and the reading stops there (the newest lines of the last pods may then be missing,
/// which `truncated` and a warning say).
pub const MAX_STREAM_BYTES: usize = 8 << 20;

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct LogsArgs {
        pub app_name: String,
        /// One pod by name.
        #[serde(default)]
        pub pod_name: Option<String>,
        /// Or every pod of a workload: its kind (Deployment, StatefulSet, …) with `resource_name`.
        #[serde(default)]
        pub kind: Option<String>,
        #[serde(default)]
        pub resource_name: Option<String>,
        /// API group of `kind`, e.g. apps for a Deployment.
        #[serde(default)]
        pub group: Option<String>,
        #[serde(default)]
        pub container: Option<String>,
        /// Last lines per pod (default 100, at most 10000).
        #[serde(default)]
        pub tail_lines: Option<u32>,
        /// Only lines from the last this many seconds.
        #[serde(default)]
        pub since_seconds: Option<u32>,
        /// Keep lines containing this text (case-insensitive); a leading `!` keeps the others.
        #[serde(default)]
        pub filter: Option<String>,
        /// The previous container's logs (after a crash).
        #[serde(default)]
        pub previous: bool,
        /// Most lines returned (newest kept): default 200, at most 2000.
        #[serde(default)]
        pub max_lines: Option<usize>,
        /// Most log bytes returned: default 12288, at most 65536.
        #[serde(default)]
        pub max_bytes: Option<usize>,
        app_namespace,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Logs {
    pub app: String,
    /// Pods the lines came from; `[n]` in a line is its index here.
    pub pods: Vec<String>,
    /// `timestamp [pod index] text`, oldest first.
    pub lines: Vec<String>,
    /// Lines Argo CD sent before trimming.
    pub received: usize,
    /// True when older lines were dropped to stay within max_lines / max_bytes.
    pub truncated: bool,
    /// Problems Kubernetes reported instead of logs (e.g. container not started).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
struct Frame {
    result: Option<Entry>,
    error: Option<StreamError>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Entry {
    content: String,
    time_stamp_str: Option<String>,
    last: Option<bool>,
    pod_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StreamError {
    message: String,
    http_code: Option<u16>,
}

pub struct GetAppLogs;

impl Tool for GetAppLogs {
    const NAME: &'static str = "get_argocd_app_logs";
    const TITLE: &'static str = "Pod logs";
    const DESCRIPTION: &'static str = "Recent log lines of one pod or of every pod of a workload (kind + resource_name), with tail, since, filter and previous-container options; newest kept.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = LogsArgs;
    type Output = Logs;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: LogsArgs,
        _progress: &dyn Progress,
    ) -> Result<Logs, ArgoError> {
        let max_lines = args
            .max_lines
            .unwrap_or(DEFAULT_MAX_LINES)
            .clamp(1, MAX_LINES);
        let max_bytes = args
            .max_bytes
            .unwrap_or(DEFAULT_MAX_BYTES)
            .clamp(256, MAX_BYTES);
        for (argument, value) in [
            ("pod_name", &args.pod_name),
            ("resource_name", &args.resource_name),
            ("container", &args.container),
        ] {
            if let Some(value) = value {
                check_name(argument, value)?;
            }
        }
        if args.resource_name.is_some() != args.kind.is_some() {
            return Err(ArgoError::invalid_input(
                "kind and resource_name go together (e.g. kind Deployment, resource_name web); or give pod_name",
            ));
        }
        let (path, query) = app_path(&args.app_name, args.app_namespace.as_deref(), "/logs")?;
        let tail = args
            .tail_lines
            .unwrap_or(100)
            .clamp(1, MAX_TAIL_LINES)
            .to_string();
        let since = args.since_seconds.map(|s| s.to_string());
        let query: Query = query
            .add_opt("podName", args.pod_name.as_deref())
            .add_opt("kind", args.kind.as_deref())
            .add_opt("group", args.group.as_deref())
            .add_opt("resourceName", args.resource_name.as_deref())
            .add_opt("container", args.container.as_deref())
            .add("tailLines", &tail)
            .add_opt("sinceSeconds", since.as_deref())
            .add("follow", "false")
            .add("previous", if args.previous { "true" } else { "false" });
        let subject = format!("the logs of application '{}'", args.app_name);
        let client = client.with_response_cap(MAX_STREAM_BYTES);
        let (body, cut) =
            read_stream(&client, &format!("{path}{}", query.as_str()), &subject).await?;
        let mut logs = parse_stream(&body, &subject, args.filter.as_deref())?;
        if let Some(why) = cut {
            logs.truncated = true;
            logs.warnings.push(why);
        }
        logs.app = args.app_name;
        trim(&mut logs, max_lines, max_bytes);
        Ok(logs)
    }
}

/// The most of one frame read: a log line longer than this is not one anybody reads whole.
const MAX_FRAME_BYTES: usize = 1 << 20;

/// Reads the stream as it arrives, frame by frame, up to the client's response cap (whole frames
/// only) and no further than the `last` frame: the frames read, and why reading stopped early if
/// it did. Each wait for more is bounded by the request timeout.
async fn read_stream<H: Host>(
    client: &ArgoClient<'_, H>,
    path: &str,
    subject: &str,
) -> Result<(Vec<u8>, Option<String>), ArgoError> {
    let stream = client.open(path).await?;
    let cap = client.response_cap();
    let mut events = Events::new(stream.body, MAX_FRAME_BYTES.min(cap), client.timeout());
    if !(200..300).contains(&stream.status) {
        // Argo CD's error is one JSON object: its first frame says what went wrong.
        let first = events.next().await.ok().flatten().unwrap_or_default();
        return Err(ArgoError::from_status(stream.status, &first, subject));
    }
    let mut body = Vec::new();
    loop {
        let frame = match events.next().await {
            Ok(Some(frame)) => frame,
            Ok(None) => return Ok((body, None)),
            Err(EventError::TooLong { limit }) => {
                return Ok((
                    body,
                    Some(format!(
                        "a log frame ran past {limit} bytes and the stream was not read further; ask for one container or fewer lines"
                    )),
                ));
            }
            Err(EventError::Http(error)) if body.is_empty() => {
                return Err(ArgoError::transport(
                    error,
                    client.target().argocd_url,
                    client.timeout().as_millis(),
                ));
            }
            Err(EventError::Http(_)) => {
                return Ok((body, Some(
                    "the log stream stopped before its end (Argo CD went silent or the connection broke); these are the lines it sent".into(),
                )));
            }
        };
        if body.len() + frame.len() + 1 > cap {
            return Ok((
                body,
                Some(format!(
                    "the log stream was cut after {cap} bytes, the most read of one; ask for fewer lines (tail_lines, since_seconds) or one pod"
                )),
            ));
        }
        let last = crate::argocd::objects::from_slice::<Frame>(&frame)
            .is_ok_and(|f| f.result.is_some_and(|entry| entry.last == Some(true)));
        body.extend_from_slice(&frame);
        body.push(b'\n');
        if last {
            // Argo CD ends every stream with it; nothing after it is a log line.
            return Ok((body, None));
        }
    }
}

/// Reads the stream: entries, the final `last` entry, and an error chunk if the stream broke.
/// `filter` keeps the lines that hold its text, or with a leading `!` the others, in any case
/// as Argo CD's own filter does, but matched here against the lines as they are shown: sent to
/// Argo CD it would be matched against the lines before their credentials are hidden, and
/// whether any line came back would tell, a guess at a time, what a hidden password is.
fn parse_stream(body: &[u8], subject: &str, filter: Option<&str>) -> Result<Logs, ArgoError> {
    let mut logs = Logs {
        app: String::new(),
        pods: Vec::new(),
        lines: Vec::new(),
        received: 0,
        truncated: false,
        warnings: Vec::new(),
    };
    // Each line read: its time, its pod's place in `pods`, its content.
    let mut read: Vec<(String, usize, String)> = Vec::new();
    // Frames are newline-separated JSON, but an error chunk may come without a newline (or
    // spread over several lines): read values, not lines.
    for frame in serde_json::Deserializer::from_slice(body).into_iter::<Object<Frame>>() {
        let Object(frame) = frame.map_err(|e| {
            ArgoError::new(
                ErrorKind::InvalidResponse,
                format!("unreadable log stream from Argo CD: {e}"),
                "",
            )
        })?;
        if let Some(error) = frame.error {
            let status = error.http_code.unwrap_or(500);
            let body = serde_json::json!({"message": error.message}).to_string();
            return Err(ArgoError::from_status(status, body.as_bytes(), subject));
        }
        let Some(entry) = frame.result else { continue };
        if entry.last == Some(true) {
            break; // its content, if any, is not a log line
        }
        let pod = entry.pod_name.unwrap_or_default();
        if pod.is_empty() {
            logs.warnings.push(entry.content);
            continue;
        }
        let index = match logs.pods.iter().position(|p| *p == pod) {
            Some(i) => i,
            None => {
                logs.pods.push(pod);
                logs.pods.len() - 1
            }
        };
        logs.received += 1;
        read.push((
            entry.time_stamp_str.unwrap_or_default(),
            index,
            entry.content,
        ));
    }
    logs.warnings.truncate(20);
    scrub_each_pods_lines(&mut read);
    if let Some(filter) = filter.filter(|f| !f.is_empty()) {
        let (wanted, text) = match filter.strip_prefix('!') {
            Some(text) => (false, text.to_lowercase()),
            None => (true, filter.to_lowercase()),
        };
        read.retain(|(_, _, content)| content.to_lowercase().contains(&text) == wanted);
        logs.received = read.len();
    }
    logs.lines = read
        .into_iter()
        .map(|(time, index, content)| format!("{time} [{index}] {content}"))
        .collect();
    Ok(logs)
}

/// Scrubs each pod's lines as the one text they are (a private key's body, a `password: |`
/// block or a value on the next line spans lines), each line keeping its place.
fn scrub_each_pods_lines(read: &mut [(String, usize, String)]) {
    // Pod indices count up from 0 in the order the pods first spoke.
    let pods = read.iter().map(|(_, pod, _)| pod + 1).max().unwrap_or(0);
    for pod in 0..pods {
        let at: Vec<usize> = (0..read.len()).filter(|i| read[*i].1 == pod).collect();
        if at.is_empty() {
            continue;
        }
        let text = at
            .iter()
            .map(|i| read[*i].2.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let clean = super::scrub::without_credentials(&text);
        let lines: Vec<&str> = clean.split('\n').collect();
        if lines.len() == at.len() {
            for (i, line) in at.iter().zip(lines) {
                read[*i].2 = line.to_owned();
            }
        } else {
            // A line holding a line break of its own: each line on its own, as a last resort.
            for i in at {
                read[i].2 = super::scrub::without_credentials(&read[i].2).into_owned();
            }
        }
    }
}

/// The least room worth giving a cut line: less is no help to a reader.
const MIN_CUT_LINE_BYTES: usize = 128;

/// Keeps the newest lines that fit both budgets. A line too long for the budget on its own (a
/// stack trace logged as one line) is shortened to the room left and marked, rather than
/// dropped with every line before it: it is often the very line the reader needs.
fn trim(logs: &mut Logs, max_lines: usize, max_bytes: usize) {
    let mut bytes = 0;
    let mut keep = 0;
    let mut cut = None;
    for (i, line) in logs.lines.iter().enumerate().rev() {
        if keep == max_lines {
            break;
        }
        if bytes + line.len() <= max_bytes {
            bytes += line.len();
            keep += 1;
            continue;
        }
        let room = max_bytes - bytes;
        if line.len() > max_bytes && room >= MIN_CUT_LINE_BYTES {
            cut = Some((i, room));
            keep += 1;
        }
        break;
    }
    if let Some((i, room)) = cut {
        logs.lines[i] = shortened(&logs.lines[i], room);
        logs.truncated = true;
    }
    let drop = logs.lines.len() - keep;
    if drop > 0 {
        logs.lines.drain(..drop);
        logs.truncated = true;
    }
}

/// The head of `line` within `room` bytes, ending with a mark that says how long it was.
fn shortened(line: &str, room: usize) -> String {
    let mark = format!(" … [line cut: {} bytes]", line.len());
    // Scrubbed before it is cut: a cut between `://` and `@` would leave a password the
    // answer's scrubber can no longer recognise.
    let line = &*super::scrub::without_credentials(line);
    let kept = crate::cut::at_word(line, room.saturating_sub(mark.len()));
    format!("{kept}{mark}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// review34 L1: the filter is matched against the lines as shown, so it cannot tell whether
    /// a hidden password is what was guessed; ordinary text, case and `!` as Argo CD reads them.
    #[test]
    fn the_filter_reads_the_lines_as_shown() {
        let stream: String = [
            "connect postgres://app:Gu3ss-me-pw@db:5432/app",
            "GET /health 200",
            "get /ready 200",
        ]
        .iter()
        .map(|content| {
            format!(
                r#"{{"result":{{"content":"{content}","timeStampStr":"t","podName":"web-1"}}}}"#
            ) + "\n"
        })
        .collect();
        let kept = |filter: &str| {
            let logs = parse_stream(stream.as_bytes(), "x", Some(filter)).unwrap();
            assert_eq!(logs.received, logs.lines.len());
            logs.lines
        };
        for guess in ["Gu3ss-me-pw", "app:Gu3ss", "gu3ss-ME-pw@"] {
            assert!(kept(guess).is_empty(), "{guess}: {:?}", kept(guess));
        }
        assert_eq!(kept("postgres://").len(), 1);
        assert!(!kept("postgres://")[0].contains("Gu3ss"));
        assert_eq!(kept("get /").len(), 2, "any case");
        assert_eq!(kept("!200").len(), 1);
        assert_eq!(kept("").len(), 3);
    }

    #[test]
    fn a_line_is_scrubbed_before_it_is_cut() {
        // A cut between `://` and `@` would leave the password with nothing to recognise it by.
        let line = format!(
            "connect https://deploybot:{}@git.example.com/a.git",
            "T0KEN".repeat(40)
        );
        let cut = shortened(&line, 80);
        assert!(
            !cut.contains("T0KEN") && !cut.contains("deploybot"),
            "{cut}"
        );
    }

    #[test]
    fn a_stream_cut_by_the_cap_keeps_whole_lines_and_says_so() {
        use crate::testing::{FakeHost, reply, token_settings};
        let line = |n: usize| {
            format!(
                r#"{{"result":{{"content":"line {n}","timeStampStr":"t{n}","podName":"web-1"}}}}"#
            )
        };
        let stream: String = (0..20).map(|n| line(n) + "\n").collect();
        let mut settings = token_settings();
        // The cap falls in the middle of the 5th line.
        settings.max_response_bytes = line(0).len() * 4 + 30;
        let host = FakeHost::new(vec![reply(200, &stream)]);
        let client = ArgoClient::new(
            &host,
            crate::context::RequestContext::for_account(&settings),
        )
        .unwrap();
        let arguments =
            serde_json::from_value(serde_json::json!({"app_name": "a", "pod_name": "web-1"}))
                .unwrap();
        let logs = pollster::block_on(GetAppLogs::run(
            &client,
            arguments,
            &crate::mcp::tool::NoProgress,
        ))
        .unwrap();
        assert_eq!(logs.received, 4, "{:?}", logs.lines);
        assert!(logs.lines.last().unwrap().ends_with("line 3"));
        assert!(logs.truncated);
        assert!(logs.warnings.iter().any(|w| w.contains("was cut after")));
        let sent = &host.requests()[0];
        assert_eq!(sent.max_response_bytes, settings.max_response_bytes);
    }

    #[test]
    fn the_derived_fixture_parses_with_its_warning() {
        let body = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/host-test/fixtures/argocd/fixtures/10-logs-stream.DERIVED-FROM-CODE.ndjson"
        ))
        .unwrap();
        let logs = parse_stream(&body, "x", None).unwrap();
        assert_eq!(logs.received, logs.lines.len());
        assert!(logs.received >= 2);
        assert_eq!(logs.warnings.len(), 1);
        assert!(logs.lines[0].contains("[0] Starting HTTP server"));
    }

    #[test]
    fn an_error_chunk_becomes_an_error() {
        let body = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/host-test/fixtures/argocd/fixtures/08-logs-stream-error-chunk.horizon-mock-2020.json"
        ))
        .unwrap();
        let error = parse_stream(&body, "the logs", None).unwrap_err();
        assert_eq!(error.status, Some(400));
    }

    #[test]
    fn trimming_keeps_the_newest_within_both_budgets() {
        let mut logs = Logs {
            app: String::new(),
            pods: vec![],
            lines: (0..100).map(|i| format!("line {i:03}")).collect(),
            received: 100,
            truncated: false,
            warnings: vec![],
        };
        trim(&mut logs, 10, 1000);
        assert_eq!(logs.lines.first().unwrap(), "line 090");
        assert!(logs.truncated);
        trim(&mut logs, 10, 20);
        assert_eq!(logs.lines, ["line 098", "line 099"]);
    }

    #[test]
    fn a_line_longer_than_the_budget_is_cut_not_dropped() {
        let trace = format!("t [0] panic: boom{}", "\n\tat frame ünïcode".repeat(700));
        let mut logs = Logs {
            app: String::new(),
            pods: vec![],
            lines: vec!["t [0] a".into(), "t [0] b".into(), trace.clone()],
            received: 3,
            truncated: false,
            warnings: vec![],
        };
        trim(&mut logs, 200, 12 * 1024);
        assert_eq!(logs.lines.len(), 1, "the trace fills the budget");
        let kept = &logs.lines[0];
        assert!(kept.starts_with("t [0] panic: boom"), "{kept}");
        assert!(kept.ends_with(&format!("[line cut: {} bytes]", trace.len())));
        assert!(kept.len() <= 12 * 1024);
        assert!(logs.truncated);

        // Newer short lines stay; the long one is cut to the room they leave.
        let mut logs = Logs {
            app: String::new(),
            pods: vec![],
            lines: vec!["t [0] old".into(), trace.clone(), "t [0] newest".into()],
            received: 3,
            truncated: false,
            warnings: vec![],
        };
        trim(&mut logs, 200, 4096);
        assert_eq!(logs.lines.len(), 2);
        assert_eq!(logs.lines[1], "t [0] newest");
        assert!(logs.lines[0].contains("[line cut:"));
        assert!(logs.lines.iter().map(String::len).sum::<usize>() <= 4096);
    }
}
