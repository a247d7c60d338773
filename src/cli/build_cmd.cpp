// `ferry build [OPTIONS] PATH`: the Dockerfile is parsed and planned (src/build), the context
// read in place, and build/executor runs the steps with two hooks from here: base images are
// found (pulled as `run` pulls them) by the same lookup as `run`, and RUN steps are ferry
// containers created and started attached as `ferry run` does, committed when they exit 0 and
// removed either way.

#include "ferry/cli/build_cmd.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "ferry/build/context.hpp"
#include "ferry/build/dockerfile.hpp"
#include "ferry/build/executor.hpp"
#include "ferry/cli/build_inputs.hpp"
#include "ferry/cli/container_common.hpp"
#include "ferry/cli/env_file.hpp"
#include "ferry/cli/registry_cmds.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/image/platform.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/registry/http.hpp"
#include "ferry/runtime/container_commit.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/container_create.hpp"
#include "ferry/runtime/container_lock.hpp"
#include "ferry/runtime/container_pasta.hpp"
#include "ferry/runtime/store_userns.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<BuildOptions> parse_build(Args args) {
    BuildOptions o;
    FlagSet flags("ferry build", "[OPTIONS] PATH | -", "Build an image from a Dockerfile");
    flags.set_aliases("ferry image build, ferry build, ferry builder build");
    flags.add_list(0, "build-arg", &o.build_args, "Set build-time variables");
    // A string slice, as docker's: comma-separated values too.
    flags.add_custom(0, "cache-from", "strings", "Images to consider as cache sources",
                     [&o](const std::string& v) {
                         for (auto& name : split(v, ','))
                             if (!name.empty()) o.cache_from.push_back(name);
                         return std::string();
                     });
    flags.add_string('f', "file", &o.file, "Name of the Dockerfile (Default is 'PATH/Dockerfile')");
    flags.add_string(0, "gpus", &o.gpus,
                     "GPU devices to add to the RUN steps ('all' to pass all GPUs)", "gpu-request");
    flags.add_string(0, "iidfile", &o.iidfile, "Write the image ID to the file");
    flags.add_list(0, "label", &o.labels, "Set metadata for an image");
    flags.add_string(0, "network", &o.network,
                     "Set the networking mode for the RUN instructions during build");
    flags.add_bool(0, "no-cache", &o.no_cache, "Do not use cache when building the image");
    flags.add_string(0, "platform", &o.platform, "Set platform if server is multi-platform capable");
    flags.add_string(0, "progress", &o.progress,
                     "Set type of progress output (auto, plain, tty)");
    flags.add_bool(0, "pull", &o.pull, "Always attempt to pull a newer version of the image");
    flags.add_bool('q', "quiet", &o.quiet, "Suppress the build output and print image ID on success");
    flags.add_list(0, "secret", &o.secrets,
                   "Secret to expose to the build (format: \"id=mysecret[,src=/local/secret]\")",
                   "stringArray");
    flags.add_list('t', "tag", &o.tags, "Name and optionally a tag in the 'name:tag' format");
    flags.add_string(0, "target", &o.target, "Set the target build stage to build.");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 1));
    o.context = pos[0];
    return o;
}

namespace {

// The build args: K=V, or K taken from ferry's environment (left out when unset, as docker).
std::map<std::string, std::string> build_arg_values(const std::vector<std::string>& given) {
    std::map<std::string, std::string> out;
    for (const auto& a : given) {
        size_t eq = a.find('=');
        if (eq != std::string::npos) {
            out[a.substr(0, eq)] = a.substr(eq + 1);
        } else if (const char* v = std::getenv(a.c_str())) {
            out[a] = v;
        }
    }
    return out;
}

// Ctrl-C (SIGINT), SIGTERM and SIGHUP during a build: taken by a thread of their own (blocked
// everywhere else, so neither ferry nor a RUN step's container gets them), which records the
// interruption and kills the RUN containers that run (stages build at the same time): as
// docker's builder cancels a step. The build then stops before its next step; what it
// committed stays as cache.
class Interrupts {
  public:
    Interrupts() {
        sigset_t set;
        ::sigemptyset(&set);
        for (int sig : {SIGINT, SIGTERM, SIGHUP})
            ::sigaddset(&set, sig);
        ::pthread_sigmask(SIG_BLOCK, &set, &m_old);
        m_signals = Fd(::signalfd(-1, &set, SFD_CLOEXEC));
        m_stop = Fd(::eventfd(0, EFD_CLOEXEC));
        m_thread = std::thread([this] { watch(); });
    }
    ~Interrupts() {
        uint64_t one = 1;
        (void)!::write(m_stop.get(), &one, sizeof one);
        m_thread.join();
        ::pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
    }
    Interrupts(const Interrupts&) = delete;
    Interrupts& operator=(const Interrupts&) = delete;

    bool fired() const { return m_fired; }
    // Adds what an interruption does while a RUN runs (kill its container); returns a token
    // for remove. Runs it at once when the build was interrupted already.
    int add(std::function<void()> action) {
        std::lock_guard lock(m_mutex);
        if (m_fired) action();
        m_actions.emplace(++m_next, std::move(action));
        return m_next;
    }
    void remove(int token) {
        std::lock_guard lock(m_mutex);
        m_actions.erase(token);
    }

