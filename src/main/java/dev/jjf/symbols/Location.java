package dev.jjf.symbols;

import dev.jjf.profile.Mapping;
import java.util.List;

/**
 * A symbolized address.
 *
 * @param lines innermost first (as in pprof): for inlined code, lines[0] is the inlined callee
 *     and the last line is the compiled method that contains it
 * @param mapping the process's mapping the address lies in, or null
 */
public record Location(long address, List<Line> lines, Mapping mapping) {

    /** A location outside every mapping. */
    public Location(long address, List<Line> lines) {
        this(address, lines, null);
    }
}
