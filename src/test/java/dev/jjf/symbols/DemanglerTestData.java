package dev.jjf.symbols;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Loads the {@code mangled<TAB>expected} tables under {@code src/test/resources/demangler}. */
final class DemanglerTestData {

    record Pair(String mangled, String expected) {
        @Override
        public String toString() {
            return mangled;
        }
    }

    private DemanglerTestData() {
    }

    static List<Pair> load(String name) {
        String path = "/demangler/" + name;
        try (InputStream raw = DemanglerTestData.class.getResourceAsStream(path)) {
            if (raw == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<Pair> pairs = new ArrayList<>();
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                if (tab < 0) {
                    throw new IllegalStateException(path + ": no tab in line: " + line);
                }
                pairs.add(new Pair(line.substring(0, tab), line.substring(tab + 1)));
            }
            return pairs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Demangles every pair; returns the mismatches as printable lines. */
    static List<String> mismatches(List<Pair> pairs) {
        List<String> bad = new ArrayList<>();
        for (Pair p : pairs) {
            String got = Demangler.demangle(p.mangled());
            if (!got.equals(p.expected())) {
                bad.add(p.mangled() + "\n    expected: " + p.expected() + "\n    actual:   " + got);
            }
        }
        return bad;
    }
}
