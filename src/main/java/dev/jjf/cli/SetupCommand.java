package dev.jjf.cli;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jjf setup}: builds jemalloc with libunwind once, so Java stacks come out whole. */
@Command(name = "setup", mixinStandardHelpOptions = true,
        description = {"Build jemalloc with heap profiling and the libunwind unwinder into ~/.cache/jjf",
                "(from the distribution's source package, or from TARBALL). Does nothing when already built."})
final class SetupCommand implements Callable<Integer> {
    private static final String SCRIPT = "/dev/jjf/launch/build-jemalloc.sh";

    @Parameters(paramLabel = "TARBALL", arity = "0..1", description = "A jemalloc source tarball to build instead")
    Path tarball;

    @Override
    public Integer call() throws IOException, InterruptedException {
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
