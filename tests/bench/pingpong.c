/*
 * pingpong: an independent, open-model echo latency client, the yardstick for the load generator
 * (tests/bench/instrument.sh, docs/instrument.md).
 *
 * One thread, blocking sockets, N connections at a total rate R. Send k is scheduled at
 * t0 + k / R on CLOCK_MONOTONIC and goes to connection k mod N; the thread sleeps until that time
 * (clock_nanosleep TIMER_ABSTIME, optionally waking --spin-us early and spinning the rest), sends,
 * then blocks until the whole echo is back. Each round trip is timed from its *scheduled* send
 * time, as the load generator times it: a send that leaves late because the previous echo was slow
 * is charged to the server (no coordinated omission). Send lag (actual send time minus scheduled)
 * is reported too, so the client's own error shows. The thread asks for a short scheduler slice
 * (--slice-us, Linux 6.12+ EEVDF custom slice), as the load generator's loops do, so on a shared CPU
 * both are woken on time the same way; 0 leaves the default.
 *
 *   pingpong --port P [--host 127.0.0.1] [--connections 50] [--rate 2000] [--duration 10]
 *            [--warmup 1] [--size 32] [--spin-us 0] [--slice-us 100]
 *
 * Prints one line of key=value pairs, latencies in microseconds:
 *   messages=20000 p50_us=25.1 p90_us=… p99_us=… p999_us=… max_us=… send_lag_p50_us=… send_lag_p99_us=…
 * Exit status: 0, 2 on bad arguments, 1 on a socket error or a mismatched echo.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(int64_t at_ns, int64_t spin_ns)
{
    int64_t wake = at_ns - spin_ns;
    if (now_ns() < wake) {
        struct timespec ts = { .tv_sec = wake / 1000000000LL, .tv_nsec = wake % 1000000000LL };
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
        }
    }
    while (spin_ns > 0 && now_ns() < at_ns) {
    }
}

/* struct sched_attr, first version (48 bytes): sched_runtime under SCHED_OTHER is EEVDF's custom slice. */
struct slice_attr {
    uint32_t size, policy;
    uint64_t flags;
    int32_t nice;
    uint32_t priority;
    uint64_t runtime, deadline, period;
};

static void set_slice(long slice_us)
{
    if (slice_us == 0) return;
    struct slice_attr attr = { .size = sizeof attr, .policy = 0, .runtime = (uint64_t)slice_us * 1000 };
    errno = 0;
    attr.nice = getpriority(PRIO_PROCESS, 0);
    if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0)
        fprintf(stderr, "pingpong: no custom scheduler slice (%s); the default applies\n", strerror(errno));
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank, as HdrHistogram's ValueAtPercentile is (to its bucket resolution). */
static double pct_us(const int64_t *sorted, long n, double p)
{
    long rank = (long)((p / 100.0) * n + 0.999999999);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return sorted[rank - 1] / 1000.0;
}

static void usage(const char *error)
{
    fprintf(stderr, "pingpong: %s\nusage: pingpong --port P [--host H] [--connections N] [--rate R] "
                    "[--duration S] [--warmup S] [--size B] [--spin-us U] [--slice-us U]\n", error);
    exit(2);
}

static long parse_long(const char *name, const char *value, long min, long max)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || *end || v < min || v > max) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s must be a whole number in %ld..%ld, got '%s'", name, min, max, value);
        usage(msg);
    }
    return v;
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    long port = 0, connections = 50, rate = 2000, duration = 10, warmup = 1, size = 32, spin_us = 0, slice_us = 100;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) usage("every option takes a value");
        const char *v = argv[++i];
        if (!strcmp(a, "--host")) host = v;
        else if (!strcmp(a, "--port")) port = parse_long(a, v, 1, 65535);
        else if (!strcmp(a, "--connections")) connections = parse_long(a, v, 1, 10000);
        else if (!strcmp(a, "--rate")) rate = parse_long(a, v, 1, 10000000);
        else if (!strcmp(a, "--duration")) duration = parse_long(a, v, 1, 3600);
        else if (!strcmp(a, "--warmup")) warmup = parse_long(a, v, 0, 3600);
        else if (!strcmp(a, "--size")) size = parse_long(a, v, 1, 1 << 20);
        else if (!strcmp(a, "--spin-us")) spin_us = parse_long(a, v, 0, 1000000);
        else if (!strcmp(a, "--slice-us")) slice_us = parse_long(a, v, 0, 100000);
        else usage("unknown option");
    }
    if (port == 0) usage("--port is required");

    /* The default slack (50 µs) would add up to 50 µs to every scheduled wake-up. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    set_slice(slice_us);

    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) usage("--host must be an IPv4 address");
    int *fds = calloc((size_t)connections, sizeof(int));
    for (long c = 0; c < connections; c++) {
        fds[c] = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        if (fds[c] < 0 || setsockopt(fds[c], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0
            || connect(fds[c], (struct sockaddr *)&addr, sizeof addr) != 0) {
            fprintf(stderr, "pingpong: connect %s:%ld: %s\n", host, port, strerror(errno));
            return 1;
        }
    }

    long total = (duration + warmup) * rate, skipped = warmup * rate, measured = total - skipped;
    int64_t *latency = malloc(sizeof(int64_t) * (size_t)measured);
    int64_t *lag = malloc(sizeof(int64_t) * (size_t)measured);
    unsigned char *tx = malloc((size_t)size), *rx = malloc((size_t)size);
    if (!latency || !lag || !tx || !rx) {
        fprintf(stderr, "pingpong: out of memory\n");
        return 1;
    }
    int64_t interval_ns = 1000000000LL / rate, spin_ns = spin_us * 1000LL;
    int64_t start = now_ns() + 1000000;  /* 1 ms from now */
    for (long k = 0; k < total; k++) {
        int64_t scheduled = start + k * interval_ns + (k * (1000000000LL % rate)) / rate;
        int fd = fds[k % connections];
        for (long b = 0; b < size; b++) tx[b] = (unsigned char)(k * 31 + b);
        sleep_until(scheduled, spin_ns);
        int64_t sent = now_ns();
        if (send(fd, tx, (size_t)size, 0) != size) {
            fprintf(stderr, "pingpong: send: %s\n", strerror(errno));
            return 1;
        }
        long got = 0;
        while (got < size) {
            ssize_t r = recv(fd, rx + got, (size_t)(size - got), 0);
            if (r <= 0) {
                fprintf(stderr, "pingpong: recv: %s\n", r == 0 ? "the server closed the connection" : strerror(errno));
                return 1;
            }
            got += r;
        }
        int64_t done = now_ns();
        if (memcmp(tx, rx, (size_t)size) != 0) {
            fprintf(stderr, "pingpong: echo %ld differs from what was sent\n", k);
            return 1;
        }
        if (k >= skipped) {
            latency[k - skipped] = done - scheduled;
            lag[k - skipped] = sent - scheduled;
        }
    }
    qsort(latency, (size_t)measured, sizeof(int64_t), cmp_i64);
    qsort(lag, (size_t)measured, sizeof(int64_t), cmp_i64);
    printf("messages=%ld p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f send_lag_p50_us=%.1f send_lag_p99_us=%.1f\n",
           measured, pct_us(latency, measured, 50), pct_us(latency, measured, 90), pct_us(latency, measured, 99),
           pct_us(latency, measured, 99.9), latency[measured - 1] / 1000.0, pct_us(lag, measured, 50), pct_us(lag, measured, 99));
    for (long c = 0; c < connections; c++) close(fds[c]);
    return 0;
}
