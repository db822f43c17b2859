package dev.jjf.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Every {@code _Z} symbol of the installed libjvm, checked live against the installed c++filt.
 * Opt-in because it needs binutils and reflects whatever versions happen to be installed:
 * {@code mvn test -Dtest=DemanglerSystemTest -Djjf.demangler.system=true}.
 */
@EnabledIfSystemProperty(named = "jjf.demangler.system", matches = "true")
class DemanglerSystemTest {

    private static final String LIBJVM = System.getProperty("jjf.demangler.libjvm",
            System.getProperty("java.home") + "/lib/server/libjvm.so");

    @Test
    void agreesWithInstalledCppFiltOnAllOfLibjvm() {
        TreeSet<String> unique = new TreeSet<>();
        for (String line : run(null, "nm", LIBJVM)) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 0 && f[f.length - 1].startsWith("_Z")) {
                unique.add(f[f.length - 1]);
            }
        }
        List<String> symbols = new ArrayList<>(unique);
        assertTrue(symbols.size() > 10_000, "too few symbols in " + LIBJVM + ": " + symbols.size());
        List<String> expected = run(String.join("\n", symbols) + "\n", "c++filt");
        assertEquals(symbols.size(), expected.size());

        List<String> bad = new ArrayList<>();
        for (int i = 0; i < symbols.size(); i++) {
            String got = Demangler.demangle(symbols.get(i));
            if (!got.equals(expected.get(i))) {
                bad.add(symbols.get(i) + "\n    expected: " + expected.get(i) + "\n    actual:   " + got);
            }
        }
        String[] all = symbols.toArray(new String[0]);
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 30; round++) {
            long start = System.nanoTime();
            for (String s : all) {
                Demangler.demangle(s);
            }
            best = Math.min(best, System.nanoTime() - start);
        }
        System.out.printf("libjvm: %d symbols, %d differ from c++filt (%.3f%% agree); warm pass %.1f ms%n",
                all.length, bad.size(), 100.0 * (all.length - bad.size()) / all.length, best / 1e6);
        assertTrue(bad.size() <= all.length / 200, bad.size() + " mismatches, first:\n"
                + String.join("\n", bad.subList(0, Math.min(15, bad.size()))));
    }

    private static List<String> run(String stdin, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Thread feeder = new Thread(() -> {
                try (OutputStream out = p.getOutputStream()) {
                    if (stdin != null) {
                        out.write(stdin.getBytes(StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            feeder.start();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try (InputStream in = p.getInputStream()) {
                in.transferTo(buf);
            }
            feeder.join();
            assertEquals(0, p.waitFor(), String.join(" ", command) + " failed");
            return Arrays.asList(buf.toString(StandardCharsets.UTF_8).split("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
