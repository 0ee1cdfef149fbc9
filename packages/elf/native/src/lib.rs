//! napi-rs binding of `junction-elf` for `@junction/elf`. It only converts types and errors:
//! every decision about ELF lives in the core crate. Each operation that may take long
//! (opening a file, reading a symbol table, writing) has a `*_sync` form and an async form
//! that runs on the libuv thread pool, so Node's event loop is never blocked.

mod convert;
mod error;
mod handle;

use std::path::Path;

use junction_elf::MappedElf;
use napi::bindgen_prelude::{AsyncTask, BigInt, Buffer, Uint8Array};
use napi::{Env, Task};
use napi_derive::napi;

use crate::convert::{LoadPlan, PlanOptions, WriteSpec};
use crate::error::map;
use crate::handle::{ElfHandle, OpenTask};

pub(crate) fn open_impl(path: &str) -> napi::Result<MappedElf> {
    map(MappedElf::open(Path::new(path)))
}

/// Maps the file read-only; accessors read straight from the mapping.
#[napi]
pub fn open_elf_sync(path: String) -> napi::Result<ElfHandle> {
    open_impl(&path).map(ElfHandle::new)
}

#[napi(ts_return_type = "Promise<ElfHandle>")]
pub fn open_elf(path: String) -> AsyncTask<OpenTask> {
    AsyncTask::new(OpenTask { path })
}

/// Copies the bytes: the handle must not depend on a JS buffer that the caller may reuse.
#[napi]
pub fn parse_elf(bytes: Uint8Array) -> napi::Result<ElfHandle> {
    map(MappedElf::from_vec(bytes.to_vec())).map(ElfHandle::new)
}

#[napi]
pub fn write_elf_sync(spec: WriteSpec) -> napi::Result<Buffer> {
    let core = spec.to_core()?;
    map(junction_elf::write_elf(&core)).map(Buffer::from)
}

// Manual impls: a debug print of a multi-megabyte spec would not help anyone.
impl std::fmt::Debug for WriteTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteTask").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for WriteFileTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteFileTask")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

pub struct WriteTask {
    spec: junction_elf::WriteSpec,
}

impl Task for WriteTask {
    type Output = Vec<u8>;
    type JsValue = Buffer;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        map(junction_elf::write_elf(&self.spec))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(Buffer::from(output))
    }
}

#[napi(ts_return_type = "Promise<Buffer>")]
pub fn write_elf(spec: WriteSpec) -> napi::Result<AsyncTask<WriteTask>> {
    Ok(AsyncTask::new(WriteTask {
        spec: spec.to_core()?,
    }))
}

/// Returns the number of bytes written.
#[napi]
pub fn write_elf_file_sync(spec: WriteSpec, path: String) -> napi::Result<u64> {
    let core = spec.to_core()?;
    map(junction_elf::write_elf_file(&core, Path::new(&path)))
}

pub struct WriteFileTask {
    spec: junction_elf::WriteSpec,
    path: String,
}

impl Task for WriteFileTask {
    type Output = u64;
    type JsValue = BigInt;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        map(junction_elf::write_elf_file(
            &self.spec,
            Path::new(&self.path),
        ))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(BigInt::from(output))
    }
}

#[napi(ts_return_type = "Promise<bigint>")]
pub fn write_elf_file(spec: WriteSpec, path: String) -> napi::Result<AsyncTask<WriteFileTask>> {
    Ok(AsyncTask::new(WriteFileTask {
        spec: spec.to_core()?,
        path,
    }))
}

/// The bases and page size `load_plan` uses for options left out.
#[napi]
pub fn default_plan_options() -> PlanOptions {
    PlanOptions::from_core(&junction_elf::PlanOptions::default())
}

/// Where each PT_LOAD of the program (and of its interpreter) goes, with the auxv values a
/// loader hands to the new process.
#[napi]
pub fn load_plan(
    program: &ElfHandle,
    interpreter: Option<&ElfHandle>,
    options: Option<PlanOptions>,
) -> napi::Result<LoadPlan> {
    let opts = match options {
        Some(o) => o.to_core()?,
        None => junction_elf::PlanOptions::default(),
    };
    let interp = interpreter.map(|h| h.mapped().elf());
    map(junction_elf::load_plan(
        &program.mapped().elf(),
        interp.as_ref(),
        &opts,
    ))
    .map(LoadPlan::from)
}
