package dev.jjf.fuzz;

/**
 * Every fuzz target, with the folder (under src/test/resources/dev/jjf/fuzz) where Jazzer keeps its
 * seeds and the inputs of crashes found; the combined target selects one by its first byte.
 */
enum Targets {
    HEAP_PROFILE("HeapProfileFuzzTestInputs/parse", HeapProfileFuzzTest::check),
    PERF_MAP("PerfMapFuzzTestInputs/read", PerfMapFuzzTest::check),
    PERF_MAP_DIALECTS("PerfMapDialectsFuzzTestInputs/entries", PerfMapDialectsFuzzTest::check),
    ELF("ElfFuzzTestInputs/open", ElfFuzzTest::check),
    DEMANGLER("DemanglerFuzzTestInputs/demangle", DemanglerFuzzTest::check),
    SVG("SvgFuzzTestInputs/names", SvgFuzzTest::check),
    HPROF("HprofFuzzTestInputs/read", HprofFuzzTest::check);

    /** Runs one input. */
    @FunctionalInterface
    interface Check {
        void run(byte[] data) throws Exception;
    }

    final String inputs;
    final Check check;

    Targets(String inputs, Check check) {
        this.inputs = inputs;
        this.check = check;
    }

    /** The target a combined input's first byte selects. */
    static Targets select(byte first) {
        return values()[(first & 0xff) % values().length];
    }
}
