//! Binning of weighted events into H3 cells.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasherDefault, Hasher};

use h3o::{CellIndex, LatLng, Resolution};
use rayon::prelude::*;

use super::{Event, HotspotError};
use crate::algo::Parallelism;

/// Aggregated value of one H3 cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellValue {
    /// The H3 cell.
    pub cell: CellIndex,
    /// Sum of the weights of the events in the cell (summed in input order).
    pub value: f64,
    /// Number of events in the cell.
    pub count: u64,
}

/// Parses an H3 resolution.
pub(crate) fn resolution(res: u8) -> Result<Resolution, HotspotError> {
    Resolution::try_from(res).map_err(|_| HotspotError::InvalidResolution(res))
}

/// Validates one event and returns its cell.
pub(crate) fn event_cell(
    index: usize,
    e: &Event,
    res: Resolution,
) -> Result<CellIndex, HotspotError> {
    let bad = |reason| HotspotError::InvalidCoordinate { index, lat: e.lat, lon: e.lon, reason };
    if !e.lat.is_finite() || !e.lon.is_finite() {
        return Err(bad("coordinate is not finite"));
    }
    if !(-90.0..=90.0).contains(&e.lat) {
        return Err(bad("latitude outside -90..=90"));
    }
    if !(-180.0..=180.0).contains(&e.lon) {
        return Err(bad("longitude outside -180..=180"));
    }
    if !e.weight.is_finite() || e.weight < 0.0 {
        return Err(HotspotError::InvalidWeight { index, weight: e.weight });
    }
    let ll = LatLng::new(e.lat, e.lon).map_err(|_| bad("rejected by h3o"))?;
    Ok(ll.to_cell(res))
}

/// Multiply-shift hasher for H3 cell indices (keys are already well-spread 64-bit values).
#[derive(Default)]
struct CellHasher(u64);

impl Hasher for CellHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(self.0 ^ u64::from(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        let h = (x ^ (x >> 31)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 29);
    }
}

type CellMap = HashMap<u64, usize, BuildHasherDefault<CellHasher>>;

/// `(cell, weight sum, count)` triples of one chunk.
type ChunkSums = Vec<(u64, f64, u64)>;

/// Events per aggregation chunk. Chunk boundaries do not depend on the thread count, so the
/// summation order (input order inside a chunk, then chunk order) is fixed.
const CHUNK: usize = 1 << 15;

/// Weight sums per cell, cells in first-seen order.
#[derive(Default)]
struct Sums {
    at: CellMap,
    acc: ChunkSums,
}

impl Sums {
    fn add(&mut self, cell: u64, weight: f64, count: u64) {
        match self.at.entry(cell) {
            Entry::Occupied(o) => {
                let a = &mut self.acc[*o.get()];
                a.1 += weight;
                a.2 += count;
            }
            Entry::Vacant(v) => {
                v.insert(self.acc.len());
                self.acc.push((cell, weight, count));
            }
        }
    }

    /// Merges chunk sums in chunk order; the first error (lowest index) wins. Returns the
    /// cells sorted by index.
    fn merge(parts: Vec<Result<ChunkSums, HotspotError>>) -> Result<Vec<CellValue>, HotspotError> {
        let mut all = Sums::default();
        for part in parts {
            for (cell, sum, count) in part? {
                all.add(cell, sum, count);
            }
        }
        let mut acc = all.acc;
        acc.sort_unstable_by_key(|a| a.0);
        Ok(acc
            .into_iter()
            .filter_map(|(k, value, count)| {
                CellIndex::try_from(k).ok().map(|cell| CellValue { cell, value, count })
            })
            .collect())
    }
}

/// `(cell, sum, count)` of one chunk, cells in first-seen order.
fn bin_chunk(offset: usize, events: &[Event], res: Resolution) -> Result<ChunkSums, HotspotError> {
    let mut sums = Sums::default();
    for (j, e) in events.iter().enumerate() {
        sums.add(u64::from(event_cell(offset + j, e, res)?), e.weight, 1);
    }
    Ok(sums.acc)
}

/// Bins events into H3 cells at `resolution`, summing weights per cell.
///
/// Method: `h3o::LatLng::to_cell` per event; weights are aggregated with a hash map per fixed
/// chunk of 32,768 events (input order), then the chunk results are merged in chunk order and
/// sorted by cell index. Chunks do not depend on the thread count, so the output is
/// bit-identical for either [`Parallelism`].
///
/// Complexity: O(E + C log C) expected time for E events and C occupied cells, O(C) memory
/// per chunk.
///
/// Parameters: `events` (lat/lon in degrees, finite non-negative weights; `step` ignored),
/// `resolution` 0..=15, `parallelism` ([`Parallelism::Rayon`] uses the current rayon pool).
///
/// Errors: [`HotspotError::InvalidResolution`], [`HotspotError::InvalidCoordinate`] (non-finite
/// or out-of-range latitude/longitude), [`HotspotError::InvalidWeight`]; the first bad event
/// (lowest index) is reported.
///
/// ```
/// use divnet::algo::Parallelism;
/// use divnet::hotspot::{Event, bin_events};
/// let e = |lat, lon, weight| Event { lat, lon, step: None, weight };
/// let events = [e(10.0, 10.0, 1.5), e(10.0, 10.0, 2.0), e(-5.0, 20.0, 1.0)];
/// let cells = bin_events(&events, 5, Parallelism::Sequential)?;
/// assert_eq!(cells.len(), 2);
/// assert_eq!(cells.iter().map(|c| c.value).sum::<f64>(), 4.5);
/// assert!(cells.iter().any(|c| c.value == 3.5 && c.count == 2));
/// assert!(bin_events(&[e(f64::NAN, 0.0, 1.0)], 5, Parallelism::Sequential).is_err());
/// # Ok::<(), divnet::hotspot::HotspotError>(())
/// ```
pub fn bin_events(
    events: &[Event],
    resolution: u8,
    parallelism: Parallelism,
) -> Result<Vec<CellValue>, HotspotError> {
    let res = self::resolution(resolution)?;
    let chunk = |(c, evs): (usize, &[Event])| bin_chunk(c * CHUNK, evs, res);
    Sums::merge(if parallelism == Parallelism::Rayon {
        events.par_chunks(CHUNK).enumerate().map(chunk).collect()
    } else {
        events.chunks(CHUNK).enumerate().map(chunk).collect()
    })
}

