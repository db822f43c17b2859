package dev.jjf.cli;

import java.util.List;

/**
 * One option of a command: its names ({@code -o}, {@code --output}), the label of its value (null for a
 * flag) and its help text. The parser hands its values to {@link Command#set} under {@link #key()}.
 */
record Option(List<String> names, String label, String description) {
    Option {
        names = List.copyOf(names);
    }

    boolean isFlag() {
        return label == null;
    }

    /** The longest name: the one Command.set receives and messages quote ({@code --output}, not {@code -o}). */
    String key() {
        String longest = names.get(0);
        for (String n : names) {
            if (n.length() > longest.length()) longest = n;
        }
        return longest;
    }

    /** The one-letter name ({@code -o}), or null. */
    String shortName() {
        for (String n : names) {
            if (n.length() == 2 && n.charAt(0) == '-' && n.charAt(1) != '-') return n;
        }
        return null;
    }
}
