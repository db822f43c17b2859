package dev.jjf.stacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.model.FrameKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallTreeTest {
    private static Frame f(String name) {
        return new Frame(name, FrameKind.NATIVE);
    }

    @Test
    void sumsTotalsAndSortsCalleesByNameThenKind() {
        CallTree tree = new CallTree("bytes");
        Trees.add(tree, List.of(f("main"), f("b")), 3);
        Trees.add(tree, List.of(f("main"), new Frame("a", FrameKind.JAVA)), 2);
        Trees.add(tree, List.of(f("main"), f("a")), 1);
        Trees.add(tree, List.of(f("main")), 4);
        CallTree.Node main = tree.root().children().get(0);
        assertEquals(10, tree.total());
        assertEquals(10, main.total());
        assertEquals(4, main.self());
        assertEquals(List.of("a NATIVE", "a JAVA", "b NATIVE"),
                main.children().stream().map(n -> n.name() + " " + n.kind()).toList());
        assertEquals(2, main.children().get(0).depth());
        assertEquals(main, main.children().get(2).parent());
        assertNull(tree.root().parent());
        assertEquals(4, tree.root().descendants());
        assertEquals(3, main.descendants());
    }

    @Test
    void addingAfterReadingKeepsTotalsRightAndGrowsPastItsFirstArrays() {
        CallTree tree = new CallTree("bytes");
        Trees.add(tree, List.of(f("x")), 1);
        assertEquals(1, tree.total());
        double expected = 1;
        for (int i = 0; i < 5000; i++) {
            List<Frame> path = new ArrayList<>();
            for (int d = 0; d <= i % 7; d++) path.add(f("f" + (i % 50) + "_" + d));
            Trees.add(tree, path, i);
            expected += i;
            if (i % 1000 == 0) assertEquals(expected, tree.total()); // reads between adds
        }
        assertEquals(expected, tree.total());
        double sum = 0;
        for (CallTree.Node n : tree.root().children()) sum += n.total();
        assertEquals(expected, sum);
        assertEquals(tree.size() - 1, tree.root().descendants());
        assertEquals(1 + 1 + 50 * 7, tree.size()); // the root, x, then 50 chains of 7 frames
    }

    @Test
    void aBaselineAddedAfterManyNodesCoversThemAll() {
        CallTree tree = new CallTree("bytes");
        for (int i = 0; i < 3000; i++) Trees.add(tree, List.of(f("t" + i)), 1);
        assertFalse(tree.isDifferential());
        Trees.addBaseline(tree, List.of(f("t2999")), 5);
        Trees.addBaseline(tree, List.of(f("only-before")), 7);
        for (int i = 3000; i < 6000; i++) Trees.add(tree, List.of(f("t" + i)), 1);
        assertTrue(tree.isDifferential());
        assertEquals(6000, tree.total());
        assertEquals(12, tree.root().baseTotal());
        CallTree.Node gone = tree.root().children().stream().filter(n -> n.name().equals("only-before")).findFirst().orElseThrow();
        assertEquals(0, gone.total());
        assertEquals(-7, gone.delta());
    }
}
