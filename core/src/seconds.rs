//! Settings given in seconds (an int, a float or a numeric string), kept as
//! milliseconds.

use crate::error::{Error, Result};
use std::ops::RangeInclusive;

/// A number of seconds within `range` (`range_words` in the message), in ms.
pub fn ms_within(
    label: &str,
    value: &str,
    range: RangeInclusive<f64>,
    range_words: &str,
) -> Result<u64> {
    let secs = value.trim().parse::<f64>().unwrap_or(f64::NAN);
    if !range.contains(&secs) {
        return Err(Error::Configuration(format!(
            "{label} must be a number of seconds from {range_words}"
        )));
    }
    Ok((secs * 1000.0) as u64)
}
