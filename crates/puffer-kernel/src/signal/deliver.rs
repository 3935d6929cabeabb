//! Delivery, on the way back to user mode (Linux's arch_do_signal_or_restart →
//! get_signal → handle_signal → setup_rt_frame), rt_sigreturn, and how syscalls that
//! sleep are interrupted.
//!
//! A syscall that must wait returns ERESTARTSYS: the task sleeps with RIP back on the
//! `syscall` instruction and runs it again when woken ([`Park::Parked`]). A signal
//! wakes it; it re-executes the syscall first, so that a wake-up that came at the same
//! time (a futex wake, a child's exit) is not lost. Only when the syscall would sleep
//! again with a signal to take is it interrupted ([`Park::Interrupted`]): then, if a
//! handler runs, the syscall fails with EINTR or is restarted after the handler by its
//! restart rule (SA_RESTART); with no handler (a stop, an ignored signal) it restarts.

use super::frame::{self, StackT};
use super::*;
use crate::errno::Errno;
use crate::task::TaskState;
use puffer_cpu::{reg, X87};

/// The state of a task's sleeping syscall.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Park {
    #[default]
    None,
    /// The last syscall returned ERESTARTSYS: RIP is on the `syscall` instruction and
    /// RAX holds its number; it executes again when the task runs.
    Parked,
    /// ... and a signal is to be taken before it runs again.
    Interrupted,
}

/// What a handler does to a syscall it interrupts (Linux's -ERESTART* codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Restart {
    /// ERESTARTSYS: restarted with SA_RESTART, else EINTR.
    Sys,
    /// ERESTARTNOHAND: EINTR after a handler; with none, run again from scratch.
    NoHand,
    /// ERESTART_RESTARTBLOCK: EINTR after a handler; with none, resumed through
    /// restart_syscall(2) (RAX becomes its number, 219) towards the deadline it
    /// had, as Linux's restart_block does for the sleeps with a relative timeout.
    Block,
    /// Fails with EINTR even when no handler runs.
    Never,
}

/// The syscall number of restart_syscall(2).
pub const NR_RESTART_SYSCALL: u64 = 219;

fn restart_rule(nr: u64, a: &[u64; 6]) -> Restart {
    match nr {
        // nanosleep, clock_nanosleep with a relative time, poll: restart blocks.
        35 | 7 => Restart::Block,
        230 if a[1] & 1 == 0 => Restart::Block,
        // pause, rt_sigsuspend, clock_nanosleep(TIMER_ABSTIME), select, pselect6,
        // ppoll: signal(7)'s "never restarted" list.
        34 | 130 | 230 | 23 | 270 | 271 => Restart::NoHand,
        // rt_sigtimedwait, epoll_wait, epoll_pwait return EINTR themselves.
        128 | 232 | 281 => Restart::Never,
        // futex: FUTEX_WAIT(_BITSET) with a timeout is a restart block, without one
        // it restarts with SA_RESTART.
        202 => {
            let op = a[1] & 0x7f;
            if (op == 0 || op == 9) && a[3] != 0 {
                Restart::Block
            } else {
                Restart::Sys
            }
        }
        _ => Restart::Sys,
    }
}

/// sigaltstack's flags.
pub const SS_ONSTACK: u32 = 1;
pub const SS_DISABLE: u32 = 2;
pub const SS_AUTODISARM: u32 = 1 << 31;
pub const MINSIGSTKSZ: u64 = 2048;

/// Is `sp` inside the alternate stack `alt` (sp, size, flags)?
fn on_stack_raw(alt: (u64, u64, u32), sp: u64) -> bool {
    sp > alt.0 && sp - alt.0 <= alt.1
}

/// on_sig_stack: with SS_AUTODISARM the question is never asked.
pub fn on_sig_stack(alt: (u64, u64, u32), sp: u64) -> bool {
    alt.2 & SS_AUTODISARM == 0 && on_stack_raw(alt, sp)
}

/// sas_ss_flags: SS_DISABLE, SS_ONSTACK or 0.
pub fn sas_ss_flags(alt: (u64, u64, u32), sp: u64) -> u32 {
    if alt.1 == 0 {
        SS_DISABLE
    } else if on_sig_stack(alt, sp) {
        SS_ONSTACK
    } else {
        0
    }
}

