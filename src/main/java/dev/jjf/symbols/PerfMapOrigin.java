package dev.jjf.symbols;

import dev.jjf.profile.Mapping;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a perf map belongs to the process whose profile it is paired with. Maps are found by pid,
 * and a pid is reused: a map left by an earlier process would name code that is not there. jjf's
 * agent starts its maps with {@code # jjf-perfmap pid=P start=TICKS boot=UUID}; the JDK's own maps
 * carry no such line, and are judged by their time and their addresses.
 */
public final class PerfMapOrigin {
    /** The first bytes of the agent's header line. */
    static final String TAG = "# jjf-perfmap";
    private static final byte[] TAG_BYTES = TAG.getBytes(StandardCharsets.US_ASCII);
    /** Only the head of a map is read: the header and the first entries. */
    private static final int HEAD_BYTES = 64 * 1024;
    /** Entries whose addresses are compared with the profile's memory map. */
    private static final int ADDRESSES_CHECKED = 32;

    private PerfMapOrigin() {
    }

    /** True when the line is the agent's header (the reader skips it). */
    static boolean isHeader(byte[] b, int from, int to) {
        if (to - from < TAG_BYTES.length) return false;
        for (int i = 0; i < TAG_BYTES.length; i++) {
            if (b[from + i] != TAG_BYTES[i]) return false;
        }
        return to - from == TAG_BYTES.length || b[from + TAG_BYTES.length] == ' ';
    }

    /** The process named by the map's header line, if it has one. */
    public static Optional<ProcessIdentity> writer(Path map) throws IOException {
        return head(map).writer;
    }

    /**
     * Why {@code map} is not the perf map of the profile's process, or empty when nothing says so.
     *
     * @param profilePid the pid in the profile's file name, or -1 when the name has none
     * @param process the profile's process when known (jjf run's record, or the live process of a snapshot)
     * @param mappings the profile's memory map
     * @param profileMillis the profile file's modification time
     * @param finalDump true for a dump written at exit (the JDK writes its map before that)
     */
    public static Optional<String> whyStale(Path map, long profilePid, Optional<ProcessIdentity> process,
                                            List<Mapping> mappings, long profileMillis, boolean finalDump) throws IOException {
        Head head = head(map);
        long mapMillis = Files.getLastModifiedTime(map).toMillis();
        if (head.writer.isPresent()) {
            ProcessIdentity w = head.writer.get();
            if (process.isPresent() && !w.sameAs(process.get())) {
                return Optional.of("written by another process (pid " + w.pid() + describe(w) + ", the profile's is pid "
                        + process.get().pid() + describe(process.get()) + ")");
            }
            if (process.isEmpty() && profilePid >= 0 && w.pid() != profilePid) {
                return Optional.of("written by pid " + w.pid() + ", not by pid " + profilePid);
            }
        } else {
            if (process.isPresent() && process.get().startedMillis().isPresent() && mapMillis < process.get().startedMillis().getAsLong()) {
                return Optional.of("written before pid " + process.get().pid() + " started: it is an earlier process's");
            }
            if (process.isEmpty() && !finalDump && mapMillis < profileMillis) {
                return Optional.of("older than the profile (it describes an earlier process, or code from before the dump)");
            }
        }
        if (!mappings.isEmpty() && !head.starts.isEmpty() && head.starts.stream().noneMatch(a -> inside(mappings, a))) {
            return Optional.of("none of its first " + head.starts.size() + " code addresses lies in the profile's memory map:"
                    + " it belongs to another process");
        }
        return Optional.empty();
    }

    private static String describe(ProcessIdentity p) {
        return p.startTicks().isPresent() ? ", started at tick " + p.startTicks().getAsLong() : "";
    }

    private static boolean inside(List<Mapping> mappings, long address) {
        for (Mapping m : mappings) {
            if (Long.compareUnsigned(address, m.start()) >= 0 && Long.compareUnsigned(address, m.end()) < 0) return true;
        }
        return false;
    }

    private record Head(Optional<ProcessIdentity> writer, List<Long> starts) {
    }

    private static Head head(Path map) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(map)) {
            bytes = in.readNBytes(HEAD_BYTES);
        }
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n", -1);
        Optional<ProcessIdentity> writer = Optional.empty();
        List<Long> starts = new ArrayList<>();
        // The last piece may be a cut line: only whole lines count.
        for (int i = 0; i < lines.length - 1 && starts.size() < ADDRESSES_CHECKED; i++) {
            String line = lines[i];
            if (i == 0 && isHeader(bytes, 0, line.length())) {
                writer = ProcessIdentity.parseFields(line.substring(TAG.length()));
                continue;
            }
            String first = line.strip().split("\\s+", 2)[0];
            if (first.startsWith("0x") || first.startsWith("0X")) first = first.substring(2);
            if (first.isEmpty() || first.length() > 16) continue;
            try {
                long start = Long.parseUnsignedLong(first, 16);
                // The agent's synthetic blocks (interpreted methods, compilations) lie above 2^63, in no mapping.
                if (start >= 0) starts.add(start);
            } catch (NumberFormatException e) {
                // not an entry: the reader warns about such lines
            }
        }
        return new Head(writer, starts);
    }
}
