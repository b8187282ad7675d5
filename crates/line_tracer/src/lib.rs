//! loupe's line tracer: the callbacks `loupe profile --lines` runs inside the Python program it
//! measures, compiled. `adapters/profile/loupe_lines.py` loads this library with ctypes and
//! installs them: as the C-level trace function (`PyEval_SetTrace`) before 3.12, and as
//! `sys.monitoring` callbacks (builtin functions made with `PyCFunction_NewEx`) from 3.12.
//!
//! Why compiled: a line event is the hottest path there is, and the same accounting done by a
//! Python callback cost 1.5x (3.12) to 2.4x (3.11) the overhead of line_profiler's Cython one
//! (docs/BENCHMARKS.md). Which functions to measure stays in Python (`decide`, called once per
//! code object), and so does the report; only the per-event work is here.
//!
//! The accounting is loupe_lines.py's: a line's time runs from its line event to the next line
//! event, return, yield or unwind in the same frame (callees included), frames are kept per
//! thread, and each line's clock starts when the callback ends, so the callback's own cost stays
//! out of the lines.
//!
//! The library links against nothing: the C API functions it calls are found, when it is loaded,
//! in the interpreter that loads it (as for every extension module on Linux), so one build serves
//! every CPython from 3.9 on (`PyFrame_GetCode` is 3.9+: 3.8 fails to load it and keeps the Python
//! callbacks). Every entry point runs with the GIL held (ctypes.PyDLL keeps it for calls; trace and
//! monitoring callbacks always have it), which is what serialises access to the state; the one
//! call back into Python (`decide`) may let other threads run, so no borrow of the state is held
//! across it. Free-threaded builds keep the Python callbacks.

use std::cell::{Cell, UnsafeCell};
use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_long, c_void};
use std::hash::{BuildHasherDefault, Hasher};
use std::time::Instant;

/// An opaque Python object.
#[repr(C)]
pub struct PyObject {
    _opaque: [u8; 0],
}

type Obj = *mut PyObject;

/// CPython's `PyMethodDef`, for the monitoring callbacks' function objects.
#[repr(C)]
struct MethodDef {
    name: *const c_char,
    method: *const c_void,
    flags: c_int,
    doc: *const c_char,
}

const METH_FASTCALL: c_int = 0x0080;

// The `what` of a C-level trace function (Include/cpython/pystate.h).
const TRACE_CALL: c_int = 0;
const TRACE_EXCEPTION: c_int = 1;
const TRACE_LINE: c_int = 2;
const TRACE_RETURN: c_int = 3;

extern "C" {
    static mut _Py_NoneStruct: PyObject;
    fn Py_IncRef(object: Obj);
    fn Py_DecRef(object: Obj);
    fn PyCFunction_NewEx(def: *mut MethodDef, slf: Obj, module: Obj) -> Obj;
    fn PyObject_CallFunctionObjArgs(callable: Obj, ...) -> Obj;
    fn PyObject_IsTrue(object: Obj) -> c_int;
    fn PyErr_Clear();
    fn PyLong_AsLong(object: Obj) -> c_long;
    fn PyFrame_GetCode(frame: Obj) -> Obj;
    fn PyFrame_GetLineNumber(frame: Obj) -> c_int;
}

/// Hits and nanoseconds of one line.
#[derive(Clone, Copy, Default)]
struct Counts {
    hits: u64,
    ns: u64,
}

/// One measured code object: its lines' counts, `lines[i]` being line `base + i`.
struct Target {
    code: Obj,
    base: u32,
    lines: Vec<Counts>,
}

impl Target {
    fn counts(&mut self, line: u32) -> &mut Counts {
        if self.lines.is_empty() {
            self.base = line;
        } else if line < self.base {
            // A line above the first one seen (a loop's head after its body): shift down.
            let shift = (self.base - line) as usize;
            self.lines.splice(0..0, std::iter::repeat_n(Counts::default(), shift));
            self.base = line;
        }
        let index = (line - self.base) as usize;
        if index >= self.lines.len() {
            self.lines.resize(index + 1, Counts::default());
        }
        &mut self.lines[index]
    }
}

/// A target running on some thread: which frame (a frame object before 3.12, the code object with
/// sys.monitoring), its target, the line running in it (0 before the first) and since when.
struct Frame {
    key: usize,
    target: usize,
    line: u32,
    since: u64,
}

/// Pointer-keyed maps hash with one multiply (FxHash's), not SipHash: the lookup is on every call.
#[derive(Default)]
struct PointerHasher(u64);

impl Hasher for PointerHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.write_u64(u64::from(*byte));
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }
}

