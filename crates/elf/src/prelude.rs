//! The `alloc` items the reading code uses, so that the same source builds with and without
//! `std` (without it, the std prelude is not in scope).

#[allow(unused_imports)]
pub(crate) use alloc::{
    borrow::{Cow, ToOwned},
    boxed::Box,
    format,
    string::{String, ToString},
    vec,
    vec::Vec,
};
