//! The reports of several ingests as one.

use super::Ingested;

/// The files, rejections and counts of the ingest artifacts as one [`Ingested`]
/// without records (file numbers of the rejections renumbered into the joined file list).
pub fn joined_reports(kinds: &[&Ingested]) -> Ingested {
    let mut out = Ingested::default();
    for k in kinds {
        let offset = out.files.len() as u32;
        out.files.extend(k.files.iter().cloned());
        out.rejections.extend(k.rejections.iter().map(|r| {
            let mut r = r.clone();
            r.row.file += offset;
            r
        }));
        out.precision_downgraded += k.precision_downgraded;
    }
    out
}
