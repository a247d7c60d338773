#pragma once
// Shell completion scripts for bash, zsh and fish, generated from the command tree
// (command_docs.hpp): the same names, summaries and flag tables `--help` prints. Each script
// walks the words typed so far to the command they name, then offers its subcommands, its
// flags, or names of what its arguments take (containers, images, volumes: listed by ferry
// itself against the store the typed --root names; files otherwise).

#include <string>
#include <utility>
#include <vector>

#include "ferry/cli/command_docs.hpp"

namespace ferry::cli {

// One command as a completion script sees it.
struct CompletionNode {
    std::string path;  // canonical command path, "image ls"; "" for ferry itself
    // The words that lead from this command to a subcommand (names and aliases), with the
    // subcommand's path and summary.
    struct Child {
        std::string word, path, summary;
    };
    std::vector<Child> children;
    std::vector<FlagInfo> flags;  // every flag, --help included
    // What positional arguments name: "container", "image", "volume", several of those
    // separated by spaces, "file", "none" (the command takes no argument), or "" (something
    // else: files are offered); read from the usage line.
    std::string args;
    bool args_repeat = false;  // every positional names that (`CONTAINER [CONTAINER...]`);
                               // otherwise only the first does
    bool interspersed = true;  // false: flags end at the first positional (run, exec)
};

// The tree flattened, ferry itself first.
std::vector<CompletionNode> completion_nodes(const CommandDoc& root);

// Whether the value of flag is a file name (-i/--input, -o/--output, --env-file, ...).
bool flag_takes_file(const FlagInfo& flag);

// Whether zsh and fish show summaries beside the names they offer (--no-descriptions).
enum class Descriptions { yes, no };

// The scripts, for `source <(ferry completion bash)`, `ferry completion zsh > _ferry` and
// `ferry completion fish | source`.
std::string bash_completion(const std::vector<CompletionNode>& nodes);
std::string zsh_completion(const std::vector<CompletionNode>& nodes, Descriptions descriptions);
std::string fish_completion(const std::vector<CompletionNode>& nodes, Descriptions descriptions);

// Quotes s as one word for bash and zsh: '...' with ' written '\''.
std::string shell_quote(std::string_view s);

// bash's and zsh's __ferry_child PATH WORD (the path of the command WORD names under PATH),
// the same function in both shells.
std::string child_function(const std::vector<CompletionNode>& nodes);

}  // namespace ferry::cli
