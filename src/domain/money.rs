//! Money in roubles with kopecks. Decimal, never floating point: 499.90 × 3 must be 1499.70.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Neg, Sub};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Why a typed or received amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("пустое значение")]
    Empty,
    #[error("«{0}» — не число")]
    NotANumber(String),
    #[error("«{0}»: не больше {1} знаков после запятой")]
    TooPrecise(String, u32),
    #[error("«{0}»: отрицательное значение недопустимо")]
    Negative(String),
    #[error("«{0}»: слишком большое значение")]
    TooLarge(String),
}

/// Parses a decimal the way a Russian cashier types it: `1 499,90`, `1499.90`, `1499`.
/// Exposed so that Volume and quantities share one tolerant, strict-about-precision parser.
pub(crate) fn parse_decimal(input: &str, max_scale: u32) -> Result<Decimal, AmountError> {
    let cleaned: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.is_empty() {
        return Err(AmountError::Empty);
    }
    let valid_shape = {
        let body = cleaned.strip_prefix('-').unwrap_or(&cleaned);
        let mut parts = body.splitn(2, '.');
        let int = parts.next().unwrap_or("");
        let frac = parts.next();
        !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
    };
    if !valid_shape {
        return Err(AmountError::NotANumber(input.trim().to_string()));
    }
    if cleaned
        .trim_start_matches('-')
        .split('.')
        .next()
        .map_or(0, str::len)
        > 15
    {
        return Err(AmountError::TooLarge(input.trim().to_string()));
    }
    let value = Decimal::from_str(&cleaned)
        .map_err(|_| AmountError::NotANumber(input.trim().to_string()))?;
    if value.normalize().scale() > max_scale {
        return Err(AmountError::TooPrecise(input.trim().to_string(), max_scale));
    }
    Ok(value)
}

/// Groups thousands with a thin space as Russian receipts do: `1 499,90`.
pub(crate) fn format_grouped(value: Decimal, scale: u32) -> String {
    let fixed = format!("{:.*}", scale as usize, value);
    let (sign, body) = match fixed.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", fixed.as_str()),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(ch);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

/// An amount of money in roubles, always held at exactly two decimal places.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Rounds half away from zero to kopecks, as cash registers do.
    pub fn new(value: Decimal) -> Money {
        Money(value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
    }

    pub fn from_kopecks(kopecks: i64) -> Money {
        Money(Decimal::new(kopecks, 2))
    }

    /// Kopecks as an integer, for compact storage. Saturates far beyond any real amount.
    pub fn kopecks(self) -> i64 {
        let k = self.0 * Decimal::ONE_HUNDRED;
        i64::try_from(k.trunc()).unwrap_or(if k.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        })
    }

    /// Parses a cashier's input or an XML price; refuses more than two decimals and negatives.
    ///
    /// ```
    /// use egais_tui::domain::Money;
    /// assert_eq!(Money::parse("1 499,9").unwrap().to_xml(), "1499.90");
    /// assert!(Money::parse("12,345").is_err());
    /// ```
    pub fn parse(input: &str) -> Result<Money, AmountError> {
        let value = parse_decimal(input, 2)?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(AmountError::Negative(input.trim().to_string()));
        }
        Ok(Money::new(value))
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// The form EGAIS XML expects: `1499.70`.
    pub fn to_xml(self) -> String {
        format!("{:.2}", self.0)
    }

    /// The form a cashier reads: `1 499,70`.
    pub fn display_ru(self) -> String {
        format_grouped(self.0, 2)
    }

    /// Price × quantity, rounded to kopecks once at the end.
    pub fn times(self, quantity: Decimal) -> Money {
        Money::new(self.0 * quantity)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }
}

