"""loupe's bridge to pdb and ipdb.

loupe starts ``python -m loupe_pdb [--ipdb] (SCRIPT | -m MODULE) [ARGS...]`` in a pseudo-terminal,
with ``LOUPE_PDB_SOCKET`` naming a Unix socket that loupe listens on. Two channels result:

- The terminal is the real pdb (or ipdb). Whatever is typed there, by the user or by loupe, is an
  ordinary pdb command, so the transcript is the truth. This module never reads the terminal.
- The socket carries structured state, one JSON object per line (docs/PDB_BRIDGE.md): events from
  here (``hello``, ``stopped``, ``prompt``, ``running``, ``output``, ``exited``, ``error``) and
  requests from loupe (breakpoints, exception filters, scopes, variables, evaluate, set_variable,
  completions, exception_info), answered in order on a reader thread. User code cannot write to
  the socket, so nothing the program prints can pass for a stop.

The debugger is ``pdb.Pdb``, or the IPython class ipdb uses, with ``BridgeMixin`` in front. It
lives in this imported module rather than in ``__main__`` because pdb clears ``__main__`` for the
program. Only the standard library is imported (plus ipdb for ``--ipdb``), and little of it: the
first stop must come nearly as fast as ``python -m pdb``'s first prompt.
"""

if __name__ == "__main__":
    # `python -m loupe_pdb` executes this file as __main__, whose namespace pdb hands over to the
    # program: nothing may live there. Run this same code object again as the module loupe_pdb
    # (an import would compile the file a second time when there is no bytecode cache), then its
    # main(), which never returns.
    import sys
    import types

    _module = sys.modules["loupe_pdb"] = types.ModuleType("loupe_pdb")
    _module.__file__ = __file__
    exec(sys._getframe().f_code, _module.__dict__)
    _module.main()

import _thread
import bdb
import builtins
import os
import pdb
import sys
import traceback

from loupe_pdb_channel import *  # noqa: F401,F403
from loupe_pdb_values import *  # noqa: F401,F403
from loupe_pdb_breakpoints import *  # noqa: F401,F403
from loupe_pdb_bridge import *  # noqa: F401,F403
from loupe_pdb_debugger import *  # noqa: F401,F403

BRIDGE_FILES.add(__file__)
# Set when this process runs under the bridge (main) or attached from breakpoint().
_BRIDGE = None


# ----- what to run -----


def script_file(name):
    """`__file__` as `python SCRIPT` sets it (3.9 on): the path given, joined to the working
    directory, with symbolic links and `..` left as they are. pdb's targets use the real path,
    and in 3.11 and 3.12 the target object itself (a str subclass, shown as `ScriptTarget`)."""
    return os.path.join(os.getcwd(), name)


if hasattr(pdb, "_ScriptTarget"):

    class ScriptTarget(pdb._ScriptTarget):
        main_file = None  # set by make_target: script_file() of the path given

        @property
        def namespace(self):
            namespace = super().namespace
            namespace.setdefault("__spec__", None)  # as when Python runs a script
            namespace["__file__"] = self.main_file or str(self.filename)
            return namespace

else:

    class ScriptTarget:
        """pdb._ScriptTarget as 3.11 has it."""

        main_file = None  # set by make_target: script_file() of the path given

        def __init__(self, path):
            self.filename = os.path.realpath(path)

        def check(self):
            sys.path[0] = os.path.dirname(self.filename)

        @property
        def code(self):
            with open(self.filename, "rb") as f:
                return "exec(compile(%r, %r, 'exec'))" % (f.read(), self.filename)

        @property
        def namespace(self):
            return {
                "__name__": "__main__",
                "__file__": self.main_file or self.filename,
                "__builtins__": builtins,
                "__spec__": None,
            }


if hasattr(pdb, "_ModuleTarget"):
    ModuleTarget = pdb._ModuleTarget
else:

    class ModuleTarget:
        """pdb._ModuleTarget as 3.11 has it."""

        def __init__(self, name):
            import runpy

            _, self._spec, self.code = runpy._get_module_details(name)
            self.filename = self.code.co_filename

        def check(self):
            pass

        @property
        def namespace(self):
            return {
                "__name__": "__main__",
                "__file__": os.path.normcase(os.path.abspath(self.filename)),
                "__package__": self._spec.parent,
                "__loader__": self._spec.loader,
                "__spec__": self._spec,
                "__builtins__": builtins,
            }


def make_target(is_module, name):
    """(target, argv[0]); BridgeError says why the program cannot run."""
    if is_module:
        import runpy

        try:
            runpy._get_module_details(name)
        except Exception as exc:  # what `python -m` would say: ImportError, or the package failing
            raise BridgeError("cannot run module %s: %s" % (name, describe_exception(exc))) from None
        target = ModuleTarget(name)
        argv0 = target.filename
    else:
        if not os.path.exists(name):
            raise BridgeError("no such file: %s" % name)
        if os.path.isdir(name):
            raise BridgeError("%s is a directory, not a Python file" % name)
        target = ScriptTarget(name)
        target.main_file = script_file(name)
        argv0 = name
    if hasattr(target, "check"):  # 3.11, 3.12 (3.13 checks in the constructor)
        target.check()
    return target, argv0


