//! Property tests: generated valid documents survive write → parse unchanged;
//! random bytes and mutated samples never panic any reader.

mod xml_support;

use egais_tui::egais::xml::cheque::{ChequeV3Bottle, ChequeV3Content, ChequeV3Header};
use egais_tui::egais::xml::common::{Barmix, BoxPos, InformF2, MarkInfo, UnitType};
use egais_tui::egais::xml::shop_acts::{
    MarkCodeInfo, TransferContent, TransferHeader, TransferInformF2, TransferPosition,
    WriteOffContent, WriteOffHeader, WriteOffKind, WriteOffPosition,
};
use egais_tui::egais::xml::ticket::{OperationResult, TicketResult};
use egais_tui::egais::xml::waybill::{WayBillContent, WayBillHeader, WayBillPosition, WayBillType};
use egais_tui::egais::xml::waybill_act::ActPosition;
use egais_tui::egais::xml::*;
use jiff::civil::{Date, DateTime};
use proptest::prelude::*;
use rust_decimal::Decimal;
use xml_support::SHARED;

/// Text as the schemas allow it: no surrounding whitespace, no control
/// characters, but with markup characters and Cyrillic that need escaping.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Zа-яА-ЯёЁ0-9&<>\"'№ .,;()/-]{1,40}".prop_map(|s| {
        let t = s.trim().to_string();
        if t.is_empty() { "x".to_string() } else { t }
    })
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn decimal() -> impl Strategy<Value = Decimal> {
    (0i64..10_000_000_000, 0u32..5).prop_map(|(m, s)| Decimal::new(m, s))
}

/// `c:PositiveDecimalType`: quantities, capacities.
fn positive() -> impl Strategy<Value = Decimal> {
    (1i64..100_000_000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s))
}

/// Alcohol by volume, 0..=100.
fn percent() -> impl Strategy<Value = Decimal> {
    (0i64..=1000, 0u32..2).prop_map(|(m, s)| Decimal::new(m.min(100 * 10i64.pow(s)), s))
}

fn date() -> impl Strategy<Value = Date> {
    (2000i16..2100, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| jiff::civil::date(y, m, d))
}

fn datetime() -> impl Strategy<Value = DateTime> {
    (date(), 0i8..24, 0i8..60, 0i8..60, 0i32..1_000_000_000)
        .prop_map(|(d, h, mi, s, ns)| d.at(h, mi, s, ns))
}

fn mark() -> impl Strategy<Value = Mark> {
    (
        100u32..1000,
        100u32..1000,
        10_000_000u32..100_000_000,
        1u32..=12,
        18u32..100,
        100u32..1000,
        "[0-9A-Z]{129}",
    )
        .prop_map(|(a, b, n, m, y, c, tail)| {
            Mark::new(format!("{a}{b}{n}{m:02}{y}{c}{tail}")).unwrap()
        })
}

fn org() -> impl Strategy<Value = OrgRef> {
    (
        "[0-9]{12}",
        text(),
        opt_text(),
        "[0-9]{10}",
        "[0-9]{9}",
        text(),
        any::<bool>(),
    )
        .prop_map(|(id, full, short, inn, kpp, addr, fl)| {
            let o = Org {
                client_reg_id: id,
                full_name: Some(full),
                short_name: short,
                inn: Some(if fl { format!("{inn}77") } else { inn }),
                kpp: if fl { None } else { Some(kpp) },
                tsnum: None,
                address: Address {
                    country: "643".into(),
                    index: None,
                    region_code: Some("77".into()),
                    description: addr,
                },
            };
            if fl { OrgRef::fl(o) } else { OrgRef::ul(o) }
        })
}

fn product() -> impl Strategy<Value = ProductInfo> {
    (
        text(),
        opt_text(),
        "[0-9]{19}",
        proptest::option::of(positive()),
        proptest::option::of(percent()),
        org(),
        "[0-9]{3}",
        any::<bool>(),
    )
        .prop_map(
            |(full, short, alc, cap, vol, producer, vcode, packed)| ProductInfo {
                unit_type: if packed {
                    UnitType::Packed
                } else {
                    UnitType::Unpacked
                },
                kind: Some("АП".into()),
                full_name: full,
                short_name: short,
                alc_code: alc,
                capacity: cap,
                alc_volume: vol,
                producer: Some(producer),
                product_v_code: vcode,
            },
        )
}

