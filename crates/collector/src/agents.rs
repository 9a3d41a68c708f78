//! Real SNMP agents on this machine, for the tests and the benchmark: snmpsim serving
//! `.snmprec` recordings (SNMPv1/v2c; the community is the file's name) and net-snmp's
//! `snmpd` for SNMPv3. `scripts/ensure-snmp` installs both and names them in
//! `METERPORT_SNMPSIM` and `METERPORT_SNMPD`; a test that needs one and finds it missing
//! fails, it is not skipped.
//!
//! Agents listen on 127.0.0.x only and are stopped (their directory removed) when dropped.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use async_snmp::{Auth, Client, Retry};

use crate::device::{SYS_OBJECT_ID, oid};

static NEXT_DIR: AtomicU32 = AtomicU32::new(0);

fn scratch_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "meterport-{what}-{}-{}",
        std::process::id(),
        NEXT_DIR.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

fn env_binary(var: &str) -> PathBuf {
    let path = std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run scripts/test, or `export $(scripts/ensure-snmp)` first")
    });
    let path = PathBuf::from(path);
    assert!(path.exists(), "{var}={} does not exist", path.display());
    path
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// A UDP port free on `ip` now.
pub fn free_udp_port(ip: Ipv4Addr) -> u16 {
    UdpSocket::bind((ip, 0))
        .and_then(|s| s.local_addr())
        .expect("a free UDP port")
        .port()
}

/// A running agent.
pub struct Agent {
    child: Child,
    dir: PathBuf,
    pub addr: SocketAddr,
}

impl Agent {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

/// Waits until `community` at `addr` answers a GET of sysObjectID (snmpsim indexes its
/// recordings before it answers: about a second per hundred files here).
async fn wait_ready(addr: SocketAddr, auth: Auth, within: Duration, child: &mut Child, log: &Path) {
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "the agent exited ({status}) before answering: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        if let Ok(client) = Client::builder(addr, auth.clone())
            .request_timeout(Duration::from_millis(300))
            .retry(Retry::none())
            .connect()
            .await
            && client.get(&oid(SYS_OBJECT_ID)).await.is_ok()
        {
            return;
        }
        if started.elapsed() > within {
            panic!(
                "the agent at {addr} did not answer within {within:?}: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// snmpsim serving `recordings` (community name, `.snmprec` text) on `ip`.
pub async fn snmpsim(ip: Ipv4Addr, recordings: &[(String, String)]) -> Agent {
    snmpsim_on(ip, free_udp_port(ip), recordings).await
}

/// snmpsim on a given port (a sweep asks several addresses on one port).
pub async fn snmpsim_on(ip: Ipv4Addr, port: u16, recordings: &[(String, String)]) -> Agent {
    let binary = env_binary("METERPORT_SNMPSIM");
    let dir = scratch_dir("snmpsim");
    let data = dir.join("data");
    let cache = dir.join("cache");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&cache).unwrap();
    for (community, text) in recordings {
        std::fs::write(data.join(format!("{community}.snmprec")), text).unwrap();
    }
    // Run as root, snmpsim drops to nobody: its files must be readable, its cache writable.
    use std::os::unix::fs::PermissionsExt;
    for d in [&dir, &data] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let log = dir.join("snmpsim.log");
    let addr = SocketAddr::from((ip, port));
    let mut cmd = Command::new(&binary);
    cmd.arg(format!("--data-dir={}", data.display()))
        .arg(format!("--cache-dir={}", cache.display()))
        .arg(format!("--agent-udpv4-endpoint={addr}"))
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
        .stderr(Stdio::from(
            std::fs::OpenOptions::new().append(true).open(&log).unwrap(),
        ));
    if running_as_root() {
        // On a privileged port (a sweep of UDP 161) snmpsim 1.2 binds, drops to nobody and
        // then never answers; it keeps root there. Elsewhere it drops to nobody as usual.
        if port < 1024 {
            cmd.args(["--process-user=root", "--process-group=root"]);
        } else {
            cmd.args(["--process-user=nobody", "--process-group=nogroup"]);
        }
    }
    let child = cmd.spawn().expect("snmpsim starts");
    // An agent that never gets ready is stopped too: the panic drops it.
    let mut agent = Agent { child, dir, addr };
    let community = recordings.first().map(|r| r.0.clone()).unwrap_or_default();
    let within = Duration::from_secs(30 + recordings.len() as u64 / 10);
    wait_ready(addr, Auth::v2c(community), within, &mut agent.child, &log).await;
    agent
}

/// An SNMPv3 user of [`snmpd`].
pub struct V3User<'a> {
    pub name: &'a str,
    /// net-snmp's names: MD5, SHA, SHA-256, SHA-512.
    pub auth: &'a str,
    pub auth_password: &'a str,
    /// DES or AES.
    pub privacy: &'a str,
    pub priv_password: &'a str,
}

/// net-snmp's snmpd on 127.0.0.1 with `users` (authPriv) and the scalar `overrides`
/// (`OID TYPE VALUE`, as snmpd.conf's `override`), answering as `sys_object_id`.
pub async fn snmpd(users: &[V3User<'_>], sys_object_id: &str, overrides: &[&str]) -> Agent {
    let binary = env_binary("METERPORT_SNMPD");
    let dir = scratch_dir("snmpd");
    let port = free_udp_port(Ipv4Addr::LOCALHOST);
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut conf =
        format!("agentAddress udp:{addr}\nsysObjectID {sys_object_id}\nsysName meterport-test\n");
    for u in users {
        conf.push_str(&format!(
            "createUser {} {} {} {} {}\nrouser {} priv\n",
            u.name, u.auth, u.auth_password, u.privacy, u.priv_password, u.name
        ));
    }
    for o in overrides {
        conf.push_str(&format!("override {o}\n"));
    }
    let conf_path = dir.join("snmpd.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let log = dir.join("snmpd.log");
    let child = Command::new(&binary)
        .arg("-f")
        .arg("-C")
        .args(["-c".as_ref(), conf_path.as_os_str()])
        .arg(format!("--persistentDir={}", dir.join("persist").display()))
        .args(["-Lf".as_ref(), log.as_os_str()])
        .args(["-p".as_ref(), dir.join("snmpd.pid").as_os_str()])
        .env("MIBS", "")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("snmpd starts");
    let mut agent = Agent { child, dir, addr };
    // Ready when the first user can read sysObjectID.
    let u = users.first().expect("a user");
    let auth = async_snmp::UsmConfig::new(u.name.as_bytes().to_vec())
        .auth_priv(
            match u.auth {
                "MD5" => async_snmp::AuthProtocol::Md5,
                "SHA" => async_snmp::AuthProtocol::Sha1,
                "SHA-512" => async_snmp::AuthProtocol::Sha512,
                _ => async_snmp::AuthProtocol::Sha256,
            },
            u.auth_password.as_bytes(),
            match u.privacy {
                "DES" => async_snmp::PrivProtocol::Des,
                _ => async_snmp::PrivProtocol::Aes128,
            },
            u.priv_password.as_bytes(),
        )
        .expect("valid v3 user");
    wait_ready(
        addr,
        Auth::from(auth),
        Duration::from_secs(30),
        &mut agent.child,
        &log,
    )
    .await;
    agent
}

/// The recordings in `crates/collector/tests/fixtures`, as (community, text).
pub fn fixtures() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("the fixtures directory")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let name = path.file_stem()?.to_str()?.to_string();
            (path.extension()? == "snmprec")
                .then(|| (name, std::fs::read_to_string(&path).expect("readable")))
        })
        .collect();
    out.sort();
    out
}
