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
 * The log rotates as docker's json-file driver rotates it (--log-max-size, --log-max-files):
 * before a record is written to a file that has reached the size, FILE.N-1 goes, FILE.I
 * becomes FILE.I+1, FILE becomes FILE.1 and a new FILE is started (with one file, FILE.1 is
 * only the previous file, which `ferry logs` does not read, as docker's). --no-log keeps none.
 *
 * Arguments (all required unless marked):
 *   --state FILE (--log FILE [--log-max-size BYTES] [--log-max-files N] | --no-log)
 *   --pidfd N --out N [--err N] [--stdin N] [--tty]
 *   --listen N [--client N] --restart no|always|unless-stopped|on-failure[:MAX]
 *   --restart-count N [--backoff-ms N] --started NS --id ID --ferry PATH --root DIR
 *   [--stop-file F] [--cgroup-dir DIR]... [--cgroup-later DIR]... [--name NAME]
 *   [--image REF] [--label K=V]... [--volume NAME]...
 *   [--network-down | --network-lease NET... | --clear-network [--stop-pid PID] [--remove-path P]]
 *   [--auto-remove --run-dir DIR [--image-id ID] [--remove-volume NAME]... [--userns-fd N]]
 *   [--desktop-pid PID]...
 *
 * Events: the container's `die` (exitCode; `oom` first when the OOM killer struck) and the
 * `unmount` of each of its volumes (--volume) are appended to the store's events journal
 * (<root>/events/journal, docker's event JSON a line) before the exit is recorded, so whoever
 * sees the container exited finds them; with --auto-remove, `destroy` follows once the
 * container is gone. The attributes are docker's: the labels (--label), image (--image) and the
 * container's name, looked up again at exit since `ferry rename` may have changed it. The
 * journal's append protocol is util/journal.cpp's (keep the two in step): O_APPEND, an
 * exclusive flock, a check that the path still names the locked file, rotation to journal.1
 * past 1 MiB, a newline first when the last line was torn, one write.
 *
 * When the container exits, its cgroup (--cgroup-dir, one per hierarchy) goes, as runc deletes
 * it: processes left in it (a container in the host's pid namespace keeps its grandchildren)
 * are killed first, as docker kills them. A restart makes a new one. A container started
 * without v1 cgroups is also given the v1 directories a pause or an update may make later
 * (--cgroup-later, the freezer hierarchy's first: both make that one), which go the same way if
 * the first exists; otherwise they cost one failed access().
 *
 * With --auto-remove (run --rm) the monitor removes the container when it exits for good: its
 * name and directory disappear before the exit status goes to the client (so the name is free
 * when `ferry run --rm` returns), then the files are deleted. The removal happens under the
 * container's lock (an flock of its directory, runtime/container_lock.hpp): when a command holds
 * it, the exit is recorded first (that command may be a stop waiting for it), and nothing is
 * removed when, once the lock is ours, the directory was removed meanwhile or the state names
 * another monitor (a start came first). Rootless, they are deleted from
 * inside the container's user namespace (--userns-fd, opened by ferry while the container ran;
 * the monitor, its owner, may join it): files the container gave to its other ids (subordinate
 * ids on the host) can be removed only there. When the store's index no longer names the
 * container's image (--image-id; deleted by `rmi -f` while the container used it), its layers go
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
#include <sys/file.h>
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

enum { k_max_clients = 16, k_frame_header = 5, k_max_labels = 64 };
#define k_journal_max_bytes (1ULL << 20)

struct client {
    int fd;
    unsigned char in[k_frame_header + 4096];
    size_t fill;
};

struct config {
    const char *state, *log, *id, *ferry, *root, *restart, *stop_file, *name, *run_dir;
    const char* image_id; /* --image-id: released with the container when rmi -f deleted it */
    const char* remove_path; /* --remove-path: a helper's socket, removed once it is stopped */
    const char* volumes[64];
    int nvolumes;
    const char* cgroup_dirs[32];
    int ncgroup_dirs;
    const char* image;
    const char* labels[k_max_labels]; /* KEY=VALUE */
    int nlabels;
    const char* mounted[64]; /* volumes, for their unmount events */
    int nmounted;
    int later; /* index of the first --cgroup-later directory; -1 for none */
    const char* leases[16]; /* --network-lease: networks whose lease the monitor gives back */
    int nleases;
    int pidfd, out, err, in, listen, client, tty, auto_remove, restart_count, userns_fd;
    int oom_killed, no_log, log_max_files, network_down, clear_network, stop_pid;
    int reap_later; /* --stop-pid-later: --stop-pid's process holds no port; reaped after the status */
    int desktop_pids[4]; /* --desktop-pid: Xvnc, websockify, the TLS front */
    int ndesktop_pids;
    long long started, backoff_ms, log_max_size;
};

static struct client clients[k_max_clients];
static int log_fd = -1;
static const char* log_path;
static long long log_size, log_max_size = -1;
static int log_max_files = 1;
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

/* Opens the log for appending and learns its size; -1 on failure (output then goes unlogged). */
static void log_open(int flags) {
    log_fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | flags, 0640);
    struct stat st;
    log_size = log_fd >= 0 && fstat(log_fd, &st) == 0 ? (long long)st.st_size : 0;
}

/* docker's rotate() and the rename of the current file that follows it. */
static void log_rotate(void) {
    char from[4096], to[4096];
    if (log_max_files >= 2) {
        snprintf(to, sizeof to, "%s.%d", log_path, log_max_files - 1);
        unlink(to);
        for (int i = log_max_files - 1; i > 1; --i) {
            snprintf(to, sizeof to, "%s.%d", log_path, i);
            snprintf(from, sizeof from, "%s.%d", log_path, i - 1);
            rename(from, to);
        }
    }
    snprintf(to, sizeof to, "%s.1", log_path);
    rename(log_path, to);
    if (log_fd >= 0) close(log_fd);
    log_open(O_TRUNC);
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
    if (log_max_size > 0 && log_size >= log_max_size) log_rotate();
    if (log_fd >= 0 && write_all(log_fd, out, n) == 0) log_size += (long long)n;
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

/* Appends text (whole lines) to <root>/events/journal as util/journal.cpp does. Best effort:
 * an event that cannot be written is lost, the container's exit is not. */
static void journal_append(const char* root, const char* text, size_t len) {
    char dir[4096], path[4096], rotated[4096];
    snprintf(dir, sizeof dir, "%s/events", root);
    snprintf(path, sizeof path, "%s/journal", dir);
    snprintf(rotated, sizeof rotated, "%s/journal.1", dir);
    for (int attempt = 0; attempt < 1000; ++attempt) {
        int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0 && errno == ENOENT && attempt == 0) {
            mkdir(dir, 0700);
            continue;
        }
        if (fd < 0) return;
        while (flock(fd, LOCK_EX) != 0)
            if (errno != EINTR) {
                close(fd);
                return;
            }
        struct stat held, named;
        if (fstat(fd, &held) != 0) {
            close(fd);
            return;
        }
        if (stat(path, &named) != 0 || named.st_ino != held.st_ino || named.st_dev != held.st_dev) {
            close(fd); /* rotated while we waited */
            continue;
        }
        if (held.st_size > 0 && (unsigned long long)held.st_size + len > k_journal_max_bytes) {
            rename(path, rotated);
            close(fd);
            continue;
        }
        char last = '\n';
        if (held.st_size > 0 && pread(fd, &last, 1, held.st_size - 1) == 1 && last != '\n')
            (void)write_all(fd, "\n", 1); /* a torn line: end it (we hold the lock) */
        (void)write_all(fd, text, len);
        close(fd);
        return;
    }
}

/* Appends s to out as a Go JSON string (quotes, backslash, control characters, <, >, &). */
static size_t json_string(char* out, size_t cap, size_t n, const char* s) {
    static const char hex[] = "0123456789abcdef";
    if (n + 1 < cap) out[n++] = '"';
    for (; *s && n + 8 < cap; ++s) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            out[n++] = '\\';
            out[n++] = (char)ch;
        } else if (ch == '\n') {
            out[n++] = '\\';
            out[n++] = 'n';
        } else if (ch == '\r') {
            out[n++] = '\\';
            out[n++] = 'r';
        } else if (ch == '\t') {
            out[n++] = '\\';
            out[n++] = 't';
        } else if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&') {
            memcpy(out + n, "\\u00", 4);
            n += 4;
            out[n++] = hex[ch >> 4];
            out[n++] = hex[ch & 15];
        } else {
            out[n++] = (char)ch;
        }
    }
    if (n + 1 < cap) out[n++] = '"';
    return n;
}

