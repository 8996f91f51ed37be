//! A compact, namespace-resolved element tree built in one pass over the input
//! (by the scanner in `scan.rs`).
//!
//! Why a tree and not quick-xml's own serde deserializer: we need the element
//! path and line:col of every schema violation, namespace URIs instead of
//! prefixes, and interleaved repeated elements. Text borrows from the input
//! whenever it contains no entity references, and names are interned, so a
//! 17 MB waybill with 100 000 stamps costs a few MB on top of the input.

use std::borrow::Cow;
#[cfg(test)]
use std::collections::HashMap;

#[cfg(test)]
use quick_xml::events::Event;
#[cfg(test)]
use quick_xml::name::ResolveResult;
#[cfg(test)]
use quick_xml::reader::NsReader;

use super::error::{XmlError, XmlErrorKind};
use super::ns::Ns;

pub(crate) const NONE: u32 = u32::MAX;

#[derive(Debug)]
pub(crate) struct Node<'a> {
    /// Index into `Tree::uris`; 0 means "no namespace".
    pub ns: u32,
    /// Index into `Tree::names`.
    pub name: u32,
    pub parent: u32,
    pub first_child: u32,
    pub next_sibling: u32,
    pub attrs: (u32, u32),
    /// Byte offset of the `<` of the start tag.
    pub offset: usize,
    /// Concatenated character data directly inside the element (entities resolved).
    pub text: Cow<'a, str>,
}

#[derive(Debug)]
pub(crate) struct Attr {
    /// Unprefixed attributes only carry data in EGAIS; prefixed ones (xsi:…) are kept
    /// with `prefixed = true` so that readers can skip them.
    pub prefixed: bool,
    pub name: String,
    pub value: String,
}

#[derive(Debug)]
pub(crate) struct Tree<'a> {
    pub src: &'a str,
    pub nodes: Vec<Node<'a>>,
    pub attrs: Vec<Attr>,
    pub uris: Vec<String>,
    pub known: Vec<Option<Ns>>,
    pub names: Vec<String>,
}

impl<'a> Tree<'a> {
    pub fn root(&self) -> u32 {
        0
    }

    pub fn node(&self, idx: u32) -> &Node<'a> {
        &self.nodes[idx as usize]
    }

    pub fn local(&self, idx: u32) -> &str {
        &self.names[self.node(idx).name as usize]
    }

    pub fn uri(&self, idx: u32) -> &str {
        &self.uris[self.node(idx).ns as usize]
    }

    pub fn ns(&self, idx: u32) -> Option<Ns> {
        self.known[self.node(idx).ns as usize]
    }

    pub fn is(&self, idx: u32, ns: Option<Ns>, local: &str) -> bool {
        let n = self.node(idx);
        let ns_ok = match ns {
            Some(ns) => self.known[n.ns as usize] == Some(ns),
            None => n.ns == 0,
        };
        ns_ok && self.names[n.name as usize] == local
    }

    pub fn children(&self, idx: u32) -> Children<'_, 'a> {
        Children {
            tree: self,
            next: self.node(idx).first_child,
        }
    }

    pub fn attrs(&self, idx: u32) -> &[Attr] {
        let (start, len) = self.node(idx).attrs;
        &self.attrs[start as usize..(start + len) as usize]
    }

    pub fn attr(&self, idx: u32, name: &str) -> Option<&str> {
        self.attrs(idx)
            .iter()
            .find(|a| !a.prefixed && a.name == name)
            .map(|a| a.value.as_str())
    }

    pub fn text(&self, idx: u32) -> &str {
        self.node(idx).text.trim()
    }

    /// The key under which the serde layer presents an element: `prefix:local`
    /// for a modelled namespace, plain `local` for no namespace, and a form no
    /// model uses for foreign namespaces (so they are ignored as unknown).
    pub fn key_into(&self, idx: u32, buf: &mut String) {
        buf.clear();
        let n = self.node(idx);
        if n.ns != 0 {
            match self.known[n.ns as usize] {
                Some(ns) => {
                    buf.push_str(ns.prefix());
                    buf.push(':');
                }
                None => {
                    buf.push('{');
                    buf.push_str(&self.uris[n.ns as usize]);
                    buf.push('}');
                }
            }
        }
        buf.push_str(&self.names[n.name as usize]);
    }

    /// `Documents/Document/WayBill_v4/Content/Position[3]/Quantity`.
    pub fn path(&self, idx: u32) -> String {
        let mut parts = Vec::new();
        let mut cur = idx;
        while cur != NONE && (cur as usize) < self.nodes.len() {
            let n = self.node(cur);
            let local = self.local(cur);
            let part = if n.parent == NONE {
                local.to_string()
            } else {
                let mut same = 0usize;
                let mut pos = 0usize;
                for sib in self.children(n.parent) {
                    let s = self.node(sib);
                    if s.name == n.name && s.ns == n.ns {
                        same += 1;
                        if sib == cur {
                            pos = same;
                        }
                    }
                }
                if same > 1 {
                    format!("{local}[{pos}]")
                } else {
                    local.to_string()
                }
            };
            parts.push(part);
            cur = n.parent;
        }
        parts.reverse();
        parts.join("/")
    }

    pub fn error(&self, idx: u32, kind: XmlErrorKind, message: impl Into<String>) -> XmlError {
        let offset = self.nodes.get(idx as usize).map_or(0, |n| n.offset);
        XmlError::at(kind, self.src, offset, self.path(idx), message)
    }
}

