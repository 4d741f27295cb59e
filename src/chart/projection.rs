//! Equal Earth map projection, fit-to-extent map views and pixel-space clipping.
//!
//! The projection is Equal Earth (Šavrič, Patterson & Jenny 2018, "The Equal Earth map
//! projection", IJGIS 33(3)), an equal-area pseudocylindrical projection, on the unit sphere.
//! A [`MapView`] maps projected coordinates to pixels so that a lon/lat [`Extent`] fills a pixel
//! rectangle with preserved aspect ratio. Polygons and lines are clipped to the view rectangle
//! (Sutherland-Hodgman for polygons, Liang-Barsky for segments) so nothing is drawn over legends.

use super::{ChartError, PxRect};

const A1: f64 = 1.340264;
const A2: f64 = -0.081106;
const A3: f64 = 0.000893;
const A4: f64 = 0.003796;

/// Projects `(lon, lat)` in degrees with Equal Earth on the unit sphere. O(1).
///
/// Latitudes are clamped to [-90, 90]; longitudes are used as given (expected in [-180, 180]).
/// Returns `(x, y)` with y up; the world spans x in [-2.7066, 2.7066], y in [-1.3173, 1.3173].
///
/// ```
/// use divnet::chart::projection::equal_earth;
/// assert_eq!(equal_earth(0.0, 0.0), (0.0, 0.0));
/// let (x, y) = equal_earth(180.0, 0.0);
/// assert!((x - 2.706629).abs() < 1e-6 && y == 0.0);
/// ```
pub fn equal_earth(lon: f64, lat: f64) -> (f64, f64) {
    let lam = lon.to_radians();
    let phi = lat.clamp(-90.0, 90.0).to_radians();
    let m = 3f64.sqrt() / 2.0;
    let theta = (m * phi.sin()).asin();
    let t2 = theta * theta;
    let t6 = t2 * t2 * t2;
    let y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2));
    let x = 2.0 * 3f64.sqrt() * lam * theta.cos()
        / (3.0 * (A1 + 3.0 * A2 * t2 + t6 * (7.0 * A3 + 9.0 * A4 * t2)));
    (x, y)
}

/// A lon/lat bounding box in degrees (no antimeridian wrap: `lon_min < lon_max`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Extent {
    /// Western bound.
    pub lon_min: f64,
    /// Eastern bound.
    pub lon_max: f64,
    /// Southern bound.
    pub lat_min: f64,
    /// Northern bound.
    pub lat_max: f64,
}

impl Extent {
    /// The whole world.
    pub const WORLD: Extent =
        Extent { lon_min: -180.0, lon_max: 180.0, lat_min: -60.0, lat_max: 85.0 };

