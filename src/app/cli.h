// The `marketlink` command line: parses arguments and runs one command. Exit codes: 0 success,
// 1 failure (the message says why), 2 usage error.
#pragma once

namespace app {

int run_cli(int argc, char** argv);

}  // namespace app
