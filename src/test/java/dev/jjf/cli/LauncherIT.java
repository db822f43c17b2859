package dev.jjf.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ./jjf launcher's class-data-sharing archive: built in the background by the second run,
 * used from then on, and never visible in what jjf prints, even when the archive is damaged.
 */
class LauncherIT {
    private static final long TIMEOUT_SECONDS = 120;
    private static final String PROFILE = RenderCommandTest.PROFILE;

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    /** A checkout with nothing newer than its jar, so the launcher does not rebuild it. */
    private Path checkout() throws IOException {
        Path root = Path.of(System.getProperty("jjf.root", "."));
        Path jar = Path.of(System.getProperty("jjf.jar", "target/jjf.jar"));
        Path copy = Files.createDirectories(dir.resolve("jjf"));
        Files.copy(root.resolve("jjf"), copy.resolve("jjf"));
        Files.createDirectories(copy.resolve("target"));
        Files.copy(jar, copy.resolve("target/jjf.jar"), StandardCopyOption.COPY_ATTRIBUTES);
        FileTime old = FileTime.fromMillis(0);
        for (String p : List.of("src/main", "native")) Files.setLastModifiedTime(Files.createDirectories(copy.resolve(p)), old);
        Files.setLastModifiedTime(Files.writeString(copy.resolve("pom.xml"), ""), old);
        return copy;
    }

    private Run run(Path checkout, Map<String, String> env, String... args) throws IOException, InterruptedException {
        return bash(List.of(), checkout, env, args);
    }

    /** The java command the launcher ran for {@code --version}, from bash -x. */
    private String javaCommand(Path checkout) throws IOException, InterruptedException {
        Run traced = bash(List.of("-x"), checkout, Map.of(), "--version");
        assertEquals(0, traced.exit(), traced.err());
        return traced.err().lines().filter(l -> l.startsWith("+ exec java ")).findFirst().orElseThrow();
    }

