#pragma once
// The typed Dockerfile instructions, one struct per keyword, as BuildKit's instructions package
// types them (frontend/dockerfile/instructions). Values are kept as written: quotes, escapes and
// $VARIABLES are still in them (JSON-form COPY/ADD/VOLUME arrays included), because BuildKit
// expands them only when it runs the stage, with the ARG and ENV values known by then; pass them
// through shell_words' process_word. Only the command lines of RUN, CMD, ENTRYPOINT, SHELL and
// HEALTHCHECK are final: the shell (shell form) or nobody (exec form) expands those.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::build {

// Where an instruction came from.
struct SourceInfo {
    std::string keyword;  // as written: "RUN", "run", "Run"
    std::string code;     // its text, continuation lines joined, trimmed (history's created_by)
    int line = 0;         // 1-based first line
    int end_line = 0;     // last line, heredoc bodies included
};

// A here-document read after its instruction (`<<EOF`, `<<-EOF`, `3<<"EOF"`).
struct Heredoc {
    std::string name;     // the delimiter, unquoted: EOF
    std::string content;  // the lines before the delimiter, each with its newline, tabs kept
    unsigned fd = 0;      // the file descriptor written before <<, 0 when none
    bool expand = true;   // false when any part of the delimiter was quoted
    bool chomp = false;   // <<- : leading tabs are stripped from the content when used
};

// The content with leading tabs removed from every line (what `<<-` means).
std::string chomp_heredoc(std::string_view content);

// One KEY=VALUE of ENV or LABEL; no_delim for the legacy `ENV KEY VALUE` form.
struct KeyValue {
    std::string key;
    std::string value;
    bool no_delim = false;
};

// A command line of RUN, CMD or ENTRYPOINT. Shell form: one element, the text as written, run
// through the SHELL; exec form (a JSON string array): the array itself.
struct CommandLine {
    std::vector<std::string> args;
    bool exec_form = false;
    std::vector<Heredoc> files;  // RUN's here-documents
};

// ENV KEY=VALUE ... (or the legacy ENV KEY VALUE).
struct EnvInstruction {
    SourceInfo source;
    std::vector<KeyValue> env;
};

// LABEL KEY=VALUE ...; keys may be quoted and hold variables too.
struct LabelInstruction {
    SourceInfo source;
    std::vector<KeyValue> labels;
};

// MAINTAINER NAME (deprecated; accepted with a warning).
struct MaintainerInstruction {
    SourceInfo source;
    std::string maintainer;
};

// One NAME[=DEFAULT] of ARG; no value when none was written.
struct ArgDefinition {
    std::string key;
    std::optional<std::string> value;
};

// ARG NAME[=DEFAULT] ...
struct ArgInstruction {
    SourceInfo source;
    std::vector<ArgDefinition> args;
};

// A source of COPY/ADD given inline as a here-document (`COPY <<EOF /dest`).
struct InlineSource {
    std::string path;  // the delimiter, used as the file name
    std::string data;  // content, already chomped for <<-
    bool expand = true;
};

// The sources and destination of COPY and ADD.
struct SourcesAndDest {
    std::vector<std::string> sources;
    std::vector<InlineSource> inline_sources;
    std::string dest;
};

// COPY [--from --chown --chmod --link --parents --exclude] SRC... DEST.
struct CopyInstruction {
    SourceInfo source;
    SourcesAndDest paths;
    std::string from;  // --from: a stage, image or context; the caller resolves it
    std::string chown;
    std::string chmod;
    bool link = false;
    bool parents = false;
    std::vector<std::string> excludes;
    bool exec_form = false;  // written as a JSON array
};

// ADD [--chown --chmod --link --exclude --keep-git-dir --checksum --unpack] SRC... DEST.
struct AddInstruction {
    SourceInfo source;
    SourcesAndDest paths;
    std::string chown;
    std::string chmod;
    bool link = false;
    std::vector<std::string> excludes;
    std::optional<bool> keep_git_dir;  // only when the flag was given
    std::string checksum;
    std::optional<bool> unpack;  // only when the flag was given
    bool exec_form = false;
};

// ONBUILD INSTRUCTION: stored as text, run by builds that use the image as their base.
struct OnbuildInstruction {
    SourceInfo source;
    std::string trigger;     // the wrapped instruction's keyword, upper case: RUN
    std::string expression;  // the wrapped instruction's text (and heredocs), parsed when used
};

// WORKDIR PATH.
struct WorkdirInstruction {
    SourceInfo source;
    std::string path;
};

// A RUN --device (a CDI device name).
struct Device {
    std::string name;
    bool required = false;
};

