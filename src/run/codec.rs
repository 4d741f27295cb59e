//! Encoding of step artifacts for the cache: postcard (compact, deterministic for
//! deterministic data), plus serde helpers for the field types whose crates are built
//! without their serde support.
//!
//! Equal artifacts encode to equal bytes as long as they hold no hash maps (every artifact
//! of a run keeps its collections in vectors or `BTreeMap`s), so the content hash of an
//! artifact is a function of its value and early cut-off works.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::BoxError;

/// How a step's artifact is stored in the cache.
pub struct Codec<A> {
    /// The kind of artifact it encodes, recorded in every entry beside the step's name, so
    /// that an entry of another step or kind is never decoded as this one.
    pub kind: &'static str,
    /// Writes the artifact's bytes (deterministic: equal artifacts give equal bytes).
    pub encode: fn(&A, &mut dyn std::io::Write) -> Result<(), BoxError>,
    /// Bytes back to the artifact.
    pub decode: fn(&[u8]) -> Result<A, BoxError>,
}

/// The bytes of `value`.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, BoxError> {
    Ok(postcard::to_stdvec(value)?)
}

/// Writes the bytes of `value` to `w` (the same bytes as [`encode`]).
pub fn encode_to<T: Serialize + ?Sized>(
    value: &T,
    w: &mut dyn std::io::Write,
) -> Result<(), BoxError> {
    postcard::to_io(value, w)?;
    Ok(())
}

/// The value of `bytes` (all of them).
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BoxError> {
    let (value, rest) = postcard::take_from_bytes(bytes)?;
    if !rest.is_empty() {
        return Err(format!("{} trailing bytes after the artifact", rest.len()).into());
    }
    Ok(value)
}

/// `#[serde(with = "crate::run::codec::arc")]`: an `Arc<T>` field encoded as its `T`.
pub mod arc {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serialises the pointee.
    pub fn serialize<T: Serialize, S: Serializer>(v: &Arc<T>, s: S) -> Result<S::Ok, S::Error> {
        T::serialize(v, s)
    }

    /// Deserialises a `T` into a new `Arc`.
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Arc<T>, D::Error> {
        T::deserialize(d).map(Arc::new)
    }
}

/// `#[serde(with = "crate::run::codec::bytes")]`: a `Vec<u8>` field as one byte string
/// (copied whole), not as a sequence of numbers (read one by one).
pub mod bytes {
    use serde::de::{Error, SeqAccess, Visitor};
    use serde::{Deserializer, Serializer};

    /// Serialises the bytes as a byte string.
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    /// Reads a byte string (or, from a format without them, a sequence of bytes).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct Bytes;
        impl<'de> Visitor<'de> for Bytes {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(b) = seq.next_element()? {
                    out.push(b);
                }
                Ok(out)
            }
        }
        d.deserialize_byte_buf(Bytes)
    }
}

/// `#[serde(with = "crate::run::codec::naive_date")]`: a `chrono::NaiveDate` as its day
/// number from the common era.
pub mod naive_date {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// Days from 0001-01-01 (day 1).
    pub fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(d.num_days_from_ce())
    }

    /// The inverse.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let n = i32::deserialize(d)?;
        NaiveDate::from_num_days_from_ce_opt(n)
            .ok_or_else(|| D::Error::custom(format!("day number {n} is out of range")))
    }
}

/// `#[serde(with = "crate::run::codec::opt_naive_date")]`: an optional `chrono::NaiveDate`
/// as its day number from the common era (see [`naive_date`]).
pub mod opt_naive_date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    /// The day number, or none.
    pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&Day(*d)),
            None => s.serialize_none(),
        }
    }

    /// The inverse.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        Ok(Option::<Day>::deserialize(d)?.map(|x| x.0))
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Day(#[serde(with = "super::naive_date")] NaiveDate);
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Holder {
        #[serde(with = "arc")]
        shared: Arc<Vec<u32>>,
        #[serde(with = "naive_date")]
        day: chrono::NaiveDate,
        #[serde(with = "bytes")]
        blob: Vec<u8>,
    }

    #[test]
    fn round_trips_and_refuses_trailing_bytes() {
        let h = Holder {
            shared: Arc::new(vec![1, 2, 300]),
            day: chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
            blob: vec![0, 255, 7],
        };
        let bytes = encode(&h).unwrap();
        assert_eq!(encode(&h).unwrap(), bytes, "encoding is deterministic");
        assert_eq!(decode::<Holder>(&bytes).unwrap(), h);
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode::<Holder>(&longer).is_err());
        assert!(decode::<Holder>(&bytes[..bytes.len() - 1]).is_err());
    }
}
