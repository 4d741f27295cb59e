//! Reading one input file whole, with a precise reason when the path is not a readable
//! regular file: missing, a directory, a named pipe or another special file, or not
//! readable by this user. Used for data files, configs and edge lists alike.
//!
//! The kind of a path is looked up before it is opened, so a named pipe (FIFO) is never
//! opened: opening one for reading would wait for a writer, possibly forever.

use std::path::Path;

/// Why a path could not be read as a file. Its message says what is wrong with the path
/// but does not name it: the error that wraps it names the file and what was being done,
/// and an OS error is kept as the source (printed once, by the error chain).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Nothing exists at the path.
    #[error("no such file")]
    NotFound,
    /// The path exists but is not a regular file; the text says what it is.
    #[error("{0}")]
    NotAFile(String),
    /// The file (or a directory on its path) may not be read by this user.
    #[error("this user may not read it (check its permissions)")]
    PermissionDenied(#[source] std::io::Error),
    /// Any other failure of the operating system (its message, once).
    #[error(transparent)]
    Io(std::io::Error),
}

impl FileError {
    /// The error for a failed file operation.
    pub fn from_io(e: std::io::Error) -> FileError {
        match e.kind() {
            std::io::ErrorKind::NotFound => FileError::NotFound,
            std::io::ErrorKind::PermissionDenied => FileError::PermissionDenied(e),
            _ => FileError::Io(e),
        }
    }
}

/// What a path that is not a regular file is, as the end of a sentence naming it; `None`
/// for a regular file.
fn special_kind(file_type: std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some(
            "is a directory, not a file: name a file, or the files in it with a glob such as dir/*.csv",
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some(
                "is a named pipe (FIFO), not a regular file: inputs are read whole, so save the data to a file first",
            );
        }
        if file_type.is_socket() {
            return Some("is a socket, not a regular file");
        }
        if file_type.is_char_device() {
            return Some("is a character device, not a regular file");
        }
        if file_type.is_block_device() {
            return Some("is a block device, not a regular file");
        }
    }
    Some("is not a regular file")
}

/// Checks that `path` is a regular file (following symbolic links) without opening it.
///
/// ```
/// use divnet::inputs::file::{FileError, check_regular_file};
/// assert!(matches!(check_regular_file(std::path::Path::new(".")), Err(FileError::NotAFile(_))));
/// assert!(matches!(check_regular_file(std::path::Path::new("no/such/file")), Err(FileError::NotFound)));
/// ```
pub fn check_regular_file(path: &Path) -> Result<(), FileError> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A symbolic link whose target is missing is worth saying so.
            return Err(match std::fs::symlink_metadata(path) {
                Ok(_) => FileError::NotAFile(
                    "is a symbolic link to a file that does not exist".to_string(),
                ),
                Err(_) => FileError::NotFound,
            });
        }
        Err(e) => return Err(FileError::from_io(e)),
    };
    match special_kind(meta.file_type()) {
        Some(what) => Err(FileError::NotAFile(what.to_string())),
        None => Ok(()),
    }
}

/// Reads the regular file at `path` whole, after [`check_regular_file`].
pub fn read_regular_file(path: &Path) -> Result<Vec<u8>, FileError> {
    check_regular_file(path)?;
    std::fs::read(path).map_err(FileError::from_io)
}
