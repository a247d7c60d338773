/* A tiny X client for the desktop tests, speaking the X11 protocol itself (no libX11, so it runs
 * statically in any image). It connects to $DISPLAY's unix socket with the MIT-MAGIC-COOKIE-1 of
 * $XAUTHORITY's first entry.
 *
 *   xclient size          prints the root window's size, WIDTHxHEIGHT
 *   xclient fill RRGGBB   maps a window of that colour over the whole screen, prints `mapped`,
 *                         then `key 0xKEYSYM` for each key pressed in it, until killed
 *   xclient window RRGGBB the same with a window a window manager manages: 200x150 at 500,50,
 *                         and the focus left to the window manager
 *   xclient paste         prints the CLIPBOARD selection's text (as STRING), `(none)` when no
 *                         client owns it
 *   xclient copy TEXT     owns CLIPBOARD and PRIMARY with TEXT, prints `owned`, and answers
 *                         requests for it (TARGETS, STRING, UTF8_STRING) until killed
 * Exit status 1 with a line on stderr when the server refuses or cannot be reached. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int conn = -1;

static void die(const char* what) {
    fprintf(stderr, "xclient: %s\n", what);
    exit(1);
}

static void put_all(const void* data, size_t n) {
    const char* p = data;
    while (n > 0) {
        ssize_t w = write(conn, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) die("write to the X server failed");
        p += w;
        n -= (size_t)w;
    }
}

static void get_all(void* data, size_t n) {
    char* p = data;
    while (n > 0) {
        ssize_t r = read(conn, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) die("the X server closed the connection");
        p += r;
        n -= (size_t)r;
    }
}

static uint16_t u16(const uint8_t* p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32(const uint8_t* p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }

/* The cookie: the first entry of the Xauthority file (big-endian lengths, libXau's format). */
static size_t read_cookie(uint8_t* cookie, size_t max) {
    const char* path = getenv("XAUTHORITY");
    if (!path) return 0;
    FILE* f = fopen(path, "rb");
    if (!f) die("cannot read $XAUTHORITY");
    uint8_t buf[1024];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    size_t off = 2, len = 0;
    for (int field = 0; field < 4; ++field) {
        if (off + 2 > n) die("damaged $XAUTHORITY");
        len = (size_t)(buf[off] << 8 | buf[off + 1]);
        off += 2;
        if (field < 3) off += len;
    }
    if (off + len > n || len > max) die("damaged $XAUTHORITY");
    memcpy(cookie, buf + off, len);
    return len;
}

struct screen {
    uint32_t id_base, root;
    uint16_t width, height;
    uint8_t min_keycode;
};

static struct screen connect_display(void) {
    const char* display = getenv("DISPLAY");
    if (!display || display[0] != ':') die("DISPLAY is not :N");
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "/tmp/.X11-unix/X%d", atoi(display + 1));
    conn = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(conn, (struct sockaddr*)&addr, sizeof addr) != 0) die("cannot connect to the X socket");
    static const char name[] = "MIT-MAGIC-COOKIE-1";
    uint8_t cookie[64];
    size_t clen = read_cookie(cookie, sizeof cookie);
    uint8_t req[12 + 20 + 64] = {'l', 0, 11, 0, 0, 0};
    size_t nlen = clen ? sizeof name - 1 : 0;
    req[6] = (uint8_t)nlen;
    req[8] = (uint8_t)clen;
    memcpy(req + 12, name, nlen);
    memcpy(req + 12 + pad4(nlen), cookie, clen);
    put_all(req, 12 + pad4(nlen) + pad4(clen));
    uint8_t head[8];
    get_all(head, sizeof head);
    size_t more = (size_t)u16(head + 6) * 4;
    uint8_t* body = malloc(more);
    get_all(body, more);
    if (head[0] != 1) {
        fprintf(stderr, "xclient: the X server refused: %.*s\n", head[1], (const char*)body);
        exit(1);
    }
    struct screen s;
    s.id_base = u32(body + 4);
    s.min_keycode = body[26];
    size_t screen = 32 + pad4(u16(body + 16)) + 8 * (size_t)body[21];
    s.root = u32(body + screen);
    s.width = u16(body + screen + 20);
    s.height = u16(body + screen + 22);
    free(body);
    return s;
}

