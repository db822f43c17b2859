package dev.jjf.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jjf.symbols.Demangler;
import dev.jjf.symbols.DemanglerStrict;
import java.nio.charset.StandardCharsets;

/**
 * Symbol names as an ELF string table holds them (any bytes, read as UTF-8): the demangler must
 * end, throw nothing even with its safety net removed, and keep its output bounded.
 */
class DemanglerFuzzTest {
    /** DemanglerPrinter stops after this many characters of work; the output cannot be longer. */
    private static final int MAX_OUTPUT = 1 << 21;

    @FuzzTest
    void demangle(byte[] data) {
        check(data);
    }

    static void check(byte[] data) {
        String symbol = new String(data, StandardCharsets.UTF_8);
        Oracle.check(Targets.DEMANGLER, data, data.length, () -> {
            String strict = DemanglerStrict.demangle(symbol);
            String shown = Demangler.demangle(symbol);
            assertTrue(shown != null, "null name");
            assertTrue(shown.length() <= MAX_OUTPUT + symbol.length(), "output of " + shown.length() + " characters");
            if (strict != null && symbol.startsWith("_Z")) {
                assertTrue(shown.startsWith(strict), "strict '" + strict + "', shown '" + shown + "'");
            }
        });
    }
}
