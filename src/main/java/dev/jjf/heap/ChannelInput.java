package dev.jjf.heap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A file from an offset on, through positional reads: several readers share one channel, each at
 * its own place (the thread-names pass, the second reading thread).
 */
final class ChannelInput extends BlockInput {
    private final FileChannel channel;
    private final int maxReadBytes;
    private long position;

    /** {@code maxReadBytes}: the most one read asks the file for (a names pass wants kilobytes, not a buffer's worth). */
    ChannelInput(FileChannel channel, long position, int maxReadBytes) {
        this.channel = channel;
        this.position = position;
        this.maxReadBytes = maxReadBytes;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int r = channel.read(ByteBuffer.wrap(b, off, Math.min(len, maxReadBytes)), position);
        if (r > 0) position += r;
        return r;
    }
}