const EFLAGS_TF: u64 = 0x100;
const EFLAGS_DF: u64 = 0x400;
const EFLAGS_RF: u64 = 0x10000;

impl Kernel {
    /// Before the current task returns to user mode: take pending signals. Returns
    /// false when the task may not run now (it stopped, or its process died).
    pub(crate) fn signal_return_to_user(&mut self) -> bool {
        let tid = self.current;
        let Some(t) = self.tasks.get(&tid) else {
            return false;
        };
        if t.state != TaskState::Runnable {
            return false;
        }
        let tgid = t.tgid;
        let p = self.procs.get(&tgid);
        let shared = p.map_or(0, |p| p.sig.shared.set);
        let stopped = p.is_some_and(|p| p.sig.stopped.is_some());
        // The common case: nothing to do.
        if !stopped
            && t.sig.park == Park::None
            && t.sig.saved_mask.is_none()
            && (t.sig.pending.set | shared) & !t.sig.blocked == 0
        {
            return true;
        }
        let parked = t.sig.park == Park::Parked;
        // A thread of a stopped process stops too, when it would run.
        if stopped {
            if let Some(t) = self.tasks.get_mut(&tid) {
                t.state = TaskState::Stopped;
            }
            return false;
        }
        // A sleeping syscall runs again first (see the module comment).
        if parked {
            return true;
        }
        self.do_signal(tid, tgid)
    }

    /// get_signal's loop: take signals until one needs the task to stop running (stop,
    /// death) or none is left; handlers nest (the last one set up runs first).
    fn do_signal(&mut self, tid: Pid, tgid: Pid) -> bool {
        while let Some(info) = self.dequeue(tid, None) {
            let sig = info.signo();
            let Some(hand) = self.tasks.get(&tid).map(|t| t.sig.hand.clone()) else {
                return false;
            };
            let act = hand.borrow().get(sig);
            match act.handler {
                SIG_IGN => self.delivered(tid, tgid, &info, None, "ignore"),
                SIG_DFL => match default_action(sig) {
                    DefaultAction::Ignore | DefaultAction::Cont => {
                        self.delivered(tid, tgid, &info, None, "ignore")
                    }
                    DefaultAction::Stop => {
                        // Terminal stops of an orphaned process group are discarded.
                        let pgid = self.procs.get(&tgid).map_or(tgid, |p| p.pgid);
                        if sig != SIGSTOP && self.pgrp_orphaned(pgid) {
                            self.delivered(tid, tgid, &info, None, "ignore");
                            continue;
                        }
                        self.delivered(tid, tgid, &info, None, "stop");
                        self.do_signal_stop(tgid, sig);
                        return false;
                    }
                    DefaultAction::Term | DefaultAction::Core => {
                        let what = if default_action(sig) == DefaultAction::Core {
                            "core"
                        } else {
                            "terminate"
                        };
                        self.delivered(tid, tgid, &info, None, what);
                        self.kill_by_signal(tgid, sig);
                        return false;
                    }
                },
                _ => {
                    if act.flags & SA_RESETHAND != 0 {
                        hand.borrow_mut().set(
                            sig,
                            SigAction {
                                handler: SIG_DFL,
                                ..act
                            },
                        );
                    }
                    if self.handle_signal(tid, info, act).is_ok() {
                        self.delivered(tid, tgid, &info, Some(act.handler), "handler");
                    } else {
                        self.delivered(tid, tgid, &info, Some(act.handler), "bad frame");
                        self.force_sigsegv(sig);
                    }
                }
            }
        }
        // No handler was set up (any more): an interrupted syscall is restarted (RIP is
        // on the `syscall` instruction, RAX its number), and sigsuspend's mask returns.
        let Some(t) = self.tasks.get_mut(&tid) else {
            return false;
        };
        if t.sig.park == Park::Interrupted {
            let (nr, args) = self.interrupted_call(tid);
            match restart_rule(nr, &args) {
                Restart::Never => self.finish_interrupted(tid, true),
                Restart::Block => self.restart_through_block(tid, nr, args),
                _ => self.finish_interrupted(tid, false),
            }
        }
        let saved = self
            .tasks
            .get_mut(&tid)
            .and_then(|t| t.sig.saved_mask.take());
        if let Some(m) = saved {
            self.set_blocked(tid, m);
        }
        true
    }

