//! `puffer run --gdb HOST:PORT`: wait for gdb and serve the GDB remote protocol
//! (through the `gdbstub` crate) for the guest, like qemu-user's `-g`.
//!
//! The debugger sees the task running on the CPU: general registers, RIP, RFLAGS,
//! the x87 stack and XMM registers (the X86_64_SSE target description; it has no
//! fs_base/gs_base, so those are not shown), and memory through the MMU in the current
//! address space. While gdb is attached the guest runs one instruction per scheduler
//! step, so a software breakpoint (kept in a set, never written into guest memory)
//! stops before the instruction at its address. Fatal signals stop with the signal
//! (the faulting instruction not executed); continuing lets the default action
//! happen, and the guest's end is reported as `W` (exit code) or `X` (signal).

use gdbstub::common::Signal;
use gdbstub::conn::{Connection, ConnectionExt};
use gdbstub::stub::run_blocking::{self, BlockingEventLoop};
use gdbstub::stub::{DisconnectReason, GdbStub, SingleThreadStopReason};
use gdbstub::target::ext::base::singlethread::{
    SingleThreadBase, SingleThreadResume, SingleThreadResumeOps, SingleThreadSingleStep,
    SingleThreadSingleStepOps,
};
use gdbstub::target::ext::base::BaseOps;
use gdbstub::target::ext::breakpoints::{
    Breakpoints, BreakpointsOps, SwBreakpoint, SwBreakpointOps,
};
use gdbstub::target::{Target, TargetError, TargetResult};
use gdbstub_arch::x86::reg::X86_64CoreRegs;
use puffer_cpu::{reg, Trap};
use puffer_kernel::debug::DebugEvent;
use puffer_kernel::{ExitStatus, Kernel};
use std::collections::BTreeSet;
use std::net::TcpListener;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Step,
    Continue,
}

/// The debugged machine.
pub struct Debuggee<'k> {
    kernel: &'k mut Kernel,
    breakpoints: BTreeSet<u64>,
    mode: Mode,
    /// A fatal signal reported to gdb and not yet delivered.
    pending: Option<Trap>,
    /// The guest's end, once it happened.
    pub exit: Option<ExitStatus>,
}

// gdb's register order: RAX, RBX, RCX, RDX, RSI, RDI, RBP, RSP, R8-R15.
const GDB_ORDER: [usize; 16] = reg::DISPLAY_ORDER;

fn gdb_signal(sig: i32) -> Signal {
    Signal(sig as u8)
}

impl Target for Debuggee<'_> {
    type Arch = gdbstub_arch::x86::X86_64_SSE;
    type Error = String;

    fn base_ops(&mut self) -> BaseOps<'_, Self::Arch, Self::Error> {
        BaseOps::SingleThread(self)
    }

    fn support_breakpoints(&mut self) -> Option<BreakpointsOps<'_, Self>> {
        Some(self)
    }
}

impl SingleThreadBase for Debuggee<'_> {
    fn read_registers(&mut self, regs: &mut X86_64CoreRegs) -> TargetResult<(), Self> {
        let s = &self.kernel.cpu.state;
        for (i, &r) in GDB_ORDER.iter().enumerate() {
            regs.regs[i] = s.gpr[r];
        }
        regs.rip = s.rip;
        regs.eflags = s.rflags() as u32;
        regs.segments.cs = 0x33;
        regs.segments.ss = 0x2b;
        regs.xmm = s.xmm;
        regs.mxcsr = s.mxcsr;
        let top = s.x87.top as usize;
        for i in 0..8 {
            let raw = s.x87.regs[(top + i) % 8];
            regs.st[i].copy_from_slice(&raw.to_le_bytes()[..10]);
        }
        regs.fpu.fctrl = s.x87.fcw as u32;
        regs.fpu.fstat = puffer_cpu::fpu::status_word(&s.x87) as u32;
        Ok(())
    }

    fn write_registers(&mut self, regs: &X86_64CoreRegs) -> TargetResult<(), Self> {
        let s = &mut self.kernel.cpu.state;
        for (i, &r) in GDB_ORDER.iter().enumerate() {
            s.gpr[r] = regs.regs[i];
        }
        s.rip = regs.rip;
        s.set_rflags(regs.eflags as u64);
        s.xmm = regs.xmm;
        s.mxcsr = regs.mxcsr;
        Ok(())
    }

    fn read_addrs(&mut self, start: u64, data: &mut [u8]) -> TargetResult<usize, Self> {
        // Byte by byte past the first failure, so a read running into an unmapped
        // page returns what is readable.
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

    fn write_addrs(&mut self, start: u64, data: &[u8]) -> TargetResult<(), Self> {
        // Through the MMU's write path: a store to a page with decoded code drops its
        // blocks before the next instruction.
        self.kernel
            .debug_write(start, data)
            .map_err(|_| TargetError::Errno(14))
    }

    fn support_resume(&mut self) -> Option<SingleThreadResumeOps<'_, Self>> {
        Some(self)
    }
}

