//! HTTP client for the shop's UTM (PROTOCOL.md §1, §3): plain HTTP, no proxy, bounded
//! timeouts, every failure a typed [`UtmError`] with a Russian message.
//!
//! The FSRAR ID guard lives here, not in the callers: every send first checks that the
//! UTM answering on the configured address holds the key of the configured shop (a UTM
//! on the wrong port or of another shop is a common and costly mistake). The check is
//! cached for [`GUARD_TTL`] and dropped whenever a request fails to reach the UTM, so a
//! restarted or replaced UTM is checked again before the next send.

pub mod dom;
mod error;
pub mod info;
pub mod reply;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::multipart::{Form, Part};

use crate::config::{self, ChequeFormat};

pub use error::UtmError;
pub use info::{CertInfo, InfoSource, UtmInfo};
pub use reply::{OutEntry, UtmReply, element_for_utm_type, utm_type_for_element};

/// How long a successful FSRAR ID check is trusted.
pub const GUARD_TTL: Duration = Duration::from_secs(60);

/// Longest error body quoted in a message.
const MAX_QUOTED: usize = 300;

/// What the UTM answered to an accepted document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReceipt {
    /// The transport GUID (`<url>`): later `replyId` in `/opt/out`, `TransportId` in tickets.
    pub reply_id: String,
    pub sign: Option<String>,
}

/// What the UTM answered to an accepted cheque: the QR code is `url` verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChequeReceipt {
    pub url: String,
    pub sign: String,
}

/// Cheap to clone; clones share the connection pool and the FSRAR ID check.
#[derive(Clone)]
pub struct UtmClient {
    http: reqwest::Client,
    base: String,
    expected_fsrar_id: String,
    request_timeout: Duration,
    guard: Arc<Mutex<Option<(Instant, String)>>>,
}

