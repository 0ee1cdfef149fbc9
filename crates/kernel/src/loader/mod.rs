//! The loader: maps a program (static, static-pie or dynamic, with the system's own ld.so)
//! or a `#!` script's interpreter into the app window, builds the initial stack and auxv,
//! and says where to jump.

pub mod auxv;
pub mod stack;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use junction_abi::Errno;
use junction_elf::{load_plan, ElfFile, MappedObject, PlanOptions};

use crate::fs::vfs::{absolute, Place, Vfs};
use crate::host;
use crate::mm::layout::{
    page_up, random_offset, BRK_RESERVE, MMAP_TOP, PIE_BASE, RANDOM_BITS, WINDOW_START,
};
use crate::mm::vma::{Backing, Vma, PROT_WRITE};
use crate::mm::{self, Vm, MAP_PRIVATE};

/// Why a program could not be started; `status` is the shell's exit status for it.
#[derive(Debug)]
pub struct LoadError {
    pub message: String,
    pub status: i32,
}

impl LoadError {
    fn errno(path: &str, errno: Errno) -> Self {
        let status = if errno == Errno::ENOENT || errno == Errno::ENOTDIR {
            127
        } else {
            126
        };
        LoadError {
            message: format!("{path}: {}", errno.message()),
            status,
        }
    }

    fn format(path: &str, why: &str) -> Self {
        LoadError {
            message: format!("{path}: cannot execute: {why}"),
            status: 126,
        }
    }
}

/// A program ready to run.
#[derive(Debug)]
pub struct Loaded {
    pub entry: u64,
    pub stack_pointer: u64,
    /// The instance path of the executable (after `#!` resolution: the interpreter).
    pub exe: String,
    pub auxv: Vec<(u64, u64)>,
}

/// The program's instance path: as given when it has a slash, else searched in `PATH`.
pub fn find_program(
    vfs: &Vfs,
    cwd: &str,
    name: &str,
    path_var: Option<&str>,
) -> Result<String, LoadError> {
    if name.is_empty() {
        return Err(LoadError::errno(name, Errno::ENOENT));
    }
    if name.contains('/') {
        return Ok(absolute(cwd, name));
    }
    let search = path_var.unwrap_or("/usr/local/bin:/usr/bin:/bin");
    let mut saw_denied = false;
    for dir in search.split(':') {
        let candidate = absolute(
            cwd,
            &format!("{}/{name}", if dir.is_empty() { "." } else { dir }),
        );
        match vfs.stat(&candidate, true) {
            Ok(st) if st.st_mode & 0o170000 == 0o100000 && st.st_mode & 0o111 != 0 => {
                return Ok(candidate)
            }
            Ok(_) => saw_denied = true,
            Err(_) => {}
        }
    }
    Err(if saw_denied {
        LoadError::errno(name, Errno::EACCES)
    } else {
        LoadError {
            message: format!("{name}: command not found"),
            status: 127,
        }
    })
}

/// A host file mapped read-only into kernel memory for parsing.
struct FileImage {
    fd: i32,
    /// The file's own path in the instance, symlinks resolved (what /proc/self/exe and
    /// /proc/self/maps show).
    real_path: String,
    addr: usize,
    len: usize,
    dev: u64,
    ino: u64,
}

