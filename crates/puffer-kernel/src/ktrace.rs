//! The kernel-event trace (`puffer run --ktrace`): one record per step of a process's
//! life, named after the steps the seed documents walk through — fork (pid allocated,
//! pages shared copy-on-write, descriptors copied), COW break, exec, exit, SIGCHLD,
//! reparent, reap, thread create and exit. Text for people, JSON lines for tools.

use std::io::Write;

pub enum Val {
    Int(i64),
    Hex(u64),
    Str(String),
    List(Vec<String>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::Int(v)
    }
}
impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::Int(v as i64)
    }
}
impl From<usize> for Val {
    fn from(v: usize) -> Val {
        Val::Int(v as i64)
    }
}
impl From<u64> for Val {
    fn from(v: u64) -> Val {
        Val::Int(v as i64)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::Str(v.to_owned())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::Str(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Val {
        Val::Str(if v { "yes" } else { "no" }.into())
    }
}

pub struct Ktrace {
    out: Box<dyn Write>,
    json: bool,
    seq: u64,
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

impl Ktrace {
    pub fn new(out: Box<dyn Write>, json: bool) -> Ktrace {
        Ktrace { out, json, seq: 0 }
    }

    pub fn emit(&mut self, event: &str, fields: Vec<(&str, Val)>) {
        let line = if self.json {
            let mut s = format!("{{\"seq\":{},\"event\":{}", self.seq, json_str(event));
            for (k, v) in &fields {
                s.push_str(&format!(",{}:", json_str(k)));
                match v {
                    Val::Int(i) => s.push_str(&i.to_string()),
                    Val::Hex(h) => s.push_str(&json_str(&format!("{h:#x}"))),
                    Val::Str(t) => s.push_str(&json_str(t)),
                    Val::List(l) => {
                        s.push('[');
                        s.push_str(&l.iter().map(|x| json_str(x)).collect::<Vec<_>>().join(","));
                        s.push(']');
                    }
                }
            }
            s.push('}');
            s
        } else {
            let mut s = format!("[ktrace {:>5}] {event:<8}", self.seq);
            for (k, v) in &fields {
                match v {
                    Val::Int(i) => s.push_str(&format!(" {k}={i}")),
                    Val::Hex(h) => s.push_str(&format!(" {k}={h:#x}")),
                    Val::Str(t) => s.push_str(&format!(" {k}={t:?}")),
                    Val::List(l) => s.push_str(&format!(" {k}={l:?}")),
                }
            }
            s
        };
        self.seq += 1;
        let _ = writeln!(self.out, "{line}");
    }
}
