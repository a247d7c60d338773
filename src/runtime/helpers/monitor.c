/* ferry-monitor: the per-container supervisor of a detached (or attached) container.
 *
 * ferry spawns the container as a child of a process that then execs this small static program,
 * so the container stays its child: it holds the container's output (a pty master, or the read
 * ends of its stdout/stderr pipes) and stdin, appends output to the log in docker's json-file
 * format, serves attach clients on a unix socket, and when the container exits records the exit
 * status and time (and whether the OOM killer struck) in the state file, then applies the
 * restart policy (by exec'ing ferry, which starts the container again as this same process's
 * child and execs the monitor anew) or the auto-removal. The container init was spawned with
 * PR_SET_PDEATHSIG=SIGKILL: if the monitor dies abruptly, so does the container, and `ferry ps`
 * reports it exited (137).
 *
 * Client protocol (both directions): frames of [type:1][length:4, big endian][payload].
 *   monitor -> client: 1 stdout, 2 stderr, 3 exit (payload: decimal status)
 *   client -> monitor: 4 stdin bytes, 5 stdin end, 6 resize (payload: "ROWS COLS"), 7 detach
 *
 * Arguments (all required unless marked):
 *   --state FILE --log FILE --pidfd N --out N [--err N] [--stdin N] [--tty]
 *   --listen N [--client N] --restart no|always|unless-stopped|on-failure[:MAX]
 *   --restart-count N [--backoff-ms N] --started NS --id ID --ferry PATH --root DIR
 *   [--stop-file F] [--cgroup-dir DIR]...
 *   [--auto-remove --name NAME --run-dir DIR [--image ID] [--remove-volume NAME]...
 *    [--userns-fd N]]
 *
 * When the container exits, its cgroup (--cgroup-dir, one per hierarchy) goes, as runc deletes
 * it: processes left in it (a container in the host's pid namespace keeps its grandchildren)
 * are killed first, as docker kills them. A restart makes a new one.
 *
 * With --auto-remove (run --rm) the monitor removes the container when it exits for good: its
 * name and directory disappear before the exit status goes to the client (so the name is free
 * when `ferry run --rm` returns), then the files are deleted. Rootless, they are deleted from
 * inside the container's user namespace (--userns-fd, opened by ferry while the container ran;
 * the monitor, its owner, may join it): files the container gave to its other ids (subordinate
 * ids on the host) can be removed only there. When the store's index no longer names the
 * container's image (--image; deleted by `rmi -f` while the container used it), its layers go
 * with the container, as docker's: `ferry __release ID` collects them before the status goes out.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

enum { k_max_clients = 16, k_frame_header = 5 };

struct client {
    int fd;
    unsigned char in[k_frame_header + 4096];
    size_t fill;
};

struct config {
    const char *state, *log, *id, *ferry, *root, *restart, *stop_file, *name, *run_dir;
    const char* image;
    const char* volumes[64];
    int nvolumes;
    const char* cgroup_dirs[16];
    int ncgroup_dirs;
    int pidfd, out, err, in, listen, client, tty, auto_remove, restart_count, userns_fd;
    int oom_killed;
    long long started, backoff_ms;
};

static struct client clients[k_max_clients];
static int log_fd = -1;
static char line_buf[2][16384];
static size_t line_fill[2];

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void rfc3339(long long ns, char* out, size_t size) {
    time_t secs = (time_t)(ns / 1000000000LL);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, size - n, ".%09lldZ", ns % 1000000000LL);
}

static int write_all(int fd, const void* data, size_t size) {
    const char* p = data;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

/* One json-file record: {"log":"...","stream":"stdout","time":"..."}\n */
static void log_record(int stream, const char* data, size_t size) {
    if (log_fd < 0) return;
    static char out[16384 * 6 + 128];
    size_t n = 0;
    n += (size_t)snprintf(out, sizeof out, "{\"log\":\"");
    for (size_t i = 0; i < size; ++i) {
        unsigned char c = (unsigned char)data[i];
        if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = (char)c;
        } else if (c == '\n') {
            out[n++] = '\\';
            out[n++] = 'n';
        } else if (c == '\r') {
            out[n++] = '\\';
            out[n++] = 'r';
        } else if (c == '\t') {
            out[n++] = '\\';
            out[n++] = 't';
        } else if (c < 0x20 || c == 0x7f) {
            n += (size_t)snprintf(out + n, 7, "\\u%04x", c);
        } else {
            out[n++] = (char)c;
        }
    }
    char ts[64];
    rfc3339(now_ns(), ts, sizeof ts);
    n += (size_t)snprintf(out + n, sizeof out - n, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n",
                          stream == 1 ? "stdout" : "stderr", ts);
    (void)write_all(log_fd, out, n);
}

