import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;

/**
 * Leaks zlib's native state: Deflaters and Inflaters that are used but never end()ed, and
 * GZIPInputStreams that are never closed. All stay reachable, because once unreachable the JDK's
 * Cleaner would end them. The native memory is allocated by zlib (deflateInit2_, inflateInit2_,
 * and inflate's window) through malloc.
 * Run: java examples/DeflaterLeak.java
 */
public class DeflaterLeak {
    private static final int DEFLATERS = 400;
    private static final int INFLATERS = 400;
    private static final int GZIP_STREAMS = 200;
    // What one stream costs as a jemalloc heap profile counts it (size classes), measured with
    // Debian 12's zlib 1.2.13; other zlib versions differ slightly. Deflate: state plus window,
    // prev, head and pending buffers at windowBits 15, memLevel 8. Inflate: state plus the 32 KiB
    // window of its first inflate().
    private static final long DEFLATE_STATE = 6_144 + 4 * 64 * 1024;
    private static final long INFLATE_STATE = 7_168 + 32 * 1024;

    /** Everything that holds native memory, kept so that nothing is ever cleaned. */
    static final List<Object> RETAINED = new ArrayList<>();

    public static void main(String[] args) throws IOException, DataFormatException {
        byte[] text = sampleText();
        byte[] compressed = compress(text);
        byte[] gzipped = gzip(text);
        for (int i = 0; i < DEFLATERS; i++) RETAINED.add(openDeflater(text));
        for (int i = 0; i < INFLATERS; i++) RETAINED.add(openInflater(compressed));
        for (int i = 0; i < GZIP_STREAMS; i++) RETAINED.add(openGzipStream(gzipped));
        long estimate = DEFLATERS * DEFLATE_STATE + (INFLATERS + GZIP_STREAMS) * INFLATE_STATE;
        System.out.printf("DeflaterLeak: leaked %d Deflaters, %d Inflaters and %d GZIPInputStreams never ended/closed, "
                + "about %.0f MiB of zlib state (deflateInit2_, inflateInit2_)%n",
                DEFLATERS, INFLATERS, GZIP_STREAMS, estimate / 1048576.0);
    }

    static Deflater openDeflater(byte[] input) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(input);
        // Deflating without finish() leaves the stream open, as a writer that is never closed does.
        byte[] out = new byte[1024];
        while (!deflater.needsInput()) deflater.deflate(out);
        return deflater;
    }

    static Inflater openInflater(byte[] compressed) throws DataFormatException {
        Inflater inflater = new Inflater();
        inflater.setInput(compressed);
        // The first inflate() makes zlib allocate its window.
        inflater.inflate(new byte[256]);
        return inflater;
    }

    static InputStream openGzipStream(byte[] gzipped) throws IOException {
        InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped));
        in.read(new byte[256]);
        return in;
    }

    private static byte[] sampleText() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 256 * 1024; i++) sb.append("line ").append(i).append(": the quick brown fox\n");
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] compress(byte[] data) {
        Deflater d = new Deflater();
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
