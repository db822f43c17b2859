package dev.jjf.cli;

import dev.jjf.BadInputException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point: {@code jjf [render] …}; {@code jjf --latest} means {@code jjf render --latest}.
 *
 * <p>A run builds only the spec of the command it invokes; help, which lists them all, builds them all.
 */
public final class Main {
    /** Exit code for bad input (a file we cannot use, a failed child). */
    static final int EXIT_BAD_INPUT = 1;
    /** Exit code for a command line that does not parse (picocli's, which jjf used before). */
    static final int EXIT_USAGE = 2;
    /** The subcommands, in the order help lists them; the first is the default. */
    static final List<String> COMMANDS = List.of("render", "run", "diff", "attach", "dumpheap", "snapshot", "doctor", "setup");
    private static final String DESCRIPTION = "Native-memory flamegraphs for the JVM from jemalloc heap profiles and perf maps.";
    private static final String VERBOSE = "--verbose";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this instead of main). */
    public static int run(String... args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        try {
            return run(out, err, args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** Runs the CLI with its output and errors captured. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        String[] argv = withDefaultCommand(args);
        if (argv.length == 0 || !COMMANDS.contains(argv[0])) return topLevel(out, argv);
        Command command = command(argv[0]);
        CommandSpec spec = command.spec();
        ArgsParser.Request request;
        try {
            request = ArgsParser.parse(spec, command, Arrays.asList(argv).subList(1, argv.length));
        } catch (UsageException e) {
            err.println(e.getMessage());
            err.print(Usage.of(spec));
            err.flush();
            return EXIT_USAGE;
        }
        if (request == ArgsParser.Request.HELP) return print(out, Usage.of(spec));
        if (request == ArgsParser.Request.VERSION) return print(out, version());
        try {
            return command.call(out, err);
        } catch (Exception e) {
            return failed(e, err, Arrays.asList(argv).contains(VERBOSE));
        }
    }

    /**
     * {@code jjf}, {@code jjf --help} or {@code jjf --version}: the options before a command's name are
     * jjf's own, and help wins over version, as it did with picocli.
     */
    private static int topLevel(PrintWriter out, String[] argv) {
        boolean help = argv.length == 0;
        for (String a : argv) {
            if (COMMANDS.contains(a)) break;
            help |= a.equals("-h") || a.equals("--help");
        }
        if (!help) return print(out, version());
        List<CommandSpec> specs = new ArrayList<>();
        for (String name : COMMANDS) specs.add(command(name).spec());
        return print(out, Usage.topLevel(DESCRIPTION, specs));
    }

    /** Prints help or the version line; exit code 0. */
    private static int print(PrintWriter out, String text) {
        out.print(text);
        out.flush();
        return 0;
    }

    /** What a command's exception tells the user: one line, and the stack trace with --verbose. */
    private static int failed(Exception e, PrintWriter err, boolean verbose) {
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

    /** A new instance of the named command, its fields at their defaults. */
    static Command command(String name) {
        return switch (name) {
            case "render" -> new RenderCommand();
            case "run" -> new RunCommand();
            case "diff" -> new DiffCommand();
            case "attach" -> new AttachCommand();
            case "dumpheap" -> new DumpHeapCommand();
            case "snapshot" -> new SnapshotCommand();
            case "doctor" -> new DoctorCommand();
            case "setup" -> new SetupCommand();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Arguments that do not start with a subcommand go to render. */
    static String[] withDefaultCommand(String[] args) {
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

    /** "jjf VERSION" and a newline, from what Maven wrote into the jar's manifest. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return "jjf " + (v == null ? "(development build)" : v) + "\n";
    }
}
