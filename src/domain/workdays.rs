//! Working days for EGAIS deadlines. Since 01.09.2021 (order 185) the consignee must answer
//! an invoice by the next working day, so a Friday invoice is due on Monday and holidays
//! push the deadline further. Russia also moves working days onto Saturdays, hence the
//! second list.

use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

/// Which days count as working days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkCalendar {
    /// Public holidays falling on weekdays (not working).
    pub holidays: BTreeSet<Date>,
    /// Saturdays or Sundays declared working days by a transfer decree.
    pub extra_workdays: BTreeSet<Date>,
}

impl WorkCalendar {
    pub fn with_holidays(holidays: impl IntoIterator<Item = Date>) -> WorkCalendar {
        WorkCalendar {
            holidays: holidays.into_iter().collect(),
            extra_workdays: BTreeSet::new(),
        }
    }

    /// From the settings: ISO dates (`2027-01-07`). A wrong date is named in the error.
    pub fn from_settings(
        holidays: &[String],
        extra_workdays: &[String],
    ) -> Result<WorkCalendar, String> {
        let parse = |list: &[String], what: &str| {
            list.iter()
                .map(|d| {
                    d.trim().parse::<Date>().map_err(|_| {
                        format!(
                            "{what}: «{d}» — не дата; нужен вид ГГГГ-ММ-ДД, например 2027-01-07"
                        )
                    })
                })
                .collect::<Result<BTreeSet<Date>, String>>()
        };
        Ok(WorkCalendar {
            holidays: parse(holidays, "праздники (acceptance.holidays)")?,
            extra_workdays: parse(
                extra_workdays,
                "рабочие выходные (acceptance.extra_workdays)",
            )?,
        })
    }

    pub fn is_working_day(&self, day: Date) -> bool {
        if self.extra_workdays.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// The first working day strictly after `day`. A calendar that declared every day a
    /// holiday would loop forever, so the search stops after a year and returns the day
    /// after `day` (the strictest reading of the rule).
    pub fn next_working_day(&self, day: Date) -> Date {
        let mut candidate = day;
        for _ in 0..366 {
            match candidate.tomorrow() {
                Ok(next) => candidate = next,
                Err(_) => return day,
            }
            if self.is_working_day(candidate) {
                return candidate;
            }
        }
        day.tomorrow().unwrap_or(day)
    }
}

/// Calendar days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i32 {
    from.until(to).map(|span| span.get_days()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn friday_is_answered_on_monday() {
        let cal = WorkCalendar::default();
        // 2026-11-27 is a Friday.
        assert_eq!(cal.next_working_day(date(2026, 11, 27)), date(2026, 11, 30));
        assert_eq!(cal.next_working_day(date(2026, 11, 25)), date(2026, 11, 26));
        assert_eq!(cal.next_working_day(date(2026, 11, 28)), date(2026, 11, 30));
    }

    #[test]
    fn holidays_and_transferred_days() {
        let mut cal = WorkCalendar::with_holidays([date(2026, 11, 30)]);
        assert_eq!(cal.next_working_day(date(2026, 11, 27)), date(2026, 12, 1));
        cal.extra_workdays.insert(date(2026, 11, 28));
        assert_eq!(cal.next_working_day(date(2026, 11, 27)), date(2026, 11, 28));
    }

    #[test]
    fn calendar_from_settings() {
        let cal = WorkCalendar::from_settings(&["2026-11-30".into()], &[]).unwrap();
        assert_eq!(cal.next_working_day(date(2026, 11, 27)), date(2026, 12, 1));
        let err = WorkCalendar::from_settings(&["30.11.2026".into()], &[]).unwrap_err();
        assert!(err.contains("«30.11.2026» — не дата"), "{err}");
    }

    #[test]
    fn day_differences() {
        assert_eq!(days_between(date(2026, 11, 26), date(2026, 11, 30)), 4);
        assert_eq!(days_between(date(2026, 11, 30), date(2026, 11, 26)), -4);
        assert_eq!(days_between(date(2026, 12, 31), date(2027, 1, 1)), 1);
    }

    proptest! {
        #[test]
        fn next_working_day_is_a_later_working_day(offset in 0i32..3000, hol in proptest::collection::vec(0i32..3000, 0..40)) {
            let base = date(2024, 1, 1);
            let day = base.checked_add(jiff::Span::new().days(offset)).unwrap();
            let cal = WorkCalendar::with_holidays(
                hol.iter().map(|h| base.checked_add(jiff::Span::new().days(*h)).unwrap()),
            );
            let next = cal.next_working_day(day);
            prop_assert!(next > day);
            prop_assert!(cal.is_working_day(next));
            // No working day was skipped in between.
            let mut d = day.tomorrow().unwrap();
            while d < next {
                prop_assert!(!cal.is_working_day(d));
                d = d.tomorrow().unwrap();
            }
        }
    }
}
