package dev.jjf.profile;

/**
 * One line of the profile's MAPPED_LIBRARIES section (a copy of /proc/PID/maps).
 *
 * @param path the mapped file, "" for anonymous memory, or a pseudo name such as "[heap]";
 *     a file removed while mapped keeps the kernel's " (deleted)" suffix
 */
public record Mapping(long start, long end, long offset, String perms, String path) {
    private static final String DELETED_SUFFIX = " (deleted)";

    // Written out: a record's generated equals and hashCode are linked by an invokedynamic
    // bootstrap on first use, which every render paid at start-up.
    @Override
    public boolean equals(Object o) {
        return o instanceof Mapping m && m.start == start && m.end == end && m.offset == offset
                && m.perms.equals(perms) && m.path.equals(path);
    }

    @Override
    public int hashCode() {
        return ((Long.hashCode(start) * 31 + Long.hashCode(end)) * 31 + Long.hashCode(offset)) * 31 + path.hashCode();
    }

    /** True for memory not backed by a file (JIT code lives here). */
    public boolean isAnonymous() {
        return path.isEmpty() || path.startsWith("[") || path.startsWith("anon_inode:");
    }

    public boolean isExecutable() {
        return perms.length() > 2 && perms.charAt(2) == 'x';
    }

    /** True when the file was unlinked while the process had it mapped. */
    public boolean isDeleted() {
        return path.endsWith(DELETED_SUFFIX);
    }

    /** The path without the " (deleted)" suffix. */
    public String filePath() {
        return isDeleted() ? path.substring(0, path.length() - DELETED_SUFFIX.length()) : path;
    }

    /** The last path component, e.g. "libjvm.so". */
    public String fileName() {
        String p = filePath();
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** File offset of an address inside this mapping. */
    public long fileOffset(long address) {
        return address - start + offset;
    }
}
