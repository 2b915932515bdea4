//! Coordinates for the synthetic areas' postcodes, so distance searches (the Local Offer's "within 5
//! miles of a postcode") work on a generated area as they do on the ONS Postcode Directory.
//!
//! The addresses [`crate::la`] generates are `{area}{district} {sector}{unit}` (district 1-9, sector
//! 1-9, unit two letters). Each is placed on a fixed plan around the LA's centre: districts on a 3x3
//! grid about 3 miles apart, sectors on a 3x3 grid inside them, units scattered by a hash. Invented
//! geography: the points are not where real postcodes of that shape are.

use crate::profile::LaProfile;
use waymark_domain::identifiers::Postcode;

/// The letters [`crate::la`] uses in inward codes.
pub const UNIT_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

/// The LA's centre (latitude, longitude): Portsmouth's Guildhall for LA 851, otherwise a point inside
/// England chosen from the LA code.
pub fn centre(la: &LaProfile) -> (f64, f64) {
    if la.code.number() == 851 {
        return (50.7989, -1.0912);
    }
    let n = f64::from(la.code.number());
    (51.0 + (n * 0.618_034).fract() * 2.8, -2.6 + (n * 0.414_214).fract() * 2.8)
}

fn grid(i: u32) -> (f64, f64) {
    (f64::from(i % 3) - 1.0, f64::from(i / 3) - 1.0)
}

fn unit_jitter(a: u8, b: u8) -> (f64, f64) {
    let h = u32::from(a).wrapping_mul(2_654_435_761) ^ u32::from(b).wrapping_mul(40_503);
    (f64::from(h % 1000) / 1000.0 - 0.5, f64::from((h / 1000) % 1000) / 1000.0 - 0.5)
}

/// The coordinates (latitude, longitude) of one of the area's postcodes, or `None` for a postcode
/// not of the area's shape.
pub fn postcode_coordinates(la: &LaProfile, postcode: &Postcode) -> Option<(f64, f64)> {
    let outward = postcode.outward();
    let district: u32 = outward.strip_prefix(la.postcode_area.as_str())?.parse().ok()?;
    let inward = postcode.as_str().split(' ').nth(1)?.as_bytes();
    let sector = u32::from(inward[0].checked_sub(b'0')?);
    if !(1..=9).contains(&district) || !(1..=9).contains(&sector) {
        return None;
    }
    let (clat, clon) = centre(la);
    let (dx, dy) = grid(district - 1);
    let (sx, sy) = grid(sector - 1);
    let (jx, jy) = unit_jitter(inward[1], inward[2]);
    // 0.04 degrees of latitude is about 2.8 miles; 0.06 of longitude about the same at 51N.
    Some((clat + dy * 0.04 + sy * 0.012 + jy * 0.01, clon + dx * 0.06 + sx * 0.018 + jx * 0.015))
}

/// Every postcode of the area's shape with its coordinates (9 districts x 9 sectors x 400 units).
pub fn area_postcodes(la: &LaProfile) -> Vec<(Postcode, f64, f64)> {
    let mut out = Vec::with_capacity(9 * 9 * 400);
    for district in 1..=9 {
        for sector in 1..=9 {
            for a in UNIT_LETTERS {
                for b in UNIT_LETTERS {
                    let text = format!("{}{district} {sector}{}{}", la.postcode_area, *a as char, *b as char);
                    if let Ok(p) = text.parse::<Postcode>() {
                        if let Some((lat, lon)) = postcode_coordinates(la, &p) {
                            out.push((p, lat, lon));
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_postcode_has_coordinates_within_a_few_miles_of_the_centre() {
        let la = crate::profile::portsmouth_la();
        let all = area_postcodes(&la);
        assert_eq!(all.len(), 9 * 9 * 400);
        let (clat, clon) = centre(&la);
        for (_, lat, lon) in &all {
            assert!((lat - clat).abs() < 0.07 && (lon - clon).abs() < 0.1);
        }
        let other: Postcode = "SW1A 1AA".parse().unwrap();
        assert_eq!(postcode_coordinates(&la, &other), None);
    }
}
