//! Every document we generate validates against the official XSD (xmllint),
//! and what the schema forbids is refused by our reader too.

mod xml_support;

use egais_tui::egais::xml::replies::{
    HistF2, HistoryContent, HistoryHeader, HistoryPosition, HistoryStep, NoAnswer, NoAnswerList,
    ShopPosition, ShopProducts, StockPosition, StockProducts,
};
use egais_tui::egais::xml::ticket::{ConfirmTicketHeader, OperationResult, TicketResult};
use egais_tui::egais::xml::*;
use jiff::civil::{date, datetime};
use xml_support::*;

fn envelope_docs() -> Vec<(&'static str, String)> {
    let wb = waybill_with_marks();
    let f2 = {
        let bytes = std::fs::read(format!("{SHARED}/samples/kirsa/FORM2REGINFO.xml")).unwrap();
        match parse_document(&bytes).unwrap().doc {
            Incoming::TtnInformF2Reg(d) => *d,
            other => panic!("{}", other.element()),
        }
    };
    let format_ticket = Ticket {
        ticket_date: Some(datetime(2024, 7, 17, 12, 0, 1, 123_000_000)),
        identity: Some("A-17".into()),
        doc_id: "2C14CBBA-2DCC-4A63-9D15-55DC6453A8A5".into(),
        transport_id: "349a50a4-367d-4bb3-8dca-6b149062902b".into(),
        reg_id: None,
        doc_hash: None,
        doc_type: Some("WayBillAct_v4".into()),
        result: Some(TicketResult {
            conclusion: Conclusion::Rejected,
            date: datetime(2024, 7, 17, 12, 0, 1, 0),
            comments: "Документ не прошел валидацию: превышен остаток".into(),
        }),
        operation_result: None,
    };
    let op_ticket = Ticket {
        result: None,
        operation_result: Some(OperationResult {
            name: "Confirm".into(),
            result: Conclusion::Accepted,
            comment: "Накладная №00000003430 от 08.06.2022 подтверждена".into(),
            date: Some(datetime(2024, 7, 17, 12, 5, 0, 0)),
        }),
        ..format_ticket.clone()
    };
    let confirm = ConfirmTicket {
        identity: None,
        header: ConfirmTicketHeader {
            is_confirm: Conclusion::Accepted,
            ticket_number: "0005".into(),
            ticket_date: date(2024, 7, 18),
            wb_reg_id: "TTN-0557370830".into(),
            note: Some("Принимаем изменения количества".into()),
        },
    };
    let nattn = ReplyNoAnswerTtn {
        consignee: SHOP.into(),
        reply_date: datetime(2024, 7, 17, 9, 0, 0, 0),
        list: NoAnswerList {
            items: vec![NoAnswer {
                wb_reg_id: "TTN-0557370828".into(),
                ttn_number: "00000003430".into(),
                ttn_date: date(2024, 7, 16),
                shipper: "010038062164".into(),
            }],
        },
    };
    let rests_shop = ReplyRestsShopV2 {
        rests_date: datetime(2024, 7, 17, 9, 0, 0, 0),
        products: Some(ShopProducts {
            positions: vec![ShopPosition {
                product: beer_product(),
                quantity: dec("36"),
            }],
        }),
    };
    let rests = ReplyRestsV2 {
        rests_date: datetime(2024, 7, 17, 9, 0, 0, 0),
        products: Some(StockProducts {
            positions: vec![StockPosition {
                product: vodka_product(),
                quantity: dec("5"),
                inform_f1_reg_id: "FA-000000048904219".into(),
                inform_f2_reg_id: "FB-000004917646123".into(),
                alc_percent: None,
                alc_percent_min: None,
                alc_percent_max: None,
            }],
        }),
    };
    let history = TtnHistoryF2Reg {
        header: HistoryHeader {
            wb_reg_id: "TTN-0557370828".into(),
        },
        content: HistoryContent {
            positions: vec![HistoryPosition {
                identity: "1".into(),
                history: HistF2 {
                    steps: vec![HistoryStep {
                        level: 0,
                        form2: "FB-000004917640920".into(),
                        parent_form2: "FB-000004893172359".into(),
                        shipper: "010038062164".into(),
                        consignee: SHOP.into(),
                        wb_reg_id: "TTN-0557370828".into(),
                        amount: dec("3.0000"),
                    }],
                },
            }],
        },
    };
    vec![
        ("WayBill_v4", wb.to_xml("010038062164")),
        ("TTNInformF2Reg", f2.to_xml("3463047")),
        ("Ticket (Result)", format_ticket.to_xml("3463047")),
        ("Ticket (OperationResult)", op_ticket.to_xml("3463047")),
        ("ConfirmTicket", confirm.to_xml("010038062164")),
        ("ReplyNoAnswerTTN", nattn.to_xml("3463047")),
        ("ReplyRestsShop_v2", rests_shop.to_xml("3463047")),
        ("ReplyRests_v2", rests.to_xml("3463047")),
        ("TTNHistoryF2Reg", history.to_xml("3463047")),
        ("WayBillAct_v4 accept", act_accept().to_xml(SHOP)),
        ("WayBillAct_v4 reject", act_reject().to_xml(SHOP)),
        ("WayBillAct_v4 differences", act_differences().to_xml(SHOP)),
        ("QueryNATTN", QueryNattn::for_fsrar_id(SHOP).to_xml(SHOP)),
        ("QueryNATTN empty", QueryNattn::default().to_xml(SHOP)),
        (
            "QueryRestsShop_v2",
            QueryRestsShopV2::default().to_xml(SHOP),
        ),
        ("QueryRests_v2", QueryRestsV2::default().to_xml(SHOP)),
        (
            "QueryResendDoc",
            QueryResendDoc::waybill("TTN-0557370828").to_xml(SHOP),
        ),
        ("TransferToShop", transfer_to_shop().to_xml(SHOP)),
        (
            "ActWriteOffShop_v2 Реализация",
            write_off_beer_sale().to_xml(SHOP),
        ),
        (
            "ActWriteOffShop_v2 Порча with marks",
            write_off_breakage().to_xml(SHOP),
        ),
        ("ActChargeOnShop_v2", charge_on().to_xml(SHOP)),
        ("RequestRepealWB", repeal().to_xml(SHOP)),
        ("ChequeV3", cheque_v3().to_xml(SHOP)),
    ]
}

