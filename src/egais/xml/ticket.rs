//! `Ticket` (квитанция) and `ConfirmTicket` (the supplier's answer to a
//! discrepancy act; the UTM may list it as WayBillTicket).

use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};

use super::common::Conclusion;
use super::write::egais_document;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Ticket {
    #[serde(rename = "tc:TicketDate", skip_serializing_if = "Option::is_none")]
    pub ticket_date: Option<DateTime>,
    #[serde(rename = "tc:Identity", skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(rename = "tc:DocId")]
    pub doc_id: String,
    /// The GUID the UTM returned for the sent document (= `replyId`).
    #[serde(rename = "tc:TransportId")]
    pub transport_id: String,
    #[serde(rename = "tc:RegID", skip_serializing_if = "Option::is_none")]
    pub reg_id: Option<String>,
    #[serde(rename = "tc:DocHash", skip_serializing_if = "Option::is_none")]
    pub doc_hash: Option<String>,
    #[serde(rename = "tc:DocType", skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<String>,
    /// The format ticket: the document was (not) accepted for processing.
    #[serde(rename = "tc:Result", skip_serializing_if = "Option::is_none")]
    pub result: Option<TicketResult>,
    /// The business outcome.
    #[serde(rename = "tc:OperationResult", skip_serializing_if = "Option::is_none")]
    pub operation_result: Option<OperationResult>,
}

egais_document!(Ticket, "Ticket", [Ticket]);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketResult {
    #[serde(rename = "tc:Conclusion")]
    pub conclusion: Conclusion,
    #[serde(rename = "tc:ConclusionDate")]
    pub date: DateTime,
    #[serde(rename = "tc:Comments")]
    pub comments: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationResult {
    #[serde(rename = "tc:OperationName")]
    pub name: String,
    #[serde(rename = "tc:OperationResult")]
    pub result: Conclusion,
    #[serde(rename = "tc:OperationComment")]
    pub comment: String,
    #[serde(rename = "tc:OperationDate", skip_serializing_if = "Option::is_none")]
    pub date: Option<DateTime>,
}

impl Ticket {
    /// The operation result if present, else the format result.
    pub fn conclusion(&self) -> Option<Conclusion> {
        self.operation_result
            .as_ref()
            .map(|o| o.result)
            .or(self.result.as_ref().map(|r| r.conclusion))
    }

    /// The EGAIS comment explaining the conclusion.
    pub fn comment(&self) -> Option<&str> {
        self.operation_result
            .as_ref()
            .map(|o| o.comment.as_str())
            .or(self.result.as_ref().map(|r| r.comments.as_str()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmTicket {
    #[serde(rename = "wt:Identity", skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(rename = "wt:Header")]
    pub header: ConfirmTicketHeader,
}

egais_document!(ConfirmTicket, "ConfirmTicket", [ConfirmTicket]);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmTicketHeader {
    #[serde(rename = "wt:IsConfirm")]
    pub is_confirm: Conclusion,
    #[serde(rename = "wt:TicketNumber")]
    pub ticket_number: String,
    #[serde(rename = "wt:TicketDate")]
    pub ticket_date: Date,
    #[serde(rename = "wt:WBRegId")]
    pub wb_reg_id: String,
    #[serde(rename = "wt:Note", skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
