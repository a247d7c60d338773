/* ferry-init: the reaper `ferry run --init` puts at PID 1 (bind-mounted read-only at /dev/init).
 *
 *     /dev/init -- COMMAND [ARG...]
 *
 * It starts COMMAND as its child in a new process group, forwards every catchable signal it
 * receives to that child (so `ferry stop` and Ctrl-C reach the program, which as PID 1 itself
 * would ignore signals it has no handler for), reaps every orphan that the kernel re-parents to
 * it, and exits with COMMAND's status (128+N when killed by signal N), as tini does. Static, so
 * it runs in any image. */

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "--") == 0) first = 2;
    if (first >= argc) {
        fprintf(stderr, "ferry-init: no command given\n");
        return 126;
    }
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t child = fork();
    if (child < 0) {
        perror("ferry-init: fork");
        return 126;
    }
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        setpgid(0, 0);
        /* Take the terminal if there is one, so the command gets Ctrl-C as before. */
        if (isatty(0)) {
            signal(SIGTTOU, SIG_IGN);
            tcsetpgrp(0, getpid());
            signal(SIGTTOU, SIG_DFL);
        }
        execvp(argv[first], argv + first);
        int err = errno;
        fprintf(stderr, "ferry-init: exec %s: %s\n", argv[first], strerror(err));
        _exit(err == ENOENT ? 127 : 126);
    }
    for (;;) {
        siginfo_t info;
        struct timespec tick = {1, 0};
        int sig = sigtimedwait(&all, &info, &tick);
        if (sig > 0 && sig != SIGCHLD) kill(child, sig);
        for (;;) {
            int status = 0;
            pid_t p = waitpid(-1, &status, WNOHANG);
            if (p <= 0) break;
            if (p == child) {
                if (WIFEXITED(status)) return WEXITSTATUS(status);
                return 128 + WTERMSIG(status);
            }
        }
    }
}
