//! The UTM's own status: `/api/info/list` (UTM 4.x JSON, PROTOCOL.md §1.4) with
//! `/diagnosis` (`<CERTIFICATE><CN>…`) as the fallback for older UTMs.

use jiff::Timestamp;
use serde_json::Value;

use super::dom;

/// Where the status came from: the fallback knows only the FSRAR ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfoSource {
    ApiInfoList,
    Diagnosis,
}

/// A certificate as the UTM describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertInfo {
    pub start: Option<Timestamp>,
    pub expire: Option<Timestamp>,
    /// `valid`, `invalid` or `revoked` as the UTM wrote it.
    pub validity: Option<String>,
}

impl CertInfo {
    /// Valid by the UTM's own verdict and, if known, not expired at `now`.
    pub fn usable_at(&self, now: Timestamp) -> bool {
        let verdict = self.validity.as_deref().is_none_or(|v| v == "valid");
        let dates = self.expire.is_none_or(|e| e > now);
        verdict && dates
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UtmInfo {
    pub source: InfoSource,
    /// FSRAR ID of the RSA key (`ownerId` / diagnosis `CN`).
    pub fsrar_id: Option<String>,
    /// FSRAR ID recorded in the UTM's database at first start (`db.ownerId`).
    pub db_fsrar_id: Option<String>,
    pub version: Option<String>,
    pub contour: Option<String>,
    pub rsa: Option<CertInfo>,
    pub gost: Option<CertInfo>,
    /// Timestamp of the oldest unsent cheque, as the UTM wrote it; `None` = none unsent.
    pub check_info: Option<String>,
    pub rsa_error: Option<String>,
}

impl UtmInfo {
    /// The id the guard compares with the configuration: the key's, else the database's.
    pub fn effective_fsrar_id(&self) -> Option<&str> {
        self.fsrar_id.as_deref().or(self.db_fsrar_id.as_deref())
    }
}

/// Parses the `/api/info/list` JSON; unknown fields and nulls are tolerated, a
/// non-object is an error.
pub fn parse_info_list(bytes: &[u8]) -> Result<UtmInfo, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let obj = v.as_object().ok_or("not a JSON object")?;
    let s = |v: Option<&Value>| -> Option<String> {
        match v? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let cert = |key: &str| -> Option<CertInfo> {
        let c = obj.get(key)?.as_object()?;
        Some(CertInfo {
            start: s(c.get("startDate")).and_then(|d| parse_utm_date(&d)),
            expire: s(c.get("expireDate")).and_then(|d| parse_utm_date(&d)),
            validity: s(c.get("isValid")),
        })
    };
    Ok(UtmInfo {
        source: InfoSource::ApiInfoList,
        fsrar_id: s(obj.get("ownerId")),
        db_fsrar_id: obj
            .get("db")
            .and_then(Value::as_object)
            .and_then(|db| s(db.get("ownerId"))),
        version: s(obj.get("version")),
        contour: s(obj.get("contour")),
        rsa: cert("rsa"),
        gost: cert("gost"),
        check_info: s(obj.get("checkInfo")),
        rsa_error: s(obj.get("rsaError")),
    })
}

/// Parses the `/diagnosis` XML; only the RSA certificate's CN (the FSRAR ID) is used.
pub fn parse_diagnosis(bytes: &[u8]) -> Result<UtmInfo, String> {
    let root = dom::parse(bytes).map_err(|e| e.to_string())?;
    let cn = root
        .find("CN")
        .map(|n| n.text.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or("no <CN> in the diagnosis")?;
    Ok(UtmInfo {
        source: InfoSource::Diagnosis,
        fsrar_id: Some(cn),
        db_fsrar_id: None,
        version: None,
        contour: None,
        rsa: None,
        gost: None,
        check_info: None,
        rsa_error: None,
    })
}

/// UTM dates look like `2027-06-19 05:11:45 +0000`.
pub fn parse_utm_date(s: &str) -> Option<Timestamp> {
    jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S %z", s.trim())
        .and_then(|t| t.to_timestamp())
        .ok()
}

/// The inverse of [`parse_utm_date`], for the simulator.
pub fn format_utm_date(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S +0000").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &str = r#"{"version":"4.2.0","contour":"prod","rsaError":null,"checkInfo":null,
 "ownerId":"030001122298",
 "db":{"createDate":"2026-09-08 15:33:15.047","ownerId":"030001122298"},
 "rsa":{"certType":"RSA","startDate":"2026-06-19 05:01:45 +0000",
        "expireDate":"2027-06-19 05:11:45 +0000","isValid":"valid",
        "issuer":"pki.fsrar.ru","keyStartDate":null,"keyExpireDate":null,"isKeyValid":null},
 "gost":{"certType":"GOST","startDate":"2026-06-18 20:14:32 +0000",
         "expireDate":"2027-09-18 20:14:32 +0000","isValid":"valid",
         "issuer":"ООО \"Компания \"Тензор\"","keyStartDate":"2026-06-18 20:14:31 +0000",
         "keyExpireDate":"2027-09-18 20:14:31 +0000","isKeyValid":"valid"},
 "license":false}"#;

    #[test]
    fn reads_the_real_info_list() {
        let info = parse_info_list(REAL.as_bytes()).unwrap();
        assert_eq!(info.fsrar_id.as_deref(), Some("030001122298"));
        assert_eq!(info.db_fsrar_id.as_deref(), Some("030001122298"));
        assert_eq!(info.version.as_deref(), Some("4.2.0"));
        assert_eq!(info.contour.as_deref(), Some("prod"));
        assert_eq!(info.check_info, None);
        let rsa = info.rsa.unwrap();
        assert_eq!(rsa.expire.unwrap().to_string(), "2027-06-19T05:11:45Z");
        let before: Timestamp = "2027-01-01T00:00:00Z".parse().unwrap();
        let after: Timestamp = "2027-07-01T00:00:00Z".parse().unwrap();
        assert!(rsa.usable_at(before));
        assert!(!rsa.usable_at(after));
        assert_eq!(parse_utm_date(&format_utm_date(before)), Some(before));
    }

    #[test]
    fn reads_the_diagnosis_fallback_and_refuses_junk() {
        let info =
            parse_diagnosis(b"<CERTIFICATE><CN>030000199312</CN><OU>x</OU></CERTIFICATE>").unwrap();
        assert_eq!(info.effective_fsrar_id(), Some("030000199312"));
        assert!(parse_diagnosis(b"<CERTIFICATE/>").is_err());
        assert!(parse_info_list(b"[1,2]").is_err());
        assert!(parse_info_list(b"<html>").is_err());
    }
}
