//! A server-sent events parser fed with bytes as they arrive from the network.
//!
//! Chunks may split a line, a UTF-8 character or a `\r\n` pair anywhere, so the parser keeps
//! the unfinished line between calls. Only what the change feed uses is kept: `event`, `id`
//! and `data` (several `data` lines join with `\n`); comments (`:` lines, used as keep-alives)
//! and unknown fields are skipped, as the format asks.

/// One dispatched event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field; `message` when absent.
    pub event: String,
    /// The `id:` field of this event, if it had one.
    pub id: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

/// Incremental parser state.
#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    after_cr: bool,
    event: String,
    id: Option<String>,
    data: String,
    has_data: bool,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next bytes; returns the events completed by them, in order.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut out = Vec::new();
        for &b in chunk {
            match b {
                b'\n' if self.after_cr => {
                    // The second half of a `\r\n` that was split across chunks.
                    self.after_cr = false;
                }
                b'\r' | b'\n' => {
                    self.after_cr = b == b'\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(event) = self.line_done(&line) {
                        out.push(event);
                    }
                }
                _ => {
                    self.after_cr = false;
                    self.line.push(b);
                }
            }
        }
        out
    }

    fn line_done(&mut self, line: &[u8]) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line[0] == b':' {
            return None;
        }
        let text = String::from_utf8_lossy(line);
        let (field, value) = match text.find(':') {
            Some(i) => {
                let value = &text[i + 1..];
                (&text[..i], value.strip_prefix(' ').unwrap_or(value))
            }
            None => (&text[..], ""),
        };
        match field {
            "event" => self.event = value.to_string(),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            // An id with NUL is ignored by the format's rules.
            "id" if !value.contains('\0') => self.id = Some(value.to_string()),
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = std::mem::take(&mut self.event);
        let data = std::mem::take(&mut self.data);
        let id = self.id.take();
        let had_data = std::mem::replace(&mut self.has_data, false);
        if !had_data {
            return None;
        }
        Some(SseEvent {
            event: if event.is_empty() {
                "message".to_string()
            } else {
                event
            },
            id,
            data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse_all(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut p = SseParser::new();
        chunks.iter().flat_map(|c| p.feed(c)).collect()
    }

    #[test]
    fn reads_named_events_with_ids() {
        let events = parse_all(&[b"event: report\nid: 12\ndata: {\"seq\":12}\n\n"]);
        assert_eq!(
            events,
            vec![SseEvent {
                event: "report".into(),
                id: Some("12".into()),
                data: "{\"seq\":12}".into()
            }]
        );
    }

    #[test]
    fn skips_comments_and_joins_data_lines() {
        let events = parse_all(&[b": keep-alive\n\ndata:a\ndata: b\nretry: 10\nfoo\n\n"]);
        assert_eq!(
            events,
            vec![SseEvent {
                event: "message".into(),
                id: None,
                data: "a\nb".into()
            }]
        );
    }

    #[test]
    fn an_event_without_data_is_not_dispatched() {
        assert_eq!(parse_all(&[b"event: report\nid: 3\n\n"]), vec![]);
    }

    #[test]
    fn crlf_split_between_chunks_is_one_line_end() {
        let events = parse_all(&[b"data: x\r", b"\n\r", b"\ndata: y\r\n\r\n"]);
        let data: Vec<_> = events.into_iter().map(|e| e.data).collect();
        assert_eq!(data, ["x", "y"]);
    }

    #[test]
    fn incomplete_events_wait_for_their_blank_line() {
        let mut p = SseParser::new();
        assert_eq!(p.feed(b"event: report\ndata: 1"), vec![]);
        assert_eq!(p.feed(b"\n"), vec![]);
        assert_eq!(p.feed(b"\n").len(), 1);
    }

    proptest! {
        #[test]
        fn chunking_does_not_change_the_events(
            datas in proptest::collection::vec("[a-z0-9 {}:\"é报修]{0,20}", 1..5),
            cuts in proptest::collection::vec(0usize..400, 0..10),
            crlf in any::<bool>(),
        ) {
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            for (i, d) in datas.iter().enumerate() {
                text.push_str(&format!(": ping{nl}event: report{nl}id: {i}{nl}data: {d}{nl}{nl}"));
            }
            let bytes = text.as_bytes();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut start = 0;
            for c in cuts {
                chunks.push(&bytes[start..c]);
                start = c;
            }
            chunks.push(&bytes[start..]);
            let whole = parse_all(&[bytes]);
            prop_assert_eq!(&parse_all(&chunks), &whole);
            prop_assert_eq!(whole.len(), datas.len());
            for (i, (e, d)) in whole.iter().zip(&datas).enumerate() {
                prop_assert_eq!(&e.data, d);
                prop_assert_eq!(e.id.clone(), Some(i.to_string()));
            }
        }
    }
}
