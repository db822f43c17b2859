package dev.jjf.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The seed and crash inputs kept for the fuzz targets, as found on the test class path. */
final class Seeds {
    /** Crashes found by the combined target keep its selector byte in front. */
    static final String COMBINED = "ReadersFuzzTestInputs/anyReader";

    /**
     * One kept input.
     *
     * @param combined the first byte selects the target, as in {@link ReadersFuzzTest}
     */
    record Seed(Targets target, Path file, boolean combined) {
        @Override
        public String toString() {
            return (combined ? "combined " : "") + target + " " + file.getFileName();
        }

        void run() throws Exception {
            byte[] bytes = Files.readAllBytes(file);
            if (combined) {
                ReadersFuzzTest.check(bytes);
            } else {
                target.check.run(bytes);
            }
        }
    }

    private Seeds() {
    }

    static List<Seed> all() {
        List<Seed> out = new ArrayList<>();
        for (Targets t : Targets.values()) {
            for (Path p : files(t.inputs)) out.add(new Seed(t, p, false));
        }
        for (Path p : files(COMBINED)) {
            try {
                byte first = Files.readAllBytes(p).length > 0 ? Files.readAllBytes(p)[0] : 0;
                out.add(new Seed(Targets.select(first), p, true));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static List<Path> files(String folder) {
        URL url = Seeds.class.getResource(folder);
        if (url == null) return List.of();
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
