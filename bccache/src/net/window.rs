//! The batch window: how many keys one round trip of a batch asks a server for.
//!
//! All requests of a window are written before the first reply is read, so a window of
//! thousands of keys could fill both sides' socket buffers and stall until the I/O timeout,
//! and large replies piling up behind each other are slower than a few round trips. A window
//! starts at a fixed number of keys and is then sized from the values seen so far to aim at a
//! reply of about a given size, within bounds.

/// The sizing rule of a store's batch windows.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WindowRule {
    /// Keys of a server's first window, before value sizes are known.
    pub(crate) first: usize,
    /// The fewest keys of a window, however large the values.
    pub(crate) min: usize,
    /// The most keys of a window.
    pub(crate) max: usize,
    /// The reply size a window aims at.
    pub(crate) reply_bytes: usize,
}

/// One server's walk through its share of a batch, a window at a time.
pub(crate) struct Windows<'a, T> {
    rule: WindowRule,
    next: usize,
    rest: &'a [T],
}

impl WindowRule {
    /// Walks `items` a window at a time; [`Windows::saw`] sizes the next window.
    pub(crate) fn over<T>(self, items: &[T]) -> Windows<'_, T> {
        Windows {
            rule: self,
            next: self.first,
            rest: items,
        }
    }
}

impl<'a, T> Windows<'a, T> {
    /// The next window, or `None` when the share is done.
    pub(crate) fn next_window(&mut self) -> Option<&'a [T]> {
        if self.rest.is_empty() {
            return None;
        }
        let (window, rest) = self.rest.split_at(self.next.min(self.rest.len()));
        self.rest = rest;
        Some(window)
    }

    /// What is left after the last window given, for a server that failed.
    #[cfg(any(test, feature = "redis"))]
    pub(crate) fn rest(&self) -> &'a [T] {
        self.rest
    }

    /// Sizes the next window from a reply of `bytes` bytes of values over `keys` keys (no keys
    /// leaves the size as it was).
    pub(crate) fn saw(&mut self, keys: usize, bytes: usize) {
        if let Some(per_key) = bytes.checked_div(keys) {
            let per_key = per_key.max(1);
            self.next = (self.rule.reply_bytes / per_key).clamp(self.rule.min, self.rule.max);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: WindowRule = WindowRule {
        first: 32,
        min: 4,
        max: 128,
        reply_bytes: 1 << 20,
    };

    #[test]
    fn windows_aim_at_the_reply_size_within_bounds() {
        let keys: Vec<u32> = (0..1000).collect();
        let mut windows = RULE.over(&keys);
        assert_eq!(windows.next_window().map(<[_]>::len), Some(32));
        windows.saw(32, 32 * 64 * 1024);
        assert_eq!(windows.next_window().map(<[_]>::len), Some(16));
        windows.saw(16, 16 * 100);
        assert_eq!(windows.next_window().map(<[_]>::len), Some(128));
        windows.saw(128, 128 * (8 << 20));
        assert_eq!(windows.next_window().map(<[_]>::len), Some(4));
        let mut seen = 32 + 16 + 128 + 4;
        while let Some(window) = windows.next_window() {
            seen += window.len();
        }
        assert_eq!(seen, 1000);
        assert!(windows.rest().is_empty());
    }
}