fn waybill() -> impl Strategy<Value = WayBillV4> {
    let position = (
        product(),
        positive(),
        decimal(),
        "[0-9]{1,4}",
        proptest::collection::vec(mark(), 0..5),
    )
        .prop_map(
            |(product, quantity, price, identity, marks)| WayBillPosition {
                identity,
                product,
                quantity,
                price,
                fa_reg_id: "FA-000000048928099".into(),
                inform_f2: InformF2 {
                    f2_reg_id: "FB-000004893172359".into(),
                    mark_info: (!marks.is_empty()).then(|| MarkInfo {
                        boxes: vec![BoxPos {
                            box_number: None,
                            amc_list: Some(AmcList {
                                amc: marks,
                                ms: Vec::new(),
                            }),
                        }],
                    }),
                },
                ..WayBillPosition::default()
            },
        );
    (
        opt_text(),
        text(),
        date(),
        date(),
        org(),
        org(),
        opt_text(),
        proptest::collection::vec(position, 1..4),
    )
        .prop_map(
            |(identity, number, d, sd, shipper, consignee, note, positions)| WayBillV4 {
                identity,
                header: WayBillHeader {
                    kind: WayBillType::WBInvoiceFromMe,
                    number,
                    date: d,
                    shipping_date: sd,
                    transport: None,
                    shipper,
                    consignee,
                    base: None,
                    note,
                    var_field1: None,
                    var_field2: None,
                    var_field3: None,
                },
                content: WayBillContent { positions },
            },
        )
}

fn act() -> impl Strategy<Value = WayBillActV4> {
    let pos = (
        "[0-9]{1,3}",
        "FB-[0-9]{15}",
        decimal(),
        proptest::collection::vec(mark(), 0..3),
    )
        .prop_map(|(id, f2, q, marks)| ActPosition::new(&id, &f2, q, marks));
    (
        0u8..3,
        text(),
        date(),
        "TTN-[0-9]{10}",
        opt_text(),
        proptest::collection::vec(pos, 0..4),
    )
        .prop_map(|(kind, number, d, wb, note, positions)| match kind {
            0 => WayBillActV4::accept(&number, d, &wb),
            1 => WayBillActV4::reject(&number, d, &wb, note.as_deref().unwrap_or("нет")),
            _ => WayBillActV4::differences(&number, d, &wb, note, positions),
        })
}

fn ticket() -> impl Strategy<Value = Ticket> {
    (
        proptest::option::of(datetime()),
        opt_text(),
        text(),
        "[0-9a-f-]{36}",
        any::<bool>(),
        any::<bool>(),
        text(),
        datetime(),
    )
        .prop_map(
            |(td, identity, doc_id, transport, operation, accepted, comment, when)| {
                let conclusion = if accepted {
                    Conclusion::Accepted
                } else {
                    Conclusion::Rejected
                };
                Ticket {
                    ticket_date: td,
                    identity,
                    doc_id,
                    transport_id: transport,
                    reg_id: None,
                    doc_hash: None,
                    doc_type: Some("WayBillAct_v4".into()),
                    result: (!operation).then(|| TicketResult {
                        conclusion,
                        date: when,
                        comments: comment.clone(),
                    }),
                    operation_result: operation.then(|| OperationResult {
                        name: "Confirm".into(),
                        result: conclusion,
                        comment,
                        date: Some(when),
                    }),
                }
            },
        )
}

fn transfer() -> impl Strategy<Value = TransferToShop> {
    let pos = ("[0-9]{1,3}", "[0-9]{19}", positive(), "FB-[0-9]{15}").prop_map(
        |(identity, code, q, f2)| TransferPosition {
            identity,
            product_code: code,
            quantity: q,
            inform_f2: TransferInformF2 { f2_reg_id: f2 },
        },
    );
    (
        opt_text(),
        text(),
        date(),
        opt_text(),
        proptest::collection::vec(pos, 1..4),
    )
        .prop_map(|(identity, number, d, note, positions)| TransferToShop {
            identity,
            header: TransferHeader {
                number,
                date: d,
                note,
            },
            content: TransferContent { positions },
        })
}

