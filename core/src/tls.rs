//! Which certificates the client trusts. Verification is never optional:
//! there is no setting that turns it off.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where Debian (and derivatives) keep the system bundle; the first that
/// exists is used.
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
        assert_eq!(CaSource::for_setting("/x/ca.pem"), CaSource::File("/x/ca.pem".into()));
        assert!(CaSource::for_setting("/x/ca.pem").to_string().contains("/x/ca.pem"));
    }

    #[test]
    fn empty_setting_means_the_system_store() {
        assert!(!matches!(CaSource::for_setting(""), CaSource::File(_)));
    }
}
