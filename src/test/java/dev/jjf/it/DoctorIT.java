package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jjf doctor} against the real set-up: each line OK, WARN or FAIL, each problem with its fix. */
class DoctorIT {
    @TempDir
    Path work;

    @Test
    void readySetUpIsAllOk() throws Exception {
        Proc p = Proc.jjf(work, "doctor", "--out", work.resolve("out").toString()).assertOk();
        for (String line : p.stdout().lines().filter(l -> !l.startsWith(" ")).toList()) {
            assertTrue(line.startsWith("OK "), "every check passes where scripts/test.sh set things up: " + p.stdout());
        }
        assertTrue(p.stdout().contains("libunwind"), p.stdout());
        assertTrue(p.stdout().contains("writes perf maps"), p.stdout());
    }

    @Test
    void stockJemalloc53NeedsNoSetupThanksToTheBacktraceHook() throws Exception {
        Proc p = Proc.jjf(work, "doctor", "--jemalloc", Proc.DEBIAN_JEMALLOC.toString(), "--out", work.toString()).assertOk();
        assertTrue(p.stdout().contains("jemalloc: 5.3.0 has the backtrace hook"), p.stdout());
        assertTrue(p.stdout().contains("no 'jjf setup' needed"), p.stdout());
        assertFalse(p.stdout().contains("WARN  jemalloc"), p.stdout());
    }

    @Test
    void problemsAreFailuresWithNonZeroExit() throws Exception {
        Path fake = Files.writeString(work.resolve("libjemalloc.so.2"), "not a library");
        Proc p = Proc.jjf(work, "doctor", "--jemalloc", fake.toString(), "--out", "/proc/no-such-dir", "--java", "/no/such/java");
        assertEquals(1, p.exitCode(), p.stdout());
        long failures = p.stdout().lines().filter(l -> l.startsWith("FAIL")).count();
        assertTrue(failures >= 3, "jemalloc, java and output each fail: " + p.stdout());
        assertTrue(p.stdout().contains("fix: pass a writable directory with --out"), p.stdout());
    }
}
