package dev.jjf.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What jjf reads from a JVM's GC.heap_dump help and from an executable before it asks for a heap dump. */
class HeapDumpOptionsTest {
    /** {@code jcmd PID help GC.heap_dump} of OpenJDK 17.0.15, as the attach socket answered here. */
    private static final String JDK17_HELP = """
            GC.heap_dump
            Generate a HPROF format dump of the Java heap.

            Impact: High: Depends on Java heap size and content. Request a full GC unless the '-all' option is specified.

            Permission: java.lang.management.ManagementPermission(monitor)

            Syntax : GC.heap_dump [options] <filename>

            Arguments:
            \tfilename :  Name of the dump file (STRING, no default value)

            Options: (options must be specified using the <key> or <key>=<value> syntax)
            \t-all : [optional] Dump all objects, including unreachable objects (BOOLEAN, false)
            \t-gz : [optional] If specified, the heap dump is written in gzipped format using the given compression level. 1 (recommended) is the fastest, 9 the strongest compression. (INT, 1)
            \t-overwrite : [optional] If specified, the dump file will be overwritten if it exists (BOOLEAN, false)
            """;
    /** The same of Temurin 25.0.3. */
    private static final String JDK25_HELP = JDK17_HELP.replace("(STRING, no default value)", "(FILE, no default value)")
            + "\t-parallel : [optional] Number of parallel threads to use for heap dump. The VM will try to use the specified number of threads, but might use fewer. (INT, 1)\n";

    @TempDir
    Path dir;

    @Test
    void optionsComeFromTheJvmsOwnHelp() {
        GcHeapDump.Options jdk17 = GcHeapDump.Options.parse(JDK17_HELP);
        assertEquals(Set.of("-all", "-gz", "-overwrite"), jdk17.names());
        assertTrue(jdk17.heapDump() && jdk17.gz() && jdk17.all());
        assertFalse(jdk17.parallel());

        GcHeapDump.Options jdk25 = GcHeapDump.Options.parse(JDK25_HELP);
        assertTrue(jdk25.parallel() && jdk25.gz() && jdk25.all());

        // A JVM that answers "Unknown diagnostic command" offers nothing.
        GcHeapDump.Options none = GcHeapDump.Options.parse("java.lang.IllegalArgumentException: Unknown diagnostic command\n");
        assertFalse(none.heapDump() || none.gz() || none.all());
    }

    @Test
    void theCommandLineNamesOnlyWhatWasAskedFor() {
        assertEquals("GC.heap_dump /tmp/d/heap.hprof", GcHeapDump.of(0, 0, false, "/tmp/d/heap.hprof"));
        assertEquals("GC.heap_dump -all -gz=6 -parallel=3 /tmp/d/heap.hprof.gz", GcHeapDump.of(6, 3, true, "/tmp/d/heap.hprof.gz"));
    }

    @Test
    void pathsThatJcmdWouldSplitOrExpandAreNeverSent() {
        for (String bad : new String[] {"/tmp/my dumps/h.hprof", "/tmp/it's.hprof", "/tmp/\"q\".hprof", "/tmp/h-%p.hprof", "/tmp/a\tb"}) {
            assertFalse(GcHeapDump.safe(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> GcHeapDump.of(0, 0, false, bad), bad);
        }
        assertTrue(GcHeapDump.safe("/tmp/jjf-dumpheap-123/heap.hprof.gz"));
    }

    @Test
    void requestsOutsideWhatAnyJvmTakesAreRefused() {
        assertThrows(BadInputException.class, () -> new HeapDumper.Request(10, 0, false));
        assertThrows(BadInputException.class, () -> new HeapDumper.Request(-1, 0, false));
        assertThrows(BadInputException.class, () -> new HeapDumper.Request(0, -2, false));
        assertTrue(new HeapDumper.Request(9, 4, true).compressed());
        assertFalse(new HeapDumper.Request(0, 4, true).compressed());
    }

    @Test
    void aNativeImageIsKnownByItsImageHeapSectionAndDumpSupportByTheDumpFilePrefix() throws IOException {
        int mib = 1 << 20;
        // The markers straddle the scanner's 1 MiB buffer boundary: a scan that forgets the overlap misses them.
        Path both = executable("both", mib - 4, ".svm_heap\0", 2 * mib - 6, "svm-heapdump-");
        assertEquals(new NativeImageDumps.Image(true, true), NativeImageDumps.inspect(both));
        Path noSupport = executable("no-support", 100, ".svm_heap\0", 3 * mib, "svm-heapdum_-");
        assertEquals(new NativeImageDumps.Image(true, false), NativeImageDumps.inspect(noSupport));
        // The prefix alone (a HotSpot launcher script, a log) does not make a Native Image.
        Path notAnImage = executable("not-an-image", 10, ".svm_heaps", 50, "svm-heapdump-");
        assertEquals(new NativeImageDumps.Image(false, false), NativeImageDumps.inspect(notAnImage));
    }

    private Path executable(String name, int firstAt, String first, int secondAt, String second) throws IOException {
        byte[] bytes = new byte[secondAt + second.length() + 100];
        byte[] a = first.getBytes(StandardCharsets.US_ASCII);
        byte[] b = second.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(a, 0, bytes, firstAt, a.length);
        System.arraycopy(b, 0, bytes, secondAt, b.length);
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void theStatusFileSaysWhetherSigusr1IsHandled() {
        String base = "Name:\tsvmapp\nTgid:\t42\nUid:\t1000\t1000\t1000\t1000\nSigCgt:\t";
        // Bit 9 (signal 10, SIGUSR1) and bit 2 (SIGQUIT).
        assertTrue(ProcStatus.parse(base + "0000000000000204\n").usr1Caught());
        assertTrue(ProcStatus.parse(base + "0000000000000204\n").quitCaught());
        assertFalse(ProcStatus.parse(base + "0000000000000004\n").usr1Caught());
        assertFalse(ProcStatus.parse(base + "0000000000000004\n").stopped());
        assertTrue(ProcStatus.parse("State:\tT (stopped)\n" + base + "0000000000000004\n").stopped());
        assertTrue(ProcStatus.parse("State:\tt (tracing stop)\n" + base + "0000000000000004\n").stopped());
        assertFalse(ProcStatus.parse("State:\tS (sleeping)\n" + base + "0000000000000004\n").stopped());
    }
}
