package dev.jjf.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** Agreement with GNU c++filt on symbols sampled from real libraries (see make-corpus.sh). */
class DemanglerCorpusTest {

    private static final double REQUIRED_AGREEMENT = 0.995;

    @Test
    void agreesWithCppFiltOnLibjvmAndLibstdcxx() {
        assertAgreement("corpus.tsv.gz");
    }

    @Test
    void agreesWithCppFiltOnTemplateHeavyCode() {
        assertAgreement("corpus-templates.tsv.gz");
    }

    private static void assertAgreement(String corpus) {
        List<Pair> pairs = load(corpus);
        assertTrue(pairs.size() >= 1000, corpus + " has only " + pairs.size() + " pairs");
        List<String> bad = mismatches(pairs);
        double agreement = 1.0 - (double) bad.size() / pairs.size();
        assertTrue(agreement >= REQUIRED_AGREEMENT, String.format(
                "%s: %.2f%% agreement (%d of %d differ), first mismatches:%n%s", corpus, agreement * 100,
                bad.size(), pairs.size(), String.join("\n", bad.subList(0, Math.min(15, bad.size())))));
    }

    /** No shared mutable state: concurrent callers get exactly what a single caller gets. */
    @Test
    void isThreadSafe() {
        List<Pair> pairs = load("corpus-templates.tsv.gz");
        for (int round = 0; round < 5; round++) {
            long bad = pairs.parallelStream()
                    .filter(p -> !Demangler.demangle(p.mangled()).equals(p.expected()))
                    .count();
            assertEquals(0, bad, "results differ under concurrency");
        }
    }

    /** A loose bound, far above the ~1 us per symbol measured, that still catches a pathological slowdown. */
    record Pair(String mangled, String expected) {
        @Override
        public String toString() {
            return mangled;
        }
    }

    /** Loads a {@code mangled<TAB>expected} table from {@code src/test/resources/demangler}. */
    static List<Pair> load(String name) {
        String path = "/demangler/" + name;
        try (InputStream raw = DemanglerCorpusTest.class.getResourceAsStream(path)) {
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
