// Schema 1 is read as docker's distribution library reads it: the JWS's payload is rebuilt from
// the protected header (formatLength bytes of the document, then formatTail), and the manifest's
// fields are read from that payload, whose sha256 is the manifest's digest.
//
// The conversion follows docker 20.10 (distribution/pull_v2.go pullSchema1 and image/v1's
// HistoryFromConfig and MakeConfigFromV1Config) rather than containerd's converter, because
// docker keeps every field of the top v1Compatibility where containerd re-marshals it through
// the OCI image struct and loses docker's own fields: only docker's bytes give docker's image
// ID. Those bytes are Go's json.Marshal of a map[string]*json.RawMessage: keys sorted, each
// value the original text compacted (whitespace dropped, <, >, & and U+2028/9 escaped), so the
// values are cut out of the text, not re-serialised. A document written by docker before 1.8.3
// (or by a tool that writes no docker_version, as skopeo) first goes through docker's V1Image
// struct: only its fields stay, `created` in time.Time's form, both configs as container.Config
// writes them.

#include "ferry/oci/schema1.hpp"

#include <map>
#include <set>

#include "ferry/oci/container_config.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/util/strings.hpp"

namespace ferry {

namespace {

Result<std::string> base64url_decode(std::string_view in) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '-' || c == '+') return 62;
        if (c == '_' || c == '/') return 63;
        return -1;
    };
    while (!in.empty() && in.back() == '=')
        in.remove_suffix(1);
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        int v = value(c);
        if (v < 0) return fail("invalid base64url text");
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    if (bits >= 6) return fail("invalid base64url text");
    return out;
}

// The payload of a signed document (libtrust's JSONSignature.Payload for a pretty signature).
Result<std::string> jws_payload(std::string_view bytes, const JsonObject& signature) {
    auto bad = [](std::string_view what) {
        return fail("invalid signature: " + std::string(what));
    };
    auto protected_text = signature.required_string("protected");
    if (!protected_text) return bad("missing protected header");
    auto header_bytes = base64url_decode(*protected_text);
    if (!header_bytes) return bad("malformed protected header");
    auto header = parse_json(*header_bytes);
    if (!header || !header->is_object()) return bad("malformed protected header");
    auto length = header->find("formatLength");
    auto tail = header->find("formatTail");
    if (length == header->end() || !length->is_number_integer() || tail == header->end() ||
        !tail->is_string())
        return bad("malformed protected header");
    int64_t n = length->get<int64_t>();
    if (n < 0 || static_cast<uint64_t>(n) > bytes.size())
        return bad("format length " + std::to_string(n) + " past the end of the document");
    auto tail_bytes = base64url_decode(tail->get_ref<const std::string&>());
    if (!tail_bytes) return bad("malformed format tail");
    return std::string(bytes.substr(0, static_cast<size_t>(n))) + *tail_bytes;
}

Result<Schema1Manifest> parse_fields(const Json& doc, Schema1Manifest m) {
    auto root = TRY(JsonObject::view(doc));
    m.schema_version = static_cast<int>(TRY(root.required_int("schemaVersion")));
    m.name = TRY(root.string_or_empty("name"));
    m.tag = TRY(root.string_or_empty("tag"));
    m.architecture = TRY(root.string_or_empty("architecture"));
    for (const auto& layer : TRY(root.optional_object_array("fsLayers"))) {
        auto digest = Digest::parse(TRY(layer.required_string("blobSum")));
        if (!digest) return layer.field_error("blobSum", digest.error().message);
        m.fs_layers.push_back(std::move(*digest));
    }
    for (const auto& entry : TRY(root.optional_object_array("history")))
        m.v1_compatibility.push_back(TRY(entry.required_string("v1Compatibility")));
    return m;
}

