//! The UTM's own `<A>` documents: the answer to `POST /opt/in/…` and `/xml`
//! (`url` = transport GUID or the cheque's QR URL, `sign`), and the `/opt/out`
//! (or `/opt/in`) listing of `<url replyId="…">…/opt/out/Type/id</url>`.

use serde::{Deserialize, Serialize};

use super::de::from_node;
use super::error::{XmlError, XmlErrorKind};
use super::tree::{self, Tree};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UtmReply {
    pub url: Option<String>,
    pub sign: Option<String>,
    pub error: Option<String>,
    pub ver: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutEntry {
    /// The full URL as listed.
    pub url: String,
    /// The UTM's type name (e.g. `FORM2REGINFO`, `Ticket`).
    pub doc_type: String,
    pub id: String,
    pub reply_id: Option<String>,
}

pub fn parse_utm_reply(bytes: &[u8]) -> Result<UtmReply, XmlError> {
    let tree = tree::parse(bytes)?;
    reply_from_tree(&tree)
}

pub fn parse_out_list(bytes: &[u8]) -> Result<Vec<OutEntry>, XmlError> {
    let tree = tree::parse(bytes)?;
    out_list_from_tree(&tree)
}

fn expect_a(tree: &Tree<'_>) -> Result<u32, XmlError> {
    let root = tree.root();
    if tree.is(root, None, "A") {
        Ok(root)
    } else {
        Err(tree.error(
            root,
            XmlErrorKind::Schema,
            format!(
                "expected the UTM answer root element A, found {}",
                tree.local(root)
            ),
        ))
    }
}

pub(crate) fn reply_from_tree(tree: &Tree<'_>) -> Result<UtmReply, XmlError> {
    let root = expect_a(tree)?;
    let mut reply: UtmReply = from_node(tree, root)?;
    // Empty elements carry nothing; the signature may be wrapped over lines.
    for field in [&mut reply.url, &mut reply.error, &mut reply.ver] {
        if field.as_deref() == Some("") {
            *field = None;
        }
    }
    reply.sign = reply
        .sign
        .map(|s| s.split_whitespace().collect::<String>())
        .filter(|s| !s.is_empty());
    Ok(reply)
}

pub(crate) fn out_list_from_tree(tree: &Tree<'_>) -> Result<Vec<OutEntry>, XmlError> {
    let root = expect_a(tree)?;
    let mut entries = Vec::new();
    for child in tree.children(root) {
        if !tree.is(child, None, "url") {
            continue;
        }
        let url = tree.text(child).to_string();
        let Some((doc_type, id)) = split_opt_url(&url) else {
            return Err(tree.error(
                child,
                XmlErrorKind::Schema,
                format!("`{url}` is not a …/opt/out/<Type>/<id> URL"),
            ));
        };
        entries.push(OutEntry {
            doc_type: doc_type.to_string(),
            id: id.to_string(),
            reply_id: tree
                .attr(child, "replyId")
                .map(str::to_string)
                .filter(|r| !r.is_empty()),
            url,
        });
    }
    Ok(entries)
}

/// `…/opt/out/<Type>/<id>` (or `/opt/in/`) → (Type, id).
pub(crate) fn split_opt_url(url: &str) -> Option<(&str, &str)> {
    let rest = url
        .find("/opt/out/")
        .map(|i| &url[i + "/opt/out/".len()..])
        .or_else(|| url.find("/opt/in/").map(|i| &url[i + "/opt/in/".len()..]))?;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let (doc_type, id) = rest.split_once('/')?;
    let id = id.trim_end_matches('/');
    if doc_type.is_empty() || id.is_empty() || id.contains('/') {
        return None;
    }
    Some((doc_type, id))
}

/// Whether an `<A>` document looks like a listing rather than a send answer.
pub(crate) fn looks_like_listing(tree: &Tree<'_>) -> bool {
    let root = tree.root();
    let mut any_sign_or_error = false;
    let mut all_urls_listed = true;
    for child in tree.children(root) {
        if tree.is(child, None, "sign") || tree.is(child, None, "error") {
            any_sign_or_error = true;
        }
        if tree.is(child, None, "url") && split_opt_url(tree.text(child)).is_none() {
            all_urls_listed = false;
        }
    }
    !any_sign_or_error && all_urls_listed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls() {
        assert_eq!(
            split_opt_url("http://localhost:8080/opt/out/FORM2REGINFO/7"),
            Some(("FORM2REGINFO", "7"))
        );
        assert_eq!(
            split_opt_url("http://h/opt/in/QueryFormA/54"),
            Some(("QueryFormA", "54"))
        );
        assert_eq!(split_opt_url("4f564b2b-5f36-4ac0-9288-851b70aca12f"), None);
        assert_eq!(split_opt_url("http://h/opt/out/Ticket"), None);
    }

    #[test]
    fn listing_with_reply_ids() {
        let xml = br#"<A>
  <url replyId="349a50a4-367d-4bb3-8dca-6b149062902b">http://localhost:8080/opt/out/Ticket/4</url>
  <url>http://localhost:8080/opt/out/WayBill_v4/6</url>
  <ver>1</ver>
</A>"#;
        let list = parse_out_list(xml).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].doc_type, "Ticket");
        assert_eq!(list[0].id, "4");
        assert_eq!(
            list[0].reply_id.as_deref(),
            Some("349a50a4-367d-4bb3-8dca-6b149062902b")
        );
        assert_eq!(list[1].reply_id, None);
        assert!(parse_out_list(b"<A><url>nonsense</url></A>").is_err());
        assert!(parse_out_list(b"<B/>").is_err());
    }

    #[test]
    fn reply_with_error() {
        let r = parse_utm_reply(b"<A><error>bad</error><ver>2</ver></A>").unwrap();
        assert_eq!(r.error.as_deref(), Some("bad"));
        assert_eq!(r.url, None);
    }
}
