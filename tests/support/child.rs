//! Runs one test of the current test binary again in a child process ("child mode").
//!
//! Some faults belong to a whole process (a file-size limit, `TMPDIR`), and some tests need
//! several processes at once. Such a test re-runs itself with [`CHILD_ENV`] set; the copy sees
//! the variable, plays the child's part, and the parent checks what it printed.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Set (to the child's instructions) in a child process started by [`child_command`].
pub const CHILD_ENV: &str = "BCCACHE_TEST_CHILD";

/// The instructions of this process when it is a child, `None` in the parent.
pub fn child_instructions() -> Option<String> {
    std::env::var(CHILD_ENV).ok()
}

/// A command running only the test `test` of this binary, in child mode with `instructions`.
pub fn child_command(test: &str, instructions: &str) -> Command {
    let exe = std::env::current_exe().expect("path of the test binary");
    let mut command = test_command(&exe, test);
    command.env(CHILD_ENV, instructions);
    command
}

/// A command running only the test `test` of the test binary `exe`, with its output piped for
/// [`wait_with_deadline`].
pub fn test_command(exe: &Path, test: &str) -> Command {
    let mut command = Command::new(exe);
    command
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Starts `command` (from [`child_command`] or [`test_command`]).
pub fn spawn(mut command: Command) -> Child {
    command.spawn().expect("start the test binary as a child")
}

/// Waits for `child` at most `limit`; a child still running then is killed and the test fails.
pub fn wait_with_deadline(mut child: Child, limit: Duration) -> Output {
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    // Drain both pipes meanwhile, so a chatty child never blocks on a full pipe.
    let out = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll the child") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stdout = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
            panic!("child process still running after {limit:?}; killed it. Output:\n{stdout}");
        }
        thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

/// Runs the child to completion (at most `limit`) and returns its stdout; panics with its output
/// unless its one test ran and passed.
pub fn run_child(test: &str, instructions: &str, limit: Duration) -> String {
    let output = wait_with_deadline(spawn(child_command(test, instructions)), limit);
    check_passed(test, &output)
}

/// The child's stdout, after checking that its one test ran and passed.
pub fn check_passed(test: &str, output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child run of `{test}` did not pass ({}):\n{stdout}\n{stderr}",
        output.status
    );
    stdout
}
