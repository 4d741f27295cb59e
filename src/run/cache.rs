//! A content-addressed artifact cache on disk.
//!
//! An entry is stored under the hex key of the step that made it, as
//! `<root>/<key[..2]>/<key>.art`: the magic `DIVNETA1`, the SHA-256 of the payload
//! (32 bytes), the payload length (u64, little endian), then the payload. A read checks all
//! three, so a truncated, damaged or foreign file is reported as a miss (and removed),
//! never trusted. Entries are written to a temporary file in the same directory and renamed
//! into place, so concurrent runs sharing a cache never see half an entry. A hit refreshes
//! the entry's modification time; [`Cache::prune`] removes the least recently used entries
//! beyond a size bound.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::BoxError;

const MAGIC: &[u8; 8] = b"DIVNETA1";
const HEADER: usize = 8 + 32 + 8;
const EXT: &str = "art";

/// Why [`Cache::put_with`] stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum PutError {
    /// The entry could not be written.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The payload could not be produced.
    #[error(transparent)]
    Encode(BoxError),
}

/// A writer that passes bytes on to `inner` and keeps their SHA-256 and count.
pub struct HashingWriter<W> {
    inner: W,
    hash: Sha256,
    len: u64,
}

impl<W: std::io::Write> HashingWriter<W> {
    /// Hashes what is written to `inner`.
    pub fn new(inner: W) -> Self {
        HashingWriter { inner, hash: Sha256::new(), len: 0 }
    }

    /// The inner writer, and the SHA-256 and the number of the bytes written.
    pub fn finish(self) -> (W, [u8; 32], u64) {
        (self.inner, self.hash.finalize().into(), self.len)
    }
}

impl<W: std::io::Write> std::io::Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A writer that remembers the first error its inner writer gave, so that a failure to
/// write is told from a failure to encode when an encoder reports both alike.
struct Watched<W> {
    inner: W,
    error: Option<std::io::Error>,
}

impl<W: std::io::Write> std::io::Write for Watched<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf).inspect_err(|e| {
            self.error.get_or_insert_with(|| std::io::Error::new(e.kind(), e.to_string()));
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush().inspect_err(|e| {
            self.error.get_or_insert_with(|| std::io::Error::new(e.kind(), e.to_string()));
        })
    }
}

/// The artifact cache rooted at a directory (created on first write).
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

/// What a read found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// A valid entry: its payload and the payload's SHA-256.
    Hit {
        /// The payload.
        bytes: Vec<u8>,
        /// SHA-256 of the payload (the artifact's content hash).
        sha256: [u8; 32],
    },
    /// No entry.
    Miss,
    /// An entry that failed its checks (removed); the reason.
    Damaged(&'static str),
}

/// What a look at an entry's header found (see [`Cache::peek`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peek {
    /// An entry whose header is sound, with the SHA-256 it records for its payload.
    Present {
        /// SHA-256 of the payload, as recorded.
        sha256: [u8; 32],
    },
    /// No entry.
    Miss,
    /// An entry whose header is wrong (removed); the reason.
    Damaged(&'static str),
}

impl Cache {
    /// A cache rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Cache {
        Cache { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str) -> PathBuf {
        let shard = key.get(..2).unwrap_or("00");
        self.root.join(shard).join(format!("{key}.{EXT}"))
    }

    /// Reads the entry of `key`.
    pub fn get(&self, key: &str) -> Lookup {
        let path = self.path(key);
        let Ok(mut data) = std::fs::read(&path) else { return Lookup::Miss };
        match check(&data) {
            Ok(sha256) => {
                let _ = std::fs::File::options()
                    .write(true)
                    .open(&path)
                    .and_then(|f| f.set_modified(std::time::SystemTime::now()));
                data.drain(..HEADER); // the payload, in place: no second copy
                Lookup::Hit { bytes: data, sha256 }
            }
            Err(why) => {
                let _ = std::fs::remove_file(&path);
                Lookup::Damaged(why)
            }
        }
    }

