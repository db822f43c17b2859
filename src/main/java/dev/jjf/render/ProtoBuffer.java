package dev.jjf.render;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The part of the protocol-buffers wire format pprof's profile.proto needs: varints, packed
 * varints, strings and nested messages. A nested message is written into a second buffer and
 * copied in with its length; profile.proto's messages are small except the top level, which is
 * streamed.
 */
final class ProtoBuffer {
    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;

    private byte[] bytes = new byte[256];
    private int size;

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    void writeTo(OutputStream out) throws IOException {
        out.write(bytes, 0, size);
    }

    /** A varint field; proto3 leaves out zeros. */
    void int64(int field, long value) {
        if (value == 0) return;
        tag(field, VARINT);
        varint(value);
    }

    void bool(int field, boolean value) {
        if (value) int64(field, 1);
    }

    void string(int field, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        tag(field, LENGTH_DELIMITED);
        varint(b.length);
        raw(b, 0, b.length);
    }

    /** A nested message, or a packed repeated field, already written into {@code message}. */
    void message(int field, ProtoBuffer message) {
        tag(field, LENGTH_DELIMITED);
        varint(message.size);
        raw(message.bytes, 0, message.size);
    }

    /** Packed repeated varints: the field's bytes are the varints one after another. */
    void packed(int field, long[] values, int count) {
        if (count == 0) return;
        int length = 0;
        for (int i = 0; i < count; i++) length += varintSize(values[i]);
        tag(field, LENGTH_DELIMITED);
        varint(length);
        for (int i = 0; i < count; i++) varint(values[i]);
    }

    private void tag(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    /** Negative numbers take ten bytes, as int64 requires. */
    void varint(long v) {
        ensure(10);
        long x = v;
        while ((x & ~0x7FL) != 0) {
            bytes[size++] = (byte) ((x & 0x7F) | 0x80);
            x >>>= 7;
        }
        bytes[size++] = (byte) x;
    }

    static int varintSize(long v) {
        int n = 1;
        long x = v;
        while ((x & ~0x7FL) != 0) {
            n++;
            x >>>= 7;
        }
        return n;
    }

    private void raw(byte[] b, int from, int length) {
        ensure(length);
        System.arraycopy(b, from, bytes, size, length);
        size += length;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(size + more, bytes.length * 2));
    }
}
