/*
 * jjf perf-map agent: a JVMTI agent that writes the JVM's perf map (perf-<pid>.map) itself,
 * with the JIT's inlining, so that an address inside compiled code names every Java method
 * that executes there.
 *
 *   java -agentpath:/path/libjjfperfmap.so=file=/out/perf-%p.map,unfold=true ...
 *
 * Map lines are "START SIZE NAME" (hex without 0x, as perf(1) reads them):
 *   - one line per compiled method over its whole code, NAME = pkg.Class.method(args);
 *   - then, with unfold=true, one line per address range where the JIT inlined other methods,
 *     NAME = outer(args)->inlined(args)->innermost(args), outermost first;
 *   - one line per piece of generated code (interpreter, stubs, adapters), NAME as the JVM says.
 * Lines are appended in event order and never rewritten: when code is freed and its address
 * reused, the newer code's lines come later. A reader takes, for each address, the last line
 * that covers it: the code that was there most recently. Unload events write nothing, so freed
 * code keeps its name until something newer lands on its address.
 *
 * Inline ranges: HotSpot describes compiled code with PC descriptors; descriptor i at address
 * pc[i] describes the instructions that end at or before pc[i] and after pc[i-1] (a call's
 * descriptor sits at its return address). So range i is [pc[i-1], pc[i]), starting at the code's
 * first byte; a return address R then lies at the end of its call's range and R-1 inside it.
 *
 * Failure never takes the JVM down: bad options or an unwritable file print one line on stderr
 * and the JVM runs on without the agent.
 *
 * Attach-time actions (jjf snapshot): loaded into a running JVM with dump=PREFIX and/or
 * prof_active=true|false, the agent does its job and returns instead of staying on as a writer:
 *   - dump=PREFIX: replays the code that exists into file= (appended), and meanwhile has the
 *     process's jemalloc write its heap profile to PREFIX.<pid>.<seq>.m<seq>.heap;
 *   - prof_active=B: switches jemalloc's sampling (mallctl "prof.active");
 *   - report=PATH: writes "KEY VALUE" lines saying what was done, for the attacher to read.
 * jemalloc is reached through mallctl found in the global scope; without it, or without prof:true,
 * the agent refuses (JNI_ERR) with one line on stderr. The JVM loads the library again for every
 * attach but runs one copy of it: dumps share one JVMTI environment, created by the first dump,
 * whose events are enabled only while a dump runs. No thread is started for any of this.
 */
#define _GNU_SOURCE
#include <jvmti.h>
#include <jvmticmlr.h>

#include "javastack.h"
#include "jjf_io.h"
#include "jjf_process.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MSG "jjf-perfmap: "
/*
 * Not /tmp/perf-%p.map: the JDK's own Compiler.perfmap and -XX:+DumpPerfMapAtExit rewrite that file
 * (with O_TRUNC), which would cut this agent's map short. perf(1) reads /tmp/perf-PID.map only; give
 * file=/tmp/perf-%p.map for it, and do not use the JDK's map commands in that JVM.
 */
#define DEFAULT_FILE "/tmp/jjf-perf-%p.map"
/* The map's first line names the process it describes: readers can tell a stale map by it. */
#define HEADER_TAG "# jjf-perfmap"
/*
 * "# jjf-compiled id=CID blob=ADDRESS lines=N" comes before the N lines of one compiled method:
 * the backtrace hook records that compilation's frames as 0xFB00000000000000 | CID << 24 | offset
 * from ADDRESS (see javastack.c), and these N lines, moved there, name them.
 */
#define COMPILED_TAG "# jjf-compiled"
#define DEFAULT_FLUSH_MS 1000L
#define MAX_FLUSH_MS 3600000L
/* Pending lines are written once this much has gathered (or every flush_ms). */
#define WRITE_BYTES (64 * 1024)
/* Beyond this, a committing thread waits for the writer: memory stays bounded on a stuck filesystem. */
#define MAX_PENDING_BYTES (16 * 1024 * 1024)
#define UNKNOWN_METHOD "<unknown>.<unknown>()"
/* Deeper inline chains than C2 ever builds (MaxInlineLevel is 15) are not believed. */
#define MAX_INLINE_DEPTH 256

typedef struct {
    char file[PATH_MAX];
    bool unfold;
    bool java_frames; /* jjf: javastack: install jemalloc's backtrace hook */
    bool lines;       /* source lines after Java methods */
    bool append;
    long flush_ms;
    /* Attach-time actions; none of them is allowed at launch. */
    bool dump;
    char dump_prefix[PATH_MAX];
    int prof_active; /* -1: leave it, 0 or 1: switch jemalloc's sampling */
    bool report;
    char report_file[PATH_MAX];
    bool hook; /* after the dump, stay as the JVM's writer with the backtrace hook (see start_hook) */
} agent_options;

/* A growable string; on allocation failure it stays marked failed and its text is dropped. */
typedef struct {
    char *p;
    size_t len;
    size_t cap;
    bool failed;
} text;

/*
 * Everything the agent keeps, reached from callbacks through the JVMTI environment's local storage.
 * Lines are written outside the lock that compile callbacks take: a committing thread appends to
 * `pending`; whoever writes takes `pending` whole (swapping in `spare`), sets `writing`, and writes
 * with the lock released. One writer at a time, so lines reach the file in commit order.
 */
typedef struct {
    JavaVM *vm;
    jvmtiEnv *jvmti;             /* set for the dump agent only */
    agent_options opt;           /* the launch agent's options: set before any event, never changed */
    atomic_bool unfold;          /* read by compile callbacks without the lock; each dump may change it */
    pthread_mutex_t lock;        /* guards everything below */
    pthread_cond_t wake;         /* wakes the flusher */
    pthread_cond_t written;      /* broadcast when a writer is done */
    pthread_t flusher;
    bool flusher_running;
    bool stopping;
    bool flush_now;              /* asks the flusher to write without waiting for flush_ms */
    int fd;                      /* -1 once closed or after a write error */
    bool write_failed;
    bool writing;                /* a thread is writing a taken buffer with the lock released */
    char file[PATH_MAX];         /* the map being written, for messages */
    text pending;                /* committed lines not yet written, in commit order */
    text spare;                  /* an emptied buffer, kept for reuse */
} agent;

/*
 * The agent that writes this JVM's map as it runs (loaded at launch by jjf run, or attached as a
 * writer), if any: what it wrote (the hook's interpreted methods, compilations by compile id, code
 * freed since) names frames a dump's replay of the current code cannot, so each dump copies it.
 */
static _Atomic(agent *) history_agent;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
    char line[PATH_MAX + 512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, MSG "%s\n", line);
    fflush(stderr);
}

static const char *jvmti_error(jvmtiEnv *jvmti, jvmtiError err, char *scratch, size_t n)
{
    char *name = NULL;
    if (jvmti != NULL && (*jvmti)->GetErrorName(jvmti, err, &name) == JVMTI_ERROR_NONE && name != NULL) {
        snprintf(scratch, n, "%s", name);
        (*jvmti)->Deallocate(jvmti, (unsigned char *)name);
    } else {
        snprintf(scratch, n, "JVMTI error %d", (int)err);
    }
    return scratch;
}

static bool check(jvmtiEnv *jvmti, jvmtiError err, const char *what)
{
    char scratch[64];
    if (err == JVMTI_ERROR_NONE) return true;
    say("%s failed: %s", what, jvmti_error(jvmti, err, scratch, sizeof scratch));
    return false;
}

/* ---- text ---- */

static void text_reserve(text *t, size_t more)
{
    if (t->failed) return;
    if (t->len + more + 1 <= t->cap) return;
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->len + more + 1) cap *= 2;
    char *p = realloc(t->p, cap);
    if (p == NULL) {
        t->failed = true;
        return;
    }
    t->p = p;
    t->cap = cap;
}

