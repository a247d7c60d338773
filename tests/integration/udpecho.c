// A UDP echo server on port 53 for the networking tests (busybox has none), built static by them.
#include <netinet/in.h>
#include <sys/socket.h>
int main(void) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53)};
    if (bind(s, (struct sockaddr*)&a, sizeof a) != 0) return 1;
    for (;;) {
        char buf[512];
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        long n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr*)&from, &len);
        if (n > 0) sendto(s, buf, (size_t)n, 0, (struct sockaddr*)&from, len);
    }
}
