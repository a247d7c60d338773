// SHA-256 through OpenSSL's low-level SHA256_* functions rather than EVP: the same assembly
// (SHA-NI where the CPU has it, about 2 GB/s here), without OpenSSL 3's provider machinery,
// which would add megabytes to the static binary and a millisecond of set-up to every run.

#define OPENSSL_SUPPRESS_DEPRECATED
#include "ferry/util/sha256.hpp"

#include <openssl/sha.h>

#include "ferry/util/strings.hpp"

namespace ferry {

struct Sha256::State {
    SHA256_CTX ctx;
    State() { SHA256_Init(&ctx); }
};

Sha256::Sha256() : m_state(std::make_unique<State>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t size) {
    SHA256_Update(&m_state->ctx, data, size);
    m_size += size;
}

std::string Sha256::hex_digest() {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256_Final(md, &m_state->ctx);
    SHA256_Init(&m_state->ctx);
    m_size = 0;
    return to_hex(md, sizeof md);
}

std::string sha256_hex(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.hex_digest();
}

}  // namespace ferry
