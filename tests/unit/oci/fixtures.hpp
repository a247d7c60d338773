#pragma once
// Documents captured from the real tools (docker 20.10.24, skopeo 1.9.3) on Debian 12:
//   docker import -c 'CMD ["/busybox","sh"]' -c 'ENV A=b<c' -c 'EXPOSE 80/tcp'
//       -c 'LABEL x=y' -m 'hello & <world>' rootfs.tar ferryprobe/x:v1
//   docker run --name c ferryprobe/x:v1 /busybox touch /hello
//   docker commit -a 'Me <me@x>' -m msg -c 'ENTRYPOINT ["/busybox"]'
//       -c 'HEALTHCHECK --interval=5s CMD /busybox true' -c 'VOLUME /data' -c 'WORKDIR /w'
//       -c 'USER 1000' -c 'ONBUILD RUN x' c ferryprobe/x:v2
//   docker save ferryprobe/x:v2 ferryprobe/x:v1; skopeo copy docker-archive:... oci:...

#include <string_view>

namespace ferry::test {

// docker import: config 917e305a..., the image ID
inline constexpr std::string_view k_docker_import_config =
    R"JSON({"architecture":"amd64","comment":"hello \u0026 \u003cworld\u003e","config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"ExposedPorts":{"80/tcp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["A=b\u003cc"],"Cmd":["/busybox","sh"],"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{"x":"y"}},"container_config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"created":"2026-11-28T10:23:34.71146081Z","docker_version":"20.10.24+dfsg1","history":[{"created":"2026-11-28T10:23:34.71146081Z","comment":"hello \u0026 \u003cworld\u003e"}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:a4c92b7bfc4c076adec12ddd2c35e7c3c0ab539d8ac6ef3d41217a17dcf7975b"]}})JSON";

// docker commit on top of it: config 1c851826...
inline constexpr std::string_view k_docker_commit_config =
    R"JSON({"architecture":"amd64","author":"Me \u003cme@x\u003e","config":{"Hostname":"cd2efe9a5f94","Domainname":"","User":"1000","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"ExposedPorts":{"80/tcp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["A=b\u003cc"],"Cmd":null,"Healthcheck":{"Test":["CMD-SHELL","/busybox true"],"Interval":5000000000},"Image":"ferryprobe/x:v1","Volumes":{"/data":{}},"WorkingDir":"/w","Entrypoint":["/busybox"],"OnBuild":["RUN x"],"Labels":{"x":"y"}},"container":"cd2efe9a5f9471933b9f9c21e78ff51fdd376846e7d1c8d202f035c4f222c9be","container_config":{"Hostname":"cd2efe9a5f94","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"ExposedPorts":{"80/tcp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["A=b\u003cc"],"Cmd":["/busybox","touch","/hello"],"Image":"ferryprobe/x:v1","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{"x":"y"}},"created":"2026-11-28T10:23:45.436079577Z","docker_version":"20.10.24+dfsg1","history":[{"created":"2026-11-28T10:23:34.71146081Z","comment":"hello \u0026 \u003cworld\u003e"},{"created":"2026-11-28T10:23:45.436079577Z","author":"Me \u003cme@x\u003e","created_by":"/busybox touch /hello","comment":"msg"}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:a4c92b7bfc4c076adec12ddd2c35e7c3c0ab539d8ac6ef3d41217a17dcf7975b","sha256:d61c584b6485f7274375c5331b2b9e0015e48157f2dd19d37dfff64a864ef0bb"]}})JSON";

// docker save of both images: manifest.json (json.Encoder adds the newline)
inline constexpr std::string_view k_docker_save_manifest =
    R"JSON([{"Config":"1c851826c422a22a825e12fbdf2986ce7f140c28a6d9f4b16e4a4bb7004a6197.json","RepoTags":["ferryprobe/x:v2"],"Layers":["43d928024f9f783d0f8732c35f8233164e4ffe4bd9e7088b31caa1df58bb19ac/layer.tar","6a6d87097e4c239f574aab27ef187ccc7cef67ac3bddaf9972dbc7a252229607/layer.tar"],"Parent":"sha256:917e305a22183bc963f3a123fe9878c106c184c3af9a4fbb3d618fba4d0b984a"},{"Config":"917e305a22183bc963f3a123fe9878c106c184c3af9a4fbb3d618fba4d0b984a.json","RepoTags":["ferryprobe/x:v1"],"Layers":["12f97000ffaf2a12e02a66408bba574ae0eb6523e73e420edd752fe304bcf0e0/layer.tar"]}]
)JSON";

// docker save: repositories
inline constexpr std::string_view k_docker_save_repositories =
    R"JSON({"ferryprobe/x":{"v1":"12f97000ffaf2a12e02a66408bba574ae0eb6523e73e420edd752fe304bcf0e0","v2":"6a6d87097e4c239f574aab27ef187ccc7cef67ac3bddaf9972dbc7a252229607"}}
)JSON";

