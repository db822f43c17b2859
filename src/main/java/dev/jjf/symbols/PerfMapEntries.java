package dev.jjf.symbols;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The entries of a perf map as primitive columns, in file order. A name is kept as the list of
 * its {@code ->}-separated parts, each part once per map as UTF-8 bytes: an agent map names the
 * same methods over and over (a method's name starts every one of its inline chains), so this
 * holds a fraction of the file. Names become Strings only when looked up.
 */
final class PerfMapEntries {
    private static final byte[] SEPARATOR = "->".getBytes(StandardCharsets.US_ASCII);
    private static final int INITIAL_ENTRIES = 1 << 10;
    private static final int INITIAL_TABLE = 1 << 12;
    private static final int NO_PART = -1;
    /** Arrays stop growing here, below the JVM's limit on array length. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

    private int count;
    private long[] starts = new long[INITIAL_ENTRIES];
    private long[] sizes = new long[INITIAL_ENTRIES];
    /** Entry i's parts are parts[firstPart[i] .. firstPart[i + 1]). */
    private int[] firstPart = new int[INITIAL_ENTRIES + 1];
    private int[] parts = new int[INITIAL_ENTRIES * 2];
    private int partCount;
    /**
     * Entry i's name ends in the distinct bytes suffixes[i] (NO_PART: nothing), appended to its
     * last part: the source positions of {@link InterpretedLineTables}, kept apart from the method
     * name they follow so that the name is stored once, not once per source line.
     */
    private int[] suffixes = new int[INITIAL_ENTRIES];

    /** Distinct parts: bytes[partOffset[p] .. partOffset[p + 1]). */
    private byte[] bytes = new byte[INITIAL_TABLE * 32];
    private int[] partOffset = new int[INITIAL_TABLE + 1];
    private int[] partHash = new int[INITIAL_TABLE];
    private int distinct;
    /** Open addressing over distinct parts, at most half full. */
    private int[] table = newTable(INITIAL_TABLE * 2);

    private static int[] newTable(int size) {
        int[] t = new int[size];
        Arrays.fill(t, NO_PART);
        return t;
    }

    int count() {
        return count;
    }

    long start(int entry) {
        return starts[entry];
    }

    /** Exclusive end; entries never wrap past the top of the address space. */
    long end(int entry) {
        return starts[entry] + sizes[entry];
    }

    /**
     * Adds an entry named by the UTF-8 bytes {@code name[from..to)}.
     *
     * @return false when the map has outgrown what one reader holds (more than ~2 G entries or name bytes)
     */
    boolean add(long start, long size, byte[] name, int from, int to) {
        if (count == starts.length && !growEntries()) return false;
        int mark = partCount;
        int partFrom = from;
        for (int i = from; i + 1 < to; i++) {
            if (name[i] == '-' && name[i + 1] == '>') {
                if (!addPart(name, partFrom, i)) return rollback(mark);
                i++;
                partFrom = i + 1;
            }
        }
        if (!addPart(name, partFrom, to)) return rollback(mark);
        starts[count] = start;
        sizes[count] = size;
        suffixes[count] = NO_PART;
        count++;
        firstPart[count] = partCount;
        return true;
    }

    /**
     * Adds entry {@code entry} again at {@code start}, same size and name.
     *
     * @return false when the map has outgrown what one reader holds
     */
    boolean addCopy(int entry, long start) {
        return addNamedAs(start, sizes[entry], entry, suffixes[entry]);
    }

    /**
     * Adds an entry named as entry {@code base} (which has no suffix) followed by the UTF-8 bytes
     * {@code suffix[from..to)}, which hold no "->": the same name {@link #add} would store for the
     * whole, in less room.
     *
     * @return false when the map has outgrown what one reader holds
     */
    boolean addSuffixed(long start, long size, int base, byte[] suffix, int from, int to) {
        if (suffixes[base] != NO_PART) return false;
        int id = intern(suffix, from, to);
        return id != NO_PART && addNamedAs(start, size, base, id);
    }

    /** Adds an entry with entry {@code base}'s parts and the given suffix (or NO_PART). */
    private boolean addNamedAs(long start, long size, int base, int suffix) {
        if (count == starts.length && !growEntries()) return false;
        int baseFrom = firstPart[base];
        int n = firstPart[base + 1] - baseFrom;
        if (partCount + n > parts.length) {
            if (partCount >= MAX_ARRAY / 2) return false;
            parts = Arrays.copyOf(parts, partCount + Math.max(n, partCount >> 1));
        }
        System.arraycopy(parts, baseFrom, parts, partCount, n);
        partCount += n;
        starts[count] = start;
        sizes[count] = size;
        suffixes[count] = suffix;
        count++;
        firstPart[count] = partCount;
        return true;
    }

    private boolean growEntries() {
        if (count >= MAX_ARRAY / 2) return false;
        int grown = count + (count >> 1);
        starts = Arrays.copyOf(starts, grown);
        sizes = Arrays.copyOf(sizes, grown);
        firstPart = Arrays.copyOf(firstPart, grown + 1);
        suffixes = Arrays.copyOf(suffixes, grown);
        return true;
    }

    private boolean rollback(int mark) {
        partCount = mark;
        return false;
    }

    private boolean addPart(byte[] b, int from, int to) {
        if (partCount == parts.length) {
            if (partCount >= MAX_ARRAY / 2) return false;
            parts = Arrays.copyOf(parts, partCount + (partCount >> 1));
        }
        int id = intern(b, from, to);
        if (id == NO_PART) return false;
        parts[partCount++] = id;
        return true;
    }

    /** The id of the part with these bytes, added if new; NO_PART when the bytes no longer fit. */
    private int intern(byte[] b, int from, int to) {
        int hash = 1;
        for (int i = from; i < to; i++) hash = 31 * hash + b[i];
        int mask = table.length - 1;
        int len = to - from;
        for (int slot = mix(hash) & mask; ; slot = (slot + 1) & mask) {
            int id = table[slot];
            if (id == NO_PART) break;
            if (partHash[id] == hash && partOffset[id + 1] - partOffset[id] == len
                    && Arrays.equals(bytes, partOffset[id], partOffset[id + 1], b, from, to)) {
                return id;
            }
        }
        int used = partOffset[distinct];
        if (used + len > bytes.length) {
            if ((long) used + len > MAX_ARRAY) return NO_PART;
            bytes = Arrays.copyOf(bytes, (int) Math.min(MAX_ARRAY, Math.max((long) used + len, bytes.length * 3L / 2)));
        }
        if (distinct + 1 == partHash.length) {
            if (distinct >= MAX_ARRAY / 4) return NO_PART;
            partHash = Arrays.copyOf(partHash, partHash.length * 2);
            partOffset = Arrays.copyOf(partOffset, partHash.length + 1);
            rehash(partHash.length * 2);
        }
        System.arraycopy(b, from, bytes, used, len);
        int id = distinct++;
        partHash[id] = hash;
        partOffset[id + 1] = used + len;
        insert(table, id);
        return id;
    }

    private void rehash(int size) {
        table = newTable(size);
        for (int id = 0; id < distinct; id++) insert(table, id);
    }

    private void insert(int[] t, int id) {
        int mask = t.length - 1;
        int slot = mix(partHash[id]) & mask;
        while (t[slot] != NO_PART) slot = (slot + 1) & mask;
        t[slot] = id;
    }

    /** Spreads a polynomial hash's low bits, which the table's mask keeps. */
    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** The entry as written, its name decoded now. */
    PerfMapEntry entry(int entry) {
        return new PerfMapEntry(starts[entry], sizes[entry], new String(name(entry), StandardCharsets.UTF_8));
    }

    /** The entry's name as its UTF-8 bytes. */
    byte[] name(int entry) {
        int from = firstPart[entry];
        int to = firstPart[entry + 1];
        int length = (to - from - 1) * SEPARATOR.length;
        for (int p = from; p < to; p++) length += partOffset[parts[p] + 1] - partOffset[parts[p]];
        int suffix = suffixes[entry];
        if (suffix != NO_PART) length += partOffset[suffix + 1] - partOffset[suffix];
        byte[] name = new byte[length];
        int at = 0;
        for (int p = from; p < to; p++) {
            if (p > from) {
                System.arraycopy(SEPARATOR, 0, name, at, SEPARATOR.length);
                at += SEPARATOR.length;
            }
            int id = parts[p];
            int len = partOffset[id + 1] - partOffset[id];
            System.arraycopy(bytes, partOffset[id], name, at, len);
            at += len;
        }
        if (suffix != NO_PART) System.arraycopy(bytes, partOffset[suffix], name, at, partOffset[suffix + 1] - partOffset[suffix]);
        return name;
    }

    /** Drops the room kept for growth, once reading is done. */
    void trim() {
        starts = Arrays.copyOf(starts, count);
        sizes = Arrays.copyOf(sizes, count);
        firstPart = Arrays.copyOf(firstPart, count + 1);
        suffixes = Arrays.copyOf(suffixes, count);
        parts = Arrays.copyOf(parts, partCount);
        bytes = Arrays.copyOf(bytes, partOffset[distinct]);
        partOffset = Arrays.copyOf(partOffset, distinct + 1);
        partHash = null;
        table = null;
    }
}
