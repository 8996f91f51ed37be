//! `TTNInformF2Reg` (UTM type FORM2REGINFO): EGAIS registered an incoming TTN and
//! issued the consignee's справки Б (`InformF2RegId`, FB-…), which the act of
//! acceptance and transfers must reference.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::common::OrgRef;
use super::write::egais_document;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TtnInformF2Reg {
    #[serde(rename = "wbr:Header")]
    pub header: InformF2Header,
    #[serde(rename = "wbr:Content")]
    pub content: InformF2Content,
}

egais_document!(TtnInformF2Reg, "TTNInformF2Reg", [ClientRefV2, InformF2Reg]);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InformF2Header {
    #[serde(rename = "wbr:Identity", skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// TTN-… : the EGAIS id of the waybill.
    #[serde(rename = "wbr:WBRegId")]
    pub wb_reg_id: String,
    #[serde(rename = "wbr:EGAISFixNumber", skip_serializing_if = "Option::is_none")]
    pub fix_number: Option<String>,
    #[serde(rename = "wbr:EGAISFixDate", skip_serializing_if = "Option::is_none")]
    pub fix_date: Option<Date>,
    #[serde(rename = "wbr:WBNUMBER")]
    pub wb_number: String,
    #[serde(rename = "wbr:WBDate")]
    pub wb_date: Date,
    #[serde(rename = "wbr:Shipper")]
    pub shipper: OrgRef,
    #[serde(rename = "wbr:Consignee")]
    pub consignee: OrgRef,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct InformF2Content {
    #[serde(rename = "wbr:Position", default)]
    pub positions: Vec<InformF2Position>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InformF2Position {
    /// Equals `Position/Identity` of the waybill.
    #[serde(rename = "wbr:Identity")]
    pub identity: String,
    /// FB-… : the consignee's new справка Б.
    #[serde(rename = "wbr:InformF2RegId")]
    pub inform_f2_reg_id: String,
    #[serde(rename = "wbr:BottlingDate", skip_serializing_if = "Option::is_none")]
    pub bottling_date: Option<Date>,
}

impl TtnInformF2Reg {
    /// The справка Б issued for the waybill position with this identity.
    pub fn f2_for(&self, position_identity: &str) -> Option<&str> {
        self.content
            .positions
            .iter()
            .find(|p| p.identity == position_identity)
            .map(|p| p.inform_f2_reg_id.as_str())
    }
}
