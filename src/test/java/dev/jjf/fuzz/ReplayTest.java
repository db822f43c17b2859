package dev.jjf.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fresh-JVM replay that decides whether a fuzzing finding counts. */
class ReplayTest {
    @TempDir
    Path dir;

    @Test
    void anInputTheReaderHandlesIsNotConfirmed() throws Exception {
        Seeds.Seed seed = Seeds.all().stream().filter(s -> s.target() == Targets.DEMANGLER && !s.combined())
                .findFirst().orElseThrow();
        Path log = dir.resolve("replay.log");
        assertFalse(Replay.failsInFreshJvm(Targets.DEMANGLER, seed.file(), log), Files.readString(log));
    }

    @Test
    void aReplayThatCannotRunTheInputDoesNotDismissTheFinding() throws Exception {
        Path log = dir.resolve("replay.log");
        assertTrue(Replay.failsInFreshJvm(Targets.DEMANGLER, dir.resolve("missing"), log), Files.readString(log));
    }

    @Test
    void outsideFuzzingEveryFindingCounts() {
        assertTrue(Replay.confirms(Targets.DEMANGLER, new byte[0], new AssertionError("x")));
    }
}
