//! Writing the masked stream, with `::add-mask::` commands where asked.
//!
//! The runner masks a value in every log line it processes *after* the
//! `::add-mask::` command for it, and it reads commands only at the start
//! of a line. So when the commands go into the masked stream itself
//! ([`Emitter::inline`]), the emitter holds back the current partial line:
//! a command is written before the line that contained the secret, never in
//! the middle of it. A partial line longer than `pending_cap` bytes is
//! written out anyway (memory stays bounded); a command that follows it is
//! preceded by a newline, the only change the emitter ever makes to the
//! stream.
//!
//! An `::add-mask::` command carries the value in clear: that is how the
//! runner learns it. The command is only for the runner; [`Emitter::direct`]
//! (outside Actions) never writes one, and [`Emitter::separate`] writes them
//! to another stream (stderr) so a stream redirected to a file that will be
//! uploaded never holds one.

use std::io::{self, Write};

use ci_intel_core::commands;

/// The most bytes of one partial line held back in inline mode.
pub const DEFAULT_PENDING_CAP: usize = 64 * 1024;

enum Mode {
    /// No `::add-mask::` at all.
    Direct,
    /// Commands in the stream, at line starts.
    Inline { pending_cap: usize },
    /// Commands to another writer.
    Separate(Box<dyn Write>),
}

/// The writer of the masked stream.
pub struct Emitter<W: Write> {
    out: W,
    mode: Mode,
    /// Inline mode: the current line, not yet written.
    pending: Vec<u8>,
    /// Inline mode: `out` ends in the middle of a line.
    mid_line: bool,
    peak_pending: usize,
}

impl<W: Write> std::fmt::Debug for Emitter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mode = match self.mode {
            Mode::Direct => "direct",
            Mode::Inline { .. } => "inline",
            Mode::Separate(_) => "separate",
        };
        f.debug_struct("Emitter")
            .field("mode", &mode)
            .field("pending", &self.pending.len())
            .finish()
    }
}

impl<W: Write> Emitter<W> {
    /// Write the stream as it is; [`Emitter::add_mask`] does nothing.
    pub fn direct(out: W) -> Self {
        Self::with_mode(out, Mode::Direct)
    }

    /// Put `::add-mask::` commands into the stream, each at a line start
    /// before the line that held the secret.
    pub fn inline(out: W, pending_cap: usize) -> Self {
        Self::with_mode(out, Mode::Inline { pending_cap })
    }

    /// Write `::add-mask::` commands to `commands` instead of the stream.
    pub fn separate(out: W, commands: Box<dyn Write>) -> Self {
        Self::with_mode(out, Mode::Separate(commands))
    }

    fn with_mode(out: W, mode: Mode) -> Self {
        Emitter {
            out,
            mode,
            pending: Vec::new(),
            mid_line: false,
            peak_pending: 0,
        }
    }

    /// Write stream bytes (text or mask replacements).
    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        let Mode::Inline { pending_cap } = self.mode else {
            return self.out.write_all(bytes);
        };
        self.pending.extend_from_slice(bytes);
        self.peak_pending = self.peak_pending.max(self.pending.len());
        if let Some(last_newline) = self.pending.iter().rposition(|&b| b == b'\n') {
            self.out.write_all(&self.pending[..=last_newline])?;
            self.pending.drain(..=last_newline);
            self.mid_line = false;
        }
        if self.pending.len() > pending_cap {
            self.out.write_all(&self.pending)?;
            self.pending.clear();
            self.mid_line = true;
        }
        Ok(())
    }

    /// Register `value` with the runner's log masker (see the module doc
    /// for where the command goes).
    pub fn add_mask(&mut self, value: &[u8]) -> io::Result<()> {
        let lines = match self.mode {
            Mode::Direct => return Ok(()),
            _ => commands::add_mask(&String::from_utf8_lossy(value)),
        };
        match &mut self.mode {
            Mode::Direct => Ok(()),
            Mode::Inline { .. } => {
                if self.mid_line {
                    self.out.write_all(b"\n")?;
                    self.mid_line = false;
                }
                for line in lines {
                    self.out.write_all(line.as_bytes())?;
                    self.out.write_all(b"\n")?;
                }
                Ok(())
            }
            Mode::Separate(commands) => {
                for line in lines {
                    commands.write_all(line.as_bytes())?;
                    commands.write_all(b"\n")?;
                }
                commands.flush()
            }
        }
    }

    /// Flush what is written so far (the held-back partial line stays).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// The longest partial line held back so far.
    pub fn peak_pending(&self) -> usize {
        self.peak_pending
    }

    /// Write the held-back partial line, flush, and give the writer back.
    pub fn finish(mut self) -> io::Result<W> {
        if !self.pending.is_empty() {
            self.out.write_all(&self.pending)?;
            self.pending.clear();
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_mode_never_writes_a_command() {
        let mut emitter = Emitter::direct(Vec::new());
        emitter.write(b"a ").unwrap();
        emitter.add_mask(b"value").unwrap();
        emitter.write(b"*** b\n").unwrap();
        assert_eq!(emitter.finish().unwrap(), b"a *** b\n");
    }

    #[test]
    fn inline_commands_come_before_the_line_that_held_the_secret() {
        let mut emitter = Emitter::inline(Vec::new(), 1024);
        emitter.write(b"first\nsecond token=").unwrap();
        emitter.add_mask(b"s3cret").unwrap();
        emitter.write(b"*** rest\nthird").unwrap();
        let out = String::from_utf8(emitter.finish().unwrap()).unwrap();
        assert_eq!(
            out,
            "first\n::add-mask::s3cret\nsecond token=*** rest\nthird"
        );
    }

    #[test]
    fn a_command_after_an_overlong_partial_line_starts_a_new_line() {
        let mut emitter = Emitter::inline(Vec::new(), 4);
        emitter.write(b"0123456789").unwrap();
        emitter.add_mask(b"s3cret").unwrap();
        emitter.write(b"***\n").unwrap();
        let out = String::from_utf8(emitter.finish().unwrap()).unwrap();
        assert_eq!(out, "0123456789\n::add-mask::s3cret\n***\n");
    }

    #[test]
    fn separate_commands_never_enter_the_stream() {
        #[derive(Clone, Default)]
        struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                self.0.borrow_mut().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let commands = Shared::default();
        let mut emitter = Emitter::separate(Vec::new(), Box::new(commands.clone()));
        emitter.write(b"x ").unwrap();
        emitter.add_mask(b"line1\nline2").unwrap();
        emitter.write(b"***\n").unwrap();
        assert_eq!(emitter.finish().unwrap(), b"x ***\n");
        let commands = String::from_utf8(commands.0.borrow().clone()).unwrap();
        assert_eq!(
            commands,
            "::add-mask::line1%0Aline2\n::add-mask::line1\n::add-mask::line2\n"
        );
    }
}
