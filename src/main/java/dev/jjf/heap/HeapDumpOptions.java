package dev.jjf.heap;

import java.util.function.Consumer;

/**
 * How to read a heap dump.
 *
 * @param allHeaps Android: count the image and zygote heaps too, not only the app heap
 * @param threads decompression threads for gzip dumps of several members (1: decompress on the reading thread)
 * @param warnings where one-line warnings go (a truncated file, references to objects not in the dump)
 */
public record HeapDumpOptions(boolean allHeaps, int threads, Consumer<String> warnings) {
    /** The app heap only, decompressing on as many threads as there are processors (at most 4). */
    public static HeapDumpOptions defaults(Consumer<String> warnings) {
        return new HeapDumpOptions(false, Math.min(4, Runtime.getRuntime().availableProcessors()), warnings);
    }
}
