package dev.jjf.symbols;

/**
 * The demangler without its last line of defence: {@link Demangler#demangle} turns any runtime
 * exception into "leave the name as it is", which would hide a crash from a fuzzer. Only the
 * parser's own "not a mangled name" signal is expected here.
 */
public final class DemanglerStrict {
    private DemanglerStrict() {
    }

    /** The demangled name without a version suffix, or null when it is not a mangled name. */
    public static String demangle(String symbol) {
        if (symbol == null || symbol.length() < 3) return null;
        int at = symbol.indexOf('@');
        String base = at < 0 ? symbol : symbol.substring(0, at);
        try {
            if (base.startsWith("_Z")) {
                String rust = DemanglerRust.demangleLegacy(base);
                return rust != null ? rust : DemanglerParser.demangle(base);
            }
            // _GLOBAL__I__Z…: a static initialiser keyed to a mangled name.
            boolean keyed = base.length() > 11 && base.startsWith("_GLOBAL_") && base.startsWith("_Z", 11);
            return keyed ? DemanglerParser.demangleKeyed(base.substring(11)) : null;
        } catch (DemanglerParser.Fail notMangled) {
            return null;
        }
    }
}
