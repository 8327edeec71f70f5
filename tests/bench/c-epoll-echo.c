/* Reference for the benchmark, not a product: a minimal C epoll echo server.
 *   c-epoll-echo PORT [THREADS]   (THREADS defaults to the number of cores)
 * One thread per core, each with its own SO_REUSEPORT listener and epoll instance; level-triggered;
 * TCP_NODELAY like the engines. A write the kernel does not take whole closes the connection: the
 * benchmark's closed-loop clients never cause one. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static int port;

static void *loop(void *arg) {
    (void)arg;
    int one = 1, lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) || listen(lfd, 4096)) { perror("listen"); exit(1); }
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd}, events[512];
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    static __thread char buf[65536];
    for (;;) {
        int n = epoll_wait(ep, events, 512, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == lfd) {
                int c;
                while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                }
                continue;
            }
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            if (r < 0 && errno == EAGAIN) continue;
            if (r <= 0 || send(fd, buf, r, MSG_NOSIGNAL) != r) close(fd);
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2 || (port = atoi(argv[1])) <= 0 || port > 65535) { fprintf(stderr, "usage: c-epoll-echo PORT [THREADS]\n"); return 2; }
    int threads = argc > 2 ? atoi(argv[2]) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1) { fprintf(stderr, "c-epoll-echo: THREADS must be at least 1\n"); return 2; }
    pthread_t t;
    for (int i = 1; i < threads; i++) pthread_create(&t, NULL, loop, NULL);
    loop(NULL);
}