impl FileImage {
    fn open(vfs: &Vfs, path: &str) -> Result<FileImage, LoadError> {
        let Place::Root(rel) = vfs.place(path) else {
            // Only files of the root directory can be mapped today; a missing file is still
            // ENOENT (127), as a shell reports it.
            let missing = vfs.stat(path, true).err().filter(|&e| e == Errno::ENOENT);
            return Err(LoadError::errno(path, missing.unwrap_or(Errno::EACCES)));
        };
        let fd = vfs
            .open_host(rel, 0, 0)
            .map_err(|e| LoadError::errno(path, e))?;
        let st = host::fstat(fd).map_err(|e| LoadError::errno(path, e))?;
        let mut image = FileImage {
            real_path: vfs.instance_path(fd).unwrap_or_else(|| String::from(path)),
            fd,
            addr: 0,
            len: 0,
            dev: st.st_dev,
            ino: st.st_ino,
        };
        if st.st_mode & 0o170000 != 0o100000 {
            return Err(LoadError::errno(path, Errno::EACCES));
        }
        if st.st_mode & 0o111 == 0 {
            return Err(LoadError::errno(path, Errno::EACCES));
        }
        let len = st.st_size as usize;
        if len == 0 {
            return Err(LoadError::format(
                path,
                "the file is empty (Exec format error)",
            ));
        }
        // SAFETY: a fresh read-only private mapping at an address the host picks.
        let addr = unsafe { host::mmap(0, len, 1, MAP_PRIVATE, fd, 0) }
            .map_err(|e| LoadError::errno(path, e))?;
        image.addr = addr;
        image.len = len;
        Ok(image)
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: the mapping lives until Drop.
        unsafe { core::slice::from_raw_parts(self.addr as *const u8, self.len) }
    }
}

impl Drop for FileImage {
    fn drop(&mut self) {
        if self.addr != 0 {
            // SAFETY: our own mapping.
            let _ = unsafe { host::munmap(self.addr, self.len) };
        }
        let _ = host::close(self.fd);
    }
}

/// The interpreter line of a `#!` script: (interpreter, optional single argument).
fn parse_shebang(bytes: &[u8]) -> Option<(String, Option<String>)> {
    let rest = bytes.strip_prefix(b"#!")?;
    let line_end = rest
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(rest.len().min(255));
    let line = core::str::from_utf8(&rest[..line_end])
        .ok()?
        .trim_matches(|c| c == ' ' || c == '\t' || c == '\r');
    let (interp, arg) = match line.find([' ', '\t']) {
        Some(i) => (
            &line[..i],
            Some(line[i..].trim_matches(|c| c == ' ' || c == '\t')),
        ),
        None => (line, None),
    };
    if interp.is_empty() {
        return None;
    }
    Some((
        String::from(interp),
        arg.filter(|a| !a.is_empty()).map(String::from),
    ))
}

