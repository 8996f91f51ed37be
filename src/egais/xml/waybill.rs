//! `WayBill_v4` (ТТН): the supplier's invoice, incoming (the simulator writes it).

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::common::{BoxTree, ChangeOwnership, InformF2, Mark, OrgRef, ProductInfo};
use super::write::egais_document;

/// `M`: see [`InformF2`]; the default keeps every stamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WayBillV4<M = Mark> {
    #[serde(rename = "wb:Identity", skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(rename = "wb:Header")]
    pub header: WayBillHeader,
    #[serde(rename = "wb:Content")]
    pub content: WayBillContent<M>,
}

egais_document!(
    WayBillV4,
    "WayBill_v4",
    [Common, CommonV3, ClientRefV2, ProductRefV2, WayBillV4]
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum WayBillType {
    #[default]
    WBInvoiceFromMe,
    WBInvoiceToMe,
    WBReturnFromMe,
    WBReturnToMe,
    WBInternal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WayBillHeader {
    #[serde(rename = "wb:Type")]
    pub kind: WayBillType,
    #[serde(rename = "wb:NUMBER")]
    pub number: String,
    #[serde(rename = "wb:Date")]
    pub date: Date,
    #[serde(rename = "wb:ShippingDate")]
    pub shipping_date: Date,
    #[serde(rename = "wb:Transport", skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
    #[serde(rename = "wb:Shipper")]
    pub shipper: OrgRef,
    #[serde(rename = "wb:Consignee")]
    pub consignee: OrgRef,
    #[serde(rename = "wb:Base", skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    #[serde(rename = "wb:Note", skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(rename = "wb:VarField1", skip_serializing_if = "Option::is_none")]
    pub var_field1: Option<String>,
    #[serde(rename = "wb:VarField2", skip_serializing_if = "Option::is_none")]
    pub var_field2: Option<String>,
    #[serde(rename = "wb:VarField3", skip_serializing_if = "Option::is_none")]
    pub var_field3: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TransportType {
    #[default]
    Car,
    Ship,
    Railway,
    Aircraft,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Transport {
    #[serde(rename = "wb:ChangeOwnership")]
    pub change_ownership: ChangeOwnership,
    #[serde(rename = "wb:TRAN_TYPE")]
    pub tran_type: String,
    #[serde(rename = "wb:TRAN_COMPANY", skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(rename = "wb:TRANSPORT_TYPE")]
    pub transport_type: TransportType,
    #[serde(
        rename = "wb:TRANSPORT_REGNUMBER",
        skip_serializing_if = "Option::is_none"
    )]
    pub reg_number: Option<String>,
    #[serde(rename = "wb:TRAN_TRAILER", skip_serializing_if = "Option::is_none")]
    pub trailer: Option<String>,
    #[serde(rename = "wb:TRAN_CUSTOMER", skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(rename = "wb:TRAN_DRIVER", skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(rename = "wb:TRAN_LOADPOINT", skip_serializing_if = "Option::is_none")]
    pub load_point: Option<String>,
    #[serde(
        rename = "wb:TRAN_UNLOADPOINT",
        skip_serializing_if = "Option::is_none"
    )]
    pub unload_point: Option<String>,
    #[serde(rename = "wb:TRAN_REDIRECT", skip_serializing_if = "Option::is_none")]
    pub redirect: Option<String>,
    #[serde(rename = "wb:TRAN_FORWARDER", skip_serializing_if = "Option::is_none")]
    pub forwarder: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WayBillContent<M = Mark> {
    #[serde(rename = "wb:Position", default = "Vec::new")]
    pub positions: Vec<WayBillPosition<M>>,
}

impl<M> Default for WayBillContent<M> {
    fn default() -> Self {
        WayBillContent {
            positions: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WayBillPosition<M = Mark> {
    #[serde(rename = "wb:Identity")]
    pub identity: String,
    #[serde(rename = "wb:Product")]
    pub product: ProductInfo,
    #[serde(rename = "wb:Pack_ID", skip_serializing_if = "Option::is_none")]
    pub pack_id: Option<String>,
    /// Bottles for packed product, decalitres for bulk.
    #[serde(rename = "wb:Quantity")]
    pub quantity: Decimal,
    #[serde(rename = "wb:alcPercent", skip_serializing_if = "Option::is_none")]
    pub alc_percent: Option<Decimal>,
    #[serde(rename = "wb:alcPercentMin", skip_serializing_if = "Option::is_none")]
    pub alc_percent_min: Option<Decimal>,
    #[serde(rename = "wb:alcPercentMax", skip_serializing_if = "Option::is_none")]
    pub alc_percent_max: Option<Decimal>,
    /// Price per unit, roubles.
    #[serde(rename = "wb:Price")]
    pub price: Decimal,
    #[serde(rename = "wb:Party", skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    #[serde(rename = "wb:EXCISE_NUMBER", skip_serializing_if = "Option::is_none")]
    pub excise_number: Option<String>,
    #[serde(rename = "wb:EXCISE_DATE", skip_serializing_if = "Option::is_none")]
    pub excise_date: Option<String>,
    #[serde(rename = "wb:EXCISE_SUM", skip_serializing_if = "Option::is_none")]
    pub excise_sum: Option<Decimal>,
    #[serde(rename = "wb:EXCISE_BS", skip_serializing_if = "Option::is_none")]
    pub excise_bs: Option<Decimal>,
    #[serde(rename = "wb:EAN13", skip_serializing_if = "Option::is_none")]
    pub ean13: Option<String>,
    /// Справка А.
    #[serde(rename = "wb:FARegId")]
    pub fa_reg_id: String,
    /// The shipper's справка Б and the stamps.
    #[serde(rename = "wb:InformF2")]
    pub inform_f2: InformF2<M>,
    #[serde(rename = "wb:boxInfo", skip_serializing_if = "Option::is_none")]
    pub box_info: Option<BoxInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BoxInfo {
    #[serde(rename = "wb:boxtree", default)]
    pub boxes: Vec<BoxTree>,
}

impl<M> Default for WayBillPosition<M> {
    fn default() -> Self {
        WayBillPosition {
            identity: String::new(),
            product: ProductInfo::default(),
            pack_id: None,
            quantity: Decimal::ZERO,
            alc_percent: None,
            alc_percent_min: None,
            alc_percent_max: None,
            price: Decimal::ZERO,
            party: None,
            excise_number: None,
            excise_date: None,
            excise_sum: None,
            excise_bs: None,
            ean13: None,
            fa_reg_id: String::new(),
            inform_f2: InformF2::default(),
            box_info: None,
        }
    }
}

impl<M> WayBillPosition<M> {
    pub fn marks(&self) -> impl Iterator<Item = &M> {
        self.inform_f2.mark_info.iter().flat_map(|m| m.marks())
    }

    /// Quantity × price, not rounded.
    pub fn sum(&self) -> Decimal {
        self.quantity * self.price
    }
}

impl<M> WayBillV4<M> {
    pub fn positions(&self) -> &[WayBillPosition<M>] {
        &self.content.positions
    }

    pub fn stamp_count(&self) -> usize {
        self.content
            .positions
            .iter()
            .map(|p| p.marks().count())
            .sum()
    }

    /// Σ quantity × price, rounded to kopecks.
    pub fn total(&self) -> Decimal {
        self.content
            .positions
            .iter()
            .map(WayBillPosition::sum)
            .sum::<Decimal>()
            .round_dp(2)
    }
}
