package dev.jjf.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jjf.symbols.PerfMap;
import dev.jjf.symbols.PerfMapEntry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's line tables for interpreted methods in a real JVM under Debian's jemalloc (hook
 * installed, every loaded method registered): one {@code # jjf-lines} line right after each
 * method's block, no line per run, and jjf reads them back as the method's real source lines.
 */
class InterpretedLineTablesIT {
    private static final String AGENT_ENTRY = "dev/jjf/launch/native/linux-x86_64/libjjfperfmap.so";
    private static final String PROGRAM = "JavaFramesLeaks";
    private static final String MAIN = PROGRAM + ".main(java.lang.String[])";
    private static final Pattern BLOCK = Pattern.compile("(fa[0-9a-f]{14}) 100000 (.*)");
    private static final Pattern TABLE = Pattern.compile("# jjf-lines (fa[0-9a-f]{14}) (\\S+)( \\d+:\\d+)+ \\d+");
    private static final Pattern POSITION = Pattern.compile(Pattern.quote(MAIN) + " \\(" + PROGRAM + "\\.java:(\\d+)\\)");
    /** More bytecode than main() has: its block beyond its code reads as the bare method. */
    private static final int MAIN_BCIS = 512;

    @TempDir
    static Path work;

    @Test
    void interpretedMethodsCarryTheirLineTableOnOneLine() throws Exception {
        assumeTrue(Files.isRegularFile(Proc.DEBIAN_JEMALLOC), "apt-get install libjemalloc2");
        Path classes = Files.createDirectories(work.resolve("classes"));
        Path source = Proc.ROOT.resolve("src/test/resources/javaframes/" + PROGRAM + ".java");
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-nowarn", "-d", classes.toString(), source.toString()));
        Path agent = work.resolve("libjjfperfmap.so");
        try (ZipFile jar = new ZipFile(Proc.JAR.toFile()); InputStream in = jar.getInputStream(jar.getEntry(AGENT_ENTRY))) {
            Files.copy(in, agent, StandardCopyOption.REPLACE_EXISTING);
        }
        Proc.run(work, Map.of("LD_PRELOAD", Proc.DEBIAN_JEMALLOC.toString(), "MALLOC_CONF", "prof:true"),
                List.of(Proc.JAVA.toString(), "-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints", "-XX:+PreserveFramePointer",
                        "-agentpath:" + agent + "=file=" + work + "/perf-%p.map", "-cp", classes.toString(), PROGRAM)).assertOk();
        Path map;
        try (var files = Files.list(work)) {
            map = files.filter(p -> p.getFileName().toString().endsWith(".map")).findFirst().orElseThrow();
        }

        // The shape: each table right after its own block; no interpreted line of one run alone.
        List<String> lines = Files.readAllLines(map, StandardCharsets.UTF_8);
        int tables = 0;
        String mainBlock = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher block = BLOCK.matcher(line);
            if (block.matches() && block.group(2).equals(MAIN)) mainBlock = block.group(1);
            if (line.startsWith("# jjf-lines ")) {
                Matcher table = TABLE.matcher(line);
                assertTrue(table.matches(), "line " + (i + 1) + ": " + line);
                Matcher before = BLOCK.matcher(lines.get(i - 1));
                assertTrue(before.matches() && before.group(1).equals(table.group(1)), "line " + (i + 1) + " follows its block: " + line);
                tables++;
            } else {
                assertFalse(line.startsWith("fa") && !block.matches(), "line " + (i + 1) + " is one run of an interpreted method: " + line);
            }
        }
        assertTrue(tables > 1000, "every registered method with a line table has one: " + tables);
        assertNotNull(mainBlock, "main() is registered");

        // Read back: every bytecode of main() names main() at one of main()'s own source lines.
        List<String> warnings = new ArrayList<>();
        PerfMap perfMap = PerfMap.read(map, warnings::add);
        assertEquals(List.of(), warnings);
        List<String> text = Files.readAllLines(source);
        int first = lineOf(text, "for (int i = 0; i < COLD_CALLS; i++) coldPath();");
        int last = lineOf(text, "System.out.println(\"kept \" + kept.size());") + 1; // the closing brace: return
        long start = Long.parseUnsignedLong(mainBlock, 16);
        TreeSet<Integer> found = new TreeSet<>();
        for (int bci = 0; bci < MAIN_BCIS; bci++) {
            PerfMapEntry e = perfMap.lookup(start + bci);
            if (e.name().equals(MAIN)) continue;
            Matcher m = POSITION.matcher(e.name());
            assertTrue(m.matches(), "bytecode " + bci + ": " + e.name());
            found.add(Integer.parseInt(m.group(1)));
        }
        assertTrue(found.first() >= first && found.last() <= last, found + " within lines " + first + ".." + last);
        for (String call : List.of("coldPath();", "unclosedDeflater();", "sum += hotPath();", "System.out.println(\"kept \"")) {
            assertTrue(found.contains(lineOf(text, call)), call + " on a line of main(): " + found);
        }
    }

    private static int lineOf(List<String> source, String text) {
        for (int i = 0; i < source.size(); i++) {
            if (source.get(i).contains(text)) return i + 1;
        }
        throw new AssertionError("no '" + text + "' in " + PROGRAM + ".java");
    }
}
