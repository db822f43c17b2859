/*
 * jjf's Java-aware unwinder: jemalloc's experimental.hooks.prof_backtrace, so that a stock
 * jemalloc (Debian's libjemalloc2 unwinds with libgcc, which stops at the first JIT frame)
 * records whole stacks, and interpreted frames carry the method they run.
 *
 * The hook (runs inside every sampled malloc, on any thread, with no jemalloc lock held):
 *   1. libgcc's _Unwind_Backtrace over the native frames (DWARF), as jemalloc itself does, until
 *      the first frame inside the JVM's code cache (JIT code, interpreter, stubs: no DWARF there);
 *   2. from that frame's rbp on by frame pointer: JIT code keeps rbp as a frame pointer under
 *      -XX:+PreserveFramePointer (checked through the JVM's own flag table), the interpreter and
 *      libjvm always do. Every read lies inside this thread's stack, above the current stack
 *      pointer; frame pointers must grow strictly and be aligned; depth is capped by max_len;
 *   3. an interpreter frame holds its Method* and bytecode pointer at fixed slots below the frame
 *      pointer. The slots are learnt at run time (see calibrate), never assumed. The Method* is
 *      followed to its jmethodID (Method -> ConstMethod -> ConstantPool -> holder InstanceKlass ->
 *      jmethod-ID cache, offsets from the JVM's exported VMStructs); every such read goes through
 *      process_vm_readv, which answers EFAULT instead of faulting. Only a jmethodID this agent
 *      registered (from ClassPrepare and the classes loaded at start) names a frame; anything
 *      else stays the raw interpreter address, which reads "Interpreter".
 *
 *   4. a frame in compiled code is recorded by the compilation that holds it (compiled_value):
 *      JS_COMPILED_TAG | compile id << 24 | offset into its code blob, so that code the JIT frees
 *      and replaces later at the same address never names it; the agent writes the map lines of
 *      each compilation under its compile id (see "# jjf-compiled" in perfmap.c).
 *
 * A named interpreted frame is recorded as a synthetic, non-canonical address
 *   JS_TAG | index << 20 | (bci + 1)       (bci + 1 = 0xFFFFF when the bci is unknown)
 * and every registered method gets one perf-map line covering its 2^20 addresses, written when
 * it is registered, before the method can run: dumps at any time, the final one after JVMTI is
 * gone included, find the name in the map. jjf looks caller frames up at address - 1, which is
 * START + bci.
 *
 * No locks and no allocation of our own in the hook (glibc may allocate a thread's TLS block on
 * its first access, which jemalloc allows in the hook); errno is preserved.
 */
#define _GNU_SOURCE
#include "javastack.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <unwind.h>

#define MSG "jjf-perfmap: "
#define JS_TAG 0xFA00000000000000ull
#define JS_INDEX_SHIFT 20
#define JS_MAX_INDEX ((1ull << (56 - JS_INDEX_SHIFT)) - 1)
#define JS_BCI_UNKNOWN 0xFFFFFull
#define MAX_SLOT 15               /* interpreter-frame slots searched below the frame pointer */
#define CALIBRATION_ROUNDS 3      /* stacks that must agree on the slots */
#define MAX_CALIBRATION_TRIES 200 /* class-prepare events looked at before giving up */
/* Sampled allocations looked at (attached to a running JVM): most run in compiled code. */
#define MAX_ALLOCATION_TRIES 20000
#define CALIBRATION_INTERPRETER_FRAMES 8
#define CALIBRATION_FRAMES 64
#define MAX_CONSTMETHOD_BYTES 128
#define FIRST_TABLE_SLOTS (1u << 14)
#define JS_COMPILED_TAG 0xFB00000000000000ull
#define JS_CID_SHIFT 24 /* compile id above, offset into the code blob below */
#define MAX_CODE_HEAPS 8
#define MAX_NMETHOD_NAMES 4
#define FREE_SEGMENT 0xFF     /* the code heap's segment map: a segment no block owns */
#define MAX_SEGMENT_HOPS 4096 /* a blob of 1 M segments; nmethods are far smaller */

typedef void (*prof_backtrace_hook_t)(void **vec, unsigned *len, unsigned max_len);

/* ---- what the hook reads: written before the hook is installed, or published atomically ---- */

static _Atomic uintptr_t code_lo = UINTPTR_MAX, code_hi;     /* all code the JVM reported */
static _Atomic uintptr_t interp_lo = UINTPTR_MAX, interp_hi; /* the template interpreter */
static uintptr_t self_lo, self_hi;                           /* this library's code */

/* Offsets from VMStructs, in bytes; valid once layout_ok. */
static struct {
    long method_constmethod;
    long constmethod_constants;
    long constmethod_idnum;
    long constmethod_code_size;
    long constmethod_size; /* the bytecodes follow the ConstMethod */
    long cpool_holder;
    long klass_jmethod_ids;
} L;
static bool layout_ok;

/*
 * Where compiled code lives, so that the hook can name a compiled frame by the compilation it ran
 * (nmethod::_compile_id, never reused) instead of by its address, which the JIT frees and reuses:
 * the code heaps' segment maps lead from a pc to the start of its block, as the JVM finds a blob.
 * Offsets from VMStructs; the heaps are read once at start (they are created before any agent
 * runs and never move). All zero when unknown: compiled frames then stay raw addresses.
 */
static struct {
    long hb_size, hb_used;                 /* HeapBlock: the blob follows it */
    long blob_name, blob_size, nm_cid;     /* CodeBlob::_name, CodeBlob::_size, nmethod::_compile_id */
    long header_bytes;                     /* what a blob's header check reads */
    int heaps;
    struct {
        uintptr_t lo, hi_boundary;         /* reserved code memory */
        const _Atomic uintptr_t *committed; /* &_memory._high: grows, never shrinks */
        uintptr_t map_lo;
        const _Atomic uintptr_t *map_committed; /* &_segmap._high */
        int log2_segment;
    } heap[MAX_CODE_HEAPS];
} C;
static atomic_bool compiled_on;
/* CodeBlob::_name values that nmethods carry (learnt from the JVM's own code events). */
static _Atomic uintptr_t nmethod_names[MAX_NMETHOD_NAMES];
static pthread_mutex_t nmethod_names_lock = PTHREAD_MUTEX_INITIALIZER;

/* Learnt slots (negative word offsets from the frame pointer), 0 until calibrated. */
static _Atomic int method_slot, bcp_slot;
/* Whether *(Method**)jmethodID is the Method* on this JVM (JDK 17: yes; newer: an id), checked too. */
static _Atomic bool deref_check;

/* jmethodID -> registration index; readers are lock-free, writers hold reg_lock. */
typedef struct {
    size_t mask;
    size_t count;
    _Atomic uintptr_t *keys;
    _Atomic uint64_t *vals;
} jtable;
static _Atomic(jtable *) table;

/* ---- registration state (JVMTI threads only) ---- */

static struct {
    JavaVM *vm;
    jvmtiEnv *jvmti;
    js_emit_fn emit;
    void *ctx;
    pthread_mutex_t lock;
    uint64_t next_index;
    bool stopped;
    int calibration_tries;
    int allocation_tries;
    int rounds;
    int round_method_slot, round_bcp_slot;
    int deref_yes, deref_no;
} R = {.lock = PTHREAD_MUTEX_INITIALIZER};
/* Guards the calibration fields of R. */
static pthread_mutex_t calibration_lock = PTHREAD_MUTEX_INITIALIZER;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, MSG "%s\n", line);
    fflush(stderr);
}

