package dev.jjf.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies a command's words to its spec, the way picocli parsed jjf's command lines: options as
 * {@code --opt VALUE}, {@code --opt=VALUE}, {@code -o VALUE}, {@code -oVALUE} or {@code -o=VALUE}, flags
 * alone or clustered ({@code -hV}), anywhere among the positional words, which fill the parameters in
 * order; {@code --} makes every word after it positional.
 *
 * <p>An unknown option or a word too many is reported only once the whole line is read, so that
 * {@code --help} anywhere still gets help; a value that does not convert is reported at once.
 */
final class ArgsParser {
    /** What the command line asks for. */
    enum Request { RUN, HELP, VERSION }

    private static final String END_OF_OPTIONS = "--";
    private static final String BARE_FLAG = "true";

    private final CommandSpec spec;
    private final Command command;
    private final List<String> words;
    private final int[] filled;
    private final List<Option> given = new ArrayList<>();
    private int next;
    private int parameter;
    private boolean help;
    private boolean version;
    private String deferredError;

    private ArgsParser(CommandSpec spec, Command command, List<String> words) {
        this.spec = spec;
        this.command = command;
        this.words = words;
        this.filled = new int[spec.parameters().size()];
    }

    /**
     * Gives {@code command} the values in {@code words} (the arguments after the command's name), as
     * {@code spec} (the command's) describes them.
     */
    static Request parse(CommandSpec spec, Command command, List<String> words) {
        return new ArgsParser(spec, command, words).parse();
    }

    private Request parse() {
        boolean optionsEnded = false;
        while (next < words.size()) {
            String word = words.get(next++);
            if (optionsEnded) {
                positional(word);
            } else if (word.equals(END_OF_OPTIONS)) {
                optionsEnded = true;
            } else if (!looksLikeOption(word)) {
                positional(word);
            } else if (!option(word)) {
                if (spec.unknownOptionsAreParameters()) positional(word);
                else defer("Unknown option: '" + word + "'");
            }
        }
        if (help) return Request.HELP;
        if (version) return Request.VERSION;
        if (deferredError != null) throw new UsageException(deferredError);
        checkRequiredParameters();
        return Request.RUN;
    }

    /**
     * Applies {@code word} as an option, with its value; false (and nothing applied) when it is none of
     * the command's options.
     */
    private boolean option(String word) {
        Option exact = spec.option(word);
        if (exact != null) {
            apply(exact, exact.isFlag() ? BARE_FLAG : valueAfter(exact));
            return true;
        }
        int equals = word.indexOf('=');
        if (word.startsWith("--")) {
            Option named = equals < 0 ? null : spec.option(word.substring(0, equals));
            if (named == null) return false;
            apply(named, word.substring(equals + 1));
            return true;
        }
        return shortOptions(word);
    }

    /** {@code -hV}: one-letter flags, the last of them perhaps one that takes the rest ({@code -ofile}). */
    private boolean shortOptions(String word) {
        List<Option> cluster = new ArrayList<>();
        int end = 1;
        while (end < word.length()) {
            Option o = spec.shortOption(word.charAt(end++));
            if (o == null) return false;
            cluster.add(o);
            if (!o.isFlag()) break;
        }
        // Nothing is applied until the whole word is known to be options: attach passes it on otherwise.
        for (Option o : cluster) {
            if (o.isFlag()) {
                apply(o, BARE_FLAG);
            } else {
                String attached = word.substring(end);
                if (attached.startsWith("=")) attached = attached.substring(1);
                apply(o, attached.isEmpty() ? valueAfter(o) : attached);
            }
        }
        return true;
    }

    /** The next word as the value of {@code o}, which must not be an option itself. */
    private String valueAfter(Option o) {
        if (next == words.size()) throw new UsageException(missingValue(o));
        String value = words.get(next);
        if (isOption(value)) throw new UsageException(missingValue(o) + ": found option '" + value + "'");
        next++;
        return value;
    }

    private static String missingValue(Option o) {
        return "Missing value for option '" + o.key() + "' (" + o.label() + ")";
    }

    /** A word that names one of the command's options, which a value may not be unless attached with '='. */
    private boolean isOption(String word) {
        if (word.equals(END_OF_OPTIONS) || spec.option(word) != null) return true;
        int equals = word.indexOf('=');
        return word.startsWith("--") && equals > 0 && spec.option(word.substring(0, equals)) != null;
    }

    private void apply(Option o, String value) {
        try {
            if (o == CommandSpec.HELP) {
                help = Values.toBoolean(value);
            } else if (o == CommandSpec.VERSION) {
                version = Values.toBoolean(value);
            } else {
                if (wasGiven(o)) throw new UsageException("Option '" + o.key() + "' may be given only once");
                given.add(o);
                command.set(o.key(), value);
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException("Invalid value for option '" + o.key() + "': " + e.getMessage());
        }
    }

    /**
     * By identity: a spec holds each option once, and a record's equals is linked by an
     * invokedynamic bootstrap on first use, about 30 ms of every start-up.
     */
    private boolean wasGiven(Option o) {
        for (Option g : given) {
            if (g == o) return true;
        }
        return false;
    }

    private void positional(String word) {
        List<Parameter> parameters = spec.parameters();
        while (parameter < parameters.size() && filled[parameter] == parameters.get(parameter).max()) parameter++;
        if (parameter == parameters.size()) {
            defer("Unexpected argument: '" + word + "'");
            return;
        }
        Parameter p = parameters.get(parameter);
        filled[parameter]++;
        try {
            command.set(p.label(), word);
        } catch (IllegalArgumentException e) {
            throw new UsageException("Invalid value for " + p.label() + ": " + e.getMessage());
        }
    }

    private void checkRequiredParameters() {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < filled.length; i++) {
            Parameter p = spec.parameters().get(i);
            if (filled[i] < p.min()) missing.add("'" + p.label() + "'");
        }
        if (missing.size() == 1) throw new UsageException("Missing required parameter: " + missing.get(0));
        if (!missing.isEmpty()) throw new UsageException("Missing required parameters: " + String.join(", ", missing));
    }

    private void defer(String error) {
        if (deferredError == null) deferredError = error;
    }

    /** Starts with '-', and is neither '-' alone (a file name by convention) nor a negative number. */
    private static boolean looksLikeOption(String word) {
        if (word.length() < 2 || word.charAt(0) != '-') return false;
        char second = word.charAt(1);
        return !(Character.isDigit(second) || second == '.');
    }
}
