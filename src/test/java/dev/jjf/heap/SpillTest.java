package dev.jjf.heap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.BadInputException;
import dev.jjf.stacks.CallTree;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spilled path (arrays in a temp file between phases) against the in-memory one, and its temp files. */
class SpillTest {
    @TempDir
    Path spillDir;

    private static HeapGraph read(byte[] dump, Path spillDir) throws IOException {
        return HeapDump.read(() -> new ByteArrayInputStream(dump), Path.of("test.hprof"), false,
                new HeapDumpOptions(false, 1, w -> { }), spillDir, -1);
    }

    @Test
    void spilledGraphsGiveTheSameDominatorsRetainedSizesAndFolds() throws IOException {
        List<byte[]> dumps = new ArrayList<>();
        for (long seed = 1; seed <= 12; seed++) dumps.add(DominatorsTest.randomDump(seed, 20 + (int) (seed * 37)));
        // Enough objects to spread the DFS order and references over blocks of the spill buffer.
        dumps.add(DominatorsTest.randomDump(13, 100_000));
        dumps.add(HprofSamples.hotspot(false));
        dumps.add(HprofSamples.android());
        for (byte[] dump : dumps) {
            HeapGraph memory = read(dump, null);
            HeapGraph spilled = read(dump, spillDir);
            assertTrue(!memory.spills() && spilled.spills());
            Dominators dm = Dominators.compute(memory);
            Dominators ds = Dominators.compute(spilled);
            assertEquals(memory.objectCount(), spilled.objectCount());
            assertEquals(memory.referenceCount(), spilled.referenceCount());
            // Folds first: they are what a render reads, with nothing asked of the dominators before.
            for (HeapMetric m : HeapMetric.values()) {
                assertEquals(paths(HeapFolder.fold(memory, dm, m)), paths(HeapFolder.fold(spilled, ds, m)), m.toString());
            }
            CallTree owners = new CallTree("bytes");
            HeapFolder.foldNativeOwners(owners, spilled, ds, false);
            CallTree ownersInMemory = new CallTree("bytes");
            HeapFolder.foldNativeOwners(ownersInMemory, memory, dm, false);
            assertEquals(paths(ownersInMemory), paths(owners));
            assertEquals(dm.reachableCount(), ds.reachableCount());
            assertEquals(dm.reachableBytes(), ds.reachableBytes());
            for (int o = 0; o < memory.objectCount(); o++) {
                assertEquals(dm.isReachable(o), ds.isReachable(o), "object " + o);
                assertEquals(dm.immediateDominator(o), ds.immediateDominator(o), "object " + o);
                assertEquals(dm.retainedBytes(o), ds.retainedBytes(o), "object " + o);
                assertEquals(memory.className(o), spilled.className(o));
                assertEquals(memory.shallowBytes(o), spilled.shallowBytes(o));
                // The references were released to the spill file by the dominators and come back from it.
                assertArrayEquals(memory.references(o), spilled.references(o), "object " + o);
            }
            assertNoFiles();
        }
    }

    @Test
    void aSecondComputationOfASpilledGraphGivesTheSameDominators() throws IOException {
        HeapGraph g = read(DominatorsTest.randomDump(7, 400), spillDir);
        Dominators first = Dominators.compute(g);
        HeapFolder.fold(g, first, HeapMetric.RETAINED);
        Dominators second = Dominators.compute(g);
        for (int o = 0; o < g.objectCount(); o++) {
            assertEquals(first.immediateDominator(o), second.immediateDominator(o));
            assertEquals(first.retainedBytes(o), second.retainedBytes(o));
        }
    }

    @Test
    void listsOfSeveralChunksComeBackFromTheFileAsTheyWere() throws IOException {
        IntList list = new IntList();
        int n = 2 * IntList.CHUNK_SIZE + 12345;
        for (int i = 0; i < n; i++) list.add(i * 31 + 7);
        try (SpillFile file = SpillFile.create(spillDir)) {
            file.append(new int[] {1, 2, 3}, 0, 3); // the list's entries do not start at the file's start
            list.spill(file);
            assertTrue(list.isSpilled());
            assertEquals(n, list.size());
            assertNoFiles();
            list.unspill();
            for (int i = 0; i < n; i++) assertEquals(i * 31 + 7, list.get(i), "entry " + i);
            list.add(-5);
            assertEquals(-5, list.get(n));
            assertArrayEquals(new int[] {1, 2, 3}, file.read(0, 3));
        }
    }

