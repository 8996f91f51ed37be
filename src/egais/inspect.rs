//! `egais-tui inspect FILE…`: what an EGAIS file is and what it says.
//!
//! Exit code 0 when every file was read (a document type we do not model is
//! still named and counts as read), 2 when any file is unreadable, not
//! well-formed XML or breaks a schema rule; errors are printed as
//! `FILE:LINE:COL: element path: message`. `--json` prints one JSON object
//! per file (JSON Lines) with a summary and the full parsed content.

use std::io::Write;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde_json::json;

use super::xml::{
    AnyDocument, Incoming, LeanDocument, Parsed, WayBillV4, XmlError, parse_any, parse_any_lean,
};

#[derive(Debug, Clone, clap::Args)]
pub struct InspectArgs {
    /// EGAIS documents (envelopes, legacy cheques, UTM answers and listings).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print JSON Lines (one object per file) instead of a human summary.
    #[arg(long)]
    pub json: bool,
}

/// Inspects the files, printing to stdout (summaries) and stderr (errors).
pub fn run(args: &InspectArgs) -> anyhow::Result<i32> {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = stderr.lock();
    // The process exits right after `inspect`: freeing every stamp string of a
    // big waybill one by one would only cost time.
    let code = run_inner(args, &mut out, &mut err, true)?;
    out.flush()?;
    Ok(code)
}

/// [`run`] with explicit output streams (for tests).
pub fn run_to(args: &InspectArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<i32> {
    run_inner(args, out, err, false)
}

fn run_inner(
    args: &InspectArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    leak_documents: bool,
) -> anyhow::Result<i32> {
    let mut code = 0;
    for file in &args.files {
        if !args.json {
            // The human summary needs counts only: stamps are checked, not kept.
            match read_file(file).and_then(|b| parse_any_lean(&b).map_err(Failure::Xml)) {
                Ok(doc) => {
                    let summary = match &doc {
                        LeanDocument::WayBill {
                            owner_fsrar_id,
                            doc,
                        } => with_sender(waybill_summary(doc), owner_fsrar_id),
                        LeanDocument::Any(any) => summarize(any),
                    };
                    summary.print(file, out)?;
                    if leak_documents {
                        std::mem::forget(doc);
                    }
                }
                Err(failure) => {
                    code = 2;
                    writeln!(err, "{}", failure.line(file))?;
                }
            }
            continue;
        }
        match inspect_file(file) {
            Ok(doc) => {
                let value = json!({
                    "file": file.display().to_string(),
                    "ok": true,
                    "summary": summarize(&doc).to_json(),
                    "content": doc,
                });
                serde_json::to_writer(&mut *out, &value)?;
                writeln!(out)?;
                if leak_documents {
                    std::mem::forget(doc);
                }
            }
            Err(failure) => {
                code = 2;
                let error = match &failure {
                    Failure::Io(message) => json!({ "kind": "io", "message": message }),
                    Failure::Xml(e) => json!(e),
                };
                let value = json!({
                    "file": file.display().to_string(),
                    "ok": false,
                    "error": error,
                });
                serde_json::to_writer(&mut *out, &value)?;
                writeln!(out)?;
            }
        }
    }
    Ok(code)
}

enum Failure {
    Io(String),
    Xml(XmlError),
}

impl Failure {
    fn line(&self, file: &Path) -> String {
        match self {
            Failure::Io(message) => format!("{}: cannot read: {message}", file.display()),
            Failure::Xml(e) => format!(
                "{}:{}:{}: {}: {}",
                file.display(),
                e.line,
                e.column,
                if e.path.is_empty() {
                    "(document)"
                } else {
                    &e.path
                },
                e.message
            ),
        }
    }
}

fn read_file(file: &Path) -> Result<Contents, Failure> {
    Contents::open(file).map_err(|e| Failure::Io(e.to_string()))
}

/// A file's bytes: memory-mapped when big (a 17 MB waybill is neither copied
/// nor backed by freshly zeroed pages), read into memory otherwise.
enum Contents {
    #[cfg(unix)]
    Mapped(mapping::Mapping),
    Read(Vec<u8>),
}

impl Contents {
    fn open(file: &Path) -> std::io::Result<Contents> {
        #[cfg(unix)]
        {
            let f = std::fs::File::open(file)?;
            let len = f.metadata()?.len();
            if len >= mapping::MIN_LEN
                && let Some(m) = mapping::Mapping::new(&f, len)
            {
                return Ok(Contents::Mapped(m));
            }
        }
        std::fs::read(file).map(Contents::Read)
    }
}

impl std::ops::Deref for Contents {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            #[cfg(unix)]
            Contents::Mapped(m) => m.bytes(),
            Contents::Read(v) => v,
        }
    }
}