    /// Whether `key` has an entry, from its header alone: the magic number and a length
    /// that matches the file's. A present entry gives the SHA-256 its header records (the
    /// payload is checked against it by [`Cache::get`] when it is read); an entry whose
    /// header is wrong is damaged and removed. Refreshes the entry's use time.
    pub fn peek(&self, key: &str) -> Peek {
        use std::io::Read;
        let path = self.path(key);
        let Ok(mut f) = std::fs::File::open(&path) else { return Peek::Miss };
        let mut head = [0u8; HEADER];
        let size = f.metadata().map(|m| m.len()).unwrap_or(0);
        let whole = f.read_exact(&mut head).is_ok();
        let why = if !whole || &head[..8] != MAGIC {
            Some("not a divnet cache entry")
        } else if u64::from_le_bytes(head[40..48].try_into().unwrap_or_default())
            != size.saturating_sub(HEADER as u64)
        {
            Some("truncated")
        } else {
            None
        };
        drop(f);
        match why {
            Some(why) => {
                let _ = std::fs::remove_file(&path);
                Peek::Damaged(why)
            }
            None => {
                let _ = std::fs::File::options()
                    .write(true)
                    .open(&path)
                    .and_then(|f| f.set_modified(std::time::SystemTime::now()));
                Peek::Present { sha256: head[8..40].try_into().unwrap_or_default() }
            }
        }
    }

    /// Stores `payload` under `key`; returns the payload's SHA-256.
    pub fn put(&self, key: &str, payload: &[u8]) -> std::io::Result<[u8; 32]> {
        self.put_with(key, |w| w.write_all(payload).map_err(Into::into)).map_err(|e| match e {
            PutError::Io(e) => e,
            PutError::Encode(e) => std::io::Error::other(e),
        })
    }

    /// Stores under `key` the payload that `write` writes, streamed to the entry's file
    /// (never held whole in memory); returns the payload's SHA-256. The entry appears only
    /// once complete: it is written to a temporary file, its header filled in at the end,
    /// and renamed into place.
    pub fn put_with(
        &self,
        key: &str,
        write: impl FnOnce(&mut dyn std::io::Write) -> Result<(), BoxError>,
    ) -> Result<[u8; 32], PutError> {
        use std::io::{Seek, SeekFrom, Write};
        let path = self.path(key);
        let dir = path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&[0; HEADER])?;
            let file = Watched { inner: file, error: None };
            let mut w = std::io::BufWriter::with_capacity(1 << 16, HashingWriter::new(file));
            if let Err(e) = write(&mut w) {
                // An error of the file (disk full) comes first; anything else is the
                // encoder's own.
                let seen = w.get_mut().inner.error.take();
                return Err(match (seen, e.downcast::<std::io::Error>()) {
                    (Some(io), _) => PutError::Io(io),
                    (None, Ok(io)) => PutError::Io(*io),
                    (None, Err(e)) => PutError::Encode(e),
                });
            }
            let (file, sha256, len) = w.into_inner().map_err(|e| e.into_error())?.finish();
            let mut file = file.inner;
            file.seek(SeekFrom::Start(0))?;
            let mut head = [0u8; HEADER];
            head[..8].copy_from_slice(MAGIC);
            head[8..40].copy_from_slice(&sha256);
            head[40..].copy_from_slice(&len.to_le_bytes());
            file.write_all(&head)?;
            drop(file);
            std::fs::rename(&tmp, &path)?;
            Ok(sha256)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Total size of the entries, in bytes.
    pub fn size_bytes(&self) -> u64 {
        self.entries().iter().map(|e| e.1).sum()
    }

