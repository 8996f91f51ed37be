//! Shared helpers for the xml_* integration tests: realistic documents and
//! validation with xmllint against the official schemas.

#![allow(dead_code)]

use std::io::Write as _;
use std::process::Command;
use std::str::FromStr;

use egais_tui::egais::xml::cheque::{
    ChequeNoPdf, ChequeV3Bottle, ChequeV3Content, ChequeV3Header, ChequeV3Nomark,
};
use egais_tui::egais::xml::common::{Address, AmcList, BoxPos, InformF2, MarkInfo, UnitType};
use egais_tui::egais::xml::shop_acts::{
    ChargeOnContent, ChargeOnHeader, ChargeOnKind, ChargeOnPosition, MarkCodeInfo, TransferContent,
    TransferHeader, TransferInformF2, TransferPosition, WriteOffContent, WriteOffHeader,
    WriteOffKind, WriteOffPosition,
};
use egais_tui::egais::xml::waybill_act::ActPosition;
use egais_tui::egais::xml::*;
use jiff::civil::{date, datetime};
use rust_decimal::Decimal;

pub const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/egais");
pub const ENVELOPE_XSD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/egais/xsd/WB_DOC_SINGLE_01.xsd"
);
pub const CHEQUE_XSD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/egais/xsd/Cheque/egaischeque.joint.2.xsd"
);

pub const SHOP: &str = "030000194005";

pub const MARK_150: &str = "198404948144650122001DF674PIWTHDXDMDEOGJLSTIGB4KRNMZSOFWYDOBWUECZN2J3K7AJFZJ3D7ODISSUVN23YYYFFYWPYOLWQFEEB6L6YUO7Z5AVD6HCNKIIEIAUFN62P3ETSDOSMXTMUD73Y";
pub const MARK_150_B: &str = "187409386020600222001MH2SKYMITFMQWWDNAC6MVXSFU4CNFNHVINZF3ZEWPGJ7V46VJIHYDFEMWMMAFFK7KUWOWY3W6KM5AT52L6CI4VOBHAIZI5YXYH7MK5TI6YPPQHPLDA2JH4S4EHX373RMY";
pub const MARK_68: &str = "19N00000XOPN13MM66T12TS311080076535486539219152175585956302712947119";

