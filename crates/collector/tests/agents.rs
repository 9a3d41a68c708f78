//! The collector against real SNMP agents: snmpsim serving our per-vendor recordings
//! (`tests/fixtures/*.snmprec`, written from the vendors' documented OIDs) and net-snmp's
//! snmpd for SNMPv3. `scripts/test` starts nothing for these: each test starts its agents.

use std::net::Ipv4Addr;
use std::time::Duration;

use meterport_collector::config::{AuthProtocol, Config, Credentials, PrivProtocol, Version};
use meterport_collector::device::{self, DeviceData};
use meterport_collector::snmp::{self, Patience, PollError};
use meterport_collector::{agents, poll_all};

const PATIENCE: Patience = Patience {
    timeout: Duration::from_millis(1500),
    retries: 1,
};

fn v2c(community: &str) -> Credentials {
    Credentials::Community {
        version: Version::V2c,
        community: community.into(),
    }
}

async fn read(addr: std::net::SocketAddr, credentials: &Credentials) -> DeviceData {
    let snap = snmp::poll(addr, credentials, PATIENCE)
        .await
        .expect("the agent answers");
    device::interpret(&snap).expect("a serial")
}

fn counters(d: &DeviceData) -> Vec<(&'static str, u64)> {
    d.counters
        .iter()
        .map(|(k, v)| (k.name(), v.value))
        .collect()
}

/// Community, vendor, serial and counters of a recording.
type Expected = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, u64)],
);

#[tokio::test]
async fn each_vendors_serial_counters_conditions_and_supplies_come_through_a_real_agent() {
    let agent = agents::snmpsim(Ipv4Addr::LOCALHOST, &agents::fixtures()).await;
    let expect: [Expected; 9] = [
        (
            "canon",
            "Canon",
            "QXA12345",
            &[
                ("total1", 152_340),
                ("color", 40_210),
                ("mono", 112_130),
                ("scan", 12_000),
                ("color_large", 10_000),
                ("color_small", 30_210),
                ("mono_large", 20_010),
                ("mono_small", 92_120),
                ("print", 98_000),
            ],
        ),
        (
            "ricoh",
            "Ricoh",
            "E154M123456",
            &[
                ("total1", 88_123),
                ("mono_copy", 21_000),
                ("mono_print", 41_000),
                ("copy", 30_000),
                ("receive", 2_100),
                ("print", 56_000),
            ],
        ),
        (
            "kyocera",
            "Kyocera",
            // prtGeneralSerialNumber: the disputed Kyocera object holds a host name.
            "W2D8303202",
            &[
                ("total1", 424_405),
                ("color_copy", 42_443),
                ("color_print", 140_424),
                ("mono_copy", 73_811),
                ("mono_print", 163_915),
                ("copy", 116_254),
                ("receive", 3_812),
                ("print", 304_339),
            ],
        ),
        (
            "xerox",
            "Xerox",
            "3390123456",
            &[
                ("total1", 201_000),
                ("color", 61_000),
                ("mono", 140_000),
                ("color_large", 9_100),
                ("mono_large", 17_300),
                ("color_copy", 21_000),
                ("mono_copy", 52_000),
            ],
        ),
        (
            "konica",
            "Konica Minolta",
            "A7PU021012345",
            &[
                ("total1", 64_210),
                ("scan", 9_100),
                ("color_copy", 6_000),
                ("color_print", 13_210),
                ("mono_copy", 15_000),
                ("mono_print", 30_000),
                ("duplex", 20_100),
            ],
        ),
        (
            "hp",
            "HP",
            // Sent with two binary bytes in front.
            "JPBCS12345",
            &[("total1", 45_120), ("color", 21_000), ("duplex", 8_000)],
        ),
        (
            "brother",
            "Brother",
            "E78123K9N456789",
            &[("total1", 23_456), ("scan", 3_100)],
        ),
        (
            "epson",
            "Epson",
            "X3ZP012345",
            // Black from .27.1.1.3.1.1, not pm's "ICE" .6.1.1 (4,444 in the recording).
            &[("total1", 17_890), ("color", 8_080), ("mono", 9_790)],
        ),
        ("sharp", "Sharp", "3501234567", &[("total1", 4_294_967_000)]),
    ];
    for (community, vendor, serial, want) in expect {
        let d = read(agent.addr, &v2c(community)).await;
        assert_eq!(d.vendor, Some(vendor), "{community}");
        assert_eq!(d.serial, serial, "{community}");
        assert_eq!(counters(&d), want.to_vec(), "{community}");
    }

    // Status: only the error-state bits and the problem alerts.
    let canon = read(agent.addr, &v2c("canon")).await;
    let codes: Vec<(&str, &str)> = canon
        .conditions
        .iter()
        .map(|c| (c.code.as_str(), c.severity.as_str()))
        .collect();
    assert_eq!(codes, [("alert.jam", "error")], "power-on is information");
    assert_eq!(
        canon.conditions[0].message.as_deref(),
        Some("Paper jam: main unit")
    );
    let hp = read(agent.addr, &v2c("hp")).await;
    let codes: Vec<&str> = hp.conditions.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["low_toner", "alert.toner_almost_empty"]);
    let konica = read(agent.addr, &v2c("konica")).await;
    assert_eq!(konica.conditions[0].code, "service_requested");
    assert_eq!(konica.conditions[0].severity, "service_call");
    assert!(read(agent.addr, &v2c("sharp")).await.conditions.is_empty());

    // Supplies: percent of max, colour from the colorant table, Printer-MIB's special levels.
    let supplies = |d: &DeviceData| -> Vec<(String, Option<String>, Option<i64>, String)> {
        d.supplies
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.color.clone(),
                    s.level_percent,
                    s.state.clone(),
                )
            })
            .collect()
    };
    let s = |n: &str, c: Option<&str>, l: Option<i64>, st: &str| {
        (n.to_string(), c.map(str::to_string), l, st.to_string())
    };
    assert_eq!(
        supplies(&canon),
        vec![
            s("Black Toner", Some("black"), Some(80), "ok"),
            s("Cyan Toner", Some("cyan"), Some(55), "ok"),
            s("Magenta Toner", Some("magenta"), Some(3), "low"),
            s("Yellow Toner", Some("yellow"), None, "some_remaining"),
            s("Waste Toner Container", None, Some(20), "ok"),
        ]
    );
    let ricoh = read(agent.addr, &v2c("ricoh")).await;
    assert_eq!(
        supplies(&ricoh)[0],
        s("Black Toner", Some("black"), Some(0), "empty")
    );
    assert_eq!(
        supplies(&ricoh)[3],
        s("Yellow Toner", Some("yellow"), None, "unknown")
    );
    let epson = read(agent.addr, &v2c("epson")).await;
    assert_eq!(epson.supplies[0].kind, "ink");
    assert_eq!(
        supplies(&epson)[2],
        s("Magenta Ink", Some("magenta"), Some(0), "empty")
    );
}

