//! One answer, two formats. GeoReport v2 defines XML and derives JSON from it by the Spark
//! convention: the root element disappears, a wrapper of repeated elements becomes an array,
//! an empty element becomes `null`. Handlers build a [`Document`] once and it is written in
//! whichever format the path asked for, so the two can never disagree.

use super::xml::XmlWriter;
use serde_json::{Map, Value as Json};

/// A value in an answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// No value: `null` in JSON, an empty element in XML.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// Text.
    Text(String),
    /// Named fields, in the order the spec lists them.
    Record(Vec<(&'static str, Value)>),
    /// Repeated items: a JSON array; in XML each item is an `item` element inside the
    /// wrapper (`<attributes><attribute>…`).
    List {
        /// The element name of one item.
        item: &'static str,
        /// The items.
        items: Vec<Value>,
    },
}

impl Value {
    /// Text, or `Null` when absent.
    pub fn text_or_null(text: Option<String>) -> Value {
        text.map_or(Value::Null, Value::Text)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

/// The two formats every resource is served in, chosen by the path's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `.json`, `application/json`.
    Json,
    /// `.xml`, `text/xml` (the spec's required format).
    Xml,
}

impl Format {
    /// The format named by an extension (`json`, `xml`), exactly as the spec spells them.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext {
            "json" => Some(Format::Json),
            "xml" => Some(Format::Xml),
            _ => None,
        }
    }

    /// Splits `services.json` into (`services`, JSON). `None` when the extension is missing
    /// or unknown.
    pub fn split(file: &str) -> Option<(&str, Format)> {
        let (stem, ext) = file.rsplit_once('.')?;
        Some((stem, Format::from_extension(ext)?))
    }

    /// The format a path most likely wanted, for answering errors on paths that did not
    /// parse: its extension if known, else XML (the format every client must read).
    pub fn guess(path: &str) -> Format {
        path.rsplit_once('.')
            .and_then(|(_, ext)| Format::from_extension(ext))
            .unwrap_or(Format::Xml)
    }

    /// The content type, with the charset the spec asks to state.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// A whole answer: the XML root element and what it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The XML root element (`services`, `service_requests`, `errors`, …); not in JSON.
    pub root: &'static str,
    /// Its content.
    pub body: Value,
}

impl Document {
    /// The answer in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => self.to_json().to_string(),
            Format::Xml => self.to_xml(),
        }
    }

    /// The JSON form.
    pub fn to_json(&self) -> Json {
        json(&self.body)
    }

    /// The XML form, declaration included.
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::new();
        write_xml(&mut w, self.root, &self.body);
        w.finish()
    }
}

fn json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(n) => Json::from(*n),
        Value::Text(s) => Json::String(s.clone()),
        Value::Record(fields) => Json::Object(
            fields
                .iter()
                .map(|(name, v)| ((*name).to_owned(), json(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::List { items, .. } => Json::Array(items.iter().map(json).collect()),
    }
}

fn write_xml(w: &mut XmlWriter, name: &'static str, value: &Value) {
    match value {
        Value::Null => w.empty(name),
        Value::Bool(b) => w.element(name, if *b { "true" } else { "false" }),
        Value::Int(n) => w.element(name, &n.to_string()),
        Value::Text(s) => w.element(name, s),
        Value::Record(fields) => {
            w.start(name);
            for (field, v) in fields {
                write_xml(w, field, v);
            }
            w.end();
        }
        Value::List { item, items } => {
            w.start(name);
            for v in items {
                write_xml(w, item, v);
            }
            w.end();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn definition() -> Document {
        Document {
            root: "service_definition",
            body: Value::Record(vec![
                ("service_code", "lifts".into()),
                (
                    "attributes",
                    Value::List {
                        item: "attribute",
                        items: vec![Value::Record(vec![
                            ("variable", Value::Bool(true)),
                            ("order", Value::Int(1)),
                            ("datatype_description", Value::Null),
                            (
                                "values",
                                Value::List {
                                    item: "value",
                                    items: vec![Value::Record(vec![
                                        ("key", "soon".into()),
                                        ("name", "Soon & <quick>".into()),
                                    ])],
                                },
                            ),
                        ])],
                    },
                ),
            ]),
        }
    }

    #[test]
    fn json_drops_the_root_and_turns_wrappers_into_arrays() {
        assert_eq!(
            definition().to_json(),
            serde_json::json!({
                "service_code": "lifts",
                "attributes": [{
                    "variable": true,
                    "order": 1,
                    "datatype_description": null,
                    "values": [{"key": "soon", "name": "Soon & <quick>"}]
                }]
            })
        );
    }

    #[test]
    fn xml_keeps_the_root_and_names_every_item() {
        assert_eq!(
            definition().to_xml(),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_definition>\
             <service_code>lifts</service_code><attributes><attribute>\
             <variable>true</variable><order>1</order>\
             <datatype_description></datatype_description><values><value>\
             <key>soon</key><name>Soon &amp; &lt;quick&gt;</name></value></values>\
             </attribute></attributes></service_definition>"
        );
    }

    #[test]
    fn a_top_level_list_is_a_json_array() {
        let doc = Document {
            root: "errors",
            body: Value::List {
                item: "error",
                items: vec![Value::Record(vec![
                    ("code", Value::Int(404)),
                    ("description", "no such service_code".into()),
                ])],
            },
        };
        assert_eq!(
            doc.render(Format::Json),
            r#"[{"code":404,"description":"no such service_code"}]"#
        );
        assert!(doc.render(Format::Xml).ends_with(
            "<errors><error><code>404</code><description>no such service_code</description>\
             </error></errors>"
        ));
    }

    #[rstest]
    #[case("services.json", Some(("services", Format::Json)))]
    #[case("services.xml", Some(("services", Format::Xml)))]
    #[case("01968f2e-7c1a-7000-8000-000000000000.json", Some(("01968f2e-7c1a-7000-8000-000000000000", Format::Json)))]
    #[case("services.JSON", None)]
    #[case("services.yaml", None)]
    #[case("services", None)]
    fn extensions(#[case] file: &str, #[case] expected: Option<(&str, Format)>) {
        assert_eq!(Format::split(file), expected);
    }

    #[rstest]
    #[case("/open311/v2/nothing.json", Format::Json)]
    #[case("/open311/v2/nothing.xml", Format::Xml)]
    #[case("/open311/v2/nothing", Format::Xml)]
    fn errors_on_unparsed_paths_guess_the_format(#[case] path: &str, #[case] expected: Format) {
        assert_eq!(Format::guess(path), expected);
    }
}
