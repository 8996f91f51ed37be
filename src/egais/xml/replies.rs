//! Replies EGAIS sends to our queries: ReplyNoAnswerTTN (UTM type ReplyNATTN),
//! ReplyRestsShop_v2 (register 2), ReplyRests_v2 (register 1) and
//! TTNHistoryF2Reg (the справка Б chain of a TTN).

use jiff::civil::{Date, DateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::common::ProductInfo;
use super::write::egais_document;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyNoAnswerTtn {
    /// FSRAR ID of the consignee (us).
    #[serde(rename = "ttn:Consignee")]
    pub consignee: String,
    #[serde(rename = "ttn:ReplyDate")]
    pub reply_date: DateTime,
    #[serde(rename = "ttn:ttnlist")]
    pub list: NoAnswerList,
}

egais_document!(ReplyNoAnswerTtn, "ReplyNoAnswerTTN", [ReplyNoAnswerTtn]);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NoAnswerList {
    #[serde(rename = "ttn:NoAnswer", default)]
    pub items: Vec<NoAnswer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoAnswer {
    #[serde(rename = "ttn:WbRegID")]
    pub wb_reg_id: String,
    #[serde(rename = "ttn:ttnNumber")]
    pub ttn_number: String,
    #[serde(rename = "ttn:ttnDate")]
    pub ttn_date: Date,
    /// FSRAR ID of the shipper.
    #[serde(rename = "ttn:Shipper")]
    pub shipper: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyRestsShopV2 {
    #[serde(rename = "rsts:RestsDate")]
    pub rests_date: DateTime,
    #[serde(rename = "rsts:Products", skip_serializing_if = "Option::is_none")]
    pub products: Option<ShopProducts>,
}

egais_document!(
    ReplyRestsShopV2,
    "ReplyRestsShop_v2",
    [ClientRefV2, ProductRefV2, ReplyRestsShopV2]
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ShopProducts {
    #[serde(rename = "rsts:ShopPosition", default)]
    pub positions: Vec<ShopPosition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopPosition {
    #[serde(rename = "rsts:Product")]
    pub product: ProductInfo,
    #[serde(rename = "rsts:Quantity")]
    pub quantity: Decimal,
}

impl ReplyRestsShopV2 {
    pub fn positions(&self) -> &[ShopPosition] {
        self.products
            .as_ref()
            .map_or(&[], |p| p.positions.as_slice())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyRestsV2 {
    #[serde(rename = "rst:RestsDate")]
    pub rests_date: DateTime,
    #[serde(rename = "rst:Products", skip_serializing_if = "Option::is_none")]
    pub products: Option<StockProducts>,
}

egais_document!(
    ReplyRestsV2,
    "ReplyRests_v2",
    [ClientRefV2, ProductRefV2, ReplyRestsV2]
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StockProducts {
    #[serde(rename = "rst:StockPosition", default)]
    pub positions: Vec<StockPosition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockPosition {
    #[serde(rename = "rst:Product")]
    pub product: ProductInfo,
    #[serde(rename = "rst:Quantity")]
    pub quantity: Decimal,
    #[serde(rename = "rst:InformF1RegId")]
    pub inform_f1_reg_id: String,
    #[serde(rename = "rst:InformF2RegId")]
    pub inform_f2_reg_id: String,
    #[serde(rename = "rst:alcPercent", skip_serializing_if = "Option::is_none")]
    pub alc_percent: Option<Decimal>,
    #[serde(rename = "rst:alcPercentMin", skip_serializing_if = "Option::is_none")]
    pub alc_percent_min: Option<Decimal>,
    #[serde(rename = "rst:alcPercentMax", skip_serializing_if = "Option::is_none")]
    pub alc_percent_max: Option<Decimal>,
}

impl ReplyRestsV2 {
    pub fn positions(&self) -> &[StockPosition] {
        self.products
            .as_ref()
            .map_or(&[], |p| p.positions.as_slice())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TtnHistoryF2Reg {
    #[serde(rename = "hf2:Header")]
    pub header: HistoryHeader,
    #[serde(rename = "hf2:Content")]
    pub content: HistoryContent,
}

egais_document!(TtnHistoryF2Reg, "TTNHistoryF2Reg", [TtnHistoryF2Reg]);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryHeader {
    #[serde(rename = "hf2:WBRegId")]
    pub wb_reg_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct HistoryContent {
    #[serde(rename = "hf2:Position", default)]
    pub positions: Vec<HistoryPosition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPosition {
    #[serde(rename = "hf2:Identity")]
    pub identity: String,
    #[serde(rename = "hf2:HistF2")]
    pub history: HistF2,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct HistF2 {
    #[serde(rename = "hf2:step", default)]
    pub steps: Vec<HistoryStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryStep {
    #[serde(rename = "hf2:lev")]
    pub level: i64,
    #[serde(rename = "hf2:Form2")]
    pub form2: String,
    #[serde(rename = "hf2:parentForm2")]
    pub parent_form2: String,
    #[serde(rename = "hf2:Shipper")]
    pub shipper: String,
    #[serde(rename = "hf2:Consignee")]
    pub consignee: String,
    #[serde(rename = "hf2:WBRegId")]
    pub wb_reg_id: String,
    #[serde(rename = "hf2:amount")]
    pub amount: Decimal,
}
