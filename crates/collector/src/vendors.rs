//! Per-vendor counter tables, as data: one table per vendor, chosen by the enterprise number
//! in the device's `sysObjectID` (1.3.6.1.4.1.N...). A new model or vendor is a row here,
//! never a code path (glpi-agent's `MibSupport` idea, without its sums of parts).
//!
//! Rules every table keeps (SPEC C1, issue 12):
//! - `total1` is the vendor's own total where the table names one, else the Printer-MIB
//!   `prtMarkerLifeCount` (1.3.6.1.2.1.43.10.2.1.4.1.1).
//! - Each counter is read from its own OID and stored under its own key. A total is never the
//!   sum of its parts: on real devices the function counters do not add up to the life count
//!   (blank sheets, reports, service pages), and a sum would invent pages. Where a source adds
//!   two OIDs into one counter (glpi-agent does for Canon's large/small, Ricoh's two colour
//!   kinds, Xerox's two scan routes), the key is left out or fed by one OID only.
//! - Every mapping says where it comes from. Public collectors disagree with each other, so a
//!   mapping is kept when two sources agree; an OID that one source alone names, or that does
//!   not hold what its name says on a real device, is left out, with the reason beside it.
//!
//! Sources, named by the short tags used below:
//! - `glpi`: glpi-agent, `lib/GLPI/Agent/SNMP/MibSupport/<Vendor>.pm` and the vendor serial
//!   list in `lib/GLPI/Agent/SNMP/Device.pm` (getSerial).
//! - `pm`: PrintMaster, `common/snmp/oids/oids.go`, `agent/scanner/vendor/*.go` and
//!   `docs/dev/vendor/KYOCERA_OID_MAPPING.md` (walks of real devices).
//! - `mib`: the vendor's own MIB object names (CANON-MIB counter IDs as printed on the device's
//!   counter screen, HP's `hpLaserJet` statusPrtEngine objects, KONICA-MINOLTA counters).
//! - `tooling`: the project's `shared/TOOLING.md` list of Canon counter IDs (from Canon's
//!   counter list of the imageRUNNER ADVANCE service manuals).
//! - `scripts`: small public meter readers in the code index (C++, C#, PowerShell, PHP,
//!   Python, batch files), each reading a few OIDs for one fleet. Weaker than the above, so
//!   they count as a second source only where they agree with each other and with a named
//!   source, and never against a walk of a real device.
//!
//! Paper sizes (`paper_*` keys): no table maps one, because no vendor has two sources that
//! agree on an OID that counts sheets of one paper size. What was checked:
//! - glpi: its printer counters are TOTAL, BLACK, COLOR, RECTOVERSO, SCANNED and the
//!   PRINT/COPY/FAX totals and colour splits; no MibSupport module (Canon, Ricoh, Kyocera,
//!   Xerox, Konica, HP, Brother, Epson) reads a paper-size counter.
//! - pm: `oids.go` names paper sizes only for the Printer-MIB input trays (prtInputMediaName,
//!   what is loaded, not what was printed); its Kyocera mapping (TASKalfa 6052ci, checked
//!   against the device's counter page) has function, colour and scan counters only; its Epson
//!   mapping lists "paper size breakdown (.27.3.1.5 / .27.3.1.6)" as not yet decoded.
//! - mib: KYOCERA-MIB's kcprt tree (1347.43: general, marker, channel, memory) has no counter
//!   by paper size; Ricoh's counter type list (Private MIB specification 4.08, as quoted by a
//!   public reader) has totals, copy/fax/print by colour mode and transmission types, no paper
//!   size; Canon's counter IDs in tooling are large/small (103/104, 112/113, 122/123), not sizes.
//! - scripts: Xerox's .6.1.20.43/.44 are called "A3" by two readers and "large" impressions by
//!   three others, as on Xerox's billing page (large: A3, 11x17 and up), so they feed the
//!   large keys of the Xerox table, not `paper_a3`. Nothing else names a per-size counter.
//!
//! A paper-size counter will come in as rows here once two sources name the same OID for it.

use meterport_domain::counters::Key;

