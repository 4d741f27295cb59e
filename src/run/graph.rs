//! A graph of steps, each with declared inputs and one output artifact, run in dependency
//! order with independent steps in parallel, and cached by the hash of their inputs.
//!
//! A step's **key** is the SHA-256 of the divnet version, the step's name, its *salt* (the
//! canonical bytes of its own config section, and for a source step the hashes of the input
//! files it reads) and the **content hashes** of its inputs' artifacts. A step's content
//! hash is the SHA-256 of its encoded artifact. Keying on content rather than on upstream
//! keys gives early cut-off: an upstream step that reruns but produces the same artifact
//! (a reformatted file, a config key it ignores) leaves everything below it cached.
//!
//! Artifacts of cache hits are kept encoded and decoded only when a step that must run
//! needs them, or when the caller takes them, so a rerun with unchanged inputs decodes only
//! what the caller writes out. A step without a codec is never cached; its content hash is
//! its key.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::cache::{Cache, HashingWriter, Lookup, Peek, PutError};

/// The steps name it here, beside [`Step`] and [`Codec`]; it lives in [`crate::run`].
pub use super::BoxError;
/// How a step's artifact is stored in the cache; it lives in [`crate::run::codec`], below
/// both the graph and the cache.
pub use super::codec::Codec;

/// The function of a step: its inputs' artifacts, in the order of `deps`, to its artifact.
pub type StepFn<A> = Box<dyn Fn(&[&A]) -> Result<A, BoxError> + Send + Sync>;

/// One step of the graph.
pub struct Step<A> {
    /// Unique name ("network", "figure:flow_map").
    pub name: String,
    /// Names of the steps whose artifacts it reads.
    pub deps: Vec<String>,
    /// Everything else its result depends on: its config section, input file hashes.
    pub salt: Vec<u8>,
    /// The work.
    pub run: StepFn<A>,
    /// How its artifact is cached; `None`: never cached.
    pub codec: Option<Codec<A>>,
    /// Runs alone, after the other steps of its level, with the whole thread pool: for
    /// steps whose working memory grows with the data (encoding a large table), so that
    /// two of them never hold theirs at the same time.
    pub exclusive: bool,
}

/// Why a graph could not run.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Two steps share a name.
    #[error("two steps are named {0:?}")]
    Duplicate(String),
    /// A step reads a step that does not exist.
    #[error("step {step:?} reads {dep:?}, which is not a step")]
    UnknownDep {
        /// The step.
        step: String,
        /// The missing input.
        dep: String,
    },
    /// The steps' inputs form a cycle.
    #[error("the steps {0:?} depend on each other in a cycle")]
    Cycle(Vec<String>),
    /// A step failed.
    #[error("step {step} failed")]
    Step {
        /// The step.
        step: String,
        /// Its error.
        #[source]
        source: BoxError,
    },
    /// A cached artifact could not be decoded (the cache entry itself was intact).
    #[error("the cached artifact of step {step} cannot be decoded")]
    Decode {
        /// The step.
        step: String,
        /// The decoder's error.
        #[source]
        source: BoxError,
    },
}

/// What happened to one step, for the manifest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StepReport {
    /// The step.
    pub step: String,
    /// Hex key (hash of its inputs).
    pub key: String,
    /// Hex content hash of its artifact.
    pub content: String,
    /// Whether the artifact came from the cache (the step did not run).
    pub cached: bool,
    /// Wall time of the step's work (0 for cache hits), milliseconds.
    pub ms: u64,
    /// A cache entry that was found damaged and recomputed, or could not be written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_note: Option<String>,
}

enum State<A> {
    Pending,
    Ready(A),
    /// In the cache under this hex key, not read yet: its header gave the content hash.
    Cached(String),
    /// Dropped once no later step read it (key in hex): read from the cache, or computed
    /// again, should it be needed after all.
    Released(String),
}

/// What the caller does with artifacts while the graph runs ([`run_with`]).
pub struct Delivery<'a, A> {
    /// Steps whose artifacts go to `sink` as soon as they are computed (a cache hit's when
    /// its level is done).
    pub streamed: BTreeSet<String>,
    /// Steps whose artifacts the caller takes from the [`Outcome`] at the end. Every
    /// other artifact is dropped once the last step that reads it has run.
    pub kept: BTreeSet<String>,
    /// Receives each streamed artifact, as soon as its step is done (from the thread that
    /// ran it: several at a time when a level runs steps in parallel).
    pub sink: &'a (dyn Fn(&str, &A) -> Result<(), BoxError> + Sync),
}

