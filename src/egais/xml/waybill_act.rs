//! `WayBillAct_v4`: our act of acceptance, rejection or discrepancies for a TTN.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::common::{AmcList, ChangeOwnership, Mark};
use super::write::egais_document;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WayBillActV4 {
    #[serde(rename = "wa:Identity", skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(rename = "wa:Header")]
    pub header: ActHeader,
    #[serde(rename = "wa:Content", skip_serializing_if = "Option::is_none")]
    pub content: Option<ActContent>,
    #[serde(rename = "wa:Transport", skip_serializing_if = "Option::is_none")]
    pub transport: Option<ActTransport>,
}

egais_document!(
    WayBillActV4,
    "WayBillAct_v4",
    [Common, CommonV3, WayBillActV4]
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IsAccept {
    Accepted,
    Rejected,
    Differences,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActHeader {
    #[serde(rename = "wa:IsAccept")]
    pub is_accept: IsAccept,
    #[serde(rename = "wa:ACTNUMBER")]
    pub number: String,
    #[serde(rename = "wa:ActDate")]
    pub date: Date,
    /// TTN-… from FORM2REGINFO.
    #[serde(rename = "wa:WBRegId")]
    pub wb_reg_id: String,
    #[serde(rename = "wa:Note", skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ActContent {
    #[serde(rename = "wa:Position", default)]
    pub positions: Vec<ActPosition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActPosition {
    #[serde(rename = "wa:Identity")]
    pub identity: String,
    /// FB-… of the consignee from FORM2REGINFO.
    #[serde(rename = "wa:InformF2RegId")]
    pub inform_f2_reg_id: String,
    #[serde(rename = "wa:RealQuantity")]
    pub real_quantity: Decimal,
    #[serde(rename = "wa:alcPercent", skip_serializing_if = "Option::is_none")]
    pub alc_percent: Option<Decimal>,
    #[serde(rename = "wa:alcPercentMin", skip_serializing_if = "Option::is_none")]
    pub alc_percent_min: Option<Decimal>,
    #[serde(rename = "wa:alcPercentMax", skip_serializing_if = "Option::is_none")]
    pub alc_percent_max: Option<Decimal>,
    /// The stamps actually accepted.
    #[serde(rename = "wa:MarkInfo", skip_serializing_if = "Option::is_none")]
    pub mark_info: Option<AmcList>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActTransport {
    #[serde(rename = "wa:ChangeOwnership")]
    pub change_ownership: ChangeOwnership,
}

impl ActPosition {
    pub fn new(
        identity: &str,
        inform_f2_reg_id: &str,
        real_quantity: Decimal,
        marks: Vec<Mark>,
    ) -> Self {
        ActPosition {
            identity: identity.to_string(),
            inform_f2_reg_id: inform_f2_reg_id.to_string(),
            real_quantity,
            alc_percent: None,
            alc_percent_min: None,
            alc_percent_max: None,
            mark_info: (!marks.is_empty()).then(|| AmcList {
                amc: marks,
                ms: Vec::new(),
            }),
        }
    }
}

impl WayBillActV4 {
    fn with(
        is_accept: IsAccept,
        number: &str,
        date: Date,
        wb_reg_id: &str,
        note: Option<String>,
    ) -> Self {
        WayBillActV4 {
            identity: None,
            header: ActHeader {
                is_accept,
                number: number.to_string(),
                date,
                wb_reg_id: wb_reg_id.to_string(),
                note,
            },
            content: None,
            transport: None,
        }
    }

    /// Accept the whole waybill as shipped.
    pub fn accept(number: &str, date: Date, wb_reg_id: &str) -> Self {
        let mut act = Self::with(IsAccept::Accepted, number, date, wb_reg_id, None);
        act.transport = Some(ActTransport {
            change_ownership: ChangeOwnership::IsChange,
        });
        act
    }

    /// Refuse the whole waybill.
    pub fn reject(number: &str, date: Date, wb_reg_id: &str, reason: &str) -> Self {
        Self::with(
            IsAccept::Rejected,
            number,
            date,
            wb_reg_id,
            Some(reason.to_string()),
        )
    }

    /// Accept with discrepancies: one position per differing line.
    pub fn differences(
        number: &str,
        date: Date,
        wb_reg_id: &str,
        note: Option<String>,
        positions: Vec<ActPosition>,
    ) -> Self {
        let mut act = Self::with(IsAccept::Differences, number, date, wb_reg_id, note);
        act.content = Some(ActContent { positions });
        act
    }

    pub fn positions(&self) -> &[ActPosition] {
        self.content
            .as_ref()
            .map_or(&[], |c| c.positions.as_slice())
    }
}