    /// A signal taken by `do_signal`: the ktrace event, and the delivery record
    /// `puffer trace` shows (`handler` is the function a handler runs in).
    fn delivered(
        &mut self,
        tid: Pid,
        tgid: Pid,
        info: &SigInfo,
        handler: Option<u64>,
        action: &'static str,
    ) {
        self.trace_signal(info.signo(), info.sender(), tgid, action);
        self.strace_delivery(tid.0, info);
        if let Some(log) = self.deliveries.as_mut() {
            log.push(crate::trace::Delivery {
                step: self.cpu.stats.retired,
                pid: tgid,
                tid,
                sig: info.signo(),
                code: info.code(),
                addr: info.fault_addr(),
                handler,
                action,
            });
        }
    }

    /// dequeue_signal: the next signal not in `blocked` (the task's mask by default),
    /// the thread's own before the process's.
    pub(crate) fn dequeue(&mut self, tid: Pid, blocked: Option<SigSet>) -> Option<SigInfo> {
        let t = self.tasks.get_mut(&tid)?;
        let blocked = blocked.unwrap_or(t.sig.blocked);
        if let Some(sig) = t.sig.pending.next(blocked) {
            return Some(t.sig.pending.take(sig));
        }
        let tgid = t.tgid;
        let p = self.procs.get_mut(&tgid)?;
        let sig = p.sig.shared.next(blocked)?;
        Some(p.sig.shared.take(sig))
    }

    /// How strace shows the end of the current task's syscall, interrupted now by
    /// a signal: the -ERESTART* code the interrupted call exits with (the handler,
    /// or its absence, then decides), EINTR for the calls that fail with it
    /// themselves, or the byte count of a read or write that moved data already.
    pub(crate) fn strace_interrupted_result(&self) -> String {
        let tid = self.current;
        let done = self.io_partial_done(tid);
        if done > 0 {
            return done.to_string();
        }
        let (nr, args) = self.interrupted_call(tid);
        match restart_rule(nr, &args) {
            Restart::Sys => "? ERESTARTSYS (To be restarted if SA_RESTART is set)".into(),
            Restart::NoHand => "? ERESTARTNOHAND (To be restarted if no handler)".into(),
            Restart::Block => "? ERESTART_RESTARTBLOCK (Interrupted by signal)".into(),
            Restart::Never => "-1 EINTR (Interrupted system call)".into(),
        }
    }

    /// The syscall a task's interrupted call is: the one on its registers, or for
    /// restart_syscall the call its restart block resumes.
    fn interrupted_call(&self, tid: Pid) -> (u64, [u64; 6]) {
        let nr = self.cpu.state.gpr[reg::RAX];
        match self.tasks.get(&tid).and_then(|t| t.restart_block) {
            Some(b) if nr == NR_RESTART_SYSCALL => b,
            _ => (nr, crate::trace::syscall_args(&self.cpu.state)),
        }
    }

    /// No handler ran for a signal that interrupted a restart-block sleep (a stop
    /// and continue, an ignored signal): it goes on through restart_syscall with
    /// its deadline kept (and a futex waiter its place in the queue).
    fn restart_through_block(&mut self, tid: Pid, nr: u64, args: [u64; 6]) {
        let Some(t) = self.tasks.get_mut(&tid) else {
            return;
        };
        t.sig.park = Park::None;
        t.restart_block = Some((nr, args));
        if tid == self.current {
            self.io_forget_host();
        }
        self.cpu.state.gpr[reg::RAX] = NR_RESTART_SYSCALL;
    }

