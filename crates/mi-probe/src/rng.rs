//! scikit-learn's sample order: the 32-bit xorshift generator of `sklearn.utils._random.our_rand_r`,
//! seeded the way `sklearn.linear_model._base.make_dataset` seeds it
//! (`RandomState(random_state).randint(1, 2**31 - 1)`, i.e. NumPy's legacy MT19937).
//!
//! With the same `random_state`, [`SampleOrder`] draws the same sequence of sample indices as
//! scikit-learn's SAG/SAGA solvers (sampling with replacement, `rand % n_samples`).

/// The xorshift generator of `sklearn/utils/_random.pxd` (`our_rand_r`), drawing sample indices.
#[derive(Debug, Clone)]
pub struct SampleOrder {
    state: u32,
}

impl SampleOrder {
    /// The generator scikit-learn builds for `random_state = seed` (seeds ≥ 2³² are folded to 32
    /// bits first: scikit-learn refuses them).
    pub fn from_random_state(seed: u64) -> Self {
        let folded = (seed ^ (seed >> 32)) as u32;
        Self::from_dataset_seed(sklearn_dataset_seed(folded))
    }

    /// The generator with its raw 32-bit state (scikit-learn's `SequentialDataset.seed`).
    pub fn from_dataset_seed(state: u32) -> Self {
        Self { state }
    }

    /// `our_rand_r`: the next value in `0..2³¹`.
    #[inline(always)]
    pub fn next_u31(&mut self) -> u32 {
        if self.state == 0 {
            self.state = 1;
        }
        let mut s = self.state;
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        self.state = s;
        s % (2_147_483_647u32 + 1)
    }

    /// The next sample index in `0..n` (`our_rand_r(&seed) % n`, as in `_get_random_index`).
    #[inline(always)]
    pub fn next_index(&mut self, n: u32) -> usize {
        (self.next_u31() % n) as usize
    }
}

/// `numpy.random.RandomState(random_state).randint(1, 2**31 - 1)`: the seed scikit-learn's
/// `make_dataset` hands to its sequential dataset.
pub fn sklearn_dataset_seed(random_state: u32) -> u32 {
    let mut mt = Mt19937::new(random_state);
    // legacy bounded integers: rng = high - 1 - low, masked rejection sampling on 32-bit draws
    let rng: u32 = 2_147_483_647 - 1 - 1;
    let mask: u32 = 0x7fff_ffff;
    loop {
        let v = mt.next_u32() & mask;
        if v <= rng {
            return v + 1;
        }
    }
}

/// The Mersenne twister MT19937 with NumPy's legacy integer seeding (`init_genrand`).
struct Mt19937 {
    key: [u32; 624],
    pos: usize,
}

impl Mt19937 {
    fn new(seed: u32) -> Self {
        let mut key = [0u32; 624];
        let mut s = seed;
        for (pos, k) in key.iter_mut().enumerate() {
            *k = s;
            s = 1_812_433_253u32.wrapping_mul(s ^ (s >> 30)).wrapping_add(pos as u32 + 1);
        }
        Self { key, pos: 624 }
    }

    fn generate(&mut self) {
        const N: usize = 624;
        const M: usize = 397;
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        for i in 0..N {
            let y = (self.key[i] & UPPER) | (self.key[(i + 1) % N] & LOWER);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            self.key[i] = self.key[(i + M) % N] ^ (y >> 1) ^ mag;
        }
        self.pos = 0;
    }

    fn next_u32(&mut self) -> u32 {
        if self.pos >= 624 {
            self.generate();
        }
        let mut y = self.key[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mt19937_matches_the_reference_first_output() {
        // The MT19937 reference: init_genrand(5489) gives 3499211612 first.
        let mut mt = Mt19937::new(5489);
        assert_eq!(mt.next_u32(), 3_499_211_612);
    }

    #[test]
    fn xorshift_skips_zero_state_like_sklearn() {
        let mut a = SampleOrder::from_dataset_seed(0);
        let mut b = SampleOrder::from_dataset_seed(1);
        assert_eq!(a.next_u31(), b.next_u31());
    }
}
