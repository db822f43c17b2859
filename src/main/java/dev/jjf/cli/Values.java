package dev.jjf.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Converts option and parameter text to the types the commands use. A failure is an
 * IllegalArgumentException whose message says what the text is not; the parser adds which option.
 */
final class Values {
    private Values() {
    }

    static int toInt(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not an integer" + (isInteger(text) ? " in range" : ""));
        }
    }

    static long toLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not an integer" + (isInteger(text) ? " in range" : ""));
        }
    }

    static double toDouble(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number");
        }
    }

    /** true or false in any case, as picocli accepted. */
    static boolean toBoolean(String text) {
        if (text.equalsIgnoreCase("true")) return true;
        if (text.equalsIgnoreCase("false")) return false;
        throw new IllegalArgumentException("'" + text + "' is not a boolean (true or false)");
    }

    static Path toPath(String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + text + "' is not a path: " + e.getReason());
        }
    }

    /** The constant named exactly {@code text} (case matters, as it did with picocli). */
    static <E extends Enum<E>> E oneOf(E[] constants, String text) {
        StringBuilder names = new StringBuilder();
        for (E e : constants) {
            if (e.name().equals(text)) return e;
            names.append(names.length() == 0 ? "" : ", ").append(e.name());
        }
        throw new IllegalArgumentException("expected one of [" + names + "] but was '" + text + "'");
    }

    private static boolean isInteger(String text) {
        int start = text.startsWith("-") || text.startsWith("+") ? 1 : 0;
        if (text.length() == start) return false;
        for (int i = start; i < text.length(); i++) {
            if (!Character.isDigit(text.charAt(i))) return false;
        }
        return true;
    }
}
