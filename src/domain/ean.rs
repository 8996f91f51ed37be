//! EAN-13 barcodes bound to products at acceptance. A typed code is checked digit by digit
//! so that a slip of the finger does not make the wrong bottle sellable. The checksum and
//! the stamp recognition are the scanner's (`domain::mark`); this module names the problem.

/// Why a barcode was refused, in words for the cashier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EanError {
    #[error("Штрихкод пустой")]
    Empty,
    #[error("Штрихкод «{0}» должен состоять из 13 цифр")]
    WrongShape(String),
    #[error("Штрихкод «{0}»: неверная контрольная цифра, проверьте ввод")]
    BadChecksum(String),
    #[error("Отсканирована акцизная марка, а нужен штрихкод EAN-13 с этикетки")]
    StampInsteadOfEan,
}

/// Whether `code` is 13 digits with a correct check digit.
pub fn is_valid_ean13(code: &str) -> bool {
    validate_ean13(code).is_ok()
}

/// Checks a scanned or typed EAN-13 and returns it trimmed.
pub fn validate_ean13(input: &str) -> Result<String, EanError> {
    let code = input.trim();
    if code.is_empty() {
        return Err(EanError::Empty);
    }
    if super::mark::classify(code).is_excise_stamp() || code.len() >= 68 {
        return Err(EanError::StampInsteadOfEan);
    }
    if code.len() != 13 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EanError::WrongShape(shorten(code)));
    }
    if !super::mark::ean13_is_valid(code) {
        return Err(EanError::BadChecksum(code.to_string()));
    }
    Ok(code.to_string())
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 20 {
        let head: String = s.chars().take(20).collect();
        format!("{head}…")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_codes() {
        assert!(is_valid_ean13("4601234567893"));
        assert!(is_valid_ean13("4602486000732"));
        assert!(is_valid_ean13("5010196091008"));
        assert_eq!(
            validate_ean13("4601234567890"),
            Err(EanError::BadChecksum("4601234567890".into()))
        );
        assert!(matches!(
            validate_ean13("46012345"),
            Err(EanError::WrongShape(_))
        ));
        assert!(matches!(
            validate_ean13("460123456789a"),
            Err(EanError::WrongShape(_))
        ));
        assert_eq!(validate_ean13("  "), Err(EanError::Empty));
        assert_eq!(
            validate_ean13(&"1".repeat(150)),
            Err(EanError::StampInsteadOfEan)
        );
    }

    proptest! {
        #[test]
        fn exactly_one_check_digit_fits(body in "[0-9]{12}") {
            let valid: Vec<u8> = (0..10u8)
                .filter(|d| is_valid_ean13(&format!("{body}{d}")))
                .collect();
            prop_assert_eq!(valid.len(), 1);
        }

        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = validate_ean13(&s);
        }
    }
}