/// Loads `path` with `argv`/`envp` into `vm`. Follows `#!` up to 4 levels, as Linux does.
pub fn load(
    vfs: &Vfs,
    vm: &mut Vm,
    cwd: &str,
    path: &str,
    mut argv: Vec<Vec<u8>>,
    envp: &[Vec<u8>],
    host_aux: &auxv::HostAux,
) -> Result<Loaded, LoadError> {
    let execfn = String::from(path);
    let mut program_path = String::from(path);
    let mut image = FileImage::open(vfs, &program_path)?;
    for depth in 0.. {
        if !image.bytes().starts_with(b"#!") {
            break;
        }
        if depth == 4 {
            return Err(LoadError::errno(path, Errno::ELOOP));
        }
        let Some((interp, arg)) = parse_shebang(image.bytes()) else {
            return Err(LoadError::format(
                &program_path,
                "bad #! line (Exec format error)",
            ));
        };
        let mut new_argv = Vec::with_capacity(argv.len() + 2);
        new_argv.push(interp.clone().into_bytes());
        if let Some(arg) = arg {
            new_argv.push(arg.into_bytes());
        }
        new_argv.push(program_path.clone().into_bytes());
        new_argv.extend(argv.into_iter().skip(1));
        argv = new_argv;
        program_path = absolute(cwd, &interp);
        image = FileImage::open(vfs, &program_path)?;
    }

    let program =
        ElfFile::parse(image.bytes()).map_err(|e| LoadError::format(&program_path, &e.message))?;
    let interp_path = program
        .interpreter()
        .map_err(|e| LoadError::format(&program_path, &e.message))?;
    let interp_image = match &interp_path {
        Some(p) => Some(FileImage::open(vfs, p)?),
        None => None,
    };
    let interp = match &interp_image {
        Some(img) => Some(
            ElfFile::parse(img.bytes())
                .map_err(|e| LoadError::format(&program_path, &e.message))?,
        ),
        None => None,
    };

    let options = PlanOptions {
        base: PIE_BASE + random_offset(RANDOM_BITS),
        interp_base: MMAP_TOP - 0x1000_0000 - random_offset(RANDOM_BITS),
        page_size: 4096,
    };
    let plan = load_plan(&program, interp.as_ref(), &options)
        .map_err(|e| LoadError::format(&program_path, &e.message))?;

    for mapping in &plan.mappings {
        let (img, obj_path) = match mapping.object {
            MappedObject::Program => (&image, program_path.as_str()),
            MappedObject::Interpreter => match &interp_image {
                Some(img) => (img, interp_path.as_deref().unwrap_or("")),
                None => continue,
            },
        };
        let (start, end) = (mapping.addr, mapping.addr + mapping.len);
        if !Vm::allowed(start, end) {
            return Err(LoadError::format(
                obj_path,
                "a segment lies outside the app address space",
            ));
        }
        let prot = mapping.prot;
        let result = match mapping.file_offset {
            Some(offset) => {
                let needs_zero = mapping.zero_from.is_some();
                let map_prot = if needs_zero { prot | PROT_WRITE } else { prot };
                let vma = Vma {
                    start,
                    end,
                    prot: map_prot,
                    shared: false,
                    backing: Backing::File {
                        path: img.real_path.clone(),
                        offset,
                        dev: img.dev,
                        ino: img.ino,
                    },
                };
                vm.map_fixed(vma, MAP_PRIVATE, img.fd, offset)
                    .and_then(|()| {
                        if let Some(zero_from) = mapping.zero_from {
                            // SAFETY: [zero_from, end) was just mapped writable for us.
                            unsafe {
                                core::ptr::write_bytes(
                                    zero_from as *mut u8,
                                    0,
                                    (end - zero_from) as usize,
                                )
                            };
                            if map_prot != prot {
                                // SAFETY: our fresh mapping.
                                unsafe {
                                    host::mprotect(
                                        start as usize,
                                        (end - start) as usize,
                                        u64::from(prot),
                                    )
                                }?;
                                vm.vmas.protect(start, end, prot);
                            }
                        }
                        Ok(())
                    })
            }
            None => vm.map_fixed(
                mm::anon(start, end, prot),
                MAP_PRIVATE | mm::MAP_ANONYMOUS,
                -1,
                0,
            ),
        };
        result.map_err(|e| LoadError::errno(obj_path, e))?;
    }

    // brk: after the program's last segment, randomised by up to 32 MiB as Linux does.
    let brk_start = page_up(plan.brk_start).unwrap_or(plan.brk_start) + random_offset(13);
    vm.brk_start = brk_start;
    vm.brk = brk_start;
    vm.brk_limit = brk_start + BRK_RESERVE;
    if brk_start < WINDOW_START {
        mm::reserve_below_window(brk_start, BRK_RESERVE).map_err(|e| LoadError::errno(path, e))?;
    }

    let exe = image.real_path.clone();
    let (stack_pointer, auxv) = stack::build(vm, &argv, envp, &execfn, &plan, host_aux)
        .map_err(|e| LoadError::errno(path, e))?;
    Ok(Loaded {
        entry: plan.entry,
        stack_pointer,
        exe,
        auxv,
    })
}

#[cfg(test)]
mod tests {
    use super::parse_shebang;

    #[test]
    fn shebang_lines() {
        assert_eq!(
            parse_shebang(b"#!/bin/sh\necho"),
            Some(("/bin/sh".into(), None))
        );
        assert_eq!(
            parse_shebang(b"#! /usr/bin/env  python3 \n"),
            Some(("/usr/bin/env".into(), Some("python3".into())))
        );
        assert_eq!(
            parse_shebang(b"#!/bin/a -x -y\n"),
            Some(("/bin/a".into(), Some("-x -y".into())))
        );
        assert_eq!(parse_shebang(b"#!\n"), None);
        assert_eq!(parse_shebang(b"\x7fELF"), None);
    }
}
