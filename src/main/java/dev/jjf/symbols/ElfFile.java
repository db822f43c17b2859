package dev.jjf.symbols;

import dev.jjf.BadInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/** A parsed ELF64/ELF32 little/big-endian file: load segments, build-id, debug link, symbols. */
public final class ElfFile {
    private static final int EI_NIDENT = 16;
    private static final int EI_CLASS = 4;
    private static final int EI_DATA = 5;
    private static final int EI_VERSION = 6;
    private static final int ELFCLASS32 = 1;
    private static final int ELFCLASS64 = 2;
    private static final int ELFDATA2LSB = 1;
    private static final int ELFDATA2MSB = 2;
    private static final int EV_CURRENT = 1;

    private static final int EHDR32_SIZE = 52;
    private static final int EHDR64_SIZE = 64;
    private static final int PHDR32_SIZE = 32;
    private static final int PHDR64_SIZE = 56;
    private static final int SHDR32_SIZE = 40;
    private static final int SHDR64_SIZE = 64;

    private static final int PT_LOAD = 1;
    private static final int PT_NOTE = 4;
    /** e_phnum value meaning "the real count is in section 0's sh_info". */
    private static final int PN_XNUM = 0xffff;
    /** e_shstrndx value meaning "the real index is in section 0's sh_link". */
    private static final int SHN_XINDEX = 0xffff;

    static final int EM_ARM = 40;

    private static final int NT_GNU_BUILD_ID = 3;
    private static final String GNU_NOTE_OWNER = "GNU";
    /** Build-ids are 8..20 bytes in practice; anything this long is not one we could look up. */
    private static final int MAX_BUILD_ID_BYTES = 256;
    private static final String BUILD_ID_SECTION = ".note.gnu.build-id";
    private static final String DEBUGLINK_SECTION = ".gnu_debuglink";
    private static final int DEBUGLINK_CRC_BYTES = 4;

    private final Path path;
    private final boolean is64;
    private final ByteOrder order;
    private final int machine;
    private final List<ElfSection> sections;
    private final List<LoadSegment> loadSegments;
    private final String buildId;
    private final String debugLink;
    private final OptionalLong debugLinkCrc;
    private final ElfSection symtab;
    private final ElfSection dynsym;
    /** Size and modification time at open: symbols are read later and must come from the same file. */
    private final long fileSize;
    private final FileTime modified;
    private volatile SymbolTable symbols;

    private ElfFile(Path path, boolean is64, ByteOrder order, int machine, List<ElfSection> sections,
            List<LoadSegment> loadSegments, String buildId, String debugLink, OptionalLong debugLinkCrc,
            ElfSection symtab, ElfSection dynsym, long fileSize, FileTime modified) {
        this.path = path;
        this.fileSize = fileSize;
        this.modified = modified;
        this.is64 = is64;
        this.order = order;
        this.machine = machine;
        this.sections = sections;
        this.loadSegments = loadSegments;
        this.buildId = buildId;
        this.debugLink = debugLink;
        this.debugLinkCrc = debugLinkCrc;
        this.symtab = symtab;
        this.dynsym = dynsym;
    }

