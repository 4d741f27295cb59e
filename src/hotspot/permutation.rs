//! Conditional-permutation pseudo p-values for Gi*.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::HotspotError;
use super::gistar::{GiStatus, Moments};
use super::weights::NeighbourLists;
use crate::algo::Parallelism;

/// Buffered source of uniform integers drawn from a ChaCha8 keystream.
///
/// Each `u64` of keystream is cut into `64 / BITS` chunks of `BITS` bits; an integer in
/// `0..range` (`range <= 2^BITS`) is obtained from a chunk by Lemire's (2019) unbiased
/// multiply-shift method with rejection.
struct Draws<const BITS: u32> {
    rng: ChaCha8Rng,
    words: [u64; 32],
    word: usize,
    chunk: u32,
}

impl<const BITS: u32> Draws<BITS> {
    const MASK: u64 = (1u64 << BITS) - 1;
    const PER_WORD: u32 = 64 / BITS;

    fn new(rng: ChaCha8Rng) -> Self {
        Self { rng, words: [0; 32], word: 32, chunk: 0 }
    }

    #[inline]
    fn chunk(&mut self) -> u64 {
        if self.chunk == 0 {
            self.word += 1;
            if self.word >= self.words.len() {
                self.rng.fill(&mut self.words[..]);
                self.word = 0;
            }
            self.chunk = Self::PER_WORD;
        }
        self.chunk -= 1;
        (self.words[self.word] >> (self.chunk * BITS)) & Self::MASK
    }

    /// Uniform integer in `0..range`, `1 <= range <= 2^BITS`.
    #[inline]
    fn below(&mut self, range: u64) -> u64 {
        let mut m = self.chunk() * range;
        let mut low = m & Self::MASK;
        if low < range {
            let t = ((1u64 << BITS) - range) % range;
            while low < t {
                m = self.chunk() * range;
                low = m & Self::MASK;
            }
        }
        m >> BITS
    }
}

/// Appends to `out` the sums of `permutations` random neighbourhoods, each made of `k`
/// distinct values drawn uniformly from the `n - 1` observations other than `skip`.
fn random_sums<const BITS: u32>(
    draws: &mut Draws<BITS>,
    values: &[f64],
    skip: u64,
    k: usize,
    permutations: u32,
    buf: &mut Vec<u64>,
    out: &mut Vec<f64>,
) {
    let range = values.len() as u64 - 1;
    for _ in 0..permutations {
        buf.clear();
        let mut sum = 0.0;
        if k > 64 {
            let picked = rand::seq::index::sample(&mut draws.rng, range as usize, k);
            for r in picked.iter() {
                let j = if r as u64 >= skip { r as u64 + 1 } else { r as u64 };
                sum += values[j as usize];
            }
        } else {
            while buf.len() < k {
                let mut r = draws.below(range);
                if r >= skip {
                    r += 1;
                }
                if !buf.contains(&r) {
                    buf.push(r);
                    sum += values[r as usize];
                }
            }
        }
        out.push(sum);
    }
}

/// Random neighbourhood sums for observation `skip` from the ChaCha8 stream `stream`.
fn null_sums(
    values: &[f64],
    skip: usize,
    k: usize,
    permutations: u32,
    seed: u64,
    stream: u64,
    buf: &mut Vec<u64>,
) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    let mut out = Vec::with_capacity(permutations as usize);
    if values.len() <= 1 << 21 {
        random_sums(
            &mut Draws::<21>::new(rng),
            values,
            skip as u64,
            k,
            permutations,
            buf,
            &mut out,
        );
    } else {
        random_sums(
            &mut Draws::<32>::new(rng),
            values,
            skip as u64,
            k,
            permutations,
            buf,
            &mut out,
        );
    }
    out
}

/// esda's folded pseudo p-value from `larger` = number of random statistics `>=` observed.
fn folded_p(mut larger: u32, permutations: u32) -> f64 {
    if permutations - larger < larger {
        larger = permutations - larger;
    }
    f64::from(larger + 1) / f64::from(permutations + 1)
}

/// SplitMix64 finaliser, used to derive stream numbers.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// How random neighbourhoods are shared between observations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PermutationDraws {
    /// Independent draws for every observation: ChaCha8 stream = observation position.
    PerCell,
    /// One set of draws per class of observations with the same neighbourhood size and the
    /// same own value (their conditional null distributions are identical: `k` values drawn
    /// from the same multiset). ChaCha8 stream derived from `(k, value bits)`; each
    /// observation's pseudo p-value has the same distribution as with `PerCell`, only
    /// observations of one class share draws (esda shares one draw table across all
    /// observations). Much faster on count data with many equal values.
    #[default]
    PerClass,
}

