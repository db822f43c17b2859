/*
 * A JNI library that leaks on purpose, for profiling tests. Its functions have distinctive names
 * so they are easy to find in a flamegraph; noinline keeps each one a frame of its own at -O1.
 */
#include <jni.h>
#include <stdlib.h>
#include <string.h>

/* Leaked blocks are chained through their first bytes: the compiler cannot drop a malloc whose
 * result is stored in a global, and the memory stays leaked all the same. */
struct jnileak_block {
    struct jnileak_block *next;
};

static struct jnileak_block *jnileak_retained;
static long jnileak_retained_bytes;

static __attribute__((noinline)) void *jnileak_retain_buffer(size_t size)
{
    struct jnileak_block *block = malloc(size < sizeof *block ? sizeof *block : size);
    if (block == NULL)
        return NULL;
    /* Touched, so the leak is resident memory and not only address space. */
    memset(block, 0xa5, size);
    block->next = jnileak_retained;
    jnileak_retained = block;
    jnileak_retained_bytes += (long) size;
    return block;
}

static __attribute__((noinline)) int jnileak_leak_bytes(jint size)
{
    return jnileak_retain_buffer((size_t) size) != NULL;
}

JNIEXPORT jboolean JNICALL Java_JniLeak_leak(JNIEnv *env, jclass cls, jint size)
{
    (void) env;
    (void) cls;
    if (size <= 0)
        return JNI_FALSE;
    return jnileak_leak_bytes(size) ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jlong JNICALL Java_JniLeak_leakedBytes(JNIEnv *env, jclass cls)
{
    (void) env;
    (void) cls;
    return jnileak_retained_bytes;
}
