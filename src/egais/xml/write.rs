//! The exact writer: our conventional prefixes, the XML declaration, the envelope.

use std::fmt::Write as _;

use serde::Serialize;

use super::ns::Ns;

/// A document that travels inside the `ns:Documents` envelope.
pub trait EgaisDocument: Serialize + serde::de::DeserializeOwned {
    /// Local name of the element under `ns:Document`, which is also the
    /// `/opt/in/<DocType>` name.
    const ELEMENT: &'static str;
    /// Namespaces the body uses (the envelope namespace is always declared).
    const NAMESPACES: &'static [Ns];
}

pub(crate) const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Serialises `body` as `<ns:ELEMENT>` inside a full envelope from `sender`.
pub fn envelope<T: EgaisDocument>(body: &T, sender_fsrar_id: &str) -> String {
    let mut out = String::with_capacity(2048);
    out.push_str(XML_DECL);
    out.push_str("<ns:Documents Version=\"1.0\"");
    for ns in std::iter::once(&Ns::Envelope).chain(T::NAMESPACES) {
        let _ = write!(out, "\n    xmlns:{}=\"{}\"", ns.prefix(), ns.uri());
    }
    out.push_str(">\n  <ns:Owner>\n    <ns:FSRAR_ID>");
    out.push_str(&quick_xml::escape::escape(sender_fsrar_id));
    out.push_str("</ns:FSRAR_ID>\n  </ns:Owner>\n  <ns:Document>\n");
    let root = format!("ns:{}", T::ELEMENT);
    serialize_into(&mut out, &root, body);
    out.push_str("\n  </ns:Document>\n</ns:Documents>\n");
    out
}

/// Serialises a root element with our models. The models contain only strings,
/// decimals, dates, options, vectors and unit enums, which quick-xml always
/// serialises; a failure here is a bug in a model, caught by the unit tests of
/// every document type.
pub(crate) fn serialize_into<T: Serialize>(out: &mut String, root: &str, body: &T) {
    let result = quick_xml::se::Serializer::with_root(&mut *out, Some(root)).and_then(|mut ser| {
        ser.indent(' ', 2);
        body.serialize(ser).map(|_| ())
    });
    if let Err(e) = result {
        panic!("EGAIS model {root} is not serialisable: {e}");
    }
}

/// Declares the `EgaisDocument` impl plus the inherent `to_xml` / `doc_type`
/// methods the other streams call.
macro_rules! egais_document {
    ($ty:ty, $element:literal, [$($ns:ident),* $(,)?]) => {
        impl $crate::egais::xml::write::EgaisDocument for $ty {
            const ELEMENT: &'static str = $element;
            const NAMESPACES: &'static [$crate::egais::xml::ns::Ns] =
                &[$($crate::egais::xml::ns::Ns::$ns),*];
        }

        impl $ty {
            /// The complete `ns:Documents` envelope with the XML declaration.
            pub fn to_xml(&self, sender_fsrar_id: &str) -> String {
                $crate::egais::xml::write::envelope(self, sender_fsrar_id)
            }

            /// The `/opt/in/<DocType>` name.
            pub fn doc_type(&self) -> &'static str {
                $element
            }
        }
    };
}
pub(crate) use egais_document;
