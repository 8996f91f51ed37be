//! Reading by namespace URI with any prefixes; schema violations and malformed
//! XML are reported with the element path and line:col.

mod xml_support;

use egais_tui::egais::xml::*;
use xml_support::SHARED;

fn sample(rel: &str) -> String {
    std::fs::read_to_string(format!("{SHARED}/samples/{rel}")).unwrap()
}

fn line_of(xml: &str, needle: &str) -> u32 {
    xml.lines().position(|l| l.contains(needle)).unwrap() as u32 + 1
}

#[track_caller]
fn schema_error(xml: &str) -> XmlError {
    let e = parse_document(xml.as_bytes()).unwrap_err();
    assert_eq!(e.kind, XmlErrorKind::Schema, "{e}");
    e
}

#[test]
fn missing_required_element_names_the_path_and_line() {
    let wb = sample("kirsa/TTN-0557370828.xml");
    let bad = wb.replacen("<wb:Quantity>5</wb:Quantity>", "", 1);
    let e = schema_error(&bad);
    assert_eq!(
        e.path,
        "Documents/Document/WayBill_v4/Content/Position[2]/Quantity"
    );
    assert!(e.message.contains("missing"), "{e}");
    // Located at the start tag of the position that lacks it (the text before
    // it ends with that line's indentation, so it counts that line too).
    let pos2 = wb.match_indices("<wb:Position>").nth(1).unwrap().0;
    assert_eq!(e.line, wb[..pos2].lines().count() as u32);
}

#[test]
fn wrong_value_shapes_are_schema_errors() {
    let wb = sample("kirsa/TTN-0557370828.xml");
    let e = schema_error(&wb.replace(
        "<wb:Date>2022-06-08</wb:Date>",
        "<wb:Date>08.06.2022</wb:Date>",
    ));
    assert_eq!(e.path, "Documents/Document/WayBill_v4/Header/Date");
    assert_eq!(e.line, line_of(&wb, "<wb:Date>"));
    let e = schema_error(&wb.replace("WBInvoiceFromMe", "Invoice"));
    assert_eq!(e.path, "Documents/Document/WayBill_v4/Header/Type");
    let old = "198404948144650122001DF674PIWTHDXDMDEOGJLSTIGB4KRNMZSOFWYDOBWUECZN2J3K7AJFZJ3D7ODISSUVN23YYYFFYWPYOLWQFEEB6L6YUO7Z5AVD6HCNKIIEIAUFN62P3ETSDOSMXTMUD73Y";
    let e = schema_error(&wb.replace(
        old,
        "09001785400000118984310PX8051522100000476712617218613594213116182124151",
    ));
    assert_eq!(
        e.path,
        "Documents/Document/WayBill_v4/Content/Position[1]/InformF2/MarkInfo/boxpos/amclist/amc[1]"
    );
    let act = xml_support::act_accept().to_xml("030000194005");
    let e = schema_error(&act.replace(">Accepted<", ">Maybe<"));
    assert_eq!(e.path, "Documents/Document/WayBillAct_v4/Header/IsAccept");
    // A choice with nothing chosen.
    let f2 = sample("kirsa/FORM2REGINFO.xml");
    let start = f2.find("<oref:UL").unwrap();
    let end = f2.find("</oref:UL>").unwrap() + "</oref:UL>".len();
    let mut bad = f2.clone();
    bad.replace_range(start..end, "");
    let e = schema_error(&bad);
    assert_eq!(e.path, "Documents/Document/TTNInformF2Reg/Header/Shipper");
    assert!(e.message.contains("exactly one"), "{e}");
}

#[test]
fn a_repeated_single_element_is_an_error() {
    let t = sample("selyutinartyom_UTM/Ticket_4.xml");
    let bad = t.replace(
        "<tc:RegID>TTN-0014396814</tc:RegID>",
        "<tc:RegID>TTN-0014396814</tc:RegID><tc:RegID>TTN-1</tc:RegID>",
    );
    let e = schema_error(&bad);
    assert_eq!(e.path, "Documents/Document/Ticket/RegID[2]");
}