Result<Schema1Manifest> parse_schema1(std::string_view bytes) {
    Json doc = TRY(parse_json(bytes));
    auto root = TRY(JsonObject::view(doc));
    Schema1Manifest m;
    auto signatures = TRY(root.optional_object_array("signatures"));
    if (signatures.empty()) {
        m.canonical = std::string(bytes);
        return parse_fields(doc, std::move(m));
    }
    m.is_signed = true;
    m.canonical = TRY(jws_payload(bytes, signatures[0]));
    Json payload = TRY_CTX("invalid signature: payload", parse_json(m.canonical));
    return parse_fields(payload, std::move(m));
}

// Go's %q of an ASCII string, as docker's messages quote references and IDs.
std::string go_quote(std::string_view s) {
    std::string out;
    append_go_string(out, s);
    return out;
}

// The end of the JSON value starting at text[i] (the text is known to be valid JSON).
size_t value_end(std::string_view text, size_t i) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"') {
                in_string = false;
                if (depth == 0) return i + 1;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (depth == 0) return i;
            if (--depth == 0) return i + 1;
        } else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
            return i;
        }
    }
    return i;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Go's json.Compact with HTML escaping, as json.Marshal applies to a RawMessage.
std::string go_compact(std::string_view raw) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < raw.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(raw[i]);
        if (c == '<' || c == '>' || c == '&') {
            out += "\\u00";
            out += k_hex[c >> 4];
            out += k_hex[c & 0xf];
        } else if (c == 0xe2 && i + 2 < raw.size() &&
                   static_cast<unsigned char>(raw[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(raw[i + 2]) & ~1u) == 0xa8) {
            out += "\\u202";
            out += k_hex[static_cast<unsigned char>(raw[i + 2]) & 0xf];
            i += 2;
            continue;
        } else if (in_string || !is_space(static_cast<char>(c))) {
            out += static_cast<char>(c);
        }
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        }
    }
    return out;
}

// The members of the valid JSON object `text`: key (decoded) → value text, compacted; the last
// of repeated keys wins, as in Go.
std::map<std::string, std::string> raw_members(std::string_view text) {
    std::map<std::string, std::string> out;
    size_t i = text.find('{') + 1;
    while (i < text.size()) {
        while (i < text.size() && (is_space(text[i]) || text[i] == ','))
            ++i;
        if (i >= text.size() || text[i] != '"') break;
        size_t key_end = value_end(text, i);
        Json key = Json::parse(text.substr(i, key_end - i), nullptr, false);
        i = text.find(':', key_end) + 1;
        while (i < text.size() && is_space(text[i]))
            ++i;
        size_t end = value_end(text, i);
        if (key.is_string()) out[key.get<std::string>()] = go_compact(text.substr(i, end - i));
        i = end;
    }
    return out;
}

// time.Time's JSON (RFC 3339 with the fraction's trailing zeros dropped, Z for a zero offset) of
// an RFC 3339 text.
std::string go_time(std::string_view s) {
    size_t zone = s.find_first_of("Zz+-", 19);
    std::string_view base = s.substr(0, 19), frac, offset = s.substr(zone);
    if (zone > 19) frac = s.substr(20, std::min<size_t>(zone - 20, 9));
    while (!frac.empty() && frac.back() == '0')
        frac.remove_suffix(1);
    std::string out(base);
    if (!frac.empty()) out += "." + std::string(frac);
    bool zero = offset.size() == 1 || offset.substr(1) == "00:00";
    out += zero ? std::string("Z") : std::string(offset);
    return out;
}

// versions.LessThan(v, "1.8.3"): dot-separated numbers, a part that is not one counting as 0.
bool older_than_1_8_3(std::string_view v) {
    static constexpr int k_min[] = {1, 8, 3};
    auto parts = split(v, '.');
    for (size_t i = 0; i < std::max<size_t>(parts.size(), 3); ++i) {
        int have = 0;
        if (i < parts.size()) {
            const std::string& p = parts[i];
            bool numeric = !p.empty() && p.find_first_not_of("0123456789") == std::string::npos;
            have = numeric && p.size() < 9 ? std::stoi(p) : 0;
        }
        int want = i < 3 ? k_min[i] : 0;
        if (have != want) return have < want;
    }
    return false;
}

