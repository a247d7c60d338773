// Docker's default seccomp profile (moby profiles/seccomp/default.json) as data: an allowlist
// with EPERM for everything else. Syscalls are listed as space-separated words, grouped by what
// makes them allowed: always, from a kernel version, on an architecture, or with a capability
// in the bounding set. clone without CAP_SYS_ADMIN is allowed only without namespace flags, and
// clone3 then fails with ENOSYS so that libc falls back to clone.

#include <cerrno>

#include "ferry/runtime/seccomp_profile.hpp"

namespace ferry::runtime {

namespace {

// Allowed whatever the container's capabilities.
constexpr std::string_view k_always = R"(
accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32
clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64
clock_nanosleep clock_nanosleep_time64 close close_range connect copy_file_range creat
dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2
epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit exit_group
faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat
fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr
fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64
futex futex_time64 futex_waitv futimesat getcpu getcwd getdents getdents64
getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 getitimer
getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid getresgid32
getresuid getresuid32 getrlimit get_robust_list getrusage getsid getsockname getsockopt
get_thread_area gettid gettimeofday getuid getuid32 getxattr
inotify_add_watch inotify_init inotify_init1 inotify_rm_watch
io_cancel ioctl io_destroy io_getevents io_pgetevents io_pgetevents_time64 ioprio_get
ioprio_set io_setup io_submit io_uring_enter io_uring_register io_uring_setup ipc kill
landlock_add_rule landlock_create_ruleset landlock_restrict_self
lchown lchown32 lgetxattr link linkat listen listxattr llistxattr _llseek lremovexattr lseek
lsetxattr lstat lstat64 madvise membarrier memfd_create memfd_secret mincore mkdir mkdirat
mknod mknodat mlock mlock2 mlockall mmap mmap2 mprotect
mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend
mq_timedsend_time64 mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock munlockall
munmap name_to_handle_at nanosleep newfstatat _newselect open openat openat2 pause
pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll
ppoll_time64 prctl pread64 preadv preadv2 prlimit64 process_mrelease pselect6
pselect6_time64 pwrite64 pwritev pwritev2 read readahead readlink readlinkat readv recv
recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr rename renameat
renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask
rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64
rt_tgsigqueueinfo sched_getaffinity sched_getattr sched_getparam sched_get_priority_max
sched_get_priority_min sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64
sched_setaffinity sched_setattr sched_setparam sched_setscheduler sched_yield seccomp select
semctl semget semop semtimedop semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg
sendto setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32
setitimer setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid
setresuid32 setreuid setreuid32 setrlimit set_robust_list setsid setsockopt set_thread_area
set_tid_address setuid setuid32 setxattr shmat shmctl shmdt shmget shutdown sigaltstack
signalfd signalfd4 sigprocmask sigreturn socketcall socketpair splice stat stat64 statfs
statfs64 statx symlink symlinkat sync sync_file_range syncfs sysinfo tee tgkill time
timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime
timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime
timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat
utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write writev
)";

// Allowed only with a capability in the bounding set.
struct CapabilityGroup {
    std::string_view cap;
    std::string_view names;
};

constexpr CapabilityGroup k_by_capability[] = {
    {"CAP_DAC_READ_SEARCH", "open_by_handle_at"},
    {"CAP_SYS_ADMIN",
     "bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie mount "
     "mount_setattr move_mount open_tree perf_event_open quotactl quotactl_fd setdomainname "
     "sethostname setns syslog umount umount2 unshare"},
    {"CAP_SYS_BOOT", "reboot"},
    {"CAP_SYS_CHROOT", "chroot"},
    {"CAP_SYS_MODULE", "delete_module init_module finit_module"},
    {"CAP_SYS_PACCT", "acct"},
    {"CAP_SYS_PTRACE",
     "kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev ptrace"},
    {"CAP_SYS_RAWIO", "iopl ioperm"},
    {"CAP_SYS_TIME", "settimeofday stime clock_settime clock_settime64"},
    {"CAP_SYS_TTY_CONFIG", "vhangup"},
    {"CAP_SYS_NICE", "get_mempolicy mbind set_mempolicy set_mempolicy_home_node"},
    {"CAP_SYSLOG", "syslog"},
    {"CAP_BPF", "bpf"},
    {"CAP_PERFMON", "perf_event_open"},
};

// Allowed only on some architectures (Go names).
struct ArchGroup {
    std::string_view arches;
    std::string_view names;
};

constexpr ArchGroup k_by_arch[] = {
    {"ppc64le", "sync_file_range2 swapcontext"},
    {"arm arm64",
     "arm_fadvise64_64 arm_sync_file_range sync_file_range2 breakpoint cacheflush set_tls"},
    {"amd64 x32", "arch_prctl"},
    {"amd64 x32 x86", "modify_ldt"},
    {"s390 s390x", "s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr"},
    {"riscv64", "riscv_flush_icache"},
};

// The namespace flags clone may not use without CAP_SYS_ADMIN (CLONE_NEWNS | CLONE_NEWCGROUP |
// CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET).
constexpr uint64_t k_clone_namespace_flags = 0x7E020000;

std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> out;
    std::string word;
    for (char c : text) {
        if (c == ' ' || c == '\n') {
            if (!word.empty()) out.push_back(std::move(word));
            word.clear();
        } else {
            word.push_back(c);
        }
    }
    if (!word.empty()) out.push_back(std::move(word));
    return out;
}

