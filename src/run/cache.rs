//! A content-addressed artifact cache on disk.
//!
//! An entry is stored under the hex key of the step that made it, as
//! `<root>/<key[..2]>/<key>.art`: the magic `DIVNETA2`, the SHA-256 of the payload
//! (32 bytes), the payload length (u64, little endian), the lengths of the key and of the
//! label (u16 each), the key, the label (the step's name and its artifact's kind), then the
//! payload. A lookup checks the magic, the lengths against the file, the key against the
//! entry's name and the label against the step asking; a read checks the payload against
//! its SHA-256. An entry that fails any check is a miss (and removed), never trusted: a
//! truncated, damaged or foreign file, an entry copied under another step's key, an entry
//! of another kind of artifact.
//!
//! Only regular files are opened, without following a link and without waiting (a named
//! pipe in place of an entry is no entry); an entry is never larger than the bound the
//! cache is given, nor sparse, so its stated length cannot make a read allocate more than
//! that. Entries are written to a temporary file in the same directory and renamed into
//! place, so concurrent runs sharing a cache never see half an entry; the temporary files
//! of a run stopped by a signal are removed by the signal handler
//! ([`crate::output::signals`]), those of a killed run by the next run's pruning. A hit
//! refreshes the entry's modification time; [`Cache::prune`] removes the least recently
//! used entries beyond a size bound, never following a link.
//!
//! What the cache trusts is its directory: [`Cache::open`] refuses a directory that
//! another user owns or that others may write (as ssh treats its files), because whoever
//! can write entries decides what a run reads. Nothing in an entry is a path: the files a
//! step writes are named by the code (see [`crate::stages::artifact::OutName`]).

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::BoxError;

const MAGIC: &[u8; 8] = b"DIVNETA2";
/// Magic, payload SHA-256, payload length, key length, label length.
const FIXED: usize = 8 + 32 + 8 + 2 + 2;
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
    /// Largest entry read or written, in bytes.
    max_entry_bytes: u64,
}