/* ---- fault-free reads ---- */

/*
 * This process's pid for process_vm_readv, refreshed in a forked child: with the parent's pid the
 * child would read the parent's memory. (vfork and posix_spawn children share our memory and run
 * no malloc before exec.)
 */
static _Atomic pid_t self_pid;

static void refresh_pid(void)
{
    atomic_store(&self_pid, (pid_t)syscall(SYS_getpid));
}

/* Reads n bytes at addr; false (never a fault) when any of it is not mapped readable. */
static bool read_mem(uintptr_t addr, void *out, size_t n)
{
    if (addr < 4096) return false;
    struct iovec local = {out, n};
    struct iovec remote = {(void *)addr, n};
    pid_t pid = atomic_load_explicit(&self_pid, memory_order_relaxed);
    return pid > 0 && process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)n;
}

static bool read_word(uintptr_t addr, uintptr_t *out)
{
    return read_mem(addr, out, sizeof *out);
}

/* ---- code ranges ---- */

static void widen(_Atomic uintptr_t *lo, _Atomic uintptr_t *hi, uintptr_t start, uintptr_t end)
{
    uintptr_t v = atomic_load(lo);
    while (start < v && !atomic_compare_exchange_weak(lo, &v, start)) {
    }
    v = atomic_load(hi);
    while (end > v && !atomic_compare_exchange_weak(hi, &v, end)) {
    }
}

void js_note_code(const char *name, const void *address, jint length)
{
    if (address == NULL || length <= 0) return;
    uintptr_t start = (uintptr_t)address;
    uintptr_t end = start + (uintptr_t)length;
    widen(&code_lo, &code_hi, start, end);
    if (name != NULL && strcmp(name, "Interpreter") == 0) widen(&interp_lo, &interp_hi, start, end);
}

static inline bool in_code(uintptr_t pc)
{
    return pc >= atomic_load_explicit(&code_lo, memory_order_relaxed) && pc < atomic_load_explicit(&code_hi, memory_order_relaxed);
}

static inline bool in_interpreter(uintptr_t pc)
{
    return pc >= atomic_load_explicit(&interp_lo, memory_order_relaxed) && pc < atomic_load_explicit(&interp_hi, memory_order_relaxed);
}

/* ---- compiled code: pc -> compilation ---- */

/*
 * The code blob that holds pc, by the code heap's segment map (one byte per segment: 0 where a
 * block starts, FREE_SEGMENT where none is, else how many segments to step back). Reads JVM memory
 * directly, but only below what the heap has committed, which it never gives back: no read can
 * fault, even for a pc that no live frame holds. Returns the blob's address, 0 when pc lies in no
 * used block of a known heap.
 */
static uintptr_t blob_of(uintptr_t pc, uintptr_t *committed_out)
{
    for (int h = 0; h < C.heaps; h++) {
        if (pc < C.heap[h].lo || pc >= C.heap[h].hi_boundary) continue;
        uintptr_t committed = atomic_load_explicit(C.heap[h].committed, memory_order_acquire);
        uintptr_t map_committed = atomic_load_explicit(C.heap[h].map_committed, memory_order_acquire);
        if (pc >= committed) return 0;
        const volatile unsigned char *map = (const volatile unsigned char *)C.heap[h].map_lo;
        uintptr_t idx = (pc - C.heap[h].lo) >> C.heap[h].log2_segment;
        if (C.heap[h].map_lo + idx >= map_committed) return 0;
        unsigned v = map[idx];
        for (int hops = 0; v != 0; hops++) {
            if (v == FREE_SEGMENT || v > idx || hops == MAX_SEGMENT_HOPS) return 0;
            idx -= v;
            v = map[idx];
        }
        uintptr_t block = C.heap[h].lo + (idx << C.heap[h].log2_segment);
        if (block + (uintptr_t)C.hb_size + (uintptr_t)C.header_bytes > committed) return 0;
        if (*(const volatile unsigned char *)(block + (uintptr_t)C.hb_used) == 0) return 0; /* a free block */
        *committed_out = committed;
        return block + (uintptr_t)C.hb_size;
    }
    return 0;
}

typedef struct {
    uintptr_t name;
    int32_t size;
    int32_t cid;
} blob_header;

static blob_header header_of(uintptr_t blob)
{
    blob_header b;
    b.name = *(const volatile uintptr_t *)(blob + (uintptr_t)C.blob_name);
    b.size = *(const volatile int32_t *)(blob + (uintptr_t)C.blob_size);
    b.cid = *(const volatile int32_t *)(blob + (uintptr_t)C.nm_cid);
    return b;
}

static bool is_nmethod_name(uintptr_t name)
{
    for (int i = 0; i < MAX_NMETHOD_NAMES; i++) {
        uintptr_t n = atomic_load_explicit(&nmethod_names[i], memory_order_acquire);
        if (n == 0) return false;
        if (n == name) return true;
    }
    return false;
}

/*
 * The value naming a compiled frame: JS_COMPILED_TAG | compile id << 24 | offset of pc in its
 * nmethod. 0 (the raw pc stays) unless the block holding pc is an nmethod whose code covers pc.
 * A compile id is the JVM's own for one compilation: the agent maps it to that compilation's map
 * lines, so code freed and replaced later at the same address is never named for this frame.
 */
static uintptr_t compiled_value(uintptr_t pc)
{
    if (!atomic_load_explicit(&compiled_on, memory_order_acquire)) return 0;
    uintptr_t committed = 0;
    uintptr_t blob = blob_of(pc, &committed);
    if (blob == 0) return 0;
    blob_header b = header_of(blob);
    if (!is_nmethod_name(b.name) || b.cid <= 0 || b.size <= 0 || pc - blob >= (uintptr_t)b.size || blob + (uintptr_t)b.size > committed
        || pc - blob >= (1u << JS_CID_SHIFT)) {
        return 0;
    }
    return JS_COMPILED_TAG | (uint64_t)(uint32_t)b.cid << JS_CID_SHIFT | (pc - blob);
}

bool js_compiled_id(const void *code_addr, jint code_size, int32_t *cid, uintptr_t *blob_out)
{
    if (!atomic_load(&compiled_on) || code_addr == NULL || code_size <= 0) return false;
    uintptr_t pc = (uintptr_t)code_addr;
    uintptr_t committed = 0;
    uintptr_t blob = blob_of(pc, &committed);
    if (blob == 0) return false;
    blob_header b = header_of(blob);
    if (b.cid <= 0 || b.size <= 0 || pc + (uintptr_t)code_size > blob + (uintptr_t)b.size || blob + (uintptr_t)b.size > committed) {
        return false;
    }
    if (!is_nmethod_name(b.name)) {
        /* The JVM says this is compiled code: learn its blob name, if the name reads "nmethod". */
        Dl_info info;
        if (b.name == 0 || dladdr((void *)b.name, &info) == 0 || strcmp((const char *)b.name, "nmethod") != 0) return false;
        pthread_mutex_lock(&nmethod_names_lock);
        bool added = false;
        for (int i = 0; i < MAX_NMETHOD_NAMES && !added; i++) {
            uintptr_t n = atomic_load(&nmethod_names[i]);
            if (n == b.name) added = true;
            else if (n == 0) {
                atomic_store_explicit(&nmethod_names[i], b.name, memory_order_release);
                added = true;
            }
        }
        pthread_mutex_unlock(&nmethod_names_lock);
        if (!added) return false;
    }
    *cid = b.cid;
    *blob_out = blob;
    return true;
}

