//! The tokenizer that builds [`Tree`]: a single forward pass over validated
//! UTF-8 with namespace resolution.
//!
//! Why not quick-xml's `NsReader` here: on a 17 MB waybill with 100 000 stamps
//! its per-event overhead alone is about half the time `xmllint --noout` needs
//! for the whole file, and `inspect` must take at most half of xmllint's time.
//! This scanner only finds delimiters with `str::find` (memchr), borrows names
//! and text from the input and resolves prefixes with a small binding stack.
//! It enforces what well-formedness means for EGAIS documents: matching tags,
//! one root, quoted and unique attributes, known entities and character
//! references, declared namespace prefixes, no text outside the root. The
//! quick-xml based builder is kept in the tests as a reference to compare against.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::error::{XmlError, XmlErrorKind};
use super::ns::Ns;
use super::tree::{Attr, NONE, Node, Tree};

/// FNV-1a: element names are short and few, SipHash would dominate interning.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// EGAIS documents nest about 12 levels deep. The serde layer recurses per
/// level (and `ce:bl` boxes nest recursively), so hostile input must not be
/// able to exhaust the stack.
pub(crate) const MAX_DEPTH: usize = 256;

/// EGAIS elements carry a handful of attributes and namespace declarations;
/// the limits keep the duplicate check and prefix lookup linear on hostile input.
const MAX_ATTRS: usize = 64;
const MAX_BINDINGS: usize = 512;

struct Open<'a> {
    idx: u32,
    qname: &'a str,
    last_child: u32,
    bindings_len: usize,
}

struct Scanner<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    tree: Tree<'a>,
    names: FastMap<&'a str, u32>,
    /// (prefix, uri index); the default namespace has the empty prefix.
    bindings: Vec<(&'a str, u32)>,
    stack: Vec<Open<'a>>,
    root_done: bool,
}

type Res<T> = Result<T, XmlError>;

pub(crate) fn build(src: &str, start: usize) -> Res<Tree<'_>> {
    let mut s = Scanner {
        src,
        b: src.as_bytes(),
        pos: start,
        tree: Tree {
            src,
            // A stamp element with its formatting is about 170 bytes.
            nodes: Vec::with_capacity(src.len() / 150 + 16),
            attrs: Vec::new(),
            uris: vec![String::new()],
            known: vec![None],
            names: Vec::new(),
        },
        names: FastMap::default(),
        bindings: Vec::new(),
        stack: Vec::new(),
        root_done: false,
    };
    s.run()?;
    Ok(s.tree)
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_name_end(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>' | b'=' | b'<' | b'"' | b'\'' | b'&'
    )
}

/// Split `p:local`; a name with an empty part or two colons is not a QName.
fn split_qname(name: &str) -> Option<(&str, &str)> {
    match name.split_once(':') {
        None => Some(("", name)),
        Some((p, l)) if !p.is_empty() && !l.is_empty() && !l.contains(':') => Some((p, l)),
        Some(_) => None,
    }
}

fn valid_name(name: &str) -> bool {
    match name.as_bytes().first() {
        None => false,
        Some(&c) => !(c.is_ascii_digit() || c == b'-' || c == b'.' || c == b':'),
    }
}

/// Whether a character may appear in an XML 1.0 document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

impl<'a> Scanner<'a> {
    fn path(&self) -> String {
        self.stack
            .last()
            .map_or_else(String::new, |o| self.tree.path(o.idx))
    }

    fn err(&self, offset: usize, msg: impl Into<String>) -> XmlError {
        XmlError::at(XmlErrorKind::Malformed, self.src, offset, self.path(), msg)
    }

    fn run(&mut self) -> Res<()> {
        loop {
            let text_end = match self.src[self.pos..].find('<') {
                Some(i) => self.pos + i,
                None => self.src.len(),
            };
            if text_end > self.pos {
                self.text(self.pos, text_end)?;
            }
            if text_end >= self.src.len() {
                break;
            }
            self.pos = text_end;
            match self.b.get(text_end + 1) {
                Some(b'/') => self.end_tag()?,
                Some(b'!') => self.bang()?,
                Some(b'?') => self.pi()?,
                Some(_) => self.start_tag()?,
                None => return Err(self.err(text_end, "unexpected end of document after `<`")),
            }
        }
        if let Some(open) = self.stack.last() {
            let name = open.qname.to_string();
            return Err(self.err(
                self.src.len(),
                format!("unexpected end of document: <{name}> is not closed"),
            ));
        }
        if self.tree.nodes.is_empty() {
            return Err(self.err(self.src.len(), "no root element"));
        }
        Ok(())
    }

