use bccache::Compiler;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn time_decode<C: Compiler>(label: &str, c: &C, src: &C::Source) {
    let code = c.compile("x", None, src).ok().unwrap();
    let bytes = c.to_bytecode(&code);
    let mut t = vec![];
    for _ in 0..30 {
        let s = Instant::now();
        let d = unsafe { c.from_bytecode(&bytes) };
        assert!(d.is_some());
        t.push(s.elapsed().as_secs_f64() * 1e6);
    }
    let m = median(t);
    println!(
        "{label:<28} bytecode {:>9} B  decode {:>9.1} µs  {:>6.2} µs/KiB",
        bytes.len(),
        m,
        m / (bytes.len() as f64 / 1024.0)
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let trip = rt.block_on(async {
        let mut t = vec![];
        for _ in 0..3000 {
            let s = Instant::now();
            tokio::task::spawn_blocking(|| ()).await.unwrap();
            t.push(s.elapsed().as_secs_f64() * 1e6);
        }
        median(t)
    });
    println!("spawn_blocking round trip (median of 3000): {trip:.1} µs");
    for entry in std::fs::read_dir("examples/scripts").unwrap() {
        let p = entry.unwrap().path();
        let src = std::fs::read_to_string(&p).unwrap();
        let c =
            bccache::engine::lua::LuaCompiler::new(bccache::engine::lua::mlua::Lua::new()).unwrap();
        time_decode(
            &format!("lua {}", p.file_name().unwrap().to_string_lossy()),
            &c,
            &src,
        );
    }
    let c = bccache::engine::regex::DfaCompiler::new();
    time_decode(
        "regex 4 unicode rules",
        &c,
        "\\w+@\\w+\\.(com|org|net1)\n[\\p{L}]{3,} [\\p{L}]{1,}\n\\d{4}-\\d{2}-\\d{2}T\\d{2}\n(?i)user1_\\w+",
    );
    time_decode("regex [a-z]+", &c, "[a-z]+");
    #[cfg(feature = "wasm")]
    {
        let c = bccache::engine::wasm::WasmCompiler::new(Default::default());
        time_decode(
            "wasm primes.wat",
            &c,
            &std::fs::read("examples/modules/primes.wat").unwrap()[..],
        );
        time_decode(
            "wasm sqlite",
            &c,
            &std::fs::read("target/wasm/sql-wasm.wasm").unwrap()[..],
        );
    }
}