static void text_putn(text *t, const char *s, size_t n)
{
    text_reserve(t, n);
    if (t->failed) return;
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void text_puts(text *t, const char *s)
{
    text_putn(t, s, strlen(s));
}

static void text_putc(text *t, char c)
{
    if (!t->failed && t->len + 2 <= t->cap) { /* names are built a byte at a time: no call for room */
        t->p[t->len++] = c;
        t->p[t->len] = '\0';
        return;
    }
    text_putn(t, &c, 1);
}

static void text_printf(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_printf(text *t, const char *fmt, ...)
{
    char small[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        text_putn(t, small, (size_t)n);
        return;
    }
    text_reserve(t, (size_t)n);
    if (t->failed) return;
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/*
 * Appends a JVM name (modified UTF-8) as UTF-8 that the map format and jjf's reader take
 * literally: control characters (a newline would end the line) and, where `spaces` is false,
 * blanks (jjf reads "TYPE NAME(ARGS)" with a space before the name) become '_'.
 */
static void put_name(text *t, const char *s, size_t n, bool spaces)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        /* Bytes taken as they are go in runs: most names need no change at all. */
        size_t plain = i;
        while (plain < n && u[plain] > ' ' && u[plain] != 0x7F && u[plain] != 0xC0 && u[plain] != 0xED) plain++;
        if (plain > i) {
            text_putn(t, s + i, plain - i);
            i = plain - 1;
            continue;
        }
        unsigned char c = u[i];
        if (c == 0xC0 && i + 1 < n && u[i + 1] == 0x80) { /* modified UTF-8's NUL */
            text_putc(t, '_');
            i++;
        } else if (c == 0xED && i + 2 < n && (u[i + 1] & 0xF0) == 0xA0) {
            /* A surrogate pair is six bytes in modified UTF-8 and four in UTF-8. */
            if (i + 5 < n && u[i + 3] == 0xED && (u[i + 4] & 0xF0) == 0xB0) {
                uint32_t hi = 0xD000u | ((uint32_t)(u[i + 1] & 0x3F) << 6) | (u[i + 2] & 0x3F);
                uint32_t lo = 0xD000u | ((uint32_t)(u[i + 4] & 0x3F) << 6) | (u[i + 5] & 0x3F);
                uint32_t cp = 0x10000u + ((hi - 0xD800u) << 10) + (lo - 0xDC00u);
                char out[4] = {(char)(0xF0 | (cp >> 18)), (char)(0x80 | ((cp >> 12) & 0x3F)),
                               (char)(0x80 | ((cp >> 6) & 0x3F)), (char)(0x80 | (cp & 0x3F))};
                text_putn(t, out, 4);
                i += 5;
            } else {
                text_puts(t, "\xEF\xBF\xBD"); /* a lone surrogate: U+FFFD */
                i += 2;
            }
        } else if (c < 0x20 || c == 0x7F || (!spaces && c == ' ')) {
            text_putc(t, '_');
        } else {
            text_putc(t, (char)c);
        }
    }
}

/* Appends the Java type of one field descriptor at *d ("[Ljava/lang/String;" -> "java.lang.String[]"). */
static bool put_type(text *t, const char **d)
{
    const char *p = *d;
    int dims = 0;
    while (*p == '[') {
        dims++;
        p++;
    }
    const char *prim = NULL;
    switch (*p) {
    case 'Z': prim = "boolean"; break;
    case 'B': prim = "byte"; break;
    case 'C': prim = "char"; break;
    case 'S': prim = "short"; break;
    case 'I': prim = "int"; break;
    case 'J': prim = "long"; break;
    case 'F': prim = "float"; break;
    case 'D': prim = "double"; break;
    case 'V': prim = "void"; break;
    case 'L': {
        const char *end = strchr(p, ';');
        if (end == NULL) return false;
        /* "Lp/A$$Lambda$1.0x0800;" is a hidden class: written p.A$$Lambda$1/0x0800 as the JDK does. */
        for (const char *q = p + 1; q < end;) {
            size_t n = strcspn(q, "/.;");
            put_name(t, q, n, false);
            q += n;
            if (q < end) text_putc(t, *q++ == '/' ? '.' : '/');
        }
        p = end + 1;
        break;
    }
    default:
        return false;
    }
    if (prim != NULL) {
        text_puts(t, prim);
        p++;
    }
    for (int i = 0; i < dims; i++) text_puts(t, "[]");
    *d = p;
    return true;
}

/* "pkg.Class." from JVMTI's class signature: how every method name of the class begins. */
static void put_method_class(text *t, const char *class_sig)
{
    const char *c = class_sig;
    size_t mark = t->len;
    if (!put_type(t, &c) || *c != '\0') {
        t->len = mark;
        put_name(t, class_sig, strlen(class_sig), false);
    }
    text_putc(t, '.');
}

/* "method(int, java.lang.String[])", what follows put_method_class. */
static void put_method_tail(text *t, const char *name, const char *descriptor)
{
    put_name(t, name, strlen(name), false);
    text_putc(t, '(');
    const char *d = descriptor;
    if (*d == '(') {
        d++;
        bool first = true;
        while (*d != ')' && *d != '\0') {
            if (!first) text_puts(t, ", ");
            first = false;
            if (!put_type(t, &d)) {
                text_putc(t, '?');
                break;
            }
        }
    }
    text_putc(t, ')');
}

/* "pkg.Class.method(int, java.lang.String[])" from JVMTI's class signature, name and descriptor. */
static void put_method(text *t, const char *class_sig, const char *name, const char *descriptor)
{
    put_method_class(t, class_sig);
    put_method_tail(t, name, descriptor);
}

/*
 * "->" separates the methods of an inline chain, so it may not occur inside one name; JVM
 * class names may contain it (other JVM languages), so it becomes "-_".
 */
static void break_separators(text *t, size_t from)
{
    if (t->failed) return;
    for (size_t i = from; i + 1 < t->len; i++) {
        if (t->p[i] == '-' && t->p[i + 1] == '>') t->p[i + 1] = '_';
    }
}

/* ---- method names, cached per event: an inline record repeats the same methods many times ---- */

/* A method's line table, sorted by bytecode index; end is one past its last bytecode. */
typedef struct {
    jvmtiLineNumberEntry *entries;
    jint count;
    jlocation end;
    char *file;
} method_lines;

static void method_lines_free(method_lines *m);

typedef struct {
    jmethodID id;
    char *name;
    method_lines *lines; /* NULL when the method has no line table */
} slot;

typedef struct {
    slot *slots;
    size_t cap; /* a power of two, or 0 */
    size_t count;
} name_cache;

static size_t slot_of(const name_cache *c, jmethodID id)
{
    uintptr_t h = (uintptr_t)id;
    h ^= h >> 17;
    h *= (uintptr_t)0x9E3779B97F4A7C15ull;
    size_t i = (size_t)(h >> 7) & (c->cap - 1);
    while (c->slots[i].id != NULL && c->slots[i].id != id) i = (i + 1) & (c->cap - 1);
    return i;
}

static bool cache_grow(name_cache *c)
{
    size_t cap = c->cap ? c->cap * 2 : 64;
    slot *slots = calloc(cap, sizeof *slots);
    if (slots == NULL) return false;
    name_cache bigger = {slots, cap, c->count};
    for (size_t i = 0; i < c->cap; i++) {
        if (c->slots[i].id != NULL) bigger.slots[slot_of(&bigger, c->slots[i].id)] = c->slots[i];
    }
    free(c->slots);
    *c = bigger;
    return true;
}

static void cache_free(name_cache *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        free(c->slots[i].name);
        method_lines_free(c->slots[i].lines);
    }
    free(c->slots);
    c->slots = NULL;
    c->cap = c->count = 0;
}

static void delete_local_ref(JavaVM *vm, jobject ref)
{
    JNIEnv *jni = NULL;
    /* Callbacks free their local references on return; -Xcomp events can hold thousands meanwhile. */
    if (ref != NULL && (*vm)->GetEnv(vm, (void **)&jni, JNI_VERSION_1_2) == JNI_OK && jni != NULL) {
        (*jni)->DeleteLocalRef(jni, ref);
    }
}

/* Also javastack.c's: one way to name a method. */
char *resolve_name(JavaVM *vm, jvmtiEnv *jvmti, jmethodID id)
{
    char *name = NULL, *descriptor = NULL, *class_sig = NULL;
    jclass klass = NULL;
    char *result = NULL;
    if ((*jvmti)->GetMethodName(jvmti, id, &name, &descriptor, NULL) == JVMTI_ERROR_NONE
        && (*jvmti)->GetMethodDeclaringClass(jvmti, id, &klass) == JVMTI_ERROR_NONE
        && (*jvmti)->GetClassSignature(jvmti, klass, &class_sig, NULL) == JVMTI_ERROR_NONE) {
        text t = {0};
        put_method(&t, class_sig, name, descriptor);
        break_separators(&t, 0);
        if (t.failed) free(t.p);
        else result = t.p;
    }
    /* A method whose class is gone (or an allocation failure) still gets a Java-shaped name. */
    if (result == NULL) result = strdup(UNKNOWN_METHOD);
    delete_local_ref(vm, klass);
    if (name) (*jvmti)->Deallocate(jvmti, (unsigned char *)name);
    if (descriptor) (*jvmti)->Deallocate(jvmti, (unsigned char *)descriptor);
    if (class_sig) (*jvmti)->Deallocate(jvmti, (unsigned char *)class_sig);
    return result;
}

/* ---- source lines: (method, bci) -> (file, line), from GetLineNumberTable and GetSourceFileName ---- */

/* lines=false turns them off: set once at start, before any event. */
static atomic_bool source_lines_on = true;

/* Asks for what source lines need; HotSpot always offers both. Without them lines are just absent. */
static void want_source_lines(jvmtiEnv *jvmti)
{
    jvmtiCapabilities potential, want;
    if ((*jvmti)->GetPotentialCapabilities(jvmti, &potential) != JVMTI_ERROR_NONE) return;
    memset(&want, 0, sizeof want);
    want.can_get_line_numbers = potential.can_get_line_numbers;
    want.can_get_source_file_name = potential.can_get_source_file_name;
    if (want.can_get_line_numbers && want.can_get_source_file_name) (void)(*jvmti)->AddCapabilities(jvmti, &want);
}

static int by_start_location(const void *x, const void *y)
{
    jlocation a = ((const jvmtiLineNumberEntry *)x)->start_location;
    jlocation b = ((const jvmtiLineNumberEntry *)y)->start_location;
    return (a > b) - (a < b);
}

/*
 * The class's package as a path ("java/util/zip/") followed by its source file, fit for a map
 * line; sig is the class's signature. Malloc'd, NULL when the class has no source file.
 */
static char *class_source_path(jvmtiEnv *jvmti, jclass klass, const char *sig)
{
    char *file = NULL, *result = NULL;
    if (sig[0] == 'L' && (*jvmti)->GetSourceFileName(jvmti, klass, &file) == JVMTI_ERROR_NONE && file[0] != '\0') {
        const char *slash = strrchr(sig, '/');
        size_t pkg = slash == NULL ? 0 : (size_t)(slash - sig); /* "Ljava/util/zip/" minus the 'L' */
        size_t n = strlen(file);
        result = malloc(pkg + n + 1);
        if (result != NULL) {
            if (pkg > 0) memcpy(result, sig + 1, pkg);
            memcpy(result + pkg, file, n + 1);
            /* The map's separators and the position's own syntax may not appear inside it. */
            for (char *q = result; *q != '\0'; q++) {
                unsigned char ch = (unsigned char)*q;
                if (ch < 0x20 || ch == 0x7f || ch == ' ' || ch == '(' || ch == ')' || (ch == '-' && q[1] == '>')) *q = '_';
            }
        }
    }
    if (file) (*jvmti)->Deallocate(jvmti, (unsigned char *)file);
    return result;
}

