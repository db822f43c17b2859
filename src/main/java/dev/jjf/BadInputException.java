package dev.jjf;

import java.nio.file.Path;

/**
 * The one documented failure for input the user gave us: names the file (and line when known)
 * so the CLI can print a single line and exit non-zero.
 */
public final class BadInputException extends RuntimeException {
    private final transient Path file;
    private final long line;

    public BadInputException(Path file, long line, String message) {
        super(message);
        this.file = file;
        this.line = line;
    }

    public BadInputException(Path file, String message) {
        this(file, 0, message);
    }

    public BadInputException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
        this.line = 0;
    }

    /** The offending file, or null when the input was not a file. */
    public Path file() {
        return file;
    }

    /** One-based line number, or 0 when the error is not tied to a line. */
    public long line() {
        return line;
    }

    /** "file:line: message", the form printed to the user. */
    public String userMessage() {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file);
            if (line > 0) sb.append(':').append(line);
            sb.append(": ");
        }
        return sb.append(getMessage()).toString();
    }
}
