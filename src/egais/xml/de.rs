//! A serde `Deserializer` over [`Tree`](super::tree::Tree).
//!
//! Elements are presented to the models as map keys `prefix:local` where the
//! prefix is our canonical one for the element's namespace URI (see `ns.rs`),
//! attributes as `@name`, and character data next to attributes as `$text` —
//! the same names quick-xml's serializer writes, so one model derives both
//! directions. All occurrences of a key within a parent form one group, so a
//! `Vec` field collects repeated elements even when other elements are
//! interleaved; a non-`Vec` field whose element repeats is a schema error.

use std::fmt::Display;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};

use super::error::{XmlError, XmlErrorKind};
use super::tree::{Attr, NONE, Tree};

#[derive(Debug)]
pub(crate) struct DeError {
    msg: String,
    node: Option<u32>,
    /// For errors about one attribute of `node`.
    attr: Option<String>,
    /// For a missing required element/attribute (serde key).
    missing: Option<&'static str>,
}

impl Display for DeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: Display>(msg: T) -> Self {
        DeError {
            msg: msg.to_string(),
            node: None,
            attr: None,
            missing: None,
        }
    }

    fn missing_field(field: &'static str) -> Self {
        let msg = match field.strip_prefix('@') {
            Some(attr) => format!("required attribute `{attr}` is missing"),
            None => format!("required element `{field}` is missing"),
        };
        DeError {
            msg,
            node: None,
            attr: None,
            missing: Some(field),
        }
    }
}

impl DeError {
    fn at(mut self, node: u32) -> Self {
        if self.node.is_none() {
            self.node = Some(node);
        }
        self
    }

    fn at_attr(mut self, node: u32, attr: Option<&str>) -> Self {
        if self.node.is_none() {
            self.node = Some(node);
            self.attr = attr.map(str::to_string);
        }
        self
    }

    pub(crate) fn into_xml(self, tree: &Tree<'_>, fallback: u32) -> XmlError {
        let node = self.node.unwrap_or(fallback);
        let mut err = tree.error(node, XmlErrorKind::Schema, self.msg);
        if let Some(field) = self.missing {
            let local = field.rsplit(':').next().unwrap_or(field);
            err.path.push('/');
            err.path.push_str(local);
        } else if let Some(attr) = self.attr {
            err.path.push_str("/@");
            err.path.push_str(&attr);
        }
        err
    }
}

/// Deserializes the element `idx` (and its subtree) into `T`.
pub(crate) fn from_node<T: DeserializeOwned>(tree: &Tree<'_>, idx: u32) -> Result<T, XmlError> {
    T::deserialize(ElemDe { tree, idx }).map_err(|e| e.into_xml(tree, idx))
}

type Res<T> = Result<T, DeError>;

/// A text value: an element's character data, an attribute value or `$text`.
struct LeafDe<'t> {
    node: u32,
    attr: Option<&'t str>,
    value: &'t str,
}

impl LeafDe<'_> {
    fn fail(&self, msg: String) -> DeError {
        de::Error::custom(msg)
    }

    fn locate(&self, e: DeError) -> DeError {
        e.at_attr(self.node, self.attr)
    }
}

macro_rules! leaf_number {
    ($($method:ident => $visit:ident: $ty:ty),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
            let n: $ty = self.value.parse().map_err(|_| {
                self.locate(self.fail(format!(
                    "`{}` is not a valid {}",
                    self.value,
                    stringify!($ty)
                )))
            })?;
            v.$visit(n).map_err(|e| self.locate(e))
        }
    )*};
}

