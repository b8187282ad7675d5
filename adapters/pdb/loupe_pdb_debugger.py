"""The debugger itself: pdb.Pdb (or IPython's debugger) with BridgeMixin in front, which reports every
stop, prompt and resumption to the bridge and adds function breakpoints and exception stops."""

import bdb
import os
import pdb
import signal
import sys

from loupe_pdb_channel import *  # noqa: F401,F403
from loupe_pdb_values import *  # noqa: F401,F403
from loupe_pdb_breakpoints import *  # noqa: F401,F403
from loupe_pdb_bridge import *  # noqa: F401,F403

BRIDGE_FILES.add(__file__)

# ----- the debugger -----


class BridgeMixin:
    """What the bridge adds to pdb.Pdb or IPython's debugger: every stop, prompt and resumption is
    reported; breakpoints get hit conditions and log messages; function breakpoints and the
    `raised` exception filter work; breakpoints loupe sets while the program runs apply at once;
    and the bridge's own code is never a place to stop."""

    bridge = None
    _lp_why = None  # (reason, hit, exception) of the stop being entered
    _lp_break_reason = None  # pause / breakpoint(): the reason of the next stop, whatever comes first
    _lp_entry = False  # the next stop is the program's first line
    _lp_at_entry = False  # stopped at the entry stop
    _lp_jumped = False
    _lp_restop = False
    _lp_quiet = False  # the bridge is running on the program's thread: no stepping into it
    _lp_raised = False
    _lp_unhandled = False  # the `user-unhandled` filter
    _lp_unhandled_seen = None  # the exception it last stopped at: one stop per exception
    _lp_innermost = False  # the stop being set up selects the traceback's innermost frame
    _lp_seek_user = False  # the entry stop waits for the first line of user code
    _lp_entry_frame = None  # the frame of that line
    _lp_capture_suspended = False  # a test runner's output capture is off for a stop
    _lp_function_bps = {}
    _lp_pending = None  # (frame, number): a function breakpoint stops at the frame's first line
    _lp_new_stop = False  # setup() ran for a stop not announced yet
    _lp_idle = False  # running without a trace function (see set_continue)
    _lp_rearm = False  # the next SIGINT is Bridge.rearm's, not a pause

    # --- where the program stops ---

    def dispatch_call(self, frame, arg):
        if self._lp_quiet or frame.f_code.co_filename in BRIDGE_FILES:
            return None
        if self._lp_seek_user and self.bridge.is_user_code(frame.f_code):
            self._lp_seek_user = False
            self._lp_entry_frame = frame
            self.set_step()  # the entry stop: this frame's first line
        if self._lp_function_bps and not self._wait_for_mainpyfile:
            try:
                number = self.bridge.function_breakpoint(frame)
            except Exception:
                number = None
                self.bridge.failed("checking function breakpoints")
            if number is not None:
                self._lp_pending = (frame, number)
        result = super().dispatch_call(frame, arg)
        if self._lp_idle:
            return None  # continued from a `--Call--` stop with nothing to trace
        if self._lp_unhandled and self.bridge.is_user_code(frame.f_code):
            self._lp_watch_caller(frame)
        if result is None and self._lp_raised and self.bridge.is_user_code(frame.f_code):
            # Traced for exception events only: line events would slow the program down.
            frame.f_trace_lines = False
            return self.trace_dispatch
        return result

    if sys.version_info < (3, 10):

        def dispatch_line(self, frame):
            # 3.8 and 3.9 give a frame with a trace function the line of its last line event. The
            # frame that continued keeps bdb's (the return value) though `continue` turned tracing
            # off: its line, in tracebacks too, would stay where it stopped. Give it none.
            result = super().dispatch_line(frame)
            return None if self._lp_idle else result

    def break_anywhere(self, frame):
        pending = self._lp_pending
        if pending is not None and pending[0] is frame:
            return True
        return super().break_anywhere(frame)

    def break_here(self, frame):
        pending = self._lp_pending
        if pending is not None and pending[0] is frame:
            self._lp_pending = None
            self._lp_why = ("function breakpoint", [pending[1]], None)
            return True
        try:
            if not super().break_here(frame):
                return False
        except (KeyError, IndexError, ValueError):
            return False  # loupe changed the breakpoints while this line was being checked
        try:
            return self.bridge.breakpoint_reached(frame)
        except Exception:
            self.bridge.failed("checking a breakpoint")
            return True

    def _lp_entry_in_library(self, frame):
        """The program's first line is in the library (`-m pytest`, `-m unittest`): the entry stop
        is at the first line of user code instead, as debugpy's justMyCode has it. Until then
        the program runs with only calls traced (dispatch_call finds the user's first frame)."""
        if self.mainpyfile != self.canonic(frame.f_code.co_filename) or self.bridge.is_user_code(frame.f_code):
            return False
        self._wait_for_mainpyfile = False
        self._lp_seek_user = True
        self._set_stopinfo(self.botframe, None, -1)  # no line stops on the way
        return True

    def _lp_watch_caller(self, frame):
        """The `user-unhandled` filter: user code called from the library (a test function from
        pytest, a method from unittest) gets its caller traced for exception events only, the
        place where an exception leaving user code arrives (see _leaves_user_code)."""
        caller = frame.f_back
        if caller is None or caller.f_trace is not None:
            return
        code = caller.f_code
        if self.bridge.is_user_code(code) or code.co_filename in self.bridge.internal_files:
            return
        caller.f_trace = self.trace_dispatch
        caller.f_trace_lines = False

    def dispatch_exception(self, frame, arg):
        if self._lp_unhandled and not self._wait_for_mainpyfile and self._lp_leaves_here(frame, arg):
            self._lp_unhandled_seen = arg[1]
            self._lp_innermost = True  # stop where it was raised, not in the library's frame
            self.user_exception(frame, arg)
            if self.quitting:
                raise bdb.BdbQuit
            return self.trace_dispatch
        if self._lp_raised and not self._wait_for_mainpyfile and self._lp_raised_here(frame, arg):
            self.user_exception(frame, arg)
            if self.quitting:
                raise bdb.BdbQuit
            return self.trace_dispatch
        return super().dispatch_exception(frame, arg)

    def _lp_raised_here(self, frame, arg):
        try:
            return self._raised_here(frame, arg)
        except Exception:
            self.bridge.failed("checking the raised filter")
            return False

    def _lp_leaves_here(self, frame, arg):
        try:
            return self._leaves_user_code(frame, arg)
        except Exception:
            self.bridge.failed("checking the user-unhandled filter")
            return False

    def _leaves_user_code(self, frame, arg):
        """debugpy's `userUnhandled` rule: the exception has just left user code for a library
        frame (this one), which may catch it as pytest and unittest catch a failing test. Only
        errors count (Exception, not StopIteration): pytest's skip and xfail, SystemExit and
        KeyboardInterrupt are BaseExceptions. Leaving for the debugger's own frames is the
        `uncaught` filter's business."""
        exc_type, exc, tb = arg
        if tb is None or tb.tb_frame is not frame or tb.tb_next is None or exc is self._lp_unhandled_seen:
            return False
        if not issubclass(exc_type, Exception) or issubclass(exc_type, (StopIteration, StopAsyncIteration)):
            return False
        bridge = self.bridge
        code = frame.f_code
        if bridge.is_user_code(code) or code.co_filename in bridge.internal_files:
            return False
        return bridge.is_user_code(tb.tb_next.tb_frame.f_code)

    def _raised_here(self, frame, arg):
        """Whether the exception was raised in this frame (user code), or entered user code here
        from the library."""
        tb = arg[2]
        if tb is None or tb.tb_frame is not frame or not self.bridge.is_user_code(frame.f_code):
            return False
        tb = tb.tb_next
        while tb is not None:
            if self.bridge.is_user_code(tb.tb_frame.f_code):
                return False
            tb = tb.tb_next
        return True

    def set_continue(self):
        tracing = sys.gettrace() is not None  # not in a post-mortem
        super().set_continue()
        if tracing and sys.gettrace() is None:
            # bdb stops tracing when no line breakpoint is set, so the program runs at full
            # speed. Function breakpoints and the `raised` filter need the trace function too.
            # Without them, loupe may still set a breakpoint while the program runs: rearm().
            if self._lp_needs_tracing():
                sys.settrace(self.trace_dispatch)
            else:
                self._lp_idle = True

    def _lp_needs_tracing(self):
        return bool(self.breaks or self._lp_function_bps or self._lp_raised or self._lp_unhandled)

    def _lp_trace_from(self, frame):
        """Trace the program again from this frame outwards, as bdb does when it starts."""
        while frame is not None and frame is not self.botframe:
            if not self.bridge.hidden(frame):
                if frame.f_trace is None:
                    frame.f_trace = self.trace_dispatch
                frame.f_trace_lines = True
            frame = frame.f_back
        self._lp_idle = False
        sys.settrace(self.trace_dispatch)

    def sigint_handler(self, signum, frame):
        if self._lp_rearm:
            # Not a pause: the bridge's reader thread asks this thread to trace again (Bridge.rearm).
            self._lp_rearm = False
            quiet, self._lp_quiet = self._lp_quiet, True
            try:
                self._lp_trace_from(frame)
            finally:
                self._lp_quiet = quiet
            return
        if self.allow_kbdint and self.bridge.stopped:
            if getattr(self, "thread_executor", None) is not None:
                # ipdb reads its prompt on another thread, and Ctrl-C typed there is a key, not
                # this signal; interrupting the wait for that thread would lose the next line.
                return
            raise KeyboardInterrupt  # Ctrl-C at the prompt cancels the line, as in pdb
        self.break_into(frame, "pause", "\nProgram interrupted. (Use 'cont' to resume).")

    def break_into(self, frame, reason, message=None):
        """Stop at the next line the program runs (pause, breakpoint())."""
        # Once stepping is on, every Python call made here would be a place to stop: quiet until
        # the very end (restoring the flag is an attribute store, not a call).
        quiet, self._lp_quiet = self._lp_quiet, True
        try:
            if message is not None:
                self.message(message)
            while frame is not None and self.bridge.hidden(frame):
                frame = frame.f_back
            # Kept apart from _lp_why, which each bdb hook clears on its way out: the stop this
            # asks for may come after hooks that do not stop (a return from a hidden frame).
            self._lp_break_reason = reason
            if getattr(self, "botframe", None) is None:  # not started by run(): bdb's set_trace
                self.set_trace(frame)
                self.set_step()  # the next line, as below (3.13's set_trace steps by instruction)
            else:
                self.set_step()
                self._lp_trace_from(frame)
        finally:
            self._lp_quiet = quiet

    # --- stops ---

    def terminal_now(self):
        """The terminal as it is now (the bridge's start), to give back at stops."""
        return Terminal()

    def interaction(self, frame, tb):
        return self._lp_uncaptured(super().interaction, frame, tb)

    def _lp_uncaptured(self, call, *args):
        """The terminal is the program's while it is stopped (from the exception's message on),
        whatever captures its output otherwise (see Terminal)."""
        terminal = self.bridge.terminal
        if self._lp_capture_suspended or terminal is None:
            return call(*args)
        borrowed = terminal.borrow()
        self._lp_capture_suspended = True
        try:
            return call(*args)
        finally:
            self._lp_capture_suspended = False
            terminal.restore(borrowed)

    def user_line(self, frame):
        if self._lp_entry and self._wait_for_mainpyfile and self._lp_entry_in_library(frame):
            return
        pending = self._lp_pending
        if pending is not None and pending[0] is frame:
            self._lp_pending = None
            self._lp_why = self._lp_why or ("function breakpoint", [pending[1]], None)
        try:
            super().user_line(frame)
        finally:
            self._lp_why = None

    def user_call(self, frame, argument_list):
        if frame is self._lp_entry_frame:
            return  # not at its call (`--Call--`): at its first line, which comes next
        pending = self._lp_pending
        if pending is not None and pending[0] is frame and self.stop_here(frame):
            self._lp_pending = None
            self._lp_why = ("function breakpoint", [pending[1]], None)
        try:
            super().user_call(frame, argument_list)
        finally:
            self._lp_why = None

    def user_return(self, frame, return_value):
        try:
            super().user_return(frame, return_value)
        finally:
            self._lp_why = None

    def user_exception(self, frame, exc_info):
        if not self._wait_for_mainpyfile:
            self._lp_why = ("exception", [], self.bridge.exception_report(*exc_info))
        try:
            self._lp_uncaptured(super().user_exception, frame, exc_info)
        finally:
            self._lp_why = None

    def setup(self, f, tb):
        result = super().setup(f, tb)
        self._lp_new_stop = True
        if self._lp_innermost:
            # A user-unhandled stop: f is the library frame the exception reached; the frame to
            # look at is the innermost user frame it came through, still alive in the traceback.
            self._lp_innermost = False
            self.curindex = len(self.stack) - 1
            while self.curindex > 0 and not self.bridge.is_user_code(self.stack[self.curindex][0].f_code):
                self.curindex -= 1  # raised in the library (unittest's assertEqual): the user's frame
            del self.stack[self.curindex + 1 :]  # and the library's frames below it left out, as justMyCode does
            self.curframe = self.stack[self.curindex][0]
            self.curframe_locals = self.curframe.f_locals
            self.lineno = None
        return result

    def preloop(self):
        super().preloop()
        if not self.bridge.stopped:
            try:
                self._lp_announce()
            except Exception:
                self.bridge.failed("reporting a stop")

    def _lp_announce(self):
        why = self._lp_why
        if why is None and self._lp_break_reason is not None:
            why = (self._lp_break_reason, [], None)
        self._lp_break_reason = None
        if why is None:
            # No new stop (setup() not called) means the prompt loop was entered again after
            # `running` was sent: a Ctrl-C came between the two. The program is paused.
            why = ("step" if self._lp_new_stop else "pause", [], None)
        self._lp_why = None
        self._lp_new_stop = False
        if self._lp_entry:
            why, self._lp_entry, self._lp_at_entry = ("entry", [], None), False, True
            self._lp_entry_frame = None
        self.bridge.announce_stop(why)

    def postcmd(self, stop, line):
        stop = super().postcmd(stop, line)
        try:
            self._lp_after_command(stop, line)
        except Exception:
            self.bridge.failed("reporting the command %r" % line)
        return stop

    def precmd(self, line):
        stdout = self.stdout
        if isinstance(stdout, CommandOutput):
            stdout.begin()
        return super().precmd(line)

    def _lp_after_command(self, stop, line):
        """Tell loupe what the command did: resumed the program, jumped, or left it stopped; and
        first, what it did to breakpoints."""
        self.bridge.report_typed_breakpoints()
        output = self.stdout.take() if isinstance(self.stdout, CommandOutput) else ""
        if self._lp_restop:
            # No `running` before this stop: the program did not run, and loupe releases the
            # program's held input on `running` (it would reach this prompt instead).
            self._lp_restop = False
            self._lp_at_entry = False  # the next continue runs the program
            self.print_stack_entry(self.stack[self.curindex])
            self._lp_announce()
        elif stop:
            self._lp_at_entry = False
            self.bridge.announce_running(output)
        elif self._lp_jumped:
            self._lp_jumped = False
            self._lp_why = ("goto", [], None)
            self._lp_announce()
        elif not line.startswith("_pdbcmd"):  # pdb 3.13's own queued command
            self.bridge.announce_prompt(output)

    # --- commands ---

    def do_continue(self, arg):
        if self._lp_at_entry and self.stack:
            # loupe continues from the entry stop after setting breakpoints: one on the first
            # line must stop here, as if the program had run to it.
            frame = self.stack[-1][0]
            if self.break_here(frame):
                self._lp_restop = True
                return None
        return super().do_continue(arg)

    do_c = do_cont = do_continue

    def do_jump(self, arg):
        result = super().do_jump(arg)
        try:
            self._lp_jumped = self.curframe.f_lineno == int(arg)
        except (ValueError, AttributeError):
            pass
        return result

    do_j = do_jump

    def do_run(self, arg):
        self.error("restart the program from loupe")

    do_restart = do_run

    # --- running the program ---

    def run_target(self, target):
        self._lp_entry = True
        if hasattr(self, "_run"):
            return self._run(target)
        # 3.8 - 3.10: what pdb's _run does in 3.11.
        self._wait_for_mainpyfile = True
        self._user_requested_quit = False
        self.mainpyfile = self.canonic(target.filename)
        import __main__

        __main__.__dict__.clear()
        __main__.__dict__.update(target.namespace)
        self.run(target.code)

    def post_mortem(self, exc):
        self.reset()
        self._lp_entry = False  # the program failed before its first line (a SyntaxError)
        self._lp_why = ("exception", [], self.bridge.exception_report(type(exc), exc, exc.__traceback__))
        self.interaction(None, exc if sys.version_info >= (3, 13) else exc.__traceback__)


