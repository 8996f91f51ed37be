//! The generated big waybill is schema-valid and reads back with every stamp.

#[path = "../benches/xml_support/big_waybill.rs"]
mod big_waybill;
mod xml_support;

use egais_tui::egais::xml::{Incoming, parse_document};

#[test]
fn generated_big_waybill_validates_and_parses() {
    let xml = big_waybill::big_waybill_xml(1_000);
    xml_support::assert_valid("big waybill", &xml, xml_support::ENVELOPE_XSD);
    let Incoming::WayBillV4(wb) = parse_document(xml.as_bytes()).unwrap().doc else {
        panic!("not a waybill");
    };
    assert_eq!(wb.stamp_count(), 1_000);
    let mut marks: Vec<&str> = wb
        .positions()
        .iter()
        .flat_map(|p| p.marks())
        .map(|m| m.as_str())
        .collect();
    marks.sort_unstable();
    marks.dedup();
    assert_eq!(marks.len(), 1_000, "stamps are unique");
}
