//! `puffer run --gdb HOST:PORT`: wait for gdb and serve the GDB remote protocol
//! (through the `gdbstub` crate) for the guest, like qemu-user's `-g`.
//!
//! gdb sees the first process and its threads (gdbstub's multi-thread target: `info
//! threads`, `thread N`, per-thread registers and stop reasons); processes it forks
//! run on undebugged. Registers: the general ones, RIP, RFLAGS, the x87 stack, XMM,
//! `orig_rax` and fs_base/gs_base (gdb's x86-64 GNU/Linux description, see
//! gdb_arch.rs); memory goes through the MMU in the process's address space. While
//! gdb is attached the guest runs one instruction per scheduler step, so a software
//! breakpoint (kept in a set, never written into guest memory) stops before the
//! instruction at its address, in whichever thread reaches it. A single-step runs
//! the stepped thread's next instruction. Fatal signals stop with the signal (the
//! faulting instruction not executed); continuing lets the default action happen,
//! and the guest's end is reported as `W` (exit code) or `X` (signal).

use crate::gdb_arch::{Regs, X86_64Linux};
use gdbstub::common::{Signal, Tid};
use gdbstub::conn::{Connection, ConnectionExt};
use gdbstub::stub::run_blocking::{self, BlockingEventLoop};
use gdbstub::stub::{DisconnectReason, GdbStub, MultiThreadStopReason};
use gdbstub::target::ext::base::multithread::{
    MultiThreadBase, MultiThreadResume, MultiThreadResumeOps, MultiThreadSchedulerLocking,
    MultiThreadSchedulerLockingOps, MultiThreadSingleStep, MultiThreadSingleStepOps,
};
use gdbstub::target::ext::base::BaseOps;
use gdbstub::target::ext::breakpoints::{
    Breakpoints, BreakpointsOps, SwBreakpoint, SwBreakpointOps,
};
use gdbstub::target::{Target, TargetError, TargetResult};
use puffer_cpu::{reg, Trap};
use puffer_kernel::debug::DebugEvent;
use puffer_kernel::task::Pid;
use puffer_kernel::{ExitStatus, Kernel};
use std::collections::BTreeSet;
use std::net::TcpListener;

/// The debugged machine: the first process, whose threads gdb sees.
pub struct Debuggee<'k> {
    kernel: &'k mut Kernel,
    /// The process gdb follows (its children run, but are not debugged).
    pid: Pid,
    breakpoints: BTreeSet<u64>,
    /// The thread gdb asked to single-step; None: continue.
    step: Option<Pid>,
    /// Scheduler locking: only the threads gdb resumed may run (`locked`).
    locked: bool,
    resumed: Vec<Pid>,
    /// A fatal signal reported to gdb and not yet delivered, and its thread.
    pending: Option<(Pid, Trap)>,
    /// The guest's end, once it happened.
    pub exit: Option<ExitStatus>,
}

type Stop = MultiThreadStopReason<u64>;

// gdb's register order: RAX, RBX, RCX, RDX, RSI, RDI, RBP, RSP, R8-R15.
const GDB_ORDER: [usize; 16] = reg::DISPLAY_ORDER;

fn gdb_signal(sig: i32) -> Signal {
    Signal(sig as u8)
}

fn pid_of(tid: Tid) -> Pid {
    Pid(tid.get() as i32)
}

fn tid_of(p: Pid) -> Option<Tid> {
    Tid::new(p.0 as usize)
}

impl Target for Debuggee<'_> {
    type Arch = X86_64Linux;
    type Error = String;

    fn base_ops(&mut self) -> BaseOps<'_, Self::Arch, Self::Error> {
        BaseOps::MultiThread(self)
    }

    fn support_breakpoints(&mut self) -> Option<BreakpointsOps<'_, Self>> {
        Some(self)
    }
}

