package dev.jjf.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The agent's report file, as the C side writes it (native/perfmap-agent/perfmap.c, act()). */
class SnapshotReportTest {
    @Test
    void aDumpReport() {
        SnapshotReport r = SnapshotReport.parse("""
                jjf-perfmap-report 1
                opt.prof true
                prof.lg_sample 16
                heap /tmp/jjf-snapshot-1/jeprof.7.0.m0.heap
                map /tmp/jjf-snapshot-1/perf-7.map
                prof.active false
                ok
                """);
        assertTrue(r.ok());
        assertFalse(r.noProfiling());
        assertEquals(Optional.of(false), r.sampling());
        assertEquals(Optional.empty(), r.samplingBefore());
        assertEquals(Optional.of(16), r.lgSample());
        assertEquals(Optional.of("/tmp/jjf-snapshot-1/jeprof.7.0.m0.heap"), r.file("heap"));
    }

    @Test
    void aSwitchReport() {
        SnapshotReport r = SnapshotReport.parse("jjf-perfmap-report 1\nopt.prof true\nprof.active.before false\nprof.active true\nok\n");
        assertEquals(Optional.of(false), r.samplingBefore());
        assertEquals(Optional.of(true), r.sampling());
    }

    @Test
    void anErrorWinsOverOkAndKeepsItsMessageWhole() {
        SnapshotReport r = SnapshotReport.parse("jjf-perfmap-report 1\nopt.prof false\n"
                + "error no-profiling no heap profiling in this process: jemalloc runs without prof:true\nok\n");
        assertFalse(r.ok());
        assertTrue(r.noProfiling());
        assertEquals("no heap profiling in this process: jemalloc runs without prof:true", r.errorMessage());
    }

    @Test
    void somethingElseIsNoReport() {
        assertNull(SnapshotReport.parse(""));
        assertNull(SnapshotReport.parse("ok\n"));
    }

    @Test
    void loadAnswersOfOldAndNewJdks() {
        assertEquals("0", SnapshotAgent.returnCode("0\n"));
        assertEquals("-1", SnapshotAgent.returnCode("return code: -1\n"));
        assertEquals("", SnapshotAgent.returnCode(""));
    }
}
