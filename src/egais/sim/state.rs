//! The simulated UTM and EGAIS behind it: queues, the shop's registers 1 and 2, stamps on
//! balance, and the rules that turn each posted document into tickets and replies.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::catalog;
use super::docs::{self, Invoice, InvoicePosition, Org, Product, TicketKind, TicketSpec};
use crate::egais::utm::dom::{self, Node};
use crate::store::archive::sha256_hex;

/// Faults the simulator can inject (flag or `POST /sim/fault`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Refuse and drop every connection, as a stopped UTM.
    pub down: bool,
    /// Delay every answer by this many milliseconds.
    pub slow_ms: u64,
    /// Accept a POSTed document at once but send the answer only after this many
    /// milliseconds (the window in which a client can die between send and reply).
    pub reply_delay_ms: u64,
    /// Answer every UTM request with HTTP 500.
    pub http_500: bool,
    /// Answer POSTs with broken XML (the document is still accepted).
    pub malformed_reply: bool,
    /// Put every generated document into `/opt/out` as broken XML.
    pub malformed_documents: bool,
    /// Put every generated document into `/opt/out` twice, under two ids.
    pub duplicates: bool,
    /// Report this FSRAR ID instead of the configured one.
    pub wrong_fsrar_id: Option<String>,
    /// Report the RSA certificate as expired and refuse documents.
    pub expired_certificate: bool,
    /// Behave like an old UTM without `/api/info/list` (only `/diagnosis`).
    pub legacy_utm: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StampStatus {
    /// Shipped to the shop, not yet accepted.
    InTransit,
    OnBalance,
    Sold,
    WrittenOff,
    /// Refused by the shop (sent back).
    Returned,
}

#[derive(Debug, Clone, Serialize)]
pub struct StampRow {
    pub alc_code: String,
    pub f2_reg_id: String,
    pub status: StampStatus,
}

#[derive(Debug, Clone)]
pub struct Reg1Row {
    pub product: Product,
    pub fa_reg_id: String,
    pub quantity: Decimal,
}

#[derive(Debug, Clone)]
pub struct Reg2Row {
    pub product: Product,
    pub quantity: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceSummary {
    pub wb_reg_id: String,
    pub number: String,
    /// `IsAccept` of the act received for it, if any.
    pub act: Option<String>,
    pub positions: Vec<PositionSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PositionSummary {
    pub identity: u32,
    pub alc_code: String,
    /// The shop's справка Б (from FORM2REGINFO).
    pub new_f2: String,
    pub quantity: u32,
    pub stamps: Vec<String>,
}

/// A document the simulator accepted through `POST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedDoc {
    pub doc_type: String,
    pub reply_id: String,
    pub xml: Vec<u8>,
}

#[derive(Debug, Clone)]
struct OutDoc {
    utm_type: String,
    reply_id: Option<String>,
    xml: Vec<u8>,
}

#[derive(Debug, Clone)]
struct Queued {
    id: u64,
    doc_type: String,
    reply_id: String,
    xml: Vec<u8>,
    deliver_at: Instant,
}

#[derive(Debug, Clone)]
struct SimInvoice {
    invoice: Invoice,
    act: Option<String>,
}

/// Settings fixed at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub fsrar_id: String,
    pub shop: Org,
    pub stock_query_min_interval: Duration,
    /// How long a POSTed document waits in `/opt/in` before EGAIS "answers".
    pub delivery_delay: Duration,
}

/// A refusal of a POST, answered synchronously with an HTTP error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostError {
    pub status: u16,
    pub message: String,
}

/// What a successful POST answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostOk {
    pub url: String,
    pub sign: String,
    pub ver: u8,
}

pub struct SimState {
    pub settings: Settings,
    pub faults: Faults,
    rng: fastrand::Rng,
    next_id: u64,
    out: BTreeMap<u64, OutDoc>,
    queue: Vec<Queued>,
    received: Vec<ReceivedDoc>,
    reg1: BTreeMap<String, Reg1Row>,
    reg2: BTreeMap<String, Reg2Row>,
    stamps: BTreeMap<String, StampRow>,
    invoices: BTreeMap<String, SimInvoice>,
    acts_seen: HashSet<String>,
    last_stock_query: HashMap<String, Instant>,
}

impl SimState {
    pub fn new(settings: Settings, seed: u64) -> SimState {
        SimState {
            settings,
            faults: Faults::default(),
            rng: fastrand::Rng::with_seed(seed),
            next_id: 1,
            out: BTreeMap::new(),
            queue: Vec::new(),
            received: Vec::new(),
            reg1: BTreeMap::new(),
            reg2: BTreeMap::new(),
            stamps: BTreeMap::new(),
            invoices: BTreeMap::new(),
            acts_seen: HashSet::new(),
            last_stock_query: HashMap::new(),
        }
    }