#[test]
fn every_generated_envelope_document_validates_and_reads_back() {
    for (name, xml) in envelope_docs() {
        assert_valid(name, &xml, ENVELOPE_XSD);
        let parsed = parse_document(xml.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!matches!(parsed.doc, Incoming::Other { .. }), "{name}");
        let again = parsed.doc.to_xml(&parsed.owner_fsrar_id).unwrap();
        assert_eq!(again, xml, "{name}: write→read→write is not stable");
    }
}

#[test]
fn differences_act_carries_the_150_char_mark() {
    let xml = act_differences().to_xml(SHOP);
    assert!(
        xml.contains(&format!("<ce:amc>{MARK_150}</ce:amc>")),
        "{xml}"
    );
    assert!(xml.contains("<wa:IsAccept>Differences</wa:IsAccept>"));
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ns:Documents"));
}

#[test]
fn beer_write_off_has_the_producer_block() {
    let xml = write_off_beer_sale().to_xml(SHOP);
    assert!(xml.contains("<awr:TypeWriteOff>Реализация</awr:TypeWriteOff>"));
    assert!(xml.contains("<pref:Producer>"));
    assert!(xml.contains("<oref:UL>"));
}

#[test]
fn legacy_cheques_validate() {
    for (name, cheque) in [("bottles", cheque_bottles()), ("nopdf", cheque_beer())] {
        let xml = cheque.to_xml();
        assert_valid(name, &xml, CHEQUE_XSD);
        assert_eq!(Cheque::from_xml(xml.as_bytes()).unwrap(), cheque);
    }
}

#[test]
fn legacy_cheque_samples_validate_after_fixing_the_declaration() {
    let raw = std::fs::read_to_string(format!("{SHARED}/samples/openpapyrus/Cheque.xml")).unwrap();
    // The original has the broken `<?xmlversion` declaration: we read it anyway...
    let cheque = Cheque::from_xml(raw.as_bytes()).unwrap();
    assert_eq!(cheque.bottles.len(), 2);
    // ...and what we write from it is valid.
    assert_valid("Cheque.xml rewritten", &cheque.to_xml(), CHEQUE_XSD);
    let beer = std::fs::read(format!("{SHARED}/samples/openpapyrus/Cheque_beer.xml")).unwrap();
    let cheque = Cheque::from_xml(&beer).unwrap();
    assert_valid("Cheque_beer.xml rewritten", &cheque.to_xml(), CHEQUE_XSD);
}

#[test]
fn schema_rejections_are_shared_by_xmllint_and_our_reader() {
    // 72-char marks from the old documentation example.
    let old = std::fs::read_to_string(format!(
        "{SHARED}/samples/extracted/ActWriteOff_v3_kirsa_docstring.xml"
    ))
    .unwrap();
    assert!(xmllint(&old, ENVELOPE_XSD).is_err());

    let bad_mark = "09001785400000118984310PX8051522100000476712617218613594213116182124151";
    let act = act_differences().to_xml(SHOP).replace(MARK_150, bad_mark);
    assert!(xmllint(&act, ENVELOPE_XSD).is_err());
    let err = parse_document(act.as_bytes()).unwrap_err();
    assert_eq!(err.kind, XmlErrorKind::Schema);
    assert_eq!(
        err.path,
        "Documents/Document/WayBillAct_v4/Content/Position[1]/MarkInfo/amc"
    );

    let cheque = cheque_bottles().to_xml();
    let dup = cheque.replace(
        "</Cheque>",
        &format!("<Bottle price=\"1.00\" barcode=\"{MARK_68}\" ean=\"4602486000732\"/></Cheque>"),
    );
    assert!(xmllint(&dup, CHEQUE_XSD).is_err());
    assert!(Cheque::from_xml(dup.as_bytes()).is_err());

    let bad_time = cheque.replace("datetime=\"1707241435\"", "datetime=\"1707241475\"");
    assert_ne!(bad_time, cheque);
    assert!(xmllint(&bad_time, CHEQUE_XSD).is_err());
    let err = Cheque::from_xml(bad_time.as_bytes()).unwrap_err();
    assert_eq!(err.path, "Cheque/@datetime");

    let bad_price = cheque.replace("price=\"270.00\"", "price=\"1.234\"");
    assert_ne!(bad_price, cheque);
    assert!(xmllint(&bad_price, CHEQUE_XSD).is_err());
    let err = Cheque::from_xml(bad_price.as_bytes()).unwrap_err();
    assert_eq!(err.path, "Cheque/Bottle/@price");
    assert_eq!(String::from(ChequePrice::from_decimal(dec("-5"))), "-5.00");
}
