//! The lines of a source file that have code, as CPython's compiler says (the line starts of every
//! code object `compile()` makes, `dis.findlinestarts`, which reads `co_lines()`): exactly the
//! lines the interpreter reports line events for, so a breakpoint placed on one is one it stops
//! on. One short Python process per file, run with the program's interpreter and sandbox (like
//! the syntax check), remembered until the file changes; nothing here runs per stop.

use std::collections::{BTreeSet, HashMap};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::placement::{count_lines, FileLines};
use super::program::ProgramSpec;
use crate::sandbox::{self, PythonProcess};

/// Compiles the file without running it and prints its code lines as JSON (`null` when it does
/// not compile: the backend then has the last word, as before).
const PROBE: &str = "import dis, json, sys\n\
    path = sys.argv[1]\n\
    try:\n    todo = [compile(open(path, 'rb').read(), path, 'exec', dont_inherit=True)]\n\
    except (SyntaxError, ValueError, OSError):\n    print('null'); sys.exit(0)\n\
    found = set()\n\
    while todo:\n    code = todo.pop()\n    found.update(l for _, l in dis.findlinestarts(code) if l)\n    \
    todo.extend(c for c in code.co_consts if hasattr(c, 'co_code'))\n\
    print(json.dumps(sorted(found)))\n";

const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a file's lines are unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    Missing,
    Other(String),
}

/// Code lines per file, kept while the file's size and modification time stay the same.
#[derive(Debug, Default)]
pub(crate) struct CodeLineCache {
    files: HashMap<PathBuf, (SystemTime, u64, FileLines)>,
}

impl CodeLineCache {
    /// The lines of `file`; `program` gives the interpreter to ask (none when attached to a
    /// program loupe did not start: then only the line count is known).
    pub async fn get(&mut self, file: &Path, program: Option<&ProgramSpec>) -> Result<FileLines, Unreadable> {
        let meta = match std::fs::metadata(file) {
            Ok(m) if m.is_file() => m,
            Ok(_) => return Err(Unreadable::Other(format!("{} is not a file", file.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Unreadable::Missing),
            Err(e) => return Err(Unreadable::Other(format!("cannot read {}: {e}", file.display()))),
        };
        let stamp = (meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), meta.len());
        if let Some((modified, len, lines)) = self.files.get(file) {
            if (*modified, *len) == stamp {
                return Ok(lines.clone());
            }
        }
        let text =
            std::fs::read(file).map_err(|e| Unreadable::Other(format!("cannot read {}: {e}", file.display())))?;
        let code = match program {
            Some(p) => probe(p, file).await,
            None => None,
        };
        let lines = FileLines { count: count_lines(&text), code };
        self.files.insert(file.to_path_buf(), (stamp.0, stamp.1, lines.clone()));
        Ok(lines)
    }
}

/// Asks the program's interpreter; `None` (and a log line) when it cannot say.
async fn probe(program: &ProgramSpec, file: &Path) -> Option<BTreeSet<i64>> {
    let args = [OsString::from("-I"), "-c".into(), PROBE.into(), file.as_os_str().to_owned()];
    let mut process = PythonProcess::new(&program.interpreter.path, args);
    process.stderr = sandbox::StdioMode::Null;
    process.sandbox = program.sandbox.clone();
    let child = match sandbox::spawn(&process) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("finding the code lines of {}: {e}", file.display());
            return None;
        }
    };
    let output = match tokio::time::timeout(PROBE_TIMEOUT, child.wait_with_output()).await {
        Ok(Ok(o)) => o,
        other => {
            tracing::warn!("finding the code lines of {} failed or timed out: {other:?}", file.display());
            return None;
        }
    };
    let lines: Option<Vec<i64>> = serde_json::from_slice(&output.stdout).ok().flatten();
    lines.map(|l| l.into_iter().collect())
}