struct attribute {
    const char* key;
    size_t key_len;
    const char* value;
};

/* Sets key (key_len bytes of key) to value in attrs, replacing an earlier value. */
static int set_attribute(struct attribute* attrs, int n, const char* key, size_t key_len,
                         const char* value) {
    for (int i = 0; i < n; ++i)
        if (attrs[i].key_len == key_len && memcmp(attrs[i].key, key, key_len) == 0) {
            attrs[i].value = value;
            return n;
        }
    attrs[n].key = key;
    attrs[n].key_len = key_len;
    attrs[n].value = value;
    return n + 1;
}

static int attribute_order(const void* a, const void* b) {
    const struct attribute* x = a;
    const struct attribute* y = b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int r = memcmp(x->key, y->key, n);
    return r ? r : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* The container's name now: --name unless `ferry rename` moved its name link elsewhere. */
static const char* current_name(const struct config* c) {
    static char found[256];
    char path[4096], target[256];
    if (c->name) {
        snprintf(path, sizeof path, "%s/container-names/%s", c->root, c->name);
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n > 0 && (target[n] = 0, strcmp(target, c->id) == 0)) return c->name;
    }
    snprintf(path, sizeof path, "%s/container-names", c->root);
    DIR* d = opendir(path);
    if (!d) return c->name ? c->name : "";
    struct dirent* e;
    const char* name = c->name ? c->name : "";
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        ssize_t n = readlinkat(dirfd(d), e->d_name, target, sizeof target - 1);
        if (n > 0 && (target[n] = 0, strcmp(target, c->id) == 0)) {
            snprintf(found, sizeof found, "%s", e->d_name);
            name = found;
            break;
        }
    }
    closedir(d);
    return name;
}

