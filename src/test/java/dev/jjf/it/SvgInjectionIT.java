package dev.jjf.it;

import dev.jjf.render.HeadlessChromium;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A profile whose names were chosen by an attacker (JIT names in a perf map, a library path in
 * the mappings, the profile's own file name in the title), rendered by the packaged CLI and
 * opened in headless Chromium: no injected script may run, whatever the user does with the page.
 */
class SvgInjectionIT {
    private static final long JIT = 0x7f0000200000L;
    private static final long LIB = 0x7f0000400000L;

    /** Each would set window.pwned (or the title) if it were parsed as markup or code. */
    static final List<String> HOSTILE = List.of(
            "</text><script>window.pwned=1</script>",
            "]]><script>window.pwned=2</script><![CDATA[",
            "\" onload=\"window.pwned=3",
            "' onmouseover='window.pwned=4",
            "javascript:window.pwned=5",
            "<img src=x onerror=\"window.pwned=6\">",
            "</title><script>document.title='pwned'</script>",
            "<svg/onload=window.pwned=7>",
            "&lt;script&gt;window.pwned=8&lt;/script&gt;",
            "<a xlink:href=\"javascript:window.pwned=9\">link</a>",
            "a\u2028'; window.pwned=10; '\u2029b",
            "${window.pwned=11}",
            "--><script>window.pwned=12</script><!--",
            "<style>@import 'javascript:window.pwned=13'</style>");
    /** A library whose file name is markup: its frames read "[unknown] NAME+0x10". */
    static final String LIBRARY_NAME = "<img src=x onerror=window.pwned=14>.so";
    /** The profile's file name goes into the default title. */
    static final String HEAP_NAME = "<iframe src=javascript:window.pwned=15>.heap";

    private static HeadlessChromium browser;
    private static Path work;
    private static ChromeDriver driver;

    @BeforeAll
    static void startBrowser() throws IOException {
        browser = HeadlessChromium.start("SvgInjectionIT");
        work = browser.work();
        driver = browser.driver();
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        if (browser != null) browser.close();
    }

    /** One stack per hostile JIT name (called from main), and one through the hostile library. */
    private static Path writeInputs(Path dir) throws IOException {
        StringBuilder heap = new StringBuilder("heap_v2/1\n");
        StringBuilder map = new StringBuilder();
        long main = JIT + 0x100 * (HOSTILE.size() + 1);
        map.append(String.format("0x%016x 0x%016x void app.Main.main(java.lang.String[])%n", main, 0x100));
        for (int i = 0; i < HOSTILE.size(); i++) {
            long code = JIT + 0x100L * i;
            map.append(String.format("0x%016x 0x%016x %s%n", code, 0x100, HOSTILE.get(i)));
            heap.append(String.format("@ 0x%x 0x%x%n  t*: 1: %d [0: 0]%n", code + 0x10, main + 0x10, 1024 * (i + 1)));
        }
        heap.append(String.format("@ 0x%x 0x%x%n  t*: 1: 4096 [0: 0]%n", LIB + 0x10, main + 0x10));
        heap.append("MAPPED_LIBRARIES:\n");
        heap.append(String.format("%x-%x r-xp 00000000 fe:00 7 %s%n", LIB, LIB + 0x1000, dir.resolve("gone").resolve(LIBRARY_NAME)));
        heap.append(String.format("%x-%x rwxp 00000000 00:00 0%n", JIT, JIT + 0x100000));
        Files.writeString(dir.resolve("perf.map"), map);
        return Files.writeString(dir.resolve(HEAP_NAME), heap);
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    @Test
    void hostileNamesRenderedByTheCliRunNoScript() throws Exception {
        Path dir = Files.createDirectories(work.resolve("render"));
        Path heap = writeInputs(dir);
        Path svg = dir.resolve("flames.svg");
        Proc.jjf(dir, "render", heap.toString(), "--perf-map", dir.resolve("perf.map").toString(), "-o", svg.toString())
                .assertOk();
        List<String> expected = new ArrayList<>(HOSTILE);
        expected.add("[unknown] " + LIBRARY_NAME + "+0x10");
        String title = "Native memory in use — " + HEAP_NAME;

        driver.get(svg.toUri().toString());
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d ->
                "true".equals(d.findElement(By.cssSelector("svg")).getDomAttribute("data-jjf-ready")));
        assertEquals(title, driver.getTitle());
        assertEquals(1L, js("return document.getElementsByTagName('script').length;"));
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) js(
                "return Array.from(document.querySelectorAll('g.frame'), g => g.getAttribute('data-name'));");
        for (String name : expected) assertTrue(names.contains(name), "name kept as data: " + name + " in " + names);

        // Every code path that touches a name: hover (details), click (zoom, labels), search.
        for (WebElement g : driver.findElements(By.cssSelector("g.frame"))) {
            if (!"2".equals(g.getDomAttribute("data-depth"))) continue;
            WebElement rect = g.findElement(By.tagName("rect"));
            new Actions(driver).moveToElement(rect).perform();
            String details = (String) js("return document.getElementById('details').textContent;");
            assertTrue(details.startsWith(g.getDomAttribute("data-name") + " ("), details);
            rect.click();
            driver.findElement(By.id("unzoom")).click();
        }
        driver.findElement(By.id("search")).click();
        Alert prompt = new WebDriverWait(driver, Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent());
        prompt.sendKeys("pwned");
        prompt.accept();
        assertEquals(expected.size(), driver.findElements(By.cssSelector("g.frame.match")).size(), "every hostile frame matched");

        assertEquals("undefined", js("return typeof window.pwned;"));
        assertEquals(title, js("return document.title;"));
        List<String> errors = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) errors.add(e.getMessage());
        }
        assertEquals(List.of(), errors, "browser console errors");
    }

    /** The other formats carry the same names as data too: JSON strings, folded lines. */
    @Test
    void jsonAndFoldedKeepTheNamesAsData() throws Exception {
        Path dir = Files.createDirectories(work.resolve("formats"));
        Path heap = writeInputs(dir);
        Path json = dir.resolve("flames.json");
        Path folded = dir.resolve("flames.folded");
        String map = dir.resolve("perf.map").toString();
        Proc.jjf(dir, "render", heap.toString(), "--perf-map", map, "--format", "json", "-o", json.toString()).assertOk();
        Proc.jjf(dir, "render", heap.toString(), "--perf-map", map, "--format", "folded", "-o", folded.toString()).assertOk();
        List<String> names = new ArrayList<>();
        for (JsonNode main : new ObjectMapper().readTree(json.toFile()).path("children")) {
            for (JsonNode leaf : main.path("children")) names.add(leaf.path("name").asText());
        }
        for (String name : HOSTILE) assertTrue(names.contains(name), name + " in " + names);
        List<String> lines = Files.readAllLines(folded);
        assertEquals(HOSTILE.size() + 1, lines.size(), "one line per stack: " + lines);
        for (String line : lines) assertTrue(line.startsWith("app.Main.main(java.lang.String[]);"), line);
    }
}