/// Why [`Cache::open`] refused a directory.
#[derive(Debug, thiserror::Error)]
pub enum CacheRefused {
    /// Another user owns it.
    #[error(
        "the cache directory {0} belongs to another user; whoever writes its entries decides what a run reads"
    )]
    Owner(PathBuf),
    /// Others may write it.
    #[error(
        "others may write the cache directory {0} (mode {1:o}); make it writable by its owner only (chmod go-w)"
    )]
    Writable(PathBuf, u32),
    /// It is a symbolic link, or not a directory.
    #[error("the cache directory {0} is not a directory (a symbolic link or a file)")]
    NotADirectory(PathBuf),
    /// Its metadata could not be read.
    #[error("the cache directory {0} cannot be used")]
    Io(PathBuf, #[source] std::io::Error),
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

/// An entry file opened for reading, its header checked.
struct Opened {
    file: std::fs::File,
    sha256: [u8; 32],
    payload_len: u64,
}

impl Cache {
    /// A cache rooted at `root` whose entries are at most `max_entry_bytes` long, trusted
    /// without checks (for tests and library users who own the directory; a run uses
    /// [`Cache::open`]).
    pub fn new(root: impl Into<PathBuf>, max_entry_bytes: u64) -> Cache {
        Cache { root: root.into(), max_entry_bytes }
    }

    /// The cache at `root` if it is safe to use: a directory (or not there yet, created
    /// owner-only on first write) owned by this user and writable by nobody else; on Unix,
    /// anything else is refused.
    pub fn open(root: impl Into<PathBuf>, max_entry_bytes: u64) -> Result<Cache, CacheRefused> {
        let root = root.into();
        match std::fs::symlink_metadata(&root) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(CacheRefused::Io(root, e)),
            Ok(m) if !m.is_dir() => return Err(CacheRefused::NotADirectory(root)),
            Ok(m) => {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::MetadataExt;
                    if m.uid() != rustix::process::geteuid().as_raw() {
                        return Err(CacheRefused::Owner(root));
                    }
                    if m.mode() & 0o022 != 0 {
                        return Err(CacheRefused::Writable(root, m.mode() & 0o7777));
                    }
                }
                #[cfg(not(unix))]
                let _ = m;
            }
        }
        Ok(Cache { root, max_entry_bytes })
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn shard(&self, key: &str) -> PathBuf {
        self.root.join(key.get(..2).unwrap_or("00"))
    }

    fn path(&self, key: &str) -> PathBuf {
        self.shard(key).join(format!("{key}.{EXT}"))
    }

    /// Opens the entry of `key` without following a link or waiting on a pipe, and checks
    /// its header: `Ok(None)` when there is none, `Err` (the entry removed) when it is no
    /// entry of `key` and `label`.
    fn open_entry(&self, key: &str, label: &str) -> Result<Option<Opened>, &'static str> {
        let path = self.path(key);
        let damaged = |why| {
            let _ = std::fs::remove_file(&path);
            Err(why)
        };
        // A shard that is a link could lead anywhere: nothing behind it is read.
        match std::fs::symlink_metadata(self.shard(key)) {
            Ok(m) if m.is_dir() => {}
            _ => return Ok(None),
        }
        let mut file = match open_no_follow(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(_) => return damaged("not a regular file"),
        };
        let Ok(meta) = file.metadata() else { return damaged("not a regular file") };
        if !meta.is_file() {
            return damaged("not a regular file");
        }
        let size = meta.len();
        if size > self.max_entry_bytes.saturating_add(FIXED as u64 + 1024) {
            return damaged("larger than the cache allows");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // A sparse file states a length it does not hold: reading it would allocate
            // that much for nothing.
            if meta.blocks().saturating_mul(512).saturating_add(1 << 16) < size / 2 {
                return damaged("a sparse file, not an entry");
            }
        }
        let mut fixed = [0u8; FIXED];
        if file.read_exact(&mut fixed).is_err() || &fixed[..8] != MAGIC {
            return damaged("not a divnet cache entry");
        }
        let payload_len = u64::from_le_bytes(fixed[40..48].try_into().unwrap_or_default());
        let key_len = u16::from_le_bytes([fixed[48], fixed[49]]) as usize;
        let label_len = u16::from_le_bytes([fixed[50], fixed[51]]) as usize;
        let header = (FIXED + key_len + label_len) as u64;
        if payload_len != size.saturating_sub(header) || size < header {
            return damaged("truncated");
        }
        let mut names = vec![0u8; key_len + label_len];
        if file.read_exact(&mut names).is_err() {
            return damaged("truncated");
        }
        if &names[..key_len] != key.as_bytes() {
            return damaged("an entry of another key");
        }
        if &names[key_len..] != label.as_bytes() {
            return damaged("an entry of another step or kind of artifact");
        }
        Ok(Some(Opened { file, sha256: fixed[8..40].try_into().unwrap_or_default(), payload_len }))
    }

    fn touch(&self, key: &str) {
        let _ = open_no_follow_write(&self.path(key))
            .and_then(|f| f.set_modified(std::time::SystemTime::now()));
    }

    /// Reads the entry of `key` made by the step `label` names.
    pub fn get(&self, key: &str, label: &str) -> Lookup {
        let opened = match self.open_entry(key, label) {
            Ok(Some(o)) => o,
            Ok(None) => return Lookup::Miss,
            Err(why) => return Lookup::Damaged(why),
        };
        let Opened { mut file, sha256, payload_len } = opened;
        let mut bytes = Vec::with_capacity(payload_len as usize);
        let read = (&mut file).take(payload_len).read_to_end(&mut bytes);
        drop(file);
        if read.is_err() || bytes.len() as u64 != payload_len {
            let _ = std::fs::remove_file(self.path(key));
            return Lookup::Damaged("truncated");
        }
        if <[u8; 32]>::from(Sha256::digest(&bytes)) != sha256 {
            let _ = std::fs::remove_file(self.path(key));
            return Lookup::Damaged("content does not match its checksum");
        }
        self.touch(key);
        Lookup::Hit { bytes, sha256 }
    }

    /// Whether `key` has an entry of the step `label` names, from its header alone: the
    /// magic number, the key and label, and a length that matches the file's. A present
    /// entry gives the SHA-256 its header records (the payload is checked against it by
    /// [`Cache::get`] when it is read); an entry whose header is wrong is damaged and
    /// removed. Refreshes the entry's use time.
    pub fn peek(&self, key: &str, label: &str) -> Peek {
        match self.open_entry(key, label) {
            Ok(Some(o)) => {
                drop(o.file);
                self.touch(key);
                Peek::Present { sha256: o.sha256 }
            }
            Ok(None) => Peek::Miss,
            Err(why) => Peek::Damaged(why),
        }
    }

    /// Removes the entry of `key` (one found unusable after it was read).
    pub fn remove(&self, key: &str) {
        let _ = std::fs::remove_file(self.path(key));
    }

    /// Stores `payload` under `key` for the step `label` names; returns the payload's
    /// SHA-256.
    pub fn put(&self, key: &str, label: &str, payload: &[u8]) -> std::io::Result<[u8; 32]> {
        self.put_with(key, label, |w| w.write_all(payload).map_err(Into::into)).map_err(|e| match e
        {
            PutError::Io(e) => e,
            PutError::Encode(e) => std::io::Error::other(e),
        })
    }

    /// Stores under `key`, for the step `label` names, the payload that `write` writes,
    /// streamed to the entry's file (never held whole in memory); returns the payload's
    /// SHA-256. The entry appears only once complete: it is written to a temporary file
    /// (registered for removal should a signal stop the run), its header filled in at the
    /// end, and renamed into place. Nothing is written through a link.
    pub fn put_with(
        &self,
        key: &str,
        label: &str,
        write: impl FnOnce(&mut dyn std::io::Write) -> Result<(), BoxError>,
    ) -> Result<[u8; 32], PutError> {
        use std::io::{Seek, SeekFrom, Write};
        let too_long = |what| std::io::Error::other(format!("{what} too long for a cache entry"));
        let key_len = u16::try_from(key.len()).map_err(|_| too_long("key"))?;
        let label_len = u16::try_from(label.len()).map_err(|_| too_long("label"))?;
        let path = self.path(key);
        let dir = self.shard(key);
        create_private_dir(&self.root)?;
        create_private_dir(&dir)?;
        let tmp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
        let _registered = crate::output::signals::TempFile::register(&tmp);
        let max = self.max_entry_bytes;
        let result = (|| {
            let mut file = std::fs::File::options().write(true).create_new(true).open(&tmp)?;
            let header = FIXED + key.len() + label.len();
            file.write_all(&vec![0; header])?;
            let file = Watched { inner: Bounded { inner: file, left: max }, error: None };
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
            let mut file = file.inner.inner;
            file.seek(SeekFrom::Start(0))?;
            let mut head = Vec::with_capacity(header);
            head.extend_from_slice(MAGIC);
            head.extend_from_slice(&sha256);
            head.extend_from_slice(&len.to_le_bytes());
            head.extend_from_slice(&key_len.to_le_bytes());
            head.extend_from_slice(&label_len.to_le_bytes());
            head.extend_from_slice(key.as_bytes());
            head.extend_from_slice(label.as_bytes());
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
        self.entries().0.iter().map(|e| e.1).sum()
    }

    /// Removes the temporary files of runs that are no longer running (killed while they
    /// wrote an entry), then the least recently used entries until the cache holds at
    /// most `max_bytes`; returns how many entries were removed. Only files named like
    /// entries or their temporaries are touched, and no link is followed.
    pub fn prune(&self, max_bytes: u64) -> usize {
        let (mut entries, temporaries) = self.entries();
        for (path, pid) in temporaries {
            if !crate::output::signals::process_alive(pid) {
                let _ = std::fs::remove_file(path);
            }
        }
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

    /// (path, size, last use) of every entry, and (path, process id) of every temporary
    /// file. Shards and files are taken as they are, links never followed.
    #[allow(clippy::type_complexity)]
    fn entries(&self) -> (Vec<(PathBuf, u64, std::time::SystemTime)>, Vec<(PathBuf, u32)>) {
        let (mut out, mut tmp) = (Vec::new(), Vec::new());
        let Ok(shards) = std::fs::read_dir(&self.root) else { return (out, tmp) };
        let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
        for shard in shards.flatten() {
            // Only `<2 hex>/<64 hex>.art` is an entry: nothing else in the directory is
            // ever counted or removed, and a shard that is a link is not entered.
            if !shard.file_name().to_str().is_some_and(|n| hex(n, 2))
                || !shard.file_type().is_ok_and(|t| t.is_dir())
            {
                continue;
            }
            let Ok(files) = std::fs::read_dir(shard.path()) else { continue };
            for f in files.flatten() {
                if !f.file_type().is_ok_and(|t| t.is_file()) {
                    continue;
                }
                let p = f.path();
                let name = f.file_name();
                let Some(name) = name.to_str() else { continue };
                if name.strip_suffix(&format!(".{EXT}")).is_some_and(|stem| hex(stem, 64)) {
                    if let Ok(m) = f.metadata() {
                        out.push((p, m.len(), m.modified().unwrap_or(std::time::UNIX_EPOCH)));
                    }
                } else if let Some(pid) = temporary_pid(name) {
                    tmp.push((p, pid));
                }
            }
        }
        (out, tmp)
    }
}

/// The invariants of the cache's reading on arbitrary bytes (the body of the fuzz target
/// `cache_entry`, also run by a property test): `data` laid down as an entry file, and
/// as the payload of a well-formed entry, then read back.
///
/// - bytes as an entry file: reading never panics, never hangs, and gives bytes only when
///   the file is an entry of the key and label asked for whose payload matches its
///   SHA-256; anything else is a miss or damaged, and the file is then gone;
/// - bytes as a payload: stored and read back whole, then decoded by the codec the first
///   byte picks among `codecs`: an error, never a panic (the decoders of every artifact
///   kind face bytes an attacker wrote).
///
/// # Panics
///
/// When an invariant does not hold: that is what it is for.
///
/// ```
/// use divnet::run::graph::Codec;
/// let bytes: Codec<Vec<u8>> = Codec {
///     kind: "bytes",
///     encode: |a, w| Ok(w.write_all(a)?),
///     decode: |b| Ok(b.to_vec()),
/// };
/// divnet::run::cache::fuzz_cache_entry(b"DIVNETA2 and then some", &[bytes]);
/// ```
pub fn fuzz_cache_entry<A>(data: &[u8], codecs: &[super::codec::Codec<A>]) {
    let (key, label) = ("ab0123456789", "step/Kind");
    let Ok(dir) = tempfile::tempdir() else { return };
    let cache = Cache::new(dir.path(), 1 << 20);
    let path = cache.path(key);
    if std::fs::create_dir_all(cache.shard(key)).is_err() || std::fs::write(&path, data).is_err() {
        return;
    }
    let names_at = FIXED..FIXED + key.len() + label.len();
    let well_formed = data.len() >= names_at.end
        && &data[..8] == MAGIC
        && data.get(names_at) == Some([key, label].concat().as_bytes())
        && u16::from_le_bytes([data[48], data[49]]) as usize == key.len()
        && u16::from_le_bytes([data[50], data[51]]) as usize == label.len();
    match cache.peek(key, label) {
        Peek::Present { .. } => assert!(well_formed, "a foreign file passed the header check"),
        Peek::Damaged(_) => assert!(!path.exists(), "a damaged entry was kept"),
        Peek::Miss => panic!("an entry file was not seen"),
    }
    if let Lookup::Hit { bytes, sha256 } = cache.get(key, label) {
        assert!(well_formed, "a foreign file was read as an entry");
        assert_eq!(<[u8; 32]>::from(Sha256::digest(&bytes)), sha256);
        assert_eq!(&data[data.len() - bytes.len()..], &bytes[..]);
    }
    let Some((&pick, payload)) = data.split_first() else { return };
    if cache.put(key, label, payload).is_err() {
        return;
    }
    match cache.get(key, label) {
        Lookup::Hit { bytes, .. } => assert_eq!(bytes, payload, "the payload read back"),
        _ => panic!("a well-formed entry was not read back"),
    }
    if !codecs.is_empty() {
        let _ = (codecs[usize::from(pick) % codecs.len()].decode)(payload);
    }
}

/// The process id in a temporary entry's name, `.<64 hex>.<pid>.tmp`.
fn temporary_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (key, pid) = rest.split_once('.')?;
    (key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit())).then_some(())?;
    pid.parse().ok()
}

