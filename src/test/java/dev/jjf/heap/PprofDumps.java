package dev.jjf.heap;

/** Written dumps for the pprof tests of other packages. */
public final class PprofDumps {
    private PprofDumps() {
    }

    /** A dump of {@code nodes} objects in trees with cross links, some in arrays, a few roots. */
    public static byte[] random(long seed, int nodes) {
        return DominatorsTest.randomDump(seed, nodes);
    }
}
