//! Lists printed as they are produced (flags, fields, array items, arguments), so nothing
//! has to be collected before it is written.

use core::fmt::{self, Write};

/// Writes items with a separator between them, remembering whether any was written.
pub(crate) struct Parts<'a, 'w> {
    pub(crate) out: &'a mut (dyn Write + 'w),
    separator: &'static str,
    pub(crate) first: bool,
}

impl<'a, 'w> Parts<'a, 'w> {
    pub(crate) fn new(out: &'a mut (dyn Write + 'w), separator: &'static str) -> Self {
        Parts {
            out,
            separator,
            first: true,
        }
    }

    /// Write the separator unless this is the first item; the caller writes the item.
    pub(crate) fn separate(&mut self) -> fmt::Result {
        if !self.first {
            self.out.write_str(self.separator)?;
        }
        self.first = false;
        Ok(())
    }

    /// Write one item that is a plain string.
    pub(crate) fn add(&mut self, item: &str) -> fmt::Result {
        self.separate()?;
        self.out.write_str(item)
    }
}
