package dev.jjf.symbols;

import dev.jjf.BadInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.zip.CRC32;

/** Finds separate debug files for stripped libraries. */
public final class DebugFileLocator {
    /** Where distributions install -dbg/-dbgsym packages. */
    public static final Path DEFAULT_DEBUG_ROOT = Path.of("/usr/lib/debug");

    private static final String BUILD_ID_DIR = ".build-id";
    private static final String BUILD_ID_SUFFIX = ".debug";
    private static final String DEBUG_SUBDIR = ".debug";
    private static final int CRC_BUFFER_BYTES = 1 << 16;

    private final List<Path> debugRoots;

    /** Searches {@link #DEFAULT_DEBUG_ROOT}. */
    public DebugFileLocator() {
        this(List.of(DEFAULT_DEBUG_ROOT));
    }

    /** Searches the given roots, in order, for .build-id trees and mirrored directories. */
    public DebugFileLocator(List<Path> debugRoots) {
        this.debugRoots = List.copyOf(debugRoots);
    }

    /**
     * The debug file for elf: first by build-id under each root's .build-id/, then by the
     * .gnu_debuglink name next to the file, in its .debug/ subdirectory and under each root mirroring
     * the file's directory. A candidate is used only if it is a readable ELF file that matches: same
     * build-id when both have one, otherwise the debug link's CRC-32 when the link has one.
     */
    public Optional<Path> find(ElfFile elf) {
        Optional<String> buildId = elf.buildId();
        if (buildId.isPresent() && buildId.get().length() > 2) {
            String id = buildId.get();
            for (Path root : debugRoots) {
                Path candidate = root.resolve(BUILD_ID_DIR).resolve(id.substring(0, 2))
                        .resolve(id.substring(2) + BUILD_ID_SUFFIX);
                if (matches(elf, candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        Optional<String> link = elf.debugLink();
        if (link.isPresent()) {
            for (Path candidate : linkCandidates(elf.path(), link.get())) {
                if (matches(elf, candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A file with exactly this build id under a debug root's (or {@code symfs}'s) .build-id/ tree:
     * the separate debug file of the build a process loaded, which also describes that build's layout.
     *
     * @param symfs also searched, as SYMFS/.build-id and SYMFS/usr/lib/debug/.build-id; may be null
     */
    public Optional<Path> findByBuildId(String buildId, Path symfs) {
        if (buildId.length() <= 2) return Optional.empty();
        Set<Path> roots = new LinkedHashSet<>(debugRoots);
        if (symfs != null) {
            roots.add(symfs);
            roots.add(symfs.resolve(DEFAULT_DEBUG_ROOT.toString().substring(1)));
        }
        for (Path root : roots) {
            Path candidate = root.resolve(BUILD_ID_DIR).resolve(buildId.substring(0, 2)).resolve(buildId.substring(2) + BUILD_ID_SUFFIX);
            try {
                if (Files.isRegularFile(candidate) && ElfFile.open(candidate).buildId().filter(buildId::equals).isPresent()) {
                    return Optional.of(candidate);
                }
            } catch (IOException | BadInputException e) {
                // a broken candidate is not the file; keep looking
            }
        }
        return Optional.empty();
    }

    private Set<Path> linkCandidates(Path file, String link) {
        Set<Path> dirs = new LinkedHashSet<>();
        Path absolute = file.toAbsolutePath().normalize();
        if (absolute.getParent() != null) {
            dirs.add(absolute.getParent());
        }
        // Debug files are installed for the library's real location; the path we were given may go
        // through symlinks (e.g. /lib -> /usr/lib on merged-/usr systems), so try both.
        try {
            Path real = file.toRealPath();
            if (real.getParent() != null) {
                dirs.add(real.getParent());
            }
        } catch (IOException e) {
            // Not resolvable: the given path is all we have.
        }
        Set<Path> candidates = new LinkedHashSet<>();
        for (Path dir : dirs) {
            candidates.add(dir.resolve(link));
            candidates.add(dir.resolve(DEBUG_SUBDIR).resolve(link));
        }
        for (Path root : debugRoots) {
            for (Path dir : dirs) {
                Path relative = dir.getRoot() == null ? dir : dir.getRoot().relativize(dir);
                candidates.add(root.resolve(relative).resolve(link));
            }
        }
        return candidates;
    }

    private static boolean matches(ElfFile elf, Path candidate) {
        if (!Files.isRegularFile(candidate)) {
            return false;
        }
        // A debug link may name the file itself (same name, same directory); that is no debug file.
        if (isSameFile(candidate, elf.path())) {
            return false;
        }
        try {
            ElfFile debug = ElfFile.open(candidate);
            Optional<String> expected = elf.buildId();
            Optional<String> actual = debug.buildId();
            if (expected.isPresent() && actual.isPresent()) {
                return expected.equals(actual);
            }
            OptionalLong crc = elf.debugLinkCrc();
            return crc.isEmpty() || crc.getAsLong() == crc32(candidate);
        } catch (IOException | BadInputException e) {
            // An unreadable or broken candidate is simply not the debug file; keep looking.
            return false;
        }
    }

    private static boolean isSameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false; // e.g. the library was deleted after it was opened: then it cannot be the candidate
        }
    }

    private static long crc32(Path file) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[CRC_BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                crc.update(buffer, 0, n);
            }
        }
        return crc.getValue();
    }
}
