package dev.jjf.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jjf.symbols.DemanglerCorpusTest.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DemanglerTest {

    static Stream<Pair> curated() {
        return DemanglerCorpusTest.load("curated.tsv").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("curated")
    void matchesCppFilt(Pair p) {
        assertEquals(p.expected(), Demangler.demangle(p.mangled()));
    }

    @Test
    void matchesCppFiltOnCornerCases() {
        List<Pair> pairs = DemanglerCorpusTest.load("quirks.tsv");
        List<String> bad = DemanglerCorpusTest.mismatches(pairs);
        assertTrue(bad.isEmpty(), bad.size() + " of " + pairs.size() + " differ from c++filt:\n"
                + String.join("\n", bad.subList(0, Math.min(20, bad.size()))));
    }

    @Test
    void versionSuffixIsKeptVerbatim() {
        assertEquals("operator new(unsigned long)@@GLIBCXX_3.4", Demangler.demangle("_Znwm@@GLIBCXX_3.4"));
        assertEquals("os::malloc(unsigned long, MEMFLAGS)@plt", Demangler.demangle("_ZN2os6mallocEm8MEMFLAGS@plt"));
        assertEquals("foo() [clone .cold]@V1", Demangler.demangle("_Z3foov.cold@V1"));
        assertEquals("_Zbad@@V1", Demangler.demangle("_Zbad@@V1"));
        assertEquals("@@V1", Demangler.demangle("@@V1"));
    }

    @Test
    void nonMangledInputIsReturnedAsIs() {
        assertNull(Demangler.demangle(null));
        for (String s : new String[] {"", "_", "_Z", "main", "notmangled", "JVM_GetClassName", "__Z3foov",
            "_GLOBAL__sub_I_os.cpp", "_ZERO", "Java_java_lang_Object_hashCode"}) {
            assertEquals(s, Demangler.demangle(s));
        }
    }

    static List<String> hostileInputs() {
        List<String> list = new ArrayList<>(List.of("_ZN", "_ZNE", "_ZZ", "_Z1", "_Z0", "_Z1fIE", "_Z1fS_",
                "_Z1fT_", "_ZTV", "_ZTVT_", "_Zinvalid!", "_Z1fIT_EvT_", "_Z99999999999999999999foo",
                "_ZN4294967296aE", "_Z1fS99999999999999_", "_Z1fT99999999999_", "_Z1fILi", "_Z1fIX", "_ZGVZ"));
        list.add("_Z" + "Z".repeat(100_000));
        list.add("_Z1f" + "P".repeat(100_000) + "i");
        list.add("_Z1f" + "I1A".repeat(50_000) + "E".repeat(50_000));
        list.add("_ZN" + "1a".repeat(100_000) + "E");
        list.add("_Z1fIX" + "ng".repeat(100_000) + "Li1EEEvv");
        list.add("_Z1fIX" + "sr1AIX".repeat(200) + "E");
        list.add("_Z1f" + "A1_".repeat(100_000) + "i");
        list.add("_Z1f" + "Dp".repeat(100_000) + "T_");
        // Every function type mentions the previous one twice: the text doubles at each step.
        StringBuilder doubling = new StringBuilder("_Z1fPi");
        for (int i = 0; i < 64; i++) {
            doubling.append("FvS").append(i == 0 ? "" : Integer.toString(i - 1, 36).toUpperCase()).append('_')
                    .append('S').append(i == 0 ? "" : Integer.toString(i - 1, 36).toUpperCase()).append("_E");
        }
        list.add(doubling.toString());
        Random r = new Random(7);
        for (int i = 0; i < 200; i++) {
            StringBuilder sb = new StringBuilder(i % 2 == 0 ? "_Z" : "");
            int n = r.nextInt(i < 190 ? 64 : 200_000);
            for (int j = 0; j < n; j++) {
                sb.append((char) r.nextInt(i % 3 == 0 ? 0x10000 : 128));
            }
            list.add(sb.toString());
        }
        return list;
    }

    /** Runs on a small stack, as a thread pool might: depth limits must hold without a big one. */
    @Test
    void hostileInputNeitherThrowsNorHangs() throws Exception {
        List<String> inputs = hostileInputs();
        AtomicReference<Throwable> error = new AtomicReference<>();
        List<String> changed = new ArrayList<>();
        Thread t = new Thread(null, () -> {
            try {
                for (String s : inputs) {
                    String out = Demangler.demangle(s);
                    assertNotNull(out);
                    if (!out.equals(s) && s.length() > 1000) {
                        changed.add(s.substring(0, 40) + "... -> " + out.substring(0, Math.min(80, out.length())));
                    }
                }
            } catch (Throwable e) {
                error.set(e);
            }
        }, "demangler-hostile", 256 * 1024);
        t.start();
        t.join(20_000);
        if (t.isAlive()) {
            fail("demangling hostile input did not finish in 20 s");
        }
        if (error.get() != null) {
            throw new AssertionError("demangle threw", error.get());
        }
        assertTrue(changed.isEmpty(), "huge hostile input should come back unchanged: " + changed);
    }

    @Test
    void hostileInputComesBackUnchanged() {
        for (String s : new String[] {"_Z", "_ZN", "_Z" + "Z".repeat(100_000), "notmangled", "_Z1fT_"}) {
            assertEquals(s, Demangler.demangle(s));
        }
    }

    /** Mutated real symbols must fail cleanly inside the parser, not with a stray runtime exception. */
    @Test
    void mutatedSymbolsFailCleanly() {
        List<Pair> seeds = new ArrayList<>(DemanglerCorpusTest.load("curated.tsv"));
        seeds.addAll(DemanglerCorpusTest.load("quirks.tsv"));
        seeds.addAll(DemanglerCorpusTest.load("corpus-templates.tsv.gz").subList(0, 300));
        String alphabet = "_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.$";
        Random r = new Random(11);
        List<String> bugs = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            StringBuilder sb = new StringBuilder(seeds.get(r.nextInt(seeds.size())).mangled());
            for (int m = 1 + r.nextInt(3); m > 0 && sb.length() > 0; m--) {
                int at = r.nextInt(sb.length());
                switch (r.nextInt(4)) {
                    case 0 -> sb.deleteCharAt(at);
                    case 1 -> sb.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
                    case 2 -> sb.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
                    default -> sb.insert(at, sb.substring(at, Math.min(sb.length(), at + r.nextInt(12))));
                }
            }
            String s = sb.toString();
            if (!s.startsWith("_Z")) {
                continue;
            }
            try {
                DemanglerParser.demangle(s);
            } catch (DemanglerParser.Fail expected) {
                // The normal way to reject input.
            } catch (RuntimeException | StackOverflowError e) {
                if (bugs.size() < 10) {
                    bugs.add(s + " -> " + e);
                }
            }
        }
        assertTrue(bugs.isEmpty(), "unexpected exceptions:\n" + String.join("\n", bugs));
    }
}
