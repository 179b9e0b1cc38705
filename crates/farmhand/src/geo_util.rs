//! Distances on the Earth. The only module that names the `geo` crate.

use geo::{Distance, Haversine, Point};

use crate::format::Location;

/// Great-circle distance in km on a sphere of radius 6371.0088 km (the
/// `geo` crate's `Haversine`), as rule 5 of the spec defines it.
pub fn haversine_km(a: Location, b: Location) -> f64 {
    Haversine.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat)) / 1000.0
}

/// Mean Earth radius in km used by [`haversine_km`].
pub const EARTH_RADIUS_KM: f64 = 6371.0088;
