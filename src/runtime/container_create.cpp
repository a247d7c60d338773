// The create flow: image (by name or ID) → its config → plan_container → volumes → store, under
// images.lock held shared (the container's claim on its image, see image/store.hpp). The
// hostname, hosts and resolv.conf files the plan mounts are written into the container's
// directory with the rest of it.

#include "ferry/runtime/container_create.hpp"

#include <unistd.h>

#include "ferry/desktop/desktop.hpp"
#include "ferry/desktop/xvnc.hpp"
#include "ferry/gpu/selection.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/image/platform.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/image/store.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/runtime/helpers.hpp"
#include "ferry/runtime/layer_view.hpp"
#include "ferry/runtime/store_userns.hpp"
#include "ferry/runtime/userns.hpp"
#include "ferry/runtime/volumes.hpp"
#include "ferry/runtime/volumes_from.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

bool valid_container_name(std::string_view name) {
    if (name.size() < 2) return false;
    auto ok = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (!ok(name[0])) return false;
    for (char c : name.substr(1))
        if (!ok(c) && c != '_' && c != '.' && c != '-') return false;
    return true;
}

namespace {

// The image to run. The command pulled it first where --pull asked (cli/registry_pull.cpp);
// what is still missing is an error.
Result<const image::ImageRecord*> find_run_image(
    const image::ImageCatalog& catalog, const RunOptions& o,
    const std::function<void(std::string_view)>&) {
    return image::resolve_image(catalog, o.image);
}

// --platform against the image's (the daemon's GetImage); without one, the daemon's warning
// for an image of another platform than the host's.
Result<std::vector<std::string>> check_platform(const RunOptions& o, const ImageConfig& config) {
    image::Platform have{config.os, config.architecture, config.variant};
    if (o.platform.empty()) {
        image::Platform host = image::host_platform();
        if (image::platform_matches(host, have)) return std::vector<std::string>{};
        return std::vector<std::string>{
            "The requested image's platform (" + image::format_platform(have) +
            ") does not match the detected host platform (" + image::format_platform(host) +
            ") and no specific platform was requested"};
    }
    image::Platform wanted = TRY(image::parse_platform(o.platform));
    if (!image::platform_matches(wanted, have))
        return fail("image with reference " + o.image +
                    " was found but does not match the specified platform: wanted " +
                    image::format_platform(wanted) + ", actual: " + image::format_platform(have));
    return std::vector<std::string>{};
}

// --desktop: Xvnc must be there; without a command the image's desktop session runs (an image
// with an entrypoint runs it as docker would); the display's variables unless -e gave them; and
// a /dev/shm that browsers in the desktop do not outgrow. Returns its warning.
Result<std::vector<std::string>> plan_desktop(RunOptions& o, const ImageConfig& config,
                                              const std::vector<std::string>& layer_dirs) {
    TRY(desktop::find_xvnc());
    bool entrypoint = o.entrypoint ? !o.entrypoint->empty()
                                   : config.config && config.config->entrypoint &&
                                         !config.config->entrypoint->empty();
    if (o.command.empty()) {
        LayerView view = TRY(LayerView::open(layer_dirs));
        auto session = desktop::default_command([&view](std::string_view path) {
            auto found = view.lookup(path);
            return found && *found && S_ISREG((*found)->st.st_mode);
        });
        if (session)
            o.command = *session;
        else if (!entrypoint)
            return fail("image " + o.image +
                        " has no desktop session (LXDE, LXQt, Xfce, MATE) and no xterm: give "
                        "the command to run in the desktop");
    }
    std::vector<std::string> env;
    for (const auto& e : desktop::environment()) {
        std::string key = e.substr(0, e.find('='));
        bool given = false;
        for (const auto& g : o.env) given = given || g.substr(0, g.find('=')) == key;
        if (!given) env.push_back(e);
    }
    o.env.insert(o.env.begin(), env.begin(), env.end());
    if (!o.shm_size) o.shm_size = int64_t{1} << 30;
    // Its own server has no abstract socket; the host's network namespace has those of the
    // host's other X servers.
    if (o.network == "host")
        return std::vector<std::string>{
            "--desktop with --network host: the container can reach the abstract X sockets of "
            "this host's other X servers (its own desktop has none)"};
    return std::vector<std::string>{};
}

}  // namespace

PlanIdentity identity_for(const Context& ctx, const std::string& userns) {
    PlanIdentity id;
    id.rootless = ctx.rootless;
    id.uid = ctx.uid;
    id.gid = ctx.gid;
    if (!ctx.rootless) return id;
    UsernsMode mode = userns == "keep-id" ? UsernsMode::keep_id : UsernsMode::root;
    IdMappings maps = user_id_mappings(ctx.uid, ctx.gid, mode);
    id.uid_mappings = maps.uids;
    id.gid_mappings = maps.gids;
    return id;
}


