#pragma once
// Reading a container's log (docker's json-file format, written by the monitor) for
// `ferry logs`.

#include <cstdint>
#include <optional>
#include <string>

#include "ferry/runtime/container_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct LogOptions {
    bool follow = false;               // -f: keep printing until the container stops
    bool timestamps = false;           // -t: prefix each line with its RFC 3339 time
    std::optional<size_t> tail;        // --tail N: only the last N lines
    std::optional<int64_t> since_ns;   // --since
    std::optional<int64_t> until_ns;   // --until
};

// Prints the log's records to stdout and stderr as they were written, the rotated files first.
// Fails with docker's `configured logging driver does not support reading` (status 1) for a
// container created with --log-driver none.
Result<void> print_logs(const ContainerStore& store, const ContainerRecord& record,
                        const LogOptions& options);

// Parses docker's --since/--until: RFC 3339 or a duration before now (10m, 1h30m, 45s).
Result<int64_t> parse_log_time(std::string_view s);

}  // namespace ferry::runtime
