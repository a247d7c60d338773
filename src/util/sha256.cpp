// OpenSSL EVP wrapper. EVP picks the SHA-NI implementation at run time.

#include "ferry/util/sha256.hpp"

#include <openssl/evp.h>

#include "ferry/util/strings.hpp"

namespace ferry {

struct Sha256::State {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    State() { EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr); }
    ~State() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : m_state(std::make_unique<State>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t size) {
    EVP_DigestUpdate(m_state->ctx, data, size);
    m_size += size;
}

std::string Sha256::hex_digest() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(m_state->ctx, md, &len);
    EVP_DigestInit_ex(m_state->ctx, EVP_sha256(), nullptr);
    m_size = 0;
    return to_hex(md, len);
}

std::string sha256_hex(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.hex_digest();
}

}  // namespace ferry
