package dev.jjf.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment that switches the load-time auditor on, kept compatible with the user's own. */
class LoadAuditorTest {
    private final LoadAuditor auditor = new LoadAuditor(Path.of("/cache/libjjfaudit.so"));

    @Test
    void setsTheAuditorItsDirectoriesAndRoomInStaticTls() throws IOException {
        Map<String, String> env = auditor.variables(Path.of("/out"), List.of(Path.of("/tmp"), Path.of("/tmp/"), Path.of("/dev/shm")), Map.of());
        assertEquals(Map.of("LD_AUDIT", "/cache/libjjfaudit.so", "JJF_AUDIT_DIR", "/out", "JJF_AUDIT_TEMP_DIRS", "/tmp:/dev/shm",
                "GLIBC_TUNABLES", "glibc.rtld.optional_static_tls=4096"), env);
    }

    @Test
    void keepsTheUsersAuditorsAndTunables() throws IOException {
        Map<String, String> env = auditor.variables(Path.of("/out"), List.of(Path.of("/tmp")),
                Map.of("LD_AUDIT", "/theirs.so", "GLIBC_TUNABLES", "glibc.malloc.arena_max=2"));
        assertEquals("/cache/libjjfaudit.so:/theirs.so", env.get("LD_AUDIT"));
        assertEquals("glibc.malloc.arena_max=2:glibc.rtld.optional_static_tls=4096", env.get("GLIBC_TUNABLES"));
        Map<String, String> own = auditor.variables(Path.of("/out"), List.of(), Map.of("GLIBC_TUNABLES", "glibc.rtld.optional_static_tls=9000"));
        assertEquals(null, own.get("GLIBC_TUNABLES"), "a static-TLS size the user chose is kept as it is");
    }

    @Test
    void aPathLdAuditCannotCarryIsRefused() {
        assertThrows(IOException.class, () -> new LoadAuditor(Path.of("/a b/lib.so")).variables(Path.of("/out"), List.of(), Map.of()));
        assertThrows(IOException.class, () -> new LoadAuditor(Path.of("/a:b/lib.so")).variables(Path.of("/out"), List.of(), Map.of()));
    }

    @Test
    void whetherAJavaKnowsTheJep451FlagIsProbedOnceAndRemembered(@TempDir Path cache) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Map<String, String> env = Map.of("XDG_CACHE_HOME", cache.toString());
        boolean known = DynamicAgentLoading.knownBy(java);
        assertEquals(known, DynamicAgentLoading.knownBy(java, env));
        List<Path> remembered;
        try (var files = Files.list(cache.resolve("jjf/jvm-flags"))) {
            remembered = files.toList();
        }
        assertEquals(1, remembered.size(), remembered.toString());
        // The second answer comes from the cache, not from another JVM start.
        Files.writeString(remembered.get(0), Boolean.toString(!known));
        assertEquals(!known, DynamicAgentLoading.knownBy(java, env));
    }

    @Test
    void theJavaACommandRunsIsItselfOrJavaHomes() {
        assertEquals("/jdk/bin/java", DynamicAgentLoading.javaOf(List.of("/jdk/bin/java", "-version"), Map.of()));
        assertEquals("java", DynamicAgentLoading.javaOf(List.of("mvn", "test"), Map.of("JAVA_HOME", "/no/such/jdk")));
        String home = System.getProperty("java.home");
        assertEquals(Path.of(home, "bin", "java").toString(), DynamicAgentLoading.javaOf(List.of("mvn"), Map.of("JAVA_HOME", home)));
    }
}
