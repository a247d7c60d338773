// The library's few entry points are looked up once with dlsym; nothing here includes
// libnftables.h, so neither building nor running ferry needs nftables until a bridge network is
// set up. Output and errors are buffered in the context (nft_ctx_buffer_output/_error) and copied
// out under the mutex that serialises every use of the one context.

#include "ferry/net/nftables.hpp"

#include <dlfcn.h>

#include <cerrno>
#include <mutex>

namespace ferry::net {

namespace {

// The values of libnftables.h's NFT_CTX_OUTPUT_HANDLE and NFT_CTX_OUTPUT_JSON.
constexpr unsigned k_output_handle = 1u << 3;
constexpr unsigned k_output_json = 1u << 4;

struct Library {
    void* (*ctx_new)(uint32_t) = nullptr;
    void (*output_set_flags)(void*, unsigned) = nullptr;
    int (*buffer_output)(void*) = nullptr;
    int (*buffer_error)(void*) = nullptr;
    const char* (*get_output)(void*) = nullptr;
    const char* (*get_error)(void*) = nullptr;
    int (*run_cmd)(void*, const char*) = nullptr;
    void* ctx = nullptr;
    std::string load_error;
};

template <class F>
bool find(void* handle, const char* name, F& out) {
    out = reinterpret_cast<F>(::dlsym(handle, name));
    return out != nullptr;
}

Library load() {
    Library lib;
    void* handle = ::dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
    bool ok = handle && find(handle, "nft_ctx_new", lib.ctx_new) &&
              find(handle, "nft_ctx_output_set_flags", lib.output_set_flags) &&
              find(handle, "nft_ctx_buffer_output", lib.buffer_output) &&
              find(handle, "nft_ctx_buffer_error", lib.buffer_error) &&
              find(handle, "nft_ctx_get_output_buffer", lib.get_output) &&
              find(handle, "nft_ctx_get_error_buffer", lib.get_error) &&
              find(handle, "nft_run_cmd_from_buffer", lib.run_cmd);
    if (!ok) {
        const char* why = ::dlerror();
        lib.load_error = why ? why : "a symbol is missing";
        return lib;
    }
    lib.ctx = lib.ctx_new(0);
    if (!lib.ctx) {
        lib.load_error = "nft_ctx_new failed";
        return lib;
    }
    lib.buffer_output(lib.ctx);
    lib.buffer_error(lib.ctx);
    return lib;
}

// nft's first line that starts with `Error:`, else its first line.
std::string first_error_line(std::string_view text) {
    std::string_view first;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (line.empty()) continue;
        if (first.empty()) first = line;
        if (line.starts_with("Error:")) return std::string(line);
    }
    return first.empty() ? std::string("nft failed") : std::string(first);
}

}  // namespace

Result<std::string> nft_run(std::string_view commands, NftOutput output) {
    static std::mutex mutex;
    static Library lib = load();
    std::lock_guard lock(mutex);
    if (!lib.ctx)
        return fail("bridge networking needs nftables (libnftables.so.1): " + lib.load_error);
    unsigned flags = 0;
    if (output != NftOutput::text) flags |= k_output_json;
    if (output == NftOutput::json_with_handles) flags |= k_output_handle;
    lib.output_set_flags(lib.ctx, flags);
    std::string buffer(commands);
    int rc = lib.run_cmd(lib.ctx, buffer.c_str());
    // Each get_*_buffer call hands the buffer over and empties it: one call each.
    const char* printed = lib.get_output(lib.ctx);
    const char* errors = lib.get_error(lib.ctx);
    std::string out = printed ? printed : "";
    if (rc == 0) return out;
    std::string why = first_error_line(errors ? errors : "");
    Error e{.message = "nftables: " + why};
    if (why.find("File exists") != std::string::npos) e.sys_errno = EEXIST;
    if (why.find("No such file or directory") != std::string::npos) e.sys_errno = ENOENT;
    return std::unexpected(std::move(e));
}

}  // namespace ferry::net