/* class_source_path of a method's declaring class. */
static char *source_path(JavaVM *vm, jvmtiEnv *jvmti, jmethodID id)
{
    jclass klass = NULL;
    char *sig = NULL, *result = NULL;
    if ((*jvmti)->GetMethodDeclaringClass(jvmti, id, &klass) == JVMTI_ERROR_NONE
        && (*jvmti)->GetClassSignature(jvmti, klass, &sig, NULL) == JVMTI_ERROR_NONE) {
        result = class_source_path(jvmti, klass, sig);
    }
    delete_local_ref(vm, klass);
    if (sig) (*jvmti)->Deallocate(jvmti, (unsigned char *)sig);
    return result;
}

/* A method's line table, sorted by bytecode index, or NULL (native, abstract, no debug info, no memory). */
static method_lines *load_lines(JavaVM *vm, jvmtiEnv *jvmti, jmethodID id)
{
    jint n = 0;
    jvmtiLineNumberEntry *table = NULL;
    jlocation first = 0, last = 0;
    if (id == NULL || !atomic_load_explicit(&source_lines_on, memory_order_relaxed)
        || (*jvmti)->GetLineNumberTable(jvmti, id, &n, &table) != JVMTI_ERROR_NONE) return NULL;
    method_lines *m = NULL;
    if (n > 0 && (*jvmti)->GetMethodLocation(jvmti, id, &first, &last) == JVMTI_ERROR_NONE && last >= 0) {
        m = calloc(1, sizeof *m);
        if (m != NULL) m->entries = malloc((size_t)n * sizeof *table);
        if (m != NULL && m->entries != NULL) m->file = source_path(vm, jvmti, id);
        if (m == NULL || m->entries == NULL || m->file == NULL) {
            method_lines_free(m);
            m = NULL;
        } else {
            memcpy(m->entries, table, (size_t)n * sizeof *table);
            qsort(m->entries, (size_t)n, sizeof *table, by_start_location);
            m->count = n;
            m->end = last + 1;
        }
    }
    (*jvmti)->Deallocate(jvmti, (unsigned char *)table);
    return m;
}

static void method_lines_free(method_lines *m)
{
    if (m == NULL) return;
    free(m->entries);
    free(m->file);
    free(m);
}

/* The source line of a bytecode index, 0 when the table says nothing about it. */
static jint line_at(const method_lines *m, jint bci)
{
    if (m == NULL || bci < 0) return 0;
    /* Binary search: a big method has thousands of entries and its code as many descriptors. */
    jint lo = 0, hi = m->count; /* the answer is entries[lo - 1]: the last one at or before bci */
    while (lo < hi) {
        jint mid = lo + (hi - lo) / 2;
        if (m->entries[mid].start_location <= bci) lo = mid + 1;
        else hi = mid;
    }
    return lo == 0 ? 0 : m->entries[lo - 1].line_number;
}

static void put_position(text *t, const method_lines *m, jint line)
{
    if (m != NULL && line > 0) text_printf(t, " (%s:%d)", m->file, (int)line);
}

/* ---- jjf: javastack: the map lines of a class's methods registered for the hook ---- */

/*
 * An interpreted method's line table goes on one line after its block's line, instead of one map
 * line per run of bytecodes that repeats the method's name (README, "Map lines for interpreted
 * frames"):  "# jjf-lines START FILE FROM:LINE FROM:LINE ... END", FROM and END bytecode indexes
 * in decimal; a run covers [FROM, the next FROM or END), LINE 0 is a gap without a line.
 */
#define LINES_DIRECTIVE "# jjf-lines "
/* A bigger table is written as one map line per run instead: readers cap a line's length. */
#define MAX_DIRECTIVE_BYTES (16 * 1024)
/* An interpreted method's block of addresses; its last one stands for an unknown bytecode index. */
#define BLOCK_BCIS ((jlocation)1 << 20)

/* What every method of one class shares, looked up once per class. */
struct js_class {
    jvmtiEnv *jvmti;
    bool named;  /* the class's signature was read: names start with prefix */
    text prefix; /* "pkg.Class." */
    char *file;  /* "pkg/File.java"; NULL: no source lines */
    text name;   /* the method js_class_name named last */
    text out;    /* the class's map lines so far */
};

/* v in base 10 or 16, without a printf per number: a class writes thousands of them. */
static void put_u64(text *t, uint64_t v, unsigned base)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[sizeof digits - 1 - n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    text_putn(t, digits + sizeof digits - n, n);
}

js_class *js_class_open(jvmtiEnv *jvmti, jclass klass)
{
    js_class *c = calloc(1, sizeof *c);
    if (c == NULL) return NULL;
    c->jvmti = jvmti;
    char *sig = NULL;
    if ((*jvmti)->GetClassSignature(jvmti, klass, &sig, NULL) == JVMTI_ERROR_NONE) {
        put_method_class(&c->prefix, sig);
        c->named = !c->prefix.failed;
        if (atomic_load_explicit(&source_lines_on, memory_order_relaxed)) c->file = class_source_path(jvmti, klass, sig);
        (*jvmti)->Deallocate(jvmti, (unsigned char *)sig);
    }
    return c;
}

const char *js_class_name(js_class *c, jmethodID id)
{
    jvmtiEnv *jvmti = c->jvmti;
    char *name = NULL, *descriptor = NULL;
    text *t = &c->name;
    t->len = 0;
    t->failed = false;
    if (c->named && (*jvmti)->GetMethodName(jvmti, id, &name, &descriptor, NULL) == JVMTI_ERROR_NONE) {
        text_putn(t, c->prefix.p, c->prefix.len);
        put_method_tail(t, name, descriptor);
        break_separators(t, 0);
    } else {
        t->failed = true;
    }
    if (name) (*jvmti)->Deallocate(jvmti, (unsigned char *)name);
    if (descriptor) (*jvmti)->Deallocate(jvmti, (unsigned char *)descriptor);
    /* As resolve_name: a method whose class is gone (or an allocation failure) still gets a Java-shaped name. */
    if (t->failed) {
        t->len = 0;
        t->failed = false;
        text_puts(t, UNKNOWN_METHOD);
    }
    return t->failed ? NULL : t->p;
}

/*
 * The next run of bytecodes on one source line that the block holds, [*from, *to) on *line,
 * from the table sorted by bytecode index; false after the last one. *i is where to go on.
 */
static bool next_run(const jvmtiLineNumberEntry *e, jint n, jlocation end, jint *i, jlocation *from, jlocation *to, jint *line)
{
    while (*i < n) {
        jint l = e[*i].line_number;
        jint k = *i + 1;
        while (k < n && e[k].line_number == l) k++; /* one run per line */
        jlocation f = e[*i].start_location;
        jlocation t = k < n ? e[k].start_location : end;
        *i = k;
        /* Inside the block, below its last address (bci unknown); garbage tables are skipped. */
        if (f >= 0 && t > f && t < BLOCK_BCIS && l > 0) {
            *from = f;
            *to = t;
            *line = l;
            return true;
        }
    }
    return false;
}

/* The runs as map lines of their own, "START+FROM SIZE name (pkg/File.java:LINE)": for tables too big for one line. */
static void put_runs(js_class *c, const jvmtiLineNumberEntry *e, jint n, jlocation end, uint64_t start)
{
    text *t = &c->out;
    jint i = 0, line = 0;
    jlocation from = 0, to = 0;
    while (next_run(e, n, end, &i, &from, &to, &line)) {
        put_u64(t, start + (uint64_t)from, 16);
        text_putc(t, ' ');
        put_u64(t, (uint64_t)(to - from), 16);
        text_putc(t, ' ');
        text_putn(t, c->name.p, c->name.len);
        text_puts(t, " (");
        text_puts(t, c->file);
        text_putc(t, ':');
        put_u64(t, (uint64_t)line, 10);
        text_puts(t, ")\n");
    }
}

/* The method's line table as one directive line (see LINES_DIRECTIVE); nothing when it has none. */
static void put_line_table(js_class *c, jmethodID id, uint64_t start)
{
    jvmtiEnv *jvmti = c->jvmti;
    jint n = 0;
    jvmtiLineNumberEntry *e = NULL;
    jlocation first = 0, last = 0;
    if ((*jvmti)->GetLineNumberTable(jvmti, id, &n, &e) != JVMTI_ERROR_NONE) return;
    if (n > 0 && (*jvmti)->GetMethodLocation(jvmti, id, &first, &last) == JVMTI_ERROR_NONE && last >= 0) {
        jint sorted = 1;
        while (sorted < n && e[sorted - 1].start_location <= e[sorted].start_location) sorted++;
        if (sorted < n) qsort(e, (size_t)n, sizeof *e, by_start_location); /* the table is ours until Deallocate */
        text *t = &c->out;
        size_t mark = t->len;
        jint i = 0, line = 0;
        jlocation from = 0, to = 0, prev = -1;
        text_puts(t, LINES_DIRECTIVE);
        put_u64(t, start, 16);
        text_putc(t, ' ');
        text_puts(t, c->file);
        while (next_run(e, n, last + 1, &i, &from, &to, &line)) {
            if (prev >= 0 && prev != from) { /* skipped entries leave a gap */
                text_putc(t, ' ');
                put_u64(t, (uint64_t)prev, 10);
                text_puts(t, ":0");
            }
            text_putc(t, ' ');
            put_u64(t, (uint64_t)from, 10);
            text_putc(t, ':');
            put_u64(t, (uint64_t)line, 10);
            prev = to;
        }
        if (prev < 0) {
            t->len = mark; /* no run: the bare method covers its block */
        } else {
            text_putc(t, ' ');
            put_u64(t, (uint64_t)prev, 10);
            text_putc(t, '\n');
            if (t->len - mark > MAX_DIRECTIVE_BYTES) {
                t->len = mark;
                put_runs(c, e, n, last + 1, start);
            }
        }
    }
    (*jvmti)->Deallocate(jvmti, (unsigned char *)e);
}

