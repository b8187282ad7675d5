"""The pdb bridge (adapters/pdb/loupe_pdb.py) against the real pdb and ipdb, in a real terminal.

Run with the interpreter under test: `python -m unittest discover -s tests/pdb_bridge -v`.
LOUPE_TEST_IPDB=1 adds the ipdb tests (the interpreter must have ipdb installed).
"""

import os
import shutil
import signal
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (  # noqa: E402
    PROGRAMS,
    PYTHON,
    RequestError,
    Session,
    program,
    python_has,
)

BASIC = os.path.realpath(program("basic.py"))
BRIDGE_FILES = ("loupe_pdb.py", "bdb.py", "pdb.py", "runpy.py", "<frozen")


class BridgeTest(unittest.TestCase):
    ipdb = False

    def start(self, name, *args, **kwargs):
        kwargs.setdefault("ipdb", self.ipdb)
        session = Session(program(name) if not kwargs.get("module") else name, args, **kwargs)
        self.addCleanup(session.close)
        self.session = session
        return session

    def assertUserFrames(self, stop):
        for frame in stop["frames"]:
            self.assertFalse(
                frame["file"] and any(part in frame["file"] for part in BRIDGE_FILES),
                "a debugger frame was reported: %s" % frame,
            )

    def entry(self, name, *args, **kwargs):
        session = self.start(name, *args, **kwargs)
        stop = session.wait_stop()
        self.assertEqual(stop["reason"], "entry")
        return session, stop

    def locals_of(self, session, frame_id):
        scopes = session.request("scopes", frame=frame_id)
        ref = [s["ref"] for s in scopes if s["kind"] == "locals"][0]
        return {v["name"]: v for v in session.request("variables", ref=ref)["variables"]}

    def value(self, session, expression, frame=None):
        return session.request("evaluate", expression=expression, frame=frame, context="watch")["value"]

    def breakpoints(self, session, name, *specs):
        specs = [s if isinstance(s, dict) else {"line": s} for s in specs]
        return session.request("set_breakpoints", file=program(name), breakpoints=specs)

    def finish(self, session, code=0):
        """Continue to the end; the exit code as the bridge says it and as the process ends."""
        session.type("continue")
        session.wait_event("running")
        self.assertEqual(session.wait_exit(), (code, code))


class StartTests(BridgeTest):
    def test_hello_then_entry_stop_at_the_first_line(self):
        session = self.start("basic.py", "one", "two")
        hello = session.hello
        self.assertEqual(hello["pid"], session.process.pid)
        self.assertEqual(hello["debugger"], "ipdb" if self.ipdb else "pdb")
        self.assertEqual(hello["bridge"], 1)
        self.assertEqual(hello["python"], "%d.%d.%d" % sys.version_info[:3])
        stop = session.wait_stop()
        self.assertEqual(stop["reason"], "entry")
        self.assertEqual(stop["hit"], [])
        self.assertIsNone(stop["exception"])
        self.assertIsInstance(stop["thread"], int)
        self.assertEqual(stop["current"], 0)
        self.assertEqual([(f["name"], f["file"], f["line"]) for f in stop["frames"]], [("<module>", BASIC, 1)])
        self.assertEqual(self.value(session, "__name__"), "'__main__'")
        self.assertEqual(self.value(session, "__file__"), repr(BASIC))
        self.assertEqual(self.value(session, "__import__('sys').argv"), repr([program("basic.py"), "one", "two"]))
        self.assertEqual(self.value(session, "__spec__"), "None")
        self.assertEqual(self.value(session, "__import__('sys').path[0]"), repr(PROGRAMS))
        self.finish(session)
        self.assertIn("argv: ['one', 'two']\n", session.outputs("stdout"))

    def test_dunder_file_is_the_path_given_as_python_sets_it(self):
        # pdb's own target (3.11, 3.12) makes __file__ itself: a str subclass with the real path,
        # which Locals showed as a `ScriptTarget`. Python keeps the path given (a link stays one).
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        link = os.path.join(folder, "linked.py")
        os.symlink(BASIC, link)
        session = self.start(link)
        self.assertEqual(session.wait_stop()["reason"], "entry")
        self.assertEqual(self.value(session, "type(__file__).__name__"), "'str'")
        self.assertEqual(self.value(session, "__file__"), repr(link))
        self.finish(session)

    def test_module_with_dash_m(self):
        session = self.start("pkg", "x", module=True)
        stop = session.wait_stop()
        main_file = os.path.join(PROGRAMS, "pkg", "__main__.py")
        self.assertEqual((stop["reason"], stop["frames"][0]["file"]), ("entry", main_file))
        self.assertEqual(self.value(session, "__import__('sys').argv"), repr([main_file, "x"]))
        self.assertEqual(self.value(session, "__spec__.name"), "'pkg.__main__'")
        self.breakpoints(session, "pkg/helper.py", 2)
        stop = session.step("continue")
        self.assertEqual(
            (stop["reason"], stop["frames"][0]["name"], stop["frames"][0]["line"]), ("breakpoint", "twice", 2)
        )
        self.finish(session)
        self.assertIn("pkg main ['x'] 42", session.outputs())

    def test_no_such_script_is_an_error_instead_of_hello(self):
        session = self.start("missing.py", hello=False)
        event = session.wait_event("error")
        self.assertIn("no such file", event["message"])
        self.assertEqual(session.process.wait(timeout=20), 1)

    def test_no_such_module_is_an_error_instead_of_hello(self):
        session = self.start("no_such_module_here", module=True, hello=False)
        event = session.wait_event("error")
        self.assertIn("no_such_module_here", event["message"])
        self.assertEqual(session.process.wait(timeout=20), 1)


