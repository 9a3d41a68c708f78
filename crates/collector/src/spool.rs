//! The on-disk queue of what is not yet delivered (SPEC I3, Q5).
//!
//! Layout of `spool_dir`:
//! - `queue/NNNNNNNNNNNNNNNNNNNN-readings.json` and `...-status.json`: one request body each
//!   (a JSON array), numbered in the order they were made. Written to a temporary name,
//!   fsynced, renamed, and the directory fsynced, before anything is sent: a reading exists
//!   on disk before the portal can have seen it, and a kill -9 at any moment leaves either
//!   the whole file or none (a stray `.tmp` is removed at the next start).
//! - `rejected/`: items the portal refused (422), each as `NNN-kind.json` with the portal's
//!   reasons beside it in `NNN-kind.reason.json`. Never retried: a site engineer reads them.
//! - `wraps.json`: the 32-bit wrap state of each device's counters ([`crate::wraps`]).
//!
//! A file leaves `queue/` only once the portal answered 200 for it (a duplicate is a 200
//! too: it was delivered before). Files go out oldest first, and delivery stops at the first
//! one the portal cannot take now, so a day of readings arrives in the order it was read.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Readings,
    Status,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Readings => "readings",
            Kind::Status => "status",
        }
    }

    /// The ingest path that takes this kind.
    pub fn path(self) -> &'static str {
        match self {
            Kind::Readings => "/api/v1/ingest/readings",
            Kind::Status => "/api/v1/ingest/status",
        }
    }

    fn from_name(name: &str) -> Option<Kind> {
        if name.ends_with("-readings.json") {
            Some(Kind::Readings)
        } else if name.ends_with("-status.json") {
            Some(Kind::Status)
        } else {
            None
        }
    }
}

/// One queued request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub seq: u64,
    pub kind: Kind,
    pub path: PathBuf,
}

#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    next_seq: u64,
}

fn fsync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Writes `bytes` to `path` so that after a crash the file is either whole or absent.
pub fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("item")
    ));
    {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    fsync_dir(dir)
}

impl Spool {
    pub fn open(dir: &Path) -> std::io::Result<Spool> {
        let queue = dir.join("queue");
        fs::create_dir_all(&queue)?;
        fs::create_dir_all(dir.join("rejected"))?;
        let mut next_seq = 1;
        for entry in fs::read_dir(&queue)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".tmp") {
                // Half-written by a process killed before its rename: never sent, and the
                // poll it held is lost with the process, as an unanswered poll would be.
                fs::remove_file(entry.path())?;
                continue;
            }
            if let Some(seq) = seq_of(&name) {
                next_seq = next_seq.max(seq + 1);
            }
        }
        for entry in fs::read_dir(dir.join("rejected"))? {
            if let Some(seq) = seq_of(&entry?.file_name().to_string_lossy()) {
                next_seq = next_seq.max(seq + 1);
            }
        }
        Ok(Spool {
            dir: dir.to_path_buf(),
            next_seq,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Queues a request body durably; returns its item.
    pub fn push(&mut self, kind: Kind, body: &[u8]) -> std::io::Result<Item> {
        let seq = self.next_seq;
        self.next_seq += 1;
        let path = self
            .dir
            .join("queue")
            .join(format!("{seq:020}-{}.json", kind.as_str()));
        write_durably(&path, body)?;
        Ok(Item { seq, kind, path })
    }

    /// The queued items, oldest first.
    pub fn pending(&self) -> std::io::Result<Vec<Item>> {
        let mut items = Vec::new();
        for entry in fs::read_dir(self.dir.join("queue"))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let (Some(seq), Some(kind)) = (seq_of(&name), Kind::from_name(&name)) {
                items.push(Item {
                    seq,
                    kind,
                    path: entry.path(),
                });
            }
        }
        items.sort_by_key(|i| i.seq);
        Ok(items)
    }

    /// The portal took the item: it leaves the queue.
    pub fn delivered(&self, item: &Item) -> std::io::Result<()> {
        fs::remove_file(&item.path)?;
        fsync_dir(&self.dir.join("queue"))
    }

    /// Replaces an item's body (what is left of it once refused parts were set aside).
    pub fn rewrite(&self, item: &Item, body: &[u8]) -> std::io::Result<()> {
        write_durably(&item.path, body)
    }

    /// Sets refused parts of an item aside, with the portal's reasons, under `rejected/`.
    /// Written before the queue file is rewritten or removed: a crash in between sends the
    /// refused part again, to be refused again, never loses it.
    pub fn reject(&self, item: &Item, refused: &[u8], reasons: &[u8]) -> std::io::Result<PathBuf> {
        let dir = self.dir.join("rejected");
        let base = format!("{:020}-{}", item.seq, item.kind.as_str());
        write_durably(&dir.join(format!("{base}.reason.json")), reasons)?;
        let path = dir.join(format!("{base}.json"));
        write_durably(&path, refused)?;
        Ok(path)
    }
}

fn seq_of(name: &str) -> Option<u64> {
    name.split('-').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_come_back_oldest_first_and_numbering_goes_on_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::open(dir.path()).unwrap();
        let a = spool.push(Kind::Readings, b"[1]").unwrap();
        let b = spool.push(Kind::Status, b"[2]").unwrap();
        // A temporary file of a killed process is not an item and goes at the next start.
        fs::write(dir.path().join("queue/.x-readings.json.tmp"), b"[").unwrap();
        drop(spool);
        let mut spool = Spool::open(dir.path()).unwrap();
        let c = spool.push(Kind::Readings, b"[3]").unwrap();
        assert_eq!((a.seq, b.seq, c.seq), (1, 2, 3));
        let pending = spool.pending().unwrap();
        assert_eq!(pending, vec![a.clone(), b.clone(), c.clone()]);
        assert!(!dir.path().join("queue/.x-readings.json.tmp").exists());
        spool.delivered(&b).unwrap();
        spool.reject(&a, b"[1]", b"{}").unwrap();
        spool.delivered(&a).unwrap();
        assert_eq!(spool.pending().unwrap(), vec![c]);
        assert!(
            dir.path()
                .join("rejected/00000000000000000001-readings.json")
                .exists()
        );
    }
}
