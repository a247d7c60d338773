// One unbuffered write per message so lines from concurrent processes do not interleave.

#include "ferry/util/log.hpp"

#include <unistd.h>

#include <atomic>
#include <string>
#include <cstdlib>
#include <ctime>

namespace ferry::log {

namespace {
std::atomic<Level> g_level{Level::warn};

void emit(std::string_view tag, std::string_view msg) {
    std::string line = "ferry: ";
    line.append(tag).append(msg).push_back('\n');
    [[maybe_unused]] auto n = ::write(2, line.data(), line.size());
}
}  // namespace

void set_level(Level level) { g_level = level; }
bool enabled(Level level) { return level >= g_level.load(std::memory_order_relaxed); }
void debug(std::string_view msg) {
    if (enabled(Level::debug)) emit("debug: ", msg);
}
void info(std::string_view msg) {
    if (enabled(Level::info)) emit("", msg);
}
void warn(std::string_view msg) {
    if (enabled(Level::warn)) emit("warning: ", msg);
}

}  // namespace ferry::log

namespace ferry::log {

namespace {
int64_t monotonic_us() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}
}  // namespace

void trace(std::string_view what) {
    static const bool on = std::getenv("FERRY_TRACE") != nullptr;
    if (!on) return;
    static const int64_t start = monotonic_us();
    emit("trace +" + std::to_string(monotonic_us() - start) + "us [" +
             std::to_string(::getpid()) + "] ",
         what);
}

}  // namespace ferry::log