# ----- the terminal back while stopped -----


class Terminal:
    """The program's terminal as the bridge found it: file descriptors 0-2 (duplicated) and
    sys.stdin/stdout/stderr. A test runner capturing output (pytest's default, from before its
    conftest files load) points them elsewhere, stdin at /dev/null: pdb's prompt could be neither
    read nor seen. While stopped they are the terminal again, and after, the runner's, as pytest's
    own --pdb does it (and for any other capture alike)."""

    def __init__(self):
        self.fds = []
        for fd in (0, 1, 2):
            try:
                self.fds.append(os.dup(fd))  # not inherited by the program's children
            except OSError:
                self.fds.append(None)
        self.streams = (sys.stdin, sys.stdout, sys.stderr)

    def borrow(self):
        """Gives the terminal back; what `restore` needs to undo that."""
        moved = []
        for fd, original in zip((0, 1, 2), self.fds):
            if original is None or same_file(fd, original):
                continue
            try:
                moved.append((fd, os.dup(fd)))
                os.dup2(original, fd)
            except OSError:
                pass
        streams = (sys.stdin, sys.stdout, sys.stderr)
        if streams == self.streams:
            streams = None
        else:
            for stream in streams:
                try:
                    stream.flush()
                except Exception:
                    pass
            sys.stdin, sys.stdout, sys.stderr = self.streams
        return moved, streams

    def restore(self, borrowed):
        moved, streams = borrowed
        for fd, saved in moved:
            try:
                os.dup2(saved, fd)
                os.close(saved)
            except OSError:
                pass
        if streams is not None:
            sys.stdin, sys.stdout, sys.stderr = streams


def same_file(a, b):
    try:
        x, y = os.fstat(a), os.fstat(b)
    except OSError:
        return True  # nothing to give back
    return (x.st_dev, x.st_ino) == (y.st_dev, y.st_ino)


class LoupePdb(BridgeMixin, pdb.Pdb):
    pass