#[cfg(unix)]
mod mapping {
    //! A read-only private mapping of a whole file.
    //!
    //! If another process truncates the file while we read it, the kernel
    //! sends SIGBUS; `inspect` is a one-shot reader of documents at rest, and
    //! the speed matters for big deliveries, so we accept that (as grep-like
    //! tools do). Everything else reads files normally.

    use std::os::fd::AsRawFd;

    /// Below this a plain read is as fast and simpler.
    pub const MIN_LEN: u64 = 1 << 20;

    pub struct Mapping {
        ptr: *mut libc::c_void,
        len: usize,
    }

    impl Mapping {
        /// `None` when the file cannot be mapped (then it is read instead).
        pub fn new(file: &std::fs::File, len: u64) -> Option<Mapping> {
            let len = usize::try_from(len).ok().filter(|&l| l > 0)?;
            #[cfg(target_os = "linux")]
            let flags = libc::MAP_PRIVATE | libc::MAP_POPULATE;
            #[cfg(not(target_os = "linux"))]
            let flags = libc::MAP_PRIVATE;
            // SAFETY: a fresh read-only private mapping of an open file
            // descriptor; the result is checked against MAP_FAILED.
            let ptr = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ,
                    flags,
                    file.as_raw_fd(),
                    0,
                )
            };
            (ptr != libc::MAP_FAILED).then_some(Mapping { ptr, len })
        }

        pub fn bytes(&self) -> &[u8] {
            // SAFETY: `ptr` maps `len` readable bytes until `drop` unmaps them,
            // and the borrow cannot outlive `self`.
            unsafe { std::slice::from_raw_parts(self.ptr.cast::<u8>(), self.len) }
        }
    }

    impl Drop for Mapping {
        fn drop(&mut self) {
            // SAFETY: unmaps exactly the region mapped in `new`, once.
            unsafe {
                libc::munmap(self.ptr, self.len);
            }
        }
    }
}

fn inspect_file(file: &Path) -> Result<AnyDocument, Failure> {
    parse_any(&read_file(file)?).map_err(Failure::Xml)
}

/// What `inspect` prints about one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Element name (or `Cheque`, `A`).
    pub kind: String,
    /// What it is, in Russian.
    pub title_ru: String,
    /// (JSON key, Russian label, value).
    pub fields: Vec<(&'static str, &'static str, String)>,
}

impl Summary {
    fn new(kind: &str, title_ru: &str) -> Self {
        Summary {
            kind: kind.to_string(),
            title_ru: title_ru.to_string(),
            fields: Vec::new(),
        }
    }

    fn add(&mut self, key: &'static str, label: &'static str, value: impl ToString) -> &mut Self {
        self.fields.push((key, label, value.to_string()));
        self
    }

    fn add_opt(
        &mut self,
        key: &'static str,
        label: &'static str,
        value: Option<impl ToString>,
    ) -> &mut Self {
        if let Some(v) = value {
            self.add(key, label, v);
        }
        self
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, v)| v.as_str())
    }

    fn print(&self, file: &Path, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "{}: {} — {}", file.display(), self.kind, self.title_ru)?;
        let width = self
            .fields
            .iter()
            .map(|(_, label, _)| label.chars().count())
            .max()
            .unwrap_or(0);
        for (_, label, value) in &self.fields {
            let pad = width - label.chars().count();
            writeln!(out, "  {label}:{:pad$} {value}", "")?;
        }
        Ok(())
    }

    fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        map.insert("type".into(), self.kind.clone().into());
        map.insert("title_ru".into(), self.title_ru.clone().into());
        for (key, _, value) in &self.fields {
            map.insert((*key).into(), value.clone().into());
        }
        serde_json::Value::Object(map)
    }
}

