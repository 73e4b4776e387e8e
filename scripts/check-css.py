#!/usr/bin/env python3
"""Checks the style sheets the server embeds (src/web/static/*.css, src/sim/console/static/*.css):
every block closes, and only at-rules (@media, @supports) hold other rules. A missing '}' after
an @media block silently moves every later rule into it, so the pages look right only at one
width; this check fails instead, naming the file and the line where the open block starts."""
import argparse
import pathlib
import re
import sys


def problems(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    out = []
    stack = []  # (line, is_at_rule)
    line = 1
    selector = ""
    for ch in text:
        if ch == "\n":
            line += 1
        if ch == "{":
            is_at = selector.strip().startswith("@")
            if stack and not stack[-1][1]:
                out.append(f"line {line}: a block opens inside the rule that starts at line {stack[-1][0]}")
            stack.append((line, is_at))
            selector = ""
        elif ch == "}":
            if not stack:
                out.append(f"line {line}: '}}' closes nothing")
            else:
                stack.pop()
            selector = ""
        elif ch == ";" and stack and not stack[-1][1]:
            selector = ""
        else:
            selector += ch
    for start, _ in stack:
        out.append(f"line {start}: this block never closes")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", default=pathlib.Path(__file__).resolve().parent.parent)
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    root = pathlib.Path(args.root)
    files = [pathlib.Path(f) for f in args.files] or sorted(
        list(root.glob("src/web/static/*.css")) + list(root.glob("src/sim/console/static/*.css")))
    failed = False
    for f in files:
        for p in problems(f.read_text()):
            print(f"{f}: {p}")
            failed = True
    if not failed:
        print(f"css: {len(files)} style sheet(s), every block closed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
