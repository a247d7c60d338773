#include "ferry/oci/schema1.hpp"

#include <gtest/gtest.h>

#include "ferry/oci/json.hpp"
#include "schema1_fixtures.hpp"

namespace ferry {
namespace {

const std::string k_blob_a = "sha256:" + std::string(64, 'a');
const std::string k_blob_b = "sha256:" + std::string(64, 'b');
const std::string k_id1 = std::string(64, '1');
const std::string k_id2 = std::string(64, '2');
const std::string k_id3 = std::string(64, '3');

std::string base64url(std::string_view in) {
    static constexpr char k[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : in) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6)
            out += k[(acc >> (bits -= 6)) & 63];
    }
    if (bits > 0) out += k[(acc << (6 - bits)) & 63];
    return out;
}

// payload signed as libtrust's pretty signature: the signatures member goes before the final
// `\n}`, formatLength and formatTail give the payload back.
std::string sign(const std::string& payload) {
    size_t cut = payload.find_last_not_of(" \n\t\r", payload.rfind('}') - 1) + 1;
    std::string header = R"({"formatLength":)" + std::to_string(cut) + R"(,"formatTail":")" +
                         base64url(payload.substr(cut)) + R"(","time":"2016-05-26T19:50:10Z"})";
    return payload.substr(0, cut) +
           ",\n   \"signatures\": [\n      {\n         \"header\": {\"alg\": \"ES256\"},\n"
           "         \"signature\": \"AAAA\",\n         \"protected\": \"" +
           base64url(header) + "\"\n      }\n   ]" + payload.substr(cut);
}

// A v1Compatibility entry.
std::string v1(const std::string& id, const std::string& parent, const std::string& extra = "") {
    std::string s = R"({"id":")" + id + "\"";
    if (!parent.empty()) s += R"(,"parent":")" + parent + "\"";
    return s + R"(,"created":"2016-01-02T03:04:05.500Z")" + extra + "}";
}

// A schema 1 manifest, pretty as docker 1.x wrote them, top layer first.
std::string manifest(const std::vector<std::pair<std::string, std::string>>& layers,
                     int version = 1) {
    Json fs = Json::array(), history = Json::array();
    for (const auto& [blob, compat] : layers) {
        fs.push_back({{"blobSum", blob}});
        history.push_back({{"v1Compatibility", compat}});
    }
    Json doc = {{"schemaVersion", version}, {"name", "old/cuda"}, {"tag", "8.0"},
                {"architecture", "amd64"},  {"fsLayers", fs},     {"history", history}};
    return doc.dump(3);
}

std::string convert_error(const std::string& doc) {
    auto m = parse_schema1_manifest(doc);
    if (!m) return "parse: " + m.error().message;
    auto r = convert_schema1(*m, "old/cuda:8.0");
    return r ? "(converted)" : r.error().message;
}

TEST(Schema1, SkopeoSignedManifestDigestIsThePayloads) {
    for (auto [doc, digest] : {std::pair{test::k_schema1_v1, test::k_schema1_v1_digest},
                               std::pair{test::k_schema1_v2, test::k_schema1_v2_digest}}) {
        auto m = parse_schema1_manifest(doc).value();
        EXPECT_TRUE(m.is_signed);
        EXPECT_EQ(m.digest().str(), digest);
        EXPECT_NE(Digest::of(doc).str(), digest);
        EXPECT_EQ(m.name, "mf/s1");
        EXPECT_EQ(m.architecture, "amd64");
        ASSERT_EQ(m.fs_layers.size(), 2u);
        EXPECT_EQ(m.fs_layers[0].str(), test::k_schema1_empty_blob);
        EXPECT_EQ(m.fs_layers[1].str(), test::k_schema1_layer_blob);
        EXPECT_EQ(m.canonical.find("signatures"), std::string::npos);
    }
}

