package dev.jjf.cli;

import java.util.List;

/**
 * One option of a command: its names ({@code -o}, {@code --output}), the label of its value (null for a
 * flag), its help text, and what a value given on the command line does.
 */
record Option(List<String> names, String label, String description, Setter setter) {
    /** Takes an option's or a parameter's text; throws IllegalArgumentException, saying why, when it does not convert. */
    interface Setter {
        void set(String value);
    }

    /** Takes a flag's value: true when it is given bare, or what {@code --flag=true|false} says. */
    interface FlagSetter {
        void set(boolean on);
    }

    Option {
        names = List.copyOf(names);
    }

    boolean isFlag() {
        return label == null;
    }

    /** The name messages quote: the longest, as picocli did ({@code --output}, not {@code -o}). */
    String longestName() {
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