impl MultiThreadBase for Debuggee<'_> {
    fn read_registers(&mut self, regs: &mut Regs, tid: Tid) -> TargetResult<(), Self> {
        let s = self
            .kernel
            .debug_regs(pid_of(tid))
            .ok_or(TargetError::Errno(3))?;
        let c = &mut regs.core;
        for (i, &r) in GDB_ORDER.iter().enumerate() {
            c.regs[i] = s.gpr[r];
        }
        c.rip = s.rip;
        c.eflags = s.rflags() as u32;
        c.segments.cs = 0x33;
        c.segments.ss = 0x2b;
        c.xmm = s.xmm;
        c.mxcsr = s.mxcsr;
        let top = s.x87.top as usize;
        for i in 0..8 {
            let raw = s.x87.regs[(top + i) % 8];
            c.st[i].copy_from_slice(&raw.to_le_bytes()[..10]);
        }
        c.fpu.fctrl = s.x87.fcw as u32;
        c.fpu.fstat = puffer_cpu::fpu::status_word(&s.x87) as u32;
        regs.orig_rax = u64::MAX;
        regs.fs_base = s.fs_base;
        regs.gs_base = s.gs_base;
        Ok(())
    }

    fn write_registers(&mut self, regs: &Regs, tid: Tid) -> TargetResult<(), Self> {
        let ok = self.kernel.debug_set_regs(pid_of(tid), |s| {
            let c = &regs.core;
            for (i, &r) in GDB_ORDER.iter().enumerate() {
                s.gpr[r] = c.regs[i];
            }
            s.rip = c.rip;
            s.set_rflags(c.eflags as u64);
            s.xmm = c.xmm;
            s.mxcsr = c.mxcsr;
            s.fs_base = regs.fs_base;
            s.gs_base = regs.gs_base;
        });
        if ok {
            Ok(())
        } else {
            Err(TargetError::Errno(3))
        }
    }

    fn read_addrs(&mut self, start: u64, data: &mut [u8], _tid: Tid) -> TargetResult<usize, Self> {
        // Every thread of the process shares the address space on the CPU (gdb only
        // ever stops in the debugged process). Byte by byte past the first failure,
        // so a read running into an unmapped page returns what is readable.
        if self.kernel.debug_read(start, data).is_ok() {
            return Ok(data.len());
        }
        for (i, b) in data.iter_mut().enumerate() {
            let mut one = [0u8];
            if self
                .kernel
                .debug_read(start.wrapping_add(i as u64), &mut one)
                .is_err()
            {
                return if i == 0 {
                    Err(TargetError::Errno(14))
                } else {
                    Ok(i)
                };
            }
            *b = one[0];
        }
        Ok(data.len())
    }

    fn write_addrs(&mut self, start: u64, data: &[u8], _tid: Tid) -> TargetResult<(), Self> {
        // Through the MMU's write path: a store to a page with decoded code drops its
        // blocks before the next instruction.
        self.kernel
            .debug_write(start, data)
            .map_err(|_| TargetError::Errno(14))
    }

    fn list_active_threads(
        &mut self,
        thread_is_active: &mut dyn FnMut(Tid),
    ) -> Result<(), Self::Error> {
        for t in self.kernel.debug_threads(self.pid) {
            if let Some(tid) = tid_of(t) {
                thread_is_active(tid);
            }
        }
        Ok(())
    }

    fn support_resume(&mut self) -> Option<MultiThreadResumeOps<'_, Self>> {
        Some(self)
    }
}

impl MultiThreadResume for Debuggee<'_> {
    fn resume(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }

    fn clear_resume_actions(&mut self) -> Result<(), Self::Error> {
        self.step = None;
        self.locked = false;
        self.resumed.clear();
        Ok(())
    }

    fn set_resume_action_continue(
        &mut self,
        tid: Tid,
        _signal: Option<Signal>,
    ) -> Result<(), Self::Error> {
        self.resumed.push(pid_of(tid));
        Ok(())
    }

    fn support_single_step(&mut self) -> Option<MultiThreadSingleStepOps<'_, Self>> {
        Some(self)
    }

    fn support_scheduler_locking(&mut self) -> Option<MultiThreadSchedulerLockingOps<'_, Self>> {
        Some(self)
    }
}

