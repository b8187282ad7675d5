//! The app the view's snapshot tests (`tests.rs`) and the TUI benchmark
//! (`benches/tui_latency.rs`) start from: a debugpy session of `examples/demo.py`, and the
//! variables they fill it with. The benchmark includes this file by path, so it names its types
//! through the including module (`super::`), which imports them from `crate::` or `loupe::`.

use super::{App, Keymap, PathBuf, Persisted, Rect, SessionFacts, Theme, Variable};

/// The program every fixture shows.
pub fn demo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/demo.py")
}

fn facts() -> SessionFacts {
    SessionFacts {
        backend: "debugpy".into(),
        interpreter: "Python 3.11.7".into(),
        interpreter_path: None,
        program: "demo.py".into(),
        sandbox: None,
        attached: false,
        ..SessionFacts::default()
    }
}

/// An app on a `width`×`height` screen with `demo.py` open, before the program has run.
pub fn app(width: u16, height: u16) -> App {
    let mut app = App::new(Keymap::default(), Theme::default_dark(), facts(), Persisted::default());
    app.resize(Rect::new(0, 0, width, height));
    app.source.open(&demo()).expect("examples/demo.py");
    app
}

/// A variable that evaluates by its name; `children` is its reference (0: a leaf).
pub fn var(name: &str, type_name: &str, value: &str, children: i64) -> Variable {
    Variable {
        name: name.into(),
        value: value.into(),
        truncated: false,
        type_name: Some(type_name.into()),
        children,
        evaluate_name: Some(name.into()),
        child_count: None,
        group: None,
    }
}
