package dev.jjf.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.profile.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which perf maps belong to a profile's process, by the agent's header line, by time and by address. */
class PerfMapOriginTest {
    private static final String ENTRIES = "7f0000001000 100 a.B.c()\n7f0000002000 100 a.B.d()\n";
    private static final List<Mapping> CODE = List.of(new Mapping(0x7f0000000000L, 0x7f0001000000L, 0, "rwxp", ""));
    private static final ProcessIdentity PROCESS = new ProcessIdentity(77, OptionalLong.of(5000), Optional.of("boot-1"),
            OptionalLong.of(1_000_000));

    @TempDir
    Path dir;

    @Test
    void theAgentsHeaderMustNameTheProfilesProcess() throws IOException {
        Path map = Files.writeString(dir.resolve("perf-77.map"), "# jjf-perfmap pid=77 start=5000 boot=boot-1\n" + ENTRIES);
        assertEquals(Optional.empty(), PerfMapOrigin.whyStale(map, 77, Optional.of(PROCESS), CODE, 0, true));
        Files.writeString(map, "# jjf-perfmap pid=77 start=4000 boot=boot-1\n" + ENTRIES);
        String why = PerfMapOrigin.whyStale(map, 77, Optional.of(PROCESS), CODE, 0, true).orElseThrow();
        assertTrue(why.startsWith("written by another process (pid 77, started at tick 4000"), why);
        Files.writeString(map, "# jjf-perfmap pid=77 start=5000 boot=boot-0\n" + ENTRIES);
        assertTrue(PerfMapOrigin.whyStale(map, 77, Optional.of(PROCESS), CODE, 0, true).isPresent(), "another boot");
    }

    @Test
    void aMapWithoutHeaderWrittenBeforeTheProcessStartedIsAnEarlierOnes() throws IOException {
        Path map = Files.writeString(dir.resolve("perf-77.map"), ENTRIES);
        Files.setLastModifiedTime(map, FileTime.fromMillis(999_000));
        String why = PerfMapOrigin.whyStale(map, 77, Optional.of(PROCESS), CODE, 0, true).orElseThrow();
        assertTrue(why.startsWith("written before pid 77 started"), why);
        Files.setLastModifiedTime(map, FileTime.fromMillis(1_001_000));
        assertEquals(Optional.empty(), PerfMapOrigin.whyStale(map, 77, Optional.of(PROCESS), CODE, 0, true));
    }

    @Test
    void withoutAnythingKnownTimesAndAddressesDecide() throws IOException {
        Path map = Files.writeString(dir.resolve("perf-77.map"), ENTRIES);
        Files.setLastModifiedTime(map, FileTime.fromMillis(1_000_000));
        // An interval dump written after the map: the map is older than the profile.
        assertTrue(PerfMapOrigin.whyStale(map, 77, Optional.empty(), CODE, 2_000_000, false).isPresent());
        // A final dump comes after the JDK's map at exit: that order is normal.
        assertEquals(Optional.empty(), PerfMapOrigin.whyStale(map, 77, Optional.empty(), CODE, 2_000_000, true));
        List<Mapping> elsewhere = List.of(new Mapping(0x7e0000000000L, 0x7e0001000000L, 0, "rwxp", ""));
        String why = PerfMapOrigin.whyStale(map, 77, Optional.empty(), elsewhere, 0, true).orElseThrow();
        assertTrue(why.startsWith("none of its first 2 code addresses lies in the profile's memory map"), why);
    }

    /** The agent's synthetic blocks (interpreted methods, compilations) lie in no mapping: only code addresses count. */
    @Test
    void theAgentsSyntheticAddressesAreNotCodeAddresses() throws IOException {
        StringBuilder synthetic = new StringBuilder("# jjf-perfmap pid=77 start=5000 boot=boot-1\n");
        for (int i = 0; i < 40; i++) synthetic.append(String.format("fa%014x 100000 a.B.m%d()%n", (long) i << 20, i));
        synthetic.append("# jjf-compiled id=3 blob=7f0000000f00 lines=1\n");
        Path map = Files.writeString(dir.resolve("perf-77.map"), synthetic + ENTRIES);
        assertEquals(Optional.empty(), PerfMapOrigin.whyStale(map, 77, Optional.of(PROCESS), CODE, 0, true));
        List<Mapping> elsewhere = List.of(new Mapping(0x7e0000000000L, 0x7e0001000000L, 0, "rwxp", ""));
        String why = PerfMapOrigin.whyStale(map, 77, Optional.of(PROCESS), elsewhere, 0, true).orElseThrow();
        assertTrue(why.startsWith("none of its first 2 code addresses lies in the profile's memory map"), why);
    }

    @Test
    void aRecordedIdentityRoundTripsAndIsNotOverwritten() throws IOException {
        ProcessRecord.writeIdentity(dir, PROCESS);
        assertEquals(Optional.of(PROCESS), ProcessRecord.in(dir, 77).orElseThrow().identity());
        ProcessRecord.writeIdentity(dir, new ProcessIdentity(77, OptionalLong.of(1), Optional.of("x"), OptionalLong.empty()));
        assertEquals(Optional.of(PROCESS), ProcessRecord.in(dir, 77).orElseThrow().identity(), "jjf run's record stays");
    }

    @Test
    void processRecordsKeepTheLastHeaderAndEachPathsId() {
        ProcessRecord r = ProcessRecord.parse(List.of(
                "# jjf-process pid=7 start=10 boot=b seen_ms=99",
                "abcdef01 /usr/lib/libc.so.6",
                "- /tmp/no-id.so",
                "cut line without pa",
                "# jjf-process pid=7 start=10 boot=b seen_ms=120",
                "0123abcd /tmp/libx.so"));
        assertEquals(Map.of("/usr/lib/libc.so.6", "abcdef01", "/tmp/libx.so", "0123abcd"), r.buildIds());
        assertEquals(OptionalLong.of(120), r.identity().orElseThrow().startedMillis());
        assertTrue(r.identity().orElseThrow().sameAs(new ProcessIdentity(7, OptionalLong.of(10), Optional.of("b"), OptionalLong.empty())));
    }
}