#[tokio::test]
async fn snmpv1_reads_the_same_device_although_v1_refuses_a_request_with_a_missing_oid() {
    let agent = agents::snmpsim(Ipv4Addr::LOCALHOST, &agents::fixtures()).await;
    for community in ["canon", "hp", "sharp"] {
        let v1 = read(
            agent.addr,
            &Credentials::Community {
                version: Version::V1,
                community: community.into(),
            },
        )
        .await;
        assert_eq!(v1, read(agent.addr, &v2c(community)).await, "{community}");
    }
}

#[tokio::test]
async fn a_device_without_any_serial_is_not_a_device_and_a_wrong_community_gets_no_answer() {
    let agent = agents::snmpsim(Ipv4Addr::LOCALHOST, &agents::fixtures()).await;
    let snap = snmp::poll(agent.addr, &v2c("noserial"), PATIENCE)
        .await
        .unwrap();
    assert!(device::interpret(&snap).is_none());
    let quick = Patience {
        timeout: Duration::from_millis(300),
        retries: 0,
    };
    assert!(matches!(
        snmp::poll(agent.addr, &v2c("not-a-community"), quick).await,
        Err(PollError::NoAnswer)
    ));
}

#[tokio::test]
async fn snmpv3_auth_priv_with_sha256_and_aes_reads_a_net_snmp_agent_and_a_wrong_key_fails() {
    let users = [
        agents::V3User {
            name: "meter",
            auth: "SHA-256",
            auth_password: "authpass-0123",
            privacy: "AES",
            priv_password: "privpass-0123",
        },
        agents::V3User {
            name: "legacy",
            auth: "MD5",
            auth_password: "authpass-4567",
            privacy: "DES",
            priv_password: "privpass-4567",
        },
    ];
    let agent = agents::snmpd(
        &users,
        "1.3.6.1.4.1.2385.3.1.103",
        &[
            "1.3.6.1.2.1.43.5.1.1.17.1 octet_str \"SH-V3-0001\"",
            "1.3.6.1.2.1.43.10.2.1.4.1.1 counter 777123",
        ],
    )
    .await;
    let v3 = |user: &str, auth, apw: &str, privacy, ppw: &str| Credentials::Usm {
        user: user.into(),
        auth: Some((auth, apw.into())),
        privacy: Some((privacy, ppw.into())),
    };
    let d = read(
        agent.addr,
        &v3(
            "meter",
            AuthProtocol::Sha256,
            "authpass-0123",
            PrivProtocol::Aes,
            "privpass-0123",
        ),
    )
    .await;
    assert_eq!(d.vendor, Some("Sharp"));
    assert_eq!(d.serial, "SH-V3-0001");
    assert_eq!(counters(&d), [("total1", 777_123)]);
    let des_dir = tempfile::tempdir().unwrap();
    snmp::prepare_des(des_dir.path()).unwrap();
    let legacy = read(
        agent.addr,
        &v3(
            "legacy",
            AuthProtocol::Md5,
            "authpass-4567",
            PrivProtocol::Des,
            "privpass-4567",
        ),
    )
    .await;
    assert_eq!(legacy.serial, "SH-V3-0001");

    let wrong = snmp::poll(
        agent.addr,
        &v3(
            "meter",
            AuthProtocol::Sha256,
            "authpass-0123",
            PrivProtocol::Aes,
            "wrong-priv-key",
        ),
        Patience {
            timeout: Duration::from_millis(500),
            retries: 0,
        },
    )
    .await;
    assert!(wrong.is_err(), "a wrong privacy key reads nothing");
}

