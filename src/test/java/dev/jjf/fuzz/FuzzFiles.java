package dev.jjf.fuzz;

import dev.jjf.profile.Mapping;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Files the fuzz targets need on disk, in one private temp directory removed at exit. Paths in
 * fuzzed profiles are replaced by these, so a fuzzer-made path never reaches the file system.
 */
final class FuzzFiles {
    /** A real gcc-built library (the ELF target's seed): symbols, build-id, debug link. */
    static final String TINY_LIBRARY = "/dev/jjf/fuzz/ElfFuzzTestInputs/open/libtiny-linked.so";

    private static final Path DIR;
    private static final Path TINY;
    private static final Path KEPT_DIR;
    private static final Path NOT_ELF;

    static {
        try {
            DIR = Files.createTempDirectory("jjf-fuzz");
            Runtime.getRuntime().addShutdownHook(new Thread(FuzzFiles::deleteAll));
            TINY = DIR.resolve("libtiny.so");
            try (InputStream in = FuzzFiles.class.getResourceAsStream(TINY_LIBRARY)) {
                if (in == null) throw new IllegalStateException("missing test resource " + TINY_LIBRARY);
                Files.copy(in, TINY);
            }
            KEPT_DIR = Files.createDirectory(DIR.resolve("libs"));
            Files.copy(TINY, KEPT_DIR.resolve("libtiny.so"));
            NOT_ELF = Files.writeString(DIR.resolve("libtext.so"), "not an ELF file\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private FuzzFiles() {
    }

    static Path dir() {
        return DIR;
    }

    static Path tinyLibrary() {
        return TINY;
    }

    /** Where `jjf run` would have kept copies of deleted libraries. */
    static Path libs() {
        return KEPT_DIR;
    }

    /**
     * The mappings with every file path replaced, chosen by the original path: the real library,
     * its kept copy after deletion, a file that is not ELF, one that is gone, one deleted without
     * a copy. Anonymous mappings stay as they are.
     */
    static List<Mapping> tame(List<Mapping> mappings) {
        List<Mapping> out = new ArrayList<>(mappings.size());
        for (Mapping m : mappings) {
            if (m.isAnonymous()) {
                out.add(m);
                continue;
            }
            String path = switch (Math.floorMod(m.path().hashCode(), 5)) {
                case 0 -> TINY.toString();
                case 1 -> "/gone/libtiny.so (deleted)";
                case 2 -> NOT_ELF.toString();
                case 3 -> DIR.resolve("missing").resolve(m.fileName().isEmpty() ? "x" : "lib.so").toString();
                default -> "/gone/libnocopy.so (deleted)";
            };
            out.add(new Mapping(m.start(), m.end(), m.offset(), m.perms(), path));
        }
        return out;
    }

    private static void deleteAll() {
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // Best effort at exit: a leftover temp directory is harmless.
        }
    }
}