    @Test
    void listsThatSpillAsTheyGrowKeepOneChunkInMemoryAndReadBackInOrderOrNot() throws IOException {
        IntList list = new IntList();
        int n = 3 * IntList.CHUNK_SIZE + 777;
        try (SpillFile file = SpillFile.create(spillDir)) {
            list.spillAsItGrows(file);
            for (int i = 0; i < n; i++) list.add(i ^ 0x5555);
            // Three full chunks went to the file as the list grew (4 bytes an entry).
            assertEquals(3L * IntList.CHUNK_SIZE * 4, file.size());
            for (int i = 0; i < n; i++) assertEquals(i ^ 0x5555, list.get(i), "entry " + i);
            // Writes to chunks in the file, out of order: each goes back to the file when another chunk is read.
            list.set(5, -1);
            list.set(2L * IntList.CHUNK_SIZE + 9, -2);
            list.set(n - 1, -3);
            list.set(IntList.CHUNK_SIZE + 1, -4);
            assertEquals(-1, list.get(5));
            assertEquals(-2, list.get(2L * IntList.CHUNK_SIZE + 9));
            assertEquals(-3, list.get(n - 1));
            assertEquals(-4, list.get(IntList.CHUNK_SIZE + 1));
            int[] all = list.toArray();
            assertEquals(n, all.length);
            assertEquals(-2, all[2 * IntList.CHUNK_SIZE + 9]);
            list.spill(file);
            list.unspill();
            assertEquals(-1, list.get(5));
            assertEquals(-4, list.get(IntList.CHUNK_SIZE + 1));
            assertEquals(7 ^ 0x5555, list.get(7));
            assertEquals(-3, list.get(n - 1));
            int[] copied = list.toArrayAndClear();
            assertArrayEquals(all, copied);
            assertEquals(0, list.size());
        }
    }

    @Test
    void aDumpWithMoreReferencesThanAChunkSpillsItsReaderListsAsTheyGrow() throws IOException {
        // About 1.8 references per node: more than one chunk of references goes to the file while reading.
        byte[] dump = DominatorsTest.randomDump(21, 700_000);
        HeapGraph memory = read(dump, null);
        HeapGraph spilled = read(dump, spillDir);
        assertTrue(memory.referenceCount() > IntList.CHUNK_SIZE, "references: " + memory.referenceCount());
        Dominators dm = Dominators.compute(memory);
        Dominators ds = Dominators.compute(spilled);
        assertEquals(paths(HeapFolder.fold(memory, dm, HeapMetric.RETAINED)), paths(HeapFolder.fold(spilled, ds, HeapMetric.RETAINED)));
        for (int o = 0; o < memory.objectCount(); o++) {
            assertEquals(dm.immediateDominator(o), ds.immediateDominator(o), "object " + o);
            assertEquals(dm.retainedBytes(o), ds.retainedBytes(o), "object " + o);
        }
        assertArrayEquals(memory.references(memory.objectCount() - 1), spilled.references(memory.objectCount() - 1));
        assertNoFiles();
    }

    @Test
    void noSpillFileIsLeftWhenReadingFails() throws IOException {
        assertThrows(BadInputException.class, () -> HeapDump.read(() -> new ByteArrayInputStream("JAVA PROFILE 9\0".getBytes()),
                Path.of("bad.hprof"), false, new HeapDumpOptions(false, 1, w -> { }), spillDir, -1));
        assertNoFiles();
        // A graph in use holds its file open, but the directory is already clean: a JVM killed now leaves nothing.
        HeapGraph g = read(DominatorsTest.randomDump(3, 200), spillDir);
        assertTrue(g.spills());
        assertNoFiles();
    }

    @Test
    void aSpillDirectoryThatCannotBeWrittenKeepsTheGraphInMemoryWithAWarning() throws IOException {
        List<String> warnings = new ArrayList<>();
        Path missing = spillDir.resolve("missing");
        HeapGraph g = HeapDump.read(() -> new ByteArrayInputStream(DominatorsTest.randomDump(5, 100)), Path.of("test.hprof"), false,
                new HeapDumpOptions(false, 1, warnings::add), missing, -1);
        assertTrue(!g.spills());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("cannot make a spill file in " + missing), warnings.get(0));
        Dominators d = Dominators.compute(g);
        assertEquals(d.reachableBytes(), HeapFolder.fold(g, d, HeapMetric.RETAINED).total(), 0.0);
    }

    private void assertNoFiles() throws IOException {
        try (Stream<Path> files = Files.list(spillDir)) {
            assertEquals(List.of(), files.toList(), "spill files are unlinked as soon as they are made");
        }
    }

    /** Every node's path, own value and total, depth first in the tree's order. */
    private static List<String> paths(CallTree tree) {
        List<String> out = new ArrayList<>();
        walk(tree.root(), "", out);
        return out;
    }

    private static void walk(CallTree.Node node, String path, List<String> out) {
        String here = path + ";" + node.name() + "/" + node.kind();
        out.add(here + " " + node.self() + " " + node.total());
        for (CallTree.Node c : node.children()) walk(c, here, out);
    }

    @Test
    void aFileSystemInMemoryIsToldApartFromADisk(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        // Spilling into tmpfs would only move the bytes into the page cache: such a tmpdir is passed over.
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/dev/shm"))
                && Files.getFileStore(Path.of("/dev/shm")).type().equals("tmpfs"), "no tmpfs at /dev/shm");
        assertTrue(HeapDump.inMemory(Path.of("/dev/shm")));
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.getFileStore(dir).type().equals("tmpfs"), "the temp dir is tmpfs");
        assertEquals(false, HeapDump.inMemory(dir));
    }
}
