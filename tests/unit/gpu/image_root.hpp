#pragma once
// Container root file systems for the gpu tests, and a minimal stand-in for the runtime that
// applies finalized Edits to one (bind mounts, symlinks, device nodes, ld.so.cache) in a private
// mount namespace, chroots into it and runs a program: enough to see what a process in the
// container would see.

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "fake_root.hpp"
#include "ferry/gpu/edits.hpp"
#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::test {

enum class Distro { debian, rhel };

// Makes an image rootfs at dir: the library directory of distro holding a stub libimage.so.1,
// the host's loader and libc (so dynamic programs run in it), merged /usr links, and an
// /etc/ld.so.cache made by ldconfig. Returns "" or the failure.
inline std::string make_image_root(const std::string& dir, Distro distro) {
    std::string libdir = distro == Distro::debian ? "usr/lib/x86_64-linux-gnu" : "usr/lib64";
    std::string r = sh_quote(dir);
    std::string cmd =
        "set -e; r=" + r + "; mkdir -p $r/" + libdir +
        " $r/usr/lib64 $r/usr/bin $r/etc $r/dev "
        "$r/tmp; ln -s usr/lib $r/lib; ln -s usr/lib64 $r/lib64; ln -s usr/bin $r/bin; "
        "cp -L /lib64/ld-linux-x86-64.so.2 $r/usr/lib64/; cp -L /lib/x86_64-linux-gnu/libc.so.6 "
        "$r/" +
        libdir +
        "/; echo 'int image_stub;' | gcc -x c -shared -fPIC "
        "-Wl,-soname,libimage.so.1 -o $r/" +
        libdir + "/libimage.so.1 -; printf '/" + libdir +
        "\\n' > $r/etc/ld.so.conf; ldconfig -r $r";
    return std::system(cmd.c_str()) == 0 ? "" : "making the image root failed";
}

// Applies e (finalized) to rootfs and runs program there with args; returns its output and
// "<status N>" when it fails. Needs root.
inline std::string run_in_container(const std::string& rootfs, const gpu::Edits& e,
                                    const std::vector<std::string>& argv) {
    int pipefd[2];
    if (::pipe(pipefd) != 0) return "<pipe>";
    TempDir scratch;
    std::string cache = scratch / "ld.so.cache";
    if (e.ld_cache && !write_file_atomic(cache, *e.ld_cache)) return "<write cache>";
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(pipefd[1], 1);
        ::dup2(pipefd[1], 2);
        auto die = [](const std::string& what) {
            std::string msg = "setup: " + what + "\n";
            (void)!::write(2, msg.data(), msg.size());
            ::_exit(120);
        };
        if (::unshare(CLONE_NEWNS) != 0) die("unshare");
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) die("private");
        auto root = fs::open(rootfs, O_PATH | O_DIRECTORY);
        if (!root) die(root.error().message);
        auto bind = [&](const std::string& source, const std::string& target, bool ro) {
            struct stat st {};
            if (::stat(source.c_str(), &st) != 0) die("stat " + source);
            auto kind = S_ISDIR(st.st_mode) ? gpu::TargetKind::directory : gpu::TargetKind::file;
            auto fd = gpu::open_mount_target(root->get(), target, kind);
            if (!fd) die(fd.error().message);
            std::string at = "/proc/self/fd/" + std::to_string(fd->get());
            if (::mount(source.c_str(), at.c_str(), nullptr, MS_BIND, nullptr) != 0)
                die("bind " + source);
            // The descriptor still names the file under the new mount: reopen to reach it.
            auto mounted = gpu::open_mount_target(root->get(), target, kind);
            if (!mounted) die(mounted.error().message);
            at = "/proc/self/fd/" + std::to_string(mounted->get());
            if (ro &&
                ::mount(nullptr, at.c_str(), nullptr,
                        MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0)
                die("remount " + target + ": " + std::strerror(errno));
        };
        auto dev = gpu::open_mount_target(root->get(), "/dev", gpu::TargetKind::directory);
        if (!dev) die(dev.error().message);
        std::string dev_at = "/proc/self/fd/" + std::to_string(dev->get());
        if (::mount("tmpfs", dev_at.c_str(), "tmpfs", MS_NOSUID, "mode=755") != 0) die("tmpfs");
        for (const auto& m : e.cdi.mounts)
            bind(m.host_path, m.container_path, true);
        for (const auto& s : e.symlinks)
            if (auto r = gpu::make_symlink_in_root(root->get(), s.path, s.target); !r)
                die(r.error().message);
        for (const auto& n : e.cdi.device_nodes) {
            auto parent = gpu::open_mount_target(root->get(), n.path.substr(0, n.path.rfind('/')),
                                                 gpu::TargetKind::directory);
            if (!parent) die(parent.error().message);
            std::string name = n.path.substr(n.path.rfind('/') + 1);
            mode_t type = n.type == "b" ? S_IFBLK : S_IFCHR;
            if (::mknodat(parent->get(), name.c_str(), type | n.file_mode.value_or(0666),
                          ::makedev(static_cast<unsigned>(*n.major),
                                    static_cast<unsigned>(*n.minor))) != 0)
                die("mknod " + n.path);
            ::fchmodat(parent->get(), name.c_str(), n.file_mode.value_or(0666), 0);
        }
        if (e.ld_cache) bind(cache, "/etc/ld.so.cache", true);
        if (::chroot(rootfs.c_str()) != 0 || ::chdir("/") != 0) die("chroot");
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        std::vector<std::string> env_storage = e.cdi.env;
        env_storage.push_back("PATH=/usr/bin");
        std::vector<char*> envp;
        for (auto& v : env_storage)
            envp.push_back(v.data());
        envp.push_back(nullptr);
        ::execve(args[0], args.data(), envp.data());
        die("exec " + argv[0]);
    }
    ::close(pipefd[1]);
    std::string out = fs::read_all(pipefd[0]).value_or("<read>");
    ::close(pipefd[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        out += "<status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ">";
    return out;
}

}  // namespace ferry::test
