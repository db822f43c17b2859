package dev.jjf.symbols;

/** One section header, with its name resolved; values are as in the file (unsigned held in long). */
record ElfSection(
        int index,
        String name,
        int type,
        long flags,
        long addr,
        long offset,
        long size,
        int link,
        int info,
        long addralign,
        long entsize) {

    static final int SHT_NULL = 0;
    static final int SHT_SYMTAB = 2;
    static final int SHT_STRTAB = 3;
    static final int SHT_NOTE = 7;
    static final int SHT_NOBITS = 8;
    static final int SHT_DYNSYM = 11;

    static final long SHF_EXECINSTR = 0x4;

    /** NOBITS sections occupy no file bytes, so their offset/size must never be read. */
    boolean hasFileBytes() {
        return type != SHT_NOBITS && type != SHT_NULL;
    }

    boolean isExecutable() {
        return (flags & SHF_EXECINSTR) != 0;
    }
}