/* ---- the jmethodID table ---- */

static size_t hash_of(uintptr_t k, size_t mask)
{
    k ^= k >> 29;
    k *= (uintptr_t)0xBF58476D1CE4E5B9ull;
    k ^= k >> 32;
    return (size_t)k & mask;
}

static jtable *table_new(size_t slots)
{
    jtable *t = calloc(1, sizeof *t);
    if (t == NULL) return NULL;
    t->keys = calloc(slots, sizeof *t->keys);
    t->vals = calloc(slots, sizeof *t->vals);
    if (t->keys == NULL || t->vals == NULL) {
        free(t->keys);
        free(t->vals);
        free(t);
        return NULL;
    }
    t->mask = slots - 1;
    return t;
}

static int64_t table_get(uintptr_t key)
{
    jtable *t = atomic_load_explicit(&table, memory_order_acquire);
    if (t == NULL || key == 0) return -1;
    size_t i = hash_of(key, t->mask);
    for (size_t probes = 0; probes <= t->mask; probes++, i = (i + 1) & t->mask) {
        uintptr_t k = atomic_load_explicit(&t->keys[i], memory_order_acquire);
        if (k == key) return (int64_t)atomic_load_explicit(&t->vals[i], memory_order_acquire);
        if (k == 0) return -1;
    }
    return -1;
}

static void slot_put(jtable *t, uintptr_t key, uint64_t val)
{
    size_t i = hash_of(key, t->mask);
    while (true) {
        uintptr_t k = atomic_load_explicit(&t->keys[i], memory_order_relaxed);
        if (k == key) {
            atomic_store_explicit(&t->vals[i], val, memory_order_release);
            return;
        }
        if (k == 0) {
            atomic_store_explicit(&t->vals[i], val, memory_order_relaxed);
            atomic_store_explicit(&t->keys[i], key, memory_order_release);
            t->count++;
            return;
        }
        i = (i + 1) & t->mask;
    }
}

/*
 * Called with R.lock held. A grown table replaces the old one, which is never freed: a hook on
 * another thread may still be reading it (a few MB at most over a JVM's life).
 */
static bool table_put(uintptr_t key, uint64_t val)
{
    jtable *t = atomic_load_explicit(&table, memory_order_relaxed);
    if (t == NULL || (t->count + 1) * 2 > t->mask + 1) {
        jtable *bigger = table_new(t == NULL ? FIRST_TABLE_SLOTS : (t->mask + 1) * 2);
        if (bigger == NULL) return false;
        if (t != NULL) {
            for (size_t i = 0; i <= t->mask; i++) {
                uintptr_t k = atomic_load_explicit(&t->keys[i], memory_order_relaxed);
                if (k != 0) slot_put(bigger, k, atomic_load_explicit(&t->vals[i], memory_order_relaxed));
            }
        }
        atomic_store_explicit(&table, bigger, memory_order_release);
        t = bigger;
    }
    slot_put(t, key, val);
    return true;
}

/* ---- Method* -> jmethodID, every read checked ---- */

/* A Method* followed to its jmethodID: every pointer on the way, so that it can be checked again. */
typedef struct {
    uintptr_t method;
    uintptr_t constmethod;
    uintptr_t cpool;
    uintptr_t holder;
    uintptr_t ids;
    uintptr_t jmethod;
    uint16_t idnum;
    uint16_t code_size;
} method_info;

static bool method_of(uintptr_t method, bool check_deref, method_info *out)
{
    if ((method & 7) != 0) return false;
    uintptr_t cm = 0, cp = 0, holder = 0, ids = 0, length = 0, jm = 0;
    unsigned char c[MAX_CONSTMETHOD_BYTES];
    if (!read_word(method + (uintptr_t)L.method_constmethod, &cm) || (cm & 7) != 0) return false;
    if (!read_mem(cm, c, (size_t)L.constmethod_size)) return false;
    uint16_t idnum, code_size;
    memcpy(&cp, c + L.constmethod_constants, sizeof cp);
    memcpy(&idnum, c + L.constmethod_idnum, sizeof idnum);
    memcpy(&code_size, c + L.constmethod_code_size, sizeof code_size);
    if ((cp & 7) != 0 || !read_word(cp + (uintptr_t)L.cpool_holder, &holder) || (holder & 7) != 0) return false;
    if (!read_word(holder + (uintptr_t)L.klass_jmethod_ids, &ids) || ids == 0 || (ids & 7) != 0) return false;
    if (!read_word(ids, &length) || (uintptr_t)idnum + 1 > length) return false;
    if (!read_word(ids + 8 * ((uintptr_t)idnum + 1), &jm) || jm == 0) return false;
    if (check_deref) {
        uintptr_t back = 0;
        if (!read_word(jm, &back) || back != method) return false;
    }
    out->method = method;
    out->constmethod = cm;
    out->cpool = cp;
    out->holder = holder;
    out->ids = ids;
    out->jmethod = jm;
    out->idnum = idnum;
    out->code_size = code_size;
    return true;
}

/*
 * The methods this thread's hook resolved lately. An entry is only a guess, checked again before
 * use:
 *  - where a jmethodID points to its Method* (deref_check, JDK 17), one word, read directly (see
 *    still_its_method): the registered jmethodID still points to the cached Method*. The table of
 *    registered jmethodIDs already relies on a jmethodID never standing for another method
 *    (HotSpot clears those of unloaded classes and points those of redefined methods at the new
 *    version, of the same name), so a Method* that a registered jmethodID points to now is that
 *    jmethodID's method now: the same answer a full walk gives. An entry whose jmethodID the agent
 *    did not register is checked as below, with the two words read by process_vm_readv;
 *  - elsewhere every link of the chain is read again (all entries of one stack in one
 *    process_vm_readv) and must hold the same pointer; equal links make the same chain, so a hit
 *    is checked as fully as a miss.
 */
#define METHOD_CACHE_SLOTS 64
#define READS_PER_CHECK 5 /* at most; 2 where deref_check */
static __thread method_info method_cache[METHOD_CACHE_SLOTS];

/*
 * Two slots per method (the second one's index differs in its lowest bit): the methods of one stack
 * that share a slot would otherwise evict each other on every sample, and each miss costs a walk
 * of seven reads. Where each entry goes changes nothing about what is trusted: every hit is checked.
 */
static size_t cache_index(uintptr_t method)
{
    return (size_t)((method * (uintptr_t)0x9E3779B97F4A7C15ull) >> 58) & (METHOD_CACHE_SLOTS - 1);
}

static const method_info *cache_find(uintptr_t method)
{
    size_t i = cache_index(method);
    if (method_cache[i].method == method) return &method_cache[i];
    if (method_cache[i ^ 1].method == method) return &method_cache[i ^ 1];
    return NULL;
}

