package dev.jjf.heap;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link SyntheticHeap} as a GraalVM Native Image does, following the order and encodings of
 * Substrate VM's {@code com.oracle.svm.core.heap.dump.HeapDumpWriter} (read for this, not copied). No
 * native-image builder exists on these machines.
 *
 * <ul>
 *   <li>{@code JAVA PROFILE 1.0.2}, 8-byte ids that are raw addresses (not compressed references).</li>
 *   <li>UTF8 symbols (class names, then field and method names), LOAD CLASS records, a dummy TRACE
 *       (serial 1, no frames) every sub-record refers to, then per thread its FRAME records (ids from 1)
 *       and a TRACE (serial = thread serial + 1).</li>
 *   <li>HEAP DUMP SEGMENTs of about 1 MiB: CLASS DUMPs of every class, whose id is the address of its
 *       hub (DynamicHub) plus 1, so that the hub itself can also be dumped as an ordinary instance of
 *       java.lang.Class; CLASS DUMP's instance size is the object's size in the heap. Then per thread
 *       ROOT THREAD OBJECT and its frames' JAVA FRAME roots, ROOT STICKY CLASS for every class, and the
 *       objects: the image heap's first (every one of them followed by a ROOT JNI GLOBAL with
 *       reference id 0: that is how Native Image marks image-heap objects as roots), the collected
 *       heap's after; then HEAP DUMP END.</li>
 *   <li>Model objects of heap {@link SyntheticHeap#IMAGE} are image-heap objects, all others are in the
 *       collected heap; class objects are hubs, in the image heap.</li>
 * </ul>
 */
final class NativeImageHprofWriter {
    static final int ID_SIZE = 8;
    static final int SEGMENT_TARGET_BYTES = 1 << 20;
    static final String CLASS_CLASS = "java.lang.Class";
    private static final int DUMMY_TRACE = 1;
    private static final int OBJECT_HEADER_BYTES = 8;
    private static final int ARRAY_HEADER_BYTES = 16;
    private static final long IMAGE_HEAP_BASE = 0x7f3a_0000_0000L;
    private static final long COLLECTED_HEAP_BASE = 0x7f3b_1000_0000L;
    /** Symbols (names) live at addresses of their own, in the image heap's metadata. */
    private static final long SYMBOL_BASE = 0x7f3a_8000_0000L;
    private static final int ROOT_JNI_GLOBAL = 0x01;
    private static final int ROOT_JAVA_FRAME = 0x03;
    private static final int ROOT_STICKY_CLASS = 0x05;
    private static final int ROOT_THREAD_OBJECT = 0x08;

    private final SyntheticHeap heap;
    private final long[] address;
    private final Map<String, Long> symbols = new HashMap<>();
    private final long classHub;

    private NativeImageHprofWriter(SyntheticHeap heap) {
        this.heap = heap;
        this.address = new long[heap.objects.size()];
        long image = IMAGE_HEAP_BASE;
        long collected = COLLECTED_HEAP_BASE;
        for (SyntheticHeap.Obj o : heap.objects) {
            boolean inImage = o.kind() == SyntheticHeap.Kind.CLASS || o.heap() == SyntheticHeap.IMAGE;
            long bytes = (objectBytes(o) + 7) & ~7L;
            if (inImage) {
                address[o.number()] = image;
                image += bytes;
            } else {
                address[o.number()] = collected;
                collected += bytes;
            }
        }
        int cls = classIndex(CLASS_CLASS);
        if (cls < 0) throw new IllegalArgumentException("a Native Image heap needs " + CLASS_CLASS + ": its hubs are instances of it");
        classHub = address[heap.classes.get(cls).object()];
    }

    static byte[] write(SyntheticHeap heap) {
        return new NativeImageHprofWriter(heap).write();
    }

    /** The class id Native Image writes for model class {@code classDef}: its hub's address + 1. */
    static long classId(SyntheticHeap heap, int classDef) {
        return new NativeImageHprofWriter(heap).hubPlusOne(classDef);
    }

    private long hubPlusOne(int classDef) {
        return address[heap.classes.get(classDef).object()] + 1;
    }

    private byte[] write() {
        HprofTestOutput out = new HprofTestOutput("JAVA PROFILE 1.0.2", ID_SIZE, 1_700_000_000_000L);
        for (SyntheticHeap.ClassDef c : heap.classes) out.string(symbol(c.name()), c.name());
        for (SyntheticHeap.ClassDef c : heap.classes) {
            for (SyntheticHeap.Field f : c.fields()) writeSymbolOnce(out, f.name());
            for (SyntheticHeap.Field f : c.statics()) writeSymbolOnce(out, f.name());
        }
        for (SyntheticHeap.ThreadDef t : heap.threads) {
            for (SyntheticHeap.Frame f : t.frames()) {
                writeSymbolOnce(out, f.method());
                writeSymbolOnce(out, f.signature());
                writeSymbolOnce(out, f.file());
            }
        }
        for (int i = 0; i < heap.classes.size(); i++) {
            SyntheticHeap.ClassDef c = heap.classes.get(i);
            int serial = i + 1;
            int def = i;
            out.record(HprofTestOutput.TAG_LOAD_CLASS, () -> {
                out.u4(serial);
                out.id(hubPlusOne(def));
                out.u4(DUMMY_TRACE);
                out.id(symbol(c.name()));
            });
        }
        out.record(HprofTestOutput.TAG_TRACE, () -> {
            out.u4(DUMMY_TRACE);
            out.u4(0);
            out.u4(0);
        });
        long frameId = 1;
        for (SyntheticHeap.ThreadDef t : heap.threads) {
            long firstFrame = frameId;
            for (SyntheticHeap.Frame f : t.frames()) {
                long id = frameId++;
                out.record(HprofTestOutput.TAG_FRAME, () -> {
                    out.id(id);
                    out.id(symbol(f.method()));
                    out.id(symbol(f.signature()));
                    out.id(symbol(f.file()));
                    out.u4(f.classDef() + 1);
                    out.u4(f.line());
                });
            }
            long frames = frameId - firstFrame;
            out.record(HprofTestOutput.TAG_TRACE, () -> {
                out.u4(t.serial() + DUMMY_TRACE);
                out.u4(t.serial());
                out.u4(frames);
                for (long k = 0; k < frames; k++) out.id(firstFrame + k);
            });
        }

        for (int i = 0; i < heap.classes.size(); i++) {
            sub(out);
            classDump(out, i);
        }
        for (SyntheticHeap.ThreadDef t : heap.threads) {
            sub(out);
            out.u1(ROOT_THREAD_OBJECT);
            out.id(address[t.object()]);
            out.u4(t.serial());
            out.u4(t.serial() + DUMMY_TRACE);
            for (SyntheticHeap.RootRef r : heap.roots) {
                if (r.kind() != SyntheticHeap.Root.JAVA_FRAME || r.threadSerial() != t.serial()) continue;
                sub(out);
                out.u1(ROOT_JAVA_FRAME);
                out.id(address[r.object()]);
                out.u4(t.serial());
                out.u4(r.frame());
            }
        }
        for (int i = 0; i < heap.classes.size(); i++) {
            sub(out);
            out.u1(ROOT_STICKY_CLASS);
            out.id(hubPlusOne(i));
        }
        // Roots of other kinds the model has (a JNI global of the application, say).
        for (SyntheticHeap.RootRef r : heap.roots) {
            if (r.kind() == SyntheticHeap.Root.JAVA_FRAME || r.kind() == SyntheticHeap.Root.THREAD_OBJECT) continue;
            if (r.kind() != SyntheticHeap.Root.JNI_GLOBAL) throw new IllegalArgumentException("Native Image writes no " + r.kind() + " roots");
            sub(out);
            out.u1(ROOT_JNI_GLOBAL);
            out.id(address[r.object()]);
            out.id(0);
        }
        for (boolean image : new boolean[] {true, false}) {
            for (SyntheticHeap.Obj o : heap.objects) {
                boolean inImage = o.kind() == SyntheticHeap.Kind.CLASS || o.heap() == SyntheticHeap.IMAGE;
                if (inImage != image) continue;
                sub(out);
                object(out, o);
                if (image) {
                    sub(out);
                    out.u1(ROOT_JNI_GLOBAL);
                    out.id(address[o.number()]);
                    out.id(0);
                }
            }
        }
        out.end();
        return out.bytes();
    }

    /** Native Image's segment discipline: a new segment once the open one passed about 1 MiB. */
    private static void sub(HprofTestOutput out) {
        if (out.segmentBytes() > SEGMENT_TARGET_BYTES) out.closeSegment();
        out.openSegment();
    }

    private void classDump(HprofTestOutput out, int def) {
        SyntheticHeap.ClassDef c = heap.classes.get(def);
        out.u1(HprofTestOutput.CLASS_DUMP);
        out.id(hubPlusOne(def));
        out.u4(DUMMY_TRACE);
        out.id(c.superClass() == SyntheticHeap.NULL ? 0 : hubPlusOne(c.superClass()));
        out.id(0);
        out.id(0);
        out.id(0);
        out.id(0);
        out.id(0);
        boolean array = c.name().endsWith("[]");
        out.u4(array ? 0 : OBJECT_HEADER_BYTES + fieldBytes(heap.allFields(def)));
        out.u2(0);
        out.u2(c.statics().size());
        for (int i = 0; i < c.statics().size(); i++) {
            SyntheticHeap.Field f = c.statics().get(i);
            out.id(symbol(f.name()));
            out.u1(f.type());
            out.value(f.type(), ref(f.type(), c.staticValues()[i]));
        }
        out.u2(c.fields().size());
        for (SyntheticHeap.Field f : c.fields()) {
            out.id(symbol(f.name()));
            out.u1(f.type());
        }
    }

    private void object(HprofTestOutput out, SyntheticHeap.Obj o) {
        switch (o.kind()) {
            case CLASS -> {
                // The hub as an instance of java.lang.Class: its fields are java.lang.Class's (all null here).
                int cls = classIndex(CLASS_CLASS);
                List<SyntheticHeap.Field> fields = heap.allFields(cls);
                out.u1(HprofTestOutput.INSTANCE_DUMP);
                out.id(address[o.number()]);
                out.u4(DUMMY_TRACE);
                out.id(classHub + 1);
                out.u4(fieldBytes(fields));
                for (SyntheticHeap.Field f : fields) out.value(f.type(), 0);
            }
            case INSTANCE -> {
                List<SyntheticHeap.Field> fields = heap.allFields(o.classDef());
                out.u1(HprofTestOutput.INSTANCE_DUMP);
                out.id(address[o.number()]);
                out.u4(DUMMY_TRACE);
                out.id(hubPlusOne(o.classDef()));
                out.u4(fieldBytes(fields));
                for (int i = 0; i < fields.size(); i++) out.value(fields.get(i).type(), ref(fields.get(i).type(), o.values()[i]));
            }
            case OBJECT_ARRAY -> {
                out.u1(HprofTestOutput.OBJECT_ARRAY_DUMP);
                out.id(address[o.number()]);
                out.u4(DUMMY_TRACE);
                out.u4(o.length());
                out.id(hubPlusOne(o.classDef()));
                for (long v : o.values()) out.id(ref(SyntheticHeap.OBJECT, v));
            }
            case PRIMITIVE_ARRAY -> {
                out.u1(HprofTestOutput.PRIMITIVE_ARRAY_DUMP);
                out.id(address[o.number()]);
                out.u4(DUMMY_TRACE);
                out.u4(o.length());
                out.u1(o.elementType());
                out.zeros((long) o.length() * SyntheticHeap.valueBytes(o.elementType(), ID_SIZE));
            }
        }
    }

    private int classIndex(String name) {
        for (int i = 0; i < heap.classes.size(); i++) if (heap.classes.get(i).name().equals(name)) return i;
        return -1;
    }

    private void writeSymbolOnce(HprofTestOutput out, String s) {
        if (!symbols.containsKey(s)) out.string(symbol(s), s);
    }

    private long symbol(String s) {
        return symbols.computeIfAbsent(s, k -> SYMBOL_BASE + 16L * symbols.size());
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
            case CLASS -> 256;
            case INSTANCE -> OBJECT_HEADER_BYTES + fieldBytes(heap.allFields(o.classDef()));
            case OBJECT_ARRAY -> ARRAY_HEADER_BYTES + 8L * o.length();
            case PRIMITIVE_ARRAY -> ARRAY_HEADER_BYTES + (long) o.length() * SyntheticHeap.valueBytes(o.elementType(), ID_SIZE);
        };
    }
}
