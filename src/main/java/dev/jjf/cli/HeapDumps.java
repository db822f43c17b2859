package dev.jjf.cli;

import dev.jjf.heap.HeapDumpFormat;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.function.Consumer;

/** Heap dumps in a directory, for --latest: *.hprof and *.hprof.gz files that are heap dumps by content. */
final class HeapDumps {
    private HeapDumps() {
    }

    /** The newest heap dump in {@code dir} owned by the current user; others are reported and skipped. */
    static Optional<Path> newest(Path dir, Consumer<String> log) throws IOException {
        if (!Files.isDirectory(dir)) return Optional.empty();
        Path best = null;
        FileTime bestTime = null;
        String me = System.getProperty("user.name");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{hprof,hprof.gz}")) {
            for (Path p : files) {
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) continue;
                if (!Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName().equals(me)) {
                    log.accept("skipping " + p + ": owned by another user");
                    continue;
                }
                if (!HeapDumpFormat.isHeapDump(p)) continue;
                FileTime t = Files.getLastModifiedTime(p);
                if (bestTime == null || t.compareTo(bestTime) > 0) {
                    best = p;
                    bestTime = t;
                }
            }
        }
        return Optional.ofNullable(best);
    }
}
