//! The deterministic fleet simulator shared by the demo tenant (`meterport serve --demo`)
//! and the benchmark (`meterport bench`).
//!
//! A [`SimDevice`] is one printer: its own random stream ([`Rng`], seeded by the caller, so
//! that a device's data do not depend on the others) and its cumulative counters, either
//! sheets ([`Sheets`], split by a [`Mix`] and reported as a [`Profile`]) or a large-format
//! printer's area ([`Area`]). The caller decides when it prints and how much; the device
//! writes its counters, and a whole ingest item ([`SimDevice::write_reading`]), as the
//! ingest API takes them. Every relation of SPEC C2 holds exactly in every reading. The same
//! seeds give the same data on every machine.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use meterport_domain::device::LfpUnit;
use meterport_domain::period::day_start_ms;

/// SplitMix64: tiny, fast, and the same sequence on every platform, which is all a data
/// generator needs (no dependency for it).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo)
    }
}

/// `permille`/1000 of `n`, rounded at random so that shares add up on average, and never
/// more than `n`.
pub fn share(n: u64, permille: u64, rng: &mut Rng) -> u64 {
    ((n * permille + rng.below(1000)) / 1000).min(n)
}

/// How a device's pages divide, in per mille.
#[derive(Debug, Clone, Copy)]
pub struct Mix {
    /// Colour pages of all pages.
    pub colour: u64,
    /// Copies of the colour pages, and of the mono pages that are not faxes.
    pub copy: u64,
    /// Received faxes (printed in mono) of the mono pages.
    pub receive: u64,
    /// Large sizes (A3, B4) of all pages.
    pub large: u64,
    pub duplex: u64,
    /// Scans per page printed.
    pub scan: u64,
    /// Scans sent (e-mail, folder) of all scans.
    pub send: u64,
}

/// Which counters a device reports (SPEC C1: a device reports a subset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Every sheet counter, eight paper sizes.
    ColorMfp,
    /// No colour counters.
    MonoMfp,
    /// A printer: no copy, scan or receive counters.
    ColorLbp,
    MonoLbp,
    /// The benchmark's twenty counters: the seventeen standard ones and three sizes.
    Bench,
}

/// Cumulative sheet counters kept as the independent parts the reported counters are
/// sums of, so that every relation of C2 holds exactly in every reading:
/// `total1 = color + mono = copy + receive + print`
/// `= color_copy + color_print + mono_copy + mono_print`, `color = color_large + color_small`, `mono = mono_large + mono_small`,
/// and the paper sizes add up to `total1`. Received faxes print in mono: they are part of
/// `mono_print` in the colour-mode split and are `receive`, not `print`, in the function
/// split.
#[derive(Debug, Clone, Default)]
pub struct Sheets {
    color_copy: u64,
    color_print: u64,
    mono_copy: u64,
    /// Mono prints from computers, without received faxes.
    mono_pc: u64,
    receive: u64,
    color_large: u64,
    mono_large: u64,
    a3: u64,
    b4: u64,
    a4: u64,
    b5: u64,
    a5: u64,
    letter: u64,
    postcard: u64,
    other: u64,
    scan: u64,
    scan_send: u64,
    duplex: u64,
}

impl Sheets {
    /// Prints `pages` more pages.
    pub fn add(&mut self, pages: u64, mix: &Mix, rng: &mut Rng) {
        let colour = share(pages, mix.colour, rng);
        let mono = pages - colour;
        let cc = share(colour, mix.copy, rng);
        self.color_copy += cc;
        self.color_print += colour - cc;
        let rx = share(mono, mix.receive, rng);
        let mc = share(mono - rx, mix.copy, rng);
        self.receive += rx;
        self.mono_copy += mc;
        self.mono_pc += mono - rx - mc;
        let cl = share(colour, mix.large, rng);
        let ml = share(mono, mix.large, rng);
        self.color_large += cl;
        self.mono_large += ml;
        let large = cl + ml;
        let a3 = share(large, 750, rng);
        self.a3 += a3;
        self.b4 += large - a3;
        let mut small = pages - large;
        for (slot, permille) in [
            (&mut self.a4, 860),
            (&mut self.b5, 350),
            (&mut self.a5, 300),
            (&mut self.letter, 300),
            (&mut self.postcard, 300),
        ] {
            let n = share(small, permille, rng);
            *slot += n;
            small -= n;
        }
        self.other += small;
        let scans = share(pages, mix.scan, rng);
        self.scan += scans;
        self.scan_send += share(scans, mix.send, rng);
        self.duplex += share(pages, mix.duplex, rng);
    }