TEST(Schema1, ConfigAndImageIdAreDockers) {
    struct Case {
        std::string_view doc, id, config;
    };
    for (auto c : {Case{test::k_schema1_v1, test::k_schema1_v1_id, test::k_schema1_v1_config},
                   Case{test::k_schema1_v2, test::k_schema1_v2_id, test::k_schema1_v2_config}}) {
        auto m = parse_schema1_manifest(c.doc).value();
        auto image = convert_schema1(m, "127.0.0.1:5987/mf/s1:v1").value();
        ASSERT_EQ(image.layers().size(), 1u);  // the throwaway layer is not fetched
        EXPECT_EQ(image.layers()[0].str(), test::k_schema1_layer_blob);
        EXPECT_EQ(image.os(), "linux");
        EXPECT_EQ(image.architecture(), "amd64");
        auto config = image.config({std::string(test::k_schema1_layer_diff_id)}).value();
        EXPECT_EQ(config, c.config);
        EXPECT_EQ(Digest::of(config).str(), c.id);
    }
}

TEST(Schema1, UnsignedManifestIsItsOwnPayload) {
    std::string doc = manifest({{k_blob_a, v1(k_id1, "")}});
    auto m = parse_schema1_manifest(doc).value();
    EXPECT_FALSE(m.is_signed);
    EXPECT_EQ(m.canonical, doc);
    EXPECT_EQ(m.digest(), Digest::of(doc));
}

TEST(Schema1, SignedPayloadIsTheDocumentWithoutSignatures) {
    std::string payload = manifest({{k_blob_a, v1(k_id1, "")}});
    std::string doc = sign(payload);
    auto m = parse_schema1_manifest(doc).value();
    EXPECT_TRUE(m.is_signed);
    EXPECT_EQ(m.canonical, payload);
    EXPECT_EQ(m.digest(), Digest::of(payload));
}

TEST(Schema1, HistoryKeepsThrowawayLayersTheLayerListDropsThem) {
    std::string doc = manifest({
        {k_blob_a,
         v1(k_id3, k_id2,
            R"(,"throwaway":true,"container_config":{"Cmd":["/bin/sh","-c","#(nop) CMD [\"sh\"]"]},"docker_version":"1.12.6","config":{"Cmd":["sh"]},"Size":0)")},
        {k_blob_b,
         v1(k_id2, k_id1, R"(,"author":"me","comment":"c","container_config":{"Cmd":"echo hi"})")},
        {k_blob_a, v1(k_id1, "", R"(,"created":"2015-01-01T00:00:00+00:00")")},
    });
    auto image = convert_schema1(parse_schema1_manifest(sign(doc)).value(), "x").value();
    ASSERT_EQ(image.layers().size(), 2u);
    EXPECT_EQ(image.layers()[0].str(), k_blob_a);  // bottom first
    EXPECT_EQ(image.layers()[1].str(), k_blob_b);
    std::string d1 = "sha256:" + std::string(64, 'd'), d2 = "sha256:" + std::string(64, 'e');
    auto config = image.config({d1, d2}).value();
    EXPECT_EQ(
        config,
        R"({"config":{"Cmd":["sh"]},"container_config":{"Cmd":["/bin/sh","-c","#(nop) CMD [\"sh\"]"]},)"
        R"("created":"2016-01-02T03:04:05.500Z","docker_version":"1.12.6",)"
        R"("history":[{"created":"2015-01-01T00:00:00Z"},)"  // the last `created` wins, as in Go
        R"({"created":"2016-01-02T03:04:05.5Z","author":"me","created_by":"echo hi","comment":"c"},)"
        R"({"created":"2016-01-02T03:04:05.5Z","created_by":"/bin/sh -c #(nop) CMD [\"sh\"]","empty_layer":true}],)"
        R"("rootfs":{"type":"layers","diff_ids":[")" +
            d1 + R"(",")" + d2 + R"("]}})");
    EXPECT_EQ(image.config({d1}).error().message, "schema 1 image: 1 diff IDs for 2 layers");
}

