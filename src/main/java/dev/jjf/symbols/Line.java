package dev.jjf.symbols;

/**
 * One function at an address; an address inside inlined code has several lines.
 *
 * @param library file name of the ELF object the name came from ("libjvm.so"), or "" for
 *     perf-map and unresolved lines
 * @param systemName the name as the symbol table or perf map wrote it (mangled C++, say); "" when
 *     it is {@code function}
 * @param file the source file ("java/util/zip/Deflater.java"), "" when unknown
 * @param lineNumber the source line, 0 when unknown
 */
public record Line(String function, Source source, String library, String systemName, String file, int lineNumber) {

    /** A line with no source position and no other system name. */
    public Line(String function, Source source, String library) {
        this(function, source, library, "", "", 0);
    }

    /** Where a line's name came from; decides how the frame is classified. */
    public enum Source {
        /** A symbol of an ELF file (library or executable). */
        ELF,
        /** A compiled Java method from the perf map. */
        JAVA,
        /** A Java method inlined into the compiled method around it. */
        JAVA_INLINED,
        /** Code the JVM generated (interpreter, stubs, adapters), from the perf map. */
        JVM_GENERATED,
        /** Nothing could name the address; the function reads "[unknown] …". */
        UNRESOLVED
    }
}
