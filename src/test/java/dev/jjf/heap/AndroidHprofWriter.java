package dev.jjf.heap;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link SyntheticHeap} as an Android device does: {@code JAVA PROFILE 1.0.3}, the layout of
 * ART's {@code runtime/hprof/hprof.cc} (read for this, not copied), no Android runtime needed.
 *
 * <ul>
 *   <li>4-byte ids: objects are 32-bit addresses, 8-byte aligned, in one region per heap
 *       (app, zygote, image); strings are numbered from 0x400000 as ART numbers them.</li>
 *   <li>STRING and LOAD CLASS records first, then one empty STACK TRACE (serial 0, which every
 *       sub-record refers to: ART writes no frames for thread stacks).</li>
 *   <li>Heap data in many small HEAP DUMP SEGMENTs: ART starts a new one after 128 objects or
 *       4096 bytes. All GC roots come first; then the objects, each preceded by a HEAP DUMP INFO
 *       (0xFE: heap id 'A'/'I'/'Z' and the id of the string "app"/"image"/"zygote") whenever
 *       the heap changes from the previous object's.</li>
 *   <li>ART's own root kinds (0x89-0x8E, 0x90) as the model names them; primitive arrays marked
 *       no-data as 0xC3 (id, stack serial, length, type, and no elements).</li>
 *   <li>CLASS DUMP's instance size is the object's size with ART's 8-byte header (class pointer and
 *       monitor); java.lang.Class's own extra statics ({@code $classOverhead}) are not modelled.</li>
 * </ul>
 */
final class AndroidHprofWriter {
    static final String MAGIC = "JAVA PROFILE 1.0.3";
    static final int ID_SIZE = 4;
    static final int HEAP_DUMP_INFO = 0xFE;
    static final int PRIMITIVE_ARRAY_NODATA = 0xC3;
    /** ART: kMaxObjectsPerSegment and kMaxBytesPerSegment. */
    static final int MAX_OBJECTS_PER_SEGMENT = 128;
    static final int MAX_BYTES_PER_SEGMENT = 4096;
    private static final long FIRST_STRING_ID = 0x400000;
    private static final int OBJECT_HEADER_BYTES = 8;
    private static final int ARRAY_HEADER_BYTES = 12;
    private static final long TIMESTAMP_MILLIS = 1_700_000_000_000L;
    private static final Map<Integer, Long> HEAP_BASE = Map.of(SyntheticHeap.APP, 0x12C0_0000L, SyntheticHeap.ZYGOTE, 0x1300_0000L,
            SyntheticHeap.IMAGE, 0x7000_0000L);
    private static final Map<Integer, String> HEAP_NAME = Map.of(SyntheticHeap.APP, "app", SyntheticHeap.ZYGOTE, "zygote",
            SyntheticHeap.IMAGE, "image");

    private final SyntheticHeap heap;
    private final long[] address;
    private final Map<String, Long> strings = new LinkedHashMap<>();

    private AndroidHprofWriter(SyntheticHeap heap) {
        this.heap = heap;
        this.address = new long[heap.objects.size()];
        Map<Integer, Long> next = new HashMap<>(HEAP_BASE);
        for (SyntheticHeap.Obj o : heap.objects) {
            long at = next.get(o.heap());
            address[o.number()] = at;
            next.put(o.heap(), at + align8(objectBytes(o)));
        }
    }

    /** The 1.0.3 file of {@code heap}. */
    static byte[] write(SyntheticHeap heap) {
        return new AndroidHprofWriter(heap).write();
    }

    /** The address ART would give model object {@code object} (its id in the file). */
    static long address(SyntheticHeap heap, int object) {
        return new AndroidHprofWriter(heap).address[object];
    }

    private byte[] write() {
        HprofTestOutput out = new HprofTestOutput(MAGIC, ID_SIZE, TIMESTAMP_MILLIS);
        for (SyntheticHeap.ClassDef c : heap.classes) {
            stringId(c.name());
            for (SyntheticHeap.Field f : c.fields()) stringId(f.name());
            for (SyntheticHeap.Field f : c.statics()) stringId(f.name());
        }
        for (SyntheticHeap.Obj o : heap.objects) stringId(HEAP_NAME.get(o.heap()));
        for (Map.Entry<String, Long> s : strings.entrySet()) out.string(s.getValue(), s.getKey());
        int serial = 1;
        for (SyntheticHeap.ClassDef c : heap.classes) {
            int classSerial = serial++;
            out.record(HprofTestOutput.TAG_LOAD_CLASS, () -> {
                out.u4(classSerial);
                out.id(address[c.object()]);
                out.u4(0);
                out.id(strings.get(c.name()));
            });
        }
        // ART's one stack trace: serial 0, no thread, no frames.
        out.record(HprofTestOutput.TAG_TRACE, () -> {
            out.u4(0);
            out.u4(0);
            out.u4(0);
        });

        Segments segments = new Segments(out);
        for (SyntheticHeap.RootRef r : heap.roots) {
            segments.beforeSubRecord();
            root(out, r);
        }
        int currentHeap = 0; // ART's HPROF_HEAP_DEFAULT
        for (SyntheticHeap.Obj o : heap.objects) {
            segments.beforeSubRecord();
            if (o.heap() != currentHeap) {
                out.u1(HEAP_DUMP_INFO);
                out.u4(o.heap());
                out.id(strings.get(HEAP_NAME.get(o.heap())));
                currentHeap = o.heap();
            }
            object(out, o);
            segments.afterObject();
        }
        out.end();
        return out.bytes();
    }

