/* ferry-wm: the small window manager a desktop gets when its image has no session of its own
 * (bind-mounted read-only at /dev/ferry-wm in every --desktop container).
 *
 *     /dev/ferry-wm [COMMAND [ARG...]]
 *
 * It runs COMMAND (default: nothing) as its child and exits with its status when it ends (128+N
 * when killed by signal N), reaping orphans meanwhile and passing on the signals that stop it
 * (TERM, INT, HUP, QUIT, USR1, USR2), so the session lasts as long as the command. It takes the display before it starts COMMAND, and adopts the windows already on
 * it. On $DISPLAY it manages the top-level windows, without decorations: a window that asks
 * to be mapped is mapped, raised and given the keyboard focus; a click raises and focuses the
 * window under it; Alt with the left button drags a window, Alt with the right button resizes it;
 * a window's own configure requests are granted; when the focused window goes the focus goes to
 * the topmost one left. If another window manager holds the display, it only runs COMMAND.
 * It speaks the X11 protocol itself (no libX11) and is static, so it runs in any image. */

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

enum { max_windows = 256 };

static int conn = -1;
static uint32_t root;
static uint32_t windows[max_windows]; /* managed, bottom to top */
static int nwindows;
static uint32_t focused;

static void put32(uint8_t* p, uint32_t v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}
static void put16(uint8_t* p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static uint16_t u16(const uint8_t* p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32(const uint8_t* p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }

/* 0 on success; the connection is dropped on any failure (the command goes on). */
static int put_all(const void* data, size_t n) {
    const char* p = data;
    while (n > 0 && conn >= 0) {
        ssize_t w = write(conn, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            close(conn);
            conn = -1;
            return -1;
        }
        p += w, n -= (size_t)w;
    }
    return conn >= 0 ? 0 : -1;
}

static int get_all(void* data, size_t n) {
    char* p = data;
    while (n > 0 && conn >= 0) {
        ssize_t r = read(conn, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            close(conn);
            conn = -1;
            return -1;
        }
        p += r, n -= (size_t)r;
    }
    return conn >= 0 ? 0 : -1;
}

/* The cookie: the first entry of the Xauthority file (big-endian lengths, libXau's format). */
static size_t read_cookie(uint8_t* cookie, size_t max) {
    const char* path = getenv("XAUTHORITY");
    FILE* f = path ? fopen(path, "rb") : NULL;
    if (!f) return 0;
    uint8_t buf[1024];
    size_t n = fread(buf, 1, sizeof buf, f), off = 2, len = 0;
    fclose(f);
    for (int field = 0; field < 4; ++field) {
        if (off + 2 > n) return 0;
        len = (size_t)(buf[off] << 8 | buf[off + 1]);
        off += 2;
        if (field < 3) off += len;
    }
    if (off + len > n || len > max) return 0;
    memcpy(cookie, buf + off, len);
    return len;
}

static int connect_display(void) {
    const char* display = getenv("DISPLAY");
    if (!display || display[0] != ':') return -1;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "/tmp/.X11-unix/X%d", atoi(display + 1));
    conn = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (conn < 0 || connect(conn, (struct sockaddr*)&addr, sizeof addr) != 0) {
        if (conn >= 0) close(conn);
        conn = -1;
        return -1;
    }
    static const char name[] = "MIT-MAGIC-COOKIE-1";
    uint8_t cookie[64];
    size_t clen = read_cookie(cookie, sizeof cookie), nlen = clen ? sizeof name - 1 : 0;
    uint8_t req[12 + 20 + 64] = {'l', 0, 11, 0, 0, 0};
    req[6] = (uint8_t)nlen;
    req[8] = (uint8_t)clen;
    memcpy(req + 12, name, nlen);
    memcpy(req + 12 + pad4(nlen), cookie, clen);
    uint8_t head[8];
    if (put_all(req, 12 + pad4(nlen) + pad4(clen)) || get_all(head, sizeof head)) return -1;
    size_t more = (size_t)u16(head + 6) * 4;
    uint8_t* body = malloc(more ? more : 1);
    if (!body || get_all(body, more) || head[0] != 1) {
        free(body);
        if (conn >= 0) close(conn);
        conn = -1;
        return -1;
    }
    root = u32(body + 32 + pad4(u16(body + 16)) + 8 * (size_t)body[21]);
    free(body);
    return 0;
}

/* ---- requests ---- */

static void configure(uint32_t window, uint16_t mask, const uint32_t* values, int n) {
    uint8_t req[12 + 7 * 4] = {12, 0};
    put16(req + 2, (uint16_t)(3 + n));
    put32(req + 4, window);
    put16(req + 8, mask);
    for (int i = 0; i < n; ++i) put32(req + 12 + 4 * i, values[i]);
    put_all(req, 12 + 4 * (size_t)n);
}

static void raise_window(uint32_t window) {
    uint32_t above = 0; /* StackMode Above */
    configure(window, 0x40, &above, 1);
}

static void focus(uint32_t window) {
    uint8_t req[12] = {42, 1, 3, 0}; /* SetInputFocus, RevertToPointerRoot */
    put32(req + 4, window ? window : 1 /* PointerRoot */);
    put_all(req, sizeof req);
    focused = window;
}

static void map_window(uint32_t window) {
    uint8_t req[8] = {8, 0, 2, 0};
    put32(req + 4, window);
    put_all(req, sizeof req);
}

/* A click on a managed window: the pointer is frozen until AllowEvents replays it. */
static void grab_clicks(uint32_t window) {
    uint8_t req[24] = {28, 0, 6, 0}; /* GrabButton, owner_events false */
    put32(req + 4, window);
    put16(req + 8, 0x4);              /* ButtonPress */
    req[10] = 0, req[11] = 1;         /* pointer Sync, keyboard Async */
    req[20] = 0;                      /* AnyButton */
    put16(req + 22, 0x8000);          /* AnyModifier */
    put_all(req, sizeof req);
}

static void replay_pointer(void) {
    uint8_t req[8] = {35, 2, 2, 0}; /* AllowEvents ReplayPointer, CurrentTime */
    put_all(req, sizeof req);
}

static void forget(uint32_t window) {
    int j = 0;
    for (int i = 0; i < nwindows; ++i)
        if (windows[i] != window) windows[j++] = windows[i];
    nwindows = j;
}

static void to_top(uint32_t window) {
    forget(window);
    if (nwindows < max_windows) windows[nwindows++] = window;
    raise_window(window);
    focus(window);
}

/* ---- the drag of Alt+button ---- */

static struct {
    uint32_t window;
    int button, x0, y0;        /* where the pointer went down (root coordinates) */
    int wx, wy, ww, wh;        /* the window's geometry then */
} drag;

/* Events that arrived while a reply was awaited, handled after it. */
static uint8_t pending[64][32];
static int npending;

/* The next reply or error, its first 32 bytes in out: 1 a reply, 0 an error, -1 the connection
 * is gone. The events before it are kept in pending. */
static int next_reply(uint8_t* out) {
    for (;;) {
        if (get_all(out, 32)) return -1;
        if (out[0] == 1) return 1;
        if (out[0] == 0) return 0;
        if (npending < 64) memcpy(pending[npending++], out, 32);
    }
}

/* The window's geometry (GetGeometry); -1 when the window went. */
static int geometry(uint32_t window, int* x, int* y, int* w, int* h) {
    uint8_t req[8] = {14, 0, 2, 0};
    put32(req + 4, window);
    uint8_t reply[32];
    if (put_all(req, sizeof req) || next_reply(reply) != 1) return -1;
    *x = (int16_t)u16(reply + 12), *y = (int16_t)u16(reply + 14);
    *w = u16(reply + 16), *h = u16(reply + 18);
    return 0;
}

/* Windows already on the screen when it starts: the mapped top-level ones that are not
 * override-redirect are managed (clicks grabbed, the topmost focused). */
static void adopt(void) {
    uint8_t req[8] = {15, 0, 2, 0}; /* QueryTree */
    put32(req + 4, root);
    uint8_t reply[32], *children = NULL;
    if (put_all(req, sizeof req) || next_reply(reply) != 1) return;
    size_t len = (size_t)u32(reply + 4) * 4, n = u16(reply + 16);
    children = malloc(len ? len : 1);
    if (!children || get_all(children, len)) {
        free(children);
        return;
    }
    for (size_t i = 0; i < n && 4 * i + 4 <= len; ++i) {
        uint32_t window = u32(children + 4 * i);
        uint8_t attrs[8] = {3, 0, 2, 0}; /* GetWindowAttributes */
        put32(attrs + 4, window);
        if (put_all(attrs, sizeof attrs)) break;
        uint8_t a[44];
        int got = next_reply(a);
        if (got < 0) break;
        if (got == 0) continue; /* gone meanwhile */
        if (get_all(a + 32, 12)) break;
        if (a[26] != 2 || a[27]) continue; /* not viewable, or override-redirect */
        grab_clicks(window);
        if (nwindows < max_windows) windows[nwindows++] = window;
    }
    free(children);
    if (nwindows) focus(windows[nwindows - 1]);
}

static void handle(const uint8_t* ev) {
    switch (ev[0] & 0x7f) {
        case 20: { /* MapRequest */
            uint32_t window = u32(ev + 8);
            grab_clicks(window);
            map_window(window);
            to_top(window);
            break;
        }
        case 23: { /* ConfigureRequest: granted as asked */
            uint32_t window = u32(ev + 8), values[7];
            uint16_t mask = u16(ev + 26) & 0x7f;
            const uint32_t all[7] = {(uint32_t)(int16_t)u16(ev + 16), (uint32_t)(int16_t)u16(ev + 18),
                                     u16(ev + 20), u16(ev + 22), u16(ev + 24), u32(ev + 12), ev[1]};
            int n = 0;
            for (int bit = 0; bit < 7; ++bit)
                if (mask & (1u << bit)) values[n++] = all[bit];
            configure(window, mask, values, n);
            break;
        }
        case 18:   /* UnmapNotify */
        case 17: { /* DestroyNotify */
            uint32_t window = u32(ev + 8);
            forget(window);
            if (window == focused) focus(nwindows ? windows[nwindows - 1] : 0);
            break;
        }
        case 4: { /* ButtonPress */
            uint32_t event = u32(ev + 12), child = u32(ev + 16);
            int state = u16(ev + 28);
            if (event == root && (state & 0x8) && child) { /* Alt+button on root's child */
                drag.window = child, drag.button = ev[1];
                drag.x0 = (int16_t)u16(ev + 20), drag.y0 = (int16_t)u16(ev + 22);
                if (geometry(child, &drag.wx, &drag.wy, &drag.ww, &drag.wh)) drag.window = 0;
                if (drag.window) to_top(child);
            } else if (event != root) {
                to_top(event);
                replay_pointer();
            }
            break;
        }
        case 6: { /* MotionNotify */
            if (!drag.window) break;
            int dx = (int16_t)u16(ev + 20) - drag.x0, dy = (int16_t)u16(ev + 22) - drag.y0;
            if (drag.button == 1) {
                uint32_t v[2] = {(uint32_t)(drag.wx + dx), (uint32_t)(drag.wy + dy)};
                configure(drag.window, 0x3, v, 2);
            } else {
                int w = drag.ww + dx, h = drag.wh + dy;
                uint32_t v[2] = {(uint32_t)(w < 16 ? 16 : w), (uint32_t)(h < 16 ? 16 : h)};
                configure(drag.window, 0xc, v, 2);
            }
            break;
        }
        case 5: /* ButtonRelease */
            drag.window = 0;
            break;
        default:
            break;
    }
}

/* Takes the display as its window manager; -1 when another one has it (or none answers). */
static int manage(void) {
    if (connect_display()) return -1;
    uint8_t select[16] = {2, 0, 4, 0}; /* ChangeWindowAttributes(root, event-mask) */
    put32(select + 4, root);
    put32(select + 8, 0x800);
    put32(select + 12, 0x100000 | 0x80000); /* SubstructureRedirect, SubstructureNotify */
    uint8_t sync[4] = {43, 0, 1, 0};        /* GetInputFocus: its reply, or the error before it */
    if (put_all(select, sizeof select) || put_all(sync, sizeof sync)) return -1;
    uint8_t reply[32];
    int got = next_reply(reply);
    if (got < 0) return -1;
    if (got == 0) { /* BadAccess: another window manager */
        close(conn);
        conn = -1;
        return -1;
    }
    uint8_t background[16] = {2, 0, 4, 0};
    put32(background + 4, root);
    put32(background + 8, 0x2); /* BackPixel */
    put32(background + 12, 0x2e3440);
    uint8_t clear[16] = {61, 0, 4, 0}; /* ClearArea, the whole window */
    put32(clear + 4, root);
    put_all(background, sizeof background);
    put_all(clear, sizeof clear);
    /* Alt+left drags, Alt+right resizes: grabbed on the root, so every window gets them. */
    for (uint8_t button = 1; button <= 3; button += 2) {
        uint8_t grab[24] = {28, 0, 6, 0};
        put32(grab + 4, root);
        put16(grab + 8, 0x4 | 0x8 | 0x40); /* ButtonPress, ButtonRelease, PointerMotion */
        grab[10] = 1, grab[11] = 1;        /* both Async */
        grab[20] = button;
        put16(grab + 22, 0x8); /* Mod1 */
        put_all(grab, sizeof grab);
    }
    return conn >= 0 ? 0 : -1;
}

int main(int argc, char** argv) {
    /* SIGCHLD, and the signals it passes to COMMAND (as PID 1 it would ignore them itself). */
    static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; ++i) sigaddset(&chld, forwarded[i]);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int sfd = signalfd(-1, &chld, SFD_CLOEXEC);
    /* The display first, so that the command's first window already asks to be mapped. */
    int managing = manage() == 0;
    if (managing) adopt();
    pid_t child = 0;
    if (argc > 1) {
        child = fork();
        if (child == 0) {
            sigprocmask(SIG_UNBLOCK, &chld, NULL);
            execvp(argv[1], argv + 1);
            fprintf(stderr, "ferry-wm: exec %s: %s\n", argv[1], strerror(errno));
            _exit(errno == ENOENT ? 127 : 126);
        }
        if (child < 0) {
            perror("ferry-wm: fork");
            return 126;
        }
    }
    if (!managing && child == 0) {
        fprintf(stderr, "ferry-wm: cannot manage $DISPLAY\n");
        return 1;
    }
    for (;;) {
        while (npending > 0 && conn >= 0) {
            uint8_t ev[32];
            memcpy(ev, pending[0], 32);
            memmove(pending[0], pending[1], (size_t)--npending * 32);
            handle(ev);
        }
        struct pollfd p[2] = {{sfd, POLLIN, 0}, {conn, POLLIN, 0}};
        if (poll(p, conn >= 0 ? 2 : 1, -1) < 0 && errno != EINTR) return 126;
        if (p[0].revents) {
            struct signalfd_siginfo info;
            if (read(sfd, &info, sizeof info) == (ssize_t)sizeof info && info.ssi_signo != SIGCHLD) {
                if (child == 0) return 128 + (int)info.ssi_signo;
                kill(child, (int)info.ssi_signo);
            }
            for (;;) {
                int status = 0;
                pid_t pid = waitpid(-1, &status, WNOHANG);
                if (pid <= 0) break;
                if (pid == child) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
        }
        if (conn >= 0 && p[1].revents) {
            uint8_t ev[32];
            if (get_all(ev, sizeof ev) == 0) {
                if (ev[0] == 1) { /* a reply nobody waits for (GetGeometry's after an error) */
                    size_t more = (size_t)u32(ev + 4) * 4;
                    while (more > 0 && conn >= 0) {
                        uint8_t skip[256];
                        size_t n = more < sizeof skip ? more : sizeof skip;
                        get_all(skip, n);
                        more -= n;
                    }
                } else {
                    handle(ev);
                }
            }
            if (conn < 0 && child == 0) return 0; /* the display is gone and nothing runs */
        }
    }
}
