//! Volumes in litres (bottle capacity, keg volume, decalitres of bulk goods) and alcohol
//! strength. EGAIS writes capacity with up to four decimals (`0.5000`), so we keep four.

use std::fmt;
use std::ops::{Add, Mul, Sub};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::{AmountError, format_grouped, parse_decimal};

const SCALE: u32 = 4;

/// A volume in litres, non-negative, at most four decimal places.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Volume(Decimal);

impl Volume {
    pub const ZERO: Volume = Volume(Decimal::ZERO);

    pub fn litres(value: Decimal) -> Result<Volume, AmountError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(AmountError::Negative(value.to_string()));
        }
        if value.normalize().scale() > SCALE {
            return Err(AmountError::TooPrecise(value.to_string(), SCALE));
        }
        Ok(Volume(value.normalize()))
    }

    /// Millilitres, for portion sales and keg pours.
    pub fn from_ml(ml: u32) -> Volume {
        Volume(Decimal::new(i64::from(ml), 3).normalize())
    }

    pub fn parse(input: &str) -> Result<Volume, AmountError> {
        let value = parse_decimal(input, SCALE)?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(AmountError::Negative(input.trim().to_string()));
        }
        Ok(Volume(value.normalize()))
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// EGAIS form: `0.5000`.
    pub fn to_xml(self) -> String {
        format!("{:.4}", self.0)
    }

    /// Cashier form: `0,5 л` without trailing zeros.
    pub fn display_ru(self) -> String {
        let n = self.0.normalize();
        format!("{} л", format_grouped(n, n.scale()))
    }

    /// Saturating subtraction: a keg never holds less than nothing.
    pub fn saturating_sub(self, other: Volume) -> Volume {
        if other.0 >= self.0 {
            Volume::ZERO
        } else {
            Volume(self.0 - other.0)
        }
    }
}

impl FromStr for Volume {
    type Err = AmountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Volume::parse(s)
    }
}

impl fmt::Display for Volume {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_xml())
    }
}

impl Add for Volume {
    type Output = Volume;
    fn add(self, rhs: Volume) -> Volume {
        Volume(self.0 + rhs.0)
    }
}

impl Sub for Volume {
    type Output = Volume;
    fn sub(self, rhs: Volume) -> Volume {
        Volume(self.0 - rhs.0)
    }
}

impl Mul<u32> for Volume {
    type Output = Volume;
    fn mul(self, rhs: u32) -> Volume {
        Volume(self.0 * Decimal::from(rhs))
    }
}

/// Alcohol by volume in percent, 0..=100, as EGAIS writes it (`40.000`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct AlcoholPercent(Decimal);

impl AlcoholPercent {
    pub fn parse(input: &str) -> Result<AlcoholPercent, AmountError> {
        let value = parse_decimal(input, 3)?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(AmountError::Negative(input.trim().to_string()));
        }
        if value > Decimal::ONE_HUNDRED {
            return Err(AmountError::TooLarge(input.trim().to_string()));
        }
        Ok(AlcoholPercent(value.normalize()))
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    pub fn to_xml(self) -> String {
        format!("{:.3}", self.0)
    }

    pub fn display_ru(self) -> String {
        let n = self.0.normalize();
        format!("{}%", format_grouped(n, n.scale()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_formats() {
        let v = Volume::parse("0,5").unwrap();
        assert_eq!(v.to_xml(), "0.5000");
        assert_eq!(v.display_ru(), "0,5 л");
        assert_eq!(Volume::parse("30").unwrap().display_ru(), "30 л");
        assert_eq!((v * 20).to_xml(), "10.0000");
        assert_eq!(Volume::from_ml(330).to_xml(), "0.3300");
    }

    #[test]
    fn refuses_bad_volumes() {
        assert!(Volume::parse("0.12345").is_err());
        assert!(Volume::parse("-0.5").is_err());
        assert!(Volume::parse("пол-литра").is_err());
        assert!(AlcoholPercent::parse("101").is_err());
        assert_eq!(AlcoholPercent::parse("40").unwrap().to_xml(), "40.000");
    }

    #[test]
    fn keg_never_goes_negative() {
        let keg = Volume::parse("30").unwrap();
        assert_eq!(
            keg.saturating_sub(Volume::parse("31").unwrap()),
            Volume::ZERO
        );
        assert_eq!(keg.saturating_sub(Volume::from_ml(500)).to_xml(), "29.5000");
    }

    proptest! {
        #[test]
        fn xml_round_trip(units in 0i64..10_000_000_000) {
            let v = Volume::litres(Decimal::new(units, 4)).unwrap();
            prop_assert_eq!(Volume::parse(&v.to_xml()).unwrap(), v);
            let shown = v.display_ru();
            prop_assert_eq!(Volume::parse(shown.trim_end_matches(" л")).unwrap(), v);
        }

        #[test]
        fn multiplication_is_repeated_addition(units in 0i64..10_000_000, n in 0u32..100) {
            let v = Volume::litres(Decimal::new(units, 4)).unwrap();
            let repeated = (0..n).fold(Volume::ZERO, |acc, _| acc + v);
            prop_assert_eq!(v * n, repeated);
        }

        /// A keg's remainder: never negative, exact while there is enough.
        #[test]
        fn saturating_sub_is_exact_or_zero(a in 0i64..1_000_000_000, b in 0i64..1_000_000_000) {
            let va = Volume::litres(Decimal::new(a, 4)).unwrap();
            let vb = Volume::litres(Decimal::new(b, 4)).unwrap();
            let left = va.saturating_sub(vb);
            if a >= b {
                prop_assert_eq!(left + vb, va);
            } else {
                prop_assert_eq!(left, Volume::ZERO);
            }
        }

        #[test]
        fn addition_then_subtraction_is_identity(a in 0i64..1_000_000_000, b in 0i64..1_000_000_000) {
            let va = Volume::litres(Decimal::new(a, 4)).unwrap();
            let vb = Volume::litres(Decimal::new(b, 4)).unwrap();
            prop_assert_eq!((va + vb) - vb, va);
        }
    }
}
