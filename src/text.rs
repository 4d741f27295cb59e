//! The text type of records and the values built from them.

/// Text of a record (ids, names, labels): up to 24 bytes are kept inline, without an
/// allocation of their own, which covers nearly every id, serial, model and place name.
/// It dereferences to `str`.
pub type Text = compact_str::CompactString;

/// The most bytes of a value an error message or a rejection quotes ([`clip`]).
pub const QUOTE_BYTES: usize = 200;

/// `value` as a message quotes it: whole up to [`QUOTE_BYTES`] bytes, else its first
/// bytes (cut on a character boundary) and `…(N bytes)` with its whole length, so that a
/// hostile value (a 1 GB header line) never fills a message.
///
/// ```
/// use divnet::text::clip;
/// assert_eq!(clip("Kalashnikov"), "Kalashnikov");
/// let long = "é".repeat(150); // 300 bytes
/// let c = clip(&long);
/// assert!(c.ends_with("…(300 bytes)") && c.len() < 220, "{c}");
/// ```
pub fn clip(value: &str) -> std::borrow::Cow<'_, str> {
    clip_to(value, QUOTE_BYTES)
}

/// [`clip`] at `max` bytes.
pub fn clip_to(value: &str, max: usize) -> std::borrow::Cow<'_, str> {
    // A value clipped already (by a reader that never turned the whole into text) keeps
    // its stated length.
    let clipped = value.len() <= max * 4 && value.ends_with(" bytes)") && value.contains("…(");
    if value.len() <= max || clipped {
        return std::borrow::Cow::Borrowed(value);
    }
    let mut cut = max;
    while !value.is_char_boundary(cut) {
        cut -= 1;
    }
    std::borrow::Cow::Owned(format!("{}…({} bytes)", &value[..cut], value.len()))
}