class BreakpointTests(BridgeTest):
    def test_line_breakpoint_stack_and_continue_to_the_end(self):
        session, _ = self.entry("basic.py")
        [bp] = self.breakpoints(session, "basic.py", 6)
        self.assertEqual(bp, {"number": bp["number"], "verified": True, "line": 6, "message": None})
        stop = session.step("continue")
        self.assertEqual(stop["reason"], "breakpoint")
        self.assertEqual(stop["hit"], [bp["number"]])
        self.assertEqual([(f["name"], f["line"]) for f in stop["frames"]], [("add", 6), ("main", 20), ("<module>", 34)])
        self.assertUserFrames(stop)
        self.assertEqual(len({f["id"] for f in stop["frames"]}), 3)
        self.assertEqual(self.locals_of(session, stop["frames"][0]["id"])["a"]["value"], "1")
        self.breakpoints(session, "basic.py")  # none: runs to the end
        self.finish(session)
        self.assertIn("done 6\n", session.outputs("stdout"))

    def test_lines_without_code_are_not_verified(self):
        session, _ = self.entry("basic.py")
        results = self.breakpoints(
            session,
            "basic.py",
            21,
            22,
            500,
            4,
            6,
            {"line": 28, "condition": "i ==="},
            {"line": 28, "hit_condition": "sometimes"},
        )
        verified = [r["verified"] for r in results]
        self.assertEqual(verified, [False, False, False, False, True, False, False])
        self.assertIn("comment", results[0]["message"])
        self.assertIn("blank", results[1]["message"])
        self.assertIn("past the end", results[2]["message"])
        self.assertTrue(results[3]["message"])
        self.assertIn("condition", results[5]["message"])
        self.assertIn("hit condition", results[6]["message"])
        [missing] = session.request("set_breakpoints", file="/no/such/file.py", breakpoints=[{"line": 1}])
        self.assertFalse(missing["verified"])
        self.assertTrue(missing["message"])

    def test_condition(self):
        session, _ = self.entry("basic.py")
        self.breakpoints(session, "basic.py", {"line": 28, "condition": "i == 2"})
        stop = session.step("continue")
        self.assertEqual(stop["frames"][0]["line"], 28)
        self.assertEqual(self.value(session, "i"), "2")
        self.finish(session)

    def test_hit_conditions(self):
        for condition, expected in (("==3", [2]), (">=8", [7, 8, 9]), ("%4", [3, 7]), ("2", [1])):
            with self.subTest(condition=condition):
                session, _ = self.entry("loop.py")
                self.breakpoints(session, "loop.py", {"line": 10, "hit_condition": condition})
                stopped_at = []
                session.type("continue")
                session.wait_event("running")
                while True:
                    event = session.next_event()
                    if event["event"] == "exited":
                        break
                    if event["event"] == "stopped":
                        stopped_at.append(int(self.value(session, "i")))
                        session.type("continue")
                self.assertEqual(stopped_at, expected)
                session.close()

    def test_log_points_do_not_stop(self):
        session, _ = self.entry("loop.py")
        self.breakpoints(
            session,
            "loop.py",
            {"line": 5, "log_message": "step {i}: total={total} {{braces}} {missing}", "hit_condition": ">=9"},
        )
        self.finish(session)
        self.assertEqual(
            session.outputs("console"),
            "step 8: total=28 {braces} <NameError: name 'missing' is not defined>\n"
            "step 9: total=36 {braces} <NameError: name 'missing' is not defined>\n",
        )
        self.assertNotIn("step 8", session.outputs("stdout"))

    def test_breakpoint_added_while_running_is_hit(self):
        session, _ = self.entry("busy.py")
        session.type("continue")
        session.wait_event("running")
        session.wait_event("output")  # "spinning": the loop has started, with no breakpoint set
        time.sleep(0.2)
        # In the loop of the function already running, then in a function it calls.
        for line, name in ((17, "spin"), (8, "work")):
            [bp] = self.breakpoints(session, "busy.py", line)
            stop = session.wait_stop()
            self.assertEqual((stop["reason"], stop["hit"]), ("breakpoint", [bp["number"]]))
            self.assertEqual((stop["frames"][0]["name"], stop["frames"][0]["line"]), (name, line))
            self.breakpoints(session, "busy.py")
            session.type("continue")
            session.wait_event("running")
        self.stop_spinning(session)

    def test_breakpoint_added_while_running_traced(self):
        # A condition that is never true keeps the program traced: the new breakpoint reaches
        # the running frames directly rather than through the program's thread.
        session, _ = self.entry("busy.py")
        self.breakpoints(session, "busy.py", {"line": 8, "condition": "False"})
        session.type("continue")
        session.wait_event("running")
        session.wait_event("output")
        time.sleep(0.2)
        [_, bp] = self.breakpoints(session, "busy.py", {"line": 8, "condition": "False"}, 17)
        stop = session.wait_stop()
        self.assertEqual((stop["hit"], stop["frames"][0]["line"]), ([bp["number"]], 17))
        self.breakpoints(session, "busy.py")
        session.type("continue")
        session.wait_event("running")
        [function_bp] = session.request("set_function_breakpoints", breakpoints=[{"name": "work"}])
        stop = session.wait_stop()
        self.assertEqual((stop["reason"], stop["hit"]), ("function breakpoint", [function_bp["number"]]))
        session.request("set_function_breakpoints", breakpoints=[])
        session.request("evaluate", expression="globals().update(keep_going=False)", frame=None, context="repl")
        self.finish(session)

    def stop_spinning(self, session):
        session.request("set_breakpoints", file=program("busy.py"), breakpoints=[{"line": 8}])
        session.wait_stop()
        session.request("evaluate", expression="globals().update(keep_going=False)", frame=None, context="repl")
        self.breakpoints(session, "busy.py")
        self.finish(session)

    def test_breakpoint_on_the_entry_line_stops_there(self):
        session, entry = self.entry("basic.py")
        [bp] = self.breakpoints(session, "basic.py", 1)
        session.type("continue")
        # No `running` first: the program does not run (loupe releases held input on `running`).
        stop = session.wait_stop()
        self.assertEqual((stop["reason"], stop["hit"], stop["frames"][0]["line"]), ("breakpoint", [bp["number"]], 1))
        self.assertNotEqual(stop["frames"][0]["id"], entry["frames"][0]["id"])
        self.breakpoints(session, "basic.py")
        self.finish(session)

    def test_replacing_breakpoints_keeps_unchanged_ones(self):
        session, _ = self.entry("basic.py")
        first = self.breakpoints(session, "basic.py", 6, 15)
        second = self.breakpoints(session, "basic.py", 6, 28)
        self.assertEqual(first[0]["number"], second[0]["number"])
        self.assertNotIn(second[1]["number"], [b["number"] for b in first])
        stop = session.step("continue")
        self.assertEqual(stop["frames"][0]["line"], 6)

    def test_function_breakpoints(self):
        session, _ = self.entry("gen.py")
        results = session.request(
            "set_function_breakpoints",
            breakpoints=[
                {"name": "numbers", "condition": "limit == 5"},
                {"name": "Box.open"},
                {"name": "__main__.Box.Inner.open"},
                {"name": "not_a_function_anywhere"},
                {"name": ""},
            ],
        )
        self.assertEqual([r["verified"] for r in results], [True, True, True, True, False])
        numbers = [r["number"] for r in results]
        self.assertEqual(len(set(numbers[:4])), 4)
        expected = [("numbers", 5, numbers[0]), ("open", 13, numbers[1]), ("open", 17, numbers[2])]
        for name, line, number in expected:
            stop = session.step("continue")
            self.assertEqual(stop["reason"], "function breakpoint")
            self.assertEqual(
                (stop["frames"][0]["name"], stop["frames"][0]["line"], stop["hit"]), (name, line, [number])
            )
        # The generator resumed four more times without stopping again.
        self.finish(session)
        self.assertIn("opened inner opened 10", session.outputs())

    def test_function_breakpoint_numbers_differ_from_line_breakpoints(self):
        session, _ = self.entry("basic.py")
        [line_bp] = self.breakpoints(session, "basic.py", 28)
        [function_bp] = session.request(
            "set_function_breakpoints", breakpoints=[{"name": "add", "hit_condition": "==2"}]
        )
        self.assertNotEqual(line_bp["number"], function_bp["number"])
        stop = session.step("continue")
        self.assertEqual((stop["reason"], stop["hit"]), ("function breakpoint", [function_bp["number"]]))
        self.assertEqual(self.value(session, "a"), "0")  # the second call: add(0, 0) in the list
        session.type("break")  # pdb's own listing still works
        session.wait_event("prompt")


