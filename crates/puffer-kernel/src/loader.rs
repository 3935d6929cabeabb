//! The ELF loader (Linux's `load_elf_binary`): checks that a file is a static x86-64
//! executable, maps its PT_LOAD segments as private file mappings (paged in on first
//! touch), sets up brk and the stack, and lays out argc/argv/envp/auxv exactly as
//! Linux's `create_elf_tables` does with ASLR off.

use crate::errno::Errno;
use crate::mm::pagecache::PageCache;
use crate::mm::{page_down, page_up, AddressSpace, Backing, Prot, Vma, ET_DYN_BASE, STACK_TOP};
use crate::vfs::{File, FileKind, FileRef};
use goblin::elf::{header, program_header, Elf};
use puffer_mmu::{Mmu, PageFault, PfCode, VirtAddr};
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// Why a program could not be loaded. `puffer run` prints it; execve maps it to an errno.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    NotFound(String),
    Io(String, Errno),
    NotElf,
    NotX86_64(String),
    Dynamic(String),
    Corrupt(String),
    NoMemory,
    TooBig,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotFound(p) => write!(f, "{p}: no such file"),
            LoadError::Io(p, e) => write!(f, "{p}: {}", e.text()),
            LoadError::NotElf => write!(f, "not an ELF file"),
            LoadError::NotX86_64(what) => write!(f, "not an x86-64 executable ({what})"),
            LoadError::Dynamic(interp) => write!(
                f,
                "dynamically linked (needs the interpreter {interp}); puffer runs static programs: link with -static"
            ),
            LoadError::Corrupt(why) => write!(f, "truncated or corrupt ELF: {why}"),
            LoadError::NoMemory => write!(f, "out of guest memory while loading"),
            LoadError::TooBig => write!(f, "argument list too long"),
        }
    }
}

impl LoadError {
    pub fn errno(&self) -> Errno {
        match self {
            LoadError::NotFound(_) => Errno::ENOENT,
            LoadError::Io(_, e) => *e,
            LoadError::NoMemory => Errno::ENOMEM,
            LoadError::TooBig => Errno::E2BIG,
            _ => Errno::ENOEXEC,
        }
    }
}

/// The result of loading: a complete new address space, and where to start.
pub struct Image {
    pub mm: AddressSpace,
    pub entry: u64,
    pub sp: u64,
}

pub const AT_NULL: u64 = 0;
pub const AT_PHDR: u64 = 3;
pub const AT_PHENT: u64 = 4;
pub const AT_PHNUM: u64 = 5;
pub const AT_PAGESZ: u64 = 6;
pub const AT_BASE: u64 = 7;
pub const AT_FLAGS: u64 = 8;
pub const AT_ENTRY: u64 = 9;
pub const AT_UID: u64 = 11;
pub const AT_EUID: u64 = 12;
pub const AT_GID: u64 = 13;
pub const AT_EGID: u64 = 14;
pub const AT_PLATFORM: u64 = 15;
pub const AT_HWCAP: u64 = 16;
pub const AT_CLKTCK: u64 = 17;
pub const AT_SECURE: u64 = 23;
pub const AT_RANDOM: u64 = 25;
pub const AT_HWCAP2: u64 = 26;
pub const AT_EXECFN: u64 = 31;

/// Who is being started: credentials and the CPUID-derived hardware capabilities.
pub struct ExecParams<'a> {
    pub argv: &'a [Vec<u8>],
    pub envp: &'a [Vec<u8>],
    /// The path as the caller gave it (AT_EXECFN).
    pub execfn: &'a [u8],
    pub hwcap: u64,
    pub uid: u32,
    pub gid: u32,
}

/// The most of a file's start read to find its ELF and program headers.
const HEAD_MAX: usize = 1 << 20;

