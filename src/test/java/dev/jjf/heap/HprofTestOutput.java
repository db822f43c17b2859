package dev.jjf.heap;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Big-endian HPROF bytes for the test writers: the header, top-level records, and heap-dump
 * segments whose length is patched when they close. Ids are {@code idSize} bytes (4 or 8).
 */
final class HprofTestOutput {
    static final int TAG_STRING = 0x01;
    static final int TAG_LOAD_CLASS = 0x02;
    static final int TAG_FRAME = 0x04;
    static final int TAG_TRACE = 0x05;
    static final int TAG_HEAP_DUMP_SEGMENT = 0x1C;
    static final int TAG_HEAP_DUMP_END = 0x2C;
    static final int CLASS_DUMP = 0x20;
    static final int INSTANCE_DUMP = 0x21;
    static final int OBJECT_ARRAY_DUMP = 0x22;
    static final int PRIMITIVE_ARRAY_DUMP = 0x23;

    final int idSize;
    private final Out out = new Out();
    /** Start of the open segment's body in {@link #bytes}, or -1. */
    private int segmentBody = -1;

    /** A growable byte array whose written bytes can be patched in place. */
    private static final class Out {
        byte[] buf = new byte[1 << 16];
        int size;

        void write(int b) {
            if (size == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
            buf[size++] = (byte) b;
        }

        void writeBytes(byte[] b) {
            for (byte x : b) write(x);
        }

        int size() {
            return size;
        }
    }

    HprofTestOutput(String magic, int idSize, long timestampMillis) {
        this.idSize = idSize;
        out.writeBytes(magic.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
        u4(idSize);
        u8(timestampMillis);
    }

    void u1(int v) {
        out.write(v);
    }

    void u2(int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    void u4(long v) {
        for (int s = 24; s >= 0; s -= 8) out.write((int) (v >>> s));
    }

    void u8(long v) {
        for (int s = 56; s >= 0; s -= 8) out.write((int) (v >>> s));
    }

    void id(long v) {
        if (idSize == 4) {
            u4(v);
        } else {
            u8(v);
        }
    }

    void zeros(long n) {
        for (long i = 0; i < n; i++) out.write(0);
    }

    /** A value of a basic type: ids for OBJECT, the low bytes of {@code bits} otherwise. */
    void value(int type, long bits) {
        switch (SyntheticHeap.valueBytes(type, idSize)) {
            case 1 -> u1((int) bits);
            case 2 -> u2((int) bits);
            case 4 -> u4(bits);
            default -> u8(bits);
        }
    }

    int size() {
        return out.size();
    }

    /** A whole top-level record; {@code body} writes it. */
    void record(int tag, Runnable body) {
        closeSegment();
        u1(tag);
        u4(0); // microseconds since the header's time
        int lengthAt = out.size();
        u4(0);
        int start = out.size();
        body.run();
        patchLength(lengthAt, out.size() - start);
    }

    void string(long id, String text) {
        record(TAG_STRING, () -> {
            id(id);
            out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        });
    }

    /** Opens a HEAP DUMP SEGMENT unless one is open; sub-records go into it. */
    void openSegment() {
        if (segmentBody >= 0) return;
        u1(TAG_HEAP_DUMP_SEGMENT);
        u4(0);
        u4(0);
        segmentBody = out.size();
    }

    /** Bytes in the open segment so far (0 when none is open). */
    int segmentBytes() {
        return segmentBody < 0 ? 0 : out.size() - segmentBody;
    }

    void closeSegment() {
        if (segmentBody < 0) return;
        patchLength(segmentBody - 4, out.size() - segmentBody);
        segmentBody = -1;
    }

    void end() {
        closeSegment();
        record(TAG_HEAP_DUMP_END, () -> { });
    }

    private void patchLength(int at, int length) {
        out.buf[at] = (byte) (length >>> 24);
        out.buf[at + 1] = (byte) (length >>> 16);
        out.buf[at + 2] = (byte) (length >>> 8);
        out.buf[at + 3] = (byte) length;
    }

    byte[] bytes() {
        closeSegment();
        return Arrays.copyOf(out.buf, out.size);
    }
}
