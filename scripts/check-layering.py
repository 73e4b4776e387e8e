#!/usr/bin/env python3
"""Checks every #include under src/ against the module table of docs/architecture.md.

Usage: check-layering.py [--root DIR]   (DIR defaults to the repository this script is in)

Exits 0 when every include is allowed, 1 with one line per violation otherwise:
  src/pool/pool.cpp:12: includes "web/pages.h" (module web), but pool may use core, db, ...
The rules are described on docs/architecture.md, the page the tables come from.
"""

import argparse
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCE_SUFFIXES = (".h", ".cpp")
PRIVATE_HEADER = re.compile(r"_(store|internal|shared)\.h$")
STORE_FILE = re.compile(r"_store\.(h|cpp)$")
TEST_FILE = re.compile(r"(_test\.cpp|_test_support\.(h|cpp))$")
LEAKY = ("SOCI", "Beast", "nlohmann-json")


class Rules:
    def __init__(self, modules, libraries):
        self.modules = modules  # name -> {"kind", "uses": {module: set(headers) or None}, "libs": {lib: qualifier}, "everything": bool}
        self.libraries = libraries  # lib -> [prefixes]

    def closure(self, name):
        """The modules `name` stands on, itself included."""
        seen, todo = set(), [name]
        while todo:
            m = todo.pop()
            if m in seen or m not in self.modules:
                continue
            seen.add(m)
            todo.extend(self.modules[m]["uses"].keys())
        return seen


def split_top_level(cell):
    parts, depth, current = [], 0, ""
    for ch in cell:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current.strip())
    return parts


def table_rows(lines, first_header):
    """The rows (lists of cells) of the markdown table whose header starts with `first_header`."""
    rows, inside = [], False
    for line in lines:
        stripped = line.strip()
        if not stripped.startswith("|"):
            if inside:
                break
            continue
        cells = [c.strip() for c in stripped.strip("|").split("|")]
        if not inside:
            if cells and cells[0] == first_header:
                inside = True
            continue
        if set(stripped) <= set("|-: "):
            continue
        rows.append(cells)
    return rows


