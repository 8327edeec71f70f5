/* A reference echo server in C: what the machine can do with epoll and nothing on top.
 *   c-epoll-echo [--port P] [--threads N]   (P 0 picks a free port; N defaults to the number of cores)
 * One thread per core, each with its own SO_REUSEPORT listener and epoll instance; level-triggered;
 * TCP_NODELAY like the engines. Other copies of the process can share the port too (each process is
 * held to 20,000 open files). Announces "echo-reference engine=c listening=0.0.0.0:PORT pid=N".
 * Echo semantics as the shootout's engines: what the kernel does not take at once is kept and sent when
 * the socket is writable (reading that connection pauses meanwhile: backpressure); after the client's
 * half-close everything received is echoed, then the connection closes; an error (a reset) closes that
 * connection only. SIGTERM exits with 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

enum { BUFFER = 65536 };

/* Bytes the kernel did not take yet, per descriptor; allocated only while some are pending. */
struct pending { char *data; size_t len, off; };
static struct pending *pending;
static size_t max_fds;

static int listener(int port) {
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    /* The kernel caps the backlog at net.core.somaxconn; make bench raises that for its burst of connects. */
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) || listen(fd, 65535)) { perror("c-epoll-echo: listen"); exit(1); }
    return fd;
}

static void drop(int fd) {
    if ((size_t)fd < max_fds) { free(pending[fd].data); pending[fd] = (struct pending){0}; }
    close(fd);
}

/* Sends what is pending on fd; returns 0 when all went, 1 when some is left, -1 on an error. */
static int flush(int fd) {
    struct pending *p = &pending[fd];
    while (p->off < p->len) {
        ssize_t w = send(fd, p->data + p->off, p->len - p->off, MSG_NOSIGNAL);
        if (w < 0) return errno == EAGAIN ? 1 : -1;
        p->off += (size_t)w;
    }
    free(p->data); *p = (struct pending){0};
    return 0;
}

/* One event loop: its listener and epoll instance, both made before the announcement (a process
 * that keeps its descriptor count still once listening lets a watcher count connections by it). */
struct loop_fds { int lfd, ep; };

static struct loop_fds *loop_for(int port) {
    struct loop_fds *l = malloc(sizeof *l);
    l->lfd = listener(port);
    l->ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = l->lfd};
    epoll_ctl(l->ep, EPOLL_CTL_ADD, l->lfd, &ev);
    return l;
}

static void *loop(void *arg) {
    int lfd = ((struct loop_fds *)arg)->lfd, ep = ((struct loop_fds *)arg)->ep, one = 1;
    struct epoll_event events[512];
    static __thread char buf[BUFFER];
    for (;;) {
        int n = epoll_wait(ep, events, 512, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == lfd) {
                int c;
                while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                }
                if (errno == EMFILE || errno == ENFILE) usleep(10000); /* the connection waits in the backlog */
                continue;
            }
            if (pending[fd].data) { /* writable again */
                int f = flush(fd);
                if (f < 0) { drop(fd); continue; }
                if (f == 0) { struct epoll_event cev = {.events = EPOLLIN, .data.fd = fd}; epoll_ctl(ep, EPOLL_CTL_MOD, fd, &cev); }
                continue;
            }
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (r <= 0) { drop(fd); continue; } /* half-close (all echoed already) or a reset */
            ssize_t w = send(fd, buf, (size_t)r, MSG_NOSIGNAL);
            if (w < 0 && errno == EAGAIN) w = 0;
            if (w < 0) { drop(fd); continue; }
            if (w < r) { /* keep the rest and wait until the client reads */
                pending[fd] = (struct pending){.data = malloc((size_t)(r - w)), .len = (size_t)(r - w)};
                if (!pending[fd].data) { drop(fd); continue; }
                memcpy(pending[fd].data, buf + w, (size_t)(r - w));
                struct epoll_event cev = {.events = EPOLLOUT, .data.fd = fd};
                epoll_ctl(ep, EPOLL_CTL_MOD, fd, &cev);
            }
        }
    }
    return NULL;
}

static void exit_now(int sig) { (void)sig; _exit(0); }

int main(int argc, char **argv) {
    long port = 7000, threads = sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        long *into = !strcmp(argv[i], "--port") ? &port : !strcmp(argv[i], "--threads") ? &threads : NULL;
        if (!into || i + 1 >= argc || (*into = strtol(argv[++i], &end, 10), *end) || port < 0 || port > 65535 || threads < 1) {
            fprintf(stderr, "usage: c-epoll-echo [--port 0..65535] [--threads N>0]\n");
            return 2;
        }
    }
    struct rlimit nofile;
    getrlimit(RLIMIT_NOFILE, &nofile);
    max_fds = (size_t)nofile.rlim_cur;
    pending = calloc(max_fds, sizeof *pending);
    signal(SIGTERM, exit_now);
    /* The first listener picks the port when asked for 0; the others share it. All listen before the announcement. */
    struct loop_fds *first = loop_for((int)port);
    struct sockaddr_in bound;
    socklen_t len = sizeof bound;
    getsockname(first->lfd, (struct sockaddr *)&bound, &len);
    int chosen = ntohs(bound.sin_port);
    pthread_t t;
    for (long i = 1; i < threads; i++) pthread_create(&t, NULL, loop, loop_for(chosen));
    printf("echo-reference engine=c listening=0.0.0.0:%d pid=%d\n", chosen, (int)getpid());
    fflush(stdout);
    loop(first);
}