fn org(o: &super::xml::OrgRef) -> String {
    format!("{} ({})", o.display_name(), o.client_reg_id())
}

fn money(d: Decimal) -> String {
    format!("{:.2} ₽", d.round_dp(2))
}

/// Builds the summary of a parsed document.
pub fn summarize(doc: &AnyDocument) -> Summary {
    match doc {
        AnyDocument::Envelope(parsed) => summarize_envelope(parsed),
        AnyDocument::Cheque(c) => {
            let mut s = Summary::new("Cheque", "чек продажи (формат /xml)");
            s.add("inn", "ИНН", &c.inn)
                .add_opt("kpp", "КПП", c.kpp.as_ref())
                .add("name", "Организация", &c.name)
                .add("address", "Адрес", &c.address)
                .add("kassa", "Касса", &c.kassa)
                .add("shift", "Смена", c.shift)
                .add("number", "Номер чека", c.number)
                .add("datetime", "Дата и время (ДДММГГЧЧММ)", c.datetime.as_str())
                .add("bottles", "Бутылок с маркой", c.bottles.len())
                .add("nopdf", "Позиций без марки", c.nopdf.len())
                .add("total", "Сумма", money(c.total()));
            s
        }
        AnyDocument::UtmReply(r) => {
            let mut s = Summary::new("A", "ответ УТМ на отправку документа");
            s.add_opt("url", "url (id документа / QR)", r.url.as_ref())
                .add_opt("sign", "Подпись", r.sign.as_ref().map(|x| shorten(x, 40)))
                .add_opt("error", "Ошибка", r.error.as_ref())
                .add_opt("ver", "Версия", r.ver.as_ref());
            s
        }
        AnyDocument::OutList { entries } => {
            let mut s = Summary::new("A", "список документов УТМ (/opt/out или /opt/in)");
            s.add("entries", "Документов", entries.len());
            for e in entries.iter().take(20) {
                let reply = e
                    .reply_id
                    .as_deref()
                    .map(|r| format!(", replyId {r}"))
                    .unwrap_or_default();
                s.add(
                    "entry",
                    "Документ",
                    format!("{} #{}{reply}", e.doc_type, e.id),
                );
            }
            s
        }
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let head: String = s.chars().take(max).collect();
        format!("{head}… ({} символов)", s.chars().count())
    }
}

