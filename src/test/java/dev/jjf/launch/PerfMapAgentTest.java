package dev.jjf.launch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerfMapAgentTest {
    @TempDir
    Path tmp;

    private static byte[] shipped() throws IOException {
        try (InputStream in = PerfMapAgent.class.getResourceAsStream(PerfMapAgent.RESOURCE)) {
            assertTrue(in != null, "the build puts " + PerfMapAgent.RESOURCE + " on the class path");
            return in.readAllBytes();
        }
    }

    @Test
    void runFlagsKeepFramePointersAndReplaceTheJdkMapWithTheAgent() throws IOException {
        Path lib = tmp.resolve("lib/libjjfperfmap.so");
        Path out = tmp.resolve("out");
        List<String> flags = new PerfMapAgent(lib).jvmFlags(out);
        assertTrue(flags.containsAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints", "-XX:+PreserveFramePointer")), flags.toString());
        assertFalse(flags.contains("-XX:+DumpPerfMapAtExit"), flags.toString());
        assertEquals("-agentpath:" + lib + "=file=" + out + "/perf-%p.map", flags.get(flags.size() - 1));
    }

    @Test
    void pathsAreEscapedForTheAgentAndQuotedForJavaToolOptions() throws IOException {
        PerfMapAgent agent = new PerfMapAgent(Path.of("/cache dir/libjjfperfmap.so"));
        assertEquals("\"-agentpath:/cache dir/libjjfperfmap.so=file=/out 100%%/perf-%p.map\"",
                agent.agentFlag(Path.of("/out 100%"), PerfMapAgent.MAP_PATTERN));
        assertThrows(IOException.class, () -> agent.agentFlag(Path.of("/a,b"), PerfMapAgent.MAP_PATTERN));
        assertThrows(IOException.class, () -> agent.agentFlag(Path.of("/it's here"), PerfMapAgent.MAP_PATTERN));
        assertThrows(IOException.class, () -> new PerfMapAgent(Path.of("/x=y/lib.so")).agentFlag(Path.of("/out"), "m"));
    }

    @Test
    void extractsOnceIntoTheUserCacheAndRepairsADamagedCopy() throws IOException {
        Map<String, String> env = Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        Path lib = PerfMapAgent.extract(env, tmp.resolve("fallback")).library();
        assertTrue(lib.startsWith(tmp.resolve("cache/jjf/agent")), lib.toString());
        assertArrayEquals(shipped(), Files.readAllBytes(lib));
        assertTrue(Files.isExecutable(lib));

        long modified = Files.getLastModifiedTime(lib).toMillis();
        Files.setLastModifiedTime(lib, java.nio.file.attribute.FileTime.fromMillis(modified - 60_000));
        assertEquals(lib, PerfMapAgent.extract(env, tmp.resolve("fallback")).library());
        assertEquals(modified - 60_000, Files.getLastModifiedTime(lib).toMillis(), "an identical copy is reused");

        Files.writeString(lib, "not an ELF file");
        assertEquals(lib, PerfMapAgent.extract(env, tmp.resolve("fallback")).library());
        assertArrayEquals(shipped(), Files.readAllBytes(lib));
    }

    @Test
    void anUnwritableCacheFallsBackToTheOutputDirectory() throws IOException {
        Path notADir = Files.writeString(tmp.resolve("file"), "x");
        Path lib = PerfMapAgent.extract(Map.of("XDG_CACHE_HOME", notADir.toString()), tmp.resolve("out")).library();
        assertEquals(tmp.resolve("out/.jjf-agent/libjjfperfmap.so"), lib);
        assertArrayEquals(shipped(), Files.readAllBytes(lib));
    }

    @Test
    void onlyLinuxX86IsSupported() {
        assertTrue(PerfMapAgent.supported("Linux", "amd64"));
        assertFalse(PerfMapAgent.supported("Linux", "aarch64"));
        assertFalse(PerfMapAgent.supported("Mac OS X", "x86_64"));
    }
}
