package dev.jjf.stacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.symbols.Line;
import dev.jjf.symbols.Location;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllocatorFramesTest {
    private static Location elf(String function, String library) {
        return new Location(0x1000, List.of(new Line(function, Line.Source.ELF, library)));
    }

    @Test
    void jemallocFramesAreRecognizedByLibraryOrPrivatePrefix() {
        assertTrue(AllocatorFrames.isAllocator(elf("prof_backtrace_impl", "libjemalloc.so.2")));
        assertTrue(AllocatorFrames.isAllocator(new Location(1, List.of(
                new Line("[unknown] libjemalloc.so.2+0xa2630", Line.Source.UNRESOLVED, "libjemalloc.so.2")))));
        assertTrue(AllocatorFrames.isAllocator(elf("je_prof_backtrace", "myserver")));
        assertFalse(AllocatorFrames.isAllocator(elf("os::malloc(unsigned long, MEMFLAGS)", "libjvm.so")));
        assertFalse(AllocatorFrames.isAllocator(elf("deflateInit2_", "libz.so.1")));
    }

    @Test
    void entryPointIsThePublicFunctionTheProgramCalled() {
        assertEquals("malloc", AllocatorFrames.entryPoint(elf("je_malloc_default", "libjemalloc.so.2")));
        assertEquals("calloc", AllocatorFrames.entryPoint(elf("calloc", "libjemalloc.so.2")));
        assertEquals("realloc", AllocatorFrames.entryPoint(elf("realloc", "libjemalloc.so.2")));
        assertEquals("rallocx", AllocatorFrames.entryPoint(elf("do_rallocx", "libjemalloc.so.2")));
        assertEquals("operator new(unsigned long)", AllocatorFrames.entryPoint(elf("operator new(unsigned long)", "libjemalloc.so.2")));
        // A stripped jemalloc cannot tell which entry point was used: no invented name.
        assertNull(AllocatorFrames.entryPoint(new Location(1, List.of(
                new Line("[unknown] libjemalloc.so.2+0x22044", Line.Source.UNRESOLVED, "libjemalloc.so.2")))));
        assertNull(AllocatorFrames.entryPoint(elf("prof_backtrace_impl", "libjemalloc.so.2")));
    }
}
