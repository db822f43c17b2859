package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `java -jar jjf.jar --latest` with no --dir, as the usage line shows it: finds what `jjf run` wrote in ./jjf-out. */
class LatestIT {
    private static final String PROFILE = """
            heap_v2/1
              t*: 1: 1024 [0: 0]
            @ 0x1000
              t*: 1: 1024 [0: 0]
            MAPPED_LIBRARIES:
            """;

    @TempDir
    Path cwd;
    @TempDir
    Path tmp;

    /** The temp dir of jjf's JVM is ours, so that whatever lies in the machine's /tmp does not count. */
    private Map<String, String> env() {
        return Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp);
    }

    @Test
    void findsTheNewestRunUnderJjfOut() throws Exception {
        Path older = Files.writeString(Files.createDirectories(cwd.resolve("jjf-out/20260101-100000")).resolve("jeprof.999001.0.f.heap"), PROFILE);
        Path newer = Files.writeString(Files.createDirectories(cwd.resolve("jjf-out/20260101-110000")).resolve("jeprof.999002.0.f.heap"), PROFILE);
        Files.setLastModifiedTime(older, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Files.writeString(tmp.resolve("jeprof.999003.0.f.heap"), PROFILE);
        Files.setLastModifiedTime(tmp.resolve("jeprof.999003.0.f.heap"), FileTime.fromMillis(System.currentTimeMillis() - 120_000));
        Proc p = Proc.jjf(cwd, env(), "--latest", "--format", "folded", "-o", "out.folded").assertOk();
        assertTrue(p.stderr().contains("jjf: profile " + cwd.relativize(newer) + " "), "says which file it used: " + p.stderr());
        assertTrue(Files.exists(cwd.resolve("out.folded")));
    }

    @Test
    void nothingFoundSaysWhereItLooked() throws Exception {
        Proc p = Proc.jjf(cwd, env(), "--latest");
        assertEquals(1, p.exitCode(), p.stderr());
        assertTrue(p.stderr().contains("in " + tmp + " and jjf-out/*"), p.stderr());
    }
}