/* Into the method's own slot, or the other one when its own holds another method and that one is free. */
static void cache_put(const method_info *mi)
{
    size_t i = cache_index(mi->method);
    if (method_cache[i].method != 0 && method_cache[i].method != mi->method
        && (method_cache[i ^ 1].method == 0 || method_cache[i ^ 1].method == mi->method)) {
        i ^= 1;
    }
    method_cache[i] = *mi;
}

/* What one check reads back; compared against the cached chain. */
typedef struct {
    uintptr_t constmethod;
    unsigned char cm[MAX_CONSTMETHOD_BYTES];
    uintptr_t holder;
    uintptr_t ids;
    uintptr_t jmethod;
    uintptr_t back;
} check_buf;

static int add_check(struct iovec *local, struct iovec *remote, check_buf *b, const method_info *c, bool check_deref)
{
    int n = 0;
    local[n] = (struct iovec){&b->constmethod, 8};
    remote[n++] = (struct iovec){(void *)(c->method + (uintptr_t)L.method_constmethod), 8};
    if (check_deref) {
        local[n] = (struct iovec){&b->back, 8};
        remote[n++] = (struct iovec){(void *)c->jmethod, 8};
        return n;
    }
    local[n] = (struct iovec){b->cm, (size_t)L.constmethod_size};
    remote[n++] = (struct iovec){(void *)c->constmethod, (size_t)L.constmethod_size};
    local[n] = (struct iovec){&b->holder, 8};
    remote[n++] = (struct iovec){(void *)(c->cpool + (uintptr_t)L.cpool_holder), 8};
    local[n] = (struct iovec){&b->ids, 8};
    remote[n++] = (struct iovec){(void *)(c->holder + (uintptr_t)L.klass_jmethod_ids), 8};
    local[n] = (struct iovec){&b->jmethod, 8};
    remote[n++] = (struct iovec){(void *)(c->ids + 8 * ((uintptr_t)c->idnum + 1)), 8};
    return n;
}

static bool check_matches(const check_buf *b, const method_info *c, bool check_deref)
{
    if (check_deref) return b->constmethod == c->constmethod && b->back == c->method;
    uintptr_t cp;
    uint16_t idnum, code_size;
    memcpy(&cp, b->cm + L.constmethod_constants, sizeof cp);
    memcpy(&idnum, b->cm + L.constmethod_idnum, sizeof idnum);
    memcpy(&code_size, b->cm + L.constmethod_code_size, sizeof code_size);
    return b->constmethod == c->constmethod && cp == c->cpool && idnum == c->idnum && code_size == c->code_size
           && b->holder == c->holder && b->ids == c->ids && b->jmethod == c->jmethod;
}

/* ---- stack bounds, once per thread ---- */

static __thread uintptr_t stack_top;
static __thread bool stack_unknown;

static uintptr_t parse_hex(const char **p, const char *end)
{
    uintptr_t v = 0;
    for (; *p < end; (*p)++) {
        char c = **p;
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : 16u;
        if (d == 16) break;
        v = v << 4 | d;
    }
    return v;
}

/* The end of the range a maps line [start, end) begins with, when it holds sp; 0 otherwise. */
static uintptr_t line_end_if_holds(const char *start, const char *end, uintptr_t sp)
{
    const char *q = start;
    uintptr_t lo = parse_hex(&q, end);
    if (q >= end || *q != '-') return 0;
    q++;
    uintptr_t hi = parse_hex(&q, end);
    return lo <= sp && sp < hi ? hi : 0;
}

/*
 * The end of the mapping that holds address sp, from /proc/self/maps read with plain system
 * calls into a stack buffer; 0 when not found. Not pthread_getattr_np: it takes the thread's own
 * lock and allocates (its cpuset) while holding it, so called from this hook, inside malloc, it
 * deadlocked whenever the sampled allocation was that very one (the JVM or a JNI library asking
 * for the thread's attributes). Everything below the end of the mapping is mapped, which is all
 * the frame-pointer walk needs of the bound.
 */
static uintptr_t mapping_end(uintptr_t sp)
{
    int saved_errno = errno; /* malloc's caller may read errno after a successful call */
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        errno = saved_errno;
        return 0;
    }
    char buf[512];
    size_t have = 0;
    bool skipping = false; /* in the rest of a line longer than the buffer */
    uintptr_t found = 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof buf - have);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        have += (size_t)r;
        size_t start = 0;
        for (size_t i = 0; i < have && found == 0; i++) {
            if (buf[i] != '\n') continue;
            if (!skipping) found = line_end_if_holds(buf + start, buf + i, sp);
            skipping = false;
            start = i + 1;
        }
        if (found != 0) break;
        if (start == 0 && have == sizeof buf) {
            /* A line longer than the buffer (a long path): its addresses are at its start. */
            if (!skipping && (found = line_end_if_holds(buf, buf + have, sp)) != 0) break;
            skipping = true;
            have = 0;
            continue;
        }
        memmove(buf, buf + start, have - start);
        have -= start;
    }
    close(fd);
    errno = saved_errno;
    return found;
}

static uintptr_t thread_stack_top(void)
{
    if (stack_top == 0 && !stack_unknown) {
        stack_top = mapping_end((uintptr_t)__builtin_frame_address(0));
        if (stack_top == 0) stack_unknown = true;
    }
    return stack_top;
}

/* ---- the hook ---- */

typedef struct {
    void **vec;
    unsigned n;
    unsigned max;
    bool leaving_self;
    uintptr_t java_pc; /* the first frame in the code cache, 0 if none */
    uintptr_t java_fp;
} walk;

static _Unwind_Reason_Code native_frame(struct _Unwind_Context *ctx, void *arg)
{
    walk *w = arg;
    uintptr_t ip = (uintptr_t)_Unwind_GetIP(ctx);
    if (ip == 0) return _URC_END_OF_STACK;
    if (!w->leaving_self) {
        if (ip >= self_lo && ip < self_hi) return _URC_NO_REASON; /* the hook's own frames */
        w->leaving_self = true;
    }
    if (in_code(ip)) {
        /* No DWARF from here on: the frame-pointer walk takes over at this frame. */
        w->java_pc = ip;
        w->java_fp = (uintptr_t)_Unwind_GetGR(ctx, 6); /* DWARF register 6 is rbp on x86-64 */
        return _URC_END_OF_STACK;
    }
    if (w->n >= w->max) return _URC_END_OF_STACK;
    w->vec[w->n++] = (void *)ip;
    return _URC_NO_REASON;
}

/* An interpreter frame found by the walk: where its value goes in vec, and what its slots hold. */
typedef struct {
    unsigned at;
    uintptr_t method;
    uintptr_t bcp;
} interp_frame;

#define MAX_INTERP_FRAMES 128 /* jemalloc's max_len; with the batch below about 5 KiB of stack in all: the hook runs on any thread */
#define CHECK_BATCH 4 /* frames checked per process_vm_readv (2 or 5 reads each) */

/* The synthetic value naming a resolved method, or 0 when the agent never registered it. */
static uintptr_t synthetic(const method_info *mi, uintptr_t bcp)
{
    int64_t index = table_get(mi->jmethod);
    if (index < 0) return 0;
    uintptr_t code = mi->constmethod + (uintptr_t)L.constmethod_size;
    uint64_t bci = bcp >= code && bcp < code + mi->code_size ? bcp - code + 1 : JS_BCI_UNKNOWN;
    return JS_TAG | (uint64_t)index << JS_INDEX_SHIFT | bci;
}

