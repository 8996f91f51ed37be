//! Parsing a WayBill_v4 with 10 000 stamps (target: under 10 ms).

#[path = "xml_support/big_waybill.rs"]
mod big_waybill;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use egais_tui::egais::xml::{Incoming, parse_document};

fn parse_waybill(c: &mut Criterion) {
    let xml = big_waybill::big_waybill_xml(10_000);
    let mut group = c.benchmark_group("xml");
    group.throughput(Throughput::Bytes(xml.len() as u64));
    group.bench_function("parse WayBill_v4 10k stamps", |b| {
        b.iter(|| {
            let parsed = parse_document(black_box(xml.as_bytes())).expect("valid waybill");
            match parsed.doc {
                Incoming::WayBillV4(wb) => wb.stamp_count(),
                _ => 0,
            }
        })
    });
    let small = std::fs::read(big_waybill::SAMPLE).expect("sample");
    group.throughput(Throughput::Bytes(small.len() as u64));
    group.bench_function("parse kirsa sample (101 stamps)", |b| {
        b.iter(|| parse_document(black_box(&small)).expect("valid"))
    });
    group.finish();
}

criterion_group!(benches, parse_waybill);
criterion_main!(benches);
