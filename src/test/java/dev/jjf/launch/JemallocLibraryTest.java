package dev.jjf.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Probes real libraries where the machine has them. The libunwind build is not made here (it takes
 * minutes, root and network): CI runs scripts/build-jemalloc.sh before the tests, and elsewhere the
 * test is skipped with the reason printed.
 */
class JemallocLibraryTest {
    private static final Path DEBIAN = Path.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2");
    private static final Path LIBZ = Path.of("/usr/lib/x86_64-linux-gnu/libz.so.1");

    @Test
    void debiansLibraryProfilesWithLibgcc() throws IOException {
        assumeExists(DEBIAN, "apt-get install libjemalloc2");
        JemallocLibrary lib = JemallocLibrary.inspect(DEBIAN);
        assertEquals(DEBIAN, lib.path());
        assertTrue(lib.version().matches("\\d+\\.\\d+\\.\\d+"), lib.version());
        assertTrue(lib.profiling());
        assertEquals(JemallocLibrary.Unwinder.LIBGCC, lib.unwinder());
        // 5.3.0 has the backtrace hook: whole stacks with jjf's agent, not without it.
        assertEquals(JemallocLocator.compareVersions(lib.version(), "5.3.0") >= 0, lib.backtraceHook());
        assertEquals(lib.backtraceHook(), lib.wholeJavaStacks(true));
        assertFalse(lib.wholeJavaStacks(false));
    }

    @Test
    void projectBuildUnwindsWithLibunwind() throws IOException {
        Path cache = JemallocLocator.buildCache(System.getenv());
        Path built = JemallocLocator.candidates(null, Map.of("XDG_CACHE_HOME", cache.getParent().toString())).stream()
                .filter(c -> c.present() && c.reason().startsWith("jjf's libunwind build"))
                .map(JemallocLocator.Candidate::path).findFirst().orElse(null);
        assumeTrue(built != null, () -> skip("no libunwind build in " + cache, "run scripts/build-jemalloc.sh"));
        JemallocLibrary lib = JemallocLibrary.inspect(built);
        assertTrue(lib.profiling());
        assertEquals(JemallocLibrary.Unwinder.LIBUNWIND, lib.unwinder());
        assertTrue(lib.wholeJavaStacks(false));
    }

    @Test
    void anotherLibraryIsRejectedWithItsPath() {
        assumeExists(LIBZ, "zlib is part of every Debian system");
        BadInputException e = assertThrows(BadInputException.class, () -> JemallocLibrary.inspect(LIBZ));
        assertEquals(LIBZ, e.file());
        assertTrue(e.userMessage().startsWith(LIBZ + ": not a jemalloc library"), e.userMessage());
    }

    @Test
    void aTextFileIsRejectedWithTheLoadersReason(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("libjemalloc.so.2"), "not an ELF file, but long enough for ld.so to read a whole ELF header from it\n");
        BadInputException e = assertThrows(BadInputException.class, () -> JemallocLibrary.inspect(text));
        assertTrue(e.userMessage().startsWith(text + ": not a jemalloc library"), e.userMessage());
        assertEquals(text + ": not a jemalloc library (ld.so cannot preload it: invalid ELF header)", e.userMessage());
    }

    @Test
    void aMissingFileIsBadInput(@TempDir Path dir) {
        Path missing = dir.resolve("nope.so");
        BadInputException e = assertThrows(BadInputException.class, () -> JemallocLibrary.inspect(missing));
        assertEquals(missing + ": no such file", e.userMessage());
    }

    @Test
    void aPathLdSoCannotPreloadIsBadInput(@TempDir Path dir) throws IOException {
        Path odd = Files.writeString(dir.resolve("lib:jemalloc.so"), "");
        BadInputException e = assertThrows(BadInputException.class, () -> JemallocLibrary.inspect(odd));
        assertTrue(e.getMessage().contains("LD_PRELOAD"), e.getMessage());
    }

    @Test
    void parsesEachUnwinder() {
        assertEquals(JemallocLibrary.Unwinder.LIBUNWIND, parse("true", "false", "true").unwinder());
        assertEquals(JemallocLibrary.Unwinder.LIBGCC, parse("true", "true", "false").unwinder());
        assertEquals(JemallocLibrary.Unwinder.GCC, parse("true", "false", "false").unwinder());
        JemallocLibrary none = parse("false", "false", "false");
        assertFalse(none.profiling());
        assertEquals(JemallocLibrary.Unwinder.NONE, none.unwinder());
        assertFalse(none.wholeJavaStacks(true));
    }

    @Test
    void keepsTheWholeDescriptionOfANonReleaseBuild() {
        String stats = stats("true", "false", "true").replace("5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c",
                "5.3.0-196-g3b8f3c1ddc1c2e8b66e4e9a3e0a4d2c0bd0ff5e4");
        assertEquals("5.3.0-196-g3b8f3c1ddc1c2e8b66e4e9a3e0a4d2c0bd0ff5e4",
                JemallocLibrary.parse(Path.of("/x.so"), stats).version());
    }

    @Test
    void statisticsWithoutBuildSettingsAreBadInput() {
        String stats = "___ Begin jemalloc statistics ___\nVersion: \"5.3.0-0-gabc\"\n";
        assertThrows(BadInputException.class, () -> JemallocLibrary.parse(Path.of("/x.so"), stats));
    }

    private static JemallocLibrary parse(String prof, String libgcc, String libunwind) {
        JemallocLibrary lib = JemallocLibrary.parse(Path.of("/opt/je/libjemalloc.so.2"), stats(prof, libgcc, libunwind));
        assertEquals("5.3.0", lib.version());
        assertEquals(Path.of("/opt/je/libjemalloc.so.2"), lib.path());
        return lib;
    }

    /** The head of what jemalloc 5.3 prints for stats_print:true, with the settings that matter filled in. */
    private static String stats(String prof, String libgcc, String libunwind) {
        return """
                ___ Begin jemalloc statistics ___
                Version: "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c"
                Build-time option settings
                  config.cache_oblivious: true
                  config.debug: false
                  config.malloc_conf: ""
                  config.prof: %s
                  config.prof_libgcc: %s
                  config.prof_libunwind: %s
                  config.stats: true
                Run-time option settings
                  opt.abort: false
                  opt.prof: false
                """.formatted(prof, libgcc, libunwind);
    }

    private static void assumeExists(Path file, String hint) {
        assumeTrue(Files.isRegularFile(file), () -> skip(file + " is absent", hint));
    }

    private static String skip(String what, String hint) {
        String message = "skipped: " + what + " (" + hint + ")";
        System.out.println("JemallocLibraryTest " + message);
        return message;
    }

    @Test
    void theBacktraceHookCameWith530() {
        assertFalse(new JemallocLibrary(DEBIAN, "5.2.1", true, JemallocLibrary.Unwinder.LIBGCC).backtraceHook());
        assertTrue(new JemallocLibrary(DEBIAN, "5.3.0", true, JemallocLibrary.Unwinder.LIBGCC).backtraceHook());
        assertTrue(new JemallocLibrary(DEBIAN, "5.10.1-dirty", true, JemallocLibrary.Unwinder.LIBGCC).backtraceHook());
        assertFalse(new JemallocLibrary(DEBIAN, "5.3.0", false, JemallocLibrary.Unwinder.NONE).backtraceHook(), "no profiling, no hook");
        assertFalse(new JemallocLibrary(DEBIAN, "unknown", true, JemallocLibrary.Unwinder.LIBGCC).backtraceHook());
    }
}
