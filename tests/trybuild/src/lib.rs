//! No code: this package holds the trybuild cases of bccache and its derive (`tests/`).