TEST(Schema1, GoTimeFormsInHistory) {
    auto created = [](const std::string& t) {
        std::string doc =
            manifest({{k_blob_a, R"({"id":")" + k_id1 +
                                     R"(","docker_version":"1.9.0","created":")" + t + "\"}"}});
        auto image = convert_schema1(parse_schema1_manifest(doc).value(), "x").value();
        auto config = parse_json(image.config({k_blob_b}).value()).value();
        return config["history"][0]["created"].get<std::string>();
    };
    EXPECT_EQ(created("2016-01-02T03:04:05Z"), "2016-01-02T03:04:05Z");
    EXPECT_EQ(created("2016-01-02T03:04:05.000000000Z"), "2016-01-02T03:04:05Z");
    EXPECT_EQ(created("2016-01-02T03:04:05.120-00:00"), "2016-01-02T03:04:05.12Z");
    EXPECT_EQ(created("2016-01-02T03:04:05.1+02:00"), "2016-01-02T03:04:05.1+02:00");
    EXPECT_EQ(created("2016-01-02T03:04:05.1234567891Z"), "2016-01-02T03:04:05.123456789Z");
}

TEST(Schema1, RepeatedIdsAreMergedAsDocker) {
    // Old docker listed a layer twice in a row; docker keeps one of them.
    std::string doc = manifest(
        {{k_blob_b, v1(k_id2, k_id1)}, {k_blob_a, v1(k_id1, "")}, {k_blob_a, v1(k_id1, "")}});
    auto image = convert_schema1(parse_schema1_manifest(doc).value(), "x").value();
    EXPECT_EQ(image.layers().size(), 2u);
}

TEST(Schema1, DockersErrors) {
    EXPECT_EQ(convert_error(manifest({{k_blob_a, v1(k_id1, "")}}, 2)),
              R"(unsupported schema version 2 for "old/cuda:8.0")");
    EXPECT_EQ(convert_error(manifest({})), R"(no FSLayers in manifest for "old/cuda:8.0")");
    std::string uneven =
        R"({"schemaVersion":1,"fsLayers":[{"blobSum":")" + k_blob_a + R"("}],"history":[]})";
    EXPECT_EQ(convert_error(uneven),
              R"(length of history not equal to number of layers for "old/cuda:8.0")");
    EXPECT_EQ(convert_error(manifest({{k_blob_a, v1("xyz", "")}})), R"(image ID "xyz" is invalid)");
    EXPECT_EQ(convert_error(manifest({{k_blob_a, v1(k_id1, k_id2)}})),
              "invalid parent ID in the base layer of the image");
    EXPECT_EQ(convert_error(manifest({{k_blob_a, v1(k_id2, k_id3)}, {k_blob_a, v1(k_id1, "")}})),
              "invalid parent ID. Expected " + k_id1 + ", got " + k_id3);
    EXPECT_EQ(convert_error(manifest({{k_blob_a, v1(k_id1, k_id2)},
                                      {k_blob_a, v1(k_id2, k_id1)},
                                      {k_blob_a, v1(k_id1, "")}})),
              "ID " + k_id1 + " appears multiple times in manifest");
    EXPECT_EQ(convert_error(manifest({{k_blob_a, "[1]"}})),
              "invalid v1Compatibility in history[0]: expected a JSON object");
    EXPECT_EQ(convert_error(manifest({{k_blob_a, v1(k_id1, "", R"(,"created":"yesterday")")}})),
              "invalid v1Compatibility in history[0]: field `created`: invalid time `yesterday`");
}

TEST(Schema1, ParseErrors) {
    auto error = [](const std::string& doc) {
        auto r = parse_schema1_manifest(doc);
        return r ? "(parsed)" : r.error().message;
    };
    EXPECT_EQ(error("{"), "manifest: malformed JSON");
    EXPECT_EQ(error(R"({"schemaVersion":1,"fsLayers":[{"blobSum":"sha256:zz"}]})"),
              "manifest: field `fsLayers[0].blobSum`: invalid digest `sha256:zz`");
    std::string good = manifest({{k_blob_a, v1(k_id1, "")}});
    std::string bad_header =
        good.substr(0, good.size() - 2) + R"(,"signatures":[{"protected":"!!"}]})";
    EXPECT_EQ(error(bad_header), "manifest: invalid signature: malformed protected header");
    std::string long_header = good.substr(0, good.size() - 2) + R"(,"signatures":[{"protected":")" +
                              base64url(R"({"formatLength":99999,"formatTail":"fQ"})") + "\"}]}";
    EXPECT_EQ(error(long_header),
              "manifest: invalid signature: format length 99999 past the end of the document");
}

}  // namespace
}  // namespace ferry
