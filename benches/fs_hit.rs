//! Placeholder until this bench is written.

fn main() {}