/* Output is logged line by line, as docker does; a line longer than the buffer is split. */
static void log_output(int stream, const char* data, size_t size) {
    int s = stream - 1;
    for (size_t i = 0; i < size; ++i) {
        line_buf[s][line_fill[s]++] = data[i];
        if (data[i] == '\n' || line_fill[s] == sizeof line_buf[s]) {
            log_record(stream, line_buf[s], line_fill[s]);
            line_fill[s] = 0;
        }
    }
}

static void log_flush(void) {
    for (int s = 0; s < 2; ++s)
        if (line_fill[s]) {
            log_record(s + 1, line_buf[s], line_fill[s]);
            line_fill[s] = 0;
        }
}

static void drop_client(int i) {
    close(clients[i].fd);
    clients[i].fd = -1;
    clients[i].fill = 0;
}

static void send_frame(int type, const char* data, size_t size) {
    unsigned char head[k_frame_header] = {(unsigned char)type, (unsigned char)(size >> 24),
                                          (unsigned char)(size >> 16), (unsigned char)(size >> 8),
                                          (unsigned char)size};
    for (int i = 0; i < k_max_clients; ++i) {
        if (clients[i].fd < 0) continue;
        if (write_all(clients[i].fd, head, sizeof head) || write_all(clients[i].fd, data, size))
            drop_client(i);
    }
}

static void add_client(int fd) {
    for (int i = 0; i < k_max_clients; ++i)
        if (clients[i].fd < 0) {
            clients[i].fd = fd;
            clients[i].fill = 0;
            return;
        }
    close(fd);
}

/* This process's start time (field 22 of /proc/self/stat), which ferry checks against PID reuse. */
static long long self_start_time(void) {
    char buf[1024];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    char* p = strrchr(buf, ')');
    if (!p) return 0;
    p += 2;
    for (int field = 3; field < 22 && p; ++field) {
        p = strchr(p, ' ');
        if (p) ++p;
    }
    return p ? atoll(p) : 0;
}

/* Writes the state file atomically: key=value lines, read back by ferry. */
static void write_state(const struct config* c, const char* status, int pid, int exit_code,
                        long long finished) {
    char tmp[4096], body[2048];
    snprintf(tmp, sizeof tmp, "%s.tmp", c->state);
    int n = snprintf(body, sizeof body,
                     "status=%s\npid=%d\nmonitor_pid=%d\nmonitor_start=%lld\nexit_code=%d\n"
                     "started_ns=%lld\nfinished_ns=%lld\nrestart_count=%d\noom_killed=%d\n",
                     status, pid, (int)getpid(), self_start_time(), exit_code, c->started,
                     finished, c->restart_count, c->oom_killed);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    /* No fsync: as ferry's own state writes, atomic against crashes, not power failures. */
    if (write_all(fd, body, (size_t)n) == 0) rename(tmp, c->state);
    close(fd);
}

