//! 32-bit counters that wrap. Many printers keep their counters in 32 bits (Counter32, or an
//! INTEGER that turns negative); past 4,294,967,295 they start again from 0. The portal would
//! see a reset (C6) and count the new value from zero, losing the pages between the last
//! reading and the top. The collector instead keeps, per device and counter, the last value
//! read and how many times it wrapped, and sends `wraps x 2^32 + value`.
//!
//! A fall is a wrap only when it comes from the top quarter of the range and lands in the
//! bottom quarter: a counter reset (a new board) lands near zero from anywhere, but a
//! million-page printer read hourly never crosses half the range between two polls.

use std::collections::BTreeMap;
use std::path::Path;

use meterport_domain::counters::Key;

use crate::device::RawCounter;

const RANGE: u64 = 1 << 32;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Wraps {
    /// serial -> counter name -> (last value read, wraps so far)
    devices: BTreeMap<String, BTreeMap<String, (u64, u64)>>,
}

impl Wraps {
    /// The state kept in `path`; none yet (or unreadable) is a fresh start.
    pub fn load(path: &Path) -> Wraps {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(
                    "{}: unreadable ({e}); wrap counts start again",
                    path.display()
                );
                Wraps::default()
            }),
            Err(_) => Wraps::default(),
        }
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(self).expect("serializable");
        crate::spool::write_durably(path, &bytes)
    }

    /// The value to send for a counter just read.
    pub fn apply(&mut self, serial: &str, key: Key, raw: RawCounter) -> u64 {
        let entry = self
            .devices
            .entry(serial.to_string())
            .or_default()
            .entry(key.name().to_string())
            .or_insert((raw.value, 0));
        if !raw.wraps_at_32 {
            *entry = (raw.value, 0);
            return raw.value;
        }
        let (last, wraps) = *entry;
        let wraps = if raw.value < last {
            if last >= 3 * RANGE / 4 && raw.value < RANGE / 4 {
                wraps + 1
            } else {
                // A reset: the portal counts it as one (C6).
                0
            }
        } else {
            wraps
        };
        *entry = (raw.value, wraps);
        wraps * RANGE + raw.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c32(value: u64) -> RawCounter {
        RawCounter {
            value,
            wraps_at_32: true,
        }
    }

    #[test]
    fn a_wrapped_counter_goes_on_counting_and_a_reset_is_left_a_reset() {
        let mut w = Wraps::default();
        assert_eq!(w.apply("S", Key::Total1, c32(4_294_967_000)), 4_294_967_000);
        assert_eq!(w.apply("S", Key::Total1, c32(200)), RANGE + 200);
        assert_eq!(w.apply("S", Key::Total1, c32(5_000)), RANGE + 5_000);
        // Another serial and another key have their own state.
        assert_eq!(w.apply("T", Key::Total1, c32(10)), 10);
        assert_eq!(w.apply("S", Key::Mono, c32(7)), 7);
        // A fall from the middle of the range is a reset, not a wrap.
        assert_eq!(w.apply("T", Key::Total1, c32(2_000_000_000)), 2_000_000_000);
        assert_eq!(w.apply("T", Key::Total1, c32(3)), 3);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wraps.json");
        w.save(&path).unwrap();
        let mut again = Wraps::load(&path);
        assert_eq!(again, w);
        assert_eq!(again.apply("S", Key::Total1, c32(6_000)), RANGE + 6_000);
    }
}