fn summarize_envelope(parsed: &Parsed) -> Summary {
    let element = parsed.doc.element();
    let mut s = match &parsed.doc {
        Incoming::WayBillV4(wb) => waybill_summary(wb),
        Incoming::TtnInformF2Reg(f2) => {
            let h = &f2.header;
            let mut s = Summary::new(element, "FORM2REGINFO: справки Б по входящей ТТН");
            s.add("wb_reg_id", "WBRegId", &h.wb_reg_id)
                .add("number", "Номер ТТН", &h.wb_number)
                .add("date", "Дата ТТН", h.wb_date)
                .add_opt("fix_number", "Номер фиксации", h.fix_number.as_ref())
                .add("shipper", "Грузоотправитель", org(&h.shipper))
                .add("consignee", "Грузополучатель", org(&h.consignee))
                .add("positions", "Позиций", f2.content.positions.len());
            s
        }
        Incoming::Ticket(t) => {
            let mut s = Summary::new(element, "квитанция ЕГАИС");
            s.add("transport_id", "TransportId", &t.transport_id)
                .add("doc_id", "DocId", &t.doc_id)
                .add_opt("doc_type", "Тип документа", t.doc_type.as_ref())
                .add_opt("reg_id", "RegID", t.reg_id.as_ref())
                .add_opt("ticket_date", "Дата", t.ticket_date)
                .add(
                    "ticket_kind",
                    "Вид",
                    if t.operation_result.is_some() {
                        "OperationResult"
                    } else {
                        "Result"
                    },
                )
                .add_opt(
                    "conclusion",
                    "Результат",
                    t.conclusion().map(|c| format!("{c:?}")),
                )
                .add_opt("comment", "Комментарий", t.comment());
            s
        }
        Incoming::ConfirmTicket(c) => {
            let h = &c.header;
            let mut s = Summary::new(element, "ответ поставщика на акт расхождений");
            s.add("conclusion", "Решение", format!("{:?}", h.is_confirm))
                .add("number", "Номер", &h.ticket_number)
                .add("date", "Дата", h.ticket_date)
                .add("wb_reg_id", "WBRegId", &h.wb_reg_id)
                .add_opt("note", "Примечание", h.note.as_ref());
            s
        }
        Incoming::ReplyNoAnswerTtn(r) => {
            let mut s = Summary::new(element, "ТТН без ответа (ReplyNATTN)");
            s.add("consignee", "Получатель", &r.consignee)
                .add("date", "Дата", r.reply_date)
                .add("waybills", "Накладных", r.list.items.len());
            for item in r.list.items.iter().take(20) {
                s.add(
                    "waybill",
                    "ТТН",
                    format!(
                        "{} №{} от {} ({})",
                        item.wb_reg_id, item.ttn_number, item.ttn_date, item.shipper
                    ),
                );
            }
            s
        }
        Incoming::ReplyRestsShopV2(r) => {
            let mut s = Summary::new(element, "остатки в торговом зале (регистр 2)");
            let qty: Decimal = r.positions().iter().map(|p| p.quantity).sum();
            s.add("date", "Дата", r.rests_date)
                .add("positions", "Позиций", r.positions().len())
                .add("quantity", "Всего единиц", qty);
            s
        }
        Incoming::ReplyRestsV2(r) => {
            let mut s = Summary::new(element, "остатки на складе (регистр 1)");
            let qty: Decimal = r.positions().iter().map(|p| p.quantity).sum();
            s.add("date", "Дата", r.rests_date)
                .add("positions", "Позиций", r.positions().len())
                .add("quantity", "Всего единиц", qty);
            s
        }
        Incoming::TtnHistoryF2Reg(h) => {
            let steps: usize = h
                .content
                .positions
                .iter()
                .map(|p| p.history.steps.len())
                .sum();
            let mut s = Summary::new(element, "история справок Б по ТТН");
            s.add("wb_reg_id", "WBRegId", &h.header.wb_reg_id)
                .add("positions", "Позиций", h.content.positions.len())
                .add("steps", "Шагов истории", steps);
            s
        }
        Incoming::WayBillActV4(a) => {
            let h = &a.header;
            let stamps: usize = a
                .positions()
                .iter()
                .filter_map(|p| p.mark_info.as_ref())
                .map(|m| m.amc.len() + m.ms.len())
                .sum();
            let mut s = Summary::new(element, "акт приёмки / отказа / расхождений по ТТН");
            s.add("is_accept", "Решение", format!("{:?}", h.is_accept))
                .add("number", "Номер", &h.number)
                .add("date", "Дата", h.date)
                .add("wb_reg_id", "WBRegId", &h.wb_reg_id)
                .add_opt("note", "Примечание", h.note.as_ref())
                .add("positions", "Позиций", a.positions().len())
                .add("stamps", "Марок", stamps);
            s
        }
        Incoming::QueryNattn(q) => query(element, "запрос ТТН без ответа", &q.parameters),
        Incoming::QueryRestsShopV2(q) => {
            query(element, "запрос остатков в торговом зале", &q.parameters)
        }
        Incoming::QueryRestsV2(q) => query(element, "запрос остатков на складе", &q.parameters),
        Incoming::QueryResendDoc(q) => query(
            element,
            "запрос повторной отправки документа",
            &q.parameters,
        ),
        Incoming::TransferToShop(t) => {
            let qty: Decimal = t.content.positions.iter().map(|p| p.quantity).sum();
            let mut s = Summary::new(element, "перемещение со склада в торговый зал");
            s.add("number", "Номер", &t.header.number)
                .add("date", "Дата", t.header.date)
                .add("positions", "Позиций", t.content.positions.len())
                .add("quantity", "Всего единиц", qty);
            s
        }
        Incoming::ActWriteOffShopV2(a) => {
            let qty: Decimal = a.content.positions.iter().map(|p| p.quantity).sum();
            let stamps: usize = a
                .content
                .positions
                .iter()
                .filter_map(|p| p.mark_code_info.as_ref())
                .map(|m| m.marks.len())
                .sum();
            let mut s = Summary::new(element, "акт списания из торгового зала");
            s.add("number", "Номер", &a.header.number)
                .add("date", "Дата", a.header.date)
                .add("write_off_type", "Причина", write_off_name(a.header.kind))
                .add("positions", "Позиций", a.content.positions.len())
                .add("quantity", "Всего единиц", qty)
                .add("stamps", "Марок", stamps);
            s
        }
        Incoming::ActChargeOnShopV2(a) => {
            let mut s = Summary::new(element, "акт постановки на баланс в торговом зале");
            s.add("number", "Номер", &a.header.number)
                .add("date", "Дата", a.header.date)
                .add(
                    "charge_on_type",
                    "Основание",
                    format!("{:?}", a.header.kind),
                )
                .add("positions", "Позиций", a.content.positions.len());
            s
        }
        Incoming::RequestRepealWb(r) => {
            let mut s = Summary::new(element, "запрос на отмену проведения ТТН");
            s.add("wb_reg_id", "WBRegId", &r.wb_reg_id)
                .add("number", "Номер запроса", &r.request_number)
                .add("date", "Дата", r.request_date)
                .add("client_id", "Заявитель", &r.client_id);
            s
        }
        Incoming::ChequeV3(c) => {
            let mut s = Summary::new(element, "чек продажи (ChequeV3)");
            if let Some(h) = &c.header {
                s.add("date", "Дата", h.date)
                    .add("kassa", "Касса", &h.kassa)
                    .add("shift", "Смена", h.shift)
                    .add("number", "Номер чека", h.number)
                    .add("cheque_type", "Вид", format!("{:?}", h.kind));
            }
            if let Some(h) = &c.header_ttn {
                s.add("date", "Дата", h.date)
                    .add("ttn_number", "Номер ТТН", &h.ttn_number)
                    .add("bill_number", "Номер счёта", &h.bill_number);
            }
            s.add("bottles", "Бутылок с маркой", c.content.bottles.len())
                .add("nomark", "Позиций без марки", c.content.nomark.len())
                .add("total", "Сумма", money(c.total()));
            s
        }
        Incoming::Other { .. } => {
            let mut s = Summary::new(
                element,
                "документ этого типа не разбирается (только опознан)",
            );
            s.add("modelled", "Разбор", "нет");
            s
        }
    };
    s.fields.insert(
        0,
        (
            "sender",
            "Отправитель (ФСРАР ID)",
            parsed.owner_fsrar_id.clone(),
        ),
    );
    s
}