    /**
     * Reads the headers, notes and debug link; symbols are read later, on the first {@link #symbols()}.
     *
     * @throws BadInputException when the file is not a well-formed ELF file
     * @throws IOException when the file cannot be read at all
     */
    public static ElfFile open(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        try (ElfInput in = ElfInput.open(path)) {
            FileTime modified = Files.getLastModifiedTime(path);
            try {
                return parse(path, in, modified);
            } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException
                    | ArithmeticException | NegativeArraySizeException e) {
                // Bounds are checked before every access; this is a last line of defence so a gap in
                // those checks still surfaces as the documented input error. The cause marks it as a bug.
                throw new BadInputException(path, "not a valid ELF file: " + e, e);
            }
        }
    }

    public Path path() {
        return path;
    }

    /** Lower-case hex of the NT_GNU_BUILD_ID note, if the file has one. */
    public Optional<String> buildId() {
        return Optional.ofNullable(buildId);
    }

    /**
     * What identifies this file's symbols across runs and paths: the build-id, plus the sizes that
     * tell a library, its stripped copy and its separate debug file apart (they share the build-id).
     * Empty without a build-id.
     */
    Optional<String> symbolsKey() {
        if (buildId == null) return Optional.empty();
        return Optional.of(buildId + "-" + Long.toHexString(fileSize) + "-" + (symtab == null ? "0" : Long.toHexString(symtab.size()))
                + "-" + (dynsym == null ? "0" : Long.toHexString(dynsym.size())));
    }

    /** The file name stored in .gnu_debuglink, if any. */
    public Optional<String> debugLink() {
        return Optional.ofNullable(debugLink);
    }

    /** The CRC-32 stored after the .gnu_debuglink name, used when build-ids cannot be compared. */
    OptionalLong debugLinkCrc() {
        return debugLinkCrc;
    }

    public List<LoadSegment> loadSegments() {
        return loadSegments;
    }

    /**
     * Translates an offset into the file (as /proc/pid/maps gives it, plus the distance into the
     * mapping) to the link-time virtual address that symbols use.
     */
    public OptionalLong fileOffsetToVaddr(long fileOffset) {
        for (LoadSegment segment : loadSegments) {
            if (segment.containsFileOffset(fileOffset)) {
                return OptionalLong.of(segment.vaddr() + (fileOffset - segment.fileOffset()));
            }
        }
        return OptionalLong.empty();
    }

    /** Whether a .symtab with at least one real entry is present (i.e. the file is not stripped). */
    public boolean hasSymtab() {
        return symtab != null && symbolCount(symtab) > 1;
    }

    /**
     * Function symbols from .symtab, or from .dynsym when there is no .symtab. Read on first call
     * and cached.
     *
     * @throws BadInputException when the symbol table is malformed
     * @throws UncheckedIOException when the file can no longer be read
     */
    public SymbolTable symbols() {
        SymbolTable result = symbols;
        if (result == null) {
            synchronized (this) {
                result = symbols;
                if (result == null) {
                    result = readSymbols();
                    symbols = result;
                }
            }
        }
        return result;
    }

    boolean is64() {
        return is64;
    }

    ByteOrder order() {
        return order;
    }

    List<ElfSection> sections() {
        return sections;
    }

    private SymbolTable readSymbols() {
        SymbolTable fromSymtab = hasSymtab() ? readSymbols(symtab) : SymbolTable.empty();
        // A .symtab can survive stripping with only file and section entries; .dynsym is better then.
        if (fromSymtab.size() > 0 || dynsym == null || symbolCount(dynsym) <= 1) {
            return fromSymtab;
        }
        return readSymbols(dynsym);
    }

    private SymbolTable readSymbols(ElfSection table) {
        try (ElfInput in = ElfInput.open(path)) {
            if (in.size() != fileSize || !Files.getLastModifiedTime(path).equals(modified)) {
                // Replaced on disk (e.g. a package upgrade) since open: its headers no longer apply.
                throw new BadInputException(path, "file changed on disk while it was being read");
            }
            in.order(order);
            ElfSection strings = sections.get(table.link());
            ByteBuffer symbolBytes = in.read(table.offset(), table.size(), "symbol table " + table.name());
            ByteBuffer stringBytes = in.read(strings.offset(), strings.size(), "string table " + strings.name());
            return ElfSymbolReader.read(in, symbolBytes, entrySize(table), stringBytes.array(), is64,
                    machine == EM_ARM, sections);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException
                | ArithmeticException | NegativeArraySizeException e) {
            throw new BadInputException(path, "not a valid ELF file: " + e, e);
        }
    }

    private long symbolCount(ElfSection table) {
        return table.size() / entrySize(table);
    }

    private long entrySize(ElfSection table) {
        // sh_entsize was validated at open: 0 means the standard size, anything smaller is rejected.
        long standard = ElfSymbolReader.symbolSize(is64);
        return table.entsize() == 0 ? standard : table.entsize();
    }

    private static ElfFile parse(Path path, ElfInput in, FileTime modified) throws IOException {
        if (in.size() < EI_NIDENT) {
            throw in.bad("file is " + in.size() + " bytes, too short for an ELF header");
        }
        ByteBuffer ident = in.read(0, EI_NIDENT, "ELF identification");
        if (ident.get(0) != 0x7f || ident.get(1) != 'E' || ident.get(2) != 'L' || ident.get(3) != 'F') {
            throw in.bad("missing \\x7fELF magic");
        }
        int elfClass = ident.get(EI_CLASS);
        if (elfClass != ELFCLASS32 && elfClass != ELFCLASS64) {
            throw in.bad("unknown ELF class " + elfClass);
        }
        int data = ident.get(EI_DATA);
        if (data != ELFDATA2LSB && data != ELFDATA2MSB) {
            throw in.bad("unknown ELF data encoding " + data);
        }
        if (ident.get(EI_VERSION) != EV_CURRENT) {
            throw in.bad("unknown ELF version " + ident.get(EI_VERSION));
        }
        boolean is64 = elfClass == ELFCLASS64;
        ByteOrder order = data == ELFDATA2LSB ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        in.order(order);

        ByteBuffer eh = in.read(0, is64 ? EHDR64_SIZE : EHDR32_SIZE, "ELF header");
        int machine = u16(eh, 18);
        long phoff = is64 ? eh.getLong(32) : u32(eh, 28);
        long shoff = is64 ? eh.getLong(40) : u32(eh, 32);
        int base = is64 ? 54 : 42;
        int phentsize = u16(eh, base);
        long phnum = u16(eh, base + 2);
        int shentsize = u16(eh, base + 4);
        long shnum = u16(eh, base + 6);
        int shstrndx = u16(eh, base + 8);

        ByteBuffer shdrs = null;
        int shdrSize = is64 ? SHDR64_SIZE : SHDR32_SIZE;
        if (shoff != 0) {
            if (shentsize < shdrSize) {
                throw in.bad("e_shentsize " + shentsize + " is smaller than a section header (" + shdrSize + ")");
            }
            // Counts too large for the header live in section 0 (extended numbering).
            ByteBuffer first = in.read(shoff, shdrSize, "section header 0");
            if (shnum == 0) {
                shnum = is64 ? first.getLong(32) : u32(first, 20);
            }
            if (shstrndx == SHN_XINDEX) {
                shstrndx = first.getInt(is64 ? 40 : 24);
            }
            if (phnum == PN_XNUM) {
                phnum = u32(first, is64 ? 44 : 28);
            }
            if (shnum < 0 || shnum > (in.size() - shoff) / shentsize) {
                throw in.bad("section header table (" + Long.toUnsignedString(shnum) + " entries at offset "
                        + shoff + ") does not fit in the file (" + in.size() + " bytes)");
            }
            shdrs = in.read(shoff, shnum * shentsize, "section header table");
        } else {
            shnum = 0;
        }

        List<LoadSegment> loads = new ArrayList<>();
        List<NoteRange> notes = new ArrayList<>();
        if (phoff != 0 && phnum > 0) {
            readProgramHeaders(in, phoff, phnum, phentsize, is64, loads, notes);
        }

        List<ElfSection> sections = readSections(in, shdrs, (int) shnum, shentsize, shstrndx, is64);

        ElfSection symtab = null;
        ElfSection dynsym = null;
        ElfSection buildIdSection = null;
        ElfSection debugLinkSection = null;
        for (ElfSection s : sections) {
            if (s.type() == ElfSection.SHT_SYMTAB && symtab == null) {
                symtab = s;
            } else if (s.type() == ElfSection.SHT_DYNSYM && dynsym == null) {
                dynsym = s;
            } else if (s.type() == ElfSection.SHT_NOTE && BUILD_ID_SECTION.equals(s.name())) {
                buildIdSection = s;
            } else if (s.hasFileBytes() && DEBUGLINK_SECTION.equals(s.name())) {
                debugLinkSection = s;
            }
        }
        for (ElfSection table : new ElfSection[] {symtab, dynsym}) {
            if (table != null) {
                checkSymbolTable(in, table, sections, is64);
            }
        }

        String buildId = null;
        if (buildIdSection != null) {
            buildId = findBuildId(in, buildIdSection.offset(), buildIdSection.size(), buildIdSection.addralign(),
                    buildIdSection.name());
        } else if (!sections.isEmpty()) {
            for (ElfSection s : sections) {
                if (buildId == null && s.type() == ElfSection.SHT_NOTE) {
                    buildId = findBuildId(in, s.offset(), s.size(), s.addralign(), s.name());
                }
            }
        } else {
            // Without section headers (sstrip'd files) the program headers are the only index.
            for (NoteRange note : notes) {
                if (buildId == null) {
                    buildId = findBuildId(in, note.offset(), note.size(), note.align(), "PT_NOTE segment");
                }
            }
        }

        String debugLink = null;
        OptionalLong debugLinkCrc = OptionalLong.empty();
        if (debugLinkSection != null && debugLinkSection.size() > 0) {
            ByteBuffer link = in.read(debugLinkSection.offset(), debugLinkSection.size(), DEBUGLINK_SECTION);
            int nul = indexOfNul(link.array(), 0, link.limit());
            if (nul < 0) {
                throw in.bad(DEBUGLINK_SECTION + " name is not NUL-terminated");
            }
            String name = new String(link.array(), 0, nul, StandardCharsets.UTF_8);
            // The name is joined to directories by the locator; anything path-like would let the
            // file point us anywhere, so such a link is ignored rather than followed.
            if (!name.isEmpty() && !name.contains("/") && !name.equals(".") && !name.equals("..")) {
                debugLink = name;
                int crcAt = (nul + 1 + 3) & ~3;
                if (crcAt + DEBUGLINK_CRC_BYTES <= link.limit()) {
                    debugLinkCrc = OptionalLong.of(u32(link, crcAt));
                }
            }
        }

        return new ElfFile(path, is64, order, machine, List.copyOf(sections), List.copyOf(loads), buildId,
                debugLink, debugLinkCrc, symtab, dynsym, in.size(), modified);
    }

    /** Collects PT_LOAD segments into loads and PT_NOTE ranges into notes. */
    private static void readProgramHeaders(ElfInput in, long phoff, long phnum, int phentsize, boolean is64,
            List<LoadSegment> loads, List<NoteRange> notes) throws IOException {
        int phdrSize = is64 ? PHDR64_SIZE : PHDR32_SIZE;
        if (phentsize < phdrSize) {
            throw in.bad("e_phentsize " + phentsize + " is smaller than a program header (" + phdrSize + ")");
        }
        if (phoff < 0 || phnum > (in.size() - Math.min(phoff, in.size())) / phentsize) {
            throw in.bad("program header table (" + phnum + " entries at offset "
                    + Long.toUnsignedString(phoff) + ") does not fit in the file");
        }
        ByteBuffer phdrs = in.read(phoff, phnum * phentsize, "program header table");
        for (int i = 0; i < phnum; i++) {
            int p = i * phentsize;
            int type = phdrs.getInt(p);
            if (type != PT_LOAD && type != PT_NOTE) {
                continue;
            }
            long offset = is64 ? phdrs.getLong(p + 8) : u32(phdrs, p + 4);
            long vaddr = is64 ? phdrs.getLong(p + 16) : u32(phdrs, p + 8);
            long filesz = is64 ? phdrs.getLong(p + 32) : u32(phdrs, p + 16);
            long memsz = is64 ? phdrs.getLong(p + 40) : u32(phdrs, p + 20);
            int flags = phdrs.getInt(is64 ? p + 4 : p + 24);
            long align = is64 ? phdrs.getLong(p + 48) : u32(phdrs, p + 28);
            // Offsets are not checked against the file size: a separate debug file keeps the
            // original program headers while its contents are gone (NOBITS).
            if (offset < 0 || filesz < 0 || offset > Long.MAX_VALUE - filesz) {
                throw in.bad("program header " + i + " has an impossible file range");
            }
            if (type == PT_LOAD) {
                loads.add(new LoadSegment(offset, vaddr, filesz, memsz, flags));
            } else {
                notes.add(new NoteRange(offset, filesz, align));
            }
        }
    }

    private record NoteRange(long offset, long size, long align) {
    }

    private static List<ElfSection> readSections(ElfInput in, ByteBuffer shdrs, int shnum, int shentsize,
            int shstrndx, boolean is64) throws IOException {
        if (shnum == 0) {
            return List.of();
        }
        if (shstrndx < 0 || shstrndx >= shnum) {
            throw in.bad("e_shstrndx " + Integer.toUnsignedString(shstrndx) + " names no section (there are "
                    + shnum + ")");
        }
        byte[] names = null;
        if (shstrndx != 0) {
            int p = shstrndx * shentsize;
            long offset = is64 ? shdrs.getLong(p + 24) : u32(shdrs, p + 16);
            long size = is64 ? shdrs.getLong(p + 32) : u32(shdrs, p + 20);
            names = in.read(offset, size, "section name table").array();
        }
        List<ElfSection> sections = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            int p = i * shentsize;
            long nameOffset = u32(shdrs, p);
            String name = "";
            if (names != null && i != 0) {
                if (nameOffset >= names.length) {
                    throw in.bad("section " + i + " name offset " + nameOffset + " is past the section name table");
                }
                int end = indexOfNul(names, (int) nameOffset, names.length);
                name = new String(names, (int) nameOffset, (end < 0 ? names.length : end) - (int) nameOffset,
                        StandardCharsets.UTF_8);
            }
            int type = shdrs.getInt(p + 4);
            if (is64) {
                sections.add(new ElfSection(i, name, type, shdrs.getLong(p + 8), shdrs.getLong(p + 16),
                        shdrs.getLong(p + 24), shdrs.getLong(p + 32), shdrs.getInt(p + 40), shdrs.getInt(p + 44),
                        shdrs.getLong(p + 48), shdrs.getLong(p + 56)));
            } else {
                sections.add(new ElfSection(i, name, type, u32(shdrs, p + 8), u32(shdrs, p + 12),
                        u32(shdrs, p + 16), u32(shdrs, p + 20), shdrs.getInt(p + 24), shdrs.getInt(p + 28),
                        u32(shdrs, p + 32), u32(shdrs, p + 36)));
            }
        }
        return sections;
    }

    /** Validates what {@link #readSymbols()} will rely on, so a broken table fails at open. */
    private static void checkSymbolTable(ElfInput in, ElfSection table, List<ElfSection> sections, boolean is64) {
        String what = "symbol table " + table.name() + " (section " + table.index() + ")";
        long entsize = table.entsize();
        if (entsize != 0 && entsize < ElfSymbolReader.symbolSize(is64)) {
            throw in.bad(what + " has sh_entsize " + Long.toUnsignedString(entsize));
        }
        checkInFile(in, table, what);
        if (table.link() <= 0 || table.link() >= sections.size()) {
            throw in.bad(what + " links to section " + Integer.toUnsignedString(table.link())
                    + ", which does not exist");
        }
        ElfSection strings = sections.get(table.link());
        if (strings.type() != ElfSection.SHT_STRTAB) {
            throw in.bad(what + " links to section " + strings.index() + ", which is not a string table");
        }
        checkInFile(in, strings, "string table " + strings.name());
    }

    private static void checkInFile(ElfInput in, ElfSection s, String what) {
        if (s.type() == ElfSection.SHT_NOBITS) {
            return;
        }
        long offset = s.offset();
        long size = s.size();
        if (offset < 0 || size < 0 || size > in.size() || offset > in.size() - size) {
            throw in.bad(what + " (offset " + Long.toUnsignedString(offset) + ", size "
                    + Long.toUnsignedString(size) + ") lies outside the file (" + in.size() + " bytes)");
        }
    }

    /** Walks the notes in [offset, offset+size) and returns the GNU build-id as hex, or null. */
    private static String findBuildId(ElfInput in, long offset, long size, long align, String what)
            throws IOException {
        if (size == 0) {
            return null;
        }
        ByteBuffer notes = in.read(offset, size, what);
        // Notes are padded to 4 bytes, or 8 in segments/sections aligned to 8 (e.g. GNU property notes).
        int pad = align == 8 ? 8 : 4;
        int p = 0;
        int limit = notes.limit();
        while (limit - p >= 12) {
            long namesz = u32(notes, p);
            long descsz = u32(notes, p + 4);
            int type = notes.getInt(p + 8);
            int nameAt = p + 12;
            long descAt = nameAt + roundUp(namesz, pad);
            long next = descAt + roundUp(descsz, pad);
            if (descAt + descsz > limit) {
                throw in.bad("note in " + what + " runs past its end");
            }
            if (type == NT_GNU_BUILD_ID && namesz == GNU_NOTE_OWNER.length() + 1
                    && isOwner(notes, nameAt, GNU_NOTE_OWNER) && descsz > 0 && descsz <= MAX_BUILD_ID_BYTES) {
                byte[] id = new byte[(int) descsz];
                notes.get((int) descAt, id);
                return HexFormat.of().formatHex(id);
            }
            if (next >= limit) {
                break;
            }
            p = (int) next;
        }
        return null;
    }

    private static boolean isOwner(ByteBuffer b, int at, String owner) {
        for (int i = 0; i < owner.length(); i++) {
            if (b.get(at + i) != owner.charAt(i)) {
                return false;
            }
        }
        return b.get(at + owner.length()) == 0;
    }

    private static long roundUp(long value, int alignment) {
        return (value + alignment - 1) & -alignment;
    }

    static int indexOfNul(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    static int u16(ByteBuffer b, int at) {
        return Short.toUnsignedInt(b.getShort(at));
    }

    static long u32(ByteBuffer b, int at) {
        return Integer.toUnsignedLong(b.getInt(at));
    }

    @Override
    public String toString() {
        return "ElfFile[" + path + (is64 ? ", ELF64" : ", ELF32") + (order == ByteOrder.BIG_ENDIAN ? " BE" : " LE")
                + (buildId != null ? ", build-id " + buildId : "") + "]";
    }
}