bool js_class_add(js_class *c, jmethodID id, uint64_t start)
{
    text *t = &c->out;
    size_t mark = t->len;
    put_u64(t, start, 16);
    text_putc(t, ' ');
    put_u64(t, (uint64_t)BLOCK_BCIS, 16);
    text_putc(t, ' ');
    text_putn(t, c->name.p, c->name.len);
    text_putc(t, '\n');
    /* The line table after the method's line, so that its runs win inside the block. */
    if (c->file != NULL) put_line_table(c, id, start);
    if (t->failed) { /* out of memory: this method's lines go whole, the class's others stay */
        t->len = mark;
        t->failed = false;
        return false;
    }
    return true;
}

const char *js_class_lines(const js_class *c, size_t *len)
{
    *len = c->out.len;
    return c->out.p;
}

void js_class_close(js_class *c)
{
    if (c == NULL) return;
    free(c->prefix.p);
    free(c->file);
    free(c->name.p);
    free(c->out.p);
    free(c);
}

static slot *cached(agent *a, jvmtiEnv *jvmti, name_cache *c, jmethodID id)
{
    if (id == NULL) return NULL;
    if ((c->count + 1) * 2 > c->cap && !cache_grow(c)) return NULL; /* out of memory: lines stay well-formed */
    size_t i = slot_of(c, id);
    if (c->slots[i].id == NULL) {
        char *name = resolve_name(a->vm, jvmti, id);
        if (name == NULL) return NULL;
        c->slots[i].id = id;
        c->slots[i].name = name;
        c->slots[i].lines = load_lines(a->vm, jvmti, id);
        c->count++;
    }
    return &c->slots[i];
}

static const char *method_name(agent *a, jvmtiEnv *jvmti, name_cache *c, jmethodID id)
{
    slot *s = cached(a, jvmti, c, id);
    return s == NULL ? UNKNOWN_METHOD : s->name;
}

static const method_lines *lines_of(agent *a, jvmtiEnv *jvmti, name_cache *c, jmethodID id)
{
    slot *s = cached(a, jvmti, c, id);
    return s == NULL ? NULL : s->lines;
}

/* ---- output ---- */

/*
 * Called with the lock held; returns with it held. Waits for any other writer, then takes the
 * pending lines and writes them with the lock released, so compile callbacks never wait for the disk.
 */
static void write_pending_locked(agent *a)
{
    while (a->writing) pthread_cond_wait(&a->written, &a->lock);
    if (a->pending.len == 0) return;
    text out = a->pending;
    a->pending = a->spare;
    a->pending.len = 0;
    a->pending.failed = false;
    a->spare = (text){0};
    int fd = a->fd;
    a->writing = true;
    pthread_mutex_unlock(&a->lock);
    bool ok = fd < 0 || jjf_write_all(fd, out.p, out.len);
    int err = errno;
    pthread_mutex_lock(&a->lock);
    a->writing = false;
    if (!ok && a->fd >= 0) {
        say("cannot write %s: %s; the perf map stops here", a->file, strerror(err));
        close(a->fd);
        a->fd = -1;
        a->write_failed = true;
    }
    out.len = 0;
    out.failed = false;
    if (a->spare.p == NULL) a->spare = out;
    else free(out.p);
    pthread_cond_broadcast(&a->written);
}

/* Called with the lock held: writes everything committed so far and waits until no writer is left. */
static void drain_locked(agent *a)
{
    while (a->writing || (a->pending.len > 0 && a->fd >= 0)) {
        if (a->writing) pthread_cond_wait(&a->written, &a->lock);
        else write_pending_locked(a);
    }
    a->pending.len = 0;
}

/* Appends one event's lines as a unit, so that lines of concurrent events never interleave. */
static void commit(agent *a, const text *t)
{
    if (t->failed || t->len == 0) return;
    pthread_mutex_lock(&a->lock);
    while (a->fd >= 0 && a->writing && a->pending.len + t->len > MAX_PENDING_BYTES) {
        pthread_cond_wait(&a->written, &a->lock);
    }
    if (a->fd >= 0) {
        text_putn(&a->pending, t->p, t->len);
        /* Out of memory: this event's lines are dropped whole (as when its own text fails); the rest stays. */
        a->pending.failed = false;
        if (a->pending.len >= WRITE_BYTES && !a->writing) {
            /* With a flusher, compiler threads never touch the disk: it writes, they go on. */
            if (!a->flusher_running) {
                write_pending_locked(a);
            } else if (!a->flush_now) {
                a->flush_now = true;
                pthread_cond_signal(&a->wake);
            }
        }
    }
    pthread_mutex_unlock(&a->lock);
}

/* ---- the map's file: one writer, named process ---- */

/* "# jjf-perfmap pid=P start=TICKS boot=UUID": a field that cannot be read is left out. */
static void put_header(text *t)
{
    char start[32], boot[64];
    text_printf(t, HEADER_TAG " pid=%ld", (long)getpid());
    if (jjf_process_start(start, sizeof start)) text_printf(t, " start=%s", start);
    if (jjf_boot_id(boot, sizeof boot)) text_printf(t, " boot=%s", boot);
    text_putc(t, '\n');
}

/*
 * Opens the map for this agent alone: an exclusive flock (per open file, so a second agent in the
 * same JVM is refused too) is taken before the file is truncated, so a refused agent changes nothing.
 * A new or emptied file starts with the header line. Returns the fd, or -1 with the reason in why.
 */
static int open_map(const char *file, bool append, char *why, size_t why_cap)
{
    int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (append ? O_APPEND : 0), 0644);
    if (fd < 0) {
        snprintf(why, why_cap, "cannot write %s: %s", file, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        close(fd);
        if (err == EWOULDBLOCK) snprintf(why, why_cap, "%s is being written by another jjf agent; only one may write a map", file);
        else snprintf(why, why_cap, "cannot lock %s: %s", file, strerror(err));
        return -1;
    }
    struct stat st;
    /* A FIFO or a device has nothing to truncate (and refuses to). */
    if (fstat(fd, &st) != 0 || (!append && S_ISREG(st.st_mode) && st.st_size > 0 && (ftruncate(fd, 0) != 0 || fstat(fd, &st) != 0))) {
        snprintf(why, why_cap, "cannot write %s: %s", file, strerror(errno));
        close(fd);
        return -1;
    }
    if (st.st_size == 0) {
        text header = {0};
        put_header(&header);
        bool ok = !header.failed && jjf_write_all(fd, header.p, header.len);
        int err = errno;
        free(header.p);
        if (!ok) {
            snprintf(why, why_cap, "cannot write %s: %s", file, header.failed ? "out of memory" : strerror(err));
            close(fd);
            return -1;
        }
    }
    return fd;
}

static void put_line_start(text *t, uintptr_t start, uintptr_t size)
{
    text_printf(t, "%" PRIxPTR " %" PRIxPTR " ", start, size);
}

/* ---- events ---- */

static agent *agent_of(jvmtiEnv *jvmti)
{
    void *a = NULL;
    if ((*jvmti)->GetEnvironmentLocalStorage(jvmti, &a) != JVMTI_ERROR_NONE) return NULL;
    return a;
}

/* Same methods, and each on the same source line: one map line covers both pcs. */
static bool same_position(agent *a, jvmtiEnv *jvmti, name_cache *c, const PCStackInfo *x, const PCStackInfo *y)
{
    if (x->numstackframes != y->numstackframes) return false;
    for (jint i = 0; i < x->numstackframes; i++) {
        if (x->methods[i] != y->methods[i]) return false;
    }
    if (x->bcis == NULL || y->bcis == NULL) return x->bcis == y->bcis;
    for (jint i = 0; i < x->numstackframes; i++) {
        const method_lines *m = lines_of(a, jvmti, c, x->methods[i]);
        if (line_at(m, x->bcis[i]) != line_at(m, y->bcis[i])) return false;
    }
    return true;
}

/*
 * methods[0] is the innermost scope at the pc, the last one the compiled method itself. Each
 * method of the chain carries its source line when known: "outer(args) (a/B.java:12)->inner(args)".
 */
static void put_inline_range(agent *a, jvmtiEnv *jvmti, name_cache *c, text *t,
                             uintptr_t start, uintptr_t end, const PCStackInfo *info)
{
    if (end <= start) return;
    jint lines[info->numstackframes];
    bool any_line = false;
    for (jint i = 0; i < info->numstackframes; i++) {
        lines[i] = info->bcis == NULL ? 0 : line_at(lines_of(a, jvmti, c, info->methods[i]), info->bcis[i]);
        any_line |= lines[i] > 0;
    }
    /* Nothing inlined and no line: the method's own line covers it. */
    if (info->numstackframes < 2 && !any_line) return;
    put_line_start(t, start, end - start);
    for (jint i = info->numstackframes - 1; i >= 0; i--) {
        text_puts(t, method_name(a, jvmti, c, info->methods[i]));
        put_position(t, lines_of(a, jvmti, c, info->methods[i]), lines[i]);
        if (i > 0) text_puts(t, "->");
    }
    text_putc(t, '\n');
}

