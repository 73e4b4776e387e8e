// Test helper: runs a script from tests/aws/ with Debian's /usr/bin/python3 (the interpreter
// botocore is installed for) and returns its standard output and exit code. Tests that use it
// fail, never skip, when the interpreter, the script or botocore is missing.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace aws::testing_support {

inline constexpr const char* kSystemPython = "/usr/bin/python3";

struct ScriptRun {
  int exit_code = -1;
  std::string output;  // standard output
  std::string errors;  // standard error
};

// ${MARKETLINK_SOURCE_DIR}/tests/aws/<name>, or "" when the variable is unset.
inline std::filesystem::path aws_test_script(const std::string& name) {
  const char* source = std::getenv("MARKETLINK_SOURCE_DIR");
  if (source == nullptr) return {};
  return std::filesystem::path(source) / "tests" / "aws" / name;
}

inline ScriptRun run_python_script(const std::filesystem::path& script,
                                   const std::vector<std::string>& args) {
  char stderr_path[] = "/tmp/marketlink-python-stderr-XXXXXX";
  const int stderr_fd = mkstemp(stderr_path);
  if (stderr_fd >= 0) close(stderr_fd);
  std::string command = std::string(kSystemPython) + " '" + script.string() + "'";
  for (const auto& a : args) command += " '" + a + "'";
  command += std::string(" 2>'") + stderr_path + "'";
  ScriptRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (FILE* err = fopen(stderr_path, "r")) {
    while ((n = fread(buf, 1, sizeof buf, err)) > 0) run.errors.append(buf, n);
    fclose(err);
  }
  std::remove(stderr_path);
  return run;
}

}  // namespace aws::testing_support