// The v1Compatibility as docker's V1Image struct re-marshals it (useFallback): the fields of
// V1Image that MakeConfigFromV1Config keeps, as compact values by key.
Result<std::map<std::string, std::string>> v1image_fields(const Json& doc,
                                                          const std::string& created) {
    auto object = TRY(JsonObject::view(doc));
    std::map<std::string, std::string> out;
    auto text = [&](const char* key) -> Result<void> {
        std::string v = TRY(object.string_or_empty(key));
        if (!v.empty()) out[key] = to_go_json(Json(v));
        return {};
    };
    for (const char* key :
         {"comment", "container", "docker_version", "author", "architecture", "variant", "os"})
        TRY(text(key));
    out["created"] = to_go_json(Json(created));
    Json empty = Json::object();
    auto container_config = TRY(object.optional_object("container_config"));
    auto cc = container_config ? *container_config : TRY(JsonObject::view(empty));
    out["container_config"] =
        to_go_json(to_json(TRY(parse_container_config(cc)), UnknownFields::drop));
    if (auto config = TRY(object.optional_object("config")))
        out["config"] =
            to_go_json(to_json(TRY(parse_container_config(*config)), UnknownFields::drop));
    return out;
}

struct V1Entry {
    std::string id, parent;
    bool throwaway = false;
    Json history;  // image.History
};

Result<V1Entry> read_v1(std::string_view text, size_t index) {
    auto ctx = [&](std::string_view what) {
        return fail("invalid v1Compatibility in history[" + std::to_string(index) +
                    "]: " + std::string(what));
    };
    auto doc = parse_json(text);
    if (!doc) return ctx(doc.error().message);
    auto object = JsonObject::view(*doc);
    if (!object) return ctx(object.error().message);
    auto read = [&]() -> Result<V1Entry> {
        V1Entry e;
        e.id = TRY(object->string_or_empty("id"));
        e.parent = TRY(object->string_or_empty("parent"));
        e.throwaway = TRY(object->optional_bool("throwaway")).value_or(false);
        std::string created = TRY(object->string_or_empty("created"));
        if (created.empty())
            created = "0001-01-01T00:00:00Z";
        else if (!is_rfc3339(created))
            return object->field_error("created", "invalid time `" + printable(created) + "`");
        std::string created_by;
        if (auto cc = TRY(object->optional_object("container_config"))) {
            if (const Json* cmd = cc->find("Cmd"); cmd && cmd->is_string())
                created_by = cmd->get<std::string>();
            else
                created_by = join(or_empty(TRY(cc->optional_string_array("Cmd"))), " ");
        }
        e.history = Json::object();
        e.history["created"] = go_time(created);
        std::string author = TRY(object->string_or_empty("author"));
        std::string comment = TRY(object->string_or_empty("comment"));
        if (!author.empty()) e.history["author"] = author;
        if (!created_by.empty()) e.history["created_by"] = created_by;
        if (!comment.empty()) e.history["comment"] = comment;
        if (e.throwaway) e.history["empty_layer"] = true;
        return e;
    };
    auto e = read();
    if (!e) return ctx(e.error().message);
    return e;
}

bool is_v1_id(std::string_view id) {
    return id.size() == 64 && is_sha256_hex(id);
}

