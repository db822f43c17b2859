package dev.jjf.cli;

import dev.jjf.BadInputException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point: {@code jjf [render] …}; {@code jjf --latest} means {@code jjf render --latest}.
 *
 * <p>The subcommands are added by {@link #commandLine(String...)}, not declared on the annotation: picocli
 * builds each command's model by reflection, and building all of them took most of a render's start-up.
 * A run builds only the command it invokes; help, which lists them all, builds them all.
 */
@Command(name = "jjf", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Native-memory flamegraphs for the JVM from jemalloc heap profiles and perf maps.")
public final class Main implements Runnable {
    /** Exit code for bad input (a file we cannot use, a failed child). */
    static final int EXIT_BAD_INPUT = 1;
    /** The subcommands, in the order help lists them; the first is the default. */
    static final List<String> COMMANDS = List.of("render", "run", "diff", "attach", "snapshot", "doctor", "setup");

    /**
     * picocli registers converters for java.sql and java.time types by reflection on every
     * CommandLine it builds, which loads some 80 classes; no jjf option has such a type.
     */
    private static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this instead of main). */
    public static int run(String... args) {
        String[] argv = withDefaultCommand(args);
        return commandLine(argv).execute(argv);
    }

    /** Runs the CLI with its output and errors captured. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        String[] argv = withDefaultCommand(args);
        CommandLine cli = commandLine(argv);
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(argv);
    }

    /**
     * The command line for these arguments (after {@link #withDefaultCommand}): jjf with the one
     * subcommand they name, with none for a bare {@code --version}, with all of them otherwise
     * (no arguments, {@code --help}, or top-level options followed by more words).
     */
    static CommandLine commandLine(String... argv) {
        if (System.getProperty(CONVERTER_EXCLUDES) == null) System.setProperty(CONVERTER_EXCLUDES, "java\\.sql\\..*,java\\.time\\..*");
        CommandLine cli = new CommandLine(new Main());
        if (argv.length > 0 && COMMANDS.contains(argv[0])) {
            cli.addSubcommand(argv[0], subcommand(argv[0]));
        } else if (!(argv.length == 1 && (argv[0].equals("-V") || argv[0].equals("--version")))) {
            for (String name : COMMANDS) cli.addSubcommand(name, subcommand(name));
        }
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

    /**
     * A CommandLine, not the bare command: only picocli's public constructor applies the command's
     * model transformer (attach's), as it did for subcommands declared on the annotation.
     */
    private static CommandLine subcommand(String name) {
        return new CommandLine(switch (name) {
            case "render" -> new RenderCommand();
            case "run" -> new RunCommand();
            case "diff" -> new DiffCommand();
            case "attach" -> new AttachCommand();
            case "snapshot" -> new SnapshotCommand();
            case "doctor" -> new DoctorCommand();
            case "setup" -> new SetupCommand();
            default -> throw new IllegalArgumentException(name);
        });
    }

    /** Arguments that do not start with a subcommand go to render. */
    private static String[] withDefaultCommand(String[] args) {
        if (args.length == 0) return args;
        String first = args[0];
        boolean topLevel = COMMANDS.contains(first)
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
