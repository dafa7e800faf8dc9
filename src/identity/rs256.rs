//! RS256 verification (RSASSA-PKCS1-v1_5 with SHA-256, RFC 8017 §8.2.2) with a public key: the
//! only RSA operation this server needs, so it is written here on fixed-size limbs instead of
//! pulling in a general big-integer crate (the `rsa` crate cost the server about 40 KB).
//!
//! The key checks are the `rsa` crate's (`RsaPublicKey::new`): a modulus of at most 4096 bits,
//! odd, and larger than the exponent; an odd exponent from 3 to 2^33 - 1. The signature must be
//! exactly as long as the modulus and smaller than it. The encoded message is compared whole,
//! in constant time, with the one expected: `00 01 FF…FF 00 DigestInfo(SHA-256) hash`. Nothing
//! here is secret (key, signature and message are all public), but the comparison does not
//! stop at the first difference anyway. Tests check it against keys and signatures of the `rsa`
//! crate, and big-number arithmetic against `num-bigint-dig`.

use sha2::{Digest, Sha256};

/// Largest modulus accepted, in bits (`rsa`'s `RsaPublicKey::MAX_SIZE`).
const MAX_MODULUS_BITS: usize = 4096;
/// Largest public exponent accepted (`rsa`'s `RsaPublicKey::MAX_PUB_EXPONENT`).
const MAX_EXPONENT: u64 = (1 << 33) - 1;
/// DER of the DigestInfo prefix for SHA-256 (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// A public key that passed the checks: its modulus as little-endian 32-bit limbs.
pub(crate) struct PublicKey {
    n: Vec<u32>,
    e: u64,
    /// The modulus's length in bytes (`k` of RFC 8017), from its bit length.
    size: usize,
    /// The modulus's length in bits.
    bits: usize,
}

impl PublicKey {
    /// The key with big-endian modulus `n` and exponent `e` (leading zero bytes allowed, as a
    /// JWK's base64url members may carry them), or `None` when it is not an acceptable key.
    pub(crate) fn new(n: &[u8], e: &[u8]) -> Option<PublicKey> {
        let n = limbs(n);
        let bits = bit_length(&n);
        if bits > MAX_MODULUS_BITS {
            return None;
        }
        let e_limbs = limbs(e);
        if e_limbs.len() > 2 {
            return None;
        }
        let e = e_limbs
            .iter()
            .rev()
            .fold(0u64, |acc, &limb| (acc << 32) | u64::from(limb));
        // n odd (so not zero), e below n, e odd and from 3 to MAX_EXPONENT.
        if n.first().is_none_or(|low| low & 1 == 0) || !less_than(&limbs_of_u64(e), &n) {
            return None;
        }
        if e & 1 == 0 || !(2..=MAX_EXPONENT).contains(&e) {
            return None;
        }
        Some(PublicKey {
            n,
            e,
            size: bits.div_ceil(8),
            bits,
        })
    }

    /// The modulus's exact length in bits (a 2041-bit modulus is 2041, not the 2048 its bytes
    /// hold: the floor on key sizes is on bits).
    pub(crate) fn size_bits(&self) -> usize {
        self.bits
    }

