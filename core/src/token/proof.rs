//! Proof of the secret that fetched a token.
//!
//! Appids are public, so a cache keyed by appid alone would hand an app's
//! token to anyone who names the appid (on shared hosting, any other site).
//! Every cached token carries `HMAC-SHA256(salt, appsecret)` with a random
//! salt, and is only handed to a caller whose secret gives the same MAC
//! (compared in constant time). The secret itself is never stored.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    salt: [u8; 16],
    mac: [u8; 32],
}

fn keyed(salt: &[u8; 16]) -> HmacSha256 {
    // HMAC takes keys of any length: this cannot fail.
    HmacSha256::new_from_slice(salt).expect("HMAC accepts any key length")
}

impl Proof {
    /// A new proof of `secret`, with a fresh salt.
    pub fn of(secret: &str) -> crate::error::Result<Proof> {
        let salt: [u8; 16] = crate::random::bytes()?;
        let mut mac = keyed(&salt);
        mac.update(secret.as_bytes());
        Ok(Proof {
            salt,
            mac: mac.finalize().into_bytes().into(),
        })
    }

    /// Whether `secret` is the one this proof was made from.
    pub fn admits(&self, secret: &str) -> bool {
        let mut mac = keyed(&self.salt);
        mac.update(secret.as_bytes());
        mac.verify_slice(&self.mac).is_ok()
    }

    /// `salt` and `mac` as hex, for the shared cache.
    pub fn to_hex(&self) -> (String, String) {
        (hex::encode(self.salt), hex::encode(self.mac))
    }

    pub fn from_hex(salt: &str, mac: &str) -> Option<Proof> {
        let mut proof = Proof {
            salt: [0; 16],
            mac: [0; 32],
        };
        hex::decode_to_slice(salt, &mut proof.salt).ok()?;
        hex::decode_to_slice(mac, &mut proof.mac).ok()?;
        Some(proof)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_only_its_secret() {
        let p = Proof::of("RIGHT-SECRET").unwrap();
        assert!(p.admits("RIGHT-SECRET"));
        assert!(!p.admits("WRONG"));
        assert!(!p.admits("RIGHT-SECRE"));
        assert!(!p.admits(""));
        // Salted: two proofs of one secret differ, both admit it.
        let q = Proof::of("RIGHT-SECRET").unwrap();
        assert_ne!(p, q);
        assert!(q.admits("RIGHT-SECRET"));
    }

    #[test]
    fn round_trips_as_hex_without_the_secret() {
        let p = Proof::of("s3cr3t-value").unwrap();
        let (salt, mac) = p.to_hex();
        assert!(!salt.contains("s3cr3t") && !mac.contains("s3cr3t"));
        assert_eq!(Proof::from_hex(&salt, &mac), Some(p));
        assert_eq!(Proof::from_hex("zz", &mac), None);
        assert_eq!(Proof::from_hex(&salt, "00"), None);
    }
}