pub(crate) struct Children<'t, 'a> {
    tree: &'t Tree<'a>,
    next: u32,
}

impl Iterator for Children<'_, '_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.next == NONE {
            return None;
        }
        let cur = self.next;
        self.next = self.tree.node(cur).next_sibling;
        Some(cur)
    }
}

/// Builds the tree. Fails on anything that is not well-formed, namespace-valid
/// UTF-8 XML with exactly one root element.
pub(crate) fn parse(bytes: &[u8]) -> Result<Tree<'_>, XmlError> {
    let src = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
            return Err(XmlError::at(
                XmlErrorKind::Malformed,
                valid,
                valid.len(),
                String::new(),
                "the document is not valid UTF-8",
            ));
        }
    };
    let body = src.strip_prefix('\u{feff}').unwrap_or(src);
    let bom = src.len() - body.len();
    super::scan::build(src, bom)
}

/// The same tree built with quick-xml's `NsReader`: the reference the
/// scanner is compared against in the tests.
#[cfg(test)]
pub(crate) fn parse_reference(bytes: &[u8]) -> Result<Tree<'_>, XmlError> {
    let src = std::str::from_utf8(bytes)
        .map_err(|_| XmlError::at(XmlErrorKind::Malformed, "", 0, String::new(), "not UTF-8"))?;
    let body = src.strip_prefix('\u{feff}').unwrap_or(src);
    let bom = src.len() - body.len();
    Builder::new(src, bom).run(body)
}

#[cfg(test)]
struct Builder<'a> {
    tree: Tree<'a>,
    names: HashMap<String, u32>,
    stack: Vec<(u32, u32)>,
    bom: usize,
    root_closed: bool,
}

#[cfg(test)]
impl<'a> Builder<'a> {
    fn new(src: &'a str, bom: usize) -> Self {
        Builder {
            tree: Tree {
                src,
                nodes: Vec::new(),
                attrs: Vec::new(),
                uris: vec![String::new()],
                known: vec![None],
                names: Vec::new(),
            },
            names: HashMap::new(),
            stack: Vec::new(),
            bom,
            root_closed: false,
        }
    }

    fn open_path(&self) -> String {
        self.stack
            .last()
            .map_or_else(String::new, |&(idx, _)| self.tree.path(idx))
    }

    fn malformed(&self, offset: usize, message: impl Into<String>) -> XmlError {
        XmlError::at(
            XmlErrorKind::Malformed,
            self.tree.src,
            offset,
            self.open_path(),
            message,
        )
    }

