import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Leaks 64 MiB inside a JNI library (native/jnileak/jnileak.c: Java_JniLeak_leak ->
 * jnileak_leak_bytes -> jnileak_retain_buffer -> malloc), loaded the way many libraries ship
 * native code: copied from where it lives to a temp file, loaded from there, and the temp file
 * deleted before exit, so the profile maps it as "/tmp/libjnileak....so (deleted)".
 *
 * Run: java -Djnileak.lib=target/jnileak/libjnileak.so examples/JniLeak.java
 * Without -Djnileak.lib the library is built first with native/jnileak/build.sh, found relative
 * to the working directory (run from the repository root), into a temp dir removed afterwards.
 */
public class JniLeak {
    private static final int CALLS = 16_384;
    private static final int SIZE = 4096;

    static native boolean leak(int size);

    static native long leakedBytes();

    public static void main(String[] args) throws IOException, InterruptedException {
        Path buildDir = null;
        String given = System.getProperty("jnileak.lib");
        Path library;
        if (given != null) {
            library = Path.of(given);
        } else {
            buildDir = Files.createTempDirectory("jnileak-build");
            library = build(buildDir);
        }
        Path extracted = Files.createTempFile("libjnileak", ".so");
        try {
            Files.copy(library, extracted, StandardCopyOption.REPLACE_EXISTING);
            System.load(extracted.toAbsolutePath().toString());
            leakThroughJni();
        } finally {
            Files.deleteIfExists(extracted);
            if (buildDir != null) deleteTree(buildDir);
        }
        System.out.printf("JniLeak: leaked %d bytes (%d MiB) in %d mallocs of %d bytes in JNI code "
                + "(Java_JniLeak_leak -> jnileak_leak_bytes -> jnileak_retain_buffer), library loaded from %s, now deleted%n",
                leakedBytes(), leakedBytes() >> 20, CALLS, SIZE, extracted);
    }

    static void leakThroughJni() {
        for (int i = 0; i < CALLS; i++) {
            if (!leak(SIZE)) throw new OutOfMemoryError("jnileak: malloc(" + SIZE + ") failed");
        }
    }

    private static Path build(Path outDir) throws IOException, InterruptedException {
        Path script = Path.of("native/jnileak/build.sh");
        if (!Files.isRegularFile(script)) {
            System.err.println("JniLeak: pass -Djnileak.lib=/path/to/libjnileak.so, or run from the jjf repository root "
                    + "so native/jnileak/build.sh can build it");
            System.exit(2);
        }
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), outDir.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        // gcc and its helpers would otherwise inherit the profiler and each leave a heap profile
        // next to this program's.
        pb.environment().remove("LD_PRELOAD");
        pb.environment().remove("MALLOC_CONF");
        int exit = pb.start().waitFor();
        if (exit != 0) throw new IOException(script + " failed with exit code " + exit);
        return outDir.resolve("libjnileak.so");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
