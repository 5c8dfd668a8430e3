/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lam-bench: dom0 user-space micro-benchmarks, run inside dom0 by
 * /systest/bench.sh on Lamina and on Xen 4.17 alike. Every figure is what a
 * PV kernel pays the hypervisor for: system calls bounce through it, fork
 * builds and pins page tables, exec tears them down, a page fault updates a
 * PTE. Each benchmark runs ROUNDS times; the median round is reported as
 *   BENCH <name> <value> <unit>
 *
 *   lam-bench [all | getppid | fork-exit | fork-exec | page-fault]
 *   lam-bench exit                 (the program fork-exec runs: exits at once)
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 5

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One round: do `iters` operations, return the nanoseconds taken, or 0 on error. */
typedef uint64_t (*round_fn)(long iters);

static int report(const char *name, round_fn fn, long iters, double per_unit, const char *unit)
{
    double r[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t ns = fn(iters);
        if (ns == 0) {
            printf("BENCH-ERROR %s: round %d failed\n", name, i);
            return 1;
        }
        r[i] = (double)ns / (double)iters / per_unit;
    }
    qsort(r, ROUNDS, sizeof(r[0]), cmp_double);
    printf("BENCH %s %.3f %s (min %.3f max %.3f, %d rounds of %ld)\n", name, r[ROUNDS / 2], unit,
           r[0], r[ROUNDS - 1], ROUNDS, iters);
    fflush(stdout);
    return 0;
}

static uint64_t round_getppid(long iters)
{
    pid_t parent = getppid();
    uint64_t t0 = now_ns();
    for (long i = 0; i < iters; i++)
        if (getppid() != parent) /* also keeps the call from being optimised out */
            return 0;
    return now_ns() - t0;
}

/* Wait for one child and check it exited with status 0. */
static int reap(pid_t pid)
{
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static uint64_t round_fork_exit(long iters)
{
    uint64_t t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        if (pid < 0 || !reap(pid))
            return 0;
    }
    return now_ns() - t0;
}

static char self_path[4096];

static uint64_t round_fork_exec(long iters)
{
    char *const args[] = {self_path, "exit", NULL};
    char *const envp[] = {NULL};
    uint64_t t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            execve(self_path, args, envp);
            _exit(127);
        }
        if (pid < 0 || !reap(pid))
            return 0;
    }
    return now_ns() - t0;
}

/* First touch of fresh anonymous pages: one fault and one PTE write each. */
static uint64_t round_page_fault(long pages)
{
    size_t len = (size_t)pages * 4096;
    volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 0;
    uint64_t t0 = now_ns();
    for (long i = 0; i < pages; i++)
        p[(size_t)i * 4096] = (char)i;
    uint64_t t = now_ns() - t0;
    for (long i = 0; i < pages; i++)
        if (p[(size_t)i * 4096] != (char)i)
            t = 0;
    munmap((void *)p, len);
    return t;
}

int main(int argc, char **argv)
{
    const char *which = argc >= 2 ? argv[1] : "all";
    if (!strcmp(which, "exit"))
        return 0;
    ssize_t n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
    if (n <= 0) {
        perror("readlink /proc/self/exe");
        return 1;
    }
    self_path[n] = '\0';
    int all = !strcmp(which, "all"), ran = 0, bad = 0;
    if (all || !strcmp(which, "getppid"))
        ran++, bad |= report("getppid", round_getppid, 100000, 1, "ns/call");
    if (all || !strcmp(which, "fork-exit"))
        ran++, bad |= report("fork-exit", round_fork_exit, 200, 1000, "us/op");
    if (all || !strcmp(which, "fork-exec"))
        ran++, bad |= report("fork-exec", round_fork_exec, 100, 1000, "us/op");
    if (all || !strcmp(which, "page-fault"))
        ran++, bad |= report("page-fault", round_page_fault, 16384, 1, "ns/page");
    if (!ran) {
        fprintf(stderr, "usage: lam-bench [all | getppid | fork-exit | fork-exec | page-fault]\n");
        return 2;
    }
    return bad;
}
