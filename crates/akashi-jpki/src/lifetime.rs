//! Validity periods of the JPKI profile, computed in Japan Standard Time.
//!
//! End-entity certificates are valid until 23:59:59 JST (14:59:59Z) on the holder's fifth
//! birthday after the day of issue; J-LIS roots until 23:59:59 JST on the day before the tenth
//! anniversary of issue. A 29 February birthday falls on 28 February in common years.

use time::{Date, Month, OffsetDateTime, Time, UtcOffset};

const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("JST offset"),
};

fn end_of_day_jst(date: Date) -> OffsetDateTime {
    date.with_time(Time::from_hms(23, 59, 59).expect("valid time"))
        .assume_offset(JST)
        .to_offset(UtcOffset::UTC)
}

fn birthday_in(year: i32, birth: Date) -> Date {
    Date::from_calendar_date(year, birth.month(), birth.day()).unwrap_or_else(|_| {
        // Only 29 February can be missing from a year.
        Date::from_calendar_date(year, Month::February, 28).expect("28 February exists")
    })
}

/// notAfter of a signature or authentication certificate issued at `issued` to a person born
/// on `birth`: the end of the fifth birthday strictly after the (JST) day of issue.
pub fn end_entity_not_after(issued: OffsetDateTime, birth: Date) -> OffsetDateTime {
    let issue_day = issued.to_offset(JST).date();
    let this_year = birthday_in(issue_day.year(), birth);
    let first = if this_year > issue_day {
        this_year
    } else {
        birthday_in(issue_day.year() + 1, birth)
    };
    end_of_day_jst(birthday_in(first.year() + 4, birth))
}

/// notAfter of a CA generation created at `issued`: ten years, ending the day before.
pub fn ca_not_after(issued: OffsetDateTime) -> OffsetDateTime {
    let day = issued.to_offset(JST).date();
    let anniversary = birthday_in(day.year() + 10, day);
    end_of_day_jst(
        anniversary
            .previous_day()
            .expect("not the first day of the calendar"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn matches_the_real_authentication_certificates() {
        // auth_user_2023: notBefore 2023-05-19T16:37:09Z, notAfter 2027-12-07T14:59:59Z.
        // Both real certificates end on 7 December, so the holder's birthday is 7 December.
        assert_eq!(
            end_entity_not_after(datetime!(2023-05-19 16:37:09 UTC), date!(1980 - 12 - 07)),
            datetime!(2027-12-07 14:59:59 UTC)
        );
        assert_eq!(
            end_entity_not_after(datetime!(2020-05-19 17:38:55 UTC), date!(1980 - 12 - 07)),
            datetime!(2024-12-07 14:59:59 UTC)
        );
    }

    #[test]
    fn a_birthday_on_the_day_of_issue_does_not_count() {
        // 2024-04-01 09:00 JST is the birthday itself: the first counted is 2025.
        assert_eq!(
            end_entity_not_after(datetime!(2024-04-01 00:00:00 UTC), date!(1990 - 04 - 01)),
            datetime!(2029-04-01 14:59:59 UTC)
        );
        // 2024-03-31T16:00Z is already 1 April in Japan.
        assert_eq!(
            end_entity_not_after(datetime!(2024-03-31 16:00:00 UTC), date!(1990 - 04 - 01)),
            datetime!(2029-04-01 14:59:59 UTC)
        );
        assert_eq!(
            end_entity_not_after(datetime!(2024-03-31 14:00:00 UTC), date!(1990 - 04 - 01)),
            datetime!(2028-04-01 14:59:59 UTC)
        );
    }

    #[test]
    fn leap_day_birthdays_end_on_28_february() {
        assert_eq!(
            end_entity_not_after(datetime!(2025-06-01 00:00:00 UTC), date!(2000 - 02 - 29)),
            datetime!(2030-02-28 14:59:59 UTC)
        );
    }

    #[test]
    fn ca_roots_run_ten_years_less_a_day_like_the_2023_generation() {
        // auth_ca_2023: 2023-07-16T01:01:04Z .. 2033-07-15T14:59:59Z.
        assert_eq!(
            ca_not_after(datetime!(2023-07-16 01:01:04 UTC)),
            datetime!(2033-07-15 14:59:59 UTC)
        );
    }
}