impl FromStr for Money {
    type Err = AmountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}", self.0)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Mul<u32> for Money {
    type Output = Money;
    fn mul(self, rhs: u32) -> Money {
        Money(self.0 * Decimal::from(rhs))
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn multiplication_is_exact() {
        let price = Money::parse("499.90").unwrap();
        assert_eq!((price * 3).to_xml(), "1499.70");
        assert_eq!(price.times(Decimal::new(3, 0)).display_ru(), "1 499,70");
    }

    #[test]
    fn parses_russian_input() {
        assert_eq!(Money::parse("1 499,9").unwrap().to_xml(), "1499.90");
        assert_eq!(Money::parse(" 0,05 ").unwrap().kopecks(), 5);
        assert_eq!(Money::parse("12").unwrap().to_xml(), "12.00");
    }

    #[test]
    fn refuses_bad_input() {
        assert_eq!(Money::parse(""), Err(AmountError::Empty));
        assert!(matches!(
            Money::parse("12.345"),
            Err(AmountError::TooPrecise(..))
        ));
        assert!(matches!(Money::parse("-1"), Err(AmountError::Negative(_))));
        for bad in ["abc", "1.2.3", "1e5", ".5", "5.", "--1", "1 2a", "۱۲"] {
            assert!(
                matches!(Money::parse(bad), Err(AmountError::NotANumber(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            Money::parse("9999999999999999"),
            Err(AmountError::TooLarge(_))
        ));
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(Money::new(Decimal::new(12345, 3)).to_xml(), "12.35");
        assert_eq!(Money::new(Decimal::new(-12345, 3)).to_xml(), "-12.35");
    }

    proptest! {
        #[test]
        fn kopecks_round_trip(k in 0i64..100_000_000_000) {
            let m = Money::from_kopecks(k);
            prop_assert_eq!(m.kopecks(), k);
            prop_assert_eq!(Money::parse(&m.to_xml()).unwrap(), m);
            prop_assert_eq!(Money::parse(&m.display_ru()).unwrap(), m);
        }

        #[test]
        fn sum_matches_integer_sum(ks in proptest::collection::vec(0i64..10_000_000, 0..50)) {
            let total: Money = ks.iter().map(|&k| Money::from_kopecks(k)).sum();
            prop_assert_eq!(total.kopecks(), ks.iter().sum::<i64>());
        }

        #[test]
        fn price_times_count_equals_repeated_addition(k in 0i64..10_000_000, n in 0u32..200) {
            let m = Money::from_kopecks(k);
            let repeated: Money = std::iter::repeat_n(m, n as usize).sum();
            prop_assert_eq!(m * n, repeated);
        }

        /// Price × fractional quantity (a weighed or poured amount) is rounded once, so it
        /// is never more than half a kopeck from the exact product.
        #[test]
        fn times_rounds_once_to_the_nearest_kopeck(k in 0i64..10_000_000, q in 0i64..100_000_000) {
            let m = Money::from_kopecks(k);
            let quantity = Decimal::new(q, 4);
            let exact = m.decimal() * quantity;
            let got = m.times(quantity).decimal();
            prop_assert!((got - exact).abs() <= Decimal::new(5, 3), "{} vs {}", got, exact);
            prop_assert!(got.scale() <= 2);
            let whole = u32::try_from(q).unwrap();
            prop_assert_eq!(m.times(Decimal::from(whole)), m * whole);
        }

        /// Spaces a cashier puts between digit groups do not change the amount.
        #[test]
        fn grouping_spaces_are_ignored(int in "[1-9][0-9]{0,8}", frac in "[0-9]{2}", cut in 0usize..9) {
            let plain = Money::parse(&format!("{int},{frac}")).unwrap();
            let at = cut.min(int.len());
            let spaced = format!("{} {},{frac}", &int[..at], &int[at..]);
            prop_assert_eq!(Money::parse(spaced.trim()).unwrap(), plain);
        }

        /// More than two significant decimals is refused, never silently rounded.
        #[test]
        fn sub_kopeck_input_is_refused(int in "[0-9]{1,6}", frac in "[0-9]{2}[1-9]") {
            let refused = matches!(
                Money::parse(&format!("{int}.{frac}")),
                Err(AmountError::TooPrecise(..))
            );
            prop_assert!(refused);
        }

        #[test]
        fn parser_never_panics(s in "\\PC{0,40}") {
            let _ = Money::parse(&s);
        }
    }
}
