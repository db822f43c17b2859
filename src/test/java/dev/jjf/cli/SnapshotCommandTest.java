package dev.jjf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.BadInputException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** What jjf snapshot refuses before it touches any process. */
class SnapshotCommandTest {
    @Test
    void durations() {
        assertEquals(500, SnapshotCommand.parseDuration("500ms"));
        assertEquals(30_000, SnapshotCommand.parseDuration("30s"));
        assertEquals(300_000, SnapshotCommand.parseDuration("5m"));
        assertEquals(3_600_000, SnapshotCommand.parseDuration("1h"));
        assertEquals(3_000, SnapshotCommand.parseDuration(" 3S "));
    }

    @Test
    void notDurations() {
        for (String s : new String[] {"", "60", "5x", "-1s", "1.5s", "s", "1 s", "1d", "0s", "1234567890123ms"}) {
            BadInputException e = assertThrows(BadInputException.class, () -> SnapshotCommand.parseDuration(s), s);
            assertTrue(e.getMessage().contains("not a duration"), e.getMessage());
        }
    }

    @Test
    void badArgumentsAreOneLineBeforeAnyAttach() {
        // pid 1 exists everywhere; none of these gets as far as looking at it.
        assertOneLine(run("snapshot", "1", "--window", "soon"), "--window: 'soon' is not a duration");
        assertOneLine(run("snapshot", "1", "--start", "--stop"), "--start and --stop");
        assertOneLine(run("snapshot", "1", "--start", "--window", "1s"), "--window does not go with them");
        assertOneLine(run("snapshot", "1", "--stop", "--heap"), "--heap does not go with them");
        assertOneLine(run("snapshot", "1", "--timeout", "0"), "--timeout must be a positive number");
        assertOneLine(run("snapshot", "1", "--metric", "nope"), "unknown --metric 'nope'");
    }

    private record Result(int exit, String err) {
    }

    private static Result run(String... args) {
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), args);
        return new Result(exit, err.toString());
    }

    private static void assertOneLine(Result r, String expected) {
        assertEquals(Main.EXIT_BAD_INPUT, r.exit(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("jjf: ") && r.err().contains(expected), r.err());
    }
}