/*
 * The check of a cached method without a system call, where a jmethodID points to its Method*
 * (deref_check, JDK 17): a jmethodID this agent registered came from JVMTI, and the JVM never
 * frees the memory of jmethodIDs (JNI code may keep them for ever), so the word it points to can
 * be read directly. If it still holds the frame's Method*, that Method is the jmethodID's method
 * (a cleared or redefined one's jmethodID points elsewhere), and its registration names it. The
 * Method itself is not read: its class may be unloaded at any moment and its memory given back.
 * The cached ConstMethod gives the bytecode index (a Method keeps its ConstMethod; a redefined
 * method is a new Method).
 */
static bool still_its_method(const method_info *c)
{
    if (table_get(c->jmethod) < 0) return false; /* only jmethodIDs JVMTI gave the agent are read directly */
    return *(const volatile uintptr_t *)c->jmethod == c->method;
}

/*
 * Names the interpreter frames of one stack. Cached methods are checked in batches, one system
 * call each; what fails the check, or was not cached, is followed link by link.
 */
static void name_interpreted(void **vec, interp_frame *frames, unsigned count)
{
    bool deref = atomic_load_explicit(&deref_check, memory_order_relaxed);
    pid_t pid = atomic_load_explicit(&self_pid, memory_order_relaxed);
    for (unsigned from = 0; from < count; from += CHECK_BATCH) {
        unsigned to = from + CHECK_BATCH < count ? from + CHECK_BATCH : count;
        struct iovec local[CHECK_BATCH * READS_PER_CHECK], remote[CHECK_BATCH * READS_PER_CHECK];
        check_buf bufs[CHECK_BATCH];
        method_info snapshot[CHECK_BATCH];
        bool checked[CHECK_BATCH] = {false};
        int n = 0;
        size_t bytes = 0;
        bool named[CHECK_BATCH] = {false};
        for (unsigned i = from; i < to; i++) {
            const method_info *c = frames[i].method == 0 ? NULL : cache_find(frames[i].method);
            if (c == NULL) continue;
            if (deref && still_its_method(c)) {
                uintptr_t v = synthetic(c, frames[i].bcp);
                if (v != 0) vec[frames[i].at] = (void *)v;
                named[i - from] = true;
                continue;
            }
            snapshot[i - from] = *c;
            int k = add_check(local + n, remote + n, &bufs[i - from], c, deref);
            for (int j = 0; j < k; j++) bytes += local[n + j].iov_len;
            n += k;
            checked[i - from] = true;
        }
        ssize_t got = n > 0 && pid > 0 ? process_vm_readv(pid, local, (unsigned long)n, remote, (unsigned long)n, 0) : 0;
        bool all_read = got >= 0 && (size_t)got == bytes;
        for (unsigned i = from; i < to; i++) {
            if (named[i - from]) continue;
            method_info mi;
            const method_info *use = NULL;
            if (checked[i - from] && all_read && check_matches(&bufs[i - from], &snapshot[i - from], deref)) {
                use = &snapshot[i - from];
            } else if (method_of(frames[i].method, deref, &mi)) {
                cache_put(&mi);
                use = &mi;
            }
            uintptr_t v = use != NULL ? synthetic(use, frames[i].bcp) : 0;
            if (v != 0) vec[frames[i].at] = (void *)v;
        }
    }
}

static void java_frames(walk *w)
{
    uintptr_t lo = (uintptr_t)__builtin_frame_address(0);
    uintptr_t hi = thread_stack_top();
    if (hi == 0 || lo >= hi) return;
    int ms = atomic_load_explicit(&method_slot, memory_order_acquire);
    int bs = atomic_load_explicit(&bcp_slot, memory_order_acquire);
    interp_frame frames[MAX_INTERP_FRAMES];
    unsigned count = 0;
    uintptr_t pc = w->java_pc;
    uintptr_t fp = w->java_fp;
    while (w->n < w->max) {
        /* The raw address stays where the method cannot be named: it reads "Interpreter". */
        if (ms != 0 && bs != 0 && in_interpreter(pc) && fp > lo + 8u * MAX_SLOT && fp < hi && (fp & 7) == 0
            && count < MAX_INTERP_FRAMES) {
            const uintptr_t *f = (const uintptr_t *)fp;
            frames[count++] = (interp_frame){w->n, f[ms], f[bs]};
        }
        uintptr_t compiled = in_interpreter(pc) ? 0 : compiled_value(pc);
        w->vec[w->n++] = (void *)(compiled != 0 ? compiled : pc);
        if ((fp & 7) != 0 || fp <= lo || fp > hi - 16) break;
        uintptr_t next_fp = ((const uintptr_t *)fp)[0];
        uintptr_t next_pc = ((const uintptr_t *)fp)[1];
        if (next_pc < 4096) break;
        if (next_fp <= fp || next_fp > hi - 16) {
            /*
             * The frame at fp is real, so its return address is too; its caller keeps no frame
             * pointer (glibc's start_thread, for one). Recorded, so that stacks still begin at the
             * thread's start; the walk ends there.
             */
            if (w->n < w->max) w->vec[w->n++] = (void *)next_pc;
            break;
        }
        fp = next_fp;
        pc = next_pc;
    }
    if (count > 0) name_interpreted(w->vec, frames, count);
}

static void hook(void **vec, unsigned *len, unsigned max_len)
{
    int saved_errno = errno;
    walk w = {.vec = vec, .max = max_len};
    _Unwind_Backtrace(native_frame, &w);
    if (w.java_pc != 0) java_frames(&w);
    *len = w.n;
    errno = saved_errno;
}

/* ---- VMStructs ---- */

static bool vm_long(const char *name, uint64_t *out)
{
    void *p = dlsym(RTLD_DEFAULT, name);
    if (p == NULL) return false;
    *out = *(const uint64_t *)p;
    return true;
}

/* Walks gHotSpotVMStructs (or gHotSpotVMTypes) once, calling visit for every entry. */
typedef struct {
    uint64_t stride, type, field, offset, is_static, address;
    const char *array;
} structs_table;

static bool open_structs(structs_table *s)
{
    void *p = dlsym(RTLD_DEFAULT, "gHotSpotVMStructs");
    if (p == NULL || *(const char *const *)p == NULL) return false;
    s->array = *(const char *const *)p;
    return vm_long("gHotSpotVMStructEntryArrayStride", &s->stride) && vm_long("gHotSpotVMStructEntryTypeNameOffset", &s->type)
           && vm_long("gHotSpotVMStructEntryFieldNameOffset", &s->field) && vm_long("gHotSpotVMStructEntryOffsetOffset", &s->offset)
           && vm_long("gHotSpotVMStructEntryIsStaticOffset", &s->is_static) && vm_long("gHotSpotVMStructEntryAddressOffset", &s->address);
}