/* Client input: stdin bytes, stdin end, resize, detach. */
static void client_input(const struct config* c, int i) {
    struct client* cl = &clients[i];
    ssize_t n = read(cl->fd, cl->in + cl->fill, sizeof cl->in - cl->fill);
    if (n <= 0) {
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
        drop_client(i);
        return;
    }
    cl->fill += (size_t)n;
    for (;;) {
        if (cl->fill < k_frame_header) return;
        size_t len = ((size_t)cl->in[1] << 24) | ((size_t)cl->in[2] << 16) |
                     ((size_t)cl->in[3] << 8) | cl->in[4];
        if (len > sizeof cl->in - k_frame_header) {
            drop_client(i);
            return;
        }
        if (cl->fill < k_frame_header + len) return;
        const char* payload = (const char*)cl->in + k_frame_header;
        int in_fd = c->tty ? c->out : c->in;
        switch (cl->in[0]) {
            case 4:
                if (in_fd >= 0) (void)write_all(in_fd, payload, len);
                break;
            case 5:
                if (!c->tty && c->in >= 0) {
                    close(c->in);
                    ((struct config*)c)->in = -1;
                } else if (c->tty) {
                    (void)write_all(c->out, "\x04", 1);
                }
                break;
            case 6: {
                char size[32] = {0};
                memcpy(size, payload, len < sizeof size - 1 ? len : sizeof size - 1);
                struct winsize ws = {0};
                unsigned rows = 0, cols = 0;
                if (c->tty && sscanf(size, "%u %u", &rows, &cols) == 2) {
                    ws.ws_row = (unsigned short)rows;
                    ws.ws_col = (unsigned short)cols;
                    ioctl(c->out, TIOCSWINSZ, &ws);
                }
                break;
            }
            case 7:
                drop_client(i);
                return;
            default:
                drop_client(i);
                return;
        }
        memmove(cl->in, cl->in + k_frame_header + len, cl->fill - k_frame_header - len);
        cl->fill -= k_frame_header + len;
    }
}

/* Reads what the container wrote; 0 at end of output. */
static int pump(int fd, int stream) {
    char buf[65536];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
    if (n <= 0) return 0; /* EOF, or EIO from a pty whose slave side is gone */
    log_output(stream, buf, (size_t)n);
    send_frame(stream, buf, (size_t)n);
    return 1;
}

/* Deletes the tree at dirfd/name without following symlinks (as ferry's fs::remove_tree). */
static int dirfd_of(DIR* d) { return dirfd(d); }

static void remove_tree_at(int dirfd, const char* name) {
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == EACCES) { /* overlay's work/work is mode 000 */
        fchmodat(dirfd, name, 0700, 0);
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) return;
    DIR* d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    struct dirent* e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        remove_tree_at(dirfd_of(d), e->d_name);
    }
    closedir(d);
    unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* Kills what is listed in dir/cgroup.procs; 1 if it listed anything. */
static int kill_cgroup_procs(const char* dir) {
    char path[4096], buf[8192];
    snprintf(path, sizeof path, "%s/cgroup.procs", dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    int any = 0;
    for (char *p = buf, *end; *p; p = end) {
        long pid = strtol(p, &end, 10);
        if (end == p) break;
        if (pid > 0) {
            kill((pid_t)pid, SIGKILL);
            any = 1;
        }
        while (*end == '\n') ++end;
    }
    return any;
}

/* Whether the kernel's OOM killer killed a process of the container's cgroup during this run
 * (docker's OOMKilled): the oom_kill count of memory.oom_control (v1) or memory.events (v2),
 * read before the cgroup goes. 0 without a memory cgroup. */
static int oom_killed(const struct config* c) {
    static const char* const files[] = {"memory.oom_control", "memory.events"};
    for (int i = 0; i < c->ncgroup_dirs; ++i) {
        for (int f = 0; f < 2; ++f) {
            char path[4096], buf[1024];
            snprintf(path, sizeof path, "%s/%s", c->cgroup_dirs[i], files[f]);
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0) continue;
            ssize_t n = read(fd, buf, sizeof buf - 1);
            close(fd);
            if (n <= 0) continue;
            buf[n] = 0;
            for (const char* p = buf; (p = strstr(p, "oom_kill ")) != NULL; p += 9)
                if ((p == buf || p[-1] == '\n') && atoll(p + 9) > 0) return 1;
        }
    }
    return 0;
}

