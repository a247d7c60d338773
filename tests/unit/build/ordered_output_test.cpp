// The output of stages built at the same time comes out in plan order: the first unfinished
// stage prints as it goes, later ones keep their text and RUN output until their turn.

#include "ferry/build/ordered_output.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace ferry::build {
namespace {

struct Capture {
    std::string out;
    OrderedOutput output{3, [this](std::string_view t) { out += t; }};
};

TEST(OrderedOutput, LaterStagesWaitForTheirTurn) {
    Capture c;
    c.output.text(1, "b1\n");
    c.output.text(0, "a1\n");
    c.output.text(2, "c1\n");
    EXPECT_EQ(c.out, "a1\n");
    c.output.finish(2);  // finished, but not its turn yet
    EXPECT_EQ(c.out, "a1\n");
    c.output.finish(0);  // stage 1's turn: what it kept, then it prints as it goes
    EXPECT_EQ(c.out, "a1\nb1\n");
    c.output.text(1, "b2\n");
    EXPECT_EQ(c.out, "a1\nb1\nb2\n");
    c.output.finish(1);  // stage 2 was done: printed at once
    EXPECT_EQ(c.out, "a1\nb1\nb2\nc1\n");
}

TEST(OrderedOutput, RunOutputOfAKeptStageGoesToAFileInItsPlace) {
    Capture c;
    auto live = c.output.begin_run(0);
    ASSERT_TRUE(live);
    EXPECT_EQ(*live, -1);  // stage 0 prints directly
    c.output.end_run(0);
    c.output.text(1, "Running in x\n");
    auto fd = c.output.begin_run(1);
    ASSERT_TRUE(fd);
    ASSERT_GE(*fd, 0);
    ASSERT_EQ(::write(*fd, "run out 1\n", 10), 10);
    c.output.finish(0);  // stage 1's turn while its RUN runs: what it wrote so far
    EXPECT_EQ(c.out, "Running in x\nrun out 1\n");
    ASSERT_EQ(::write(*fd, "run out 2\n", 10), 10);
    c.output.text(1, "Removing x\n");  // the RUN's output before the line that follows it
    c.output.end_run(1);
    EXPECT_EQ(c.out, "Running in x\nrun out 1\nrun out 2\nRemoving x\n");
}

TEST(OrderedOutput, FinishAllPrintsWhatIsKeptInOrder) {
    Capture c;
    c.output.text(2, "c\n");
    c.output.text(1, "b\n");
    auto fd = c.output.begin_run(2);
    ASSERT_TRUE(fd);
    ASSERT_EQ(::write(*fd, "c-run\n", 6), 6);
    c.output.end_run(2);
    c.output.finish_all();
    EXPECT_EQ(c.out, "b\nc\nc-run\n");
}

}  // namespace
}  // namespace ferry::build
