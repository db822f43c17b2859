package dev.jjf.symbols;

import dev.jjf.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Symbol tables kept on disk between runs, one file per library build (keyed by build-id), so a
 * render after the first one skips reading, filtering and sorting ELF symbols. Only an
 * optimisation: a missing, unreadable, damaged or unwritable cache means the ELF file is read as
 * before, and nothing is reported.
 *
 * <p>File layout, little-endian: magic, key (u16 length + UTF-8), symbol count (i32), name bytes
 * (i32), biased starts (i64 each), biased ends (i64 each), name offsets (i32 each), the names,
 * then a CRC-32C of everything before it (i64).
 */
public final class SymbolCache {
    private static final byte[] MAGIC = "JJFSYM01".getBytes(StandardCharsets.US_ASCII);
    private static final String SUFFIX = ".syms";
    /** Keys become file names; a build-id long enough to break that is not worth caching. */
    private static final int MAX_KEY_CHARS = 200;
    private static final int CHECKSUM_BYTES = Long.BYTES;

    private static final SymbolCache NONE = new SymbolCache(null);

    private final Path dir;

    private SymbolCache(Path dir) {
        this.dir = dir;
    }

    /** A cache in {@code dir}, created on the first store. */
    public static SymbolCache in(Path dir) {
        return new SymbolCache(dir);
    }

    /** No cache: every table is read from its ELF file. */
    public static SymbolCache none() {
        return NONE;
    }

    /** The symbols of elf: from the cache when it holds them, else read from the file and stored. */
    SymbolTable symbolsOf(ElfFile elf) {
        Optional<String> key = dir == null ? Optional.empty() : elf.symbolsKey().filter(k -> k.length() <= MAX_KEY_CHARS);
        if (key.isEmpty()) return elf.symbols();
        Path file = dir.resolve(key.get() + SUFFIX);
        SymbolTable cached = load(file, key.get());
        if (cached != null) return cached;
        SymbolTable table = elf.symbols();
        store(file, key.get(), table);
        return table;
    }

    /** The table in file, or null when the file is missing or is not a complete table for key. */
    static SymbolTable load(Path file, String key) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        int header = MAGIC.length + Short.BYTES + keyBytes.length + 2 * Integer.BYTES;
        if (bytes.length < header + CHECKSUM_BYTES) return null;
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (!Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) return null;
        in.position(MAGIC.length);
        if (Short.toUnsignedInt(in.getShort()) != keyBytes.length) return null;
        int keyAt = in.position();
        if (!Arrays.equals(bytes, keyAt, keyAt + keyBytes.length, keyBytes, 0, keyBytes.length)) return null;
        in.position(keyAt + keyBytes.length);
        int count = in.getInt();
        int nameBytes = in.getInt();
        long body = (long) count * (2 * Long.BYTES + Integer.BYTES) + nameBytes;
        if (count < 0 || nameBytes < 0 || header + body + CHECKSUM_BYTES != bytes.length) return null;
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - CHECKSUM_BYTES);
        if (in.getLong(bytes.length - CHECKSUM_BYTES) != crc.getValue()) return null;

        long[] starts = new long[count];
        long[] ends = new long[count];
        int[] nameOffsets = new int[count];
        in.asLongBuffer().get(starts);
        in.position(in.position() + count * Long.BYTES);
        in.asLongBuffer().get(ends);
        in.position(in.position() + count * Long.BYTES);
        in.asIntBuffer().get(nameOffsets);
        in.position(in.position() + count * Integer.BYTES);
        byte[] names = new byte[nameBytes];
        in.get(names);
        return SymbolTable.ofBiased(starts, ends, nameOffsets, names);
    }

    /** Writes table to file through a temporary file and a rename, so readers never see half a table. */
    static void store(Path file, String key, SymbolTable table) {
        int count = table.size();
        long nameBytes = 0;
        for (int i = 0; i < count; i++) nameBytes += table.nameLength(i) + 1;
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        long total = MAGIC.length + Short.BYTES + keyBytes.length + 2 * Integer.BYTES
                + (long) count * (2 * Long.BYTES + Integer.BYTES) + nameBytes + CHECKSUM_BYTES;
        if (total > Integer.MAX_VALUE - 16) return;
        byte[] bytes = new byte[(int) total];
        ByteBuffer out = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putShort((short) keyBytes.length).put(keyBytes).putInt(count).putInt((int) nameBytes);
        out.asLongBuffer().put(table.biasedStarts());
        out.position(out.position() + count * Long.BYTES);
        out.asLongBuffer().put(table.biasedEnds());
        out.position(out.position() + count * Long.BYTES);
        int offsetsAt = out.position();
        int namesAt = offsetsAt + count * Integer.BYTES;
        int at = namesAt;
        for (int i = 0; i < count; i++) {
            out.putInt(offsetsAt + i * Integer.BYTES, at - namesAt);
            table.copyName(i, bytes, at);
            at += table.nameLength(i) + 1; // the array is zeroed: the terminator is already there
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - CHECKSUM_BYTES);
        out.putLong(bytes.length - CHECKSUM_BYTES, crc.getValue());
        try {
            AtomicFile.write(file, AtomicFile.PRIVATE, bytes);
        } catch (IOException | SecurityException e) {
            // A read-only or full disk costs the next run the ELF read again, nothing more.
        }
    }

    @Override
    public String toString() {
        return dir == null ? "SymbolCache[none]" : "SymbolCache[" + dir + "]";
    }
}