class SteppingTests(BridgeTest):
    def stop_at(self, session, line, name="basic.py"):
        self.breakpoints(session, name, line)
        stop = session.step("continue")
        self.breakpoints(session, name)
        self.assertEqual(stop["frames"][0]["line"], line)
        return stop

    def test_next_step_return(self):
        session, _ = self.entry("basic.py")
        self.stop_at(session, 20)
        stop = session.step("step")
        self.assertEqual((stop["reason"], stop["frames"][0]["name"]), ("step", "add"))
        stop = session.step("return")
        self.assertEqual((stop["reason"], stop["frames"][0]["name"]), ("step", "add"))
        self.assertEqual(self.value(session, "__return__"), "3")
        stop = session.step("next")
        if stop["frames"][0]["line"] == 20:  # some versions stop again on the caller's line
            stop = session.step("next")
        self.assertEqual((stop["frames"][0]["name"], stop["frames"][0]["line"]), ("main", 23))
        self.assertEqual(self.value(session, "y"), "3")
        self.assertUserFrames(stop)

    def test_step_into_print_stays_in_user_code(self):
        session, _ = self.entry("basic.py")
        self.stop_at(session, 26)
        for _ in range(3):
            stop = session.step("step")
            self.assertUserFrames(stop)
            self.assertEqual(stop["frames"][0]["file"], BASIC)

    def test_jump(self):
        session, _ = self.entry("basic.py")
        before = self.stop_at(session, 23)
        seen = len(session.seen)
        session.type("jump 24")
        stop = session.wait_stop()
        self.assertEqual((stop["reason"], stop["frames"][0]["line"]), ("goto", 24))
        # No `running` (3.12 warns about the jump on stderr: output may come first).
        self.assertEqual([e["event"] for e in session.seen[seen:] if e["event"] != "output"], ["stopped"])
        self.assertNotEqual(stop["frames"][0]["id"], before["frames"][0]["id"])
        stop = session.step("next")
        self.assertEqual(stop["frames"][0]["line"], 25)
        # Skipped by the jump: unbound (3.12 and later set the skipped locals to None).
        self.assertEqual(self.value(session, "locals().get('totals')"), "None")

    def test_up_and_down_report_the_selected_frame(self):
        session, _ = self.entry("basic.py")
        stop = self.stop_at(session, 6)
        ids = [f["id"] for f in stop["frames"]]
        session.type("up")
        prompt = session.wait_event("prompt")
        self.assertEqual(prompt["current"], 1)
        self.assertEqual([f["id"] for f in prompt["frames"]], ids)
        self.assertEqual(self.value(session, "x"), "1")  # evaluate goes to the selected frame
        session.type("up")
        self.assertEqual(session.wait_event("prompt")["current"], 2)
        session.type("down 2")
        self.assertEqual(session.wait_event("prompt")["current"], 0)
        session.type("p a + b")
        self.assertEqual(session.wait_event("prompt")["current"], 0)
        # The frames of the earlier stop are refused after the program moved.
        session.step("next")
        with self.assertRaises(RequestError):
            session.request("scopes", frame=ids[0])

    def test_pause_with_sigint(self):
        session, _ = self.entry("busy.py")
        session.type("continue")
        session.wait_event("running")
        session.wait_event("output")
        with self.assertRaisesRegex(RequestError, "the program is running"):
            session.request("evaluate", expression="1", frame=None, context="watch")
        time.sleep(0.2)
        os.kill(session.process.pid, signal.SIGINT)
        stop = session.wait_stop()
        self.assertEqual(stop["reason"], "pause")
        self.assertIn("spin", [f["name"] for f in stop["frames"]])
        self.assertUserFrames(stop)
        self.stop_spinning_from_pause(session)

    def test_sigint_at_the_prompt_keeps_the_debugger_usable(self):
        session, _ = self.entry("basic.py")
        session.write("half-typed")
        time.sleep(0.3)  # readline looks at signals only while it waits for input
        os.kill(session.process.pid, signal.SIGINT)
        if not self.ipdb:
            session.wait_screen("--KeyboardInterrupt--")
        time.sleep(0.3)
        stop = session.step("next")
        self.assertEqual((stop["reason"], stop["frames"][0]["line"]), ("step", 2))
        self.assertEqual([e["event"] for e in session.seen], ["hello", "stopped", "running", "stopped"])

    def stop_spinning_from_pause(self, session):
        session.request("evaluate", expression="globals().update(keep_going=False)", frame=None, context="repl")
        self.finish(session)
        self.assertIn("stopped spinning", session.outputs())


