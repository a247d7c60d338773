#pragma once
// libnftables, loaded with dlopen("libnftables.so.1") at first use, so that ferry links nothing of
// nftables and runs where it is not installed until a bridge network is wanted. One context per
// process, behind a mutex; each run hands one buffer of nft commands to the library, which the
// kernel applies as one transaction (all or nothing).

#include <string>
#include <string_view>

#include "ferry/util/result.hpp"

namespace ferry::net {

// How a run's listing output is printed.
enum class NftOutput { text, json, json_with_handles };

// Runs `commands` (nft syntax, several lines) as one transaction and returns what nft printed
// (listings). Fails with `bridge networking needs nftables (libnftables.so.1): dlerror` where the
// library cannot be loaded, else with nft's first error line (`Error: Could not process rule: File
// exists`, ...), errno EEXIST or ENOENT where that line names one.
Result<std::string> nft_run(std::string_view commands, NftOutput output = NftOutput::text);

}  // namespace ferry::net
