//! A 2026-07-28 `subscriptions/listen` held open on a raw HTTP/1.1 connection, for the feed
//! benchmark against the runner and real Spin: the request as a conforming client sends it, and
//! a reader thread that de-chunks the SSE answer and hands on each message with the moment it
//! arrived. Shutting the connection down is the client leaving.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const MODERN: &str = "2026-07-28";

/// The JSON-RPC body of a modern request: the protocol's `_meta` beside `params`.
pub fn modern_body(id: u64, method: &str, mut params: Value) -> Value {
    if let Some(fields) = params.as_object_mut() {
        fields.insert(
            "_meta".into(),
            json!({
                "io.modelcontextprotocol/protocolVersion": MODERN,
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": {"name": "feedbench", "version": "1"},
            }),
        );
    }
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// The headers a 2026-07-28 client mirrors from its body, as HTTP header lines.
pub fn mirrored_headers(method: &str, name: Option<&str>) -> String {
    let mut headers = format!("Mcp-Protocol-Version: {MODERN}\r\nMcp-Method: {method}\r\n");
    if let Some(name) = name {
        headers.push_str(&format!("Mcp-Name: {name}\r\n"));
    }
    headers
}

/// One message as it arrived.
pub type Arrival = (Instant, Value);

/// An open `subscriptions/listen`.
pub struct RawSubscription {
    connection: TcpStream,
    messages: Receiver<Arrival>,
}

/// Why no message came.
#[derive(Debug, PartialEq, Eq)]
pub enum Silence {
    /// Nothing within the time given.
    Timeout,
    /// The stream ended (or was never one).
    Ended,
}

impl RawSubscription {
    /// Sends `subscriptions/listen` (`notifications` as the filter) to `127.0.0.1:port`. A
    /// refusal (a whole JSON answer rather than a stream) arrives as one message, then the end.
    pub fn open(port: u16, id: u64, notifications: Value) -> std::io::Result<RawSubscription> {
        let body = modern_body(
            id,
            "subscriptions/listen",
            json!({"notifications": notifications}),
        )
        .to_string();
        let head = format!(
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n{}Content-Length: {}\r\n\r\n",
            mirrored_headers("subscriptions/listen", None),
            body.len()
        );
        let mut connection = TcpStream::connect(("127.0.0.1", port))?;
        connection.set_nodelay(true)?;
        connection.write_all(format!("{head}{body}").as_bytes())?;
        let reading = connection.try_clone()?;
        let (sender, messages) = channel();
        std::thread::spawn(move || read_answer(reading, |message| sender.send(message).is_ok()));
        Ok(RawSubscription {
            connection,
            messages,
        })
    }

    /// The next message and when it arrived.
    pub fn next(&self, within: Duration) -> Result<Arrival, Silence> {
        self.messages.recv_timeout(within).map_err(|e| match e {
            RecvTimeoutError::Timeout => Silence::Timeout,
            RecvTimeoutError::Disconnected => Silence::Ended,
        })
    }

    /// The client leaves: the connection is shut down.
    pub fn leave(self) {
        let _ = self.connection.shutdown(Shutdown::Both);
    }
}

/// Reads one HTTP/1.1 answer from `stream`: each SSE message of a chunked event stream, or the
/// whole body of any other answer as one message (`{"status": …, "body": …}` when not JSON).
/// Stops when the answer ends or `deliver` returns false.
fn read_answer(mut stream: TcpStream, mut deliver: impl FnMut(Arrival) -> bool) {
    let mut raw = Vec::new();
    let mut piece = [0u8; 16 * 1024];
    // Status, whether it is an event stream, and the length of a whole answer.
    let mut head: Option<(u16, bool, Option<usize>)> = None;
    let mut body = Vec::new();
    loop {
        let n = match stream.read(&mut piece) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        raw.extend_from_slice(&piece[..n]);
        if head.is_none() {
            let Some(end) = find(&raw, b"\r\n\r\n") else {
                continue;
            };
            let text = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
            let streamed = text.contains("content-type: text/event-stream");
            let length = text
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok());
            head = Some((status, streamed, length));
            raw.drain(..end + 4);
        }
        let streamed = match head {
            Some((_, false, Some(length))) if raw.len() >= length => break,
            Some((_, false, Some(_))) | None => continue,
            Some((_, true, _)) => true,
            // A whole answer sent chunked (Spin's, without a length).
            Some((_, false, None)) => false,
        };
        // Chunks that are whole, then SSE events that are whole.
        while let Some(line_end) = find(&raw, b"\r\n") {
            let Ok(size) =
                usize::from_str_radix(String::from_utf8_lossy(&raw[..line_end]).trim(), 16)
            else {
                return;
            };
            if raw.len() < line_end + 2 + size + 2 {
                break;
            }
            body.extend_from_slice(&raw[line_end + 2..line_end + 2 + size]);
            raw.drain(..line_end + 2 + size + 2);
            if size == 0 {
                if !streamed {
                    let text = String::from_utf8_lossy(&body).into_owned();
                    let status = head.map_or(0, |(status, _, _)| status);
                    let message = serde_json::from_str(text.trim())
                        .unwrap_or_else(|_| json!({"status": status, "body": text}));
                    deliver((Instant::now(), message));
                }
                return;
            }
        }
        if !streamed {
            continue;
        }
        while let Some(end) = find(&body, b"\n\n") {
            let event: Vec<u8> = body.drain(..end + 2).collect();
            let arrived = Instant::now();
            let text = String::from_utf8_lossy(&event);
            let Some(data) = text.lines().find_map(|l| l.strip_prefix("data: ")) else {
                continue;
            };
            let message = serde_json::from_str(data).unwrap_or_else(|_| json!({"data": data}));
            if !deliver((arrived, message)) {
                return;
            }
        }
    }
    if let Some((status, false, _)) = head {
        let text = String::from_utf8_lossy(&raw).into_owned();
        let message = serde_json::from_str(text.trim())
            .unwrap_or_else(|_| json!({"status": status, "body": text}));
        deliver((Instant::now(), message));
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
