#pragma once
// The output of a build whose stages run at the same time, kept in the order a build one stage
// after another prints: the first stage (in plan order) that has not finished prints as it
// goes; every later one keeps its text (its lines, and its RUN steps' output, which goes to a
// file meanwhile) until the stages before it are done, and is then printed in one piece. Stage
// positions are 0..n-1 in plan order. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::build {

class OrderedOutput {
  public:
    // write: puts text on the build's output as it is (stdout).
    OrderedOutput(size_t stages, std::function<void(std::string_view)> write);

    // Text from stage p, printed now or kept for its turn.
    void text(size_t p, std::string_view text);

    // Where a RUN step of stage p sends its output: -1 for the build's own stdout and stderr
    // (p's turn has come), else a file kept until the step ends (end_run).
    Result<int> begin_run(size_t p);
    // The RUN step of stage p ended: the output its file took joins p's text.
    void end_run(size_t p);

    // Stage p is done: printed, with every later stage whose turn this brings (in full when
    // finished, else what it has so far).
    void finish(size_t p);
    // Prints everything still kept, in order (the end of a build that stopped).
    void finish_all();

  private:
    struct Stage {
        std::string kept;
        Fd run_file;           // the output of a RUN that started while kept
        uint64_t drained = 0;  // how much of it went on
        bool finished = false;
    };
    void drain(Stage& s, size_t p);
    void advance();

    std::mutex m_mutex;
    std::function<void(std::string_view)> m_write;
    std::vector<Stage> m_stages;
    size_t m_turn = 0;  // the stage that prints as it goes
};

}  // namespace ferry::build
