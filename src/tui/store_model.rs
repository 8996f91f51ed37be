//! The read model over the shop's database: the document register and the product cards.
//!
//! Reads go by index and by page. The working lists (New, Under review) are short by
//! nature and are read whole and sorted by what needs action first; the archive, which
//! grows for years, is paged straight off the list index without reading the rest.

use std::sync::Arc;

use redb::{ReadTransaction, ReadableTable, ReadableTableMetadata, TableHandle};

use super::read_model::{
    DocCounts, DocDetail, DocRow, Page, ProductRow, ReadError, ReadModel, order_key,
    product_matches,
};
use crate::domain::document::DocList;
use crate::store::documents::{self, BY_LIST, DOCUMENTS, DocRecord};
use crate::store::products::{self, PRODUCTS};
use crate::store::{Store, StoreError, decode};

pub struct StoreModel {
    store: Arc<Store>,
}

impl StoreModel {
    pub fn new(store: Arc<Store>) -> StoreModel {
        StoreModel { store }
    }
}

fn row_of(rec: &DocRecord) -> DocRow {
    DocRow::new(
        &rec.id,
        rec.kind.label_ru(),
        &rec.number,
        &rec.date.strftime("%d.%m.%Y").to_string(),
        &rec.counterparty,
        &rec.summary,
        rec.state.clone(),
        rec.created_at,
    )
}

/// Ids of one list in index order.
fn list_ids(
    rtx: &ReadTransaction,
    list: DocList,
) -> Result<impl DoubleEndedIterator<Item = Result<String, StoreError>>, StoreError> {
    let code = documents::list_code(list);
    let table = rtx.open_table(BY_LIST)?;
    let range = table.range((code, "")..(code + 1, ""))?;
    Ok(range.map(|row| {
        row.map(|(k, _)| k.value().1.to_string())
            .map_err(StoreError::from)
    }))
}

fn load(rtx: &ReadTransaction, id: &str) -> Result<DocRecord, StoreError> {
    let docs = rtx.open_table(DOCUMENTS)?;
    match docs.get(id)? {
        Some(v) => decode(DOCUMENTS.name(), v.value()),
        None => Err(StoreError::Decode {
            table: BY_LIST.name().to_string(),
            detail: format!("the list index names a missing document {id}"),
        }),
    }
}

impl ReadModel for StoreModel {
    fn doc_counts(&self) -> Result<DocCounts, ReadError> {
        Ok(self.store.read(|rtx| -> Result<DocCounts, StoreError> {
            let mut c = DocCounts::default();
            for id in list_ids(rtx, DocList::UnderReview)? {
                c.under_review += 1;
                if load(rtx, &id?)?.state.is_rejected() {
                    c.rejected += 1;
                }
            }
            c.new = list_ids(rtx, DocList::New)?.count();
            c.archive = list_ids(rtx, DocList::Archive)?.count();
            Ok(c)
        })?)
    }

    fn documents(
        &self,
        list: DocList,
        offset: usize,
        limit: usize,
    ) -> Result<Page<DocRow>, ReadError> {
        Ok(self.store.read(|rtx| -> Result<Page<DocRow>, StoreError> {
            if list == DocList::Archive {
                let total = list_ids(rtx, list)?.count();
                let mut rows = Vec::with_capacity(limit.min(total));
                for id in list_ids(rtx, list)?.rev().skip(offset).take(limit) {
                    rows.push(row_of(&load(rtx, &id?)?));
                }
                return Ok(Page {
                    offset,
                    total,
                    rows,
                });
            }
            let mut all = Vec::new();
            for id in list_ids(rtx, list)? {
                all.push(row_of(&load(rtx, &id?)?));
            }
            all.sort_by(|a, b| order_key(a).cmp(&order_key(b)).then(a.id.cmp(&b.id)));
            let total = all.len();
            let rows = all.into_iter().skip(offset).take(limit).collect();
            Ok(Page {
                offset,
                total,
                rows,
            })
        })?)
    }

    fn document(&self, id: &str) -> Result<Option<DocDetail>, ReadError> {
        Ok(self.store.read(|rtx| -> Result<_, StoreError> {
            Ok(documents::get(rtx, id)?.map(|rec| DocDetail {
                row: row_of(&rec),
                history: rec.history,
            }))
        })?)
    }

    fn products(&self, offset: usize, limit: usize) -> Result<Page<ProductRow>, ReadError> {
        Ok(self.store.read(|rtx| -> Result<_, StoreError> {
            let table = rtx.open_table(PRODUCTS)?;
            let total = table.len()? as usize;
            let mut rows = Vec::with_capacity(limit.min(total));
            for row in table.iter()?.skip(offset).take(limit) {
                let (_, v) = row?;
                rows.push(ProductRow::from_card(&decode(PRODUCTS.name(), v.value())?));
            }
            Ok(Page {
                offset,
                total,
                rows,
            })
        })?)
    }

    fn search_products(&self, query: &str, limit: usize) -> Result<Vec<ProductRow>, ReadError> {
        let q = query.trim().to_lowercase();
        Ok(self.store.read(|rtx| -> Result<_, StoreError> {
            let table = rtx.open_table(PRODUCTS)?;
            let mut out = Vec::new();
            for row in table.iter()? {
                let (_, v) = row?;
                let p = ProductRow::from_card(&decode(PRODUCTS.name(), v.value())?);
                if product_matches(&p, &q) {
                    out.push(p);
                    if out.len() >= limit {
                        break;
                    }
                }
            }
            Ok(out)
        })?)
    }

    fn product_by_ean(&self, ean: &str) -> Result<Option<ProductRow>, ReadError> {
        Ok(self.store.read(|rtx| -> Result<_, StoreError> {
            Ok(products::by_ean(rtx, ean)?.map(|c| ProductRow::from_card(&c)))
        })?)
    }

    fn product(&self, alc_code: &str) -> Result<Option<ProductRow>, ReadError> {
        Ok(self.store.read(|rtx| -> Result<_, StoreError> {
            Ok(products::get(rtx, alc_code)?.map(|c| ProductRow::from_card(&c)))
        })?)
    }
}