static void put_inline_ranges(agent *a, jvmtiEnv *jvmti, name_cache *c, text *t,
                              const jvmtiCompiledMethodLoadInlineRecord *r, uintptr_t begin, uintptr_t end)
{
    uintptr_t prev = begin;
    uintptr_t run_start = begin;
    const PCStackInfo *run = NULL;
    for (jint i = 0; i < r->numpcs; i++) {
        const PCStackInfo *info = &r->pcinfo[i];
        uintptr_t pc = (uintptr_t)info->pc;
        /* Descriptors come sorted by pc; anything else (or outside the code) is skipped. */
        if (pc <= prev || pc > end || info->numstackframes <= 0 || info->numstackframes > MAX_INLINE_DEPTH
            || info->methods == NULL) continue;
        if (run != NULL && same_position(a, jvmti, c, run, info)) {
            prev = pc;
            continue;
        }
        if (run != NULL) put_inline_range(a, jvmti, c, t, run_start, prev, run);
        run = info;
        run_start = prev;
        prev = pc;
    }
    if (run != NULL) put_inline_range(a, jvmti, c, t, run_start, prev, run);
}

static void JNICALL on_compiled_method_load(jvmtiEnv *jvmti, jmethodID method, jint code_size,
                                            const void *code_addr, jint map_length,
                                            const jvmtiAddrLocationMap *map, const void *compile_info)
{
    (void)map_length;
    (void)map;
    agent *a = agent_of(jvmti);
    if (a == NULL || code_addr == NULL || code_size <= 0) return;
    uintptr_t begin = (uintptr_t)code_addr;
    uintptr_t end = begin + (uintptr_t)code_size;
    js_note_code(NULL, code_addr, code_size); /* jjf: javastack */
    name_cache cache = {0};
    text t = {0};
    /* The whole method first: inline ranges written after it win where they overlap. */
    put_line_start(&t, begin, (uintptr_t)code_size);
    text_puts(&t, method_name(a, jvmti, &cache, method));
    text_putc(&t, '\n');
    if (atomic_load_explicit(&a->unfold, memory_order_relaxed)) {
        for (const jvmtiCompiledMethodLoadRecordHeader *h = compile_info; h != NULL; h = h->next) {
            if (h->kind != JVMTI_CMLR_INLINE_INFO || h->majorinfoversion != JVMTI_CMLR_MAJOR_VERSION_1) continue;
            put_inline_ranges(a, jvmti, &cache, &t, (const jvmtiCompiledMethodLoadInlineRecord *)h, begin, end);
        }
    }
    int32_t cid = 0;
    uintptr_t blob = 0;
    if (!t.failed && js_compiled_id(code_addr, code_size, &cid, &blob)) { /* jjf: javastack */
        /* The lines just composed also name this compilation's frames, wherever its code was. */
        size_t lines = 0;
        for (size_t i = 0; i < t.len; i++) lines += t.p[i] == '\n';
        text unit = {0};
        text_printf(&unit, COMPILED_TAG " id=%" PRId32 " blob=%" PRIxPTR " lines=%zu\n", cid, blob, lines);
        text_putn(&unit, t.p, t.len);
        commit(a, &unit);
        free(unit.p);
    } else {
        commit(a, &t);
    }
    free(t.p);
    cache_free(&cache);
}

static void JNICALL on_dynamic_code_generated(jvmtiEnv *jvmti, const char *name, const void *address, jint length)
{
    agent *a = agent_of(jvmti);
    if (a == NULL || address == NULL || length <= 0) return;
    js_note_code(name, address, length); /* jjf: javastack */
    text t = {0};
    put_line_start(&t, (uintptr_t)address, (uintptr_t)length);
    size_t from = t.len;
    if (name == NULL || *name == '\0') name = "[generated]";
    put_name(&t, name, strlen(name), true);
    break_separators(&t, from);
    text_putc(&t, '\n');
    commit(a, &t);
    free(t.p);
}

/* Code that existed before the events were enabled; replays describe current code, so order holds. */
static bool replay_existing_code(jvmtiEnv *jvmti)
{
    bool generated = check(jvmti, (*jvmti)->GenerateEvents(jvmti, JVMTI_EVENT_DYNAMIC_CODE_GENERATED),
                           "GenerateEvents(DynamicCodeGenerated)");
    bool compiled = check(jvmti, (*jvmti)->GenerateEvents(jvmti, JVMTI_EVENT_COMPILED_METHOD_LOAD),
                          "GenerateEvents(CompiledMethodLoad)");
    return generated && compiled;
}

/* ---- jjf: javastack (Java frames for jemalloc's backtrace hook) ---- */

static void emit_lines(void *ctx, const char *lines, size_t n)
{
    text t = {(char *)lines, n, n + 1, false};
    commit(ctx, &t);
}

static void JNICALL on_class_prepare(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread, jclass klass)
{
    js_class_prepare(jvmti, jni, thread, klass);
}

static void JNICALL on_object_sampled(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread, jobject object, jclass klass, jlong size)
{
    (void)jni;
    (void)thread;
    (void)object;
    (void)klass;
    (void)size;
    js_object_sampled(jvmti);
}
/* ---- end javastack ---- */

static void JNICALL on_vm_init(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread)
{
    (void)jni;
    (void)thread;
    agent *a = agent_of(jvmti);
    bool hook = a != NULL && a->opt.java_frames && js_start(a->vm, jvmti, emit_lines, a, NULL); /* jjf: javastack */
    (void)replay_existing_code(jvmti); /* failures are on stderr; the map then starts with later code */
    if (hook) js_install(); /* jjf: javastack */
}

static void stop_flusher(agent *a)
{
    pthread_mutex_lock(&a->lock);
    bool running = a->flusher_running;
    a->stopping = true;
    a->flusher_running = false;
    pthread_cond_broadcast(&a->wake);
    pthread_mutex_unlock(&a->lock);
    if (running) pthread_join(a->flusher, NULL);
}

static void close_map(agent *a)
{
    pthread_mutex_lock(&a->lock);
    drain_locked(a);
    if (a->fd >= 0 && close(a->fd) != 0) say("cannot write %s: %s", a->file, strerror(errno));
    a->fd = -1;
    pthread_mutex_unlock(&a->lock);
}

static const jvmtiEvent EVENTS[] = {
    JVMTI_EVENT_COMPILED_METHOD_LOAD, JVMTI_EVENT_DYNAMIC_CODE_GENERATED, JVMTI_EVENT_VM_DEATH, JVMTI_EVENT_VM_INIT,
};

static void JNICALL on_vm_death(jvmtiEnv *jvmti, JNIEnv *jni)
{
    (void)jni;
    agent *a = agent_of(jvmti);
    js_stop(jvmti); /* jjf: javastack */
    for (size_t i = 0; i < sizeof EVENTS / sizeof EVENTS[0]; i++) {
        check(jvmti, (*jvmti)->SetEventNotificationMode(jvmti, JVMTI_DISABLE, EVENTS[i], NULL), "disabling an event");
    }
    if (a == NULL) return;
    stop_flusher(a);
    close_map(a);
    /* The agent struct stays allocated: a late callback on another thread may still look at it. */
}

/* ---- the flusher: a killed JVM posts no VMDeath, so buffered lines go out at least every flush_ms ---- */

static void *flusher_main(void *arg)
{
    agent *a = arg;
    pthread_mutex_lock(&a->lock);
    while (!a->stopping) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += a->opt.flush_ms / 1000;
        deadline.tv_nsec += (a->opt.flush_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        while (!a->stopping && !a->flush_now && pthread_cond_timedwait(&a->wake, &a->lock, &deadline) == 0) {
            /* woken spuriously: wait out the deadline unless asked to stop or to write */
        }
        a->flush_now = false;
        if (a->pending.len > 0) write_pending_locked(a);
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

static bool start_flusher(agent *a)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) return false;
    bool ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 && pthread_cond_init(&a->wake, &attr) == 0;
    pthread_condattr_destroy(&attr);
    if (!ok) return false;
    if (a->opt.flush_ms == 0) return true;
    /* The JVM's signals (SIGQUIT for thread dumps, its own crash handling) must not land here. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&a->flusher, NULL, flusher_main, a);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        say("cannot start the flush thread: %s", strerror(rc));
        return false;
    }
    pthread_setname_np(a->flusher, "jjf-perfmap");
    a->flusher_running = true;
    return true;
}

/* ---- options ---- */

static const char USAGE[] = "options: file=PATH (%p = pid, default " DEFAULT_FILE "), unfold=true|false, "
                            "append=true|false, java_frames=true|false, lines=true|false, flush_ms=0..3600000; attached only: dump=PREFIX, "
                            "prof_active=true|false, report=PATH; separated by commas";

static bool parse_bool(const char *v, size_t n, bool *out)
{
    if (n == 4 && memcmp(v, "true", 4) == 0) *out = true;
    else if (n == 5 && memcmp(v, "false", 5) == 0) *out = false;
    else return false;
    return true;
}

/* Expands %p (pid) and %% in the file pattern. */
static bool expand_file(const char *v, size_t n, char *out, size_t cap, char *why, size_t why_cap)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        char piece[32];
        const char *add = piece;
        if (v[i] != '%') {
            piece[0] = v[i];
            piece[1] = '\0';
        } else if (i + 1 < n && v[i + 1] == 'p') {
            snprintf(piece, sizeof piece, "%ld", (long)getpid());
            i++;
        } else if (i + 1 < n && v[i + 1] == '%') {
            add = "%";
            i++;
        } else {
            snprintf(why, why_cap, "only %%p (the pid) and %%%% may follow %%");
            return false;
        }
        size_t k = strlen(add);
        if (len + k + 1 > cap) {
            snprintf(why, why_cap, "path longer than %zu bytes", cap - 1);
            return false;
        }
        memcpy(out + len, add, k);
        len += k;
    }
    out[len] = '\0';
    return true;
}

