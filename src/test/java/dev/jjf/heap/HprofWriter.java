package dev.jjf.heap;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes small HPROF files for unit tests, following the format as heapDumper.cpp documents it:
 * strings, LOAD CLASS records, then heap sub-records in HEAP DUMP SEGMENTs of at most
 * {@code segmentBytes}, then HEAP DUMP END. Ids are whatever the test gives.
 */
final class HprofWriter {
    private final ByteArrayOutputStream file = new ByteArrayOutputStream();
    private final DataOutputStream top = new DataOutputStream(file);
    private final ByteArrayOutputStream heapBytes = new ByteArrayOutputStream();
    private final DataOutputStream heap = new DataOutputStream(heapBytes);
    private final int idSize;
    private final int segmentBytes;
    private long nextStringId = 0x7000_0000L;
    private int nextSerial = 1;

    /** A field: its name and HPROF basic type (2 = reference, 10 = int, 11 = long, ...). */
    record Field(String name, int type) {
    }

    HprofWriter(String version, int idSize, int segmentBytes) {
        this.idSize = idSize;
        this.segmentBytes = segmentBytes;
        try {
            top.write(version.getBytes(StandardCharsets.US_ASCII));
            top.write(0);
            top.writeInt(idSize);
            top.writeLong(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** HotSpot's form: 1.0.2 with 8-byte ids. */
    static HprofWriter hotspot() {
        return new HprofWriter("JAVA PROFILE 1.0.2", 8, 1 << 20);
    }

    long string(String s) {
        long id = nextStringId++;
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        record(HprofParser.UTF8, out -> {
            id(out, id);
            out.write(b);
        });
        return id;
    }

    void loadClass(long classId, String name) {
        long nameId = string(name);
        int serial = nextSerial++;
        record(HprofParser.LOAD_CLASS, out -> {
            out.writeInt(serial);
            id(out, classId);
            out.writeInt(0);
            id(out, nameId);
        });
    }

    /** A class with instance fields and reference-typed static fields holding {@code staticRefs}. */
    void classDump(long classId, long superId, List<Field> fields, long... staticRefs) {
        long[] fieldNames = new long[fields.size()];
        for (int i = 0; i < fieldNames.length; i++) fieldNames[i] = string(fields.get(i).name());
        long[] staticNames = new long[staticRefs.length];
        for (int i = 0; i < staticNames.length; i++) staticNames[i] = string("static" + i);
        sub(out -> {
            out.write(HprofParser.CLASS_DUMP);
            id(out, classId);
            out.writeInt(0);
            id(out, superId);
            for (int i = 0; i < 5; i++) id(out, 0);
            out.writeInt(0);
            out.writeShort(0);
            out.writeShort(staticRefs.length);
            for (int i = 0; i < staticRefs.length; i++) {
                id(out, staticNames[i]);
                out.write(HprofParser.TYPE_OBJECT);
                id(out, staticRefs[i]);
            }
            out.writeShort(fields.size());
            for (int i = 0; i < fieldNames.length; i++) {
                id(out, fieldNames[i]);
                out.write(fields.get(i).type());
            }
        });
    }

    /** An instance whose fields are all references (in the class's order, then its superclasses'). */
    void instance(long id, long classId, long... refs) {
        sub(out -> {
            out.write(HprofParser.INSTANCE_DUMP);
            id(out, id);
            out.writeInt(0);
            id(out, classId);
            out.writeInt(refs.length * idSize);
            for (long r : refs) id(out, r);
        });
    }

    /** An instance with raw field data. */
    void instanceData(long id, long classId, byte[] data) {
        sub(out -> {
            out.write(HprofParser.INSTANCE_DUMP);
            id(out, id);
            out.writeInt(0);
            id(out, classId);
            out.writeInt(data.length);
            out.write(data);
        });
    }

    void objectArray(long id, long arrayClassId, long... elements) {
        sub(out -> {
            out.write(HprofParser.OBJ_ARRAY_DUMP);
            id(out, id);
            out.writeInt(0);
            out.writeInt(elements.length);
            id(out, arrayClassId);
            for (long e : elements) id(out, e);
        });
    }

    /** A byte[] (type 8) of this length, zero-filled; ART's no-data form when {@code withData} is false. */
    void byteArray(long id, int length, boolean withData) {
        sub(out -> {
            out.write(withData ? HprofParser.PRIM_ARRAY_DUMP : HprofParser.PRIM_ARRAY_NODATA_DUMP);
            id(out, id);
            out.writeInt(0);
            out.writeInt(length);
            out.write(8);
            if (withData) out.write(new byte[length]);
        });
    }

    /** A root sub-record that holds just an id (ROOT UNKNOWN, STICKY CLASS, ART's kinds). */
    void root(int tag, long id) {
        sub(out -> {
            out.write(tag);
            id(out, id);
        });
    }

    void jniGlobal(long id) {
        sub(out -> {
            out.write(HprofParser.ROOT_JNI_GLOBAL);
            id(out, id);
            id(out, 0);
        });
    }

    /** ART's HEAP DUMP INFO: the objects that follow are in this heap. */
    void heapInfo(int heapId, String name) {
        long nameId = string(name);
        sub(out -> {
            out.write(HprofParser.HEAP_DUMP_INFO);
            out.writeInt(heapId);
            id(out, nameId);
        });
    }

    /** The file: pending heap sub-records flushed, then HEAP DUMP END. */
    byte[] bytes() {
        flushHeap();
        record(HprofParser.HEAP_DUMP_END, out -> {
        });
        return file.toByteArray();
    }

    @FunctionalInterface
    interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private void sub(Body body) {
        try {
            ByteArrayOutputStream one = new ByteArrayOutputStream();
            body.write(new DataOutputStream(one));
            if (heapBytes.size() > 0 && heapBytes.size() + one.size() > segmentBytes) flushHeap();
            heap.write(one.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends the current heap dump segment; later sub-records start a new one. */
    void flushHeap() {
        if (heapBytes.size() == 0) return;
        byte[] b = heapBytes.toByteArray();
        heapBytes.reset();
        record(HprofParser.HEAP_DUMP_SEGMENT, out -> out.write(b));
    }

    private void record(int tag, Body body) {
        try {
            ByteArrayOutputStream one = new ByteArrayOutputStream();
            body.write(new DataOutputStream(one));
            top.write(tag);
            top.writeInt(0);
            top.writeInt(one.size());
            top.write(one.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void id(DataOutputStream out, long id) throws IOException {
        if (idSize == 8) {
            out.writeLong(id);
        } else {
            out.writeInt((int) id);
        }
    }
}