static void put32(uint8_t* p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Events that arrived while a reply was awaited, in order. */
static uint8_t pending[256][32];
static unsigned pending_head, pending_count;

static void next_event(uint8_t* ev) {
    if (pending_count > 0) {
        memcpy(ev, pending[pending_head], 32);
        pending_head = (pending_head + 1) % 256;
        --pending_count;
        return;
    }
    get_all(ev, 32);
}

/* The first keysym of a keycode (GetKeyboardMapping); events before the reply are kept. */
static uint32_t keysym_of(uint8_t keycode) {
    uint8_t req[8] = {101, 0, 2, 0, keycode, 1, 0, 0};
    put_all(req, sizeof req);
    for (;;) {
        uint8_t reply[32];
        get_all(reply, sizeof reply);
        if (reply[0] == 0) die("the X server sent an error");
        if (reply[0] != 1) {
            if (pending_count == 256) die("too many events");
            memcpy(pending[(pending_head + pending_count++) % 256], reply, 32);
            continue;
        }
        size_t len = (size_t)u32(reply + 4) * 4;
        uint8_t* syms = malloc(len ? len : 1);
        get_all(syms, len);
        uint32_t sym = len >= 4 ? u32(syms) : 0;
        free(syms);
        return sym;
    }
}

/* The next reply (its first 32 bytes; *extra gets the rest, malloc'd); events are kept. */
static void await_reply(uint8_t* reply, uint8_t** extra) {
    for (;;) {
        get_all(reply, 32);
        if (reply[0] == 0) die("the X server sent an error");
        if (reply[0] == 1) break;
        if (pending_count == 256) die("too many events");
        memcpy(pending[(pending_head + pending_count++) % 256], reply, 32);
    }
    size_t len = (size_t)u32(reply + 4) * 4;
    *extra = malloc(len ? len : 1);
    get_all(*extra, len);
}

static uint32_t intern_atom(const char* name) {
    size_t n = strlen(name);
    uint8_t req[8 + 64] = {16, 0};
    if (n > 64) die("atom name too long");
    req[2] = (uint8_t)((8 + pad4(n)) / 4);
    req[4] = (uint8_t)n;
    memcpy(req + 8, name, n);
    put_all(req, 8 + pad4(n));
    uint8_t reply[32], *extra;
    await_reply(reply, &extra);
    free(extra);
    return u32(reply + 8);
}

/* An unmapped window: selections need one. */
static uint32_t plain_window(struct screen s) {
    uint32_t window = s.id_base | 2;
    uint8_t create[32] = {1, 0, 8, 0};
    put32(create + 4, window);
    put32(create + 8, s.root);
    create[16] = 1, create[18] = 1; /* 1x1 */
    create[22] = 1;                 /* InputOutput */
    put_all(create, sizeof create);
    return window;
}

enum { atom_primary = 1, atom_atom = 4, atom_string = 31, atom_cut_buffer0 = 9 };

static int paste(void) {
    struct screen s = connect_display();
    uint32_t window = plain_window(s);
    uint32_t clipboard = intern_atom("CLIPBOARD");
    uint8_t convert[24] = {24, 0, 6, 0}; /* ConvertSelection */
    put32(convert + 4, window);
    put32(convert + 8, clipboard);
    put32(convert + 12, atom_string);
    put32(convert + 16, atom_cut_buffer0);
    put_all(convert, sizeof convert);
    uint8_t ev[32];
    for (;;) {
        next_event(ev);
        if ((ev[0] & 0x7f) == 0) die("the X server sent an error");
        if ((ev[0] & 0x7f) == 31) break; /* SelectionNotify */
    }
    if (u32(ev + 20) == 0) {
        printf("(none)\n");
        return 0;
    }
    uint8_t get[24] = {20, 1, 6, 0}; /* GetProperty, delete */
    put32(get + 4, window);
    put32(get + 8, atom_cut_buffer0);
    put32(get + 16, 0);
    put32(get + 20, 1 << 16);
    put_all(get, sizeof get);
    uint8_t reply[32], *value;
    await_reply(reply, &value);
    printf("%.*s\n", (int)u32(reply + 16), (const char*)value);
    free(value);
    return 0;
}

static _Noreturn void copy(const char* text) {
    struct screen s = connect_display();
    uint32_t window = plain_window(s);
    uint32_t clipboard = intern_atom("CLIPBOARD"), targets = intern_atom("TARGETS"),
             utf8 = intern_atom("UTF8_STRING");
    for (int i = 0; i < 2; ++i) {
        uint8_t own[16] = {22, 0, 4, 0}; /* SetSelectionOwner */
        put32(own + 4, window);
        put32(own + 8, i == 0 ? clipboard : atom_primary);
        put_all(own, sizeof own);
    }
    uint8_t sync[4] = {43, 0, 1, 0}; /* GetInputFocus: a round trip, the ownership is in place */
    put_all(sync, sizeof sync);
    uint8_t reply[32], *extra;
    await_reply(reply, &extra);
    free(extra);
    printf("owned\n");
    fflush(stdout);
    size_t n = strlen(text);
    for (;;) {
        uint8_t ev[32];
        next_event(ev);
        if ((ev[0] & 0x7f) == 0) die("the X server sent an error");
        if ((ev[0] & 0x7f) != 30) continue; /* SelectionRequest */
        uint32_t requestor = u32(ev + 12), selection = u32(ev + 16), target = u32(ev + 20),
                 property = u32(ev + 24);
        if (property == 0) property = target;
        uint32_t list[3] = {targets, atom_string, utf8};
        const void* data = NULL;
        size_t count = 0;
        uint32_t type = 0;
        uint8_t format = 8;
        if (target == targets) data = list, count = 3, type = atom_atom, format = 32;
        else if (target == atom_string || target == utf8) data = text, count = n, type = target;
        else property = 0; /* refused */
        if (property != 0) {
            size_t bytes = count * (format / 8);
            uint8_t* change = calloc(1, 24 + pad4(bytes));
            put32(change, 18 | (uint32_t)((24 + pad4(bytes)) / 4) << 16); /* ChangeProperty, Replace */
            put32(change + 4, requestor);
            put32(change + 8, property);
            put32(change + 12, type);
            change[16] = format;
            put32(change + 20, (uint32_t)count);
            memcpy(change + 24, data, bytes);
            put_all(change, 24 + pad4(bytes));
            free(change);
        }
        uint8_t send[44] = {25, 0, 11, 0}; /* SendEvent, no propagation */
        put32(send + 4, requestor);
        uint8_t* notify = send + 12;
        notify[0] = 31; /* SelectionNotify */
        memcpy(notify + 4, ev + 4, 4); /* time */
        put32(notify + 8, requestor);
        put32(notify + 12, selection);
        put32(notify + 16, target);
        put32(notify + 20, property);
        put_all(send, sizeof send);
    }
}

int main(int argc, char** argv) {
    if (argc == 2 && strcmp(argv[1], "size") == 0) {
        struct screen s = connect_display();
        printf("%ux%u\n", s.width, s.height);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "paste") == 0) return paste();
    if (argc == 3 && strcmp(argv[1], "copy") == 0) copy(argv[2]);
    int managed = argc == 3 && strcmp(argv[1], "window") == 0;
    if (argc != 3 || (strcmp(argv[1], "fill") != 0 && !managed))
        die("usage: xclient size | xclient fill|window RRGGBB | xclient paste | xclient copy TEXT");
    uint32_t colour = (uint32_t)strtoul(argv[2], NULL, 16);
    struct screen s = connect_display();
    if (managed) s.width = 200, s.height = 150;
    uint32_t window = s.id_base | 1;
    uint8_t create[44] = {1, 0, 11, 0};
    put32(create + 4, window);
    put32(create + 8, s.root);
    if (managed) create[12] = 500 & 0xff, create[13] = 500 >> 8, create[14] = 50; /* x, y */
    create[16] = (uint8_t)s.width;
    create[17] = (uint8_t)(s.width >> 8);
    create[18] = (uint8_t)s.height;
    create[19] = (uint8_t)(s.height >> 8);
    create[22] = 1;                            /* InputOutput */
    put32(create + 28, 0x2 | 0x200 | 0x800);   /* BackPixel, OverrideRedirect, EventMask */
    put32(create + 32, colour);
    put32(create + 36, managed ? 0 : 1);
    put32(create + 40, 0x1 | 0x8000);          /* KeyPress, Exposure */
    put_all(create, sizeof create);
    uint8_t map[8] = {8, 0, 2, 0};
    put32(map + 4, window);
    put_all(map, sizeof map);
    uint8_t focus[12] = {42, 2, 3, 0};         /* SetInputFocus, RevertToParent */
    put32(focus + 4, window);
    if (!managed) put_all(focus, sizeof focus);
    int said = 0;
    for (;;) {
        uint8_t ev[32];
        next_event(ev);
        uint8_t code = ev[0] & 0x7f;
        if (code == 0) die("the X server sent an error");
        if (code == 12 && !said) { /* Expose: the window is on the screen */
            printf("mapped\n");
            fflush(stdout);
            said = 1;
        }
        if (code == 2) {
            printf("key 0x%x\n", keysym_of(ev[1]));
            fflush(stdout);
        }
    }
}
