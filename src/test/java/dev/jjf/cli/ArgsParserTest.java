package dev.jjf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command-line parser on a small spec of its own, and on the real commands where they are special. */
class ArgsParserTest {
    /** A command with one field of each kind. */
    private static final class Target implements Command {
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
        private final int restMin;

        Target(int restMin) {
            this.restMin = restMin;
        }

        @Override
        public CommandSpec spec() {
            return CommandSpec.builder("test", "A command for tests.")
                    .parameter("FIRST", 1, 1, "first word")
                    .parameter("REST", restMin, Parameter.UNBOUNDED, "more words")
                    .option("--title", "T", "title")
                    .option(List.of("-o", "--output"), "FILE", "output")
                    .option("--count", "N", "count (default: ${DEFAULT-VALUE})", count)
                    .option("--width", "PCT", "width")
                    .option("--pid", "PID", "pid")
                    .option("--format", "F", "format")
                    .flag("--quiet", "quiet")
                    .option(List.of("-l", "--loud"), null, "loud")
                    .build();
        }

        @Override
        public void set(String key, String value) {
            switch (key) {
                case "FIRST" -> first = value;
                case "REST" -> rest.add(value);
                case "--title" -> title = value;
                case "--output" -> output = Values.toPath(value);
                case "--count" -> count = Values.toInt(value);
                case "--width" -> width = Values.toDouble(value);
                case "--pid" -> pid = Values.toLong(value);
                case "--format" -> format = Values.oneOf(OutputFormat.values(), value);
                case "--quiet" -> quiet = Values.toBoolean(value);
                case "--loud" -> loud = Values.toBoolean(value);
                default -> throw Command.unknownKey(key);
            }
        }

        @Override
        public int call(PrintWriter out, PrintWriter err) {
            return 0;
        }

        ArgsParser.Request parse(String... words) {
            return ArgsParser.parse(spec(), this, List.of(words));
        }
    }

    private static Target parse(String... words) {
        Target t = new Target(0);
        assertEquals(ArgsParser.Request.RUN, t.parse(words));
        return t;
    }

    private static String error(String... words) {
        return assertThrows(UsageException.class, () -> new Target(0).parse(words)).getMessage();
    }

    private static String error(Command command, String... words) {
        return assertThrows(UsageException.class, () -> ArgsParser.parse(command.spec(), command, List.of(words))).getMessage();
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
        assertEquals("Invalid value for option '--format': expected one of [svg, folded, json, pprof, text] but was 'SVG'", error("a", "--format", "SVG"));
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
        assertEquals(ArgsParser.Request.HELP, new Target(0).parse("--bogus", "--help"));
        assertEquals(ArgsParser.Request.HELP, new Target(0).parse("-h", "--bogus"));
        assertEquals(ArgsParser.Request.VERSION, new Target(0).parse("--bogus", "-V"));
        assertEquals(ArgsParser.Request.HELP, new Target(0).parse("-hV"));
        assertEquals(ArgsParser.Request.RUN, new Target(0).parse("a", "--help=false"));
    }

    @Test
    void requiredAndSurplusParameters() {
        assertEquals("Missing required parameter: 'FIRST'", error());
        assertEquals("Missing required parameter: 'FIRST'", error("--quiet"));
        assertEquals("Missing required parameters: 'FIRST', 'REST'", error(new Target(1)));
        assertEquals(ArgsParser.Request.HELP, new Target(1).parse("--help"));

        assertEquals("Unexpected argument: 'c'", error(new DiffCommand(), "a", "b", "c"));
        assertEquals("Unexpected argument: 'b'", error(new SetupCommand(), "a", "b"));
        SetupCommand setup = new SetupCommand();
        assertEquals(ArgsParser.Request.HELP, ArgsParser.parse(setup.spec(), setup, List.of("a", "b", "-h")));
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
        ArgsParser.parse(attach.spec(), attach, List.of("42", "jcmd", "Thread.print", "-l", "--all=x", "--timeout", "2.5"));
        assertEquals(42, attach.pid);
        assertEquals("jcmd", attach.command);
        assertEquals(List.of("Thread.print", "-l", "--all=x"), attach.args);
        assertEquals(2.5, attach.timeoutSeconds); // its own options still count wherever they are

        AttachCommand afterDashes = new AttachCommand();
        ArgsParser.parse(afterDashes.spec(), afterDashes, List.of("1", "jcmd", "--", "--timeout", "3"));
        assertEquals(List.of("--timeout", "3"), afterDashes.args);
        assertEquals(10.0, afterDashes.timeoutSeconds);
    }

    @Test
    void runTakesTheCommandAfterDoubleDashWithItsOwnOptions() {
        RunCommand run = new RunCommand();
        ArgsParser.parse(run.spec(), run, List.of("--lg-sample", "12", "--prof-active", "FALSE", "--", "java", "-version", "--verbose"));
        assertEquals(List.of("java", "-version", "--verbose"), run.command);
        assertEquals(12, run.lgSample);
        assertFalse(run.profActive);
        assertFalse(run.verbose);
        assertEquals(RunCommand.PerfMapMode.agent, run.perfMap);

        // Without '--' the command's options are jjf's, and unknown to it.
        assertEquals("Unknown option: '-version'", error(new RunCommand(), "java", "-version"));
        assertEquals("Missing required parameter: 'COMMAND'", error(new RunCommand(), "--no-render"));
    }

    @Test
    void sharedRenderOptionsReachTheirFields() {
        RenderCommand render = new RenderCommand();
        ArgsParser.parse(render.spec(), render, List.of("a.heap", "--format", "json", "b.heap", "--min-width=2", "--pid", "9",
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
