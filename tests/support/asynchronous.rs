//! Running a test on both kinds of tokio runtime, and storing and loading through
//! `AsyncBytecodeCache`.

use std::future::Future;

use bccache::AsyncBytecodeCache;
use tokio::runtime::{Builder, Runtime};

/// A multi-thread runtime with two workers, as small as one gets.
pub fn multi_thread_runtime() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("multi-thread runtime")
}

/// Runs the future `test` makes on a current-thread runtime, then on a multi-thread one, each
/// time with the fixtures it makes afresh.
pub fn on_both_runtimes<F: Future<Output = ()>>(test: impl Fn() -> F) {
    let current = Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("current-thread runtime");
    current.block_on(test());
    multi_thread_runtime().block_on(test());
}

/// Stores `code` through the async trait, as a miss followed by a compile would.
pub async fn store(cache: &dyn AsyncBytecodeCache, name: &str, source: &str, code: &[u8]) {
    let mut bucket = cache
        .get_bucket(&(), name, None, source)
        .await
        .expect("get_bucket");
    bucket.code = Some(code.to_vec());
    cache.set_bucket(&bucket).await.expect("set_bucket");
}

/// The code an async load finds, or `None` on a miss; an error fails the test.
pub async fn load(cache: &dyn AsyncBytecodeCache, name: &str, source: &str) -> Option<Vec<u8>> {
    cache
        .get_bucket(&(), name, None, source)
        .await
        .expect("a load is a hit or a miss, never an error")
        .code
}
