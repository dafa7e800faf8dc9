//! Bodies over wasi:http's streams, read and written as they are, with no HTTP library's header
//! and body types in between: converting every header into the `http` crate's types cost each
//! component about 16 KB of header-name parsing alone (issue 16).

use wasip2::http::types::{ErrorCode, IncomingBody, OutgoingBody, http_error_code};
use wasip2::io::streams::{InputStream, StreamError};
use wstd::io::AsyncOutputStream;
use wstd::runtime::AsyncPollable;

/// The most taken from a body at once.
const PIECE: u64 = 64 * 1024;

/// Why a body could not be read or written: the host's HTTP error where it named one.
pub type BodyError = Option<ErrorCode>;

/// An incoming body (a request's or an answer's), read piece by piece as it arrives.
pub struct BodyReader {
    // Dropped in this order: the readiness before the stream it watches, the stream before the
    // body it belongs to (a WASI resource outlives its children or the host traps).
    ready: AsyncPollable,
    stream: InputStream,
    _body: IncomingBody,
}

impl BodyReader {
    pub fn new(body: IncomingBody) -> Result<Self, BodyError> {
        let stream = body.stream().map_err(|()| None)?;
        Ok(BodyReader {
            ready: AsyncPollable::new(stream.subscribe()),
            stream,
            _body: body,
        })
    }

    /// The next piece, as soon as any of it has arrived; `None` once the body has ended.
    pub async fn next_piece(&mut self) -> Result<Option<Vec<u8>>, BodyError> {
        loop {
            match self.stream.read(PIECE) {
                // Nothing yet: in WASI an empty read is no end.
                Ok(piece) if piece.is_empty() => self.ready.wait_for().await,
                Ok(piece) => return Ok(Some(piece)),
                Err(StreamError::Closed) => return Ok(None),
                Err(StreamError::LastOperationFailed(error)) => {
                    return Err(http_error_code(&error));
                }
            }
        }
    }

    /// The body as it streams in, up to `cap` bytes, and whether there was more: nothing beyond
    /// the cap is ever held. `stated` is the length its headers declare, if any.
    pub async fn read_capped(
        &mut self,
        cap: usize,
        stated: Option<u64>,
    ) -> Result<(Vec<u8>, bool), BodyError> {
        // Sized once when the length is stated: growing by doubling would hold up to twice the cap.
        let mut bytes = Vec::with_capacity(stated.map_or(0, |n| n.min(cap as u64) as usize));
        while let Some(piece) = self.next_piece().await? {
            let room = cap - bytes.len();
            if piece.len() > room {
                bytes.extend_from_slice(&piece[..room]);
                return Ok((bytes, true));
            }
            bytes.extend_from_slice(&piece);
        }
        Ok((bytes, false))
    }
}

/// An outgoing body (a request's or an answer's), written piece by piece.
pub struct BodyWriter {
    // The stream is the body's child: dropped first.
    stream: AsyncOutputStream,
    body: OutgoingBody,
}

impl BodyWriter {
    pub fn new(body: OutgoingBody) -> Result<Self, BodyError> {
        let stream = AsyncOutputStream::new(body.write().map_err(|()| None)?);
        Ok(BodyWriter { stream, body })
    }

    /// Writes `bytes`, and with `flush` waits until the host has taken them (an event of a
    /// stream must reach the client now, not with the next one). An empty write writes nothing:
    /// a zero-byte write finds the stream closed once a host has sent a bodiless request.
    pub async fn write(&self, bytes: &[u8], flush: bool) -> std::io::Result<()> {
        if !bytes.is_empty() {
            self.stream.write_all(bytes).await?;
        }
        if flush {
            self.stream.flush().await?;
        }
        Ok(())
    }

    /// Ends the body: what was written is all there is.
    pub fn finish(self) -> Result<(), BodyError> {
        let BodyWriter { stream, body } = self;
        drop(stream);
        OutgoingBody::finish(body, None).map_err(Some)
    }
}

/// The length a body's headers declare, if one does and it is a number.
pub fn stated_length(headers: &[(String, Vec<u8>)]) -> Option<u64> {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| std::str::from_utf8(value).ok()?.trim().parse().ok())
}

/// Headers as wasi:http takes them: values as bytes.
pub fn field_list(headers: &[(String, String)]) -> Vec<(String, Vec<u8>)> {
    headers
        .iter()
        .map(|(name, value)| (name.clone(), value.clone().into_bytes()))
        .collect()
}

/// Headers as the core reads them: values as text (a byte that is not UTF-8 read as U+FFFD).
pub fn text_headers(headers: Vec<(String, Vec<u8>)>) -> Vec<(String, String)> {
    headers
        .into_iter()
        .map(|(name, value)| (name, String::from_utf8_lossy(&value).into_owned()))
        .collect()
}
