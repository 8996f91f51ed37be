//! XML equivalence for round-trip checks: both documents are reduced to a
//! tree of (namespace URI, local name, attributes, trimmed text, children)
//! ignoring prefixes, namespace declarations and other prefixed attributes
//! (xsi:…), comments, processing instructions and formatting whitespace.
//! Children are compared in a stable order by name, because most EGAIS content
//! models are `xs:all` (any order); the relative order of
//! same-named siblings (positions, stamps) still matters. The `Version`
//! attribute of the envelope root is ignored: it is optional and we always write it.

use std::collections::BTreeMap;

use super::tree::{self, Tree};

#[derive(Debug, PartialEq, Eq)]
struct Norm {
    uri: String,
    local: String,
    attrs: BTreeMap<String, String>,
    text: String,
    children: Vec<Norm>,
}

fn normalise(tree: &Tree<'_>, idx: u32, is_root: bool) -> Norm {
    let mut attrs = BTreeMap::new();
    for a in tree.attrs(idx) {
        if a.prefixed || (is_root && a.name == "Version") {
            continue;
        }
        attrs.insert(a.name.clone(), a.value.clone());
    }
    let mut children: Vec<Norm> = tree
        .children(idx)
        .map(|c| normalise(tree, c, false))
        .collect();
    children.sort_by(|a, b| (&a.uri, &a.local).cmp(&(&b.uri, &b.local)));
    Norm {
        uri: tree.uri(idx).to_string(),
        local: tree.local(idx).to_string(),
        attrs,
        text: tree.text(idx).to_string(),
        children,
    }
}

fn first_difference(a: &Norm, b: &Norm, path: &str) -> Option<String> {
    let here = format!("{path}/{}", a.local);
    if a.uri != b.uri || a.local != b.local {
        return Some(format!(
            "{here}: element {{{}}}{} vs {{{}}}{}",
            a.uri, a.local, b.uri, b.local
        ));
    }
    if a.attrs != b.attrs {
        return Some(format!("{here}: attributes {:?} vs {:?}", a.attrs, b.attrs));
    }
    if a.text != b.text {
        return Some(format!("{here}: text {:?} vs {:?}", a.text, b.text));
    }
    for (x, y) in a.children.iter().zip(&b.children) {
        if let Some(d) = first_difference(x, y, &here) {
            return Some(d);
        }
    }
    if a.children.len() != b.children.len() {
        let names = |n: &Norm| {
            n.children
                .iter()
                .map(|c| c.local.clone())
                .collect::<Vec<_>>()
        };
        return Some(format!("{here}: children {:?} vs {:?}", names(a), names(b)));
    }
    None
}

/// `Ok(())` if the documents are equivalent, else the first difference.
pub fn equivalent(a: &[u8], b: &[u8]) -> Result<(), String> {
    let ta = tree::parse(a).map_err(|e| format!("first document: {e}"))?;
    let tb = tree::parse(b).map_err(|e| format!("second document: {e}"))?;
    let na = normalise(&ta, ta.root(), true);
    let nb = normalise(&tb, tb.root(), true);
    match first_difference(&na, &nb, "") {
        Some(d) => Err(d),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_comments_and_order_of_all_groups_do_not_matter() {
        let a = br#"<a:R xmlns:a="urn:x"><a:p>1</a:p><a:q>2</a:q></a:R>"#;
        let b = br#"<?xml version="1.0"?><R xmlns="urn:x"><!-- c --><q> 2 </q>
            <p>1</p></R>"#;
        assert_eq!(equivalent(a, b), Ok(()));
    }

    #[test]
    fn differences_are_reported() {
        let a = br#"<R xmlns="urn:x"><p>1</p><p>2</p></R>"#;
        let b = br#"<R xmlns="urn:x"><p>2</p><p>1</p></R>"#;
        assert!(equivalent(a, b).is_err());
        assert!(equivalent(br#"<R xmlns="urn:x"/>"#, br#"<R xmlns="urn:y"/>"#).is_err());
        assert!(equivalent(br#"<R a="1"/>"#, br#"<R a="2"/>"#).is_err());
        assert!(equivalent(br#"<R><x/></R>"#, br#"<R/>"#).is_err());
    }
}
