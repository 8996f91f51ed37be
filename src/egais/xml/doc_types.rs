//! UTM type names in `/opt/out` URLs versus element names under `ns:Document`.

/// (UTM type, element). The first entry for an element is what the UTM lists.
const ALIASES: &[(&str, &str)] = &[
    ("FORM2REGINFO", "TTNInformF2Reg"),
    ("FORMBREGINFO", "TTNInformBReg"),
    ("TTNHISTORYF2REG", "TTNHistoryF2Reg"),
    ("ReplyNATTN", "ReplyNoAnswerTTN"),
    ("WayBillTicket", "ConfirmTicket"),
    ("ReplyPartner", "ReplyClient_v2"),
];

/// Element names we model, for case-insensitive recognition of UTM types.
const ELEMENTS: &[&str] = &[
    "WayBill_v4",
    "TTNInformF2Reg",
    "Ticket",
    "ConfirmTicket",
    "ReplyNoAnswerTTN",
    "ReplyRestsShop_v2",
    "ReplyRests_v2",
    "TTNHistoryF2Reg",
    "WayBillAct_v4",
    "QueryNATTN",
    "QueryRestsShop_v2",
    "QueryRests_v2",
    "TransferToShop",
    "ActWriteOffShop_v2",
    "ActChargeOnShop_v2",
    "QueryResendDoc",
    "RequestRepealWB",
    "ChequeV3",
];

/// The name the UTM uses in `/opt/out/<Type>/<id>` for a document element.
pub fn utm_type_for_element(element: &str) -> &str {
    ALIASES
        .iter()
        .find(|(_, e)| *e == element)
        .map_or(element, |(utm, _)| utm)
}

/// The element name for a UTM type from an `/opt/out` URL (case-insensitive
/// for known names; unknown names are returned unchanged).
pub fn element_for_utm_type(utm_type: &str) -> &str {
    if let Some((_, e)) = ALIASES
        .iter()
        .find(|(u, _)| u.eq_ignore_ascii_case(utm_type))
    {
        return e;
    }
    ELEMENTS
        .iter()
        .find(|e| e.eq_ignore_ascii_case(utm_type))
        .copied()
        .unwrap_or(utm_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_both_ways() {
        assert_eq!(utm_type_for_element("TTNInformF2Reg"), "FORM2REGINFO");
        assert_eq!(utm_type_for_element("ReplyNoAnswerTTN"), "ReplyNATTN");
        assert_eq!(utm_type_for_element("WayBill_v4"), "WayBill_v4");
        assert_eq!(element_for_utm_type("FORM2REGINFO"), "TTNInformF2Reg");
        assert_eq!(element_for_utm_type("form2reginfo"), "TTNInformF2Reg");
        assert_eq!(element_for_utm_type("WAYBILLTICKET"), "ConfirmTicket");
        assert_eq!(element_for_utm_type("ConfirmTicket"), "ConfirmTicket");
        assert_eq!(element_for_utm_type("TICKET"), "Ticket");
        assert_eq!(element_for_utm_type("ReplyNATTN"), "ReplyNoAnswerTTN");
        assert_eq!(element_for_utm_type("Something"), "Something");
        for e in ELEMENTS {
            assert_eq!(element_for_utm_type(utm_type_for_element(e)), *e);
        }
    }
}
