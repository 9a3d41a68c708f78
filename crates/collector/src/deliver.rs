//! Delivery of the spool to the portal's ingest API (SPEC §7).
//!
//! The ingest API takes or refuses a request whole: a 422 lists every bad item by index and
//! stores nothing. A collector's request holds a whole poll, so one unregistered serial would
//! hold back the fleet; the refused items are therefore set aside (with the portal's reasons)
//! and the rest is sent again at once.

use std::time::Duration;

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
        let mut items: Vec<serde_json::Value> =
            match serde_json::from_slice(&std::fs::read(&item.path)?) {
                Ok(serde_json::Value::Array(v)) => v,
                Ok(v) => vec![v],
                Err(e) => {
                    // Not ours to send: set aside rather than block the queue for ever.
                    let reason =
                        serde_json::json!({"error": format!("unreadable spool file: {e}")});
                    spool.reject(
                        item,
                        &std::fs::read(&item.path)?,
                        reason.to_string().as_bytes(),
                    )?;
                    spool.delivered(item)?;
                    return Ok(Ok(()));
                }
            };
        loop {
            if items.is_empty() {
                spool.delivered(item)?;
                return Ok(Ok(()));
            }
            let body = serde_json::to_vec(&items).expect("serializable");
            let sent = self
                .http
                .post(format!("{}{}", self.base, item.kind.path()))
                .bearer_auth(&self.token)
                .header("content-type", "application/json")
                .body(body)
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
                    match item.kind {
                        Kind::Readings => out.readings += items.len(),
                        Kind::Status => out.statuses += items.len(),
                    }
                    spool.delivered(item)?;
                    return Ok(Ok(()));
                }
                422 => {
                    let refused = refused_indices(&text);
                    if refused.is_empty() {
                        // A refusal of the request itself (not of its items): set it all
                        // aside with the answer.
                        for v in &items {
                            out.refused.push(Refusal {
                                kind: item.kind,
                                serial: serial_of(v),
                                reason: first_line(&text),
                            });
                        }
                        let all = serde_json::to_vec(&items).expect("serializable");
                        spool.reject(item, &all, text.as_bytes())?;
                        spool.delivered(item)?;
                        return Ok(Ok(()));
                    }
                    let mut kept = Vec::with_capacity(items.len());
                    let mut aside = Vec::new();
                    for (i, v) in items.into_iter().enumerate() {
                        match refused.iter().find(|(index, _)| *index == i) {
                            Some((_, reason)) => {
                                out.refused.push(Refusal {
                                    kind: item.kind,
                                    serial: serial_of(&v),
                                    reason: reason.clone(),
                                });
                                aside.push(v);
                            }
                            None => kept.push(v),
                        }
                    }
                    let aside = serde_json::to_vec(&aside).expect("serializable");
                    spool.reject(item, &aside, text.as_bytes())?;
                    if !kept.is_empty() {
                        spool.rewrite(item, &serde_json::to_vec(&kept).expect("serializable"))?;
                    }
                    items = kept;
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

fn serial_of(v: &serde_json::Value) -> String {
    v.get("serial")
        .and_then(|s| s.as_str())
        .unwrap_or("?")
        .to_string()
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
