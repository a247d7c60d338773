/* ferry's exec trampoline: a freestanding static program, about 1 KB, that ferry runs from a
 * sealed memfd as the last step before a container command. Its only job:
 *
 *     argv = { SYNC_FD, PATH, ARG0, ARG1, ... }  ->  execve(PATH, {ARG0, ARG1, ...}, envp)
 *
 * While the kernel looks up PATH, its #! interpreter and its ELF interpreter, /proc/self/exe is
 * this memfd, not ferry's binary on the host; so a command or interpreter of /proc/self/exe can
 * never hand a container process a writable handle to ferry (CVE-2019-5736). SYNC_FD is ferry's
 * sync socket: marked close-on-exec first (a successful execve closes it, which ferry reads as
 * success); on failure the errno goes back on it as an error message (kind 2, errno, exit status
 * 127 for not found, else 126) and the trampoline exits with that status. Any other argv[0]
 * (the trampoline run again through /proc/self/exe) exits 126 at once. */

#include <asm/unistd.h>

#define ENOENT_ 2
#define ENOTDIR_ 20
#define F_SETFD_ 2
#define FD_CLOEXEC_ 1

static long sys3(long n, long a, long b, long c) {
#if defined(__x86_64__)
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
#elif defined(__aarch64__)
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
#else
#error "the trampoline supports x86_64 and aarch64"
#endif
}

struct message {
    unsigned kind;
    int err;
    int exit_code;
};

__attribute__((used, noreturn)) void trampoline_main(long* sp) {
    long argc = sp[0];
    char** argv = (char**)(sp + 1);
    char** envp = argv + argc + 1;
    long fd = 0;
    if (argc < 3 || !argv[0][0]) sys3(__NR_exit_group, 126, 0, 0);
    for (const char* p = argv[0]; *p; ++p) {
        if (*p < '0' || *p > '9' || fd > 100000000) sys3(__NR_exit_group, 126, 0, 0);
        fd = fd * 10 + (*p - '0');
    }
    sys3(__NR_fcntl, fd, F_SETFD_, FD_CLOEXEC_);
    long r = sys3(__NR_execve, (long)argv[1], (long)(argv + 2), (long)envp);
    struct message m = {2, (int)-r, (r == -ENOENT_ || r == -ENOTDIR_) ? 127 : 126};
    sys3(__NR_write, fd, (long)&m, sizeof m);
    sys3(__NR_exit_group, m.exit_code, 0, 0);
    for (;;) {
    }
}

#if defined(__x86_64__)
__asm__(".globl _start\n_start:\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call trampoline_main\n  hlt\n");
#elif defined(__aarch64__)
__asm__(".globl _start\n_start:\n  mov x0, sp\n  bl trampoline_main\n");
#endif