    fn text(&mut self, start: usize, end: usize) -> Res<()> {
        let raw = &self.src[start..end];
        let Some(open) = self.stack.last() else {
            if raw.bytes().all(is_ws) {
                return Ok(());
            }
            return Err(self.err(start, "text outside the root element"));
        };
        let idx = open.idx as usize;
        if self.tree.nodes[idx].text.is_empty() && raw.bytes().all(is_ws) {
            // Whitespace between child elements is formatting, not data.
            return Ok(());
        }
        let decoded = self.decode(raw, start, false)?;
        let node = &mut self.tree.nodes[idx];
        if node.text.is_empty() {
            // Whitespace between child elements is formatting, not data.
            if !decoded.bytes().all(is_ws) {
                node.text = decoded;
            }
        } else {
            node.text.to_mut().push_str(&decoded);
        }
        Ok(())
    }

    /// Resolves entity and character references; normalises line ends (and,
    /// in attribute values, whitespace) as XML 1.0 prescribes.
    fn decode(&self, raw: &'a str, at: usize, attr: bool) -> Res<Cow<'a, str>> {
        // `contains(char)` is a memchr: most text needs no work at all.
        let needs_work = raw.contains('&')
            || raw.contains('\r')
            || (attr && (raw.contains('\n') || raw.contains('\t')));
        if !needs_work {
            return Ok(Cow::Borrowed(raw));
        }
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        let mut offset = at;
        while let Some(i) = rest.find(['&', '\r', '\n', '\t']) {
            out.push_str(&rest[..i]);
            let c = rest.as_bytes()[i];
            offset += i;
            rest = &rest[i..];
            match c {
                b'&' => {
                    let window = &rest.as_bytes()[..rest.len().min(12)];
                    let Some(semi) = window.iter().position(|&b| b == b';') else {
                        return Err(
                            self.err(offset, "`&` must start an entity reference like &amp;")
                        );
                    };
                    let name = &rest[1..semi];
                    let ch = match name {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        _ => {
                            let code = if let Some(hex) = name.strip_prefix("#x") {
                                u32::from_str_radix(hex, 16).ok()
                            } else if let Some(dec) = name.strip_prefix('#') {
                                dec.parse::<u32>().ok()
                            } else {
                                return Err(self.err(offset, format!("unknown entity &{name};")));
                            };
                            match code.and_then(char::from_u32).filter(|&c| is_xml_char(c)) {
                                Some(c) => c,
                                None => {
                                    return Err(self.err(
                                        offset,
                                        format!("invalid character reference &{name};"),
                                    ));
                                }
                            }
                        }
                    };
                    out.push(ch);
                    offset += semi + 1;
                    rest = &rest[semi + 1..];
                }
                b'\r' => {
                    out.push(if attr { ' ' } else { '\n' });
                    let skip = if rest.as_bytes().get(1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                    offset += skip;
                    rest = &rest[skip..];
                }
                _ => {
                    // '\n' or '\t': kept in text, a space in attribute values.
                    out.push(if attr { ' ' } else { c as char });
                    offset += 1;
                    rest = &rest[1..];
                }
            }
        }
        out.push_str(rest);
        Ok(Cow::Owned(out))
    }

    fn find_from(&self, from: usize, pat: &str) -> Option<usize> {
        self.src.get(from..)?.find(pat).map(|i| from + i)
    }

    fn bang(&mut self) -> Res<()> {
        let start = self.pos;
        let rest = &self.src[start..];
        if rest.starts_with("<!--") {
            let Some(end) = self.find_from(start + 4, "-->") else {
                return Err(self.err(start, "comment is not closed with -->"));
            };
            self.pos = end + 3;
        } else if rest.starts_with("<![CDATA[") {
            let Some(end) = self.find_from(start + 9, "]]>") else {
                return Err(self.err(start, "CDATA section is not closed with ]]>"));
            };
            let Some(open) = self.stack.last() else {
                return Err(self.err(start, "CDATA outside the root element"));
            };
            let idx = open.idx as usize;
            let content = &self.src[start + 9..end];
            let content: Cow<'a, str> = if content.contains('\r') {
                Cow::Owned(content.replace("\r\n", "\n").replace('\r', "\n"))
            } else {
                Cow::Borrowed(content)
            };
            let node = &mut self.tree.nodes[idx];
            if node.text.is_empty() {
                node.text = content;
            } else {
                node.text.to_mut().push_str(&content);
            }
            self.pos = end + 3;
        } else if rest.starts_with("<!DOCTYPE") {
            if self.root_done || !self.stack.is_empty() || !self.tree.nodes.is_empty() {
                return Err(self.err(start, "DOCTYPE must come before the root element"));
            }
            // Skip to the closing `>`, stepping over an internal subset and quotes.
            let mut depth = 0usize;
            let mut quote: Option<u8> = None;
            let mut i = start + 9;
            loop {
                let Some(&c) = self.b.get(i) else {
                    return Err(self.err(start, "DOCTYPE is not closed"));
                };
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, b'"' | b'\'') => quote = Some(c),
                    (None, b'[') => depth += 1,
                    (None, b']') => depth = depth.saturating_sub(1),
                    (None, b'>') if depth == 0 => break,
                    _ => {}
                }
                i += 1;
            }
            self.pos = i + 1;
        } else {
            return Err(self.err(start, "unexpected `<!`"));
        }
        Ok(())
    }

    fn pi(&mut self) -> Res<()> {
        let start = self.pos;
        let Some(end) = self.find_from(start + 2, "?>") else {
            return Err(self.err(start, "processing instruction is not closed with ?>"));
        };
        self.pos = end + 2;
        Ok(())
    }

    fn name_at(&self, from: usize) -> Res<(&'a str, usize)> {
        let mut i = from;
        while i < self.b.len() && !is_name_end(self.b[i]) {
            i += 1;
        }
        let name = &self.src[from..i];
        if !valid_name(name) {
            return Err(self.err(from, "expected an element or attribute name"));
        }
        Ok((name, i))
    }

    fn skip_ws(&self, mut i: usize) -> usize {
        while i < self.b.len() && is_ws(self.b[i]) {
            i += 1;
        }
        i
    }

    fn end_tag(&mut self) -> Res<()> {
        let start = self.pos;
        let (name, after) = self.name_at(start + 2)?;
        let close = self.skip_ws(after);
        if self.b.get(close) != Some(&b'>') {
            return Err(self.err(close, format!("end tag </{name}> is not closed with `>`")));
        }
        let Some(open) = self.stack.last() else {
            return Err(self.err(start, format!("end tag </{name}> without a start tag")));
        };
        if open.qname != name {
            return Err(self.err(
                start,
                format!("expected </{}>, found </{name}>", open.qname),
            ));
        }
        self.bindings.truncate(open.bindings_len);
        self.stack.pop();
        if self.stack.is_empty() {
            self.root_done = true;
        }
        self.pos = close + 1;
        Ok(())
    }

    fn uri_index(&mut self, uri: &str) -> u32 {
        if let Some(i) = self.tree.uris.iter().position(|u| u == uri) {
            return i as u32;
        }
        self.tree.uris.push(uri.to_string());
        self.tree.known.push(Ns::from_uri(uri));
        (self.tree.uris.len() - 1) as u32
    }

    fn resolve(&self, prefix: &str, at: usize) -> Res<u32> {
        if let Some(&(_, uri)) = self.bindings.iter().rev().find(|(p, _)| *p == prefix) {
            return Ok(uri);
        }
        match prefix {
            "" => Ok(0),
            "xml" => Ok(self
                .tree
                .uris
                .iter()
                .position(|u| u == XML_NS)
                .map_or(0, |i| i as u32)),
            other => Err(self.err(at, format!("namespace prefix `{other}` is not declared"))),
        }
    }

    fn start_tag(&mut self) -> Res<()> {
        let start = self.pos;
        if self.root_done {
            return Err(self.err(start, "more than one root element"));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.err(
                start,
                format!("elements nest deeper than {MAX_DEPTH} levels"),
            ));
        }
        let (qname, mut i) = self.name_at(start + 1)?;
        let Some((prefix, local)) = split_qname(qname) else {
            return Err(self.err(start, format!("`{qname}` is not a valid qualified name")));
        };
        let bindings_len = self.bindings.len();
        let attrs_start = self.tree.attrs.len();
        // Attributes: (qname, raw value, value offset).
        let mut raw_attrs: Vec<(&'a str, &'a str, usize)> = Vec::new();
        let empty;
        loop {
            let after_ws = self.skip_ws(i);
            match self.b.get(after_ws) {
                Some(b'>') => {
                    empty = false;
                    i = after_ws + 1;
                    break;
                }
                Some(b'/') => {
                    if self.b.get(after_ws + 1) != Some(&b'>') {
                        return Err(self.err(after_ws, "expected `/>`"));
                    }
                    empty = true;
                    i = after_ws + 2;
                    break;
                }
                None => return Err(self.err(start, format!("start tag <{qname}> is not closed"))),
                Some(_) => {}
            }
            if after_ws == i {
                return Err(self.err(i, "attributes must be separated by whitespace"));
            }
            let (aname, after_name) = self.name_at(after_ws)?;
            let eq = self.skip_ws(after_name);
            if self.b.get(eq) != Some(&b'=') {
                return Err(self.err(eq, format!("attribute `{aname}` has no value")));
            }
            let q = self.skip_ws(eq + 1);
            let quote = match self.b.get(q) {
                Some(&c @ (b'"' | b'\'')) => c,
                _ => return Err(self.err(q, format!("value of `{aname}` must be quoted"))),
            };
            let Some(close) = self.src[q + 1..].find(quote as char).map(|j| q + 1 + j) else {
                return Err(self.err(q, format!("value of `{aname}` is not closed")));
            };
            let value = &self.src[q + 1..close];
            if value.contains('<') {
                return Err(self.err(q, format!("`<` in the value of `{aname}`")));
            }
            if raw_attrs.len() >= MAX_ATTRS {
                return Err(self.err(after_ws, format!("more than {MAX_ATTRS} attributes")));
            }
            if raw_attrs.iter().any(|(n, _, _)| *n == aname) {
                return Err(self.err(after_ws, format!("duplicate attribute `{aname}`")));
            }
            raw_attrs.push((aname, value, q + 1));
            i = close + 1;
        }
        // Namespace declarations first: they apply to this element and its attributes.
        for &(aname, value, at) in &raw_attrs {
            let decl_prefix = if aname == "xmlns" {
                Some("")
            } else {
                aname.strip_prefix("xmlns:")
            };
            if let Some(p) = decl_prefix {
                let uri = self.decode(value, at, true)?;
                if uri.is_empty() && !p.is_empty() {
                    return Err(self.err(
                        at,
                        format!("prefix `{p}` cannot be bound to an empty namespace"),
                    ));
                }
                if self.bindings.len() >= MAX_BINDINGS {
                    return Err(self.err(
                        at,
                        format!("more than {MAX_BINDINGS} namespace declarations in scope"),
                    ));
                }
                let id = self.uri_index(&uri);
                self.bindings.push((p, id));
            }
        }
        for &(aname, value, at) in &raw_attrs {
            if aname == "xmlns" || aname.starts_with("xmlns:") {
                continue;
            }
            let Some((ap, alocal)) = split_qname(aname) else {
                return Err(self.err(at, format!("`{aname}` is not a valid attribute name")));
            };
            if !ap.is_empty() {
                self.resolve(ap, at)?;
            }
            let value = self.decode(value, at, true)?;
            self.tree.attrs.push(Attr {
                prefixed: !ap.is_empty(),
                name: alocal.to_string(),
                value: value.into_owned(),
            });
        }
        let ns = self.resolve(prefix, start)?;
        let idx = u32::try_from(self.tree.nodes.len())
            .ok()
            .filter(|&n| n != NONE)
            .ok_or_else(|| self.err(start, "too many elements"))?;
        let name = match self.names.get(local) {
            Some(&n) => n,
            None => {
                let n = self.tree.names.len() as u32;
                self.tree.names.push(local.to_string());
                self.names.insert(local, n);
                n
            }
        };
        let parent = match self.stack.last_mut() {
            Some(open) => {
                if open.last_child == NONE {
                    self.tree.nodes[open.idx as usize].first_child = idx;
                } else {
                    self.tree.nodes[open.last_child as usize].next_sibling = idx;
                }
                open.last_child = idx;
                open.idx
            }
            None => NONE,
        };
        self.tree.nodes.push(Node {
            ns,
            name,
            parent,
            first_child: NONE,
            next_sibling: NONE,
            attrs: (
                attrs_start as u32,
                (self.tree.attrs.len() - attrs_start) as u32,
            ),
            offset: start,
            text: Cow::Borrowed(""),
        });
        if empty {
            self.bindings.truncate(bindings_len);
            if self.stack.is_empty() {
                self.root_done = true;
            }
        } else {
            self.stack.push(Open {
                idx,
                qname,
                last_child: NONE,
                bindings_len,
            });
        }
        self.pos = i;
        Ok(())
    }
}
