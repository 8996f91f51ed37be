//! Writes a WayBill_v4 with N stamps (default 100 000, about 17 MB) to stdout
//! or to the file given as the second argument. Used by
//! benches/inspect_vs_xmllint.sh.

#[path = "../benches/xml_support/big_waybill.rs"]
mod big_waybill;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let stamps: usize = match args.next() {
        Some(n) => n.parse()?,
        None => 100_000,
    };
    let xml = big_waybill::big_waybill_xml(stamps);
    match args.next() {
        Some(path) => std::fs::write(path, xml)?,
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(xml.as_bytes())?;
        }
    }
    Ok(())
}
