/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lam-timeit: the stopwatch of the toolstack benchmarks (tests/system/dom0/toolbench.sh),
 * the same on Lamina with lam and on Xen 4.17 with xl.
 *
 *   lam-timeit [--runs N] [--timeout S] [--line FILE TEXT] -- COMMAND [ARGS...]
 *
 * Runs COMMAND N times (default 1; its output goes to /dev/null) and prints
 *   TIMEIT cmd_ms=<median wall time of COMMAND> rc=<last exit status>
 * With --line, COMMAND runs once and the clock also stops when FILE (a console daemon's log
 * of the new guest) first holds TEXT, polled every 0.5 ms from COMMAND's start:
 *   TIMEIT cmd_ms=<...> rc=<...> line_ms=<time to TEXT, or -1 after S seconds (default 120)>
 * xl and lam both return once the domain is unpaused, so cmd_ms is the toolstack's time
 * and line_ms the time to the guest kernel's first console line.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 1000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static pid_t start(char **argv)
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static int exit_status(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Whether FILE holds TEXT (the logs here are small: read them whole). */
static int file_has(const char *file, const char *text)
{
    static char buf[1 << 20];
    int fd = open(file, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    for (ssize_t i = 0; i < n; i++) /* a NUL in the log must not hide what follows */
        if (buf[i] == '\0')
            buf[i] = ' ';
    return strstr(buf, text) != NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One run with a line to wait for: both clocks from the same start. */
static int time_line(char **argv, const char *file, const char *text, double timeout_s)
{
    double t0 = now_ms(), cmd_ms = -1, line_ms = -1;
    int rc = -1;
    pid_t pid = start(argv);
    if (pid < 0) {
        perror("lam-timeit: fork");
        return 1;
    }
    while (cmd_ms < 0 || line_ms < 0) {
        double t = now_ms();
        if (cmd_ms < 0) {
            int status;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                cmd_ms = t - t0;
                rc = exit_status(status);
                if (rc != 0)
                    break; /* the create failed: no line will come */
            }
        }
        if (line_ms < 0 && file_has(file, text))
            line_ms = t - t0;
        if (t - t0 > timeout_s * 1e3)
            break;
        usleep(500);
    }
    if (cmd_ms < 0) { /* still running at the timeout */
        int status;
        kill(pid, 9);
        waitpid(pid, &status, 0);
    }
    printf("TIMEIT cmd_ms=%.1f rc=%d line_ms=%.1f\n", cmd_ms, rc, line_ms);
    return rc == 0 && line_ms >= 0 ? 0 : 1;
}

static int time_runs(char **argv, int runs)
{
    static double ms[MAX_RUNS];
    int rc = 0;
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        int status;
        pid_t pid = start(argv);
        if (pid < 0 || waitpid(pid, &status, 0) != pid) {
            perror("lam-timeit");
            return 1;
        }
        ms[i] = now_ms() - t0;
        rc = exit_status(status);
    }
    qsort(ms, (size_t)runs, sizeof(ms[0]), cmp_double);
    printf("TIMEIT cmd_ms=%.1f rc=%d\n", ms[runs / 2], rc);
    return rc != 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: lam-timeit [--runs N] [--timeout S] [--line FILE TEXT] -- COMMAND [ARGS...]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int runs = 1, i = 1;
    double timeout_s = 120;
    const char *file = NULL, *text = NULL;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
            timeout_s = atof(argv[++i]);
        else if (strcmp(argv[i], "--line") == 0 && i + 2 < argc) {
            file = argv[++i];
            text = argv[++i];
        } else
            usage();
    }
    if (i + 1 >= argc || runs < 1 || runs > MAX_RUNS || timeout_s <= 0)
        usage();
    fflush(stdout);
    if (file)
        return time_line(argv + i + 1, file, text, timeout_s);
    return time_runs(argv + i + 1, runs);
}
