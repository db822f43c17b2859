package dev.jjf.model;

/**
 * A map from 64-bit addresses to values, open addressing with linear probing: no boxed Long per
 * lookup, which a fold does once for every frame of every stack.
 */
final class AddressMap<V> {
    private long[] keys = new long[1024];
    private Object[] values = new Object[1024];
    private boolean hasZero;
    private V zeroValue;
    private int size;

    @SuppressWarnings("unchecked")
    V get(long key) {
        if (key == 0) return zeroValue;
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) return (V) values[i];
            if (k == 0) return null;
        }
    }

    /** Adds or replaces; the value must not be null. */
    void put(long key, V value) {
        if (key == 0) {
            if (!hasZero) size++;
            hasZero = true;
            zeroValue = value;
            return;
        }
        if ((size + 1) * 2 > keys.length) grow();
        if (insert(keys, values, key, value)) size++;
    }

    int size() {
        return size;
    }

    private static boolean insert(long[] keys, Object[] values, long key, Object value) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            if (keys[i] == key) {
                values[i] = value;
                return false;
            }
            if (keys[i] == 0) {
                keys[i] = key;
                values[i] = value;
                return true;
            }
        }
    }

    private void grow() {
        long[] k = new long[keys.length * 2];
        Object[] v = new Object[k.length];
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) insert(k, v, keys[i], values[i]);
        }
        keys = k;
        values = v;
    }

    /** Code addresses share their high bits and are aligned; mixing spreads them over the table. */
    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
