/*
 * Writing a whole buffer to a file descriptor, for the native libraries that write jjf's files
 * (the perf-map agent's maps and reports, the load-time auditor's records). Header only (each
 * library compiles its own copy, static inline); no allocation and no stdio, since the auditor
 * runs in the dynamic loader's audit namespace.
 */
#ifndef JJF_IO_H
#define JJF_IO_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>

/* Writes all n bytes, going on after short writes and EINTR; false on any other error (errno says which). */
static inline bool jjf_write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

#endif
