//! Study area ("domain") of a hotspot analysis.

use std::collections::{HashSet, VecDeque};

use h3o::{CellIndex, LatLng, Resolution};
use rayon::prelude::*;

use super::HotspotError;
use super::binning::{CellValue, resolution};
use crate::algo::Parallelism;

/// Which cells take part in the statistic. See `docs/hotspots.md`.
#[derive(Debug, Clone, PartialEq)]
pub enum Domain {
    /// Occupied cells plus every cell of their `grid_disk(k)` (empty ones with value 0).
    Ring {
        /// Disk radius (default 1).
        k: u32,
    },
    /// Every cell whose centre lies in the lon/lat rectangle (edges included), plus the
    /// occupied cells. `west > east` means the box crosses the antimeridian.
    Bbox {
        /// West longitude, degrees.
        west: f64,
        /// South latitude, degrees.
        south: f64,
        /// East longitude, degrees.
        east: f64,
        /// North latitude, degrees.
        north: f64,
    },
    /// Occupied cells only.
    Occupied,
}

impl Default for Domain {
    fn default() -> Self {
        Domain::Ring { k: 1 }
    }
}

/// Cells of a study area with their values, sorted by cell index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StudyArea {
    /// Cells, strictly increasing by `u64` index.
    pub cells: Vec<CellIndex>,
    /// Value of each cell (0 for empty cells).
    pub values: Vec<f64>,
}

