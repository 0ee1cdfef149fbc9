//! Plain-data mirrors of the core types (`#[napi(object)]` copies every field into a JS
//! object). `u64` crosses as a JS `bigint`; fields that always fit in 32 bits cross as
//! `number` so the common comparisons stay cheap on the JS side. Results are one-way
//! (`object_from_js = false`); specs coming from JS take `BigInt` and are range-checked.

use napi::bindgen_prelude::{BigInt, Buffer, Uint8Array};
use napi_derive::napi;

use crate::error::invalid_spec;

#[derive(Debug)]
#[napi(object, object_from_js = false)]
pub struct FileHeader {
    pub class: u32,
    pub data: u32,
    pub osabi: u32,
    pub abi_version: u32,
    pub e_type: u32,
    pub e_machine: u32,
    pub e_version: u32,
    pub e_entry: u64,
    pub e_phoff: u64,
    pub e_shoff: u64,
    pub e_flags: u32,
    pub e_ehsize: u32,
    pub e_phentsize: u32,
    pub e_phnum: u32,
    pub e_shentsize: u32,
    /// `u64` because the extended numbering scheme stores the count in section 0's `sh_size`.
    pub e_shnum: u64,
    pub e_shstrndx: u32,
}

impl From<&junction_elf::FileHeader> for FileHeader {
    fn from(h: &junction_elf::FileHeader) -> Self {
        Self {
            class: h.class.into(),
            data: h.data.into(),
            osabi: h.osabi.into(),
            abi_version: h.abi_version.into(),
            e_type: h.e_type.into(),
            e_machine: h.e_machine.into(),
            e_version: h.e_version,
            e_entry: h.e_entry,
            e_phoff: h.e_phoff,
            e_shoff: h.e_shoff,
            e_flags: h.e_flags,
            e_ehsize: h.e_ehsize.into(),
            e_phentsize: h.e_phentsize.into(),
            e_phnum: h.e_phnum,
            e_shentsize: h.e_shentsize.into(),
            e_shnum: h.e_shnum,
            e_shstrndx: h.e_shstrndx,
        }
    }
}

#[derive(Debug)]
#[napi(object, object_from_js = false)]
pub struct ProgramHeader {
    pub p_type: u32,
    pub p_flags: u32,
    pub p_offset: u64,
    pub p_vaddr: u64,
    pub p_paddr: u64,
    pub p_filesz: u64,
    pub p_memsz: u64,
    pub p_align: u64,
}

impl From<&junction_elf::ProgramHeader> for ProgramHeader {
    fn from(p: &junction_elf::ProgramHeader) -> Self {
        Self {
            p_type: p.p_type,
            p_flags: p.p_flags,
            p_offset: p.p_offset,
            p_vaddr: p.p_vaddr,
            p_paddr: p.p_paddr,
            p_filesz: p.p_filesz,
            p_memsz: p.p_memsz,
            p_align: p.p_align,
        }
    }
}

#[derive(Debug)]
#[napi(object, object_from_js = false)]
pub struct SectionHeader {
    pub name: String,
    pub sh_name: u32,
    pub sh_type: u32,
    pub sh_flags: u64,
    pub sh_addr: u64,
    pub sh_offset: u64,
    pub sh_size: u64,
    pub sh_link: u32,
    pub sh_info: u32,
    pub sh_addralign: u64,
    pub sh_entsize: u64,
}

impl From<junction_elf::SectionHeader> for SectionHeader {
    fn from(s: junction_elf::SectionHeader) -> Self {
        Self {
            name: s.name,
            sh_name: s.sh_name,
            sh_type: s.sh_type,
            sh_flags: s.sh_flags,
            sh_addr: s.sh_addr,
            sh_offset: s.sh_offset,
            sh_size: s.sh_size,
            sh_link: s.sh_link,
            sh_info: s.sh_info,
            sh_addralign: s.sh_addralign,
            sh_entsize: s.sh_entsize,
        }
    }
}

#[derive(Debug)]
#[napi(object, object_from_js = false)]
pub struct ElfSymbol {
    pub name: String,
    pub value: u64,
    pub size: u64,
    /// STT_* (low nibble of st_info).
    pub kind: u32,
    /// STB_* (high nibble of st_info).
    pub binding: u32,
    /// STV_* (low two bits of st_other).
    pub visibility: u32,
    pub shndx: u32,
}

