package dev.jjf.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Parsing /proc/PID/status: the namespace pid, the effective uid, the SIGQUIT handler. */
class AttachProcStatusTest {
    /** Trimmed from a real JVM in a container: pid 4617 on the host, 1 inside. */
    private static final String CONTAINER_JVM = """
            Name:\tjava
            Umask:\t0022
            State:\tS (sleeping)
            Tgid:\t4617
            Ngid:\t0
            Pid:\t4617
            PPid:\t4615
            Uid:\t1000\t1001\t1002\t1003
            Gid:\t0\t0\t0\t0
            NStgid:\t4617\t1
            NSpid:\t4617\t1
            SigBlk:\t0000000000000000
            SigIgn:\t0000000000000000
            SigCgt:\t2000000181005ccf
            """;

    @Test
    void takesTheInnermostNamespacePidAndTheEffectiveUid() {
        ProcStatus s = ProcStatus.parse(CONTAINER_JVM);
        assertEquals("java", s.name());
        assertEquals(4617, s.tgid());
        assertEquals(1, s.nsTgid());
        assertEquals(1001, s.effectiveUid());
        assertTrue(s.quitCaught());
    }

    @Test
    void nestedNamespacesUseTheLastField() {
        ProcStatus s = ProcStatus.parse(CONTAINER_JVM.replace("NStgid:\t4617\t1", "NStgid:\t4617\t230\t7"));
        assertEquals(7, s.nsTgid());
    }

    @Test
    void withoutNstgidThePidIsItsOwn() {
        ProcStatus s = ProcStatus.parse(CONTAINER_JVM.replace("NStgid:\t4617\t1\n", ""));
        assertEquals(4617, s.nsTgid());
    }

    @Test
    void seesWhetherSigquitIsCaught() {
        // -Xrs: the JVM leaves SIGQUIT alone (bit 2 clear), so the signal would kill it.
        ProcStatus xrs = ProcStatus.parse(CONTAINER_JVM.replace("2000000181005ccf", "2000000101001cc8"));
        assertFalse(xrs.quitCaught());
        ProcStatus onlyQuit = ProcStatus.parse(CONTAINER_JVM.replace("2000000181005ccf", "0000000000000004"));
        assertTrue(onlyQuit.quitCaught());
    }

    @Test
    void missingLinesGiveNull() {
        assertNull(ProcStatus.parse(""));
        assertNull(ProcStatus.parse(CONTAINER_JVM.replace("SigCgt:\t2000000181005ccf\n", "")));
        assertNull(ProcStatus.parse(CONTAINER_JVM.replace("Uid:\t1000\t1001\t1002\t1003\n", "")));
        assertNull(ProcStatus.parse(CONTAINER_JVM.replace("Tgid:\t4617", "Tgid:\tx")));
    }
}