/// prtMarkerLifeCount of the first marker: the standard life count.
pub const PRT_MARKER_LIFE_COUNT: &str = "1.3.6.1.2.1.43.10.2.1.4.1.1";
/// prtGeneralSerialNumber of the first printer: the standard serial.
pub const PRT_GENERAL_SERIAL: &str = "1.3.6.1.2.1.43.5.1.1.17.1";

/// One counter read from one scalar OID.
#[derive(Debug, Clone, Copy)]
pub struct Counter {
    pub key: Key,
    pub oid: &'static str,
}

/// A counter table whose rows say what they count in a type column (Ricoh's engine counter
/// table): walk both columns, keep the rows whose type is listed.
#[derive(Debug, Clone, Copy)]
pub struct TypedTable {
    pub type_column: &'static str,
    pub value_column: &'static str,
    pub rows: &'static [(i64, Key)],
}

#[derive(Debug, Clone, Copy)]
pub struct Vendor {
    pub name: &'static str,
    /// IANA private enterprise number, as in sysObjectID 1.3.6.1.4.1.N.
    pub enterprise: u32,
    /// Serial OIDs to try in order; prtGeneralSerialNumber comes after them.
    pub serials: &'static [&'static str],
    /// The vendor's own Total 1; `None`: prtMarkerLifeCount.
    pub total1: Option<&'static str>,
    pub counters: &'static [Counter],
    pub typed: Option<TypedTable>,
}

const fn c(key: Key, oid: &'static str) -> Counter {
    Counter { key, oid }
}

/// Canon (1602). Counter table canon.1.11.1.3.1.4.ID, keyed by the counter ID shown on the
/// device's counter screen (labels differ between sources and firmware; IDs do not).
pub const CANON: Vendor = Vendor {
    name: "Canon",
    enterprise: 1602,
    serials: &[
        // canServInfoSerialNumberDeviceNumber: glpi Canon.pm; the serial on the device label.
        "1.3.6.1.4.1.1602.1.2.1.8.1.3.1.1",
        // The older serial object: glpi Device.pm (Canon-MIB).
        "1.3.6.1.4.1.1602.1.2.1.4.0",
    ],
    // 101 Total 1: tooling, glpi (COPYTOTAL reads 101, which is the machine total).
    total1: Some("1.3.6.1.4.1.1602.1.11.1.3.1.4.101"),
    counters: &[
        // 106 Total (Full Color + Single Color), 108 Total (Black 1): tooling, mib.
        c(Key::Color, "1.3.6.1.4.1.1602.1.11.1.3.1.4.106"),
        c(Key::Mono, "1.3.6.1.4.1.1602.1.11.1.3.1.4.108"),
        // 112/113 Black large/small, 122/123 Full Color + Single Color large/small:
        // tooling, glpi (which adds each pair into one counter; here each is its own key).
        c(Key::MonoLarge, "1.3.6.1.4.1.1602.1.11.1.3.1.4.112"),
        c(Key::MonoSmall, "1.3.6.1.4.1.1602.1.11.1.3.1.4.113"),
        c(Key::ColorLarge, "1.3.6.1.4.1.1602.1.11.1.3.1.4.122"),
        c(Key::ColorSmall, "1.3.6.1.4.1.1602.1.11.1.3.1.4.123"),
        // 301 Print (Total 1), 501 Scan (Total 1): tooling, glpi.
        c(Key::Print, "1.3.6.1.4.1.1602.1.11.1.3.1.4.301"),
        c(Key::Scan, "1.3.6.1.4.1.1602.1.11.1.3.1.4.501"),
        // Left out: 102 Total 2 and 103/104 Total large/small have no C1 key.
    ],
    typed: None,
};