// RUN [--mount --network --security --device] COMMAND.
struct RunInstruction {
    SourceInfo source;
    CommandLine command;
    std::vector<std::string> mounts;      // --mount values as written; see parse_mount
    std::vector<Device> devices;          // --device values
    std::string network = "default";      // --network: default, none or host
    std::string security = "sandbox";     // --security: sandbox or insecure
    std::vector<std::string> flags_used;  // names of the flags given, in order
};

// CMD COMMAND: the default command (or ENTRYPOINT arguments) of the image.
struct CmdInstruction {
    SourceInfo source;
    CommandLine command;
};

// ENTRYPOINT COMMAND. With no command (`ENTRYPOINT []`) it clears the entrypoint (null in
// the config), where CMD with none keeps an empty list.
struct EntrypointInstruction {
    SourceInfo source;
    CommandLine command;
};

// HEALTHCHECK, as the image config's Healthcheck: test is {"NONE"}, {"CMD", args...} (exec
// form) or {"CMD-SHELL", command}; durations in nanoseconds, 0 when not given.
struct Healthcheck {
    std::vector<std::string> test;
    int64_t interval = 0;
    int64_t timeout = 0;
    int64_t start_period = 0;
    int64_t start_interval = 0;
    int retries = 0;
};

// HEALTHCHECK NONE or HEALTHCHECK [--interval --timeout --start-period --start-interval
// --retries] CMD COMMAND.
struct HealthcheckInstruction {
    SourceInfo source;
    Healthcheck health;
};

// EXPOSE PORT[/PROTO]...: expanded and split into words (process_words) when used.
struct ExposeInstruction {
    SourceInfo source;
    std::vector<std::string> ports;  // sorted as BuildKit sorts them (byte order, unexpanded)
};

// USER USER[:GROUP].
struct UserInstruction {
    SourceInfo source;
    std::string user;
};

// VOLUME PATH... (JSON array or words).
struct VolumeInstruction {
    SourceInfo source;
    std::vector<std::string> volumes;
};

// STOPSIGNAL SIGNAL.
struct StopSignalInstruction {
    SourceInfo source;
    std::string signal;
};

// SHELL ["executable", "parameters"...]: JSON form only.
struct ShellInstruction {
    SourceInfo source;
    std::vector<std::string> shell;
};

// Every instruction that may follow FROM (FROM itself starts a Stage).
using Instruction =
    std::variant<EnvInstruction, LabelInstruction, MaintainerInstruction, ArgInstruction,
                 CopyInstruction, AddInstruction, OnbuildInstruction, WorkdirInstruction,
                 RunInstruction, CmdInstruction, EntrypointInstruction, HealthcheckInstruction,
                 ExposeInstruction, UserInstruction, VolumeInstruction, StopSignalInstruction,
                 ShellInstruction>;

// The source information of any instruction.
const SourceInfo& source_of(const Instruction& instruction);

// ---- RUN flags, parsed when the step runs (their fields may hold variables) ----

// Expands one field of a flag value (shell_words' process_word with the step's variables).
using FieldExpander = std::function<Result<std::string>(const std::string&)>;

// A RUN --mount, with BuildKit's defaults applied (bind, read-only unless cache or tmpfs).
struct Mount {
    std::string type = "bind";  // bind, cache, tmpfs, secret, ssh
    std::string from;
    std::string source;
    std::string target;
    bool read_only = true;
    int64_t size_limit = 0;          // tmpfs size in bytes
    std::string id;                  // cache or secret or ssh id
    std::string sharing;             // cache: shared, private, locked ("" for the default)
    bool required = false;           // secret, ssh
    std::optional<std::string> env;  // secret: the variable to set
    std::optional<uint32_t> mode;    // octal in the flag
    std::optional<uint32_t> uid;
    std::optional<uint32_t> gid;
};

// Parses a --mount value (CSV of key=value fields), expanding each value with expand. Fails
// with BuildKit's words: `unsupported mount type "x"`, `unexpected key 'x' in 'x=1'`, `invalid
// value for readonly: x`, `unexpected key 'size' for mount type 'bind'`, `invalid field 'x'
// must be a key=value pair`, `mode not allowed for "bind" type mounts`, `secret mount should not
// have a from`, `invalid secret mount. one of source, target required`, `both source and id
// can't be set`, `invalid cache sharing set for bind mount` (with a "did you mean" where
// BuildKit gives one).
Result<Mount> parse_mount(std::string_view value, const FieldExpander& expand);
// What BuildKit checks of a --mount value while parsing the Dockerfile: its CSV syntax and no
// variable in `from=` (`'from' doesn't support variable expansion, define alias stage instead`).
Result<void> check_mount_syntax(std::string_view value);

// Parses a --device value: `name[,required[=bool]]` or `name=...`. Fails with BuildKit's words.
Result<Device> parse_device(std::string_view value);

}  // namespace ferry::build
