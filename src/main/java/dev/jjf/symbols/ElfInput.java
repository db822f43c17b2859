package dev.jjf.symbols;

import dev.jjf.BadInputException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Bounded positional reads from an ELF file. Every read is checked against the real file size
 * before anything is allocated, so a header that claims a huge table fails cleanly instead of
 * allocating what it claims.
 */
final class ElfInput implements Closeable {
    /** Largest single read; Java arrays stop a little short of Integer.MAX_VALUE. */
    static final long MAX_READ = Integer.MAX_VALUE - 16;

    private final Path path;
    private final FileChannel channel;
    private final long size;
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

    private ElfInput(Path path, FileChannel channel) throws IOException {
        this.path = path;
        this.channel = channel;
        this.size = channel.size();
    }

    static ElfInput open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new ElfInput(path, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    long size() {
        return size;
    }

    void order(ByteOrder order) {
        this.order = order;
    }

    /** Reads exactly length bytes at offset, or fails with BadInputException naming what was read. */
    ByteBuffer read(long offset, long length, String what) throws IOException {
        if (offset < 0 || length < 0 || length > size || offset > size - length) {
            throw bad(what + " (offset " + Long.toUnsignedString(offset) + ", size "
                    + Long.toUnsignedString(length) + ") lies outside the file (" + size + " bytes)");
        }
        if (length > MAX_READ) {
            throw bad(what + " is larger than 2 GiB");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) length).order(order);
        while (buffer.hasRemaining()) {
            // The file can shrink after size() was taken; a short read must not loop or return zeros.
            if (channel.read(buffer, offset + buffer.position()) < 0) {
                throw bad(what + ": file ended early (was it truncated while being read?)");
            }
        }
        return buffer.flip();
    }

    BadInputException bad(String message) {
        return new BadInputException(path, "not a valid ELF file: " + message);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