    private Run bash(List<String> flags, Path checkout, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash"));
        cmd.addAll(flags);
        cmd.add(checkout.resolve("jjf").toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("JJF_JAVA_OPTS");
        pb.environment().remove("JJF_CDS");
        pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "timed out: " + cmd);
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Waits for the background build: one archive, no build in progress, none failed. */
    private Path awaitArchive() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (cacheFiles(".jsa").isEmpty() || !cacheFiles(".build").isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "no archive after " + TIMEOUT_SECONDS + " s");
            assertTrue(cacheFiles(".failed").isEmpty(), "the archive build failed");
            Thread.sleep(200);
        }
        List<Path> archives = cacheFiles(".jsa");
        assertEquals(1, archives.size(), archives.toString());
        return archives.get(0);
    }

    private List<Path> cacheFiles(String suffix) throws IOException {
        Path cds = dir.resolve("cache/jjf/cds");
        if (!Files.isDirectory(cds)) return List.of();
        try (Stream<Path> s = Files.list(cds)) {
            return s.filter(f -> f.getFileName().toString().endsWith(suffix)).toList();
        }
    }

    /** A render through the launcher prints and writes what {@code plain} (the run without an archive) did. */
    private void assertRendersAsBefore(Path checkout, Run plain, String output) throws IOException, InterruptedException {
        Path heap = dir.resolve("jeprof.7.0.f.heap");
        Run r = run(checkout, Map.of(), "render", heap.toString(), "--format", "folded", "-o", dir.resolve(output).toString());
        assertEquals(plain.exit(), r.exit(), r.err());
        assertEquals(plain.err().replace("plain.folded", output), r.err());
        assertArrayEquals(Files.readAllBytes(dir.resolve("plain.folded")), Files.readAllBytes(dir.resolve(output)));
    }

    /** Whether the launcher's java command, made to render, takes className from the archive. */
    private boolean loadsFromArchive(Path checkout, Path heap, String className) throws IOException, InterruptedException {
        List<String> words = new ArrayList<>();
        // bash -x quotes words with special characters ('-Xlog:cds*=off'); paths here have none.
        for (String w : javaCommand(checkout).substring("+ exec ".length()).split(" ")) words.add(w.replaceAll("^'(.*)'$", "$1"));
        assertEquals("--version", words.remove(words.size() - 1));
        words.add(1, "-Xlog:class+load=info");
        words.addAll(List.of("render", heap.toString(), "--format", "folded", "-o", dir.resolve("logged.folded").toString()));
        Process p = new ProcessBuilder(words).directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        return log.lines().anyMatch(l -> l.contains(" " + className + " source: shared objects file"));
    }

    @Test
    void archiveIsBuiltUsedAndNeverSeen() throws Exception {
        Assumptions.assumeTrue(System.getProperty("jjf.jar") != null, "needs the packaged jar: failsafe runs it in 'mvn verify'");
        Assumptions.assumeTrue(new ProcessBuilder("sh", "-c", "command -v setsid").start().waitFor() == 0, "needs setsid");
        Path checkout = checkout();
        Path heap = Files.writeString(dir.resolve("jeprof.7.0.f.heap"), PROFILE);
        Map<String, String> off = Map.of("JJF_CDS", "0");
        Run version = run(checkout, off, "--version");
        assertEquals(0, version.exit(), version.err());
        assertTrue(version.out().startsWith("jjf "), version.out());
        Run render = run(checkout, off, "render", heap.toString(), "--format", "folded", "-o", dir.resolve("plain.folded").toString());
        assertEquals(0, render.exit(), render.err());

        // The first run that renders lists its classes (--version does not: its classes are not a
        // render's). The next run builds the archive in the background.
        assertEquals(version, run(checkout, Map.of(), "--version"));
        assertEquals(0, cacheFiles(".classlist").size(), "--version lists no classes");
        assertRendersAsBefore(checkout, render, "listing.folded");
        assertEquals(1, cacheFiles(".classlist").size(), "the first render lists the classes it loads");
        assertEquals(version, run(checkout, Map.of(), "--version"));
        Path archive = awaitArchive();
        assertTrue(loadsFromArchive(checkout, heap, "dev.jjf.cli.RenderJob"), "a render's own classes are in the archive");

        // Later runs use it and print the same.
        assertEquals(version, run(checkout, Map.of(), "--version"));
        String java = javaCommand(checkout);
        assertTrue(java.contains("-XX:SharedArchiveFile=" + archive), java);
        Run cdsRender = run(checkout, Map.of(), "render", heap.toString(), "--format", "folded", "-o", dir.resolve("cds.folded").toString());
        assertEquals(render.exit(), cdsRender.exit());
        assertEquals(render.err().replace("plain.folded", "cds.folded"), cdsRender.err());
        assertArrayEquals(Files.readAllBytes(dir.resolve("plain.folded")), Files.readAllBytes(dir.resolve("cds.folded")));

        // A truncated archive (the JVM would die of SIGBUS mapping it) is not used, and is replaced.
        byte[] bytes = Files.readAllBytes(archive);
        archive.toFile().setWritable(true);
        Files.write(archive, Arrays.copyOf(bytes, bytes.length / 2));
        assertEquals(version, run(checkout, Map.of(), "--version"));
        java = javaCommand(checkout);
        assertFalse(java.contains("-XX:SharedArchiveFile="), java);
        assertRendersAsBefore(checkout, render, "relisting.folded");
        assertEquals(version, run(checkout, Map.of(), "--version"));
        // Rebuilt in its place (the one archive awaitArchive allows); its size, and so its name, may
        // differ: the second class list need not be the first one.
        archive = awaitArchive();
        bytes = Files.readAllBytes(archive);

        // A damaged one of the right size is checked (-XX:+VerifySharedSpaces) and not used, silently.
        for (int i = bytes.length / 3; i < bytes.length / 3 + 4096; i++) bytes[i] ^= 0x5a;
        archive.toFile().setWritable(true);
        Files.write(archive, bytes);
        assertEquals(version, run(checkout, Map.of(), "--version"));
        assertTrue(javaCommand(checkout).contains("-XX:SharedArchiveFile=" + archive));
        Run damaged = run(checkout, Map.of(), "render", heap.toString(), "--format", "folded", "-o", dir.resolve("damaged.folded").toString());
        assertEquals(render.err().replace("plain.folded", "damaged.folded"), damaged.err());
        assertArrayEquals(Files.readAllBytes(dir.resolve("plain.folded")), Files.readAllBytes(dir.resolve("damaged.folded")));
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith("hs_err")), "no JVM crash report");
        }
    }
}