/* Removes the container's cgroup, killing what is left in it; gives up after about a second
 * (ferry rm tries again). */
static void remove_cgroup(const struct config* c) {
    for (int attempt = 0; attempt < 100 && c->ncgroup_dirs > 0; ++attempt) {
        int busy = 0;
        for (int i = 0; i < c->ncgroup_dirs; ++i) kill_cgroup_procs(c->cgroup_dirs[i]);
        for (int i = 0; i < c->ncgroup_dirs; ++i)
            if (rmdir(c->cgroup_dirs[i]) != 0 && errno == EBUSY) busy = 1;
        if (!busy) return;
        struct timespec ts = {0, 10000000L};
        nanosleep(&ts, NULL);
    }
}

/* Whether the store's index still names the container's image: a plain search for its ID (an
 * image ID appears in images.json only as an image's own). Unreadable counts as gone: ferry
 * reads the index properly before collecting anything. */
static int image_named(const struct config* c) {
    char path[4096];
    snprintf(path, sizeof path, "%s/images.json", c->root);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    struct stat st;
    char* text = NULL;
    size_t fill = 0;
    if (fstat(fd, &st) == 0 && st.st_size > 0 && (text = malloc((size_t)st.st_size)) != NULL) {
        while (fill < (size_t)st.st_size) {
            ssize_t n = read(fd, text + fill, (size_t)st.st_size - fill);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            fill += (size_t)n;
        }
    }
    close(fd);
    int found = text && memmem(text, fill, c->image, strlen(c->image)) != NULL;
    free(text);
    return found;
}

/* The layers of a removed container whose image is gone: `ferry __release ID` collects them
 * (as the monitor, outside the container's user namespace; waited for, so that they are gone
 * when `run --rm` returns). */