#[test]
fn prefixes_default_namespaces_comments_and_unknown_elements_are_tolerated() {
    let original = sample("selyutinartyom_UTM/Ticket_4.xml");
    let expected = parse_document(original.as_bytes()).unwrap();
    let rewritten = original
        .replace("xmlns:tc=", "xmlns:t2=")
        .replace("<tc:", "<t2:")
        .replace("</tc:", "</t2:")
        .replace("<ns:Ticket>", "<ns:Ticket><!-- comment --><t2:Unknown a=\"1\"><x/></t2:Unknown><other:x xmlns:other=\"urn:other\">y</other:x>")
        .replace("<t2:DocType>WAYBILL</t2:DocType>", "<t2:DocType>WAY<!-- split -->BILL</t2:DocType>");
    assert_eq!(parse_document(rewritten.as_bytes()).unwrap(), expected);

    // Default namespace for the ticket body.
    let body_start = original.find("<ns:Ticket>").unwrap() + "<ns:Ticket>".len();
    let body_end = original.find("</ns:Ticket>").unwrap();
    let body = original[body_start..body_end]
        .replace("<tc:", "<")
        .replace("</tc:", "</");
    let defaulted = format!(
        "{}<ns:Ticket><Wrap xmlns=\"http://fsrar.ru/WEGAIS/Ticket\"/>{}{}",
        &original[..body_start - "<ns:Ticket>".len()],
        body,
        &original[body_end..]
    );
    // Elements without a prefix here are in no namespace (no default declared on
    // ns:Ticket), so they must not be taken for tc: elements.
    assert!(parse_document(defaulted.as_bytes()).is_err());
    let declared = defaulted.replace(
        "<ns:Ticket>",
        "<ns:Ticket xmlns=\"http://fsrar.ru/WEGAIS/Ticket\">",
    );
    assert_eq!(parse_document(declared.as_bytes()).unwrap(), expected);
}

#[test]
fn a_foreign_namespace_is_not_mistaken_for_ours() {
    let wb = sample("kirsa/TTN-0557370828.xml").replace(
        "xmlns:wb=\"http://fsrar.ru/WEGAIS/TTNSingle_v4\"",
        "xmlns:wb=\"http://fsrar.ru/WEGAIS/TTNSingle_v3\"",
    );
    let e = schema_error(&wb);
    assert_eq!(e.path, "Documents/Document/WayBill_v4/Header");
}

#[test]
fn envelope_rules() {
    let t = sample("selyutinartyom_UTM/Ticket_4.xml");
    let e = schema_error(
        &t.replace("<ns:Owner>", "<ns:Ownr>")
            .replace("</ns:Owner>", "</ns:Ownr>"),
    );
    assert_eq!(e.path, "Documents/Owner");
    let e = schema_error(&t.replace("</ns:Ticket>", "</ns:Ticket><ns:Ticket/>"));
    assert!(e.message.contains("exactly one"), "{e}");
    let e = schema_error("<Documents/>");
    assert_eq!(e.path, "Documents");
    let parsed =
        parse_document(sample("selyutinartyom_UTM/QueryFormA_124.xml").as_bytes()).unwrap();
    assert_eq!(
        parsed.doc,
        Incoming::Other {
            element: "QueryFormA".into()
        }
    );
}

#[test]
fn malformed_xml_is_located() {
    let t = sample("selyutinartyom_UTM/Ticket_4.xml");
    let bad = t.replace("</tc:DocId>", "</tc:DocID>");
    let e = parse_document(bad.as_bytes()).unwrap_err();
    assert_eq!(e.kind, XmlErrorKind::Malformed);
    assert_eq!(e.line, line_of(&t, "<tc:DocId>"));
    assert_eq!(e.path, "Documents/Document/Ticket/DocId");
    assert!(e.message.contains("</tc:DocId>"), "{e}");
    let e = parse_document(t.replace("xmlns:tc=", "xmlns:tx=").as_bytes()).unwrap_err();
    assert!(e.message.contains("prefix `tc`"), "{e}");
    let e = parse_document(&t.as_bytes()[..t.len() / 2]).unwrap_err();
    assert_eq!(e.kind, XmlErrorKind::Malformed);
    assert!(e.message.contains("not closed"), "{e}");
}

