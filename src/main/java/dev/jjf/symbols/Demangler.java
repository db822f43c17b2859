package dev.jjf.symbols;

/** Turns Itanium C++ ABI mangled names into readable C++ names. */
public final class Demangler {

    private Demangler() {
    }

    /**
     * Returns the demangled name, or the input unchanged when it is not a mangled name or cannot be
     * parsed. Never throws, never hangs.
     */
    public static String demangle(String symbol) {
        if (symbol == null || symbol.length() < 3) {
            return symbol;
        }
        try {
            // ELF symbol versions (foo@@GLIBCXX_3.4) are not part of the mangling; keep them verbatim.
            int at = symbol.indexOf('@');
            String base = at < 0 ? symbol : symbol.substring(0, at);
            String out = demangleBase(base);
            if (out == null) {
                return symbol;
            }
            return at < 0 ? out : out + symbol.substring(at);
        } catch (RuntimeException | StackOverflowError e) {
            // Input is bounded in depth and output size, so this is only a last line of defence.
            return symbol;
        }
    }

    private static String demangleBase(String s) {
        if (s.startsWith("_Z")) {
            String rust = DemanglerRust.demangleLegacy(s);
            return rust != null ? rust : DemanglerParser.demangle(s);
        }
        // Old-style static initialiser names; the newer _GLOBAL__sub_I_ form is left alone, like c++filt does.
        if (s.length() > 11 && s.startsWith("_GLOBAL_") && "._$".indexOf(s.charAt(8)) >= 0
                && (s.charAt(9) == 'I' || s.charAt(9) == 'D') && s.charAt(10) == '_') {
            String what = s.charAt(9) == 'I' ? "global constructors keyed to " : "global destructors keyed to ";
            String rest = s.substring(11);
            if (rest.startsWith("_Z")) {
                String d = DemanglerParser.demangleKeyed(rest);
                return d == null ? null : what + d;
            }
            return what + rest;
        }
        return null;
    }
}
