package dev.jjf.cli;

import dev.jjf.BadInputException;
import dev.jjf.attach.AttachResponse;
import dev.jjf.attach.AttachTarget;
import dev.jjf.attach.AttachClient;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code jjf attach PID COMMAND [ARGS…]}: one operation on a running HotSpot JVM through its attach socket. */
final class AttachCommand implements Command {
    private static final double MILLIS_PER_SECOND = 1000.0;

    long pid;
    String command;
    List<String> args = new ArrayList<>();
    double timeoutSeconds = AttachClient.DEFAULT_TIMEOUT_MILLIS / MILLIS_PER_SECOND;
    boolean verbose;

    /**
     * Options that are not attach's own go to ARGS: they belong to the diagnostic command
     * ({@code jjf attach PID jcmd Thread.print -l}).
     */
    @Override
    public CommandSpec spec() {
        return CommandSpec.builder("attach",
                        "Send a command to a running HotSpot JVM through its dynamic-attach socket, as jcmd does.",
                        "Reaches a JVM in a container (other pid and mount namespaces) when run as root on the host.",
                        "",
                        "Commands:",
                        "  jcmd CMD [ARGS...]  a diagnostic command: 'jcmd VM.version', 'jcmd help'",
                        "  threaddump          stack traces of all threads",
                        "  properties          the JVM's system properties",
                        "  dumpheap FILE       Java heap dump (hprof), written by the JVM; in a",
                        "                      container FILE is a path in the container",
                        "  load LIB [OPTIONS]  load the JVMTI agent library at path LIB",
                        "Relative FILE and LIB are made absolute against the current directory.",
                        "")
                .parameter("PID", 1, 1, "The JVM's process id (as seen from here)")
                .parameter("COMMAND", 1, 1, "jcmd, threaddump, properties, dumpheap or load")
                .parameter("ARGS", 0, Parameter.UNBOUNDED, "The command's arguments")
                .option("--timeout", "SECONDS", "How long to wait for the JVM to open its attach socket (default: 10)")
                .flag("--verbose", "Print Java stack traces of errors")
                .unknownOptionsAreParameters()
                .build();
    }

    @Override
    public void set(String key, String value) {
        switch (key) {
            case "PID" -> pid = Values.toLong(value);
            case "COMMAND" -> command = value;
            case "ARGS" -> args.add(value);
            case "--timeout" -> timeoutSeconds = Values.toDouble(value);
            case "--verbose" -> verbose = Values.toBoolean(value);
            default -> throw Command.unknownKey(key);
        }
    }

    /** One attach operation: HotSpot's name for it and its (at most three) arguments. */
    record Operation(String name, List<String> args) {
    }

    @Override
    public int call(PrintWriter out, PrintWriter err) {
        if (!(timeoutSeconds > 0) || Double.isInfinite(timeoutSeconds)) {
            throw new BadInputException(null, "--timeout must be a positive number of seconds, not " + timeoutSeconds);
        }
        Operation op = operation(command, args);
        AttachClient attach = new AttachClient(Math.max(1, Math.round(timeoutSeconds * MILLIS_PER_SECOND)));
        AttachTarget target = attach.target(pid);
        AttachResponse response = attach.execute(target, op.name(), op.args().toArray(new String[0]));
        if (!response.ok()) {
            throw new BadInputException(null, "pid " + target.pid() + " reported a failure of '" + command + "' (status "
                    + response.status() + "): " + oneLine(response.output()));
        }
        String failure = failure(op, response.output());
        if (failure != null) {
            throw new BadInputException(null, "pid " + target.pid() + ": " + command + " failed: " + failure);
        }
        out.print(response.output());
        out.flush();
        if (target.otherMountNamespace() && (op.name().equals("dumpheap") || op.name().equals("load"))) {
            err.println("jjf: pid " + target.pid() + " runs in another mount namespace: " + op.args().get(0)
                    + " is a path in its file system (from here: /proc/" + target.pid() + "/root" + op.args().get(0) + ")");
            err.flush();
        }
        return 0;
    }

    /** Maps the user's command to HotSpot's operation, checking arguments before anything is sent. */
    static Operation operation(String command, List<String> args) {
        return switch (command) {
            case "jcmd" -> {
                if (args.isEmpty()) throw new BadInputException(null, "jcmd needs a diagnostic command, e.g. 'jcmd VM.version' or 'jcmd help'");
                // HotSpot splits the one argument on spaces itself, as jcmd sends it.
                yield new Operation("jcmd", List.of(String.join(" ", args)));
            }
            case "threaddump", "properties" -> {
                if (!args.isEmpty()) throw new BadInputException(null, command + " takes no arguments, got: " + String.join(" ", args));
                yield new Operation(command, List.of());
            }
            case "dumpheap" -> {
                if (args.size() != 1) throw new BadInputException(null, "dumpheap takes one argument, the FILE to write");
                yield new Operation("dumpheap", List.of(absolute(args.get(0))));
            }
            case "load" -> {
                if (args.isEmpty() || args.size() > 2) {
                    throw new BadInputException(null, "load takes the library and at most one OPTIONS argument (quote it when it has spaces)");
                }
                // "true": the library is a path, not a name to look up in the JVM's library path.
                yield new Operation("load", List.of(absolute(args.get(0)), "true", args.size() > 1 ? args.get(1) : ""));
            }
            default -> throw new BadInputException(null, "unknown attach command '" + command
                    + "' (use jcmd, threaddump, properties, dumpheap or load)");
        };
    }

    /**
     * Failures HotSpot reports with status 0: a heap dump that could not be written, an agent whose
     * Agent_OnAttach returned an error. Null when the output says the operation worked.
     */
    static String failure(Operation op, String output) {
        return switch (op.name()) {
            case "dumpheap" -> output.contains("Heap dump file created") ? null : oneLine(output);
            case "load" -> {
                // JDK 8-20 print Agent_OnAttach's result as a bare number, JDK 21+ as "return code: N".
                String first = output.lines().findFirst().orElse("").strip();
                String code = first.startsWith("return code:") ? first.substring("return code:".length()).strip() : first;
                if (code.equals("0")) yield null;
                yield code.matches("-?\\d+") ? "Agent_OnAttach returned " + code : oneLine(output);
            }
            default -> null;
        };
    }

    private static String absolute(String path) {
        try {
            return Path.of(path).toAbsolutePath().normalize().toString();
        } catch (InvalidPathException e) {
            throw new BadInputException(null, "not a path: " + path);
        }
    }

    private static String oneLine(String text) {
        String s = text.strip().replaceAll("\\s*\n\\s*", "; ");
        return s.isEmpty() ? "(no message)" : s;
    }
}
