/*
 * jjf's Java-aware unwinder for jemalloc's experimental.hooks.prof_backtrace (see javastack.c).
 * perfmap.c feeds it the JVM's code events and class-prepare events and calls js_start once the
 * VM is up; everything else happens inside the hook.
 */
#ifndef JJF_JAVASTACK_H
#define JJF_JAVASTACK_H

#include <jvmti.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether java_frames= defaults to on. */
#define JS_DEFAULT_ON true

/* jemalloc's mallctl; the process's one is found by find_mallctl (javastack.c). */
typedef int (*mallctl_fn)(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

/*
 * The process's jemalloc, through the global scope: an LD_PRELOADed one exports mallctl (je_mallctl
 * when built with a prefix). One that a library dlopened privately is not the JVM's malloc. NULL
 * when there is none.
 */
mallctl_fn find_mallctl(void);

/* Appends map lines ("START SIZE NAME\n"...) to the perf map as one unit. */
typedef void (*js_emit_fn)(void *ctx, const char *lines, size_t n);

/* perfmap.c's method naming: "pkg.Class.method(args)", malloc'd; never NULL unless out of memory. */
char *resolve_name(JavaVM *vm, jvmtiEnv *jvmti, jmethodID id);

/*
 * perfmap.c's map lines for the methods of one class, registered for the hook: the class's name and
 * source file are looked up once. Per method: js_class_name, then js_class_add with its block's
 * start; the lines of all added methods are js_class_lines (valid until js_class_close).
 */
typedef struct js_class js_class;
/* NULL when out of memory. */
js_class *js_class_open(jvmtiEnv *jvmti, jclass klass);
/* The method's name, exactly as resolve_name gives it; valid until the next call; NULL when out of memory. */
const char *js_class_name(js_class *c, jmethodID id);
/* The block line of the method named last and its source lines; false (nothing added) when out of memory. */
bool js_class_add(js_class *c, jmethodID id, uint64_t start);
const char *js_class_lines(const js_class *c, size_t *len);
void js_class_close(js_class *c);

/*
 * For compiled code the JVM reports (CompiledMethodLoad): its compile id and the address of its
 * code blob, which is what the hook records compiled frames by (see compiled_value in javastack.c).
 * False while the hook does not record compiled frames that way, or when the code is not found.
 */
bool js_compiled_id(const void *code_addr, jint code_size, int32_t *cid, uintptr_t *blob);

/* Code the JVM reports: name is the generated blob's name, NULL for a compiled method. */
void js_note_code(const char *name, const void *address, jint length);

/*
 * Prepares the hook when jemalloc offers profiling and the JVM is one the unwinder understands;
 * says once on stderr why not otherwise (silent when the process has no profiling jemalloc at all).
 * Registers the methods of the classes loaded so far and enables ClassPrepare for later ones.
 * From then on js_compiled_id answers for the code events. True when js_install should follow;
 * otherwise *why_not (when not NULL) says why, in words for people.
 */
bool js_start(JavaVM *vm, jvmtiEnv *jvmti, js_emit_fn emit, void *ctx, const char **why_not);

/* Installs the hook (after the code that exists was reported, so that every frame can be placed). */
void js_install(void);

/* The ClassPrepare event: registers the class's methods (and learns the frame layout). */
void js_class_prepare(jvmtiEnv *jvmti, JNIEnv *jni, jthread thread, jclass klass);

/*
 * Attached to a running JVM: learns the frame layout from sampled object allocations too (JVMTI's
 * SampledObjectAlloc, on only until it is known), as classes may no longer be loaded.
 */
void js_calibrate_on_allocations(jvmtiEnv *jvmti);

/* The SampledObjectAlloc event. */
void js_object_sampled(jvmtiEnv *jvmti);

/* VMDeath: no more registrations. The hook stays installed: jemalloc's final dump still comes. */
void js_stop(jvmtiEnv *jvmti);

#endif
