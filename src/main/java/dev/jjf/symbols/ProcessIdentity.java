package dev.jjf.symbols;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Which process a pid meant: its start time (clock ticks after boot, field 22 of /proc/PID/stat)
 * and the boot id. A pid is reused; these two together are not.
 *
 * @param startedMillis wall-clock time by which the process had started, when known: a perf map
 *     written before it belongs to an earlier process with the same pid
 */
public record ProcessIdentity(long pid, OptionalLong startTicks, Optional<String> bootId, OptionalLong startedMillis) {
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    /** Field 22 of /proc/PID/stat, counted from the field after the command name's ')'. */
    private static final int START_FIELD_AFTER_NAME = 22 - 3;
    /** Linux reports times in /proc in USER_HZ, 100 on every architecture jjf runs on. */
    private static final long MILLIS_PER_TICK = 10;
    /** /proc/stat's btime is whole seconds: a start time from it may be up to this much late. */
    private static final long BTIME_SLACK_MILLIS = 1000;

    /** Whether both name the same process; fields either side lacks are not compared, and one of start or boot must be compared. */
    public boolean sameAs(ProcessIdentity other) {
        boolean compared = false;
        if (startTicks.isPresent() && other.startTicks.isPresent()) {
            if (startTicks.getAsLong() != other.startTicks.getAsLong()) return false;
            compared = true;
        }
        if (bootId.isPresent() && other.bootId.isPresent()) {
            if (!bootId.get().equals(other.bootId.get())) return false;
            compared = true;
        }
        return compared;
    }

    /** The running process {@code pid} as this machine sees it now, if it exists. */
    public static Optional<ProcessIdentity> live(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[START_FIELD_AFTER_NAME]);
            Optional<String> boot = Optional.of(Files.readString(BOOT_ID, StandardCharsets.US_ASCII).strip());
            OptionalLong started = OptionalLong.empty();
            for (String line : Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("btime ")) {
                    started = OptionalLong.of(Long.parseLong(line.substring(6).strip()) * 1000 + ticks * MILLIS_PER_TICK - BTIME_SLACK_MILLIS);
                }
            }
            return Optional.of(new ProcessIdentity(pid, OptionalLong.of(ticks), boot, started));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Parses the "KEY=VALUE" fields after a tag ("# jjf-perfmap pid=1 start=2 boot=x", "# jjf-process ...
     * seen_ms=3"); empty when there is no valid pid.
     */
    static Optional<ProcessIdentity> parseFields(String fields) {
        Map<String, String> kv = new HashMap<>();
        for (String f : fields.strip().split("\\s+")) {
            int eq = f.indexOf('=');
            if (eq > 0 && eq < f.length() - 1) kv.put(f.substring(0, eq), f.substring(eq + 1));
        }
        try {
            long pid = Long.parseLong(kv.getOrDefault("pid", ""));
            OptionalLong start = kv.containsKey("start") ? OptionalLong.of(Long.parseLong(kv.get("start"))) : OptionalLong.empty();
            OptionalLong seen = kv.containsKey("seen_ms") ? OptionalLong.of(Long.parseLong(kv.get("seen_ms"))) : OptionalLong.empty();
            return Optional.of(new ProcessIdentity(pid, start, Optional.ofNullable(kv.get("boot")), seen));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
