#pragma once
// FlagSet: docker's (pflag) command-line grammar. `-it` combines short booleans, `-e X`, `-eX`
// and `-e=X` give a short flag its value, `--name X` and `--name=X` a long one, `--rm=false`
// turns a boolean off, `--` ends the flags. Lists collect repeated flags (`-e A -e B`).
// With interspersed off (run, exec) parsing stops at the first argument that is not a flag, so
// the container's own command keeps its flags.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::cli {

enum class Interspersed { yes, no };

// One flag as --help, completion and man pages show it.
struct FlagInfo {
    char short_name = 0;     // 0 for none
    std::string name;        // long name, without the dashes
    bool takes_value = false;
    std::string value_name;  // "string", "list", "file" ...; empty for a boolean
    std::string help;
    bool optional_value = {};  // `--name[=value_name]` (then takes_value is false)
};

// A command's flag table and texts, read without running the command (cli/command_docs.hpp).
struct FlagSetInfo {
    std::string command, usage, summary, details, aliases;
    Interspersed interspersed = Interspersed::yes;
    std::vector<FlagInfo> flags;
};

class FlagSet {
public:
    // command is the full command path ("ferry image ls"); usage the argument summary
    // ("[OPTIONS] IMAGE [IMAGE...]"); summary the one-line description.
    FlagSet(std::string command, std::string usage, std::string summary,
            Interspersed interspersed = Interspersed::yes);

    // A boolean flag (short_name 0 for none).
    void add_bool(char short_name, std::string name, bool* target, std::string help);
    // A string flag.
    void add_string(char short_name, std::string name, std::string* target, std::string help,
                    std::string value_name = "string");
    // A string flag that remembers whether it was given.
    void add_optional(char short_name, std::string name, std::optional<std::string>* target,
                      std::string help, std::string value_name = "string");
    // A repeatable flag; every value is appended.
    void add_list(char short_name, std::string name, std::vector<std::string>* target,
                  std::string help, std::string value_name = "list");
    // An integer flag.
    void add_int(char short_name, std::string name, int64_t* target, std::string help,
                 std::string value_name = "int");
    // A flag with a custom value parser (returns an error message, empty when valid).
    void add_custom(char short_name, std::string name, std::string value_name, std::string help,
                    std::function<std::string(const std::string&)> apply);

    // A long flag whose value is optional (pflag's NoOptDefVal): `--name` alone applies
    // implicit, `--name=v` applies v; `--name v` leaves v a positional argument. --help shows
    // `--name[=value_name]`.
    void add_optional_value(std::string name, std::string value_name, std::string implicit,
                            std::string help,
                            std::function<std::string(const std::string&)> apply);

    // docker's --filter: repeatable `name=value` values, appended to target; a value without `=`
    // fails with `bad format of filter (expected name=value)`.
    void add_filters(char short_name, std::vector<std::string>* target, std::string help);

    // Parses args; returns the positional arguments. Sets help_requested() on --help (and -h when
    // no flag uses -h). Fails with `unknown flag: --x`, `flag needs an argument: --x`, or
    // `invalid argument "v" for "-t, --time" flag: ...`, each followed by
    // ` (see `ferry CMD --help`)`.
    Result<std::vector<std::string>> parse(std::span<const std::string> args);
    // Whether --help was seen.
    bool help_requested() const { return m_help; }
    // The full --help text: usage, summary, aliases and the flag table.
    std::string help_text() const;
    // Adds text shown under the summary in --help (notes, examples).
    void set_details(std::string details) { m_details = std::move(details); }
    // Adds an alias line to --help ("docker image ls, docker images").
    void set_aliases(std::string aliases) { m_aliases = std::move(aliases); }
    const std::string& command() const { return m_command; }
    // The flag table and texts, for completion and man pages.
    FlagSetInfo info() const;

private:
    enum class Kind { boolean, value, optional_value };
    struct Flag {
        char short_name;
        std::string name;
        Kind kind;
        std::string value_name;
        std::string help;
        std::function<std::string(const std::string&)> apply;
        std::string implicit = {};  // optional_value: the value of `--name` alone
    };
    const Flag* find_long(std::string_view name) const;
    const Flag* find_short(char c) const;
    Result<void> apply(const Flag& flag, const std::string& value, bool from_short);

    std::string m_command, m_usage, m_summary, m_details, m_aliases;
    Interspersed m_interspersed;
    std::vector<Flag> m_flags;
    bool m_help = false;
};

// While a FlagCapture lives, FlagSet::parse on this thread records the table of the flag set it
// is given and fails with `flags captured` instead of parsing: a command function called then
// builds its flags and stops there, so every command's flags can be read without running it
// (a command must build and parse its FlagSet before it does anything else). Not nestable.
class FlagCapture {
public:
    FlagCapture();
    ~FlagCapture();
    FlagCapture(const FlagCapture&) = delete;
    FlagCapture& operator=(const FlagCapture&) = delete;
    // The first table parsed while this capture lived; empty when none was.
    const std::optional<FlagSetInfo>& info() const { return m_info; }
    // Whether a capture is active on this thread (commands then skip their set-up).
    static bool active();
    // Records info when this thread has an active capture that holds none yet; false when no
    // capture is active.
    static bool record(const FlagSetInfo& info);

private:
    std::optional<FlagSetInfo> m_info;
};

// Fails unless args.size() is within [min, max] (max < 0: unbounded), with docker's wording:
// "`ferry tag` requires exactly 2 arguments".
Result<void> check_arg_count(const FlagSet& flags, const std::vector<std::string>& args,
                             int min, int max);

}  // namespace ferry::cli
