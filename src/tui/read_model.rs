//! What the panes read: small, display-ready rows fetched page by page, never whole tables.
//!
//! The TUI reads through the [`ReadModel`] trait so that tests and benches can feed data
//! and the store's tables can evolve behind it. Every string that came from outside (UTM
//! documents, imports) is sanitised when a row is built, before any pane sees it.

use jiff::Timestamp;

use crate::domain::ProductCard;
use crate::domain::document::{DocList, DocState, HistoryEntry};
use crate::text::sanitize;

/// A document as the lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRow {
    pub id: String,
    /// Human name of the document type ("ТТН", "Акт списания" …).
    pub kind: String,
    pub number: String,
    /// The document's own date as written in it.
    pub date: String,
    pub counterparty: String,
    /// One line: positions, total.
    pub summary: String,
    pub state: DocState,
    pub created_at: Timestamp,
}

/// A document with its history, for the detail view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocDetail {
    pub row: DocRow,
    pub history: Vec<HistoryEntry>,
}

/// A product card as the stock list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRow {
    pub alc_code: String,
    pub name: String,
    pub full_name: String,
    pub capacity: Option<String>,
    pub alc_percent: Option<String>,
    pub eans: Vec<String>,
    pub price: Option<String>,
    pub needs_stamp: bool,
    pub producer: Option<String>,
}

impl ProductRow {
    pub fn from_card(c: &ProductCard) -> ProductRow {
        let clean = |s: &str| sanitize(s).into_owned();
        ProductRow {
            alc_code: clean(&c.alc_code),
            name: clean(c.display_name()),
            full_name: clean(&c.full_name),
            capacity: c.capacity.map(|v| v.display_ru()),
            alc_percent: c.alc_percent.map(|p| p.display_ru()),
            eans: c.eans.iter().map(|e| clean(e)).collect(),
            // No ₽ sign: the Linux console fonts do not have it.
            price: c.price.map(|p| p.display_ru()),
            needs_stamp: c.needs_stamp,
            producer: c
                .producer
                .as_ref()
                .map(|p| clean(p.short_name.as_deref().unwrap_or(&p.full_name))),
        }
    }
}

impl DocRow {
    /// Builds a row from raw fields, sanitising everything that came from outside.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: &str,
        kind: &str,
        number: &str,
        date: &str,
        counterparty: &str,
        summary: &str,
        state: DocState,
        created_at: Timestamp,
    ) -> DocRow {
        let clean = |s: &str| sanitize(s).into_owned();
        let state = match state {
            DocState::Rejected { reason } => DocState::Rejected {
                reason: clean(&reason),
            },
            other => other,
        };
        DocRow {
            id: clean(id),
            kind: clean(kind),
            number: clean(number),
            date: clean(date),
            counterparty: clean(counterparty),
            summary: clean(summary),
            state,
            created_at,
        }
    }
}

/// A window of rows out of `total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub offset: usize,
    pub total: usize,
    pub rows: Vec<T>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocCounts {
    pub new: usize,
    pub under_review: usize,
    /// Part of `under_review`: refused documents waiting for the shop.
    pub rejected: usize,
    pub archive: usize,
}

impl DocCounts {
    pub fn of(&self, list: DocList) -> usize {
        match list {
            DocList::New => self.new,
            DocList::UnderReview => self.under_review,
            DocList::Archive => self.archive,
        }
    }
}

/// A failed read, already worded for the cashier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReadError(pub String);

impl From<crate::store::StoreError> for ReadError {
    fn from(e: crate::store::StoreError) -> Self {
        tracing::warn!(error = %e, "read for the TUI failed");
        ReadError(e.message_ru())
    }
}

/// Everything the panes read. Implementations must answer from indexes or ranges: these
/// calls run for every page the cashier scrolls to.
pub trait ReadModel: Send + Sync {
    fn doc_counts(&self) -> Result<DocCounts, ReadError>;
    /// One list, ordered by what needs action first: New oldest first, Under review with
    /// rejected documents first, Archive newest first.
    fn documents(
        &self,
        list: DocList,
        offset: usize,
        limit: usize,
    ) -> Result<Page<DocRow>, ReadError>;
    fn document(&self, id: &str) -> Result<Option<DocDetail>, ReadError>;
    /// Product cards in AlcCode order.
    fn products(&self, offset: usize, limit: usize) -> Result<Page<ProductRow>, ReadError>;
    /// Cards whose name, AlcCode or barcode contains `query` (case-insensitive).
    fn search_products(&self, query: &str, limit: usize) -> Result<Vec<ProductRow>, ReadError>;
    fn product_by_ean(&self, ean: &str) -> Result<Option<ProductRow>, ReadError>;
    fn product(&self, alc_code: &str) -> Result<Option<ProductRow>, ReadError>;
}

/// An in-memory model: tests, benches and the headless demo feed it directly.
#[derive(Debug, Clone, Default)]
pub struct MemoryModel {
    docs: Vec<DocDetail>,
    products: Vec<ProductRow>,
}