/// Sums the weights of events already placed in their cells (`(cell, weight)` in input
/// order), exactly as [`bin_events`] sums them: the same chunks, the same order, so the
/// same bits. For callers that compute each event's cell while they read it (the
/// `divnet hotspots` command does it in its parallel parse).
///
/// ```
/// use divnet::algo::Parallelism;
/// use divnet::hotspot::{Event, bin_events, binning::sum_cells};
/// use h3o::{LatLng, Resolution};
/// let events: Vec<Event> = (0..100_000)
///     .map(|i| Event { lat: (i % 97) as f64 * 0.01, lon: 0.0, step: None, weight: 0.1 + (i % 7) as f64 })
///     .collect();
/// let cells: Vec<_> = events
///     .iter()
///     .map(|e| (LatLng::new(e.lat, e.lon).unwrap().to_cell(Resolution::Seven), e.weight))
///     .collect();
/// assert_eq!(sum_cells(&cells, Parallelism::Rayon), bin_events(&events, 7, Parallelism::Sequential)?);
/// # Ok::<(), divnet::hotspot::HotspotError>(())
/// ```
pub fn sum_cells(cells: &[(CellIndex, f64)], parallelism: Parallelism) -> Vec<CellValue> {
    let chunk = |part: &[(CellIndex, f64)]| {
        let mut sums = Sums::default();
        for &(cell, weight) in part {
            sums.add(u64::from(cell), weight, 1);
        }
        Ok(sums.acc)
    };
    let parts = if parallelism == Parallelism::Rayon {
        cells.par_chunks(CHUNK).map(chunk).collect()
    } else {
        cells.chunks(CHUNK).map(chunk).collect()
    };
    Sums::merge(parts).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(lat: f64, lon: f64, weight: f64) -> Event {
        Event { lat, lon, step: None, weight }
    }

    #[test]
    fn rejects_bad_input_without_panicking() {
        assert_eq!(
            bin_events(&[], 16, Parallelism::Sequential),
            Err(HotspotError::InvalidResolution(16))
        );
        assert!(matches!(
            bin_events(&[ev(0.0, 0.0, 1.0), ev(91.0, 0.0, 1.0)], 3, Parallelism::Sequential),
            Err(HotspotError::InvalidCoordinate { index: 1, .. })
        ));
        assert!(matches!(
            bin_events(&[ev(0.0, 181.0, 1.0)], 3, Parallelism::Rayon),
            Err(HotspotError::InvalidCoordinate { index: 0, .. })
        ));
        assert!(matches!(
            bin_events(&[ev(0.0, 0.0, -1.0)], 3, Parallelism::Sequential),
            Err(HotspotError::InvalidWeight { index: 0, .. })
        ));
        assert!(matches!(
            bin_events(&[ev(0.0, 0.0, f64::INFINITY)], 3, Parallelism::Sequential),
            Err(HotspotError::InvalidWeight { .. })
        ));
    }

    #[test]
    fn parallel_equals_sequential_bitwise() {
        let mut events = Vec::new();
        let mut x = 0.123_f64;
        for i in 0..100_000 {
            x = (x * 9301.0 + 49297.0) % 233280.0;
            let f = x / 233280.0;
            events.push(ev(10.0 + f * 2.0, 20.0 + (i % 97) as f64 * 0.02, 0.1 + f));
        }
        let a = bin_events(&events, 6, Parallelism::Sequential).unwrap();
        let b = bin_events(&events, 6, Parallelism::Rayon).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let c = pool.install(|| bin_events(&events, 6, Parallelism::Rayon)).unwrap();
        assert_eq!(a.len(), b.len());
        for ((x, y), z) in a.iter().zip(&b).zip(&c) {
            assert_eq!(x.cell, y.cell);
            assert_eq!(x.value.to_bits(), y.value.to_bits());
            assert_eq!(x.value.to_bits(), z.value.to_bits());
            assert_eq!(x.count, z.count);
        }
        assert!(a.windows(2).all(|w| u64::from(w[0].cell) < u64::from(w[1].cell)));
        assert_eq!(a.iter().map(|c| c.count).sum::<u64>(), 100_000);
    }

    #[test]
    fn same_point_same_cell_matches_h3o() {
        let cells = bin_events(&[ev(48.85, 2.35, 1.0)], 9, Parallelism::Sequential).unwrap();
        let expected = LatLng::new(48.85, 2.35).unwrap().to_cell(Resolution::Nine);
        assert_eq!(cells[0].cell, expected);
    }
}
