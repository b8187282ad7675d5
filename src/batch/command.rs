//! The batch command language (also what the TUI console accepts), parsed into [`Command`]s.

use std::path::PathBuf;

use crate::session::{BreakpointSpec, ExceptionFilter, HitCondition, Location};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Break(BreakpointSpec),
    Delete(u32),
    Disable(u32),
    Enable(u32),
    Catch(Vec<ExceptionFilter>),
    Continue,
    Next,
    Step,
    Finish,
    Until(i64),
    Jump(i64),
    Pause,
    Stack,
    Threads,
    Thread(i64),
    Frame(usize),
    Up,
    Down,
    Locals,
    Globals,
    Print(String),
    Set {
        name: String,
        expression: String,
    },
    Watch(String),
    Restart,
    Quit,
    /// A command typed at the backend's own prompt (pdb/ipdb backends): `pdb tbreak 30`.
    Debugger(String),
}

impl Command {
    /// The command word, for results and errors.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Break(b) if b.temporary => "tbreak",
            Command::Break(_) => "break",
            Command::Delete(_) => "delete",
            Command::Disable(_) => "disable",
            Command::Enable(_) => "enable",
            Command::Catch(_) => "catch",
            Command::Continue => "continue",
            Command::Next => "next",
            Command::Step => "step",
            Command::Finish => "finish",
            Command::Until(_) => "until",
            Command::Jump(_) => "jump",
            Command::Pause => "pause",
            Command::Stack => "stack",
            Command::Threads => "threads",
            Command::Thread(_) => "thread",
            Command::Frame(_) => "frame",
            Command::Up => "up",
            Command::Down => "down",
            Command::Locals => "locals",
            Command::Globals => "globals",
            Command::Print(_) => "print",
            Command::Set { .. } => "set",
            Command::Watch(_) => "watch",
            Command::Restart => "restart",
            Command::Quit => "quit",
            Command::Debugger(_) => "pdb",
        }
    }

    /// Commands that let the program run and wait for the next stop or the exit.
    pub fn resumes(&self) -> bool {
        matches!(
            self,
            Command::Continue
                | Command::Next
                | Command::Step
                | Command::Finish
                | Command::Until(_)
                | Command::Jump(_)
                | Command::Restart
        )
    }
}

/// Parses one command line. Errors say what was expected.
pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim();
    let (word, rest) = match line.split_once(char::is_whitespace) {
        Some((w, r)) => (w, r.trim()),
        None => (line, ""),
    };
    let no_args = |c: Command| {
        if rest.is_empty() {
            Ok(c)
        } else {
            Err(format!("`{word}` takes no arguments"))
        }
    };
    match word {
        "break" | "b" => parse_break(rest, false),
        "tbreak" => parse_break(rest, true),
        "delete" | "d" => Ok(Command::Delete(number(word, rest)?)),
        "disable" => Ok(Command::Disable(number(word, rest)?)),
        "enable" => Ok(Command::Enable(number(word, rest)?)),
        "catch" => parse_catch(rest),
        "continue" | "c" | "cont" => no_args(Command::Continue),
        "next" | "n" => no_args(Command::Next),
        "step" | "s" => no_args(Command::Step),
        "finish" | "fin" => no_args(Command::Finish),
        "until" | "u" => Ok(Command::Until(line_number(word, rest)?)),
        "jump" | "j" => Ok(Command::Jump(line_number(word, rest)?)),
        "pause" => no_args(Command::Pause),
        "stack" | "bt" | "backtrace" | "where" => no_args(Command::Stack),
        "threads" => no_args(Command::Threads),
        "thread" => rest.parse().map(Command::Thread).map_err(|_| format!("`thread` needs a thread id, got {rest:?}")),
        "frame" | "f" => Ok(Command::Frame(number(word, rest)? as usize)),
        "up" => no_args(Command::Up),
        "down" => no_args(Command::Down),
        "locals" => no_args(Command::Locals),
        "globals" => no_args(Command::Globals),
        "print" | "p" => non_empty(word, rest).map(Command::Print),
        "set" => parse_set(rest),
        "watch" => non_empty(word, rest).map(Command::Watch),
        "restart" => no_args(Command::Restart),
        "quit" | "q" | "exit" => no_args(Command::Quit),
        "pdb" | "ipdb" => non_empty(word, rest).map(|text| Command::Debugger(text.to_string())),
        "" => Err("empty command".into()),
        other => Err(format!(
            "unknown command `{other}` (commands: break, tbreak, delete, disable, enable, catch, continue, next, step, \
             finish, until, jump, pause, stack, threads, thread, frame, up, down, locals, globals, print, set, watch, \
             restart, quit, pdb)"
        )),
    }
}