impl From<junction_elf::Symbol> for ElfSymbol {
    fn from(s: junction_elf::Symbol) -> Self {
        Self {
            name: s.name,
            value: s.value,
            size: s.size,
            kind: s.kind.into(),
            binding: s.binding.into(),
            visibility: s.visibility.into(),
            shndx: s.shndx.into(),
        }
    }
}

// napi\'s Buffer/Uint8Array have no Debug impl.
#[allow(missing_debug_implementations)]
#[napi(object, object_from_js = false)]
pub struct Note {
    pub name: String,
    pub n_type: u32,
    pub desc: Buffer,
}

impl From<junction_elf::Note> for Note {
    fn from(n: junction_elf::Note) -> Self {
        Self {
            name: n.name,
            n_type: n.n_type,
            desc: n.desc.into(),
        }
    }
}

// `use_nullable`: `None` crosses as `null`, not as an absent field.
#[derive(Debug)]
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct DynamicEntry {
    /// d_tag is signed in the ELF spec (DT_LOPROC..DT_HIPROC are negative as i64 on some
    /// targets), so it crosses as a signed bigint.
    pub tag: BigInt,
    pub value: u64,
    /// The resolved string for DT_NEEDED, DT_SONAME, DT_RPATH and DT_RUNPATH.
    pub string: Option<String>,
}

impl From<junction_elf::DynamicEntry> for DynamicEntry {
    fn from(d: junction_elf::DynamicEntry) -> Self {
        Self {
            tag: BigInt::from(d.tag),
            value: d.value,
            string: d.string,
        }
    }
}

/// JS bigints have no fixed width; anything that is not an exact u64 is refused instead of
/// being silently truncated.
pub fn to_u64(value: &BigInt, what: &str) -> napi::Result<u64> {
    let (_, v, lossless) = value.get_u64();
    if lossless {
        Ok(v)
    } else {
        Err(invalid_spec(format!(
            "{what} must be an integer in 0..2^64"
        )))
    }
}

fn to_u16(value: u32, what: &str) -> napi::Result<u16> {
    u16::try_from(value).map_err(|_| invalid_spec(format!("{what} must fit in 16 bits")))
}

// napi\'s Buffer/Uint8Array have no Debug impl.
#[allow(missing_debug_implementations)]
#[napi(object)]
pub struct SegmentSpec {
    pub vaddr: BigInt,
    pub mem_size: BigInt,
    pub flags: u32,
    pub data: Uint8Array,
}

// napi\'s Buffer/Uint8Array have no Debug impl.
#[allow(missing_debug_implementations)]
#[napi(object)]
pub struct NoteSpec {
    pub name: String,
    pub n_type: u32,
    pub desc: Uint8Array,
}

// napi\'s Buffer/Uint8Array have no Debug impl.
#[allow(missing_debug_implementations)]
#[napi(object)]
pub struct SectionSpec {
    pub name: String,
    pub sh_type: u32,
    pub sh_flags: BigInt,
    pub align: BigInt,
    pub data: Uint8Array,
}

// napi\'s Buffer/Uint8Array have no Debug impl.
#[allow(missing_debug_implementations)]
#[napi(object)]
pub struct WriteSpec {
    pub e_type: u32,
    pub e_machine: u32,
    pub entry: BigInt,
    pub page_size: BigInt,
    pub segments: Vec<SegmentSpec>,
    pub notes: Vec<NoteSpec>,
    pub sections: Vec<SectionSpec>,
}