    /// An interrupted syscall ends: with EINTR (`eintr`; nanosleep's time left was
    /// written on the interruption), or it is left to run again from scratch. Its sleep state is dropped.
    fn finish_interrupted(&mut self, tid: Pid, eintr: bool) {
        match self.tasks.get_mut(&tid) {
            Some(t) => {
                t.sig.park = Park::None;
                t.restart_block = None;
                t.restart_deadline = None;
            }
            None => return,
        }
        self.futex_forget(tid);
        // A FIFO open waiting for its partner gives up its end (fifo_open's
        // wait_for_partner: the end is closed again before -ERESTARTSYS).
        self.fifo_forget(tid);
        // Host descriptors it waited for (the current task's: delivery runs on it).
        if tid == self.current {
            self.io_forget_host();
        }
        // A blocking read or write that already moved data returns that count, not
        // EINTR, and is not restarted (Linux: a partial transfer is a success).
        if let Some(done) = self.io_take_partial(tid) {
            self.cpu.state.gpr[reg::RAX] = done;
            self.cpu.state.rip = self.cpu.state.rip.wrapping_add(2);
            return;
        }
        if !eintr {
            return;
        }
        self.cpu.state.gpr[reg::RAX] = Errno::EINTR.to_ret();
        self.cpu.state.rip = self.cpu.state.rip.wrapping_add(2);
    }

    /// dispatch: the current task starts a syscall (maybe again): nothing is parked.
    pub(crate) fn signal_syscall_entry(&mut self) {
        if let Some(t) = self.tasks.get_mut(&self.current) {
            t.sig.park = Park::None;
        }
    }

    /// dispatch: the syscall returned ERESTARTSYS (it sleeps, or runs again). With a
    /// signal to take it does not sleep: it is interrupted (Linux's signal_pending
    /// check in every interruptible wait).
    pub(crate) fn signal_syscall_parked(&mut self) {
        let tid = self.current;
        let pending = self.deliverable(tid) != 0;
        let Some(t) = self.tasks.get_mut(&tid) else {
            return;
        };
        if !matches!(t.state, TaskState::Runnable | TaskState::Sleeping) {
            return;
        }
        t.sig.park = Park::Parked;
        if pending {
            t.sig.park = Park::Interrupted;
            let deadline = t.restart_deadline;
            self.write_time_left(tid, deadline);
            let Some(t) = self.tasks.get_mut(&tid) else {
                return;
            };
            if t.state == TaskState::Sleeping {
                t.state = TaskState::Runnable;
                t.wait = None;
            }
            if let Some(rb) = t.sig.real_blocked.take() {
                t.sig.blocked = rb;
            }
        }
    }

