/*
 * jjf's load-time auditor: an LD_AUDIT library that jjf run puts into every process it starts.
 * The dynamic loader calls la_objopen for each ELF object as it maps it (the program, its
 * dependencies, every dlopen, System.load included), while the file still exists and before the
 * program can delete it. For each object the auditor
 *   - appends "BUILD_ID PATH" to DIR/build-ids.PID ("-" when the file has no GNU build id), after a
 *     first line "# jjf-process pid=P start=TICKS boot=UUID seen_ms=MILLIS" naming the process;
 *   - copies it into DIR/libs/NAME when it was loaded from a temporary directory (JNI libraries are
 *     extracted there and deleted, sometimes right after loading), as the user, through the file
 *     the loader just opened: no /proc/PID/map_files, which needs CAP_CHECKPOINT_RESTORE.
 * DIR comes from $JJF_AUDIT_DIR; without it the auditor does nothing. The temporary directories are
 * $JJF_AUDIT_TEMP_DIRS (colon-separated), else /tmp, /var/tmp and /dev/shm.
 *
 * It runs inside every profiled process, in the loader's audit namespace (its own libc), so it
 * allocates nothing, never exits, and a failure only costs the record it was making: a copy that
 * fails is removed, and the program runs on.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jjf_io.h"
#include "jjf_process.h"

#define ENV_DIR "JJF_AUDIT_DIR"
#define ENV_TEMP_DIRS "JJF_AUDIT_TEMP_DIRS"
#define DEFAULT_TEMP_DIRS "/tmp:/var/tmp:/dev/shm"
#define LIBS_DIR "libs"
#define RECORD_PREFIX "build-ids."
#define MAX_PHDRS 256
#define MAX_NOTE_BYTES 8192
#define COPY_BUFFER_BYTES 65536

#define EXPORT __attribute__((visibility("default")))

static char out_dir[PATH_MAX];
static char temp_dirs[PATH_MAX];
/* The pid whose record got this image's header: a fork child or an exec'd image writes its own. */
static pid_t header_pid;

/* Appends one line with a single write(2): O_APPEND keeps lines of concurrent processes whole. */
static void append_record(const char *line, size_t n)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/" RECORD_PREFIX "%ld", out_dir, (long)getpid()) >= (int)sizeof path) return;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return;
    (void)jjf_write_all(fd, line, n);
    close(fd);
}

/* "# jjf-process pid=P start=TICKS boot=UUID seen_ms=MILLIS" (jjf_process.h); a field that cannot be read is empty. */
static void header(void)
{
    char start[32], boot[64], line[256];
    if (!jjf_process_start(start, sizeof start)) start[0] = '\0';
    if (!jjf_boot_id(boot, sizeof boot)) boot[0] = '\0';
    struct timespec now;
    clock_gettime(CLOCK_REALTIME_COARSE, &now); /* the clock file times come from */
    int n = snprintf(line, sizeof line, "# jjf-process pid=%ld start=%s boot=%s seen_ms=%lld\n", (long)getpid(), start, boot,
                     (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
    if (n > 0 && (size_t)n < sizeof line) append_record(line, (size_t)n);
}

/* The GNU build id from the file's PT_NOTE segments, as hex into out; false when there is none. */
static bool build_id(int fd, char *out, size_t cap)
{
    Elf64_Ehdr eh;
    if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh) return false;
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64
        || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > MAX_PHDRS) {
        return false;
    }
    Elf64_Phdr ph[MAX_PHDRS];
    size_t bytes = (size_t)eh.e_phnum * sizeof ph[0];
    if (pread(fd, ph, bytes, (off_t)eh.e_phoff) != (ssize_t)bytes) return false;
    for (int i = 0; i < eh.e_phnum; i++) {
        if (ph[i].p_type != PT_NOTE || ph[i].p_filesz == 0) continue;
        unsigned char notes[MAX_NOTE_BYTES];
        size_t size = ph[i].p_filesz < sizeof notes ? ph[i].p_filesz : sizeof notes;
        if (pread(fd, notes, size, (off_t)ph[i].p_offset) != (ssize_t)size) continue;
        size_t align = ph[i].p_align == 8 ? 8 : 4;
        for (size_t at = 0; at + sizeof(Elf64_Nhdr) <= size;) {
            Elf64_Nhdr nh;
            memcpy(&nh, notes + at, sizeof nh);
            size_t name_at = at + sizeof nh;
            size_t desc_at = name_at + ((nh.n_namesz + align - 1) & ~(align - 1));
            size_t next = desc_at + ((nh.n_descsz + align - 1) & ~(align - 1));
            if (desc_at > size || nh.n_descsz > size - desc_at || next <= at) break;
            if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && memcmp(notes + name_at, "GNU", 4) == 0
                && nh.n_descsz > 0 && nh.n_descsz * 2 < cap) {
                static const char hex[] = "0123456789abcdef";
                for (size_t k = 0; k < nh.n_descsz; k++) {
                    out[2 * k] = hex[notes[desc_at + k] >> 4];
                    out[2 * k + 1] = hex[notes[desc_at + k] & 15];
                }
                out[2 * nh.n_descsz] = '\0';
                return true;
            }
            at = next;
        }
    }
    return false;
}