class ExceptionTests(BridgeTest):
    def test_uncaught_exception_post_mortem_then_exit_1(self):
        session, _ = self.entry("raises.py")
        session.request("set_exception_filters", filters=["uncaught"])
        stop = session.step("continue")
        self.assertEqual(stop["reason"], "exception")
        self.assertEqual(stop["exception"]["type"], "ValueError")
        self.assertEqual(stop["exception"]["message"], "value too big: 3")
        self.assertIn('raises.py", line 6, in check', stop["exception"]["traceback"])
        self.assertNotIn("bdb.py", stop["exception"]["traceback"])
        self.assertEqual(
            [(f["name"], f["line"]) for f in stop["frames"]], [("check", 6), ("main", 12), ("<module>", 15)]
        )
        self.assertEqual(session.request("exception_info"), stop["exception"])
        self.assertEqual(self.value(session, "value"), "3")
        self.assertIn("ValueError: value too big: 3", session.outputs("stderr"))
        self.finish(session, code=1)

    def test_uncaught_exception_without_the_filter_just_exits_1(self):
        session, _ = self.entry("raises.py")
        self.finish(session, code=1)
        self.assertEqual([e["reason"] for e in session.seen if e["event"] == "stopped"], ["entry"])
        self.assertIn("Traceback", session.outputs("stderr"))

    def test_raised_filter_stops_where_user_code_raises(self):
        session, _ = self.entry("caught.py")
        session.request("set_exception_filters", filters=["raised"])
        stop = session.step("continue")
        self.assertEqual((stop["reason"], stop["frames"][0]["line"]), ("exception", 8))
        self.assertEqual(stop["exception"]["type"], "KeyError")
        self.assertUserFrames(stop)
        session.request("set_exception_filters", filters=[])
        self.finish(session)
        self.assertIn("found [0, 1, None, 3]", session.outputs())

    def test_exception_info_when_not_on_an_exception(self):
        session, _ = self.entry("basic.py")
        with self.assertRaisesRegex(RequestError, "not stopped on an exception"):
            session.request("exception_info")
        with self.assertRaisesRegex(RequestError, "unknown exception filters"):
            session.request("set_exception_filters", filters=["sometimes"])