    /// Checks that the bounds are finite, ordered and within [-180, 180] x [-90, 90].
    ///
    /// # Errors
    /// [`ChartError::InvalidValue`] naming the offending bound.
    ///
    /// ```
    /// use divnet::chart::projection::Extent;
    /// assert!(Extent::WORLD.validate().is_ok());
    /// let bad = Extent { lon_min: 10.0, lon_max: 5.0, lat_min: 0.0, lat_max: 1.0 };
    /// assert!(bad.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), ChartError> {
        let chk = |what: &str, v: f64, lim: f64| {
            if !v.is_finite() || v.abs() > lim {
                Err(ChartError::InvalidValue {
                    what: format!("extent.{what}"),
                    value: v,
                    reason: "outside the valid lon/lat range",
                })
            } else {
                Ok(())
            }
        };
        chk("lon_min", self.lon_min, 180.0)?;
        chk("lon_max", self.lon_max, 180.0)?;
        chk("lat_min", self.lat_min, 90.0)?;
        chk("lat_max", self.lat_max, 90.0)?;
        if self.lon_min >= self.lon_max {
            return Err(ChartError::InvalidValue {
                what: "extent.lon_max".into(),
                value: self.lon_max,
                reason: "must exceed lon_min",
            });
        }
        if self.lat_min >= self.lat_max {
            return Err(ChartError::InvalidValue {
                what: "extent.lat_max".into(),
                value: self.lat_max,
                reason: "must exceed lat_min",
            });
        }
        Ok(())
    }

    /// Bounding box of the finite points, grown by `pad_frac` of its span on each side (at least
    /// `min_pad_deg` degrees) and clamped to the globe; `None` when there is no finite point.
    /// O(n).
    ///
    /// ```
    /// use divnet::chart::projection::Extent;
    /// let e = Extent::around([(10.0, 0.0), (20.0, 10.0)], 0.1, 1.0).unwrap();
    /// assert_eq!((e.lon_min, e.lon_max, e.lat_min, e.lat_max), (9.0, 21.0, -1.0, 11.0));
    /// ```
    pub fn around(
        pts: impl IntoIterator<Item = (f64, f64)>,
        pad_frac: f64,
        min_pad_deg: f64,
    ) -> Option<Extent> {
        let mut e: Option<Extent> = None;
        for (lon, lat) in pts {
            if !(lon.is_finite() && lat.is_finite()) {
                continue;
            }
            let (lon, lat) = (lon.clamp(-180.0, 180.0), lat.clamp(-90.0, 90.0));
            e = Some(match e {
                None => Extent { lon_min: lon, lon_max: lon, lat_min: lat, lat_max: lat },
                Some(x) => Extent {
                    lon_min: x.lon_min.min(lon),
                    lon_max: x.lon_max.max(lon),
                    lat_min: x.lat_min.min(lat),
                    lat_max: x.lat_max.max(lat),
                },
            });
        }
        let e = e?;
        let px = ((e.lon_max - e.lon_min) * pad_frac).max(min_pad_deg);
        let py = ((e.lat_max - e.lat_min) * pad_frac).max(min_pad_deg);
        Some(Extent {
            lon_min: (e.lon_min - px).max(-180.0),
            lon_max: (e.lon_max + px).min(180.0),
            lat_min: (e.lat_min - py).max(-90.0),
            lat_max: (e.lat_max + py).min(90.0),
        })
    }
}

/// Affine mapping from Equal Earth coordinates to pixels for one map panel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapView {
    /// Pixel rectangle the map is drawn (and clipped) into.
    pub rect: PxRect,
    scale: f64,
    cx: f64,
    cy: f64,
    px_cx: f64,
    px_cy: f64,
}

