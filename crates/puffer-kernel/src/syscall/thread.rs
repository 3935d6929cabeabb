//! Per-thread kernel state: arch_prctl (FS/GS bases), set_tid_address,
//! set_robust_list, rseq.

use super::Args;
use crate::errno::{Errno, SysResult};
use crate::Kernel;

const ARCH_SET_GS: u64 = 0x1001;
const ARCH_SET_FS: u64 = 0x1002;
const ARCH_GET_FS: u64 = 0x1003;
const ARCH_GET_GS: u64 = 0x1004;
const ARCH_GET_CPUID: u64 = 0x1011;
const ARCH_SET_CPUID: u64 = 0x1012;

pub fn sys_arch_prctl(k: &mut Kernel, a: &Args) -> SysResult {
    let canonical = |v: u64| puffer_mmu::VirtAddr(v).is_canonical() && v < crate::mm::TASK_SIZE;
    match a[0] {
        ARCH_SET_FS | ARCH_SET_GS if !canonical(a[1]) => Err(Errno::EPERM),
        ARCH_SET_FS => {
            k.cpu.state.fs_base = a[1];
            Ok(0)
        }
        ARCH_SET_GS => {
            k.cpu.state.gs_base = a[1];
            Ok(0)
        }
        ARCH_GET_FS => {
            let v = k.cpu.state.fs_base;
            k.write_u64(a[1], v)?;
            Ok(0)
        }
        ARCH_GET_GS => {
            let v = k.cpu.state.gs_base;
            k.write_u64(a[1], v)?;
            Ok(0)
        }
        // CPUID faulting is not available: CPUID always works.
        ARCH_GET_CPUID => Ok(1),
        ARCH_SET_CPUID => Err(Errno::ENODEV),
        _ => Err(Errno::EINVAL),
    }
}

pub fn sys_set_tid_address(k: &mut Kernel, a: &Args) -> SysResult {
    let t = k.current_task_mut();
    t.clear_child_tid = a[0];
    Ok(t.tid.0 as u64)
}

pub fn sys_set_robust_list(k: &mut Kernel, a: &Args) -> SysResult {
    // sizeof(struct robust_list_head) on x86-64.
    if a[1] != 24 {
        return Err(Errno::EINVAL);
    }
    k.current_task_mut().robust_list = (a[0], a[1]);
    Ok(0)
}

const RSEQ_FLAG_UNREGISTER: u64 = 1;
const RSEQ_MIN_LEN: u64 = 32;

/// rseq: register the thread's `struct rseq`. puffer has one CPU, so the kernel
/// writes cpu_id_start = cpu_id = 0 at registration and they never change; a
/// registered critical section (rseq_cs) is never interrupted by a migration.
pub fn sys_rseq(k: &mut Kernel, a: &Args) -> SysResult {
    let (ptr, len, flags, sig) = (a[0], a[1] as u32 as u64, a[2], a[3] as u32);
    if flags & RSEQ_FLAG_UNREGISTER != 0 {
        let cur = k.current_task().rseq;
        if cur.0 != ptr || len < RSEQ_MIN_LEN {
            return Err(Errno::EINVAL);
        }
        if cur.1 != sig {
            return Err(Errno::EPERM);
        }
        // cpu_id = RSEQ_CPU_ID_UNINITIALIZED
        k.write_u32(ptr + 4, (-1i32) as u32)?;
        k.current_task_mut().rseq = (0, 0);
        return Ok(0);
    }
    if flags != 0 || len < RSEQ_MIN_LEN || ptr & 31 != 0 {
        return Err(Errno::EINVAL);
    }
    let cur = k.current_task().rseq;
    if cur.0 != 0 {
        return Err(if cur.0 == ptr && cur.1 == sig {
            Errno::EBUSY
        } else {
            Errno::EINVAL
        });
    }
    k.write_u32(ptr, 0)?; // cpu_id_start
    k.write_u32(ptr + 4, 0)?; // cpu_id
    k.current_task_mut().rseq = (ptr, sig);
    Ok(0)
}
