//! What a cache leaves in its directory.

use std::fs;
use std::path::Path;

/// The names of the dump temp files (`.<entry>.<random>.tmp`) in `dir`.
pub fn temp_files_in(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("list the cache directory")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with('.') && name.ends_with(".tmp"))
        .collect()
}