/// Ricoh (367). The engine counter table ricoh.3.2.1.2.19.5.1 lists rows whose type
/// (column .2) says what the value (column .9) counts: glpi Ricoh.pm.
pub const RICOH: Vendor = Vendor {
    name: "Ricoh",
    enterprise: 367,
    // ricohSysSerial... : glpi Device.pm (Ricoh-MIB) and pm's Ricoh walks.
    serials: &["1.3.6.1.4.1.367.3.2.1.2.1.4.0"],
    total1: None,
    counters: &[],
    typed: Some(TypedTable {
        type_column: "1.3.6.1.4.1.367.3.2.1.2.19.5.1.2",
        value_column: "1.3.6.1.4.1.367.3.2.1.2.19.5.1.9",
        rows: &[
            // Type 10 total, 200 copy total, 201 copy black, 300 fax printed, 400 printer
            // total, 401 printer black: glpi Ricoh.pm and Ricoh's counter type list.
            (10, Key::Total1),
            (200, Key::Copy),
            (201, Key::MonoCopy),
            (300, Key::Receive),
            (400, Key::Print),
            (401, Key::MonoPrint),
            // Left out: 202/203 (copy full colour / two colour) and 402/403 (print), which
            // glpi adds into one colour counter: full colour alone is not C1's colour, and
            // their sum is a sum of parts. 870/871 (scan kinds) likewise.
        ],
    }),
};

/// Kyocera (1347).
pub const KYOCERA: Vendor = Vendor {
    name: "Kyocera",
    enterprise: 1347,
    // No vendor serial: pm names 1347.40.10.1.1.5.1 the serial, glpi's Kyocera.pm reads the
    // same OID as the host name. With the sources at odds, prtGeneralSerialNumber it is.
    serials: &[],
    // Total 1 is Kyocera's "total printed" (kcprtMarkerServiceCount, 1347.43.10.1.1.12.1.1),
    // not prtMarkerLifeCount: on a TASKalfa walked by pm the life count (432,951) exceeds the
    // pages printed by print+copy+fax (424,405) that the device's own counter report and its
    // service contract call the total; the life count also counts non-billable impressions.
    // Sources: pm oids.go (KyoceraTotalPrinted) and pm KYOCERA_OID_MAPPING.md.
    total1: Some("1.3.6.1.4.1.1347.43.10.1.1.12.1.1"),
    counters: &[
        // Function totals .42.3.1.1.1.F (1 printer, 2 copy, 4 fax): pm mapping and oids.go.
        c(Key::Print, "1.3.6.1.4.1.1347.42.3.1.1.1.1"),
        c(Key::Copy, "1.3.6.1.4.1.1347.42.3.1.1.1.2"),
        c(Key::Receive, "1.3.6.1.4.1.1347.42.3.1.1.1.4"),
        // By function and colour mode .42.3.1.2.1.1.F.M (M 1 black, 3 full colour).
        c(Key::MonoPrint, "1.3.6.1.4.1.1347.42.3.1.2.1.1.1.1"),
        c(Key::ColorPrint, "1.3.6.1.4.1.1347.42.3.1.2.1.1.1.3"),
        c(Key::MonoCopy, "1.3.6.1.4.1.1347.42.3.1.2.1.1.2.1"),
        c(Key::ColorCopy, "1.3.6.1.4.1.1347.42.3.1.2.1.1.2.3"),
        // Left out: .43.10.1.1.16.1.1, which pm could not tell black from colour on a real
        // device; scan counters, which Kyocera splits by route only (a sum of parts).
    ],
    typed: None,
};

/// Xerox (253). xcmHrDevDetailEntry values of the Xerox Common MIB.
pub const XEROX: Vendor = Vendor {
    name: "Xerox",
    enterprise: 253,
    // xcmHrDevInfoSerialNumber: glpi Device.pm (Xerox-MIB) and the Xerox Common MIB.
    serials: &["1.3.6.1.4.1.253.8.53.3.2.1.3.1"],
    // Total impressions .6.1.20.1: glpi Xerox.pm and the Xerox Common MIB's billing meters.
    total1: Some("1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.1"),
    counters: &[
        // Colour and black impressions .6.1.20.33 / .6.1.20.34: glpi Xerox.pm, mib.
        c(Key::Color, "1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.33"),
        c(Key::Mono, "1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.34"),
        // Colour and black copies .6.11.20.25 / .6.11.20.3: glpi Xerox.pm, mib.
        c(Key::ColorCopy, "1.3.6.1.4.1.253.8.53.13.2.1.6.11.20.25"),
        c(Key::MonoCopy, "1.3.6.1.4.1.253.8.53.13.2.1.6.11.20.3"),
        // Colour and black large impressions .6.1.20.43 / .6.1.20.44: scripts (a C++ reader's
        // colorLargeTotal/blackLargeTotal, a PowerShell inventory's colorLarge/blackLarge
        // Impressions, an Italian batch reader's "colore/bn grandi"), which agree with the
        // names of Xerox's billing page ("Color/Black Large Impressions"). Two further readers
        // call the same pair "A3", one of the large sizes: hence color_large/mono_large, not
        // paper_a3.
        c(Key::ColorLarge, "1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.43"),
        c(Key::MonoLarge, "1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.44"),
        // Left out: scans by e-mail and to the network, which glpi adds into one counter;
        // .6.1.20.47 (all large impressions), named by one script only.
    ],
    typed: None,
};

