#pragma once
// The far side of an ssh move, as the user writes it: `ssh://[user@]host[:port]` for push and
// `ssh://[user@]host[:port]/REF` for pull, and the ssh command line that reaches it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::registry {

// A parsed ssh:// location.
struct SshTarget {
    std::string user;       // empty: ssh's default (~/.ssh/config, the local user)
    std::string host;       // a name or an address; IPv6 without its brackets
    std::optional<int> port;
    std::string path;       // what follows the first `/` after the authority (pull: the image)

    // ssh's destination: `user@host` or `host`.
    std::string destination() const;
    // The location as the user wrote it, normalised: ssh://user@host:port (no path).
    std::string url() const;
};

// Whether s names an ssh move (starts with `ssh://`).
bool is_ssh_url(std::string_view s);

// Parses `ssh://[user@]host[:port][/path]`. Fails with `invalid ssh location `s`: <why>` (no
// host, a bad port, characters ssh would take as options).
Result<SshTarget> parse_ssh_url(std::string_view s);

// The argv that runs remote_args on the far side: `ssh [-p PORT] -T DEST -- PROGRAM ARGS...`,
// with program from $FERRY_SSH_REMOTE (default `ferry`, passed to the remote shell as is, so it
// may carry options such as `--root DIR`) and each of remote_args quoted for that shell.
std::vector<std::string> ssh_command(const SshTarget& target,
                                     const std::vector<std::string>& remote_args);

// s quoted for a POSIX shell: 'it'\''s'; plain words ([A-Za-z0-9_./:@=+-]) as they are.
std::string shell_quote(std::string_view s);

}  // namespace ferry::registry