impl MapView {
    /// Fits `extent` into `rect`, centred, preserving aspect ratio. The extent's outline is
    /// sampled (32 points per edge) because projected meridians are curved. O(1).
    ///
    /// # Errors
    /// [`ChartError::InvalidValue`] for an invalid extent or an empty rectangle.
    ///
    /// ```
    /// use divnet::chart::PxRect;
    /// use divnet::chart::projection::{Extent, MapView};
    /// let r = PxRect { x0: 0.0, y0: 0.0, x1: 200.0, y1: 100.0 };
    /// let v = MapView::fit(&Extent { lon_min: -10.0, lon_max: 10.0, lat_min: -10.0,
    ///     lat_max: 10.0 }, r).unwrap();
    /// let (x, y) = v.project(0.0, 0.0);
    /// assert!((x - 100.0).abs() < 1e-9 && (y - 50.0).abs() < 1e-9);
    /// ```
    pub fn fit(extent: &Extent, rect: PxRect) -> Result<MapView, ChartError> {
        extent.validate()?;
        if !(rect.w() > 1.0 && rect.h() > 1.0) {
            return Err(ChartError::InvalidValue {
                what: "map rectangle width".into(),
                value: rect.w(),
                reason: "map panel has no room",
            });
        }
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        let n = 32;
        for i in 0..=n {
            let t = f64::from(i) / f64::from(n);
            let lon = extent.lon_min + t * (extent.lon_max - extent.lon_min);
            let lat = extent.lat_min + t * (extent.lat_max - extent.lat_min);
            for (a, b) in [
                (lon, extent.lat_min),
                (lon, extent.lat_max),
                (extent.lon_min, lat),
                (extent.lon_max, lat),
            ] {
                let (x, y) = equal_earth(a, b);
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
        let scale = (rect.w() / (x1 - x0)).min(rect.h() / (y1 - y0));
        Ok(MapView {
            rect,
            scale,
            cx: (x0 + x1) / 2.0,
            cy: (y0 + y1) / 2.0,
            px_cx: (rect.x0 + rect.x1) / 2.0,
            px_cy: (rect.y0 + rect.y1) / 2.0,
        })
    }

    /// Pixel position of `(lon, lat)` (may lie outside [`MapView::rect`]). O(1).
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = equal_earth(lon, lat);
        (self.px_cx + (x - self.cx) * self.scale, self.px_cy - (y - self.cy) * self.scale)
    }

    /// Projects a lon/lat ring and clips it to the view rectangle; empty if fully outside.
    /// O(n).
    pub fn project_ring(&self, ring: &[(f64, f64)]) -> Vec<(f64, f64)> {
        let pts: Vec<(f64, f64)> = ring
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .map(|&(lon, lat)| self.project(lon, lat))
            .collect();
        clip_polygon(&pts, &self.rect)
    }
}

/// Sutherland-Hodgman clipping of a (possibly concave) polygon to a rectangle. O(n).
///
/// Concave polygons that leave and re-enter the rectangle keep zero-width connecting edges along
/// its border, which is invisible when filled.
///
/// ```
/// use divnet::chart::{PxRect, projection::clip_polygon};
/// let r = PxRect { x0: 0.0, y0: 0.0, x1: 10.0, y1: 10.0 };
/// let sq = [(5.0, 5.0), (15.0, 5.0), (15.0, 15.0), (5.0, 15.0)];
/// assert_eq!(clip_polygon(&sq, &r), vec![(5.0, 10.0), (5.0, 5.0), (10.0, 5.0), (10.0, 10.0)]);
/// ```
pub fn clip_polygon(pts: &[(f64, f64)], r: &PxRect) -> Vec<(f64, f64)> {
    let mut poly: Vec<(f64, f64)> = pts.to_vec();
    // (inside test, intersection) for each of the four edges.
    for edge in 0..4 {
        if poly.is_empty() {
            break;
        }
        let inside = |p: &(f64, f64)| match edge {
            0 => p.0 >= r.x0,
            1 => p.0 <= r.x1,
            2 => p.1 >= r.y0,
            _ => p.1 <= r.y1,
        };
        let cut = |a: &(f64, f64), b: &(f64, f64)| {
            let (k, t) = match edge {
                0 => (r.x0, (r.x0 - a.0) / (b.0 - a.0)),
                1 => (r.x1, (r.x1 - a.0) / (b.0 - a.0)),
                2 => (r.y0, (r.y0 - a.1) / (b.1 - a.1)),
                _ => (r.y1, (r.y1 - a.1) / (b.1 - a.1)),
            };
            if edge < 2 { (k, a.1 + t * (b.1 - a.1)) } else { (a.0 + t * (b.0 - a.0), k) }
        };
        let mut out = Vec::with_capacity(poly.len() + 4);
        for i in 0..poly.len() {
            let cur = poly[i];
            let prev = poly[(i + poly.len() - 1) % poly.len()];
            match (inside(&prev), inside(&cur)) {
                (true, true) => out.push(cur),
                (true, false) => out.push(cut(&prev, &cur)),
                (false, true) => {
                    out.push(cut(&prev, &cur));
                    out.push(cur);
                }
                (false, false) => {}
            }
        }
        poly = out;
    }
    poly
}

/// Clips a polyline to a rectangle (Liang-Barsky per segment), returning the visible runs. O(n).
///
/// ```
/// use divnet::chart::{PxRect, projection::clip_polyline};
/// let r = PxRect { x0: 0.0, y0: 0.0, x1: 10.0, y1: 10.0 };
/// let runs = clip_polyline(&[(-5.0, 5.0), (5.0, 5.0), (15.0, 5.0)], &r);
/// assert_eq!(runs, vec![vec![(0.0, 5.0), (5.0, 5.0), (10.0, 5.0)]]);
/// ```
pub fn clip_polyline(pts: &[(f64, f64)], r: &PxRect) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        match clip_segment(a, b, r) {
            Some((p, q)) => {
                if cur.last() != Some(&p) {
                    if !cur.is_empty() {
                        runs.push(std::mem::take(&mut cur));
                    }
                    cur.push(p);
                }
                cur.push(q);
                if q != b {
                    runs.push(std::mem::take(&mut cur));
                }
            }
            None => {
                if !cur.is_empty() {
                    runs.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if cur.len() >= 2 {
        runs.push(cur);
    }
    runs.retain(|r| r.len() >= 2);
    runs
}

fn clip_segment(a: (f64, f64), b: (f64, f64), r: &PxRect) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [(-dx, a.0 - r.x0), (dx, r.x1 - a.0), (-dy, a.1 - r.y0), (dy, r.y1 - a.1)] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            (a.0 + t * dx, a.1 + t * dy)
        }
    };
    Some((at(t0), at(t1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference: pyproj/PROJ `+proj=eqearth +R=1` (scripts/reference/chart_projection.py).
    #[test]
    fn equal_earth_matches_proj() {
        let path =
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/reference/chart/equal_earth.csv");
        let text = std::fs::read_to_string(path).unwrap();
        let mut n = 0;
        for line in text.lines().skip(1) {
            let v: Vec<f64> = line.split(',').map(|s| s.parse().unwrap()).collect();
            let (x, y) = equal_earth(v[0], v[1]);
            assert!((x - v[2]).abs() < 1e-9, "x at {line}: {x}");
            assert!((y - v[3]).abs() < 1e-9, "y at {line}: {y}");
            n += 1;
        }
        assert!(n >= 20);
    }

    #[test]
    fn projection_is_symmetric_and_monotone() {
        let (x1, y1) = equal_earth(30.0, 40.0);
        let (x2, y2) = equal_earth(-30.0, -40.0);
        assert_eq!((x1, y1), (-x2, -y2));
        assert!(equal_earth(0.0, 50.0).1 > equal_earth(0.0, 40.0).1);
    }

    #[test]
    fn fit_keeps_extent_inside_rect() {
        let r = PxRect { x0: 10.0, y0: 20.0, x1: 810.0, y1: 420.0 };
        let e = Extent { lon_min: -20.0, lon_max: 55.0, lat_min: -35.0, lat_max: 38.0 };
        let v = MapView::fit(&e, r).unwrap();
        for (lon, lat) in [(-20.0, -35.0), (55.0, 38.0), (-20.0, 38.0), (55.0, -35.0)] {
            let (x, y) = v.project(lon, lat);
            assert!(x >= r.x0 - 1e-6 && x <= r.x1 + 1e-6 && y >= r.y0 - 1e-6 && y <= r.y1 + 1e-6);
        }
    }

    #[test]
    fn clip_outside_polygon_is_empty() {
        let r = PxRect { x0: 0.0, y0: 0.0, x1: 10.0, y1: 10.0 };
        assert!(clip_polygon(&[(20.0, 20.0), (30.0, 20.0), (30.0, 30.0)], &r).is_empty());
        assert!(clip_polyline(&[(20.0, 20.0), (30.0, 20.0)], &r).is_empty());
        let runs = clip_polyline(&[(5.0, 5.0), (15.0, 5.0), (15.0, 6.0), (5.0, 6.0)], &r);
        assert_eq!(runs.len(), 2);
    }
}
