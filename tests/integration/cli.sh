# The command-line skeleton: version, help, unknown commands and flags.

note "version"
out=$(ferry --version)
expect_contains "$out" "ferry version "
out=$(ferry version)
expect_contains "$out" "Daemon:        none"

note "help lists commands"
out=$(ferry --help)
expect_contains "$out" "Usage:  ferry [OPTIONS] COMMAND"

note "unknown command"
expect_fail 125 'ferry: error: unknown command `ferry frobnicate` (see `ferry --help`)' ferry frobnicate

note "unknown flag"
expect_fail 125 'ferry: error: unknown flag: --bogus (see `ferry version --help`)' ferry version --bogus
expect_fail 125 'ferry: error: unknown flag: --bogus (see `ferry --help`)' ferry --bogus version

note "extra arguments"
expect_fail 125 'ferry: error: `ferry version` requires exactly 0 arguments (see `ferry version --help`)' ferry version extra