class ProgramTests(BridgeTest):
    def test_breakpoint_builtin_stops(self):
        session, _ = self.entry("brk.py")
        stop = session.step("continue")
        self.assertEqual((stop["reason"], stop["hit"]), ("breakpoint", []))
        self.assertEqual((stop["frames"][0]["name"], stop["frames"][0]["line"]), ("compute", 7))
        self.assertUserFrames(stop)
        self.assertEqual(self.value(session, "doubled"), "40")
        self.finish(session)
        self.assertIn("result 41", session.outputs())

    def test_input_is_read_through_the_terminal(self):
        session, _ = self.entry("echo_input.py")
        session.type("continue")
        session.wait_event("running")
        session.write("Ada\r")
        self.assertEqual(session.wait_exit(), (0, 0))
        self.assertIn("hello, Ada", session.outputs("stdout"))

    def test_program_output_that_looks_like_a_debugger(self):
        session, _ = self.entry("noisy.py")
        self.finish(session)
        stdout = session.outputs("stdout")
        self.assertTrue(stdout.startswith("(Pdb) \nipdb> \n\x1b[31mred\x1b[0m \x1b]0;a title\x07 \x1b[2J\x1b[H\n"))
        self.assertEqual(stdout.count("x" * 1023 + "\n"), 2048)
        self.assertTrue(stdout.endswith("the end\n"))
        self.assertEqual(session.outputs("stderr"), "(Pdb) on stderr\n")
        self.assertEqual([e["reason"] for e in session.seen if e["event"] == "stopped"], ["entry"])
        self.assertNotIn("prompt", [e["event"] for e in session.seen])

    def test_exit_codes(self):
        for args, code, message in ((["code", "3"], 3, None), (["message"], 1, "goodbye from exits.py"), ([], 0, None)):
            with self.subTest(args=args):
                session, _ = self.entry("exits.py", *args)
                self.finish(session, code=code)
                if message:
                    self.assertIn(message, session.outputs("stderr"))
                session.close()

    def test_quit_ends_the_program(self):
        session, _ = self.entry("basic.py")
        session.type("quit")
        session.wait_event("running")
        self.assertEqual(session.wait_exit(), (0, 0))


