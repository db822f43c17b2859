package dev.jjf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command-line parser on a small spec of its own, and on the real commands where they are special. */
class ArgsParserTest {
    /** Fields a spec sets, like a command's. */
    private static final class Target {
        String title;
        Path output;
        int count = 7;
        double width = 0.1;
        long pid;
        boolean quiet;
        boolean loud;
        OutputFormat format = OutputFormat.svg;
        String first;
        final List<String> rest = new ArrayList<>();

        CommandSpec spec(int restMin) {
            return CommandSpec.builder("test", "A spec for tests.")
                    .parameter("FIRST", 1, 1, "first word", v -> first = v)
                    .parameter("REST", restMin, Parameter.UNBOUNDED, "more words", rest::add)
                    .option("--title", "T", "title", v -> title = v)
                    .option(List.of("-o", "--output"), "FILE", "output", v -> output = Values.toPath(v))
                    .option("--count", "N", "count", v -> count = Values.toInt(v))
                    .option("--width", "PCT", "width", v -> width = Values.toDouble(v))
                    .option("--pid", "PID", "pid", v -> pid = Values.toLong(v))
                    .option("--format", "F", "format", v -> format = Values.oneOf(OutputFormat.values(), v))
                    .flag("--quiet", "quiet", on -> quiet = on)
                    .option(List.of("-l", "--loud"), null, "loud", v -> loud = Values.toBoolean(v))
                    .build();
        }
    }

    private static Target parse(String... words) {
        Target t = new Target();
        assertEquals(ArgsParser.Request.RUN, ArgsParser.parse(t.spec(0), List.of(words)));
        return t;
    }

    private static String error(String... words) {
        return assertThrows(UsageException.class, () -> ArgsParser.parse(new Target().spec(0), List.of(words))).getMessage();
    }

    @Test
    void optionValuesInEverySpelling() {
        assertEquals("a b", parse("x", "--title", "a b").title);
        assertEquals("a=b", parse("x", "--title=a=b").title);
        assertEquals("", parse("x", "--title=").title);
        assertEquals(Path.of("f.svg"), parse("x", "-o", "f.svg").output);
        assertEquals(Path.of("f.svg"), parse("x", "-of.svg").output);
        assertEquals(Path.of("f.svg"), parse("x", "-o=f.svg").output);
        assertEquals(Path.of("f.svg"), parse("x", "--output=f.svg").output);
        // A value may start with '-' unless it is one of the command's options; attached with '=', anything goes.
        assertEquals("-foo", parse("x", "--title", "-foo").title);
        assertEquals("--quiet", parse("x", "--title=--quiet").title);
        assertEquals(-5, parse("x", "--count", "-5").count);
    }

    @Test
    void defaultsStayWhenOptionsAreNotGiven() {
        Target t = parse("x");
        assertEquals(7, t.count);
        assertEquals(0.1, t.width);
        assertEquals(OutputFormat.svg, t.format);
        assertNull(t.title);
        assertFalse(t.quiet);
    }

    @Test
    void flagsBareWithAValueAndClustered() {
        assertTrue(parse("x", "--quiet").quiet);
        assertFalse(parse("x", "--quiet=false").quiet);
        assertTrue(parse("x", "--quiet=TRUE").quiet);
        Target clustered = parse("x", "-lofile");
        assertTrue(clustered.loud);
        assertEquals(Path.of("file"), clustered.output);
        Target thenValue = parse("x", "-lo", "file");
        assertTrue(thenValue.loud);
        assertEquals(Path.of("file"), thenValue.output);
    }

    @Test
    void positionalsFillParametersInOrderAroundOptions() {
        Target t = parse("a", "--count", "3", "b", "--quiet", "c");
        assertEquals("a", t.first);
        assertEquals(List.of("b", "c"), t.rest);
        assertEquals(3, t.count);
        assertTrue(t.quiet);
        // '-' alone and negative numbers are words, not options.
        Target words = parse("-", "-1", "-2.5");
        assertEquals("-", words.first);
        assertEquals(List.of("-1", "-2.5"), words.rest);
    }