/// The start of an image file: enough for the ELF header, the program header table
/// and a `#!` line. exec reads no more — the segments come in page by page through
/// the page cache — so exec'ing a large binary costs the same as a small one.
pub fn read_head(f: &std::fs::File) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut head = vec![0u8; 4096];
    let n = read_full_at(f, &mut head, 0)?;
    head.truncate(n);
    if head.len() >= 64 && head.starts_with(b"\x7fELF") {
        let phoff = u64::from_le_bytes(head[32..40].try_into().unwrap_or_default());
        let phnum = u16::from_le_bytes([head[56], head[57]]) as u64;
        let phentsize = u16::from_le_bytes([head[54], head[55]]) as u64;
        let want = phoff.saturating_add(phnum * phentsize).min(HEAD_MAX as u64) as usize;
        if want > head.len() && n == 4096 {
            let old = head.len();
            head.resize(want, 0);
            let m = read_full_at(f, &mut head[old..], old as u64)?;
            head.truncate(old + m);
        }
    }
    fn read_full_at(f: &std::fs::File, buf: &mut [u8], off: u64) -> std::io::Result<usize> {
        let mut done = 0;
        while done < buf.len() {
            match f.read_at(&mut buf[done..], off + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }
    Ok(head)
}

/// Check the ELF header and program headers without loading anything. `head` is
/// the start of the file (see [`read_head`]), `file_len` its whole length. Only
/// what the kernel's loader reads is checked (as Linux's binfmt_elf): section
/// headers and symbols may be anything.
pub fn check(head: &[u8], file_len: u64) -> Result<Elf<'_>, LoadError> {
    let bytes = head;
    if bytes.len() < 4 || &bytes[..4] != b"\x7fELF" {
        return Err(LoadError::NotElf);
    }
    if bytes.len() < 64 {
        return Err(LoadError::Corrupt("header truncated".into()));
    }
    if bytes[4] != header::ELFCLASS64 {
        return Err(LoadError::NotX86_64("32-bit ELF".into()));
    }
    if bytes[5] != header::ELFDATA2LSB {
        return Err(LoadError::NotX86_64("big-endian ELF".into()));
    }
    let hdr = Elf::parse_header(bytes).map_err(|e| LoadError::Corrupt(e.to_string()))?;
    let mut elf = Elf::lazy_parse(hdr).map_err(|e| LoadError::Corrupt(e.to_string()))?;
    if elf.header.e_phnum > 0 {
        if elf.header.e_phentsize as usize != program_header::program_header64::SIZEOF_PHDR {
            return Err(LoadError::Corrupt("bad program header size".into()));
        }
        let end = elf.header.e_phoff.checked_add(
            elf.header.e_phnum as u64 * program_header::program_header64::SIZEOF_PHDR as u64,
        );
        if end.is_none_or(|e| e > bytes.len() as u64) {
            return Err(LoadError::Corrupt(
                "program headers extend past the end of the file".into(),
            ));
        }
        elf.program_headers = program_header::ProgramHeader::parse(
            bytes,
            elf.header.e_phoff as usize,
            elf.header.e_phnum as usize,
            goblin::container::Ctx::new(
                goblin::container::Container::Big,
                goblin::container::Endian::Little,
            ),
        )
        .map_err(|e| LoadError::Corrupt(e.to_string()))?;
    }
    if elf.header.e_machine != header::EM_X86_64 {
        return Err(LoadError::NotX86_64(format!(
            "machine {}",
            header::machine_to_str(elf.header.e_machine)
        )));
    }
    match elf.header.e_type {
        header::ET_EXEC | header::ET_DYN => {}
        t => {
            return Err(LoadError::NotX86_64(format!(
                "ELF type {}",
                header::et_to_str(t)
            )))
        }
    }
    if let Some(interp) = elf
        .program_headers
        .iter()
        .find(|p| p.p_type == program_header::PT_INTERP)
    {
        let s = interp.p_offset as usize;
        let e = s.saturating_add(interp.p_filesz as usize).min(bytes.len());
        let name = bytes.get(s..e).map(|b| {
            String::from_utf8_lossy(b)
                .trim_end_matches('\0')
                .to_string()
        });
        return Err(LoadError::Dynamic(name.unwrap_or_default()));
    }
    let loads: Vec<_> = elf
        .program_headers
        .iter()
        .filter(|p| p.p_type == program_header::PT_LOAD)
        .collect();
    if loads.is_empty() {
        return Err(LoadError::Corrupt("no PT_LOAD segment".into()));
    }
    for p in &loads {
        if p.p_offset
            .checked_add(p.p_filesz)
            .is_none_or(|end| end > file_len)
        {
            return Err(LoadError::Corrupt(
                "segment extends past the end of the file".into(),
            ));
        }
        if p.p_filesz > p.p_memsz {
            return Err(LoadError::Corrupt(
                "segment file size exceeds its memory size".into(),
            ));
        }
        if p.p_align > 1 && (p.p_vaddr % 4096) != (p.p_offset % 4096) {
            return Err(LoadError::Corrupt(
                "segment offset and address are not congruent".into(),
            ));
        }
        if p.p_vaddr
            .checked_add(p.p_memsz)
            .is_none_or(|e| e > crate::mm::TASK_SIZE)
        {
            return Err(LoadError::Corrupt(
                "segment outside the user address space".into(),
            ));
        }
    }
    Ok(elf)
}

