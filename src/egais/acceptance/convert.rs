//! Between the EGAIS XML models and the acceptance domain: incoming WayBill_v4,
//! TTNInformF2Reg and ReplyNoAnswerTTN become domain values; an act becomes a
//! WayBillAct_v4.

use crate::domain::acceptance::{AcceptanceError, ActContent, ActKind};
use crate::domain::invoice::{
    Counterparty, Form2Reg, Form2RegPosition, MarkBox, NoAnswerEntry, ProductInfo, WayBill,
    WayBillPosition,
};
use crate::domain::money::Money;
use crate::domain::product::Producer;
use crate::domain::volume::{AlcoholPercent, Volume};
use crate::egais::xml::common::{OrgRef, UnitType};
use crate::egais::xml::waybill_act::ActPosition as XmlActPosition;
use crate::egais::xml::{Mark, ReplyNoAnswerTtn, TtnInformF2Reg, WayBillActV4, WayBillV4};

pub fn counterparty(org: &OrgRef) -> Counterparty {
    match org.org() {
        Some(o) => Counterparty {
            client_reg_id: o.client_reg_id.trim().to_string(),
            full_name: o
                .full_name
                .clone()
                .or_else(|| o.short_name.clone())
                .unwrap_or_else(|| o.client_reg_id.clone()),
            short_name: o.short_name.clone(),
            inn: o.inn.clone(),
            kpp: o.kpp.clone(),
        },
        None => Counterparty::default(),
    }
}

fn producer(org: &OrgRef) -> Option<Producer> {
    let o = org.org()?;
    Some(Producer {
        client_reg_id: o.client_reg_id.clone(),
        full_name: o
            .full_name
            .clone()
            .or_else(|| o.short_name.clone())
            .unwrap_or_else(|| o.client_reg_id.clone()),
        short_name: o.short_name.clone(),
        inn: o.inn.clone(),
        kpp: o.kpp.clone(),
        country: Some(o.address.country.clone()).filter(|c| !c.is_empty()),
        region: o.address.region_code.clone(),
        address: Some(o.address.description.clone()).filter(|a| !a.is_empty()),
    })
}

/// A value EGAIS sent that our domain types refuse (a negative price, a strength of 140%).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("position {position}: {what}")]
pub struct ConvertError {
    pub position: String,
    pub what: String,
}

