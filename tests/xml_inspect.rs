//! `inspect` on every sample, on broken files, in human and JSON form.

#[path = "../benches/xml_support/big_waybill.rs"]
mod big_waybill;
mod xml_support;

use std::path::PathBuf;

use egais_tui::egais::inspect::{InspectArgs, run_to};
use xml_support::*;

fn samples() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [
        "constructed",
        "extracted",
        "kirsa",
        "openpapyrus",
        "selyutinartyom_UTM",
    ] {
        for e in std::fs::read_dir(format!("{SHARED}/samples/{dir}")).unwrap() {
            out.push(e.unwrap().path());
        }
    }
    out.sort();
    out
}

fn inspect(files: Vec<PathBuf>, json: bool) -> (i32, String, String) {
    let args = InspectArgs { files, json };
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = run_to(&args, &mut out, &mut err).unwrap();
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn temp_file(content: &str) -> tempfile::NamedTempFile {
    let f = tempfile::Builder::new().suffix(".xml").tempfile().unwrap();
    std::fs::write(f.path(), content).unwrap();
    f
}

#[test]
fn reads_every_sample_with_exit_0() {
    let files = samples();
    let n = files.len();
    let (code, out, err) = inspect(files, false);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    assert_eq!(
        out.lines().filter(|l| !l.starts_with(' ')).count(),
        n,
        "{out}"
    );
}

#[test]
fn waybill_summary_has_the_key_facts() {
    let file = PathBuf::from(format!("{SHARED}/samples/kirsa/TTN-0557370828.xml"));
    let (code, out, _) = inspect(vec![file], false);
    assert_eq!(code, 0);
    assert!(out.contains("WayBill_v4"), "{out}");
    assert!(out.contains("00000003430"), "{out}");
    assert!(out.contains("Марок:"), "{out}");
    assert!(out.contains(" 101\n"), "{out}");
    assert!(out.contains("Позиций:"), "{out}");
}

#[test]
fn unmodelled_type_is_named_with_exit_0() {
    let file = PathBuf::from(format!(
        "{SHARED}/samples/selyutinartyom_UTM/QueryFormA_124.xml"
    ));
    let (code, out, _) = inspect(vec![file], false);
    assert_eq!(code, 0);
    assert!(out.contains("QueryFormA"), "{out}");
}

#[test]
fn broken_files_exit_2_with_file_line_col_path() {
    let broken = temp_file(
        "<ns:Documents xmlns:ns=\"http://fsrar.ru/WEGAIS/WB_DOC_SINGLE_01\">\n<ns:Owner>\n</ns:Documents>",
    );
    let good = PathBuf::from(format!("{SHARED}/samples/kirsa/FORM2REGINFO.xml"));
    let (code, out, err) = inspect(vec![good, broken.path().to_path_buf()], false);
    assert_eq!(code, 2);
    assert!(
        out.contains("TTNInformF2Reg"),
        "good files are still summarised: {out}"
    );
    let prefix = format!("{}:3:", broken.path().display());
    assert!(err.starts_with(&prefix), "{err}");
    assert!(err.contains("Documents/Owner"), "{err}");

    // Valid XML, broken schema rule: a quantity that is not a number.
    let wb = std::fs::read_to_string(format!("{SHARED}/samples/kirsa/TTN-0557370828.xml")).unwrap();
    let bad = wb.replacen(
        "<wb:Quantity>5</wb:Quantity>",
        "<wb:Quantity>пять</wb:Quantity>",
        1,
    );
    assert_ne!(bad, wb);
    let f = temp_file(&bad);
    let (code, _, err) = inspect(vec![f.path().to_path_buf()], false);
    assert_eq!(code, 2);
    assert!(
        err.contains(": Documents/Document/WayBill_v4/Content/Position[2]/Quantity: "),
        "{err}"
    );
    let line = bad.lines().position(|l| l.contains("пять")).unwrap() + 1;
    assert!(err.contains(&format!(":{line}:")), "{err}");

    let (code, _, err) = inspect(vec![PathBuf::from("/nonexistent/x.xml")], false);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn json_lines_per_file() {
    let files = vec![
        PathBuf::from(format!("{SHARED}/samples/selyutinartyom_UTM/Ticket_4.xml")),
        PathBuf::from(format!("{SHARED}/samples/openpapyrus/Cheque_beer.xml")),
        PathBuf::from("/nonexistent/x.xml"),
    ];
    let (code, out, _) = inspect(files, true);
    assert_eq!(code, 2);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["summary"]["type"], "Ticket");
    assert_eq!(
        lines[0]["summary"]["transport_id"],
        "349a50a4-367d-4bb3-8dca-6b149062902b"
    );
    assert_eq!(lines[0]["summary"]["conclusion"], "Accepted");
    assert_eq!(lines[1]["summary"]["type"], "Cheque");
    assert_eq!(lines[1]["summary"]["total"], "385.00 ₽");
    assert_eq!(lines[2]["ok"], false);
}

#[test]
fn big_waybill_is_counted_and_a_bad_stamp_is_found() {
    // Over 1 MB, so inspect maps the file instead of reading it.
    let xml = big_waybill::big_waybill_xml(10_000);
    assert!(xml.len() > 1 << 20);
    let f = temp_file(&xml);
    let (code, out, err) = inspect(vec![f.path().to_path_buf()], false);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(" 10000\n"), "{out}");

    // The lean path (stamps not kept) applies the same stamp rule.
    let first = xml.find("<ce:amc>").unwrap() + "<ce:amc>".len();
    let mut bad = xml.clone();
    bad.replace_range(first + 30..first + 31, "a");
    let f = temp_file(&bad);
    let (code, _, err) = inspect(vec![f.path().to_path_buf()], false);
    assert_eq!(code, 2);
    assert!(
        err.contains("Position[1]/InformF2/MarkInfo/boxpos[1]/amclist/amc[1]"),
        "{err}"
    );
    let (code, out, _) = inspect(vec![f.path().to_path_buf()], true);
    assert_eq!(code, 2);
    assert!(out.contains("amc[1]"), "{out}");
}
