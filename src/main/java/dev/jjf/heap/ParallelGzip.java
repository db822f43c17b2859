package dev.jjf.heap;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Decompression of gzip dumps. */
final class ParallelGzip {
    private ParallelGzip() {
    }

    static InputStream open(Path file, int threads) throws IOException {
        return new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16), 1 << 16);
    }
}
