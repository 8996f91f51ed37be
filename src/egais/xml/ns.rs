//! EGAIS namespace URIs and the conventional prefixes we write.
//!
//! Reading never trusts a prefix: the tree keeps the resolved URI, and the
//! serde layer presents every element to the models as
//! `<canonical prefix>:<local name>` (see `de.rs`), so one struct definition
//! serves both the exact writer and the prefix-agnostic reader. That only works
//! if the table below maps every URI to a *distinct* prefix.

/// A namespace we model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ns {
    Envelope,
    Common,
    CommonV3,
    ClientRefV2,
    ProductRefV2,
    WayBillV4,
    WayBillActV4,
    InformF2Reg,
    Ticket,
    ConfirmTicket,
    QueryParameters,
    ReplyRestsV2,
    ReplyRestsShopV2,
    ReplyNoAnswerTtn,
    TtnHistoryF2Reg,
    TransferToShop,
    ActWriteOffShopV2,
    ActChargeOnShopV2,
    RequestRepealWb,
    ChequeV3,
}

impl Ns {
    pub const ALL: [Ns; 20] = [
        Ns::Envelope,
        Ns::Common,
        Ns::CommonV3,
        Ns::ClientRefV2,
        Ns::ProductRefV2,
        Ns::WayBillV4,
        Ns::WayBillActV4,
        Ns::InformF2Reg,
        Ns::Ticket,
        Ns::ConfirmTicket,
        Ns::QueryParameters,
        Ns::ReplyRestsV2,
        Ns::ReplyRestsShopV2,
        Ns::ReplyNoAnswerTtn,
        Ns::TtnHistoryF2Reg,
        Ns::TransferToShop,
        Ns::ActWriteOffShopV2,
        Ns::ActChargeOnShopV2,
        Ns::RequestRepealWb,
        Ns::ChequeV3,
    ];

    pub const fn uri(self) -> &'static str {
        match self {
            Ns::Envelope => "http://fsrar.ru/WEGAIS/WB_DOC_SINGLE_01",
            Ns::Common => "http://fsrar.ru/WEGAIS/Common",
            Ns::CommonV3 => "http://fsrar.ru/WEGAIS/CommonV3",
            Ns::ClientRefV2 => "http://fsrar.ru/WEGAIS/ClientRef_v2",
            Ns::ProductRefV2 => "http://fsrar.ru/WEGAIS/ProductRef_v2",
            Ns::WayBillV4 => "http://fsrar.ru/WEGAIS/TTNSingle_v4",
            Ns::WayBillActV4 => "http://fsrar.ru/WEGAIS/ActTTNSingle_v4",
            Ns::InformF2Reg => "http://fsrar.ru/WEGAIS/TTNInformF2Reg",
            Ns::Ticket => "http://fsrar.ru/WEGAIS/Ticket",
            Ns::ConfirmTicket => "http://fsrar.ru/WEGAIS/ConfirmTicket",
            Ns::QueryParameters => "http://fsrar.ru/WEGAIS/QueryParameters",
            Ns::ReplyRestsV2 => "http://fsrar.ru/WEGAIS/ReplyRests_v2",
            Ns::ReplyRestsShopV2 => "http://fsrar.ru/WEGAIS/ReplyRestsShop_v2",
            Ns::ReplyNoAnswerTtn => "http://fsrar.ru/WEGAIS/ReplyNoAnswerTTN",
            Ns::TtnHistoryF2Reg => "http://fsrar.ru/WEGAIS/TTNHistoryF2Reg",
            Ns::TransferToShop => "http://fsrar.ru/WEGAIS/TransferToShop",
            Ns::ActWriteOffShopV2 => "http://fsrar.ru/WEGAIS/ActWriteOffShop_v2",
            Ns::ActChargeOnShopV2 => "http://fsrar.ru/WEGAIS/ActChargeOnShop_v2",
            Ns::RequestRepealWb => "http://fsrar.ru/WEGAIS/RequestRepealWB",
            Ns::ChequeV3 => "http://fsrar.ru/WEGAIS/ChequeV3",
        }
    }

    /// The prefix written by us and used as the serde key prefix when reading.
    pub const fn prefix(self) -> &'static str {
        match self {
            Ns::Envelope => "ns",
            Ns::Common => "c",
            Ns::CommonV3 => "ce",
            Ns::ClientRefV2 => "oref",
            Ns::ProductRefV2 => "pref",
            Ns::WayBillV4 => "wb",
            Ns::WayBillActV4 => "wa",
            Ns::InformF2Reg => "wbr",
            Ns::Ticket => "tc",
            Ns::ConfirmTicket => "wt",
            Ns::QueryParameters => "qp",
            Ns::ReplyRestsV2 => "rst",
            Ns::ReplyRestsShopV2 => "rsts",
            Ns::ReplyNoAnswerTtn => "ttn",
            Ns::TtnHistoryF2Reg => "hf2",
            Ns::TransferToShop => "tts",
            Ns::ActWriteOffShopV2 => "awr",
            Ns::ActChargeOnShopV2 => "ainp",
            Ns::RequestRepealWb => "qrw",
            Ns::ChequeV3 => "ck",
        }
    }

    pub fn from_uri(uri: &str) -> Option<Ns> {
        Ns::ALL.iter().copied().find(|ns| ns.uri() == uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_uris_are_distinct() {
        for (i, a) in Ns::ALL.iter().enumerate() {
            for b in &Ns::ALL[i + 1..] {
                assert_ne!(a.prefix(), b.prefix(), "{a:?} vs {b:?}");
                assert_ne!(a.uri(), b.uri(), "{a:?} vs {b:?}");
            }
            assert_eq!(Ns::from_uri(a.uri()), Some(*a));
        }
    }
}
