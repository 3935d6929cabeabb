//! Single-step run mode for instruction traces (`puffer trace`) and differential
//! testing against the host CPU (`puffer difftest`).
//!
//! [`Kernel::step`] runs exactly one guest instruction of whichever task the
//! scheduler picks, resolving page faults the guest never sees (demand paging,
//! copy-on-write) by retrying the instruction, and reports what happened as a
//! [`Step`]. [`Kernel::run_with`] loops over it and hands each [`Event`] to an
//! [`Observer`]. The normal [`Kernel::run`] path is untouched.

use crate::task::{ExitStatus, Pid, TaskState};
use crate::{signal, syscall, Kernel};
use puffer_cpu::{reg, CpuState, Trap};

/// One retired (or fatally faulting) guest instruction.
#[derive(Clone, Debug)]
pub struct Step {
    /// Retired guest instructions before this one (the global step number).
    pub step: u64,
    /// Process (thread-group) and thread IDs of the task that ran it.
    pub pid: Pid,
    pub tid: Pid,
    /// Registers before the instruction executed (RIP is its address).
    pub before: CpuState,
    /// The instruction bytes (empty when they could not be fetched).
    pub bytes: Vec<u8>,
    /// The decoded instruction, when it decodes.
    pub insn: Option<iced_x86::Instruction>,
    /// How the instruction ended: `Budget` (it retired), `Syscall` (not yet
    /// dispatched when the caller asked so), or the exception it raised.
    pub trap: Trap,
}

/// What [`Kernel::run_with`] reports to an [`Observer`].
#[derive(Debug)]
pub enum Event<'a> {
    /// An instruction, with the registers before it.
    Insn(&'a Step),
    /// A syscall the instruction made: number, arguments and result (`None` when
    /// it did not return: the task exited, exec'd, or sleeps to restart it).
    Syscall {
        step: &'a Step,
        nr: u64,
        args: [u64; 6],
        ret: Option<u64>,
    },
    /// An exception the kernel turned into a signal.
    Fault {
        step: &'a Step,
        kind: &'static str,
        addr: Option<u64>,
    },
    /// A signal the kernel took for a task on its way back to user mode: a handler
    /// set up, an ignored signal dropped, or a default action (stop, termination).
    Signal(&'a Delivery),
}

/// One signal delivery (Linux's get_signal taking a signal off the queue).
#[derive(Clone, Debug)]
pub struct Delivery {
    /// Instructions retired before it: the step of the next instruction the task
    /// runs (a handler's first), or the step after its last if it died.
    pub step: u64,
    pub pid: Pid,
    pub tid: Pid,
    pub sig: i32,
    /// `si_code` (see [`signal::code_name`]).
    pub code: i32,
    /// `si_addr` of a fault signal.
    pub addr: Option<u64>,
    /// The handler set up (its address), when the action is `handler`.
    pub handler: Option<u64>,
    /// `handler`, `ignore`, `stop`, `terminate`, `core`, or `bad frame` (the
    /// frame could not be written; SIGSEGV follows).
    pub action: &'static str,
}

/// Receives every event of a traced run.
pub trait Observer {
    fn event(&mut self, k: &Kernel, ev: &Event<'_>);
    /// True once the observer wants nothing more: the rest of the run goes at
    /// full speed, unobserved.
    fn done(&self) -> bool {
        false
    }
}

impl<F: FnMut(&Kernel, &Event<'_>)> Observer for F {
    fn event(&mut self, k: &Kernel, ev: &Event<'_>) {
        self(k, ev)
    }
}

/// The syscall arguments in the current registers.
pub fn syscall_args(s: &CpuState) -> [u64; 6] {
    let g = &s.gpr;
    [
        g[reg::RDI],
        g[reg::RSI],
        g[reg::RDX],
        g[reg::R10],
        g[reg::R8],
        g[reg::R9],
    ]
}

/// The name of a syscall number, if it has one.
pub fn syscall_name(nr: u64) -> Option<&'static str> {
    syscall::names::name(nr)
}

/// The name of a signal number.
pub fn signal_name(sig: i32) -> String {
    signal::name(sig)
}

/// The name of a signal's `si_code`, when it has one.
pub fn signal_code_name(sig: i32, code: i32) -> Option<&'static str> {
    signal::code_name(sig, code)
}

fn fault_kind(t: Trap) -> (&'static str, Option<u64>) {
    match t {
        Trap::PageFault(pf) => ("page_fault", Some(pf.addr.0)),
        Trap::InvalidOpcode => ("invalid_opcode", None),
        Trap::DivideError => ("divide_error", None),
        Trap::GeneralProtection => ("general_protection", None),
        Trap::Breakpoint => ("breakpoint", None),
        Trap::SimdFloatingPoint => ("simd_fp", None),
        Trap::FloatingPoint => ("x87_fp", None),
        Trap::Budget | Trap::Syscall | Trap::HostInsn => ("none", None),
    }
}

impl Kernel {
    /// The exit status of the first process, once it has ended.
    pub fn init_exit(&self) -> Option<ExitStatus> {
        self.init_exit
    }

    /// The process and thread ID of the task now on the CPU.
    pub fn current_ids(&self) -> (Pid, Pid) {
        match self.tasks.get(&self.current) {
            Some(t) => (t.tgid, t.tid),
            None => (self.current, self.current),
        }
    }

