package dev.jjf.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Help text in the layout picocli gave jjf: a synopsis, the description, then one row per parameter
 * and option (options in the order the command declares them), wrapped at 80 columns.
 */
final class Usage {
    static final int WIDTH = 80;
    private static final String PROGRAM = "jjf";
    /** Where long names and parameters start: after "  -o, ". */
    private static final int NAME_INDENT = 6;
    /** Names and labels longer than this push their description to the next line. */
    private static final int NAME_COLUMN_MAX = 20;
    private static final int GAP = 3;
    private static final int CONTINUATION_INDENT = 2;
    /** The synopsis lists flags before options with values, each group by name (picocli's order). */
    private static final Comparator<Option> SYNOPSIS_ORDER = Comparator.comparing((Option o) -> !o.isFlag())
            .thenComparing(o -> synopsisName(o).replaceFirst("^-+", ""));

    private Usage() {
    }

    /** {@code jjf COMMAND --help}. */
    static String of(CommandSpec spec) {
        StringBuilder out = new StringBuilder();
        synopsis(out, PROGRAM + " " + spec.name(), spec);
        for (String line : spec.description()) wrap(out, line, 0, 0);
        List<Row> rows = new ArrayList<>();
        for (Parameter p : spec.parameters()) rows.add(Row.of(p));
        for (Option o : spec.options()) rows.add(Row.of(o));
        table(out, rows);
        return out.toString();
    }

    /** {@code jjf --help}: jjf's own options, then each command with the first line of its description. */
    static String topLevel(String description, List<CommandSpec> commands) {
        StringBuilder out = new StringBuilder("Usage: " + PROGRAM + " [-hV] [COMMAND]\n");
        wrap(out, description, 0, 0);
        table(out, List.of(Row.of(CommandSpec.HELP), Row.of(CommandSpec.VERSION)));
        out.append("Commands:\n");
        int width = 0;
        for (CommandSpec c : commands) width = Math.max(width, c.name().length());
        for (CommandSpec c : commands) {
            String name = "  " + pad(c.name(), width + 2);
            out.append(name);
            wrap(out, c.description().isEmpty() ? "" : c.description().get(0), name.length(), name.length() + CONTINUATION_INDENT);
        }
        return out.toString();
    }

    /** {@code Usage: jjf render [-hV] [--annotate] … [--base=OLD] … [HEAP...]}, continued under the first item. */
    private static void synopsis(StringBuilder out, String command, CommandSpec spec) {
        List<String> items = new ArrayList<>();
        StringBuilder shortFlags = new StringBuilder();
        List<Option> others = new ArrayList<>();
        for (Option o : spec.options()) {
            if (o.isFlag() && o.shortName() != null) shortFlags.append(o.shortName().charAt(1));
            else others.add(o);
        }
        if (shortFlags.length() > 0) items.add("[-" + shortFlags + "]");
        others.sort(SYNOPSIS_ORDER);
        for (Option o : others) items.add("[" + synopsisName(o) + (o.isFlag() ? "" : "=" + o.label()) + "]");
        for (Parameter p : spec.parameters()) items.add(p.synopsis());
        String head = "Usage: " + command + " ";
        int lineStart = out.length();
        out.append(head);
        boolean first = true;
        for (String item : items) {
            if (!first && out.length() - lineStart + 1 + item.length() > WIDTH) {
                out.append('\n');
                lineStart = out.length();
                out.append(" ".repeat(head.length())).append(item);
            } else {
                out.append(first ? "" : " ").append(item);
            }
            first = false;
        }
        out.append('\n');
    }

    /** The name the synopsis shows: {@code -o} for {@code -o, --output}. */
    private static String synopsisName(Option o) {
        return o.shortName() != null ? o.shortName() : o.key();
    }

    /** One line of the table (more when the description wraps): {@code -o,}, {@code --output=FILE}, description. */
    private record Row(String shortName, String name, String description) {
        static Row of(Option o) {
            String shortName = o.shortName();
            String longName = null;
            for (String n : o.names()) {
                if (!n.equals(shortName)) longName = n;
            }
            String label = o.isFlag() ? "" : "=" + o.label();
            if (longName == null) return new Row("", shortName + label, o.description());
            return new Row(shortName == null ? "" : shortName + ",", longName + label, o.description());
        }

        static Row of(Parameter p) {
            return new Row("", p.synopsis(), p.description());
        }
    }

    /** The rows with their descriptions in one column, after the widest name (up to a limit). */
    private static void table(StringBuilder out, List<Row> rows) {
        int nameWidth = 0;
        for (Row r : rows) nameWidth = Math.max(nameWidth, r.name().length());
        int column = NAME_INDENT + Math.min(nameWidth, NAME_COLUMN_MAX) + GAP;
        for (Row r : rows) {
            String names = "  " + pad(r.shortName(), NAME_INDENT - 2) + r.name();
            if (names.length() + 1 > column) {
                out.append(names).append('\n');
                names = "";
            }
            out.append(pad(names, column));
            wrap(out, r.description(), column, column + CONTINUATION_INDENT);
        }
    }

    /**
     * Appends {@code text} (the cursor at column {@code first}) broken at spaces so that lines end by
     * column {@link #WIDTH}, continuing at column {@code indent}; only a text's last word may end in the
     * last column (picocli's rule). Runs of spaces inside a line are kept (attach's description is a
     * table); a word longer than a line stands alone.
     */
    private static void wrap(StringBuilder out, String text, int first, int indent) {
        int column = first;
        int n = text.length();
        int i = 0;
        boolean lineHasWords = false;
        while (true) {
            int wordStart = i;
            while (wordStart < n && text.charAt(wordStart) == ' ') wordStart++;
            if (wordStart == n) break;
            int wordEnd = wordStart;
            while (wordEnd < n && text.charAt(wordEnd) != ' ') wordEnd++;
            int spaces = wordStart - i;
            int end = column + spaces + wordEnd - wordStart;
            boolean last = text.substring(wordEnd).isBlank();
            if (lineHasWords && (end > WIDTH || end == WIDTH && !last)) {
                out.append('\n').append(" ".repeat(indent));
                column = indent;
                spaces = 0;
            }
            out.append(" ".repeat(spaces)).append(text, wordStart, wordEnd);
            column += spaces + wordEnd - wordStart;
            lineHasWords = true;
            i = wordEnd;
        }
        out.append('\n');
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
