/* The monitor's own release of a container's address leases (--network-lease), for a container
 * on the default bridge that published no port: without it, every stop would exec ferry for
 * nothing but a few lines of JSON (`ferry __network-down` does the rest: ports, names).
 *
 * The protocol is net/network_store.cpp's (keep the two in step): an exclusive flock of
 * <root>/networks/lock around every change; networks/leases/<network>.json holds one compact
 * JSON object, container ID -> {addresses, MAC, holder, names}, whose values hold no '{' or '}';
 * a file is replaced by rename of a complete temporary file (kill-safe, not fsync'ed: leases
 * describe running containers) and removed when its last lease goes. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

enum { k_max_leases_file = 4 << 20 };

static char* read_whole(const char* path, size_t* size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    char* text = NULL;
    if (fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < k_max_leases_file &&
        (text = (char*)malloc((size_t)st.st_size + 1)) != NULL) {
        size_t fill = 0;
        while (fill < (size_t)st.st_size) {
            ssize_t n = read(fd, text + fill, (size_t)st.st_size - fill);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            fill += (size_t)n;
        }
        text[fill] = 0;
        *size = fill;
    }
    close(fd);
    return text;
}

static int write_whole(const char* path, const char* text, size_t size) {
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp-%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, text + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += (size_t)n;
    }
    int ok = done == size && close(fd) == 0;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Removes container_id's lease from network_id's file; 0 when done or there was none. (Also
 * compiled as C++ by its unit test, hence the linkage.) */
#ifdef __cplusplus
extern "C"
#endif
int release_lease(const char* root, const char* network_id, const char* container_id) {
    char lock_path[4200], path[4200], key[128];
    snprintf(lock_path, sizeof lock_path, "%s/networks/lock", root);
    snprintf(path, sizeof path, "%s/networks/leases/%s.json", root, network_id);
    snprintf(key, sizeof key, "\"%s\":{", container_id);
    int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0) return -1;
    while (flock(lock, LOCK_EX) != 0)
        if (errno != EINTR) {
            close(lock);
            return -1;
        }
    int result = 0;
    size_t size = 0;
    char* text = read_whole(path, &size);
    char* start = text ? strstr(text, key) : NULL;
    char* end = start ? strchr(start + strlen(key), '}') : NULL;
    if (end) {
        end++;  /* past the lease's '}' */
        if (*end == ',')
            end++;  /* "A":{..},"B":{..} -> "B":{..} */
        else if (start > text && start[-1] == ',')
            start--;  /* ..,"A":{..}} -> ..} */
        memmove(start, end, size - (size_t)(end - text) + 1);
        size -= (size_t)(end - start);
        int empty = size >= 2 && text[0] == '{' && text[1] == '}';
        result = empty ? (unlink(path) == 0 || errno == ENOENT ? 0 : -1)
                       : write_whole(path, text, size);
    }
    free(text);
    close(lock);
    return result;
}