/// Conditional-permutation pseudo p-values of Gi* (Anselin 1995; esda `crand`).
///
/// Method: for each observation i with a defined Gi* (see [`super::GiStatus`]) and
/// `W_i - 1` neighbours, `permutations` times draw `W_i - 1` distinct values from the other
/// n - 1 observations (uniformly, without replacement), keep `y_i` fixed, and count how often
/// the random neighbourhood sum is `>=` the observed one (`larger`). As esda:
/// if `permutations - larger < larger` then `larger = permutations - larger`; the pseudo p is
/// `(larger + 1) / (permutations + 1)` (a folded one-sided value, at most 0.5 + ...).
/// Random numbers come from `ChaCha8Rng::seed_from_u64(seed)` with a stream fixed by the
/// observation (`PerCell`: its position) or its class (`PerClass`: its neighbourhood size and
/// value, see [`PermutationDraws`]), so the result is identical for any thread count.
/// Observations without a defined Gi* get `None`.
///
/// Complexity: `PerCell` O(permutations · L) for L neighbour entries; `PerClass`
/// O(K · permutations · (k + log permutations) + n log permutations) for K classes.
///
/// Errors: [`HotspotError::LengthMismatch`], [`HotspotError::InvalidParameter`] for
/// `permutations == 0` or non-finite values.
///
/// ```
/// use divnet::algo::Parallelism;
/// use divnet::hotspot::{NeighbourLists, PermutationDraws, gi_star_pseudo_p};
/// let lists: Vec<Vec<usize>> = (0..20)
///     .map(|i: usize| [i.wrapping_sub(1), i + 1].into_iter().filter(|&j| j < 20).collect())
///     .collect();
/// let w = NeighbourLists::from_lists(&lists)?;
/// let mut y = vec![1.0; 20];
/// y[9] = 50.0;
/// y[10] = 60.0;
/// y[11] = 55.0;
/// y[0] = 2.0;
/// let p = gi_star_pseudo_p(&y, &w, 999, 7, PermutationDraws::PerCell, Parallelism::Sequential)?;
/// let q = gi_star_pseudo_p(&y, &w, 999, 7, PermutationDraws::PerClass, Parallelism::Sequential)?;
/// assert!(q[10].unwrap() < 0.01);
/// assert!(p[10].unwrap() < 0.01);
/// assert!(p.iter().all(|v| v.unwrap() <= 0.5 + 1.0 / 1000.0));
/// # Ok::<(), divnet::hotspot::HotspotError>(())
/// ```
pub fn gi_star_pseudo_p(
    values: &[f64],
    w: &NeighbourLists,
    permutations: u32,
    seed: u64,
    draws: PermutationDraws,
    parallelism: Parallelism,
) -> Result<Vec<Option<f64>>, HotspotError> {
    let n = values.len();
    if w.len() != n {
        return Err(HotspotError::LengthMismatch {
            what: "neighbour lists",
            got: w.len(),
            expected: n,
        });
    }
    if permutations == 0 {
        return Err(HotspotError::InvalidParameter {
            name: "permutations",
            value: "0".into(),
            reason: "must be at least 1",
        });
    }
    if let Some(v) = values.iter().find(|v| !v.is_finite()) {
        return Err(HotspotError::InvalidParameter {
            name: "value",
            value: v.to_string(),
            reason: "must be finite",
        });
    }
    let moments = Moments::of(values);
    let defined = |i: usize| moments.status(w.neighbours(i).len() + 1, n) == GiStatus::Defined;
    let observed = |i: usize| -> f64 { w.neighbours(i).iter().map(|&j| values[j as usize]).sum() };
    match draws {
        PermutationDraws::PerCell => {
            let one = |i: usize, buf: &mut Vec<u64>| -> Option<f64> {
                if !defined(i) {
                    return None;
                }
                let obs = observed(i);
                let k = w.neighbours(i).len();
                let sums = null_sums(values, i, k, permutations, seed, i as u64, buf);
                let larger = sums.iter().filter(|&&s| s >= obs).count() as u32;
                Some(folded_p(larger, permutations))
            };
            Ok(if parallelism == Parallelism::Rayon {
                (0..n).into_par_iter().map_init(Vec::new, |buf, i| one(i, buf)).collect()
            } else {
                let mut buf = Vec::new();
                (0..n).map(|i| one(i, &mut buf)).collect()
            })
        }
        PermutationDraws::PerClass => {
            // classes keyed by (k, value bits); representative = first observation of the class
            let mut keys: Vec<(usize, u64, usize)> = (0..n)
                .filter(|&i| defined(i))
                .map(|i| (w.neighbours(i).len(), values[i].to_bits(), i))
                .collect();
            keys.sort_unstable();
            let mut classes: Vec<(usize, u64, usize)> = Vec::new();
            for &(k, bits, i) in &keys {
                if classes.last().is_none_or(|c| (c.0, c.1) != (k, bits)) {
                    classes.push((k, bits, i));
                }
            }
            let class_sums = |&(k, bits, rep): &(usize, u64, usize), buf: &mut Vec<u64>| {
                let stream = mix(mix(k as u64) ^ bits);
                let mut sums = null_sums(values, rep, k, permutations, seed, stream, buf);
                sums.sort_unstable_by(f64::total_cmp);
                sums
            };
            let tables: Vec<Vec<f64>> = if parallelism == Parallelism::Rayon {
                classes.par_iter().map_init(Vec::new, |buf, c| class_sums(c, buf)).collect()
            } else {
                let mut buf = Vec::new();
                classes.iter().map(|c| class_sums(c, &mut buf)).collect()
            };
            let one = |i: usize| -> Option<f64> {
                if !defined(i) {
                    return None;
                }
                let key = (w.neighbours(i).len(), values[i].to_bits());
                let c = classes.partition_point(|c| (c.0, c.1) < key);
                let sums = tables.get(c)?;
                let obs = observed(i);
                let larger = (sums.len() - sums.partition_point(|&s| s < obs)) as u32;
                Some(folded_p(larger, permutations))
            };
            Ok(if parallelism == Parallelism::Rayon {
                (0..n).into_par_iter().map(one).collect()
            } else {
                (0..n).map(one).collect()
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_count_does_not_change_result() {
        let n = 400;
        let lists: Vec<Vec<usize>> = (0..n)
            .map(|i| vec![(i + 1) % n, (i + n - 1) % n, (i + 20) % n])
            .map(|mut v| {
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        let w = NeighbourLists::from_lists(&lists).unwrap();
        let y: Vec<f64> = (0..n).map(|i| ((i * 37) % 11) as f64).collect();
        for d in [PermutationDraws::PerCell, PermutationDraws::PerClass] {
            let a = gi_star_pseudo_p(&y, &w, 199, 42, d, Parallelism::Sequential).unwrap();
            let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
            let b =
                pool.install(|| gi_star_pseudo_p(&y, &w, 199, 42, d, Parallelism::Rayon)).unwrap();
            assert_eq!(a, b);
            let c = gi_star_pseudo_p(&y, &w, 199, 43, d, Parallelism::Sequential).unwrap();
            assert_ne!(a, c);
            assert!(a.iter().all(|p| p.is_some_and(|p| p > 0.0 && p <= 100.0 / 200.0 + 1e-12)));
            assert!(gi_star_pseudo_p(&y, &w, 0, 1, d, Parallelism::Sequential).is_err());
        }
    }

    #[test]
    fn draws_are_uniform() {
        for bits in [21u32, 32] {
            let mut counts = [0u32; 10];
            let rng = ChaCha8Rng::seed_from_u64(1);
            let (mut d21, mut d32) = (Draws::<21>::new(rng.clone()), Draws::<32>::new(rng));
            for _ in 0..90_000 {
                let r = if bits == 21 { d21.below(9) } else { d32.below(9) };
                counts[r as usize] += 1;
            }
            assert_eq!(counts[9], 0);
            for &c in &counts[..9] {
                assert!((9_500..10_500).contains(&c), "{bits}: {counts:?}");
            }
        }
    }

    #[test]
    fn permutation_null_is_calibrated() {
        // i.i.d. values on a ring graph: pseudo p-values of the folded test are roughly
        // uniform on (0, 0.5], so about 10% fall below 0.05.
        let n = 2000;
        let lists: Vec<Vec<usize>> = (0..n).map(|i| vec![(i + 1) % n, (i + n - 1) % n]).collect();
        let w = NeighbourLists::from_lists(&lists).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let y: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        for d in [PermutationDraws::PerCell, PermutationDraws::PerClass] {
            let p = gi_star_pseudo_p(&y, &w, 199, 3, d, Parallelism::Rayon).unwrap();
            let small = p.iter().filter(|v| v.unwrap() <= 0.05).count() as f64 / n as f64;
            assert!((0.06..0.14).contains(&small), "{d:?}: {small}");
        }
        // integer data: few classes, the per-class and per-cell p-values agree closely
        let yi: Vec<f64> =
            (0..n).map(|i| ((i * 7) % 5 + if i < 10 { 20 } else { 0 }) as f64).collect();
        let a = gi_star_pseudo_p(&yi, &w, 999, 9, PermutationDraws::PerCell, Parallelism::Rayon)
            .unwrap();
        let b = gi_star_pseudo_p(&yi, &w, 999, 9, PermutationDraws::PerClass, Parallelism::Rayon)
            .unwrap();
        // Monte Carlo standard error of a difference at p = 0.25 is about 0.019
        let diffs: Vec<f64> =
            a.iter().zip(&b).map(|(x, y)| (x.unwrap() - y.unwrap()).abs()).collect();
        assert!(diffs.iter().all(|d| *d < 0.1));
        assert!(diffs.iter().sum::<f64>() / (diffs.len() as f64) < 0.02);
    }
}
