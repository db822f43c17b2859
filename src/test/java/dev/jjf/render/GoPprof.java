package dev.jjf.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Google's pprof as Debian's golang-go installs it ({@code go tool pprof}; scripts/setup.sh --test). */
public final class GoPprof {
    private static final Pattern SAMPLE = Pattern.compile("^\\s*(-?\\d+(?:\\s+-?\\d+)*):(.*)$");
    private static final long TIMEOUT_SECONDS = 120;

    private GoPprof() {
    }

    /** Runs {@code go tool pprof ARGS}; it must succeed. Returns what it printed. */
    public static String run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("go", "tool", "pprof"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "pprof did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    /** The sum of every sample's value of the {@code type}-th sample type in {@code pprof -raw}'s output. */
    public static long rawTotal(String raw, int type) {
        long sum = 0;
        boolean inSamples = false;
        boolean header = false;
        for (String line : raw.split("\n")) {
            if (line.equals("Samples:")) {
                inSamples = true;
                header = true;
                continue;
            }
            if (!inSamples) continue;
            if (header) {
                header = false;
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (m.matches()) {
                sum += Long.parseLong(m.group(1).strip().split("\\s+")[type]);
            } else if (!line.startsWith(" ")) {
                break;
            }
        }
        assertTrue(inSamples, raw);
        return sum;
    }
}
