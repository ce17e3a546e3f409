use bccache::BytecodeCache;

#[derive(BytecodeCache)]
#[cache(memcached, ignore_errors = false)]
struct SharedConfig {
    #[cache(memcached)]
    servers: String,
    #[cache(prefix)]
    prefix: String,
    #[cache(timeout)]
    timeout: Option<u32>,
}

/// Only the prefix comes from a field; the server is the default.
#[derive(BytecodeCache)]
#[cache(memcached, timeout = 60)]
struct PrefixOnly {
    #[cache(prefix)]
    prefix: &'static str,
}

#[derive(BytecodeCache)]
struct TimeoutSeconds {
    #[cache(memcached)]
    servers: &'static str,
    #[cache(timeout)]
    timeout: u64,
}

fn main() {
    let _: Box<dyn BytecodeCache> = Box::new(SharedConfig {
        servers: String::from("memcache://127.0.0.1:11211"),
        prefix: String::from("app/"),
        timeout: None,
    });
    let _: Box<dyn BytecodeCache> = Box::new(PrefixOnly { prefix: "app/" });
    let _: Box<dyn BytecodeCache> = Box::new(TimeoutSeconds {
        servers: "memcache://127.0.0.1:11211",
        timeout: 60,
    });
}
