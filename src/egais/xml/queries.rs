//! Queries with `qp:QueryParameters`: QueryNATTN, QueryRestsShop_v2,
//! QueryRests_v2 and QueryResendDoc.

use serde::{Deserialize, Serialize};

use super::write::egais_document;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Parameters {
    #[serde(rename = "qp:Parameter", default)]
    pub items: Vec<Parameter>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    #[serde(rename = "qp:Name")]
    pub name: String,
    #[serde(rename = "qp:Value")]
    pub value: String,
}

macro_rules! query_document {
    ($(#[$doc:meta])* $ty:ident, $element:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
        pub struct $ty {
            #[serde(rename = "qp:Parameters", default, skip_serializing_if = "Vec::is_empty")]
            pub parameters: Vec<Parameters>,
        }

        egais_document!($ty, $element, [QueryParameters]);

        impl $ty {
            /// A query with the given (name, value) parameters; none gives the empty element.
            pub fn with_params(params: &[(&str, &str)]) -> Self {
                let items: Vec<Parameter> = params
                    .iter()
                    .map(|(n, v)| Parameter {
                        name: n.to_string(),
                        value: v.to_string(),
                    })
                    .collect();
                $ty {
                    parameters: if items.is_empty() {
                        Vec::new()
                    } else {
                        vec![Parameters { items }]
                    },
                }
            }

            /// The value of the first parameter with this name.
            pub fn param(&self, name: &str) -> Option<&str> {
                self.parameters
                    .iter()
                    .flat_map(|p| p.items.iter())
                    .find(|p| p.name == name)
                    .map(|p| p.value.as_str())
            }
        }
    };
}

query_document!(
    /// Waybills without our answer (reply ReplyNoAnswerTTN); optional `КОД` = our FSRAR ID.
    QueryNattn,
    "QueryNATTN"
);
query_document!(
    /// Register 2 (shop floor) stock; reply ReplyRestsShop_v2.
    QueryRestsShopV2,
    "QueryRestsShop_v2"
);
query_document!(
    /// Register 1 (warehouse) stock; reply ReplyRests_v2.
    QueryRestsV2,
    "QueryRests_v2"
);
query_document!(
    /// Ask EGAIS to send a document again; parameter `WBREGID` = TTN-….
    QueryResendDoc,
    "QueryResendDoc"
);

impl QueryNattn {
    pub fn for_fsrar_id(fsrar_id: &str) -> Self {
        Self::with_params(&[("КОД", fsrar_id)])
    }
}

impl QueryResendDoc {
    pub fn waybill(wb_reg_id: &str) -> Self {
        Self::with_params(&[("WBREGID", wb_reg_id)])
    }
}
