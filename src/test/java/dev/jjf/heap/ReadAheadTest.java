package dev.jjf.heap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stream read ahead gives its reader the same bytes, and the same failure after them, as the stream itself. */
class ReadAheadTest {
    @TempDir
    Path dir;

    /** Everything a reader gets in pieces of varying size: the bytes, then what was thrown (null at a clean end). */
    private record Outcome(byte[] bytes, Class<?> failure, String message) {
    }

    private static Outcome drain(InputStream in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Random r = new Random(1);
        byte[] b = new byte[70_000];
        try (in) {
            while (true) {
                int off = r.nextInt(100);
                int n = in.read(b, off, 1 + r.nextInt(60_000));
                if (n < 0) break;
                out.write(b, off, n);
            }
            return new Outcome(out.toByteArray(), null, null);
        } catch (IOException | RuntimeException e) {
            return new Outcome(out.toByteArray(), e.getClass(), e.getMessage());
        }
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(plain);
        }
        return gz.toByteArray();
    }

    private static byte[] sample(int bytes) {
        byte[] plain = new byte[bytes];
        Random r = new Random(7);
        // Compressible but not trivially: runs of a few values.
        for (int i = 0; i < plain.length; i++) plain[i] = (byte) (r.nextInt(8) == 0 ? r.nextInt() : i / 1000);
        return plain;
    }

    private static void assertNoReaderLeft() {
        for (Thread t : Thread.getAllStackTraces().keySet()) assertFalse(t.getName().equals("jjf-read-ahead") && t.isAlive(), "a reader is still running");
    }

    @Test
    void sameBytesAndSameFailureAfterThem() throws IOException {
        byte[] plain = sample(5 * ReadAhead.BUFFER_BYTES + 12_345);
        byte[] gz = gzip(plain);
        List<byte[]> inputs = new ArrayList<>();
        inputs.add(gz);
        inputs.add(java.util.Arrays.copyOf(gz, gz.length / 2)); // cut: EOFException
        byte[] corrupt = gz.clone();
        corrupt[gz.length / 3] ^= 0x5a; // a bad block or CRC: ZipException
        inputs.add(corrupt);
        inputs.add(java.util.Arrays.copyOf(gz, gz.length - 4)); // cut in the trailer
        for (byte[] input : inputs) {
            Outcome direct = drain(new GZIPInputStream(new ByteArrayInputStream(input)));
            Outcome ahead = drain(new ReadAhead(new GZIPInputStream(new ByteArrayInputStream(input))));
            assertEquals(direct.failure(), ahead.failure());
            assertEquals(direct.message(), ahead.message());
            assertArrayEquals(direct.bytes(), ahead.bytes());
            assertNoReaderLeft();
        }
        assertArrayEquals(plain, drain(new ReadAhead(new ByteArrayInputStream(plain))).bytes());
        assertEquals(0, drain(new ReadAhead(InputStream.nullInputStream())).bytes().length);
    }

    @Test
    void closingEarlyStopsTheReaderAndClosesTheStream() throws IOException {
        boolean[] closed = {false};
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 1);
                return len;
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };
        ReadAhead in = new ReadAhead(endless);
        assertEquals(1, in.read());
        in.close();
        assertTrue(closed[0]);
        assertNoReaderLeft();
    }

    @Test
    void aCutGzipDumpGivesWhatThePlainOneCutThereGives() throws IOException {
        byte[] dump = DominatorsTest.randomDump(5, 20_000);
        byte[] gz = gzip(dump);
        for (int cut : new int[] {gz.length, gz.length * 2 / 3, gz.length / 4}) {
            Path zipped = Files.write(dir.resolve("d-" + cut + ".hprof.gz"), java.util.Arrays.copyOf(gz, cut));
            // What the cut gzip file still holds, as a plain file.
            byte[] part = drain(new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(zipped)))).bytes();
            Path plain = Files.write(dir.resolve("d-" + cut + ".hprof"), part);
            List<String> plainWarnings = new ArrayList<>();
            List<String> gzWarnings = new ArrayList<>();
            HeapGraph a = HeapDump.read(plain, new HeapDumpOptions(false, 1, plainWarnings::add));
            HeapGraph b = HeapDump.read(zipped, new HeapDumpOptions(false, 1, gzWarnings::add));
            assertNoReaderLeft();
            assertEquals(cut == gz.length, gzWarnings.isEmpty(), gzWarnings.toString());
            assertEquals(SegmentSplitTest.fingerprint(a, plainWarnings), SegmentSplitTest.fingerprint(b, gzWarnings).replace(zipped.toString(), plain.toString()));
        }
    }
}
