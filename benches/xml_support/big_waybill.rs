//! Builds a large WayBill_v4 from the real sample (samples/kirsa/TTN-0557370828.xml)
//! by repeating its positions and stamps with unique values. Shared by the
//! criterion bench, the generator example and the whole-process comparison.

use egais_tui::egais::xml::common::{AmcList, BoxNumber, BoxPos, BoxTree, Mark, MarkInfo};
use egais_tui::egais::xml::waybill::BoxInfo;
use egais_tui::egais::xml::{Incoming, WayBillV4, parse_document};
use rust_decimal::Decimal;

pub const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/egais/samples/kirsa/TTN-0557370828.xml"
);

/// Stamps per position and per box: a pallet-sized position keeps the
/// stamp share of the file close to a real big delivery (~170 bytes/stamp).
const PER_POSITION: usize = 480;
const PER_BOX: usize = 24;

/// The sample as a model.
pub fn sample() -> WayBillV4 {
    let bytes = std::fs::read(SAMPLE).expect("kirsa sample is readable");
    match parse_document(&bytes).expect("kirsa sample parses").doc {
        Incoming::WayBillV4(wb) => *wb,
        other => panic!("kirsa sample is {} instead of WayBill_v4", other.element()),
    }
}

/// A unique, schema-valid 150-character stamp derived from a real one.
fn stamp(template: &str, n: usize) -> Mark {
    // 6 digits type/series, 8-digit number (unique, never 0), MMYY, 3 digits, 129-char tail.
    let serial = 10_000_000 + n % 90_000_000;
    let tail = &template[21..];
    let id = format!("{:0>10}", radix36(n as u64));
    let value = format!(
        "{}{serial}{}{}{}",
        &template[..6],
        &template[14..21],
        id,
        &tail[10..]
    );
    Mark::new(value).expect("generated stamp is valid")
}

fn radix36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

/// A WayBill_v4 with exactly `stamps` stamps.
pub fn big_waybill(stamps: usize) -> WayBillV4 {
    let mut wb = sample();
    let templates = wb.content.positions.clone();
    let template_mark = templates
        .iter()
        .flat_map(|p| p.marks())
        .next()
        .expect("the sample has stamps")
        .as_str()
        .to_string();
    let mut positions = Vec::new();
    let mut made = 0usize;
    let mut box_no = 0usize;
    while made < stamps {
        let i = positions.len();
        let mut p = templates[i % templates.len()].clone();
        let count = PER_POSITION.min(stamps - made);
        p.identity = (i + 1).to_string();
        p.quantity = Decimal::from(count as u64);
        p.inform_f2.f2_reg_id = format!("FB-{:015}", 4_893_172_359u64 + i as u64);
        let mut boxes = Vec::new();
        let mut tree = Vec::new();
        let mut left = count;
        while left > 0 {
            let n = PER_BOX.min(left);
            box_no += 1;
            let number = BoxNumber::new(format!("01{box_no:024}")).expect("26 digits");
            let amc = (made..made + n).map(|k| stamp(&template_mark, k)).collect();
            made += n;
            left -= n;
            boxes.push(BoxPos {
                box_number: Some(number.clone()),
                amc_list: Some(AmcList {
                    amc,
                    ms: Vec::new(),
                }),
            });
            tree.push(BoxTree {
                boxnum: vec![number],
                nested: Vec::new(),
            });
        }
        p.inform_f2.mark_info = Some(MarkInfo { boxes });
        p.box_info = Some(BoxInfo { boxes: tree });
        positions.push(p);
    }
    wb.content.positions = positions;
    wb
}

/// The document as the kirsa sample formats it: indented with tabs.
pub fn big_waybill_xml(stamps: usize) -> String {
    let xml = big_waybill(stamps).to_xml("010038062164");
    let mut out = String::with_capacity(xml.len());
    for line in xml.lines() {
        let body = line.trim_start_matches(' ');
        let depth = (line.len() - body.len()) / 2;
        out.extend(std::iter::repeat_n('\t', depth));
        out.push_str(body);
        out.push('\n');
    }
    out
}