impl<'de> de::Deserializer<'de> for LeafDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        v.visit_str(self.value).map_err(|e| self.locate(e))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        let b = match self.value {
            "true" | "1" => true,
            "false" | "0" => false,
            other => {
                return Err(self.locate(self.fail(format!("`{other}` is not a boolean"))));
            }
        };
        v.visit_bool(b).map_err(|e| self.locate(e))
    }

    leaf_number! {
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_f32 => visit_f32: f32,
        deserialize_f64 => visit_f64: f64,
    }

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        self.deserialize_str(v)
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        v.visit_str(self.value).map_err(|e| self.locate(e))
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        self.deserialize_str(v)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        self.deserialize_str(v)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        v.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        v.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, v: V) -> Res<V::Value> {
        v.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Res<V::Value> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, _v: V) -> Res<V::Value> {
        Err(self.locate(self.fail("expected a list of elements, found text".into())))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Res<V::Value> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Res<V::Value> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, _v: V) -> Res<V::Value> {
        Err(self.locate(self.fail("expected child elements, found text".into())))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Res<V::Value> {
        self.deserialize_map(v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Res<V::Value> {
        let value: de::value::StrDeserializer<'_, DeError> = self.value.into_deserializer();
        v.visit_enum(value).map_err(|e| self.locate(e))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        self.deserialize_str(v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        v.visit_unit()
    }
}

/// One element.
#[derive(Clone, Copy)]
struct ElemDe<'t, 'a> {
    tree: &'t Tree<'a>,
    idx: u32,
}

impl<'t> ElemDe<'t, '_> {
    fn leaf(self) -> Res<LeafDe<'t>> {
        let node = self.tree.node(self.idx);
        if node.first_child != NONE {
            return Err(DeError::custom_at(
                "expected a text value, found child elements",
                self.idx,
            ));
        }
        Ok(LeafDe {
            node: self.idx,
            attr: None,
            value: self.tree.text(self.idx),
        })
    }
}

impl DeError {
    fn custom_at(msg: &str, node: u32) -> DeError {
        <DeError as de::Error>::custom(msg).at(node)
    }
}

macro_rules! elem_scalar {
    ($($method:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
            self.leaf()?.$method(v)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for ElemDe<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        let node = self.tree.node(self.idx);
        if node.first_child != NONE || self.tree.attrs(self.idx).iter().any(|a| !a.prefixed) {
            self.deserialize_map(v)
        } else {
            self.leaf()?.deserialize_str(v)
        }
    }

    elem_scalar!(
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_identifier,
    );

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        v.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        v.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, v: V) -> Res<V::Value> {
        v.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Res<V::Value> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        let (ns, name) = {
            let n = self.tree.node(self.idx);
            (n.ns, n.name)
        };
        v.visit_seq(GroupSeq {
            tree: self.tree,
            next: self.idx,
            ns,
            name,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Res<V::Value> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Res<V::Value> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        let map = ElemMap {
            tree: self.tree,
            idx: self.idx,
            attrs: self.tree.attrs(self.idx),
            attr_pos: 0,
            child: self.tree.node(self.idx).first_child,
            emitted: Emitted::default(),
            text_done: false,
            pending: Pending::None,
            key: String::new(),
        };
        v.visit_map(map).map_err(|e| e.at(self.idx))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Res<V::Value> {
        self.deserialize_map(v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Res<V::Value> {
        self.leaf()?.deserialize_enum(name, variants, v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        v.visit_unit()
    }
}

/// All occurrences of one key under a parent, starting at `first`.
struct GroupDe<'t, 'a> {
    tree: &'t Tree<'a>,
    first: u32,
}

impl GroupDe<'_, '_> {
    fn single(&self) -> Res<()> {
        let first = self.tree.node(self.first);
        let mut cur = first.next_sibling;
        while cur != NONE {
            let n = self.tree.node(cur);
            if n.ns == first.ns && n.name == first.name {
                return Err(DeError::custom_at(
                    "element occurs more than once but the schema allows only one",
                    cur,
                ));
            }
            cur = n.next_sibling;
        }
        Ok(())
    }

    fn elem(&self) -> Res<ElemDe<'_, '_>> {
        self.single()?;
        Ok(ElemDe {
            tree: self.tree,
            idx: self.first,
        })
    }
}

macro_rules! group_forward {
    ($($method:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
            self.elem()?.$method(v)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for GroupDe<'_, '_> {
    type Error = DeError;

    group_forward!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_identifier,
        deserialize_unit,
        deserialize_map,
    );

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        v.visit_some(self)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, name: &'static str, v: V) -> Res<V::Value> {
        self.elem()?.deserialize_unit_struct(name, v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Res<V::Value> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        ElemDe {
            tree: self.tree,
            idx: self.first,
        }
        .deserialize_seq(v)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Res<V::Value> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Res<V::Value> {
        self.deserialize_seq(v)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Res<V::Value> {
        self.elem()?.deserialize_struct(name, fields, v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Res<V::Value> {
        self.elem()?.deserialize_enum(name, variants, v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Res<V::Value> {
        v.visit_unit()
    }
}

struct GroupSeq<'t, 'a> {
    tree: &'t Tree<'a>,
    next: u32,
    ns: u32,
    name: u32,
}

impl<'de> SeqAccess<'de> for GroupSeq<'_, '_> {
    type Error = DeError;

    /// Lets `Vec` allocate once for a box of stamps.
    fn size_hint(&self) -> Option<usize> {
        let mut n = 0;
        let mut cur = self.next;
        while cur != NONE {
            let node = self.tree.node(cur);
            if node.ns == self.ns && node.name == self.name {
                n += 1;
            }
            cur = node.next_sibling;
        }
        Some(n)
    }

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Res<Option<T::Value>> {
        while self.next != NONE {
            let cur = self.next;
            let n = self.tree.node(cur);
            self.next = n.next_sibling;
            if n.ns == self.ns && n.name == self.name {
                let elem = ElemDe {
                    tree: self.tree,
                    idx: cur,
                };
                return seed.deserialize(elem).map(Some).map_err(|e| e.at(cur));
            }
        }
        Ok(None)
    }
}

/// Keys already presented for one element: a short list, switching to a set
/// when an element has many distinct children (hostile input must stay linear).
#[derive(Default)]
struct Emitted {
    few: Vec<(u32, u32)>,
    many: Option<std::collections::HashSet<(u32, u32)>>,
}

impl Emitted {
    /// `false` if `id` was already there.
    fn insert(&mut self, id: (u32, u32)) -> bool {
        if let Some(set) = &mut self.many {
            return set.insert(id);
        }
        if self.few.contains(&id) {
            return false;
        }
        self.few.push(id);
        if self.few.len() > 32 {
            self.many = Some(self.few.drain(..).collect());
        }
        true
    }
}

enum Pending<'t> {
    None,
    Attr(&'t Attr),
    Child(u32),
    Text,
}

struct ElemMap<'t, 'a> {
    tree: &'t Tree<'a>,
    idx: u32,
    attrs: &'t [Attr],
    attr_pos: usize,
    child: u32,
    emitted: Emitted,
    text_done: bool,
    pending: Pending<'t>,
    key: String,
}

impl<'de> MapAccess<'de> for ElemMap<'_, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Res<Option<K::Value>> {
        while let Some(attr) = self.attrs.get(self.attr_pos) {
            self.attr_pos += 1;
            if attr.prefixed {
                continue;
            }
            self.key.clear();
            self.key.push('@');
            self.key.push_str(&attr.name);
            self.pending = Pending::Attr(attr);
            return seed
                .deserialize(self.key.as_str().into_deserializer())
                .map(Some);
        }
        while self.child != NONE {
            let cur = self.child;
            let n = self.tree.node(cur);
            self.child = n.next_sibling;
            let id = (n.ns, n.name);
            if !self.emitted.insert(id) {
                continue;
            }
            self.tree.key_into(cur, &mut self.key);
            self.pending = Pending::Child(cur);
            return seed
                .deserialize(self.key.as_str().into_deserializer())
                .map(Some);
        }
        if !self.text_done {
            self.text_done = true;
            if !self.tree.text(self.idx).is_empty() {
                self.pending = Pending::Text;
                return seed.deserialize("$text".into_deserializer()).map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Res<V::Value> {
        match std::mem::replace(&mut self.pending, Pending::None) {
            // Errors raised after the deserializer returned (e.g. `try_from`
            // conversions of checked strings) are located here.
            Pending::Attr(attr) => seed
                .deserialize(LeafDe {
                    node: self.idx,
                    attr: Some(&attr.name),
                    value: attr.value.trim(),
                })
                .map_err(|e| e.at_attr(self.idx, Some(&attr.name))),
            Pending::Child(first) => seed
                .deserialize(GroupDe {
                    tree: self.tree,
                    first,
                })
                .map_err(|e| e.at(first)),
            Pending::Text => seed.deserialize(LeafDe {
                node: self.idx,
                attr: None,
                value: self.tree.text(self.idx),
            }),
            Pending::None => Err(DeError::custom_at("value requested before key", self.idx)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree;
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Doc {
        #[serde(rename = "@v")]
        v: Option<u32>,
        #[serde(rename = "tc:a")]
        a: String,
        #[serde(rename = "tc:n", default)]
        n: Vec<u32>,
        #[serde(rename = "tc:k")]
        k: Option<Kind>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    enum Kind {
        Accepted,
        #[serde(rename = "Отказ")]
        Rejected,
    }

    const NS: &str = "xmlns:x=\"http://fsrar.ru/WEGAIS/Ticket\"";

    fn de(xml: &str) -> Result<Doc, XmlError> {
        let t = tree::parse(xml.as_bytes())?;
        from_node(&t, 0)
    }

    #[test]
    fn reads_by_namespace_with_any_prefix_and_interleaving() {
        let d = de(&format!(
            "<x:D {NS} v=\"7\"><x:n>1</x:n><x:a> hi </x:a><!--c--><x:n>2</x:n><x:k>Отказ</x:k><zz/></x:D>"
        ))
        .unwrap();
        assert_eq!(
            d,
            Doc {
                v: Some(7),
                a: "hi".into(),
                n: vec![1, 2],
                k: Some(Kind::Rejected)
            }
        );
        // default namespace works the same way
        let d = de("<D xmlns=\"http://fsrar.ru/WEGAIS/Ticket\"><a>x</a></D>").unwrap();
        assert_eq!(d.a, "x");
    }

    #[test]
    fn wrong_namespace_is_not_matched() {
        let e = de("<D xmlns=\"urn:other\"><a>x</a></D>").unwrap_err();
        assert_eq!(e.path, "D/a");
        assert!(e.message.contains("missing"), "{e}");
    }

    #[test]
    fn errors_name_path_and_position() {
        let e = de(&format!(
            "<x:D {NS}>\n<x:a>q</x:a>\n<x:n>1</x:n><x:n>z</x:n></x:D>"
        ))
        .unwrap_err();
        assert_eq!(e.path, "D/n[2]");
        assert_eq!((e.line, e.column), (3, 13));
        let e = de(&format!("<x:D {NS}><x:a>q</x:a><x:a>r</x:a></x:D>")).unwrap_err();
        assert!(e.message.contains("more than once"), "{e}");
        let e = de(&format!("<x:D {NS}><x:a>q</x:a><x:k>Maybe</x:k></x:D>")).unwrap_err();
        assert_eq!(e.path, "D/k");
        let e = de(&format!("<x:D {NS} v=\"-1\"><x:a>q</x:a></x:D>")).unwrap_err();
        assert_eq!(e.path, "D/@v");
        let e = de(&format!("<x:D {NS}><x:a><x:b/></x:a></x:D>")).unwrap_err();
        assert_eq!(e.path, "D/a");
    }
}
