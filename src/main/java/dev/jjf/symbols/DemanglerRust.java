package dev.jjf.symbols;

/**
 * Rust's legacy mangling: Itanium-shaped {@code _ZN...E} paths ending in a {@code 17h<16 hex>}
 * hash segment, with {@code $LT$}-style escapes inside identifiers. JNI libraries written in Rust
 * use it, and c++filt recognises it before trying C++, so we do the same to print what it prints.
 */
final class DemanglerRust {

    private DemanglerRust() {
    }

    /** The demangled path, or null when the symbol is not a legacy Rust symbol. */
    static String demangleLegacy(String s) {
        if (!s.startsWith("_ZN")) {
            return null;
        }
        // The path ends at an 'E' that is either last or followed by a '.suffix' (LLVM, GCC clones).
        int end = s.length();
        boolean dotAfter = true;
        while (end > 3 && !(dotAfter && s.charAt(end - 1) == 'E')) {
            dotAfter = s.charAt(end - 1) == '.';
            end--;
        }
        if (end <= 3 || s.charAt(end - 1) != 'E') {
            return null;
        }
        end--;
        // Cheap shape test first: almost every C++ symbol fails it.
        if (end - 3 <= 19 || !s.startsWith("17h", end - 19)) {
            return null;
        }
        for (int i = 3; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isAlnum(c) && c != '_' && c != '$' && c != '.' && c != ':' && c != '@') {
                return null;
            }
        }
        // First pass validates the shape, second pass prints.
        int pos = 3;
        int lastStart = -1;
        while (pos < end) {
            int len = 0;
            int digits = pos;
            while (digits < end && s.charAt(digits) >= '0' && s.charAt(digits) <= '9') {
                len = len * 10 + (s.charAt(digits) - '0');
                if (len > end) {
                    return null;
                }
                digits++;
            }
            if (digits == pos || digits + len > end) {
                return null;
            }
            lastStart = digits;
            pos = digits + len;
        }
        if (!isHash(s, lastStart, end)) {
            return null;
        }
        StringBuilder out = new StringBuilder(end);
        pos = 3;
        while (pos < end) {
            int len = 0;
            while (s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                len = len * 10 + (s.charAt(pos++) - '0');
            }
            if (out.length() > 0) {
                out.append("::");
            }
            appendIdent(out, s, pos, pos + len);
            pos += len;
        }
        return out.toString();
    }

    private static boolean isHash(String s, int from, int to) {
        if (to - from != 17 || s.charAt(from) != 'h') {
            return false;
        }
        for (int i = from + 1; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static void appendIdent(StringBuilder out, String s, int from, int to) {
        // rustc prefixes '_' so an identifier never starts with an escape; it is not part of the name.
        if (to - from >= 2 && s.charAt(from) == '_' && s.charAt(from + 1) == '$') {
            from++;
        }
        int i = from;
        while (i < to) {
            char c = s.charAt(i);
            if (c == '$') {
                int len = escapeLength(s, i, to);
                if (len == 0) {
                    // Not an escape we know: the rest goes out verbatim.
                    out.append(s, i, to);
                    return;
                }
                out.append(unescape(s, i, len));
                i += len;
            } else if (c == '.') {
                if (i + 1 < to && s.charAt(i + 1) == '.') {
                    out.append("::");
                    i += 2;
                } else {
                    out.append('.');
                    i++;
                }
            } else {
                out.append(c);
                i++;
            }
        }
    }

    /** Length of the escape at {@code i} ({@code $C$}, {@code $LT$}, {@code $u7e$}...), or 0. */
    private static int escapeLength(String s, int i, int to) {
        int n = to - i - 1;
        if (n < 2) {
            return 0;
        }
        int inner;
        if (s.charAt(i + 1) == 'C') {
            inner = 1;
        } else if (n > 2 && s.charAt(i + 1) == 'u' && n > 3) {
            int hi = lowerHex(s.charAt(i + 2));
            int lo = lowerHex(s.charAt(i + 3));
            int c = hi << 4 | lo;
            if (hi < 0 || lo < 0 || hi > 7 || c < 0x20) {
                return 0;
            }
            inner = 3;
        } else if (n > 2 && twoLetter(s.charAt(i + 1), s.charAt(i + 2)) != 0) {
            inner = 2;
        } else {
            return 0;
        }
        if (n <= inner || s.charAt(i + 1 + inner) != '$') {
            return 0;
        }
        return inner + 2;
    }

    private static char unescape(String s, int i, int len) {
        if (len == 3) {
            return ',';
        }
        if (len == 5) {
            return (char) (lowerHex(s.charAt(i + 2)) << 4 | lowerHex(s.charAt(i + 3)));
        }
        return twoLetter(s.charAt(i + 1), s.charAt(i + 2));
    }

    private static char twoLetter(char a, char b) {
        switch ("" + a + b) {
            case "SP": return '@';
            case "BP": return '*';
            case "RF": return '&';
            case "LT": return '<';
            case "GT": return '>';
            case "LP": return '(';
            case "RP": return ')';
            default: return 0;
        }
    }

    private static int lowerHex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }

    private static boolean isAlnum(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
