//! Cache counters in Prometheus's text exposition format, as `bccache stats --format prometheus`
//! prints them for node_exporter's textfile collector.
//!
//! One [`Exposition`] holds any number of series, each a set of labels (`dir` and `pattern` for a
//! directory, `location` for a remote store) with its [`CacheStats`] and, when known, the number
//! and size of its entries. The metric names are fixed: `bccache_hits_total`,
//! `bccache_misses_total`, `bccache_stale_total`, `bccache_rejected_total`,
//! `bccache_errors_total`, `bccache_stores_total`, `bccache_read_bytes_total`,
//! `bccache_written_bytes_total` (counters), `bccache_entries` and `bccache_size_bytes`
//! (gauges). With the `metrics` feature every store counts through the `metrics` facade under
//! the same counter names.
//!
//! ```
//! use bccache::CacheStats;
//! use bccache::prometheus::Exposition;
//!
//! let mut stats = CacheStats::default();
//! stats.hits = 41;
//! let text = Exposition::new()
//!     .series(&[("dir", "/var/cache/app"), ("pattern", "__app_%s.cache")], &stats)
//!     .entries(3, 196_608)
//!     .render();
//! assert!(text.contains("bccache_hits_total{dir=\"/var/cache/app\",pattern=\"__app_%s.cache\"} 41\n"));
//! assert!(text.contains("# TYPE bccache_entries gauge\n"));
//! ```

use std::fmt::Write;

use crate::stats::CacheStats;

/// A metric family: name, type, help text, and the value of a series in it.
type Family = (
    &'static str,
    &'static str,
    &'static str,
    fn(&Series) -> Option<u64>,
);

/// The metric families, in the order they are printed: name, type, help text, and the value of
/// a series (`None`: the series does not know it, so it has no sample in that family).
const FAMILIES: [Family; 10] = [
    (
        "bccache_hits_total",
        "counter",
        "Loads that found usable code.",
        |s| Some(s.stats.hits),
    ),
    (
        "bccache_misses_total",
        "counter",
        "Loads that found no entry.",
        |s| Some(s.stats.misses),
    ),
    (
        "bccache_stale_total",
        "counter",
        "Loads that found an entry for another version of the source.",
        |s| Some(s.stats.stale),
    ),
    (
        "bccache_rejected_total",
        "counter",
        "Loads that found an entry failing a check (corrupt, other format, engine or key).",
        |s| Some(s.stats.rejected),
    ),
    (
        "bccache_errors_total",
        "counter",
        "Operations the store failed, ignored or not.",
        |s| Some(s.stats.errors),
    ),
    ("bccache_stores_total", "counter", "Entries written.", |s| {
        Some(s.stats.stores)
    }),
    (
        "bccache_read_bytes_total",
        "counter",
        "Encoded bytes of the entries that hit.",
        |s| Some(s.stats.bytes_read),
    ),
    (
        "bccache_written_bytes_total",
        "counter",
        "Encoded bytes of the entries written.",
        |s| Some(s.stats.bytes_written),
    ),
    ("bccache_entries", "gauge", "Entries in the store.", |s| {
        s.entries
    }),
    (
        "bccache_size_bytes",
        "gauge",
        "Bytes of the entries in the store.",
        |s| s.size_bytes,
    ),
];

/// One labelled series: its counters and, when known, its entries' count and size.
#[derive(Clone, Debug)]
struct Series {
    labels: String,
    stats: CacheStats,
    entries: Option<u64>,
    size_bytes: Option<u64>,
}

/// Series of cache counters, rendered in the text exposition format (see the [module
/// docs](self)).
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct Exposition {
    series: Vec<Series>,
}

impl Exposition {
    /// No series yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a series with these labels and counters. Label names must be Prometheus names
    /// (`[a-zA-Z_][a-zA-Z0-9_]*`); values may hold any text and are escaped.
    ///
    /// ```
    /// # use bccache::{CacheStats, prometheus::Exposition};
    /// let text = Exposition::new()
    ///     .series(&[("location", "s3://ci-cache/app")], &CacheStats::default())
    ///     .render();
    /// assert!(text.contains("bccache_misses_total{location=\"s3://ci-cache/app\"} 0\n"));
    /// ```
    pub fn series(mut self, labels: &[(&str, &str)], stats: &CacheStats) -> Self {
        let mut text = String::new();
        for (n, (name, value)) in labels.iter().enumerate() {
            if n > 0 {
                text.push(',');
            }
            text.push_str(name);
            text.push_str("=\"");
            escape_label_value(&mut text, value);
            text.push('"');
        }
        self.series.push(Series {
            labels: text,
            stats: *stats,
            entries: None,
            size_bytes: None,
        });
        self
    }

    /// Sets the number and total size of the entries of the series added last (gauges); a
    /// series without them has no `bccache_entries` or `bccache_size_bytes` sample.
    ///
    /// ```
    /// # use bccache::{CacheStats, prometheus::Exposition};
    /// let text = Exposition::new()
    ///     .series(&[("dir", "/tmp/c")], &CacheStats::default())
    ///     .entries(2, 4096)
    ///     .render();
    /// assert!(text.contains("bccache_size_bytes{dir=\"/tmp/c\"} 4096\n"));
    /// ```
    pub fn entries(mut self, entries: u64, size_bytes: u64) -> Self {
        if let Some(last) = self.series.last_mut() {
            last.entries = Some(entries);
            last.size_bytes = Some(size_bytes);
        }
        self
    }

    /// The text exposition: each family's `# HELP` and `# TYPE` lines, then one sample per
    /// series that has a value for it. A family no series has a value for is left out.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (name, kind, help, value) in FAMILIES {
            let samples: Vec<(&str, u64)> = self
                .series
                .iter()
                .filter_map(|s| value(s).map(|v| (s.labels.as_str(), v)))
                .collect();
            if samples.is_empty() {
                continue;
            }
            // Writing to a String cannot fail.
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (labels, v) in samples {
                if labels.is_empty() {
                    let _ = writeln!(out, "{name} {v}");
                } else {
                    let _ = writeln!(out, "{name}{{{labels}}} {v}");
                }
            }
        }
        out
    }
}

/// A label value as the exposition format quotes it: backslash, double quote and line feed
/// escaped.
fn escape_label_value(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_with_quotes_backslashes_and_newlines_are_escaped() {
        let text = Exposition::new()
            .series(&[("dir", "a\"b\\c\nd")], &CacheStats::default())
            .render();
        assert!(
            text.contains("bccache_hits_total{dir=\"a\\\"b\\\\c\\nd\"} 0\n"),
            "{text}"
        );
    }

    #[test]
    fn every_family_is_printed_once_with_its_samples_together() {
        let stats = CacheStats {
            stale: 7,
            ..CacheStats::default()
        };
        let text = Exposition::new()
            .series(&[("dir", "/a")], &stats)
            .entries(1, 10)
            .series(&[("dir", "/b")], &CacheStats::default())
            .render();
        for (name, _, _, _) in FAMILIES {
            assert_eq!(
                text.matches(&format!("# TYPE {name} ")).count(),
                1,
                "{name}"
            );
        }
        let stale: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("bccache_stale_total{"))
            .collect();
        assert_eq!(
            stale,
            [
                "bccache_stale_total{dir=\"/a\"} 7",
                "bccache_stale_total{dir=\"/b\"} 0"
            ]
        );
        // Only the first series knows its entries.
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("bccache_entries{"))
                .count(),
            1
        );
    }

    #[test]
    fn no_series_renders_nothing() {
        assert_eq!(Exposition::new().render(), "");
    }
}
