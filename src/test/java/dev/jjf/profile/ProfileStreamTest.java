package dev.jjf.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streaming must give what the plain parse gives: the same stacks, map, period and errors. */
class ProfileStreamTest {
    private static final String PROFILE = HeapProfileParserTest.PROFILE;

    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        Path p = dir.resolve("test.heap");
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    /** Reads a file the way RenderJob does: streamed when possible, parsed otherwise. */
    private HeapProfile read(Path file) throws IOException {
        Optional<ProfileStream> s = ProfileStream.open(file);
        if (s.isEmpty()) return HeapProfileParser.parse(file);
        try (ProfileStream stream = s.get()) {
            List<StackSample> all = new ArrayList<>();
            for (List<StackSample> b; (b = stream.next()) != null; ) all.addAll(b);
            assertEquals(all.size(), stream.stacks());
            return new HeapProfile(file, stream.samplePeriodBytes(), all, stream.mappings());
        }
    }

    private void assertSame(String text) throws IOException {
        Path file = write(text);
        HeapProfile expected = HeapProfileParser.parse(file);
        HeapProfile actual = read(file);
        assertEquals(expected.samplePeriodBytes(), actual.samplePeriodBytes());
        assertEquals(expected.mappings(), actual.mappings());
        assertEquals(expected.samples().size(), actual.samples().size());
        for (int i = 0; i < expected.samples().size(); i++) {
            StackSample e = expected.samples().get(i);
            StackSample a = actual.samples().get(i);
            assertArrayEquals(e.addresses(), a.addresses());
            assertEquals(List.of(e.objects(), e.bytes(), e.accumObjects(), e.accumBytes()),
                    List.of(a.objects(), a.bytes(), a.accumObjects(), a.accumBytes()));
        }
    }

    @Test
    void streamsWhatTheParserReads() throws IOException {
        assertTrue(ProfileStream.open(write(PROFILE)).isPresent());
        assertSame(PROFILE);
        assertSame(PROFILE.replace("\n", "\r\n"));
        assertSame(PROFILE.replace("\nMAPPED_LIBRARIES:", "\n  MAPPED_LIBRARIES:"));
    }

    @Test
    void manyBatchesAndNoStacks() throws IOException {
        StringBuilder b = new StringBuilder("heap_v2/1\n  t*: 0: 0 [0: 0]\n");
        for (int i = 0; i < ProfileStream.BATCH * 3 + 7; i++) {
            b.append("@ 0x").append(Integer.toHexString(0x1000 + i)).append(" 0x55e287ce8100\n  t*: 1: ").append(i + 1)
                    .append(" [0: 0]\n  t0: 1: ").append(i + 1).append(" [0: 0]\n");
        }
        b.append(PROFILE.substring(PROFILE.indexOf("MAPPED_LIBRARIES:")));
        assertSame(b.toString());
        assertSame("heap_v2/1\n" + PROFILE.substring(PROFILE.indexOf("MAPPED_LIBRARIES:")));
    }

    @Test
    void longMapIsFoundFromTheEnd() throws IOException {
        StringBuilder b = new StringBuilder(PROFILE);
        String line = "7f1b2c900000-7f1b2c901000 r--p 00000000 fe:00 12   /usr/lib/libsomething.so\n";
        while (b.length() < HeapProfileParser.TAIL_BYTES * 3) b.append(line);
        assertTrue(ProfileStream.open(write(b.toString())).isPresent());
        assertSame(b.toString());
    }

    @Test
    void errorsAreTheParsers() throws IOException {
        String[] bad = {
            PROFILE.replace("t*: 2: 1024 [0: 0]", "t*: 2: x1024 [0: 0]"),
            "hello\n",
            "",
            "heap_v2/1\n@ 0x1 0x2\n",
            PROFILE.substring(0, PROFILE.indexOf("MAPPED")),
            PROFILE.replace("[0: 0]", "[-1: 0]"),
            PROFILE.replace("0x55e287ce8200", "0x155e287ce82000000"),
            "heap_v2/1\n@ 0x1\n" + PROFILE.substring(PROFILE.indexOf("MAPPED_LIBRARIES:")),
            "nonsense\n" + PROFILE.substring(PROFILE.indexOf("MAPPED_LIBRARIES:")),
        };
        for (String text : bad) {
            Path file = write(text);
            BadInputException expected = assertThrows(BadInputException.class, () -> HeapProfileParser.parse(file));
            BadInputException actual = assertThrows(BadInputException.class, () -> read(file));
            assertEquals(expected.getMessage(), actual.getMessage());
            assertEquals(expected.line(), actual.line());
        }
    }

    @Test
    void aSecondMapSectionIsAnError() throws IOException {
        String twice = PROFILE + "MAPPED_LIBRARIES:\n7f0000000000-7f0000001000 r-xp 00000000 fe:00 1 /lib/other.so\n";
        BadInputException e = assertThrows(BadInputException.class, () -> read(write(twice)));
        assertTrue(e.getMessage().contains("MAPPED_LIBRARIES"), e.getMessage());
    }

    @Test
    void closingEarlyStopsTheParser() throws IOException {
        StringBuilder b = new StringBuilder("heap_v2/1\n");
        for (int i = 0; i < ProfileStream.BATCH * 200; i++) b.append("@ 0x1 0x2\n  t*: 1: 8 [0: 0]\n");
        b.append(PROFILE.substring(PROFILE.indexOf("MAPPED_LIBRARIES:")));
        Path file = write(b.toString());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (ProfileStream s = ProfileStream.open(file).orElseThrow()) {
                assertNotNull(s.next());
            }
        });
    }
}