/// The artifacts and reports of a graph run.
pub struct Outcome<A> {
    steps: Vec<Step<A>>,
    states: Vec<State<A>>,
    index: BTreeMap<String, usize>,
    /// Content hash of every step's artifact.
    content: Vec<[u8; 32]>,
    cache: Option<Cache>,
    /// One report per step, in the order the steps ran.
    pub reports: Vec<StepReport>,
}

impl<A> Outcome<A> {
    /// The artifact of `step` (read from the cache and decoded now if it came from there;
    /// recomputed if its entry turns out damaged); `None` for an unknown step.
    pub fn take(&mut self, step: &str) -> Option<Result<A, GraphError>> {
        let i = *self.index.get(step)?;
        if let Err(e) = self.materialize(i) {
            return Some(Err(e));
        }
        Some(match std::mem::replace(&mut self.states[i], State::Pending) {
            State::Ready(a) => Ok(a),
            _ => Err(GraphError::Step {
                step: step.into(),
                source: "the artifact was already taken".into(),
            }),
        })
    }

    /// Makes step `i`'s artifact `Ready`: reads and checks a cached entry, and recomputes
    /// the step (its inputs first) when the entry is damaged or missing.
    fn materialize(&mut self, i: usize) -> Result<(), GraphError> {
        let (key, released) = match &self.states[i] {
            State::Cached(key) => (key.clone(), false),
            State::Released(key) => (key.clone(), true),
            _ => return Ok(()),
        };
        match self.load(i, &key) {
            Ok(a) => {
                self.states[i] = State::Ready(a);
                Ok(())
            }
            // A released artifact without a (usable) cache entry is simply computed again.
            Err(Load::Damaged(_)) if released => self.recompute(i, &key, None),
            Err(Load::Damaged(why)) => self.recompute(i, &key, Some(&why)),
        }
    }

    /// Reads step `i`'s entry, checks it against the content hash its header promised, and
    /// decodes it.
    fn load(&self, i: usize, key: &str) -> Result<A, Load> {
        let cache = self.cache.as_ref().ok_or_else(|| Load::Damaged("no cache".into()))?;
        match cache.get(key, &label(&self.steps[i])) {
            Lookup::Hit { bytes, sha256 } if sha256 == self.content[i] => {
                // An intact entry that does not decode is no artifact of this step: it is
                // removed and the step recomputed, never trusted and never fatal.
                decode(&self.steps[i], &bytes).map_err(|e| {
                    cache.remove(key);
                    Load::Damaged(match e {
                        GraphError::Decode { source, .. } => format!("cannot be decoded: {source}"),
                        other => other.to_string(),
                    })
                })
            }
            Lookup::Hit { .. } => Err(Load::Damaged("replaced since it was looked up".into())),
            Lookup::Miss => Err(Load::Damaged("removed since it was looked up".into())),
            Lookup::Damaged(why) => Err(Load::Damaged(why.into())),
        }
    }

    /// Runs step `i` again after its cache entry was found unusable when read (`why`, noted
    /// in its report) or after its artifact was released, and stores the result under its
    /// key again.
    fn recompute(&mut self, i: usize, key: &str, why: Option<&str>) -> Result<(), GraphError> {
        let deps: Vec<usize> = self.steps[i].deps.iter().map(|d| self.index[d]).collect();
        for &d in &deps {
            self.materialize(d)?;
        }
        let s = &self.steps[i];
        let inputs: Vec<&A> = deps
            .iter()
            .map(|&d| match &self.states[d] {
                State::Ready(a) => Ok(a),
                _ => Err(GraphError::Step {
                    step: s.name.clone(),
                    source: format!("its input {} was not ready", self.steps[d].name).into(),
                }),
            })
            .collect::<Result<_, _>>()?;
        let t = Instant::now();
        let a =
            (s.run)(&inputs).map_err(|source| GraphError::Step { step: s.name.clone(), source })?;
        let ms = t.elapsed().as_millis() as u64;
        if let Some(codec) = &s.codec
            && let Ok(sha) = store(codec, &a, self.cache.as_ref(), key, &label(s))
        {
            self.content[i] = sha;
        }
        let name = s.name.clone();
        let content = hex(&self.content[i]);
        if let (Some(why), Some(r)) = (why, self.reports.iter_mut().find(|r| r.step == name)) {
            r.cached = false;
            r.ms = ms;
            r.content = content;
            r.cache_note = Some(format!("damaged cache entry found when read ({why}), recomputed"));
        }
        self.states[i] = State::Ready(a);
        Ok(())
    }
}