Result<Created> create_container(const Context& ctx, ContainerStore& store,
                                 const RunOptions& given,
                                 const std::function<void(std::string_view)>& notice) {
    if (!given.name.empty() && !valid_container_name(given.name))
        return fail("Invalid container name (" + printable(given.name) +
                    "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    RunOptions options = given;
    options.inherited_mounts = TRY(resolve_volumes_from(store, given.volumes_from));
    image::Store images = TRY(image::Store::open(ctx));
    // The container's claim on its image: images.lock is held shared from reading the index
    // until the record is written, and `rmi` checks the containers under it held exclusive, so
    // rmi either sees this container or makes the lookup below fail. One flock, no scan.
    FileLock claim = TRY(images.lock_images(LockMode::shared));
    image::ImageCatalog catalog = TRY(images.read_images());
    const image::ImageRecord* img = TRY(find_run_image(catalog, options, notice));
    std::string config_text = TRY(images.read_blob(img->id));
    ImageConfig config = TRY_CTX("image " + image::short_id(img->id), parse_image_config(config_text));
    std::vector<std::string> platform_warnings = TRY(check_platform(options, config));

    ContainerRecord r;
    r.id = store.new_id();
    r.name = options.name.empty() ? store.new_name() : options.name;
    r.image = options.image;
    r.image_id = img->id;
    r.chain_ids = img->chain_ids;
    r.created_ns = now_unix_ns();

    PlanPaths paths;
    paths.store_root = ctx.root;
    paths.container_dir = store.dir(r.id);
    paths.run_dir = store.run_dir(r.id);
    paths.rootfs = paths.run_dir + "/merged";
    if (options.init) paths.init_binary = TRY(helper_path(ctx.root, Helper::init));
    for (auto it = img->chain_ids.rbegin(); it != img->chain_ids.rend(); ++it)
        paths.layer_dirs.push_back(images.layer_path(*it) + "/diff");
    if (!options.desktop.empty()) {
        auto warnings = TRY(plan_desktop(options, config, paths.layer_dirs));
        platform_warnings.insert(platform_warnings.end(), warnings.begin(), warnings.end());
    }
    ContainerPlan plan = TRY(plan_container(r.id, options, config, img->id, paths,
                                            identity_for(ctx, options.userns)));
    plan.warnings.insert(plan.warnings.begin(), platform_warnings.begin(),
                         platform_warnings.end());
    log::trace("planned");
    r.args = plan.spec.process ? plan.spec.process->args : std::vector<std::string>{};
    r.config = plan.config;
    r.host_config = plan.host_config;
    r.restart = plan.restart;
    r.auto_remove = plan.auto_remove;
    r.volatile_upper = plan.volatile_upper;
    r.tty = plan.tty;
    r.open_stdin = plan.open_stdin;
    r.stop_signal = plan.stop_signal;
    r.stop_timeout = plan.stop_timeout;
    r.volumes = plan.volumes;
    r.hostname = plan.hostname;

    for (const auto& dir : plan.create_host_dirs) TRY(fs::make_dirs(dir, 0755));
    std::optional<LayerView> image_view;
    for (const auto& v : plan.volumes) {
        CreatedVolume vol = TRY(create_volume(ctx.root, v.name, {}, v.anonymous));
        if (!vol.created || !v.copy_up) continue;
        // Rootless with subordinate ids, in the store's namespace: the image's owners are kept.
        TRY(in_store_user_namespace(ctx, [&]() -> Result<void> {
            if (!image_view) image_view = TRY(LayerView::open(paths.layer_dirs));
            return copy_up(*image_view, v.target, vol.info.mountpoint);
        }));
    }
    r.network = options.network;
    r.net = options.net;
    r.gpus = options.gpus;
    if (options.runtime == "nvidia" && r.gpus.empty() && plan.spec.process)
        r.gpus = gpu::nvidia_runtime_gpus(plan.spec.process->env);
    r.cdi_devices = options.cdi_devices;
    r.desktop = options.desktop;
    r.desktop_listen = options.desktop_listen;
    r.log = options.log;
    TRY(store.create(r, plan.spec));
    claim.release();
    record_container_event(ctx, r, "create");
    log::trace("created");
    return Created{std::move(r), std::move(plan.spec), std::move(plan.warnings)};
}

}  // namespace ferry::runtime
