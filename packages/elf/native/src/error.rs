//! Errors cross the napi boundary as data. napi-rs v3 turns an `Err` into a thrown JS `Error`
//! whose `message` is the reason string, so the reason carries the structured fields in a
//! stable, parseable form that the TypeScript wrapper turns back into a typed `ElfError`:
//!
//! `junction-elf:<Kind>:<decimal file offset>:<message>`
//!
//! The message is last because it is free text and may itself contain `:`.

use junction_elf::{ElfError, ElfErrorKind};

/// Marker the TypeScript side looks for before it parses the rest of the reason.
const PREFIX: &str = "junction-elf";

pub fn encode(err: &ElfError) -> napi::Error {
    napi::Error::from_reason(format!(
        "{PREFIX}:{}:{}:{}",
        err.kind.as_str(),
        err.offset,
        err.message
    ))
}

/// Bad arguments that the core never sees (a lossy bigint, an unknown symbol table name) are
/// reported with the same encoding so that callers handle exactly one error shape.
pub fn invalid_spec(message: impl std::fmt::Display) -> napi::Error {
    let kind = ElfErrorKind::InvalidSpec;
    napi::Error::from_reason(format!("{PREFIX}:{}:0:{message}", kind.as_str()))
}

pub fn map<T>(result: Result<T, ElfError>) -> napi::Result<T> {
    result.map_err(|e| encode(&e))
}