fn non_empty(word: &str, rest: &str) -> Result<String, String> {
    if rest.is_empty() {
        Err(format!("`{word}` needs an expression"))
    } else {
        Ok(rest.to_string())
    }
}

fn number(word: &str, rest: &str) -> Result<u32, String> {
    rest.parse().map_err(|_| format!("`{word}` needs a number, got {rest:?}"))
}

fn line_number(word: &str, rest: &str) -> Result<i64, String> {
    match rest.parse::<i64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("`{word}` needs a line number (1 or more), got {rest:?}")),
    }
}

/// `break FILE:LINE [if COND] [hits OP N] [log MESSAGE]`, or `break FUNCTION [...]`.
/// `log` comes last and takes the rest of the line; `hits` comes after the condition.
pub fn parse_break(text: &str, temporary: bool) -> Result<Command, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("`break` needs a location: FILE:LINE or FUNCTION".into());
    }
    let (location_text, mut rest) = match text.split_once(char::is_whitespace) {
        Some((l, r)) => (l, r.trim()),
        None => (text, ""),
    };
    let location = parse_location(location_text)?;

    let mut log_message = None;
    if let Some(at) = keyword_at(rest, "log") {
        let message = rest[at + 3..].trim();
        if message.is_empty() {
            return Err("`log` needs a message, e.g. `log x is {x}`".into());
        }
        log_message = Some(message.to_string());
        rest = rest[..at].trim();
    }
    let mut hit_condition = None;
    if let Some(at) = keyword_at(rest, "hits") {
        let candidate = rest[at + 4..].trim();
        if let Ok(h) = HitCondition::parse(candidate) {
            hit_condition = Some(h);
            rest = rest[..at].trim();
        } else if at == 0 {
            return Err(HitCondition::parse(candidate).err().unwrap_or_default());
        }
    }
    let mut condition = None;
    if !rest.is_empty() {
        let cond =
            rest.strip_prefix("if").filter(|c| c.starts_with(char::is_whitespace)).map(str::trim).ok_or_else(|| {
                format!("unexpected {rest:?} after the location (expected `if COND`, `hits OP N` or `log MESSAGE`)")
            })?;
        if cond.is_empty() {
            return Err("`if` needs a condition".into());
        }
        condition = Some(cond.to_string());
    }
    Ok(Command::Break(BreakpointSpec { location, condition, hit_condition, log_message, temporary }))
}

/// Where `word` starts as a whole word in `text` (the last occurrence whose own keyword syntax
/// follows; `log` is looked up first and takes the rest of the line).
fn keyword_at(text: &str, word: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut found = None;
    let mut from = 0;
    while let Some(pos) = text[from..].find(word) {
        let at = from + pos;
        let before_ok = at == 0 || bytes[at - 1].is_ascii_whitespace();
        let after = at + word.len();
        let after_ok = after == text.len() || bytes[after].is_ascii_whitespace();
        if before_ok && after_ok {
            found = Some(at);
            if word == "log" {
                break;
            }
        }
        from = at + word.len();
    }
    found
}

