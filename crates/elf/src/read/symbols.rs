//! `.symtab` / `.dynsym`, found through the section table (as `readelf -s` does).

#[allow(unused_imports)]
use crate::prelude::*;

use object::elf::{SectionHeader64, Sym64};

use super::{pods_at, ElfFile, Le};
use crate::error::ElfError;

const SYM_SIZE: u64 = 24;

/// Which symbol table to read: the first section of type `SHT_SYMTAB` or `SHT_DYNSYM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolTableKind {
    Symtab,
    Dynsym,
}

/// One symbol. `kind`, `binding` and `visibility` are the raw `STT_*`, `STB_*`, `STV_*`
/// values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub value: u64,
    pub size: u64,
    pub kind: u8,
    pub binding: u8,
    pub visibility: u8,
    pub shndx: u16,
}

/// A located symbol table: its entries, its section header and that header's file offset.
struct Table<'data> {
    syms: &'data [Sym64<Le>],
    section: &'data SectionHeader64<Le>,
    shdr_offset: u64,
}

impl<'data> ElfFile<'data> {
    fn symbol_table(&self, which: SymbolTableKind) -> Result<Option<Table<'data>>, ElfError> {
        let wanted = match which {
            SymbolTableKind::Symtab => object::elf::SHT_SYMTAB,
            SymbolTableKind::Dynsym => object::elf::SHT_DYNSYM,
        };
        let e = Le::default();
        let sections = self.raw_sections()?;
        let Some((index, section)) = sections
            .iter()
            .enumerate()
            .find(|(_, s)| s.sh_type.get(e) == wanted)
        else {
            return Ok(None);
        };
        let shdr_offset = self.shdr_offset(index);
        let entsize = section.sh_entsize.get(e);
        if entsize != SYM_SIZE {
            return Err(ElfError::malformed(
                shdr_offset,
                format!("symbol table sh_entsize is {entsize}, expected {SYM_SIZE}"),
            ));
        }
        let size = section.sh_size.get(e);
        if size % SYM_SIZE != 0 {
            return Err(ElfError::malformed(
                shdr_offset,
                format!("symbol table size {size:#x} is not a multiple of {SYM_SIZE}"),
            ));
        }
        let syms = pods_at(
            self.data(),
            section.sh_offset.get(e),
            size / SYM_SIZE,
            "symbol table",
        )?;
        Ok(Some(Table {
            syms,
            section,
            shdr_offset,
        }))
    }

    /// The number of entries (including the null symbol, as `readelf` counts), without
    /// touching the string table. 0 when the table is absent.
    pub fn symbol_count(&self, which: SymbolTableKind) -> Result<usize, ElfError> {
        Ok(self.symbol_table(which)?.map_or(0, |t| t.syms.len()))
    }

    /// Every entry of the table, names resolved through its `sh_link` string table; empty
    /// when the table is absent.
    pub fn symbols(&self, which: SymbolTableKind) -> Result<Vec<Symbol>, ElfError> {
        let Some(table) = self.symbol_table(which)? else {
            return Ok(Vec::new());
        };
        let e = Le::default();
        let link = table.section.sh_link.get(e);
        let (strtab, strtab_offset) =
            self.section_bytes(link, table.shdr_offset, "symbol string table")?;
        let sym_base = table.section.sh_offset.get(e);
        // Bounded by the file size: the entries were checked to lie inside it.
        let mut out = Vec::with_capacity(table.syms.len());
        for (i, sym) in table.syms.iter().enumerate() {
            let at = sym_base.saturating_add((i as u64).saturating_mul(SYM_SIZE));
            let name =
                super::string_at(strtab, strtab_offset, sym.st_name.get(e), at, "symbol name")?;
            out.push(Symbol {
                name,
                value: sym.st_value.get(e),
                size: sym.st_size.get(e),
                kind: sym.st_info.st_type().0,
                binding: sym.st_info.st_bind().0,
                visibility: sym.st_other.visibility().0,
                shndx: sym.st_shndx.get(e).0,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ElfErrorKind;
    use crate::write::{write_elf, SectionSpec, WriteSpec};

    fn sym(name: u32, info: u8, value: u64) -> Vec<u8> {
        let mut v = name.to_le_bytes().to_vec();
        v.extend([info, 2, 1, 0]); // st_info, st_other (STV_HIDDEN), st_shndx = 1
        v.extend(value.to_le_bytes());
        v.extend(8u64.to_le_bytes());
        v
    }

    /// Sections: 1 .strtab, 2 .symtab (null symbol + "main"); returns the bytes and the
    /// .symtab section header's offset.
    fn file() -> (Vec<u8>, usize) {
        let mut data = sym(0, 0, 0);
        data.extend(sym(1, 0x12, 0x401000)); // STB_GLOBAL | STT_FUNC
        let sections = vec![
            SectionSpec {
                name: ".strtab".into(),
                sh_type: 3,
                sh_flags: 0,
                align: 1,
                data: b"\0main\0".to_vec(),
            },
            SectionSpec {
                name: ".symtab".into(),
                sh_type: 2,
                sh_flags: 0,
                align: 8,
                data,
            },
        ];
        let mut bytes = write_elf(&WriteSpec {
            sections,
            ..WriteSpec::default()
        })
        .unwrap();
        let shoff = u64::from_le_bytes(bytes[40..48].try_into().unwrap()) as usize;
        let symtab = shoff + 2 * 64;
        // The writer leaves sh_link and sh_entsize 0; a real symbol table needs them.
        bytes[symtab + 40..symtab + 44].copy_from_slice(&1u32.to_le_bytes());
        bytes[symtab + 56..symtab + 64].copy_from_slice(&24u64.to_le_bytes());
        (bytes, symtab)
    }

    #[test]
    fn reads_symbols_and_counts() {
        let (bytes, _) = file();
        let elf = ElfFile::parse(&bytes).unwrap();
        assert_eq!(elf.symbol_count(SymbolTableKind::Symtab), Ok(2));
        assert_eq!(elf.symbol_count(SymbolTableKind::Dynsym), Ok(0));
        assert_eq!(elf.symbols(SymbolTableKind::Dynsym), Ok(vec![]));
        let syms = elf.symbols(SymbolTableKind::Symtab).unwrap();
        assert_eq!(
            syms[1],
            Symbol {
                name: "main".into(),
                value: 0x401000,
                size: 8,
                kind: 2,
                binding: 1,
                visibility: 2,
                shndx: 1
            }
        );
        assert_eq!(syms[0].name, "");
    }

    #[test]
    fn bad_tables_are_reported() {
        let kind_at = |bytes: &[u8]| {
            let e = ElfFile::parse(bytes)
                .unwrap()
                .symbols(SymbolTableKind::Symtab)
                .unwrap_err();
            (e.kind, e.offset)
        };
        let (mut b, symtab) = file();
        b[symtab + 56] = 16; // sh_entsize
        assert_eq!(kind_at(&b), (ElfErrorKind::Malformed, symtab as u64));
        // The count does not need names, so a bad string table does not affect it.
        let (mut b, symtab) = file();
        b[symtab + 40] = 7; // sh_link past the table
        assert_eq!(kind_at(&b), (ElfErrorKind::Malformed, symtab as u64));
        assert_eq!(
            ElfFile::parse(&b)
                .unwrap()
                .symbol_count(SymbolTableKind::Symtab),
            Ok(2)
        );
        let (mut b, symtab) = file();
        b[symtab + 32] = 47; // sh_size not a multiple of 24
        assert_eq!(kind_at(&b), (ElfErrorKind::Malformed, symtab as u64));
        let (mut b, symtab) = file();
        let sym1 =
            u64::from_le_bytes(b[symtab + 24..symtab + 32].try_into().unwrap()) as usize + 24;
        b[sym1] = 9; // st_name past the string table
        assert_eq!(kind_at(&b), (ElfErrorKind::Malformed, sym1 as u64));
    }
}
