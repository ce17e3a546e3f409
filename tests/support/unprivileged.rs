//! Runs a test again as an unprivileged user, so that file permissions mean what they say.
//!
//! Root reads a mode-000 file and writes into a read-only directory, so a permission test run as
//! root would prove nothing. As root, such a test calls [`rerun_as_nobody`], which runs that one
//! test of the current test binary in a child process as `nobody` (uid and gid 65534) and fails
//! if the child does.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::thread;
use std::time::Duration;

use super::child;

/// A rerun still going after this is killed and the test fails.
const NOBODY_DEADLINE: Duration = Duration::from_secs(60);

/// Whether permission checks are bypassed for this process.
pub fn is_root() -> bool {
    // SAFETY: geteuid takes no arguments and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Runs the test named `test` (its full path, e.g. `unreadable_entry_is_a_miss`) of this test
/// binary as `nobody`, and panics with its output unless it ran and passed within
/// [`NOBODY_DEADLINE`].
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

    let mut command = child::test_command(&copy, test);
    command
        .uid(65534)
        .gid(65534)
        .current_dir("/")
        .env("TMPDIR", "/tmp");
    let output = child::wait_with_deadline(spawn_fresh_copy(command), NOBODY_DEADLINE);
    child::check_passed(&format!("{test} (as nobody)"), &output);
}

/// Starts `command`, a binary just copied, retrying for a while on ETXTBSY: a process that
/// another test thread forks during the copy holds the copy open for writing until it execs.
fn spawn_fresh_copy(mut command: Command) -> Child {
    let mut tries = 0;
    loop {
        match command.spawn() {
            Ok(child) => return child,
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && tries < 200 => {
                tries += 1;
                thread::sleep(Duration::from_millis(10));
            }
            Err(e) => panic!("start the test binary copy as nobody: {e}"),
        }
    }
}
