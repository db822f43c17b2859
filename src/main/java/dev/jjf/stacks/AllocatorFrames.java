package dev.jjf.stacks;

import dev.jjf.model.FrameKind;
import dev.jjf.model.Profile;
import java.util.Set;

/**
 * Recognizes jemalloc's own frames on top of every stack (the profiler's backtrace and the
 * allocation path) so stacks end at the allocation call the program made.
 */
final class AllocatorFrames {
    private static final String LIBRARY_PREFIX = "libjemalloc";
    /** jemalloc's private symbols carry this prefix when it is linked into a program. */
    private static final String PRIVATE_PREFIX = "je_";
    private static final String DEFAULT_SUFFIX = "_default";
    /** rallocx and friends enter through a static do_ helper. */
    private static final String HELPER_PREFIX = "do_";
    private static final Set<String> ENTRY_POINTS = Set.of(
            "malloc", "calloc", "realloc", "free", "posix_memalign", "aligned_alloc", "memalign",
            "valloc", "pvalloc", "mallocx", "rallocx", "xallocx", "reallocarray");

    private AllocatorFrames() {
    }

    static boolean isAllocator(Profile p, int location) {
        int m = p.locationMapping(location);
        if (m != Profile.NONE && fileName(p.mappingFile(m)).startsWith(LIBRARY_PREFIX)) return true;
        for (int l = p.locationFirstLine(location), end = l + p.locationLineCount(location); l < end; l++) {
            if (isElf(p.lineKind(l)) && p.functionName(p.lineFunction(l)).startsWith(PRIVATE_PREFIX)) return true;
        }
        return false;
    }

    /**
     * The public function a program called to reach this allocator frame ("malloc" for
     * {@code je_malloc_default}), or null when the frame does not name one: a stripped jemalloc
     * only exports its entry points, and its internal frames cannot tell which was called.
     */
    static String entryPoint(Profile p, int outermostAllocatorFrame) {
        int count = p.locationLineCount(outermostAllocatorFrame);
        if (count == 0) return null;
        int line = p.locationFirstLine(outermostAllocatorFrame) + count - 1;
        if (!isElf(p.lineKind(line))) return null;
        String name = p.functionName(p.lineFunction(line));
        if (name.startsWith("operator new") || name.startsWith("operator delete")) return name;
        if (name.startsWith(PRIVATE_PREFIX)) name = name.substring(PRIVATE_PREFIX.length());
        if (name.startsWith(HELPER_PREFIX)) name = name.substring(HELPER_PREFIX.length());
        if (name.endsWith(DEFAULT_SUFFIX)) name = name.substring(0, name.length() - DEFAULT_SUFFIX.length());
        return ENTRY_POINTS.contains(name) ? name : null;
    }

    /** A symbol from an ELF file: the only kinds a jemalloc function name can have. */
    private static boolean isElf(FrameKind kind) {
        return kind == FrameKind.NATIVE || kind == FrameKind.JVM;
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
