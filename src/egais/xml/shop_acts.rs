//! Register movements of a shop: TransferToShop (register 1 → 2),
//! ActWriteOffShop_v2 (write-off from register 2, incl. the daily beer
//! «Реализация»), ActChargeOnShop_v2 (put on register 2) and RequestRepealWB.

use jiff::civil::{Date, DateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::common::{Mark, ProductInfo};
use super::write::egais_document;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferToShop {
    #[serde(rename = "tts:Identity", skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(rename = "tts:Header")]
    pub header: TransferHeader,
    #[serde(rename = "tts:Content")]
    pub content: TransferContent,
}

egais_document!(
    TransferToShop,
    "TransferToShop",
    [ProductRefV2, TransferToShop]
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferHeader {
    #[serde(rename = "tts:TransferNumber")]
    pub number: String,
    #[serde(rename = "tts:TransferDate")]
    pub date: Date,
    #[serde(rename = "tts:Note", skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TransferContent {
    #[serde(rename = "tts:Position", default)]
    pub positions: Vec<TransferPosition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferPosition {
    #[serde(rename = "tts:Identity")]
    pub identity: String,
    /// AlcCode.
    #[serde(rename = "tts:ProductCode")]
    pub product_code: String,
    #[serde(rename = "tts:Quantity")]
    pub quantity: Decimal,
    #[serde(rename = "tts:InformF2")]
    pub inform_f2: TransferInformF2,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferInformF2 {
    /// FB-… справка Б on register 1.
    #[serde(rename = "pref:F2RegId")]
    pub f2_reg_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActWriteOffShopV2 {
    #[serde(rename = "awr:Identity", skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(rename = "awr:Header")]
    pub header: WriteOffHeader,
    #[serde(rename = "awr:Content")]
    pub content: WriteOffContent,
}

egais_document!(
    ActWriteOffShopV2,
    "ActWriteOffShop_v2",
    [ClientRefV2, ProductRefV2, ActWriteOffShopV2]
);

/// `ce:TypeWriteOff` (CommonEnum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WriteOffKind {
    #[serde(rename = "Пересортица")]
    Regrading,
    #[serde(rename = "Недостача")]
    Shortage,
    #[serde(rename = "Уценка")]
    Markdown,
    #[serde(rename = "Порча")]
    Spoilage,
    #[serde(rename = "Потери")]
    Losses,
    #[serde(rename = "Проверки")]
    Inspection,
    #[serde(rename = "Арест")]
    Arrest,
    #[serde(rename = "Иные цели")]
    Other,
    /// Retail sale of product not registered per cheque (beer): the order-164 journal.
    #[serde(rename = "Реализация")]
    Sale,
    #[serde(rename = "Производственные потери")]
    ProductionLosses,
    #[serde(rename = "Приготовление")]
    Cooking,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteOffHeader {
    #[serde(rename = "awr:ActNumber")]
    pub number: String,
    #[serde(rename = "awr:ActDate")]
    pub date: Date,
    #[serde(rename = "awr:TypeWriteOff")]
    pub kind: WriteOffKind,
    #[serde(rename = "awr:Note", skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct WriteOffContent {
    #[serde(rename = "awr:Position", default)]
    pub positions: Vec<WriteOffPosition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteOffPosition {
    #[serde(rename = "awr:Identity")]
    pub identity: String,
    #[serde(rename = "awr:Product")]
    pub product: ProductInfo,
    #[serde(rename = "awr:Quantity")]
    pub quantity: Decimal,
    #[serde(rename = "awr:SumSale", skip_serializing_if = "Option::is_none")]
    pub sum_sale: Option<Decimal>,
    #[serde(rename = "awr:MarkCodeInfo", skip_serializing_if = "Option::is_none")]
    pub mark_code_info: Option<MarkCodeInfo>,
}

/// `ce:MarkCodeInfoType` of CommonEnum, whose schema has unqualified local
/// elements: `MarkCode` is written without a namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MarkCodeInfo {
    #[serde(rename = "MarkCode", default)]
    pub marks: Vec<Mark>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActChargeOnShopV2 {
    #[serde(rename = "ainp:Identity", skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(rename = "ainp:Header")]
    pub header: ChargeOnHeader,
    #[serde(rename = "ainp:Content")]
    pub content: ChargeOnContent,
}

egais_document!(
    ActChargeOnShopV2,
    "ActChargeOnShop_v2",
    [ClientRefV2, ProductRefV2, ActChargeOnShopV2]
);

/// `ce:TypeChargeOn` (CommonEnum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChargeOnKind {
    #[serde(rename = "Пересортица")]
    Regrading,
    #[serde(rename = "Излишки")]
    Surplus,
    #[serde(rename = "Продукция, полученная до 01.01.2016")]
    Before2016,
    #[serde(rename = "Производство_Сливы")]
    Production,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeOnHeader {
    #[serde(rename = "ainp:Number")]
    pub number: String,
    #[serde(rename = "ainp:ActDate")]
    pub date: Date,
    #[serde(rename = "ainp:TypeChargeOn")]
    pub kind: ChargeOnKind,
    #[serde(rename = "ainp:ActWriteOff", skip_serializing_if = "Option::is_none")]
    pub act_write_off: Option<String>,
    #[serde(rename = "ainp:Note", skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ChargeOnContent {
    #[serde(rename = "ainp:Position", default)]
    pub positions: Vec<ChargeOnPosition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeOnPosition {
    #[serde(rename = "ainp:Identity")]
    pub identity: String,
    #[serde(rename = "ainp:Product")]
    pub product: ProductInfo,
    #[serde(rename = "ainp:Quantity")]
    pub quantity: Decimal,
}

/// Request to cancel a waybill (answered by ConfirmRepealWB).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRepealWb {
    /// Our FSRAR ID.
    #[serde(rename = "qrw:ClientId")]
    pub client_id: String,
    #[serde(rename = "qrw:RequestNumber")]
    pub request_number: String,
    #[serde(rename = "qrw:RequestDate")]
    pub request_date: DateTime,
    #[serde(rename = "qrw:WBRegId")]
    pub wb_reg_id: String,
}

egais_document!(RequestRepealWb, "RequestRepealWB", [RequestRepealWb]);
