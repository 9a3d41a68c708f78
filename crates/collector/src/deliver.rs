//! Delivery of the spool to the portal's ingest API (SPEC §7).
//!
//! The ingest API takes or refuses a request whole: a 422 lists every bad item by index and
//! stores nothing. A collector's request holds a whole poll, so one unregistered serial would
//! hold back the fleet; the refused items are therefore set aside (with the portal's reasons)
//! and the rest is sent again at once.

use std::time::Duration;

use serde_json::value::RawValue;

use crate::spool::{Item, Kind, Spool};

/// What a delivery round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Readings (or status reports) the portal took, duplicates included.
    pub readings: usize,
    pub statuses: usize,
    /// Items refused, with the serial and the portal's reason.
    pub refused: Vec<Refusal>,
    /// Why delivery stopped with items still queued; `None`: the queue is empty.
    pub stopped: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub kind: Kind,
    pub serial: String,
    pub reason: String,
}

pub struct Portal {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Portal {
    pub fn new(base: &str, token: &str) -> Portal {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("meterport-collect/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client");
        Portal {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
        }
    }

    /// Sends the queued items oldest first, until the queue is empty or the portal cannot
    /// take one now.
    pub async fn deliver(&self, spool: &Spool) -> std::io::Result<Delivery> {
        let mut out = Delivery::default();
        for item in spool.pending()? {
            if let Err(why) = self.deliver_item(spool, &item, &mut out).await? {
                out.stopped = Some(why);
                break;
            }
        }
        Ok(out)
    }

    /// `Ok(Ok(()))`: the item left the queue. `Ok(Err(why))`: it stays, and delivery stops.
    async fn deliver_item(
        &self,
        spool: &Spool,
        item: &Item,
        out: &mut Delivery,
    ) -> std::io::Result<Result<(), String>> {
        // Sent as written: the file is parsed only when the portal refused part of it.
        let mut body = std::fs::read(&item.path)?;
        loop {
            let sent = self
                .http
                .post(format!("{}{}", self.base, item.kind.path()))
                .bearer_auth(&self.token)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await;
            let response = match sent {
                Ok(r) => r,
                Err(e) => return Ok(Err(format!("the portal cannot be reached: {e}"))),
            };
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            match status {
                200 => {
                    let n = count_items(&body);
                    match item.kind {
                        Kind::Readings => out.readings += n,
                        Kind::Status => out.statuses += n,
                    }
                    spool.delivered(item)?;
                    return Ok(Ok(()));
                }
                422 => {
                    // Each item kept as its exact text, so what is sent again is what was read.
                    let items: Vec<Box<RawValue>> = match serde_json::from_slice(&body) {
                        Ok(items) => items,
                        Err(_) => vec![
                            RawValue::from_string(String::from_utf8_lossy(&body).into_owned())
                                .unwrap_or_else(|_| RawValue::from_string("null".into()).unwrap()),
                        ],
                    };
                    let refused = refused_indices(&text);
                    let (aside, kept): (Vec<Numbered>, Vec<Numbered>) =
                        items.into_iter().enumerate().partition(|(i, _)| {
                            refused.is_empty() || refused.iter().any(|(r, _)| r == i)
                        });
                    for (i, v) in &aside {
                        out.refused.push(Refusal {
                            kind: item.kind,
                            serial: serial_of(v),
                            reason: refused
                                .iter()
                                .find(|(r, _)| r == i)
                                .map_or_else(|| first_line(&text), |(_, why)| why.clone()),
                        });
                    }
                    let aside: Vec<Box<RawValue>> = aside.into_iter().map(|(_, v)| v).collect();
                    let kept: Vec<Box<RawValue>> = kept.into_iter().map(|(_, v)| v).collect();
                    spool.reject(
                        item,
                        &serde_json::to_vec(&aside).expect("serializable"),
                        text.as_bytes(),
                    )?;
                    if kept.is_empty() {
                        spool.delivered(item)?;
                        return Ok(Ok(()));
                    }
                    body = serde_json::to_vec(&kept).expect("serializable");
                    spool.rewrite(item, &body)?;
                }
                401 | 403 => {
                    return Ok(Err(format!(
                        "the portal refused the ingest token (HTTP {status}): check ingest_token"
                    )));
                }
                _ => {
                    return Ok(Err(format!(
                        "the portal answered HTTP {status}: {}",
                        first_line(&text)
                    )));
                }
            }
        }
    }
}

/// An item of a request with its index in it.
type Numbered = (usize, Box<RawValue>);

/// Items in a request body (a JSON array), counted without building them.
fn count_items(body: &[u8]) -> usize {
    serde_json::from_slice::<Vec<serde::de::IgnoredAny>>(body).map_or(1, |v| v.len())
}

fn serial_of(v: &RawValue) -> String {
    #[derive(serde::Deserialize)]
    struct Serial {
        serial: String,
    }
    serde_json::from_str::<Serial>(v.get())
        .map(|s| s.serial)
        .unwrap_or_else(|_| "?".into())
}

fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(300)
        .collect()
}

/// The refused items of a 422 answer `{"error": {"details": [{"index", "field",
/// "message"}]}}`: index and reason ("serial: is not a registered device ...").
fn refused_indices(text: &str) -> Vec<(usize, String)> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let Some(details) = v.pointer("/error/details").and_then(|d| d.as_array()) else {
        return Vec::new();
    };
    let mut out: Vec<(usize, String)> = Vec::new();
    for d in details {
        let Some(index) = d.get("index").and_then(|i| i.as_u64()) else {
            continue;
        };
        let field = d.get("field").and_then(|f| f.as_str()).unwrap_or("");
        let message = d.get("message").and_then(|f| f.as_str()).unwrap_or("");
        let reason = if field.is_empty() {
            message.to_string()
        } else {
            format!("{field}: {message}")
        };
        match out.iter_mut().find(|(i, _)| *i == index as usize) {
            Some((_, r)) => {
                r.push_str("; ");
                r.push_str(&reason);
            }
            None => out.push((index as usize, reason)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_each_item_with_all_its_reasons() {
        let text = r#"{"error":{"code":"invalid","message":"x","details":[
            {"index":2,"field":"serial","message":"is not a registered device of this customer"},
            {"index":0,"field":"counters.total1","message":"must be a whole number"},
            {"index":2,"field":"read_at","message":"is in the future"}]}}"#;
        assert_eq!(
            refused_indices(text),
            vec![
                (
                    2,
                    "serial: is not a registered device of this customer; read_at: is in the future"
                        .to_string()
                ),
                (0, "counters.total1: must be a whole number".to_string()),
            ]
        );
        assert!(refused_indices("not json").is_empty());
    }
}
