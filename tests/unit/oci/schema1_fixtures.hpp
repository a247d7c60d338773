#pragma once
// Schema 1 manifests as a real registry serves them, and what docker made of them, captured on
// Debian 12 with skopeo 1.9.3, docker-registry 2.8.2 (compatibility.schema1.enabled) and docker
// 20.10.24:
//   skopeo copy --format v2s1 oci:layout:t docker://127.0.0.1:5987/mf/s1:v1   (and :t2 → :v2)
//   curl -H 'Accept: application/vnd.docker.distribution.manifest.v1+prettyjws' .../manifests/v1
//   docker pull 127.0.0.1:5987/mf/s1:v1; docker save ... (the config below), docker inspect
// The layout's one layer is a tar of etc/hi; v1's config has no docker_version (docker's V1Image
// fallback), v2's says 1.13.1 and carries an unknown field, HTML characters, U+2028 and offsets.

#include <string_view>

namespace ferry::test {

// mf/s1:v1, signed by skopeo (Docker-Content-Digest below).
inline constexpr std::string_view k_schema1_v1 = R"JSON({"name":"mf/s1","tag":"v1","architecture":"amd64","fsLayers":[{"blobSum":"sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"},{"blobSum":"sha256:27e845d908b12696b96a6373d89388aae065f7feaab9ae1800c9fd733546fcd5"}],"history":[{"v1Compatibility":"{\"architecture\":\"amd64\",\"author\":\"me \\u003ca\\u0026b\\u003e\",\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"/bin/sh\"]},\"created\":\"2016-05-26T19:50:10.430Z\",\"id\":\"e8069304038162849026f53f0fe9208578561ebc73f5fa78f93595565e9695c9\",\"os\":\"linux\",\"parent\":\"3abd79515590c03e642d2dbbe8163af6a08194e45350b425001efe52ef327d3d\",\"throwaway\":true}"},{"v1Compatibility":"{\"id\":\"3abd79515590c03e642d2dbbe8163af6a08194e45350b425001efe52ef327d3d\",\"created\":\"2016-05-26T19:50:10.43Z\",\"container_config\":{\"Cmd\":[\"/bin/sh -c #(nop) ADD file:x in /\"]}}"}],"schemaVersion":1,"signatures":[{"header":{"jwk":{"crv":"P-256","kid":"7N74:VETA:6L5Z:ZILG:EHEQ:NKLA:HVZW:WRAU:VJ4H:TFBI:UOO2:7WZS","kty":"EC","x":"tpQ0Mrn-Nu382jpl4qUFPhr__kK3Erzy6qfKwirQWBA","y":"KEqmrgaN6npJbq0DGC-YlmqYx5GgR_tJW9wWETqKT18"},"alg":"ES256"},"signature":"jhUlMLkPVm79q5wF7NiikFdZMcoA8ueXlr4a6YR1Vl06pGO6GsRrGSBOONWb2RQOMbzIQzde890pMp9UnXMbkw","protected":"eyJmb3JtYXRMZW5ndGgiOjg2MCwiZm9ybWF0VGFpbCI6ImZRIiwidGltZSI6IjIwMjYtMTItMDZUMTg6MTg6MTdaIn0"}]})JSON";
inline constexpr std::string_view k_schema1_v1_digest =
    "sha256:83ab5f0c74f1e90fa0cfaede79e995c73ce0d4ec92783d8abb38ae8a36b5bfed";
// docker's image ID and config for it.
inline constexpr std::string_view k_schema1_v1_id =
    "sha256:8cf8b30d3e4a2095977c0f27dee8ad8087827893ecea67568a2f43ee2dad6f3e";
inline constexpr std::string_view k_schema1_v1_config = R"JSON({"architecture":"amd64","author":"me \u003ca\u0026b\u003e","config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/bin"],"Cmd":["/bin/sh"],"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"container_config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"created":"2016-05-26T19:50:10.43Z","history":[{"created":"2016-05-26T19:50:10.43Z","created_by":"/bin/sh -c #(nop) ADD file:x in /"},{"created":"2016-05-26T19:50:10.43Z","author":"me \u003ca\u0026b\u003e","empty_layer":true}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:597df60545ea1c3f47b883b0f4baa0e04fa0834034f3c37c8a69021b108535e1"]}})JSON";