pub fn waybill(wb: &WayBillV4) -> Result<WayBill, ConvertError> {
    let h = &wb.header;
    let positions = wb
        .content
        .positions
        .iter()
        .map(|p| {
            let err = |what: String| ConvertError {
                position: p.identity.clone(),
                what,
            };
            let pr = &p.product;
            let capacity = pr
                .capacity
                .map(Volume::litres)
                .transpose()
                .map_err(|e| err(format!("capacity: {e}")))?;
            let alc_percent = pr
                .alc_volume
                .map(|v| AlcoholPercent::parse(&v.normalize().to_string()))
                .transpose()
                .map_err(|e| err(format!("AlcVolume: {e}")))?;
            if p.price.is_sign_negative() && !p.price.is_zero() {
                return Err(err(format!("negative price {}", p.price)));
            }
            if p.quantity.is_sign_negative() {
                return Err(err(format!("negative quantity {}", p.quantity)));
            }
            let boxes = p
                .inform_f2
                .mark_info
                .iter()
                .flat_map(|mi| mi.boxes.iter())
                .map(|b| MarkBox {
                    box_number: b.box_number.as_ref().map(|n| n.as_str().to_string()),
                    marks: b
                        .amc_list
                        .iter()
                        .flat_map(|l| l.amc.iter())
                        .map(|m| m.as_str().to_string())
                        .collect(),
                })
                .collect();
            Ok(WayBillPosition {
                identity: p.identity.trim().to_string(),
                product: ProductInfo {
                    full_name: pr.full_name.clone(),
                    short_name: pr.short_name.clone(),
                    alc_code: pr.alc_code.trim().to_string(),
                    capacity,
                    alc_percent,
                    type_code: pr.product_v_code.clone(),
                    kind: pr.kind.clone(),
                    unpacked: pr.unit_type == UnitType::Unpacked,
                    producer: pr.producer.as_ref().and_then(producer),
                },
                quantity: p.quantity,
                price: Money::new(p.price),
                fa_reg_id: Some(p.fa_reg_id.clone()).filter(|s| !s.is_empty()),
                shipper_f2_reg_id: Some(p.inform_f2.f2_reg_id.clone()).filter(|s| !s.is_empty()),
                ean13: p.ean13.clone(),
                boxes,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(WayBill {
        identity: wb.identity.clone(),
        number: h.number.trim().to_string(),
        date: h.date,
        shipping_date: Some(h.shipping_date),
        shipper: counterparty(&h.shipper),
        consignee: counterparty(&h.consignee),
        base: h.base.clone(),
        note: h.note.clone(),
        positions,
    })
}

pub fn registration(r: &TtnInformF2Reg) -> Form2Reg {
    let h = &r.header;
    Form2Reg {
        identity: h.identity.clone(),
        wb_reg_id: h.wb_reg_id.trim().to_string(),
        fix_number: h.fix_number.clone(),
        fix_date: h.fix_date,
        wb_number: h.wb_number.trim().to_string(),
        wb_date: h.wb_date,
        shipper: counterparty(&h.shipper),
        positions: r
            .content
            .positions
            .iter()
            .map(|p| Form2RegPosition {
                identity: p.identity.trim().to_string(),
                f2_reg_id: p.inform_f2_reg_id.trim().to_string(),
                bottling_date: p.bottling_date,
            })
            .collect(),
    }
}

pub fn no_answer(r: &ReplyNoAnswerTtn) -> Vec<NoAnswerEntry> {
    r.list
        .items
        .iter()
        .map(|n| NoAnswerEntry {
            wb_reg_id: n.wb_reg_id.clone(),
            number: n.ttn_number.clone(),
            date: Some(n.ttn_date),
            shipper_id: n.shipper.clone(),
        })
        .collect()
}

/// The WayBillAct_v4 for an act.
pub fn act_document(act: &ActContent) -> Result<WayBillActV4, AcceptanceError> {
    let mut doc = match act.kind {
        ActKind::Accepted => WayBillActV4::accept(&act.act_number, act.act_date, &act.wb_reg_id),
        ActKind::Rejected => WayBillActV4::reject(
            &act.act_number,
            act.act_date,
            &act.wb_reg_id,
            act.note.as_deref().unwrap_or_default(),
        ),
        ActKind::Differences => {
            let positions = act
                .positions
                .iter()
                .map(|p| {
                    let marks = p
                        .marks
                        .iter()
                        .map(|m| Mark::new(m.clone()).map_err(AcceptanceError::InvalidAct))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(XmlActPosition::new(
                        &p.identity,
                        &p.f2_reg_id,
                        p.real_quantity.normalize(),
                        marks,
                    ))
                })
                .collect::<Result<Vec<_>, AcceptanceError>>()?;
            WayBillActV4::differences(
                &act.act_number,
                act.act_date,
                &act.wb_reg_id,
                act.note.clone(),
                positions,
            )
        }
    };
    doc.identity = Some(act.identity.clone());
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::egais::xml::{Incoming, parse_document};

    fn sample(p: &str) -> Vec<u8> {
        let path = format!("{}/../shared/egais/samples/{p}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn the_real_waybill_and_registration_convert() {
        let Incoming::WayBillV4(wb) = parse_document(&sample("kirsa/TTN-0557370828.xml"))
            .unwrap()
            .doc
        else {
            panic!("not a waybill")
        };
        let wb = waybill(&wb).unwrap();
        assert_eq!(wb.number, "00000003430");
        assert_eq!(wb.shipper.client_reg_id, "010038062164");
        assert_eq!(wb.shipper.display_name(), "ООО \"АгроТрейд\"");
        let p = &wb.positions[0];
        assert_eq!(p.product.alc_code, "0010255000002043023");
        assert_eq!(p.product.capacity.unwrap().display_ru(), "0,25 л");
        assert_eq!(p.product.alc_percent.unwrap().display_ru(), "40%");
        assert_eq!(p.product.type_code, "200");
        assert_eq!(p.price.to_xml(), "143.00");
        assert_eq!(p.fa_reg_id.as_deref(), Some("FA-000000048928099"));
        assert_eq!(p.mark_count(), 3);
        assert!(
            p.product
                .producer
                .as_ref()
                .unwrap()
                .full_name
                .contains("Башспирт")
        );

        let Incoming::TtnInformF2Reg(r) = parse_document(&sample("kirsa/FORM2REGINFO.xml"))
            .unwrap()
            .doc
        else {
            panic!("not a registration")
        };
        let reg = registration(&r);
        assert_eq!(reg.wb_reg_id, "TTN-0557371481");
        assert_eq!(reg.positions.len(), 28);
        assert_eq!(reg.positions[0].f2_reg_id, "FB-000004917646122");
    }

    fn xmllint(xml: &str) -> Result<(), String> {
        use std::io::Write as _;
        let xsd = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/egais/xsd/WB_DOC_SINGLE_01.xsd"
        );
        let mut file = tempfile::Builder::new()
            .suffix(".xml")
            .tempfile()
            .map_err(|e| e.to_string())?;
        file.write_all(xml.as_bytes()).map_err(|e| e.to_string())?;
        let out = std::process::Command::new("xmllint")
            .args(["--noout", "--schema", xsd])
            .arg(file.path())
            .output()
            .map_err(|e| format!("cannot run xmllint: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    #[test]
    fn generated_acts_validate_against_the_xsd() {
        use crate::domain::acceptance::{ActMeta, Decision, DiscrepancyDraft};
        use crate::domain::invoice::fixtures::ready_invoice;

        let inv = ready_invoice();
        let meta = ActMeta {
            identity: "7f0c6c55-7d1a-4a8e-9d0e-4b2a1b9f3c11".into(),
            number: "12".into(),
            date: inv.received_on,
        };
        let mut draft = DiscrepancyDraft::new(&inv).unwrap();
        draft.toggle_mark(0, 1, 2).unwrap();
        draft.set_box(1, 0, false).unwrap();
        draft.set_quantity(2, "17").unwrap();
        let decisions = [
            Decision::AcceptAll,
            Decision::Reject {
                reason: "Бой товара".into(),
            },
            draft.decision(),
        ];
        for d in decisions {
            let act = inv.prepare_act(d, &meta).unwrap();
            let xml = act_document(&act).unwrap().to_xml("030000194005");
            if let Err(e) = xmllint(&xml) {
                panic!("{:?} act does not validate:\n{e}\n{xml}", act.kind);
            }
            // And it reads back as the same act.
            let Incoming::WayBillActV4(back) = parse_document(xml.as_bytes()).unwrap().doc else {
                panic!("not an act")
            };
            assert_eq!(back.header.wb_reg_id, "TTN-0557370828");
            assert_eq!(back.identity.as_deref(), Some(act.identity.as_str()));
            if act.kind == ActKind::Differences {
                let p = back.positions();
                assert_eq!(p.len(), 3);
                assert_eq!(p[0].mark_info.as_ref().unwrap().amc.len(), 11);
                assert!(p[1].mark_info.is_none(), "no stamps received on line 2");
                assert_eq!(p[1].real_quantity, rust_decimal::Decimal::ZERO);
                assert_eq!(p[2].real_quantity.to_string(), "17");
                assert_eq!(p[2].inform_f2_reg_id, "FB-000004917646124");
            }
        }
    }
}
