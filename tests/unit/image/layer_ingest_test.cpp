#include "ferry/image/layer_ingest.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "ferry/util/fs.hpp"
#include "test_util.hpp"

namespace ferry::image {
namespace {

// A create that fails before its hasher streams exist (here the directory is taken; on a full
// disk, the first mkdir) must destroy cleanly: it used to wait on a stream never opened.
TEST(LayerIngest, ACreateThatFailsEarlyDestroysCleanly) {
    test::TempDir dir;
    auto staging = fs::open(dir.path(), O_RDONLY | O_DIRECTORY);
    ASSERT_TRUE(staging);
    ASSERT_EQ(::mkdirat(staging->get(), "L0", 0700), 0);
    ChunkPool pool(2, 4096), inflate(1, 4096);
    AsyncHasher hasher;
    auto in = LayerIngest::create(staging->get(), "L0", Compression::none, hasher, inflate, {});
    ASSERT_FALSE(in);
    EXPECT_EQ(in.error().message, "create `L0`: File exists");
    // The hasher is still usable: another ingest opens streams 0 and 1 normally.
    auto ok = LayerIngest::create(staging->get(), "L1", Compression::gzip, hasher, inflate, {});
    ASSERT_TRUE(ok) << ok.error().message;
}

}  // namespace
}  // namespace ferry::image
