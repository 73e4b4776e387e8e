#!/usr/bin/env python3
"""The style-sheet checker finds an unclosed @media block, a stray '}', and a rule inside a rule,
and passes well-formed sheets (comments with braces included)."""
import importlib.util
import pathlib
import unittest

spec = importlib.util.spec_from_file_location(
    "check_css", pathlib.Path(__file__).resolve().parents[2] / "scripts" / "check-css.py")
check_css = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_css)


class CheckCssTest(unittest.TestCase):
    def test_a_well_formed_sheet_passes(self):
        sheet = "/* { not a block } */\na { color: red; }\n@media (max-width: 760px) {\n  a { color: blue; }\n}\n"
        self.assertEqual(check_css.problems(sheet), [])

    def test_an_unclosed_media_block_is_named_by_its_line(self):
        sheet = "a { color: red; }\n@media (max-width: 760px) {\n  a { color: blue; }\nb { color: green; }\n"
        self.assertEqual(check_css.problems(sheet), ["line 2: this block never closes"])

    def test_a_stray_brace_and_a_rule_inside_a_rule_are_found(self):
        self.assertEqual(check_css.problems("a { color: red; }\n}\n"), ["line 2: '}' closes nothing"])
        self.assertEqual(check_css.problems("a { color: red;\n b { color: blue; } }\n"),
                         ["line 2: a block opens inside the rule that starts at line 1"])


if __name__ == "__main__":
    unittest.main()