// fixManifestLayers: repeated adjacent IDs dropped, the parent chain checked.
Result<void> fix_layers(std::vector<V1Entry>& entries, std::vector<Digest>& blobs,
                        std::vector<std::string>& texts) {
    if (entries.empty()) return {};
    for (const auto& e : entries)
        if (!is_v1_id(e.id)) return fail("image ID " + go_quote(e.id) + " is invalid");
    if (!entries[entries.size() - 1].parent.empty())
        return fail("invalid parent ID in the base layer of the image");
    std::set<std::string> seen;
    std::string last;
    for (const auto& e : entries) {
        if (e.id != last && seen.contains(e.id))
            return fail("ID " + e.id + " appears multiple times in manifest");
        last = e.id;
        seen.insert(e.id);
    }
    for (size_t i = entries.size() - 1; i-- > 0;) {
        if (entries[i].id == entries[i + 1].id) {
            entries.erase(entries.begin() + static_cast<ptrdiff_t>(i));
            blobs.erase(blobs.begin() + static_cast<ptrdiff_t>(i));
            texts.erase(texts.begin() + static_cast<ptrdiff_t>(i));
        } else if (entries[i].parent != entries[i + 1].id) {
            return fail("invalid parent ID. Expected " + entries[i + 1].id + ", got " +
                        entries[i].parent);
        }
    }
    return {};
}

}  // namespace

Result<Schema1Manifest> parse_schema1_manifest(std::string_view bytes) {
    return TRY_CTX("manifest", parse_schema1(bytes));
}

Result<Schema1Image> convert_schema1(const Schema1Manifest& m, std::string_view ref) {
    const std::string quoted = go_quote(ref);
    if (m.schema_version != 1)
        return fail("unsupported schema version " + std::to_string(m.schema_version) + " for " +
                    quoted);
    if (m.fs_layers.size() != m.v1_compatibility.size())
        return fail("length of history not equal to number of layers for " + quoted);
    if (m.fs_layers.empty()) return fail("no FSLayers in manifest for " + quoted);
    std::vector<Digest> blobs = m.fs_layers;
    std::vector<std::string> texts = m.v1_compatibility;
    std::vector<V1Entry> entries;
    for (size_t i = 0; i < texts.size(); ++i)
        entries.push_back(TRY(read_v1(texts[i], i)));
    TRY(fix_layers(entries, blobs, texts));

    Schema1Image image;
    Json history = Json::array();
    for (size_t i = entries.size(); i-- > 0;) {
        history.push_back(entries[i].history);
        if (!entries[i].throwaway) image.m_layers.push_back(blobs[i]);
    }
    image.m_history = to_go_json(history);
    Json top = *parse_json(texts[0]);
    std::map<std::string, std::string> fields = raw_members(texts[0]);
    auto version = top.find("docker_version");
    if (older_than_1_8_3(version != top.end() && version->is_string() ? version->get<std::string>()
                                                                      : ""))
        fields = TRY_CTX("invalid v1Compatibility in history[0]",
                         v1image_fields(top, entries[0].history["created"].get<std::string>()));
    for (auto& [key, value] : fields)
        if (key != "id" && key != "parent" && key != "Size" && key != "parent_id" &&
            key != "layer_id" && key != "throwaway")
            image.m_fields.emplace_back(key, std::move(value));
    auto text_field = [&](const char* key, std::string fallback) {
        auto it = top.find(key);
        return it != top.end() && it->is_string() && !it->get_ref<const std::string&>().empty()
                   ? it->get<std::string>()
                   : fallback;
    };
    image.m_os = text_field("os", "linux");
    image.m_architecture = text_field("architecture", m.architecture);
    return image;
}

Result<std::string> Schema1Image::config(const std::vector<std::string>& diff_ids) const {
    if (diff_ids.size() != m_layers.size())
        return fail("schema 1 image: " + std::to_string(diff_ids.size()) + " diff IDs for " +
                    std::to_string(m_layers.size()) + " layers");
    Json rootfs = Json::object();
    rootfs["type"] = "layers";
    if (!diff_ids.empty()) rootfs["diff_ids"] = diff_ids;
    std::map<std::string, std::string> fields(m_fields.begin(), m_fields.end());
    fields["rootfs"] = to_go_json(rootfs);
    fields["history"] = m_history;
    std::string out = "{";
    for (const auto& [key, value] : fields) {
        if (out.size() > 1) out += ",";
        append_go_string(out, key);
        out += ":" + value;
    }
    return out + "}";
}

}  // namespace ferry
