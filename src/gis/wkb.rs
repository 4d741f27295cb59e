//! Well-known binary (OGC Simple Features 1.2.1, section 8.2; ISO 13249-3) for the three
//! 2D geometry types divnet writes: Point, Polygon and MultiLineString.
//!
//! Every geometry is little endian (byte order `1`), with ISO type codes (1 Point, 2
//! LineString, 3 Polygon, 5 MultiLineString) and `f64` x = longitude, y = latitude. The
//! encoder is a few lines over `Vec<u8>`: the layout is fixed by the standard and checked
//! byte for byte against GDAL's output in the tests. Each function also returns the
//! geometry's bounds, which the GeoPackage header and the GeoParquet `bbox` need.

use super::{Bbox, Feature, extend_bbox};

const LITTLE_ENDIAN: u8 = 1;
const POINT: u32 = 1;
const LINE_STRING: u32 = 2;
const POLYGON: u32 = 3;
const MULTI_LINE_STRING: u32 = 5;

fn header(out: &mut Vec<u8>, kind: u32) {
    out.push(LITTLE_ENDIAN);
    out.extend_from_slice(&kind.to_le_bytes());
}

fn coords(out: &mut Vec<u8>, pts: &[(f64, f64)], bbox: &mut Option<Bbox>) {
    out.extend_from_slice(&(pts.len() as u32).to_le_bytes());
    for &(x, y) in pts {
        out.extend_from_slice(&x.to_le_bytes());
        out.extend_from_slice(&y.to_le_bytes());
        extend_bbox(bbox, x, y);
    }
}

fn feature(wkb: Vec<u8>, bbox: Option<Bbox>) -> Feature {
    Feature { wkb, bbox: bbox.unwrap_or([f64::NAN; 4]) }
}

/// A point at (`lon`, `lat`).
///
/// ```
/// let f = divnet::gis::wkb::point(1.0, 2.0);
/// assert_eq!(f.wkb.len(), 21);
/// assert_eq!(f.bbox, [1.0, 2.0, 1.0, 2.0]);
/// ```
pub fn point(lon: f64, lat: f64) -> Feature {
    let mut out = Vec::with_capacity(21);
    header(&mut out, POINT);
    out.extend_from_slice(&lon.to_le_bytes());
    out.extend_from_slice(&lat.to_le_bytes());
    feature(out, Some([lon, lat, lon, lat]))
}

/// A polygon with one exterior ring of (lon, lat), closed by the caller.
pub fn polygon(ring: &[(f64, f64)]) -> Feature {
    let mut out = Vec::with_capacity(13 + 16 * ring.len());
    let mut bbox = None;
    header(&mut out, POLYGON);
    out.extend_from_slice(&1u32.to_le_bytes());
    coords(&mut out, ring, &mut bbox);
    feature(out, bbox)
}

/// A multi line string, one part per slice of (lon, lat).
pub fn multi_line_string(parts: &[Vec<(f64, f64)>]) -> Feature {
    let n: usize = parts.iter().map(|p| 9 + 16 * p.len()).sum();
    let mut out = Vec::with_capacity(9 + n);
    let mut bbox = None;
    header(&mut out, MULTI_LINE_STRING);
    out.extend_from_slice(&(parts.len() as u32).to_le_bytes());
    for p in parts {
        header(&mut out, LINE_STRING);
        coords(&mut out, p, &mut bbox);
    }
    feature(out, bbox)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02X}")).collect()
    }

    // Reference strings: GDAL/OGR `ExportToIsoWkb(wkbNDR)` of the same WKT.

    #[test]
    fn point_matches_reference() {
        // POINT (1 2)
        assert_eq!(hex(&point(1.0, 2.0).wkb), "0101000000000000000000F03F0000000000000040");
    }

    #[test]
    fn polygon_matches_reference() {
        // POLYGON ((0 0,1 0,1 1,0 0))
        let f = polygon(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]);
        assert_eq!(hex(&f.wkb), POLYGON_HEX);
        assert_eq!(f.bbox, [0.0, 0.0, 1.0, 1.0]);
    }

    #[test]
    fn multi_line_string_matches_reference() {
        // MULTILINESTRING ((0 0,1 1),(-1 -2,3 4))
        let f = multi_line_string(&[vec![(0.0, 0.0), (1.0, 1.0)], vec![(-1.0, -2.0), (3.0, 4.0)]]);
        assert_eq!(hex(&f.wkb), MULTI_LINE_STRING_HEX);
        assert_eq!(f.bbox, [-1.0, -2.0, 3.0, 4.0]);
    }

    const POLYGON_HEX: &str = concat!(
        "01030000000100000004000000000000000000000000000000000000000000000000",
        "00F03F0000000000000000000000000000F03F000000000000F03F00000000000000",
        "000000000000000000",
    );

    const MULTI_LINE_STRING_HEX: &str = concat!(
        "01050000000200000001020000000200000000000000000000000000000000000000",
        "000000000000F03F000000000000F03F010200000002000000000000000000F0BF00",
        "000000000000C000000000000008400000000000001040",
    );
}
