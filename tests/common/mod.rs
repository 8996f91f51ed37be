//! Shared helpers for the simulator-backed tests: outgoing documents, a test inbox
//! handler that keeps document states, and bounded waiting.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use egais_tui::config;
use egais_tui::domain::{DocEvent, DocState};
use egais_tui::egais::exchange::{
    Applied, Exchange, ExchangeConfig, ExchangeHandle, HandlerError, InboxDoc, InboxHandler,
};
use egais_tui::egais::sim::{self, SimConfig, SimHandle};
use egais_tui::egais::utm::UtmClient;
use egais_tui::store::outbox::{self, OutgoingDoc};
use egais_tui::store::{Store, StoreError, decode, encode};
use redb::{ReadableTable, TableDefinition, WriteTransaction};

pub const FSRAR: &str = "030000194005";

pub async fn start_sim(tweak: impl FnOnce(&mut SimConfig)) -> SimHandle {
    let mut cfg = SimConfig {
        stock_query_min_interval: Duration::ZERO,
        ..SimConfig::default()
    };
    tweak(&mut cfg);
    sim::spawn(cfg).await.expect("simulator starts")
}

pub fn utm_config(url: &str) -> config::Utm {
    config::Utm {
        url: url.to_string(),
        connect_timeout_ms: 500,
        request_timeout_ms: 2000,
        poll_interval_s: 1,
        ..config::Utm::default()
    }
}

pub fn client(url: &str) -> UtmClient {
    UtmClient::new(&utm_config(url), FSRAR).expect("client")
}

pub fn fast_engine() -> ExchangeConfig {
    ExchangeConfig {
        poll_interval: Duration::from_millis(100),
        status_interval: Duration::from_millis(500),
        backoff_min: Duration::from_millis(50),
        backoff_max: Duration::from_millis(300),
        reconcile_grace: Duration::from_secs(2),
        ..ExchangeConfig::default()
    }
}

pub fn spawn_engine(store: &Arc<Store>, url: &str, cfg: ExchangeConfig) -> ExchangeHandle {
    Exchange::spawn(store.clone(), client(url), Arc::new(TestHandler), cfg)
}