#[test]
fn ticket_forms_and_helpers() {
    let Incoming::Ticket(t) = parse_document(sample("selyutinartyom_UTM/Ticket_4.xml").as_bytes())
        .unwrap()
        .doc
    else {
        panic!("not a ticket");
    };
    assert_eq!(t.conclusion(), Some(Conclusion::Accepted));
    assert!(t.comment().unwrap().contains("подтверждена"));
    assert_eq!(t.transport_id, "349a50a4-367d-4bb3-8dca-6b149062902b");
    assert_eq!(t.doc_hash.as_deref(), Some(""));
}

#[test]
fn out_listing_tolerates_extra_attributes_and_reads_reply_ids() {
    let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<A>
  <url replyId="349a50a4-367d-4bb3-8dca-6b149062902b" fileId="1" timestamp="2024-07-17T10:00:00">http://localhost:8080/opt/out/Ticket/4</url>
  <url>http://localhost:8080/opt/out/FORM2REGINFO/7</url>
  <url replyId="">http://localhost:8080/opt/out/ReplyNATTN/8</url>
  <ver>2</ver>
</A>"#;
    let list = parse_out_list(xml).unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(element_for_utm_type(&list[1].doc_type), "TTNInformF2Reg");
    assert_eq!(list[2].reply_id, None);
    assert_eq!(element_for_utm_type(&list[2].doc_type), "ReplyNoAnswerTTN");
    let reply = parse_utm_reply(
        &std::fs::read(format!(
            "{SHARED}/samples/extracted/cheque_answer_test_contour.xml"
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        reply.url.as_deref(),
        Some(
            "https://146.120.90.148:1444?id=ab43d5e0-855c-4b54-b1d8-ddeb34d1d110&dt=1503271510&cn=00040218"
        )
    );
    assert!(!reply.sign.unwrap().contains(char::is_whitespace));
}

#[test]
fn hostile_nesting_of_recursive_boxes_is_refused_not_a_crash() {
    let wb = sample("kirsa/TTN-0557370828.xml");
    let nest = 50_000;
    let deep = format!(
        "<wb:boxtree><ce:boxnum>01000000102510622032900681</ce:boxnum>{}{}</wb:boxtree>",
        "<ce:bl><ce:boxnum>01000000102510622032900681</ce:boxnum>".repeat(nest),
        "</ce:bl>".repeat(nest)
    );
    let bad = wb.replacen("<wb:boxtree>", &format!("{deep}<wb:boxtree>"), 1);
    let e = parse_document(bad.as_bytes()).unwrap_err();
    assert!(e.message.contains("deeper"), "{e}");
    // Moderate legal nesting still works.
    let nest = 240;
    let ok = format!(
        "<wb:boxtree><ce:boxnum>01000000102510622032900681</ce:boxnum>{}{}</wb:boxtree>",
        "<ce:bl><ce:boxnum>01000000102510622032900681</ce:boxnum>".repeat(nest),
        "</ce:bl>".repeat(nest)
    );
    let fine = wb.replacen("<wb:boxtree>", &format!("{ok}<wb:boxtree>"), 1);
    assert!(parse_document(fine.as_bytes()).is_ok());
}

#[test]
fn many_distinct_unknown_children_stay_fast() {
    let t = sample("selyutinartyom_UTM/Ticket_4.xml");
    let junk: String = (0..50_000).map(|i| format!("<tc:X{i}/>")).collect();
    let bad = t.replace("<tc:DocType>", &format!("{junk}<tc:DocType>"));
    let started = std::time::Instant::now();
    let parsed = parse_document(bad.as_bytes()).unwrap();
    assert!(matches!(parsed.doc, Incoming::Ticket(_)));
    // Quadratic handling would take minutes here even in a debug build.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
