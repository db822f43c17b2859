package dev.jjf.render;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/** Debian's Chromium driven headless through the system chromedriver, for the browser tests. */
public final class HeadlessChromium implements AutoCloseable {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final Path work;
    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private HeadlessChromium(Path work, ChromeDriverService service, ChromeDriver driver) {
        this.work = work;
        this.service = service;
        this.driver = driver;
    }

    /** Starts a browser with a fresh profile and console logging; fails the test with the fix when absent. */
    public static HeadlessChromium start(String testName) throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail(testName + " needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + "; install them with: apt-get install chromium chromium-driver");
        }
        Path work = Files.createTempDirectory("jjf-" + testName);
        Path profile = Files.createDirectory(work.resolve("browser-profile"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // Without the background-networking flags Chromium keeps dialling out, which this machine refuses.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1400,900", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new HeadlessChromium(work, service, new ChromeDriver(service, options));
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** A temp folder for the test's files, removed on close. */
    public Path work() {
        return work;
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        service.stop();
        try (Stream<Path> files = Files.walk(work)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