impl WriteSpec {
    /// Copies the JS-owned buffers into an owned core spec on the JS thread, so that the
    /// async writer never touches JS memory from the worker thread.
    pub fn to_core(&self) -> napi::Result<junction_elf::WriteSpec> {
        let mut segments = Vec::with_capacity(self.segments.len());
        for (i, s) in self.segments.iter().enumerate() {
            segments.push(junction_elf::SegmentSpec {
                vaddr: to_u64(&s.vaddr, &format!("segments[{i}].vaddr"))?,
                mem_size: to_u64(&s.mem_size, &format!("segments[{i}].memSize"))?,
                flags: s.flags,
                data: s.data.to_vec(),
            });
        }
        let notes = self
            .notes
            .iter()
            .map(|n| junction_elf::NoteSpec {
                name: n.name.clone(),
                n_type: n.n_type,
                desc: n.desc.to_vec(),
            })
            .collect();
        let mut sections = Vec::with_capacity(self.sections.len());
        for (i, s) in self.sections.iter().enumerate() {
            sections.push(junction_elf::SectionSpec {
                name: s.name.clone(),
                sh_type: s.sh_type,
                sh_flags: to_u64(&s.sh_flags, &format!("sections[{i}].shFlags"))?,
                align: to_u64(&s.align, &format!("sections[{i}].align"))?,
                data: s.data.to_vec(),
            });
        }
        Ok(junction_elf::WriteSpec {
            e_type: to_u16(self.e_type, "eType")?,
            e_machine: to_u16(self.e_machine, "eMachine")?,
            entry: to_u64(&self.entry, "entry")?,
            page_size: to_u64(&self.page_size, "pageSize")?,
            segments,
            notes,
            sections,
        })
    }
}

#[derive(Debug)]
#[napi(object)]
pub struct PlanOptions {
    pub base: Option<BigInt>,
    pub interp_base: Option<BigInt>,
    pub page_size: Option<BigInt>,
}

impl PlanOptions {
    /// Missing fields take the core's defaults, so the defaults live in one place
    /// (`junction_elf::PlanOptions::default`).
    pub fn to_core(&self) -> napi::Result<junction_elf::PlanOptions> {
        let d = junction_elf::PlanOptions::default();
        let pick = |v: &Option<BigInt>, name: &str, fallback: u64| match v {
            Some(v) => to_u64(v, name),
            None => Ok(fallback),
        };
        Ok(junction_elf::PlanOptions {
            base: pick(&self.base, "base", d.base)?,
            interp_base: pick(&self.interp_base, "interpBase", d.interp_base)?,
            page_size: pick(&self.page_size, "pageSize", d.page_size)?,
        })
    }

    pub fn from_core(o: &junction_elf::PlanOptions) -> Self {
        PlanOptions {
            base: Some(BigInt::from(o.base)),
            interp_base: Some(BigInt::from(o.interp_base)),
            page_size: Some(BigInt::from(o.page_size)),
        }
    }
}

// `use_nullable`: `None` crosses as `null`, not as an absent field.
#[derive(Debug)]
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Mapping {
    /// "program" or "interpreter".
    pub object: String,
    pub addr: u64,
    pub len: u64,
    pub prot: u32,
    pub file_offset: Option<u64>,
    pub file_len: u64,
    pub zero_from: Option<u64>,
}

#[derive(Debug)]
#[napi(object, object_from_js = false)]
pub struct Auxv {
    pub at_phdr: u64,
    pub at_phent: u64,
    pub at_phnum: u64,
    pub at_entry: u64,
    pub at_base: u64,
}

// `use_nullable`: `None` crosses as `null`, not as an absent field.
#[derive(Debug)]
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct LoadPlan {
    pub mappings: Vec<Mapping>,
    pub entry: u64,
    pub auxv: Auxv,
    pub brk_start: u64,
    pub interpreter: Option<String>,
}

impl From<junction_elf::LoadPlan> for LoadPlan {
    fn from(p: junction_elf::LoadPlan) -> Self {
        Self {
            mappings: p
                .mappings
                .into_iter()
                .map(|m| Mapping {
                    object: match m.object {
                        junction_elf::MappedObject::Program => "program",
                        junction_elf::MappedObject::Interpreter => "interpreter",
                    }
                    .to_string(),
                    addr: m.addr,
                    len: m.len,
                    prot: m.prot,
                    file_offset: m.file_offset,
                    file_len: m.file_len,
                    zero_from: m.zero_from,
                })
                .collect(),
            entry: p.entry,
            auxv: Auxv {
                at_phdr: p.auxv.at_phdr,
                at_phent: p.auxv.at_phent,
                at_phnum: p.auxv.at_phnum,
                at_entry: p.auxv.at_entry,
                at_base: p.auxv.at_base,
            },
            brk_start: p.brk_start,
            interpreter: p.interpreter,
        }
    }
}