class ProcessTests(BridgeTest):
    def test_forked_child_runs_without_loupe(self):
        session, _ = self.entry("forks.py")
        self.breakpoints(session, "forks.py", 7)
        stop = session.step("continue")
        self.assertEqual(self.value(session, "who"), "2")  # the parent's call, not the child's
        session.wait_screen("child says")  # the child printed on the terminal, not through loupe
        self.breakpoints(session, "forks.py")
        self.finish(session)
        self.assertEqual([e["reason"] for e in session.seen if e["event"] == "stopped"], ["entry", "breakpoint"])
        self.assertNotIn("child says", session.outputs())
        self.assertIn("parent says 4", session.outputs())
        self.assertUserFrames(stop)

    def test_breakpoint_builtin_attaches_without_the_bridge_in_front(self):
        session = self.start("brk.py", direct=True)
        self.assertEqual(session.hello["debugger"], "pdb")
        stop = session.wait_stop()
        self.assertEqual(
            (stop["reason"], stop["frames"][0]["name"], stop["frames"][0]["line"]), ("breakpoint", "compute", 7)
        )
        self.assertEqual([f["name"] for f in stop["frames"]], ["compute", "<module>"])
        self.assertEqual(self.value(session, "doubled"), "40")
        session.type("continue")
        session.wait_event("running")
        self.assertEqual(session.wait_hangup(), 0)
        self.assertIn("result 41", session.outputs())

    def test_breakpoint_builtin_in_a_thread_is_ignored(self):
        session, _ = self.entry("threaded.py")
        self.finish(session)
        self.assertEqual([e["reason"] for e in session.seen if e["event"] == "stopped"], ["entry"])
        self.assertEqual(session.outputs(), "worker done 1\nmain done\n")
        session.wait_screen("breakpoint() outside the main thread is ignored")


class ValueTests(BridgeTest):
    def stop_in_values(self):
        session, _ = self.entry("values.py")
        self.breakpoints(session, "values.py", 57)
        stop = session.step("continue")
        return session, stop, self.locals_of(session, stop["frames"][0]["id"])

    def test_big_values_are_capped_without_building_them(self):
        session, stop, local = self.stop_in_values()
        for name in ("big_text", "big_bytes", "big_list", "big_dict", "huge", "huge_int", "counted"):
            with self.subTest(name=name):
                self.assertLessEqual(len(local[name]["value"]), 1000)
                self.assertTrue(local[name]["truncated"])
        self.assertEqual(local["big_text"]["value"], "'" + "a" * 999)
        self.assertEqual(local["big_list"]["count"], 1000000)
        self.assertTrue(local["big_list"]["value"].startswith("[0, 1, 2, 3"))
        self.assertEqual(local["big_dict"]["count"], 100000)
        self.assertFalse(local["big_text"]["ref"])
        # Structural proof that no full repr was built: of 100,000 objects in a list, only the
        # few that fit in 1,000 characters had their __repr__ called.
        self.assertLess(int(self.value(session, "reprs_made")), 200)
        self.assertEqual(local["bad"]["value"], "<repr failed: RuntimeError: no repr for you>")
        clip = session.request("evaluate", expression="big_text", frame=None, context="clipboard")
        self.assertEqual((len(clip["value"]), clip["truncated"], clip["type"]), (1000000, True, "str"))

    def test_reprs_match_python(self):
        session, stop, local = self.stop_in_values()
        expected = {
            "nested": "{'k': [1, {'deep': (1, 2)}], 't': (1,), 's': {3}, 'e': set()}",
            "recursive": "[1, [...]]",
            "odd_keys": "{(1, 2): 'tuple key', None: 'none', \"quote'd\": 1}",
            "deq": "deque([1, 2, 3], maxlen=5)",
            "dd": "defaultdict(<class 'list'>, {'x': [1]})",
            "od": repr(__import__("collections").OrderedDict([("a", 1), ("b", 2)])),
        }
        for name, text in expected.items():
            self.assertEqual((name, local[name]["value"], local[name]["truncated"]), (name, text, False))
        self.assertEqual(local["slotted"]["type"], "Slotted")

    def test_children_paging_and_evaluate_names(self):
        session, stop, local = self.stop_in_values()
        page = session.request("variables", ref=local["big_list"]["ref"], start=10, count=3)
        self.assertEqual(page["total"], 1000000)
        self.assertEqual(
            [(v["name"], v["value"], v["evaluate_name"]) for v in page["variables"]],
            [("[10]", "10", "big_list[10]"), ("[11]", "11", "big_list[11]"), ("[12]", "12", "big_list[12]")],
        )
        everything = session.request("variables", ref=local["big_list"]["ref"])
        self.assertEqual((len(everything["variables"]), everything["total"]), (10000, 1000000))
        nested = session.request("variables", ref=local["nested"]["ref"])["variables"]
        self.assertEqual(
            [(v["name"], v["evaluate_name"], v["count"]) for v in nested],
            [
                ("['k']", "nested['k']", 2),
                ("['t']", "nested['t']", 1),
                ("['s']", "nested['s']", 1),
                ("['e']", "nested['e']", 0),
            ],
        )
        self.assertEqual(nested[3]["ref"], 0)  # an empty set has nothing to expand
        deep = session.request("variables", ref=nested[0]["ref"])["variables"][1]
        self.assertEqual(deep["evaluate_name"], "nested['k'][1]")
        self.assertEqual(self.value(session, deep["evaluate_name"]), "{'deep': (1, 2)}")
        keys = session.request("variables", ref=local["odd_keys"]["ref"])["variables"]
        self.assertEqual([v["name"] for v in keys], ["[(1, 2)]", "[None]", '["quote\'d"]'])
        self.assertEqual([v["evaluate_name"] for v in keys], [None, "odd_keys[None]", 'odd_keys["quote\'d"]'])
        slotted = session.request("variables", ref=local["slotted"]["ref"])["variables"]
        self.assertEqual([(v["name"], v["value"]) for v in slotted], [("a", "1"), ("_Slotted__hidden", "2")])
        plain = session.request("variables", ref=local["plain"]["ref"])["variables"]
        self.assertEqual(
            [(v["name"], v["evaluate_name"]) for v in plain], [("name", "plain.name"), ("items", "plain.items")]
        )
        items = session.request("variables", ref=plain[1]["ref"])["variables"]
        self.assertEqual(items[2]["evaluate_name"], "plain.items[2]")
        result = session.request("evaluate", expression="plain.items + [4]", frame=None, context="watch")
        child = session.request("variables", ref=result["ref"])["variables"][3]
        self.assertEqual((child["value"], child["evaluate_name"]), ("4", "(plain.items + [4])[3]"))

    def test_globals_scope_and_errors(self):
        session, stop, local = self.stop_in_values()
        scopes = session.request("scopes", frame=stop["frames"][0]["id"])
        self.assertEqual([(s["name"], s["kind"]) for s in scopes], [("Locals", "locals"), ("Globals", "globals")])
        names = [v["name"] for v in session.request("variables", ref=scopes[1]["ref"])["variables"]]
        self.assertIn("Counted", names)
        with self.assertRaisesRegex(RequestError, "unknown reference"):
            session.request("variables", ref=123456789)
        with self.assertRaisesRegex(RequestError, "NameError"):
            session.request("evaluate", expression="no_such_name", frame=None, context="watch")
        with self.assertRaisesRegex(RequestError, "SyntaxError"):
            session.request("evaluate", expression="x = ", frame=None, context="repl")
        with self.assertRaisesRegex(RequestError, "SyntaxError"):
            session.request("evaluate", expression="y = 1", frame=None, context="hover")  # no statements there
        self.assertEqual(session.raw_request("no_such_method")["error"]["message"], "unknown method 'no_such_method'")

    def test_completions(self):
        session, stop, local = self.stop_in_values()
        labels = lambda text, column=None: [  # noqa: E731
            (c["label"], c["type"])
            for c in session.request(
                "completions", text=text, column=column or len(text) + 1, frame=stop["frames"][0]["id"]
            )
        ]
        self.assertEqual(labels("big_d"), [("big_dict", "variable")])
        self.assertIn(("items", "variable"), labels("print(plain.it"))
        self.assertIn(("Counted", "class"), labels("Coun"))
        self.assertIn(("collections", "module"), labels("collec"))
        self.assertIn(("while", "keyword"), labels("whil"))
        self.assertIn(("len", "function"), labels("le"))
        self.assertEqual(labels("big_d + 1", column=6), [("big_dict", "variable")])
        self.assertEqual(labels("3 + "), [])


