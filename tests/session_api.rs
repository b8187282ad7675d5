//! The session model used directly (as the TUI will): lazy, paged children of huge containers,
//! and the event stream, against real debugpy.

mod common;

use std::collections::BTreeMap;

use loupe::dap::debugpy::{DebugpyLauncher, DebugpySpec, LaunchSpec};
use loupe::dap::provision;
use loupe::sandbox::StdioMode;
use loupe::session::{
    BreakpointSpec, Phase, ProgramSpec, ScopeKind, Session, SessionEvent, StopReason, Target, Variable,
};

async fn start(script: &str, line: i64) -> Session {
    let interpreter = loupe::pyenv::interpreter::resolve(Some(&common::python()), &common::repo()).await.unwrap();
    let debugpy = provision::ensure_debugpy(&interpreter, &mut |_| {}).await.unwrap();
    let program = common::program(script);
    let spec = LaunchSpec {
        program: ProgramSpec {
            target: Target::Program(program.clone()),
            args: vec![],
            cwd: common::repo(),
            env: BTreeMap::new(),
            unset_env: vec![],
            stop_on_entry: false,
            interpreter,
            sandbox: loupe::sandbox::for_debugging(&Default::default(), vec![common::repo()], None).unwrap(),
        },
        just_my_code: true,
        debugpy,
        stdin: StdioMode::Null,
    };
    let launcher = DebugpyLauncher { spec: DebugpySpec::Launch(Box::new(spec)), nodelay: true };
    let mut session = Session::start(Box::new(launcher)).await.unwrap();
    let b = session.add_breakpoint(BreakpointSpec::line(program, line)).await.unwrap();
    assert!(b.verified);
    session.configuration_done().await.unwrap();
    loop {
        match session.next_event().await.expect("session ended before the breakpoint") {
            SessionEvent::Stopped(stop) => {
                assert_eq!(stop.reason, StopReason::Breakpoint);
                assert_eq!(stop.hit_breakpoints, vec![b.id]);
                return session;
            }
            SessionEvent::Exited { .. } | SessionEvent::Terminated => panic!("no stop"),
            _ => {}
        }
    }
}

async fn local(session: &mut Session, name: &str) -> Variable {
    let Phase::Stopped(stop) = session.phase().clone() else { panic!("not stopped") };
    let frames = session.stack_trace(stop.thread, None).await.unwrap();
    let scopes = session.scopes(frames[0].id).await.unwrap();
    let locals = scopes.iter().find(|s| s.kind == ScopeKind::Locals).unwrap();
    let page = session.variables(locals.variables, 0, 1000).await.unwrap();
    page.variables.into_iter().find(|v| v.name == name).unwrap_or_else(|| panic!("no local {name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_million_element_list_is_paged_on_loupes_side() {
    // huge_demo.py line 5: print(len(big_string), len(big_list))
    let mut session = start("huge_demo.py", 5).await;
    let big_list = local(&mut session, "big_list").await;
    assert!(big_list.children > 0, "a list can be expanded");
    let first = session.variables(big_list.children, 0, 100).await.unwrap();
    assert_eq!(first.variables.len(), 100);
    assert_eq!(first.start, 0);
    assert!(first.has_more(), "more children than one page");
    // debugpy itself sends a bounded number of children however long the list is.
    assert!(first.total < 1_000_000, "debugpy sent {} children", first.total);
    let second = session.variables(big_list.children, 100, 100).await.unwrap();
    assert_eq!(second.start, 100);
    assert_ne!(first.variables[0].name, second.variables[0].name);
    assert!(second.variables.iter().all(|v| v.value.chars().count() <= 1000));

    let big_string = local(&mut session, "big_string").await;
    assert!(big_string.truncated);
    assert!(big_string.value.chars().count() <= loupe::session::values::MAX_VALUE_CHARS);
    assert_eq!(big_string.evaluate_name.as_deref(), Some("big_string"), "the whole value can be fetched by name");
    session.terminate().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn function_breakpoints_and_completions() {
    // step_demo.py line 9: z = y * 10
    let mut session = start("step_demo.py", 9).await;
    let Phase::Stopped(stop) = session.phase().clone() else { panic!() };
    let frames = session.stack_trace(stop.thread, None).await.unwrap();
    let completions = session.completions(Some(frames[0].id), "ad", 3).await.unwrap();
    assert!(completions.iter().any(|c| c.label == "add"), "{completions:?}");
    let spec = BreakpointSpec {
        location: loupe::session::Location::Function { name: "add".into() },
        condition: None,
        hit_condition: None,
        log_message: None,
        temporary: false,
    };
    let b = session.add_breakpoint(spec).await.unwrap();
    assert!(b.verified, "{b:?}");
    session.terminate().await.unwrap();
    while let Some(e) = session.next_event().await {
        if matches!(e, SessionEvent::Terminated) {
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exception_stops_carry_exception_info() {
    // raise_demo.py line 8: check(5)
    let mut session = start("raise_demo.py", 8).await;
    session.set_exception_filters(&[loupe::session::ExceptionFilter::Raised]).await.unwrap();
    let thread = session.stopped_thread().unwrap();
    session.resume(thread, loupe::session::ResumeAction::Continue).await.unwrap();
    let stop = loop {
        match session.next_event().await.expect("no exception stop") {
            SessionEvent::Stopped(stop) => break stop,
            SessionEvent::Exited { .. } => panic!("exited without stopping"),
            _ => {}
        }
    };
    assert_eq!(stop.reason, StopReason::Exception);
    let info = session.exception_info(stop.thread).await.unwrap();
    assert!(info.exception_id.contains("ValueError"), "{info:?}");
    assert!(info.description.unwrap_or_default().contains("too big: 5"));
    session.terminate().await.unwrap();
}
