package dev.jjf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The top level: which commands a run builds, and that building fewer changes nothing the user sees. */
class MainTest {
    private static final List<String> COMMANDS = List.of("render", "run", "diff", "attach", "snapshot", "doctor", "setup");

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
        for (String[] args : List.of(new String[0], new String[] {"--help"}, new String[] {"-h"})) {
            Result r = jjf(args);
            assertEquals(0, r.exit(), r.err());
            String commands = r.out().substring(r.out().indexOf("\nCommands:\n") + "\nCommands:\n".length());
            List<String> names = new ArrayList<>();
            for (String line : commands.split("\n")) {
                String[] words = line.strip().split(" ");
                if (line.startsWith("  ") && !line.startsWith("   ")) names.add(words[0]);
            }
            assertEquals(COMMANDS, names, r.out());
        }
    }

    @Test
    void aRunBuildsOnlyTheCommandItInvokes() {
        assertEquals(Set.of("render"), Main.commandLine("render", "x.heap").getSubcommands().keySet());
        assertEquals(Set.of("diff"), Main.commandLine("diff", "--help").getSubcommands().keySet());
        assertEquals(Set.of(), Main.commandLine("--version").getSubcommands().keySet());
        assertEquals(COMMANDS, List.copyOf(Main.commandLine().getSubcommands().keySet()));
        assertEquals(COMMANDS, List.copyOf(Main.commandLine("--help").getSubcommands().keySet()));
        assertEquals(COMMANDS, List.copyOf(Main.commandLine("--version", "render").getSubcommands().keySet()));
    }

    @Test
    void aCommandBuiltAloneIsTheSameAsInTheFullTree() {
        CommandLine all = Main.commandLine();
        for (String name : COMMANDS) {
            CommandLine full = all.getSubcommands().get(name);
            CommandLine alone = Main.commandLine(name).getSubcommands().get(name);
            assertEquals(full.getUsageMessage(), alone.getUsageMessage(), name);
            assertEquals(full.getCommandSpec().qualifiedName(), alone.getCommandSpec().qualifiedName(), name);
            assertEquals(full.getCommandSpec().parser().unmatchedOptionsArePositionalParams(),
                    alone.getCommandSpec().parser().unmatchedOptionsArePositionalParams(), name);
            assertEquals(full.isUnmatchedArgumentsAllowed(), alone.isUnmatchedArgumentsAllowed(), name);
        }
    }

    @Test
    void attachPassesTheDiagnosticCommandsOptionsThrough() {
        CommandLine cli = Main.commandLine("attach", "1", "jcmd", "Thread.print", "-l");
        cli.parseArgs("attach", "1", "jcmd", "Thread.print", "-l");
        AttachCommand attach = cli.getSubcommands().get("attach").getCommand();
        assertEquals(List.of("Thread.print", "-l"), attach.args);
    }

    @Test
    void versionAndUnknownWords() {
        Result v = jjf("--version");
        assertEquals(0, v.exit());
        assertTrue(v.out().matches("jjf \\S.*\n"), v.out());
        // Top-level options before a command still parse the command, as picocli always did.
        assertEquals(v, jjf("--version", "render", "--bogus"));
        Result unknown = jjf("--bogus");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().startsWith("Unknown option: '--bogus'\nUsage: jjf render "), unknown.err());
        assertEquals(unknown, jjf("render", "--bogus"));
    }
}