/* Appends to line (at len, of size cap) docker's JSON of the container event `action` (die:
 * with exitCode), newline included; returns the new length, or len when it does not fit. */
static size_t container_event(const struct config* c, const char* action, const char* exit_code,
                              char* line, size_t cap, size_t len) {
    struct attribute attrs[k_max_labels + 3];
    int n = 0;
    if (exit_code) n = set_attribute(attrs, n, "exitCode", 8, exit_code);
    for (int i = 0; i < c->nlabels; ++i) {
        const char* eq = strchr(c->labels[i], '=');
        if (eq) n = set_attribute(attrs, n, c->labels[i], (size_t)(eq - c->labels[i]), eq + 1);
    }
    if (c->image && c->image[0]) n = set_attribute(attrs, n, "image", 5, c->image);
    n = set_attribute(attrs, n, "name", 4, c->name ? c->name : ""); /* resolved at exit */
    qsort(attrs, (size_t)n, sizeof attrs[0], attribute_order);
    long long now = now_ns();
    size_t start = len;
    if (cap - len < 1024) return start;
    len += (size_t)snprintf(line + len, cap - len, "{\"status\":");
    len = json_string(line, cap, len, action);
    len += (size_t)snprintf(line + len, cap - len, ",\"id\":\"%s\"", c->id);
    if (c->image && c->image[0]) {
        len += (size_t)snprintf(line + len, cap - len, ",\"from\":");
        len = json_string(line, cap, len, c->image);
    }
    len += (size_t)snprintf(line + len, cap - len, ",\"Type\":\"container\",\"Action\":");
    len = json_string(line, cap, len, action);
    len += (size_t)snprintf(line + len, cap - len, ",\"Actor\":{\"ID\":\"%s\",\"Attributes\":{",
                            c->id);
    for (int i = 0; i < n && len + 16 < cap; ++i) {
        char key[1024];
        size_t kl = attrs[i].key_len < sizeof key - 1 ? attrs[i].key_len : sizeof key - 1;
        memcpy(key, attrs[i].key, kl);
        key[kl] = 0;
        if (i) line[len++] = ',';
        len = json_string(line, cap, len, key);
        line[len++] = ':';
        len = json_string(line, cap, len, attrs[i].value);
    }
    if (len + 128 >= cap) return start; /* absurdly many labels: the event is left out */
    len += (size_t)snprintf(line + len, cap - len,
                            "}},\"scope\":\"local\",\"time\":%lld,\"timeNano\":%lld}\n",
                            now / 1000000000LL, now);
    return len;
}

