//! XML the simulated EGAIS sends back: tickets, invoices with marks, справки Б, stock
//! replies — built with the xml stream's models and writers (schema-checked with xmllint
//! in the tests). Only the UTM's own `<A>` answers are plain templates here.

use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::Offset;
use rust_decimal::Decimal;

use crate::egais::utm::dom::escape;
use crate::egais::xml::common::{
    AmcList, BoxNumber, BoxPos, ChangeOwnership, Conclusion, InformF2, Mark, MarkInfo, UnitType,
};
use crate::egais::xml::inform_f2::{InformF2Content, InformF2Header, InformF2Position};
use crate::egais::xml::replies::{
    NoAnswer, NoAnswerList, ShopPosition, ShopProducts, StockPosition, StockProducts,
};
use crate::egais::xml::ticket::{ConfirmTicketHeader, OperationResult, TicketResult};
use crate::egais::xml::waybill::{
    Transport, TransportType, WayBillContent, WayBillHeader, WayBillPosition, WayBillType,
};
use crate::egais::xml::{
    self, ConfirmTicket, ReplyNoAnswerTtn, ReplyRestsShopV2, ReplyRestsV2, TtnInformF2Reg,
    WayBillV4,
};

/// The EGAIS server's own FSRAR ID, the owner of documents it generates.
pub const EGAIS_FSRAR_ID: &str = "3463047";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    pub fsrar_id: String,
    pub inn: String,
    pub kpp: String,
    pub full_name: String,
    pub short_name: String,
    pub region: String,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub alc_code: String,
    pub full_name: String,
    /// Litres, e.g. `0.5000`.
    pub capacity: String,
    /// Percent, e.g. `40.000`.
    pub alc_volume: String,
    /// Product kind code (`ProductVCode`), e.g. `200` for vodka.
    pub vcode: String,
    pub producer: Org,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoicePosition {
    pub identity: u32,
    pub product: Product,
    pub quantity: u32,
    pub price: String,
    pub fa_reg_id: String,
    /// The shipper's справка Б.
    pub shipper_f2: String,
    /// The справка Б registered for the shop (sent in FORM2REGINFO).
    pub new_f2: String,
    /// Boxes with their stamps.
    pub boxes: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub identity: String,
    pub number: String,
    pub date: Date,
    pub shipper: Org,
    pub consignee: Org,
    pub wb_reg_id: String,
    pub fix_number: String,
    pub positions: Vec<InvoicePosition>,
}

pub fn now_utc(t: Timestamp) -> DateTime {
    Offset::UTC.to_datetime(t)
}

pub fn today_utc(t: Timestamp) -> Date {
    now_utc(t).date()
}

fn org_ref(o: &Org) -> xml::OrgRef {
    xml::OrgRef::ul(xml::Org {
        client_reg_id: o.fsrar_id.clone(),
        full_name: Some(o.full_name.clone()),
        short_name: Some(o.short_name.clone()),
        inn: Some(o.inn.clone()),
        kpp: Some(o.kpp.clone()),
        tsnum: None,
        address: xml::Address {
            country: "643".into(),
            index: None,
            region_code: Some(o.region.clone()),
            description: o.address.clone(),
        },
    })
}

fn product_info(p: &Product) -> xml::ProductInfo {
    xml::ProductInfo {
        unit_type: UnitType::Packed,
        kind: Some("АП".into()),
        full_name: p.full_name.clone(),
        short_name: Some(p.full_name.chars().take(64).collect()),
        alc_code: p.alc_code.clone(),
        capacity: Decimal::from_str(&p.capacity).ok(),
        alc_volume: Decimal::from_str(&p.alc_volume).ok(),
        producer: Some(org_ref(&p.producer)),
        product_v_code: p.vcode.clone(),
    }
}

