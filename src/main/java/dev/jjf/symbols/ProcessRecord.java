package dev.jjf.symbols;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What jjf run's load-time auditor (native/audit) recorded about one process in
 * {@code DIR/build-ids.PID}: which process it was, and the GNU build id of every ELF file it loaded,
 * read from the file as the loader mapped it.
 *
 * @param buildIds path as the loader named it (and /proc/PID/maps lists it) to lowercase hex build id;
 *     files without one are left out
 */
public record ProcessRecord(Optional<ProcessIdentity> identity, Map<String, String> buildIds) {
    /** The record's file name before the pid. */
    public static final String PREFIX = "build-ids.";
    private static final String HEADER = "# jjf-process ";
    private static final String NO_BUILD_ID = "-";

    public ProcessRecord {
        buildIds = Map.copyOf(buildIds);
    }

    /** No record: nothing is known beyond the profile. */
    public static ProcessRecord none() {
        return new ProcessRecord(Optional.empty(), Map.of());
    }

    /** The record for {@code pid} in {@code dir}, if jjf run wrote one there. */
    public static Optional<ProcessRecord> in(Path dir, long pid) throws IOException {
        Path file = dir.resolve(PREFIX + pid);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        return Optional.of(parse(Files.readAllLines(file, StandardCharsets.UTF_8)));
    }

    /**
     * Writes a record that names the process only (no build ids), unless {@code dir} has one for its
     * pid: jjf snapshot knows the live JVM, and a later render of its output no longer can.
     */
    public static void writeIdentity(Path dir, ProcessIdentity p) throws IOException {
        Path file = dir.resolve(PREFIX + p.pid());
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return;
        StringBuilder line = new StringBuilder(HEADER).append("pid=").append(p.pid());
        p.startTicks().ifPresent(t -> line.append(" start=").append(t));
        p.bootId().ifPresent(b -> line.append(" boot=").append(b));
        p.startedMillis().ifPresent(m -> line.append(" seen_ms=").append(m));
        Files.writeString(file, line.append('\n'), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW);
    }

    /**
     * Parses a record. A pid can run several images (exec) or, rarely, be reused within one run: the
     * last header and the last id seen for a path win. Lines that fit no form are skipped: the file is
     * written by many processes at once and a killed one may leave a partial line.
     */
    static ProcessRecord parse(List<String> lines) {
        Optional<ProcessIdentity> identity = Optional.empty();
        Map<String, String> ids = new HashMap<>();
        for (String line : lines) {
            if (line.startsWith(HEADER)) {
                Optional<ProcessIdentity> id = ProcessIdentity.parseFields(line.substring(HEADER.length()));
                if (id.isPresent()) identity = id;
                continue;
            }
            int space = line.indexOf(' ');
            if (space <= 0 || space == line.length() - 1 || line.charAt(space + 1) != '/') continue;
            String id = line.substring(0, space);
            String path = line.substring(space + 1);
            if (id.equals(NO_BUILD_ID)) ids.remove(path);
            else if (id.chars().allMatch(c -> Character.digit(c, 16) >= 0)) ids.put(path, id.toLowerCase());
        }
        return new ProcessRecord(identity, ids);
    }
}
