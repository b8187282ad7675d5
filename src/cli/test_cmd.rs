//! `loupe test`'s one check of its own: pytest must be importable by the interpreter chosen,
//! before a debugger starts. Without it, pdb would fail to start (`cannot run module pytest`) and
//! debugpy would run a program that only prints `No module named pytest`; neither says what to do.

use std::path::Path;
use std::time::Duration;

use anyhow::anyhow;

use super::BadInput;
use crate::pyenv::interpreter::Interpreter;
use crate::sandbox::{self, PythonProcess, StdioMode};
use crate::session::Target;

/// How long the import check may take (a cold interpreter on a busy machine).
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);

/// Exits 0 when the module named in argv[1] can be found (not imported: that is the program's).
const FIND_MODULE: &str = "import importlib.util, sys; sys.exit(importlib.util.find_spec(sys.argv[1]) is None)";

/// An error (bad input) when `target` is `-m pytest` and pytest is not installed for `interpreter`.
pub async fn require_pytest(target: &Target, interpreter: &Interpreter, cwd: &Path) -> anyhow::Result<()> {
    let Target::Module(module) = target else { return Ok(()) };
    if module != "pytest" {
        return Ok(());
    }
    let mut process = PythonProcess::new(&interpreter.path, ["-c", FIND_MODULE, "pytest"]);
    process.stdin = StdioMode::Null;
    process.cwd = Some(cwd.to_path_buf());
    let child = match sandbox::spawn(&process) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("cannot check for pytest: {e}");
            return Ok(()); // the debugger's start says what is wrong with the interpreter
        }
    };
    let found = match tokio::time::timeout(CHECK_TIMEOUT, child.wait_with_output()).await {
        Ok(Ok(output)) => output.status.success(),
        _ => return Ok(()),
    };
    if found {
        return Ok(());
    }
    let python = interpreter.path.display();
    Err(anyhow!(BadInput(anyhow!(
        "pytest is not installed for {python}: install it with `{python} -m pip install pytest`, or choose an \
         interpreter that has it with --python"
    ))))
}
