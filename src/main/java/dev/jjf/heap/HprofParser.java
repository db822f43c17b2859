package dev.jjf.heap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One streaming pass over an HPROF file: strings, classes, stack traces, roots and every object
 * with its outgoing references (still as ids), in the order the dump holds them. Instances whose
 * class has not been seen yet (parallel dumps may put a class after its objects) are kept aside
 * as bytes and decoded at the end.
 *
 * <p>The format: {@code JAVA PROFILE 1.0.x\0}, u4 id size, u8 time, then records of u1 tag, u4
 * microseconds, u4 length. Heap data is in HEAP DUMP / HEAP DUMP SEGMENT records made of
 * sub-records (HotSpot's heapDumper.cpp documents both; ART adds a few, see the constants).
 */
final class HprofParser {
    // Top-level records.
    static final int UTF8 = 0x01;
    static final int LOAD_CLASS = 0x02;
    static final int STACK_FRAME = 0x04;
    static final int STACK_TRACE = 0x05;
    static final int HEAP_DUMP = 0x0C;
    static final int HEAP_DUMP_SEGMENT = 0x1C;
    static final int HEAP_DUMP_END = 0x2C;
    // Heap dump sub-records (HotSpot).
    static final int ROOT_UNKNOWN = 0xFF;
    static final int ROOT_JNI_GLOBAL = 0x01;
    static final int ROOT_JNI_LOCAL = 0x02;
    static final int ROOT_JAVA_FRAME = 0x03;
    static final int ROOT_NATIVE_STACK = 0x04;
    static final int ROOT_STICKY_CLASS = 0x05;
    static final int ROOT_THREAD_BLOCK = 0x06;
    static final int ROOT_MONITOR_USED = 0x07;
    static final int ROOT_THREAD_OBJECT = 0x08;
    static final int CLASS_DUMP = 0x20;
    static final int INSTANCE_DUMP = 0x21;
    static final int OBJ_ARRAY_DUMP = 0x22;
    static final int PRIM_ARRAY_DUMP = 0x23;
    // ART's additions (art/runtime/hprof/hprof.cc).
    static final int HEAP_DUMP_INFO = 0xFE;
    static final int ROOT_INTERNED_STRING = 0x89;
    static final int ROOT_FINALIZING = 0x8A;
    static final int ROOT_DEBUGGER = 0x8B;
    static final int ROOT_REFERENCE_CLEANUP = 0x8C;
    static final int ROOT_VM_INTERNAL = 0x8D;
    static final int ROOT_JNI_MONITOR = 0x8E;
    static final int UNREACHABLE = 0x90;
    static final int PRIM_ARRAY_NODATA_DUMP = 0xC3;

    /** HPROF basic type 2: a reference. */
    static final int TYPE_OBJECT = 2;
    /** Symbol names longer than this are not kept (no class or field name is this long). */
    private static final int MAX_KEPT_STRING_BYTES = 1 << 16;
    /** Estimated bytes of a java.lang.Class mirror beyond its static fields. */
    private static final int CLASS_MIRROR_BYTES = 96;
    private static final int CLASS_CACHE_BITS = 10;
    /** Deeper class hierarchies than this are not Java's (and would make layouts quadratic). */
    private static final int MAX_CLASS_DEPTH = 256;
    private static final int CLASS_CACHE = 1 << CLASS_CACHE_BITS;
    private static final String[] PRIMITIVE_ARRAY_NAMES = {null, null, null, null, "boolean[]", "char[]", "float[]",
            "double[]", "byte[]", "short[]", "int[]", "long[]"};

    final HprofInput in;
    private final boolean namesOnly;
    /**
     * A second thread's parser ({@link SegmentSplit}): it reads objects and roots and stops
     * ({@link Stop}) at classes, heap infos and instances of classes not dumped, before changing anything.
     */
    private final boolean worker;
    /** Plain files: reads later heap records on a second thread; null to read on this one only. */
    SegmentSplit split;

    String version;
    int idSize;
    /** Object header bytes, reference bytes, array header bytes: the shallow size estimate (see docs/heap-dumps.md). */
    private int headerBytes;
    private int refBytes;
    private int arrayHeaderBytes;

    final Map<Long, String> strings;
    final Map<Long, Long> classNameIds;
    final Map<Integer, Long> classIdBySerial = new HashMap<>();
    /** Frame id to {method name id, signature id, source file id, class serial, line}. */
    final Map<Long, long[]> frames = new HashMap<>();
    /** Trace serial to its frame ids, innermost first. */
    final Map<Integer, long[]> traces = new HashMap<>();

    final List<ClassInfo> classes = new ArrayList<>();
    final Map<Long, Integer> classIndex;
    /** Class index of each primitive array type, by HPROF type code. */
    private final int[] primitiveArrayClass = new int[12];
    /** Set when class ids are odd: GraalVM Native Image writes hub address + 1. */
    boolean nativeImage;

    // Objects, in the order they are read (that order is their dense number).
    /** Packs ids into 4 bytes where it can: references and object ids share it. */
    final IdCodec codec;
    final IdList objectIds;
    final IntList objectClass = new IntList();
    final IntList shallowBytes = new IntList();
    final IntList edgeStart = new IntList();
    final IdList edgeTargets;
    /** Android: the heap (index into heapNames) of each object; null until a HEAP DUMP INFO is read. */
    byte[] objectHeap;
    final List<String> heapNames = new ArrayList<>();
    private int currentHeap;

    // Roots.
    final LongList rootIds = new LongList();
    final IntList rootKinds = new IntList();
    final IntList rootThreads = new IntList();
    final IntList rootFrames = new IntList();
    final Map<Integer, Long> threadObjectBySerial = new HashMap<>();
    final Map<Integer, Integer> threadTraceBySerial = new HashMap<>();
    /** Thread object id to its name String's id. */
    final Map<Long, Long> threadNameIds = new HashMap<>();

    // Native memory owners.
    final IntList nativeOwners = new IntList();
    final LongList nativeBytes = new LongList();
    final IntList nativeKinds = new IntList();
    /** Object id of each native owner, for {@link #ownZlibStreamsByTheirUsers}. */
    private final LongList nativeOwnerIds = new LongList();
    /** A Deflater's or Inflater's zsRef id to the Deflater or Inflater: the owner users know. */
    final Map<Long, Integer> zlibUsers = new HashMap<>();
    /** FFM segments: owner, min, length, scope id; deduplicated per scope at the end. */
    final LongList segments = new LongList();

    /** Instances whose class was not known when they were read: id, class id, length, bytes. */
    private ByteArrayOutputStream deferred;
    long deferredCount;

    /** Every this many objects read in dump order, a {@link #checkpoints} entry. */
    static final int CHECKPOINT_OBJECTS = 64;
    /**
     * For objects 0, 64, 128, ... (and, after a {@link SegmentSplit}, the worker's 0, 64, ...):
     * the object's number, the dump offset of its sub-record and the end of its segment, from where
     * {@link #namesAt} reads again (plain files: thread names without a second pass).
     */
    final LongList checkpoints = new LongList();
    private long subRecordStart;
    private long segmentEnd;
    private boolean finishing;

    // Results of a names-only pass.
    final Map<Long, Long> wantedStrings = new HashMap<>();
    /** Names pass: String id to its value array's id. */
    final Map<Long, Long> stringArrays = new HashMap<>();
    final Map<Long, Integer> wantedArrays = new HashMap<>();
    final Map<Long, String> arrayTexts = new HashMap<>();

    // What the end of the input says.
    boolean sawHeapDumpEnd;
    boolean sawSegments;
    long truncatedAt = -1;
    long missingBytes;

    HprofParser(HprofInput in, boolean namesOnly) {
        this.in = in;
        this.namesOnly = namesOnly;
        this.worker = false;
        codec = new IdCodec();
        objectIds = new IdList(codec);
        edgeTargets = new IdList(codec);
        strings = new HashMap<>();
        classNameIds = new HashMap<>();
        classIndex = new HashMap<>();
    }

    /**
     * A worker for {@code main}'s later heap records: its own copies of the classes (so that
     * neither thread sees the other change them), main's names (which only records outside the heap
     * records change) and main's codec (fixed once it has its base).
     */
    private HprofParser(HprofInput in, HprofParser main) {
        this.in = in;
        this.namesOnly = false;
        this.worker = true;
        codec = main.codec;
        objectIds = new IdList(codec);
        edgeTargets = new IdList(codec);
        strings = main.strings;
        classNameIds = main.classNameIds;
        classIndex = new HashMap<>(main.classIndex);
        for (ClassInfo c : main.classes) classes.add(new ClassInfo(c, c.index));
        firstOwnClass = classes.size();
        System.arraycopy(main.primitiveArrayClass, 0, primitiveArrayClass, 0, primitiveArrayClass.length);
        version = main.version;
        idSize = main.idSize;
        in.idSize(idSize);
        headerBytes = main.headerBytes;
        refBytes = main.refBytes;
        arrayHeaderBytes = main.arrayHeaderBytes;
        nativeImage = main.nativeImage;
    }

    /** A worker parser for heap records read through {@code input}. */
    HprofParser worker(HprofInput input) {
        return new HprofParser(input, this);
    }

    /** True when a worker can start: the id codec it shares has its base, and objects (so the classes dumped first) were read. */
    boolean canSplit() {
        return !namesOnly && !worker && codec.started() && objectIds.size() > 0;
    }

    /** A worker met what it does not read; nothing was changed for it. */
    static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    /** A names pass found every String and array it was asked for. */
    private static final class NamesFound extends RuntimeException {
        NamesFound() {
            super(null, null, false, false);
        }
    }

    /** Per-class facts for decoding its instances. */
    static final class ClassInfo {
        final long id;
        final int index;
        boolean dumped;
        long superId;
        long loaderId;
        byte[] fieldTypes = new byte[0];
        long[] fieldNames = new long[0];
        int staticBytes;
        String name;
        Layout layout;
        boolean layoutFailed;

        ClassInfo(long id, int index) {
            this.id = id;
            this.index = index;
        }

        /** A copy as class number {@code index} (a worker's copy, or a class a worker met first). */
        ClassInfo(ClassInfo c, int index) {
            this(c.id, index);
            dumped = c.dumped;
            superId = c.superId;
            loaderId = c.loaderId;
            fieldTypes = c.fieldTypes;
            fieldNames = c.fieldNames;
            staticBytes = c.staticBytes;
            name = c.name;
            layout = c.layout;
            layoutFailed = c.layoutFailed;
        }
    }

    /** What decoding an instance needs: its data size, where its references are, what it is. */
    record Layout(int dataBytes, int[] refOffsets, int shallowBytes, Special special, int[] fields) {
    }

    /** Instances read for more than their references; {@code fields} holds the offsets each needs. */
    enum Special {
        NONE, DIRECT_BUFFER, ZLIB_USER, DEFLATER_REF, INFLATER_REF, ZSTREAM_REF, THREAD, FFM_SEGMENT, STRING
    }

    // ---------------------------------------------------------------- top level

    void parse() throws IOException {
        try {
            header();
            while (!in.atEnd()) {
                if (split != null && split.joinsAt(in.offset())) {
                    split.join(this);
                } else {
                    record();
                }
            }
        } catch (HprofInput.Truncated t) {
            truncatedAt = in.offset();
        } catch (NamesFound done) {
            // A names pass has all it wants: the rest of the dump (decompressed again for a gzip file) is not read.
        } finally {
            if (split != null) split.close();
        }
        if (!namesOnly) {
            finishDeferred();
            ownZlibStreamsByTheirUsers();
            edgeStart.add((int) edgeTargets.size()); // the end of the last object's references
        }
    }

    /**
     * A zlib stream's ZStreamRef is reached from its Deflater and from the Cleaner that would end
     * it, so no single path dominates it; the Deflater (or Inflater) is named as the owner.
     */
    private void ownZlibStreamsByTheirUsers() {
        if (zlibUsers.isEmpty()) return;
        for (long i = 0; i < nativeOwners.size(); i++) {
            int kind = nativeKinds.get(i);
            if (kind != NativeKind.ZLIB_DEFLATER.ordinal() && kind != NativeKind.ZLIB_INFLATER.ordinal()) continue;
            Integer user = zlibUsers.get(nativeOwnerIds.get(i));
            if (user != null) nativeOwners.set(i, user);
        }
    }

    private void header() throws IOException {
        StringBuilder v = new StringBuilder();
        for (int i = 0; ; i++) {
            int b = in.u1();
            if (b == 0) break;
            if (i > 32) throw in.bad(0, "not an HPROF file (no version string)");
            v.append((char) b);
        }
        version = v.toString();
        if (!version.startsWith(HeapDumpFormat.MAGIC)) throw in.bad(0, "not an HPROF file: starts with '" + version + "'");
        idSize = in.u4();
        if (idSize != 4 && idSize != 8) throw in.bad(in.offset() - 4, "identifier size " + idSize + " (only 4 and 8 exist)");
        in.idSize(idSize);
        in.u8();
        // HotSpot with compressed references (the default below 32 GB): 12-byte headers, 4-byte
        // references, 16-byte array headers. 4-byte ids (ART, 32-bit): 8-byte headers.
        headerBytes = idSize == 8 ? 12 : 8;
        refBytes = 4;
        arrayHeaderBytes = idSize == 8 ? 16 : 12;
    }

    private void record() throws IOException {
        long start = in.offset();
        int tag = in.u1();
        in.u4();
        long length = in.u4() & 0xffffffffL;
        long end = in.offset() + length;
        try {
            switch (tag) {
                case UTF8 -> utf8(length);
                case LOAD_CLASS -> loadClass();
                case STACK_FRAME -> stackFrame();
                case STACK_TRACE -> stackTrace(start, length);
                case HEAP_DUMP, HEAP_DUMP_SEGMENT -> {
                    sawSegments |= tag == HEAP_DUMP_SEGMENT;
                    if (split != null) split.maybeStart(this, start, end);
                    heapDump(end);
                }
                case HEAP_DUMP_END -> sawHeapDumpEnd = true;
                default -> {
                    // CPU samples, control settings, unload class, start/end thread: nothing to draw.
                }
            }
        } catch (HprofInput.Truncated t) {
            missingBytes = end - in.offset();
            throw t;
        }
        long at = in.offset();
        if (at > end) throw in.bad(start, "record of tag 0x" + Integer.toHexString(tag) + " is longer than its length " + length);
        if (at < end) {
            try {
                in.skip(end - at);
            } catch (HprofInput.Truncated t) {
                missingBytes = end - in.offset();
                throw t;
            }
        }
    }

    private void utf8(long length) throws IOException {
        if (length < idSize) throw in.bad(in.offset() - 9, "UTF8 record shorter than an identifier");
        long id = in.id();
        long n = length - idSize;
        if (namesOnly || n > MAX_KEPT_STRING_BYTES) {
            in.skip(n);
            return;
        }
        strings.put(id, new String(in.bytes((int) n), StandardCharsets.UTF_8));
    }

    private void loadClass() throws IOException {
        int serial = in.u4();
        long classId = in.id();
        in.u4();
        long nameId = in.id();
        if (namesOnly) return;
        classNameIds.put(classId, nameId);
        classIdBySerial.put(serial, classId);
    }

    private void stackFrame() throws IOException {
        long frameId = in.id();
        long method = in.id();
        long signature = in.id();
        long source = in.id();
        int classSerial = in.u4();
        int line = in.u4();
        if (!namesOnly) frames.put(frameId, new long[] {method, signature, source, classSerial, line});
    }

    private void stackTrace(long start, long length) throws IOException {
        int serial = in.u4();
        in.u4();
        long n = in.u4() & 0xffffffffL;
        if (12 + n * idSize > length) throw in.bad(start, "stack trace of " + n + " frames does not fit its record");
        // Only the frames a root can name are kept: grown as read, never sized by the count.
        long[] ids = new long[(int) Math.min(n, 64)];
        for (long i = 0; i < n; i++) {
            long id = in.id();
            if (i >= ids.length) ids = java.util.Arrays.copyOf(ids, (int) Math.min(n, ids.length * 2L));
            ids[(int) i] = id;
        }
        if (!namesOnly) traces.put(serial, ids);
    }

    // ---------------------------------------------------------------- heap dump

    private void heapDump(long end) throws IOException {
        segmentEnd = end;
        while (in.offset() < end) {
            long start = in.offset();
            subRecordStart = start;
            int tag = in.u1();
            if (namesOnly) {
                namesSubRecord(tag, start, end);
                if (stringArrays.size() == wantedStrings.size() && arrayTexts.size() >= wantedArrays.size()) throw new NamesFound();
            } else {
                subRecord(tag, start, end);
            }
            if (in.offset() > end) throw in.bad(start, "heap sub-record of tag 0x" + Integer.toHexString(tag) + " crosses the end of its segment");
        }
    }

    // ---------------------------------------------------------------- heap records on two threads

    /** Worker: the classes from this number on are ones it met first (array classes, classes not dumped yet). */
    private int firstOwnClass;
    /** Worker: where it stopped (a sub-record's start, or the end of its records) and the end of that record. */
    long stoppedAt = -1;
    long stoppedRecordEnd = -1;

    /**
     * Worker: the heap records from the input's offset to {@code to}, which are whole in the file,
     * up to the first sub-record it does not read, or up to the next record once {@code stop} says
     * so. Anything thrown once it has changed something for a sub-record leaves this parser
     * useless; the caller then drops it.
     */
    void parseHeapRecords(long to, java.util.function.BooleanSupplier stop) throws IOException {
        while (in.offset() < to) {
            if (stop.getAsBoolean()) {
                stoppedAt = in.offset();
                stoppedRecordEnd = stoppedAt;
                return;
            }
            int tag = in.u1();
            in.u4();
            long length = in.u4() & 0xffffffffL;
            long end = in.offset() + length;
            sawSegments |= tag == HEAP_DUMP_SEGMENT;
            segmentEnd = end;
            while (in.offset() < end) {
                long start = in.offset();
                subRecordStart = start;
                long objects = objectIds.size();
                long roots = rootIds.size();
                try {
                    int sub = in.u1();
                    // Classes and ART's heap infos change what the records after them mean.
                    if (sub == CLASS_DUMP || sub == HEAP_DUMP_INFO) throw new Stop();
                    subRecord(sub, start, end);
                } catch (RuntimeException e) {
                    // Bad input before anything changed: the reading thread reads it again and says what is wrong.
                    if (objectIds.size() != objects || rootIds.size() != roots) throw e;
                    stoppedAt = start;
                    stoppedRecordEnd = end;
                    return;
                }
                if (in.offset() > end) throw in.bad(start, "heap sub-record crosses the end of its segment");
            }
        }
        stoppedAt = to;
        stoppedRecordEnd = to;
    }

    /**
     * Appends what worker {@code w} read after this parser's objects, as if this parser had read it:
     * its objects are numbered after this one's, in dump order. False (nothing changed) when the two
     * together pass a limit, which this parser then reports as it reads the same records itself.
     */
    boolean adopt(HprofParser w) {
        long objects = objectIds.size();
        long edges = edgeTargets.size();
        if (objects + w.objectIds.size() >= Integer.MAX_VALUE - 16 || edges + w.edgeTargets.size() >= Integer.MAX_VALUE - 16) return false;
        for (long i = 0; i < w.checkpoints.size(); i += 3) {
            checkpoints.add(w.checkpoints.get(i) + objects);
            checkpoints.add(w.checkpoints.get(i + 1));
            checkpoints.add(w.checkpoints.get(i + 2));
        }
        int[] numbers = adoptClasses(w);
        objectIds.appendAll(w.objectIds);
        objectClass.appendAll(w.objectClass, 0, w.firstOwnClass, numbers);
        shallowBytes.appendAll(w.shallowBytes, 0);
        edgeStart.appendAll(w.edgeStart, (int) edges);
        edgeTargets.appendAll(w.edgeTargets);
        long n = objectIds.size();
        if (objectHeap != null) {
            if (n > objectHeap.length) objectHeap = java.util.Arrays.copyOf(objectHeap, (int) Math.min(Integer.MAX_VALUE - 8, n * 2));
            java.util.Arrays.fill(objectHeap, (int) objects, (int) n, (byte) currentHeap);
        }
        for (long i = 0; i < w.nativeOwners.size(); i++) {
            nativeOwner((int) (w.nativeOwners.get(i) + objects), w.nativeOwnerIds.get(i), w.nativeBytes.get(i),
                    NativeKind.values()[w.nativeKinds.get(i)]);
        }
        for (Map.Entry<Long, Integer> u : w.zlibUsers.entrySet()) zlibUsers.put(u.getKey(), (int) (u.getValue() + objects));
        threadNameIds.putAll(w.threadNameIds);
        for (long i = 0; i < w.rootIds.size(); i++) {
            rootIds.add(w.rootIds.get(i));
            rootKinds.add(w.rootKinds.get(i));
            rootThreads.add(w.rootThreads.get(i));
            rootFrames.add(w.rootFrames.get(i));
        }
        threadObjectBySerial.putAll(w.threadObjectBySerial);
        threadTraceBySerial.putAll(w.threadTraceBySerial);
        for (long i = 0; i < w.segments.size(); i += 4) {
            segments.add(w.segments.get(i) + objects);
            segments.add(w.segments.get(i + 1));
            segments.add(w.segments.get(i + 2));
            segments.add(w.segments.get(i + 3));
        }
        sawSegments |= w.sawSegments;
        // Layouts the worker worked out are the ones this parser would have (the same dumped classes and names).
        for (int i = 0; i < w.firstOwnClass; i++) {
            ClassInfo mine = classes.get(i);
            if (mine.layout == null && !mine.layoutFailed) mine.layout = w.classes.get(i).layout;
        }
        return true;
    }

    /**
     * The classes worker {@code w} met first get their numbers here, in the order it met them, after
     * this parser's (or this parser's number, when it met them too): the numbers one thread gives.
     * Returns the new number of each of them (null when there are none).
     */
    private int[] adoptClasses(HprofParser w) {
        int base = w.firstOwnClass;
        if (w.classes.size() == base) return null;
        int[] number = new int[w.classes.size() - base];
        for (int i = base; i < w.classes.size(); i++) {
            ClassInfo c = w.classes.get(i);
            Integer mine = classIndex.get(c.id);
            if (mine == null) {
                mine = classes.size();
                classes.add(new ClassInfo(c, mine));
                classIndex.put(c.id, mine);
            }
            number[i - base] = mine;
        }
        for (int t = 0; t < primitiveArrayClass.length; t++) {
            int k = w.primitiveArrayClass[t] - 1;
            if (primitiveArrayClass[t] == 0 && k >= base) primitiveArrayClass[t] = number[k - base] + 1;
        }
        return number;
    }

    /** Reads on from inside a heap record (where a worker stopped) to its end. */
    void resumeHeapRecord(long end) throws IOException {
        try {
            heapDump(end);
        } catch (HprofInput.Truncated t) {
            missingBytes = end - in.offset();
            throw t;
        }
    }

    /**
     * Where a names pass for object {@code object} starts: {offset of a sub-record, end of its heap
     * record, objects to pass over}; null when no checkpoint is near enough.
     */
    long[] checkpoint(int object) {
        long lo = 0;
        long hi = checkpoints.size() / 3 - 1;
        long found = -1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            if (checkpoints.get(3 * mid) <= object) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) return null;
        long skip = object - checkpoints.get(3 * found);
        if (skip >= 2 * CHECKPOINT_OBJECTS) return null;
        return new long[] {checkpoints.get(3 * found + 1), checkpoints.get(3 * found + 2), skip};
    }

    private void subRecord(int tag, long start, long end) throws IOException {
        switch (tag) {
            case ROOT_UNKNOWN -> root(RootKind.UNKNOWN, in.id(), 0, 0);
            case ROOT_JNI_GLOBAL -> {
                long id = in.id();
                in.id();
                root(RootKind.JNI_GLOBAL, id, 0, 0);
            }
            case ROOT_JNI_LOCAL -> root(RootKind.JNI_LOCAL, in.id(), in.u4(), in.u4());
            case ROOT_JAVA_FRAME -> root(RootKind.JAVA_FRAME, in.id(), in.u4(), in.u4());
            case ROOT_NATIVE_STACK -> root(RootKind.NATIVE_STACK, in.id(), in.u4(), 0);
            case ROOT_STICKY_CLASS -> root(RootKind.STICKY_CLASS, in.id(), 0, 0);
            case ROOT_THREAD_BLOCK -> root(RootKind.THREAD_BLOCK, in.id(), in.u4(), 0);
            case ROOT_MONITOR_USED -> root(RootKind.MONITOR_USED, in.id(), 0, 0);
            case ROOT_THREAD_OBJECT -> {
                long id = in.id();
                int thread = in.u4();
                int trace = in.u4();
                if (id != 0) threadObjectBySerial.put(thread, id);
                threadTraceBySerial.put(thread, trace);
                root(RootKind.THREAD_OBJECT, id, thread, 0);
            }
            case ROOT_INTERNED_STRING -> root(RootKind.INTERNED_STRING, in.id(), 0, 0);
            case ROOT_FINALIZING -> root(RootKind.FINALIZING, in.id(), 0, 0);
            case ROOT_DEBUGGER -> root(RootKind.DEBUGGER, in.id(), 0, 0);
            case ROOT_REFERENCE_CLEANUP -> root(RootKind.REFERENCE_CLEANUP, in.id(), 0, 0);
            case ROOT_VM_INTERNAL -> root(RootKind.VM_INTERNAL, in.id(), 0, 0);
            case ROOT_JNI_MONITOR -> {
                long id = in.id();
                int thread = in.u4();
                in.u4();
                root(RootKind.JNI_MONITOR, id, thread, 0);
            }
            case UNREACHABLE -> in.id(); // ART lists garbage it kept; it is no root
            case HEAP_DUMP_INFO -> heapInfo();
            case CLASS_DUMP -> classDump(start);
            case INSTANCE_DUMP -> instanceDump(start, end);
            case OBJ_ARRAY_DUMP -> objectArray(start, end);
            case PRIM_ARRAY_DUMP -> primitiveArray(start, end, true);
            case PRIM_ARRAY_NODATA_DUMP -> primitiveArray(start, end, false);
            default -> throw in.bad(start, "unknown heap sub-record tag 0x" + Integer.toHexString(tag));
        }
    }

    private void root(RootKind kind, long id, int thread, int frame) {
        if (id == 0) return;
        rootIds.add(id);
        rootKinds.add(kind.ordinal());
        rootThreads.add(thread);
        rootFrames.add(frame);
    }

    private void heapInfo() throws IOException {
        in.u4();
        long nameId = in.id();
        String name = strings.getOrDefault(nameId, "heap " + nameId);
        int h = heapNames.indexOf(name);
        if (h < 0) {
            if (heapNames.size() >= Byte.MAX_VALUE) throw in.bad(in.offset(), "more than " + Byte.MAX_VALUE + " heaps");
            heapNames.add(name);
            h = heapNames.size() - 1;
        }
        if (objectHeap == null) {
            objectHeap = new byte[(int) Math.max(1024, objectIds.size())];
            // Objects before the first HEAP DUMP INFO are in ART's default heap, which is the app heap.
            if (!name.equals("app") && objectIds.size() > 0) {
                heapNames.add(0, "app");
                h++;
            }
        }
        currentHeap = h;
    }

    private static int typeSize(int type, int idSize) {
        return switch (type) {
            case TYPE_OBJECT -> idSize;
            case 4, 8 -> 1;
            case 5, 9 -> 2;
            case 6, 10 -> 4;
            case 7, 11 -> 8;
            default -> -1;
        };
    }

    private int checkedTypeSize(int type, long at) {
        int size = typeSize(type, idSize);
        if (size < 0) throw in.bad(at, "unknown basic type " + type);
        return size;
    }

    /** Size in the heap rather than in the file: references are compressed. */
    private int heapTypeSize(int type) {
        return type == TYPE_OBJECT ? refBytes : typeSize(type, idSize);
    }

    private final long[] cacheIds = new long[CLASS_CACHE];
    private final ClassInfo[] cacheClasses = new ClassInfo[CLASS_CACHE];

    /** {@link #classFor} through a small direct-mapped cache: one map lookup (and a boxed long) per instance is measurable. */
    private ClassInfo cachedClass(long id) {
        int slot = (int) ((id * 0x9E3779B97F4A7C15L) >>> (64 - CLASS_CACHE_BITS));
        ClassInfo c = cacheClasses[slot];
        if (c != null && cacheIds[slot] == id) return c;
        c = classFor(id);
        cacheIds[slot] = id;
        cacheClasses[slot] = c;
        return c;
    }

    ClassInfo classFor(long id) {
        Integer i = classIndex.get(id);
        if (i != null) return classes.get(i);
        ClassInfo c = new ClassInfo(id, classes.size());
        classes.add(c);
        classIndex.put(id, c.index);
        return c;
    }

    private int primitiveArrayClass(int type) {
        int c = primitiveArrayClass[type];
        if (c != 0) return c - 1;
        // Primitive array classes are told apart from real ones by a negative "id".
        ClassInfo info = classFor(-type);
        info.name = PRIMITIVE_ARRAY_NAMES[type];
        primitiveArrayClass[type] = info.index + 1;
        return info.index;
    }

    private void classDump(long start) throws IOException {
        long id = in.id();
        in.u4();
        long superId = in.id();
        long loaderId = in.id();
        in.id();
        in.id();
        in.id();
        in.id();
        in.u4();
        int constants = in.u2();
        for (int i = 0; i < constants; i++) {
            in.u2();
            int type = in.u1();
            in.skip(checkedTypeSize(type, in.offset() - 1));
        }
        int staticCount = in.u2();
        int objectIndex = beginObject(id, -1, 0);
        int staticBytes = 0;
        for (int i = 0; i < staticCount; i++) {
            in.id();
            int type = in.u1();
            int size = checkedTypeSize(type, in.offset() - 1);
            staticBytes += heapTypeSize(type);
            if (type == TYPE_OBJECT) {
                long v = in.id();
                if (v != 0) edgeTargets.add(v);
            } else {
                in.skip(size);
            }
        }
        int fieldCount = in.u2();
        byte[] types = new byte[Math.min(fieldCount, 256)];
        long[] names = new long[types.length];
        for (int i = 0; i < fieldCount; i++) {
            long name = in.id();
            int type = in.u1();
            checkedTypeSize(type, in.offset() - 1);
            if (i >= types.length) {
                types = java.util.Arrays.copyOf(types, fieldCount);
                names = java.util.Arrays.copyOf(names, fieldCount);
            }
            types[i] = (byte) type;
            names[i] = name;
        }
        ClassInfo c = classFor(id);
        if (c.dumped) throw in.bad(start, "class 0x" + Long.toHexString(id) + " is dumped twice");
        c.dumped = true;
        c.superId = superId;
        c.loaderId = loaderId;
        c.fieldTypes = types;
        c.fieldNames = names;
        c.staticBytes = staticBytes;
        if ((id & 1) != 0) nativeImage = true;
        // The mirror object: its class is the class itself, flagged so that it reads "Foo.class".
        objectClass.set(objectIndex, c.index | HeapGraph.MIRROR);
        shallowBytes.set(objectIndex, CLASS_MIRROR_BYTES + staticBytes);
        root(RootKind.CLASS_STATICS, id, 0, 0);
    }

    /** Adds an object; its references follow with {@code edgeTargets.add}. */
    private int beginObject(long id, int classIdx, int shallow) {
        long n = objectIds.size();
        if (n >= Integer.MAX_VALUE - 16) throw in.bad(in.offset(), "more than 2^31 objects: too many for jjf");
        long refs = edgeTargets.size();
        if (refs >= Integer.MAX_VALUE - 16) throw in.bad(in.offset(), "more than 2^31 references: too many for jjf");
        if ((n & (CHECKPOINT_OBJECTS - 1)) == 0 && !finishing) {
            checkpoints.add(n);
            checkpoints.add(subRecordStart);
            checkpoints.add(segmentEnd);
        }
        objectIds.add(id);
        objectClass.add(classIdx);
        shallowBytes.add(shallow);
        edgeStart.add((int) refs);
        if (objectHeap != null) {
            if (n >= objectHeap.length) objectHeap = java.util.Arrays.copyOf(objectHeap, (int) Math.min(Integer.MAX_VALUE - 8, n * 2));
            objectHeap[(int) n] = (byte) currentHeap;
        }
        return (int) n;
    }

    private void instanceDump(long start, long end) throws IOException {
        in.need(2 * idSize + 8);
        byte[] b = in.buf;
        int p = in.pos;
        long id = in.getId(b, p);
        long classId = in.getId(b, p + idSize + 4);
        int n = HprofInput.getInt(b, p + 2 * idSize + 4);
        in.pos = p + 2 * idSize + 8;
        if (n < 0 || in.offset() + n > end) throw in.bad(start, "instance of " + (n & 0xffffffffL) + " bytes crosses the end of its segment");
        ClassInfo c = cachedClass(classId);
        Layout layout = layout(c);
        if (layout == null) {
            if (worker) throw new Stop();
            defer(id, classId, n);
            return;
        }
        if (n <= in.buf.length) {
            in.need(n);
            decodeInstance(id, c, layout, in.buf, in.pos, n);
            in.pos += n;
        } else {
            byte[] data = in.bytes(n);
            decodeInstance(id, c, layout, data, 0, n);
        }
    }

    private void defer(long id, long classId, int n) throws IOException {
        if (deferred == null) deferred = new ByteArrayOutputStream();
        if ((long) deferred.size() + n + 20 > Integer.MAX_VALUE - 16) throw in.bad(in.offset(), "too many instances before their class");
        byte[] head = new byte[20];
        putLong(head, 0, id);
        putLong(head, 8, classId);
        head[16] = (byte) (n >>> 24);
        head[17] = (byte) (n >>> 16);
        head[18] = (byte) (n >>> 8);
        head[19] = (byte) n;
        deferred.write(head, 0, 20);
        while (n > 0) {
            in.need(1);
            int k = Math.min(n, in.limit - in.pos);
            deferred.write(in.buf, in.pos, k);
            in.pos += k;
            n -= k;
        }
        deferredCount++;
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private void finishDeferred() {
        finishing = true;
        if (deferred == null) return;
        byte[] all = deferred.toByteArray();
        deferred = null;
        int p = 0;
        while (p + 20 <= all.length) {
            long id = HprofInput.getLong(all, p);
            long classId = HprofInput.getLong(all, p + 8);
            int n = HprofInput.getInt(all, p + 16);
            p += 20;
            ClassInfo c = classFor(classId);
            Layout layout = layout(c);
            if (layout == null) {
                // Its class never came: an object of unknown class, with no references.
                int obj = beginObject(id, c.index, align(headerBytes + n));
                if (obj < 0) break;
            } else {
                decodeInstance(id, c, layout, all, p, n);
            }
            p += n;
        }
    }

    private static int align(long bytes) {
        return (int) Math.min(Integer.MAX_VALUE, (bytes + 7) & ~7L);
    }

    private void decodeInstance(long id, ClassInfo c, Layout layout, byte[] b, int p, int n) {
        int obj = beginObject(id, c.index, layout.shallowBytes);
        int[] refs = layout.refOffsets;
        IdList targets = edgeTargets;
        if (idSize == 8) {
            for (int off : refs) {
                if (off + 8 > n) break;
                // Spelled out: HprofInput.getLong is too big for C1 to inline, and this runs for every reference.
                int q = p + off;
                long v = (long) ((b[q] & 0xff) << 24 | (b[q + 1] & 0xff) << 16 | (b[q + 2] & 0xff) << 8 | (b[q + 3] & 0xff)) << 32
                        | ((b[q + 4] & 0xff) << 24 | (b[q + 5] & 0xff) << 16 | (b[q + 6] & 0xff) << 8 | (b[q + 7] & 0xff)) & 0xffffffffL;
                if (v != 0) targets.add(v);
            }
        } else {
            for (int off : refs) {
                if (off + idSize > n) break;
                long v = in.getId(b, p + off);
                if (v != 0) targets.add(v);
            }
        }
        if (layout.special != Special.NONE) special(obj, id, layout, b, p, n);
    }

    /** Reads what an instance owns or names beyond its references. */
    private void special(int obj, long id, Layout layout, byte[] b, int p, int n) {
        int[] f = layout.fields;
        switch (layout.special) {
            case DIRECT_BUFFER -> {
                // fields: capacity, cleaner, att, fd
                long capacity = f[0] >= 0 && f[0] + 4 <= n ? HprofInput.getInt(b, p + f[0]) : 0;
                long cleaner = refAt(b, p, n, f[1]);
                long att = refAt(b, p, n, f[2]);
                long fd = refAt(b, p, n, f[3]);
                // A slice or duplicate (att set) shares its parent's memory.
                if (capacity <= 0 || att != 0) return;
                NativeKind kind = fd != 0 ? NativeKind.MAPPED_FILE : cleaner != 0 ? NativeKind.DIRECT_BUFFER : NativeKind.DIRECT_BUFFER_UNMANAGED;
                nativeOwner(obj, id, capacity, kind);
            }
            case DEFLATER_REF, INFLATER_REF, ZSTREAM_REF -> {
                long address = f[0] >= 0 && f[0] + 8 <= n ? HprofInput.getLong(b, p + f[0]) : 0;
                if (address == 0) return; // ended
                if (layout.special == Special.INFLATER_REF) {
                    nativeOwner(obj, id, NativeKind.INFLATE_STREAM_BYTES, NativeKind.ZLIB_INFLATER);
                } else {
                    nativeOwner(obj, id, NativeKind.DEFLATE_STREAM_BYTES, NativeKind.ZLIB_DEFLATER);
                }
            }
            case ZLIB_USER -> {
                long ref = refAt(b, p, n, f[0]);
                if (ref != 0) zlibUsers.put(ref, obj);
            }
            case THREAD -> {
                long name = refAt(b, p, n, f[0]);
                if (name != 0) threadNameIds.put(id, name);
            }
            case FFM_SEGMENT -> {
                long min = f[0] >= 0 && f[0] + 8 <= n ? HprofInput.getLong(b, p + f[0]) : 0;
                long length = f[1] >= 0 && f[1] + 8 <= n ? HprofInput.getLong(b, p + f[1]) : 0;
                long scope = refAt(b, p, n, f[2]);
                if (length > 0 && scope != 0) {
                    segments.add(obj);
                    segments.add(min);
                    segments.add(length);
                    segments.add(scope);
                }
            }
            default -> {
            }
        }
    }

    private long refAt(byte[] b, int p, int n, int off) {
        return off >= 0 && off + idSize <= n ? in.getId(b, p + off) : 0;
    }

    private void nativeOwner(int obj, long id, long bytes, NativeKind kind) {
        nativeOwners.add(obj);
        nativeOwnerIds.add(id);
        nativeBytes.add(bytes);
        nativeKinds.add(kind.ordinal());
    }

    private void objectArray(long start, long end) throws IOException {
        long id = in.id();
        in.u4();
        long n = in.u4() & 0xffffffffL;
        long classId = in.id();
        if (in.offset() + n * idSize > end) throw in.bad(start, "array of " + n + " references crosses the end of its segment");
        ClassInfo c = cachedClass(classId);
        beginObject(id, c.index, align(arrayHeaderBytes + n * refBytes));
        long left = n;
        while (left > 0) {
            int chunk = (int) Math.min(left, in.buf.length / idSize);
            in.need(chunk * idSize);
            byte[] b = in.buf;
            int p = in.pos;
            if (idSize == 8) {
                IdList targets = edgeTargets;
                for (int i = 0; i < chunk; i++, p += 8) {
                    long v = (long) ((b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff)) << 32
                            | ((b[p + 4] & 0xff) << 24 | (b[p + 5] & 0xff) << 16 | (b[p + 6] & 0xff) << 8 | (b[p + 7] & 0xff)) & 0xffffffffL;
                    if (v != 0) targets.add(v);
                }
            } else {
                for (int i = 0; i < chunk; i++, p += 4) {
                    long v = HprofInput.getInt(b, p) & 0xffffffffL;
                    if (v != 0) edgeTargets.add(v);
                }
            }
            in.pos = p;
            left -= chunk;
        }
    }

    private void primitiveArray(long start, long end, boolean withData) throws IOException {
        long id = in.id();
        in.u4();
        long n = in.u4() & 0xffffffffL;
        int type = in.u1();
        if (type == TYPE_OBJECT || typeSize(type, idSize) < 0) throw in.bad(start, "primitive array of basic type " + type);
        long bytes = n * typeSize(type, idSize);
        if (withData && in.offset() + bytes > end) throw in.bad(start, "array of " + bytes + " bytes crosses the end of its segment");
        beginObject(id, primitiveArrayClass(type), align(arrayHeaderBytes + bytes));
        if (withData) in.skip(bytes);
    }

    // ---------------------------------------------------------------- class layouts

    /** The class's instance layout, or null while it or a superclass has not been dumped. */
    Layout layout(ClassInfo c) {
        if (c.layout != null || c.layoutFailed) return c.layout;
        List<ClassInfo> chain = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (ClassInfo k = c; ; ) {
            if (!k.dumped) return null;
            if (chain.size() == MAX_CLASS_DEPTH) {
                c.layoutFailed = true;
                throw in.bad(in.offset(), "class 0x" + Long.toHexString(c.id) + " has more than " + MAX_CLASS_DEPTH + " superclasses");
            }
            if (!seen.add(k.id)) {
                c.layoutFailed = true;
                throw in.bad(in.offset(), "class 0x" + Long.toHexString(c.id) + " is its own superclass");
            }
            chain.add(k);
            if (k.superId == 0) break;
            k = classFor(k.superId);
        }
        // Instance data holds the class's own fields first, then its superclass's, and so on.
        IntList refs = new IntList();
        int offset = 0;
        long heapBytes = 0;
        boolean isDirect = false;
        boolean isThread = false;
        boolean isZlibUser = false;
        for (ClassInfo k : chain) {
            String name = className(k);
            isDirect |= name.equals("java.nio.DirectByteBuffer");
            isThread |= name.equals("java.lang.Thread");
            isZlibUser |= name.equals("java.util.zip.Deflater") || name.equals("java.util.zip.Inflater");
            // A weak, soft, phantom or final reference does not keep its referent alive (as in
            // Eclipse MAT): otherwise every direct buffer would be "held" by its Cleaner too.
            boolean reference = name.equals("java.lang.ref.Reference");
            for (int i = 0; i < k.fieldTypes.length; i++) {
                int type = k.fieldTypes[i];
                if (type == TYPE_OBJECT && !(reference && "referent".equals(strings.get(k.fieldNames[i])))) refs.add(offset);
                offset += typeSize(type, idSize);
                heapBytes += heapTypeSize(type);
            }
        }
        int[] refOffsets = new int[(int) refs.size()];
        for (int i = 0; i < refOffsets.length; i++) refOffsets[i] = refs.get(i);
        String name = className(c);
        Special special = Special.NONE;
        int[] fields = null;
        if (isDirect) {
            special = Special.DIRECT_BUFFER;
            fields = new int[] {field(chain, "capacity", 10), field(chain, "cleaner", TYPE_OBJECT), field(chain, "att", TYPE_OBJECT),
                    field(chain, "fd", TYPE_OBJECT)};
        } else if (name.equals("java.util.zip.Deflater$DeflaterZStreamRef")) {
            special = Special.DEFLATER_REF;
            fields = new int[] {field(chain, "address", 11)};
        } else if (name.equals("java.util.zip.Inflater$InflaterZStreamRef")) {
            special = Special.INFLATER_REF;
            fields = new int[] {field(chain, "address", 11)};
        } else if (name.equals("java.util.zip.ZStreamRef")) {
            special = Special.ZSTREAM_REF;
            fields = new int[] {field(chain, "address", 11)};
        } else if (isZlibUser) {
            special = Special.ZLIB_USER;
            fields = new int[] {field(chain, "zsRef", TYPE_OBJECT)};
        } else if (isThread) {
            special = Special.THREAD;
            fields = new int[] {field(chain, "name", TYPE_OBJECT)};
        } else if (name.equals("jdk.internal.foreign.NativeMemorySegmentImpl")) {
            special = Special.FFM_SEGMENT;
            fields = new int[] {field(chain, "min", 11), field(chain, "length", 11), field(chain, "scope", TYPE_OBJECT)};
        } else if (name.equals("java.lang.String")) {
            special = Special.STRING;
            fields = new int[] {field(chain, "value", TYPE_OBJECT), field(chain, "coder", 8)};
        }
        c.layout = new Layout(offset, refOffsets, align(Math.max(16, headerBytes + heapBytes)), special, fields);
        return c.layout;
    }

    /** Offset of the named field of this type in the instance data, or -1. */
    private int field(List<ClassInfo> chain, String wanted, int wantedType) {
        int offset = 0;
        for (ClassInfo k : chain) {
            for (int i = 0; i < k.fieldTypes.length; i++) {
                if (k.fieldTypes[i] == wantedType && wanted.equals(strings.get(k.fieldNames[i]))) return offset;
                offset += typeSize(k.fieldTypes[i], idSize);
            }
        }
        return -1;
    }

    /** The class's name in Java's form ("java.lang.String[]"); its id in hex when the dump has no name. */
    String className(ClassInfo c) {
        if (c.name == null) {
            Long nameId = classNameIds.get(c.id);
            String raw = nameId == null ? null : strings.get(nameId);
            c.name = raw == null ? "class@0x" + Long.toHexString(c.id) : javaName(raw);
        }
        return c.name;
    }

    /** "java/lang/String" and "[Ljava/lang/String;" (HotSpot) and "java.lang.String[]" (ART) to "java.lang.String[]". */
    static String javaName(String raw) {
        int dims = 0;
        while (dims < raw.length() && raw.charAt(dims) == '[') dims++;
        String base = raw.substring(dims);
        if (dims > 0) {
            if (base.length() == 1) {
                base = switch (base.charAt(0)) {
                    case 'Z' -> "boolean";
                    case 'C' -> "char";
                    case 'F' -> "float";
                    case 'D' -> "double";
                    case 'B' -> "byte";
                    case 'S' -> "short";
                    case 'I' -> "int";
                    case 'J' -> "long";
                    default -> base;
                };
            } else if (base.startsWith("L") && base.endsWith(";")) {
                base = base.substring(1, base.length() - 1);
            }
        }
        StringBuilder sb = new StringBuilder(base.replace('/', '.'));
        for (int i = 0; i < dims; i++) sb.append("[]");
        return sb.toString();
    }

    // ---------------------------------------------------------------- names-only pass

    /**
     * A later pass for thread names: a thread's name is a String whose characters are in an
     * array, and both usually come before the Thread in the dump. This pass reads the Strings
     * wanted (to their value arrays) and the arrays wanted (to text); nothing else.
     */
    private void namesSubRecord(int tag, long start, long end) throws IOException {
        switch (tag) {
            case ROOT_UNKNOWN, ROOT_STICKY_CLASS, ROOT_MONITOR_USED, ROOT_INTERNED_STRING, ROOT_FINALIZING, ROOT_DEBUGGER,
                    ROOT_REFERENCE_CLEANUP, ROOT_VM_INTERNAL, UNREACHABLE -> in.skip(idSize);
            case ROOT_JNI_GLOBAL -> in.skip(2L * idSize);
            case ROOT_JNI_LOCAL, ROOT_JAVA_FRAME, ROOT_THREAD_OBJECT, ROOT_JNI_MONITOR -> in.skip(idSize + 8L);
            case ROOT_NATIVE_STACK, ROOT_THREAD_BLOCK, HEAP_DUMP_INFO -> in.skip(idSize + 4L);
            case CLASS_DUMP -> skipClassDump();
            case INSTANCE_DUMP -> {
                long id = in.id();
                in.u4();
                in.id();
                int n = in.u4();
                if (n < 0 || in.offset() + n > end) throw in.bad(start, "instance crosses the end of its segment");
                Long valueOffset = wantedStrings.get(id);
                if (valueOffset != null && n <= in.buf.length) {
                    in.need(n);
                    int voff = (int) (valueOffset >> 32);
                    int coff = (int) (long) valueOffset;
                    long value = voff >= 0 && voff + idSize <= n ? in.getId(in.buf, in.pos + voff) : 0;
                    int coder = coff >= 0 && coff < n ? in.buf[in.pos + coff] : 0;
                    if (value != 0) {
                        wantedArrays.put(value, coder);
                        stringArrays.put(id, value);
                    }
                }
                in.skip(n);
            }
            case OBJ_ARRAY_DUMP -> {
                in.id();
                in.u4();
                long n = in.u4() & 0xffffffffL;
                in.id();
                in.skip(n * idSize);
            }
            case PRIM_ARRAY_DUMP, PRIM_ARRAY_NODATA_DUMP -> {
                long id = in.id();
                in.u4();
                long n = in.u4() & 0xffffffffL;
                int type = in.u1();
                int size = typeSize(type, idSize);
                if (size < 0) throw in.bad(start, "primitive array of basic type " + type);
                if (tag == PRIM_ARRAY_NODATA_DUMP) return;
                Integer coder = wantedArrays.get(id);
                long bytes = n * size;
                if (coder != null && bytes <= 4096 && (type == 8 || type == 5)) {
                    byte[] data = in.bytes((int) bytes);
                    boolean utf16 = type == 5 || coder == 1;
                    arrayTexts.put(id, new String(data, utf16 ? StandardCharsets.UTF_16BE : StandardCharsets.ISO_8859_1));
                } else {
                    in.skip(bytes);
                }
            }
            default -> throw in.bad(start, "unknown heap sub-record tag 0x" + Integer.toHexString(tag));
        }
    }

    /**
     * A names-only pass over part of a plain file: from the checkpoint of object {@code 64k} (the
     * input starts at its sub-record, inside a segment ending at {@code end}) through object
     * {@code 64k + objects}, collecting what {@link #wantedStrings} and {@link #wantedArrays} ask for.
     * Only valid when no instance was deferred (then objects are numbered in dump order).
     */
    void namesAt(int idSize, long end, int objects) throws IOException {
        this.idSize = idSize;
        in.idSize(idSize);
        int seen = 0;
        while (seen <= objects) {
            if (in.offset() >= end) {
                // The next top-level record; only heap dump segments hold objects.
                int tag = in.u1();
                in.u4();
                long length = in.u4() & 0xffffffffL;
                end = in.offset() + length;
                if (tag != HEAP_DUMP && tag != HEAP_DUMP_SEGMENT) in.skip(length);
                continue;
            }
            long start = in.offset();
            int tag = in.u1();
            namesSubRecord(tag, start, end);
            switch (tag) {
                case CLASS_DUMP, INSTANCE_DUMP, OBJ_ARRAY_DUMP, PRIM_ARRAY_DUMP, PRIM_ARRAY_NODATA_DUMP -> seen++;
                default -> {
                }
            }
        }
    }

    private void skipClassDump() throws IOException {
        in.skip(7L * idSize + 8);
        int constants = in.u2();
        for (int i = 0; i < constants; i++) {
            in.u2();
            int type = in.u1();
            in.skip(checkedTypeSize(type, in.offset()));
        }
        int statics = in.u2();
        for (int i = 0; i < statics; i++) {
            in.id();
            int type = in.u1();
            in.skip(checkedTypeSize(type, in.offset()));
        }
        int fields = in.u2();
        in.skip(fields * (idSize + 1L));
    }
}