#[tokio::test]
async fn a_cidr_sweep_finds_the_printers_in_parallel_and_skips_silent_addresses_quietly() {
    // Two printers at 127.0.0.2 and 127.0.0.5 on one port; the /29 has four more addresses
    // where nothing answers, and one host target that does not answer either.
    let port = agents::free_udp_port(Ipv4Addr::new(127, 0, 0, 1));
    let recordings = agents::fixtures();
    let rec = |name: &str| {
        vec![(
            "public".to_string(),
            recordings.iter().find(|r| r.0 == name).unwrap().1.clone(),
        )]
    };
    let _a = agents::snmpsim_on(Ipv4Addr::new(127, 0, 0, 2), port, &rec("canon")).await;
    let _b = agents::snmpsim_on(Ipv4Addr::new(127, 0, 0, 5), port, &rec("epson")).await;
    let silent_port = agents::free_udp_port(Ipv4Addr::LOCALHOST);
    let config = Config::parse(
        "sweep.toml",
        &format!(
            r#"
portal_url = "http://127.0.0.1:9"
ingest_token = "t"
spool_dir = "/nonexistent"
timeout_ms = 3000
retries = 0
concurrency = 16
[[targets]]
address = "127.0.0.0/29"
port = {port}
[[targets]]
address = "127.0.0.1:{silent_port}"
"#
        ),
    )
    .unwrap();
    let report = poll_all(&config).await;
    let serials: Vec<&str> = report
        .answers
        .iter()
        .map(|a| a.data.serial.as_str())
        .collect();
    assert_eq!(serials, ["QXA12345", "X3ZP012345"]);
    assert_eq!(report.swept_silent, 4);
    assert_eq!(report.silent_hosts.len(), 1, "{:?}", report.silent_hosts);
    assert!(
        report.silent_hosts[0]
            .0
            .ends_with(&format!(":{silent_port}"))
    );
    // How many are asked at once is the limiter's rule, tested with its in-flight count
    // (`bounded` in the crate); a test here measures no time.
}

#[tokio::test]
async fn a_cidr_sweep_on_udp_161_finds_exactly_the_printers_and_skips_silent_addresses_in_bounded_parallel()
 {
    // 127.0.161.8/29 is swept on the default port (the target names none): its hosts are
    // .9 to .14. Printers answer SNMP on UDP 161 at .10 and .13; .9, .11, .12 and .14 hold
    // UDP 161 but never answer, as an address without a printer (or one that drops SNMP)
    // answers nothing on a real network.
    let ip = |last: u8| Ipv4Addr::new(127, 0, 161, last);
    let bind_161 = |last: u8| {
        std::net::UdpSocket::bind((ip(last), 161)).unwrap_or_else(|e| {
            panic!(
                "cannot bind UDP {}:161 ({e}): this test sweeps the real SNMP port and needs \
                 root (or CAP_NET_BIND_SERVICE); it is not skipped",
                ip(last)
            )
        })
    };
    // Checked first, so that a missing privilege says so instead of an agent's start-up log.
    drop((bind_161(10), bind_161(13)));
    let recordings = agents::fixtures();
    let rec = |name: &str| {
        vec![(
            "public".to_string(),
            recordings.iter().find(|r| r.0 == name).unwrap().1.clone(),
        )]
    };
    let canon = agents::snmpsim_on(ip(10), 161, &rec("canon")).await;
    let xerox = agents::snmpsim_on(ip(13), 161, &rec("xerox")).await;
    let _silent: Vec<std::net::UdpSocket> = [9, 11, 12, 14].into_iter().map(bind_161).collect();
    assert_eq!(canon.addr.port(), 161);
    let config = Config::parse(
        "sweep161.toml",
        r#"
portal_url = "http://127.0.0.1:9"
ingest_token = "t"
spool_dir = "/nonexistent"
timeout_ms = 1000
retries = 0
concurrency = 2
[[targets]]
address = "127.0.161.8/29"
"#,
    )
    .unwrap();
    let report = poll_all(&config).await;
    let found: Vec<(std::net::SocketAddr, &str, Option<&str>)> = report
        .answers
        .iter()
        .map(|a| (a.addr, a.data.serial.as_str(), a.data.vendor))
        .collect();
    assert_eq!(
        found,
        [
            (canon.addr, "QXA12345", Some("Canon")),
            (xerox.addr, "3390123456", Some("Xerox")),
        ]
    );
    // Quietly: counted, not reported as hosts that failed, not as devices without serial.
    assert_eq!(report.swept_silent, 4);
    assert!(report.silent_hosts.is_empty(), "{:?}", report.silent_hosts);
    assert!(report.without_serial.is_empty());
}
