#pragma once
// Regenerating a layer tar, byte for byte, from its unpacked directory and tar-split record.

#include <cstdint>

#include "ferry/image/tar_sink.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

// Streams the original layer tar to sink and returns its size. diff_dir is the unpacked layer,
// record_fd its tar-split record (replaced files are read from the record itself). Payload files
// are opened inside diff_dir (RESOLVE_IN_ROOT, no symlinks followed). Fails with
// `layer file `usr/bin/x` changed since it was unpacked` when a file is missing or shorter than
// it was, with `tar-split record: ...` on a bad record, or with the sink's error.
Result<uint64_t> regenerate_layer(int diff_dir, int record_fd, TarSink& sink);

}  // namespace ferry::image