fn waybill_summary<M>(wb: &WayBillV4<M>) -> Summary {
    let h = &wb.header;
    let mut s = Summary::new("WayBill_v4", "ТТН, накладная поставщика");
    s.add("number", "Номер", &h.number)
        .add("date", "Дата", h.date)
        .add("shipping_date", "Дата отгрузки", h.shipping_date)
        .add("waybill_type", "Тип", format!("{:?}", h.kind))
        .add("shipper", "Грузоотправитель", org(&h.shipper))
        .add("consignee", "Грузополучатель", org(&h.consignee))
        .add("positions", "Позиций", wb.positions().len())
        .add("stamps", "Марок", wb.stamp_count())
        .add("total", "Сумма", money(wb.total()))
        .add_opt("identity", "Identity", wb.identity.as_ref());
    s
}

fn with_sender(mut s: Summary, owner_fsrar_id: &str) -> Summary {
    s.fields.insert(
        0,
        (
            "sender",
            "Отправитель (ФСРАР ID)",
            owner_fsrar_id.to_string(),
        ),
    );
    s
}

fn query(element: &str, title: &str, params: &[super::xml::queries::Parameters]) -> Summary {
    let mut s = Summary::new(element, title);
    let items: Vec<String> = params
        .iter()
        .flat_map(|p| p.items.iter())
        .map(|p| format!("{}={}", p.name, p.value))
        .collect();
    s.add(
        "parameters",
        "Параметры",
        if items.is_empty() {
            "нет".to_string()
        } else {
            items.join(", ")
        },
    );
    s
}

fn write_off_name(kind: super::xml::shop_acts::WriteOffKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{kind:?}"))
}
