//! Runs a test again as an unprivileged user, so that file permissions mean what they say.
//!
//! Root reads a mode-000 file and writes into a read-only directory, so a permission test run as
//! root would prove nothing. As root, such a test calls [`rerun_as_nobody`], which runs that one
//! test of the current test binary in a child process as `nobody` (uid and gid 65534) and fails
//! if the child does.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// Whether permission checks are bypassed for this process.
pub fn is_root() -> bool {
    // SAFETY: geteuid takes no arguments and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Runs the test named `test` (its full path, e.g. `unreadable_entry_is_a_miss`) of this test
/// binary as `nobody`, and panics with its output unless it ran and passed.
pub fn rerun_as_nobody(test: &str) {
    // The binary may live under a directory `nobody` cannot enter: run a copy from a temp dir.
    let exe = std::env::current_exe().expect("path of the test binary");
    let dir = tempfile::tempdir().expect("temp dir for the test binary copy");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("open the temp dir to nobody");
    let copy = dir.path().join("test-binary");
    std::fs::copy(&exe, &copy).expect("copy the test binary");
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755))
        .expect("make the copy executable");

    let output = Command::new(&copy)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .uid(65534)
        .gid(65534)
        .current_dir("/")
        .env("TMPDIR", "/tmp")
        .output()
        .expect("run the test binary as nobody");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "`{test}` as nobody did not pass ({}):\n{stdout}\n{stderr}",
        output.status
    );
}
