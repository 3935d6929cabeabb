//! `puffer difftest`: the program natively under ptrace and in puffer, in lockstep.

#[derive(clap::Args)]
pub struct DiffArgs {
    elf: std::path::PathBuf,
}

pub fn main(_a: DiffArgs) -> std::process::ExitCode {
    std::process::ExitCode::from(2)
}
