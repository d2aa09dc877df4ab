//! Dates and moments in the forms, pages and JSON of the resources made by `plinth add
//! resource`: a date is written `2026-01-31` everywhere; a moment is kept in UTC, typed and
//! shown as `2026-01-31T14:30` (what `<input type="datetime-local">` sends), and written
//! in RFC 3339 in JSON.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// `2026-01-31`.
pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

/// `2026-01-31T14:30` or `2026-01-31T14:30:15` in UTC, or an RFC 3339 moment with its
/// offset (`2026-01-31T15:30:00+01:00`), from the JSON API.
pub fn parse_datetime(text: &str) -> Option<OffsetDateTime> {
    let local = format_description!("[year]-[month]-[day]T[hour]:[minute][optional [:[second]]]");
    PrimitiveDateTime::parse(text, local)
        .map(PrimitiveDateTime::assume_utc)
        .or_else(|_| OffsetDateTime::parse(text, &Rfc3339))
        .ok()
}

/// A date as forms and pages show it.
pub fn date_text(date: Date) -> String {
    date.to_string()
}

/// A moment in UTC, to the minute, as `datetime-local` inputs take it.
pub fn datetime_text(moment: OffsetDateTime) -> String {
    let utc = moment.to_offset(time::UtcOffset::UTC);
    utc.format(format_description!("[year]-[month]-[day]T[hour]:[minute]"))
        .unwrap_or_default()
}

/// A moment in RFC 3339, for JSON.
pub fn datetime_json(moment: OffsetDateTime) -> String {
    moment.format(&Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_and_written_alike() {
        let date = parse_date("2026-01-31").expect("a date");
        assert_eq!(date_text(date), "2026-01-31");
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("31/01/2026"), None);
    }

    #[test]
    fn moments_are_utc_to_the_minute() {
        let moment = parse_datetime("2026-01-31T14:30").expect("a moment");
        assert_eq!(datetime_text(moment), "2026-01-31T14:30");
        assert_eq!(datetime_json(moment), "2026-01-31T14:30:00Z");
        let with_offset = parse_datetime("2026-01-31T15:30:00+01:00").expect("RFC 3339");
        assert_eq!(datetime_text(with_offset), "2026-01-31T14:30");
        assert_eq!(parse_datetime("2026-01-31"), None);
    }
}
