package dev.jjf.cli;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** {@code jjf setup}: builds jemalloc with libunwind once, so Java stacks come out whole. */
final class SetupCommand implements Command {
    private static final String SCRIPT = "/dev/jjf/launch/build-jemalloc.sh";

    Path tarball;

    @Override
    public CommandSpec spec() {
        return CommandSpec.builder("setup",
                        "Build jemalloc with heap profiling and the libunwind unwinder into ~/.cache/jjf",
                        "(from the distribution's source package, or from TARBALL). Does nothing when already built.")
                .parameter("TARBALL", 0, 1, "A jemalloc source tarball to build instead")
                .build();
    }

    @Override
    public void set(String key, String value) {
        if (!key.equals("TARBALL")) throw Command.unknownKey(key);
        tarball = Values.toPath(value);
    }

    @Override
    public int call(PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        Path script = Files.createTempFile("jjf-build-jemalloc", ".sh");
        try (InputStream in = SetupCommand.class.getResourceAsStream(SCRIPT)) {
            if (in == null) throw new BadInputException(null, "this jjf.jar does not contain build-jemalloc.sh");
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
            if (tarball != null) cmd.add(tarball.toAbsolutePath().toString());
            return new ProcessBuilder(cmd).inheritIO().start().waitFor();
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