/// Runs xmllint on `xml` against `xsd`; Err carries xmllint's output.
pub fn xmllint(xml: &str, xsd: &str) -> Result<(), String> {
    let mut file = tempfile::Builder::new()
        .suffix(".xml")
        .tempfile()
        .map_err(|e| e.to_string())?;
    file.write_all(xml.as_bytes()).map_err(|e| e.to_string())?;
    let out = Command::new("xmllint")
        .args(["--noout", "--schema", xsd])
        .arg(file.path())
        .output()
        .map_err(|e| format!("cannot run xmllint: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

#[track_caller]
pub fn assert_valid(name: &str, xml: &str, xsd: &str) {
    if let Err(out) = xmllint(xml, xsd) {
        panic!("{name} does not validate:\n{out}\n--- document ---\n{xml}");
    }
}

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub fn address(region: &str, text: &str) -> Address {
    Address {
        country: "643".into(),
        index: None,
        region_code: Some(region.into()),
        description: text.into(),
    }
}

pub fn shop_org() -> OrgRef {
    OrgRef::ul(Org {
        client_reg_id: SHOP.into(),
        full_name: Some("Общество с ограниченной ответственностью \"Ромашка\"".into()),
        short_name: Some("ООО \"Ромашка\"".into()),
        inn: Some("7701234567".into()),
        kpp: Some("770101001".into()),
        tsnum: None,
        address: address("77", "г. Москва, ул. Тверская, д. 1"),
    })
}

pub fn supplier_org() -> OrgRef {
    OrgRef::ul(Org {
        client_reg_id: "010038062164".into(),
        full_name: Some("ООО \"АгроТрейд\" & партнёры <опт>".into()),
        short_name: Some("ООО \"АгроТрейд\"".into()),
        inn: Some("7446043646".into()),
        kpp: Some("745645001".into()),
        tsnum: None,
        address: address("74", "Челябинская обл, Магнитогорск г, Вокзальная ул, 2"),
    })
}

pub fn beer_product() -> ProductInfo {
    ProductInfo {
        unit_type: UnitType::Packed,
        kind: Some("АП".into()),
        full_name: "Пиво светлое пастеризованное \"Жигулёвское\" 0,5 л".into(),
        short_name: Some("Жигулёвское 0,5".into()),
        alc_code: "0300000000000000001".into(),
        capacity: Some(dec("0.500")),
        alc_volume: Some(dec("4.500")),
        producer: Some(OrgRef::ul(Org {
            client_reg_id: "010000000435".into(),
            full_name: Some("АО \"Пивоварня Москва-Эфес\"".into()),
            short_name: Some("Москва-Эфес".into()),
            inn: Some("7726260234".into()),
            kpp: Some("732843001".into()),
            tsnum: None,
            address: address("73", "Ульяновск г, Инженерный 44-й проезд, 1"),
        })),
        product_v_code: "500".into(),
    }
}

pub fn vodka_product() -> ProductInfo {
    ProductInfo {
        unit_type: UnitType::Packed,
        kind: Some("АП".into()),
        full_name: "Водка \"Золото Башкирии Альфа\"".into(),
        short_name: None,
        alc_code: "0010255000001571014".into(),
        capacity: Some(dec("0.5")),
        alc_volume: Some(dec("40")),
        producer: Some(OrgRef::ul(Org {
            client_reg_id: "010000000545".into(),
            full_name: Some("Бирский филиал АО \"Башспирт\"".into()),
            short_name: Some("АО \"Башспирт\"".into()),
            inn: Some("0276100884".into()),
            kpp: Some("025745001".into()),
            tsnum: None,
            address: address("02", "Башкортостан Республика, Бирск Город, Мира Улица, 33"),
        })),
        product_v_code: "200".into(),
    }
}

pub fn act_accept() -> WayBillActV4 {
    WayBillActV4::accept("A-17", date(2024, 7, 17), "TTN-0557370828")
}

pub fn act_reject() -> WayBillActV4 {
    WayBillActV4::reject(
        "A-18",
        date(2024, 7, 17),
        "TTN-0557370829",
        "Бой товара, пересорт",
    )
}

pub fn act_differences() -> WayBillActV4 {
    WayBillActV4::differences(
        "A-19",
        date(2024, 7, 17),
        "TTN-0557370830",
        Some("Недовложение 1 бутылки".into()),
        vec![
            ActPosition::new(
                "1",
                "FB-000004917646122",
                dec("1"),
                vec![Mark::new(MARK_150).unwrap()],
            ),
            ActPosition::new("2", "FB-000004917646123", dec("0"), Vec::new()),
        ],
    )
}

pub fn transfer_to_shop() -> TransferToShop {
    TransferToShop {
        identity: Some("T-5".into()),
        header: TransferHeader {
            number: "5".into(),
            date: date(2024, 7, 17),
            note: Some("Перемещение в торговый зал".into()),
        },
        content: TransferContent {
            positions: vec![
                TransferPosition {
                    identity: "1".into(),
                    product_code: "0035543000001238259".into(),
                    quantity: dec("11"),
                    inform_f2: TransferInformF2 {
                        f2_reg_id: "FB-000004917646122".into(),
                    },
                },
                TransferPosition {
                    identity: "2".into(),
                    product_code: "0300000000000000001".into(),
                    quantity: dec("24"),
                    inform_f2: TransferInformF2 {
                        f2_reg_id: "FB-000004917646123".into(),
                    },
                },
            ],
        },
    }
}

pub fn write_off_beer_sale() -> ActWriteOffShopV2 {
    ActWriteOffShopV2 {
        identity: Some("WO-2024-07-17".into()),
        header: WriteOffHeader {
            number: "17".into(),
            date: date(2024, 7, 17),
            kind: WriteOffKind::Sale,
            note: Some("Розничная реализация за 17.07.2024".into()),
        },
        content: WriteOffContent {
            positions: vec![WriteOffPosition {
                identity: "1".into(),
                product: beer_product(),
                quantity: dec("12"),
                sum_sale: Some(dec("1078.80")),
                mark_code_info: None,
            }],
        },
    }
}

pub fn write_off_breakage() -> ActWriteOffShopV2 {
    ActWriteOffShopV2 {
        identity: None,
        header: WriteOffHeader {
            number: "18".into(),
            date: date(2024, 7, 18),
            kind: WriteOffKind::Spoilage,
            note: None,
        },
        content: WriteOffContent {
            positions: vec![WriteOffPosition {
                identity: "1".into(),
                product: vodka_product(),
                quantity: dec("2"),
                sum_sale: None,
                mark_code_info: Some(MarkCodeInfo {
                    marks: vec![Mark::new(MARK_150).unwrap(), Mark::new(MARK_150_B).unwrap()],
                }),
            }],
        },
    }
}

pub fn charge_on() -> ActChargeOnShopV2 {
    ActChargeOnShopV2 {
        identity: Some("CO-3".into()),
        header: ChargeOnHeader {
            number: "3".into(),
            date: date(2024, 7, 17),
            kind: ChargeOnKind::Surplus,
            act_write_off: None,
            note: Some("Излишки по инвентаризации".into()),
        },
        content: ChargeOnContent {
            positions: vec![ChargeOnPosition {
                identity: "1".into(),
                product: beer_product(),
                quantity: dec("6"),
            }],
        },
    }
}

pub fn repeal() -> RequestRepealWb {
    RequestRepealWb {
        client_id: SHOP.into(),
        request_number: "R-1".into(),
        request_date: datetime(2024, 7, 17, 12, 30, 0, 0),
        wb_reg_id: "TTN-0557370828".into(),
    }
}

pub fn cheque_v3() -> ChequeV3 {
    ChequeV3 {
        identity: Some("1".into()),
        header: Some(ChequeV3Header {
            date: datetime(2024, 7, 17, 14, 35, 0, 0),
            kassa: "1".into(),
            shift: 2,
            number: 15,
            kind: ChequeKind::Sale,
            confirm_order: None,
        }),
        header_ttn: None,
        content: ChequeV3Content {
            bottles: vec![ChequeV3Bottle {
                barcode: egais_tui::egais::xml::common::Barmix::new(MARK_150).unwrap(),
                ean: "4601234567893".into(),
                price: dec("499.90"),
            }],
            nomark: vec![ChequeV3Nomark {
                pos_identity: "2".into(),
                product: beer_product(),
                quantity: dec("2"),
                ean: "4600682000129".into(),
                price: dec("89.90"),
            }],
        },
    }
}

pub fn cheque_bottles() -> Cheque {
    Cheque {
        inn: "7701234567".into(),
        kpp: Some("770101001".into()),
        address: "г. Москва, ул. Тверская, д. 1".into(),
        name: "Магазин \"Ромашка\"".into(),
        kassa: "1".into(),
        shift: 12,
        number: 345,
        datetime: ChequeDateTime::from_datetime(datetime(2024, 7, 17, 14, 35, 0, 0)),
        bottles: vec![ChequeBottle {
            price: ChequePrice::from_decimal(dec("270")),
            barcode: MARK_68.into(),
            ean: "4602486000732".into(),
            volume: Some("0.5000".into()),
        }],
        nopdf: Vec::new(),
    }
}

pub fn cheque_beer() -> Cheque {
    Cheque {
        inn: "770123456789".into(),
        kpp: None,
        address: "г. Москва, ул. Тверская, д. 1".into(),
        name: "ИП Иванов".into(),
        kassa: "К-2".into(),
        shift: 1,
        number: 2,
        datetime: ChequeDateTime::new("1707241435").unwrap(),
        bottles: Vec::new(),
        nopdf: vec![ChequeNoPdf {
            price: ChequePrice::new("77.00").unwrap(),
            pinn: "5020037784".into(),
            pkpp: "502001001".into(),
            bname: "Клинское светлое".into(),
            alc: "4.5".into(),
            volume: "0.5".into(),
            ean: "4605406012976".into(),
            count: 5,
        }],
    }
}

pub fn waybill_with_marks() -> WayBillV4 {
    let bytes = std::fs::read(format!("{SHARED}/samples/kirsa/TTN-0557370828.xml")).unwrap();
    match parse_document(&bytes).unwrap().doc {
        Incoming::WayBillV4(wb) => *wb,
        other => panic!("unexpected {}", other.element()),
    }
}

pub fn inform_f2_with_marks(f2: &str, marks: &[&str]) -> InformF2 {
    InformF2 {
        f2_reg_id: f2.into(),
        mark_info: Some(MarkInfo {
            boxes: vec![BoxPos {
                box_number: None,
                amc_list: Some(AmcList {
                    amc: marks.iter().map(|m| Mark::new(*m).unwrap()).collect(),
                    ms: Vec::new(),
                }),
            }],
        }),
    }
}
