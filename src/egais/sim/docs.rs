//! XML the simulated EGAIS sends back: tickets, invoices with marks, справки Б, stock
//! replies. Templates follow the real samples in `shared/egais/samples` and the element
//! order of the official XSDs (checked with xmllint in the tests).

use jiff::Timestamp;
use rust_decimal::Decimal;

use crate::egais::utm::dom::escape;

/// The EGAIS server's own FSRAR ID, the owner of documents it generates.
pub const EGAIS_FSRAR_ID: &str = "3463047";

const NS: &str = "http://fsrar.ru/WEGAIS/WB_DOC_SINGLE_01";

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
    /// `YYYY-MM-DD`.
    pub date: String,
    pub shipper: Org,
    pub consignee: Org,
    pub wb_reg_id: String,
    pub fix_number: String,
    pub positions: Vec<InvoicePosition>,
}

pub fn date_time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

pub fn date_only(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

fn envelope(owner: &str, namespaces: &[(&str, &str)], element: &str, body: &str) -> String {
    let mut ns =
        format!("xmlns:ns=\"{NS}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"");
    for (prefix, uri) in namespaces {
        ns.push_str(&format!(" xmlns:{prefix}=\"{uri}\""));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ns:Documents Version=\"1.0\" {ns}>\n<ns:Owner><ns:FSRAR_ID>{}</ns:FSRAR_ID></ns:Owner>\n<ns:Document><ns:{element}>{body}</ns:{element}></ns:Document>\n</ns:Documents>\n",
        escape(owner)
    )
}

fn el(prefix: &str, name: &str, text: &str) -> String {
    format!("<{prefix}:{name}>{}</{prefix}:{name}>", escape(text))
}

pub fn org_xml(o: &Org) -> String {
    format!(
        "<oref:UL>{}{}{}{}{}<oref:address>{}{}{}</oref:address></oref:UL>",
        el("oref", "ClientRegId", &o.fsrar_id),
        el("oref", "FullName", &o.full_name),
        el("oref", "ShortName", &o.short_name),
        el("oref", "INN", &o.inn),
        el("oref", "KPP", &o.kpp),
        el("oref", "Country", "643"),
        el("oref", "RegionCode", &o.region),
        el("oref", "description", &o.address),
    )
}

pub fn product_xml(p: &Product) -> String {
    format!(
        "{}{}{}{}{}{}{}<pref:Producer>{}</pref:Producer>{}",
        el("pref", "UnitType", "Packed"),
        el("pref", "Type", "АП"),
        el("pref", "FullName", &p.full_name),
        el(
            "pref",
            "ShortName",
            &p.full_name.chars().take(64).collect::<String>()
        ),
        el("pref", "AlcCode", &p.alc_code),
        el("pref", "Capacity", &p.capacity),
        el("pref", "AlcVolume", &p.alc_volume),
        org_xml(&p.producer),
        el("pref", "ProductVCode", &p.vcode),
    )
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

pub fn ticket(t: &TicketSpec, now: Timestamp) -> String {
    let conclusion = |ok: bool| if ok { "Accepted" } else { "Rejected" };
    let mut body = el("tc", "TicketDate", &date_time(now));
    if let Some(i) = &t.identity {
        body.push_str(&el("tc", "Identity", i));
    }
    body.push_str(&el("tc", "DocId", &t.doc_id));
    body.push_str(&el("tc", "TransportId", &t.transport_id));
    if let Some(r) = &t.reg_id {
        body.push_str(&el("tc", "RegID", r));
    }
    if let Some(h) = &t.doc_hash {
        body.push_str(&el("tc", "DocHash", h));
    }
    body.push_str(&el("tc", "DocType", &t.doc_type));
    match &t.kind {
        TicketKind::Result { accepted, comment } => body.push_str(&format!(
            "<tc:Result>{}{}{}</tc:Result>",
            el("tc", "Conclusion", conclusion(*accepted)),
            el("tc", "ConclusionDate", &date_time(now)),
            el("tc", "Comments", comment)
        )),
        TicketKind::Operation {
            name,
            accepted,
            comment,
        } => body.push_str(&format!(
            "<tc:OperationResult>{}{}{}{}</tc:OperationResult>",
            el("tc", "OperationName", name),
            el("tc", "OperationResult", conclusion(*accepted)),
            el("tc", "OperationComment", comment),
            el("tc", "OperationDate", &date_time(now))
        )),
    }
    envelope(
        EGAIS_FSRAR_ID,
        &[("tc", "http://fsrar.ru/WEGAIS/Ticket")],
        "Ticket",
        &body,
    )
}

pub fn waybill_v4(inv: &Invoice) -> String {
    let mut positions = String::new();
    for p in &inv.positions {
        let mut boxes = String::new();
        for (boxnumber, stamps) in &p.boxes {
            let amc: String = stamps.iter().map(|s| el("ce", "amc", s)).collect();
            boxes.push_str(&format!(
                "<ce:boxpos>{}<ce:amclist>{amc}</ce:amclist></ce:boxpos>",
                el("ce", "boxnumber", boxnumber)
            ));
        }
        positions.push_str(&format!(
            "<wb:Position><wb:Product>{}</wb:Product>{}{}{}{}<wb:InformF2>{}<ce:MarkInfo>{boxes}</ce:MarkInfo></wb:InformF2></wb:Position>",
            product_xml(&p.product),
            el("wb", "Quantity", &p.quantity.to_string()),
            el("wb", "Price", &p.price),
            el("wb", "Identity", &p.identity.to_string()),
            el("wb", "FARegId", &p.fa_reg_id),
            el("ce", "F2RegId", &p.shipper_f2),
        ));
    }
    let body = format!(
        "{}<wb:Header>{}{}{}{}<wb:Transport>{}{}{}</wb:Transport><wb:Shipper>{}</wb:Shipper><wb:Consignee>{}</wb:Consignee></wb:Header><wb:Content>{positions}</wb:Content>",
        el("wb", "Identity", &inv.identity),
        el("wb", "Type", "WBInvoiceFromMe"),
        el("wb", "NUMBER", &inv.number),
        el("wb", "Date", &inv.date),
        el("wb", "ShippingDate", &inv.date),
        el("wb", "ChangeOwnership", "IsChange"),
        el("wb", "TRAN_TYPE", "413"),
        el("wb", "TRANSPORT_TYPE", "car"),
        org_xml(&inv.shipper),
        org_xml(&inv.consignee),
    );
    envelope(
        &inv.shipper.fsrar_id,
        &[
            ("wb", "http://fsrar.ru/WEGAIS/TTNSingle_v4"),
            ("ce", "http://fsrar.ru/WEGAIS/CommonV3"),
            ("oref", "http://fsrar.ru/WEGAIS/ClientRef_v2"),
            ("pref", "http://fsrar.ru/WEGAIS/ProductRef_v2"),
        ],
        "WayBill_v4",
        &body,
    )
}

pub fn form2reginfo(inv: &Invoice) -> String {
    let positions: String = inv
        .positions
        .iter()
        .map(|p| {
            format!(
                "<wbr:Position>{}{}</wbr:Position>",
                el("wbr", "Identity", &p.identity.to_string()),
                el("wbr", "InformF2RegId", &p.new_f2)
            )
        })
        .collect();
    let body = format!(
        "<wbr:Header>{}{}{}{}{}{}<wbr:Shipper>{}</wbr:Shipper><wbr:Consignee>{}</wbr:Consignee></wbr:Header><wbr:Content>{positions}</wbr:Content>",
        el("wbr", "Identity", &inv.identity),
        el("wbr", "WBRegId", &inv.wb_reg_id),
        el("wbr", "EGAISFixNumber", &inv.fix_number),
        el("wbr", "EGAISFixDate", &inv.date),
        el("wbr", "WBNUMBER", &inv.number),
        el("wbr", "WBDate", &inv.date),
        org_xml(&inv.shipper),
        org_xml(&inv.consignee),
    );
    envelope(
        EGAIS_FSRAR_ID,
        &[
            ("wbr", "http://fsrar.ru/WEGAIS/TTNInformF2Reg"),
            ("oref", "http://fsrar.ru/WEGAIS/ClientRef_v2"),
        ],
        "TTNInformF2Reg",
        &body,
    )
}

pub fn confirm_ticket(
    owner: &str,
    wb_reg_id: &str,
    number: &str,
    accepted: bool,
    note: &str,
    now: Timestamp,
) -> String {
    let body = format!(
        "<wt:Header>{}{}{}{}{}</wt:Header>",
        el(
            "wt",
            "IsConfirm",
            if accepted { "Accepted" } else { "Rejected" }
        ),
        el("wt", "TicketNumber", number),
        el("wt", "TicketDate", &date_only(now)),
        el("wt", "WBRegId", wb_reg_id),
        el("wt", "Note", note),
    );
    envelope(
        owner,
        &[("wt", "http://fsrar.ru/WEGAIS/ConfirmTicket")],
        "ConfirmTicket",
        &body,
    )
}

pub fn reply_rests_shop(rows: &[(Product, Decimal)], now: Timestamp) -> String {
    let positions: String = rows
        .iter()
        .map(|(p, q)| {
            format!(
                "<rst:ShopPosition><rst:Product>{}</rst:Product>{}</rst:ShopPosition>",
                product_xml(p),
                el("rst", "Quantity", &q.normalize().to_string())
            )
        })
        .collect();
    envelope(
        EGAIS_FSRAR_ID,
        &[
            ("rst", "http://fsrar.ru/WEGAIS/ReplyRestsShop_v2"),
            ("oref", "http://fsrar.ru/WEGAIS/ClientRef_v2"),
            ("pref", "http://fsrar.ru/WEGAIS/ProductRef_v2"),
        ],
        "ReplyRestsShop_v2",
        &format!(
            "{}<rst:Products>{positions}</rst:Products>",
            el("rst", "RestsDate", &date_time(now))
        ),
    )
}

/// Register 1 rows: product, quantity, справка А, справка Б.
pub fn reply_rests(rows: &[(Product, Decimal, String, String)], now: Timestamp) -> String {
    let positions: String = rows
        .iter()
        .map(|(p, q, fa, fb)| {
            format!(
                "<rst:StockPosition><rst:Product>{}</rst:Product>{}{}{}</rst:StockPosition>",
                product_xml(p),
                el("rst", "Quantity", &q.normalize().to_string()),
                el("rst", "InformF1RegId", fa),
                el("rst", "InformF2RegId", fb)
            )
        })
        .collect();
    envelope(
        EGAIS_FSRAR_ID,
        &[
            ("rst", "http://fsrar.ru/WEGAIS/ReplyRests_v2"),
            ("oref", "http://fsrar.ru/WEGAIS/ClientRef_v2"),
            ("pref", "http://fsrar.ru/WEGAIS/ProductRef_v2"),
        ],
        "ReplyRests_v2",
        &format!(
            "{}<rst:Products>{positions}</rst:Products>",
            el("rst", "RestsDate", &date_time(now))
        ),
    )
}

/// Invoices without an act: WBRegId, number, date, shipper's FSRAR ID.
pub fn reply_no_answer_ttn(
    consignee: &str,
    rows: &[(String, String, String, String)],
    now: Timestamp,
) -> String {
    let list: String = rows
        .iter()
        .map(|(wb, num, date, shipper)| {
            format!(
                "<ttn:NoAnswer>{}{}{}{}</ttn:NoAnswer>",
                el("ttn", "WbRegID", wb),
                el("ttn", "ttnNumber", num),
                el("ttn", "ttnDate", date),
                el("ttn", "Shipper", shipper)
            )
        })
        .collect();
    envelope(
        EGAIS_FSRAR_ID,
        &[("ttn", "http://fsrar.ru/WEGAIS/ReplyNoAnswerTTN")],
        "ReplyNoAnswerTTN",
        &format!(
            "{}{}<ttn:ttnlist>{list}</ttn:ttnlist>",
            el("ttn", "Consignee", consignee),
            el("ttn", "ReplyDate", &date_time(now))
        ),
    )
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
