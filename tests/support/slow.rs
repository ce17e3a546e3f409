//! A slow compiler that counts its compiles, for the single-flight tests.

use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bccache::{Compiler, Environment};

/// "Compiles" a source into its upper case, slowly.
#[derive(Default)]
pub struct Slow {
    /// How long each compile takes.
    pub delay: Duration,
    /// Compiles started so far in this process.
    pub compiles: AtomicUsize,
    /// The first this many compiles fail.
    pub fail_first: usize,
    /// Each compile waits (up to 10 s) until this many have started: proves that as many
    /// loaders compile at once.
    pub rendezvous: usize,
    /// Each compile appends a line to this file, to count compiles across processes.
    pub log: Option<PathBuf>,
}

impl Slow {
    pub fn new(delay: Duration) -> Self {
        Slow {
            delay,
            ..Slow::default()
        }
    }

    pub fn compiles(&self) -> usize {
        self.compiles.load(Ordering::SeqCst)
    }
}

/// The compile error of [`Slow`].
#[derive(Debug)]
pub struct Failed;

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("compile failed on purpose")
    }
}

impl std::error::Error for Failed {}

impl Environment for Slow {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(b"slow 1")
    }
}

impl Compiler for Slow {
    type Source = str;
    type Code = String;
    type Error = Failed;

    fn compile(&self, name: &str, _: Option<&str>, source: &str) -> Result<String, Failed> {
        let n = self.compiles.fetch_add(1, Ordering::SeqCst);
        if let Some(log) = &self.log {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .expect("open the compile log");
            // One short O_APPEND write per compile: lines of processes never interleave.
            file.write_all(format!("{name}\n").as_bytes())
                .expect("append to the compile log");
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.compiles() < self.rendezvous && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(self.delay);
        if n < self.fail_first {
            return Err(Failed);
        }
        Ok(source.to_uppercase())
    }

    fn to_bytecode(&self, code: &String) -> Vec<u8> {
        code.clone().into_bytes()
    }

    unsafe fn from_bytecode(&self, bytecode: &[u8]) -> Option<String> {
        String::from_utf8(bytecode.to_vec()).ok()
    }
}
