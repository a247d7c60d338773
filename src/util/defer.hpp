#pragma once
// DEFER { ... }; runs the block when the enclosing scope ends, for the rare cleanup that has no
// owning type.

#include <utility>

namespace ferry::detail {
template <class F>
class Deferred {
public:
    explicit Deferred(F f) : m_f(std::move(f)) {}
    Deferred(const Deferred&) = delete;
    Deferred& operator=(const Deferred&) = delete;
    ~Deferred() { m_f(); }

private:
    F m_f;
};
struct DeferTag {};
template <class F>
Deferred<F> operator+(DeferTag, F f) {
    return Deferred<F>(std::move(f));
}
}  // namespace ferry::detail

#define FERRY_CONCAT2(a, b) a##b
#define FERRY_CONCAT(a, b) FERRY_CONCAT2(a, b)
#define DEFER auto FERRY_CONCAT(ferry_defer_, __LINE__) = ::ferry::detail::DeferTag{} + [&]()