/* docker's `unmount` event of volume for this container (driver=local), appended as above. */
static size_t unmount_event(const struct config* c, const char* volume, char* line, size_t cap,
                            size_t len) {
    if (cap - len < 512 + strlen(volume) * 6) return len;
    long long now = now_ns();
    len += (size_t)snprintf(line + len, cap - len, "{\"Type\":\"volume\",\"Action\":\"unmount\","
                            "\"Actor\":{\"ID\":");
    len = json_string(line, cap, len, volume);
    len += (size_t)snprintf(line + len, cap - len,
                            ",\"Attributes\":{\"container\":\"%s\",\"driver\":\"local\"}},"
                            "\"scope\":\"local\",\"time\":%lld,\"timeNano\":%lld}\n",
                            c->id, now / 1000000000LL, now);
    return len;
}

/* Records the container event `action` in the journal; for `die`, with exitCode, after an `oom`
 * when the OOM killer struck and followed by the unmount of each volume, in one append. */
static void record_event(const struct config* c, const char* action, const char* exit_code) {
    static char line[65536 * 2];
    size_t len = 0;
    if (exit_code && c->oom_killed) /* docker's `oom` comes before the die */
        len = container_event(c, "oom", NULL, line, sizeof line, len);
    len = container_event(c, action, exit_code, line, sizeof line, len);
    if (exit_code)
        for (int i = 0; i < c->nmounted; ++i)
            len = unmount_event(c, c->mounted[i], line, sizeof line, len);
    if (len) journal_append(c->root, line, len);
}

