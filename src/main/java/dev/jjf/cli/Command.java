package dev.jjf.cli;

import java.io.PrintWriter;

/** A jjf command: declares what it accepts, and runs once the parser has set its fields from the command line. */
interface Command {
    /** This command's options and parameters, bound to this instance's fields. */
    CommandSpec spec();

    /** Runs the command: the exit code, or an exception that Main turns into a one-line message. */
    int call(PrintWriter out, PrintWriter err) throws Exception;
}
