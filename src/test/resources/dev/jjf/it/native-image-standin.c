/*
 * A STAND-IN for a GraalVM Native Image, for DumpHeapIT: no native-image builder exists on these
 * machines. It mimics only the outside contract jjf relies on (GraalVM's DumpHeapOnSignal handler
 * and VMRuntime.dumpHeap, read from their sources), not the image itself:
 *   - an ELF section named .svm_heap (every image has one: the pre-built image heap);
 *   - with -DSUPPORT=1 the string "svm-heapdump-" (the dump code's default file-name prefix);
 *   - with -DHANDLER=1 a SIGUSR1 handler; on SIGUSR1 it writes svm-heapdump-<pid>-<UTC time>.hprof
 *     into its working directory, slowly (CHUNKS records, a pause after each), then closes it.
 * The file is a valid HPROF 1.0.2 of STRING records only. Each line on stdin is answered with
 * "pong <line>", so a test can prove the process still runs; end of input ends it.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNKS 40
#define CHUNK_BYTES 65536
#define PAUSE_NANOS 20000000L

__attribute__((section(".svm_heap"), used)) static const char image_heap[64] = "stand-in image heap";
#if SUPPORT
static const char prefix[] = "svm-heapdump-";
#else
static const char prefix[] = "standin-dump-";
#endif

static volatile sig_atomic_t requested;

static void on_usr1(int sig) {
    (void) sig;
    requested = 1;
}

static void put_u4(unsigned char *p, uint32_t v) {
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static int write_all(int fd, const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) return -1;
        p += w; n -= (size_t) w;
    }
    return 0;
}

static void dump(void) {
    char name[128], stamp[32];
    time_t now = time(NULL);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime(&now));
    snprintf(name, sizeof name, "%s%d-%s.hprof", prefix, (int) getpid(), stamp);
    int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) { perror(name); return; }
    static unsigned char buf[9 + 8 + CHUNK_BYTES];
    unsigned char header[31];
    memcpy(header, "JAVA PROFILE 1.0.2", 19);
    put_u4(header + 19, 8);
    memset(header + 23, 0, 8);
    write_all(fd, header, sizeof header);
    for (int i = 0; i < CHUNKS; i++) {
        buf[0] = 0x01; /* STRING IN UTF8 */
        put_u4(buf + 1, 0);
        put_u4(buf + 5, 8 + CHUNK_BYTES);
        memset(buf + 9, 0, 8);
        buf[16] = (unsigned char) (i + 1);
        memset(buf + 17, 'a' + i % 26, CHUNK_BYTES);
        write_all(fd, buf, sizeof buf);
        struct timespec pause = {0, PAUSE_NANOS};
        nanosleep(&pause, NULL);
    }
    close(fd);
    printf("dumped %s\n", name);
    fflush(stdout);
}

int main(void) {
#if HANDLER
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
#endif
    printf("ready\n");
    fflush(stdout);
    char line[256];
    for (;;) {
        if (requested) {
            requested = 0;
            dump();
        }
        struct pollfd in = {0, POLLIN, 0};
        if (poll(&in, 1, 10) > 0) {
            if (!fgets(line, sizeof line, stdin)) return 0;
            printf("pong %s", line);
            fflush(stdout);
        }
    }
}