    /// Whether `signature` is this key's RS256 signature of `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        if signature.len() != self.size {
            return false;
        }
        let s = limbs(signature);
        if !less_than(&s, &self.n) {
            return false;
        }
        let m = self.power(&s);
        let encoded = to_bytes(&m, self.size);
        let expected = self.expected_encoding(&Sha256::digest(message));
        let Some(expected) = expected else {
            return false;
        };
        constant_time_eq::constant_time_eq(&encoded, &expected)
    }

    /// `00 01 FF…FF 00 DigestInfo hash`, `size` bytes; `None` when the key is too short to hold
    /// it with eight bytes of padding (RFC 8017 §9.2 step 3).
    fn expected_encoding(&self, hash: &[u8]) -> Option<Vec<u8>> {
        let t_len = SHA256_DIGEST_INFO.len() + hash.len();
        if self.size < t_len + 11 {
            return None;
        }
        let mut encoded = vec![0xff; self.size];
        encoded[0] = 0;
        encoded[1] = 1;
        encoded[self.size - t_len - 1] = 0;
        encoded[self.size - t_len..self.size - hash.len()].copy_from_slice(&SHA256_DIGEST_INFO);
        encoded[self.size - hash.len()..].copy_from_slice(hash);
        Some(encoded)
    }

    /// `base^e mod n`, for `base < n`, by Montgomery multiplication (the modulus is odd).
    fn power(&self, base: &[u32]) -> Vec<u32> {
        let modulus = Montgomery::new(&self.n);
        let len = self.n.len();
        let mut base = base.to_vec();
        base.resize(len, 0);
        let base = modulus.multiply(&base, &modulus.r_squared);
        let mut accumulator = base.clone();
        let top = 63 - self.e.leading_zeros();
        for bit in (0..top).rev() {
            accumulator = modulus.multiply(&accumulator, &accumulator);
            if (self.e >> bit) & 1 == 1 {
                accumulator = modulus.multiply(&accumulator, &base);
            }
        }
        let mut one = vec![0u32; len];
        one[0] = 1;
        modulus.multiply(&accumulator, &one)
    }
}

/// Arithmetic modulo an odd `n` of `len` limbs, with `R = 2^(32·len)`.
struct Montgomery<'a> {
    n: &'a [u32],
    /// `-n⁻¹ mod 2^32`.
    n_prime: u32,
    /// `R² mod n`, which takes a number into Montgomery form.
    r_squared: Vec<u32>,
}

impl<'a> Montgomery<'a> {
    fn new(n: &'a [u32]) -> Montgomery<'a> {
        // Newton's iteration doubles the correct low bits of n⁻¹ each step: 1, 2, 4, … 32.
        let mut inverse: u32 = 1;
        for _ in 0..5 {
            inverse = inverse.wrapping_mul(2u32.wrapping_sub(n[0].wrapping_mul(inverse)));
        }
        // R² mod n by doubling 1, modulo n, 2·32·len times.
        let mut r_squared = vec![0u32; n.len()];
        r_squared[0] = 1; // below n, which is above the exponent (at least 3)
        for _ in 0..64 * n.len() {
            let carry = shift_left_one(&mut r_squared);
            if carry || !less_than(&r_squared, n) {
                subtract(&mut r_squared, n);
            }
        }
        Montgomery {
            n,
            n_prime: inverse.wrapping_neg(),
            r_squared,
        }
    }

    /// `a·b·R⁻¹ mod n`, for `a, b < n` (CIOS, Koç et al.).
    fn multiply(&self, a: &[u32], b: &[u32]) -> Vec<u32> {
        let len = self.n.len();
        let mut t = vec![0u32; len + 2];
        for &b_limb in b {
            let mut carry = 0u64;
            for j in 0..len {
                let sum = u64::from(t[j]) + u64::from(a[j]) * u64::from(b_limb) + carry;
                t[j] = sum as u32;
                carry = sum >> 32;
            }
            let sum = u64::from(t[len]) + carry;
            t[len] = sum as u32;
            t[len + 1] = (sum >> 32) as u32;
            let m = t[0].wrapping_mul(self.n_prime);
            let mut carry = (u64::from(t[0]) + u64::from(m) * u64::from(self.n[0])) >> 32;
            for j in 1..len {
                let sum = u64::from(t[j]) + u64::from(m) * u64::from(self.n[j]) + carry;
                t[j - 1] = sum as u32;
                carry = sum >> 32;
            }
            let sum = u64::from(t[len]) + carry;
            t[len - 1] = sum as u32;
            t[len] = t[len + 1] + (sum >> 32) as u32;
        }
        let overflow = t[len] != 0;
        t.truncate(len);
        if overflow || !less_than(&t, self.n) {
            subtract(&mut t, self.n);
        }
        t
    }
}

/// Big-endian bytes as little-endian limbs, without leading zero limbs.
fn limbs(bytes: &[u8]) -> Vec<u32> {
    let mut limbs: Vec<u32> = bytes
        .rchunks(4)
        .map(|chunk| {
            chunk
                .iter()
                .fold(0u32, |acc, &byte| (acc << 8) | u32::from(byte))
        })
        .collect();
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
    limbs
}

fn limbs_of_u64(value: u64) -> Vec<u32> {
    limbs(&value.to_be_bytes())
}

/// `limbs` as exactly `len` big-endian bytes (the number fits: it is below the modulus).
fn to_bytes(limbs: &[u32], len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    for (i, byte) in bytes.iter_mut().rev().enumerate() {
        if let Some(limb) = limbs.get(i / 4) {
            *byte = (limb >> (8 * (i % 4))) as u8;
        }
    }
    bytes
}

fn bit_length(limbs: &[u32]) -> usize {
    let top = limbs.iter().rposition(|&limb| limb != 0);
    top.map_or(0, |i| 32 * i + 32 - limbs[i].leading_zeros() as usize)
}

/// `a < b`, for numbers whose limbs may include leading zeros.
fn less_than(a: &[u32], b: &[u32]) -> bool {
    let len = a.len().max(b.len());
    for i in (0..len).rev() {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x < y;
        }
    }
    false
}