enum key { K_FILE, K_UNFOLD, K_APPEND, K_FLUSH_MS, K_DUMP, K_PROF_ACTIVE, K_REPORT, K_JAVA_FRAMES, K_LINES, K_HOOK, K_COUNT };

static const char *const KEYS[K_COUNT] = {"file", "unfold", "append", "flush_ms", "dump", "prof_active", "report", "java_frames", "lines", "hook"};

/* A path option: %p and %% expanded, not empty. */
static bool parse_path(const char *key, const char *v, size_t vn, char *out, size_t cap, char *why, size_t why_cap)
{
    char inner[128];
    if (vn == 0) {
        snprintf(why, why_cap, "%s: empty path", key);
        return false;
    }
    if (!expand_file(v, vn, out, cap, inner, sizeof inner)) {
        snprintf(why, why_cap, "%s: %s", key, inner);
        return false;
    }
    return true;
}

static bool parse_millis(const char *v, size_t vn, long *out)
{
    char num[16];
    char *stop = NULL;
    if (vn == 0 || vn >= sizeof num) return false;
    memcpy(num, v, vn);
    num[vn] = '\0';
    errno = 0;
    long ms = strtol(num, &stop, 10);
    if (errno != 0 || *stop != '\0' || num[0] < '0' || num[0] > '9' || ms < 0 || ms > MAX_FLUSH_MS) return false;
    *out = ms;
    return true;
}

static bool parse_options(const char *s, bool attaching, agent_options *o, char *why, size_t why_cap)
{
    bool seen[K_COUNT] = {false};
    memset(o, 0, sizeof *o);
    o->unfold = true;
    o->java_frames = JS_DEFAULT_ON;
    o->lines = true;
    o->append = attaching; /* a second attach adds to the history the first one wrote */
    o->flush_ms = DEFAULT_FLUSH_MS;
    o->prof_active = -1;
    if (!expand_file(DEFAULT_FILE, strlen(DEFAULT_FILE), o->file, sizeof o->file, why, why_cap)) return false;
    const char *p = s == NULL ? "" : s;
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (n == 0 || (end != NULL && end[1] == '\0')) {
            snprintf(why, why_cap, "empty option (two commas in a row, or a comma at either end)");
            return false;
        }
        if (eq == NULL) {
            snprintf(why, why_cap, "'%.*s' is not KEY=VALUE", (int)n, p);
            return false;
        }
        size_t kn = (size_t)(eq - p);
        const char *v = eq + 1;
        size_t vn = n - kn - 1;
        int k = 0;
        while (k < K_COUNT && !(strlen(KEYS[k]) == kn && memcmp(p, KEYS[k], kn) == 0)) k++;
        if (k == K_COUNT) {
            snprintf(why, why_cap, "unknown option '%.*s'", (int)kn, p);
            return false;
        }
        if (seen[k]) {
            snprintf(why, why_cap, "'%.*s' is given twice", (int)kn, p);
            return false;
        }
        seen[k] = true;
        bool ok = true;
        const char *expected = "true or false";
        bool active = false;
        switch ((enum key)k) {
        case K_FILE:
            if (!parse_path("file", v, vn, o->file, sizeof o->file, why, why_cap)) return false;
            break;
        case K_DUMP:
            if (!parse_path("dump", v, vn, o->dump_prefix, sizeof o->dump_prefix, why, why_cap)) return false;
            o->dump = true;
            break;
        case K_REPORT:
            if (!parse_path("report", v, vn, o->report_file, sizeof o->report_file, why, why_cap)) return false;
            o->report = true;
            break;
        case K_UNFOLD:
            ok = parse_bool(v, vn, &o->unfold);
            break;
        case K_APPEND:
            ok = parse_bool(v, vn, &o->append);
            break;
        case K_JAVA_FRAMES:
            ok = parse_bool(v, vn, &o->java_frames);
            break;
        case K_LINES:
            ok = parse_bool(v, vn, &o->lines);
            break;
        case K_HOOK:
            ok = parse_bool(v, vn, &o->hook);
            break;
        case K_PROF_ACTIVE:
            ok = parse_bool(v, vn, &active);
            o->prof_active = active ? 1 : 0;
            break;
        case K_FLUSH_MS:
            ok = parse_millis(v, vn, &o->flush_ms);
            expected = "milliseconds, 0 to 3600000";
            break;
        case K_COUNT:
            break;
        }
        if (!ok) {
            snprintf(why, why_cap, "'%.*s': expected %s", (int)n, p, expected);
            return false;
        }
        if (end == NULL) break;
        p = end + 1;
    }
    bool acts = o->dump || o->prof_active >= 0;
    if (!attaching && (acts || o->report)) {
        snprintf(why, why_cap, "dump=, prof_active= and report= only work when the agent is attached to a running JVM");
        return false;
    }
    if (o->report && !acts) {
        snprintf(why, why_cap, "report= needs dump= or prof_active=");
        return false;
    }
    if (o->hook && !o->dump) {
        snprintf(why, why_cap, "hook= needs dump=");
        return false;
    }
    return true;
}

/* ---- start-up ---- */

static void give_up(jvmtiEnv *jvmti, agent *a, bool unlink_file)
{
    bool disposed = check(jvmti, (*jvmti)->DisposeEnvironment(jvmti), "DisposeEnvironment");
    if (a->fd >= 0) {
        close(a->fd);
        a->fd = -1;
        if (unlink_file) unlink(a->opt.file);
    }
    /* Freed only when no callback and no thread can reach it any more. */
    if (disposed && !a->flusher_running) free(a);
}

/* The capability and callbacks every JVMTI environment of this agent needs to see code. */
static void code_events(jvmtiCapabilities *caps, jvmtiEventCallbacks *callbacks)
{
    memset(caps, 0, sizeof *caps);
    caps->can_generate_compiled_method_load_events = 1;
    memset(callbacks, 0, sizeof *callbacks);
    callbacks->CompiledMethodLoad = on_compiled_method_load;
    callbacks->DynamicCodeGenerated = on_dynamic_code_generated;
    callbacks->ClassPrepare = on_class_prepare; /* jjf: javastack; enabled by js_start only */
    callbacks->SampledObjectAlloc = on_object_sampled; /* jjf: javastack; enabled by js_calibrate_on_allocations only */
}

/*
 * Starts a writer: at launch (Agent_OnLoad), or attached to a running JVM. With hook_why (attached
 * only), the writer exists for the backtrace hook: it installs it or, when it cannot, goes away
 * again with its map and says why there.
 */
static jint start(JavaVM *vm, const char *options_string, bool attaching, const char **hook_why)
{
    /* Only agent-owned state is touched on failure; the caller returns so that the JVM runs on. */
    char why[PATH_MAX + 128];
    agent *a = calloc(1, sizeof *a);
    if (a == NULL) {
        say("out of memory; the JVM continues without a perf map");
        return JNI_ERR;
    }
    a->vm = vm;
    a->fd = -1;
    if (!parse_options(options_string, attaching, &a->opt, why, sizeof why)) {
        say("bad options \"%s\": %s (%s); the JVM continues without a perf map", options_string, why, USAGE);
        free(a);
        return JNI_ERR;
    }

    jvmtiEnv *jvmti = NULL;
    jint rc = (*vm)->GetEnv(vm, (void **)&jvmti, JVMTI_VERSION_1_2);
    if (rc != JNI_OK || jvmti == NULL) {
        say("this JVM offers no JVMTI 1.2 (GetEnv returned %d); the JVM continues without a perf map", (int)rc);
        free(a);
        return JNI_ERR;
    }

    snprintf(a->file, sizeof a->file, "%s", a->opt.file);
    atomic_store(&a->unfold, a->opt.unfold);
    a->fd = open_map(a->opt.file, a->opt.append, why, sizeof why);
    if (a->fd < 0) {
        say("%s; the JVM continues without a perf map", why);
        give_up(jvmti, a, false);
        return JNI_ERR;
    }
    if (pthread_mutex_init(&a->lock, NULL) != 0 || pthread_cond_init(&a->written, NULL) != 0 || !start_flusher(a)) {
        say("cannot set up the writer; the JVM continues without a perf map");
        give_up(jvmti, a, !a->opt.append);
        return JNI_ERR;
    }

    jvmtiCapabilities caps;
    jvmtiEventCallbacks callbacks;
    code_events(&caps, &callbacks);
    atomic_store(&source_lines_on, a->opt.lines);
    if (a->opt.lines) want_source_lines(jvmti);
    callbacks.VMInit = on_vm_init;
    callbacks.VMDeath = on_vm_death;
    bool ok = check(jvmti, (*jvmti)->AddCapabilities(jvmti, &caps), "AddCapabilities(can_generate_compiled_method_load_events)")
              && check(jvmti, (*jvmti)->SetEnvironmentLocalStorage(jvmti, a), "SetEnvironmentLocalStorage")
              && check(jvmti, (*jvmti)->SetEventCallbacks(jvmti, &callbacks, (jint)sizeof callbacks), "SetEventCallbacks");
    /* Attached to a live VM there is no VMInit to wait for: the replay below does its job. */
    size_t n = sizeof EVENTS / sizeof EVENTS[0] - (attaching ? 1 : 0);
    for (size_t i = 0; ok && i < n; i++) {
        ok = check(jvmti, (*jvmti)->SetEventNotificationMode(jvmti, JVMTI_ENABLE, EVENTS[i], NULL), "enabling an event");
    }
    if (!ok) {
        say("the JVM continues without a perf map");
        stop_flusher(a);
        give_up(jvmti, a, !a->opt.append);
        return JNI_ERR;
    }
    if (hook_why != NULL && !js_start(vm, jvmti, emit_lines, a, hook_why)) {
        (void)check(jvmti, (*jvmti)->SetEventNotificationMode(jvmti, JVMTI_DISABLE, JVMTI_EVENT_CLASS_PREPARE, NULL), "disabling an event");
        stop_flusher(a);
        give_up(jvmti, a, true);
        return JNI_ERR;
    }
    if (attaching) (void)replay_existing_code(jvmti); /* failures are on stderr; later code is still written */
    if (hook_why != NULL) {
        js_calibrate_on_allocations(jvmti);
        js_install();
    }
    agent *none = NULL;
    (void)atomic_compare_exchange_strong(&history_agent, &none, a); /* the first writer's map is the history */
    return JNI_OK;
}