impl UtmClient {
    /// `expected_fsrar_id` is the shop's configured FSRAR ID; sends are refused unless the
    /// UTM reports the same.
    pub fn new(cfg: &config::Utm, expected_fsrar_id: &str) -> Result<UtmClient, UtmError> {
        let base = cfg.url.trim().trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&base).map_err(|e| UtmError::BadUrl {
            url: cfg.url.clone(),
            detail: e.to_string(),
        })?;
        if parsed.scheme() != "http" {
            // Built without TLS on purpose: the UTM is a local plain-HTTP service.
            return Err(UtmError::BadUrl {
                url: cfg.url.clone(),
                detail: "only http:// is supported".into(),
            });
        }
        let request_timeout = Duration::from_millis(cfg.request_timeout_ms.max(1));
        let http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(Duration::from_millis(cfg.connect_timeout_ms.max(1)))
            .timeout(request_timeout)
            .build()
            .map_err(|e| UtmError::BadUrl {
                url: cfg.url.clone(),
                detail: e.to_string(),
            })?;
        Ok(UtmClient {
            http,
            base,
            expected_fsrar_id: expected_fsrar_id.trim().to_string(),
            request_timeout,
            guard: Arc::new(Mutex::new(None)),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn expected_fsrar_id(&self) -> &str {
        &self.expected_fsrar_id
    }

    /// `POST /opt/in/<doc_type>` with the document as multipart field `xml_file`.
    pub async fn send_document(
        &self,
        doc_type: &str,
        xml: Vec<u8>,
    ) -> Result<SendReceipt, UtmError> {
        self.ensure_fsrar().await?;
        let reply = self.post_xml(&format!("/opt/in/{doc_type}"), xml).await?;
        let reply_id = reply
            .url
            .ok_or_else(|| self.malformed("no <url> in the answer"))?;
        Ok(SendReceipt {
            reply_id,
            sign: reply.sign,
        })
    }

    /// Registers a retail cheque: the attribute `<Cheque>` goes to `/xml`, `ChequeV3` to
    /// `/opt/in/ChequeV3`. Both answers carry the check URL and signature for the QR.
    pub async fn send_cheque(
        &self,
        format: ChequeFormat,
        xml: Vec<u8>,
    ) -> Result<ChequeReceipt, UtmError> {
        self.ensure_fsrar().await?;
        let path = match format {
            ChequeFormat::Xml => "/xml",
            ChequeFormat::ChequeV3 => "/opt/in/ChequeV3",
        };
        let reply = self.post_xml(path, xml).await?;
        match (reply.url, reply.sign) {
            (Some(url), Some(sign)) => Ok(ChequeReceipt { url, sign }),
            _ => Err(self.malformed("the cheque answer lacks <url> or <sign>")),
        }
    }

    /// `GET /opt/out`: documents waiting for us.
    pub async fn list_out(&self) -> Result<Vec<OutEntry>, UtmError> {
        let body = self.get_ok("/opt/out").await?;
        reply::parse_out_list(&body).map_err(|e| self.malformed(&e.to_string()))
    }

    /// `GET /opt/in`: documents accepted by the UTM but not yet delivered to EGAIS.
    pub async fn list_in(&self) -> Result<Vec<OutEntry>, UtmError> {
        let body = self.get_ok("/opt/in").await?;
        reply::parse_out_list(&body).map_err(|e| self.malformed(&e.to_string()))
    }

    /// `GET /opt/out/<Type>/<id>`: one incoming document, raw.
    pub async fn fetch_out(&self, doc_type: &str, id: &str) -> Result<Vec<u8>, UtmError> {
        self.get_ok(&format!("/opt/out/{doc_type}/{id}")).await
    }

    /// `GET /opt/in/<Type>/<id>`: one of our documents still queued in the UTM.
    pub async fn fetch_in(&self, doc_type: &str, id: &str) -> Result<Vec<u8>, UtmError> {
        self.get_ok(&format!("/opt/in/{doc_type}/{id}")).await
    }

    /// `DELETE /opt/out/<Type>/<id>`. A 404 counts as done: the document is gone either way.
    pub async fn delete_out(&self, doc_type: &str, id: &str) -> Result<(), UtmError> {
        let url = format!("{}/opt/out/{doc_type}/{id}", self.base);
        let resp = self
            .http
            .delete(&url)
            .send()
            .await
            .map_err(|e| self.transport(e))?;
        let status = resp.status();
        if status.is_success() || status == reqwest::StatusCode::NOT_FOUND {
            return Ok(());
        }
        let body = resp.bytes().await.map_err(|e| self.transport(e))?;
        Err(rejected(status.as_u16(), &body))
    }

    /// The UTM's status from `/api/info/list`, or from `/diagnosis` on UTMs without it.
    pub async fn info(&self) -> Result<UtmInfo, UtmError> {
        let resp = self
            .http
            .get(format!("{}/api/info/list", self.base))
            .send()
            .await
            .map_err(|e| self.transport(e))?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(|e| self.transport(e))?;
        let primary = if status.is_success() {
            info::parse_info_list(&body)
        } else {
            Err(format!("HTTP {status}"))
        };
        match primary {
            Ok(info) => Ok(info),
            Err(why) => {
                tracing::debug!(%why, "UTM /api/info/list unusable, trying /diagnosis");
                let body = self.get_ok("/diagnosis").await?;
                info::parse_diagnosis(&body).map_err(|e| self.malformed(&e))
            }
        }
    }

    /// Checks (or trusts a recent check) that the UTM's FSRAR ID is the configured one.
    pub async fn ensure_fsrar(&self) -> Result<String, UtmError> {
        if let Some(id) = self.cached_guard() {
            return Ok(id);
        }
        let info = self.info().await?;
        self.check_fsrar(&info)
    }

    /// Compares an already fetched status with the configuration and caches a match.
    pub fn check_fsrar(&self, info: &UtmInfo) -> Result<String, UtmError> {
        let utm = info.effective_fsrar_id().unwrap_or("").to_string();
        if self.expected_fsrar_id.is_empty() || utm != self.expected_fsrar_id {
            self.invalidate_guard();
            return Err(UtmError::FsrarMismatch {
                utm: if utm.is_empty() { "?".into() } else { utm },
                configured: if self.expected_fsrar_id.is_empty() {
                    "не задан".into()
                } else {
                    self.expected_fsrar_id.clone()
                },
            });
        }
        if let Ok(mut g) = self.guard.lock() {
            *g = Some((Instant::now(), utm.clone()));
        }
        Ok(utm)
    }

    /// Forgets the FSRAR ID check, e.g. after the UTM was unreachable.
    pub fn invalidate_guard(&self) {
        if let Ok(mut g) = self.guard.lock() {
            *g = None;
        }
    }

    fn cached_guard(&self) -> Option<String> {
        let g = self.guard.lock().ok()?;
        g.as_ref()
            .filter(|(at, _)| at.elapsed() < GUARD_TTL)
            .map(|(_, id)| id.clone())
    }

    async fn post_xml(&self, path: &str, xml: Vec<u8>) -> Result<UtmReply, UtmError> {
        let part = Part::bytes(xml)
            .file_name("document.xml")
            .mime_str("application/xml")
            .map_err(|e| self.malformed(&e.to_string()))?;
        let form = Form::new().part("xml_file", part);
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .send()
            .await
            .map_err(|e| self.transport(e))?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(|e| self.transport(e))?;
        if !status.is_success() {
            return Err(rejected(status.as_u16(), &body));
        }
        let reply = reply::parse_utm_reply(&body).map_err(|e| self.malformed(&e.to_string()))?;
        if let Some(error) = reply.error {
            return Err(UtmError::Rejected {
                status: status.as_u16(),
                message: error,
            });
        }
        Ok(reply)
    }

    async fn get_ok(&self, path: &str) -> Result<Vec<u8>, UtmError> {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .map_err(|e| self.transport(e))?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(|e| self.transport(e))?;
        if !status.is_success() {
            return Err(rejected(status.as_u16(), &body));
        }
        Ok(body.to_vec())
    }

    fn transport(&self, e: reqwest::Error) -> UtmError {
        // Whatever happened, the next send must re-check who is listening.
        self.invalidate_guard();
        if e.is_timeout() {
            UtmError::Timeout {
                url: self.base.clone(),
                seconds: self.request_timeout.as_secs().max(1),
            }
        } else if e.is_connect() {
            UtmError::Unreachable {
                url: self.base.clone(),
                detail: error_chain(&e),
            }
        } else if e.is_body() || e.is_decode() {
            self.malformed(&error_chain(&e))
        } else {
            // Connection reset or closed mid-request: the UTM is not serving us.
            UtmError::Unreachable {
                url: self.base.clone(),
                detail: error_chain(&e),
            }
        }
    }

    fn malformed(&self, detail: &str) -> UtmError {
        UtmError::Malformed {
            url: self.base.clone(),
            detail: detail.to_string(),
        }
    }
}

/// An error status. The body is read as `<A><error>…</error></A>` — that shape is
/// UNVERIFIED (PROTOCOL.md §1.1, §3.4: only seen in secondary sources) — falling back to
/// the raw text and finally to the bare HTTP status.
fn rejected(status: u16, body: &[u8]) -> UtmError {
    let from_xml = reply::parse_utm_reply(body).ok().and_then(|r| r.error);
    let message = from_xml.unwrap_or_else(|| {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        if text.is_empty() {
            format!("HTTP {status}")
        } else {
            text.chars().take(MAX_QUOTED).collect()
        }
    });
    UtmError::Rejected { status, message }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_read_in_order_of_preference() {
        let e = rejected(400, "<A><error>Неверный формат</error></A>".as_bytes());
        assert_eq!(e.message_ru(), "УТМ ответил ошибкой: Неверный формат");
        let e = rejected(500, b"Internal failure");
        assert_eq!(e.message_ru(), "УТМ ответил ошибкой: Internal failure");
        let e = rejected(503, b"  ");
        assert_eq!(e.message_ru(), "УТМ ответил ошибкой: HTTP 503");
    }

    #[test]
    fn only_plain_http_addresses_are_accepted() {
        let mut cfg = config::Utm::default();
        assert!(UtmClient::new(&cfg, "030000194005").is_ok());
        cfg.url = "https://utm:8080".into();
        assert!(matches!(
            UtmClient::new(&cfg, "1"),
            Err(UtmError::BadUrl { .. })
        ));
        cfg.url = "not a url".into();
        let e = UtmClient::new(&cfg, "1").err().unwrap();
        assert!(e.message_ru().contains("Неверный адрес УТМ"));
    }
}