    /** ART's segment discipline: a new HEAP DUMP SEGMENT after 128 objects or 4096 bytes. */
    private static final class Segments {
        private final HprofTestOutput out;
        private int objects;

        Segments(HprofTestOutput out) {
            this.out = out;
        }

        void beforeSubRecord() {
            if (objects >= MAX_OBJECTS_PER_SEGMENT || out.segmentBytes() >= MAX_BYTES_PER_SEGMENT) {
                out.closeSegment();
                objects = 0;
            }
            out.openSegment();
        }

        void afterObject() {
            objects++;
        }
    }

    private void root(HprofTestOutput out, SyntheticHeap.RootRef r) {
        out.u1(r.kind().tag);
        out.id(address[r.object()]);
        switch (r.kind()) {
            case JNI_GLOBAL -> out.id(0); // the JNI reference's own id: ART writes 0
            case JNI_LOCAL, JAVA_FRAME -> {
                out.u4(r.threadSerial());
                out.u4(0xFFFF_FFFFL); // ART does not know the frame number: -1
            }
            case NATIVE_STACK, THREAD_BLOCK -> out.u4(r.threadSerial());
            case THREAD_OBJECT -> {
                out.u4(r.threadSerial());
                out.u4(0); // stack trace serial: ART's only, empty one
            }
            case JNI_MONITOR -> {
                out.u4(r.threadSerial());
                out.u4(0); // stack depth
            }
            default -> { } // UNKNOWN, STICKY_CLASS, MONITOR_USED and ART's id-only kinds
        }
    }

    private void object(HprofTestOutput out, SyntheticHeap.Obj o) {
        switch (o.kind()) {
            case CLASS -> classDump(out, heap.classes.get(o.classDef()));
            case INSTANCE -> {
                List<SyntheticHeap.Field> fields = heap.allFields(o.classDef());
                out.u1(HprofTestOutput.INSTANCE_DUMP);
                out.id(address[o.number()]);
                out.u4(0);
                out.id(address[heap.classes.get(o.classDef()).object()]);
                out.u4(fieldBytes(fields));
                for (int i = 0; i < fields.size(); i++) out.value(fields.get(i).type(), ref(fields.get(i).type(), o.values()[i]));
            }
            case OBJECT_ARRAY -> {
                out.u1(HprofTestOutput.OBJECT_ARRAY_DUMP);
                out.id(address[o.number()]);
                out.u4(0);
                out.u4(o.length());
                out.id(address[heap.classes.get(o.classDef()).object()]);
                for (long v : o.values()) out.id(ref(SyntheticHeap.OBJECT, v));
            }
            case PRIMITIVE_ARRAY -> {
                out.u1(o.noData() ? PRIMITIVE_ARRAY_NODATA : HprofTestOutput.PRIMITIVE_ARRAY_DUMP);
                out.id(address[o.number()]);
                out.u4(0);
                out.u4(o.length());
                out.u1(o.elementType());
                if (!o.noData()) out.zeros((long) o.length() * SyntheticHeap.valueBytes(o.elementType(), ID_SIZE));
            }
        }
    }

    private void classDump(HprofTestOutput out, SyntheticHeap.ClassDef c) {
        out.u1(HprofTestOutput.CLASS_DUMP);
        out.id(address[c.object()]);
        out.u4(0);
        out.id(c.superClass() == SyntheticHeap.NULL ? 0 : address[heap.classes.get(c.superClass()).object()]);
        out.id(0); // class loader: the boot class path
        out.id(0);
        out.id(0);
        out.id(0);
        out.id(0);
        out.u4(OBJECT_HEADER_BYTES + fieldBytes(heap.allFields(heap.classes.indexOf(c))));
        out.u2(0);
        out.u2(c.statics().size());
        for (int i = 0; i < c.statics().size(); i++) {
            SyntheticHeap.Field f = c.statics().get(i);
            out.id(strings.get(f.name()));
            out.u1(f.type());
            out.value(f.type(), ref(f.type(), c.staticValues()[i]));
        }
        out.u2(c.fields().size());
        for (SyntheticHeap.Field f : c.fields()) {
            out.id(strings.get(f.name()));
            out.u1(f.type());
        }
    }

    private long ref(int type, long value) {
        if (type != SyntheticHeap.OBJECT) return value;
        return value == SyntheticHeap.NULL ? 0 : address[(int) value];
    }

    private static int fieldBytes(List<SyntheticHeap.Field> fields) {
        int n = 0;
        for (SyntheticHeap.Field f : fields) n += SyntheticHeap.valueBytes(f.type(), ID_SIZE);
        return n;
    }

    private long objectBytes(SyntheticHeap.Obj o) {
        return switch (o.kind()) {
            case CLASS -> 128;
            case INSTANCE -> OBJECT_HEADER_BYTES + fieldBytes(heap.allFields(o.classDef()));
            case OBJECT_ARRAY -> ARRAY_HEADER_BYTES + 4L * o.length();
            case PRIMITIVE_ARRAY -> ARRAY_HEADER_BYTES + (long) o.length() * SyntheticHeap.valueBytes(o.elementType(), ID_SIZE);
        };
    }

    private static long align8(long n) {
        return (n + 7) & ~7L;
    }

    private long stringId(String s) {
        return strings.computeIfAbsent(s, k -> FIRST_STRING_ID + strings.size());
    }
}
