package dev.jjf.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileFilesTest {
    @TempDir
    Path dir;

    private Path touch(String name, long mtimeMillis) throws IOException {
        Path p = Files.writeString(dir.resolve(name), "x");
        Files.setLastModifiedTime(p, FileTime.fromMillis(mtimeMillis));
        return p;
    }

    @Test
    void parsesJemallocNamesIncludingPidNamespaceVariant() {
        var d = ProfileFiles.parseName(Path.of("/tmp/jeprof.4242.7.i3.heap"), null).orElseThrow();
        assertEquals("jeprof", d.prefix());
        assertEquals(4242, d.pid());
        assertEquals(7, d.seq());
        assertEquals('i', d.kind());
        assertEquals(3, d.kindSeq());
        var ns = ProfileFiles.parseName(Path.of("jeprof.4026531836.12.0.f.heap"), null).orElseThrow();
        assertEquals(12, ns.pid());
        assertEquals("jeprof.4026531836", ns.prefix());
        assertTrue(ProfileFiles.parseName(Path.of("notes.heap"), null).isEmpty());
    }

    @Test
    void latestPrefersTheNewestJvmAndItsFinalDump() throws IOException {
        touch("jeprof.100.0.i0.heap", 1000);
        touch("jeprof.100.1.f.heap", 2000);
        touch("jeprof.100.2.i1.heap", 3000);
        touch("perf-100.map", 3000);
        touch("jeprof.200.0.f.heap", 9000); // a shell started later: newer but no perf map
        List<String> skipped = new ArrayList<>();
        var processes = ProfileFiles.byProcess(ProfileFiles.dumps(dir, skipped::add), List.of(dir), skipped::add);
        var chosen = ProfileFiles.latest(processes).orElseThrow();
        assertEquals(100, chosen.pid());
        assertEquals("jeprof.100.1.f.heap", chosen.best().path().getFileName().toString());
        assertEquals(dir.resolve("perf-100.map"), chosen.perfMap().orElseThrow());
        assertTrue(skipped.isEmpty());
    }

    @Test
    void withoutPerfMapsTheNewestProcessWinsAndItsNewestDumpWithoutFinal() throws IOException {
        touch("jeprof.100.0.f.heap", 1000);
        touch("jeprof.300.0.i0.heap", 5000);
        touch("jeprof.300.1.i1.heap", 6000);
        var processes = ProfileFiles.byProcess(ProfileFiles.dumps(dir, s -> { }), List.of(dir), s -> { });
        var chosen = ProfileFiles.latest(processes).orElseThrow();
        assertEquals(300, chosen.pid());
        assertEquals("jeprof.300.1.i1.heap", chosen.best().path().getFileName().toString());
    }

    @Test
    void symlinksAreSkippedWithAReason() throws IOException {
        Path real = touch("elsewhere.txt", 1000);
        Files.createSymbolicLink(dir.resolve("jeprof.5.0.f.heap"), real);
        List<String> skipped = new ArrayList<>();
        assertTrue(ProfileFiles.dumps(dir, skipped::add).isEmpty());
        assertEquals(1, skipped.size());
        assertTrue(skipped.get(0).contains("symbolic link"), skipped.get(0));
    }
}
