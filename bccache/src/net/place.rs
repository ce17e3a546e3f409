//! Placement: which of several servers holds a key, by rendezvous hashing.
//!
//! Each server has a seed, the hash of where it listens (not of how its URL is spelled); a key
//! lives on the server whose seeded hash of the key is highest. The order of the servers does
//! not matter, and adding or removing one moves only that server's share of the keys.

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

/// The seed of a server listening at `address` (`host:port` with the host in lowercase, or a
/// socket path).
pub(crate) fn seed_of(address: &str) -> u64 {
    xxh3_64(address.as_bytes())
}

/// The index, among servers with these `seeds`, of the server that holds `key`.
pub(crate) fn rendezvous(seeds: impl IntoIterator<Item = u64>, key: &[u8]) -> usize {
    let mut best = 0;
    let mut best_score = 0;
    for (index, seed) in seeds.into_iter().enumerate() {
        let score = xxh3_64_with_seed(key, seed);
        if index == 0 || score > best_score {
            best = index;
            best_score = score;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendezvous_hashing_ignores_server_order_and_uses_every_server() {
        let forward = [seed_of("a:1"), seed_of("b:1"), seed_of("c:1")];
        let backward = [forward[2], forward[1], forward[0]];
        let mut used = [false; 3];
        for i in 0..200 {
            let key = format!("jinja2/bytecode/{i:040}");
            let f = rendezvous(forward, key.as_bytes());
            let b = rendezvous(backward, key.as_bytes());
            assert_eq!(forward[f], backward[b], "{key}");
            used[f] = true;
        }
        assert_eq!(used, [true; 3]);
    }

    #[test]
    fn removing_a_server_moves_only_its_keys() {
        let all = [seed_of("a:1"), seed_of("b:1"), seed_of("c:1")];
        let without_c = [all[0], all[1]];
        for i in 0..200 {
            let key = format!("k{i}");
            let home = rendezvous(all, key.as_bytes());
            if home != 2 {
                assert_eq!(rendezvous(without_c, key.as_bytes()), home, "{key}");
            }
        }
    }
}