    @Test
    void doubleDashEndsTheOptions() {
        Target t = parse("--quiet", "--", "--title", "x", "-o", "--");
        assertTrue(t.quiet);
        assertNull(t.title);
        assertEquals("--title", t.first);
        assertEquals(List.of("x", "-o", "--"), t.rest);
    }

    @Test
    void missingValues() {
        assertEquals("Missing value for option '--title' (T)", error("x", "--title"));
        assertEquals("Missing value for option '--output' (FILE)", error("x", "-o"));
        assertEquals("Missing value for option '--output' (FILE)", error("x", "-lo"));
        assertEquals("Missing value for option '--title' (T): found option '--quiet'", error("x", "--title", "--quiet"));
        assertEquals("Missing value for option '--title' (T): found option '--count=3'", error("x", "--title", "--count=3"));
        assertEquals("Missing value for option '--title' (T): found option '--'", error("x", "--title", "--", "y"));
    }

    @Test
    void valuesThatDoNotConvert() {
        assertEquals("Invalid value for option '--count': 'x' is not an integer", error("a", "--count", "x"));
        assertEquals("Invalid value for option '--count': '99999999999' is not an integer in range", error("a", "--count", "99999999999"));
        assertEquals("Invalid value for option '--pid': '0x10' is not an integer", error("a", "--pid", "0x10"));
        assertEquals("Invalid value for option '--width': 'abc' is not a number", error("a", "--width=abc"));
        assertEquals("Invalid value for option '--format': expected one of [svg, folded, json] but was 'SVG'", error("a", "--format", "SVG"));
        assertEquals("Invalid value for option '--quiet': 'yes' is not a boolean (true or false)", error("a", "--quiet=yes"));
        assertTrue(error("a", "-o", "bad\0path").startsWith("Invalid value for option '--output': 'bad\0path' is not a path"));
        // Conversion fails at once, even when help is asked for later (as with picocli).
        assertEquals("Invalid value for option '--count': 'x' is not an integer", error("a", "--count", "x", "--help"));
    }

    @Test
    void unknownOptionsAndExtraWordsAreReportedUnlessHelpIsAskedFor() {
        assertEquals("Unknown option: '--bogus'", error("a", "--bogus"));
        assertEquals("Unknown option: '-x'", error("a", "-x"));
        assertEquals("Unknown option: '-lx'", error("a", "-lx"));
        assertEquals("Unknown option: '--bogus=1'", error("a", "--bogus=1"));
        assertEquals(ArgsParser.Request.HELP, ArgsParser.parse(new Target().spec(0), List.of("--bogus", "--help")));
        assertEquals(ArgsParser.Request.HELP, ArgsParser.parse(new Target().spec(0), List.of("-h", "--bogus")));
        assertEquals(ArgsParser.Request.VERSION, ArgsParser.parse(new Target().spec(0), List.of("--bogus", "-V")));
        assertEquals(ArgsParser.Request.HELP, ArgsParser.parse(new Target().spec(0), List.of("-hV")));
        assertEquals(ArgsParser.Request.RUN, ArgsParser.parse(new Target().spec(0), List.of("a", "--help=false")));
    }

    @Test
    void requiredAndSurplusParameters() {
        assertEquals("Missing required parameter: 'FIRST'", error());
        assertEquals("Missing required parameter: 'FIRST'", error("--quiet"));
        String both = assertThrows(UsageException.class, () -> ArgsParser.parse(new Target().spec(1), List.of())).getMessage();
        assertEquals("Missing required parameters: 'FIRST', 'REST'", both);
        assertEquals(ArgsParser.Request.HELP, ArgsParser.parse(new Target().spec(1), List.of("--help")));

        CommandSpec one = CommandSpec.builder("one").parameter("ONE", 1, 1, "one word", v -> { }).build();
        assertEquals("Unexpected argument: 'b'", assertThrows(UsageException.class, () -> ArgsParser.parse(one, List.of("a", "b"))).getMessage());
        assertEquals(ArgsParser.Request.HELP, ArgsParser.parse(one, List.of("a", "b", "-h")));

        DiffCommand diff = new DiffCommand();
        assertEquals("Unexpected argument: 'c'",
                assertThrows(UsageException.class, () -> ArgsParser.parse(diff.spec(), List.of("a", "b", "c"))).getMessage());
    }

