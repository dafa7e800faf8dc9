//! A small HTTP/1.1 client over std sockets for the Spin tests and the load benchmark: keep-alive
//! connections, `Content-Length` or chunked answers, headers written as the test gives them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One keep-alive HTTP/1.1 connection, reconnecting when the server closes it.
pub struct Connection {
    port: u16,
    reader: Option<BufReader<TcpStream>>,
}

impl Connection {
    pub fn new(port: u16) -> Connection {
        Connection { port, reader: None }
    }

    /// Sends one request; the status and the body, or why it failed.
    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &str,
        body: &str,
    ) -> Result<(u16, Vec<u8>), String> {
        self.send_full(method, path, headers, body)
            .map(|answer| (answer.status, answer.body))
    }

    /// Sends one request; the whole answer (with its headers), or why it failed.
    pub fn send_full(
        &mut self,
        method: &str,
        path: &str,
        headers: &str,
        body: &str,
    ) -> Result<Answer, String> {
        if self.reader.is_none() {
            let stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
            stream.set_nodelay(true).ok();
            stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
            self.reader = Some(BufReader::new(stream));
        }
        let result = self.exchange(method, path, headers, body);
        if result.is_err() {
            self.reader = None;
        }
        result
    }

    fn exchange(
        &mut self,
        method: &str,
        path: &str,
        headers: &str,
        body: &str,
    ) -> Result<Answer, String> {
        let port = self.port;
        let reader = self.reader.as_mut().expect("connected");
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        reader
            .get_mut()
            .write_all(request.as_bytes())
            .map_err(|e| e.to_string())?;
        let mut line = String::new();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
        let status: u16 = line
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .ok_or(format!("bad status line {line:?}"))?;
        let (mut length, mut chunked, mut close) = (None, false, false);
        let mut headers = Vec::new();
        loop {
            line.clear();
            reader.read_line(&mut line).map_err(|e| e.to_string())?;
            if let Some((name, value)) = line.trim_end().split_once(':') {
                headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
            }
            let header = line.trim_end().to_ascii_lowercase();
            if header.is_empty() {
                break;
            }
            if let Some(value) = header.strip_prefix("content-length:") {
                length = value.trim().parse::<usize>().ok();
            }
            chunked |= header.starts_with("transfer-encoding:") && header.contains("chunked");
            close |= header.starts_with("connection:") && header.contains("close");
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                reader.read_line(&mut line).map_err(|e| e.to_string())?;
                let size = usize::from_str_radix(line.trim(), 16).map_err(|e| e.to_string())?;
                let mut chunk = vec![0; size + 2];
                reader.read_exact(&mut chunk).map_err(|e| e.to_string())?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else if let Some(length) = length {
            body.resize(length, 0);
            reader.read_exact(&mut body).map_err(|e| e.to_string())?;
        } else {
            reader.read_to_end(&mut body).map_err(|e| e.to_string())?;
            close = true;
        }
        if close {
            self.reader = None;
        }
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// One answer as it came: the status, the headers (names in lower case) and the body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}
