//! The memcached test harness itself: a server starts, answers, and stops.

mod support;

use support::memcached::MemcachedServer;

#[test]
fn harness_starts_and_stops_a_real_server() {
    let mut server = MemcachedServer::start();
    assert!(
        server.stat("pid").is_some(),
        "a started server answers `stats`"
    );
    assert_eq!(server.raw_get("absent"), None);
    server.stop();
    assert_eq!(
        server.stat("pid"),
        None,
        "a stopped server no longer answers"
    );
    server.restart();
    assert!(
        server.stat("pid").is_some(),
        "a restarted server answers again"
    );
}
