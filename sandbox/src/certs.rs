//! The sandbox's own CA and a server certificate for 127.0.0.1 / localhost.
//!
//! The CA is kept in the state directory and reused on the next start, so a
//! shop configures `wxpay.cafile` once; the server certificate is new each run.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::Path;

pub struct ServerIdentity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "wxpay-sandbox local CA");
    dn.push(DnType::OrganizationName, "wxpay sandbox (testing only)");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

/// Loads the CA from `dir` (or creates it there) and issues a server certificate.
pub fn load_or_create(dir: &Path) -> Result<ServerIdentity, String> {
    let ca_cert_path = dir.join("ca.pem");
    let ca_key_path = dir.join("ca-key.pem");
    let params = ca_params();
    let ca_key = match std::fs::read_to_string(&ca_key_path) {
        Ok(pem) if ca_cert_path.is_file() => {
            KeyPair::from_pem(&pem).map_err(|e| format!("{}: {e}", ca_key_path.display()))?
        }
        _ => {
            let key = KeyPair::generate().map_err(|e| e.to_string())?;
            let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
            write_private(&ca_key_path, key.serialize_pem().as_bytes())?;
            std::fs::write(&ca_cert_path, cert.pem())
                .map_err(|e| format!("{}: {e}", ca_cert_path.display()))?;
            key
        }
    };
    let ca_pem = std::fs::read(&ca_cert_path).map_err(|e| e.to_string())?;
    let issuer = Issuer::new(params, ca_key);

    let mut server = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .map_err(|e| e.to_string())?;
    server
        .distinguished_name
        .push(DnType::CommonName, "wxpay-sandbox");
    let server_key = KeyPair::generate().map_err(|e| e.to_string())?;
    let server_cert = server
        .signed_by(&server_key, &issuer)
        .map_err(|e| e.to_string())?;
    std::fs::write(dir.join("server.pem"), server_cert.pem()).map_err(|e| e.to_string())?;

    let ca_der = rustls::pki_types::pem::PemObject::from_pem_slice(&ca_pem)
        .map_err(|e| format!("ca.pem: {e:?}"))?;
    Ok(ServerIdentity {
        chain: vec![server_cert.der().clone(), ca_der],
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
    })
}

fn write_private(path: &Path, data: &[u8]) -> Result<(), String> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    std::io::Write::write_all(&mut f, data).map_err(|e| e.to_string())
}
