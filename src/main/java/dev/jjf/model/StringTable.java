package dev.jjf.model;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** Interned strings, numbered from 0 in the order first seen; 0 is always "" (as in pprof's string_table). */
public final class StringTable {
    private final Map<String, Integer> ids = new HashMap<>();
    private String[] strings = new String[256];
    private int size;

    StringTable() {
        intern("");
    }

    /** The string's number, the same for equal strings. */
    public int intern(String s) {
        Integer id = ids.get(s);
        if (id != null) return id;
        if (size == strings.length) strings = Arrays.copyOf(strings, size * 2);
        strings[size] = s;
        ids.put(s, size);
        return size++;
    }

    public String get(int id) {
        return strings[id];
    }

    /** Number of strings, "" included. */
    public int size() {
        return size;
    }
}
