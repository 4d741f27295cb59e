//! Great-circle lines between two points, split where they cross the antimeridian.
//!
//! A network edge drawn as a straight segment in longitude/latitude misrepresents long
//! legs and, for legs across the Pacific, runs the wrong way round the world. The line is
//! interpolated along the great circle (spherical linear interpolation of unit vectors,
//! one vertex per [`STEP_DEG`] degrees of arc, at least one segment) and cut into parts
//! at longitude ±180, the convention of RFC 7946 section 3.1.9, so that every part has
//! longitudes in [-180, 180] and no segment spans the map.

/// Angular spacing of the interpolated vertices, in degrees of arc.
pub const STEP_DEG: f64 = 2.0;

fn to_vec(lon: f64, lat: f64) -> [f64; 3] {
    let (lo, la) = (lon.to_radians(), lat.to_radians());
    [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
}

fn to_lon_lat(v: [f64; 3]) -> (f64, f64) {
    let lat = v[2].clamp(-1.0, 1.0).asin().to_degrees();
    let lon = v[1].atan2(v[0]).to_degrees();
    (lon, lat)
}

/// Vertices of the great circle from `a` to `b`, both (lon, lat) in degrees, endpoints
/// kept exactly. Antipodal or identical points give the straight segment.
///
/// ```
/// use divnet::gis::great_circle::interpolate;
/// let pts = interpolate((0.0, 0.0), (90.0, 0.0));
/// assert_eq!(pts.len(), 46);
/// assert!((pts[1].0 - 2.0).abs() < 1e-9 && pts[1].1.abs() < 1e-9);
/// ```
pub fn interpolate(a: (f64, f64), b: (f64, f64)) -> Vec<(f64, f64)> {
    let (va, vb) = (to_vec(a.0, a.1), to_vec(b.0, b.1));
    let dot = (va[0] * vb[0] + va[1] * vb[1] + va[2] * vb[2]).clamp(-1.0, 1.0);
    let angle = dot.acos();
    let sin = angle.sin();
    if sin < 1e-9 {
        return vec![a, b];
    }
    let n = (angle.to_degrees() / STEP_DEG).ceil().max(1.0) as usize;
    let mut out = Vec::with_capacity(n + 1);
    out.push(a);
    for i in 1..n {
        let t = i as f64 / n as f64;
        let (wa, wb) = (((1.0 - t) * angle).sin() / sin, (t * angle).sin() / sin);
        out.push(to_lon_lat([
            wa * va[0] + wb * vb[0],
            wa * va[1] + wb * vb[1],
            wa * va[2] + wb * vb[2],
        ]));
    }
    out.push(b);
    out
}

/// Splits a line of (lon, lat) into parts wherever a segment crosses the antimeridian
/// (a longitude jump of more than 180 degrees). The crossing latitude is interpolated
/// linearly in unwrapped longitude; one part ends at ±180 and the next starts at ∓180.
///
/// ```
/// use divnet::gis::great_circle::split_antimeridian;
/// let parts = split_antimeridian(&[(170.0, 0.0), (-170.0, 10.0)]);
/// assert_eq!(parts, vec![vec![(170.0, 0.0), (180.0, 5.0)], vec![(-180.0, 5.0), (-170.0, 10.0)]]);
/// ```
pub fn split_antimeridian(line: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let mut parts = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    for (i, &p) in line.iter().enumerate() {
        if i > 0 {
            let q = line[i - 1];
            let d = p.0 - q.0;
            if d.abs() > 180.0 {
                // Eastward across +180 when d < 0 (170 -> -170), westward when d > 0.
                let (edge, unwrapped) =
                    if d < 0.0 { (180.0, p.0 + 360.0) } else { (-180.0, p.0 - 360.0) };
                let t = (edge - q.0) / (unwrapped - q.0);
                let lat = q.1 + t * (p.1 - q.1);
                cur.push((edge, lat));
                parts.push(std::mem::take(&mut cur));
                cur.push((-edge, lat));
            }
        }
        cur.push(p);
    }
    parts.push(cur);
    parts.retain(|p| p.len() >= 2);
    parts
}

/// The great circle from `a` to `b` as the parts of a MultiLineString.
pub fn great_circle(a: (f64, f64), b: (f64, f64)) -> Vec<Vec<(f64, f64)>> {
    split_antimeridian(&interpolate(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9
    }

    #[test]
    fn short_line_is_one_part_with_exact_endpoints() {
        let parts = great_circle((2.35, 48.85), (13.4, 52.52));
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].first(), Some(&(2.35, 48.85)));
        assert_eq!(parts[0].last(), Some(&(13.4, 52.52)));
        // ~7.9 degrees of arc: 4 segments.
        assert_eq!(parts[0].len(), 5);
    }

    #[test]
    fn great_circle_bulges_towards_the_pole() {
        // Along the 45th parallel the great circle runs north of it.
        let pts = interpolate((-60.0, 45.0), (60.0, 45.0));
        let mid = pts[pts.len() / 2];
        assert!(close(mid, (0.0, mid.1)) && mid.1 > 55.0, "{mid:?}");
    }

    #[test]
    fn pacific_line_is_split_at_the_antimeridian() {
        // Tokyo to Los Angeles crosses 180 once.
        let parts = great_circle((139.7, 35.7), (-118.2, 34.1));
        assert_eq!(parts.len(), 2);
        let (west, east) = (&parts[0], &parts[1]);
        assert_eq!(west.last().unwrap().0, 180.0);
        assert_eq!(east.first().unwrap().0, -180.0);
        assert_eq!(west.last().unwrap().1, east.first().unwrap().1);
        assert!(west.iter().all(|p| p.0 >= 139.7 && p.0 <= 180.0));
        assert!(east.iter().all(|p| p.0 >= -180.0 && p.0 <= -118.2));
        // The crossing is far north of both endpoints (the great circle bulges poleward).
        assert!(west.last().unwrap().1 > 45.0);
        for part in &parts {
            for w in part.windows(2) {
                assert!((w[1].0 - w[0].0).abs() <= 180.0);
            }
        }
    }

    #[test]
    fn westward_crossing_splits_the_other_way() {
        let parts = split_antimeridian(&[(-170.0, -10.0), (170.0, 10.0)]);
        assert_eq!(
            parts,
            vec![vec![(-170.0, -10.0), (-180.0, 0.0)], vec![(180.0, 0.0), (170.0, 10.0)]]
        );
    }

    #[test]
    fn line_ending_on_the_antimeridian_is_not_split() {
        let parts = split_antimeridian(&[(170.0, 0.0), (180.0, 1.0)]);
        assert_eq!(parts.len(), 1);
    }

    #[test]
    fn identical_and_antipodal_points_give_the_segment() {
        assert_eq!(interpolate((1.0, 2.0), (1.0, 2.0)), vec![(1.0, 2.0), (1.0, 2.0)]);
        assert_eq!(interpolate((0.0, 0.0), (180.0, 0.0)).len(), 2);
    }
}
