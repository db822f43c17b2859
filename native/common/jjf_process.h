/*
 * Who the running process is, as jjf records it next to what the process wrote: its start time
 * (field 22 of /proc/self/stat, clock ticks after boot) and the boot id. A pid is reused; pid +
 * start + boot is not. jjf's readers (symbols/ProcessIdentity) compare these fields, so both
 * native writers take them from here: the perf-map agent's map header ("# jjf-perfmap pid=...")
 * and the load-time auditor's record header ("# jjf-process pid=...").
 *
 * Header only (each library compiles its own copy, static inline); no allocation and no stdio,
 * since the auditor runs in the dynamic loader's audit namespace.
 */
#ifndef JJF_PROCESS_H
#define JJF_PROCESS_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

/* The whole of a small /proc file, NUL-terminated; false when it cannot be read. */
static inline bool jjf_read_small(const char *path, char *out, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ssize_t n = read(fd, out, cap - 1);
    close(fd);
    if (n <= 0) return false;
    out[n] = '\0';
    return true;
}

/* The process's start time, the digits of field 22 of /proc/self/stat, into out; false when unreadable. */
static inline bool jjf_process_start(char *out, size_t cap)
{
    char stat[1024];
    if (!jjf_read_small("/proc/self/stat", stat, sizeof stat)) return false;
    const char *p = strrchr(stat, ')'); /* the command name before it may hold blanks and ')' */
    /* p is at the ')' ending field 2; each step moves to the blank before the next field. */
    for (int field = 2; field < 22 && p != NULL; field++) p = strchr(p + 1, ' ');
    if (p == NULL) return false;
    p++;
    size_t len = strspn(p, "0123456789");
    if (len == 0 || len >= cap) return false;
    memcpy(out, p, len);
    out[len] = '\0';
    return true;
}

/* /proc/sys/kernel/random/boot_id without its line break; false when unreadable or empty. */
static inline bool jjf_boot_id(char *out, size_t cap)
{
    if (!jjf_read_small("/proc/sys/kernel/random/boot_id", out, cap)) return false;
    out[strcspn(out, "\n")] = '\0';
    return out[0] != '\0';
}

#endif
