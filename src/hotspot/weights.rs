//! Binary spatial weights as neighbour lists (compressed rows, self excluded).

use h3o::CellIndex;
use rayon::prelude::*;

use super::HotspotError;
use crate::algo::Parallelism;

/// Binary neighbour lists in compressed-row form. Row `i` lists the neighbours of observation
/// `i` in increasing order, never `i` itself (Gi* adds the self weight 1 on its own).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NeighbourLists {
    offsets: Vec<usize>,
    targets: Vec<u32>,
}

impl NeighbourLists {
    /// Builds neighbour lists from explicit per-observation lists.
    ///
    /// Method: validation + sort of each row. Complexity O(L log L) for L entries.
    /// Self references, duplicates and indices `>= lists.len()` are rejected
    /// ([`HotspotError::InvalidParameter`]); `lists.len()` must fit in `u32`.
    ///
    /// ```
    /// use divnet::algo::Parallelism;
    /// use divnet::hotspot::NeighbourLists;
    /// let w = NeighbourLists::from_lists(&[vec![1], vec![2, 0], vec![1]])?;
    /// assert_eq!(w.neighbours(1), &[0, 2]);
    /// assert!(NeighbourLists::from_lists(&[vec![0]]).is_err());
    /// # Ok::<(), divnet::hotspot::HotspotError>(())
    /// ```
    pub fn from_lists(lists: &[Vec<usize>]) -> Result<Self, HotspotError> {
        let n = lists.len();
        if u32::try_from(n).is_err() {
            return Err(HotspotError::InvalidParameter {
                name: "number of observations",
                value: n.to_string(),
                reason: "must fit in u32",
            });
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::new();
        offsets.push(0);
        for (i, row) in lists.iter().enumerate() {
            let mut r: Vec<u32> = Vec::with_capacity(row.len());
            for &j in row {
                if j >= n || j == i {
                    return Err(HotspotError::InvalidParameter {
                        name: "neighbour index",
                        value: format!("{j} (row {i})"),
                        reason: "must be < number of observations and not the row itself",
                    });
                }
                r.push(j as u32);
            }
            r.sort_unstable();
            if r.windows(2).any(|w| w[0] == w[1]) {
                return Err(HotspotError::InvalidParameter {
                    name: "neighbour list",
                    value: format!("row {i}"),
                    reason: "duplicate neighbour",
                });
            }
            targets.extend_from_slice(&r);
            offsets.push(targets.len());
        }
        Ok(Self { offsets, targets })
    }

    /// Binary k-ring weights among `cells`: `j` neighbours `i` when `j` is in
    /// `grid_disk(k)` of `i` (h3o), `j != i`; cells outside `cells` are dropped.
    ///
    /// Method: h3o `grid_disk` + binary search. Complexity O(C k² log C). `cells` must be
    /// strictly increasing by index (as [`super::StudyArea`] holds them). Bit-identical with or
    /// for either [`Parallelism`] ([`Parallelism::Rayon`] uses the current rayon pool).
    ///
    /// ```
    /// use divnet::algo::Parallelism;
    /// use divnet::hotspot::NeighbourLists;
    /// let c = h3o::LatLng::new(0.0, 0.0).unwrap().to_cell(h3o::Resolution::Five);
    /// let mut cells: Vec<h3o::CellIndex> = c.grid_disk(1);
    /// cells.sort_unstable();
    /// let w = NeighbourLists::h3_k_ring(&cells, 1, Parallelism::Sequential)?;
    /// let centre = cells.binary_search(&c).unwrap();
    /// assert_eq!(w.neighbours(centre).len(), 6);
    /// assert_eq!(w.len(), 7);
    /// # Ok::<(), divnet::hotspot::HotspotError>(())
    /// ```
    pub fn h3_k_ring(
        cells: &[CellIndex],
        k: u32,
        parallelism: Parallelism,
    ) -> Result<Self, HotspotError> {
        if u32::try_from(cells.len()).is_err() {
            return Err(HotspotError::InvalidParameter {
                name: "number of cells",
                value: cells.len().to_string(),
                reason: "must fit in u32",
            });
        }
        if let Some(w) = cells.windows(2).find(|w| u64::from(w[0]) >= u64::from(w[1])) {
            return Err(HotspotError::InvalidParameter {
                name: "cells order",
                value: w[1].to_string(),
                reason: "cells must be strictly increasing by index",
            });
        }
        let row = |(i, c): (usize, &CellIndex)| -> Vec<u32> {
            let mut r: Vec<u32> = c
                .grid_disk::<Vec<CellIndex>>(k)
                .into_iter()
                .filter_map(|n| cells.binary_search(&n).ok())
                .filter(|&j| j != i)
                .map(|j| j as u32)
                .collect();
            r.sort_unstable();
            r.dedup();
            r
        };
        let rows: Vec<Vec<u32>> = if parallelism == Parallelism::Rayon {
            cells.par_iter().enumerate().map(row).collect()
        } else {
            cells.iter().enumerate().map(row).collect()
        };
        Ok(Self::from_rows(rows))
    }

    fn from_rows(rows: Vec<Vec<u32>>) -> Self {
        let mut offsets = Vec::with_capacity(rows.len() + 1);
        offsets.push(0);
        let total = rows.iter().map(Vec::len).sum();
        let mut targets = Vec::with_capacity(total);
        for r in rows {
            targets.extend_from_slice(&r);
            offsets.push(targets.len());
        }
        Self { offsets, targets }
    }

    /// Space-time neighbour lists for a cube of `len()` cells x `n_steps` steps, observation
    /// index `cell * n_steps + step`. Bin `(c, t)` neighbours `(c', t')` when `c'` is `c` or a
    /// spatial neighbour of `c` and `t - lag <= t' <= t`, except itself.
    ///
    /// Complexity O(C n_steps (d+1)(lag+1)) for mean degree d.
    ///
    /// ```
    /// use divnet::algo::Parallelism;
    /// use divnet::hotspot::NeighbourLists;
    /// let w = NeighbourLists::from_lists(&[vec![1], vec![0]])?;
    /// let st = w.space_time(3, 1)?;
    /// // cell 0, step 2 -> index 2: same cell step 1 (1), cell 1 steps 1,2 (4, 5)
    /// assert_eq!(st.neighbours(2), &[1, 4, 5]);
    /// assert_eq!(st.neighbours(0), &[3]);
    /// # Ok::<(), divnet::hotspot::HotspotError>(())
    /// ```
    pub fn space_time(&self, n_steps: usize, lag: usize) -> Result<Self, HotspotError> {
        let n = self.len();
        if n.checked_mul(n_steps).and_then(|x| u32::try_from(x).ok()).is_none() {
            return Err(HotspotError::InvalidParameter {
                name: "cells x steps",
                value: format!("{n} x {n_steps}"),
                reason: "must fit in u32",
            });
        }
        let mut rows = Vec::with_capacity(n * n_steps);
        for c in 0..n {
            let mut spatial: Vec<usize> = self.neighbours(c).iter().map(|&j| j as usize).collect();
            spatial.push(c);
            spatial.sort_unstable();
            for t in 0..n_steps {
                let mut r = Vec::with_capacity(spatial.len() * (lag + 1));
                for &cj in &spatial {
                    for tj in t.saturating_sub(lag)..=t {
                        if cj == c && tj == t {
                            continue;
                        }
                        r.push((cj * n_steps + tj) as u32);
                    }
                }
                rows.push(r);
            }
        }
        Ok(Self::from_rows(rows))
    }

    /// Number of observations (rows).
    #[must_use]
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True when there is no observation.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Neighbours of observation `i` (self excluded), increasing; empty when `i` is out of
    /// range.
    #[must_use]
    pub fn neighbours(&self, i: usize) -> &[u32] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.targets[a..b],
            _ => &[],
        }
    }
}
