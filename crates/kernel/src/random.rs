//! Randomness for getrandom and /dev/urandom: ChaCha20 (the `rand_chacha` crate) seeded with
//! 32 bytes of host entropy at start-up, so serving it makes no host call. A restored
//! snapshot must reseed (all copies would otherwise share one stream).

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

use crate::sync::SpinLock;

static RNG: SpinLock<Option<ChaCha20Rng>> = SpinLock::new(None);

/// Seeds the generator from the host.
pub fn seed() {
    let mut seed = [0u8; 32];
    crate::host::random_bytes(&mut seed);
    *RNG.lock() = Some(ChaCha20Rng::from_seed(seed));
}

pub fn fill(buf: &mut [u8]) {
    let mut rng = RNG.lock();
    match rng.as_mut() {
        Some(rng) => rng.fill_bytes(buf),
        None => crate::host::random_bytes(buf),
    }
}