fn write_off() -> impl Strategy<Value = ActWriteOffShopV2> {
    let pos = (
        "[0-9]{1,3}",
        product(),
        positive(),
        proptest::option::of(decimal()),
        proptest::collection::vec(mark(), 0..3),
    )
        .prop_map(
            |(identity, product, quantity, sum_sale, marks)| WriteOffPosition {
                identity,
                product,
                quantity,
                sum_sale,
                mark_code_info: (!marks.is_empty()).then_some(MarkCodeInfo { marks }),
            },
        );
    (
        text(),
        date(),
        any::<bool>(),
        opt_text(),
        proptest::collection::vec(pos, 1..3),
    )
        .prop_map(|(number, d, sale, note, positions)| ActWriteOffShopV2 {
            identity: None,
            header: WriteOffHeader {
                number,
                date: d,
                kind: if sale {
                    WriteOffKind::Sale
                } else {
                    WriteOffKind::Spoilage
                },
                note,
            },
            content: WriteOffContent { positions },
        })
}

fn cheque_v3() -> impl Strategy<Value = ChequeV3> {
    let bottle = (mark(), "[0-9]{13}", decimal()).prop_map(|(m, ean, price)| ChequeV3Bottle {
        barcode: Barmix::new(m.as_str()).unwrap(),
        ean,
        price,
    });
    (
        datetime(),
        text(),
        1u32..9999,
        1u32..9999,
        any::<bool>(),
        proptest::collection::vec(bottle, 1..4),
    )
        .prop_map(|(date, kassa, shift, number, sale, bottles)| ChequeV3 {
            identity: None,
            header: Some(ChequeV3Header {
                date,
                kassa,
                shift,
                number,
                kind: if sale {
                    ChequeKind::Sale
                } else {
                    ChequeKind::Return
                },
                confirm_order: None,
            }),
            header_ttn: None,
            content: ChequeV3Content {
                bottles,
                nomark: Vec::new(),
            },
        })
}

fn round_trip(doc: Incoming) -> Result<(), TestCaseError> {
    let xml = doc.to_xml("030000194005").unwrap();
    let parsed =
        parse_document(xml.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}\n{xml}")))?;
    prop_assert_eq!(&parsed.owner_fsrar_id, "030000194005");
    prop_assert_eq!(parsed.doc, doc);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn waybills_round_trip(wb in waybill()) {
        round_trip(Incoming::WayBillV4(Box::new(wb)))?;
    }

    #[test]
    fn acts_round_trip(act in act()) {
        round_trip(Incoming::WayBillActV4(Box::new(act)))?;
    }

    #[test]
    fn tickets_round_trip(t in ticket()) {
        round_trip(Incoming::Ticket(Box::new(t)))?;
    }

    #[test]
    fn transfers_round_trip(t in transfer()) {
        round_trip(Incoming::TransferToShop(Box::new(t)))?;
    }

    #[test]
    fn write_offs_round_trip(a in write_off()) {
        round_trip(Incoming::ActWriteOffShopV2(Box::new(a)))?;
    }

    #[test]
    fn cheques_v3_round_trip(c in cheque_v3()) {
        round_trip(Incoming::ChequeV3(Box::new(c)))?;
    }

    #[test]
    fn queries_round_trip(name in "[A-ZА-Я]{1,10}", value in text()) {
        round_trip(Incoming::QueryResendDoc(Box::new(QueryResendDoc::with_params(&[(&name, &value)]))))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_any(&bytes);
        let _ = parse_document(&bytes);
        let _ = parse_utm_reply(&bytes);
        let _ = parse_out_list(&bytes);
        let _ = Cheque::from_xml(&bytes);
    }

    #[test]
    fn random_markup_never_panics(s in "(<[a-zA-Z:]{1,6}( [a-z:]{1,5}=\"[^\"<]{0,5}\")?/?>|</[a-zA-Z:]{1,6}>|[a-z&;# ]{0,4}|<!--x-->|<\\?x\\?>){0,30}") {
        let _ = parse_any(s.as_bytes());
        let _ = parse_document(s.as_bytes());
    }
}

