//! The SNMP side, kept thin: ask a device for the OIDs the tables name and return a
//! [`Snapshot`]; [`crate::device`] says what they mean.
//!
//! A poll is a handful of round trips: one GET for identity, error state and the life
//! count; one GET for the vendor's serial and counters; GETBULK walks (GETNEXT on v1) of the
//! supplies, colorant and alert tables and of a vendor's typed counter table.

use std::net::SocketAddr;
use std::time::Duration;

use async_snmp::{Auth, AuthProtocol, Client, ErrorKind, Oid, PrivProtocol, Retry, UsmConfig};

use crate::config::{self, Credentials, Version};
use crate::device::{
    self, HR_PRINTER_ERROR_STATE, PRT_ALERTS, PRT_COLORANT_VALUE, PRT_SUPPLIES, SYS_OBJECT_ID,
    Snapshot, oid,
};
use crate::vendors::{PRT_GENERAL_SERIAL, PRT_MARKER_LIFE_COUNT};

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// Nothing answered (timeout, unreachable): for a sweep, an address without a printer.
    #[error("no answer")]
    NoAnswer,
    /// Something answered but the exchange failed (wrong v3 credentials, say).
    #[error("{0}")]
    Failed(String),
}

fn classify(e: Box<async_snmp::Error>) -> PollError {
    match e.kind() {
        ErrorKind::Timeout | ErrorKind::ConstructionTimeout | ErrorKind::Network => {
            PollError::NoAnswer
        }
        _ => PollError::Failed(e.to_string()),
    }
}

fn auth_of(c: &Credentials) -> Result<Auth, PollError> {
    Ok(match c {
        Credentials::Community {
            version: Version::V1,
            community,
        } => Auth::v1(community.as_str()),
        Credentials::Community { community, .. } => Auth::v2c(community.as_str()),
        Credentials::Usm {
            user,
            auth,
            privacy,
        } => {
            let cfg = UsmConfig::new(user.clone().into_bytes());
            let ap = |p: config::AuthProtocol| match p {
                config::AuthProtocol::Md5 => AuthProtocol::Md5,
                config::AuthProtocol::Sha => AuthProtocol::Sha1,
                config::AuthProtocol::Sha256 => AuthProtocol::Sha256,
                config::AuthProtocol::Sha512 => AuthProtocol::Sha512,
            };
            // AES-256 key extension: net-snmp and most printers use Blumenthal's.
            let pp = |p: config::PrivProtocol| match p {
                config::PrivProtocol::Des => PrivProtocol::Des,
                config::PrivProtocol::Aes => PrivProtocol::Aes128,
                config::PrivProtocol::Aes256 => PrivProtocol::Aes256Blumenthal,
            };
            let bad = |e: async_snmp::CryptoError| PollError::Failed(e.to_string());
            let cfg = match (auth, privacy) {
                (Some((a, apw)), Some((p, ppw))) => cfg
                    .auth_priv(ap(*a), apw.as_bytes(), pp(*p), ppw.as_bytes())
                    .map_err(bad)?,
                (Some((a, apw)), None) => cfg.auth(ap(*a), apw.as_bytes()).map_err(bad)?,
                _ => cfg,
            };
            Auth::from(cfg)
        }
    })
}

/// How long and how often to ask.
#[derive(Debug, Clone, Copy)]
pub struct Patience {
    pub timeout: Duration,
    pub retries: u32,
}

type UdpClient = Client<async_snmp::UdpHandle>;

/// DES privacy needs salts that never repeat under one key, also across restarts: the
/// collector keeps a boots epoch in `spool_dir/des-salt.json`, advanced durably at each
/// start, and every DES client of the process shares one salt sequence.
static DES_SALT: std::sync::OnceLock<async_snmp::DesSaltState> = std::sync::OnceLock::new();

/// Prepares DES privacy for this process, its state kept in `dir`. Called once at start by
/// a configuration with a DES target; later calls return the same state.
pub fn prepare_des(dir: &std::path::Path) -> Result<(), String> {
    if DES_SALT.get().is_some() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("des-salt.json");
    let persist = |state: &async_snmp::PersistedDesSaltState| {
        crate::spool::write_durably(&path, state.engine_boots().to_string().as_bytes())
    };
    let previous = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| t.trim().parse::<u32>().ok())
        .and_then(|b| async_snmp::PersistedDesSaltState::new(b).ok());
    let state = match previous {
        Some(p) => async_snmp::DesSaltState::restart(p, persist),
        None => async_snmp::DesSaltState::install(persist),
    }
    .map_err(|e| format!("DES privacy state in {}: {e}", path.display()))?;
    let _ = DES_SALT.set(state);
    Ok(())
}

