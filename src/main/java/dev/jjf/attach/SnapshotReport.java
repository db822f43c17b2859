package dev.jjf.attach;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the perf-map agent says it did when attached with {@code dump=} or {@code prof_active=}:
 * the {@code report=} file, one {@code KEY VALUE} line each, ending with {@code ok} or
 * {@code error KIND MESSAGE}.
 */
public record SnapshotReport(Map<String, String> values, boolean ok, String errorKind, String errorMessage) {
    static final String HEADER = "jjf-perfmap-report 1";
    /** The error kind for a process whose jemalloc cannot profile (or that has none). */
    static final String NO_PROFILING = "no-profiling";

    public SnapshotReport {
        values = Map.copyOf(values);
    }

    /** Parses the report; null when the text is not one (an empty or foreign file). */
    static SnapshotReport parse(String text) {
        String[] lines = text.split("\n");
        if (lines.length == 0 || !lines[0].equals(HEADER)) return null;
        Map<String, String> values = new LinkedHashMap<>();
        boolean ok = false;
        String kind = null;
        String message = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int space = line.indexOf(' ');
            String key = space < 0 ? line : line.substring(0, space);
            String value = space < 0 ? "" : line.substring(space + 1);
            switch (key) {
                case "ok" -> ok = true;
                case "error" -> {
                    int second = value.indexOf(' ');
                    kind = second < 0 ? value : value.substring(0, second);
                    message = second < 0 ? "" : value.substring(second + 1);
                }
                default -> {
                    if (!key.isEmpty()) values.put(key, value);
                }
            }
        }
        return new SnapshotReport(values, ok && kind == null, kind, message);
    }

    /** True when the agent refused because the process's jemalloc cannot profile. */
    public boolean noProfiling() {
        return NO_PROFILING.equals(errorKind);
    }

    /** Whether jemalloc samples allocations now ({@code prof.active} after the agent's actions). */
    public Optional<Boolean> sampling() {
        return bool("prof.active");
    }

    /** {@code prof.active} before a switch, when the agent switched it. */
    public Optional<Boolean> samplingBefore() {
        return bool("prof.active.before");
    }

    /**
     * What became of the backtrace hook at this dump: {@code started} (from now on), {@code
     * running} (it already was), {@code off REASON}; empty from an agent that does not say.
     */
    public Optional<String> hook() {
        return Optional.ofNullable(values.get("hook"));
    }

    /** jemalloc's mean sample interval as a power of two ({@code prof.lg_sample}). */
    public Optional<Integer> lgSample() {
        try {
            return Optional.ofNullable(values.get("prof.lg_sample")).map(Integer::valueOf);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A file the agent wrote ({@code heap}, {@code map}), as a path in the JVM's file system. */
    Optional<String> file(String key) {
        return Optional.ofNullable(values.get(key));
    }

    private Optional<Boolean> bool(String key) {
        String v = values.get(key);
        return v == null ? Optional.empty() : Optional.of(Boolean.parseBoolean(v));
    }
}