// mf/s1:v2.
inline constexpr std::string_view k_schema1_v2 = R"JSON({"name":"mf/s1","tag":"v2","architecture":"amd64","fsLayers":[{"blobSum":"sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"},{"blobSum":"sha256:27e845d908b12696b96a6373d89388aae065f7feaab9ae1800c9fd733546fcd5"}],"history":[{"v1Compatibility":"{\"architecture\":\"amd64\",\"author\":\"me \\u003ca\\u0026b\\u003e\",\"comment\":\"x\\u2028y\",\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"/bin/sh\"],\"Labels\":{\"k\":\"v\\u0026\"}},\"container\":\"abc\",\"container_config\":{\"Cmd\":[\"/bin/sh\",\"-c\",\"#(nop) \",\"CMD [\\\"/bin/sh\\\"]\"]},\"created\":\"2016-05-26T19:50:10.100+00:00\",\"docker_version\":\"1.13.1\",\"id\":\"da59b29a1126aedf1c16812829d2f248ba39515f9fb03c4bc2463d680ac35a90\",\"os\":\"linux\",\"parent\":\"3abd79515590c03e642d2dbbe8163af6a08194e45350b425001efe52ef327d3d\",\"throwaway\":true,\"zzz\":{\"b\":1,\"a\":[1,2.50,\"\\u003c\"]}}"},{"v1Compatibility":"{\"id\":\"3abd79515590c03e642d2dbbe8163af6a08194e45350b425001efe52ef327d3d\",\"comment\":\"c\",\"created\":\"2016-05-26T19:50:10.43Z\",\"container_config\":{\"Cmd\":[\"/bin/sh -c #(nop) ADD file:x in /\"]},\"author\":\"a\"}"}],"schemaVersion":1,"signatures":[{"header":{"jwk":{"crv":"P-256","kid":"7N74:VETA:6L5Z:ZILG:EHEQ:NKLA:HVZW:WRAU:VJ4H:TFBI:UOO2:7WZS","kty":"EC","x":"tpQ0Mrn-Nu382jpl4qUFPhr__kK3Erzy6qfKwirQWBA","y":"KEqmrgaN6npJbq0DGC-YlmqYx5GgR_tJW9wWETqKT18"},"alg":"ES256"},"signature":"59pTo8nEMjOOn2iCrjFB-o2EAsB39-bv5Ga76sdJ2L90Qct_FPBoPBw1U9Zf63GgcarnKvO-XzePe0nUj2-dSw","protected":"eyJmb3JtYXRMZW5ndGgiOjExNDUsImZvcm1hdFRhaWwiOiJmUSIsInRpbWUiOiIyMDI2LTEyLTA2VDE4OjE4OjMwWiJ9"}]})JSON";
inline constexpr std::string_view k_schema1_v2_digest =
    "sha256:36fd0da4bc37b95a90732161d72fa2ca1bb81ec18e131ca18af7838239afba95";
inline constexpr std::string_view k_schema1_v2_id =
    "sha256:5334b0bb6f248226c460b42bea05edc86182f9429d0910e418c9a3389859712a";
inline constexpr std::string_view k_schema1_v2_config = R"JSON({"architecture":"amd64","author":"me \u003ca\u0026b\u003e","comment":"x\u2028y","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"],"Labels":{"k":"v\u0026"}},"container":"abc","container_config":{"Cmd":["/bin/sh","-c","#(nop) ","CMD [\"/bin/sh\"]"]},"created":"2016-05-26T19:50:10.100+00:00","docker_version":"1.13.1","history":[{"created":"2016-05-26T19:50:10.43Z","author":"a","created_by":"/bin/sh -c #(nop) ADD file:x in /","comment":"c"},{"created":"2016-05-26T19:50:10.1Z","author":"me \u003ca\u0026b\u003e","created_by":"/bin/sh -c #(nop)  CMD [\"/bin/sh\"]","comment":"x\u2028y","empty_layer":true}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:597df60545ea1c3f47b883b0f4baa0e04fa0834034f3c37c8a69021b108535e1"]},"zzz":{"b":1,"a":[1,2.50,"\u003c"]}})JSON";

// The layers: the gzip blob of the one real layer, its diff ID, and the empty layer skopeo
// writes for the throwaway entry.
inline constexpr std::string_view k_schema1_layer_blob =
    "sha256:27e845d908b12696b96a6373d89388aae065f7feaab9ae1800c9fd733546fcd5";
inline constexpr std::string_view k_schema1_layer_diff_id =
    "sha256:597df60545ea1c3f47b883b0f4baa0e04fa0834034f3c37c8a69021b108535e1";
inline constexpr std::string_view k_schema1_empty_blob =
    "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";

}  // namespace ferry::test
