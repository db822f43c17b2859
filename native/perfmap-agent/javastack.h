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
 * perfmap.c's source lines for an interpreted method: map lines inside its synthetic block at
 * start, one per run of bytecodes on one source line; malloc'd (length in *len), NULL when none.
 */
char *interpreted_line_entries(JavaVM *vm, jvmtiEnv *jvmti, jmethodID id, uint64_t start, const char *name, size_t *len);

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
