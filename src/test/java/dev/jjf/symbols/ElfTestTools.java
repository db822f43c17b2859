package dev.jjf.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds real ELF files with the system toolchain and reads the truth back with binutils. */
final class ElfTestTools {
    static final Path LIBJVM = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so");

    /** Functions of known names: global, static, a weak alias and a size-0 label inside a function. */
    static final String C_LIBRARY = """
            int alpha(int x) { return x * 3 + 1; }
            int beta(int x) { int s = 0; for (int i = 0; i < x; i++) s += alpha(i); return s; }
            static int gamma_static(int x) { return (x ^ 0x5a5a) + beta(x); }
            int delta(int x) { return gamma_static(x) + beta(x); }
            int epsilon_alias(int x) __attribute__((weak, alias("alpha")));
            void with_label(void) { __asm__ volatile("nop\\n.globl inner_label\\ninner_label:\\nnop\\nnop"); }
            """;

    static final String CPP_LIBRARY = """
            namespace foo { int bar(int x) { return x + 42; } }
            """;

    private static final long TIMEOUT_SECONDS = 60;

    private ElfTestTools() {
    }

    /** Skips the calling test (with a message) when a needed tool is missing. */
    static void requireTools(String... tools) {
        for (String tool : tools) {
            boolean found = Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
                    .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
            assumeTrue(found, tool + " is not installed; skipping a test that builds real ELF files");
        }
    }

    /** Runs a command in dir and returns its stdout; fails the test on a non-zero exit. */
    static String run(Path dir, String... command) {
        try {
            Path out = Files.createTempFile(dir, "out", ".txt");
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out: " + String.join(" ", command));
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            Files.delete(out);
            if (p.exitValue() != 0) {
                fail(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Writes source to dir and compiles it with compiler and flags into dir/output. */
    static Path compile(Path dir, String compiler, String sourceName, String source, String output,
            String... flags) throws IOException {
        Files.writeString(dir.resolve(sourceName), source);
        List<String> command = new ArrayList<>(List.of(compiler));
        command.addAll(List.of(flags));
        command.addAll(List.of("-o", output, sourceName));
        run(dir, command.toArray(String[]::new));
        return dir.resolve(output);
    }

    /** Like {@link #compile} but returns null when the toolchain cannot build it (e.g. no -m32 support). */
    static Path tryCompile(Path dir, String compiler, String sourceName, String source, String output,
            String... flags) throws IOException {
        try {
            return compile(dir, compiler, sourceName, source, output, flags);
        } catch (AssertionError e) {
            return null;
        }
    }

    static Path cLibrary(Path dir, String output, String... extraFlags) throws IOException {
        List<String> flags = new ArrayList<>(List.of("-shared", "-fPIC", "-O0"));
        flags.addAll(List.of(extraFlags));
        return compile(dir, "gcc", "t.c", C_LIBRARY, output, flags.toArray(String[]::new));
    }

    /** A defined symbol as nm prints it. */
    record NmSymbol(String name, long address, long size, char type) {
    }

    private static final Pattern NM_LINE =
            Pattern.compile("^([0-9a-f]+)(?: ([0-9a-f]+))? (\\S) (\\S+)$");

    /** Defined symbols of file (the dynamic table when dynamic), by name. */
    static Map<String, NmSymbol> nm(Path file, boolean dynamic) {
        String out = dynamic
                ? run(file.getParent(), "nm", "-S", "--defined-only", "-D", file.toString())
                : run(file.getParent(), "nm", "-S", "--defined-only", file.toString());
        Map<String, NmSymbol> symbols = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            Matcher m = NM_LINE.matcher(line.trim());
            if (m.matches()) {
                long size = m.group(2) == null ? 0 : Long.parseUnsignedLong(m.group(2), 16);
                symbols.putIfAbsent(m.group(4), new NmSymbol(m.group(4), Long.parseUnsignedLong(m.group(1), 16),
                        size, m.group(3).charAt(0)));
            }
        }
        return symbols;
    }

    static NmSymbol nmSymbol(Path file, String name) {
        NmSymbol symbol = nm(file, false).get(name);
        if (symbol == null) {
            fail("nm does not list " + name + " in " + file);
        }
        return symbol;
    }

    /** The build-id as readelf -n prints it, or null. */
    static String readelfBuildId(Path file) {
        Matcher m = Pattern.compile("Build ID: ([0-9a-f]+)").matcher(run(file.getParent(), "readelf", "-n",
                file.toString()));
        return m.find() ? m.group(1) : null;
    }

    /** PT_LOAD headers as readelf -lW prints them. */
    static List<LoadSegment> readelfLoads(Path file) {
        Pattern load = Pattern.compile("^\\s*LOAD\\s+0x(\\S+)\\s+0x(\\S+)\\s+0x\\S+\\s+0x(\\S+)\\s+0x(\\S+)\\s+(.{3})");
        List<LoadSegment> loads = new ArrayList<>();
        for (String line : run(file.getParent(), "readelf", "-lW", file.toString()).split("\n")) {
            Matcher m = load.matcher(line);
            if (m.find()) {
                String f = m.group(5);
                int flags = (f.charAt(0) == 'R' ? LoadSegment.READ : 0) | (f.charAt(1) == 'W' ? LoadSegment.WRITE : 0)
                        | (f.charAt(2) == 'E' ? LoadSegment.EXECUTE : 0);
                loads.add(new LoadSegment(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16),
                        Long.parseUnsignedLong(m.group(3), 16), Long.parseUnsignedLong(m.group(4), 16), flags));
            }
        }
        return loads;
    }

    /** Address, file offset and size of a section, from readelf -SW. */
    record SectionInfo(long address, long offset, long size) {
    }

    static SectionInfo readelfSection(Path file, String name) {
        Pattern section = Pattern.compile("^\\s*\\[\\s*\\d+\\]\\s+" + Pattern.quote(name)
                + "\\s+\\S+\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s+([0-9a-f]+)");
        for (String line : run(file.getParent(), "readelf", "-SW", file.toString()).split("\n")) {
            Matcher m = section.matcher(line);
            if (m.find()) {
                return new SectionInfo(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16),
                        Long.parseUnsignedLong(m.group(3), 16));
            }
        }
        throw new AssertionError("readelf shows no section " + name + " in " + file);
    }

    /** Asserts every listed function resolves at its start and in its middle, and not just past its end. */
    static void assertResolves(SymbolTable table, NmSymbol symbol, String expectedName) {
        assertEquals(expectedName, table.lookup(symbol.address()), "at the start of " + symbol);
        if (symbol.size() > 1) {
            assertEquals(expectedName, table.lookup(symbol.address() + symbol.size() / 2), "inside " + symbol);
            assertEquals(expectedName, table.lookup(symbol.address() + symbol.size() - 1), "at the last byte of " + symbol);
        }
    }
}
