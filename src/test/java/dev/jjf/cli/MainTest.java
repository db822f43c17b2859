package dev.jjf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The top level: commands, help, version, and what a command line that does not parse gets. */
class MainTest {
    private static final List<String> COMMANDS = List.of("render", "run", "diff", "attach", "dumpheap", "snapshot", "doctor", "setup");

    record Result(int exit, String out, String err) {
    }

    private static Result jjf(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryCommandInOrder() {
        for (String[] args : List.of(new String[0], new String[] {"--help"}, new String[] {"-h"}, new String[] {"-V", "--help"})) {
            Result r = jjf(args);
            assertEquals(0, r.exit(), r.err());
            String commands = r.out().substring(r.out().indexOf("\nCommands:\n") + "\nCommands:\n".length());
            List<String> names = new ArrayList<>();
            for (String line : commands.split("\n")) {
                String[] words = line.strip().split(" ");
                if (line.startsWith("  ") && !line.startsWith("   ")) names.add(words[0]);
            }
            assertEquals(COMMANDS, names, r.out());
            assertTrue(r.out().startsWith("Usage: jjf [-hV] [COMMAND]\n"), r.out());
        }
    }

    @Test
    void everyCommandsHelpShowsEachOptionAndParameterInOrder() {
        for (String name : COMMANDS) {
            Result r = jjf(name, "--help");
            assertEquals(0, r.exit(), r.err());
            assertEquals("", r.err());
            assertTrue(r.out().startsWith("Usage: jjf " + name + " "), r.out());
            String flat = flat(r.out());
            CommandSpec spec = Main.command(name).spec();
            for (String line : spec.description()) assertTrue(flat.contains(flat(line)), name + ": " + line + "\n" + r.out());
            int at = 0;
            for (Parameter p : spec.parameters()) {
                int i = flat.indexOf(p.synopsis() + " " + flat(p.description()), at);
                assertTrue(i >= at, name + ": " + p.label() + "\n" + r.out());
                at = i;
            }
            for (Option o : spec.options()) {
                String longName = o.names().get(o.names().size() - 1);
                String names = (o.names().size() > 1 ? o.names().get(0) + ", " : "") + longName + (o.isFlag() ? "" : "=" + o.label());
                int i = flat.indexOf(names + " " + flat(o.description()), at);
                assertTrue(i >= at, name + ": " + names + "\n" + r.out());
                at = i;
            }
            assertTrue(r.out().lines().allMatch(l -> l.length() <= Usage.WIDTH), r.out());
            assertFalse(r.out().contains("${"), r.out());
        }
        // Defaults are the fields' real values, not placeholders.
        assertTrue(flat(jjf("render", "--help").out()).contains("(default: " + System.getProperty("java.io.tmpdir") + " and ./jjf-out/*, where jjf run writes)"));
        String run = flat(jjf("run", "-h").out());
        assertTrue(run.contains("(default: 19, 512 KiB;") && run.contains("--stop (default: true)") && run.contains("text (default: svg)"), run);
        String doctor = flat(jjf("doctor", "-h").out());
        assertTrue(doctor.contains("(default: jjf-out)") && doctor.contains("(default: java)"), doctor);
        assertTrue(flat(jjf("diff", "-h").out()).contains("(default: 0.1)"));
    }

    @Test
    void everyCommandStoresEachValueItDeclares() {
        for (String name : COMMANDS) {
            Command command = Main.command(name);
            List<String> keys = new ArrayList<>();
            for (Option o : command.spec().options()) {
                if (o != CommandSpec.HELP && o != CommandSpec.VERSION) keys.add(o.key());
            }
            for (Parameter p : command.spec().parameters()) keys.add(p.label());
            for (String key : keys) {
                try {
                    command.set(key, "1");
                } catch (IllegalArgumentException doesNotConvert) {
                    // reached the field's converter: "1" is no enum constant or boolean
                }
            }
            assertThrows(IllegalStateException.class, () -> command.set("--no-such-option", "1"), name);
        }
    }

    /** Help wraps descriptions: compare with runs of white space made one space. */
    private static String flat(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }

    @Test
    void attachPassesTheDiagnosticCommandsOptionsThrough() {
        AttachCommand attach = (AttachCommand) Main.command("attach");
        assertEquals(ArgsParser.Request.RUN, ArgsParser.parse(attach.spec(), attach, List.of("1", "jcmd", "Thread.print", "-l")));
        assertEquals(List.of("Thread.print", "-l"), attach.args);
    }

    @Test
    void versionAndUnknownWords() {
        Result v = jjf("--version");
        assertEquals(0, v.exit());
        assertTrue(v.out().matches("jjf \\S.*\n"), v.out());
        assertEquals(v, jjf("-V"));
        // Top-level options before a command are jjf's own, as they were with picocli.
        assertEquals(v, jjf("--version", "render", "--bogus"));
        for (String name : COMMANDS) assertEquals(v, jjf(name, "--version"), name);
        assertEquals(v, jjf("--bogus", "-V"));
        Result unknown = jjf("--bogus");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().startsWith("Unknown option: '--bogus'\nUsage: jjf render "), unknown.err());
        assertEquals("", unknown.out());
        assertEquals(unknown, jjf("render", "--bogus"));
        assertEquals(jjf("render", "--help"), jjf("--bogus", "--help"));
    }

