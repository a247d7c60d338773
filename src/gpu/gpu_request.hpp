#pragma once
// `--gpus`, with docker's grammar: a CSV record (Go's encoding/csv, so `"device=0,1"` keeps its
// comma) of `all`, a count, `count=N|all`, `device=ID[,ID...]`, `capabilities=CAP[,CAP...]`,
// `driver=NAME` and `options=K=V[,...]`, each key at most once.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::gpu {

// docker's container.DeviceRequest, as `--gpus` fills it.
struct GpuRequest {
    std::string driver;  // driver=; "" picks by capabilities
    int64_t count = 0;   // -1: all; 1 when neither count nor IDs
    std::optional<std::vector<std::string>> device_ids;
    std::vector<std::string> capabilities;  // as docker: the given ones, then "gpu"
    std::vector<std::pair<std::string, std::string>> options;

    bool operator==(const GpuRequest&) const = default;
};

// Parses a `--gpus` value as docker's GpuOpts.Set does. Fails with docker's messages:
// `invalid count (x): value must be either "all" or an integer: invalid syntax`,
// `gpu request key 'device' can be specified only once`, `unexpected key 'k' in 'k=v'`, or a
// CSV error such as `parse error on line 1, column 12: extraneous or missing " in quoted-field`.
Result<GpuRequest> parse_gpus(std::string_view value);

// Reads the first record of text as Go's csv.Reader (comma `,`, no lazy quotes) does. Fails with
// Go's error text (`EOF` for empty input).
Result<std::vector<std::string>> read_csv_record(std::string_view text);

}  // namespace ferry::gpu
