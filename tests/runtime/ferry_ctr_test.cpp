// ferry-ctr-test: makes containers in a ferry store through the runtime library, for the
// integration tests of the commands that act on containers (commit, export, cp, top, inspect,
// container prune) until `ferry create` / `ferry run` exist. Not installed. The store is the
// one ferry would use (FERRY_ROOT, else the default).
//
//   ferry-ctr-test create [--name NAME] [-t] [-i] [-e K=V]... [-w DIR] IMAGE [ARGS...]
//       records a container as `docker create` would (docker's default spec, the image's
//       Entrypoint/Cmd/Env/WorkingDir, docker's Config) and prints its ID
//   ferry-ctr-test start CONTAINER
//       starts it under its monitor and prints the init's pid

#include <cstdio>
#include <string>
#include <vector>

#include "ferry/image/lookup.hpp"
#include "ferry/image/store.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/runtime/defaults.hpp"
#include "ferry/runtime/process.hpp"
#include "ferry/runtime/supervisor.hpp"
#include "ferry/util/strings.hpp"

using namespace ferry;
using namespace ferry::runtime;

namespace {

struct CreateArgs {
    std::string name;
    bool tty = false;
    bool interactive = false;
    std::vector<std::string> env;
    std::string workdir;
    std::string image;
    std::vector<std::string> args;
};

Result<CreateArgs> parse_create(int argc, char** argv) {
    CreateArgs a;
    int i = 2;
    for (; i < argc; ++i) {
        std::string s = argv[i];
        auto value = [&]() -> Result<std::string> {
            if (i + 1 >= argc) return fail("flag needs a value: " + s);
            return std::string(argv[++i]);
        };
        if (s == "--name")
            a.name = TRY(value());
        else if (s == "-t")
            a.tty = true;
        else if (s == "-i")
            a.interactive = true;
        else if (s == "-e")
            a.env.push_back(TRY(value()));
        else if (s == "-w")
            a.workdir = TRY(value());
        else if (!s.empty() && s[0] == '-')
            return fail("unknown flag " + s);
        else
            break;
    }
    if (i >= argc) return fail("usage: ferry-ctr-test create [flags] IMAGE [ARGS...]");
    a.image = argv[i++];
    for (; i < argc; ++i)
        a.args.emplace_back(argv[i]);
    return a;
}

Json strings(const std::optional<std::vector<std::string>>& v) {
    return v ? Json(*v) : Json(nullptr);
}

Result<int> cmd_create(const CreateArgs& a, const Context& ctx) {
    auto images = TRY(image::Store::open(ctx));
    auto catalog = TRY(images.read_images());
    const image::ImageRecord* img = TRY(image::resolve_image(catalog, a.image));
    ImageConfig cfg = TRY(parse_image_config(TRY(images.read_blob(img->id))));
    ContainerConfig run = cfg.config.value_or(ContainerConfig{});
    std::vector<std::string> cmd =
        a.args.empty() ? run.cmd.value_or(std::vector<std::string>{}) : a.args;
    std::vector<std::string> argv = run.entrypoint.value_or(std::vector<std::string>{});
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    if (argv.empty()) return fail("no command specified");
    std::vector<std::string> env = a.env;
    bool has_path = false;
    for (const auto& e : run.env.value_or(std::vector<std::string>{})) {
        env.push_back(e);
        has_path = has_path || e.starts_with("PATH=");
    }
    if (!has_path) env.insert(env.begin(), "PATH=" + std::string(k_default_path));

    auto containers = TRY(ContainerStore::open(ctx));
    ContainerRecord r;
    r.id = containers.new_id();
    r.name = a.name.empty() ? containers.new_name() : a.name;
    r.image = a.image;
    r.image_id = img->id;
    r.chain_ids = img->chain_ids;
    r.created_ns = now_unix_ns();
    r.args = argv;
    r.tty = a.tty;
    r.open_stdin = a.interactive;
    r.hostname = r.id.substr(0, 12);
    std::string workdir = a.workdir.empty() ? run.working_dir : a.workdir;
    r.config = Json{{"Hostname", r.hostname},
                    {"Domainname", ""},
                    {"User", run.user},
                    {"AttachStdin", false},
                    {"AttachStdout", true},
                    {"AttachStderr", true},
                    {"Tty", a.tty},
                    {"OpenStdin", a.interactive},
                    {"StdinOnce", false},
                    {"Env", env},
                    {"Cmd", Json(cmd)},
                    {"Image", a.image},
                    {"Volumes", nullptr},
                    {"WorkingDir", workdir},
                    {"Entrypoint", strings(run.entrypoint)},
                    {"OnBuild", nullptr},
                    {"Labels", Json::object()}};
    r.host_config = Json{{"NetworkMode", "host"},
                         {"RestartPolicy", {{"Name", "no"}, {"MaximumRetryCount", 0}}}};
    auto spec = TRY(docker_default_spec(containers.dir(r.id) + "/merged", argv));
    spec.hostname = r.hostname;
    spec.process->env = env;
    spec.process->terminal = a.tty;
    if (!workdir.empty()) spec.process->cwd = workdir;
    // Network: the host's, as ferry's default for now.
    std::erase_if(spec.linux->namespaces,
                  [](const oci::Namespace& n) { return n.type == "network"; });
    TRY(containers.create(r, spec));
    std::printf("%s\n", r.id.c_str());
    return 0;
}

Result<int> cmd_start(const std::string& name, const Context& ctx) {
    auto containers = TRY(ContainerStore::open(ctx));
    ContainerRecord r = TRY(containers.find(name));
    StartRequest req;
    req.store = &containers;
    req.record = &r;
    req.ferry_binary = self_binary();
    Started s = TRY(start_container(req));
    std::printf("%d\n", s.pid);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    auto ctx = make_context(GlobalOptions{});
    Result<int> r = fail("usage: ferry-ctr-test create|start ...");
    std::string command = argc > 1 ? argv[1] : "";
    if (!ctx) {
        r = std::unexpected(ctx.error());
    } else if (command == "create") {
        auto a = parse_create(argc, argv);
        r = a ? cmd_create(*a, *ctx) : Result<int>(std::unexpected(a.error()));
    } else if (command == "start" && argc == 3) {
        r = cmd_start(argv[2], *ctx);
    }
    if (!r) {
        std::fprintf(stderr, "ferry-ctr-test: %s\n", r.error().message.c_str());
        return 125;
    }
    return *r;
}
