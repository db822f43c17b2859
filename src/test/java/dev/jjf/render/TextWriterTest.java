package dev.jjf.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jjf.model.FrameKind;
import dev.jjf.stacks.CallTree;
import dev.jjf.stacks.Trees;
import dev.jjf.stacks.Frame;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextWriterTest {
    private static final Frame START = new Frame("start_thread", FrameKind.NATIVE);
    private static final Frame MAIN = new Frame("app.Main.main(java.lang.String[])", FrameKind.JAVA);
    private static final Frame WALK = new Frame("app.Tree.walk()", FrameKind.INLINED);
    private static final Frame DEFLATER = new Frame("java.util.zip.Deflater.init(int, int, boolean)", FrameKind.JAVA);
    private static final Frame DEFLATE_INIT = new Frame("deflateInit2_", FrameKind.NATIVE);
    private static final Frame MALLOC = new Frame("malloc", FrameKind.NATIVE);
    private static final Frame OS_MALLOC = new Frame("os::malloc(unsigned long)", FrameKind.JVM);

    private static CallTree tree() {
        CallTree t = new CallTree("bytes");
        // walk() recurses: its cum must count the stack once.
        Trees.add(t, List.of(START, MAIN, WALK, WALK, DEFLATER, DEFLATE_INIT, MALLOC), 6144);
        Trees.add(t, List.of(START, MAIN, DEFLATER, DEFLATE_INIT, MALLOC), 1024);
        Trees.add(t, List.of(START, OS_MALLOC, MALLOC), 1024);
        return t;
    }

    @Test
    void tableHasFlatAndCumPerFrameBiggestFlatFirst() throws Exception {
        StringWriter out = new StringWriter();
        new TextWriter(4).write(tree(), out);
        String[] lines = out.toString().split("\n");
        assertEquals("Total: 8.0 KiB; showing 4 of 7 frames, 100.00% of the total", lines[0]);
        assertEquals(List.of("flat", "flat%", "sum%", "cum", "cum%", "kind", "frame"), List.of(lines[1].strip().split("\\s+")));
        assertEquals("     8.0 KiB 100.00% 100.00%      8.0 KiB 100.00% native    malloc", lines[2]);
        // Frames with no flat value, biggest cum first; walk() is 6 KiB although it is on the path twice.
        assertEquals("         0 B   0.00% 100.00%      8.0 KiB 100.00% native    start_thread", lines[3]);
        // Ties by name.
        assertEquals("         0 B   0.00% 100.00%      7.0 KiB  87.50% java      app.Main.main(java.lang.String[])", lines[4]);
        assertEquals(6, lines.length);
        StringWriter all = new StringWriter();
        new TextWriter(100).write(tree(), all);
        assertEquals(true, all.toString().contains("     6.0 KiB  75.00% inlined   app.Tree.walk()\n"), all.toString());
    }

    @Test
    void aDifferentialTreeShowsTheChangeOfCum() throws Exception {
        CallTree t = tree();
        Trees.addBaseline(t, List.of(START, MAIN, DEFLATER, DEFLATE_INIT, MALLOC), 3072);
        StringWriter out = new StringWriter();
        new TextWriter(100).write(t, out);
        String text = out.toString();
        assertEquals(true, text.startsWith("Total: 8.0 KiB, change since the baseline +5.0 KiB;"), text);
        assertEquals(true, text.contains("     +4.0 KiB java      java.util.zip.Deflater.init(int, int, boolean)\n"), text);
    }

    @Test
    void javaSummaryCountsEachStackAtItsInnermostJavaFrameOutsideTheJdk() {
        List<String> lines = TextWriter.describeTopJavaFrames(tree(), 5);
        // The Deflater stacks belong to the program's frames above the JDK's Deflater.init; os::malloc has no Java frame.
        assertEquals(List.of(
                "the 2 Java frames that hold the most (each stack counted at its innermost Java frame outside the JDK):",
                "     6.0 KiB  75.00%  app.Tree.walk()",
                "     1.0 KiB  12.50%  app.Main.main(java.lang.String[])"), lines);
        CallTree jdkOnly = new CallTree("bytes");
        Trees.add(jdkOnly, List.of(START, DEFLATER, DEFLATE_INIT), 100);
        assertEquals("       100 B 100.00%  java.util.zip.Deflater.init(int, int, boolean)", TextWriter.describeTopJavaFrames(jdkOnly, 5).get(1));
        CallTree none = new CallTree("bytes");
        Trees.add(none, List.of(START, OS_MALLOC), 100);
        assertEquals(1, TextWriter.describeTopJavaFrames(none, 5).size());
    }
}
