// The manager, `harrier up` (ARCHITECTURE §1, §6, §7; docs/manager.md): one command that brings
// the whole system up and keeps it up. It validates everything first (config keys, CPU lists
// against this machine, the redis-server binary, the run directory) and exits 2 before any
// process starts when something is wrong; then it starts a private redis-server on a unix
// socket in the run directory when redis.url is empty, launches P1, P2 and P3 under the
// Supervisor (supervisor.h), and returns its exit code: 0 clean, 1 a role failed beyond its
// restart budget (or the teardown was forced), 2 usage or config error.
//
// Threads: "main" (the Supervisor loop, every fork, every wait), one "log-<source>" reader per
// child process (console.h), and nothing else. Signal handlers only count signals.
#pragma once

#include <span>

namespace harrier::roles::manager {

int run(std::span<char*> args);

// `harrier config [--example] [--config FILE] [--set K=V]...`: prints the documented example
// file (config_example()), or checks a config and says "config ok" (exit 0) or names the bad
// key (exit 2).
int config_command(std::span<char*> args);

}  // namespace harrier::roles::manager