    /// Writes the profile's counters as JSON members (`"total1":123,...`).
    pub fn write_json(&self, profile: Profile, out: &mut Vec<u8>) {
        let color = self.color_copy + self.color_print;
        let mono = self.mono_copy + self.mono_pc + self.receive;
        let total1 = color + mono;
        let copy = self.color_copy + self.mono_copy;
        let print = self.color_print + self.mono_pc;
        let mono_print = self.mono_pc + self.receive;
        let mut w = Members::new(out);
        w.num("total1", total1);
        let colour = matches!(
            profile,
            Profile::ColorMfp | Profile::ColorLbp | Profile::Bench
        );
        let copier = matches!(
            profile,
            Profile::ColorMfp | Profile::MonoMfp | Profile::Bench
        );
        if colour {
            w.num("color", color);
            w.num("color_large", self.color_large);
            w.num("color_small", color - self.color_large);
            w.num("color_print", self.color_print);
            if copier {
                w.num("color_copy", self.color_copy);
            }
        }
        w.num("mono", mono);
        w.num("mono_large", self.mono_large);
        w.num("mono_small", mono - self.mono_large);
        w.num("mono_print", mono_print);
        w.num("print", print);
        w.num("duplex", self.duplex);
        if copier {
            w.num("mono_copy", self.mono_copy);
            w.num("copy", copy);
            w.num("receive", self.receive);
            w.num("scan", self.scan);
            w.num("scan_send", self.scan_send);
        }
        if profile == Profile::Bench {
            w.num("paper_a3", self.a3);
            w.num("paper_a4", self.a4);
            w.num(
                "paper_other",
                self.b4 + self.b5 + self.a5 + self.letter + self.postcard + self.other,
            );
        } else {
            w.num("paper_a3", self.a3);
            w.num("paper_a4", self.a4);
            w.num("paper_b4", self.b4);
            w.num("paper_b5", self.b5);
            w.num("paper_a5", self.a5);
            w.num("paper_letter", self.letter);
            w.num("paper_postcard", self.postcard);
            w.num("paper_other", self.other);
        }
    }
}

/// A large-format printer's counters: DUTY A-D in thousandths of its unit, and Total the
/// sum of the four (the demo's convention).
#[derive(Debug, Clone, Default)]
pub struct Area {
    duty: [u64; 4],
}

impl Area {
    /// Prints `amount` thousandths more; `whole` keeps every counter a whole number of
    /// units (A4- or Letter-equivalent sheets).
    pub fn add(&mut self, amount: u64, whole: bool, rng: &mut Rng) {
        let grain = if whole { 1000 } else { 1 };
        let mut left = amount / grain;
        for (i, permille) in [450, 550, 600].into_iter().enumerate() {
            let n = share(left, permille, rng);
            self.duty[i] += n * grain;
            left -= n;
        }
        self.duty[3] += left * grain;
    }

    pub fn write_json(&self, whole: bool, out: &mut Vec<u8>) {
        let mut w = Members::new(out);
        let total: u64 = self.duty.iter().sum();
        for (key, v) in [
            ("total1", total),
            ("duty_a", self.duty[0]),
            ("duty_b", self.duty[1]),
            ("duty_c", self.duty[2]),
            ("duty_d", self.duty[3]),
        ] {
            if whole {
                w.num(key, v / 1000);
            } else {
                w.thousandths(key, v);
            }
        }
    }
}