/// Creates `dir` (not its parents' permissions) readable and writable by its owner only.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// Opens `path` for reading without following a final link and without blocking on a
/// named pipe or device.
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::File::options();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        o.custom_flags(flags.bits() as i32);
    }
    o.open(path)
}

fn open_no_follow_write(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::File::options();
    o.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        o.custom_flags(flags.bits() as i32);
    }
    let f = o.open(path)?;
    if f.metadata()?.is_file() { Ok(f) } else { Err(std::io::Error::other("not a regular file")) }
}

/// A writer that refuses to write more than `left` bytes (an artifact larger than the
/// cache allows is not cached).
struct Bounded<W> {
    inner: W,
    left: u64,
}

impl<W: std::io::Write> std::io::Write for Bounded<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() as u64 > self.left {
            return Err(std::io::Error::other("the artifact is larger than the cache allows"));
        }
        let n = self.inner.write(buf)?;
        self.left -= n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peek_reads_the_header_only_and_catches_bad_headers() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::new(tmp.path(), 1 << 30);
        assert_eq!(c.peek("k1", "L"), Peek::Miss);
        let h = c.put("k1", "L", b"payload").unwrap();
        assert_eq!(c.peek("k1", "L"), Peek::Present { sha256: h });
        // A damaged payload passes the peek; the read catches it.
        let mut data = std::fs::read(c.path("k1")).unwrap();
        let last = data.len() - 1;
        data[last] ^= 1;
        std::fs::write(c.path("k1"), &data).unwrap();
        assert_eq!(c.peek("k1", "L"), Peek::Present { sha256: h });
        assert_eq!(c.get("k1", "L"), Lookup::Damaged("content does not match its checksum"));
        // A truncated or foreign file fails the peek and is removed.
        c.put("k2", "L", b"payload").unwrap();
        let data = std::fs::read(c.path("k2")).unwrap();
        std::fs::write(c.path("k2"), &data[..data.len() - 2]).unwrap();
        assert_eq!(c.peek("k2", "L"), Peek::Damaged("truncated"));
        assert!(!c.path("k2").exists());
        std::fs::create_dir_all(c.path("k3").parent().unwrap()).unwrap();
        std::fs::write(c.path("k3"), b"hello").unwrap();
        assert_eq!(c.peek("k3", "L"), Peek::Damaged("not a divnet cache entry"));
    }

    #[test]
    fn a_stored_entry_reads_back_with_its_hash() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::new(tmp.path(), 1 << 30);
        assert_eq!(c.get("abcd", "L"), Lookup::Miss);
        let h = c.put("abcd", "L", b"payload").unwrap();
        assert_eq!(c.get("abcd", "L"), Lookup::Hit { bytes: b"payload".to_vec(), sha256: h });
        let expected: [u8; 32] = Sha256::digest(b"payload").into();
        assert_eq!(h, expected);
    }

    #[test]
    fn a_streamed_entry_is_whole_or_absent() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::new(tmp.path(), 1 << 30);
        // Written in many small pieces: the same entry as one `put` of the whole.
        let payload: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let h = c
            .put_with("streamed", "L", |w| {
                for piece in payload.chunks(7) {
                    w.write_all(piece)?;
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(h, <[u8; 32]>::from(Sha256::digest(&payload)));
        assert_eq!(c.get("streamed", "L"), Lookup::Hit { bytes: payload.clone(), sha256: h });
        // An encoder that fails half way leaves no entry and no temporary file.
        let failed = c.put_with("half", "L", |w| {
            w.write_all(&payload[..1000])?;
            Err("cannot encode".into())
        });
        assert!(matches!(failed, Err(PutError::Encode(_))), "{failed:?}");
        assert_eq!(c.get("half", "L"), Lookup::Miss);
        let dir = c.path("half").parent().unwrap().to_path_buf();
        let left: Vec<_> =
            std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name()).collect();
        assert!(left.iter().all(|n| !n.to_string_lossy().ends_with(".tmp")), "{left:?}");
        // An input/output error passed on by the encoder is the cache's, not the encoder's.
        let io = c.put_with("io", "L", |_| Err(std::io::Error::other("disk full").into()));
        assert!(matches!(io, Err(PutError::Io(_))), "{io:?}");
    }

    #[test]
    fn damaged_truncated_and_foreign_entries_are_misses_and_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::new(tmp.path(), 1 << 30);
        c.put("k1", "L", b"0123456789").unwrap();
        let p = c.path("k1");
        let mut data = std::fs::read(&p).unwrap();
        *data.last_mut().unwrap() ^= 1;
        std::fs::write(&p, &data).unwrap();
        assert_eq!(c.get("k1", "L"), Lookup::Damaged("content does not match its checksum"));
        assert!(!p.exists());
        c.put("k2", "L", b"0123456789").unwrap();
        let p = c.path("k2");
        let data = std::fs::read(&p).unwrap();
        std::fs::write(&p, &data[..data.len() - 3]).unwrap();
        assert_eq!(c.get("k2", "L"), Lookup::Damaged("truncated"));
        std::fs::create_dir_all(c.path("k3").parent().unwrap()).unwrap();
        std::fs::write(c.path("k3"), b"something else entirely, long enough for a header....")
            .unwrap();
        assert_eq!(c.get("k3", "L"), Lookup::Damaged("not a divnet cache entry"));
    }

    #[test]
    fn prune_removes_the_least_recently_used_first() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::new(tmp.path(), 1 << 30);
        let (a, b, k) = ("a".repeat(64), "b".repeat(64), "c".repeat(64));
        for (i, k) in [&a, &b, &k].iter().enumerate() {
            c.put(k, "L", &[0u8; 100]).unwrap();
            let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000 + i as u64);
            std::fs::File::options().write(true).open(c.path(k)).unwrap().set_modified(t).unwrap();
        }
        // Reading a makes it the most recently used.
        assert!(matches!(c.get(&a, "L"), Lookup::Hit { .. }));
        let per = c.size_bytes() / 3;
        assert_eq!(c.prune(2 * per), 1);
        assert_eq!(c.get(&b, "L"), Lookup::Miss);
        assert!(matches!(c.get(&a, "L"), Lookup::Hit { .. }));
        assert!(matches!(c.get(&k, "L"), Lookup::Hit { .. }));
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

    #[test]
    fn an_entry_of_another_key_step_or_kind_is_no_entry() {
        let tmp = tempfile::tempdir().unwrap();
        let c = Cache::new(tmp.path(), 1 << 30);
        let (a, b) = ("a".repeat(64), "a1".repeat(32));
        c.put(&a, "tables:looting/Files", b"looting rows").unwrap();
        // Copied under another step's key: the key it records is not the one asked for.
        std::fs::create_dir_all(c.shard(&b)).unwrap();
        std::fs::copy(c.path(&a), c.path(&b)).unwrap();
        assert_eq!(c.peek(&b, "tables:seizures/Files"), Peek::Damaged("an entry of another key"));
        assert!(!c.path(&b).exists(), "removed");
        // Asked for by another step, or as another kind: refused and removed.
        assert_eq!(
            c.get(&a, "tables:seizures/Files"),
            Lookup::Damaged("an entry of another step or kind of artifact")
        );
        c.put(&a, "cells/Cells", b"cells").unwrap();
        assert_eq!(
            c.peek(&a, "cells/Cube"),
            Peek::Damaged("an entry of another step or kind of artifact")
        );
        c.put(&a, "cells/Cells", b"cells").unwrap();
        assert!(matches!(c.get(&a, "cells/Cells"), Lookup::Hit { .. }));
    }

    #[cfg(unix)]
    #[test]
    fn pipes_links_sparse_and_oversized_files_are_never_read() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let c = Cache::new(tmp.path().join("cache"), 1 << 20);
        let k = |x: &str| x.repeat(64);
        c.put(&k("b"), "s/K", b"x").unwrap();
        // A named pipe in place of an entry: neither lookup nor read waits on it.
        let fifo = c.path(&k("a"));
        std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert_eq!(c.peek(&k("a"), "s/K"), Peek::Damaged("not a regular file"));
            assert!(!fifo.exists());
        }
        // A link in place of an entry is not followed (its target is left alone).
        let target = outside.path().join("target.art");
        std::fs::copy(c.path(&k("b")), &target).unwrap();
        symlink(&target, c.path(&k("c"))).unwrap_or_else(|_| {
            std::fs::create_dir_all(c.shard(&k("c"))).unwrap();
            symlink(&target, c.path(&k("c"))).unwrap()
        });
        assert_eq!(c.get(&k("c"), "s/K"), Lookup::Damaged("not a regular file"));
        assert!(target.exists(), "the link's target is not touched");
        // A sparse file stating a huge length, and a file over the bound: refused unread.
        let d = k("d");
        std::fs::create_dir_all(c.shard(&d)).unwrap();
        let f = std::fs::File::create(c.path(&d)).unwrap();
        f.set_len(64 << 30).unwrap();
        drop(f);
        assert!(matches!(c.get(&d, "s/K"), Lookup::Damaged(_)));
        let e = k("e");
        assert!(c.put(&e, "s/K", &vec![7u8; 2 << 20]).is_err(), "larger than the bound");
        assert_eq!(c.get(&e, "s/K"), Lookup::Miss);
        // A shard that is a link leads nowhere: nothing read, nothing written, nothing
        // pruned behind it.
        let f_key = k("f");
        let victim = outside.path().join(format!("{f_key}.art"));
        std::fs::write(&victim, "the user's file").unwrap();
        symlink(outside.path(), c.shard(&f_key)).unwrap();
        assert_eq!(c.peek(&f_key, "s/K"), Peek::Miss);
        c.prune(0);
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "the user's file");
        // Temporary files of a dead process are pruned, this process's kept.
        let dead = c.shard(&k("b")).join(format!(".{}.999999999.tmp", k("b")));
        let live = c.shard(&k("b")).join(format!(".{}.{}.tmp", k("b"), std::process::id()));
        std::fs::write(&dead, "half").unwrap();
        std::fs::write(&live, "half").unwrap();
        c.prune(u64::MAX);
        assert!(!dead.exists() && live.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_others_may_write_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("cache");
        assert!(Cache::open(&root, 1 << 20).is_ok(), "not there yet: created owner-only");
        let c = Cache::open(&root, 1 << 20).unwrap();
        c.put(&"a".repeat(64), "s/K", b"x").unwrap();
        let mode = std::fs::metadata(&root).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "created owner-only: {mode:o}");
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o777)).unwrap();
        let refused = Cache::open(&root, 1 << 20).unwrap_err().to_string();
        assert!(refused.contains("others may write") && refused.contains("777"), "{refused}");
        let file = tmp.path().join("file");
        std::fs::write(&file, "").unwrap();
        assert!(matches!(Cache::open(&file, 1), Err(CacheRefused::NotADirectory(_))));
    }
}