/* A field's offset (or, for a static field, its address); -1 when the JVM does not list it. */
static long struct_field(const structs_table *s, const char *type, const char *field, bool want_static)
{
    for (const char *e = s->array;; e += s->stride) {
        const char *t = *(const char *const *)(e + s->type);
        if (t == NULL) return -1;
        const char *f = *(const char *const *)(e + s->field);
        if (f == NULL || strcmp(t, type) != 0 || strcmp(f, field) != 0) continue;
        int32_t st = *(const int32_t *)(e + s->is_static);
        if ((st != 0) != want_static) return -1;
        return want_static ? (long)*(const uintptr_t *)(e + s->address) : (long)*(const uint64_t *)(e + s->offset);
    }
}

static long type_size(const char *name)
{
    uint64_t stride, type_off, size_off;
    void *p = dlsym(RTLD_DEFAULT, "gHotSpotVMTypes");
    if (p == NULL || !vm_long("gHotSpotVMTypeEntryArrayStride", &stride) || !vm_long("gHotSpotVMTypeEntryTypeNameOffset", &type_off)
        || !vm_long("gHotSpotVMTypeEntrySizeOffset", &size_off)) {
        return -1;
    }
    for (const char *e = *(const char *const *)p; e != NULL; e += stride) {
        const char *t = *(const char *const *)(e + type_off);
        if (t == NULL) return -1;
        if (strcmp(t, name) == 0) return (long)*(const uint64_t *)(e + size_off);
    }
    return -1;
}

/* A boolean -XX flag's value through JVMFlag::flags; -1 when the table cannot be read. */
static int bool_flag(const structs_table *s, const char *name)
{
    long flags_addr = struct_field(s, "JVMFlag", "flags", true);
    long count_addr = struct_field(s, "JVMFlag", "numFlags", true);
    long name_off = struct_field(s, "JVMFlag", "_name", false);
    long addr_off = struct_field(s, "JVMFlag", "_addr", false);
    long size = type_size("JVMFlag");
    if (flags_addr <= 0 || count_addr <= 0 || name_off < 0 || addr_off < 0 || size <= 0) return -1;
    const char *flags = *(const char *const *)flags_addr;
    size_t count = *(const size_t *)count_addr;
    for (size_t i = 0; flags != NULL && i < count; i++) {
        const char *f = flags + i * (size_t)size;
        const char *n = *(const char *const *)(f + name_off);
        if (n != NULL && strcmp(n, name) == 0) {
            const bool *value = *(const bool *const *)(f + addr_off);
            return value == NULL ? -1 : *value ? 1 : 0;
        }
    }
    return -1;
}

/*
 * The code heaps (CodeCache::_heaps) and the offsets compiled_value reads. Anything missing leaves
 * C.heaps at 0: compiled frames then stay raw addresses, named by the map as before.
 */
static void read_code_heaps(const structs_table *s)
{
    long heaps_addr = struct_field(s, "CodeCache", "_heaps", true);
    long len_off = struct_field(s, "GrowableArrayBase", "_len", false);
    long data_off = struct_field(s, "GrowableArray<int>", "_data", false);
    long memory = struct_field(s, "CodeHeap", "_memory", false);
    long segmap = struct_field(s, "CodeHeap", "_segmap", false);
    long log2 = struct_field(s, "CodeHeap", "_log2_segment_size", false);
    long vs_low = struct_field(s, "VirtualSpace", "_low", false);
    long vs_high = struct_field(s, "VirtualSpace", "_high", false);
    long vs_high_boundary = struct_field(s, "VirtualSpace", "_high_boundary", false);
    long hb_header = struct_field(s, "HeapBlock", "_header", false);
    long used = struct_field(s, "HeapBlock::Header", "_used", false);
    C.hb_size = type_size("HeapBlock");
    C.blob_name = struct_field(s, "CodeBlob", "_name", false);
    C.blob_size = struct_field(s, "CodeBlob", "_size", false);
    C.nm_cid = struct_field(s, "nmethod", "_compile_id", false);
    if (heaps_addr <= 0 || len_off < 0 || data_off < 0 || memory < 0 || segmap < 0 || log2 < 0 || vs_low < 0 || vs_high < 0
        || vs_high_boundary < 0 || hb_header < 0 || used < 0 || C.hb_size <= 0 || C.blob_name < 0 || C.blob_size < 0 || C.nm_cid < 0) {
        return;
    }
    C.hb_used = hb_header + used;
    long last = C.blob_name + 8;
    if (C.blob_size + 4 > last) last = C.blob_size + 4;
    if (C.nm_cid + 4 > last) last = C.nm_cid + 4;
    C.header_bytes = last;
    const char *array = *(const char *const *)heaps_addr;
    if (array == NULL) return;
    int n = *(const int *)(array + len_off);
    const char *const *data = *(const char *const *const *)(array + data_off);
    if (n <= 0 || n > MAX_CODE_HEAPS || data == NULL) return;
    for (int i = 0; i < n; i++) {
        const char *heap = data[i];
        if (heap == NULL) return;
        int shift = *(const int *)(heap + log2);
        if (shift < 4 || shift > 16) return;
        C.heap[i].lo = *(const uintptr_t *)(heap + memory + vs_low);
        C.heap[i].hi_boundary = *(const uintptr_t *)(heap + memory + vs_high_boundary);
        C.heap[i].committed = (const _Atomic uintptr_t *)(heap + memory + vs_high);
        C.heap[i].map_lo = *(const uintptr_t *)(heap + segmap + vs_low);
        C.heap[i].map_committed = (const _Atomic uintptr_t *)(heap + segmap + vs_high);
        C.heap[i].log2_segment = shift;
        if (C.heap[i].lo == 0 || C.heap[i].hi_boundary <= C.heap[i].lo || C.heap[i].map_lo == 0) return;
    }
    C.heaps = n;
}

static const char *read_layout(void)
{
    structs_table s;
    if (!open_structs(&s)) return "this JVM exports no VMStructs (not HotSpot?)";
    L.method_constmethod = struct_field(&s, "Method", "_constMethod", false);
    L.constmethod_constants = struct_field(&s, "ConstMethod", "_constants", false);
    L.constmethod_idnum = struct_field(&s, "ConstMethod", "_method_idnum", false);
    L.constmethod_code_size = struct_field(&s, "ConstMethod", "_code_size", false);
    L.cpool_holder = struct_field(&s, "ConstantPool", "_pool_holder", false);
    L.klass_jmethod_ids = struct_field(&s, "InstanceKlass", "_methods_jmethod_ids", false);
    L.constmethod_size = type_size("ConstMethod");
    if (L.method_constmethod < 0 || L.constmethod_constants < 0 || L.constmethod_idnum < 0 || L.constmethod_code_size < 0
        || L.cpool_holder < 0 || L.klass_jmethod_ids < 0 || L.constmethod_size <= 0) {
        return "this JVM's VMStructs lack the method layout the unwinder reads";
    }
    if (L.constmethod_size > MAX_CONSTMETHOD_BYTES || L.constmethod_constants + 8 > L.constmethod_size
        || L.constmethod_idnum + 2 > L.constmethod_size || L.constmethod_code_size + 2 > L.constmethod_size) {
        return "this JVM's ConstMethod layout is not the one the unwinder reads";
    }
    int pfp = bool_flag(&s, "PreserveFramePointer");
    if (pfp < 0) return "cannot read the JVM flag PreserveFramePointer";
    if (pfp == 0) return "the JVM runs without -XX:+PreserveFramePointer";
    layout_ok = true;
    read_code_heaps(&s);
    return NULL;
}

