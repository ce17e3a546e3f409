//! A server process stopped with SIGSTOP, as a hung server: its connections stay open and
//! nothing is answered until SIGCONT.

use std::thread;
use std::time::{Duration, Instant};

/// A process stopped with SIGSTOP; SIGCONT when dropped.
pub struct Paused {
    pid: libc::pid_t,
}

impl Paused {
    /// Stops `pid`.
    pub fn of(pid: u32) -> Self {
        let pid = libc::pid_t::try_from(pid).expect("a pid");
        // SAFETY: kill takes a pid and a signal number and has no memory effects.
        assert_eq!(
            unsafe { libc::kill(pid, libc::SIGSTOP) },
            0,
            "SIGSTOP {pid}"
        );
        // The signal lands when each thread is next scheduled: wait until all are stopped.
        let deadline = Instant::now() + Duration::from_secs(5);
        while !all_stopped(pid) {
            assert!(Instant::now() < deadline, "{pid} did not stop within 5 s");
            thread::sleep(Duration::from_millis(1));
        }
        Paused { pid }
    }
}

/// Whether every thread of `pid` is stopped (state `T` in `/proc/<pid>/task/*/stat`).
fn all_stopped(pid: libc::pid_t) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.flatten().all(|task| {
        std::fs::read_to_string(task.path().join("stat")).is_ok_and(|stat| {
            // The state follows the command name, which is in parentheses.
            stat.rsplit_once(") ")
                .and_then(|(_, rest)| rest.chars().next())
                .is_some_and(|state| state == 'T' || state == 't')
        })
    })
}

impl Drop for Paused {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe { libc::kill(self.pid, libc::SIGCONT) };
    }
}
