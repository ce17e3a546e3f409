//! The ignore-errors policy of a network store, and the one-line error chain it logs.
//!
//! With errors ignored (the default), a failed load is a miss and a failed store is dropped,
//! logged through `tracing`: a cache never stops templates from loading. With them returned,
//! the caller gets the [`Error`], whose sources name the server and what it did.

use std::fmt;

use crate::error::{Error, Result};

/// Applies the policy to `error`: returned when errors are not ignored, else logged (at `warn`
/// when `loud`, for what an operator must hear about once, else at `debug`).
pub(crate) fn apply(ignore_errors: bool, error: Error, loud: bool) -> Result<()> {
    if !ignore_errors {
        return Err(error);
    }
    if loud {
        tracing::warn!(error = %DisplayChain(&error), "a cache server refused an entry");
    } else {
        tracing::debug!(error = %DisplayChain(&error), "ignored cache server error");
    }
    Ok(())
}

/// An error and its sources on one line, for the log.
pub(crate) struct DisplayChain<'a>(pub(crate) &'a (dyn std::error::Error + 'static));

impl fmt::Display for DisplayChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            write!(f, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}

/// Keeps the first error of a batch.
#[cfg(feature = "memcached")]
pub(crate) fn keep_first(first_error: &mut Option<Error>, result: Result<()>) {
    if let (None, Err(error)) = (&first_error, result) {
        *first_error = Some(error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_names_every_source_on_one_line() {
        let error = Error::Redis {
            operation: "get",
            key: "k".into(),
            source: Box::new(std::io::Error::other("connection reset")),
        };
        assert_eq!(
            DisplayChain(&error).to_string(),
            "redis get of `k` failed: connection reset"
        );
        assert!(apply(true, Error::NoServer, false).is_ok());
        assert!(matches!(
            apply(false, Error::NoServer, false),
            Err(Error::NoServer)
        ));
    }
}
