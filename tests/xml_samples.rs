//! Every sample in shared/egais/samples parses; every sample of a modelled
//! type re-serialises to an equivalent document.

use std::path::{Path, PathBuf};

use egais_tui::egais::xml::{AnyDocument, Incoming, equiv, parse_any, parse_document};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/egais/samples");

fn all_samples() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![PathBuf::from(SAMPLES)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "xml") {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(out.len() >= 20, "samples not found under {SAMPLES}");
    out
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(SAMPLES).join(rel)).unwrap()
}

#[test]
fn every_sample_parses() {
    for path in all_samples() {
        let bytes = std::fs::read(&path).unwrap();
        if let Err(e) = parse_any(&bytes) {
            panic!("{}: {e}", path.display());
        }
    }
}

#[test]
fn modelled_samples_round_trip_to_equivalent_xml() {
    let mut modelled = 0;
    for path in all_samples() {
        let bytes = std::fs::read(&path).unwrap();
        match parse_any(&bytes).unwrap() {
            AnyDocument::Envelope(parsed) => {
                if let Some(xml) = parsed.doc.to_xml(&parsed.owner_fsrar_id) {
                    modelled += 1;
                    if let Err(d) = equiv::equivalent(&bytes, xml.as_bytes()) {
                        panic!("{}: {d}\n{xml}", path.display());
                    }
                    let again = parse_document(xml.as_bytes()).unwrap();
                    assert_eq!(again, parsed, "{}", path.display());
                }
            }
            AnyDocument::Cheque(cheque) => {
                modelled += 1;
                let xml = cheque.to_xml();
                if let Err(d) = equiv::equivalent(&bytes, xml.as_bytes()) {
                    panic!("{}: {d}\n{xml}", path.display());
                }
            }
            AnyDocument::UtmReply(_) | AnyDocument::OutList { .. } => {}
        }
    }
    assert!(modelled >= 11, "only {modelled} modelled samples");
}

#[test]
fn kirsa_waybill_content() {
    let parsed = parse_document(&read("kirsa/TTN-0557370828.xml")).unwrap();
    assert_eq!(parsed.owner_fsrar_id, "010038062164");
    let Incoming::WayBillV4(wb) = parsed.doc else {
        panic!("not a waybill");
    };
    assert_eq!(wb.header.number, "00000003430");
    assert_eq!(wb.positions().len(), 11);
    assert_eq!(wb.stamp_count(), 101);
    assert_eq!(wb.header.shipper.client_reg_id(), "010038062164");
    assert_eq!(wb.positions()[0].inform_f2.f2_reg_id, "FB-000004893172359");
}
