// The mounts are read back from the other container's runtime spec, which already holds
// whatever it took over itself (so --volumes-from chains as docker's does): a bind of
// <store>/volumes/NAME/_data is the volume NAME, any other bind from the host is a bind, and
// ferry's own binds (the run directory's hostname, hosts and resolv.conf, the init binary, the
// host's /dev/shm for --ipc host) and every non-bind mount (tmpfs, proc, ...) are not the
// user's and stay behind, as docker's MountPoints leave HostConfig.Tmpfs behind.

#include "ferry/runtime/volumes_from.hpp"

#include <algorithm>

#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

bool has_option(const oci::Mount& m, std::string_view opt) {
    return std::find(m.options.begin(), m.options.end(), opt) != m.options.end();
}

// moby's linux ValidMountMode, then ParseVolumesFrom's refusal of propagation and copy modes.
bool valid_volumes_from_mode(std::string_view mode) {
    int rw = 0, label = 0, consistency = 0;
    for (const auto& o : split(mode, ',')) {
        if (o == "rw" || o == "ro")
            ++rw;
        else if (o == "z" || o == "Z")
            ++label;
        else if (o == "consistent" || o == "cached" || o == "delegated")
            ++consistency;
        else
            return false;  // unknown, a propagation, or nocopy
    }
    return rw <= 1 && label <= 1 && consistency <= 1;
}

// The user's mounts of one container, as -v requests.
std::vector<MountRequest> user_mounts(const ContainerStore& store, const ContainerRecord& rec,
                                      const oci::RuntimeSpec& spec) {
    const std::string volumes = store.root() + "/volumes/";
    const std::string run_root = store.run_dir("");
    std::vector<MountRequest> out;
    for (const auto& m : spec.mounts) {
        bool bind = m.type == "bind" || has_option(m, "bind") || has_option(m, "rbind");
        if (!bind) continue;
        if (m.source.starts_with(store.root() + "/containers/") ||
            m.source.starts_with(store.root() + "/bin/") || m.source.starts_with(run_root) ||
            m.source.starts_with(store.run_dir(rec.id)) ||
            (m.source == "/dev/shm" && m.destination == "/dev/shm"))
            continue;
        MountRequest r;
        r.flag = MountRequest::Flag::volume;
        r.target = m.destination;
        r.readonly = has_option(m, "ro");
        std::string_view rest = std::string_view(m.source);
        if (rest.starts_with(volumes) && rest.ends_with("/_data") &&
            rest.substr(volumes.size()).find('/') == rest.size() - volumes.size() - 6) {
            r.type = MountRequest::Type::volume;
            r.source = std::string(rest.substr(volumes.size(), rest.size() - volumes.size() - 6));
            r.no_copy = true;  // it exists, with whatever it holds
        } else {
            r.type = MountRequest::Type::bind;
            r.source = m.source;
            for (const char* p : {"private", "rprivate", "shared", "rshared", "slave", "rslave"})
                if (has_option(m, p)) r.propagation = p;
        }
        r.spec = r.source + ":" + r.target + (r.readonly ? ":ro" : "");
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace

Result<std::pair<std::string, std::string>> parse_volumes_from(std::string_view spec) {
    if (spec.empty()) return fail("volumes-from specification cannot be an empty string");
    auto colon = spec.find(':');
    std::string id(spec.substr(0, colon));
    std::string mode = colon == std::string_view::npos ? "rw" : std::string(spec.substr(colon + 1));
    if (!valid_volumes_from_mode(mode)) return fail("invalid mode: " + mode);
    return std::pair{id, mode};
}

Result<std::vector<MountRequest>> resolve_volumes_from(const ContainerStore& store,
                                                       const std::vector<std::string>& specs) {
    std::vector<MountRequest> out;
    for (const auto& spec : specs) {
        auto [name, mode] = TRY(parse_volumes_from(spec));
        ContainerRecord rec = TRY(store.find(name));
        oci::RuntimeSpec runtime_spec = TRY(store.load_spec(rec.id));
        bool readonly = false;
        for (const auto& o : split(mode, ','))
            if (o == "ro") readonly = true;
        for (auto& r : user_mounts(store, rec, runtime_spec)) {
            r.readonly = r.readonly || readonly;
            // A later container's mount at the same place replaces an earlier one's.
            std::erase_if(out, [&](const MountRequest& o) { return o.target == r.target; });
            out.push_back(std::move(r));
        }
    }
    return out;
}

}  // namespace ferry::runtime
