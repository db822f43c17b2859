package dev.jjf.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jjf.render.FoldedWriter;
import dev.jjf.stacks.StackFolder;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model as a producer other than jemalloc's (a heap dump) fills it, and the folder reads it. */
class ProfileTest {
    @Test
    void samplesAddedByLocationFoldWithInlinedLinesAndEveryValueType() throws Exception {
        Profile p = new Profile(List.of(new SampleType("retained", "bytes"), SampleType.INUSE_OBJECTS));
        int main = p.addLocation(0, Profile.NONE);
        p.addLine(p.function("app.Main.main(java.lang.String[])", "", "app/Main.java", 0), 12, FrameKind.JAVA);
        int cache = p.addLocation(0, Profile.NONE);
        p.addLine(p.function("app.Cache.put(java.lang.Object)", "", "app/Cache.java", 0), 40, FrameKind.INLINED);
        p.addLine(p.function("app.Cache.fill()", "", "app/Cache.java", 0), 31, FrameKind.JAVA);
        Stacks s = p.addStacks(false);
        s.add(new int[] {cache, main}, 2, new double[] {1000, 3});
        s.add(new int[] {main}, 1, new double[] {24, 1});
        s.add(new int[] {cache, main}, 2, new double[] {500, 1});
        // The same function string is one function; the profile interns names once.
        assertEquals(3, p.functionCount());
        assertEquals(2, p.locationLineCount(cache));
        assertEquals("app.Cache.put(java.lang.Object)", p.functionName(p.lineFunction(p.locationFirstLine(cache))));

        int end = Arrays.stream(new int[] {1, 2, 3}).filter(n -> n < s.size() && s.depth(n) == 2).findFirst().orElseThrow();
        assertArrayEquals(new int[] {cache, main}, Arrays.copyOf(s.locations(end, new int[0]), 2));
        assertEquals(1500, s.value(end, 0));

        for (int type = 0; type < 2; type++) {
            StackFolder folder = new StackFolder(type == 0 ? "bytes" : "objects", null, null);
            folder.add(p, type);
            StringWriter out = new StringWriter();
            new FoldedWriter(true).write(folder.tree(), out);
            assertEquals(type == 0
                    ? "app.Main.main(java.lang.String[])_[j] 24\napp.Main.main(java.lang.String[])_[j];app.Cache.fill()_[j];app.Cache.put(java.lang.Object)_[i] 1500\n"
                    : "app.Main.main(java.lang.String[])_[j] 1\napp.Main.main(java.lang.String[])_[j];app.Cache.fill()_[j];app.Cache.put(java.lang.Object)_[i] 4\n",
                    out.toString());
        }
    }
}
