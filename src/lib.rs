//! The unpublished root package of the bccache workspace: it owns the integration tests, the
//! examples and the benches. Its only code runs the README's examples as doctests, so they
//! cannot rot.

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
