package dev.jjf.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * What one command accepts and how its help describes it. Options are in the order help lists them,
 * ending with {@link #HELP} and {@link #VERSION}, which every command has.
 *
 * @param name the command's name after {@code jjf}
 * @param description help's paragraph under the synopsis, one entry per line (each wrapped on its own)
 * @param unknownOptionsAreParameters words that look like options but are none of the command's go to
 *        its parameters (attach: the diagnostic command's own options) instead of being refused
 */
record CommandSpec(String name, List<String> description, List<Option> options, List<Parameter> parameters,
        boolean unknownOptionsAreParameters) {
    static final Option HELP = new Option(List.of("-h", "--help"), null, "Show this help message and exit.");
    static final Option VERSION = new Option(List.of("-V", "--version"), null, "Print version information and exit.");
    /** In a description, stands for the option's default value (picocli's placeholder). */
    static final String DEFAULT_VALUE = "${DEFAULT-VALUE}";

    CommandSpec {
        description = List.copyOf(description);
        options = List.copyOf(options);
        parameters = List.copyOf(parameters);
    }

    static Builder builder(String name, String... description) {
        return new Builder(name, List.of(description));
    }

    /** The option with this exact name, or null. */
    Option option(String name) {
        for (Option o : options) {
            for (String n : o.names()) {
                if (n.equals(name)) return o;
            }
        }
        return null;
    }

    /** The option whose one-letter name is this letter, or null. */
    Option shortOption(char letter) {
        for (Option o : options) {
            String s = o.shortName();
            if (s != null && s.charAt(1) == letter) return o;
        }
        return null;
    }

    /** Collects a command's options and parameters in the order its code declares them. */
    static final class Builder {
        private final String name;
        private final List<String> description;
        private final List<Option> options = new ArrayList<>();
        private final List<Parameter> parameters = new ArrayList<>();
        private boolean unknownOptionsAreParameters;

        private Builder(String name, List<String> description) {
            this.name = name;
            this.description = description;
        }

        /** An option that takes a value ({@code --name VALUE} or {@code --name=VALUE}). */
        Builder option(String name, String label, String description) {
            return option(List.of(name), label, description);
        }

        /**
         * An option with a value whose description shows its default in place of {@link #DEFAULT_VALUE}.
         */
        Builder option(String name, String label, String description, Object defaultValue) {
            return option(List.of(name), label, description.replace(DEFAULT_VALUE, String.valueOf(defaultValue)));
        }

        Builder option(List<String> names, String label, String description) {
            options.add(new Option(names, label, description));
            return this;
        }

        /** An option without a value; {@code --name=false} is accepted too, as picocli did. */
        Builder flag(String name, String description) {
            return option(List.of(name), null, description);
        }

        Builder parameter(String label, int min, int max, String description) {
            parameters.add(new Parameter(label, min, max, description));
            return this;
        }

        Builder unknownOptionsAreParameters() {
            unknownOptionsAreParameters = true;
            return this;
        }

        CommandSpec build() {
            List<Option> all = new ArrayList<>(options);
            all.add(HELP);
            all.add(VERSION);
            return new CommandSpec(name, description, all, parameters, unknownOptionsAreParameters);
        }
    }
}
