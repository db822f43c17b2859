package dev.jjf.stacks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jjf.model.FrameKind;
import dev.jjf.model.Profile;
import dev.jjf.model.SampleType;
import dev.jjf.profile.Metric;
import dev.jjf.render.FoldedWriter;
import dev.jjf.render.JsonWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --lines: one frame per source line where the model knows it, one per function otherwise. */
class StackFolderLinesTest {

    /** Two calls of Inflater.init from two lines of one method, over a native frame without a line. */
    private static Profile profile() {
        Profile p = new Profile(List.of(SampleType.INUSE_SPACE));
        int code = p.addMapping(0x7f0000000000L, 0x7f0000100000L, 0, "", "");
        int zip = p.addMapping(0x7f1000000000L, 0x7f1000010000L, 0x1000, "/usr/lib/libz.so.1", "");
        int inflate = p.addLocation(0x7f1000001234L, zip);
        p.addLine(p.function("inflateInit2_", "", "", 0), 0, FrameKind.NATIVE);
        int open = p.function("app.Reader.open(java.lang.String)", "", "app/Reader.java", 0);
        int init = p.function("java.util.zip.Inflater.init(boolean)", "", "java/util/zip/Inflater.java", 0);
        int first = p.addLocation(0x7f0000004321L, code);
        p.addLine(init, 708, FrameKind.INLINED);
        p.addLine(open, 31, FrameKind.JAVA);
        int second = p.addLocation(0x7f0000004400L, code);
        p.addLine(init, 708, FrameKind.INLINED);
        p.addLine(open, 35, FrameKind.JAVA);
        p.addStacks(false).add(new int[] {inflate, first}, 2, new double[] {4096});
        p.addStacks(false).add(new int[] {inflate, second}, 2, new double[] {1024});
        return p;
    }

    private static List<String> folded(CallTree tree) throws Exception {
        StringWriter out = new StringWriter();
        new FoldedWriter(false).write(tree, out);
        return out.toString().lines().sorted().toList();
    }

    @Test
    void byDefaultOneFramePerMethodCarryingItsFile() throws Exception {
        StackFolder folder = new StackFolder(Metric.INUSE_SPACE, null, null);
        folder.add(profile());
        assertEquals(List.of("app.Reader.open(java.lang.String);java.util.zip.Inflater.init(boolean);inflateInit2_ 5120"),
                folded(folder.tree()));
        StringWriter json = new StringWriter();
        new JsonWriter().write(folder.tree(), json);
        assertEquals(true, json.toString().contains("\"name\":\"app.Reader.open(java.lang.String)\",\"kind\":\"java\",\"file\":\"app/Reader.java\",\"value\":5120"), json.toString());
        assertEquals(false, json.toString().contains("\"line\""), json.toString());
    }

    @Test
    void withLinesEachLineIsAFrameAndTheJsonSaysFileAndLine() throws Exception {
        StackFolder folder = new StackFolder(Metric.INUSE_SPACE, null, null, true);
        folder.add(profile());
        assertEquals(List.of(
                "app.Reader.open(java.lang.String):31;java.util.zip.Inflater.init(boolean):708;inflateInit2_ 4096",
                "app.Reader.open(java.lang.String):35;java.util.zip.Inflater.init(boolean):708;inflateInit2_ 1024"),
                folded(folder.tree()));
        StringWriter json = new StringWriter();
        new JsonWriter().write(folder.tree(), json);
        assertEquals(true, json.toString().contains("\"name\":\"app.Reader.open(java.lang.String):35\",\"kind\":\"java\",\"file\":\"app/Reader.java\",\"line\":35,\"value\":1024"), json.toString());
    }
}