/// Load `file` (which starts with `head` and is `file_len` bytes long) into a fresh
/// address space.
pub fn load(
    mmu: &mut Mmu,
    file: FileRef,
    head: &[u8],
    file_len: u64,
    path: &str,
    p: &ExecParams,
    page_cache: &Rc<RefCell<PageCache>>,
) -> Result<Image, LoadError> {
    let elf = check(head, file_len)?;
    let mut mm = AddressSpace::new(mmu).map_err(|_| LoadError::NoMemory)?;
    // Program text comes through the page cache: one frame per page however many
    // processes run the binary (mm/pagecache.rs).
    mm.page_cache = Some(page_cache.clone());
    match build(mmu, &mut mm, &elf, file, path, p) {
        Ok((entry, sp)) => Ok(Image { mm, entry, sp }),
        Err(e) => {
            mm.destroy(mmu);
            Err(e)
        }
    }
}

fn build(
    mmu: &mut Mmu,
    mm: &mut AddressSpace,
    elf: &Elf,
    file: FileRef,
    path: &str,
    p: &ExecParams,
) -> Result<(u64, u64), LoadError> {
    let bias = if elf.header.e_type == header::ET_DYN {
        ET_DYN_BASE
    } else {
        0
    };
    let mut brk = 0u64;
    let mut phdr_addr = 0u64;
    for ph in elf
        .program_headers
        .iter()
        .filter(|p| p.p_type == program_header::PT_LOAD)
    {
        let va = bias + ph.p_vaddr;
        let mut prot = Prot::empty();
        if ph.is_read() {
            prot |= Prot::READ;
        }
        if ph.is_write() {
            prot |= Prot::WRITE;
        }
        if ph.is_executable() {
            prot |= Prot::EXEC;
        }
        let start = page_down(va);
        let file_end = va + ph.p_filesz;
        let mem_end = va + ph.p_memsz;
        let file_map_end = page_up(file_end).max(start);
        if file_map_end > start {
            mm.unmap_range(mmu, start, file_map_end);
            mm.insert(Vma {
                start,
                end: file_map_end,
                prot,
                shared: false,
                backing: Backing::File {
                    file: file.clone(),
                    offset: page_down(ph.p_offset),
                    file_end,
                },
                grows_down: false,
                name: path.to_owned(),
            });
        }
        if page_up(mem_end) > file_map_end {
            mm.unmap_range(mmu, file_map_end, page_up(mem_end));
            mm.insert(Vma {
                start: file_map_end,
                end: page_up(mem_end),
                prot,
                shared: false,
                backing: Backing::Anon,
                grows_down: false,
                name: String::new(),
            });
        }
        if ph.p_offset <= elf.header.e_phoff && elf.header.e_phoff < ph.p_offset + ph.p_filesz {
            phdr_addr = va + (elf.header.e_phoff - ph.p_offset);
        }
        brk = brk.max(mem_end);
    }
    if let Some(ph) = elf
        .program_headers
        .iter()
        .find(|p| p.p_type == program_header::PT_PHDR)
    {
        phdr_addr = bias + ph.p_vaddr;
    }
    mm.brk_start = page_up(brk);
    mm.brk = mm.brk_start;
    mm.exe = path.to_owned();

    // The stack: 128 KiB to start with, growing down on demand.
    let stack_start = STACK_TOP - 0x21000;
    mm.insert(Vma {
        start: stack_start,
        end: STACK_TOP,
        prot: Prot::READ | Prot::WRITE,
        shared: false,
        backing: Backing::Anon,
        grows_down: true,
        name: "[stack]".into(),
    });

    let entry = bias + elf.header.e_entry;
    let sp = initial_stack(
        mmu,
        mm,
        p,
        entry,
        phdr_addr,
        elf.header.e_phnum as u64,
        elf.header.e_phentsize as u64,
    )?;
    Ok((entry, sp))
}

