package dev.jjf.heap;

/**
 * Native memory a Java object owns, and how its size is known. Every size is an estimate: the
 * dump holds the Java side only.
 */
public enum NativeKind {
    DIRECT_BUFFER("direct ByteBuffer memory (JDK-managed, capacity)"),
    DIRECT_BUFFER_UNMANAGED("direct ByteBuffer without a cleaner (JNI NewDirectByteBuffer or a mapping; capacity)"),
    MAPPED_FILE("mapped file (MappedByteBuffer; capacity)"),
    ZLIB_DEFLATER("zlib Deflater stream (estimated " + NativeKind.DEFLATE_STREAM_BYTES / 1024 + " KiB)"),
    ZLIB_INFLATER("zlib Inflater stream (estimated " + NativeKind.INFLATE_STREAM_BYTES / 1024 + " KiB)"),
    FFM_SEGMENT("FFM native MemorySegment (length)");

    /**
     * zlib's deflate state at the JDK's defaults (windowBits 15, memLevel 8): its documented
     * (1 << (windowBits + 2)) + (1 << (memLevel + 9)) bytes of window, hash chains and pending
     * buffer, plus about 6 KB of deflate_state.
     */
    static final long DEFLATE_STREAM_BYTES = (1L << 17) + (1L << 17) + 6 * 1024;
    /** zlib's inflate state: a 32 KiB window (allocated on first use) plus about 7 KB of inflate_state. */
    static final long INFLATE_STREAM_BYTES = (1L << 15) + 7 * 1024;

    private final String label;

    NativeKind(String label) {
        this.label = label;
    }

    /** The frame a flamegraph shows for this memory. */
    public String label() {
        return label;
    }
}
