package dev.jjf.cli;

/**
 * A positional parameter: the words that are not options fill a command's parameters in order, each
 * taking at least {@code min} and at most {@code max} of them. {@link Command#set} receives each
 * word under the label.
 */
record Parameter(String label, int min, int max, String description) {
    /** {@code max} of a parameter that takes every word left. */
    static final int UNBOUNDED = Integer.MAX_VALUE;

    Parameter {
        if (min < 0 || max < 1 || min > max) throw new IllegalArgumentException("arity " + min + ".." + max + " of " + label);
    }

    /** How usage shows it: {@code PID}, {@code [NEW]}, {@code COMMAND...}, {@code [HEAP...]}. */
    String synopsis() {
        String s = max > 1 ? label + "..." : label;
        return min == 0 ? "[" + s + "]" : s;
    }
}
