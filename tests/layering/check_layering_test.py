"""Tests of scripts/check-layering.py: the real tree passes, and a tree with one violation of each
rule fails with a message that names the file, the include and the rule."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "check-layering.py")


def run(root):
    return subprocess.run([sys.executable, SCRIPT, "--root", root], capture_output=True, text=True)


class CheckLayeringTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="marketlink-layering-")
        os.makedirs(os.path.join(self.root, "docs"))
        shutil.copy(os.path.join(ROOT, "docs", "architecture.md"), os.path.join(self.root, "docs"))

    def tearDown(self):
        shutil.rmtree(self.root)

    def write(self, path, text):
        full = os.path.join(self.root, "src", path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)

    def test_the_repository_follows_its_rules(self):
        r = run(ROOT)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_a_clean_tree_passes(self):
        self.write("core/result.h", "#pragma once\n#include <string>\n")
        self.write("pool/pool.h", '#pragma once\n#include "core/result.h"\n')
        self.write("pool/pool.cpp", '#include "pool/pool.h"\n#include <fmt/format.h>\n')
        r = run(self.root)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_each_rule_is_enforced(self):
        self.write("core/result.h", "#pragma once\n")
        self.write("web/pages.h", '#pragma once\n#include "core/result.h"\n')
        self.write("db/database.h", "#pragma once\n")
        self.write("identity/identity_store.h", '#pragma once\n#include "db/database.h"\n')
        # A module another may not use.
        self.write("pool/pool.cpp", '#include "web/pages.h"\n')
        # A store of another module.
        self.write("pool/account_store.cpp",
                   '#include <soci/soci.h>\n#include "identity/identity_store.h"\n')
        # SOCI outside a store; a library the module may not use at all.
        self.write("pool/aws_access.cpp", "#include <soci/soci.h>\n#include <curl/curl.h>\n")
        # A domain's public header that brings in nlohmann-json through another header.
        self.write("pool/detail.h", "#pragma once\n#include <nlohmann/json.hpp>\n")
        self.write("pool/aws_access.h", '#pragma once\n#include "pool/detail.h"\n')
        self.write("app/main.cpp", '#include "pool/aws_access.h"\n#include <CLI/CLI.hpp>\n')
        # sim may use only some of aws's headers.
        self.write("aws/aws_client.h", "#pragma once\n")
        self.write("sim/simulator.cpp", '#include "aws/aws_client.h"\n')
        # A file in no module.
        self.write("misc/thing.cpp", "int x;\n")
        r = run(self.root)
        self.assertEqual(r.returncode, 1, r.stdout)
        out = r.stdout
        self.assertIn('src/pool/pool.cpp:1: includes "web/pages.h" (module web), but pool may use',
                      out)
        self.assertIn('src/pool/account_store.cpp:2: includes "identity/identity_store.h", '
                      "a header private to identity", out)
        self.assertIn("src/pool/aws_access.cpp:1: includes <soci/soci.h> (SOCI), but pool may use "
                      "SOCI only in its store files", out)
        self.assertIn("src/pool/aws_access.cpp:2: includes <curl/curl.h> (libcurl), but pool may "
                      "use libcurl not at all", out)
        self.assertIn("src/pool/aws_access.h: a public header of the domain pool brings in a "
                      "third-party header: pool/aws_access.h:2 -> pool/detail.h:2 "
                      "<nlohmann/json.hpp>", out)
        self.assertIn('src/sim/simulator.cpp:1: includes "aws/aws_client.h", but sim may use only',
                      out)
        self.assertIn("src/misc/thing.cpp: is in no module", out)
        self.assertNotIn("app/main.cpp", out, "app may use everything")
        self.assertNotIn("account_store.cpp:1", out, "a store may include SOCI")

    def test_tests_stand_on_what_their_module_stands_on(self):
        self.write("jobs/job_queue.h", "#pragma once\n")
        self.write("identity/identity_test_support.h", "#pragma once\n")
        self.write("pool/pool_test.cpp",
                   '#include <gtest/gtest.h>\n#include <soci/soci.h>\n#include "jobs/job_queue.h"\n'
                   '#include "identity/identity_test_support.h"\n')
        self.write("identity/identity_service_test.cpp", '#include "pool/pool.h"\n')
        self.write("pool/pool.h", "#pragma once\n")
        r = run(self.root)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertNotIn("pool_test.cpp", r.stdout)
        self.assertIn('src/identity/identity_service_test.cpp:1: includes "pool/pool.h" (module '
                      "pool), but identity may use", r.stdout)


if __name__ == "__main__":
    unittest.main()
