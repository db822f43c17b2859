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
            return read(() -> open(file, format, options), file, format == HeapDumpFormat.HPROF, options);
        } catch (OutOfMemoryError e) {
            throw new BadInputException(file, "not enough Java heap to analyse this dump (" + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MiB): raise it with JJF_JAVA_OPTS=-Xmx<size> (java -Xmx<size> -jar jjf.jar); about 40 bytes per object"
                    + " and 12 per reference are needed");
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
        boolean twoThreads = seekable && Runtime.getRuntime().availableProcessors() > 1;
        return read(source, file, seekable, twoThreads ? SegmentSplit.MIN_BYTES : -1, options);
    }

    /** {@code splitBytes}: heap records of a plain dump are read on two threads from this many bytes on ({@link SegmentSplit}); -1: never. */
    static HeapGraph read(Source source, Path file, boolean seekable, long splitBytes, HeapDumpOptions options) throws IOException {
        HprofParser p;
        try (InputStream in = source.open()) {
            p = new HprofParser(new HprofInput(in, file), false);
            if (splitBytes >= 0) p.split = SegmentSplit.of(file, splitBytes);
            p.parse();
        } catch (BadInputException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BadInputException(file, "unreadable heap dump: " + e, e);
        }
        IdIndex index = IdIndex.of(p.objectIds);
        Map<Long, String> threadNames = null;
        if (seekable && p.deferredCount == 0) threadNames = threadNamesBySeeking(p, index, file);
        if (threadNames == null) threadNames = threadNames(p, source, file);
        HeapGraph g = build(p, index, file, options, threadNames);
        // Dead, but still in this frame's slots as far as the collector can tell.
        p = null;
        index = null;
        collectAfterReading(g.objectCount);
        return g;
    }

    /** Dumps of at least this many objects are followed by a full collection (see {@link #collectAfterReading}). */
    static final int COLLECT_AFTER_OBJECTS = 1 << 20;

    /**
     * The reader's packed ids, reference starts and packed references (about 8 bytes per object
     * and 4 per reference) and the id index are garbage once the graph is built. Collected now, the dominators' arrays reuse their pages; left to the
     * collector's own policy, the heap grows instead, and on the machines measured the pages a
     * process touches for the first time cost more than the collection (docs/heap-dumps.md).
     */
    static void collectAfterReading(int objects) {
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

    /** A names pass over object {@code object} and the ones before it back to its checkpoint; null when there is no checkpoint. */
    private static HprofParser namesAt(FileChannel channel, Path file, HprofParser first, int object,
                                       java.util.function.Consumer<HprofParser> want) throws IOException {
        if (object < 0) return new HprofParser(new HprofInput(InputStream.nullInputStream(), file), true);
        long[] at = first.checkpoint(object);
        if (at == null) return null;
        HprofParser names = new HprofParser(new HprofInput(new ChannelInput(channel, at[0]), file, at[0], ChannelInput.READ_BYTES), true);
        want.accept(names);
        names.namesAt(first.idSize, at[1], (int) at[2]);
        return names;
    }

    /** A file from an offset on, read in small pieces: a names pass reads a few kilobytes, not the 1 MiB buffer's worth. */
    private static final class ChannelInput extends InputStream {
        private static final int READ_BYTES = 1 << 16;
        private final FileChannel channel;
        private long position;

        ChannelInput(FileChannel channel, long position) {
            this.channel = channel;
            this.position = position;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int r = channel.read(java.nio.ByteBuffer.wrap(b, off, Math.min(len, READ_BYTES)), position);
            if (r > 0) position += r;
            return r;
        }
    }

    private static HprofParser namesPass(Source source, Path file, java.util.function.Consumer<HprofParser> want) throws IOException {
        try (InputStream in = source.open()) {
            HprofParser names = new HprofParser(new HprofInput(in, file), true);
            want.accept(names);
            names.parse();
            return names;
        }
    }

    private static HeapGraph build(HprofParser p, IdIndex index, Path file, HeapDumpOptions options, Map<Long, String> threadNames) {
        int n = (int) p.objectClass.size();
        // Kept in the reader's chunks: a copy into one array would double them at this point.
        IntList classOf = p.objectClass;
        IntList shallow = p.shallowBytes;
        // References to dense numbers; references to objects not in the dump are dropped.
        int[] edgeStart = p.edgeStart.toArrayAndClear();
        References.Resolved resolved = References.resolve(edgeStart, n, p.edgeTargets, index,
                Runtime.getRuntime().availableProcessors() > 1 ? References.MIN_PARALLEL_REFERENCES : -1);
        int[] edges = resolved.edges();
        long dropped = resolved.dropped();

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
        return new HeapGraph(file, format, n, classOf, classNames, shallow, edgeStart, edges, unique.objects(), unique.labels(),
                List.copyOf(labels), heaps, List.copyOf(p.heapNames), counted, owners.toArrayAndClear(), bytes.toArrayAndClear(),
                kinds.toArrayAndClear(), stats);
    }
}