    /// Removes the least recently used entries until the cache holds at most `max_bytes`;
    /// returns how many were removed. Only files named like entries are touched.
    pub fn prune(&self, max_bytes: u64) -> usize {
        let mut entries = self.entries();
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        // Oldest first; ties broken by path so pruning is deterministic.
        entries.sort_by(|a, b| a.2.cmp(&b.2).then_with(|| a.0.cmp(&b.0)));
        let mut removed = 0;
        for (path, size, _) in entries {
            if total <= max_bytes {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= size;
                removed += 1;
            }
        }
        removed
    }

    /// (path, size, last use) of every entry.
    fn entries(&self) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
        let mut out = Vec::new();
        let Ok(shards) = std::fs::read_dir(&self.root) else { return out };
        let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
        for shard in shards.flatten() {
            // Only `<2 hex>/<64 hex>.art` is an entry: nothing else in the directory is
            // ever counted or removed.
            if !shard.file_name().to_str().is_some_and(|n| hex(n, 2)) {
                continue;
            }
            let Ok(files) = std::fs::read_dir(shard.path()) else { continue };
            for f in files.flatten() {
                let p = f.path();
                let name = f.file_name();
                let is_entry = name
                    .to_str()
                    .and_then(|n| n.strip_suffix(&format!(".{EXT}")))
                    .is_some_and(|stem| hex(stem, 64));
                if is_entry
                    && f.file_type().is_ok_and(|t| t.is_file())
                    && let Ok(m) = f.metadata()
                {
                    out.push((p, m.len(), m.modified().unwrap_or(std::time::UNIX_EPOCH)));
                }
            }
        }
        out
    }
}

