//! The text type of records and the values built from them.

/// Text of a record (ids, names, labels): up to 24 bytes are kept inline, without an
/// allocation of their own, which covers nearly every id, serial, model and place name.
/// It dereferences to `str`.
pub type Text = compact_str::CompactString;
