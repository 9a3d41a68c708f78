//! The seed manual's fleet, which the counter screens and the read API are checked against:
//! its first device (chapters 4 and 5: cumulative values at the ends of July to November
//! 2021, usage 455, 377, 354 and 723), with its paper-size, colour-mode and function
//! counters; a second device with chapter 4-3's August; a printer whose first reading is in
//! August (its usage is marked, C5); a large-format printer.

use serde_json::{Value, json};

use super::{TestApp, lfp, mfp};
use meterport_store::tenants::Tenant;

/// The counters of the seed's device 1, in the order of [`SEED`]'s values; the first eight
/// are those every MFP reports (device 2 sends only these).
pub const KEYS: [&str; 21] = [
    "total1",
    "color",
    "mono",
    "scan",
    "color_large",
    "color_small",
    "mono_large",
    "mono_small",
    "paper_a3",
    "paper_a4",
    "paper_b4",
    "paper_b5",
    "color_copy",
    "color_print",
    "mono_copy",
    "mono_print",
    "copy",
    "receive",
    "print",
    "scan_send",
    "duplex",
];

/// The seed's device 1 at each month end: (read_at, counters).
#[rustfmt::skip]
pub const SEED: [(&str, [i64; 21]); 5] = [
    // July's values are August's (chapter 5) less August's usage (chapter 4).
    ("2021-07-31T18:00:00+09:00", [177556, 61753, 115803, 15950, 3010, 58743, 11212, 104591,
        14196, 162443, 0, 0, 1452, 60301, 4937, 110866, 6389, 7197, 163970, 13214, 50708]),
    ("2021-08-31T18:00:00+09:00", [178011, 61836, 116175, 15970, 3010, 58826, 11246, 104929,
        14230, 162864, 0, 0, 1452, 60384, 4942, 111233, 6394, 7197, 164420, 13229, 50838]),
    ("2021-09-30T18:00:00+09:00", [178388, 61867, 116521, 15991, 3010, 58857, 11273, 105248,
        14257, 163214, 0, 0, 1452, 60415, 4943, 111578, 6395, 7197, 164796, 13248, 50921]),
    ("2021-10-31T18:00:00+09:00", [178742, 61938, 116804, 16006, 3010, 58928, 11287, 105517,
        14271, 163554, 0, 0, 1452, 60486, 4947, 111857, 6399, 7197, 165146, 13258, 51027]),
    ("2021-11-30T18:00:00+09:00", [179465, 62216, 117249, 16081, 3012, 59204, 11298, 105951,
        14284, 164264, 0, 0, 1452, 60764, 5001, 112248, 6453, 7197, 165815, 13275, 51264]),
];

/// The counters object of a reading: the first `values.len()` of [`KEYS`] with `values`.
pub fn counters(values: &[i64]) -> Value {
    KEYS.iter()
        .zip(values)
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The ids of the seed's devices and group in a tenant.
pub struct Fleet {
    /// SEED-1 "本社 3F", reporting `keys` of [`KEYS`].
    pub dev1: i64,
    /// SEED-2 "営業部", in the group "Sales".
    pub dev2: i64,
    /// LBP-1 "Printer" (a mono LBP at 1F), whose only reading is in August.
    pub printer: i64,
    /// LFP-1 "Plotter", in A4-equivalent sheets.
    pub plotter: i64,
    pub group: i64,
    pub ingest: String,
}

/// A portal with the tenant "Acme" (Asia/Tokyo) holding the seed's fleet, device 1 with the
/// first `keys` of [`KEYS`].
pub async fn acme(keys: usize) -> (TestApp, Tenant, Fleet) {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme", "Asia/Tokyo").await;
    let fleet = fleet(&app, &tenant, keys).await;
    (app, tenant, fleet)
}

/// Registers the seed's devices in `tenant` (the group through the operator API) and sends
/// their readings through the ingest API, device 1 with the first `keys` of [`KEYS`].
pub async fn fleet(app: &TestApp, tenant: &Tenant, keys: usize) -> Fleet {
    let dev1 = app.device(tenant, mfp("SEED-1", "本社 3F")).await;
    let dev2 = app.device(tenant, mfp("SEED-2", "営業部")).await;
    let mut printer = mfp("LBP-1", "Printer");
    printer["device_type"] = json!("mono_lbp");
    printer["location"] = json!("1F");
    let printer = app.device(tenant, printer).await;
    let plotter = app.device(tenant, lfp("LFP-1", "Plotter", "a4")).await;
    let group = app.api_group(tenant.id, "Sales", &[dev2]).await;

    let ingest = app.ingest_token(tenant).await;
    let mut batch: Vec<Value> = SEED
        .iter()
        .map(|(at, v)| json!({"serial": "SEED-1", "read_at": at, "counters": counters(&v[..keys])}))
        .collect();
    batch.extend([
        json!({"serial": "SEED-2", "read_at": "2021-07-31T00:00:00+09:00",
               "counters": counters(&[0; 8])}),
        json!({"serial": "SEED-2", "read_at": "2021-08-20T12:00:00+09:00",
               "counters": counters(&[10385, 2430, 7955, 1441, 14, 2416, 417, 7538])}),
        json!({"serial": "LBP-1", "read_at": "2021-08-20T12:00:00+09:00",
               "counters": {"total1": 900, "print": 900, "mono": 900}}),
        json!({"serial": "LFP-1", "read_at": "2021-08-20T12:00:00+09:00",
               "counters": {"total1": 12.5, "duty_a": 2.25}}),
    ]);
    app.ingest_ok("readings", &ingest, &json!(batch)).await;
    Fleet {
        dev1,
        dev2,
        printer,
        plotter,
        group,
        ingest,
    }
}
