package dev.jjf.symbols;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns perf-map names into the form jjf shows, {@code pkg.Class.method(args)}: drops the JDK
 * dialect's return type and translates perf-map-agent's JVM descriptors.
 */
final class JavaNames {
    private static final String INLINE_SEPARATOR = "->";

    private JavaNames() {
    }

    /** Outermost-first chain of Java methods, or an empty list when {@code raw} is not Java code. */
    static List<String> methodChain(String raw) {
        if (!raw.contains(INLINE_SEPARATOR)) {
            String m = method(raw);
            return m == null ? List.of() : List.of(m);
        }
        List<String> chain = new ArrayList<>();
        int from = 0;
        while (true) {
            int at = raw.indexOf(INLINE_SEPARATOR, from);
            String part = raw.substring(from, at < 0 ? raw.length() : at);
            String m = method(part.strip());
            if (m == null) return List.of();
            chain.add(m);
            if (at < 0) break;
            from = at + INLINE_SEPARATOR.length();
        }
        return List.copyOf(chain);
    }

    /** One method name, or null when it is not a Java method. */
    static String method(String raw) {
        if (raw.startsWith("L") && raw.contains(";::")) return fromAgentDialect(raw);
        return fromJdkDialect(raw);
    }

    /** {@code [return-type ]pkg.Class.method(args)}; names like "StubRoutines (1)" are not methods. */
    private static String fromJdkDialect(String raw) {
        int open = raw.indexOf('(');
        if (open <= 0 || !raw.endsWith(")")) return null;
        int space = raw.lastIndexOf(' ', open);
        String qualified = raw.substring(space + 1, open);
        int dot = qualified.lastIndexOf('.');
        if (dot <= 0 || dot == qualified.length() - 1) return null;
        for (int i = 0; i < qualified.length(); i++) {
            char c = qualified.charAt(i);
            if (!(Character.isJavaIdentifierPart(c) || c == '.' || c == '<' || c == '>' || c == '/')) return null;
        }
        return qualified + raw.substring(open);
    }

    /** {@code Lpkg/Class;::method} with an optional descriptor {@code (I[J)V}. */
    private static String fromAgentDialect(String raw) {
        int sep = raw.indexOf(";::");
        String cls = raw.substring(1, sep).replace('/', '.');
        String rest = raw.substring(sep + 3);
        int open = rest.indexOf('(');
        if (open < 0) return cls + "." + rest;
        String method = rest.substring(0, open);
        int close = rest.indexOf(')', open);
        if (close < 0) return cls + "." + rest;
        String args = descriptorArgs(rest.substring(open + 1, close));
        return args == null ? cls + "." + rest : cls + "." + method + "(" + args + ")";
    }

    private static String descriptorArgs(String d) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < d.length()) {
            int dims = 0;
            while (i < d.length() && d.charAt(i) == '[') {
                dims++;
                i++;
            }
            if (i >= d.length()) return null;
            String type;
            char c = d.charAt(i);
            if (c == 'L') {
                int semi = d.indexOf(';', i);
                if (semi < 0) return null;
                type = d.substring(i + 1, semi).replace('/', '.');
                i = semi + 1;
            } else {
                type = switch (c) {
                    case 'Z' -> "boolean";
                    case 'B' -> "byte";
                    case 'C' -> "char";
                    case 'S' -> "short";
                    case 'I' -> "int";
                    case 'J' -> "long";
                    case 'F' -> "float";
                    case 'D' -> "double";
                    default -> null;
                };
                if (type == null) return null;
                i++;
            }
            if (out.length() > 0) out.append(", ");
            out.append(type).append("[]".repeat(dims));
        }
        return out.toString();
    }
}