fn check(data: &[u8]) -> Result<[u8; 32], &'static str> {
    if data.len() < HEADER || &data[..8] != MAGIC {
        return Err("not a divnet cache entry");
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&data[40..48]);
    if u64::from_le_bytes(len) != (data.len() - HEADER) as u64 {
        return Err("truncated");
    }
    let sha256: [u8; 32] = Sha256::digest(&data[HEADER..]).into();
    if sha256[..] != data[8..40] {
        return Err("content does not match its checksum");
    }
    Ok(sha256)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peek_reads_the_header_only_and_catches_bad_headers() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::new(tmp.path());
        assert_eq!(c.peek("k1"), Peek::Miss);
        let h = c.put("k1", b"payload").unwrap();
        assert_eq!(c.peek("k1"), Peek::Present { sha256: h });
        // A damaged payload passes the peek; the read catches it.
        let mut data = std::fs::read(c.path("k1")).unwrap();
        let last = data.len() - 1;
        data[last] ^= 1;
        std::fs::write(c.path("k1"), &data).unwrap();
        assert_eq!(c.peek("k1"), Peek::Present { sha256: h });
        assert_eq!(c.get("k1"), Lookup::Damaged("content does not match its checksum"));
        // A truncated or foreign file fails the peek and is removed.
        c.put("k2", b"payload").unwrap();
        let data = std::fs::read(c.path("k2")).unwrap();
        std::fs::write(c.path("k2"), &data[..data.len() - 2]).unwrap();
        assert_eq!(c.peek("k2"), Peek::Damaged("truncated"));
        assert!(!c.path("k2").exists());
        std::fs::create_dir_all(c.path("k3").parent().unwrap()).unwrap();
        std::fs::write(c.path("k3"), b"hello").unwrap();
        assert_eq!(c.peek("k3"), Peek::Damaged("not a divnet cache entry"));
    }

    #[test]
    fn a_stored_entry_reads_back_with_its_hash() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::new(tmp.path());
        assert_eq!(c.get("abcd"), Lookup::Miss);
        let h = c.put("abcd", b"payload").unwrap();
        assert_eq!(c.get("abcd"), Lookup::Hit { bytes: b"payload".to_vec(), sha256: h });
        let expected: [u8; 32] = Sha256::digest(b"payload").into();
        assert_eq!(h, expected);
    }

    #[test]
    fn a_streamed_entry_is_whole_or_absent() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::new(tmp.path());
        // Written in many small pieces: the same entry as one `put` of the whole.
        let payload: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let h = c
            .put_with("streamed", |w| {
                for piece in payload.chunks(7) {
                    w.write_all(piece)?;
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(h, <[u8; 32]>::from(Sha256::digest(&payload)));
        assert_eq!(c.get("streamed"), Lookup::Hit { bytes: payload.clone(), sha256: h });
        // An encoder that fails half way leaves no entry and no temporary file.
        let failed = c.put_with("half", |w| {
            w.write_all(&payload[..1000])?;
            Err("cannot encode".into())
        });
        assert!(matches!(failed, Err(PutError::Encode(_))), "{failed:?}");
        assert_eq!(c.get("half"), Lookup::Miss);
        let dir = c.path("half").parent().unwrap().to_path_buf();
        let left: Vec<_> =
            std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name()).collect();
        assert!(left.iter().all(|n| !n.to_string_lossy().ends_with(".tmp")), "{left:?}");
        // An input/output error passed on by the encoder is the cache's, not the encoder's.
        let io = c.put_with("io", |_| Err(std::io::Error::other("disk full").into()));
        assert!(matches!(io, Err(PutError::Io(_))), "{io:?}");
    }

    #[test]
    fn damaged_truncated_and_foreign_entries_are_misses_and_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::new(tmp.path());
        c.put("k1", b"0123456789").unwrap();
        let p = c.path("k1");
        let mut data = std::fs::read(&p).unwrap();
        *data.last_mut().unwrap() ^= 1;
        std::fs::write(&p, &data).unwrap();
        assert_eq!(c.get("k1"), Lookup::Damaged("content does not match its checksum"));
        assert!(!p.exists());
        c.put("k2", b"0123456789").unwrap();
        let p = c.path("k2");
        let data = std::fs::read(&p).unwrap();
        std::fs::write(&p, &data[..data.len() - 3]).unwrap();
        assert_eq!(c.get("k2"), Lookup::Damaged("truncated"));
        std::fs::create_dir_all(c.path("k3").parent().unwrap()).unwrap();
        std::fs::write(c.path("k3"), b"something else entirely, long enough for a header....")
            .unwrap();
        assert_eq!(c.get("k3"), Lookup::Damaged("not a divnet cache entry"));
    }

    #[test]
    fn prune_removes_the_least_recently_used_first() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::new(tmp.path());
        let (a, b, k) = ("a".repeat(64), "b".repeat(64), "c".repeat(64));
        for (i, k) in [&a, &b, &k].iter().enumerate() {
            c.put(k, &[0u8; 100]).unwrap();
            let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000 + i as u64);
            std::fs::File::options().write(true).open(c.path(k)).unwrap().set_modified(t).unwrap();
        }
        // Reading a makes it the most recently used.
        assert!(matches!(c.get(&a), Lookup::Hit { .. }));
        let per = c.size_bytes() / 3;
        assert_eq!(c.prune(2 * per), 1);
        assert_eq!(c.get(&b), Lookup::Miss);
        assert!(matches!(c.get(&a), Lookup::Hit { .. }));
        assert!(matches!(c.get(&k), Lookup::Hit { .. }));
        // A file that is not named like an entry is never counted or touched.
        std::fs::write(tmp.path().join("aa").join("notes.txt"), "mine").unwrap();
        std::fs::write(tmp.path().join("aa").join("short.art"), "mine").unwrap();
        std::fs::create_dir_all(tmp.path().join("mine")).unwrap();
        std::fs::write(tmp.path().join("mine").join(format!("{a}.art")), "mine").unwrap();
        assert_eq!(c.size_bytes(), 2 * per);
        assert_eq!(c.prune(0), 2);
        for mine in ["aa/notes.txt", "aa/short.art", &format!("mine/{a}.art")] {
            assert!(tmp.path().join(mine).exists(), "{mine}");
        }
    }
}
