//! An HTTP request written as text: a request line, header lines, an empty line, the body.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request, header};

/// Replaces every `from` in `bytes` by `to`.
pub fn replace_all(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    if from.is_empty() || bytes.len() < from.len() {
        return bytes.to_vec();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The request with its target moved under `prefix` (`GET /v2/x` -> `GET /open311/v2/x`)
/// unless it is there already, so a target fuzzing one face of the platform stays on it.
pub fn under_prefix(bytes: &[u8], prefix: &[u8]) -> Vec<u8> {
    let Some(space) = bytes.iter().position(|&b| b == b' ') else {
        return bytes.to_vec();
    };
    let (line, rest) = bytes.split_at(space + 1);
    if rest.starts_with(prefix) {
        return bytes.to_vec();
    }
    [line, prefix, rest].concat()
}

/// Splits `bytes` at the first `\n\n` (or `\r\n\r\n`): the head and the body.
fn split_head(bytes: &[u8]) -> (&[u8], &[u8]) {
    for (i, w) in bytes.windows(2).enumerate() {
        if w == b"\n\n" {
            return (&bytes[..i], &bytes[i + 2..]);
        }
        if w == b"\r\n" && bytes[i + 2..].starts_with(b"\r\n") {
            return (&bytes[..i], &bytes[i + 4..]);
        }
    }
    (bytes, &[])
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// A request as a server would hand it to the router, or `None` when no HTTP server would
/// (an unknown method's spelling, a target that is not a path, a header that is not one).
/// Lines that are not headers are left out rather than refusing the whole input, so the
/// fuzzer keeps reaching the handlers. `Content-Length` is the body's real length, as the
/// server that read the body would have made sure.
pub fn parse(bytes: &[u8]) -> Option<Request<Body>> {
    let (head, body) = split_head(bytes);
    let mut lines = head.split(|&b| b == b'\n').map(trim);
    let request_line = lines.next()?;
    let mut words = request_line.splitn(2, |&b| b == b' ');
    let method = Method::from_bytes(words.next()?).ok()?;
    let target = trim(words.next()?);
    // The origin form, as a server receives it from a client (no proxy requests).
    if !target.starts_with(b"/") {
        return None;
    }
    let mut request = Request::builder().method(method).uri(target);
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(trim(&line[..colon])),
            HeaderValue::from_bytes(trim(&line[colon + 1..])),
        ) else {
            continue;
        };
        if name == header::CONTENT_LENGTH || name == header::TRANSFER_ENCODING {
            continue;
        }
        request = request.header(name, value);
    }
    if !body.is_empty() {
        request = request.header(header::CONTENT_LENGTH, body.len());
    }
    request.body(Body::from(body.to_vec())).ok()
}