/* ---- attach-time actions: heap dumps and switching jemalloc's sampling ---- */

#define NO_PROFILING "no heap profiling in this process"
#define HOW_TO_PROFILE "start the JVM under a profiling jemalloc: jjf run, or LD_PRELOAD=.../libjemalloc.so.2 MALLOC_CONF=prof:true"
#define MAX_DUMP_NAME_TRIES 1000

#define COPY_BYTES (64 * 1024)

/*
 * Where the last dump's copy of the history ended, and into which map: the dumps of one snapshot
 * (a window) append to one map, so each copies only what the history gained since. Under
 * snapshot_lock.
 */
static char history_copied_into[PATH_MAX];
static off_t history_copied;

/*
 * Appends the history agent's map, header line excepted, to the dump map fd (file): whole units
 * only (what it had written when the copy began). False, with the reason in why, when that map
 * cannot be read.
 */
static bool copy_history(int fd, const char *file, bool append, char *why, size_t why_cap)
{
    agent *w = atomic_load(&history_agent);
    if (w == NULL) return true;
    off_t from_offset = append && strcmp(file, history_copied_into) == 0 ? history_copied : 0;
    pthread_mutex_lock(&w->lock);
    bool usable = w->fd >= 0 && !w->write_failed;
    if (usable) drain_locked(w);
    struct stat st;
    usable = usable && fstat(w->fd, &st) == 0 && S_ISREG(st.st_mode);
    off_t size = usable ? st.st_size : 0;
    char history[PATH_MAX];
    snprintf(history, sizeof history, "%s", w->file);
    pthread_mutex_unlock(&w->lock);
    if (!usable) return true; /* a FIFO, or a map that stopped: nothing to copy, the dump names what it can */
    int from = open(history, O_RDONLY | O_CLOEXEC);
    char *buf = malloc(COPY_BYTES);
    bool ok = from >= 0 && buf != NULL;
    off_t at = from_offset;
    bool header = from_offset == 0;
    while (ok && at < size) {
        size_t want = size - at < COPY_BYTES ? (size_t)(size - at) : COPY_BYTES;
        ssize_t n = pread(from, buf, want, at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ok = false;
            break;
        }
        at += n;
        const char *p = buf;
        size_t len = (size_t)n;
        if (header) {
            /* The dump map has its own first line (a header is far shorter than one read). */
            header = false;
            if (len >= strlen(HEADER_TAG) && memcmp(p, HEADER_TAG, strlen(HEADER_TAG)) == 0) {
                const char *nl = memchr(p, '\n', len);
                size_t skip = nl == NULL ? len : (size_t)(nl + 1 - p);
                p += skip;
                len -= skip;
            }
        }
        ok = jjf_write_all(fd, p, len);
    }
    if (ok) {
        snprintf(history_copied_into, sizeof history_copied_into, "%s", file);
        history_copied = at;
    } else {
        history_copied_into[0] = '\0';
        snprintf(why, why_cap, "cannot copy the JVM's perf map %s: %s", history, from < 0 || buf == NULL ? strerror(errno) : "read or write failed");
    }
    free(buf);
    if (from >= 0) close(from);
    return ok;
}

/* Dumps share one agent, made by the first dump and kept for the JVM's life (see pin_library). */
static pthread_mutex_t snapshot_lock = PTHREAD_MUTEX_INITIALIZER;
static agent *snapshot_agent;
static unsigned long dump_seq;

static const jvmtiEvent DUMP_EVENTS[] = {JVMTI_EVENT_COMPILED_METHOD_LOAD, JVMTI_EVENT_DYNAMIC_CODE_GENERATED};

