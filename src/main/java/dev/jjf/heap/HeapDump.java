package dev.jjf.heap;

import dev.jjf.BadInputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Reads an HPROF heap dump (plain or gzip; HotSpot, Android or Native Image) into a {@link HeapGraph}. */
public final class HeapDump {
    private HeapDump() {
    }

    /**
     * Reads the whole dump. A truncated file gives what was read and a warning; anything else
     * wrong is a {@link BadInputException} naming the file and offset.
     */
    public static HeapGraph read(Path file, HeapDumpOptions options) throws IOException {
        HeapDumpFormat format = HeapDumpFormat.detect(file)
                .orElseThrow(() -> new BadInputException(file, "not a heap dump (no 'JAVA PROFILE 1.0.' header, plain or gzip)"));
        try {
            long bytes = Files.size(file) * (format == HeapDumpFormat.HPROF ? 1 : GZIP_RATIO);
            return read(() -> open(file, format, options), file, format == HeapDumpFormat.HPROF, options, null, bytes);
        } catch (OutOfMemoryError e) {
            throw new BadInputException(file, "not enough Java heap to analyse this dump (" + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MiB): raise it with JJF_JAVA_OPTS=-Xmx<size> (java -Xmx<size> -jar jjf.jar); about 30 bytes per object"
                    + " and 4 per reference are needed");
        }
    }

    /** Opens the dump's uncompressed bytes from the start. */
    @FunctionalInterface
    interface Source {
        InputStream open() throws IOException;
    }

    static InputStream open(Path file, HeapDumpFormat format, HeapDumpOptions options) throws IOException {
        InputStream raw = Files.newInputStream(file);
        if (format == HeapDumpFormat.HPROF) return raw;
        if (options.threads() > 1) return ParallelGzip.open(file, options.threads());
        InputStream gzip = new GZIPInputStream(new BufferedInputStream(raw, 1 << 16), 1 << 16);
        // With a second processor, inflating goes on there while this thread parses.
        return Runtime.getRuntime().availableProcessors() > 1 ? new ReadAhead(gzip) : gzip;
    }

    /** Reads from a source that can be opened more than once (thread names take a second look). */
    static HeapGraph read(Source source, Path file, HeapDumpOptions options) throws IOException {
        return read(source, file, false, options);
    }

    /** {@code seekable}: {@code file} is the plain dump itself, which thread names are read from by seeking. */
    static HeapGraph read(Source source, Path file, boolean seekable, HeapDumpOptions options) throws IOException {
        return read(source, file, seekable, options, null, -1);
    }

    /** {@code splitBytes}: heap records of a plain dump are read on two threads from this many bytes on ({@link SegmentSplit}); -1: never. */
    static HeapGraph read(Source source, Path file, boolean seekable, long splitBytes, HeapDumpOptions options) throws IOException {
        return read(source, file, seekable, splitBytes, options, null, -1);
    }

    /**
     * Dumps of at least this many objects spill arrays between phases: the graph's classes and
     * sizes until the fold, its references while the dominators do not need them.
     */
    static final int SPILL_MIN_OBJECTS = 1 << 20;
    /** Bytes of the reader's lists per byte of dump, about (16 per object and 4 per reference). */
    private static final double READER_BYTES_PER_DUMP_BYTE = 0.4;
    /** Uncompressed bytes per gzip byte that a dump is assumed to have, for that estimate. */
    private static final long GZIP_RATIO = 5;

    /**
     * {@code spillDir}: where the graph spills, whatever its size (tests); null to spill big dumps'
     * arrays into java.io.tmpdir. {@code dumpBytes}: the dump's uncompressed size, about (-1:
     * unknown); a dump whose reader's lists would take more than half the heap's room spills them
     * while it is read.
     */
    static HeapGraph read(Source source, Path file, boolean seekable, HeapDumpOptions options, Path spillDir, long dumpBytes)
            throws IOException {
        boolean twoThreads = seekable && Runtime.getRuntime().availableProcessors() > 1;
        return read(source, file, seekable, twoThreads ? SegmentSplit.MIN_BYTES : -1, options, spillDir, dumpBytes);
    }

    private static HeapGraph read(Source source, Path file, boolean seekable, long splitBytes, HeapDumpOptions options, Path spillDir,
                                  long dumpBytes) throws IOException {
        boolean spillWhileReading = spillDir != null || READER_BYTES_PER_DUMP_BYTE * dumpBytes > roomBytes() / 2.0;
        SpillFile spill = spillWhileReading ? spillFile(spillDir, file, options) : null;
        try {
            // A second thread's lists would not spill: a dump that must spill while read is read on one.
            return read(source, file, seekable, spill != null ? -1 : splitBytes, options, spillDir, spill);
        } catch (RuntimeException | Error | IOException e) {
            if (spill != null) spill.close();
            throw e;
        }
    }

    private static HeapGraph read(Source source, Path file, boolean seekable, long splitBytes, HeapDumpOptions options, Path spillDir,
                                  SpillFile spill) throws IOException {
        HprofParser p;
        try (InputStream in = source.open()) {
            p = new HprofParser(new HprofInput(in, file), false);
            if (splitBytes >= 0) p.split = SegmentSplit.of(file, splitBytes);
            if (spill != null) {
                // Full chunks of the lists that grow with the dump go to the file as they fill.
                p.objectIds.packed.spillAsItGrows(spill);
                p.objectClass.spillAsItGrows(spill);
                p.shallowBytes.spillAsItGrows(spill);
                p.edgeStart.spillAsItGrows(spill);
                p.edgeTargets.packed.spillAsItGrows(spill);
            }
            p.parse();
        } catch (BadInputException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BadInputException(file, "unreadable heap dump: " + e, e);
        }
        IdIndex index = IdIndex.of(p.objectIds);
        long n = p.objectClass.size();
        if (spill == null && n >= SPILL_MIN_OBJECTS) spill = spillFile(spillDir, file, options);
        if (spill != null) {
            // Not needed until the fold: they are garbage at the collection after reading.
            p.objectClass.spill(spill);
            p.shallowBytes.spill(spill);
        }
        Map<Long, String> threadNames = null;
        if (seekable && p.deferredCount == 0) threadNames = threadNamesBySeeking(p, index, file);
        if (threadNames == null) threadNames = threadNames(p, source, file);
        HeapGraph g = build(p, index, file, options, threadNames, spill);
        // Asked for (tests): every array that can wait in the file does, room or not.
        if (spillDir != null) g.spillAlways();
        // Dead, but still in this frame's slots as far as the collector can tell.
        p = null;
        index = null;
        collectAfterReading(g.objectCount);
        return g;
    }

    /**
     * A spill file in {@code dir}; when null, in java.io.tmpdir, unless that is a file system in
     * memory (tmpfs, as /tmp is on many distributions), where spilling would only move the bytes
     * from the heap to the page cache: then beside the dump, if that directory takes it. Null with a
     * warning when no file can be made.
     */
    private static SpillFile spillFile(Path dir, Path dump, HeapDumpOptions options) {
        Path in = dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir"));
        if (dir == null && inMemory(in) && dump.toAbsolutePath().getParent() != null) {
            Path beside = dump.toAbsolutePath().getParent();
            if (!inMemory(beside)) {
                try {
                    return SpillFile.create(beside);
                } catch (IOException e) {
                    // Read-only or full: java.io.tmpdir it is.
                }
            }
        }
        try {
            return SpillFile.create(in);
        } catch (IOException e) {
            options.warnings().accept("cannot make a spill file in " + in + " (" + e.getMessage()
                    + "); keeping the whole graph in memory (set another directory with JJF_JAVA_OPTS=-Djava.io.tmpdir=DIR)");
            return null;
        }
    }

    static boolean inMemory(Path dir) {
        try {
            String type = Files.getFileStore(dir).type();
            return type.equals("tmpfs") || type.equals("ramfs");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Bytes the biggest heap pool can hold: where big arrays go (the old generation; with G1 the
     * whole heap).
     */
    static long roomBytes() {
        long room = 0;
        for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) room = Math.max(room, pool.getUsage().getMax());
        }
        return room > 0 ? room : Runtime.getRuntime().maxMemory();
    }

    /**
     * Collects now when {@code bytes} more would not fit beside what the heap holds (garbage
     * included): the old generation only grows by collections, and a big dump's next phase
     * needs the room its last one left as garbage.
     */
    static void collectUnlessRoomFor(long bytes) {
        if (!roomFor(bytes)) System.gc();
    }

    /** True when {@code bytes} more fit beside what the heap holds now, garbage included. */
    static boolean roomFor(long bytes) {
        long used = 0;
        for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) used += pool.getUsage().getUsed();
        }
        return used + bytes <= roomBytes();
    }

    /** Dumps of at least this many objects are followed by a full collection (see {@link #collectAfterReading}). */
    static final int COLLECT_AFTER_OBJECTS = 1 << 20;

    /**
     * The reader's packed ids, reference starts and packed references (about 8 bytes per object
     * and 4 per reference) and the id index are garbage once the graph is built. Collected now, the dominators' arrays reuse their pages; left to the
     * collector's own policy, the heap grows instead, and on the machines measured the pages a
     * process touches for the first time cost more than the collection (docs/heap-dumps.md).
     */
    static void collectAfterReading(long objects) {
        if (objects >= COLLECT_AFTER_OBJECTS) System.gc();
    }

    /** The field offsets of java.lang.String's value and coder as the parser laid them out, or null without String. */
    private static int[] stringFields(HprofParser first) {
        HprofParser.ClassInfo string = null;
        for (HprofParser.ClassInfo c : first.classes) {
            if (c.layout != null && c.layout.special() == HprofParser.Special.STRING) string = c;
        }
        return string == null ? null : string.layout.fields();
    }

    /**
     * Thread object id to its name. A thread's name is a String whose characters are in an array;
     * both usually come before the Thread in the dump, so they are read in a second pass (and a
     * third for arrays that came before their String).
     */
    private static Map<Long, String> threadNames(HprofParser first, Source source, Path file) throws IOException {
        Map<Long, String> out = new HashMap<>();
        if (first.threadNameIds.isEmpty() || first.truncatedAt >= 0) return out;
        int[] f = stringFields(first);
        if (f == null) return out;
        try {
            HprofParser strings = namesPass(source, file, p -> {
                for (Long s : first.threadNameIds.values()) p.wantedStrings.put(s, (long) f[0] << 32 | (f[1] & 0xffffffffL));
            });
            Map<Long, String> texts = new HashMap<>(strings.arrayTexts);
            if (texts.size() < strings.wantedArrays.size()) {
                HprofParser arrays = namesPass(source, file, p -> {
                    for (Map.Entry<Long, Integer> a : strings.wantedArrays.entrySet()) {
                        if (!texts.containsKey(a.getKey())) p.wantedArrays.put(a.getKey(), a.getValue());
                    }
                });
                texts.putAll(arrays.arrayTexts);
            }
            for (Map.Entry<Long, Long> t : first.threadNameIds.entrySet()) {
                Long array = strings.stringArrays.get(t.getValue());
                String text = array == null ? null : texts.get(array);
                if (text != null) out.put(t.getKey(), text);
            }
        } catch (RuntimeException e) {
            // Names are a nicety: the graph came from the first pass, which read the same bytes.
        }
        return out;
    }

    /**
     * Thread names from a plain file without reading it again: each name's String and then its
     * character array are found by their object numbers, reading from the checkpoint before each
     * (at most 63 other objects). Null when that does not work out (the caller then makes the
     * second pass, which finds the same names).
     */
    private static Map<Long, String> threadNamesBySeeking(HprofParser first, IdIndex index, Path file) {
        Map<Long, String> out = new HashMap<>();
        if (first.threadNameIds.isEmpty() || first.truncatedAt >= 0) return out;
        int[] f = stringFields(first);
        if (f == null) return out;
        long offsets = (long) f[0] << 32 | (f[1] & 0xffffffffL);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (Map.Entry<Long, Long> t : first.threadNameIds.entrySet()) {
                long stringId = t.getValue();
                HprofParser strings = namesAt(channel, file, first, index.find(stringId), p -> p.wantedStrings.put(stringId, offsets));
                if (strings == null) return null;
                Long arrayId = strings.stringArrays.get(stringId);
                if (arrayId == null) continue;
                Integer coder = strings.wantedArrays.get(arrayId);
                HprofParser arrays = namesAt(channel, file, first, index.find(arrayId), p -> p.wantedArrays.put(arrayId, coder));
                if (arrays == null) return null;
                String text = arrays.arrayTexts.get(arrayId);
                if (text != null) out.put(t.getKey(), text);
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return out;
    }

    /** What a names pass reads at a time: a few kilobytes are wanted, not the 1 MiB buffer's worth. */
    private static final int NAMES_READ_BYTES = 1 << 16;

    /** A names pass over object {@code object} and the ones before it back to its checkpoint; null when there is no checkpoint. */
    private static HprofParser namesAt(FileChannel channel, Path file, HprofParser first, int object,
                                       java.util.function.Consumer<HprofParser> want) throws IOException {
        if (object < 0) return new HprofParser(new HprofInput(InputStream.nullInputStream(), file), true);
        long[] at = first.checkpoint(object);
        if (at == null) return null;
        HprofParser names = new HprofParser(new HprofInput(new ChannelInput(channel, at[0], NAMES_READ_BYTES), file, at[0], NAMES_READ_BYTES), true);
        want.accept(names);
        names.namesAt(first.idSize, at[1], (int) at[2]);
        return names;
    }

    private static HprofParser namesPass(Source source, Path file, java.util.function.Consumer<HprofParser> want) throws IOException {
        try (InputStream in = source.open()) {
            HprofParser names = new HprofParser(new HprofInput(in, file), true);
            want.accept(names);
            names.parse();
            return names;
        }
    }

    /**
     * References to dense numbers for a graph that spills: references to objects not in the dump
     * are dropped, so the starts are made anew (a list: spilled as it grows, it holds one chunk at a
     * time). Both are written to the file and read back once the reader's lists are collected: made
     * here in memory, they would stay beside the lists at the peak. Returns the references dropped.
     */
    private static long resolveIntoFile(HprofParser p, IdIndex index, int n, SpillFile spill, IntList starts, IntList targets) {
        IntList oldStarts = p.edgeStart;
        starts.spillAsItGrows(spill);
        targets.spillAsItGrows(spill);
        IntList packed = p.edgeTargets.packed;
        LongList escaped = p.edgeTargets.escaped;
        IdCodec codec = p.edgeTargets.codec;
        int m = 0;
        long dropped = 0;
        long e = 0;
        long k = 0;
        int[] chunk = null;
        for (int o = 0; o < n; o++) {
            long end = oldStarts.get(o + 1);
            starts.add(m);
            for (; e < end; e++) {
                int i = (int) (e & (IntList.CHUNK_SIZE - 1));
                if (i == 0 || chunk == null) {
                    // The chunk before is done: let it go now rather than hold all ids until the end.
                    if (i == 0 && e > 0) packed.releaseChunk((int) (e / IntList.CHUNK_SIZE) - 1);
                    chunk = packed.chunk((int) (e / IntList.CHUNK_SIZE));
                }
                int v = chunk[i];
                int t = v != IdCodec.ESCAPE ? index.find(v, codec) : index.find(escaped.get(k++));
                if (t >= 0) {
                    targets.add(t);
                    m++;
                } else {
                    dropped++;
                }
            }
        }
        starts.add(m);
        oldStarts.clear();
        packed.clear();
        escaped.clear();
        starts.spill(spill);
        targets.spill(spill);
        return dropped;
    }

    private static HeapGraph build(HprofParser p, IdIndex index, Path file, HeapDumpOptions options, Map<Long, String> threadNames,
                                   SpillFile spill) {
        int n = (int) p.objectClass.size();
        // Kept in the reader's chunks: a copy into one array would double them at this point.
        IntList classOf = p.objectClass;
        IntList shallow = p.shallowBytes;
        int[] edgeStart = null;
        int[] edges = null;
        IntList starts = null;
        IntList targets = null;
        long dropped;
        int m;
        if (spill == null) {
            // References to dense numbers, on two threads where there are two; references to
            // objects not in the dump are dropped.
            edgeStart = p.edgeStart.toArrayAndClear();
            References.Resolved resolved = References.resolve(edgeStart, n, p.edgeTargets, index,
                    Runtime.getRuntime().availableProcessors() > 1 ? References.MIN_PARALLEL_REFERENCES : -1);
            edges = resolved.edges();
            dropped = resolved.dropped();
            m = edges.length;
        } else {
            starts = new IntList();
            targets = new IntList();
            dropped = resolveIntoFile(p, index, n, spill, starts, targets);
            m = (int) targets.size();
        }

        String[] classNames = new String[p.classes.size()];
        for (int i = 0; i < classNames.length; i++) classNames[i] = p.className(p.classes.get(i));

        // Roots: one label per object, the most telling of its reasons.
        List<GraphRoots.Root> roots = new ArrayList<>();
        Map<String, Integer> labelIndex = new HashMap<>();
        List<HeapGraph.RootLabel> labels = new ArrayList<>();
        RootNamer namer = new RootNamer(p, threadNames);
        for (long r = 0; r < p.rootIds.size(); r++) {
            int o = index.find(p.rootIds.get(r));
            if (o < 0) continue;
            RootKind kind = RootKind.values()[p.rootKinds.get(r)];
            if (kind == RootKind.JNI_GLOBAL && p.nativeImage) kind = RootKind.IMAGE_HEAP;
            HeapGraph.RootLabel label = namer.label(kind, p.rootIds.get(r), p.rootThreads.get(r), p.rootFrames.get(r));
            String key = label.kind().ordinal() + "\0" + label.name();
            Integer li = labelIndex.get(key);
            if (li == null) {
                li = labels.size();
                labels.add(label);
                labelIndex.put(key, li);
            }
            roots.add(new GraphRoots.Root(o, li, kind.ordinal()));
        }
        GraphRoots unique = GraphRoots.unique(roots);

        // Native owners, FFM segments deduplicated within their scope.
        IntList owners = p.nativeOwners;
        LongList bytes = p.nativeBytes;
        IntList kinds = p.nativeKinds;
        Segments.dedupe(p.segments, index, owners, bytes, kinds);

        boolean[] counted = new boolean[Math.max(1, p.heapNames.size())];
        for (int h = 0; h < counted.length; h++) {
            counted[h] = options.allHeaps() || p.heapNames.isEmpty() || p.heapNames.get(h).equals("app");
        }
        String format = (p.nativeImage ? "GraalVM Native Image " : p.heapNames.isEmpty() ? "" : "Android ") + p.version + ", "
                + p.idSize + "-byte ids";
        HeapGraph.ReadStats stats = new HeapGraph.ReadStats(p.in.offset(), dropped, index.duplicates, p.truncatedAt >= 0,
                p.truncatedAt, p.missingBytes, p.classes.size());
        if (p.truncatedAt >= 0) {
            options.warnings().accept(file + ": the dump ends inside a record at offset " + p.truncatedAt
                    + (p.missingBytes > 0 ? " (at least " + p.missingBytes + " bytes are missing)" : "")
                    + "; showing the " + n + " objects read");
        } else if (p.sawSegments && !p.sawHeapDumpEnd) {
            options.warnings().accept(file + ": no HEAP DUMP END record; the dump may be incomplete");
        }
        if (index.duplicates > 0) options.warnings().accept(file + ": " + index.duplicates + " object ids appear more than once; the first is used");
        byte[] heaps = p.objectHeap == null ? null : java.util.Arrays.copyOf(p.objectHeap, n);
        HeapGraph.Edges references = new HeapGraph.Edges(edgeStart, edges, m, starts, targets);
        return new HeapGraph(file, format, n, classOf, classNames, shallow, references, unique.objects(), unique.labels(),
                List.copyOf(labels), heaps, List.copyOf(p.heapNames), counted, owners.toArrayAndClear(), bytes.toArrayAndClear(),
                kinds.toArrayAndClear(), stats, spill);
    }
}
