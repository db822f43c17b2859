package dev.jjf.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jjf.profile.HeapProfile;
import dev.jjf.profile.HeapProfileParser;
import dev.jjf.profile.Metric;
import dev.jjf.render.FoldedWriter;
import dev.jjf.stacks.StackFolder;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole render path through real gcc-built libraries: a heap profile whose stacks run through a
 * C library (global and static functions), a C++ library (a demangled name), JIT code named by a
 * perf map and a library that is gone, mapped the way ld.so maps them. Addresses come from nm and
 * readelf, so the expected output is written in function names and holds for any gcc version.
 */
class ElfFoldedOutputTest {
    private static final long C_BASE = 0x7f1000000000L;
    private static final long CPP_BASE = 0x7f2000000000L;
    private static final long JIT = 0x7f3000001000L;
    private static final long GONE_BASE = 0x7f4000000000L;
    private static final long PAGE = 0x1000;

    @TempDir
    Path dir;

    private Path cLib;
    private Path cppLib;

    @BeforeEach
    void build() throws Exception {
        ElfTestTools.requireTools("gcc", "g++", "nm", "readelf");
        cLib = ElfTestTools.cLibrary(dir, "libgolden.so");
        cppLib = ElfTestTools.compile(dir, "g++", "t.cpp", ElfTestTools.CPP_LIBRARY, "libgoldenpp.so", "-shared", "-fPIC", "-O0");
    }

    /** An address in the middle of a function as the process saw it: its library's base plus its vaddr. */
    private static long inside(Map<String, ElfTestTools.NmSymbol> symbols, String name, long base) {
        ElfTestTools.NmSymbol s = symbols.get(name);
        return base + s.address() + Math.max(1, s.size() / 2);
    }

    /** The /proc/PID/maps lines ld.so's mapping of each PT_LOAD segment gives. */
    private static String maps(Path lib, long base) {
        StringBuilder out = new StringBuilder();
        for (LoadSegment l : ElfTestTools.readelfLoads(lib)) {
            long start = base + (l.vaddr() & -PAGE);
            long end = base + ((l.vaddr() + l.memSize() + PAGE - 1) & -PAGE);
            String perms = ((l.flags() & LoadSegment.READ) != 0 ? "r" : "-") + ((l.flags() & LoadSegment.WRITE) != 0 ? "w" : "-")
                    + ((l.flags() & LoadSegment.EXECUTE) != 0 ? "x" : "-") + "p";
            out.append(String.format("%x-%x %s %08x 08:01 4242 %s%n", start, end, perms, l.fileOffset() & -PAGE, lib));
        }
        return out.toString();
    }

    @Test
    void foldsNamesFromRealLibrariesPerfMapAndAGoneLibrary() throws Exception {
        Map<String, ElfTestTools.NmSymbol> c = ElfTestTools.nm(cLib, false);
        Map<String, ElfTestTools.NmSymbol> cpp = ElfTestTools.nm(cppLib, false);
        long beta = inside(c, "beta", C_BASE);
        long gamma = inside(c, "gamma_static", C_BASE);
        long delta = inside(c, "delta", C_BASE);
        long bar = inside(cpp, "_ZN3foo3barEi", CPP_BASE);
        String profile = String.format("""
                heap_v2/1
                  t*: 6: 6144 [0: 0]
                @ 0x%x 0x%x 0x%x
                  t*: 1: 1024 [0: 0]
                @ 0x%x 0x%x 0x%x
                  t*: 2: 2048 [0: 0]
                @ 0x%x 0x%x 0x%x
                  t*: 3: 3072 [0: 0]

                MAPPED_LIBRARIES:
                %s%s%x-%x r-xp 00000000 08:01 99 /nonexistent/libgone.so
                7f3000000000-7f3000100000 rwxp 00000000 00:00 0
                """,
                beta, gamma, delta,
                bar, JIT + 0x10, delta,
                GONE_BASE + 0x1234, JIT + 0x10, delta,
                maps(cLib, C_BASE), maps(cppLib, CPP_BASE), GONE_BASE, GONE_BASE + 0x10000);
        Path heap = Files.writeString(dir.resolve("jeprof.4242.0.f.heap"), profile);
        Path map = Files.writeString(dir.resolve("perf-4242.map"), String.format("""
                %x 100 app.Main.run(int)
                %x 20 app.Main.run(int)->app.Util.grab(long)
                """, JIT - 0x80, JIT));
        HeapProfile parsed = HeapProfileParser.parse(heap);
        Symbolizer symbolizer = new Symbolizer(SymbolizerOptions.defaults(), w -> { });
        StackFolder folder = new StackFolder(Metric.INUSE_SPACE, null, null);
        folder.add(parsed, symbolizer.forProcess(parsed.mappings(), PerfMap.read(map, w -> { })));
        StringWriter out = new StringWriter();
        new FoldedWriter(true).write(folder.tree(), out);
        assertEquals(List.of(
                "delta;app.Main.run(int)_[j];app.Util.grab(long)_[i];[unknown] libgone.so+0x1234 3072",
                "delta;app.Main.run(int)_[j];app.Util.grab(long)_[i];foo::bar(int) 2048",
                "delta;gamma_static;beta 1024"),
                out.toString().lines().sorted().toList(), out.toString());
    }
}