def make_debugger(use_ipdb):
    if not use_ipdb:
        return LoupePdb()
    # As ipdb's own main does (_init_pdb): IPython chooses the class, with ipdb's configuration.
    from ipdb import __main__ as ipdb_main

    cls = type("LoupeIpdb", (BridgeMixin, ipdb_main._get_debugger_cls()), {})
    context = os.getenv("IPDB_CONTEXT_SIZE", ipdb_main.get_context_from_config())
    try:
        return cls(context=context)
    except TypeError:
        return cls()


def hello(channel, debugger_name):
    channel.send(
        {
            "event": "hello",
            "pid": os.getpid(),
            "python": "%d.%d.%d" % sys.version_info[:3],
            "debugger": debugger_name,
            "bridge": PROTOCOL,
        }
    )


def fail(channel, message, code):
    """Report a failure to start: to loupe (instead of hello) and on the terminal."""
    if channel is not None:
        channel.send({"event": "error", "message": message})
    print("loupe_pdb: %s" % message, file=sys.stderr)
    raise SystemExit(code)


def parse_arguments(argv):
    use_ipdb = argv[:1] == ["--ipdb"]
    if use_ipdb:
        argv = argv[1:]
    is_module = argv[:1] == ["-m"]
    if is_module:
        argv = argv[1:]
    if not argv:
        print("usage: python -m loupe_pdb [--ipdb] (SCRIPT | -m MODULE) [ARGS...]", file=sys.stderr)
        raise SystemExit(2)
    return use_ipdb, is_module, argv[0], argv[1:]


def exit_code(code):
    """The status SystemExit(code) ends Python with (printing a message as Python does)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run_program(dbg, bridge, target):
    try:
        dbg.run_target(target)
        return 0
    except SystemExit as exc:
        return exit_code(exc.code)
    except bdb.BdbQuit:
        return 0
    except BaseException as exc:
        tb = exc.__traceback__
        while tb is not None and bridge.hidden(tb.tb_frame):
            tb = tb.tb_next
        traceback.print_exception(type(exc), exc, tb)
        # Post-mortem needs a frame of the program: a script that does not compile never ran
        # (its first line was never reached), so its SyntaxError is only reported, as debugpy's
        # syntax check does.
        # One stop per exception: the user-unhandled filter may have stopped at this one already.
        if "uncaught" in bridge.filters and not dbg._lp_entry and exc is not dbg._lp_unhandled_seen:
            try:
                dbg.post_mortem(exc)
            except bdb.BdbQuit:
                pass
        return 1


def main():
    global _BRIDGE
    use_ipdb, is_module, name, args = parse_arguments(sys.argv[1:])
    path = os.environ.pop("LOUPE_PDB_SOCKET", None)  # not for the program's own children
    if not path:
        fail(None, "LOUPE_PDB_SOCKET is not set: loupe runs this module, with a socket to report to", 2)
    try:
        channel = Channel(path)
    except OSError as exc:
        fail(None, "cannot connect to loupe at %s: %s" % (path, exc), 2)
    if use_ipdb:
        try:
            import ipdb.__main__  # noqa: F401  (IPython is slow to import: before hello, once)
        except ImportError:
            python = sys.executable
            fail(
                channel, "ipdb is not installed for %s: install it with `%s -m pip install ipdb`" % (python, python), 3
            )
    try:
        target, argv0 = make_target(is_module, name)
    except BridgeError as exc:
        fail(channel, str(exc), 1)
    hello(channel, "ipdb" if use_ipdb else "pdb")
    sys.argv[:] = [argv0] + args
    dbg = make_debugger(use_ipdb)
    bridge = _BRIDGE = dbg.bridge = Bridge(channel, dbg)
    bridge.start()
    code = run_program(dbg, bridge, target)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    channel.send({"event": "exited", "code": code})
    raise SystemExit(code)


def attach_from_environment():
    """breakpoint() in a program that loupe started without this module in front (it set
    LOUPE_PDB_SOCKET): connect now. None when there is no loupe to report to."""
    global _BRIDGE
    path = os.environ.pop("LOUPE_PDB_SOCKET", None)
    if not path:
        return None
    try:
        channel = Channel(path)
    except OSError:
        return None
    hello(channel, "pdb")
    dbg = LoupePdb()
    _BRIDGE = dbg.bridge = Bridge(channel, dbg)
    _BRIDGE.start()
    return _BRIDGE


def set_trace(*args, header=None, **kwargs):
    """The breakpoint() hook (PYTHONBREAKPOINT=loupe_pdb.set_trace): stop in loupe."""
    frame = sys._getframe(1)
    bridge = _BRIDGE or attach_from_environment()
    if bridge is None:  # nobody to report to: plain pdb, as breakpoint() would give
        debugger = pdb.Pdb()
        if header is not None:
            debugger.message(header)
        debugger.set_trace(frame)
        return
    if _thread.get_ident() == bridge.reader_ident:
        return  # an expression loupe evaluated called breakpoint(): the reader must not stop
    if _thread.get_ident() != bridge.main_ident:
        # pdb reads its commands from the terminal on the thread it stops; the program's main
        # thread keeps that terminal. One thread is debugged: this call is ignored.
        print("loupe_pdb: breakpoint() outside the main thread is ignored", file=sys.__stderr__)
        return
    bridge.debugger.break_into(frame, "breakpoint", header)
