"""Reads the conformance corpus (path in argv[1]) and prints
{name: null | [line, offset, message, parsed]}: this interpreter's compile() verdict on each
snippet, which loupe must reproduce; `parsed` says whether ast.parse() accepted the snippet,
that is whether the error comes from the compiler rather than the parser."""
import ast, json, sys, warnings

warnings.simplefilter("ignore")
snippets, name, lines = {}, None, []
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        if line.startswith("### "):
            if name is not None:
                snippets[name] = "".join(lines)
            name, lines = line[4:].strip(), []
        elif name is not None:
            lines.append(line)
if name is not None:
    snippets[name] = "".join(lines)
verdicts = {}
for name, source in snippets.items():
    try:
        compile(source, name, "exec", dont_inherit=True)
        verdicts[name] = None
    except SyntaxError as e:
        try:
            ast.parse(source)
            parsed = True
        except SyntaxError:
            parsed = False
        verdicts[name] = [e.lineno, e.offset, str(e.msg), parsed]
print(json.dumps(verdicts, ensure_ascii=False))