  private:
    void watch() {
        struct pollfd fds[2] = {{m_signals.get(), POLLIN, 0}, {m_stop.get(), POLLIN, 0}};
        for (;;) {
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR) continue;
                return;
            }
            if (fds[1].revents) return;
            struct signalfd_siginfo info {};
            if (::read(m_signals.get(), &info, sizeof info) != sizeof info) continue;
            std::lock_guard lock(m_mutex);
            m_fired = true;
            registry::HttpClient::interrupt();  // a download of ADD or a pull of FROM
            for (auto& [token, action] : m_actions)
                action();
        }
    }

    sigset_t m_old{};
    Fd m_signals, m_stop;
    std::atomic<bool> m_fired{false};
    std::mutex m_mutex;
    std::map<int, std::function<void()>> m_actions;
    int m_next = 0;
    std::thread m_thread;
};

// Finds (pulling it as `run` would) the image a FROM names.
Result<std::string> base_image(const std::string& name, const std::string& platform, bool pull,
                               Context& ctx) {
    TRY(pull_for_run(name, pull ? "always" : "missing", platform, ctx));
    image::Store images = TRY(image::Store::open(ctx));
    image::ImageCatalog catalog = TRY(images.read_images());
    const image::ImageRecord* rec = TRY(image::resolve_image(catalog, name));
    return rec->id;
}

// A RUN step: a container on the step's image, attached, committed when it exits 0.
Result<int> run_step(const build::RunStep& step, const build::CommitUpper& commit,
                     const std::function<void(const std::string&)>& on_start, Context& ctx,
                     Interrupts& interrupts) {
    runtime::RunOptions ro;
    ro.image = step.image;
    ro.command = step.process.args;
    ro.entrypoint = "";
    ro.env = step.process.env;
    ro.user = step.process.user;
    ro.workdir = step.process.cwd;
    ro.mounts = step.mounts;
    ro.gpus = step.gpus;
    ro.network = step.network.empty() ? "default" : step.network;  // docker build's: the default network
    ro.pull = "never";
    ro.volatile_upper = true;  // committed (and synced) by the build, or dropped
    auto store = TRY(runtime::ContainerStore::open(ctx));
    auto created = TRY(runtime::create_container(ctx, store, ro));
    const runtime::ContainerRecord& rec = created.record;
    // Removed whatever happens, as `rm -f` does it: killed from outside the store's user
    // namespace (if it still runs), its files removed inside it.
    struct Remove {
        Context& ctx;
        const runtime::ContainerStore& store;
        const runtime::ContainerRecord& rec;
        ~Remove() {
            (void)runtime::force_stop_container(store, rec);
            auto removed = runtime::in_store_user_namespace(ctx, [&](const Context& in) -> Result<void> {
                auto inside = TRY(runtime::ContainerStore::open(in));
                return runtime::remove_container(inside, rec, true, true);
            });
            if (!removed)
                log::warn("remove intermediate container " + rec.id.substr(0, 12) + ": " +
                          removed.error().message);
        }
    } remove{ctx, store, rec};
    auto lock = TRY(runtime::ContainerLock::acquire(store, rec.id, LockMode::exclusive));
    on_start(rec.id.substr(0, 12));
    Foreground fg;
    fg.relay_stdout = !step.quiet;
    fg.relay_stderr = !step.quiet;
    if (step.output_fd >= 0) fg.stdout_fd = fg.stderr_fd = step.output_fd;
    fg.sig_proxy = Foreground::SigProxy::off;
    fg.caller_takes_interrupts = true;
    int token = interrupts.add([&] { (void)runtime::force_stop_container(store, rec); });
    auto status = start_attached(store, rec, std::move(lock), false, "", &created.spec, fg);
    interrupts.remove(token);
    if (!status) return std::unexpected(std::move(status.error()));
    if (*status != 0) return *status;
    Fd upper = TRY(fs::open(store.dir(rec.id) + "/upper", O_RDONLY | O_DIRECTORY));
    TRY(commit(upper.get(), [&] { return runtime::container_diff_options(created.spec); }));
    return 0;
}

Result<void> write_iidfile(const std::string& path, const std::string& id) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
    if (!fd) return fail_errno("open");
    return fs::write_all(fd.get(), id);
}

}  // namespace

