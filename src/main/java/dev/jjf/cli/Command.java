package dev.jjf.cli;

import java.io.PrintWriter;

/**
 * A jjf command: declares what it accepts, takes the values the parser found, then runs.
 *
 * <p>Values go through one {@code set} per command rather than a lambda per option: each lambda is a
 * class generated at start-up, about 2 ms apiece in a cold JVM, and render alone has 17 options.
 */
interface Command {
    /** This command's options and parameters, in the order help lists them. */
    CommandSpec spec();

    /**
     * Converts and stores one value: {@code key} is an option's {@link Option#key()} (a flag gets
     * "true", or what followed its '='), or a parameter's label (once per word). Throws
     * IllegalArgumentException, saying what the value is not, when it does not convert.
     */
    void set(String key, String value);

    /** Runs the command: the exit code, or an exception that Main turns into a one-line message. */
    int call(PrintWriter out, PrintWriter err) throws Exception;

    /** For the last case of {@code set}: a key it does not store (a bug in jjf, not in the command line). */
    static IllegalStateException unknownKey(String key) {
        return new IllegalStateException("no field for " + key);
    }
}