/// Why a cached artifact could not be used: the entry is gone, damaged or no artifact of
/// its step (recompute).
enum Load {
    /// The reason.
    Damaged(String),
}

fn decode<A>(step: &Step<A>, bytes: &[u8]) -> Result<A, GraphError> {
    let codec = step.codec.as_ref().ok_or_else(|| GraphError::Decode {
        step: step.name.clone(),
        source: "the step has no codec".into(),
    })?;
    (codec.decode)(bytes).map_err(|source| GraphError::Decode { step: step.name.clone(), source })
}

/// What a cache entry of step `s` records besides its key: the step's name and the kind of
/// its artifact.
fn label<A>(s: &Step<A>) -> String {
    format!("{}/{}", s.name, s.codec.as_ref().map_or("", |c| c.kind))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The steps in levels: every step's inputs lie in earlier levels; names sorted inside a
/// level, so the order never depends on how the steps were listed.
fn levels<A>(steps: &[Step<A>]) -> Result<Vec<Vec<usize>>, GraphError> {
    let mut index = BTreeMap::new();
    for (i, s) in steps.iter().enumerate() {
        if index.insert(s.name.clone(), i).is_some() {
            return Err(GraphError::Duplicate(s.name.clone()));
        }
    }
    let mut level = vec![None::<usize>; steps.len()];
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut done = 0;
    while done < steps.len() {
        let mut this = Vec::new();
        for (i, s) in steps.iter().enumerate() {
            if level[i].is_some() {
                continue;
            }
            let mut ready = true;
            for d in &s.deps {
                let j = *index.get(d).ok_or_else(|| GraphError::UnknownDep {
                    step: s.name.clone(),
                    dep: d.clone(),
                })?;
                if level[j].is_none_or(|l| l >= out.len()) {
                    ready = false;
                }
            }
            if ready {
                this.push(i);
            }
        }
        if this.is_empty() {
            let mut left: Vec<String> = (0..steps.len())
                .filter(|i| level[*i].is_none())
                .map(|i| steps[i].name.clone())
                .collect();
            left.sort();
            return Err(GraphError::Cycle(left));
        }
        for &i in &this {
            level[i] = Some(out.len());
        }
        this.sort_by(|a, b| steps[*a].name.cmp(&steps[*b].name));
        done += this.len();
        out.push(this);
    }
    Ok(out)
}

/// What became of one step of a level in [`run_with`].
struct Done<A> {
    /// The step.
    i: usize,
    key: [u8; 32],
    /// Its content hash.
    sha: [u8; 32],
    state: State<A>,
    /// Found in the cache (not run).
    cached: bool,
    ms: u64,
    /// For its report.
    note: Option<String>,
    /// Handed to the sink already.
    sent: bool,
}

/// Why [`store`] could not cache an artifact.
enum Unstored {
    /// The cache entry could not be written; the artifact's content hash was computed.
    Cache(std::io::Error, [u8; 32]),
    /// The artifact cannot be encoded.
    Encode(BoxError),
}

/// Encodes `a` into the cache entry of `key` (when there is a cache) and returns its
/// content hash. The encoded bytes are streamed, to the entry's file or to the hash, and
/// never held whole in memory.
fn store<A>(
    codec: &Codec<A>,
    a: &A,
    cache: Option<&Cache>,
    key: &str,
    label: &str,
) -> Result<[u8; 32], Unstored> {
    let mut failed = None;
    if let Some(c) = cache {
        match c.put_with(key, label, |w| (codec.encode)(a, w)) {
            Ok(sha) => return Ok(sha),
            Err(PutError::Encode(e)) => return Err(Unstored::Encode(e)),
            Err(PutError::Io(e)) => failed = Some(e),
        }
    }
    let mut w = std::io::BufWriter::with_capacity(1 << 16, HashingWriter::new(std::io::sink()));
    (codec.encode)(a, &mut w).map_err(Unstored::Encode)?;
    let (_, sha, _) = w.into_inner().map_err(|e| Unstored::Encode(e.into_error().into()))?.finish();
    match failed {
        Some(e) => Err(Unstored::Cache(e, sha)),
        None => Ok(sha),
    }
}

/// Runs `steps` in dependency order, each level's steps in parallel. With a cache, a step
/// whose key is cached does not run, and its artifact is read only when a step that runs
/// or the caller needs it (its content hash comes from the entry's header). `version`
/// goes into every key.
pub fn run<A: Send + Sync>(
    steps: Vec<Step<A>>,
    cache: Option<&Cache>,
    version: &str,
) -> Result<Outcome<A>, GraphError> {
    run_with(steps, cache, version, None)
}

/// [`run`], handing the `delivery`'s streamed artifacts to its sink as their levels finish
/// and dropping every artifact that is neither kept nor read by a step still to run, so
/// that a run holds only what it still needs.
pub fn run_with<A: Send + Sync>(
    steps: Vec<Step<A>>,
    cache: Option<&Cache>,
    version: &str,
    delivery: Option<Delivery<'_, A>>,
) -> Result<Outcome<A>, GraphError> {
    let order = levels(&steps)?;
    let index: BTreeMap<String, usize> =
        steps.iter().enumerate().map(|(i, s)| (s.name.clone(), i)).collect();
    let states: Vec<State<A>> = steps.iter().map(|_| State::Pending).collect();
    let content: Vec<[u8; 32]> = vec![[0; 32]; steps.len()];
    let reports = Vec::with_capacity(steps.len());
    let mut g = Outcome { steps, states, index, content, cache: cache.cloned(), reports };
    // Steps still to run that read each step.
    let mut readers = vec![0usize; g.steps.len()];
    for s in &g.steps {
        for d in &s.deps {
            readers[g.index[d]] += 1;
        }
    }
    let mut keys: Vec<String> = vec![String::new(); g.steps.len()];
    for level in order {
        // Keys and cache lookups (headers only).
        let planned: Vec<(usize, [u8; 32], Peek)> = level
            .par_iter()
            .map(|&i| {
                let s = &g.steps[i];
                let mut h = Sha256::new();
                for part in [version.as_bytes(), s.name.as_bytes(), &s.salt] {
                    h.update((part.len() as u64).to_le_bytes());
                    h.update(part);
                }
                for d in &s.deps {
                    h.update(g.content[g.index[d]]);
                }
                let key: [u8; 32] = h.finalize().into();
                let found = match (cache, &s.codec) {
                    (Some(c), Some(_)) => c.peek(&hex(&key), &label(s)),
                    _ => Peek::Miss,
                };
                (i, key, found)
            })
            .collect();
        // Inputs of the steps that must run: cached ones read and decoded once, in
        // parallel; one whose entry turns out damaged is recomputed.
        let mut need: Vec<usize> = planned
            .iter()
            .filter(|p| !matches!(p.2, Peek::Present { .. }))
            .flat_map(|p| g.steps[p.0].deps.iter().map(|d| g.index[d]))
            .collect();
        need.sort_unstable();
        need.dedup();
        let loaded: Vec<(usize, Result<A, Load>)> = need
            .par_iter()
            .filter_map(|&j| match &g.states[j] {
                State::Cached(key) => Some((j, g.load(j, key))),
                _ => None,
            })
            .collect();
        for (j, a) in loaded {
            match a {
                Ok(a) => g.states[j] = State::Ready(a),
                Err(Load::Damaged(why)) => {
                    let State::Cached(key) = &g.states[j] else { continue };
                    let key = key.clone();
                    g.recompute(j, &key, Some(&why))?;
                }
            }
        }
        // The work: the steps of the level in parallel, then the exclusive ones that must
        // run, one at a time.
        let work = |(i, key, found): (usize, [u8; 32], Peek)| {
            let s = &g.steps[i];
            let mut note = None;
            match found {
                Peek::Present { sha256 } => {
                    let state = State::Cached(hex(&key));
                    return Ok(Done {
                        i,
                        key,
                        sha: sha256,
                        state,
                        cached: true,
                        ms: 0,
                        note,
                        sent: false,
                    });
                }
                Peek::Damaged(why) => {
                    note = Some(format!("damaged cache entry ({why}), recomputed"))
                }
                Peek::Miss => {}
            }
            let inputs: Vec<&A> = s
                .deps
                .iter()
                .map(|d| match &g.states[g.index[d]] {
                    State::Ready(a) => Ok(a),
                    _ => Err(GraphError::Step {
                        step: s.name.clone(),
                        source: format!("its input {d} was not ready").into(),
                    }),
                })
                .collect::<Result<_, _>>()?;
            let t = Instant::now();
            let a = (s.run)(&inputs)
                .map_err(|source| GraphError::Step { step: s.name.clone(), source })?;
            let ms = t.elapsed().as_millis() as u64;
            // An artifact that cannot be encoded is not cached; its key stands for its
            // content (no early cut-off below it), and the run goes on.
            let sha = match s.codec.as_ref().map(|c| store(c, &a, cache, &hex(&key), &label(s))) {
                Some(Ok(sha)) => sha,
                Some(Err(Unstored::Cache(e, sha))) => {
                    note = Some(format!("cache entry not written: {e}"));
                    sha
                }
                Some(Err(Unstored::Encode(e))) => {
                    note = Some(format!("not cached: the artifact cannot be encoded: {e}"));
                    key
                }
                None => key,
            };
            // A streamed artifact goes to the sink at once, and is dropped at once when
            // nothing else needs it, so that the steps of a level do not hold all their
            // files together.
            let (state, delivered) = match &delivery {
                Some(d) if d.streamed.contains(&s.name) => {
                    (d.sink)(&s.name, &a)
                        .map_err(|source| GraphError::Step { step: s.name.clone(), source })?;
                    if readers[i] == 0 && !d.kept.contains(&s.name) {
                        (State::Released(hex(&key)), true)
                    } else {
                        (State::Ready(a), true)
                    }
                }
                _ => (State::Ready(a), false),
            };
            Ok(Done { i, key, sha, state, cached: false, ms, note, sent: delivered })
        };
        let (alone, together): (Vec<_>, Vec<_>) = planned
            .into_iter()
            .partition(|p| g.steps[p.0].exclusive && !matches!(p.2, Peek::Present { .. }));
        let mut results = together.into_par_iter().map(work).collect::<Result<Vec<_>, _>>()?;
        for p in alone {
            results.push(work(p)?);
        }
        results.sort_by(|a, b| g.steps[a.i].name.cmp(&g.steps[b.i].name));
        let mut delivered = BTreeSet::new();
        for Done { i, key, sha, state, cached, ms, note: cache_note, sent } in results {
            if sent {
                delivered.insert(i);
            }
            g.content[i] = sha;
            g.states[i] = state;
            keys[i] = hex(&key);
            g.reports.push(StepReport {
                step: g.steps[i].name.clone(),
                key: hex(&key),
                content: hex(&sha),
                cached,
                ms,
                cache_note,
            });
        }
        if let Some(d) = delivery.as_ref() {
            // Streamed artifacts of cache hits, one at a time.
            for &i in &level {
                if !delivered.contains(&i) && d.streamed.contains(&g.steps[i].name) {
                    g.materialize(i)?;
                    if let State::Ready(a) = &g.states[i] {
                        let name = &g.steps[i].name;
                        (d.sink)(name, a)
                            .map_err(|source| GraphError::Step { step: name.clone(), source })?;
                        if readers[i] == 0 && !d.kept.contains(name) {
                            g.states[i] = State::Released(keys[i].clone());
                        }
                    }
                }
            }

            let mut done: Vec<usize> = level.clone();
            for &i in &level {
                for dep in &g.steps[i].deps {
                    let j = g.index[dep];
                    readers[j] -= 1;
                    done.push(j);
                }
            }
            for j in done {
                if readers[j] == 0
                    && !d.kept.contains(&g.steps[j].name)
                    && matches!(g.states[j], State::Ready(_) | State::Cached(_))
                {
                    g.states[j] = State::Released(keys[j].clone());
                }
            }
        }
    }
    Ok(g)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn codec() -> Option<Codec<i64>> {
        Some(Codec {
            kind: "i64",
            encode: |a, w| Ok(w.write_all(&a.to_le_bytes())?),
            decode: |b| Ok(i64::from_le_bytes(b.try_into().map_err(|_| "length")?)),
        })
    }

    /// a (source, salt = its value) -> b = a * 2 -> d = b + c; c (source); e = a % 2 (so
    /// it stays the same when a moves by 2).
    fn graph(a: i64, c: i64, runs: &Arc<AtomicUsize>) -> Vec<Step<i64>> {
        let counted = |f: fn(&[&i64]) -> i64| -> StepFn<i64> {
            let runs = runs.clone();
            Box::new(move |x: &[&i64]| {
                runs.fetch_add(1, Ordering::SeqCst);
                Ok(f(x))
            })
        };
        let source = |v: i64| -> StepFn<i64> {
            let runs = runs.clone();
            Box::new(move |_: &[&i64]| {
                runs.fetch_add(1, Ordering::SeqCst);
                Ok(v)
            })
        };
        let step = |name: &str, deps: &[&str], salt: Vec<u8>, run: StepFn<i64>| Step {
            name: name.into(),
            deps: deps.iter().map(|d| d.to_string()).collect(),
            salt,
            run,
            codec: codec(),
            exclusive: name == "e",
        };
        vec![
            step("d", &["b", "c"], vec![], counted(|x| x[0] + x[1])),
            step("b", &["a"], vec![], counted(|x| x[0] * 2)),
            step("a", &[], a.to_le_bytes().to_vec(), source(a)),
            step("c", &[], c.to_le_bytes().to_vec(), source(c)),
            step("e", &["a"], vec![], counted(|x| x[0] % 2)),
            step("f", &["e"], vec![], counted(|x| x[0] + 100)),
        ]
    }

    /// Runs the test graph delivering `f`, `b` and `d` (keeping `d`); returns the outcome
    /// and what the sink saw, sorted by step (several steps of a level deliver at once).
    fn delivered(
        runs: &Arc<AtomicUsize>,
        cache: Option<&Cache>,
    ) -> (Outcome<i64>, Vec<(String, i64)>) {
        let seen = std::sync::Mutex::new(Vec::new());
        let sink = |name: &str, a: &i64| -> Result<(), BoxError> {
            seen.lock().unwrap().push((name.to_string(), *a));
            Ok(())
        };
        let delivery = Delivery {
            streamed: ["f", "b", "d"].iter().map(|s| s.to_string()).collect(),
            kept: ["d".to_string()].into_iter().collect(),
            sink: &sink,
        };
        let out = run_with(graph(3, 4, runs), cache, "test", Some(delivery)).unwrap();
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        (out, seen)
    }

    #[test]
    fn streamed_artifacts_go_to_the_sink_and_the_rest_is_released() {
        let runs = Arc::new(AtomicUsize::new(0));
        let (mut out, seen) = delivered(&runs, None);
        // Each streamed step once.
        let expected = [("b".to_string(), 6), ("d".to_string(), 10), ("f".to_string(), 101)];
        assert_eq!(seen, expected);
        assert_eq!(runs.load(Ordering::SeqCst), 6);
        // What is kept stays; everything else was dropped once its readers had run.
        assert!(matches!(out.states[out.index["d"]], State::Ready(_)));
        for name in ["a", "b", "c", "e", "f"] {
            assert!(matches!(out.states[out.index[name]], State::Released(_)), "{name}");
        }
        assert_eq!(out.take("d").unwrap().unwrap(), 10);
        // A released artifact asked for after all is computed again (no cache here).
        assert_eq!(out.take("b").unwrap().unwrap(), 6);
        assert_eq!(runs.load(Ordering::SeqCst), 8, "b and its input a ran again");
        assert!(out.reports.iter().all(|r| r.cache_note.is_none()));
    }

    #[test]
    fn cached_streamed_artifacts_are_delivered_from_the_cache_and_released() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::new(tmp.path(), u64::MAX);
        let runs = Arc::new(AtomicUsize::new(0));
        let (_, first) = delivered(&runs, Some(&cache));
        assert_eq!(runs.load(Ordering::SeqCst), 6);
        let (mut out, again) = delivered(&runs, Some(&cache));
        assert_eq!(runs.load(Ordering::SeqCst), 6, "nothing ran the second time");
        assert_eq!(again, first, "the same artifacts, read back from the cache");
        assert!(out.reports.iter().all(|r| r.cached));
        for name in ["b", "f"] {
            assert!(matches!(out.states[out.index[name]], State::Released(_)), "{name}");
        }
        assert_eq!(out.take("d").unwrap().unwrap(), 10);
    }

    #[test]
    fn exclusive_steps_run_alone_after_the_rest_of_their_level() {
        // One level: four ordinary steps and two exclusive ones, each noting how many
        // steps are running when it starts and when it ends.
        let active = Arc::new(AtomicUsize::new(0));
        let overlaps = Arc::new(std::sync::Mutex::new(Vec::new()));
        let make = |name: &str, exclusive: bool| {
            let (active, overlaps) = (active.clone(), overlaps.clone());
            let who = name.to_string();
            Step {
                name: name.into(),
                deps: vec![],
                salt: vec![],
                run: Box::new(move |_: &[&i64]| {
                    let at_start = active.fetch_add(1, Ordering::SeqCst) + 1;
                    std::thread::sleep(std::time::Duration::from_millis(30));
                    let at_end = active.load(Ordering::SeqCst);
                    active.fetch_sub(1, Ordering::SeqCst);
                    overlaps.lock().unwrap().push((who.clone(), exclusive, at_start.max(at_end)));
                    Ok(1_i64)
                }) as StepFn<i64>,
                codec: None,
                exclusive,
            }
        };
        let steps = vec![
            make("x1", true),
            make("a", false),
            make("b", false),
            make("x2", true),
            make("c", false),
            make("d", false),
        ];
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let out = pool.install(|| run(steps, None, "test")).unwrap();
        let seen = overlaps.lock().unwrap().clone();
        assert_eq!(seen.len(), 6);
        for (name, exclusive, most) in &seen {
            if *exclusive {
                assert_eq!(*most, 1, "{name} ran beside another step");
            }
        }
        // The ordinary steps ran first (and, on four threads, side by side).
        let order: Vec<&str> = seen.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(&order[4..], ["x1", "x2"]);
        assert!(seen.iter().any(|s| !s.1 && s.2 > 1), "{seen:?}");
        // Reports stay in name order.
        let names: Vec<&str> = out.reports.iter().map(|r| r.step.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d", "x1", "x2"]);
    }

    #[test]
    fn steps_run_in_dependency_order_and_give_their_results() {
        let runs = Arc::new(AtomicUsize::new(0));
        let mut out = run(graph(3, 4, &runs), None, "test").unwrap();
        assert_eq!(out.take("d").unwrap().unwrap(), 10);
        assert_eq!(out.take("f").unwrap().unwrap(), 101);
        assert_eq!(runs.load(Ordering::SeqCst), 6);
        let order: Vec<&str> = out.reports.iter().map(|r| r.step.as_str()).collect();
        assert_eq!(order, ["a", "c", "b", "e", "d", "f"]);
    }

    #[test]
    fn a_rerun_with_the_same_inputs_runs_nothing_and_a_change_reruns_only_its_dependants() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::new(tmp.path(), u64::MAX);
        let runs = Arc::new(AtomicUsize::new(0));
        run(graph(3, 4, &runs), Some(&cache), "test").unwrap();
        assert_eq!(runs.swap(0, Ordering::SeqCst), 6);
        let mut out = run(graph(3, 4, &runs), Some(&cache), "test").unwrap();
        assert_eq!(runs.swap(0, Ordering::SeqCst), 0);
        assert!(out.reports.iter().all(|r| r.cached));
        assert_eq!(out.take("d").unwrap().unwrap(), 10);
        // c changes: c and d run; a, b, e, f come from the cache.
        let out = run(graph(3, 5, &runs), Some(&cache), "test").unwrap();
        let ran: Vec<&str> =
            out.reports.iter().filter(|r| !r.cached).map(|r| r.step.as_str()).collect();
        assert_eq!(ran, ["c", "d"]);
        // a moves by 2: e reruns but gives the same value, so f stays cached (early cut-off).
        let out = run(graph(5, 5, &runs), Some(&cache), "test").unwrap();
        let ran: Vec<&str> =
            out.reports.iter().filter(|r| !r.cached).map(|r| r.step.as_str()).collect();
        assert_eq!(ran, ["a", "b", "e", "d"]);
        // Another version shares nothing.
        let out = run(graph(5, 5, &runs), Some(&cache), "other").unwrap();
        assert!(out.reports.iter().all(|r| !r.cached));
    }

    #[test]
    fn a_damaged_entry_is_recomputed() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::new(tmp.path(), u64::MAX);
        let runs = Arc::new(AtomicUsize::new(0));
        let first = run(graph(3, 4, &runs), Some(&cache), "test").unwrap();
        let key = &first.reports.iter().find(|r| r.step == "b").unwrap().key;
        let path = tmp.path().join(&key[..2]).join(format!("{key}.art"));
        let mut bytes = std::fs::read(&path).unwrap();
        *bytes.last_mut().unwrap() ^= 0x40;
        std::fs::write(&path, bytes).unwrap();
        let mut out = run(graph(3, 4, &runs), Some(&cache), "test").unwrap();
        // The entry's header is sound, so the lookup trusts it is there; nothing read it.
        assert!(out.reports.iter().find(|r| r.step == "b").unwrap().cached);
        assert_eq!(out.take("d").unwrap().unwrap(), 10);
        // Reading it finds the damage by the checksum: b is recomputed (from a, read from
        // the cache) and its entry rewritten.
        let before = runs.load(Ordering::SeqCst);
        assert_eq!(out.take("b").unwrap().unwrap(), 6);
        assert_eq!(runs.load(Ordering::SeqCst), before + 1, "only b ran");
        let b = out.reports.iter().find(|r| r.step == "b").unwrap();
        assert!(!b.cached);
        assert!(b.cache_note.as_deref().unwrap().contains("found when read"));
        assert!(matches!(cache.get(key, "b/i64"), Lookup::Hit { .. }), "entry rewritten");
        // A step that runs reads its damaged input the same way.
        let mut bytes = std::fs::read(&path).unwrap();
        *bytes.last_mut().unwrap() ^= 0x40;
        std::fs::write(&path, bytes).unwrap();
        let mut out = run(graph(3, 5, &runs), Some(&cache), "test").unwrap();
        assert_eq!(out.take("d").unwrap().unwrap(), 11);
        let b = out.reports.iter().find(|r| r.step == "b").unwrap();
        assert!(!b.cached && b.cache_note.as_deref().unwrap().contains("found when read"));
    }

    #[test]
    fn reports_do_not_depend_on_step_order_or_thread_count() {
        let runs = Arc::new(AtomicUsize::new(0));
        let reference = run(graph(3, 4, &runs), None, "t").unwrap().reports;
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let mut g = graph(3, 4, &runs);
            g.reverse();
            let reports = pool.install(|| run(g, None, "t")).unwrap().reports;
            let strip = |r: &[StepReport]| -> Vec<(String, String, String)> {
                r.iter().map(|r| (r.step.clone(), r.key.clone(), r.content.clone())).collect()
            };
            assert_eq!(strip(&reports), strip(&reference), "{threads} threads");
        }
    }

    #[test]
    fn bad_graphs_are_refused() {
        let runs = Arc::new(AtomicUsize::new(0));
        let mut g = graph(1, 1, &runs);
        g[0].deps.push("zzz".into());
        assert!(matches!(run(g, None, "t"), Err(GraphError::UnknownDep { .. })));
        let mut g = graph(1, 1, &runs);
        g[2].deps.push("d".into());
        let Err(GraphError::Cycle(names)) = run(g, None, "t") else { panic!("no cycle found") };
        assert_eq!(names, ["a", "b", "d", "e", "f"]);
        let mut g = graph(1, 1, &runs);
        g[1].name = "d".into();
        assert!(matches!(run(g, None, "t"), Err(GraphError::Duplicate(_))));
    }

    #[test]
    fn a_failing_step_is_named_and_keeps_its_error() {
        let runs = Arc::new(AtomicUsize::new(0));
        let mut g = graph(1, 1, &runs);
        g[1].run = Box::new(|_| Err("no network".into()));
        let Err(e) = run(g, None, "t") else { panic!("did not fail") };
        assert_eq!(e.to_string(), "step b failed");
        assert_eq!(std::error::Error::source(&e).unwrap().to_string(), "no network");
    }
}
