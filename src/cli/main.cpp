// ferry's entry point, as a list of steps:
//   1. read the global options that precede the command (--root, --log-level, -D, --version);
//   2. resolve the Context (store and runtime roots, rootless or not) and give the image store
//      its view of the containers (runtime/container_uses.hpp);
//   3. find the command (and subcommand: `image ls`; `help CMD` is `CMD --help`) and run it;
//   4. print any error as one line, `ferry: error: ...`, and exit with its status (125 unless the
//      error says otherwise, as docker).

#include <cstring>
#include <string>
#include <vector>

#include "ferry/cli/command.hpp"
#include "ferry/cli/command_docs.hpp"
#include "ferry/cli/version.hpp"
#include "ferry/runtime/container_uses.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"

using namespace ferry;

namespace {

int report(const Error& e) {
    std::string line = "ferry: error: " + e.message + "\n";
    (void)fs::write_all(2, line);
    return e.exit_code;
}

// Splits off the global options; returns the index of the command word.
Result<size_t> parse_global(const std::vector<std::string>& args, GlobalOptions& g, bool& version,
                            bool& help) {
    size_t i = 0;
    for (; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](const char* name) -> Result<std::string> {
            std::string prefix = std::string(name) + "=";
            if (a.rfind(prefix, 0) == 0) return a.substr(prefix.size());
            if (i + 1 >= args.size())
                return fail(std::string("flag needs an argument: ") + name);
            return args[++i];
        };
        if (a == "--root" || a.rfind("--root=", 0) == 0) {
            g.root = TRY(value("--root"));
        } else if (a == "--log-level" || a.rfind("--log-level=", 0) == 0) {
            g.log_level = TRY(value("--log-level"));
        } else if (a == "-D" || a == "--debug") {
            g.debug = true;
        } else if (a == "-v" || a == "--version") {
            version = true;
        } else if (a == "-h" || a == "--help") {
            help = true;
        } else if (a.size() > 1 && a[0] == '-') {
            return fail("unknown flag: " + a + " (see `ferry --help`)");
        } else {
            break;
        }
    }
    return i;
}

Result<int> run_main(const std::vector<std::string>& args) {
    GlobalOptions global;
    bool version = false, help = false;
    size_t at = TRY(parse_global(args, global, version, help));
    if (global.debug) log::set_level(log::Level::debug);
    if (!global.log_level.empty()) {
        static constexpr std::pair<const char*, log::Level> k_levels[] = {
            {"debug", log::Level::debug}, {"info", log::Level::info},
            {"warn", log::Level::warn},   {"error", log::Level::error}};
        bool known = false;
        for (auto& [name, level] : k_levels)
            if (global.log_level == name) log::set_level(level), known = true;
        if (!known) return fail("unknown log level `" + global.log_level + "`");
    }
    if (version) {
        cli::print_out(cli::version_line() + "\n");
        return 0;
    }
    std::vector<std::string> words(args.begin() + static_cast<long>(at), args.end());
    const bool help_topic = !words.empty() && words[0] == "help";
    if (help_topic) {  // `ferry help CMD...` is `ferry CMD... --help`
        words.erase(words.begin());
        if (!words.empty()) words.push_back("--help");
    }
    if (words.empty()) {
        cli::print_out(cli::top_help());
        return 0;
    }
    at = 0;
    std::span<const cli::Command> table = cli::top_level_commands();
    std::string path = "ferry";
    const cli::Command* cmd = nullptr;
    while (at < words.size()) {
        cmd = cli::find_command(table, words[at]);
        if (!cmd && help_topic)  // docker's words and status
            return fail_with_status("unknown help topic: " + words[at], 1);
        if (!cmd) {
            return fail("unknown command `" + path + " " + words[at] + "` (see `" + path +
                        " --help`)");
        }
        path += " " + std::string(cmd->name);
        ++at;
        if (cmd->fn) break;
        table = cmd->sub;
        if (at >= words.size() || words[at] == "--help" || words[at] == "-h") {
            cli::print_out(cli::management_help(path, *cmd));
            return 0;
        }
    }
    Context ctx = TRY(make_context(global));
    ctx.container_uses = runtime::container_uses_reader(ctx);
    return cmd->fn(std::span<const std::string>(words).subspan(at), ctx);
}

}  // namespace

int main(int argc, char** argv) {
    ferry::log::trace("main");
    std::vector<std::string> args(argv + 1, argv + argc);
    auto result = run_main(args);
    if (!result) return report(result.error());
    return *result;
}
