package dev.jjf.symbols;

import java.util.List;

/**
 * A symbolized address.
 *
 * @param lines innermost first (as in pprof): for inlined code, lines[0] is the inlined callee
 *     and the last line is the compiled method that contains it
 */
public record Location(long address, List<Line> lines) {
}