/// Writes `"key":value` members separated by commas.
struct Members<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Members<'a> {
    fn new(out: &'a mut Vec<u8>) -> Members<'a> {
        Members { out, first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    fn num(&mut self, key: &str, v: u64) {
        self.key(key);
        self.out
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }

    /// A value in thousandths as a decimal with three places (`12.345`).
    fn thousandths(&mut self, key: &str, v: u64) {
        self.key(key);
        self.out
            .extend_from_slice(itoa::Buffer::new().format(v / 1000).as_bytes());
        let frac = v % 1000;
        self.out.extend_from_slice(&[
            b'.',
            b'0' + (frac / 100) as u8,
            b'0' + (frac / 10 % 10) as u8,
            b'0' + (frac % 10) as u8,
        ]);
    }
}

/// One simulated device: its random stream and its cumulative counters.
#[derive(Debug, Clone)]
pub struct SimDevice {
    /// The device's own stream: the caller draws from it too (daily noise, poll times), so
    /// that everything about a device follows from its seed.
    pub rng: Rng,
    counters: Counters,
    resets: u32,
}

/// A device's counters as the simulator keeps them.
#[derive(Debug, Clone)]
enum Counters {
    Sheets(Sheets, Mix, Profile),
    /// Thousandths of the unit; `true`: whole units only (A4- or Letter-equivalent sheets).
    Area(Area, bool),
}

impl SimDevice {
    /// A sheet-counting device (MFP, LBP) whose pages divide as `mix` says, reporting the
    /// counters of `profile`; its counters start at zero.
    pub fn sheets(rng: Rng, mix: Mix, profile: Profile) -> SimDevice {
        SimDevice {
            rng,
            counters: Counters::Sheets(Sheets::default(), mix, profile),
            resets: 0,
        }
    }

    /// A large-format printer counting area in `unit`; whole units for A4 and Letter.
    pub fn area(rng: Rng, unit: LfpUnit) -> SimDevice {
        SimDevice {
            rng,
            counters: Counters::Area(
                Area::default(),
                matches!(unit, LfpUnit::A4 | LfpUnit::Letter),
            ),
            resets: 0,
        }
    }

    /// Prints `amount` more: pages, or thousandths of the unit for a large-format printer.
    pub fn print(&mut self, amount: u64) {
        match &mut self.counters {
            Counters::Sheets(s, mix, _) => s.add(amount, mix, &mut self.rng),
            Counters::Area(a, whole) => a.add(amount, *whole, &mut self.rng),
        }
    }

    /// The main board is replaced: every counter restarts from zero (SPEC C6).
    pub fn reset(&mut self) {
        match &mut self.counters {
            Counters::Sheets(s, _, _) => *s = Sheets::default(),
            Counters::Area(a, _) => *a = Area::default(),
        }
        self.resets += 1;
    }

    /// How many times [`reset`](Self::reset) was called.
    pub fn resets(&self) -> u32 {
        self.resets
    }

    /// Writes the device's counters as JSON members (`"total1":123,...`).
    pub fn write_counters(&self, out: &mut Vec<u8>) {
        match &self.counters {
            Counters::Sheets(s, _, profile) => s.write_json(*profile, out),
            Counters::Area(a, whole) => a.write_json(*whole, out),
        }
    }

    /// Writes one ingest item, `{"serial":..,"read_at":..,"counters":{..}}`, with the
    /// device's current counters; `read_at` writes the time.
    pub fn write_reading(
        &self,
        out: &mut Vec<u8>,
        serial: &str,
        read_at: impl FnOnce(&mut Vec<u8>),
    ) {
        out.extend_from_slice(b"{\"serial\":\"");
        out.extend_from_slice(serial.as_bytes());
        out.extend_from_slice(b"\",\"read_at\":\"");
        read_at(out);
        out.extend_from_slice(b"\",\"counters\":{");
        self.write_counters(out);
        out.extend_from_slice(b"}}");
    }
}

/// A day in a zone, as readings of that day write their time.
#[derive(Debug, Clone)]
pub struct SimDay {
    /// The day's first millisecond.
    pub start_ms: i64,
    /// `2024-05-01T`
    date: String,
    /// The zone's offset at the day's start, `+09:00`.
    offset: String,
}

impl SimDay {
    pub fn new(day: Date, tz: &TimeZone) -> SimDay {
        let start_ms = day_start_ms(day, tz);
        let offset = tz.to_offset(Timestamp::from_millisecond(start_ms).expect("in range"));
        let secs = offset.seconds();
        let sign = if secs < 0 { '-' } else { '+' };
        let secs = secs.unsigned_abs();
        SimDay {
            start_ms,
            date: format!("{:04}-{:02}-{:02}T", day.year(), day.month(), day.day()),
            offset: format!("{sign}{:02}:{:02}", secs / 3600, secs / 60 % 60),
        }
    }

    /// The time `second` seconds after the day's start, in milliseconds.
    pub fn at_ms(&self, second: u64) -> i64 {
        self.start_ms + second as i64 * 1000
    }

    /// Writes the RFC 3339 time `second` seconds after the day's start: the date,
    /// `HH:MM:SS` and the offset.
    ///
    /// The local time is the day's start plus `second`: exact for zones without a daylight
    /// saving change that day, which holds for the demo's and the benchmark's Asia/Tokyo.
    pub fn write_time(&self, out: &mut Vec<u8>, second: u64) {
        out.extend_from_slice(self.date.as_bytes());
        let (h, m, s) = (second / 3600, second / 60 % 60, second % 60);
        for v in [h, m, s] {
            out.push(b'0' + (v / 10) as u8);
            out.push(b'0' + (v % 10) as u8);
            out.push(b':');
        }
        out.pop();
        out.extend_from_slice(self.offset.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mix() -> Mix {
        Mix {
            colour: 300,
            copy: 300,
            receive: 50,
            large: 100,
            duplex: 400,
            scan: 300,
            send: 600,
        }
    }

    fn counters(d: &SimDevice) -> serde_json::Map<String, serde_json::Value> {
        let mut out = b"{".to_vec();
        d.write_counters(&mut out);
        out.push(b'}');
        serde_json::from_slice(&out).expect("JSON")
    }

    #[test]
    fn the_same_seed_gives_the_same_counters_and_their_relations_hold() {
        let make = || {
            let mut d = SimDevice::sheets(Rng::new(7), mix(), Profile::ColorMfp);
            for _ in 0..50 {
                let pages = d.rng.range(0, 500);
                d.print(pages);
            }
            d
        };
        let (a, b) = (counters(&make()), counters(&make()));
        assert_eq!(a, b);
        let n = |k: &str| a[k].as_u64().unwrap();
        assert!(n("total1") > 0);
        assert_eq!(n("total1"), n("color") + n("mono"));
        assert_eq!(n("total1"), n("copy") + n("receive") + n("print"));
        assert_eq!(n("color"), n("color_large") + n("color_small"));
        let sizes: u64 = a
            .iter()
            .filter(|(k, _)| k.starts_with("paper_"))
            .map(|(_, v)| v.as_u64().unwrap())
            .sum();
        assert_eq!(sizes, n("total1"));
    }

    #[test]
    fn a_reset_restarts_the_counters_and_is_counted() {
        let total = |d: &SimDevice| {
            let mut out = Vec::new();
            d.write_counters(&mut out);
            let text = String::from_utf8(out).unwrap();
            text.split(',').next().unwrap().to_string()
        };
        let mut d = SimDevice::area(Rng::new(1), LfpUnit::M2);
        d.print(123_456);
        assert_eq!(total(&d), "\"total1\":123.456");
        d.reset();
        d.print(1_000);
        assert_eq!(total(&d), "\"total1\":1.000");
        assert_eq!(d.resets(), 1);
    }

    #[test]
    fn a_reading_carries_the_days_local_time_and_offset() {
        let tz = TimeZone::get("Asia/Tokyo").unwrap();
        let day = SimDay::new(Date::new(2025, 3, 9).unwrap(), &tz);
        let d = SimDevice::sheets(Rng::new(2), mix(), Profile::MonoLbp);
        let mut out = Vec::new();
        d.write_reading(&mut out, "S-1", |out| day.write_time(out, 9 * 3600 + 61));
        let item: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(item["serial"], "S-1");
        assert_eq!(item["read_at"], "2025-03-09T09:01:01+09:00");
        assert_eq!(item["counters"]["total1"], 0);
        assert_eq!(day.at_ms(0), day.start_ms);
    }
}