    fn run(mut self, body: &'a str) -> Result<Tree<'a>, XmlError> {
        let mut reader = NsReader::from_str(body);
        loop {
            let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let offset = before.saturating_add(self.bom);
            let (resolved, event) = match reader.read_resolved_event() {
                Ok((res, ev)) => (resolve(&mut self.tree, res), ev),
                Err(e) => {
                    let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                    return Err(self.malformed(at.saturating_add(self.bom), e.to_string()));
                }
            };
            match event {
                Event::Start(e) | Event::Empty(e) if self.root_closed => {
                    let _ = e;
                    return Err(self.malformed(offset, "more than one root element"));
                }
                Event::Start(e) => {
                    let ns = resolved.map_err(|p| self.malformed(offset, p))?;
                    let idx = self.open(ns, e.local_name().as_ref(), offset)?;
                    self.read_attrs(&e, offset)?;
                    self.tree.nodes[idx as usize].attrs.1 =
                        self.tree.attrs.len() as u32 - self.tree.nodes[idx as usize].attrs.0;
                    self.stack.push((idx, NONE));
                }
                Event::Empty(e) => {
                    let ns = resolved.map_err(|p| self.malformed(offset, p))?;
                    let idx = self.open(ns, e.local_name().as_ref(), offset)?;
                    self.read_attrs(&e, offset)?;
                    self.tree.nodes[idx as usize].attrs.1 =
                        self.tree.attrs.len() as u32 - self.tree.nodes[idx as usize].attrs.0;
                    if self.stack.is_empty() {
                        self.root_closed = true;
                    }
                }
                Event::End(_) => {
                    self.stack.pop();
                    if self.stack.is_empty() {
                        self.root_closed = true;
                    }
                }
                Event::Text(t) => {
                    let text = t.xml10_content();
                    self.push_text(text, offset)?;
                }
                Event::CData(t) => {
                    let text = t.xml10_content();
                    self.push_text(text, offset)?;
                }
                Event::GeneralRef(r) => {
                    let ch: String = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => match &*r {
                            "lt" => "<".into(),
                            "gt" => ">".into(),
                            "amp" => "&".into(),
                            "apos" => "'".into(),
                            "quot" => "\"".into(),
                            other => {
                                return Err(
                                    self.malformed(offset, format!("unknown entity &{other};"))
                                );
                            }
                        },
                        Err(e) => return Err(self.malformed(offset, e.to_string())),
                    };
                    self.push_text(Cow::Owned(ch), offset)?;
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
                Event::Eof => break,
            }
        }
        if let Some(&(idx, _)) = self.stack.last() {
            let name = self.tree.local(idx).to_string();
            return Err(self.malformed(
                self.tree.src.len(),
                format!("unexpected end of document: <{name}> is not closed"),
            ));
        }
        if self.tree.nodes.is_empty() {
            return Err(XmlError::at(
                XmlErrorKind::Malformed,
                self.tree.src,
                self.tree.src.len(),
                String::new(),
                "no root element",
            ));
        }
        Ok(self.tree)
    }

    fn open(&mut self, ns: u32, local: &str, offset: usize) -> Result<u32, XmlError> {
        let idx = u32::try_from(self.tree.nodes.len())
            .ok()
            .filter(|&i| i != NONE)
            .ok_or_else(|| self.malformed(offset, "too many elements"))?;
        let name = match self.names.get(local) {
            Some(&n) => n,
            None => {
                let n = self.tree.names.len() as u32;
                self.tree.names.push(local.to_string());
                self.names.insert(local.to_string(), n);
                n
            }
        };
        let parent = match self.stack.last_mut() {
            Some((parent, last)) => {
                if *last == NONE {
                    self.tree.nodes[*parent as usize].first_child = idx;
                } else {
                    self.tree.nodes[*last as usize].next_sibling = idx;
                }
                *last = idx;
                *parent
            }
            None => NONE,
        };
        self.tree.nodes.push(Node {
            ns,
            name,
            parent,
            first_child: NONE,
            next_sibling: NONE,
            attrs: (self.tree.attrs.len() as u32, 0),
            offset,
            text: Cow::Borrowed(""),
        });
        Ok(idx)
    }

    fn read_attrs(
        &mut self,
        e: &quick_xml::events::BytesStart<'_>,
        offset: usize,
    ) -> Result<(), XmlError> {
        for attr in e.attributes() {
            let attr = attr.map_err(|err| self.malformed(offset, err.to_string()))?;
            if attr.key.as_namespace_binding().is_some() {
                continue;
            }
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| self.malformed(offset, err.to_string()))?;
            self.tree.attrs.push(Attr {
                prefixed: attr.key.prefix().is_some(),
                name: attr.key.local_name().as_ref().to_string(),
                value: value.into_owned(),
            });
        }
        Ok(())
    }