/// Konica Minolta (18334).
pub const KONICA_MINOLTA: Vendor = Vendor {
    name: "Konica Minolta",
    enterprise: 18334,
    serials: &[],
    // Total counter .1.1.1.5.7.2.1.1.0: glpi Konica.pm (konicaTotal), mib.
    total1: Some("1.3.6.1.4.1.18334.1.1.1.5.7.2.1.1.0"),
    counters: &[
        // .1.3.0 duplex; .2.1.5.C.F colour mode C (1 black, 2 colour), function F (1 copy,
        // 2 print); .3.1.5.1 scans: glpi Konica.pm, mib.
        c(Key::Duplex, "1.3.6.1.4.1.18334.1.1.1.5.7.2.1.3.0"),
        c(Key::MonoCopy, "1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.5.1.1"),
        c(Key::MonoPrint, "1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.5.1.2"),
        c(Key::ColorCopy, "1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.5.2.1"),
        c(Key::ColorPrint, "1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.5.2.2"),
        c(Key::Scan, "1.3.6.1.4.1.18334.1.1.1.5.7.2.3.1.5.1"),
    ],
    typed: None,
};

/// HP (11). hp.nm.system.net-peripheral.netPML.device objects of HP LaserJets.
pub const HP: Vendor = Vendor {
    name: "HP",
    enterprise: 11,
    // system.id serial_number .4.2.1.1.3.3.0: glpi HPNetPeripheral.pm, pm hp.go. Some
    // models send it with two binary bytes in front; [`crate::identity`] strips them.
    serials: &["1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.3.0"],
    // totalEnginePageCount .4.2.1.4.1.2.5.0: glpi HPNetPeripheral.pm, mib.
    total1: Some("1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.5.0"),
    counters: &[
        // totalColorPageCount .7.0 and duplexPageCount .22.0: glpi, mib. pm reads colour
        // from .4.4.7.0 instead, so colour is kept only because HP's MIB names this object.
        c(Key::Color, "1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.7.0"),
        c(Key::Duplex, "1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.22.0"),
    ],
    typed: None,
};

/// Brother (2435).
pub const BROTHER: Vendor = Vendor {
    name: "Brother",
    enterprise: 2435,
    // brInfoSerialNumber: glpi BrotherNetConfig.pm and glpi Device.pm (Brother-MIB).
    serials: &["1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0"],
    total1: None,
    counters: &[
        // brScanCountCounter: glpi BrotherNetConfig.pm, mib (BROTHER-MIB brScanCount).
        c(Key::Scan, "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.54.2.2.1.3.3"),
    ],
    typed: None,
};

