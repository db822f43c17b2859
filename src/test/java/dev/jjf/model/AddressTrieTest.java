package dev.jjf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AddressTrieTest {
    private static final long MULTIPLIER = 0x9E3779B97F4A7C15L;

    @Test
    void mergesSharedPrefixesAndSumsEqualStacks() {
        AddressTrie trie = new AddressTrie(0);
        trie.add(new long[] {0x30, 0x20, 0x10}, 5); // leaf first: root 0x10, then 0x20, leaf 0x30
        trie.add(new long[] {0x31, 0x20, 0x10}, 7);
        trie.add(new long[] {0x30, 0x20, 0x10}, 1);
        trie.add(new long[] {0x20}, 2);
        assertEquals(Map.of("0x10/0x20/0x30", 6.0, "0x10/0x20/0x31", 7.0, "0x20", 2.0), paths(trie));
        assertEquals(1 + 4 + 1, trie.size());
    }

    @Test
    void callersAreNumberedBeforeTheirCallees() {
        AddressTrie trie = new AddressTrie(0);
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 5000; i++) trie.add(randomStack(r), 1);
        for (int t = 1; t < trie.size(); t++) assertEquals(true, trie.parent(t) < t, "node " + t);
    }

    /** Many random stacks, far more nodes than the first guess: the same paths as a plain map of paths. */
    @Test
    void agreesWithAMapOfPathsOnRandomStacksAndGrows() {
        AddressTrie trie = new AddressTrie(16);
        Map<String, Double> expected = new HashMap<>();
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 20000; i++) {
            long[] s = randomStack(r);
            double v = r.nextInt(1, 100);
            trie.add(s, v);
            expected.merge(key(s), v, Double::sum);
        }
        assertEquals(expected, paths(trie));
    }

    /** Two different prefixes built to have the same key must stay apart, and so must their callees. */
    @Test
    void keepsPrefixesWithTheSameKeyApart() {
        long a1 = 0x1000;
        long target = AddressTrie.mix(AddressTrie.ROOT_KEY, a1);
        long b1 = 0x2000;
        long b2 = addressGiving(AddressTrie.mix(AddressTrie.ROOT_KEY, b1), target);
        assertEquals(target, AddressTrie.mix(AddressTrie.mix(AddressTrie.ROOT_KEY, b1), b2));
        AddressTrie trie = new AddressTrie(0);
        trie.add(new long[] {0x77, a1}, 1);
        trie.add(new long[] {0x77, b2, b1}, 10);
        trie.add(new long[] {0x78, b2, b1}, 100);
        trie.add(new long[] {0x77, a1}, 1000);
        // b2 cannot share a1's key: its caller is b1, not the root, so it takes the exact path.
        assertEquals(Map.of(
                key(new long[] {0x77, a1}), 1001.0,
                key(new long[] {0x77, b2, b1}), 10.0,
                key(new long[] {0x78, b2, b1}), 100.0), paths(trie));
    }

    /** An address that makes a key of zero (the empty slot) or the root's key is still stored. */
    @Test
    void storesPrefixesWhoseKeyIsZeroOrTheRootKey() {
        long zero = AddressTrie.ROOT_KEY; // mix(ROOT_KEY, ROOT_KEY) == 0
        assertEquals(0, AddressTrie.mix(AddressTrie.ROOT_KEY, zero));
        long toRoot = addressGiving(AddressTrie.ROOT_KEY, AddressTrie.ROOT_KEY);
        AddressTrie trie = new AddressTrie(0);
        trie.add(new long[] {0x5, zero}, 3);
        trie.add(new long[] {0x5, zero}, 4);
        trie.add(new long[] {0x6, toRoot}, 5);
        trie.add(new long[] {0x6, toRoot}, 6);
        // Below a node with the root's key, 0x6 has the key 0x6 has right below the root.
        trie.add(new long[] {0x6}, 20);
        assertEquals(Map.of(key(new long[] {0x5, zero}), 7.0, key(new long[] {0x6, toRoot}), 11.0, key(new long[] {0x6}), 20.0),
                paths(trie));
    }

    /** The address that takes a caller's key h to the key wanted: mix inverted. */
    private static long addressGiving(long h, long wanted) {
        long x = wanted;
        x ^= x >>> 31;
        x ^= x >>> 62;
        assertEquals(wanted, x ^ (x >>> 31));
        long inverse = MULTIPLIER;
        for (int i = 0; i < 6; i++) inverse *= 2 - MULTIPLIER * inverse; // Newton: inverse of an odd number mod 2^64
        long a = (x * inverse) ^ h;
        assertNotEquals(0, a);
        return a;
    }

    private static long[] randomStack(SplittableRandom r) {
        int n = r.nextInt(1, 12);
        long[] s = new long[n];
        for (int i = 0; i < n; i++) s[i] = 0x400000 + r.nextInt(6) * 16 + (n - i) * 0x1000; // few choices per depth: shared prefixes
        return s;
    }

    private static String key(long[] leafFirst) {
        List<String> parts = new ArrayList<>();
        for (int i = leafFirst.length - 1; i >= 0; i--) parts.add("0x" + Long.toHexString(leafFirst[i]));
        return String.join("/", parts);
    }

    private static Map<String, Double> paths(AddressTrie trie) {
        Map<String, Double> out = new HashMap<>();
        for (int t = 1; t < trie.size(); t++) {
            if (trie.value(t) == 0) continue;
            List<String> parts = new ArrayList<>();
            for (int u = t; u != AddressTrie.ROOT; u = trie.parent(u)) parts.add(0, "0x" + Long.toHexString(trie.address(u)));
            out.put(String.join("/", parts), trie.value(t));
        }
        return out;
    }
}
