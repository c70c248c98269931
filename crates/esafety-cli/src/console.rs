//! Writing to standard output and standard error without panicking.
//!
//! `println!` panics when the reader has gone (`esafety test | head -c 1`):
//! Rust ignores `SIGPIPE`, so the write fails with `BrokenPipe` and the
//! macro turns that into a panic (exit 101). Every line the CLI prints goes
//! through [`out!`](crate::out) and friends instead. When a stream cannot be
//! written, it is marked closed and later writes to it are dropped: the
//! command still finishes its work and exits with the code it would have
//! had, as Unix filters do when their reader stops listening.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

/// Which stream to write to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    Out,
    Err,
}

/// Writes formatted text to a stream, once, dropping it if the stream has
/// closed.
pub(crate) fn write(stream: Stream, args: std::fmt::Arguments<'_>) {
    let closed = match stream {
        Stream::Out => &STDOUT_CLOSED,
        Stream::Err => &STDERR_CLOSED,
    };
    if closed.load(Ordering::Relaxed) {
        return;
    }
    let result = match stream {
        Stream::Out => std::io::stdout().lock().write_fmt(args),
        Stream::Err => std::io::stderr().lock().write_fmt(args),
    };
    if result.is_err() {
        closed.store(true, Ordering::Relaxed);
    }
}

/// Writes bytes to standard output (for output that is not text, or is
/// already formatted).
pub(crate) fn write_bytes(bytes: &[u8]) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    if std::io::stdout().lock().write_all(bytes).is_err() {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// `print!` that never panics.
macro_rules! out {
    ($($arg:tt)*) => { $crate::console::write($crate::console::Stream::Out, format_args!($($arg)*)) };
}

/// `println!` that never panics.
macro_rules! outln {
    () => { $crate::console::write($crate::console::Stream::Out, format_args!("\n")) };
    ($($arg:tt)*) => {{
        $crate::console::write($crate::console::Stream::Out, format_args!($($arg)*));
        $crate::console::write($crate::console::Stream::Out, format_args!("\n"));
    }};
}

/// `eprint!` that never panics.
macro_rules! err {
    ($($arg:tt)*) => { $crate::console::write($crate::console::Stream::Err, format_args!($($arg)*)) };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    () => { $crate::console::write($crate::console::Stream::Err, format_args!("\n")) };
    ($($arg:tt)*) => {{
        $crate::console::write($crate::console::Stream::Err, format_args!($($arg)*));
        $crate::console::write($crate::console::Stream::Err, format_args!("\n"));
    }};
}
