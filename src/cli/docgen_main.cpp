// ferry-docgen OUTDIR: writes what `make install` installs besides the binary, generated from
// the command tree at build time: OUTDIR/man1/*.1 (ferry.1 and one page per command) and
// OUTDIR/completion/{ferry.bash,_ferry,ferry.fish}. Files whose text is unchanged are left
// alone, so a rebuild does not touch them.

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>

#include "ferry/cli/command_docs.hpp"
#include "ferry/cli/completion.hpp"
#include "ferry/cli/man_page.hpp"
#include "ferry/cli/version.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"

using namespace ferry;

namespace {

Result<void> write_if_changed(const std::string& path, const std::string& text) {
    if (auto old = fs::read_file(path); old && *old == text) return {};
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) return fail_errno("open `" + path + "`");
    return fs::write_all(fd.get(), text);
}

Result<void> generate(const std::string& out) {
    for (const char* dir : {"", "/man1", "/completion"})
        if (::mkdir((out + dir).c_str(), 0755) != 0 && errno != EEXIST)
            return fail_errno("mkdir `" + out + dir + "`");
    auto root = cli::describe_commands();
    for (const auto& [name, text] : cli::man_pages(root, cli::version_number()))
        TRY(write_if_changed(out + "/man1/" + name, text));
    auto nodes = cli::completion_nodes(root);
    TRY(write_if_changed(out + "/completion/ferry.bash", cli::bash_completion(nodes)));
    TRY(write_if_changed(out + "/completion/_ferry",
                         cli::zsh_completion(nodes, cli::Descriptions::yes)));
    TRY(write_if_changed(out + "/completion/ferry.fish",
                         cli::fish_completion(nodes, cli::Descriptions::yes)));
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        (void)fs::write_all(2, "usage: ferry-docgen OUTDIR\n");
        return 2;
    }
    auto r = generate(argv[1]);
    if (!r) {
        (void)fs::write_all(2, "ferry-docgen: error: " + r.error().message + "\n");
        return 1;
    }
    return 0;
}
