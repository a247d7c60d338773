#pragma once
// Man pages generated from the command tree (command_docs.hpp): ferry.1 and one page per
// command and subcommand (ferry-run.1, ferry-image-ls.1), plain roff with the man(7) macros,
// written at build time by ferry-docgen.

#include <string>
#include <utility>
#include <vector>

#include "ferry/cli/command_docs.hpp"

namespace ferry::cli {

// Every page of the tree as (file name, roff text); version goes in each page's footer.
std::vector<std::pair<std::string, std::string>> man_pages(const CommandDoc& root,
                                                           const std::string& version);

// text escaped for roff: backslashes doubled as \e, a line that starts with . or ' guarded.
std::string roff_escape(std::string_view text);

}  // namespace ferry::cli
