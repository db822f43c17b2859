package dev.jjf.stacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.model.FrameKind;
import dev.jjf.model.Profile;
import dev.jjf.model.SampleType;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllocatorFramesTest {
    private final Profile profile = new Profile(List.of(SampleType.INUSE_SPACE));

    /** A location in a library's mapping with one line of this kind. */
    private int location(String function, String library, FrameKind kind) {
        int m = profile.addMapping(0x1000, 0x2000, 0, "/usr/lib/" + library, "");
        int loc = profile.addLocation(0x1000, m);
        profile.addLine(profile.function(function, "", "", 0), 0, kind);
        return loc;
    }

    private int elf(String function, String library) {
        return location(function, library, library.equals("libjvm.so") ? FrameKind.JVM : FrameKind.NATIVE);
    }

    @Test
    void jemallocFramesAreRecognizedByLibraryOrPrivatePrefix() {
        assertTrue(AllocatorFrames.isAllocator(profile, elf("prof_backtrace_impl", "libjemalloc.so.2")));
        assertTrue(AllocatorFrames.isAllocator(profile, location("[unknown] libjemalloc.so.2+0xa2630", "libjemalloc.so.2", FrameKind.UNKNOWN)));
        assertTrue(AllocatorFrames.isAllocator(profile, elf("je_prof_backtrace", "myserver")));
        assertFalse(AllocatorFrames.isAllocator(profile, elf("os::malloc(unsigned long, MEMFLAGS)", "libjvm.so")));
        assertFalse(AllocatorFrames.isAllocator(profile, elf("deflateInit2_", "libz.so.1")));
        // A Java method named like a jemalloc symbol is not one.
        assertFalse(AllocatorFrames.isAllocator(profile, location("je_x.Y.z()", "", FrameKind.JAVA)));
    }

    @Test
    void entryPointIsThePublicFunctionTheProgramCalled() {
        assertEquals("malloc", AllocatorFrames.entryPoint(profile, elf("je_malloc_default", "libjemalloc.so.2")));
        assertEquals("calloc", AllocatorFrames.entryPoint(profile, elf("calloc", "libjemalloc.so.2")));
        assertEquals("realloc", AllocatorFrames.entryPoint(profile, elf("realloc", "libjemalloc.so.2")));
        assertEquals("rallocx", AllocatorFrames.entryPoint(profile, elf("do_rallocx", "libjemalloc.so.2")));
        assertEquals("operator new(unsigned long)", AllocatorFrames.entryPoint(profile, elf("operator new(unsigned long)", "libjemalloc.so.2")));
        // A stripped jemalloc cannot tell which entry point was used: no invented name.
        assertNull(AllocatorFrames.entryPoint(profile, location("[unknown] libjemalloc.so.2+0x22044", "libjemalloc.so.2", FrameKind.UNKNOWN)));
        assertNull(AllocatorFrames.entryPoint(profile, elf("prof_backtrace_impl", "libjemalloc.so.2")));
    }
}