    /// The FSRAR ID the UTM reports (the configured one unless a fault says otherwise).
    pub fn reported_fsrar_id(&self) -> String {
        self.faults
            .wrong_fsrar_id
            .clone()
            .unwrap_or_else(|| self.settings.fsrar_id.clone())
    }

    pub fn received(&self) -> &[ReceivedDoc] {
        &self.received
    }

    pub fn out_len(&self) -> usize {
        self.out.len()
    }

    pub fn in_len(&self) -> usize {
        self.queue.len()
    }

    pub fn register2(&self) -> Vec<(String, Decimal)> {
        self.reg2
            .iter()
            .map(|(k, v)| (k.clone(), v.quantity))
            .collect()
    }

    pub fn register1(&self) -> Vec<(String, String, Decimal)> {
        self.reg1
            .iter()
            .map(|(k, v)| (k.clone(), v.product.alc_code.clone(), v.quantity))
            .collect()
    }

    pub fn stamps(&self) -> &BTreeMap<String, StampRow> {
        &self.stamps
    }

    /// Stamps of the given status, for the demo and tests.
    pub fn stamps_with(&self, status: StampStatus) -> Vec<String> {
        self.stamps
            .iter()
            .filter(|(_, s)| s.status == status)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Invoices generated so far: what a test needs to answer them.
    pub fn invoice_summaries(&self) -> Vec<InvoiceSummary> {
        self.invoices
            .values()
            .map(|i| InvoiceSummary {
                wb_reg_id: i.invoice.wb_reg_id.clone(),
                number: i.invoice.number.clone(),
                act: i.act.clone(),
                positions: i
                    .invoice
                    .positions
                    .iter()
                    .map(|p| PositionSummary {
                        identity: p.identity,
                        alc_code: p.product.alc_code.clone(),
                        new_f2: p.new_f2.clone(),
                        quantity: p.quantity,
                        stamps: p.boxes.iter().flat_map(|(_, s)| s.clone()).collect(),
                    })
                    .collect(),
            })
            .collect()
    }

    /// Puts register-2 stock and stamps on balance directly (a shop that already works).
    pub fn seed_shop_stock(&mut self, alc_code: &str, quantity: u32, stamps: &[String]) {
        let product = catalog::products()
            .into_iter()
            .find(|p| p.alc_code == alc_code)
            .unwrap_or_else(|| self::unknown_product(alc_code));
        let row = self.reg2.entry(alc_code.to_string()).or_insert(Reg2Row {
            product,
            quantity: Decimal::ZERO,
        });
        row.quantity += Decimal::from(quantity);
        for s in stamps {
            self.stamps.insert(
                s.clone(),
                StampRow {
                    alc_code: alc_code.to_string(),
                    f2_reg_id: String::new(),
                    status: StampStatus::OnBalance,
                },
            );
        }
    }

    /// Generates `n` incoming invoices (WayBill_v4 + FORM2REGINFO, in random order).
    pub fn seed_invoices(&mut self, n: usize) -> Vec<String> {
        (0..n).map(|_| self.new_invoice()).collect()
    }

    /// Puts a raw document into `/opt/out` (tests, demo).
    pub fn inject_out(&mut self, utm_type: &str, xml: Vec<u8>, reply_id: Option<String>) -> u64 {
        let id = self.take_id();
        self.out.insert(
            id,
            OutDoc {
                utm_type: utm_type.to_string(),
                reply_id,
                xml,
            },
        );
        id
    }

    fn take_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn new_invoice(&mut self) -> String {
        let suppliers = catalog::suppliers();
        let shipper = suppliers[self.rng.usize(..suppliers.len())].clone();
        let products = catalog::products();
        let count = self.rng.usize(1..=3.min(products.len()));
        let mut positions = Vec::new();
        let mut pick: Vec<Product> = products;
        self.rng.shuffle(&mut pick);
        for (i, product) in pick.into_iter().take(count).enumerate() {
            let quantity = self.rng.u32(2..=6);
            let stamps: Vec<String> = (0..quantity)
                .map(|_| catalog::stamp(&mut self.rng))
                .collect();
            let new_f2 = format!("FB-{}", catalog::digits(&mut self.rng, 15));
            for s in &stamps {
                self.stamps.insert(
                    s.clone(),
                    StampRow {
                        alc_code: product.alc_code.clone(),
                        f2_reg_id: new_f2.clone(),
                        status: StampStatus::InTransit,
                    },
                );
            }
            positions.push(InvoicePosition {
                identity: i as u32 + 1,
                price: format!("{}.00", self.rng.u32(150..2500)),
                fa_reg_id: format!("FA-{}", catalog::digits(&mut self.rng, 15)),
                shipper_f2: format!("FB-{}", catalog::digits(&mut self.rng, 15)),
                new_f2,
                boxes: vec![(catalog::digits(&mut self.rng, 26), stamps)],
                quantity,
                product,
            });
        }
        let now = Timestamp::now();
        let invoice = Invoice {
            identity: catalog::guid(&mut self.rng),
            number: format!("{:08}", self.rng.u32(1..100_000_000)),
            date: docs::today_utc(now),
            shipper,
            consignee: self.settings.shop.clone(),
            wb_reg_id: format!("TTN-{}", catalog::digits(&mut self.rng, 10)),
            fix_number: format!("WBF-{}", catalog::digits(&mut self.rng, 15)),
            positions,
        };
        let wb = invoice.wb_reg_id.clone();
        self.push_invoice_docs(&invoice, None);
        self.invoices
            .insert(wb.clone(), SimInvoice { invoice, act: None });
        wb
    }

    fn push_invoice_docs(&mut self, invoice: &Invoice, reply_id: Option<String>) {
        let mut pair = vec![
            ("WayBill_v4", docs::waybill_v4(invoice)),
            ("FORM2REGINFO", docs::form2reginfo(invoice)),
        ];
        if self.rng.bool() {
            pair.reverse();
        }
        for (t, xml) in pair {
            self.push_out(t, xml, reply_id.clone());
        }
    }

    fn push_out(&mut self, utm_type: &str, xml: String, reply_id: Option<String>) {
        let mut bytes = xml.into_bytes();
        if self.faults.malformed_documents {
            bytes.truncate(bytes.len() / 2);
        }
        let copies = if self.faults.duplicates { 2 } else { 1 };
        for _ in 0..copies {
            let id = self.take_id();
            self.out.insert(
                id,
                OutDoc {
                    utm_type: utm_type.to_string(),
                    reply_id: reply_id.clone(),
                    xml: bytes.clone(),
                },
            );
        }
    }

    /// `/opt/out` entries: (id, type, replyId).
    pub fn out_list(&self, type_filter: Option<&str>) -> Vec<(u64, String, Option<String>)> {
        self.out
            .iter()
            .filter(|(_, d)| type_filter.is_none_or(|t| d.utm_type.eq_ignore_ascii_case(t)))
            .map(|(id, d)| (*id, d.utm_type.clone(), d.reply_id.clone()))
            .collect()
    }

    pub fn out_get(&self, utm_type: &str, id: u64) -> Option<Vec<u8>> {
        self.out
            .get(&id)
            .filter(|d| d.utm_type.eq_ignore_ascii_case(utm_type))
            .map(|d| d.xml.clone())
    }

    pub fn out_delete(&mut self, utm_type: &str, id: u64) -> bool {
        let matches = self
            .out
            .get(&id)
            .is_some_and(|d| d.utm_type.eq_ignore_ascii_case(utm_type));
        if matches {
            self.out.remove(&id);
        }
        matches
    }

    pub fn in_list(&self) -> Vec<(u64, String, Option<String>)> {
        self.queue
            .iter()
            .map(|q| (q.id, q.doc_type.clone(), Some(q.reply_id.clone())))
            .collect()
    }

    pub fn in_get(&self, doc_type: &str, id: u64) -> Option<Vec<u8>> {
        self.queue
            .iter()
            .find(|q| q.id == id && q.doc_type.eq_ignore_ascii_case(doc_type))
            .map(|q| q.xml.clone())
    }

    /// Delivers queued documents whose time has come: EGAIS "answers" them.
    pub fn advance(&mut self, now: Instant) {
        let (due, waiting): (Vec<_>, Vec<_>) =
            self.queue.drain(..).partition(|q| q.deliver_at <= now);
        self.queue = waiting;
        for q in due {
            self.answer(&q);
        }
    }

    /// `POST /opt/in/<doc_type>`: validates the envelope and queues the document.
    pub fn post_document(&mut self, doc_type: &str, xml: Vec<u8>) -> Result<PostOk, PostError> {
        self.refuse_if_expired()?;
        let root = dom::parse(&xml).map_err(|e| PostError {
            status: 400,
            message: format!("Ошибка разбора XML: {e}"),
        })?;
        let doc = document_node(&root)
            .ok_or_else(|| bad("Документ не соответствует схеме: нет ns:Documents/ns:Document"))?;
        if doc.name != doc_type {
            return Err(bad(&format!(
                "Тип документа {} не совпадает с адресом /opt/in/{doc_type}",
                doc.name
            )));
        }
        let owner = root.text_at(&["Owner", "FSRAR_ID"]).unwrap_or_default();
        if owner != self.settings.fsrar_id {
            return Err(bad(&format!(
                "FSRAR_ID отправителя {owner} не совпадает с ключом УТМ {}",
                self.settings.fsrar_id
            )));
        }
        if doc_type == "ChequeV3" {
            return self.register_cheque_v3(doc, xml.clone());
        }
        let reply_id = catalog::guid(&mut self.rng);
        let id = self.take_id();
        self.received.push(ReceivedDoc {
            doc_type: doc_type.to_string(),
            reply_id: reply_id.clone(),
            xml: xml.clone(),
        });
        self.queue.push(Queued {
            id,
            doc_type: doc_type.to_string(),
            reply_id: reply_id.clone(),
            xml,
            deliver_at: Instant::now() + self.settings.delivery_delay,
        });
        let sign = catalog::hex(&mut self.rng, 128);
        Ok(PostOk {
            url: reply_id,
            sign,
            ver: 2,
        })
    }

    /// `POST /xml`: the attribute cheque, checked and registered at once.
    pub fn post_cheque(&mut self, xml: Vec<u8>) -> Result<PostOk, PostError> {
        self.refuse_if_expired()?;
        let root = dom::parse(&xml).map_err(|e| PostError {
            status: 400,
            message: format!("Ошибка разбора XML: {e}"),
        })?;
        if root.name != "Cheque" {
            return Err(bad("Документ не соответствует схеме: ожидается <Cheque>"));
        }
        let dt = root.attr("datetime").unwrap_or_default().to_string();
        let mut lines = Vec::new();
        for b in root.children_named("Bottle") {
            let barcode = b.attr("barcode").unwrap_or_default().to_string();
            let price = b.attr("price").unwrap_or("0");
            lines.push((barcode, price.trim_start().starts_with('-')));
        }
        self.register_cheque(&lines, &dt, xml, "Cheque")
    }

    fn register_cheque_v3(&mut self, doc: &Node, xml: Vec<u8>) -> Result<PostOk, PostError> {
        let is_return = doc
            .text_at(&["Header", "Type"])
            .is_some_and(|t| t == "Возврат");
        let dt = doc
            .text_at(&["Header", "Date"])
            .and_then(|d| cheque_dt_from_iso(&d))
            .unwrap_or_default();
        let lines: Vec<(String, bool)> = doc
            .child("Content")
            .map(|c| {
                c.children_named("Bottle")
                    .filter_map(|b| b.text_at(&["Barcode"]))
                    .map(|code| (code, is_return))
                    .collect()
            })
            .unwrap_or_default();
        self.register_cheque(&lines, &dt, xml, "ChequeV3")
    }

    fn register_cheque(
        &mut self,
        lines: &[(String, bool)],
        dt: &str,
        xml: Vec<u8>,
        doc_type: &str,
    ) -> Result<PostOk, PostError> {
        if lines.is_empty() {
            return Err(bad("Документ не соответствует схеме: в чеке нет позиций"));
        }
        let mut seen = HashSet::new();
        for (code, is_return) in lines {
            if !seen.insert(code) {
                return Err(bad(&format!("Марка {code} повторяется в чеке")));
            }
            let status = self.stamps.get(code).map(|s| s.status);
            let ok = matches!(
                (status, is_return),
                (Some(StampStatus::OnBalance), false) | (Some(StampStatus::Sold), true)
            );
            if !ok {
                let detail = match (status, is_return) {
                    (Some(StampStatus::Sold), false) => format!("марка {code} уже продана"),
                    (Some(StampStatus::WrittenOff), _) => format!("марка {code} списана"),
                    (_, true) => format!("марка {code} не продавалась"),
                    _ => format!("марка {code} не числится на балансе магазина"),
                };
                return Err(bad(&format!(
                    "Проверка не пройдена: продукция не поступала в магазин по поштучному учету ({detail})"
                )));
            }
        }
        for (code, is_return) in lines {
            if let Some(s) = self.stamps.get_mut(code) {
                s.status = if *is_return {
                    StampStatus::OnBalance
                } else {
                    StampStatus::Sold
                };
                let delta = if *is_return {
                    Decimal::ONE
                } else {
                    -Decimal::ONE
                };
                if let Some(r) = self.reg2.get_mut(&s.alc_code) {
                    r.quantity += delta;
                }
            }
        }
        let id = catalog::guid(&mut self.rng);
        let dt = if dt.is_empty() {
            Timestamp::now().strftime("%d%m%y%H%M").to_string()
        } else {
            dt.to_string()
        };
        let url = format!(
            "http://check.egais.ru?id={id}&dt={dt}&cn={}",
            self.settings.fsrar_id
        );
        self.received.push(ReceivedDoc {
            doc_type: doc_type.to_string(),
            reply_id: url.clone(),
            xml,
        });
        Ok(PostOk {
            url,
            sign: catalog::hex(&mut self.rng, 128),
            ver: 2,
        })
    }

    fn refuse_if_expired(&self) -> Result<(), PostError> {
        if self.faults.expired_certificate {
            return Err(PostError {
                status: 503,
                message: "Срок действия сертификата RSA истёк; обмен с ЕГАИС невозможен".into(),
            });
        }
        Ok(())
    }

    // ---- EGAIS answers --------------------------------------------------------------

    fn answer(&mut self, q: &Queued) {
        let Ok(root) = dom::parse(&q.xml) else { return };
        let Some(doc) = document_node(&root) else {
            return;
        };
        let doc = doc.clone();
        let identity = doc
            .text_at(&["Identity"])
            .or_else(|| doc.text_at(&["Header", "Identity"]));
        let reg_id = q
            .doc_type
            .starts_with("WayBillAct")
            .then(|| doc.text_at(&["Header", "WBRegId"]))
            .flatten();
        let ctx = TicketCtx {
            identity,
            reg_id,
            transport_id: q.reply_id.clone(),
            doc_hash: sha256_hex(&q.xml),
            doc_type: q.doc_type.to_uppercase(),
        };
        let outcome = match q.doc_type.as_str() {
            "WayBillAct_v4" | "WayBillAct_v3" => self.on_act(&doc, &ctx),
            "TransferToShop" => self.on_transfer(&doc),
            "ActWriteOffShop_v2" => self.on_write_off(&doc),
            "ActChargeOnShop_v2" => self.on_charge_on(&doc),
            "QueryRestsShop_v2" | "QueryRests_v2" => self.on_stock_query(&q.doc_type, &ctx),
            "QueryNATTN" => self.on_nattn(&ctx),
            "QueryResendDoc" => self.on_resend(&doc, &ctx),
            _ => Outcome::Done {
                operation: None,
                comment: "Документ успешно принят".into(),
            },
        };
        match outcome {
            Outcome::Refused(reason) => {
                self.push_ticket(
                    &ctx,
                    None,
                    TicketKind::Result {
                        accepted: false,
                        comment: reason,
                    },
                );
            }
            Outcome::Done { operation, comment } => {
                self.push_ticket(
                    &ctx,
                    None,
                    TicketKind::Result {
                        accepted: true,
                        comment: "Документ успешно принят".into(),
                    },
                );
                if let Some(name) = operation {
                    self.push_ticket(
                        &ctx,
                        None,
                        TicketKind::Operation {
                            name,
                            accepted: true,
                            comment,
                        },
                    );
                }
            }
            Outcome::Silent => {}
        }
    }

    fn push_ticket(&mut self, ctx: &TicketCtx, reg_id: Option<String>, kind: TicketKind) {
        let spec = TicketSpec {
            identity: ctx.identity.clone(),
            doc_id: catalog::guid(&mut self.rng).to_uppercase(),
            transport_id: ctx.transport_id.clone(),
            reg_id: reg_id.or_else(|| ctx.reg_id.clone()),
            doc_hash: Some(ctx.doc_hash.clone()),
            doc_type: ctx.doc_type.clone(),
            kind,
        };
        let xml = docs::ticket(&spec, Timestamp::now());
        self.push_out("Ticket", xml, Some(ctx.transport_id.clone()));
    }

    fn on_act(&mut self, doc: &Node, ctx: &TicketCtx) -> Outcome {
        let Some(wb) = doc.text_at(&["Header", "WBRegId"]) else {
            return Outcome::Refused("Не указан WBRegId".into());
        };
        let kind = doc.text_at(&["Header", "IsAccept"]).unwrap_or_default();
        let Some(inv) = self.invoices.get(&wb).cloned() else {
            return Outcome::Refused(format!(
                "Накладная {wb} не найдена или адресована другой организации"
            ));
        };
        if inv.act.is_some() {
            return Outcome::Refused(format!(
                "По накладной {wb} уже зарегистрирован акт: повторный акт отклонён"
            ));
        }
        let number = inv.invoice.number.clone();
        let listed: HashMap<String, &Node> = doc
            .child("Content")
            .map(|c| {
                c.children_named("Position")
                    .filter_map(|p| Some((p.text_at(&["Identity"])?, p)))
                    .collect()
            })
            .unwrap_or_default();
        for pos in &inv.invoice.positions {
            let accepted_qty = match kind.as_str() {
                "Rejected" => Decimal::ZERO,
                "Differences" => match listed.get(&pos.identity.to_string()) {
                    Some(p) => p
                        .text_at(&["RealQuantity"])
                        .and_then(|q| Decimal::from_str(&q).ok())
                        .unwrap_or(Decimal::ZERO),
                    None => Decimal::from(pos.quantity),
                },
                _ => Decimal::from(pos.quantity),
            };
            let marked: Option<HashSet<String>> =
                listed.get(&pos.identity.to_string()).and_then(|p| {
                    let mut amc = Vec::new();
                    p.find_all("amc", &mut amc);
                    (!amc.is_empty())
                        .then(|| amc.iter().map(|n| n.text.trim().to_string()).collect())
                });
            let mut left = accepted_qty;
            for (_, stamps) in &pos.boxes {
                for s in stamps {
                    let take = match &marked {
                        Some(set) => set.contains(s),
                        None => left > Decimal::ZERO,
                    };
                    if let Some(row) = self.stamps.get_mut(s) {
                        row.status = if take {
                            left -= Decimal::ONE;
                            StampStatus::OnBalance
                        } else {
                            StampStatus::Returned
                        };
                    }
                }
            }
            if accepted_qty > Decimal::ZERO {
                let row = self.reg1.entry(pos.new_f2.clone()).or_insert(Reg1Row {
                    product: pos.product.clone(),
                    fa_reg_id: pos.fa_reg_id.clone(),
                    quantity: Decimal::ZERO,
                });
                row.quantity += accepted_qty;
            }
        }
        if let Some(i) = self.invoices.get_mut(&wb) {
            i.act = Some(kind.clone());
        }
        match kind.as_str() {
            "Rejected" => Outcome::Done {
                operation: Some("Reject".into()),
                comment: format!("Накладная №{number} отклонена получателем"),
            },
            "Differences" => {
                // The supplier answers a discrepancy act; the simulated one agrees.
                self.push_ticket(
                    ctx,
                    Some(wb.clone()),
                    TicketKind::Result {
                        accepted: true,
                        comment: "Документ успешно принят".into(),
                    },
                );
                let confirm = docs::confirm_ticket(
                    &inv.invoice.shipper.fsrar_id,
                    &wb,
                    &format!("ПР-{}", &number),
                    true,
                    "Расхождения подтверждены",
                    Timestamp::now(),
                );
                self.push_out("WayBillTicket", confirm, Some(ctx.transport_id.clone()));
                self.push_ticket(
                    ctx,
                    Some(wb),
                    TicketKind::Operation {
                        name: "Confirm".into(),
                        accepted: true,
                        comment: format!(
                            "Расхождения по накладной №{number} подтверждены поставщиком"
                        ),
                    },
                );
                Outcome::Silent
            }
            _ => Outcome::Done {
                operation: Some("Confirm".into()),
                comment: format!("Накладная №{number} подтверждена"),
            },
        }
    }

    fn on_transfer(&mut self, doc: &Node) -> Outcome {
        if let Some(o) = self.repeated(
            doc,
            "TransferToShop",
            &["Header", "TransferNumber"],
            &["Header", "TransferDate"],
        ) {
            return o;
        }
        let mut moves = Vec::new();
        for p in positions(doc) {
            let fb = text_of(p, "F2RegId");
            let qty = quantity_of(p);
            let have = self
                .reg1
                .get(&fb)
                .map(|r| r.quantity)
                .unwrap_or(Decimal::ZERO);
            if qty <= Decimal::ZERO || qty > have {
                return Outcome::Refused(format!(
                    "Недостаточно остатка в регистре 1 по справке Б {fb}: числится {}, передаётся {}",
                    have.normalize(),
                    qty.normalize()
                ));
            }
            moves.push((fb, qty));
        }
        for (fb, qty) in moves {
            if let Some(r1) = self.reg1.get_mut(&fb) {
                r1.quantity -= qty;
                let product = r1.product.clone();
                self.reg2
                    .entry(product.alc_code.clone())
                    .or_insert(Reg2Row {
                        product,
                        quantity: Decimal::ZERO,
                    })
                    .quantity += qty;
            }
        }
        Outcome::Done {
            operation: Some("Confirm".into()),
            comment: "Передача в торговый зал зарегистрирована".into(),
        }
    }

    fn on_write_off(&mut self, doc: &Node) -> Outcome {
        if let Some(o) = self.repeated(
            doc,
            "ActWriteOffShop_v2",
            &["Header", "ActNumber"],
            &["Header", "ActDate"],
        ) {
            return o;
        }
        let mut changes = Vec::new();
        for p in positions(doc) {
            let alc = text_of(p, "AlcCode");
            let qty = quantity_of(p);
            let have = self
                .reg2
                .get(&alc)
                .map(|r| r.quantity)
                .unwrap_or(Decimal::ZERO);
            if qty <= Decimal::ZERO || qty > have {
                return Outcome::Refused(format!(
                    "Списание превышает остаток: в регистре 2 по алкокоду {alc} числится {}, списывается {}",
                    have.normalize(),
                    qty.normalize()
                ));
            }
            let mut amc = Vec::new();
            p.find_all("amc", &mut amc);
            for m in &amc {
                let code = m.text.trim();
                match self.stamps.get(code).map(|s| s.status) {
                    Some(StampStatus::OnBalance) => {}
                    Some(StampStatus::Sold) => {
                        return Outcome::Refused(format!("Марка {code} уже продана"));
                    }
                    Some(StampStatus::WrittenOff) => {
                        return Outcome::Refused(format!("Марка {code} уже списана"));
                    }
                    _ => {
                        return Outcome::Refused(format!(
                            "Марка {code} не числится на балансе организации"
                        ));
                    }
                }
            }
            changes.push((
                alc,
                qty,
                amc.iter()
                    .map(|m| m.text.trim().to_string())
                    .collect::<Vec<_>>(),
            ));
        }
        for (alc, qty, marks) in changes {
            if let Some(r) = self.reg2.get_mut(&alc) {
                r.quantity -= qty;
            }
            for m in marks {
                if let Some(s) = self.stamps.get_mut(&m) {
                    s.status = StampStatus::WrittenOff;
                }
            }
        }
        Outcome::Done {
            operation: Some("Confirm".into()),
            comment: "Акт списания зарегистрирован".into(),
        }
    }

    fn on_charge_on(&mut self, doc: &Node) -> Outcome {
        if let Some(o) = self.repeated(
            doc,
            "ActChargeOnShop_v2",
            &["Header", "Number"],
            &["Header", "ActDate"],
        ) {
            return o;
        }
        for p in positions(doc) {
            let Some(product) = p.child("Product") else {
                return Outcome::Refused("Не указана продукция".into());
            };
            let alc = product.text_at(&["AlcCode"]).unwrap_or_default();
            let qty = quantity_of(p);
            if alc.is_empty() || qty <= Decimal::ZERO {
                return Outcome::Refused("Неверный алкокод или количество".into());
            }
            let card = Product {
                alc_code: alc.clone(),
                full_name: product
                    .text_at(&["FullName"])
                    .unwrap_or_else(|| alc.clone()),
                capacity: product
                    .text_at(&["Capacity"])
                    .unwrap_or_else(|| "0.5000".into()),
                alc_volume: product
                    .text_at(&["AlcVolume"])
                    .unwrap_or_else(|| "40.000".into()),
                vcode: product
                    .text_at(&["ProductVCode"])
                    .unwrap_or_else(|| "200".into()),
                producer: unknown_product(&alc).producer,
            };
            self.reg2
                .entry(alc)
                .or_insert(Reg2Row {
                    product: card,
                    quantity: Decimal::ZERO,
                })
                .quantity += qty;
        }
        Outcome::Done {
            operation: Some("Confirm".into()),
            comment: "Акт постановки на баланс зарегистрирован".into(),
        }
    }

    fn on_stock_query(&mut self, doc_type: &str, ctx: &TicketCtx) -> Outcome {
        let now = Instant::now();
        let limit = self.settings.stock_query_min_interval;
        if let Some(last) = self.last_stock_query.get(doc_type)
            && now.duration_since(*last) < limit
        {
            return Outcome::Refused(format!(
                "Запрос остатков можно отправлять не чаще одного раза в {} мин.",
                limit.as_secs().div_ceil(60)
            ));
        }
        self.last_stock_query.insert(doc_type.to_string(), now);
        let ts = Timestamp::now();
        let (utm_type, xml) = if doc_type == "QueryRestsShop_v2" {
            let rows: Vec<(Product, Decimal)> = self
                .reg2
                .values()
                .filter(|r| r.quantity > Decimal::ZERO)
                .map(|r| (r.product.clone(), r.quantity))
                .collect();
            ("ReplyRestsShop_v2", docs::reply_rests_shop(&rows, ts))
        } else {
            let rows: Vec<(Product, Decimal, String, String)> = self
                .reg1
                .iter()
                .filter(|(_, r)| r.quantity > Decimal::ZERO)
                .map(|(fb, r)| {
                    (
                        r.product.clone(),
                        r.quantity,
                        r.fa_reg_id.clone(),
                        fb.clone(),
                    )
                })
                .collect();
            ("ReplyRests_v2", docs::reply_rests(&rows, ts))
        };
        self.push_ticket(
            ctx,
            None,
            TicketKind::Result {
                accepted: true,
                comment: "Документ успешно принят".into(),
            },
        );
        self.push_out(utm_type, xml, Some(ctx.transport_id.clone()));
        Outcome::Silent
    }

    fn on_nattn(&mut self, ctx: &TicketCtx) -> Outcome {
        let rows: Vec<(String, String, jiff::civil::Date, String)> = self
            .invoices
            .iter()
            .filter(|(_, i)| i.act.is_none())
            .map(|(wb, i)| {
                (
                    wb.clone(),
                    i.invoice.number.clone(),
                    i.invoice.date,
                    i.invoice.shipper.fsrar_id.clone(),
                )
            })
            .collect();
        let xml = docs::reply_no_answer_ttn(&self.settings.fsrar_id, &rows, Timestamp::now());
        self.push_out("ReplyNATTN", xml, Some(ctx.transport_id.clone()));
        Outcome::Silent
    }

    fn on_resend(&mut self, doc: &Node, ctx: &TicketCtx) -> Outcome {
        let mut params = Vec::new();
        doc.find_all("Parameter", &mut params);
        let wb = params.iter().find_map(|p| {
            let name = p.text_at(&["Name"])?;
            name.eq_ignore_ascii_case("WBREGID")
                .then(|| p.text_at(&["Value"]))?
        });
        match wb.and_then(|w| self.invoices.get(&w).cloned()) {
            Some(inv) => {
                self.push_ticket(
                    ctx,
                    None,
                    TicketKind::Result {
                        accepted: true,
                        comment: "Документ успешно принят".into(),
                    },
                );
                self.push_invoice_docs(&inv.invoice, None);
                Outcome::Silent
            }
            None => Outcome::Refused("Накладная для повторной отправки не найдена".into()),
        }
    }

    fn repeated(
        &mut self,
        doc: &Node,
        kind: &str,
        number: &[&str],
        date: &[&str],
    ) -> Option<Outcome> {
        let key = format!(
            "{kind}:{}:{}",
            doc.text_at(number).unwrap_or_default(),
            doc.text_at(date).unwrap_or_default()
        );
        if self.acts_seen.contains(&key) {
            return Some(Outcome::Refused(format!(
                "Документ с номером {} от {} уже зарегистрирован: повторный акт отклонён",
                doc.text_at(number).unwrap_or_default(),
                doc.text_at(date).unwrap_or_default()
            )));
        }
        self.acts_seen.insert(key);
        None
    }
}

struct TicketCtx {
    identity: Option<String>,
    /// `RegID` of the tickets: the invoice an act settles.
    reg_id: Option<String>,
    transport_id: String,
    doc_hash: String,
    doc_type: String,
}

enum Outcome {
    /// A rejection ticket with the reason.
    Refused(String),
    /// Format ticket, then (if named) an operation ticket.
    Done {
        operation: Option<String>,
        comment: String,
    },
    /// The handler pushed its own answers.
    Silent,
}

fn bad(message: &str) -> PostError {
    PostError {
        status: 400,
        message: message.to_string(),
    }
}

fn document_node(root: &Node) -> Option<&Node> {
    if root.name != "Documents" {
        return None;
    }
    let d = root.child("Document")?;
    match d.children.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// A position's quantity; a missing or unreadable one counts as zero, which every rule refuses.
fn quantity_of(position: &Node) -> Decimal {
    position
        .text_at(&["Quantity"])
        .and_then(|q| Decimal::from_str(&q).ok())
        .unwrap_or(Decimal::ZERO)
}

/// The trimmed text of the first descendant with this name, or empty.
fn text_of(node: &Node, name: &str) -> String {
    node.find(name)
        .map(|n| n.text.trim().to_string())
        .unwrap_or_default()
}

fn positions(doc: &Node) -> Vec<&Node> {
    doc.child("Content")
        .map(|c| c.children_named("Position").collect())
        .unwrap_or_default()
}

fn unknown_product(alc: &str) -> Product {
    let mut p = catalog::products().remove(0);
    p.alc_code = alc.to_string();
    p.full_name = format!("Продукция {alc}");
    p
}

/// `2023-05-19T14:35:00` → `1905231435`.
fn cheque_dt_from_iso(s: &str) -> Option<String> {
    let dt: jiff::civil::DateTime = s.trim().parse().ok()?;
    Some(dt.strftime("%d%m%y%H%M").to_string())
}
