package dev.jjf.symbols;

/**
 * One PT_LOAD program header: which bytes of the file are mapped at which virtual address.
 *
 * @param fileOffset p_offset
 * @param vaddr p_vaddr (link-time address; a shared object or PIE is relocated by its load bias)
 * @param fileSize p_filesz
 * @param memSize p_memsz (larger than fileSize where .bss follows)
 * @param flags p_flags: {@link #EXECUTE}, {@link #WRITE}, {@link #READ}
 */
public record LoadSegment(long fileOffset, long vaddr, long fileSize, long memSize, int flags) {
    public static final int EXECUTE = 0x1;
    public static final int WRITE = 0x2;
    public static final int READ = 0x4;

    /** Whether the segment holds code. */
    public boolean isExecutable() {
        return (flags & EXECUTE) != 0;
    }

    /** Whether fileOffset falls in the bytes this segment maps from the file. */
    public boolean containsFileOffset(long offset) {
        // Unsigned arithmetic: offsets were checked to be < 2^63, but this stays correct regardless.
        return Long.compareUnsigned(offset, fileOffset) >= 0
                && Long.compareUnsigned(offset - fileOffset, fileSize) < 0;
    }
}