/* Whether the state file still names this process as the container's monitor. */
static int state_is_mine(const struct config* c) {
    char buf[2048];
    int fd = open(c->state, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    const char* p = strstr(buf, "\nmonitor_pid=");
    return p && atoi(p + 13) == (int)getpid();
}

/* The container's lock, to remove it (see the top of this file); -1 when it is no longer this
 * monitor's to remove. */
static int lock_for_removal(const struct config* c, int code, long long finished) {
    char path[4096];
    snprintf(path, sizeof path, "%s/containers/%s", c->root, c->id);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        write_state(c, "exited", 0, code, finished);
        while (flock(fd, LOCK_EX) != 0 && errno == EINTR) {
        }
    }
    struct stat held, now;
    if (fstat(fd, &held) != 0 || stat(path, &now) != 0 || held.st_dev != now.st_dev ||
        held.st_ino != now.st_ino || !state_is_mine(c)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* A restart policy that `ferry update` changed while the container ran replaces --restart. */
static void read_updated_restart(struct config* c) {
    static char policy[64];
    char path[4096];
    snprintf(path, sizeof path, "%s/containers/%s/restart-policy", c->root, c->id);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n = read(fd, policy, sizeof policy - 1);
    close(fd);
    if (n > 0) {
        policy[n] = 0;
        c->restart = policy;
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
    int found = text && memmem(text, fill, c->image_id, strlen(c->image_id)) != NULL;
    free(text);
    return found;
}

/* The layers of a removed container whose image is gone: `ferry __release ID` collects them
 * (as the monitor, outside the container's user namespace; waited for, so that they are gone
 * when `run --rm` returns). */
/* Runs `ferry --root ROOT COMMAND ARG` and waits for it. */
static void run_ferry(const struct config* c, const char* command, const char* arg) {
    pid_t pid = fork();
    if (pid == 0) {
        syscall(SYS_close_range, 3, ~0U, 0);
        execl(c->ferry, c->ferry, "--root", c->root, command, arg, (char*)NULL);
        _exit(127);
    }
    if (pid > 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
}

static void release_image(const struct config* c) {
    if (!c->image_id || !c->image_id[0] || image_named(c)) return;
    run_ferry(c, "__release", c->image_id);
}

int release_lease(const char* root, const char* network_id, const char* container_id);

static void reap_stop_pid(struct config* c) {
    while (c->stop_pid > 0 && waitpid(c->stop_pid, NULL, 0) < 0 && errno == EINTR) {
    }
    c->stop_pid = 0;
}

/* A container on a bridge network gives back what it holds before its exit is seen (its veths
 * went with its network namespace): its leases here (--network-lease: the default bridge, no
 * port published; see monitor_leases.c), or everything through `ferry __network-down ID`
 * (published ports, names on a user network), waited for. With --clear-network (pasta) only
 * the live settings go, --stop-pid's process (pasta or slirp4netns, a child) is stopped and
 * reaped, and --remove-path (slirp4netns's API socket) removed. Its end takes the kernel 15 to
 * 30 ms (it removes the helper's tap device, which waits for RCU): with --stop-pid-later, when
 * it holds no host port that a next start may want, it is reaped after the status is sent. */
static void network_down(struct config* c) {
    if (c->stop_pid > 0) { /* pasta, this process's child (rootless networking) */
        kill(c->stop_pid, SIGKILL); /* it keeps nothing worth a graceful end */
        if (!c->reap_later) reap_stop_pid(c);
    }
    if (c->remove_path) unlink(c->remove_path);
    int exec_ferry = c->network_down;
    if (!exec_ferry && c->nleases > 0) { /* a network connected while it ran: ferry's work */
        char marker[4096];
        snprintf(marker, sizeof marker, "%s/containers/%s/network-down", c->root, c->id);
        exec_ferry = access(marker, F_OK) == 0;
    }
    for (int i = 0; i < c->nleases && !exec_ferry; ++i)
        exec_ferry = release_lease(c->root, c->leases[i], c->id) != 0;
    if (!exec_ferry) {
        if (c->nleases > 0 || c->clear_network) {
            char path[4096];
            snprintf(path, sizeof path, "%s/containers/%s/network.json", c->root, c->id);
            unlink(path);
        }
        return;
    }
    run_ferry(c, "__network-down", c->id);
}

/* --desktop: its X server (Xvnc) and web page (websockify), this process's children started
 * before the container, go with the container; a restart starts others. SIGTERM lets Xvnc
 * remove its sockets and lock file. */
static void stop_desktop(const struct config* c) {
    for (int i = 0; i < c->ndesktop_pids; ++i)
        if (c->desktop_pids[i] > 0) kill(c->desktop_pids[i], SIGTERM);
    for (int i = 0; i < c->ndesktop_pids; ++i)
        while (c->desktop_pids[i] > 0 && waitpid(c->desktop_pids[i], NULL, 0) < 0 &&
               errno == EINTR) {
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
    c->err = c->in = c->client = c->userns_fd = c->later = -1;
    c->restart = "no";
    c->log_max_size = -1;
    c->log_max_files = 1;
    for (int i = 1; i < argc; ++i) {
        const char* a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : NULL;
#define STR(name, field) if (strcmp(a, name) == 0 && v) { c->field = v; ++i; continue; }
#define NUM(name, field) if (strcmp(a, name) == 0 && v) { c->field = atoi(v); ++i; continue; }
        STR("--state", state) STR("--log", log) STR("--id", id) STR("--ferry", ferry)
        STR("--root", root) STR("--restart", restart) STR("--stop-file", stop_file)
        STR("--name", name) STR("--run-dir", run_dir) STR("--image", image)
        STR("--image-id", image_id) STR("--remove-path", remove_path)
        if (strcmp(a, "--network-lease") == 0 && v && c->nleases < 16) {
            c->leases[c->nleases++] = v;
            ++i;
            continue;
        }
        if (strcmp(a, "--volume") == 0 && v && c->nmounted < 64) {
            c->mounted[c->nmounted++] = v;
            ++i;
            continue;
        }
        if (strcmp(a, "--label") == 0 && v && c->nlabels < k_max_labels) {
            c->labels[c->nlabels++] = v;
            ++i;
            continue;
        }
        NUM("--log-max-files", log_max_files)
        if (strcmp(a, "--log-max-size") == 0 && v) { c->log_max_size = atoll(v); ++i; continue; }
        if (strcmp(a, "--no-log") == 0) { c->no_log = 1; continue; }
        if (strcmp(a, "--network-down") == 0) { c->network_down = 1; continue; }
        if (strcmp(a, "--clear-network") == 0) { c->clear_network = 1; continue; }
        NUM("--stop-pid", stop_pid)
        if (strcmp(a, "--stop-pid-later") == 0) { c->reap_later = 1; continue; }
        if (strcmp(a, "--desktop-pid") == 0 && v && c->ndesktop_pids < 4) {
            c->desktop_pids[c->ndesktop_pids++] = atoi(v);
            ++i;
            continue;
        }
        if (strcmp(a, "--cgroup-later") == 0 && v && c->ncgroup_dirs < 32) {
            if (c->later < 0) c->later = c->ncgroup_dirs;
            c->cgroup_dirs[c->ncgroup_dirs++] = v;
            ++i;
            continue;
        }
        if (strcmp(a, "--cgroup-dir") == 0 && v && c->ncgroup_dirs < 32 && c->later < 0) {
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
    return c->state && (c->log || c->no_log) && c->id && c->ferry && c->root ? 0 : -1;
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
    if (!c.no_log) {
        log_path = c.log;
        log_max_size = c.log_max_size;
        log_max_files = c.log_max_files > 0 ? c.log_max_files : 1;
        log_open(0);
    }
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
    /* The later directories were made only if the first of them was (see the top). */
    if (c.later >= 0 && access(c.cgroup_dirs[c.later], F_OK) != 0) c.ncgroup_dirs = c.later;
    c.oom_killed = oom_killed(&c);
    remove_cgroup(&c);
    stop_desktop(&c);
    network_down(&c);
    read_updated_restart(&c);
    int restart = should_restart(&c, code);
    if (restart) c.restart_count++; /* counted when decided, as docker does */
    int removing = !restart && c.auto_remove && c.name && c.run_dir;
    c.name = current_name(&c); /* `ferry rename` may have changed it while the container ran */
    char exit_text[16];
    snprintf(exit_text, sizeof exit_text, "%d", code);
    record_event(&c, "die", exit_text); /* before the state says exited: see the top */
    /* A container about to be removed needs no final state: its directory goes next. */
    int lock_fd = -1;
    if (removing) {
        lock_fd = lock_for_removal(&c, code, finished);
        removing = lock_fd >= 0;
    } else {
        write_state(&c, restart ? "restarting" : "exited", 0, code, finished);
    }
    char trash[4096] = {0};
    if (removing) {
        /* Gone for every ferry command from here: name, directory, runtime files. */
        char path[4096];
        char target[256];
        snprintf(path, sizeof path, "%s/container-names/%s", c.root, c.name);
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n > 0 && (target[n] = 0, strcmp(target, c.id) == 0)) unlink(path);
        snprintf(path, sizeof path, "%s/containers/%s", c.root, c.id);
        snprintf(trash, sizeof trash, "%s/tmp/rm-%s", c.root, c.id);
        if (rename(path, trash) != 0) { /* still there: it must say it exited */
            trash[0] = 0;
            write_state(&c, "exited", 0, code, finished);
        } else {
            record_event(&c, "destroy", NULL);
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
        close(lock_fd);
        if (trash[0]) release_image(&c);
    }
    char status[16];
    int len = snprintf(status, sizeof status, "%d", code);
    send_frame(3, status, (size_t)len);
    for (int i = 0; i < k_max_clients; ++i)
        if (clients[i].fd >= 0) drop_client(i);
    reap_stop_pid(&c);
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
    for (int i = 0; i < c.nvolumes && removing; ++i) {
        if (!c.volumes[i]) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/tmp/rm-volume-%s", c.root, c.volumes[i]);
        remove_tree_at(AT_FDCWD, path);
    }
    return 0;
}
