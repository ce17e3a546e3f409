//! Sizes in bytes as people write them: `4096`, `64k`, `64 KiB`, `500 MB`, `1.5 GiB`.
//!
//! One grammar for everything bccache reads a size from: the derive's `memory` and `max_size`,
//! the `bccache` command's `--max-size`, and [`format`]'s output, which reads back.
//!
//! - A number: digits, optionally with a fraction (`1.5`).
//! - Optional spaces, then an optional unit, in any case: none or `B` (bytes); `k`, `M`, `G`,
//!   `T` (powers of 1000), with or without a final `B` (`kB`, `MB`); `Ki`, `Mi`, `Gi`, `Ti`
//!   (powers of 1024), with or without a final `B` (`KiB`, `MiB`).
//! - A fraction is exact and rounds to the nearest byte: `1.5 GiB` is 1610612736.
//!
//! ```
//! assert_eq!(bccache_size::parse("64k"), Ok(64_000));
//! assert_eq!(bccache_size::parse("64 KiB"), Ok(65_536));
//! assert_eq!(bccache_size::parse("1.5 GiB"), Ok(3 << 29));
//! assert_eq!(bccache_size::format(3 << 29), "1.5 GiB");
//! ```

use std::fmt;

/// The units [`parse`] knows, as an error message lists them.
pub const UNITS: &str = "B, kB, MB, GB, TB, KiB, MiB, GiB or TiB";

/// Why [`parse`] refused a size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SizeError {
    /// No number where one belongs: `""`, `"GiB"`, `"-1"`, `"1.2.3"`.
    NotASize,
    /// A unit that is not one of [`UNITS`].
    UnknownUnit(String),
    /// More bytes than a `u64` holds.
    TooLarge,
}

impl fmt::Display for SizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeError::NotASize => {
                f.write_str("is not a size; write e.g. `64 MiB`, `1.5 GiB`, `64k` or `4096`")
            }
            SizeError::UnknownUnit(unit) => {
                write!(f, "has an unknown size unit `{unit}`; use {UNITS}")
            }
            SizeError::TooLarge => f.write_str("is too large: more bytes than a u64 holds"),
        }
    }
}

impl std::error::Error for SizeError {}

/// The size `text` names, in bytes.
///
/// # Errors
///
/// [`SizeError`] when `text` is not a number with an optional known unit, or is too large.
pub fn parse(text: &str) -> Result<u64, SizeError> {
    let text = text.trim();
    let number_len = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(number_len);
    let unit = unit.trim_start();
    let multiplier = unit_multiplier(unit).ok_or_else(|| SizeError::UnknownUnit(unit.into()))?;
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SizeError::NotASize);
    }
    let whole: u128 = whole.parse().map_err(|_| SizeError::TooLarge)?;
    let mut bytes = whole
        .checked_mul(u128::from(multiplier))
        .ok_or(SizeError::TooLarge)?;
    if !fraction.is_empty() {
        // Digits past 19 cannot change the rounded result of a u64 multiplier.
        let digits = &fraction[..fraction.len().min(19)];
        let scale = 10u128.pow(digits.len() as u32);
        let numerator: u128 = digits.parse().map_err(|_| SizeError::NotASize)?;
        bytes += (numerator * u128::from(multiplier) + scale / 2) / scale;
    }
    u64::try_from(bytes).map_err(|_| SizeError::TooLarge)
}

fn unit_multiplier(unit: &str) -> Option<u64> {
    let lower = unit.to_ascii_lowercase();
    let name = lower.strip_suffix('b').unwrap_or(&lower);
    Some(match name {
        "" => 1,
        "k" => 1_000,
        "m" => 1_000_000,
        "g" => 1_000_000_000,
        "t" => 1_000_000_000_000,
        "ki" => 1 << 10,
        "mi" => 1 << 20,
        "gi" => 1 << 30,
        "ti" => 1 << 40,
        _ => return None,
    })
}

/// `bytes` for people: `512 B`, else one decimal in the largest binary unit that fits
/// (`1.5 GiB`). [`parse`] reads it back, to within the rounding of that decimal.
pub fn format(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = "B";
    for next in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_with_or_without_a_space_in_any_case() {
        for (text, bytes) in [
            ("4096", 4096),
            ("4096B", 4096),
            ("4096 b", 4096),
            ("64k", 64_000),
            ("64 kB", 64_000),
            ("16KB", 16_000),
            ("64Ki", 65_536),
            ("64 KiB", 65_536),
            ("500 MB", 500_000_000),
            ("500mb", 500_000_000),
            ("64 MiB", 64 << 20),
            ("64MiB", 64 << 20),
            ("1 GiB", 1 << 30),
            ("1GB", 1_000_000_000),
            ("2T", 2_000_000_000_000),
            ("1 TiB", 1 << 40),
            ("  7 MiB  ", 7 << 20),
        ] {
            assert_eq!(parse(text), Ok(bytes), "{text:?}");
        }
    }

    #[test]
    fn fractions_are_exact_and_round_to_the_nearest_byte() {
        assert_eq!(parse("1.5 GiB"), Ok(3 << 29));
        assert_eq!(parse("0.5k"), Ok(500));
        assert_eq!(parse("1.0005k"), Ok(1001));
        assert_eq!(parse("1.0004k"), Ok(1000));
        assert_eq!(parse("2."), Ok(2));
        assert_eq!(parse("0.1 B"), Ok(0));
        assert_eq!(parse("15.9999999999999999999999 GiB"), Ok(16 << 30));
    }

    #[test]
    fn malformed_sizes_are_refused_saying_why() {
        for text in ["", "GiB", "-1 GiB", ".5 MiB", "1.2.3", "1e3"] {
            let error = parse(text).expect_err(text);
            assert!(
                matches!(error, SizeError::NotASize | SizeError::UnknownUnit(_)),
                "{text:?}: {error:?}"
            );
        }
        assert_eq!(
            parse("64 megabytes"),
            Err(SizeError::UnknownUnit("megabytes".into()))
        );
        assert_eq!(parse("64 MiBs"), Err(SizeError::UnknownUnit("MiBs".into())));
        assert_eq!(
            parse("64  MiB x"),
            Err(SizeError::UnknownUnit("MiB x".into()))
        );
        assert!(
            parse("64 megabytes")
                .unwrap_err()
                .to_string()
                .contains(UNITS)
        );
    }

    #[test]
    fn sizes_past_u64_are_refused() {
        assert_eq!(parse("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(parse("18446744073709551616"), Err(SizeError::TooLarge));
        assert_eq!(parse("18446744073709551615 KiB"), Err(SizeError::TooLarge));
        assert_eq!(
            parse("99999999999999999999999999999999999999999"),
            Err(SizeError::TooLarge)
        );
        assert_eq!(parse("17179869184 GiB"), Err(SizeError::TooLarge));
    }

    #[test]
    fn formatted_sizes_read_back() {
        assert_eq!(format(512), "512 B");
        assert_eq!(format(3 << 29), "1.5 GiB");
        assert_eq!(format(64 << 20), "64.0 MiB");
        for bytes in [0, 1023, 1 << 20, 3 << 29, 5 << 40] {
            assert_eq!(parse(&format(bytes)), Ok(bytes), "{bytes}");
        }
    }
}