SeccompProfileRule allow(std::string_view names) {
    SeccompProfileRule r;
    r.names = words(names);
    r.action = "SCMP_ACT_ALLOW";
    return r;
}

SeccompProfileRule allow_if_arg0(std::string_view name, uint64_t value, const char* op) {
    SeccompProfileRule r = allow(name);
    r.args.push_back({0, value, 0, op});
    return r;
}

SeccompProfile make_default() {
    SeccompProfile p;
    p.default_action = "SCMP_ACT_ERRNO";
    p.default_errno_ret = EPERM;
    p.arch_map = {
        {"SCMP_ARCH_X86_64", {"SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
        {"SCMP_ARCH_AARCH64", {"SCMP_ARCH_ARM"}},
        {"SCMP_ARCH_MIPS64", {"SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"}},
        {"SCMP_ARCH_MIPS64N32", {"SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64"}},
        {"SCMP_ARCH_MIPSEL64", {"SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32"}},
        {"SCMP_ARCH_MIPSEL64N32", {"SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64"}},
        {"SCMP_ARCH_S390X", {"SCMP_ARCH_S390"}},
        {"SCMP_ARCH_RISCV64", {}},
    };
    p.syscalls.push_back(allow(k_always));

    SeccompProfileRule tracing = allow("process_vm_readv process_vm_writev ptrace");
    tracing.includes.min_kernel = "4.8";
    p.syscalls.push_back(std::move(tracing));

    p.syscalls.push_back(allow_if_arg0("socket", 40, "SCMP_CMP_NE"));  // no AF_VSOCK
    for (uint64_t persona : {0x0ull, 0x8ull, 0x20000ull, 0x20008ull, 0xffffffffull})
        p.syscalls.push_back(allow_if_arg0("personality", persona, "SCMP_CMP_EQ"));

    for (const auto& g : k_by_arch) {
        SeccompProfileRule r = allow(g.names);
        r.includes.arches = words(g.arches);
        p.syscalls.push_back(std::move(r));
    }
    // k_by_capability keeps docker's order; CAP_SYS_ADMIN's clone rules follow its group.
    for (const auto& g : k_by_capability) {
        SeccompProfileRule r = allow(g.names);
        r.includes.caps = {std::string(g.cap)};
        p.syscalls.push_back(std::move(r));
        if (g.cap != "CAP_SYS_ADMIN") continue;
        SeccompProfileRule clone = allow("clone");
        clone.args.push_back({0, k_clone_namespace_flags, 0, "SCMP_CMP_MASKED_EQ"});
        clone.excludes.caps = {"CAP_SYS_ADMIN"};
        clone.excludes.arches = {"s390", "s390x"};
        p.syscalls.push_back(clone);
        SeccompProfileRule clone_s390 = allow("clone");  // s390 swaps clone's first arguments
        clone_s390.args.push_back({1, k_clone_namespace_flags, 0, "SCMP_CMP_MASKED_EQ"});
        clone_s390.includes.arches = {"s390", "s390x"};
        clone_s390.excludes.caps = {"CAP_SYS_ADMIN"};
        p.syscalls.push_back(clone_s390);
        SeccompProfileRule clone3;
        clone3.names = {"clone3"};
        clone3.action = "SCMP_ACT_ERRNO";
        clone3.errno_ret = ENOSYS;
        clone3.excludes.caps = {"CAP_SYS_ADMIN"};
        p.syscalls.push_back(clone3);
    }
    return p;
}

}  // namespace

const SeccompProfile& docker_default_seccomp_profile() {
    static const SeccompProfile profile = make_default();
    return profile;
}

}  // namespace ferry::runtime
