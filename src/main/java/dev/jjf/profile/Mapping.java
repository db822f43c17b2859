package dev.jjf.profile;

/**
 * One line of the profile's MAPPED_LIBRARIES section (a copy of /proc/PID/maps).
 *
 * @param path the mapped file, "" for anonymous memory, or a pseudo name such as "[heap]";
 *     a file removed while mapped keeps the kernel's " (deleted)" suffix
 */
public record Mapping(long start, long end, long offset, String perms, String path) {
    private static final String DELETED_SUFFIX = " (deleted)";

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