    @Test
    void anOptionGivenTwiceIsRefused() {
        assertEquals("Option '--title' may be given only once", error("a", "--title", "1", "--title", "2"));
        assertEquals("Option '--output' may be given only once", error("a", "-o", "1", "--output=2"));
        assertEquals("Option '--quiet' may be given only once", error("a", "--quiet", "--quiet"));
    }

    @Test
    void attachPassesUnknownOptionsToTheDiagnosticCommand() {
        AttachCommand attach = new AttachCommand();
        ArgsParser.parse(attach.spec(), List.of("42", "jcmd", "Thread.print", "-l", "--all=x", "--timeout", "2.5"));
        assertEquals(42, attach.pid);
        assertEquals("jcmd", attach.command);
        assertEquals(List.of("Thread.print", "-l", "--all=x"), attach.args);
        assertEquals(2.5, attach.timeoutSeconds); // its own options still count wherever they are

        AttachCommand afterDashes = new AttachCommand();
        ArgsParser.parse(afterDashes.spec(), List.of("1", "jcmd", "--", "--timeout", "3"));
        assertEquals(List.of("--timeout", "3"), afterDashes.args);
        assertEquals(10.0, afterDashes.timeoutSeconds);
    }

    @Test
    void runTakesTheCommandAfterDoubleDashWithItsOwnOptions() {
        RunCommand run = new RunCommand();
        ArgsParser.parse(run.spec(), List.of("--lg-sample", "12", "--prof-active", "FALSE", "--", "java", "-version", "--verbose"));
        assertEquals(List.of("java", "-version", "--verbose"), run.command);
        assertEquals(12, run.lgSample);
        assertFalse(run.profActive);
        assertFalse(run.verbose);
        assertEquals(RunCommand.PerfMapMode.agent, run.perfMap);

        // Without '--' the command's options are jjf's, and unknown to it.
        assertEquals("Unknown option: '-version'",
                assertThrows(UsageException.class, () -> ArgsParser.parse(new RunCommand().spec(), List.of("java", "-version"))).getMessage());
        assertEquals("Missing required parameter: 'COMMAND'",
                assertThrows(UsageException.class, () -> ArgsParser.parse(new RunCommand().spec(), List.of("--no-render"))).getMessage());
    }

    @Test
    void sharedRenderOptionsReachTheirFields() {
        RenderCommand render = new RenderCommand();
        ArgsParser.parse(render.spec(), List.of("a.heap", "--format", "json", "b.heap", "--min-width=2", "--pid", "9",
                "--metric", "alloc-space", "--no-symbol-cache", "--annotate"));
        assertEquals(List.of(Path.of("a.heap"), Path.of("b.heap")), render.heaps);
        assertEquals(OutputFormat.json, render.options.format);
        assertEquals(2.0, render.options.minWidthPercent);
        assertEquals(9L, render.pid);
        assertEquals("alloc-space", render.options.metric);
        assertTrue(render.options.noSymbolCache && render.options.annotate);
    }

    @Test
    void argumentsWithoutACommandGoToRender() {
        assertEquals(List.of(), List.of(Main.withDefaultCommand(new String[0])));
        assertEquals(List.of("render", "x.heap"), List.of(Main.withDefaultCommand(new String[] {"x.heap"})));
        assertEquals(List.of("render", "--latest"), List.of(Main.withDefaultCommand(new String[] {"--latest"})));
        assertEquals(List.of("render", "-hV"), List.of(Main.withDefaultCommand(new String[] {"-hV"})));
        for (String top : List.of("-h", "--help", "-V", "--version", "diff", "run", "setup")) {
            assertEquals(List.of(top, "x"), List.of(Main.withDefaultCommand(new String[] {top, "x"})), top);
        }
    }
}
