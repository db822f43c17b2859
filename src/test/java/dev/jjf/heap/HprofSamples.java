package dev.jjf.heap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Small dumps of each kind, for tests and as fuzz seeds ({@code main} writes them to a folder):
 * a HotSpot dump with a named thread, a frame root, a String, a direct buffer and statics; the
 * same with classes last; Android 1.0.3 with heaps; Native Image; gzip; a cut one.
 */
public final class HprofSamples {
    static final long STRING = 0x10;
    static final long BYTES = 0x18;
    static final long THREAD = 0x20;
    static final long BUFFER = 0x28;
    static final long HOLDER = 0x30;
    static final long BUFFER_CAPACITY = 4096;

    private HprofSamples() {
    }

    /** A main thread named "main" whose frame Holder.run (Holder.java:7) holds a Holder, which holds a direct buffer. */
    public static byte[] hotspot(boolean classesLast) {
        HprofWriter w = HprofWriter.hotspot();
        w.loadClass(STRING, "java/lang/String");
        w.loadClass(THREAD, "java/lang/Thread");
        w.loadClass(BUFFER, "java/nio/DirectByteBuffer");
        int holderSerial = w.loadClass(HOLDER, "com/example/Holder");
        w.stackFrame(0x900, "run", "Holder.java", holderSerial, 7);
        w.stackTrace(5, 1, 0x900);
        Runnable classes = () -> {
            w.classDump(STRING, 0, List.of(new HprofWriter.Field("value", 2), new HprofWriter.Field("coder", 8)));
            w.classDump(THREAD, 0, List.of(new HprofWriter.Field("name", 2)));
            w.classDump(BUFFER, 0, List.of(new HprofWriter.Field("capacity", 10), new HprofWriter.Field("cleaner", 2),
                    new HprofWriter.Field("att", 2), new HprofWriter.Field("fd", 2)));
            w.classDump(HOLDER, 0, List.of(new HprofWriter.Field("buffer", 2)), 0x5000);
        };
        w.threadRoot(0x1000, 1, 5);
        w.frameRoot(0x4000, 1, 0);
        if (!classesLast) classes.run();
        // The thread's name: a String, then its bytes, then the thread (the order of allocation).
        w.instanceData(0x1100, STRING, ByteBuffer.allocate(9).putLong(0x1200).put((byte) 0).array());
        w.byteArray(0x1200, "main".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        w.instance(0x1000, THREAD, 0x1100);
        w.instanceData(0x4100, BUFFER, ByteBuffer.allocate(28).putInt((int) BUFFER_CAPACITY).putLong(0x4200).putLong(0).putLong(0).array());
        w.instance(0x4200, HOLDER, 0);
        w.instance(0x4000, HOLDER, 0x4100);
        w.byteArray(0x5000, 300, true);
        w.flushHeap();
        if (classesLast) classes.run();
        return w.bytes();
    }

    static byte[] android() {
        HprofWriter w = new HprofWriter("JAVA PROFILE 1.0.3", 4, 256);
        w.loadClass(0x100, "com.example.Node");
        w.heapInfo(1, "image");
        w.classDump(0x100, 0, List.of(new HprofWriter.Field("next", 2)));
        w.instance(0x3000, 0x100, 0x4000);
        w.heapInfo(2, "zygote");
        w.byteArray(0x3800, 100, false);
        w.heapInfo(3, "app");
        w.instance(0x4000, 0x100, 0x3800);
        w.root(HprofParser.ROOT_VM_INTERNAL, 0x3000);
        w.root(HprofParser.ROOT_FINALIZING, 0x4000);
        w.root(HprofParser.UNREACHABLE, 0x4000);
        return w.bytes();
    }

    static byte[] nativeImage() {
        HprofWriter w = HprofWriter.hotspot();
        w.loadClass(0x5001, "com/example/Cached");
        w.classDump(0x5001, 0, List.of(new HprofWriter.Field("next", 2)));
        for (int i = 0; i < 4; i++) {
            w.instance(0x8000 + 16L * i, 0x5001, i > 0 ? 0x8000 + 16L * (i - 1) : 0);
            w.jniGlobal(0x8000 + 16L * i);
        }
        return w.bytes();
    }

    public static byte[] gzip(byte[] plain, int memberBytes) {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try {
            for (int at = 0; at < plain.length; at += memberBytes) {
                GZIPOutputStream member = new GZIPOutputStream(gz);
                member.write(plain, at, Math.min(memberBytes, plain.length - at));
                member.finish();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return gz.toByteArray();
    }

    /** Writes the samples as fuzz seeds into the folder given. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        byte[] hotspot = hotspot(false);
        Files.write(dir.resolve("hotspot.hprof"), hotspot);
        Files.write(dir.resolve("hotspot-classes-last.hprof"), hotspot(true));
        Files.write(dir.resolve("android.hprof"), android());
        Files.write(dir.resolve("native-image.hprof"), nativeImage());
        Files.write(dir.resolve("hotspot.hprof.gz"), gzip(hotspot, 200));
        Files.write(dir.resolve("hotspot-cut.hprof"), java.util.Arrays.copyOf(hotspot, hotspot.length * 2 / 3));
    }
}
