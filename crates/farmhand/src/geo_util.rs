//! Distances on the Earth. The only module that names the `geo` crate.

use geo::{Distance, Haversine, Point};

use crate::format::Location;

/// Great-circle distance in km on a sphere of radius 6371.0088 km (the
/// `geo` crate's `Haversine`), as rule 5 of the spec defines it.
pub fn haversine_km(a: Location, b: Location) -> f64 {
    Haversine.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat)) / 1000.0
}

/// The cosine of a latitude, for [`haversine_km_with`].
pub(crate) fn cos_lat(a: Location) -> f64 {
    a.lat.to_radians().cos()
}

/// [`haversine_km`] with the cosines of both latitudes given: the same
/// arithmetic, operation for operation, as `geo`'s `Haversine` (so the same
/// bits), minus two of its five transcendental calls. The candidate
/// generator computes millions of distances a date.
pub(crate) fn haversine_km_with(a: Location, cos_a: f64, b: Location, cos_b: f64) -> f64 {
    let delta_theta = (b.lat - a.lat).to_radians();
    let delta_lambda = (b.lon - a.lon).to_radians();
    let h = (delta_theta / 2.0).sin().powi(2) + cos_a * cos_b * (delta_lambda / 2.0).sin().powi(2);
    let c = 2.0 * h.sqrt().asin();
    EARTH_RADIUS_M * c / 1000.0
}

/// `geo`'s mean Earth radius, in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Mean Earth radius in km used by [`haversine_km`].
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

#[cfg(test)]
mod tests {
    use super::*;

    /// The prepared form is `geo`'s own arithmetic: bit for bit the same.
    #[test]
    fn prepared_haversine_is_geo_bit_for_bit() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |lo: f64, hi: f64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            lo + (hi - lo) * ((state >> 11) as f64 / (1u64 << 53) as f64)
        };
        for i in 0..200_000 {
            // Mostly nearby pairs (as in matching), some anywhere on Earth.
            let a = Location { lat: next(-90.0, 90.0), lon: next(-180.0, 180.0) };
            let b = if i % 4 == 0 {
                Location { lat: next(-90.0, 90.0), lon: next(-180.0, 180.0) }
            } else {
                Location {
                    lat: (a.lat + next(-1.0, 1.0)).clamp(-90.0, 90.0),
                    lon: (a.lon + next(-1.0, 1.0)).clamp(-180.0, 180.0),
                }
            };
            let want = haversine_km(a, b);
            let got = haversine_km_with(a, cos_lat(a), b, cos_lat(b));
            assert_eq!(got.to_bits(), want.to_bits(), "{a:?} {b:?}");
        }
    }
}