    /// A relative nanosleep or clock_nanosleep interrupted now writes the time left
    /// to its `rem` (Linux's nanosleep_copyout, before -ERESTART_RESTARTBLOCK): the
    /// handler, or its absence, decides later whether the call fails or goes on.
    /// (No deadline: the syscall never slept here; difftest gives it the host's.)
    fn write_time_left(&mut self, tid: Pid, deadline: Option<u128>) {
        let (nr, args) = self.interrupted_call(tid);
        let rem = match nr {
            35 => args[1],
            230 if args[1] & 1 == 0 => args[3],
            _ => 0,
        };
        if rem == 0 || deadline.is_none() {
            return;
        }
        let left = deadline
            .filter(|&d| d != u128::MAX)
            .map_or(0, |d| d.saturating_sub(self.mono_ns()));
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&((left / 1_000_000_000) as u64).to_le_bytes());
        b[8..].copy_from_slice(&((left % 1_000_000_000) as u64).to_le_bytes());
        let _ = self.copy_to_user(rem, &b);
    }

    /// handle_signal + setup_rt_frame: the syscall restart rule, the frame on the user
    /// (or alternate) stack, the registers for the handler, and the handler's mask.
    fn handle_signal(&mut self, tid: Pid, info: SigInfo, act: SigAction) -> Result<(), ()> {
        let sig = info.signo();
        if self
            .tasks
            .get(&tid)
            .is_some_and(|t| t.sig.park == Park::Interrupted)
        {
            let (nr, args) = self.interrupted_call(tid);
            let restart = act.flags & SA_RESTART != 0 && restart_rule(nr, &args) == Restart::Sys;
            self.finish_interrupted(tid, !restart);
        }
        // x86-64 has no kernel-provided return trampoline: the C library's restorer is
        // required.
        if act.flags & SA_RESTORER == 0 {
            return Err(());
        }
        let t = self.tasks.get(&tid).ok_or(())?;
        let mask = t.sig.saved_mask.unwrap_or(t.sig.blocked);
        let alt = t.alt_stack;
        let trap = t.sig.trap;
        let blocked = t.sig.blocked;
        let sp = self.cpu.state.gpr[reg::RSP];

        // get_sigframe: below the red zone, or at the top of the alternate stack.
        let nested = on_sig_stack(alt, sp);
        let mut top = sp.wrapping_sub(128);
        let mut entering = false;
        if act.flags & SA_ONSTACK != 0 && sas_ss_flags(alt, top) == 0 {
            top = alt.0.wrapping_add(alt.1);
            entering = true;
        }
        let fp = top.wrapping_sub(self.config.sigframe_fp_size.max(frame::FPSTATE_SIZE)) & !63;
        let fr = (fp.wrapping_sub(frame::FRAME_SIZE) & !15).wrapping_sub(8);
        if (nested || entering) && !on_stack_raw(alt, fr) {
            // It would overflow the alternate stack.
            return Err(());
        }
        // copy_fpstate_to_sigframe saves the FPU state straight into the frame
        // with page faults disabled. When that faults (a page of the area not
        // present yet, or copy-on-write since a fork), Linux clears the whole area,
        // which faults its pages in, and saves again: the bytes the save does not
        // write are then zeros instead of the stack's old bytes. With an XSAVE
        // area it first clears the XSAVE header, faults allowed, which makes that
        // one page writable.
        let xsave = self.config.sigframe_fp_size > frame::FPSTATE_SIZE;
        let fp_len = match xsave {
            true => self.config.sigframe_fp_size - frame::FP_XSTATE_MAGIC2_SIZE,
            false => frame::FPSTATE_SIZE,
        };
        if xsave {
            self.copy_to_user(fp + frame::FPSTATE_SIZE, &[0u8; frame::XSAVE_HEADER_SIZE])
                .map_err(|_| ())?;
        }
        if !self.writable_without_fault(fp, fp_len) {
            self.copy_to_user(fp, &vec![0u8; fp_len as usize])
                .map_err(|_| ())?;
        }
        // FXSAVE writes the image up to its reserved tail, which keeps what was
        // there before.
        let fx = puffer_cpu::fxsave_image(&self.cpu.state);
        self.copy_to_user(fp, &fx[..frame::FXSAVE_WRITTEN])
            .map_err(|_| ())?;
        let stack = StackT {
            sp: alt.0,
            flags: alt.2,
            size: alt.1,
        };
        let mut uc = frame::encode_ucontext(&self.cpu.state, stack, trap, fp, mask);
        if let Some(t) = self.tasks.get_mut(&tid) {
            if std::mem::take(&mut t.sig.fault_rf) {
                frame::set_saved_rf(&mut uc);
            }
        }
        // Linux stores the frame field by field: padding and sigcontext's reserved
        // words keep the stack's old bytes.
        let mut b = vec![0u8; frame::FRAME_SIZE as usize];
        self.copy_from_user(fr, &mut b).map_err(|_| ())?;
        let old = b.clone();
        b[0..8].copy_from_slice(&act.restorer.to_le_bytes());
        b[8..8 + frame::UC_SIZE].copy_from_slice(&uc);
        // The siginfo only for an SA_SIGINFO handler (x64_setup_rt_frame): a plain
        // handler's frame keeps the stack's old bytes there.
        if act.flags & SA_SIGINFO != 0 {
            b[frame::INFO_OFF as usize..].copy_from_slice(&info.0);
        }
        for r in frame::UNWRITTEN {
            let r = r.start + frame::UC_OFF as usize..r.end + frame::UC_OFF as usize;
            b[r.clone()].copy_from_slice(&old[r]);
        }
        self.copy_to_user(fr, &b).map_err(|_| ())?;
        if let Some(log) = self.sigframes.as_mut() {
            log.push(crate::SigFrameLog {
                frame: fr,
                fpstate: fp,
                fault: info.code() > 0
                    && matches!(sig, SIGSEGV | SIGBUS | SIGILL | SIGFPE | SIGTRAP),
            });
        }

        // The handler's registers: handler(sig, &info, &uc), a fresh FPU, DF clear.
        let s = &mut self.cpu.state;
        s.gpr[reg::RDI] = sig as u64;
        s.gpr[reg::RSI] = fr + frame::INFO_OFF;
        s.gpr[reg::RDX] = fr + frame::UC_OFF;
        s.gpr[reg::RAX] = 0;
        s.gpr[reg::RSP] = fr;
        s.rip = act.handler;
        let f = s.rflags() & !(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF);
        s.set_rflags(f);
        s.x87 = X87::default();
        s.xmm = [0; 16];
        s.mxcsr = 0x1f80;

        // signal_delivered: the handler runs with sa_mask and the signal blocked.
        let mut new = blocked | act.mask;
        if act.flags & SA_NODEFER == 0 {
            new |= bit(sig);
        }
        if let Some(t) = self.tasks.get_mut(&tid) {
            t.sig.saved_mask = None;
            if t.alt_stack.2 & SS_AUTODISARM != 0 {
                t.alt_stack = (0, 0, SS_DISABLE);
            }
        }
        self.set_blocked(tid, new);
        Ok(())
    }

    /// rt_sigreturn: restore what the frame below RSP holds — registers (RIP, RFLAGS'
    /// user bits), the FPU, the mask and the alternate stack — as a handler may have
    /// left them. Returns the restored RAX. A bad frame is SIGSEGV.
    pub(crate) fn sigreturn(&mut self) -> u64 {
        let tid = self.current;
        let uc_addr = self.cpu.state.gpr[reg::RSP];
        let mut b = [0u8; frame::UC_SIZE];
        if self.copy_from_user(uc_addr, &mut b).is_err() {
            self.force_signal(SIGSEGV);
            return 0;
        }
        let r = frame::decode_ucontext(&b);
        let mut st = self.cpu.state.clone();
        st.gpr = r.gpr;
        st.rip = r.rip;
        // RF would only hold for one instruction (puffer has no instruction
        // breakpoints to suppress): it is not kept.
        let f = ((st.rflags() & !frame::FIX_EFLAGS) | (r.rflags & frame::FIX_EFLAGS)) & !EFLAGS_RF;
        st.set_rflags(f);
        if r.fpstate == 0 {
            st.x87 = X87::default();
            st.xmm = [0; 16];
            st.mxcsr = 0x1f80;
        } else {
            let mut fx = [0u8; 512];
            if self.copy_from_user(r.fpstate, &mut fx).is_err() {
                self.force_signal(SIGSEGV);
                return 0;
            }
            // Reserved MXCSR bits are dropped, as Linux sanitizes them.
            fx[26] = 0;
            fx[27] = 0;
            if puffer_cpu::fxrstor_image(&mut st, &fx).is_err() {
                self.force_signal(SIGSEGV);
                return 0;
            }
        }
        let rax = st.gpr[reg::RAX];
        self.cpu.state = st;
        self.set_blocked(tid, r.mask);
        // The alternate stack as the frame says; refusals (still on it) are ignored.
        let sp = self.cpu.state.gpr[reg::RSP];
        let _ = self.set_altstack(Some(r.stack), sp);
        rax
    }

    /// sigaltstack's core (Linux's do_sigaltstack): returns the old setting (with
    /// flags as sigaltstack reports them) after applying `new`, if any.
    pub(crate) fn set_altstack(&mut self, new: Option<StackT>, sp: u64) -> Result<StackT, Errno> {
        let t = self.current_task_mut();
        let alt = t.alt_stack;
        let old = StackT {
            sp: alt.0,
            flags: sas_ss_flags(alt, sp) | (alt.2 & SS_AUTODISARM),
            size: alt.1,
        };
        if let Some(ss) = new {
            if on_sig_stack(alt, sp) {
                return Err(Errno::EPERM);
            }
            let mode = ss.flags & !SS_AUTODISARM;
            if mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0 {
                return Err(Errno::EINVAL);
            }
            if (ss.sp, ss.size, ss.flags) == alt {
                return Ok(old);
            }
            t.alt_stack = if mode == SS_DISABLE {
                (0, 0, ss.flags)
            } else {
                if ss.size < MINSIGSTKSZ {
                    return Err(Errno::ENOMEM);
                }
                (ss.sp, ss.size, ss.flags)
            };
        }
        Ok(old)
    }
}
