//! A small XML writer for Open311's schemaless documents: elements and text, nothing else
//! (no attributes, namespaces or comments, which GeoReport v2 does not use).
//!
//! Text is escaped so any string a resident typed survives a round trip through a real XML
//! parser, and characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates
//! cannot occur in a Rust `str`, U+FFFE/U+FFFF) are replaced with U+FFFD rather than
//! producing a document no client can read.

/// The declaration every Open311 XML answer starts with (the spec asks for UTF-8, stated).
pub const DECLARATION: &str = r#"<?xml version="1.0" encoding="utf-8"?>"#;

/// Writes one XML document into a string.
#[derive(Debug)]
pub struct XmlWriter {
    out: String,
    open: Vec<&'static str>,
}

impl Default for XmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl XmlWriter {
    /// A document holding only the declaration so far.
    pub fn new() -> Self {
        let mut out = String::with_capacity(1024);
        out.push_str(DECLARATION);
        out.push('\n');
        Self {
            out,
            open: Vec::new(),
        }
    }

    /// Opens `<name>`.
    pub fn start(&mut self, name: &'static str) {
        debug_assert!(is_name(name), "not an XML element name: {name:?}");
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self.open.push(name);
    }

    /// Closes the innermost open element.
    pub fn end(&mut self) {
        let name = self.open.pop().expect("an element is open");
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Writes escaped character data inside the open element.
    pub fn text(&mut self, text: &str) {
        debug_assert!(!self.open.is_empty(), "text outside the root element");
        escape_into(&mut self.out, text);
    }

    /// `<name>text</name>`.
    pub fn element(&mut self, name: &'static str, text: &str) {
        self.start(name);
        self.text(text);
        self.end();
    }

    /// `<name></name>`, the spec's way of saying "no value" (its examples write empty
    /// elements for null fields).
    pub fn empty(&mut self, name: &'static str) {
        self.start(name);
        self.end();
    }

    /// The finished document.
    pub fn finish(self) -> String {
        assert!(self.open.is_empty(), "unclosed elements: {:?}", self.open);
        self.out
    }
}

/// Whether `c` may appear in an XML 1.0 document at all (the `Char` production).
fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\u{9}' | '\u{A}' | '\u{D}'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// Appends `text` escaped for element content. `>` is escaped too so `]]>` can never appear;
/// quotes are escaped so the same function is safe should an attribute ever be written.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // A bare CR would be read back as LF by any conforming parser.
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// Element names we write: ASCII letters, digits and `_`, not starting with a digit.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::Reader;
    use quick_xml::events::Event;
    use rstest::rstest;

    /// Reads `<root><v>…</v></root>` back with a real parser and returns the text of `v`.
    fn read_back(xml: &str) -> String {
        let mut reader = Reader::from_str(xml);
        let mut text = String::new();
        let mut inside = false;
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) if e.name().as_ref() == "v" => inside = true,
                Event::End(e) if e.name().as_ref() == "v" => inside = false,
                Event::Text(t) if inside => text.push_str(&t.xml10_content()),
                Event::GeneralRef(r) if inside => match r.resolve_char_ref().unwrap() {
                    Some(c) => text.push(c),
                    None => {
                        let name = r.xml10_content();
                        let c = quick_xml::escape::resolve_predefined_entity(&name)
                            .unwrap_or_else(|| panic!("unknown entity {name}"));
                        text.push_str(c);
                    }
                },
                Event::Eof => break,
                _ => {}
            }
        }
        text
    }

    fn document(value: &str) -> String {
        let mut w = XmlWriter::new();
        w.start("root");
        w.element("v", value);
        w.end();
        w.finish()
    }

    #[rstest]
    #[case::markup("<b>&amp;</b>")]
    #[case::quotes(r#"he said "fix it" & 'now'"#)]
    #[case::cdata_end("a ]]> b")]
    #[case::chinese("3栋 · 三楼楼道灯不亮")]
    #[case::newlines("line one\nline two\r\nline three\ttab")]
    #[case::emoji("水管漏了 💧")]
    fn text_survives_a_real_parser(#[case] value: &str) {
        assert_eq!(read_back(&document(value)), value);
    }

    #[test]
    fn characters_xml_cannot_carry_become_replacement_characters() {
        let xml = document("bell\u{7}nul\u{0}end\u{FFFF}");
        assert_eq!(read_back(&xml), "bell\u{FFFD}nul\u{FFFD}end\u{FFFD}");
    }

    #[test]
    fn documents_start_with_the_declaration_and_nest() {
        let mut w = XmlWriter::new();
        w.start("errors");
        w.start("error");
        w.element("code", "404");
        w.empty("description");
        w.end();
        w.end();
        assert_eq!(
            w.finish(),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <errors><error><code>404</code><description></description></error></errors>"
        );
    }

    #[rstest]
    #[case("service_request", true)]
    #[case("long", true)]
    #[case("1st", false)]
    #[case("a-b", false)]
    #[case("", false)]
    fn element_names(#[case] name: &str, #[case] ok: bool) {
        assert_eq!(is_name(name), ok);
    }
}