static void release_image(const struct config* c) {
    if (!c->image || !c->image[0] || image_named(c)) return;
    pid_t pid = fork();
    if (pid == 0) {
        syscall(SYS_close_range, 3, ~0U, 0);
        execl(c->ferry, c->ferry, "--root", c->root, "__release", c->image, (char*)NULL);
        _exit(127);
    }
    if (pid > 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
}

static int should_restart(const struct config* c, int code) {
    if (c->stop_file && access(c->stop_file, F_OK) == 0) return 0; /* stopped by the user */
    if (strcmp(c->restart, "always") == 0 || strcmp(c->restart, "unless-stopped") == 0) return 1;
    if (strncmp(c->restart, "on-failure", 10) == 0) {
        if (code == 0) return 0;
        int max = c->restart[10] == ':' ? atoi(c->restart + 11) : 0;
        return max == 0 || c->restart_count < max;
    }
    return 0;
}

/* docker's back-off before a restart: 100 ms, doubled at each restart, at most a minute, and
 * back to 100 ms after a run of 10 s or more. */
static long long backoff_ms(const struct config* c, long long finished) {
    long long ms = c->backoff_ms;
    if (ms <= 0 || finished - c->started >= 10000000000LL) return 100;
    ms *= 2;
    return ms > 60000 ? 60000 : ms;
}

/* Waits ms milliseconds, or less when the user stops the container meanwhile; 1 if stopped. */
static int backoff_wait(const struct config* c, long long ms) {
    for (long long left = ms; left > 0; left -= 50) {
        if (c->stop_file && access(c->stop_file, F_OK) == 0) return 1;
        struct timespec ts = {0, (left < 50 ? left : 50) * 1000000L};
        nanosleep(&ts, NULL);
    }
    return c->stop_file && access(c->stop_file, F_OK) == 0;
}

static int parse_args(int argc, char** argv, struct config* c) {
    memset(c, 0, sizeof *c);
    c->err = c->in = c->client = c->userns_fd = -1;
    c->restart = "no";
    for (int i = 1; i < argc; ++i) {
        const char* a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : NULL;
#define STR(name, field) if (strcmp(a, name) == 0 && v) { c->field = v; ++i; continue; }
#define NUM(name, field) if (strcmp(a, name) == 0 && v) { c->field = atoi(v); ++i; continue; }
        STR("--state", state) STR("--log", log) STR("--id", id) STR("--ferry", ferry)
        STR("--root", root) STR("--restart", restart) STR("--stop-file", stop_file)
        STR("--name", name) STR("--run-dir", run_dir) STR("--image", image)
        if (strcmp(a, "--cgroup-dir") == 0 && v && c->ncgroup_dirs < 16) {
            c->cgroup_dirs[c->ncgroup_dirs++] = v;
            ++i;
            continue;
        }
        if (strcmp(a, "--remove-volume") == 0 && v && c->nvolumes < 64) {
            c->volumes[c->nvolumes++] = v;
            ++i;
            continue;
        }
        NUM("--pidfd", pidfd) NUM("--out", out) NUM("--err", err) NUM("--stdin", in)
        NUM("--listen", listen) NUM("--client", client) NUM("--restart-count", restart_count)
        NUM("--userns-fd", userns_fd)
        if (strcmp(a, "--started") == 0 && v) { c->started = atoll(v); ++i; continue; }
        if (strcmp(a, "--backoff-ms") == 0 && v) { c->backoff_ms = atoll(v); ++i; continue; }
        if (strcmp(a, "--tty") == 0) { c->tty = 1; continue; }
        if (strcmp(a, "--auto-remove") == 0) { c->auto_remove = 1; continue; }
        fprintf(stderr, "ferry-monitor: unknown argument %s\n", a);
        return -1;
    }
    return c->state && c->log && c->id && c->ferry && c->root ? 0 : -1;
}

int main(int argc, char** argv) {
    struct config c;
    if (parse_args(argc, argv, &c) != 0) return 125;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    for (int i = 0; i < k_max_clients; ++i) clients[i].fd = -1;
    if (c.client >= 0) add_client(c.client);
    /* A restart that raced with `ferry stop` or `kill` (the user's mark written after this
     * process's last look at it, while the restart was on its way): the mark wins. A stop that
     * comes later sees the new container in the state file and signals it itself. */
    if (c.backoff_ms > 0 && c.stop_file && access(c.stop_file, F_OK) == 0)
        syscall(SYS_pidfd_send_signal, c.pidfd, SIGKILL, NULL, 0);
    log_fd = open(c.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    int out_open = c.out >= 0, err_open = c.err >= 0, exited = 0, code = 0;
    long long finished = 0;
    while (!exited || out_open || err_open) {
        struct pollfd fds[4 + k_max_clients];
        int n = 0, at_out = -1, at_err = -1, at_pid = -1, at_listen = -1;
        if (out_open) { at_out = n; fds[n++] = (struct pollfd){c.out, POLLIN, 0}; }
        if (err_open) { at_err = n; fds[n++] = (struct pollfd){c.err, POLLIN, 0}; }
        if (!exited) { at_pid = n; fds[n++] = (struct pollfd){c.pidfd, POLLIN, 0}; }
        if (!exited && c.listen >= 0) { at_listen = n; fds[n++] = (struct pollfd){c.listen, POLLIN, 0}; }
        int first_client = n;
        for (int i = 0; i < k_max_clients; ++i)
            if (clients[i].fd >= 0) fds[n++] = (struct pollfd){clients[i].fd, POLLIN, 0};
        /* Once the container is gone, drain its output without waiting for stragglers that
         * keep the pipes open (grandchildren): a short timeout ends the loop. */
        int r = poll(fds, (nfds_t)n, exited ? 200 : -1);
        if (r < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (r == 0 && exited) break;
        if (at_out >= 0 && fds[at_out].revents) out_open = pump(c.out, 1);
        if (at_err >= 0 && fds[at_err].revents) err_open = pump(c.err, 2);
        if (at_listen >= 0 && (fds[at_listen].revents & POLLIN)) {
            int fd = accept4(c.listen, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0) add_client(fd);
        }
        for (int k = first_client; k < n; ++k) {
            if (!fds[k].revents) continue;
            for (int i = 0; i < k_max_clients; ++i)
                if (clients[i].fd == fds[k].fd) client_input(&c, i);
        }
        if (at_pid >= 0 && fds[at_pid].revents) {
            siginfo_t info;
            memset(&info, 0, sizeof info);
            if (syscall(SYS_waitid, P_PIDFD, c.pidfd, &info, WEXITED, NULL) == 0) {
                exited = 1;
                finished = now_ns();
                code = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
            }
        }
    }
    log_flush();
    if (!exited) { /* the loop broke on a poll error: still collect the status */
        siginfo_t info;
        memset(&info, 0, sizeof info);
        syscall(SYS_waitid, P_PIDFD, c.pidfd, &info, WEXITED, NULL);
        finished = now_ns();
        code = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
    }
    c.oom_killed = oom_killed(&c);
    remove_cgroup(&c);
    int restart = should_restart(&c, code);
    if (restart) c.restart_count++; /* counted when decided, as docker does */
    int removing = !restart && c.auto_remove && c.name && c.run_dir;
    /* A container about to be removed needs no final state: its directory goes next. */
    if (!removing) write_state(&c, restart ? "restarting" : "exited", 0, code, finished);
    char trash[4096] = {0};
    if (removing) {
        /* Gone for every ferry command from here: name, directory, runtime files. */
        char path[4096];
        snprintf(path, sizeof path, "%s/container-names/%s", c.root, c.name);
        unlink(path);
        snprintf(path, sizeof path, "%s/containers/%s", c.root, c.id);
        snprintf(trash, sizeof trash, "%s/tmp/rm-%s", c.root, c.id);
        if (rename(path, trash) != 0) { /* still there: it must say it exited */
            trash[0] = 0;
            write_state(&c, "exited", 0, code, finished);
        }
        /* Its anonymous volumes too, as docker's run --rm: moved out of volumes/ now, deleted
         * below (tmp/ entries named rm-* are being deleted; left over, the next command's
         * clean-up of tmp/ finishes them). */
        for (int i = 0; i < c.nvolumes; ++i) {
            char from[4096];
            snprintf(from, sizeof from, "%s/volumes/%s", c.root, c.volumes[i]);
            snprintf(path, sizeof path, "%s/tmp/rm-volume-%s", c.root, c.volumes[i]);
            if (rename(from, path) != 0) c.volumes[i] = NULL;
        }
        if (trash[0]) release_image(&c);
    }
    char status[16];
    int len = snprintf(status, sizeof status, "%d", code);
    send_frame(3, status, (size_t)len);
    for (int i = 0; i < k_max_clients; ++i)
        if (clients[i].fd >= 0) drop_client(i);
    if (restart) {
        long long delay = backoff_ms(&c, finished);
        if (backoff_wait(&c, delay)) {
            write_state(&c, "exited", 0, code, finished);
            return 0;
        }
        char delay_text[32];
        snprintf(delay_text, sizeof delay_text, "%lld", delay);
        if (c.userns_fd >= 0) close(c.userns_fd);
        execl(c.ferry, c.ferry, "--root", c.root, "__restart", c.id, delay_text, (char*)NULL);
        write_state(&c, "exited", 0, code, finished);
        return 125;
    }
    /* After the status: the run directory is the container ID's, which nothing reuses. */
    if (removing) remove_tree_at(AT_FDCWD, c.run_dir);
    if (c.userns_fd >= 0 && setns(c.userns_fd, CLONE_NEWUSER) == 0) close(c.userns_fd);
    if (trash[0]) remove_tree_at(AT_FDCWD, trash);
    for (int i = 0; i < c.nvolumes && c.auto_remove; ++i) {
        if (!c.volumes[i]) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/tmp/rm-volume-%s", c.root, c.volumes[i]);
        remove_tree_at(AT_FDCWD, path);
    }
    return 0;
}