/// Which part of a ticket is filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketKind {
    /// The format/acceptance check (`Result`).
    Result { accepted: bool, comment: String },
    /// The business operation (`OperationResult`).
    Operation {
        name: String,
        accepted: bool,
        comment: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketSpec {
    pub identity: Option<String>,
    pub doc_id: String,
    pub transport_id: String,
    pub reg_id: Option<String>,
    pub doc_hash: Option<String>,
    pub doc_type: String,
    pub kind: TicketKind,
}

fn conclusion(ok: bool) -> Conclusion {
    if ok {
        Conclusion::Accepted
    } else {
        Conclusion::Rejected
    }
}

pub fn ticket(t: &TicketSpec, now: Timestamp) -> String {
    let at = now_utc(now);
    let (result, operation_result) = match &t.kind {
        TicketKind::Result { accepted, comment } => (
            Some(TicketResult {
                conclusion: conclusion(*accepted),
                date: at,
                comments: comment.clone(),
            }),
            None,
        ),
        TicketKind::Operation {
            name,
            accepted,
            comment,
        } => (
            None,
            Some(OperationResult {
                name: name.clone(),
                result: conclusion(*accepted),
                comment: comment.clone(),
                date: Some(at),
            }),
        ),
    };
    xml::Ticket {
        ticket_date: Some(at),
        identity: t.identity.clone(),
        doc_id: t.doc_id.clone(),
        transport_id: t.transport_id.clone(),
        reg_id: t.reg_id.clone(),
        doc_hash: t.doc_hash.clone(),
        doc_type: Some(t.doc_type.clone()),
        result,
        operation_result,
    }
    .to_xml(EGAIS_FSRAR_ID)
}

pub fn waybill_v4(inv: &Invoice) -> String {
    let positions = inv
        .positions
        .iter()
        .map(|p| {
            let boxes = p
                .boxes
                .iter()
                .map(|(number, stamps)| BoxPos {
                    box_number: BoxNumber::new(number.clone()).ok(),
                    amc_list: Some(AmcList {
                        amc: stamps
                            .iter()
                            .filter_map(|s| Mark::new(s.clone()).ok())
                            .collect(),
                        ms: Vec::new(),
                    }),
                })
                .collect();
            WayBillPosition {
                identity: p.identity.to_string(),
                product: product_info(&p.product),
                quantity: Decimal::from(p.quantity),
                price: Decimal::from_str(&p.price).unwrap_or_default(),
                fa_reg_id: p.fa_reg_id.clone(),
                inform_f2: InformF2 {
                    f2_reg_id: p.shipper_f2.clone(),
                    mark_info: Some(MarkInfo { boxes }),
                },
                ..WayBillPosition::default()
            }
        })
        .collect();
    WayBillV4 {
        identity: Some(inv.identity.clone()),
        header: WayBillHeader {
            kind: WayBillType::WBInvoiceFromMe,
            number: inv.number.clone(),
            date: inv.date,
            shipping_date: inv.date,
            transport: Some(Transport {
                change_ownership: ChangeOwnership::IsChange,
                tran_type: "413".into(),
                transport_type: TransportType::Car,
                ..Transport::default()
            }),
            shipper: org_ref(&inv.shipper),
            consignee: org_ref(&inv.consignee),
            base: None,
            note: None,
            var_field1: None,
            var_field2: None,
            var_field3: None,
        },
        content: WayBillContent { positions },
    }
    .to_xml(&inv.shipper.fsrar_id)
}

pub fn form2reginfo(inv: &Invoice) -> String {
    TtnInformF2Reg {
        header: InformF2Header {
            identity: Some(inv.identity.clone()),
            wb_reg_id: inv.wb_reg_id.clone(),
            fix_number: Some(inv.fix_number.clone()),
            fix_date: Some(inv.date),
            wb_number: inv.number.clone(),
            wb_date: inv.date,
            shipper: org_ref(&inv.shipper),
            consignee: org_ref(&inv.consignee),
        },
        content: InformF2Content {
            positions: inv
                .positions
                .iter()
                .map(|p| InformF2Position {
                    identity: p.identity.to_string(),
                    inform_f2_reg_id: p.new_f2.clone(),
                    bottling_date: None,
                })
                .collect(),
        },
    }
    .to_xml(EGAIS_FSRAR_ID)
}

pub fn confirm_ticket(
    owner: &str,
    wb_reg_id: &str,
    number: &str,
    accepted: bool,
    note: &str,
    now: Timestamp,
) -> String {
    ConfirmTicket {
        identity: None,
        header: ConfirmTicketHeader {
            is_confirm: conclusion(accepted),
            ticket_number: number.to_string(),
            ticket_date: today_utc(now),
            wb_reg_id: wb_reg_id.to_string(),
            note: Some(note.to_string()),
        },
    }
    .to_xml(owner)
}

pub fn reply_rests_shop(rows: &[(Product, Decimal)], now: Timestamp) -> String {
    ReplyRestsShopV2 {
        rests_date: now_utc(now),
        products: Some(ShopProducts {
            positions: rows
                .iter()
                .map(|(p, q)| ShopPosition {
                    product: product_info(p),
                    quantity: q.normalize(),
                })
                .collect(),
        }),
    }
    .to_xml(EGAIS_FSRAR_ID)
}

/// Register 1 rows: product, quantity, справка А, справка Б.
pub fn reply_rests(rows: &[(Product, Decimal, String, String)], now: Timestamp) -> String {
    ReplyRestsV2 {
        rests_date: now_utc(now),
        products: Some(StockProducts {
            positions: rows
                .iter()
                .map(|(p, q, fa, fb)| StockPosition {
                    product: product_info(p),
                    quantity: q.normalize(),
                    inform_f1_reg_id: fa.clone(),
                    inform_f2_reg_id: fb.clone(),
                    alc_percent: None,
                    alc_percent_min: None,
                    alc_percent_max: None,
                })
                .collect(),
        }),
    }
    .to_xml(EGAIS_FSRAR_ID)
}

/// Invoices without an act: WBRegId, number, date, shipper's FSRAR ID.
pub fn reply_no_answer_ttn(
    consignee: &str,
    rows: &[(String, String, Date, String)],
    now: Timestamp,
) -> String {
    ReplyNoAnswerTtn {
        consignee: consignee.to_string(),
        reply_date: now_utc(now),
        list: NoAnswerList {
            items: rows
                .iter()
                .map(|(wb, num, date, shipper)| NoAnswer {
                    wb_reg_id: wb.clone(),
                    ttn_number: num.clone(),
                    ttn_date: *date,
                    shipper: shipper.clone(),
                })
                .collect(),
        },
    }
    .to_xml(EGAIS_FSRAR_ID)
}

/// `<A>` answer to an accepted POST.
pub fn post_answer(url: &str, sign: &str, ver: u8) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<A><url>{}</url><sign>{}</sign><ver>{ver}</ver></A>",
        escape(url),
        escape(sign)
    )
}

/// `<A><error>` answer. The shape is an unverified reading (PROTOCOL.md §1.1, §3.4).
pub fn error_answer(message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<A><error>{}</error><ver>2</ver></A>",
        escape(message)
    )
}

/// `/opt/out` or `/opt/in` listing.
pub fn url_list(base: &str, dir: &str, entries: &[(u64, String, Option<String>)]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A>");
    for (id, doc_type, reply_id) in entries {
        match reply_id {
            Some(r) => out.push_str(&format!(
                "<url replyId=\"{}\">{base}/opt/{dir}/{doc_type}/{id}</url>",
                escape(r)
            )),
            None => out.push_str(&format!("<url>{base}/opt/{dir}/{doc_type}/{id}</url>")),
        }
    }
    out.push_str("<ver>1</ver></A>");
    out
}