/// Lay out the initial stack as Linux's `copy_strings` + `create_elf_tables` do.
fn initial_stack(
    mmu: &mut Mmu,
    mm: &mut AddressSpace,
    p: &ExecParams,
    entry: u64,
    phdr: u64,
    phnum: u64,
    phent: u64,
) -> Result<u64, LoadError> {
    // Strings: execfn highest, then envp (last highest), then argv below them.
    let strings: usize = p
        .argv
        .iter()
        .chain(p.envp.iter())
        .map(|s| s.len() + 1)
        .sum::<usize>()
        + p.execfn.len()
        + 1;
    // Linux allows a quarter of the stack limit for strings.
    if strings > (crate::mm::STACK_LIMIT / 4) as usize {
        return Err(LoadError::TooBig);
    }
    let mut sp = STACK_TOP - 8;
    let put =
        |mm: &mut AddressSpace, mmu: &mut Mmu, sp: &mut u64, s: &[u8]| -> Result<u64, LoadError> {
            *sp -= s.len() as u64 + 1;
            let mut b = s.to_vec();
            b.push(0);
            poke(mmu, mm, *sp, &b)?;
            Ok(*sp)
        };
    let execfn = put(mm, mmu, &mut sp, p.execfn)?;
    let mut envp_addrs = vec![0; p.envp.len()];
    for (i, s) in p.envp.iter().enumerate().rev() {
        envp_addrs[i] = put(mm, mmu, &mut sp, s)?;
    }
    let mut argv_addrs = vec![0; p.argv.len()];
    for (i, s) in p.argv.iter().enumerate().rev() {
        argv_addrs[i] = put(mm, mmu, &mut sp, s)?;
    }
    mm.arg_start = argv_addrs.first().copied().unwrap_or(sp);
    mm.arg_end = envp_addrs.first().copied().unwrap_or(execfn);
    mm.env_start = mm.arg_end;
    mm.env_end = execfn;

    sp &= !0xf;
    let platform = put(mm, mmu, &mut sp, b"x86_64")?;
    sp -= 16;
    let mut rnd = [0u8; 16];
    crate::random::fill(&mut rnd);
    poke(mmu, mm, sp, &rnd)?;
    let random = sp;

    let aux: Vec<(u64, u64)> = vec![
        (AT_HWCAP, p.hwcap),
        (AT_PAGESZ, 4096),
        (AT_CLKTCK, 100),
        (AT_PHDR, phdr),
        (AT_PHENT, phent),
        (AT_PHNUM, phnum),
        (AT_BASE, 0),
        (AT_FLAGS, 0),
        (AT_ENTRY, entry),
        (AT_UID, p.uid as u64),
        (AT_EUID, p.uid as u64),
        (AT_GID, p.gid as u64),
        (AT_EGID, p.gid as u64),
        (AT_SECURE, 0),
        (AT_RANDOM, random),
        (AT_EXECFN, execfn),
        (AT_PLATFORM, platform),
        (AT_NULL, 0),
    ];
    let items = (p.argv.len() + 1) + (p.envp.len() + 1) + 1;
    let sp = (sp - (aux.len() as u64 * 16) - items as u64 * 8) & !15;
    let mut table: Vec<u64> = Vec::with_capacity(items + aux.len() * 2);
    table.push(p.argv.len() as u64);
    table.extend(&argv_addrs);
    table.push(0);
    table.extend(&envp_addrs);
    table.push(0);
    for (k, v) in aux {
        table.push(k);
        table.push(v);
    }
    let bytes: Vec<u8> = table.iter().flat_map(|v| v.to_le_bytes()).collect();
    poke(mmu, mm, sp, &bytes)?;
    Ok(sp)
}

/// Write into an address space that need not be the current one, faulting pages in.
pub fn poke(mmu: &mut Mmu, mm: &mut AddressSpace, va: u64, bytes: &[u8]) -> Result<(), LoadError> {
    let mut done = 0;
    while done < bytes.len() {
        let a = va + done as u64;
        let n = ((4096 - (a & 0xfff)) as usize).min(bytes.len() - done);
        let pte = match mmu.lookup(mm.root, VirtAddr(a & !0xfff)) {
            Some(p) => p,
            None => {
                let pf = PageFault::new(VirtAddr(a), PfCode::USER | PfCode::WRITE);
                match mm.handle_fault(mmu, pf) {
                    crate::mm::FaultOutcome::Paged => {}
                    _ => return Err(LoadError::NoMemory),
                }
                mmu.lookup(mm.root, VirtAddr(a & !0xfff))
                    .ok_or(LoadError::NoMemory)?
            }
        };
        let off = (a & 0xfff) as usize;
        mmu.phys.frame_mut(pte.pfn())[off..off + n].copy_from_slice(&bytes[done..done + n]);
        done += n;
    }
    Ok(())
}

/// Open a host file for loading: its start (see [`read_head`]), its length, and a
/// description for paging.
pub fn open_image(
    host: &std::path::Path,
    guest: &str,
) -> Result<(FileRef, Vec<u8>, u64), LoadError> {
    let f = std::fs::File::open(host).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound(guest.to_owned()),
        _ => LoadError::Io(guest.to_owned(), e.into()),
    })?;
    let md = f
        .metadata()
        .map_err(|e| LoadError::Io(guest.to_owned(), e.into()))?;
    if md.is_dir() {
        return Err(LoadError::Io(guest.to_owned(), Errno::EACCES));
    }
    let head = read_head(&f).map_err(|e| LoadError::Io(guest.to_owned(), e.into()))?;
    Ok((File::new(FileKind::Host(f), 0, guest), head, md.len()))
}
