package dev.jjf.cli;

/** A command line that does not parse: Main prints the one-line message and the command's usage, exit 2. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message, null, false, false);
    }
}