type PointerMap<V> = HashMap<usize, V, BuildHasherDefault<PointerHasher>>;

struct Tracer {
    epoch: Instant,
    /// Python's `decide(code) -> bool`: whether a code object is measured.
    decide: Obj,
    /// `sys.monitoring.DISABLE` (None before 3.12).
    disable: Obj,
    /// Every code object decided on, with its target index; each holds a reference so that its
    /// address cannot be reused by another code object.
    decided: PointerMap<Option<usize>>,
    targets: Vec<Target>,
    /// The running targets of each thread, by the thread's slot (`THREAD_SLOT`).
    threads: Vec<Vec<Frame>>,
    stopped: bool,
    /// The monitoring callbacks' method definitions, which their function objects point into.
    methods: Vec<MethodDef>,
}

impl Tracer {
    fn now(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    fn stack(&mut self) -> &mut Vec<Frame> {
        let mut slot = THREAD_SLOT.with(Cell::get);
        if slot >= self.threads.len() {
            slot = self.threads.len();
            self.threads.push(Vec::new());
            THREAD_SLOT.with(|cell| cell.set(slot));
        }
        &mut self.threads[slot]
    }

    /// A line event in the frame `key` at `clock`.
    fn line(&mut self, key: usize, line: u32, clock: u64) {
        let Some(frame) = self.stack().last_mut().filter(|f| f.key == key) else {
            // A target that was already running when measuring started: nothing to attribute to.
            return;
        };
        let (target, running, since) = (frame.target, frame.line, frame.since);
        frame.line = line;
        let Some(target) = self.targets.get_mut(target) else { return };
        if running != 0 {
            target.counts(running).ns += clock.saturating_sub(since);
        }
        target.counts(line).hits += 1;
        let end = self.now();
        if let Some(frame) = self.stack().last_mut() {
            frame.since = end;
        }
    }

    /// The frame `key` returns, yields or unwinds at `clock`.
    fn leave(&mut self, key: usize, clock: u64) {
        let stack = self.stack();
        if stack.last().is_none_or(|f| f.key != key) {
            return;
        }
        if let Some(frame) = stack.pop() {
            self.charge(&frame, clock);
        }
    }

    fn charge(&mut self, frame: &Frame, clock: u64) {
        if frame.line != 0 {
            if let Some(target) = self.targets.get_mut(frame.target) {
                target.counts(frame.line).ns += clock.saturating_sub(frame.since);
            }
        }
    }

    /// The running lines of every thread get their time so far (at stop, or for a report
    /// written while the program is still running).
    fn flush(&mut self) {
        let clock = self.now();
        let mut charges = Vec::new();
        for stack in &mut self.threads {
            for frame in stack.iter_mut().filter(|f| f.line != 0) {
                charges.push((frame.target, frame.line, clock.saturating_sub(frame.since)));
                frame.since = clock;
            }
        }
        for (target, line, ns) in charges {
            if let Some(target) = self.targets.get_mut(target) {
                target.counts(line).ns += ns;
            }
        }
    }
}

/// The state, touched only with the GIL held.
struct GilCell<T>(UnsafeCell<T>);

// SAFETY: every access happens with the GIL held (see the module comment), which serialises them.
unsafe impl<T> Sync for GilCell<T> {}

static TRACER: GilCell<Option<Tracer>> = GilCell(UnsafeCell::new(None));

thread_local! {
    /// This thread's index in `Tracer::threads` (usize::MAX until its first event).
    static THREAD_SLOT: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// The tracer, if started and not stopped.
///
/// # Safety
/// The GIL must be held, and the reference must not live across a call into Python.
unsafe fn active() -> Option<&'static mut Tracer> {
    (*TRACER.0.get()).as_mut().filter(|t| !t.stopped)
}

fn none() -> Obj {
    // Only the address of the extern static is taken; nothing is read or written.
    std::ptr::addr_of_mut!(_Py_NoneStruct)
}

/// A new reference to `object`, as a Python callable returns.
unsafe fn new_ref(object: Obj) -> Obj {
    Py_IncRef(object);
    object
}

/// The target index of `code`, asking Python's `decide` the first time.
///
/// # Safety
/// The GIL must be held; `code` must be a live code object.
unsafe fn target_of(code: Obj) -> Option<usize> {
    let tracer = active()?;
    if let Some(known) = tracer.decided.get(&(code as usize)) {
        return *known;
    }
    let decide = tracer.decide;
    // `decide` runs Python code, during which other threads may run callbacks: no borrow of the
    // state lives across it.
    let answer = PyObject_CallFunctionObjArgs(decide, code, std::ptr::null_mut::<PyObject>());
    let measured = if answer.is_null() {
        PyErr_Clear();
        false
    } else {
        let truth = PyObject_IsTrue(answer);
        Py_DecRef(answer);
        if truth < 0 {
            PyErr_Clear();
        }
        truth > 0
    };
    let tracer = active()?;
    if let Some(known) = tracer.decided.get(&(code as usize)) {
        // Another thread decided it meanwhile.
        return *known;
    }
    Py_IncRef(code);
    let index = measured.then(|| {
        tracer.targets.push(Target { code, base: 0, lines: Vec::new() });
        tracer.targets.len() - 1
    });
    tracer.decided.insert(code as usize, index);
    index
}

/// Starts a frame of `target` keyed `key` on this thread.
unsafe fn enter(key: usize, target: usize) {
    if let Some(tracer) = active() {
        tracer.stack().push(Frame { key, target, line: 0, since: 0 });
    }
}

// ---- The C-level trace function (before 3.12) ----

/// A `Py_tracefunc` for `PyEval_SetTrace`. Also called by loupe_lines.py for the first call of a
/// new thread, whose event went to the Python hook that installed this function.
///
/// # Safety
/// Called by CPython (or ctypes) with the GIL held and a live frame.
#[no_mangle]
pub unsafe extern "C" fn loupe_lines_trace(_object: Obj, frame: Obj, what: c_int, _arg: Obj) -> c_int {
    let Some(tracer) = active() else { return 0 };
    let clock = tracer.now();
    let key = frame as usize;
    match what {
        TRACE_LINE if tracer.stack().last().is_some_and(|f| f.key == key) => {
            let line = PyFrame_GetLineNumber(frame);
            tracer.line(key, line.max(1) as u32, clock);
        }
        TRACE_CALL => {
            let code = PyFrame_GetCode(frame);
            if code.is_null() {
                PyErr_Clear();
                return 0;
            }
            let target = target_of(code);
            Py_DecRef(code);
            if let Some(target) = target {
                enter(key, target);
            }
        }
        TRACE_RETURN => tracer.leave(key, clock),
        TRACE_EXCEPTION => {
            // The line goes on (the exception may be handled here); its clock restarts after this
            // callback, as for a line.
            let end = tracer.now();
            if let Some(frame) = tracer.stack().last_mut().filter(|f| f.key == key && f.line != 0) {
                let (target, line, since) = (frame.target, frame.line, frame.since);
                frame.since = end;
                if let Some(target) = tracer.targets.get_mut(target) {
                    target.counts(line).ns += clock.saturating_sub(since);
                }
            }
        }
        _ => {}
    }
    0
}

// ---- sys.monitoring callbacks (3.12+), METH_FASTCALL builtins ----

type FastCall = unsafe extern "C" fn(Obj, *const Obj, isize) -> Obj;

/// The `index`th positional argument.
unsafe fn argument(args: *const Obj, nargs: isize, index: isize) -> Option<Obj> {
    (index < nargs).then(|| *args.offset(index))
}

/// PY_START and PY_RESUME (code, offset): a target's frame starts; anything else is disabled.
unsafe extern "C" fn on_start(_slf: Obj, args: *const Obj, nargs: isize) -> Obj {
    let Some(code) = argument(args, nargs, 0) else { return new_ref(none()) };
    match target_of(code) {
        Some(target) => {
            enter(code as usize, target);
            new_ref(none())
        }
        None => match active() {
            Some(tracer) if !tracer.disable.is_null() => new_ref(tracer.disable),
            _ => new_ref(none()),
        },
    }
}

/// LINE (code, line).
unsafe extern "C" fn on_line(_slf: Obj, args: *const Obj, nargs: isize) -> Obj {
    if let (Some(tracer), Some(code), Some(line)) = (active(), argument(args, nargs, 0), argument(args, nargs, 1)) {
        let clock = tracer.now();
        let line = PyLong_AsLong(line);
        if line > 0 {
            tracer.line(code as usize, line as u32, clock);
        } else if line < 0 {
            PyErr_Clear();
        }
    }
    new_ref(none())
}

/// PY_RETURN, PY_YIELD and PY_UNWIND (code, offset, value): the frame leaves.
unsafe extern "C" fn on_leave(_slf: Obj, args: *const Obj, nargs: isize) -> Obj {
    if let (Some(tracer), Some(code)) = (active(), argument(args, nargs, 0)) {
        let clock = tracer.now();
        tracer.leave(code as usize, clock);
    }
    new_ref(none())
}

/// PY_THROW (code, offset, exception): a target generator resumes by a throw().
unsafe extern "C" fn on_throw(_slf: Obj, args: *const Obj, nargs: isize) -> Obj {
    if let Some(code) = argument(args, nargs, 0) {
        if let Some(tracer) = active() {
            if let Some(Some(target)) = tracer.decided.get(&(code as usize)).copied() {
                enter(code as usize, target);
            }
        }
    }
    new_ref(none())
}

// ---- The interface loupe_lines.py calls through ctypes.PyDLL ----

/// Starts measuring: `decide(code) -> bool` picks the targets; `disable` is
/// `sys.monitoring.DISABLE` (None before 3.12). Returns 0, or -1 if it was started before.
///
/// # Safety
/// GIL held; both arguments live objects.
#[no_mangle]
pub unsafe extern "C" fn loupe_lines_start(decide: Obj, disable: Obj) -> c_int {
    if (*TRACER.0.get()).is_some() {
        // Once per process: function objects made from the first tracer's method definitions
        // may still exist, so it is never replaced.
        return -1;
    }
    Py_IncRef(decide);
    Py_IncRef(disable);
    let names = [c"on_start".as_ptr(), c"on_line".as_ptr(), c"on_leave".as_ptr(), c"on_throw".as_ptr()];
    let methods: [FastCall; 4] = [on_start, on_line, on_leave, on_throw];
    let methods = names
        .iter()
        .zip(methods)
        .map(|(name, method)| MethodDef {
            name: *name,
            method: method as *const c_void,
            flags: METH_FASTCALL,
            doc: std::ptr::null(),
        })
        .collect();
    *TRACER.0.get() = Some(Tracer {
        epoch: Instant::now(),
        decide,
        disable: if disable == none() { std::ptr::null_mut() } else { disable },
        decided: PointerMap::default(),
        targets: Vec::new(),
        threads: Vec::new(),
        stopped: false,
        methods,
    });
    0
}

/// The monitoring callback `which` (0 PY_START/PY_RESUME, 1 LINE, 2 PY_RETURN/PY_YIELD/PY_UNWIND,
/// 3 PY_THROW) as a new builtin function object, or NULL (with no error set) for a bad index.
///
/// # Safety
/// GIL held, after `loupe_lines_start`.
#[no_mangle]
pub unsafe extern "C" fn loupe_lines_callback(which: c_int) -> Obj {
    let Some(tracer) = (*TRACER.0.get()).as_mut() else { return std::ptr::null_mut() };
    match usize::try_from(which).ok().and_then(|i| tracer.methods.get_mut(i)) {
        // The definitions live in the tracer, which is never dropped or replaced.
        Some(def) => PyCFunction_NewEx(def, std::ptr::null_mut(), std::ptr::null_mut()),
        None => std::ptr::null_mut(),
    }
}

/// Stops measuring: later events are ignored, and running lines get their time so far.
///
/// # Safety
/// GIL held.
#[no_mangle]
pub unsafe extern "C" fn loupe_lines_stop() {
    if let Some(tracer) = active() {
        tracer.flush();
        tracer.stopped = true;
    }
}

/// How many code objects were measured.
///
/// # Safety
/// GIL held.
#[no_mangle]
pub unsafe extern "C" fn loupe_lines_target_count() -> c_int {
    (*TRACER.0.get()).as_ref().map_or(0, |t| t.targets.len() as c_int)
}

/// The code object of target `index` (a new reference), or NULL.
///
/// # Safety
/// GIL held.
#[no_mangle]
pub unsafe extern "C" fn loupe_lines_target_code(index: c_int) -> Obj {
    let target = (*TRACER.0.get()).as_ref().and_then(|t| t.targets.get(usize::try_from(index).ok()?));
    target.map_or(std::ptr::null_mut(), |t| new_ref(t.code))
}

/// Writes target `index`'s lines that ran, as (line, hits, ns) triples, into `out` (room for
/// `capacity` triples) and returns how many there are (more than `capacity`: call again with
/// more room).
///
/// # Safety
/// GIL held; `out` points to `3 * capacity` u64s.
#[no_mangle]
pub unsafe extern "C" fn loupe_lines_rows(index: c_int, out: *mut u64, capacity: usize) -> usize {
    let Some(target) = (*TRACER.0.get()).as_ref().and_then(|t| t.targets.get(usize::try_from(index).ok()?)) else {
        return 0;
    };
    let rows = target.lines.iter().enumerate().filter(|(_, c)| c.hits > 0 || c.ns > 0);
    let mut count = 0;
    for (offset, counts) in rows {
        if count < capacity {
            let row = out.add(3 * count);
            *row = u64::from(target.base) + offset as u64;
            *row.add(1) = counts.hits;
            *row.add(2) = counts.ns;
        }
        count += 1;
    }
    count
}
