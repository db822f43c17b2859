package dev.jjf.attach;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code GC.heap_dump} diagnostic command: which options a JVM offers (read from its own
 * {@code help GC.heap_dump}, so no table of JDK versions can be wrong) and the command line for one dump.
 */
final class GcHeapDump {
    /** What HotSpot prints when the dump was written; it answers status 0 for failures too. */
    static final String CREATED = "Heap dump file created";
    static final String NAME = "GC.heap_dump";
    /** An option line of jcmd help: a tab, the option, " : ". */
    private static final Pattern OPTION = Pattern.compile("^\\s+(-[a-z]+)\\s*:", Pattern.MULTILINE);

    private GcHeapDump() {
    }

    /**
     * Whether a path character reaches the JVM unchanged: jcmd splits on spaces and takes quotes,
     * and JDK 23+ expands {@code %p} in file names.
     */
    static boolean safe(int c) {
        return !Character.isWhitespace(c) && c != '"' && c != '\'' && c != '%' && c != '\\';
    }

    /** Whether the whole path is {@link #safe}. */
    static boolean safe(String path) {
        return path.chars().allMatch(GcHeapDump::safe);
    }

    /** The options one JVM's {@code GC.heap_dump} takes ({@code -all}, {@code -gz}, {@code -parallel}, …). */
    record Options(boolean heapDump, Set<String> names) {
        Options {
            names = Set.copyOf(names);
        }

        static Options parse(String help) {
            Set<String> names = new TreeSet<>();
            Matcher m = OPTION.matcher(help);
            while (m.find()) names.add(m.group(1));
            return new Options(help.contains(NAME), names);
        }

        boolean gz() {
            return names.contains("-gz");
        }

        boolean parallel() {
            return names.contains("-parallel");
        }

        boolean all() {
            return names.contains("-all");
        }
    }

    /**
     * The one jcmd argument: HotSpot splits it on spaces itself, so the path must have none (callers
     * choose paths without spaces; {@link DumpPlacement} sees to it).
     *
     * @param compressLevel 1-9, or 0 for none
     * @param parallelThreads 0 for the JVM's default
     */
    static String of(int compressLevel, int parallelThreads, boolean all, String path) {
        if (!safe(path)) {
            throw new IllegalArgumentException("a path with spaces, quotes or % does not survive jcmd's argument splitting: " + path);
        }
        List<String> words = new ArrayList<>(List.of(NAME));
        if (all) words.add("-all");
        if (compressLevel > 0) words.add("-gz=" + compressLevel);
        if (parallelThreads > 0) words.add("-parallel=" + parallelThreads);
        words.add(path);
        return String.join(" ", words);
    }
}