    @Test
    void commandLinesThatDoNotParseExitTwoWithTheMessageAndUsage() {
        assertUsageError(jjf("render", "--min-width", "abc", "x.heap"), "render", "Invalid value for option '--min-width': 'abc' is not a number");
        assertUsageError(jjf("--format", "xml"), "render", "Invalid value for option '--format': expected one of [svg, folded, json, pprof, text] but was 'xml'");
        assertUsageError(jjf("render", "x.heap", "-o"), "render", "Missing value for option '--output' (FILE)");
        assertUsageError(jjf("snapshot", "abc"), "snapshot", "Invalid value for PID: 'abc' is not an integer");
        assertUsageError(jjf("diff"), "diff", "Missing required parameter: 'BASE'");
        assertUsageError(jjf("diff", "a", "b", "c"), "diff", "Unexpected argument: 'c'");
        assertUsageError(jjf("attach", "1"), "attach", "Missing required parameter: 'COMMAND'");
        assertUsageError(jjf("run", "--lg-sample", "x", "--", "true"), "run", "Invalid value for option '--lg-sample': 'x' is not an integer");
        assertUsageError(jjf("run", "--prof-active", "maybe", "--", "true"), "run",
                "Invalid value for option '--prof-active': 'maybe' is not a boolean (true or false)");
        assertUsageError(jjf("run", "--perf-map", "both", "--", "true"), "run",
                "Invalid value for option '--perf-map': expected one of [agent, jdk] but was 'both'");
        assertUsageError(jjf("doctor", "x"), "doctor", "Unexpected argument: 'x'");
        assertUsageError(jjf("setup", "--bogus"), "setup", "Unknown option: '--bogus'");
    }

    private static void assertUsageError(Result r, String command, String message) {
        assertEquals(2, r.exit(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith(message + "\nUsage: jjf " + command + " "), r.err());
        assertEquals(jjf(command, "--help").out(), r.err().substring(message.length() + 1), "the whole usage follows");
    }

    @Test
    void errorsWhileRunningAreOneLineAndVerboseAddsTheStackTrace() {
        Result plain = jjf("render", "/no/such/dir/x.heap");
        assertEquals(1, plain.exit());
        assertEquals("jjf: /no/such/dir/x.heap: no such file\n", plain.err());
        Result verbose = jjf("render", "/no/such/dir/x.heap", "--verbose");
        assertEquals(1, verbose.exit());
        assertTrue(verbose.err().startsWith("jjf: /no/such/dir/x.heap: no such file\ndev.jjf.BadInputException"), verbose.err());
        assertTrue(verbose.err().contains("\tat dev.jjf.cli."), verbose.err());
    }
}
