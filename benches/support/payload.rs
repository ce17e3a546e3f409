//! The sources and compiled-code stand-ins of the cache-hit benches, shared so that the criterion
//! benches and the README table measure the same entries.

/// A template-like source of exactly `len` bytes, distinct for each `n`.
pub fn template_source(n: usize, len: usize) -> String {
    let line =
        format!("<li>{{{{ item.name }}}} #{n}: {{% if item.active %}}on{{% endif %}}</li>\n");
    line.repeat(len / line.len() + 1)[..len].to_owned()
}

/// `len` bytes that look like compiled code (incompressible, no long runs), distinct for each
/// `seed`.
pub fn fake_code(seed: u64, len: usize) -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64 ^ seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}