/* ---- calibration: which slots of an interpreter frame hold the Method* and the bcp ---- */

static bool in_trace(uintptr_t jm, const jvmtiFrameInfo *frames, jint count)
{
    for (jint i = 0; i < count; i++) {
        if ((uintptr_t)frames[i].method == jm) return true;
    }
    return false;
}

static int single_bit(unsigned mask)
{
    if (mask == 0 || (mask & (mask - 1)) != 0) return 0;
    return __builtin_ctz(mask);
}

/*
 * Runs in a ClassPrepare callback, on a Java thread whose stack usually holds interpreted frames
 * (class loading runs in Java). Walks this very stack by frame pointer (libjvm and this agent keep
 * frame pointers); for each frame that returns into the interpreter, finds the slots below its
 * frame pointer whose value is a Method* of a method JVMTI lists on this stack, and the slot whose
 * value points into that method's bytecodes. A slot counts when every interpreter frame of the
 * stack agrees; CALIBRATION_ROUNDS stacks must agree before the hook uses it.
 */
static __attribute__((noinline)) void calibrate(jvmtiEnv *jvmti)
{
    jvmtiFrameInfo frames[CALIBRATION_FRAMES];
    jint count = 0;
    if ((*jvmti)->GetStackTrace(jvmti, NULL, 0, CALIBRATION_FRAMES, frames, &count) != JVMTI_ERROR_NONE || count == 0) return;
    uintptr_t lo = (uintptr_t)__builtin_frame_address(0);
    uintptr_t hi = thread_stack_top();
    if (hi == 0 || lo >= hi) return;
    unsigned method_mask = ~0u, bcp_mask = ~0u;
    int method_frames = 0, bcp_frames = 0, interpreter_frames = 0, deref_yes = 0, deref_no = 0;
    uintptr_t fp = lo;
    /* Only the top interpreter frames: deeper ones may lie beyond the CALIBRATION_FRAMES JVMTI listed. */
    for (int step = 0; step < 256 && interpreter_frames < CALIBRATION_INTERPRETER_FRAMES; step++) {
        if ((fp & 7) != 0 || fp < lo || fp > hi - 16) break;
        uintptr_t next_fp = ((const uintptr_t *)fp)[0];
        uintptr_t ret = ((const uintptr_t *)fp)[1];
        if (next_fp <= fp || next_fp > hi - 16) break;
        if (in_interpreter(ret) && next_fp - lo >= 8u * MAX_SLOT) {
            interpreter_frames++;
            const uintptr_t *f = (const uintptr_t *)next_fp;
            unsigned found = 0;
            method_info mi = {0};
            uintptr_t method = 0;
            for (int k = 1; k <= MAX_SLOT; k++) {
                method_info m;
                if (method_of(f[-k], false, &m) && in_trace(m.jmethod, frames, count)) {
                    found |= 1u << k;
                    mi = m;
                    method = f[-k];
                }
            }
            /* A frame where no slot names a listed method says nothing; one that names it elsewhere contradicts. */
            if (found != 0) {
                method_mask &= found;
                method_frames++;
            }
            if (single_bit(found) != 0 && mi.code_size > 0) {
                unsigned b = 0;
                uintptr_t code = mi.constmethod + (uintptr_t)L.constmethod_size;
                for (int k = 1; k <= MAX_SLOT; k++) {
                    if (f[-k] >= code && f[-k] < code + mi.code_size) b |= 1u << k;
                }
                bcp_mask &= b;
                bcp_frames++;
            }
            if (single_bit(found) != 0) {
                uintptr_t back = 0;
                if (read_word(mi.jmethod, &back) && back == method) deref_yes++;
                else deref_no++;
            }
        }
        fp = next_fp;
    }
    int ms = single_bit(method_mask);
    int bs = single_bit(bcp_mask);
    if (method_frames < 2 || bcp_frames < 1 || ms == 0 || bs == 0 || ms == bs) return;
    if (R.rounds > 0 && (R.round_method_slot != -ms || R.round_bcp_slot != -bs)) {
        R.rounds = 0; /* disagreement: start over */
        return;
    }
    R.round_method_slot = -ms;
    R.round_bcp_slot = -bs;
    R.deref_yes += deref_yes;
    R.deref_no += deref_no;
    if (++R.rounds < CALIBRATION_ROUNDS) return;
    atomic_store(&deref_check, R.deref_no == 0 && R.deref_yes > 0);
    atomic_store_explicit(&bcp_slot, -bs, memory_order_release);
    atomic_store_explicit(&method_slot, -ms, memory_order_release);
}

/* ---- registration ---- */

/*
 * Gives every method of the class an index (one block of indexes per class), writes their map lines
 * as one unit, and only then enters them into the table: a method the hook can name always has its
 * line in the map. A method that cannot be named (out of memory) leaves its index unused.
 */
static void register_class(jvmtiEnv *jvmti, jclass klass)
{
    jint n = 0;
    jmethodID *methods = NULL;
    if ((*jvmti)->GetClassMethods(jvmti, klass, &n, &methods) != JVMTI_ERROR_NONE) return;
    js_class *c = n > 0 ? js_class_open(jvmti, klass) : NULL;
    bool *added = c != NULL ? calloc((size_t)n, sizeof *added) : NULL;
    uint64_t first = 0;
    bool ok = false;
    if (added != NULL) {
        pthread_mutex_lock(&R.lock);
        first = R.next_index;
        ok = !R.stopped && first + (uint64_t)n - 1 <= JS_MAX_INDEX;
        if (ok) R.next_index += (uint64_t)n;
        pthread_mutex_unlock(&R.lock);
    }
    if (ok) {
        for (jint i = 0; i < n; i++) {
            uint64_t start = JS_TAG | (first + (uint64_t)i) << JS_INDEX_SHIFT;
            if (js_class_name(c, methods[i]) != NULL) added[i] = js_class_add(c, methods[i], start);
        }
        size_t len = 0;
        const char *lines = js_class_lines(c, &len);
        if (len > 0) R.emit(R.ctx, lines, len);
        pthread_mutex_lock(&R.lock);
        for (jint i = 0; i < n && !R.stopped; i++) {
            if (added[i] && !table_put((uintptr_t)methods[i], first + (uint64_t)i)) break;
        }
        pthread_mutex_unlock(&R.lock);
    }
    free(added);
    js_class_close(c);
    (*jvmti)->Deallocate(jvmti, (unsigned char *)methods);
}

/*
 * One calibration attempt on this thread, counted against *tries. One thread calibrates at a time;
 * the others go on instead of waiting. False once there is nothing more to do (calibrated, or
 * given up).
 */
static bool try_calibrate(jvmtiEnv *jvmti, int *tries, int max_tries)
{
    if (atomic_load(&method_slot) != 0) return false;
    if (pthread_mutex_trylock(&calibration_lock) != 0) return true;
    if (atomic_load(&method_slot) == 0 && *tries < max_tries && !R.stopped) {
        calibrate(jvmti);
        if (++*tries == max_tries && atomic_load(&method_slot) == 0) {
            say("Java frames: cannot find where this JVM's interpreter keeps the method of a frame; interpreted frames stay "
                "'Interpreter'");
        }
    }
    bool more = atomic_load(&method_slot) == 0 && *tries < max_tries && !R.stopped;
    pthread_mutex_unlock(&calibration_lock);
    return more;
}