Result<int> run_build_cmd(const BuildOptions& o, Context& ctx) {
    if (o.progress != "auto" && o.progress != "plain" && o.progress != "tty")
        return fail("invalid progress mode: " + o.progress);
    if (!o.platform.empty()) {
        auto wanted = TRY(image::parse_platform(o.platform));
        if (!image::platform_matches(image::host_platform(), wanted))
            return fail("building for " + o.platform + " is not supported: only the host's "
                        "platform (" + image::format_platform(image::host_platform()) + ")");
    }
    build::BuildRequest request;
    request.secrets = TRY(read_secrets(o.secrets));
    for (const auto& t : o.tags) {
        auto ref = parse_reference(t);
        if (!ref)
            return fail("invalid argument \"" + t + "\" for \"-t, --tag\" flag: " +
                        ref.error().message);
        if (ref->digest) return fail("invalid argument \"" + t + "\" for \"-t, --tag\" flag: "
                                     "invalid reference format");
        request.tags.push_back(ref->full());
    }
    // `build - <Dockerfile` (no context: an empty directory stands for it) and `-f -`.
    struct EmptyContext {
        std::string dir;
        ~EmptyContext() {
            if (!dir.empty()) ::rmdir(dir.c_str());
        }
    } empty;
    std::string context_dir = o.context;
    bool from_stdin = o.context == "-" || o.file == "-";
    if (o.context == "-") {
        if (!o.file.empty() && o.file != "-")
            return fail("unable to prepare context: a Dockerfile file and a context on stdin "
                        "cannot be given together");
        char tmpl[] = "/tmp/ferry-build-XXXXXX";
        if (!::mkdtemp(tmpl)) return fail_errno("make an empty build context");
        empty.dir = context_dir = tmpl;
    }
    std::string dockerfile_path =
        from_stdin ? "-" : o.file.empty() ? o.context + "/Dockerfile" : o.file;
    auto context = TRY(build::BuildContext::open(context_dir, dockerfile_path));
    std::optional<std::string> text;
    if (from_stdin) {
        text = TRY_CTX("read the Dockerfile from stdin", fs::read_all(0));
        bool archive = text->starts_with("\x1f\x8b") ||
                       (text->size() > 262 && text->compare(257, 5, "ustar") == 0);
        if (o.context == "-" && archive)
            return fail("a build context archive on stdin is not supported yet");
    } else {
        struct stat st {};
        if (::stat(dockerfile_path.c_str(), &st) != 0) {
            return fail("unable to prepare context: unable to evaluate symlinks in Dockerfile "
                        "path: lstat " + fs::absolute_path(dockerfile_path) + ": " +
                        to_lower(std::strerror(errno)));
        }
        auto read = fs::read_file(dockerfile_path);
        if (!read) return std::unexpected(std::move(read.error()).prefix("read Dockerfile"));
        text = std::move(*read);
    }
    auto parsed = build::parse_dockerfile(*text);
    if (!parsed) return std::unexpected(parsed.error().to_error());
    const build::Dockerfile& dockerfile = *parsed;
    if (dockerfile.syntax)
        log::warn("the parser directive `# syntax=" + *dockerfile.syntax +
                  "` is ignored: ferry builds with its own Dockerfile frontend");
    for (const auto& w : dockerfile.warnings)
        log::warn(w.rule + ": " + w.message + " (line " + std::to_string(w.line) + ")");
    request.args = build::BuildArgs(build_arg_values(o.build_args), {}, {}, o.target);
    request.target = o.target;
    request.no_cache = o.no_cache;
    request.cache_from = o.cache_from;
    for (const auto& l : o.labels)
        put_kv(request.labels, l);
    request.network = o.network == "default" ? "" : o.network;
    // Rootless without pasta or slirp4netns, RUN steps share the host's network (docker's
    // rootless builder does the same), said once.
    if (ctx.rootless && request.network.empty() && !runtime::rootless_network_available()) {
        request.network = "host";
        log::warn("RUN steps use the host's network: rootless networking needs pasta (Debian "
                  "package passt) or slirp4netns");
    }
    request.quiet = o.quiet;
    request.gpus = o.gpus;

    build::BuildHooks hooks;
    hooks.image = [&](const std::string& name, const std::string& platform) {
        return base_image(name, platform.empty() ? o.platform : platform, o.pull, ctx);
    };
    Interrupts interrupts;
    hooks.run = [&](const build::RunStep& step, const build::CommitUpper& commit,
                    const std::function<void(const std::string&)>& on_start) {
        return run_step(step, commit, on_start, ctx, interrupts);
    };
    hooks.interrupted = [&] { return interrupts.fired(); };
    hooks.download = download_url;
    hooks.in_store = [&](const std::function<Result<void>()>& fn) {
        return runtime::in_store_user_namespace(ctx, fn);
    };
    hooks.print = print_out;
    image::Store images = TRY(image::Store::open(ctx));
    auto result = TRY(build::run_build(images, dockerfile, context, request, hooks));
    if (!o.iidfile.empty())
        TRY_CTX("write iidfile " + o.iidfile, write_iidfile(o.iidfile, result.image));
    if (o.quiet) {
        print_out(result.image + "\n");
        return 0;
    }
    print_out("Successfully built " + image::short_id(result.image) + "\n");
    for (const auto& tag : request.tags)
        print_out("Successfully tagged " + image::familiar(tag) + "\n");
    return 0;
}

Result<int> cmd_build(Args args, Context& ctx) {
    // Bad input and ferry's own failures end with 125; a RUN that fails ends with its status,
    // an interrupted build with 130.
    auto r = dispatch(parse_build, run_build_cmd, args, ctx);
    if (!r && r.error().sys_errno != build::k_step_failed && r.error().sys_errno != EINTR)
        r.error().exit_code = k_exit_failed;
    return r;
}

}  // namespace ferry::cli
