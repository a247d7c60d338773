#pragma once
// Streaming SHA-256 through OpenSSL (SHA-NI where the CPU has it, about 2 GB/s here).

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace ferry {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;

    // Adds bytes to the hash.
    void update(const void* data, size_t size);
    void update(std::string_view data) { update(data.data(), data.size()); }
    // Bytes hashed so far.
    uint64_t size() const { return m_size; }
    // Finishes and returns the 64-character lowercase hex digest; the object is reset for reuse.
    std::string hex_digest();

private:
    struct State;
    std::unique_ptr<State> m_state;
    uint64_t m_size = 0;
};

// The hex SHA-256 of data.
std::string sha256_hex(std::string_view data);

}  // namespace ferry