class AssignmentTests(BridgeTest):
    """Assignments stick on every Python: 3.8 - 3.12 copy locals into a dict and back only around
    trace calls, 3.13 writes through."""

    def test_set_variable_and_repl_assignment_stick(self):
        session, _ = self.entry("assign.py")
        self.breakpoints(session, "assign.py", 5)
        stop = session.step("continue")
        local = self.locals_of(session, stop["frames"][0]["id"])
        scopes = session.request("scopes", frame=stop["frames"][0]["id"])
        result = session.request("set_variable", ref=scopes[0]["ref"], name="a", value="100")
        self.assertEqual((result["value"], result["type"]), ("100", "int"))
        self.assertEqual(local["b"]["value"], "1")
        answer = session.request("evaluate", expression="b = 5", frame=None, context="repl")
        self.assertEqual(answer, {"value": "", "truncated": False, "type": None, "ref": 0})
        stop = session.step("next")
        self.assertEqual(stop["frames"][0]["line"], 6)
        self.assertEqual(self.value(session, "c"), "105")
        # In the caller, which is not the frame the trace function runs for.
        outer = stop["frames"][1]["id"]
        outer_scopes = session.request("scopes", frame=outer)
        session.request("set_variable", ref=outer_scopes[0]["ref"], name="x", value="1000")
        self.finish(session)
        self.assertIn("outer 1105", session.outputs())

    def test_expressions_with_nested_scopes_see_the_locals(self):
        session, _ = self.entry("assign.py")
        self.breakpoints(session, "assign.py", 5)
        session.step("continue")
        for expression, value in (
            ("[a + i for i in range(2)]", "[10, 11]"),
            ("sum(b * x for x in range(3))", "3"),
            ("(lambda: a)()", "10"),
        ):
            self.assertEqual(self.value(session, expression), value)

    def test_set_children(self):
        session, _ = self.entry("values.py")
        self.breakpoints(session, "values.py", 57)
        stop = session.step("continue")
        local = self.locals_of(session, stop["frames"][0]["id"])
        nested = local["nested"]["ref"]
        session.request("variables", ref=nested)
        self.assertEqual(session.request("set_variable", ref=nested, name="['k']", value="'new'")["value"], "'new'")
        self.assertEqual(self.value(session, "nested['k']"), "'new'")
        session.request("set_variable", ref=local["big_list"]["ref"], name="[3]", value="-3")
        self.assertEqual(self.value(session, "big_list[3]"), "-3")
        session.request("set_variable", ref=local["plain"]["ref"], name="name", value="'renamed'")
        self.assertEqual(self.value(session, "plain.name"), "'renamed'")
        with self.assertRaises(RequestError):
            session.request("set_variable", ref=local["nested"]["ref"], name="['t']", value="1/0")


