//! Sizes (`1GiB`, `500 MB`, `4096`) and ages (`30d`, `12h`, `90m`, `45s`) as an operator writes
//! them.

use std::time::Duration;

/// Bytes from `1GiB`, `1.5 GB`, `500 MB`, `64k`, `4096`, by the grammar of `bccache::size`, which
/// the derive's `memory` and `max_size` read too.
pub fn parse_size(text: &str) -> Result<u64, String> {
    bccache::size::parse(text).map_err(|error| format!("`{text}` {error}"))
}

/// An age from `30d`, `12h`, `90m`, `45s`, `2w` or plain seconds (`3600`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let seconds_per: u64 = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 60 * 60,
        "d" => 24 * 60 * 60,
        "w" => 7 * 24 * 60 * 60,
        other => {
            return Err(format!(
                "unknown time unit `{other}` in `{text}`; use s, m, h, d or w (e.g. `30d`)"
            ));
        }
    };
    let count: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not an age; write e.g. `30d`, `12h`, `90m` or `45s`"))?;
    count
        .checked_mul(seconds_per)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("`{text}` is too long"))
}

/// `1.5 MiB`-style: bytes in binary units, one decimal; `parse_size` reads it back.
pub fn format_size(bytes: u64) -> String {
    bccache::size::format(bytes)
}

/// `3 d`, `5 h`, `12 min`, `40 s`: the largest unit that fits.
pub fn format_age(age: Duration) -> String {
    let secs = age.as_secs();
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        3600..86400 => format!("{} h", secs / 3600),
        _ => format!("{} d", secs / 86400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_every_unit() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("4096B"), Ok(4096));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("1 GiB"), Ok(1 << 30));
        assert_eq!(parse_size("500 MB"), Ok(500_000_000));
        assert_eq!(parse_size("500mb"), Ok(500_000_000));
        assert_eq!(parse_size("64k"), Ok(64_000));
        assert_eq!(parse_size("64Ki"), Ok(65_536));
        assert_eq!(parse_size("1.5 GiB"), Ok(3 << 29));
        assert_eq!(parse_size("2T"), Ok(2_000_000_000_000));
    }

    #[test]
    fn bad_sizes_say_what_to_write() {
        assert!(parse_size("").unwrap_err().contains("not a size"));
        assert!(parse_size("GiB").unwrap_err().contains("not a size"));
        assert!(
            parse_size("12 parsecs")
                .unwrap_err()
                .contains("unknown size unit")
        );
        assert!(parse_size("1.2.3G").is_err());
        assert!(
            parse_size("99999999999TiB")
                .unwrap_err()
                .contains("too large")
        );
        assert!(parse_size("-1").is_err());
    }

    #[test]
    fn durations_in_every_unit() {
        assert_eq!(parse_duration("45s"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("90m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("30d"), Ok(Duration::from_secs(2_592_000)));
        assert_eq!(parse_duration("2w"), Ok(Duration::from_secs(1_209_600)));
    }

    #[test]
    fn bad_durations_say_what_to_write() {
        assert!(parse_duration("d").unwrap_err().contains("not an age"));
        assert!(
            parse_duration("3y")
                .unwrap_err()
                .contains("unknown time unit")
        );
        assert!(parse_duration("1.5d").is_err());
        assert!(parse_duration("-3d").is_err());
    }

    #[test]
    fn sizes_and_ages_print_in_the_largest_unit() {
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(1536), "1.5 KiB");
        assert_eq!(format_size(3 << 30), "3.0 GiB");
        assert_eq!(format_age(Duration::from_secs(59)), "59 s");
        assert_eq!(format_age(Duration::from_secs(7200)), "2 h");
        assert_eq!(format_age(Duration::from_secs(3 * 86400)), "3 d");
    }
}