static bool in_temp_dir(const char *path)
{
    for (const char *d = temp_dirs; *d != '\0';) {
        size_t n = strcspn(d, ":");
        size_t m = n;
        while (m > 1 && d[m - 1] == '/') m--; /* "/tmp/" and "/tmp" alike */
        if (m > 1 && d[0] == '/' && strncmp(path, d, m) == 0 && path[m] == '/') return true;
        d += n;
        if (*d == ':') d++;
    }
    return false;
}

/* Copies the open file to DIR/libs/NAME through a temp file and a rename; an existing copy is kept. */
static void keep_copy(int fd, const char *path)
{
    const char *name = strrchr(path, '/') + 1;
    char dir[PATH_MAX], target[PATH_MAX], tmp[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s/" LIBS_DIR, out_dir) >= (int)sizeof dir
        || snprintf(target, sizeof target, "%s/%s", dir, name) >= (int)sizeof target
        || snprintf(tmp, sizeof tmp, "%s/.%s.%ld.tmp", dir, name, (long)getpid()) >= (int)sizeof tmp) {
        return;
    }
    if (access(target, F_OK) == 0) return;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return;
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (out < 0) return;
    char buf[COPY_BUFFER_BYTES];
    off_t at = 0;
    bool ok = true;
    for (;;) {
        ssize_t n = pread(fd, buf, sizeof buf, at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        if (!jjf_write_all(out, buf, (size_t)n)) {
            ok = false;
            break;
        }
        at += n;
    }
    if (close(out) != 0) ok = false;
    if (!ok || rename(tmp, target) != 0) unlink(tmp);
}

EXPORT unsigned int la_version(unsigned int version)
{
    (void)version;
    const char *dir = getenv(ENV_DIR);
    if (dir != NULL && dir[0] == '/' && strlen(dir) < sizeof out_dir) strcpy(out_dir, dir);
    const char *temps = getenv(ENV_TEMP_DIRS);
    if (temps == NULL || temps[0] == '\0' || strlen(temps) >= sizeof temp_dirs) temps = DEFAULT_TEMP_DIRS;
    strcpy(temp_dirs, temps);
    return LAV_CURRENT;
}

EXPORT unsigned int la_objopen(struct link_map *map, Lmid_t lmid, uintptr_t *cookie)
{
    (void)lmid;
    (void)cookie;
    if (out_dir[0] == '\0') return 0;
    int saved = errno; /* the program's dlopen must not see our errors */
    if (header_pid != getpid()) {
        header_pid = getpid();
        header();
    }
    char exe[PATH_MAX];
    const char *path = map->l_name;
    if (path == NULL || path[0] == '\0') { /* the program itself */
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0) goto out;
        exe[n] = '\0';
        path = exe;
    }
    /* linux-vdso.so.1 is no file; a name with a line break cannot be a record line. */
    if (path[0] != '/' || strchr(path, '\n') != NULL) goto out;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) goto out;
    /* The name the kernel gives the open file is the one /proc/PID/maps (and so the profile) shows:
       symbolic links resolved, no "dir/../". */
    char proc_fd[64], real[PATH_MAX];
    snprintf(proc_fd, sizeof proc_fd, "/proc/self/fd/%d", fd);
    ssize_t rn = readlink(proc_fd, real, sizeof real - 1);
    if (rn > 0 && real[0] == '/') {
        real[rn] = '\0';
        if (strchr(real, '\n') == NULL) path = real;
    }
    char id[129], line[PATH_MAX + 160];
    if (!build_id(fd, id, sizeof id)) strcpy(id, "-");
    int n = snprintf(line, sizeof line, "%s %s\n", id, path);
    if (n > 0 && (size_t)n < sizeof line) append_record(line, (size_t)n);
    if (in_temp_dir(path)) keep_copy(fd, path);
    close(fd);
out:
    errno = saved;
    return 0; /* no symbol-binding audit: that would cost on every call */
}
