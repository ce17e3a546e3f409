//! The default cache directory, `<temp dir>/_bccache-<uid>`, and the checks that keep another
//! user from planting code in it (Jinja2's CVE-2014-1402 rules).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// `<temp dir>/_bccache-<uid>`, created or checked by Jinja2's CVE-2014-1402 rules.
pub(crate) fn default_cache_dir() -> Result<PathBuf> {
    let dir = default_dir_path();
    #[cfg(unix)]
    secure_dir(&dir)?;
    #[cfg(not(unix))]
    fs::create_dir_all(&dir).map_err(|e| Error::io("create cache directory", &dir, e))?;
    Ok(dir)
}

/// `<temp dir>/_bccache-<uid>` (`_bccache` where there are no uids), neither made nor checked.
pub(crate) fn default_dir_path() -> PathBuf {
    let temp = std::env::temp_dir();
    #[cfg(unix)]
    return temp.join(format!("_bccache-{}", current_uid()));
    #[cfg(not(unix))]
    return temp.join("_bccache");
}

#[cfg(unix)]
fn current_uid() -> u32 {
    // SAFETY: getuid takes no arguments, touches no memory and cannot fail.
    unsafe { libc::getuid() }
}

/// Creates `dir` with mode 0700, or checks that the existing one is ours, real and private.
#[cfg(unix)]
pub(crate) fn secure_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;

    match fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(Error::io("create cache directory", dir, e)),
    }
    check_existing(dir)
}

/// The default directory after [`secure_dir`]'s checks, without creating it: `None` when it
/// does not exist.
pub(crate) fn checked_existing() -> Result<Option<PathBuf>> {
    let dir = default_dir_path();
    match fs::symlink_metadata(&dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("inspect cache directory", &dir, e)),
        Ok(_) => {}
    }
    #[cfg(unix)]
    check_existing(&dir)?;
    Ok(Some(dir))
}

/// Checks that the existing `dir` is ours, real and private, repairing a wrong mode.
#[cfg(unix)]
fn check_existing(dir: &Path) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    let refuse = |reason: String| Error::UnsafeDirectory {
        path: dir.to_owned(),
        reason,
    };
    let uid = current_uid();
    // lstat, never stat: a symlink planted by another user must not be followed.
    let check = || -> Result<fs::Metadata> {
        let meta =
            fs::symlink_metadata(dir).map_err(|e| Error::io("inspect cache directory", dir, e))?;
        if meta.file_type().is_symlink() {
            return Err(refuse("it is a symlink".into()));
        }
        if !meta.is_dir() {
            return Err(refuse("it is not a directory".into()));
        }
        if meta.uid() != uid {
            return Err(refuse(format!(
                "it is owned by uid {}, not {uid}",
                meta.uid()
            )));
        }
        Ok(meta)
    };
    let meta = check()?;
    if meta.mode() & 0o7777 != 0o700 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io("set mode 0700 on cache directory", dir, e))?;
        let meta = check()?;
        if meta.mode() & 0o7777 != 0o700 {
            return Err(refuse(format!(
                "its mode is {:o}, not 700, and cannot be repaired",
                meta.mode() & 0o7777
            )));
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().mode() & 0o7777
    }

    #[test]
    fn secure_dir_creates_a_private_directory() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("_bccache-test");
        secure_dir(&dir).unwrap();
        assert!(dir.is_dir());
        assert_eq!(mode(&dir), 0o700);
    }

    #[test]
    fn secure_dir_repairs_a_world_writable_mode() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("_bccache-test");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        secure_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
    }

    #[test]
    fn secure_dir_refuses_a_symlink_even_to_our_own_directory() {
        let temp = tempfile::tempdir().unwrap();
        let target = temp.path().join("elsewhere");
        fs::create_dir(&target).unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o755)).unwrap();
        let dir = temp.path().join("_bccache-test");
        symlink(&target, &dir).unwrap();
        let err = secure_dir(&dir).unwrap_err();
        assert!(err.to_string().contains("symlink"), "{err}");
        assert_eq!(mode(&target), 0o755, "the symlink's target is left alone");
    }

    #[test]
    fn secure_dir_refuses_a_file() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("_bccache-test");
        fs::write(&dir, b"").unwrap();
        let err = secure_dir(&dir).unwrap_err();
        assert!(err.to_string().contains("not a directory"), "{err}");
    }

    #[test]
    fn secure_dir_refuses_a_directory_of_another_owner() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("_bccache-test");
        if current_uid() == 0 {
            fs::create_dir(&dir).unwrap();
            std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).unwrap();
        } else {
            // Not root: a directory someone else owns is easy to find.
            let dir = Path::new("/");
            assert_ne!(fs::metadata(dir).unwrap().uid(), current_uid());
            let err = secure_dir(dir).unwrap_err();
            assert!(err.to_string().contains("owned by uid"), "{err}");
            return;
        }
        let err = secure_dir(&dir).unwrap_err();
        assert!(matches!(err, Error::UnsafeDirectory { .. }));
        assert!(err.to_string().contains("owned by uid 65534"), "{err}");
    }
}
