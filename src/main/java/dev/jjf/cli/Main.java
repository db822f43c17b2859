package dev.jjf.cli;

import dev.jjf.BadInputException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code jjf [render] …}; {@code jjf --latest} means {@code jjf render --latest}. */
@Command(name = "jjf", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Native-memory flamegraphs for the JVM from jemalloc heap profiles and perf maps.",
        subcommands = {RenderCommand.class, RunCommand.class, DiffCommand.class, AttachCommand.class, SnapshotCommand.class, DoctorCommand.class,
                SetupCommand.class})
public final class Main implements Runnable {
    /** Exit code for bad input (a file we cannot use, a failed child). */
    static final int EXIT_BAD_INPUT = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        return cli.execute(withDefaultCommand(cli, args));
    }

    /** Runs the CLI with its output and errors captured. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(withDefaultCommand(cli, args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean verbose = Arrays.asList(parseResult.originalArgs().toArray(new String[0])).contains("--verbose");
            PrintWriter err = commandLine.getErr();
            if (e instanceof BadInputException b) {
                err.println("jjf: " + b.userMessage());
            } else if (e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException) {
                err.println("jjf: " + ioMessage(e instanceof java.io.UncheckedIOException u ? u.getCause() : e));
            } else {
                err.println("jjf: internal error: " + e + (verbose ? "" : " (run with --verbose for details)"));
            }
            if (verbose) e.printStackTrace(err);
            err.flush();
            return EXIT_BAD_INPUT;
        });
        return cli;
    }

    /**
     * "FILE: reason". A FileSystemException's own message is only the file name for the common
     * cases (no such file, permission denied), which reads like no message at all.
     */
    static String ioMessage(Throwable e) {
        if (!(e instanceof java.nio.file.FileSystemException f) || f.getFile() == null) return String.valueOf(e.getMessage());
        String reason = f.getReason();
        if (reason == null) {
            reason = e instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileAlreadyExistsException ? "already exists"
                    : e instanceof java.nio.file.DirectoryNotEmptyException ? "is a directory that is not empty"
                    : e instanceof java.nio.file.NotDirectoryException ? "not a directory"
                    : e.getClass().getSimpleName();
        }
        return (f.getOtherFile() == null ? f.getFile() : f.getOtherFile()) + ": " + reason;
    }

    /** Arguments that do not start with a subcommand go to render. */
    private static String[] withDefaultCommand(CommandLine cli, String[] args) {
        if (args.length == 0) return args;
        String first = args[0];
        boolean topLevel = cli.getSubcommands().containsKey(first)
                || first.equals("-h") || first.equals("--help") || first.equals("-V") || first.equals("--version");
        if (topLevel) return args;
        List<String> out = new ArrayList<>(args.length + 1);
        out.add("render");
        out.addAll(Arrays.asList(args));
        return out.toArray(new String[0]);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reads the version Maven wrote into the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jjf " + (v == null ? "(development build)" : v)};
        }
    }
}
