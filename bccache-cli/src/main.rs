//! The `bccache` binary: see the `bccache_cli` crate docs.

fn main() -> std::process::ExitCode {
    bccache_cli::main()
}