/// Polls one address.
pub async fn poll(
    addr: SocketAddr,
    credentials: &Credentials,
    patience: Patience,
) -> Result<Snapshot, PollError> {
    let retry = Retry::fixed(patience.retries, Duration::ZERO)
        .map_err(|e| PollError::Failed(e.to_string()))?;
    let mut builder = Client::builder(addr, auth_of(credentials)?)
        .request_timeout(patience.timeout)
        .retry(retry);
    if let Credentials::Usm {
        privacy: Some((config::PrivProtocol::Des, _)),
        ..
    } = credentials
    {
        let state = DES_SALT.get().ok_or_else(|| {
            PollError::Failed("DES privacy is not prepared (snmp::prepare_des)".into())
        })?;
        builder = builder.des_salt_state(state.clone());
    }
    let client = builder.connect().await.map_err(classify)?;
    let v1 = matches!(
        credentials,
        Credentials::Community {
            version: Version::V1,
            ..
        }
    );
    let mut snap = Snapshot::default();
    let first = [
        SYS_OBJECT_ID,
        PRT_GENERAL_SERIAL,
        HR_PRINTER_ERROR_STATE,
        PRT_MARKER_LIFE_COUNT,
    ];
    get_into(&client, &first, v1, &mut snap, true).await?;
    if let Some(vendor) = device::vendor_of(&snap) {
        let oids: Vec<&str> = vendor
            .serials
            .iter()
            .copied()
            .chain(vendor.total1)
            .chain(vendor.counters.iter().map(|c| c.oid))
            .collect();
        get_into(&client, &oids, v1, &mut snap, false).await?;
        if let Some(t) = vendor.typed {
            walk_into(&client, t.type_column, &mut snap).await?;
            walk_into(&client, t.value_column, &mut snap).await?;
        }
    }
    for table in [PRT_SUPPLIES, PRT_COLORANT_VALUE, PRT_ALERTS] {
        walk_into(&client, table, &mut snap).await?;
    }
    Ok(snap)
}

/// GETs `oids` into the snapshot. SNMPv1 answers a whole request with noSuchName when one
/// OID is missing, so on v1 a refused request is asked again one OID at a time. `first`: this
/// is the device's first answer, and silence means no device.
async fn get_into(
    client: &UdpClient,
    oids: &[&str],
    v1: bool,
    snap: &mut Snapshot,
    first: bool,
) -> Result<(), PollError> {
    if oids.is_empty() {
        return Ok(());
    }
    let parsed: Vec<Oid> = oids.iter().map(|o| oid(o)).collect();
    match client.get_many(&parsed).await {
        Ok(r) => {
            for vb in r.varbinds {
                snap.0.insert(vb.oid, vb.value);
            }
            Ok(())
        }
        Err(e) if e.kind() == ErrorKind::Snmp && v1 => {
            for o in parsed {
                match client.get(&o).await {
                    Ok(r) => {
                        for vb in r.varbinds {
                            snap.0.insert(vb.oid, vb.value);
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::Snmp => {}
                    Err(e) => return Err(classify(e)),
                }
            }
            Ok(())
        }
        Err(e) if first => Err(classify(e)),
        // Past the first answer, a failure is a device that stopped answering mid-poll.
        Err(e) => Err(PollError::Failed(e.to_string())),
    }
}

async fn walk_into(client: &UdpClient, table: &str, snap: &mut Snapshot) -> Result<(), PollError> {
    let walk = client
        .walk(oid(table))
        .map_err(|e| PollError::Failed(e.to_string()))?;
    match walk.collect().await {
        Ok(varbinds) => {
            for vb in varbinds {
                snap.0.insert(vb.oid, vb.value);
            }
            Ok(())
        }
        // An agent without the table answers noSuchName (v1) or ends the walk at once.
        Err(e) if e.kind() == ErrorKind::Snmp => Ok(()),
        Err(e) => Err(PollError::Failed(format!("walk of {table}: {e}"))),
    }
}
