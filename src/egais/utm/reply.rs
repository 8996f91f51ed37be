//! The UTM's own `<A>` replies: the answer to a POST and the `/opt/out` (`/opt/in`) lists.
//!
//! The POST answer and the type-name mapping come from the xml stream. The listing is
//! read here, tolerantly: one `<url>` we cannot use is skipped (and logged) instead of
//! failing the whole list, which would stop every incoming document behind it.

use super::dom::{self, DomError};

pub use crate::egais::xml::{
    UtmReply, element_for_utm_type, parse_utm_reply, utm_type_for_element,
};

/// One `<url>` of `/opt/out` or `/opt/in`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutEntry {
    pub url: String,
    /// The UTM's type name (e.g. `FORM2REGINFO`), not always the element name.
    pub doc_type: String,
    pub id: String,
    pub reply_id: Option<String>,
}

/// Parses a `/opt/out` or `/opt/in` listing. Entries whose URL does not have the
/// `/opt/<dir>/<Type>/<id>` shape are skipped: there is nothing we could fetch.
pub fn parse_out_list(bytes: &[u8]) -> Result<Vec<OutEntry>, DomError> {
    let root = dom::parse(bytes)?;
    if root.name != "A" {
        return Err(DomError {
            position: 0,
            detail: format!("expected <A>, found <{}>", root.name),
        });
    }
    Ok(root
        .children_named("url")
        .filter_map(|u| {
            let url = u.text.trim().to_string();
            let Some((doc_type, id)) = split_opt_url(&url) else {
                tracing::warn!(%url, "UTM listing: skipping an entry that is not /opt/<dir>/<Type>/<id>");
                return None;
            };
            Some(OutEntry {
                doc_type,
                id,
                reply_id: u
                    .attr("replyId")
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
                url,
            })
        })
        .collect())
}

/// `http://host/opt/out/Ticket/4` → (`Ticket`, `4`). The host part is ignored (real
/// UTMs write `$hostname` or their own name there).
fn split_opt_url(url: &str) -> Option<(String, String)> {
    let rest = url
        .split_once("/opt/out/")
        .or_else(|| url.split_once("/opt/in/"))?
        .1;
    let mut parts = rest.split('/');
    let doc_type = parts.next()?.trim();
    let id = parts.next()?.trim();
    let id = id.split(['?', '#']).next()?;
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    (valid(doc_type) && valid(id) && parts.next().is_none())
        .then(|| (doc_type.to_string(), id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/egais/samples");

    #[test]
    fn reads_the_sample_post_answer() {
        let bytes = std::fs::read(format!("{SAMPLES}/selyutinartyom_UTM/in_response.xml")).unwrap();
        let r = parse_utm_reply(&bytes).unwrap();
        assert_eq!(
            r.url.as_deref(),
            Some("4f564b2b-5f36-4ac0-9288-851b70aca12f")
        );
        assert_eq!(r.ver.as_deref(), Some("1"));
        assert!(r.sign.unwrap().starts_with("589560D8"));
        assert_eq!(r.error, None);
    }

    #[test]
    fn reads_the_test_contour_cheque_answer_with_a_wrapped_sign() {
        let bytes = std::fs::read(format!(
            "{SAMPLES}/extracted/cheque_answer_test_contour.xml"
        ))
        .unwrap();
        let r = parse_utm_reply(&bytes).unwrap();
        let url = r.url.unwrap();
        assert!(
            url.contains("?id=ab43d5e0-855c-4b54-b1d8-ddeb34d1d110&dt=1503271510"),
            "{url}"
        );
        assert!(!r.sign.unwrap().contains('\n'));
    }

    #[test]
    fn reads_an_out_list() {
        let xml = br#"<A>
          <url replyId="349a50a4-367d-4bb3-8dca-6b149062902b">http://$hostname/opt/out/Ticket/4</url>
          <url>http://localhost:8080/opt/out/WayBill_v4/6</url>
          <url>http://localhost:8080/opt/out/FORM2REGINFO/7</url>
          <url>garbage</url>
          <ver>1</ver></A>"#;
        let list = parse_out_list(xml).unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].doc_type, "Ticket");
        assert_eq!(list[0].id, "4");
        assert_eq!(
            list[0].reply_id.as_deref(),
            Some("349a50a4-367d-4bb3-8dca-6b149062902b")
        );
        assert_eq!(list[2].doc_type, "FORM2REGINFO");
        assert_eq!(element_for_utm_type("FORM2REGINFO"), "TTNInformF2Reg");
        assert_eq!(utm_type_for_element("ReplyNoAnswerTTN"), "ReplyNATTN");
        assert_eq!(element_for_utm_type("Ticket"), "Ticket");
        assert!(
            parse_out_list(b"<?xml version='1.0' encoding='UTF-8'?><A><ver>1</ver></A>")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn an_error_reply_is_read() {
        let r =
            parse_utm_reply("<A><error>Проверка не пройдена</error><ver>2</ver></A>".as_bytes())
                .unwrap();
        assert_eq!(r.error.as_deref(), Some("Проверка не пройдена"));
        assert!(parse_utm_reply(b"<html/>").is_err());
    }

    proptest::proptest! {
        #[test]
        fn listings_never_panic_and_keep_only_fetchable_entries(
            urls in proptest::collection::vec("[ -~]{0,60}", 0..8)
        ) {
            let body: String = urls
                .iter()
                .map(|u| format!("<url>{}</url>", crate::egais::utm::dom::escape(u)))
                .collect();
            let list = parse_out_list(format!("<A>{body}<ver>1</ver></A>").as_bytes()).unwrap();
            for e in list {
                proptest::prop_assert!(!e.doc_type.is_empty() && !e.id.is_empty());
                proptest::prop_assert!(!e.doc_type.contains('/') && !e.id.contains('/'));
            }
        }
    }
}