    /// Execute exactly one guest instruction. Page faults the kernel resolves
    /// (demand paging, copy-on-write, stack growth) are retried transparently; a
    /// syscall is dispatched only when `dispatch` is true (otherwise the caller
    /// completes it, e.g. with [`Kernel::dispatch_syscall`] or by writing RAX);
    /// other exceptions are handled as in [`Kernel::run`]. Returns `Err` with the
    /// first process's status once it has ended.
    pub fn step(&mut self, dispatch: bool) -> Result<Step, ExitStatus> {
        loop {
            self.enter_user()?;
            let (pid, tid) = self.current_ids();
            let before = self.cpu.state.clone();
            let step = self.cpu.stats.retired;
            let trap = self.cpu.run(1);
            if let Trap::PageFault(_) = trap {
                let forced = self.stats.forced_faults;
                self.handle_trap(trap);
                let resolved = forced == self.stats.forced_faults
                    && self.init_exit.is_none()
                    && self.current == tid
                    && self
                        .tasks
                        .get(&tid)
                        .is_some_and(|t| t.state == TaskState::Runnable);
                if resolved {
                    // The kernel paged it in: the guest did not see the fault.
                    continue;
                }
                let (bytes, insn) = self.fetch_insn(before.rip);
                return Ok(Step {
                    step,
                    pid,
                    tid,
                    before,
                    bytes,
                    insn,
                    trap,
                });
            }
            let (bytes, insn) = self.fetch_insn(before.rip);
            match trap {
                Trap::Budget => {}
                Trap::Syscall if !dispatch => {}
                _ => self.handle_trap(trap),
            }
            return Ok(Step {
                step,
                pid,
                tid,
                before,
                bytes,
                insn,
                trap,
            });
        }
    }

    /// Put the task that runs next on the CPU (so `cpu.state` and user memory are
    /// its own before the first [`Kernel::step`]). False when nothing can run.
    pub fn load_next(&mut self) -> bool {
        match self.pick_next() {
            Some(t) => {
                self.switch_to(t);
                true
            }
            None => false,
        }
    }

    /// Complete the `syscall` the current task just executed.
    pub fn dispatch_syscall(&mut self) {
        syscall::dispatch(self)
    }

    /// The bytes and decoding of the instruction at `rip` in the current address
    /// space (after a `step`, the address space it ran in, unless it exec'd).
    fn fetch_insn(&mut self, rip: u64) -> (Vec<u8>, Option<iced_x86::Instruction>) {
        let mut buf = [0u8; 15];
        let mut n = 0;
        while n < 15 {
            if self
                .cpu
                .mmu
                .fetch_bytes(rip.wrapping_add(n as u64), &mut buf[n..n + 1])
                .is_err()
            {
                break;
            }
            n += 1;
        }
        let mut dec =
            iced_x86::Decoder::with_ip(64, &buf[..n], rip, iced_x86::DecoderOptions::NONE);
        let insn = dec.decode();
        if insn.is_invalid() {
            return (buf[..n].to_vec(), None);
        }
        (buf[..insn.len()].to_vec(), Some(insn))
    }

    /// Run like [`Kernel::run`], one instruction at a time, reporting every
    /// instruction, syscall, fault and signal delivery to `obs`. A delivery is
    /// reported when it happens: before the next instruction of the task it was
    /// delivered to (the handler's first), or at the end if the task died of it.
    pub fn run_with(&mut self, obs: &mut dyn Observer) -> ExitStatus {
        self.deliveries = Some(Vec::new());
        let st = self.run_observed(obs);
        self.report_deliveries(obs);
        self.deliveries = None;
        st
    }

    fn report_deliveries(&mut self, obs: &mut dyn Observer) {
        let log = match self.deliveries.as_mut() {
            Some(l) if !l.is_empty() => std::mem::take(l),
            _ => return,
        };
        for d in &log {
            obs.event(self, &Event::Signal(d));
        }
    }

    fn run_observed(&mut self, obs: &mut dyn Observer) -> ExitStatus {
        loop {
            if obs.done() {
                self.deliveries = None;
                return self.run();
            }
            let s = self.step(false);
            self.report_deliveries(obs);
            let s = match s {
                Ok(s) => s,
                Err(st) => return st,
            };
            obs.event(self, &Event::Insn(&s));
            match s.trap {
                Trap::Budget => {}
                Trap::Syscall => {
                    let nr = self.cpu.state.gpr[reg::RAX];
                    let args = syscall_args(&self.cpu.state);
                    let next_rip = self.cpu.state.rip;
                    self.dispatch_syscall();
                    let back = self.init_exit.is_none()
                        && self.current == s.tid
                        && self
                            .tasks
                            .get(&s.tid)
                            .is_some_and(|t| t.state != TaskState::Zombie)
                        && self.cpu.state.rip == next_rip
                        && nr != 59
                        && nr != 322;
                    let ret = back.then(|| self.cpu.state.gpr[reg::RAX]);
                    obs.event(
                        self,
                        &Event::Syscall {
                            step: &s,
                            nr,
                            args,
                            ret,
                        },
                    );
                }
                t => {
                    let (kind, addr) = fault_kind(t);
                    obs.event(
                        self,
                        &Event::Fault {
                            step: &s,
                            kind,
                            addr,
                        },
                    );
                }
            }
        }
    }
}