impl MemoryModel {
    pub fn new(mut docs: Vec<DocDetail>, cards: &[ProductCard]) -> MemoryModel {
        docs.sort_by_key(|d| order_key(&d.row));
        let mut products: Vec<ProductRow> = cards.iter().map(ProductRow::from_card).collect();
        // The store keeps cards in AlcCode order; the memory model shows them the same way.
        products.sort_by(|a, b| a.alc_code.cmp(&b.alc_code));
        MemoryModel { docs, products }
    }

    fn list(&self, list: DocList) -> impl Iterator<Item = &DocDetail> {
        self.docs.iter().filter(move |d| d.row.state.list() == list)
    }
}

/// Sort key within a list: what needs action first.
pub fn order_key(row: &DocRow) -> (u8, i128) {
    let t = row.created_at.as_nanosecond();
    match &row.state {
        DocState::New => (0, t),
        DocState::Rejected { .. } => (0, t),
        DocState::UnderReview => (1, t),
        DocState::Archive => (0, -t),
    }
}

impl ReadModel for MemoryModel {
    fn doc_counts(&self) -> Result<DocCounts, ReadError> {
        let mut c = DocCounts::default();
        for d in &self.docs {
            match d.row.state {
                DocState::New => c.new += 1,
                DocState::UnderReview => c.under_review += 1,
                DocState::Rejected { .. } => {
                    c.under_review += 1;
                    c.rejected += 1
                }
                DocState::Archive => c.archive += 1,
            }
        }
        Ok(c)
    }

    fn documents(
        &self,
        list: DocList,
        offset: usize,
        limit: usize,
    ) -> Result<Page<DocRow>, ReadError> {
        Ok(Page {
            offset,
            total: self.list(list).count(),
            rows: self
                .list(list)
                .skip(offset)
                .take(limit)
                .map(|d| d.row.clone())
                .collect(),
        })
    }

    fn document(&self, id: &str) -> Result<Option<DocDetail>, ReadError> {
        Ok(self.docs.iter().find(|d| d.row.id == id).cloned())
    }

    fn products(&self, offset: usize, limit: usize) -> Result<Page<ProductRow>, ReadError> {
        Ok(Page {
            offset,
            total: self.products.len(),
            rows: self
                .products
                .iter()
                .skip(offset)
                .take(limit)
                .cloned()
                .collect(),
        })
    }

    fn search_products(&self, query: &str, limit: usize) -> Result<Vec<ProductRow>, ReadError> {
        let q = query.trim().to_lowercase();
        Ok(self
            .products
            .iter()
            .filter(|p| product_matches(p, &q))
            .take(limit)
            .cloned()
            .collect())
    }

    fn product_by_ean(&self, ean: &str) -> Result<Option<ProductRow>, ReadError> {
        Ok(self
            .products
            .iter()
            .find(|p| p.eans.iter().any(|e| e == ean))
            .cloned())
    }

    fn product(&self, alc_code: &str) -> Result<Option<ProductRow>, ReadError> {
        Ok(self
            .products
            .iter()
            .find(|p| p.alc_code == alc_code)
            .cloned())
    }
}

/// The match rule of the product search, shared by every model.
pub fn product_matches(p: &ProductRow, lower_query: &str) -> bool {
    lower_query.is_empty()
        || p.full_name.to_lowercase().contains(lower_query)
        || p.name.to_lowercase().contains(lower_query)
        || p.alc_code.contains(lower_query)
        || p.eans.iter().any(|e| e.contains(lower_query))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, state: DocState, secs: i64) -> DocDetail {
        DocDetail {
            row: DocRow::new(
                id,
                "ТТН",
                id,
                "2026-11-20",
                "ООО \"Поставщик\"",
                "3 позиции",
                state,
                Timestamp::from_second(secs).unwrap(),
            ),
            history: vec![],
        }
    }

    #[test]
    fn lists_are_ordered_by_what_needs_action() {
        let m = MemoryModel::new(
            vec![
                row("a1", DocState::Archive, 10),
                row("a2", DocState::Archive, 20),
                row("n2", DocState::New, 20),
                row("n1", DocState::New, 10),
                row("u1", DocState::UnderReview, 5),
                row(
                    "r1",
                    DocState::Rejected {
                        reason: "нет".into(),
                    },
                    30,
                ),
            ],
            &[],
        );
        let ids = |l| {
            m.documents(l, 0, 10)
                .unwrap()
                .rows
                .into_iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(DocList::New), ["n1", "n2"]);
        assert_eq!(ids(DocList::UnderReview), ["r1", "u1"]);
        assert_eq!(ids(DocList::Archive), ["a2", "a1"]);
        let c = m.doc_counts().unwrap();
        assert_eq!((c.new, c.under_review, c.rejected, c.archive), (2, 2, 1, 2));
    }

    #[test]
    fn rows_are_sanitised() {
        let r = DocRow::new(
            "1",
            "ТТН",
            "N\u{1b}[2J1",
            "",
            "ООО\u{1b}]0;pwn\u{7} Ромашка",
            "",
            DocState::Rejected {
                reason: "bad\u{1b}[31m".into(),
            },
            Timestamp::UNIX_EPOCH,
        );
        assert_eq!(r.number, "N1");
        assert_eq!(r.counterparty, "ООО Ромашка");
        assert_eq!(
            r.state,
            DocState::Rejected {
                reason: "bad".into()
            }
        );
    }
}