impl MultiThreadSchedulerLocking for Debuggee<'_> {
    fn set_resume_action_scheduler_lock(&mut self) -> Result<(), Self::Error> {
        self.locked = true;
        Ok(())
    }
}

impl MultiThreadSingleStep for Debuggee<'_> {
    fn set_resume_action_step(
        &mut self,
        tid: Tid,
        _signal: Option<Signal>,
    ) -> Result<(), Self::Error> {
        self.step = Some(pid_of(tid));
        self.resumed.push(pid_of(tid));
        Ok(())
    }
}

impl Breakpoints for Debuggee<'_> {
    fn support_sw_breakpoint(&mut self) -> Option<SwBreakpointOps<'_, Self>> {
        Some(self)
    }
}

impl SwBreakpoint for Debuggee<'_> {
    fn add_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        self.breakpoints.insert(addr);
        Ok(true)
    }

    fn remove_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        Ok(self.breakpoints.remove(&addr))
    }
}

/// What running the guest one instruction ended with.
enum Ran {
    Stop(Stop),
    /// The thread with this ID executed an instruction.
    Nothing(Pid, Pid),
}

impl Debuggee<'_> {
    fn exited(&mut self, st: ExitStatus) -> Ran {
        self.exit = Some(st);
        Ran::Stop(match st {
            ExitStatus::Exited(c) => MultiThreadStopReason::Exited(c as u8),
            ExitStatus::Signaled { sig, .. } => MultiThreadStopReason::Terminated(gdb_signal(sig)),
        })
    }

    /// Execute one instruction of whichever task the scheduler runs (or deliver a
    /// pending signal). A fatal signal stops the debugger only in the debugged
    /// process; its children's take effect at once.
    fn step_one(&mut self) -> Ran {
        if let Some(st) = self.exit {
            return self.exited(st);
        }
        let ev = match self.pending.take() {
            Some((t, trap)) => {
                // The trap is that thread's: it must be the one on the CPU.
                self.kernel.debug_prefer(t);
                self.kernel.debug_deliver(trap)
            }
            None => self.kernel.debug_step(1),
        };
        let (pid, tid) = self.kernel.current_ids();
        match ev {
            DebugEvent::Ran => Ran::Nothing(pid, tid),
            DebugEvent::Exited(st) => self.exited(st),
            DebugEvent::Signal { sig, trap } if pid == self.pid => {
                self.pending = Some((tid, trap));
                match tid_of(tid) {
                    Some(t) => Ran::Stop(MultiThreadStopReason::SignalWithThread {
                        tid: t,
                        signal: gdb_signal(sig),
                    }),
                    None => Ran::Stop(MultiThreadStopReason::Signal(gdb_signal(sig))),
                }
            }
            DebugEvent::Signal { trap, .. } => match self.kernel.debug_deliver(trap) {
                DebugEvent::Exited(st) => self.exited(st),
                _ => Ran::Nothing(pid, tid),
            },
        }
    }

    /// Run up to `n` instructions: until the stepped thread has executed one, or,
    /// continuing, until a thread of the debugged process reaches a breakpoint.
    fn run(&mut self, n: usize) -> Option<Stop> {
        for _ in 0..n {
            // The stepped thread runs next if it can. With scheduler locking only the
            // resumed threads run while one of them can; when none can (asleep in a
            // syscall) the others run until it wakes, as puffer's kernel has no way
            // to keep them frozen then.
            if let Some(want) = self.step {
                self.kernel.debug_prefer(want);
            } else if self.locked {
                let r = self.resumed.clone();
                r.iter().any(|&t| self.kernel.debug_prefer(t));
            }
            let (pid, tid) = match self.step_one() {
                Ran::Stop(r) => return Some(r),
                Ran::Nothing(pid, tid) => (pid, tid),
            };
            if let Some(want) = self.step {
                let gone = !self.kernel.debug_threads(self.pid).contains(&want);
                if tid == want || gone {
                    let t = tid_of(if gone { tid } else { want })?;
                    return Some(MultiThreadStopReason::SignalWithThread {
                        tid: t,
                        signal: Signal::SIGTRAP,
                    });
                }
                continue;
            }
            if pid == self.pid && self.breakpoints.contains(&self.kernel.cpu.state.rip) {
                return tid_of(tid).map(MultiThreadStopReason::SwBreak);
            }
        }
        None
    }
}

