//! Time, one way everywhere: a stored time is RFC 3339 UTC text with milliseconds (so that text
//! order is time order), and Unix seconds (`f64`) where time is computed with. The server
//! stamps, the client replays and the timeline seeks with these functions alone.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An RFC 3339 time as stored: UTC with milliseconds, so that text order is time order.
///
/// ```
/// use parktwin_api::clock::normalise_time;
/// assert_eq!(normalise_time("2026-05-01T08:00:00+08:00").as_deref(), Ok("2026-05-01T00:00:00.000Z"));
/// assert!(normalise_time("yesterday").is_err());
/// ```
pub fn normalise_time(s: &str) -> Result<String, String> {
    let t = OffsetDateTime::parse(s, &Rfc3339).map_err(|e| format!("\"{s}\" is not an RFC 3339 time ({e})"))?;
    Ok(format_utc(t))
}

/// An RFC 3339 time, if it is one.
///
/// ```
/// use parktwin_api::clock::parse_utc;
/// assert_eq!(parse_utc("2026-05-01T08:00:00+08:00").map(|t| t.unix_timestamp()), Some(1_777_593_600));
/// assert!(parse_utc("8 o'clock").is_none());
/// ```
pub fn parse_utc(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// Unix seconds of an RFC 3339 time (0 for one that does not read: never a stored one).
pub fn unix_seconds(t: &str) -> f64 {
    OffsetDateTime::parse(t, &Rfc3339).map_or(0.0, |t| t.unix_timestamp_nanos() as f64 / 1e9)
}

/// The stored form (UTC, to the nearest millisecond) of Unix seconds: a stored time read by
/// [`unix_seconds`] comes back as it was.
pub fn format_unix(t: f64) -> String {
    format_utc(
        OffsetDateTime::from_unix_timestamp_nanos((t * 1e3).round() as i128 * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
    )
}

/// The UTC offset of a park's IANA time zone and its abbreviation, for the zones of China
/// (none of which keeps summer time); any other zone is read as UTC. A park's day (a meter's
/// total for the day, a station's daily AQI) begins at its local midnight by this offset.
/// Kept to this table rather than a time-zone database (chrono-tz, jiff's tzdb), which would
/// add its tables to the browser's module for zones no park of this product is in.
///
/// ```
/// use parktwin_api::clock::park_offset;
/// assert_eq!(park_offset("Asia/Shanghai"), (time::UtcOffset::from_hms(8, 0, 0).unwrap(), "CST"));
/// assert_eq!(park_offset("Europe/Paris").1, "UTC");
/// ```
pub fn park_offset(timezone: &str) -> (time::UtcOffset, &'static str) {
    let (hours, name) = match timezone {
        "Asia/Shanghai" | "Asia/Chongqing" | "Asia/Harbin" | "PRC" | "Asia/Hong_Kong" | "Asia/Macau"
        | "Asia/Taipei" => (8, "CST"),
        "Asia/Urumqi" | "Asia/Kashgar" => (6, "XJT"),
        _ => (0, "UTC"),
    };
    (
        time::UtcOffset::from_hms(hours, 0, 0).unwrap_or(time::UtcOffset::UTC),
        name,
    )
}

/// Unix seconds now.
pub fn now_unix() -> f64 {
    OffsetDateTime::now_utc().unix_timestamp_nanos() as f64 / 1e9
}

/// Formats a time as stored: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
///
/// Written digit by digit rather than with `format!`: every record the server stores is
/// stamped with it, and the formatting machinery was a twentieth of the ingest's time.
pub fn format_utc(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let (year, month, day) = t.to_calendar_date();
    let (hour, minute, second, milli) = t.to_hms_milli();
    let Some(year) = u32::try_from(year).ok().filter(|y| *y <= 9999) else {
        // A year of other than four digits (never a stored record's) as `format!` writes it.
        return format!(
            "{year:04}-{:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z",
            u8::from(month)
        );
    };
    let mut out = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut n: u32| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, u8::from(month).into());
    put(8, 2, day.into());
    put(11, 2, hour.into());
    put(14, 2, minute.into());
    put(17, 2, second.into());
    put(20, 3, milli.into());
    out.iter().map(|&b| char::from(b)).collect()
}