/* Appends "error KIND MESSAGE" to the report and says MESSAGE on stderr. */
static void fail(text *report, const char *kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(text *report, const char *kind, const char *fmt, ...)
{
    char line[PATH_MAX + 512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    say("%s; the JVM runs on", line);
    text_printf(report, "error %s ", kind);
    put_name(report, line, strlen(line), true);
    text_putc(report, '\n');
}

/*
 * HotSpot unloads an agent library whose Agent_OnAttach failed, and each attach loads it again.
 * The dump agent's JVMTI callbacks point into this library, so once it exists the library must
 * never go: RTLD_NODELETE on the copy that is loaded.
 */
static bool pin_library(char *why, size_t why_cap)
{
    Dl_info info;
    if (dladdr(&snapshot_agent, &info) == 0 || info.dli_fname == NULL) {
        snprintf(why, why_cap, "cannot find this library's own path (dladdr)");
        return false;
    }
    void *self = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    if (self == NULL) {
        const char *e = dlerror();
        snprintf(why, why_cap, "cannot pin %s: %s", info.dli_fname, e != NULL ? e : "dlopen failed");
        return false;
    }
    return true; /* the handle is never closed: that is the point */
}

/* The agent that writes dump-time perf maps: created once, with its events off between dumps. */
static agent *dump_agent(JavaVM *vm, char *why, size_t why_cap)
{
    if (snapshot_agent != NULL) return snapshot_agent;
    if (!pin_library(why, why_cap)) return NULL;
    agent *a = calloc(1, sizeof *a);
    if (a == NULL) {
        snprintf(why, why_cap, "out of memory");
        return NULL;
    }
    a->vm = vm;
    a->fd = -1;
    int err = pthread_mutex_init(&a->lock, NULL);
    if (err == 0) err = pthread_cond_init(&a->written, NULL);
    if (err != 0) {
        snprintf(why, why_cap, "pthread_mutex_init: %s", strerror(err));
        free(a);
        return NULL;
    }
    jvmtiEnv *jvmti = NULL;
    jint rc = (*vm)->GetEnv(vm, (void **)&jvmti, JVMTI_VERSION_1_2);
    if (rc != JNI_OK || jvmti == NULL) {
        snprintf(why, why_cap, "this JVM offers no JVMTI 1.2 (GetEnv returned %d)", (int)rc);
        pthread_mutex_destroy(&a->lock);
        free(a);
        return NULL;
    }
    jvmtiCapabilities caps;
    jvmtiEventCallbacks callbacks;
    code_events(&caps, &callbacks);
    char scratch[64];
    jvmtiError e = (*jvmti)->AddCapabilities(jvmti, &caps);
    const char *what = "AddCapabilities(can_generate_compiled_method_load_events)";
    if (e == JVMTI_ERROR_NONE) {
        e = (*jvmti)->SetEnvironmentLocalStorage(jvmti, a);
        what = "SetEnvironmentLocalStorage";
    }
    if (e == JVMTI_ERROR_NONE) {
        e = (*jvmti)->SetEventCallbacks(jvmti, &callbacks, (jint)sizeof callbacks);
        what = "SetEventCallbacks";
    }
    if (e != JVMTI_ERROR_NONE) {
        snprintf(why, why_cap, "%s failed: %s", what, jvmti_error(jvmti, e, scratch, sizeof scratch));
        /* No event was enabled, so no callback can be running: everything can go. */
        if (check(jvmti, (*jvmti)->DisposeEnvironment(jvmti), "DisposeEnvironment")) {
            pthread_mutex_destroy(&a->lock);
            free(a);
        }
        return NULL;
    }
    a->jvmti = jvmti;
    snapshot_agent = a;
    return a;
}

static bool set_dump_events(agent *a, jvmtiEventMode mode, char *why, size_t why_cap)
{
    bool ok = true;
    char scratch[64];
    for (size_t i = 0; i < sizeof DUMP_EVENTS / sizeof DUMP_EVENTS[0]; i++) {
        jvmtiError e = (*a->jvmti)->SetEventNotificationMode(a->jvmti, mode, DUMP_EVENTS[i], NULL);
        if (e != JVMTI_ERROR_NONE && ok) {
            snprintf(why, why_cap, "%s an event failed: %s", mode == JVMTI_ENABLE ? "enabling" : "disabling",
                     jvmti_error(a->jvmti, e, scratch, sizeof scratch));
            ok = false;
        }
    }
    return ok;
}

/* A dump name no earlier dump of this process used: jemalloc would truncate an existing file. */
static bool next_dump_name(const char *prefix, char *out, size_t cap, char *why, size_t why_cap)
{
    for (int tries = 0; tries < MAX_DUMP_NAME_TRIES; tries++, dump_seq++) {
        int n = snprintf(out, cap, "%s.%ld.%lu.m%lu.heap", prefix, (long)getpid(), dump_seq, dump_seq);
        if (n < 0 || (size_t)n >= cap) {
            snprintf(why, why_cap, "dump: path longer than %zu bytes", cap - 1);
            return false;
        }
        if (access(out, F_OK) != 0 && errno == ENOENT) {
            dump_seq++;
            return true;
        }
    }
    snprintf(why, why_cap, "dump: %s.%ld.*.heap: %d names taken", prefix, (long)getpid(), MAX_DUMP_NAME_TRIES);
    return false;
}

/*
 * Writes the perf map of the code that exists and, while its events are on, the heap profile: code
 * compiled during the dump is in the map too. Called with snapshot_lock held.
 */
static bool dump(JavaVM *vm, mallctl_fn mallctl, const agent_options *o, text *report)
{
    char why[PATH_MAX + 128];
    char heap[PATH_MAX];
    agent *a = dump_agent(vm, why, sizeof why);
    if (a == NULL) {
        fail(report, "failed", "snapshot: %s", why);
        return false;
    }
    if (!next_dump_name(o->dump_prefix, heap, sizeof heap, why, sizeof why)) {
        fail(report, "failed", "snapshot: %s", why);
        return false;
    }
    int fd = open_map(o->file, o->append, why, sizeof why);
    if (fd < 0) {
        fail(report, "failed", "snapshot: %s", why);
        return false;
    }
    if (!copy_history(fd, o->file, o->append, why, sizeof why)) say("%s; frames only it names stay unnamed", why); /* the dump goes on */
    /* Events are off between dumps, but a late callback may still run: it reads only `unfold`. */
    atomic_store(&a->unfold, o->unfold);
    pthread_mutex_lock(&a->lock);
    snprintf(a->file, sizeof a->file, "%s", o->file);
    a->fd = fd;
    a->pending.len = 0;
    a->write_failed = false;
    pthread_mutex_unlock(&a->lock);

    bool ok = set_dump_events(a, JVMTI_ENABLE, why, sizeof why);
    if (!ok) fail(report, "failed", "snapshot: %s", why);
    if (ok && !replay_existing_code(a->jvmti)) {
        fail(report, "failed", "snapshot: the JVM did not list its code (see the line above)");
        ok = false;
    }
    if (ok) {
        const char *name = heap;
        int err = mallctl("prof.dump", NULL, NULL, &name, sizeof name);
        if (err != 0) {
            fail(report, "failed", "snapshot: jemalloc could not write %s: mallctl(\"prof.dump\"): %s", heap, strerror(err));
            ok = false;
        }
    }
    /* Off again even after a failure: between dumps the agent costs nothing. */
    if (!set_dump_events(a, JVMTI_DISABLE, why, sizeof why) && ok) {
        fail(report, "failed", "snapshot: %s", why);
        ok = false;
    }

    /* A callback still running on a compiler thread finds fd -1 and drops its line. */
    pthread_mutex_lock(&a->lock);
    drain_locked(a);
    bool write_failed = a->write_failed;
    if (a->fd >= 0 && close(a->fd) != 0) {
        say("cannot write %s: %s", a->file, strerror(errno));
        write_failed = true;
    }
    a->fd = -1;
    pthread_mutex_unlock(&a->lock);
    if (write_failed && ok) {
        fail(report, "failed", "snapshot: the perf map %s is incomplete (see the line above)", o->file);
        ok = false;
    }
    if (ok) {
        text_puts(report, "heap ");
        put_name(report, heap, strlen(heap), true);
        text_puts(report, "\nmap ");
        put_name(report, o->file, strlen(o->file), true);
        text_putc(report, '\n');
    }
    return ok;
}

/*
 * hook=true: a JVM that jjf run did not start has no writer and no hook. The first snapshot starts
 * both (at DEFAULT_FILE, emptied: a stale map of an earlier pid would mix in), so that stacks
 * sampled from then on are whole and named, and later dumps copy its map. Reported as
 * "hook started", "hook running" (there already) or "hook off REASON".
 */
static void start_hook(JavaVM *vm, const agent_options *o, text *report)
{
    /* Why the first try failed: later snapshots say so again instead of retrying (and writing to the JVM's stderr). */
    static const char *refused;
    if (atomic_load(&history_agent) != NULL) {
        text_puts(report, "hook running\n");
        return;
    }
    if (refused == NULL) {
        char options[64];
        /* flush_ms=0: no thread of its own; the JVM's threads write whole units, and each dump drains the rest. */
        snprintf(options, sizeof options, "append=false,flush_ms=0,lines=%s,unfold=%s", o->lines ? "true" : "false",
                 o->unfold ? "true" : "false");
        const char *why = NULL;
        if (start(vm, options, true, &why) == JNI_OK) {
            text_puts(report, "hook started\n");
            return;
        }
        refused = why != NULL ? why : "the agent could not start a writer (see the JVM's stderr)"; /* literals, as js_start's reasons are */
    }
    text_puts(report, "hook off ");
    put_name(report, refused, strlen(refused), true);
    text_putc(report, '\n');
}

static bool write_report(const char *path, const text *t)
{
    if (t->failed) {
        say("cannot write %s: out of memory", path);
        return false;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        say("cannot write %s: %s", path, strerror(errno));
        return false;
    }
    bool ok = jjf_write_all(fd, t->p, t->len);
    if (!ok) say("cannot write %s: %s", path, strerror(errno));
    if (close(fd) != 0 && ok) {
        say("cannot write %s: %s", path, strerror(errno));
        ok = false;
    }
    return ok;
}

/* What jemalloc says about itself; false (and the reason in the report) when it cannot profile. */
static bool check_profiling(mallctl_fn mallctl, text *report)
{
    if (mallctl == NULL) {
        fail(report, "no-profiling", NO_PROFILING ": no jemalloc (mallctl not found); " HOW_TO_PROFILE);
        return false;
    }
    bool prof = false;
    size_t len = sizeof prof;
    int err = mallctl("opt.prof", &prof, &len, NULL, 0);
    if (err == ENOENT) {
        fail(report, "no-profiling", NO_PROFILING ": its jemalloc was built without --enable-prof; " HOW_TO_PROFILE);
        return false;
    }
    if (err != 0) {
        fail(report, "no-profiling", NO_PROFILING ": mallctl(\"opt.prof\"): %s; " HOW_TO_PROFILE, strerror(err));
        return false;
    }
    text_printf(report, "opt.prof %s\n", prof ? "true" : "false");
    if (!prof) {
        fail(report, "no-profiling", NO_PROFILING ": jemalloc runs without prof:true; " HOW_TO_PROFILE);
        return false;
    }
    size_t lg_sample = 0;
    len = sizeof lg_sample;
    if (mallctl("prof.lg_sample", &lg_sample, &len, NULL, 0) == 0) text_printf(report, "prof.lg_sample %zu\n", lg_sample);
    return true;
}

static bool switch_sampling(mallctl_fn mallctl, bool on, text *report)
{
    bool was = false;
    size_t len = sizeof was;
    int err = mallctl("prof.active", &was, &len, &on, sizeof on);
    if (err != 0) {
        fail(report, "failed", "cannot switch jemalloc's sampling: mallctl(\"prof.active\"): %s", strerror(err));
        return false;
    }
    text_printf(report, "prof.active.before %s\n", was ? "true" : "false");
    return true;
}

/* dump=, prof_active=: done here and now; nothing stays running. */
static jint act(JavaVM *vm, const agent_options *o)
{
    text report = {0};
    text_puts(&report, "jjf-perfmap-report 1\n");
    pthread_mutex_lock(&snapshot_lock);
    mallctl_fn mallctl = find_mallctl();
    bool ok = check_profiling(mallctl, &report);
    if (ok && o->dump) ok = dump(vm, mallctl, o, &report);
    if (ok && o->hook) start_hook(vm, o, &report);
    if (ok && o->prof_active >= 0) ok = switch_sampling(mallctl, o->prof_active == 1, &report);
    if (ok) {
        bool active = false;
        size_t len = sizeof active;
        if (mallctl("prof.active", &active, &len, NULL, 0) == 0) text_printf(&report, "prof.active %s\n", active ? "true" : "false");
        text_puts(&report, "ok\n");
    }
    pthread_mutex_unlock(&snapshot_lock);
    if (o->report && !write_report(o->report_file, &report)) ok = false;
    free(report.p);
    return ok ? JNI_OK : JNI_ERR;
}

/* At launch a failure must not abort the JVM, so it always answers JNI_OK. */
JNIEXPORT jint JNICALL Agent_OnLoad(JavaVM *vm, char *options, void *reserved)
{
    (void)reserved;
    start(vm, options, false, NULL);
    return JNI_OK;
}

/* Attached later, a failure is reported to the attacher; the JVM runs on either way. */
JNIEXPORT jint JNICALL Agent_OnAttach(JavaVM *vm, char *options, void *reserved)
{
    (void)reserved;
    agent_options o;
    char why[PATH_MAX + 128];
    if (!parse_options(options, true, &o, why, sizeof why)) {
        say("bad options \"%s\": %s (%s); the JVM continues without a perf map", options, why, USAGE);
        return JNI_ERR;
    }
    if (o.dump || o.prof_active >= 0) return act(vm, &o);
    return start(vm, options, true, NULL);
}