enum EventLoop<'k> {
    #[allow(dead_code)]
    Never(std::marker::PhantomData<&'k ()>),
}

impl<'k> BlockingEventLoop for EventLoop<'k> {
    type Target = Debuggee<'k>;
    type Connection = std::net::TcpStream;
    type StopReason = Stop;

    fn wait_for_stop_reason(
        target: &mut Self::Target,
        conn: &mut Self::Connection,
    ) -> Result<
        run_blocking::Event<Self::StopReason>,
        run_blocking::WaitForStopReasonError<
            <Self::Target as Target>::Error,
            <Self::Connection as Connection>::Error,
        >,
    > {
        loop {
            if let Some(r) = target.run(4096) {
                return Ok(run_blocking::Event::TargetStopped(r));
            }
            // Between chunks, see whether gdb sent something (^C).
            if conn
                .peek()
                .map_err(run_blocking::WaitForStopReasonError::Connection)?
                .is_some()
            {
                let b = conn
                    .read()
                    .map_err(run_blocking::WaitForStopReasonError::Connection)?;
                return Ok(run_blocking::Event::IncomingData(b));
            }
        }
    }

    fn on_interrupt(
        target: &mut Self::Target,
    ) -> Result<Option<Self::StopReason>, <Self::Target as Target>::Error> {
        let (_, tid) = target.kernel.current_ids();
        Ok(Some(match tid_of(tid) {
            Some(t) => MultiThreadStopReason::SignalWithThread {
                tid: t,
                signal: Signal::SIGINT,
            },
            None => MultiThreadStopReason::Signal(Signal::SIGINT),
        }))
    }
}

/// Wait for gdb on `addr`, then run the guest under its control. Returns the guest's
/// exit status, or `None` if gdb detached or disconnected before the guest ended (the
/// guest then runs on freely).
pub fn serve(kernel: &mut Kernel, addr: &str) -> Result<Option<ExitStatus>, String> {
    let listener = TcpListener::bind(addr).map_err(|e| format!("--gdb {addr}: {e}"))?;
    eprintln!(
        "puffer: waiting for gdb on {}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let (stream, _) = listener.accept().map_err(|e| format!("--gdb: {e}"))?;
    let _ = stream.set_nodelay(true);
    kernel.debug_attach();
    let (pid, _) = kernel.current_ids();
    let mut target = Debuggee {
        kernel,
        pid,
        breakpoints: BTreeSet::new(),
        step: None,
        locked: false,
        resumed: Vec::new(),
        pending: None,
        exit: None,
    };
    let gdb = GdbStub::new(stream);
    match gdb.run_blocking::<EventLoop>(&mut target) {
        Ok(DisconnectReason::TargetExited(_) | DisconnectReason::TargetTerminated(_)) => {
            Ok(target.exit)
        }
        Ok(_) => {
            // Detached or disconnected: deliver what was pending and let it run.
            if let Some((t, trap)) = target.pending.take() {
                target.kernel.debug_prefer(t);
                if let DebugEvent::Exited(st) = target.kernel.debug_deliver(trap) {
                    return Ok(Some(st));
                }
            }
            Ok(target.exit)
        }
        Err(e) => Err(format!("gdb: {e}")),
    }
}