impl SingleThreadResume for Debuggee<'_> {
    fn resume(&mut self, _signal: Option<Signal>) -> Result<(), Self::Error> {
        self.mode = Mode::Continue;
        Ok(())
    }

    fn support_single_step(&mut self) -> Option<SingleThreadSingleStepOps<'_, Self>> {
        Some(self)
    }
}

impl SingleThreadSingleStep for Debuggee<'_> {
    fn step(&mut self, _signal: Option<Signal>) -> Result<(), Self::Error> {
        self.mode = Mode::Step;
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

/// What running the guest a little ended with.
enum Ran {
    Stop(SingleThreadStopReason<u64>),
    Nothing,
}

impl Debuggee<'_> {
    fn exited(&mut self, st: ExitStatus) -> Ran {
        self.exit = Some(st);
        Ran::Stop(match st {
            ExitStatus::Exited(c) => SingleThreadStopReason::Exited(c as u8),
            ExitStatus::Signaled { sig, .. } => SingleThreadStopReason::Terminated(gdb_signal(sig)),
        })
    }

    /// Execute one instruction (or deliver a pending signal).
    fn step_one(&mut self) -> Ran {
        if let Some(st) = self.exit {
            return self.exited(st);
        }
        let ev = match self.pending.take() {
            Some(trap) => self.kernel.debug_deliver(trap),
            None => self.kernel.debug_step(1),
        };
        match ev {
            DebugEvent::Ran => Ran::Nothing,
            DebugEvent::Exited(st) => self.exited(st),
            DebugEvent::Signal { sig, trap } => {
                self.pending = Some(trap);
                Ran::Stop(SingleThreadStopReason::Signal(gdb_signal(sig)))
            }
        }
    }

    /// Run up to `n` instructions in the current mode.
    fn run(&mut self, n: usize) -> Option<SingleThreadStopReason<u64>> {
        match self.mode {
            Mode::Step => Some(match self.step_one() {
                Ran::Stop(r) => r,
                Ran::Nothing => SingleThreadStopReason::DoneStep,
            }),
            Mode::Continue => {
                for _ in 0..n {
                    if let Ran::Stop(r) = self.step_one() {
                        return Some(r);
                    }
                    if self.breakpoints.contains(&self.kernel.cpu.state.rip) {
                        return Some(SingleThreadStopReason::SwBreak(()));
                    }
                }
                None
            }
        }
    }
}

enum EventLoop<'k> {
    #[allow(dead_code)]
    Never(std::marker::PhantomData<&'k ()>),
}

impl<'k> BlockingEventLoop for EventLoop<'k> {
    type Target = Debuggee<'k>;
    type Connection = std::net::TcpStream;
    type StopReason = SingleThreadStopReason<u64>;

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
        _target: &mut Self::Target,
    ) -> Result<Option<Self::StopReason>, <Self::Target as Target>::Error> {
        Ok(Some(SingleThreadStopReason::Signal(Signal::SIGINT)))
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
    let mut target = Debuggee {
        kernel,
        breakpoints: BTreeSet::new(),
        mode: Mode::Continue,
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
            if let Some(trap) = target.pending.take() {
                if let DebugEvent::Exited(st) = target.kernel.debug_deliver(trap) {
                    return Ok(Some(st));
                }
            }
            Ok(target.exit)
        }
        Err(e) => Err(format!("gdb: {e}")),
    }
}
