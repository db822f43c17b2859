package dev.jjf.symbols;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SourcePositionsTest {

    @Test
    void eachPartOfAnInlineChainKeepsItsOwnPosition() {
        SourcePositions p = SourcePositions.of(
                "demo.Loop.run(long[], int) (demo/Loop.java:12)->demo.Loop.grab(int)->java.nio.ByteBuffer.allocateDirect(int) (java/nio/ByteBuffer.java:332)");
        assertEquals("demo.Loop.run(long[], int)->demo.Loop.grab(int)->java.nio.ByteBuffer.allocateDirect(int)", p.bareName());
        assertEquals(List.of("demo/Loop.java", "", "java/nio/ByteBuffer.java"), p.files());
        assertArrayEquals(new int[] {12, 0, 332}, p.lines());
    }

    @Test
    void oneMethodWithAPosition() {
        SourcePositions p = SourcePositions.of("JavaFramesLeaks.coldHelper() (JavaFramesLeaks.java:38)");
        assertEquals("JavaFramesLeaks.coldHelper()", p.bareName());
        assertEquals("JavaFramesLeaks.java", p.file(0));
        assertEquals(38, p.line(0));
    }

    @Test
    void namesWithoutPositionsStayAsTheyAre() {
        for (String name : List.of("StubRoutines (1)", "demo.A.b(int)", "Interpreter", "a.B.c() (x.java:)",
                "a.B.c() (:12)", "a.B.c() (F.java:1x)", "void a.B.c(int, long)", "a.B.c() (F.java:1234567890)")) {
            SourcePositions p = SourcePositions.of(name);
            assertEquals(name, p.bareName(), name);
            assertEquals("", p.file(0), name);
            assertEquals(0, p.line(0), name);
        }
    }
}