/// `a = (a - b) mod 2^(32·len a)`; `b` has no more limbs than `a`.
fn subtract(a: &mut [u32], b: &[u32]) {
    let mut borrow = 0u64;
    for (i, limb) in a.iter_mut().enumerate() {
        let subtrahend = u64::from(b.get(i).copied().unwrap_or(0)) + borrow;
        let (difference, under) = u64::from(*limb).overflowing_sub(subtrahend);
        *limb = difference as u32;
        borrow = u64::from(under);
    }
}

/// `a <<= 1`; whether a bit left the top.
fn shift_left_one(a: &mut [u32]) -> bool {
    let mut carry = 0u32;
    for limb in a.iter_mut() {
        let next = *limb >> 31;
        *limb = (*limb << 1) | carry;
        carry = next;
    }
    carry == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::BigUint;
    use rsa::rand_core::{OsRng, RngCore};
    use rsa::signature::{SignatureEncoding, Signer};
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};

    fn signed(bits: usize, message: &[u8]) -> (rsa::RsaPrivateKey, Vec<u8>) {
        let key = rsa::RsaPrivateKey::new(&mut OsRng, bits).unwrap();
        let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone());
        let signature = signer.sign(message).to_vec();
        (key, signature)
    }

    fn public(key: &rsa::RsaPrivateKey) -> PublicKey {
        PublicKey::new(&key.n().to_bytes_be(), &key.e().to_bytes_be()).unwrap()
    }

    #[test]
    fn signatures_of_the_rsa_crate_verify_and_nothing_else_does() {
        for bits in [2048, 3072, 4096] {
            let message = b"header.claims";
            let (key, signature) = signed(bits, message);
            let public = public(&key);
            assert_eq!(public.size_bits(), bits);
            assert!(public.verify(message, &signature), "{bits}");
            assert!(!public.verify(b"header.claimz", &signature));
            for at in [0, 1, signature.len() / 2, signature.len() - 1] {
                let mut bad = signature.clone();
                bad[at] ^= 0x01;
                assert!(!public.verify(message, &bad), "{bits}: byte {at}");
            }
            // Longer or shorter, even by a zero byte, is not the signature.
            let mut longer = vec![0];
            longer.extend_from_slice(&signature);
            assert!(!public.verify(message, &longer));
            assert!(!public.verify(message, &signature[1..]));
            assert!(!public.verify(message, &[]));
            // s ≥ n is refused (s + n has the same power, were it reduced first).
            let n = key.n().to_bytes_be();
            assert!(!public.verify(message, &n));
            let s_plus_n = BigUint::from_bytes_be(&signature) + key.n();
            let s_plus_n = s_plus_n.to_bytes_be();
            if s_plus_n.len() == n.len() {
                assert!(!public.verify(message, &s_plus_n));
            }
            // Another key's signature.
            let (_, other) = signed(bits, message);
            assert!(!public.verify(message, &other));
        }
    }

    #[test]
    fn only_the_exact_encoding_verifies() {
        // Signatures made with the private key's raw power over encodings that differ from the
        // expected one in one place each: none verifies.
        let (key, _) = signed(2048, b"m");
        let public = public(&key);
        let hash = Sha256::digest(b"m");
        let good = public.expected_encoding(&hash).unwrap();
        let sign_raw = |encoded: &[u8]| -> Vec<u8> {
            let m = BigUint::from_bytes_be(encoded);
            let s = m.modpow(key.d(), key.n());
            let mut bytes = s.to_bytes_be();
            while bytes.len() < public.size {
                bytes.insert(0, 0);
            }
            bytes
        };
        assert!(public.verify(b"m", &sign_raw(&good)));
        let t_len = SHA256_DIGEST_INFO.len() + hash.len();
        let k = public.size;
        for at in [
            1,
            2,
            5,
            k - t_len - 2,
            k - t_len - 1,
            k - t_len,
            k - t_len + 12,
            k - 1,
        ] {
            let mut bad = good.clone();
            bad[at] ^= 0x01;
            assert!(!public.verify(b"m", &sign_raw(&bad)), "byte {at}");
        }
        // Block type 2 (encryption padding), or the hash moved left with more after it.
        let mut type2 = good.clone();
        type2[1] = 2;
        assert!(!public.verify(b"m", &sign_raw(&type2)));
        let mut shifted = good.clone();
        shifted.copy_within(k - t_len - 1.., k - t_len - 2);
        shifted[k - 1] = 0;
        assert!(!public.verify(b"m", &sign_raw(&shifted)));
    }

    #[test]
    fn keys_are_checked_as_the_rsa_crate_checks_them() {
        let (key, signature) = signed(2048, b"m");
        let n = key.n().to_bytes_be();
        let e = key.e().to_bytes_be();
        // Leading zero bytes change nothing.
        let mut padded_n = vec![0, 0];
        padded_n.extend_from_slice(&n);
        let mut padded_e = vec![0; 9];
        padded_e.extend_from_slice(&e);
        let padded = PublicKey::new(&padded_n, &padded_e).unwrap();
        assert!(padded.verify(b"m", &signature));
        let accepted = |n: &[u8], e: &[u8]| PublicKey::new(n, e).is_some();
        let agrees = |n: &[u8], e: &[u8]| {
            let theirs =
                rsa::RsaPublicKey::new(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e));
            assert_eq!(
                accepted(n, e),
                theirs.is_ok(),
                "n {} bytes, e {e:?}",
                n.len()
            );
        };
        for e in [
            &[][..],
            &[0],
            &[1],
            &[2],
            &[3],
            &[4],
            &[1, 0, 1],
            &[1, 0, 0],
            &[1, 0xff, 0xff, 0xff, 0xff],
            &[2, 0, 0, 0, 1],
            &[3, 0, 0, 0, 1],
            &[0xff; 9],
        ] {
            agrees(&n, e);
        }
        let mut even = n.clone();
        *even.last_mut().unwrap() &= 0xfe;
        agrees(&even, &e);
        agrees(&[], &e);
        agrees(&[0], &e);
        agrees(&[1], &e);
        agrees(&[3], &[3]);
        agrees(&[5], &[3]);
        let mut large = vec![0xff; 512];
        agrees(&large, &e);
        large.insert(0, 1);
        agrees(&large, &e);
    }

    #[test]
    fn the_power_is_the_power_of_num_bigint() {
        let random = |len: usize| {
            let mut bytes = vec![0u8; len];
            OsRng.fill_bytes(&mut bytes);
            bytes
        };
        for len in [1usize, 3, 4, 5, 8, 31, 64, 129, 256, 512] {
            for _ in 0..8 {
                let mut n = random(len);
                *n.last_mut().unwrap() |= 1;
                n[0] |= 0x80;
                let e = (OsRng.next_u64() % MAX_EXPONENT) | 1;
                let n_big = BigUint::from_bytes_be(&n);
                let base = BigUint::from_bytes_be(&random(len)) % &n_big;
                let key = PublicKey {
                    n: limbs(&n),
                    e,
                    size: len,
                    bits: len * 8,
                };
                let ours = to_bytes(&key.power(&limbs(&base.to_bytes_be())), len);
                let theirs = base.modpow(&BigUint::from(e), &n_big);
                assert_eq!(BigUint::from_bytes_be(&ours), theirs, "{len} bytes, e {e}");
            }
        }
    }
}

#[cfg(test)]
#[path = "rs256_review.rs"]
mod review;
