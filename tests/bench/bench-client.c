/* The benchmark's neutral client: a single epoll thread in C, so the client is never what is measured.
 *
 *   bench-client accept HOST PORT N HOLD_FILE   connect N times one after another, prove every connection
 *                                               is served (one byte echoed on each), print the rate, then
 *                                               hold them idle until HOLD_FILE is deleted.
 *   bench-client idle HOST PORT N HOLD_FILE     connect N times and send nothing (the server's own count
 *                                               must tell whether it took them), hold until HOLD_FILE is
 *                                               deleted.
 *   bench-client echo HOST PORT C SIZE SECONDS  closed loop: C connections each send SIZE bytes and wait for
 *                                               them to come back; print messages per second.
 * Output: one line of key=value pairs on stdout. Exit 1 with a message on stderr on any failure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "bench-client: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int connect_to(struct sockaddr_in *addr) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)addr, sizeof *addr) < 0) die("connect");
    return fd;
}

static void read_exactly(int fd, char *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, buf + got, n - got, 0);
        if (r <= 0) { if (r == 0) errno = ECONNRESET; die("recv"); }
        got += (size_t)r;
    }
}

static int accept_mode(struct sockaddr_in *addr, int n, const char *hold_file) {
    int *fds = malloc(sizeof(int) * (size_t)n);
    double start = now();
    for (int i = 0; i < n; i++) fds[i] = connect_to(addr);
    double connected = now();
    /* Every connection echoes one byte: now the server has accepted and is serving all of them. */
    char b = 'x';
    for (int i = 0; i < n; i++)
        if (send(fds[i], &b, 1, MSG_NOSIGNAL) != 1) die("send");
    for (int i = 0; i < n; i++) read_exactly(fds[i], &b, 1);
    double served = now();
    printf("connections=%d connect_seconds=%.3f served_seconds=%.3f accepts_per_s=%.0f\n",
           n, connected - start, served - start, n / (served - start));
    fflush(stdout);
    while (access(hold_file, F_OK) == 0) usleep(20000);
    for (int i = 0; i < n; i++) close(fds[i]);
    return 0;
}

static int idle_mode(struct sockaddr_in *addr, int n, const char *hold_file) {
    int *fds = malloc(sizeof(int) * (size_t)n);
    double start = now();
    for (int i = 0; i < n; i++) fds[i] = connect_to(addr);
    printf("connections=%d connect_seconds=%.3f\n", n, now() - start);
    fflush(stdout);
    while (access(hold_file, F_OK) == 0) usleep(20000);
    for (int i = 0; i < n; i++) close(fds[i]);
    return 0;
}

static int echo_mode(struct sockaddr_in *addr, int c, int size, double seconds) {
    int ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    int *received = calloc((size_t)c, sizeof(int));
    char *msg = malloc((size_t)size), *buf = malloc((size_t)size);
    memset(msg, 'e', (size_t)size);
    for (int i = 0; i < c; i++) {
        int fd = connect_to(addr);
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = ((unsigned long long)i << 32) | (unsigned)fd};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
        if (send(fd, msg, (size_t)size, MSG_NOSIGNAL) != size) die("send");
    }
    long long messages = 0;
    struct epoll_event events[256];
    double start = now(), end = start + seconds;
    while (now() < end) {
        int k = epoll_wait(ep, events, 256, 100);
        if (k < 0 && errno != EINTR) die("epoll_wait");
        for (int j = 0; j < k; j++) {
            int i = (int)(events[j].data.u64 >> 32), fd = (int)(events[j].data.u64 & 0xffffffff);
            ssize_t r = recv(fd, buf, (size_t)(size - received[i]), 0);
            if (r <= 0) { if (r == 0) errno = ECONNRESET; if (errno == EAGAIN) continue; die("recv"); }
            received[i] += (int)r;
            if (received[i] == size) {
                received[i] = 0;
                messages++;
                if (send(fd, msg, (size_t)size, MSG_NOSIGNAL) != size) die("send");
            }
        }
    }
    double elapsed = now() - start;
    printf("connections=%d message_size=%d seconds=%.2f messages=%lld msgs_per_s=%.0f\n", c, size, elapsed, messages, messages / elapsed);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: bench-client accept|idle HOST PORT N HOLD_FILE | echo HOST PORT C SIZE SECONDS\n");
        return 2;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[3]))};
    if (inet_pton(AF_INET, argv[2], &addr.sin_addr) != 1) { fprintf(stderr, "bench-client: bad HOST %s\n", argv[2]); return 2; }
    if (strcmp(argv[1], "accept") == 0 && argc == 6) return accept_mode(&addr, atoi(argv[4]), argv[5]);
    if (strcmp(argv[1], "idle") == 0 && argc == 6) return idle_mode(&addr, atoi(argv[4]), argv[5]);
    if (strcmp(argv[1], "echo") == 0 && argc == 7) return echo_mode(&addr, atoi(argv[4]), atoi(argv[5]), atof(argv[6]));
    fprintf(stderr, "bench-client: bad arguments\n");
    return 2;
}