/// Waits (bounded) until `cond` holds.
pub async fn wait_for(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + limit;
    while !cond() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Reopens a store after the previous owner (and every engine clone) let it go.
pub async fn reopen(store: Arc<Store>, dir: &Path) -> Arc<Store> {
    let mut store = Some(store);
    for _ in 0..200 {
        match Arc::try_unwrap(store.take().expect("store")) {
            Ok(s) => {
                drop(s);
                return Arc::new(Store::open(dir).expect("reopen store"));
            }
            Err(still_shared) => {
                store = Some(still_shared);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    panic!("the store is still shared after the engine stopped");
}

// ---- a tiny documents register for the tests ----------------------------------------

pub const TEST_DOCS: TableDefinition<&str, &[u8]> = TableDefinition::new("test_docs");
pub const TEST_APPLIED: TableDefinition<&str, u64> = TableDefinition::new("test_applied");

/// Keeps each sent document's state (through `DocState::apply`) and counts applied
/// incoming documents per element.
pub struct TestHandler;

impl InboxHandler for TestHandler {
    fn apply(&self, tx: &WriteTransaction, doc: &InboxDoc<'_>) -> Result<Applied, HandlerError> {
        let element = doc.envelope.element.clone();
        {
            let mut counts = tx.open_table(TEST_APPLIED).map_err(StoreError::from)?;
            let n = counts
                .get(element.as_str())
                .map_err(StoreError::from)?
                .map(|v| v.value())
                .unwrap_or(0);
            counts
                .insert(element.as_str(), n + 1)
                .map_err(StoreError::from)?;
        }
        if let (Some(event), Some(entry)) = (&doc.doc_event, doc.answers)
            && let Some(doc_ref) = &entry.doc.doc_ref
        {
            let mut docs = tx.open_table(TEST_DOCS).map_err(StoreError::from)?;
            let current: DocState = match docs.get(doc_ref.as_str()).map_err(StoreError::from)? {
                Some(v) => decode("test_docs", v.value())?,
                None => DocState::UnderReview,
            };
            let next = current
                .apply(event)
                .map_err(|e| HandlerError::Refused(e.message))?;
            docs.insert(doc_ref.as_str(), encode(&next)?.as_slice())
                .map_err(StoreError::from)?;
        }
        Ok(Applied {
            summary: format!("{element} applied"),
        })
    }
}

/// The business change: a document is drafted and sent, with its outbox entry, in one
/// transaction.
pub fn send(store: &Store, id: &str, doc_type: &str, xml: Vec<u8>) {
    store
        .write(|tx| {
            let state = DocState::New
                .apply(&DocEvent::Sent)
                .map_err(|e| StoreError::Db(e.message))?;
            tx.open_table(TEST_DOCS)?
                .insert(id, encode(&state)?.as_slice())?;
            outbox::enqueue(
                tx,
                OutgoingDoc {
                    id: id.to_string(),
                    doc_type: doc_type.to_string(),
                    xml,
                    doc_ref: Some(id.to_string()),
                    created_at: jiff::Timestamp::UNIX_EPOCH,
                },
            )?;
            Ok::<_, StoreError>(())
        })
        .expect("enqueue");
}

pub fn doc_state(store: &Store, id: &str) -> Option<DocState> {
    store
        .read(|tx| {
            let t = match tx.open_table(TEST_DOCS) {
                Ok(t) => t,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
                Err(e) => return Err(StoreError::from(e)),
            };
            let v = t.get(id)?;
            v.map(|v| decode("test_docs", v.value())).transpose()
        })
        .expect("read doc state")
}

pub fn applied_count(store: &Store, element: &str) -> u64 {
    store
        .read(|tx| {
            let t = match tx.open_table(TEST_APPLIED) {
                Ok(t) => t,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
                Err(e) => return Err(StoreError::from(e)),
            };
            Ok::<_, StoreError>(t.get(element)?.map(|v| v.value()).unwrap_or(0))
        })
        .expect("read counts")
}

// ---- outgoing documents ---------------------------------------------------------------

const NS: &str = "http://fsrar.ru/WEGAIS/WB_DOC_SINGLE_01";

pub fn envelope(element: &str, namespaces: &[(&str, &str)], body: &str) -> Vec<u8> {
    let ns: String = namespaces
        .iter()
        .map(|(p, u)| format!(" xmlns:{p}=\"{u}\""))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ns:Documents Version=\"1.0\" xmlns:ns=\"{NS}\"{ns}><ns:Owner><ns:FSRAR_ID>{FSRAR}</ns:FSRAR_ID></ns:Owner><ns:Document><ns:{element}>{body}</ns:{element}></ns:Document></ns:Documents>\n"
    )
    .into_bytes()
}

/// WayBillAct_v4. `positions`: (Identity, InformF2RegId, RealQuantity, accepted marks).
pub fn act(
    identity: &str,
    wb_reg_id: &str,
    is_accept: &str,
    positions: &[(u32, String, u32, Vec<String>)],
) -> Vec<u8> {
    let content: String = positions
        .iter()
        .map(|(id, f2, q, marks)| {
            let marks = if marks.is_empty() {
                String::new()
            } else {
                let amc: String = marks.iter().map(|m| format!("<ce:amc>{m}</ce:amc>")).collect();
                format!("<wa:MarkInfo>{amc}</wa:MarkInfo>")
            };
            format!(
                "<wa:Position><wa:Identity>{id}</wa:Identity><wa:InformF2RegId>{f2}</wa:InformF2RegId><wa:RealQuantity>{q}</wa:RealQuantity>{marks}</wa:Position>"
            )
        })
        .collect();
    let content = if content.is_empty() {
        String::new()
    } else {
        format!("<wa:Content>{content}</wa:Content>")
    };
    envelope(
        "WayBillAct_v4",
        &[
            ("wa", "http://fsrar.ru/WEGAIS/ActTTNSingle_v4"),
            ("ce", "http://fsrar.ru/WEGAIS/CommonV3"),
        ],
        &format!(
            "<wa:Identity>{identity}</wa:Identity><wa:Header><wa:IsAccept>{is_accept}</wa:IsAccept><wa:ACTNUMBER>{identity}</wa:ACTNUMBER><wa:ActDate>2026-11-26</wa:ActDate><wa:WBRegId>{wb_reg_id}</wa:WBRegId><wa:Note>test</wa:Note></wa:Header>{content}"
        ),
    )
}

/// TransferToShop of (AlcCode, quantity, F2RegId) rows.
pub fn transfer(number: &str, rows: &[(String, u32, String)]) -> Vec<u8> {
    let pos: String = rows
        .iter()
        .enumerate()
        .map(|(i, (alc, q, fb))| {
            format!(
                "<tts:Position><tts:Identity>{}</tts:Identity><tts:ProductCode>{alc}</tts:ProductCode><tts:Quantity>{q}</tts:Quantity><tts:InformF2><pref:F2RegId>{fb}</pref:F2RegId></tts:InformF2></tts:Position>",
                i + 1
            )
        })
        .collect();
    envelope(
        "TransferToShop",
        &[
            ("tts", "http://fsrar.ru/WEGAIS/TransferToShop"),
            ("pref", "http://fsrar.ru/WEGAIS/ProductRef_v2"),
        ],
        &format!(
            "<tts:Identity>{number}</tts:Identity><tts:Header><tts:TransferNumber>{number}</tts:TransferNumber><tts:TransferDate>2026-11-26</tts:TransferDate></tts:Header><tts:Content>{pos}</tts:Content>"
        ),
    )
}

fn product(alc: &str) -> String {
    format!(
        "<pref:UnitType>Packed</pref:UnitType><pref:FullName>Товар {alc}</pref:FullName><pref:AlcCode>{alc}</pref:AlcCode><pref:Capacity>0.5000</pref:Capacity><pref:AlcVolume>40.000</pref:AlcVolume><pref:Producer><oref:UL><oref:ClientRegId>010000000545</oref:ClientRegId><oref:FullName>Завод</oref:FullName><oref:INN>0276100884</oref:INN><oref:KPP>025745001</oref:KPP><oref:address><oref:Country>643</oref:Country><oref:RegionCode>02</oref:RegionCode><oref:description>Бирск</oref:description></oref:address></oref:UL></pref:Producer><pref:ProductVCode>200</pref:ProductVCode>"
    )
}

/// ActWriteOffShop_v2 of one product, with marks.
pub fn write_off(number: &str, alc: &str, qty: u32, marks: &[String]) -> Vec<u8> {
    let marks = if marks.is_empty() {
        String::new()
    } else {
        let amc: String = marks
            .iter()
            .map(|m| format!("<ce:amc>{m}</ce:amc>"))
            .collect();
        format!("<awr:MarkCodeInfo>{amc}</awr:MarkCodeInfo>")
    };
    envelope(
        "ActWriteOffShop_v2",
        &[
            ("awr", "http://fsrar.ru/WEGAIS/ActWriteOffShop_v2"),
            ("ce", "http://fsrar.ru/WEGAIS/CommonV3"),
            ("pref", "http://fsrar.ru/WEGAIS/ProductRef_v2"),
            ("oref", "http://fsrar.ru/WEGAIS/ClientRef_v2"),
        ],
        &format!(
            "<awr:Identity>{number}</awr:Identity><awr:Header><awr:ActNumber>{number}</awr:ActNumber><awr:ActDate>2026-11-26</awr:ActDate><awr:TypeWriteOff>Порча</awr:TypeWriteOff></awr:Header><awr:Content><awr:Position><awr:Identity>1</awr:Identity><awr:Product>{}</awr:Product><awr:Quantity>{qty}</awr:Quantity>{marks}</awr:Position></awr:Content>",
            product(alc)
        ),
    )
}

/// ActChargeOnShop_v2 of one product.
pub fn charge_on(number: &str, alc: &str, qty: u32) -> Vec<u8> {
    envelope(
        "ActChargeOnShop_v2",
        &[
            ("ainp", "http://fsrar.ru/WEGAIS/ActChargeOnShop_v2"),
            ("pref", "http://fsrar.ru/WEGAIS/ProductRef_v2"),
            ("oref", "http://fsrar.ru/WEGAIS/ClientRef_v2"),
        ],
        &format!(
            "<ainp:Identity>{number}</ainp:Identity><ainp:Header><ainp:Number>{number}</ainp:Number><ainp:ActDate>2026-11-26</ainp:ActDate><ainp:TypeChargeOn>Излишки</ainp:TypeChargeOn></ainp:Header><ainp:Content><ainp:Position><ainp:Identity>1</ainp:Identity><ainp:Product>{}</ainp:Product><ainp:Quantity>{qty}</ainp:Quantity></ainp:Position></ainp:Content>",
            product(alc)
        ),
    )
}

/// An empty query (QueryRestsShop_v2, QueryRests_v2, QueryNATTN).
pub fn query(element: &str) -> Vec<u8> {
    envelope(element, &[], "")
}

/// The attribute cheque for `stamps` (negative prices for a return).
pub fn cheque(stamps: &[String], ret: bool) -> Vec<u8> {
    let price = if ret { "-270.00" } else { "270.00" };
    let bottles: String = stamps
        .iter()
        .map(|s| format!("<Bottle price=\"{price}\" barcode=\"{s}\" ean=\"4602486000732\" volume=\"0.5000\"/>"))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Cheque inn=\"7714698320\" kpp=\"771401001\" address=\"г. Москва\" name=\"Магазин\" kassa=\"1\" shift=\"2\" number=\"3\" datetime=\"2611261510\">{bottles}</Cheque>"
    )
    .into_bytes()
}
