//! Newline-delimited events read off a streamed answer (Argo CD's log and watch streams are
//! NDJSON), one at a time and bounded: no event is held past its limit, no wait lasts past the
//! idle time, and dropping the reader cancels the stream.

use std::time::Duration;

use crate::host::{BodyStream, HttpError};

/// Why no further event could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventError {
    /// The host failed reading the body, or nothing arrived within the idle time
    /// (`HttpError::Timeout`).
    Http(HttpError),
    /// One event ran past `limit` bytes before its end: the stream is not read further.
    TooLong { limit: usize },
}

pub struct Events<B> {
    body: B,
    /// Bytes received and not yet handed out as events.
    pending: Vec<u8>,
    /// Where the search for the next newline resumes in `pending`.
    searched: usize,
    max_event_bytes: usize,
    idle: Duration,
    ended: bool,
    /// Every byte received so far.
    received: usize,
}

impl<B: BodyStream> Events<B> {
    pub fn new(body: B, max_event_bytes: usize, idle: Duration) -> Self {
        Events {
            body,
            pending: Vec::new(),
            searched: 0,
            max_event_bytes,
            idle,
            ended: false,
            received: 0,
        }
    }

    /// Bytes of the body received so far.
    pub fn received(&self) -> usize {
        self.received
    }

    /// The next event without its newline (blank lines skipped); `None` when the body ended.
    /// An event the body ends without a newline after is still one.
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>, EventError> {
        loop {
            if let Some(at) = self.pending[self.searched..]
                .iter()
                .position(|b| *b == b'\n')
            {
                let end = self.searched + at;
                let rest = self.pending.split_off(end + 1);
                let mut event = std::mem::replace(&mut self.pending, rest);
                event.truncate(end);
                self.searched = 0;
                if event.len() > self.max_event_bytes {
                    return Err(EventError::TooLong {
                        limit: self.max_event_bytes,
                    });
                }
                if event.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Ok(Some(event));
            }
            self.searched = self.pending.len();
            if self.pending.len() > self.max_event_bytes {
                return Err(EventError::TooLong {
                    limit: self.max_event_bytes,
                });
            }
            if self.ended {
                let last = std::mem::take(&mut self.pending);
                self.searched = 0;
                return Ok((!last.iter().all(u8::is_ascii_whitespace)).then_some(last));
            }
            match self.body.next_piece(self.idle).await {
                Ok(Some(piece)) => {
                    self.received += piece.len();
                    self.pending.extend_from_slice(&piece);
                }
                Ok(None) => self.ended = true,
                Err(error) => return Err(EventError::Http(error)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::ScriptedBody as Pieces;
    use std::collections::VecDeque;

    fn events(pieces: &[&[u8]], limit: usize) -> Events<Pieces> {
        let pieces = pieces.iter().map(|p| Ok(p.to_vec())).collect();
        Events::new(Pieces(pieces), limit, Duration::from_secs(1))
    }

    fn all(events: &mut Events<Pieces>) -> Result<Vec<String>, EventError> {
        let mut seen = Vec::new();
        while let Some(event) = pollster::block_on(events.next())? {
            seen.push(String::from_utf8(event).unwrap());
        }
        Ok(seen)
    }

    #[test]
    fn events_are_whole_whatever_the_pieces() {
        let mut split = events(&[b"{\"a\"", b":1}\n{\"b\":2}\n\n{\"c\"", b":3}"], 64);
        assert_eq!(
            all(&mut split).unwrap(),
            [r#"{"a":1}"#, r#"{"b":2}"#, r#"{"c":3}"#]
        );
        assert_eq!(split.received(), 24);
        let byte_by_byte: Vec<&[u8]> = b"one\ntwo\n".chunks(1).collect();
        assert_eq!(all(&mut events(&byte_by_byte, 64)).unwrap(), ["one", "two"]);
        assert!(all(&mut events(&[], 64)).unwrap().is_empty());
    }

    #[test]
    fn an_event_past_its_limit_stops_the_stream_without_holding_it() {
        let long = vec![b'x'; 100];
        let mut stream = events(&[b"ok\n", &long, &long, b"\n"], 64);
        assert_eq!(pollster::block_on(stream.next()).unwrap().unwrap(), b"ok");
        assert_eq!(
            pollster::block_on(stream.next()),
            Err(EventError::TooLong { limit: 64 })
        );
        assert!(
            stream.received() <= 3 + 100,
            "read no further than the limit"
        );
        // A long event whose newline came in the same piece is refused too.
        let mut whole = events(&[&[&long[..], b"\n"].concat()], 64);
        assert_eq!(
            pollster::block_on(whole.next()),
            Err(EventError::TooLong { limit: 64 })
        );
    }

    #[test]
    fn a_failure_or_a_silence_ends_with_its_cause() {
        let pieces = VecDeque::from([Ok(b"first\n".to_vec()), Err(HttpError::Timeout)]);
        let mut stream = Events::new(Pieces(pieces), 64, Duration::from_millis(5));
        assert_eq!(
            pollster::block_on(stream.next()).unwrap().unwrap(),
            b"first"
        );
        assert_eq!(
            pollster::block_on(stream.next()),
            Err(EventError::Http(HttpError::Timeout))
        );
    }
}
