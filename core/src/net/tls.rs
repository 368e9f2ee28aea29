//! Which certificates the client trusts. Verification is never optional:
//! there is no setting that turns it off.

use crate::error::{Error, Result};
use std::fmt;
use std::path::{Path, PathBuf};

/// Where the distributions keep the system bundle (Debian and Ubuntu, then
/// RHEL and its rebuilds, then Alpine and others); the first that exists is
/// used.
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
];

/// The trust anchors in use.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CaSource {
    /// `wxpay.cafile` / option `cafile`: this PEM bundle only.
    File(PathBuf),
    /// The operating system's bundle.
    System(PathBuf),
    /// No system bundle found: the Mozilla roots compiled into the extension.
    Bundled,
}

impl CaSource {
    /// The source for a `cafile` setting (empty = the system's).
    pub fn for_setting(cafile: &str) -> CaSource {
        if !cafile.is_empty() {
            return CaSource::File(PathBuf::from(cafile));
        }
        SYSTEM_BUNDLES
            .iter()
            .map(Path::new)
            .find(|p| p.is_file())
            .map_or(CaSource::Bundled, |p| CaSource::System(p.to_path_buf()))
    }
}

impl CaSource {
    /// Whether a `cafile` setting names a regular file ("" is the system's
    /// store and always fine); the caller names the setting.
    pub fn check(cafile: &str) -> Result<()> {
        if cafile.is_empty() {
            return Ok(());
        }
        let path = Path::new(cafile);
        let shown = path.display();
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::Configuration(
                format!("the CA file {shown} does not exist"),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                Err(Error::Configuration(format!(
                    "the CA file {shown} cannot be read (permission denied)"
                )))
            }
            Err(e) => Err(Error::Configuration(format!(
                "the CA file {shown} cannot be read ({})",
                e.kind()
            ))),
            Ok(m) if !m.is_file() => Err(Error::Configuration(format!(
                "the CA file {shown} is not a regular file"
            ))),
            // One stat per call; a file that exists but cannot be opened is
            // reported when the bundle is loaded ("cannot read the CA bundle").
            Ok(_) => Ok(()),
        }
    }
}

impl fmt::Display for CaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaSource::File(p) => write!(f, "wxpay.cafile ({})", p.display()),
            CaSource::System(p) => write!(f, "system store ({})", p.display()),
            CaSource::Bundled => f.write_str("bundled Mozilla roots (no system store found)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_file_wins() {
        assert_eq!(
            CaSource::for_setting("/x/ca.pem"),
            CaSource::File("/x/ca.pem".into())
        );
        assert!(CaSource::for_setting("/x/ca.pem")
            .to_string()
            .contains("/x/ca.pem"));
    }

    #[test]
    fn empty_setting_means_the_system_store() {
        assert!(!matches!(CaSource::for_setting(""), CaSource::File(_)));
    }

    #[test]
    fn cafile_problems_are_named_exactly() {
        assert_eq!(CaSource::check(""), Ok(()));
        assert!(CaSource::check("/nonexistent/ca.pem")
            .unwrap_err()
            .message()
            .contains("does not exist"));
        assert!(CaSource::check("/dev/zero")
            .unwrap_err()
            .message()
            .contains("is not a regular file"));
        assert!(CaSource::check("/tmp")
            .unwrap_err()
            .message()
            .contains("is not a regular file"));
        let file = std::env::temp_dir().join(format!("wxpay-ca-check-{}.pem", std::process::id()));
        std::fs::write(&file, "x").unwrap();
        assert_eq!(CaSource::check(file.to_str().unwrap()), Ok(()));
        // A path through a regular file: neither missing nor unreadable, but not a directory.
        let through = format!("{}/ca.pem", file.display());
        let refused = CaSource::check(&through);
        let _ = std::fs::remove_file(&file);
        assert_eq!(
            refused,
            Err(Error::Configuration(format!(
                "the CA file {through} cannot be read (not a directory)"
            )))
        );
    }
}
