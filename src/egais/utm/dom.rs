//! A tiny tolerant XML tree (local names only) for the few UTM replies and document
//! fields the client, the exchange engine and the simulator must read.
//!
//! Local helper: the full typed models live in `crate::egais::xml` (the xml stream);
//! this exists so the transport can read `<A>` replies, ticket fields and the element
//! name of a document without depending on every model. Namespace prefixes are dropped,
//! which is what tolerant reading of EGAIS documents needs (prefixes are arbitrary).

use quick_xml::XmlVersion;
use quick_xml::events::Event;

/// One element: local name, attributes (local names), text and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed XML at byte {position}: {detail}")]
pub struct DomError {
    pub position: u64,
    pub detail: String,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Follows a path of child names, e.g. `["Document", "Ticket", "Result"]`.
    pub fn path(&self, names: &[&str]) -> Option<&Node> {
        names.iter().try_fold(self, |node, name| node.child(name))
    }

    /// Trimmed text of a descendant by path; `None` when absent or empty.
    pub fn text_at(&self, names: &[&str]) -> Option<String> {
        self.path(names)
            .map(|n| n.text.trim().to_string())
            .filter(|t| !t.is_empty())
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Depth-first search for the first descendant (or self) with this local name.
    pub fn find(&self, name: &str) -> Option<&Node> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }

    /// Every descendant (or self) with this local name, depth first.
    pub fn find_all<'a>(&'a self, name: &str, out: &mut Vec<&'a Node>) {
        if self.name == name {
            out.push(self);
        }
        for c in &self.children {
            c.find_all(name, out);
        }
    }
}

/// Parses a whole document; the root element is returned. Unclosed or mismatched
/// elements, a missing root and trailing elements are errors.
pub fn parse(bytes: &[u8]) -> Result<Node, DomError> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let err = |reader: &quick_xml::Reader<&[u8]>, detail: String| DomError {
        position: reader.buffer_position(),
        detail,
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| err(&reader, e.to_string()))?;
        match event {
            Event::Start(e) | Event::Empty(e) if root.is_some() => {
                let name = e.local_name().as_ref().to_string();
                return Err(err(&reader, format!("element <{name}> after the root")));
            }
            Event::Start(e) => stack.push(start_node(&e).map_err(|d| err(&reader, d))?),
            Event::Empty(e) => {
                let node = start_node(&e).map_err(|d| err(&reader, d))?;
                close(&mut stack, &mut root, node);
            }
            Event::End(_) => match stack.pop() {
                Some(node) => close(&mut stack, &mut root, node),
                None => return Err(err(&reader, "unexpected closing tag".into())),
            },
            Event::Text(t) => {
                let text = t.xml_content(XmlVersion::Implicit1_0);
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err(err(&reader, "text outside the root element".into())),
                }
            }
            Event::CData(c) => {
                let text = c.into_inner().into_owned();
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                }
            }
            Event::GeneralRef(r) => {
                let ch = resolve_ref(&r).map_err(|d| err(&reader, d))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&ch);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(DomError {
            position: reader.buffer_position(),
            detail: format!("element <{}> is not closed", open.name),
        });
    }
    root.ok_or(DomError {
        position: 0,
        detail: "no root element".into(),
    })
}

fn start_node(e: &quick_xml::events::BytesStart<'_>) -> Result<Node, String> {
    let name = e.local_name().as_ref().to_string();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|x| x.to_string())?;
        let key = a.key.local_name().as_ref().to_string();
        let value = a
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|x| x.to_string())?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Node {
        name,
        attrs,
        ..Node::default()
    })
}

fn close(stack: &mut [Node], root: &mut Option<Node>, node: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

fn resolve_ref(r: &quick_xml::events::BytesRef<'_>) -> Result<String, String> {
    if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
        return Ok(c.to_string());
    }
    let name = r.xml_content(XmlVersion::Implicit1_0);
    let s = match name.as_ref() {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        other => return Err(format!("unknown entity &{other};")),
    };
    Ok(s.to_string())
}

/// Escapes text for element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_prefixed_documents_with_entities() {
        let xml = br#"<?xml version="1.0"?><!-- c --><ns:A xmlns:ns="x"><ns:url replyId="r&amp;1">a&amp;b</ns:url><x/></ns:A>"#;
        let root = parse(xml).unwrap();
        assert_eq!(root.name, "A");
        let url = root.child("url").unwrap();
        assert_eq!(url.text, "a&b");
        assert_eq!(url.attr("replyId"), Some("r&1"));
        assert!(root.child("x").is_some());
    }

    #[test]
    fn rejects_broken_documents() {
        for bad in [
            &b"<A><b></A>"[..],
            b"<A>",
            b"",
            b"just text",
            b"<A/><B/>",
            b"<A>&bogus;</A>",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = parse(&bytes);
        }
    }
}