void js_class_prepare(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread, jclass klass)
{
    (void)jni;
    (void)thread;
    if (R.jvmti == NULL) return;
    register_class(jvmti, klass);
    (void)try_calibrate(jvmti, &R.calibration_tries, MAX_CALIBRATION_TRIES);
}

/*
 * Attached to a JVM that has loaded its classes, class-prepare events may never come; sampled
 * object allocations (JVMTI's own heap sampling, at its default interval) also run on Java
 * threads, interpreted ones among them. On only until the frame layout is known.
 */
static atomic_bool sampling_allocations;

void js_calibrate_on_allocations(jvmtiEnv *jvmti)
{
    if (atomic_load(&method_slot) != 0 || R.jvmti != jvmti) return;
    jvmtiCapabilities caps;
    memset(&caps, 0, sizeof caps);
    caps.can_generate_sampled_object_alloc_events = 1;
    if ((*jvmti)->AddCapabilities(jvmti, &caps) != JVMTI_ERROR_NONE) return; /* class loading alone then */
    atomic_store(&sampling_allocations, true);
    if ((*jvmti)->SetEventNotificationMode(jvmti, JVMTI_ENABLE, JVMTI_EVENT_SAMPLED_OBJECT_ALLOC, NULL) != JVMTI_ERROR_NONE) {
        atomic_store(&sampling_allocations, false);
    }
}

void js_object_sampled(jvmtiEnv *jvmti)
{
    if (!atomic_load(&sampling_allocations) || R.jvmti != jvmti) return;
    if (try_calibrate(jvmti, &R.allocation_tries, MAX_ALLOCATION_TRIES)) return;
    bool was = true;
    if (atomic_compare_exchange_strong(&sampling_allocations, &was, false)) {
        (void)(*jvmti)->SetEventNotificationMode(jvmti, JVMTI_DISABLE, JVMTI_EVENT_SAMPLED_OBJECT_ALLOC, NULL);
    }
}

/* ---- start-up ---- */

static bool find_self(void)
{
    Dl_info info;
    if (dladdr((void *)hook, &info) == 0 || info.dli_fbase == NULL) return false;
    struct link_map *lm = NULL;
    void *h = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
    if (h == NULL) return false;
    bool ok = dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm != NULL;
    dlclose(h);
    if (!ok) return false;
    const ElfW(Ehdr) *eh = info.dli_fbase;
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_X)) continue;
        uintptr_t s = lm->l_addr + ph[i].p_vaddr;
        if (s < lo) lo = s;
        if (s + ph[i].p_memsz > hi) hi = s + ph[i].p_memsz;
    }
    if (hi == 0) return false;
    self_lo = lo;
    self_hi = hi;
    return true;
}

mallctl_fn find_mallctl(void)
{
    static const char *const names[] = {"mallctl", "je_mallctl"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        void *sym = dlsym(RTLD_DEFAULT, names[i]);
        if (sym != NULL) {
            mallctl_fn f;
            memcpy(&f, &sym, sizeof f); /* ISO C has no cast from object to function pointer */
            return f;
        }
    }
    return NULL;
}

bool js_start(JavaVM *vm, jvmtiEnv *jvmti, js_emit_fn emit, void *ctx, const char **why_not)
{
    mallctl_fn mallctl = find_mallctl();
    bool prof = false;
    size_t len = sizeof prof;
    if (mallctl == NULL || mallctl("opt.prof", &prof, &len, NULL, 0) != 0 || !prof) { /* nothing to hook */
        if (why_not != NULL) *why_not = "the process has no profiling jemalloc";
        return false;
    }
#if !defined(__x86_64__)
    say("Java frames: this architecture is not supported; stacks end at the first Java frame");
    if (why_not != NULL) *why_not = "this architecture is not supported";
    return false;
#else
    prof_backtrace_hook_t current = NULL;
    size_t current_len = sizeof current;
    const char *why = NULL;
    static bool pid_refresh; /* once per process: every attach would add another */
    if (!pid_refresh) {
        refresh_pid();
        if (pthread_atfork(NULL, NULL, refresh_pid) != 0) why = "pthread_atfork failed";
        else pid_refresh = true;
    }
    if (why == NULL) why = read_layout();
    if (why == NULL && !find_self()) why = "cannot find the agent's own code";
    uint64_t probe = 0;
    if (why == NULL && !read_mem((uintptr_t)&probe, &probe, sizeof probe)) why = "process_vm_readv is not allowed here";
    if (why == NULL && mallctl("experimental.hooks.prof_backtrace", &current, &current_len, NULL, 0) != 0) {
        why = "this jemalloc has no backtrace hook (it needs 5.3 or newer)";
    }
    if (why != NULL) {
        say("Java frames: %s; stacks end at the first Java frame", why);
        if (why_not != NULL) *why_not = why;
        return false;
    }
    pthread_mutex_lock(&R.lock);
    R.vm = vm;
    R.jvmti = jvmti;
    R.emit = emit;
    R.ctx = ctx;
    pthread_mutex_unlock(&R.lock);

    /* ClassPrepare first, then the classes already there: a class in between is registered twice, harmlessly. */
    if ((*jvmti)->SetEventNotificationMode(jvmti, JVMTI_ENABLE, JVMTI_EVENT_CLASS_PREPARE, NULL) != JVMTI_ERROR_NONE) {
        say("Java frames: cannot enable ClassPrepare; interpreted frames stay unnamed");
    }
    jint n = 0;
    jclass *classes = NULL;
    if ((*jvmti)->GetLoadedClasses(jvmti, &n, &classes) == JVMTI_ERROR_NONE) {
        JNIEnv *jni = NULL;
        (*vm)->GetEnv(vm, (void **)&jni, JNI_VERSION_1_2);
        for (jint i = 0; i < n; i++) {
            register_class(jvmti, classes[i]);
            if (jni != NULL) (*jni)->DeleteLocalRef(jni, classes[i]);
        }
        (*jvmti)->Deallocate(jvmti, (unsigned char *)classes);
    }

    /* Compiled frames by compile id from now on: the code events that follow write the ids' lines. */
    if (C.heaps > 0) atomic_store(&compiled_on, true);
    return true;
#endif
}

void js_install(void)
{
#if defined(__x86_64__)
    mallctl_fn mallctl = find_mallctl();
    if (mallctl == NULL) return;
    prof_backtrace_hook_t mine = hook, old = NULL;
    size_t old_len = sizeof old;
    int err = mallctl("experimental.hooks.prof_backtrace", &old, &old_len, &mine, sizeof mine);
    if (err != 0) {
        atomic_store(&compiled_on, false);
        say("Java frames: this jemalloc has no backtrace hook (it needs 5.3 or newer: %s); stacks end at the first Java "
            "frame unless jemalloc unwinds with libunwind",
            strerror(err));
    }
#endif
}

void js_stop(jvmtiEnv *jvmti)
{
    pthread_mutex_lock(&R.lock);
    bool started = R.jvmti != NULL;
    R.stopped = true;
    pthread_mutex_unlock(&R.lock);
    if (started) (void)(*jvmti)->SetEventNotificationMode(jvmti, JVMTI_DISABLE, JVMTI_EVENT_CLASS_PREPARE, NULL);
}
