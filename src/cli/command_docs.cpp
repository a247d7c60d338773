// The command tree for completion, man pages and the top-level help. A command's flags exist
// only inside its parse_X function (one FlagSet built per call), so the tree is read by calling
// each command function with no arguments under a FlagCapture: the first FlagSet::parse records
// its table and fails, which ends the command before it opens a store or enters a namespace
// (store_ns checks FlagCapture::active()). The Context handed in is empty and never used.

#include "ferry/cli/command_docs.hpp"

#include <algorithm>

#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

constexpr std::string_view k_top_summary =
    "Carry deep-learning environments between machines and run them, GPUs included.\n"
    "Docker's commands and flags, one binary, no daemon.";

const FlagInfo k_global_flags[] = {
    {'D', "debug", false, "", "Enable debug output"},
    {0, "log-level", true, "string",
     "Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\") (default \"warn\")"},
    {0, "root", true, "string",
     "Store location (default /var/lib/ferry as root,\n$XDG_DATA_HOME/ferry otherwise; env "
     "FERRY_ROOT)"},
    {'v', "version", false, "", "Print version information and quit"},
};

CommandDoc describe(const Command& c, std::vector<std::string> path) {
    CommandDoc doc{std::move(path), std::string(c.summary), {}, {}, {}};
    for (const auto& alias : split(c.aliases, ','))
        if (!alias.empty()) doc.aliases.emplace_back(alias);
    if (c.fn) doc.flags = describe_command(c);
    for (const auto& sub : c.sub) {
        auto sub_path = doc.path;
        sub_path.emplace_back(sub.name);
        doc.subs.push_back(describe(sub, std::move(sub_path)));
    }
    return doc;
}

// A command list as docker's: two spaces, the name padded to twelve columns, the summary.
std::string command_line(std::string_view name, std::string_view summary) {
    std::string line = "  " + std::string(name);
    line += std::string(line.size() < 14 ? 14 - line.size() : 1, ' ');
    return line + std::string(summary) + "\n";
}

}  // namespace

std::string CommandDoc::full_name() const {
    std::string out = "ferry";
    for (const auto& p : path) out += " " + p;
    return out;
}

std::span<const FlagInfo> global_flags() { return k_global_flags; }

std::optional<FlagSetInfo> describe_command(const Command& command) {
    if (!command.fn) return std::nullopt;
    FlagCapture capture;
    Context unused;
    (void)command.fn({}, unused);
    return capture.info();
}

CommandDoc describe_commands() {
    CommandDoc root{{}, std::string(k_top_summary), {}, {}, {}};
    for (const auto& c : top_level_commands()) {
        if (c.name.starts_with("__")) continue;  // internal, run by the monitor
        root.subs.push_back(describe(c, {std::string(c.name)}));
    }
    return root;
}

std::string top_help() {
    std::string out = "\nUsage:  ferry [OPTIONS] COMMAND\n\n" + std::string(k_top_summary) +
                      "\n\nOptions:\n";
    std::vector<std::string> lefts;
    size_t width = 0;
    for (const auto& f : k_global_flags) {
        std::string left = f.short_name ? std::string("-") + f.short_name + ", " : "    ";
        left += "--" + f.name + (f.takes_value ? " " + f.value_name : "");
        width = std::max(width, left.size());
        lefts.push_back(left);
    }
    for (size_t i = 0; i < lefts.size(); ++i) {
        auto lines = split(k_global_flags[i].help, '\n');
        out += "  " + lefts[i] + std::string(width - lefts[i].size() + 3, ' ') +
               std::string(lines[0]) + "\n";
        for (size_t j = 1; j < lines.size(); ++j)
            out += std::string(width + 5, ' ') + std::string(lines[j]) + "\n";
    }
    std::string management = "Management Commands:\n", commands = "Commands:\n";
    for (const auto& c : top_level_commands()) {
        if (c.name.starts_with("__")) continue;
        (c.sub.empty() ? commands : management) += command_line(c.name, c.summary);
    }
    return out + "\n" + management + "\n" + commands +
           "\nRun 'ferry COMMAND --help' for more information on a command.\n";
}

std::string management_help(const std::string& path, const Command& command) {
    std::string out = "\nUsage:  " + path + " COMMAND\n\n" + std::string(command.summary) +
                      "\n\nCommands:\n";
    for (const auto& s : command.sub) out += command_line(s.name, s.summary);
    return out + "\nRun '" + path + " COMMAND --help' for more information.\n";
}

}  // namespace ferry::cli