    fn push_text(&mut self, text: Cow<'a, str>, offset: usize) -> Result<(), XmlError> {
        let Some(&(idx, _)) = self.stack.last() else {
            if text.trim().is_empty() {
                return Ok(());
            }
            return Err(self.malformed(offset, "text outside the root element"));
        };
        let node = &mut self.tree.nodes[idx as usize];
        if node.text.is_empty() {
            // Whitespace between child elements is formatting, not data.
            if !text.trim().is_empty() {
                node.text = text;
            }
        } else {
            node.text.to_mut().push_str(&text);
        }
        Ok(())
    }
}

/// Maps a resolved namespace to the tree's URI index; an undeclared prefix is an error.
#[cfg(test)]
fn resolve(tree: &mut Tree<'_>, res: ResolveResult<'_>) -> Result<u32, String> {
    match res {
        ResolveResult::Unbound => Ok(0),
        ResolveResult::Unknown(prefix) => {
            Err(format!("namespace prefix `{prefix}` is not declared"))
        }
        ResolveResult::Bound(ns) => {
            let uri = ns.as_ref();
            if uri.is_empty() {
                return Ok(0);
            }
            if let Some(i) = tree.uris.iter().position(|u| u == uri) {
                return Ok(i as u32);
            }
            tree.uris.push(uri.to_string());
            tree.known.push(Ns::from_uri(uri));
            Ok(tree.uris.len() as u32 - 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_namespaced_tree_with_text_and_paths() {
        let xml = "<?xml version=\"1.0\"?>\n<a:R xmlns:a=\"http://fsrar.ru/WEGAIS/Ticket\"><!-- c --><a:x>1 &amp; 2</a:x>\n<x k=\"v\"/><a:x>3</a:x></a:R>";
        let t = parse(xml.as_bytes()).unwrap();
        assert_eq!(t.ns(0), Some(Ns::Ticket));
        let kids: Vec<u32> = t.children(0).collect();
        assert_eq!(kids.len(), 3);
        assert_eq!(t.text(kids[0]), "1 & 2");
        assert_eq!(t.attr(kids[1], "k"), Some("v"));
        assert_eq!(t.path(kids[2]), "R/x[2]");
        assert_eq!(t.path(kids[1]), "R/x");
        let mut key = String::new();
        t.key_into(kids[0], &mut key);
        assert_eq!(key, "tc:x");
        t.key_into(kids[1], &mut key);
        assert_eq!(key, "x");
    }

    #[test]
    fn rejects_malformed_input_with_position() {
        for bad in [
            "<a><b></a>",
            "<a>",
            "",
            "<a/><b/>",
            "<p:a/>",
            "<a>&bogus;</a>",
            "text",
        ] {
            let err = parse(bad.as_bytes()).unwrap_err();
            assert_eq!(err.kind, XmlErrorKind::Malformed, "{bad}: {err}");
        }
        let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        let err = parse(deep.as_bytes()).unwrap_err();
        assert!(err.message.contains("deeper"), "{err}");
        let attrs: String = (0..100).map(|i| format!(" a{i}=\"1\"")).collect();
        assert!(parse(format!("<a{attrs}/>").as_bytes()).is_err());
        let ok = format!("{}{}", "<a>".repeat(200), "</a>".repeat(200));
        assert!(parse(ok.as_bytes()).is_ok());
        let err = parse(b"<a>\n  <b>\n</a>").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(parse(&[0x3c, 0x61, 0xff, 0x3e]).is_err());
    }
}

#[cfg(test)]
mod differential {
    //! The scanner against quick-xml's `NsReader` on the samples and on random markup.
    use super::*;
    use proptest::prelude::*;

    fn dump(t: &Tree<'_>) -> Vec<String> {
        (0..t.nodes.len() as u32)
            .map(|i| {
                let n = t.node(i);
                let attrs: Vec<String> = t
                    .attrs(i)
                    .iter()
                    .map(|a| {
                        format!(
                            "{}{}={}",
                            if a.prefixed { "p:" } else { "" },
                            a.name,
                            a.value
                        )
                    })
                    .collect();
                format!(
                    "{} {{{}}}{} p={} c={} s={} @{} {:?} {:?}",
                    i,
                    t.uri(i),
                    t.local(i),
                    n.parent,
                    n.first_child,
                    n.next_sibling,
                    n.offset,
                    n.text,
                    attrs
                )
            })
            .collect()
    }

    #[test]
    fn samples_build_identical_trees() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/egais/samples");
        let mut count = 0;
        for sub in std::fs::read_dir(dir).unwrap() {
            for f in std::fs::read_dir(sub.unwrap().path()).unwrap() {
                let bytes = std::fs::read(f.unwrap().path()).unwrap();
                let a = parse(&bytes).unwrap();
                let b = parse_reference(&bytes).unwrap();
                assert_eq!(dump(&a), dump(&b));
                count += 1;
            }
        }
        assert!(count > 20);
    }

    #[test]
    fn entities_cdata_and_line_ends() {
        let xml = "<r a='x&#x41;&lt;\t\r\n'>a &amp; b&#1087;\r\n<![CDATA[<c>]]><!-- -->d</r>";
        let t = parse(xml.as_bytes()).unwrap();
        assert_eq!(t.text(0), "a & bп\n<c>d");
        assert_eq!(t.attr(0, "a"), Some("xA<  "));
        assert_eq!(dump(&t), dump(&parse_reference(xml.as_bytes()).unwrap()));
        for bad in [
            "<r a='1' a='2'/>",
            "<r a='1'b='2'/>",
            "<r a=1/>",
            "<r>&#0;</r>",
            "<r>&#xZZ;</r>",
            "<r>& </r>",
            "<r a='<'/>",
            "<:r/>",
            "<a:b:c xmlns:a='u'/>",
            "<r xmlns:p=''/>",
            "<r p:a='1'/>",
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    fn markup() -> impl Strategy<Value = String> {
        let tag = "[abp]{1,2}";
        let piece = prop_oneof![
            (
                tag,
                proptest::option::of(("[abxmlns:]{1,7}", "[a-z&;#<> ]{0,6}"))
            )
                .prop_map(|(t, a)| match a {
                    Some((n, v)) => format!("<{t} {n}=\"{v}\">"),
                    None => format!("<{t}>"),
                }),
            tag.prop_map(|t| format!("</{t}>")),
            tag.prop_map(|t| format!("<{t}/>")),
            "[a-z &;#x0-9\r\n]{0,6}",
            Just("<!-- c -->".to_string()),
            Just("<![CDATA[x<y]]>".to_string()),
            Just("<?pi x?>".to_string()),
            Just("<p:a xmlns:p=\"urn:p\">".to_string()),
            Just("</p:a>".to_string()),
        ];
        proptest::collection::vec(piece, 0..16).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn scanner_agrees_with_quick_xml(xml in markup()) {
            let ours = parse(xml.as_bytes());
            let reference = parse_reference(xml.as_bytes());
            match (&ours, &reference) {
                (Ok(a), Ok(b)) => prop_assert_eq!(dump(a), dump(b)),
                // We may be stricter than quick-xml, never more lenient.
                (Ok(_), Err(e)) => prop_assert!(false, "quick-xml rejects ({e}) what we accept: {xml:?}"),
                _ => {}
            }
        }
    }
}
