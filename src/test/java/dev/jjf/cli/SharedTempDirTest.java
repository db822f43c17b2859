package dev.jjf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserPrincipal;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shared temp directory where other users plant files: --latest and perf-map lookup take only
 * regular files owned by the current user (or, for a perf map, by the owner of the profile being
 * rendered), and say what they skipped and why. Files of other users need root to make.
 */
class SharedTempDirTest {
    private static final String PROFILE = "heap_v2/1\n@ 0x1000\n  t*: 1: 8 [0: 0]\nMAPPED_LIBRARIES:\n";
    private static final String PERF_MAP = "0x0000000000001000 0x0000000000000100 void app.Main.run()\n";

    // Pids above the kernel's limit (2^22), so that no real /tmp/perf-PID.map can answer for them.
    @TempDir
    Path dir;
    private UserPrincipal nobody;
    private UserPrincipal daemon;

    @BeforeEach
    void needRoot() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "making files of other users needs root");
        nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        daemon = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("daemon");
    }

    record Result(int exit, String err, String out) {
    }

    private Result render(String... args) throws IOException {
        StringWriter err = new StringWriter();
        Path output = dir.resolve("out.folded");
        Files.deleteIfExists(output);
        String[] all = new String[args.length + 4];
        all[0] = "render";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--format=folded";
        all[args.length + 2] = "-o";
        all[args.length + 3] = output.toString();
        int exit = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), all);
        return new Result(exit, err.toString(), Files.exists(output) ? Files.readString(output) : null);
    }

    private Path file(String name, String content, UserPrincipal owner, long ageMillis) throws IOException {
        Path p = Files.writeString(dir.resolve(name), content);
        Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis() - ageMillis));
        if (owner != null) Files.setOwner(p, owner);
        return p;
    }

    @Test
    void latestSkipsAnotherUsersNewerDumpAndPerfMap() throws IOException {
        file("jeprof.4999991.0.f.heap", PROFILE, null, 60_000);
        file("perf-4999991.map", PERF_MAP, nobody, 60_000);
        file("jeprof.4999992.0.f.heap", PROFILE.replace("t*: 1: 8", "t*: 1: 999"), nobody, 0);
        Result r = render("--latest", "--dir", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("jjf: skipped " + dir.resolve("jeprof.4999992.0.f.heap") + ": owned by nobody, not by root\n"), r.err());
        assertTrue(r.err().contains("jjf: skipped " + dir.resolve("perf-4999991.map") + ": owned by nobody, not by root\n"), r.err());
        assertTrue(r.err().contains("jeprof.4999991.0.f.heap (no perf map: Java frames stay unnamed)"), r.err());
        assertEquals("[unknown] 0x1000 8\n", r.out());
    }

    @Test
    void symlinksAndFifosAreNeverOpened() throws Exception {
        file("jeprof.4999991.0.f.heap", PROFILE, null, 0);
        Path real = file("real.map", PERF_MAP, null, 0);
        Files.createSymbolicLink(dir.resolve("perf-4999991.map"), real);
        Result linked = render("--latest", "--dir", dir.toString());
        assertTrue(linked.err().contains("skipped " + dir.resolve("perf-4999991.map") + ": it is a symbolic link"), linked.err());
        assertEquals("[unknown] 0x1000 8\n", linked.out());

        // A FIFO would block the reader forever.
        Files.delete(dir.resolve("perf-4999991.map"));
        Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("perf-4999991.map").toString()).start();
        assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
        Result fifo = render("--latest", "--dir", dir.toString());
        assertTrue(fifo.err().contains("skipped " + dir.resolve("perf-4999991.map") + ": not a regular file"), fifo.err());
        Result explicit = render(dir.resolve("jeprof.4999991.0.f.heap").toString(), "--perf-map", dir.resolve("perf-4999991.map").toString());
        assertEquals(1, explicit.exit());
        assertEquals("jjf: " + dir.resolve("perf-4999991.map") + ": not a regular file\n", explicit.err());
    }

    @Test
    void anExplicitProfileTrustsItsOwnersPerfMapOnly() throws IOException {
        Path heap = file("jeprof.4999993.0.f.heap", PROFILE, nobody, 0);
        file("perf-4999993.map", PERF_MAP, nobody, 0);
        Result same = render(heap.toString());
        assertEquals(0, same.exit(), same.err());
        assertFalse(same.err().contains("skipped"), same.err());
        assertEquals("app.Main.run() 8\n", same.out());

        Files.setOwner(dir.resolve("perf-4999993.map"), daemon);
        Result other = render(heap.toString());
        assertTrue(other.err().contains("skipped " + dir.resolve("perf-4999993.map")
                + ": owned by daemon, not by root or nobody (who owns the profile)"), other.err());
        assertEquals("[unknown] 0x1000 8\n", other.out());
        assertTrue(Files.getOwner(heap, LinkOption.NOFOLLOW_LINKS).equals(nobody));
    }
}
