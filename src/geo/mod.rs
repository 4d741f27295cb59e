//! Geography: validated coordinates, the gazetteer (countries, aliases, borders, admin1
//! divisions, cities) and country shapes for point-in-country checks and maps.

pub mod gazetteer;
pub mod shapes;

pub use gazetteer::{Admin1Id, CityId, CountryId, Gazetteer, GazetteerError, Resolved};

/// A point on Earth in decimal degrees (WGS 84).
///
/// ```
/// use divnet::geo::LatLon;
/// assert!(LatLon::new(24.8, 93.9).is_ok());
/// assert!(LatLon::new(123.4, 0.0).is_err());
/// assert!(LatLon::new(f64::NAN, 0.0).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LatLon {
    lat: f64,
    lon: f64,
}

/// Why a coordinate pair is not a point on Earth.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum CoordError {
    /// Latitude or longitude is NaN or infinite.
    #[error("coordinate is not finite (got {0})")]
    NotFinite(f64),
    /// Latitude outside [-90, 90].
    #[error("latitude outside [-90, 90] (got {0})")]
    Latitude(f64),
    /// Longitude outside [-180, 180].
    #[error("longitude outside [-180, 180] (got {0})")]
    Longitude(f64),
}

impl LatLon {
    /// A checked point.
    pub fn new(lat: f64, lon: f64) -> Result<Self, CoordError> {
        for v in [lat, lon] {
            if !v.is_finite() {
                return Err(CoordError::NotFinite(v));
            }
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(CoordError::Latitude(lat));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(CoordError::Longitude(lon));
        }
        Ok(LatLon { lat, lon })
    }

    /// A point from trusted data (the shipped gazetteer), clamped into range.
    pub(crate) fn new_unchecked(lat: f64, lon: f64) -> Self {
        LatLon { lat: lat.clamp(-90.0, 90.0), lon: lon.clamp(-180.0, 180.0) }
    }

    /// Latitude in degrees.
    pub fn lat(&self) -> f64 {
        self.lat
    }

    /// Longitude in degrees.
    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// Great-circle distance in kilometres (haversine, mean Earth radius 6371.0088 km).
    ///
    /// ```
    /// use divnet::geo::LatLon;
    /// let a = LatLon::new(0.0, 0.0).unwrap();
    /// let b = LatLon::new(0.0, 1.0).unwrap();
    /// assert!((a.distance_km(b) - 111.195).abs() < 0.01);
    /// ```
    pub fn distance_km(&self, other: LatLon) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * 6371.0088 * a.sqrt().min(1.0).asin()
    }
}

/// Normalises a name for lookups: transliterated to ASCII, lower case, letters and digits
/// only, single spaces. "Côte d'Ivoire" and "cote d’ivoire" both give "cote divoire".
///
/// ```
/// assert_eq!(divnet::geo::name_key("  Côte d'Ivoire "), "cote divoire");
/// assert_eq!(divnet::geo::name_key("Ciudad Juárez"), "ciudad juarez");
/// ```
pub fn name_key(text: &str) -> String {
    let ascii = if text.is_ascii() {
        std::borrow::Cow::Borrowed(text)
    } else {
        deunicode::deunicode(text).into()
    };
    let mut out = String::with_capacity(ascii.len());
    let mut pending_space = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c.to_ascii_lowercase());
        } else if c == '\'' || c == '`' || c == '.' {
            // Apostrophes and dots join: "d'Ivoire" -> "divoire", "St." -> "st".
        } else {
            pending_space = true;
        }
    }
    out
}
