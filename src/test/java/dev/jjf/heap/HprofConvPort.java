package dev.jjf.heap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * What AOSP's {@code hprof-conv} (dalvik/tools/hprof-conv/HprofConv.c) does to a 1.0.3 file,
 * re-implemented from reading it: the header's "1.0.3" becomes "1.0.2", ids stay 4 bytes, records
 * other than HEAP DUMP (SEGMENT) are copied, and inside heap dumps:
 * <ul>
 *   <li>HEAP DUMP INFO (0xFE) is dropped (this port has no {@code -z}, which drops the objects
 *       of the zygote and image heaps);</li>
 *   <li>ART's root kinds 0x89-0x8D and 0x90 become ROOT UNKNOWN (0xFF) with the same id;
 *       ROOT JNI MONITOR (0x8E) becomes ROOT UNKNOWN keeping the id and dropping its two u4s;</li>
 *   <li>a primitive array without data (0xC3) becomes a PRIMITIVE ARRAY DUMP of length 0.</li>
 * </ul>
 * Each heap-dump record's length is recomputed.
 */
final class HprofConvPort {
    private static final int HEADER_BYTES = 19 + 4 + 8;
    private static final int ID = 4;

    private HprofConvPort() {
    }

    static byte[] convert(byte[] in) {
        if (!new String(in, 0, 18, java.nio.charset.StandardCharsets.US_ASCII).equals(AndroidHprofWriter.MAGIC)) {
            throw new IllegalArgumentException("not a 1.0.3 file");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = java.util.Arrays.copyOf(in, HEADER_BYTES);
        header[17] = '2';
        out.writeBytes(header);
        ByteBuffer b = ByteBuffer.wrap(in);
        b.position(HEADER_BYTES);
        while (b.hasRemaining()) {
            int tag = b.get() & 0xFF;
            int time = b.getInt();
            int length = b.getInt();
            int bodyStart = b.position();
            if (tag != HprofTestOutput.TAG_HEAP_DUMP_SEGMENT && tag != 0x0C) {
                out.write(tag);
                writeInt(out, time);
                writeInt(out, length);
                out.write(in, bodyStart, length);
                b.position(bodyStart + length);
                continue;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (b.position() < bodyStart + length) {
                int start = b.position();
                int sub = b.get() & 0xFF;
                int subLen = switch (sub) {
                    case 0xFF, 0x05, 0x07 -> ID;
                    case 0x01 -> 2 * ID;
                    case 0x02, 0x03, 0x08 -> ID + 8;
                    case 0x04, 0x06 -> ID + 4;
                    case HprofTestOutput.CLASS_DUMP -> classDumpLength(b, start + 1);
                    case HprofTestOutput.INSTANCE_DUMP -> 2 * ID + 8 + b.getInt(start + 1 + 2 * ID + 4);
                    case HprofTestOutput.OBJECT_ARRAY_DUMP -> 2 * ID + 8 + b.getInt(start + 1 + ID + 4) * ID;
                    case HprofTestOutput.PRIMITIVE_ARRAY_DUMP -> ID + 9
                            + b.getInt(start + 1 + ID + 4) * SyntheticHeap.valueBytes(in[start + 1 + ID + 8], ID);
                    case AndroidHprofWriter.HEAP_DUMP_INFO -> 4 + ID; // heap id, name string id
                    case 0x8E -> ID + 8; // id, thread serial, stack depth
                    case 0x89, 0x8A, 0x8B, 0x8C, 0x8D, 0x90 -> ID;
                    case AndroidHprofWriter.PRIMITIVE_ARRAY_NODATA -> ID + 9;
                    default -> throw new IllegalArgumentException("sub-record 0x" + Integer.toHexString(sub) + " at " + start);
                };
                b.position(start + 1 + subLen);
                if (sub == AndroidHprofWriter.HEAP_DUMP_INFO) continue; // no 1.0.2 equivalent
                switch (sub) {
                    case 0x89, 0x8A, 0x8B, 0x8C, 0x8D, 0x90 -> {
                        body.write(0xFF);
                        body.write(in, start + 1, ID);
                    }
                    case 0x8E -> {
                        body.write(0xFF);
                        body.write(in, start + 1, ID);
                    }
                    case AndroidHprofWriter.PRIMITIVE_ARRAY_NODATA -> {
                        body.write(HprofTestOutput.PRIMITIVE_ARRAY_DUMP);
                        body.write(in, start + 1, ID + 4); // id, stack serial
                        writeInt(body, 0); // length 0
                        body.write(in[start + 1 + ID + 8]);
                    }
                    default -> body.write(in, start, 1 + subLen);
                }
            }
            out.write(tag);
            writeInt(out, time);
            writeInt(out, body.size());
            out.writeBytes(body.toByteArray());
        }
        return out.toByteArray();
    }

    private static int classDumpLength(ByteBuffer b, int at) {
        int p = at + 7 * ID + 8; // ids, stack serial, instance size
        int constants = b.getShort(p) & 0xFFFF;
        p += 2;
        for (int i = 0; i < constants; i++) p += 2 + 1 + SyntheticHeap.valueBytes(b.get(p + 2), ID);
        int statics = b.getShort(p) & 0xFFFF;
        p += 2;
        for (int i = 0; i < statics; i++) p += ID + 1 + SyntheticHeap.valueBytes(b.get(p + ID), ID);
        int fields = b.getShort(p) & 0xFFFF;
        p += 2 + fields * (ID + 1);
        return p - at;
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }
}