// docker save: 12f97000ffaf2a12e02a66408bba574ae0eb6523e73e420edd752fe304bcf0e0/json
inline constexpr std::string_view k_legacy_json_12f97000 =
    R"JSON({"id":"12f97000ffaf2a12e02a66408bba574ae0eb6523e73e420edd752fe304bcf0e0","comment":"hello \u0026 \u003cworld\u003e","created":"2026-11-28T10:23:34.71146081Z","container_config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"docker_version":"20.10.24+dfsg1","config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"ExposedPorts":{"80/tcp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["A=b\u003cc"],"Cmd":["/busybox","sh"],"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{"x":"y"}},"architecture":"amd64","os":"linux"})JSON";

// docker save: 43d928024f9f783d0f8732c35f8233164e4ffe4bd9e7088b31caa1df58bb19ac/json
inline constexpr std::string_view k_legacy_json_43d92802 =
    R"JSON({"id":"43d928024f9f783d0f8732c35f8233164e4ffe4bd9e7088b31caa1df58bb19ac","created":"1970-01-01T00:00:00Z","container_config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"os":"linux"})JSON";

// docker save: 6a6d87097e4c239f574aab27ef187ccc7cef67ac3bddaf9972dbc7a252229607/json
inline constexpr std::string_view k_legacy_json_6a6d8709 =
    R"JSON({"id":"6a6d87097e4c239f574aab27ef187ccc7cef67ac3bddaf9972dbc7a252229607","parent":"43d928024f9f783d0f8732c35f8233164e4ffe4bd9e7088b31caa1df58bb19ac","created":"2026-11-28T10:23:45.436079577Z","container":"cd2efe9a5f9471933b9f9c21e78ff51fdd376846e7d1c8d202f035c4f222c9be","container_config":{"Hostname":"cd2efe9a5f94","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"ExposedPorts":{"80/tcp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["A=b\u003cc"],"Cmd":["/busybox","touch","/hello"],"Image":"ferryprobe/x:v1","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{"x":"y"}},"docker_version":"20.10.24+dfsg1","author":"Me \u003cme@x\u003e","config":{"Hostname":"cd2efe9a5f94","Domainname":"","User":"1000","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"ExposedPorts":{"80/tcp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["A=b\u003cc"],"Cmd":null,"Healthcheck":{"Test":["CMD-SHELL","/busybox true"],"Interval":5000000000},"Image":"ferryprobe/x:v1","Volumes":{"/data":{}},"WorkingDir":"/w","Entrypoint":["/busybox"],"OnBuild":["RUN x"],"Labels":{"x":"y"}},"architecture":"amd64","os":"linux"})JSON";

// skopeo copy docker-archive: oci: of the imported image: config
inline constexpr std::string_view k_skopeo_oci_config =
    R"JSON({"created":"2026-11-28T10:23:34.71146081Z","architecture":"amd64","os":"linux","config":{"ExposedPorts":{"80/tcp":{}},"Env":["A=b\u003cc"],"Cmd":["/busybox","sh"],"Labels":{"x":"y"}},"rootfs":{"type":"layers","diff_ids":["sha256:a4c92b7bfc4c076adec12ddd2c35e7c3c0ab539d8ac6ef3d41217a17dcf7975b"]},"history":[{"created":"2026-11-28T10:23:34.71146081Z","comment":"hello \u0026 \u003cworld\u003e"}]})JSON";

// skopeo: OCI manifest
inline constexpr std::string_view k_skopeo_oci_manifest =
    R"JSON({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:631ee3a284aa927c78a4ac94b72b41f437df6303a2b0ae470d96fe675b926574","size":396},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:422c229518ae20539d9a74f6e73dd4512a87256522b94e7f415a071e8054c0c0","size":1083616}]})JSON";

// skopeo: index.json
inline constexpr std::string_view k_skopeo_oci_index =
    R"JSON({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:64724b68dcc084a62eb443cea65457ab78021da0da658c07d6d78bffa9707f84","size":405,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]})JSON";

// skopeo: oci-layout (with a space)
inline constexpr std::string_view k_skopeo_oci_layout =
    R"JSON({"imageLayoutVersion": "1.0.0"})JSON";

// skopeo copy --format v2s2 oci: dir:: Docker schema 2 manifest
inline constexpr std::string_view k_skopeo_v2s2_manifest =
    R"JSON({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":396,"digest":"sha256:631ee3a284aa927c78a4ac94b72b41f437df6303a2b0ae470d96fe675b926574"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1083616,"digest":"sha256:422c229518ae20539d9a74f6e73dd4512a87256522b94e7f415a071e8054c0c0"}]})JSON";

}  // namespace ferry::test