impl StudyArea {
    /// Number of cells.
    #[must_use]
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// True when the study area has no cell.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

fn centre_inside(cell: CellIndex, west: f64, south: f64, east: f64, north: f64) -> bool {
    let ll = LatLng::from(cell);
    let (lat, lon) = (ll.lat(), ll.lng());
    if lat < south || lat > north {
        return false;
    }
    if west <= east { lon >= west && lon <= east } else { lon >= west || lon <= east }
}

fn validate_bbox(west: f64, south: f64, east: f64, north: f64) -> Result<(), HotspotError> {
    let bad = |reason| HotspotError::InvalidBbox { west, south, east, north, reason };
    if ![west, south, east, north].iter().all(|v| v.is_finite()) {
        return Err(bad("bounds must be finite"));
    }
    if !(-90.0..=90.0).contains(&south) || !(-90.0..=90.0).contains(&north) {
        return Err(bad("latitudes must be in -90..=90"));
    }
    if !(-180.0..=180.0).contains(&west) || !(-180.0..=180.0).contains(&east) {
        return Err(bad("longitudes must be in -180..=180"));
    }
    if south > north {
        return Err(bad("south must not exceed north"));
    }
    if west == east {
        return Err(bad("west and east must differ"));
    }
    Ok(())
}

/// Cells whose centre lies in the box: breadth-first walk over `grid_disk(1)` from seed cells
/// (a 9 x 9 lattice of points in the box plus `extra_seeds`), expanding only through cells whose
/// centre is inside.
fn bbox_cells(
    res: Resolution,
    (west, south, east, north): (f64, f64, f64, f64),
    extra_seeds: &[CellIndex],
    max_cells: usize,
) -> Result<Vec<u64>, HotspotError> {
    let width = if west <= east { east - west } else { 360.0 - (west - east) };
    let mut seeds: Vec<CellIndex> = Vec::new();
    for i in 0..9 {
        for j in 0..9 {
            let lat = south + (north - south) * f64::from(i) / 8.0;
            let mut lon = west + width * f64::from(j) / 8.0;
            if lon > 180.0 {
                lon -= 360.0;
            }
            if let Ok(ll) = LatLng::new(lat, lon) {
                seeds.push(ll.to_cell(res));
            }
        }
    }
    seeds.extend_from_slice(extra_seeds);
    let mut seen: HashSet<u64> = HashSet::new();
    let mut inside: Vec<u64> = Vec::new();
    let mut queue: VecDeque<CellIndex> = VecDeque::new();
    for s in seeds {
        if seen.insert(u64::from(s)) && centre_inside(s, west, south, east, north) {
            inside.push(u64::from(s));
            queue.push_back(s);
        }
    }
    while let Some(c) = queue.pop_front() {
        if inside.len() > max_cells {
            return Err(HotspotError::DomainTooLarge { max: max_cells });
        }
        for n in c.grid_disk::<Vec<CellIndex>>(1) {
            if seen.insert(u64::from(n)) && centre_inside(n, west, south, east, north) {
                inside.push(u64::from(n));
                queue.push_back(n);
            }
        }
    }
    if inside.len() > max_cells {
        return Err(HotspotError::DomainTooLarge { max: max_cells });
    }
    Ok(inside)
}

/// Builds the study area of `occupied` cells (output of [`super::bin_events`]) under `domain`.
///
/// Method: `Ring { k }` collects `grid_disk(k)` of every occupied cell (h3o); `Bbox` walks the
/// H3 grid breadth-first from seed cells inside the rectangle (see `docs/hotspots.md`);
/// `Occupied` keeps the input. Empty cells get value 0. The result is sorted by cell index,
/// bit-identical for either [`Parallelism`].
///
/// Complexity: Ring O(C k² log(C k²)); Bbox O(B) cell-centre tests for B cells in the box.
///
/// Parameters: `occupied` sorted by cell with unique cells (as `bin_events` returns),
/// `resolution` of the grid (used by `Bbox`), `domain`, `max_cells` limit on the study area,
/// `parallelism` ([`Parallelism::Rayon`] uses the current rayon pool).
///
/// Errors: [`HotspotError::InvalidResolution`], [`HotspotError::InvalidBbox`],
/// [`HotspotError::DomainTooLarge`], [`HotspotError::InvalidParameter`] when an occupied cell
/// is not at `resolution` or cells are not strictly increasing.
///
/// ```
/// use divnet::algo::Parallelism;
/// use divnet::hotspot::{Domain, Event, bin_events, build_study_area};
/// let e = Event { lat: 12.0, lon: 3.0, step: None, weight: 2.0 };
/// let occ = bin_events(&[e], 7, Parallelism::Sequential)?;
/// let ring = build_study_area(&occ, 7, &Domain::Ring { k: 2 }, 1000, Parallelism::Sequential)?;
/// assert_eq!(ring.len(), 19);
/// assert_eq!(ring.values.iter().sum::<f64>(), 2.0);
/// let only = build_study_area(&occ, 7, &Domain::Occupied, 1000, Parallelism::Sequential)?;
/// assert_eq!(only.len(), 1);
/// # Ok::<(), divnet::hotspot::HotspotError>(())
/// ```
pub fn build_study_area(
    occupied: &[CellValue],
    resolution: u8,
    domain: &Domain,
    max_cells: usize,
    parallelism: Parallelism,
) -> Result<StudyArea, HotspotError> {
    let res = self::resolution(resolution)?;
    for (i, c) in occupied.iter().enumerate() {
        if c.cell.resolution() != res {
            return Err(HotspotError::InvalidParameter {
                name: "occupied cell resolution",
                value: format!("{}", u8::from(c.cell.resolution())),
                reason: "occupied cells must be at the requested resolution",
            });
        }
        if i > 0 && u64::from(occupied[i - 1].cell) >= u64::from(c.cell) {
            return Err(HotspotError::InvalidParameter {
                name: "occupied cells order",
                value: format!("{}", c.cell),
                reason: "occupied cells must be strictly increasing by index",
            });
        }
    }
    let mut keys: Vec<u64> = match domain {
        Domain::Occupied => occupied.iter().map(|c| u64::from(c.cell)).collect(),
        Domain::Ring { k } => {
            let disk = |c: &CellValue| -> Vec<u64> {
                c.cell.grid_disk::<Vec<CellIndex>>(*k).into_iter().map(u64::from).collect()
            };
            let mut keys: Vec<u64> = if parallelism == Parallelism::Rayon {
                occupied.par_iter().flat_map_iter(disk).collect()
            } else {
                occupied.iter().flat_map(disk).collect()
            };
            if parallelism == Parallelism::Rayon {
                keys.par_sort_unstable();
            } else {
                keys.sort_unstable();
            }
            keys.dedup();
            keys
        }
        Domain::Bbox { west, south, east, north } => {
            validate_bbox(*west, *south, *east, *north)?;
            let seeds: Vec<CellIndex> = occupied.iter().map(|c| c.cell).collect();
            let mut keys = bbox_cells(res, (*west, *south, *east, *north), &seeds, max_cells)?;
            keys.extend(occupied.iter().map(|c| u64::from(c.cell)));
            keys.sort_unstable();
            keys.dedup();
            keys
        }
    };
    if keys.len() > max_cells {
        return Err(HotspotError::DomainTooLarge { max: max_cells });
    }
    keys.shrink_to_fit();
    let mut values = vec![0.0; keys.len()];
    // occupied and keys are both sorted: merge.
    let mut j = 0;
    for c in occupied {
        let key = u64::from(c.cell);
        while j < keys.len() && keys[j] < key {
            j += 1;
        }
        if j < keys.len() && keys[j] == key {
            values[j] = c.value;
        }
    }
    let cells = keys.into_iter().filter_map(|k| CellIndex::try_from(k).ok()).collect();
    Ok(StudyArea { cells, values })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hotspot::{Event, bin_events};

    fn ev(lat: f64, lon: f64) -> Event {
        Event { lat, lon, step: None, weight: 1.0 }
    }

    #[test]
    fn bbox_contains_exactly_cells_with_centre_inside() {
        let (w, s, e, n) = (10.0, 5.0, 11.0, 6.0);
        let occ = bin_events(&[ev(5.5, 10.5), ev(20.0, 20.0)], 5, Parallelism::Sequential).unwrap();
        let area = build_study_area(
            &occ,
            5,
            &Domain::Bbox { west: w, south: s, east: e, north: n },
            10_000,
            Parallelism::Sequential,
        )
        .unwrap();
        // every cell except the outside occupied one has its centre in the box
        let outside: Vec<_> =
            area.cells.iter().filter(|c| !centre_inside(**c, w, s, e, n)).collect();
        assert_eq!(outside.len(), 1);
        assert_eq!(*outside[0], LatLng::new(20.0, 20.0).unwrap().to_cell(Resolution::Five));
        // brute force: all cells of a large disk around the centre with centre inside
        let centre = LatLng::new(5.5, 10.5).unwrap().to_cell(Resolution::Five);
        let brute: Vec<u64> = {
            let mut v: Vec<u64> = centre
                .grid_disk::<Vec<CellIndex>>(20)
                .into_iter()
                .filter(|c| centre_inside(*c, w, s, e, n))
                .map(u64::from)
                .collect();
            v.sort_unstable();
            v
        };
        let got: Vec<u64> = area
            .cells
            .iter()
            .filter(|c| centre_inside(**c, w, s, e, n))
            .map(|c| u64::from(*c))
            .collect();
        assert_eq!(got, brute);
        assert!(got.len() > 30);
    }

    #[test]
    fn bbox_across_antimeridian_and_limits() {
        let occ = bin_events(&[ev(0.0, 179.9)], 4, Parallelism::Sequential).unwrap();
        let d = Domain::Bbox { west: 179.0, south: -0.5, east: -179.0, north: 0.5 };
        let area = build_study_area(&occ, 4, &d, 10_000, Parallelism::Sequential).unwrap();
        let lons: Vec<f64> = area.cells.iter().map(|c| LatLng::from(*c).lng()).collect();
        assert!(lons.iter().any(|l| *l > 179.0) && lons.iter().any(|l| *l < -179.0));
        assert!(matches!(
            build_study_area(&occ, 4, &d, 3, Parallelism::Sequential),
            Err(HotspotError::DomainTooLarge { max: 3 })
        ));
        let bad = Domain::Bbox { west: 0.0, south: 2.0, east: 1.0, north: 1.0 };
        assert!(matches!(
            build_study_area(&occ, 4, &bad, 10, Parallelism::Sequential),
            Err(HotspotError::InvalidBbox { .. })
        ));
    }

    #[test]
    fn ring_parallel_equals_sequential() {
        let evs: Vec<Event> =
            (0..500).map(|i| ev(i as f64 * 0.01, (i % 13) as f64 * 0.05)).collect();
        let occ = bin_events(&evs, 6, Parallelism::Sequential).unwrap();
        let a =
            build_study_area(&occ, 6, &Domain::Ring { k: 2 }, 1_000_000, Parallelism::Sequential)
                .unwrap();
        let b = build_study_area(&occ, 6, &Domain::Ring { k: 2 }, 1_000_000, Parallelism::Rayon)
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.values.iter().sum::<f64>(), 500.0);
        assert!(a.len() > occ.len());
        assert!(matches!(
            build_study_area(&occ, 5, &Domain::Occupied, 10, Parallelism::Sequential),
            Err(HotspotError::InvalidParameter { .. })
        ));
    }
}