def load_rules(doc_path):
    with open(doc_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    libraries = {}
    for cells in table_rows(lines, "library"):
        libraries[cells[0]] = re.findall(r"`([^`]+)`", cells[1])
    modules = {}
    for cells in table_rows(lines, "module"):
        name = re.fullmatch(r"`([^`]+)`", cells[0])
        if not name or len(cells) < 4:
            raise SystemExit(f"{doc_path}: cannot read the module row {cells}")
        entry = {"kind": cells[1], "uses": {}, "libs": {}, "everything": False}
        for token in split_top_level(cells[3]):
            if token == "everything":
                entry["everything"] = True
                continue
            qualifier = None
            q = re.search(r"\((.*)\)\s*$", token)
            if q:
                qualifier = q.group(1)
                token = token[: q.start()].strip()
            module = re.fullmatch(r"`([^`]+)`", token)
            if module:
                headers = None
                if qualifier and qualifier.startswith("only"):
                    headers = set(re.findall(r"`([^`]+)`", qualifier))
                entry["uses"][module.group(1)] = headers
            elif token in libraries:
                entry["libs"][token] = qualifier
            else:
                raise SystemExit(f"{doc_path}: {cells[0]}: unknown module or library '{token}'")
        modules[name.group(1)] = entry
    if not modules or not libraries:
        raise SystemExit(f"{doc_path}: the module and library tables were not found")
    return Rules(modules, libraries)


def module_of(path, modules):
    """The module of a path relative to src/ ("web/pool/pool_api.cpp" -> "web/pool")."""
    parts = path.split("/")
    if len(parts) >= 3 and "/".join(parts[:2]) in modules:
        return "/".join(parts[:2])
    if len(parts) >= 2 and parts[0] in modules:
        return parts[0]
    return None


def library_of(include, libraries):
    for lib, prefixes in libraries.items():
        for p in prefixes:
            if include == p or (p.endswith("/") and include.startswith(p)):
                return lib
    return None


def read_includes(path):
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                out.append((number, m.group(1), m.group(2)))
    return out


def describe(rules, module):
    entry = rules.modules[module]
    if entry["everything"]:
        return "everything"
    names = []
    for m, headers in entry["uses"].items():
        names.append(m + (" (only " + ", ".join(sorted(headers)) + ")" if headers else ""))
    for lib, q in entry["libs"].items():
        names.append(lib + (f" ({q})" if q else ""))
    return ", ".join(names) if names else "nothing else"


def check(root):
    rules = load_rules(os.path.join(root, "docs", "architecture.md"))
    src = os.path.join(root, "src")
    files = []
    for directory, _, names in os.walk(src):
        for n in names:
            if n.endswith(SOURCE_SUFFIXES):
                files.append(os.path.relpath(os.path.join(directory, n), src).replace(os.sep, "/"))
    files.sort()
    includes = {f: read_includes(os.path.join(src, f)) for f in files}
    problems = []

    for f in files:
        module = module_of(f, rules.modules)
        if module is None:
            problems.append(f"src/{f}: is in no module of docs/architecture.md")
            continue
        entry = rules.modules[module]
        if entry["everything"]:
            continue
        is_test = bool(TEST_FILE.search(f))
        is_store = bool(STORE_FILE.search(f))
        reach = rules.closure(module) if is_test else {module} | set(entry["uses"])
        for number, kind, inc in includes[f]:
            where = f"src/{f}:{number}: includes {kind}{inc}{'>' if kind == '<' else kind}"
            if kind == '"':
                target = module_of(inc, rules.modules)
                if target is None:
                    problems.append(f"{where}, which is in no module")
                    continue
                if target != module and PRIVATE_HEADER.search(inc):
                    problems.append(f"{where}, a header private to {target}")
                    continue
                if is_test and inc.endswith("_test_support.h"):
                    continue
                if target not in reach:
                    problems.append(f"{where} (module {target}), but {module} may use "
                                    f"{describe(rules, module)} (docs/architecture.md)")
                    continue
                headers = entry["uses"].get(target)
                if not is_test and target != module and headers and inc not in headers:
                    problems.append(f"{where}, but {module} may use only "
                                    f"{', '.join(sorted(headers))} of {target} "
                                    "(docs/architecture.md)")
            else:
                lib = library_of(inc, rules.libraries)
                if lib is None:
                    continue  # the standard library, POSIX, fmt
                allowed = lib in entry["libs"] and (entry["libs"][lib] != "store files" or
                                                    is_store)
                if is_test:
                    allowed = (allowed or lib == "GoogleTest" or
                               (lib == "SOCI" and "db" in rules.closure(module)) or
                               any(lib in rules.modules[m]["libs"] for m in rules.closure(module)
                                   if m != module and lib != "SOCI"))
                if not allowed:
                    why = (" only in its store files" if entry["libs"].get(lib) == "store files"
                           else "")
                    problems.append(f"{where} ({lib}), but {module} may use {lib}{why}"
                                    f"{'' if why else ' not at all'}; it may use "
                                    f"{describe(rules, module)} (docs/architecture.md)")

    # No third-party header leaks through a domain's public header.
    included_from_outside = set()
    for f in files:
        module = module_of(f, rules.modules)
        for _, kind, inc in includes[f]:
            if kind == '"' and module_of(inc, rules.modules) not in (module, None):
                included_from_outside.add(inc)

    def leaks(header, seen):
        if header in seen or header not in includes:
            return None
        seen.add(header)
        for number, kind, inc in includes[header]:
            if kind == "<":
                lib = library_of(inc, rules.libraries)
                if lib in LEAKY:
                    return [f"{header}:{number} <{inc}>"]
            else:
                chain = leaks(inc, seen)
                if chain:
                    return [f"{header}:{number}"] + chain
        return None

    for header in sorted(included_from_outside):
        module = module_of(header, rules.modules)
        if rules.modules[module]["kind"] != "domain" or header.endswith("_test_support.h"):
            continue
        chain = leaks(header, set())
        if chain:
            problems.append(f"src/{header}: a public header of the domain {module} brings in a "
                            f"third-party header: {' -> '.join(chain)} (docs/architecture.md)")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    args = parser.parse_args()
    problems = check(args.root)
    for p in problems:
        print(p)
    if problems:
        print(f"layering: {len(problems)} include(s) break the rules of docs/architecture.md",
              file=sys.stderr)
        return 1
    print("layering: every include follows docs/architecture.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