/// Epson (1248).
pub const EPSON: Vendor = Vendor {
    name: "Epson",
    enterprise: 1248,
    // Serial .1.2.2.1.1.1.5.1: glpi Epson.pm and pm oids.go agree.
    serials: &["1.3.6.1.4.1.1248.1.2.2.1.1.1.5.1"],
    // prtMarkerLifeCount: pm's walks of six Epson models found the standard life count
    // exact, and its .27.1.1.33 "total" comes from one capture of one tool only (pm's
    // .27.1.1.30 "total" likewise has no second source).
    total1: None,
    counters: &[
        // Colour .27.1.1.4.1.1 and black .27.1.1.3.1.1: pm EPSON_OID_MAPPING.md (an AM-C550
        // walk matched to the device's counter page: 41,766 colour and 39,797 black; same
        // structure on a WF-C17590) and pm oids.go (EpsonColorPages; .3 as
        // EpsonMonoPagesLegacy); scripts (a C# reader's EpsonColorPages/EpsonMonoPages, a
        // PHP reader of a WF-7620: "printed color pages" / "b/w pages"). One Java reader
        // swaps the two; the device walk above says which is which.
        c(Key::Color, "1.3.6.1.4.1.1248.1.2.2.27.1.1.4.1.1"),
        c(Key::Mono, "1.3.6.1.4.1.1248.1.2.2.27.1.1.3.1.1"),
        // Left out: .27.1.1.6.1.1, pm's "ICE" black (one capture, and pm's own walk puts
        // black at .3); the function table .27.6.1.4/.5 (print and copy, total and colour),
        // named by pm alone; no source found a scan counter.
    ],
    typed: None,
};

/// Sharp (2385). Neither glpi nor pm maps a Sharp counter, and Sharp publishes no MIB for its
/// MX counters: Total 1 is the standard life count, the serial prtGeneralSerialNumber, which
/// Sharp MX models fill (their web page and the Printer-MIB show the same serial).
///
/// Left out: the counter table 2385.1.1.19.2.1.3.F.4.M. Scripts read .3.5.4.61 / .3.5.4.63 as
/// black / colour totals (a Python reader, a Node poller, a Spanish reader marked "documented,
/// not tried on hardware"), but a PHP reader reads .3.5.4.63 as colour copies, .3.4.4.61 as
/// black copies and .3.1.4.61 / .63 as black / colour prints: the sources disagree on what
/// the function arc F counts, none names a walk of a device, and no collector (glpi, pm)
/// backs either reading. Copy, print and scan have no agreeing pair either.
pub const SHARP: Vendor = Vendor {
    name: "Sharp",
    enterprise: 2385,
    serials: &[],
    total1: None,
    counters: &[],
    typed: None,
};

pub const VENDORS: [Vendor; 9] = [
    CANON,
    RICOH,
    KYOCERA,
    XEROX,
    KONICA_MINOLTA,
    HP,
    BROTHER,
    EPSON,
    SHARP,
];

/// The vendor of a sysObjectID (`1.3.6.1.4.1.N...`), if its table is here.
pub fn by_sys_object_id(arcs: &[u32]) -> Option<&'static Vendor> {
    match arcs {
        [1, 3, 6, 1, 4, 1, n, ..] => VENDORS.iter().find(|v| v.enterprise == *n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_names_parseable_oids_and_each_key_once() {
        for v in VENDORS {
            let mut keys: Vec<Key> = v.counters.iter().map(|c| c.key).collect();
            if v.total1.is_some() {
                keys.push(Key::Total1);
            }
            if let Some(t) = v.typed {
                keys.extend(t.rows.iter().map(|r| r.1));
                for oid in [t.type_column, t.value_column] {
                    async_snmp::Oid::parse(oid).unwrap();
                }
            }
            let mut unique = keys.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), keys.len(), "{} maps a key twice", v.name);
            for oid in v.serials.iter().chain(v.total1.iter()) {
                async_snmp::Oid::parse(oid).unwrap();
            }
            for c in v.counters {
                let oid = async_snmp::Oid::parse(c.oid).unwrap();
                let prefix = format!("1.3.6.1.4.1.{}.", v.enterprise);
                assert!(c.oid.starts_with(&prefix), "{}: {}", v.name, oid);
            }
        }
    }

    #[test]
    fn a_vendor_is_found_by_the_enterprise_number_of_its_sys_object_id() {
        assert_eq!(
            by_sys_object_id(&[1, 3, 6, 1, 4, 1, 1602, 4, 7]).map(|v| v.name),
            Some("Canon")
        );
        assert_eq!(
            by_sys_object_id(&[1, 3, 6, 1, 4, 1, 11, 2, 3, 9, 1]).map(|v| v.name),
            Some("HP")
        );
        assert!(by_sys_object_id(&[1, 3, 6, 1, 4, 1, 9999, 1]).is_none());
        assert!(by_sys_object_id(&[1, 3, 6, 1, 2, 1]).is_none());
    }
}
