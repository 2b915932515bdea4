//! iCalendar (RFC 5545) for the personal deadline feed: one all-day `VEVENT` per statutory deadline.
//! Lines end in CRLF (3.1), are folded at 75 octets with a CRLF and a space without splitting a UTF-8
//! character (3.1), and text values escape backslash, semicolon, comma and newlines (3.3.11). A
//! deadline's `UID` is made from its case and step, so it stays the same from one fetch to the next
//! and a calendar updates the event rather than adding another.

use chrono::{DateTime, Utc};
use waymark_domain::calendar::{add_days, Date};

/// One deadline as a calendar event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// Stable across fetches: the case id and the step.
    pub uid: String,
    pub due: Date,
    pub summary: String,
    pub description: String,
    /// Where the case page is (an absolute URL when the service knows its address, else a path).
    pub url: Option<String>,
}

/// Escape a TEXT value (RFC 5545 3.3.11).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Append one content line, folded at 75 octets, ending in CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn date_value(d: Date) -> String {
    d.format("%Y%m%d").to_string()
}

/// The whole calendar.
pub fn calendar(name: &str, deadlines: &[Deadline], stamp: DateTime<Utc>) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Waymark//Statutory deadlines//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    let stamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for d in deadlines {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", escape(&d.uid)));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        line(&mut out, &format!("DTSTART;VALUE=DATE:{}", date_value(d.due)));
        line(&mut out, &format!("DTEND;VALUE=DATE:{}", date_value(add_days(d.due, 1))));
        line(&mut out, &format!("SUMMARY:{}", escape(&d.summary)));
        line(&mut out, &format!("DESCRIPTION:{}", escape(&d.description)));
        if let Some(url) = &d.url {
            line(&mut out, &format!("URL:{url}"));
        }
        line(&mut out, "TRANSP:TRANSPARENT");
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// A child's initials, never their name: "A.Q." for Amberly Quayle.
pub fn initials(forename: &str, surname: &str) -> String {
    let first = |s: &str| s.chars().find(|c| c.is_alphabetic()).map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    format!("{}.{}.", first(forename), first(surname))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(t: &str) -> Date {
        waymark_domain::calendar::parse_iso_date(t).unwrap()
    }

    fn sample() -> Vec<Deadline> {
        vec![Deadline {
            uid: "1a2b3c4d-0000-4000-8000-000000000000-advice:health@waymark".into(),
            due: d("2026-10-14"),
            summary: "Health advice due: EHC-1A2B3C4D (A.Q.)".into(),
            description: "Waiting on: health; see the case page, then record it; a long line \u{e9}\u{e9}\u{e9}\u{e9}\u{e9} that goes on and on past seventy-five octets".into(),
            url: None,
        }]
    }

    #[test]
    fn rfc_5545_3_1_every_line_ends_in_crlf_and_is_at_most_75_octets() {
        let stamp = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let text = calendar("Waymark deadlines", &sample(), stamp);
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n') && !text.replace("\r\n", "").contains('\r'), "bare LF or CR");
        for l in text.split("\r\n") {
            assert!(l.len() <= 75, "{l:?} is {} octets", l.len());
        }
        // Unfolding gives back the escaped value whole, with multi-byte characters intact.
        let unfolded = text.replace("\r\n ", "");
        assert!(
            unfolded.contains("DESCRIPTION:Waiting on: health\\; see the case page\\, then record it\\; a long line ééééé that goes on")
        );
        assert!(unfolded.contains("DTSTART;VALUE=DATE:20261014\r\nDTEND;VALUE=DATE:20261015"));
        assert!(unfolded.contains("DTSTAMP:20261122T120000Z"));
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 1);
    }

    #[test]
    fn rfc_5545_3_3_11_text_escapes_backslash_semicolon_comma_and_newline() {
        assert_eq!(escape("a\\b;c,d\ne\r"), "a\\\\b\\;c\\,d\\ne");
    }

    #[test]
    fn the_uid_of_a_deadline_is_the_same_on_every_fetch() {
        let a = calendar("x", &sample(), Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap());
        let b = calendar("x", &sample(), Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap());
        let uid = |t: &str| t.replace("\r\n ", "").lines().find(|l| l.starts_with("UID:")).unwrap().to_owned();
        assert_eq!(uid(&a), uid(&b));
    }

    #[test]
    fn a_childs_initials_only() {
        assert_eq!(initials("Amberly", "Quayle"), "A.Q.");
        assert_eq!(initials("Élodie", "O'Neil"), "É.O.");
    }
}
