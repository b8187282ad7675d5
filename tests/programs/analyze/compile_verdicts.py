"""Prints {path: null | [line, offset, message]} for every .py file under the given
directories: CPython's own compile() verdict, which loupe's syntax errors must match."""
import json, os, sys, warnings

warnings.simplefilter("ignore")
verdicts = {}
for root in sys.argv[1:]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "site-packages"]
        for name in filenames:
            if not name.endswith(".py"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                data = f.read()
            try:
                compile(data, path, "exec", dont_inherit=True)
                verdicts[path] = None
            except SyntaxError as e:
                verdicts[path] = [e.lineno, e.offset, str(e.msg)]
            except (ValueError, UnicodeDecodeError) as e:
                verdicts[path] = [0, 0, str(e)]
print(json.dumps(verdicts))