fn parse_location(text: &str) -> Result<Location, String> {
    if let Some((file, line)) = text.rsplit_once(':') {
        let line: i64 = line
            .parse()
            .map_err(|_| format!("bad breakpoint location {text:?}: expected FILE:LINE with LINE a number"))?;
        if line < 1 {
            return Err(format!("bad breakpoint location {text:?}: lines start at 1"));
        }
        if file.is_empty() {
            return Err(format!("bad breakpoint location {text:?}: the file is missing"));
        }
        return Ok(Location::Line { file: PathBuf::from(file), line });
    }
    if text.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        && !text.starts_with(|c: char| c.is_ascii_digit())
    {
        return Ok(Location::Function { name: text.to_string() });
    }
    Err(format!("bad breakpoint location {text:?}: expected FILE:LINE or a function name"))
}

fn parse_catch(rest: &str) -> Result<Command, String> {
    let mut filters = Vec::new();
    for word in rest.split_whitespace() {
        match word {
            "raised" => filters.push(ExceptionFilter::Raised),
            "uncaught" => filters.push(ExceptionFilter::Uncaught),
            "user-unhandled" | "userUnhandled" => filters.push(ExceptionFilter::UserUnhandled),
            "none" | "off" => {}
            other => {
                return Err(format!("`catch` takes raised, uncaught, user-unhandled or none, got {other:?}"));
            }
        }
    }
    if rest.is_empty() {
        return Err("`catch` needs raised, uncaught, user-unhandled or none".into());
    }
    Ok(Command::Catch(filters))
}

fn parse_set(rest: &str) -> Result<Command, String> {
    let (name, expression) = rest
        .split_once('=')
        .filter(|(_, e)| !e.starts_with('='))
        .ok_or_else(|| format!("`set` needs NAME = EXPR, got {rest:?}"))?;
    let name = name.trim();
    let expression = expression.trim();
    if name.is_empty() || expression.is_empty() {
        return Err(format!("`set` needs NAME = EXPR, got {rest:?}"));
    }
    Ok(Command::Set { name: name.to_string(), expression: expression.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bp(text: &str) -> BreakpointSpec {
        match parse(text).unwrap() {
            Command::Break(b) => b,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn break_with_everything() {
        let b = bp("break demo.py:12 if x > 3 hits >= 2 log x is {x}");
        assert_eq!(b.location, Location::Line { file: "demo.py".into(), line: 12 });
        assert_eq!(b.condition.as_deref(), Some("x > 3"));
        assert_eq!(b.hit_condition, Some(HitCondition::Ge(2)));
        assert_eq!(b.log_message.as_deref(), Some("x is {x}"));
        assert!(!b.temporary);
    }

    #[test]
    fn break_variants() {
        assert_eq!(bp("break a.py:3 hits % 4").hit_condition, Some(HitCondition::Mod(4)));
        assert_eq!(bp("break a.py:3 if hits > 2").condition.as_deref(), Some("hits > 2"));
        assert_eq!(bp("break a.py:3 log if this then that").log_message.as_deref(), Some("if this then that"));
        assert_eq!(bp("break main").location, Location::Function { name: "main".into() });
        assert!(bp("tbreak a.py:3").temporary);
        assert!(parse("break a.py:x").is_err());
        assert!(parse("break a.py:3 hits > 2").is_err());
        assert!(parse("break a.py:3 when x").is_err());
        assert!(parse("break").is_err());
    }

    #[test]
    fn other_commands() {
        assert_eq!(parse("until 40"), Ok(Command::Until(40)));
        assert_eq!(parse("pdb  tbreak 30, n > 2"), Ok(Command::Debugger("tbreak 30, n > 2".into())));
        assert!(parse("pdb").is_err());
        assert_eq!(parse("set x = y == 2"), Ok(Command::Set { name: "x".into(), expression: "y == 2".into() }));
        assert_eq!(
            parse("catch raised uncaught"),
            Ok(Command::Catch(vec![ExceptionFilter::Raised, ExceptionFilter::Uncaught]))
        );
        assert_eq!(parse("print len(xs)"), Ok(Command::Print("len(xs)".into())));
        assert!(parse("frobnicate").unwrap_err().contains("unknown command"));
        assert!(parse("next 3").is_err());
        assert!(parse("until 0").is_err());
    }
}