fn sample_bytes() -> Vec<Vec<u8>> {
    [
        "kirsa/TTN-0557370828.xml",
        "kirsa/FORM2REGINFO.xml",
        "selyutinartyom_UTM/Ticket_4.xml",
        "openpapyrus/Cheque.xml",
        "openpapyrus/TTNConfirmTicket1.xml",
        "extracted/ChequeV3_python_comment.xml",
        "extracted/TransferToShop_pascal_comment.xml",
        "constructed/ActWriteOffShop_v2_Realizaciya.CONSTRUCTED.xml",
    ]
    .iter()
    .map(|f| std::fs::read(format!("{SHARED}/samples/{f}")).unwrap())
    .collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Duplicate(usize, usize),
    Flip(usize, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..64).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (
            any::<usize>(),
            proptest::collection::vec(
                prop_oneof![
                    Just(b'<'),
                    Just(b'>'),
                    Just(b'/'),
                    Just(b'&'),
                    Just(b'"'),
                    any::<u8>()
                ],
                1..8
            )
        )
            .prop_map(|(a, b)| Mutation::Insert(a, b)),
        (any::<usize>(), 1usize..200).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Flip(a, b)),
    ]
}

fn apply(mut bytes: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let len = bytes.len().max(1);
    match *m {
        Mutation::Delete(a, n) => {
            let a = a % len;
            let end = (a + n).min(bytes.len());
            bytes.drain(a.min(end)..end);
        }
        Mutation::Insert(a, ref b) => {
            let a = a % (bytes.len() + 1);
            bytes.splice(a..a, b.iter().copied());
        }
        Mutation::Duplicate(a, n) => {
            let a = a % len;
            let end = (a + n).min(bytes.len());
            let chunk: Vec<u8> = bytes[a.min(end)..end].to_vec();
            bytes.splice(end..end, chunk);
        }
        Mutation::Flip(a, b) => {
            if !bytes.is_empty() {
                let a = a % bytes.len();
                bytes[a] = b;
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_samples_never_panic(which in 0usize..8, muts in proptest::collection::vec(mutation(), 1..4)) {
        let samples = sample_bytes();
        let mut bytes = samples[which % samples.len()].clone();
        for m in &muts {
            bytes = apply(bytes, m);
        }
        match parse_any(&bytes) {
            Ok(_) => {}
            Err(e) => {
                // Every error is located: a line and column inside the document.
                prop_assert!(e.line >= 1 && e.column >= 1);
                let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
                prop_assert!(e.line <= lines, "line {} of {}", e.line, lines);
            }
        }
    }
}

/// Position identities (and act справки Б) must be unique for the schema.
fn renumber(doc: &mut Incoming) {
    match doc {
        Incoming::WayBillV4(wb) => {
            for (i, p) in wb.content.positions.iter_mut().enumerate() {
                p.identity = (i + 1).to_string();
            }
        }
        Incoming::WayBillActV4(a) => {
            if let Some(c) = a.content.as_mut() {
                for (i, p) in c.positions.iter_mut().enumerate() {
                    p.identity = (i + 1).to_string();
                    p.inform_f2_reg_id = format!("FB-{:015}", i + 1);
                }
            }
        }
        Incoming::TransferToShop(t) => {
            for (i, p) in t.content.positions.iter_mut().enumerate() {
                p.identity = (i + 1).to_string();
            }
        }
        Incoming::ActWriteOffShopV2(a) => {
            for (i, p) in a.content.positions.iter_mut().enumerate() {
                p.identity = (i + 1).to_string();
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn generated_documents_validate_against_the_xsd(
        wb in waybill(), act in act(), t in transfer(), w in write_off(), c in cheque_v3(), tk in ticket()
    ) {
        for mut doc in [
            Incoming::WayBillV4(Box::new(wb)),
            Incoming::WayBillActV4(Box::new(act)),
            Incoming::TransferToShop(Box::new(t)),
            Incoming::ActWriteOffShopV2(Box::new(w)),
            Incoming::ChequeV3(Box::new(c)),
            Incoming::Ticket(Box::new(tk)),
        ] {
            renumber(&mut doc);
            let xml = doc.to_xml("030000194005").unwrap();
            if let Err(out) = xml_support::xmllint(&xml, xml_support::ENVELOPE_XSD) {
                prop_assert!(false, "{}: {out}\n{xml}", doc.element());
            }
        }
    }
}