class IpdbTests(BridgeTest):
    """The core scenario under ipdb (IPython's debugger, prompt_toolkit at the prompt)."""

    ipdb = True

    def setUp(self):
        if os.environ.get("LOUPE_TEST_IPDB") != "1":
            self.skipTest("LOUPE_TEST_IPDB=1 runs the ipdb tests (with an interpreter that has ipdb)")

    def test_core_scenario(self):
        session, entry = self.entry("basic.py")
        self.assertEqual(session.hello["debugger"], "ipdb")
        self.assertEqual(entry["frames"][0]["file"], BASIC)
        [bp] = self.breakpoints(session, "basic.py", 6)
        stop = session.step("continue")
        self.assertEqual((stop["reason"], stop["hit"]), ("breakpoint", [bp["number"]]))
        self.assertEqual([f["name"] for f in stop["frames"]], ["add", "main", "<module>"])
        self.assertEqual(self.locals_of(session, stop["frames"][0]["id"])["b"]["value"], "2")
        session.type("up")
        self.assertEqual(session.wait_event("prompt")["current"], 1)
        self.assertEqual(self.value(session, "x"), "1")
        session.request("evaluate", expression="x = 7", frame=None, context="repl")
        stop = session.step("next")
        self.assertEqual(stop["frames"][0]["line"], 23)
        self.breakpoints(session, "basic.py")
        self.finish(session)
        # The program's output, and none of the prompt's drawing.
        self.assertEqual(session.outputs(), "message: hello world!\ny: 6\nargv: []\ndone 6\n")

    # The same scenarios as under pdb (these methods only use the session).
    test_sigint_at_the_prompt = SteppingTests.test_sigint_at_the_prompt_keeps_the_debugger_usable
    test_input_is_read_through_the_terminal = ProgramTests.test_input_is_read_through_the_terminal
    test_program_output_that_looks_like_a_debugger = ProgramTests.test_program_output_that_looks_like_a_debugger
    test_breakpoint_builtin_stops = ProgramTests.test_breakpoint_builtin_stops

    def test_function_breakpoint_and_post_mortem(self):
        session, _ = self.entry("raises.py")
        session.request("set_exception_filters", filters=["uncaught"])
        session.request("set_function_breakpoints", breakpoints=[{"name": "check", "condition": "value == 1"}])
        stop = session.step("continue")
        self.assertEqual((stop["reason"], self.value(session, "value")), ("function breakpoint", "1"))
        stop = session.step("continue")
        self.assertEqual((stop["reason"], stop["exception"]["type"]), ("exception", "ValueError"))
        self.finish(session, code=1)


class IpdbMissingTests(unittest.TestCase):
    def test_ipdb_not_installed_is_an_error_and_exit_3(self):
        python = self.python_without_ipdb()
        session = Session(program("basic.py"), ipdb=True, python=python, hello=False)
        self.addCleanup(session.close)
        event = session.wait_event("error")
        self.assertEqual(
            event["message"],
            "ipdb is not installed for %s: install it with `%s -m pip install ipdb`" % (python, python),
        )
        self.assertEqual(session.process.wait(timeout=20), 3)
        self.assertNotIn("hello", [e["event"] for e in session.seen])
        session.wait_screen("ipdb is not installed")

    @staticmethod
    def python_without_ipdb():
        """This interpreter, or the one a virtual environment was made from."""
        candidates = [PYTHON, os.path.join(sys.base_prefix, "bin", "python3")]
        for python in candidates:
            if os.path.exists(python) and not python_has(python, "ipdb"):
                return python
        raise unittest.SkipTest("every interpreter at hand has ipdb: %s" % candidates)


if __name__ == "__main__":
    unittest.main()
