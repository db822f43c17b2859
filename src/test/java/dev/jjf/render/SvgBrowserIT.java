package dev.jjf.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jjf.model.FrameKind;
import dev.jjf.stacks.CallTree;
import dev.jjf.stacks.Frame;
import dev.jjf.stacks.Trees;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Opens rendered SVGs from disk in headless Chromium and drives them like a user would. */
class SvgBrowserIT {
    private static final double FULL_WIDTH = SvgOptions.DEFAULT_WIDTH_PX - 2 * SvgRenderer.PAD_X;
    private static final String TITLE = "jjf browser test";

    private static HeadlessChromium browser;
    private static Path work;
    private static ChromeDriver driver;

    @BeforeAll
    static void startBrowser() throws IOException {
        browser = HeadlessChromium.start("SvgBrowserIT");
        work = browser.work();
        driver = browser.driver();
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        if (browser != null) browser.close();
    }

    /** Every page must load and run without a single console error. */
    @AfterEach
    void noConsoleErrors() {
        List<String> errors = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) errors.add(e.getMessage());
        }
        assertEquals(List.of(), errors, "browser console errors");
    }

    private static Frame f(String name, FrameKind kind) {
        return new Frame(name, kind);
    }

    /** 8 KiB in all; "malloc" matches four frames, one nested inside another. */
    private static CallTree sample() {
        CallTree t = new CallTree("bytes");
        Trees.add(t, List.of(f("main", FrameKind.JAVA), f("readFile", FrameKind.JAVA), f("malloc", FrameKind.NATIVE)), 4096);
        Trees.add(t, List.of(f("main", FrameKind.JAVA), f("parse", FrameKind.JAVA), f("my_malloc", FrameKind.NATIVE),
                f("malloc", FrameKind.NATIVE)), 2048);
        Trees.add(t, List.of(f("main", FrameKind.JAVA), f("compute", FrameKind.INLINED), f("os::malloc", FrameKind.JVM)), 960);
        Trees.add(t, List.of(f("main", FrameKind.JAVA), f("compute", FrameKind.INLINED),
                f("tiny_allocation_helper", FrameKind.NATIVE)), 64);
        Trees.add(t, List.of(f("thread", FrameKind.GENERATED), f("run", FrameKind.JAVA), f("mmap", FrameKind.NATIVE)), 1024);
        return t;
    }

    private static void open(CallTree tree, String name) throws IOException {
        Path file = work.resolve(name + ".svg");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            new SvgRenderer(SvgOptions.defaults(TITLE)).write(tree, w);
        }
        driver.get(file.toUri().toString());
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d ->
                "true".equals(d.findElement(By.cssSelector("svg")).getDomAttribute("data-jjf-ready")));
    }

    private static WebElement frame(String name) {
        List<WebElement> found = driver.findElements(By.cssSelector("g.frame[data-name=\"" + name + "\"]"));
        assertEquals(1, found.size(), "frames named " + name);
        return found.get(0);
    }

    /** The rectangle of the one frame with this name. */
    private static WebElement rect(String name) {
        return frame(name).findElement(By.tagName("rect"));
    }

    private static double width(WebElement rect) {
        return Double.parseDouble(rect.getDomAttribute("width"));
    }

    private static String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private static void answerPrompt(String answer) {
        Alert prompt = new WebDriverWait(driver, Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent());
        prompt.sendKeys(answer);
        prompt.accept();
    }

    @Test
    void hoverShowsNameBytesAndPercent() throws IOException {
        open(sample(), "hover");
        assertEquals(SvgRenderer.DETAILS_HINT, text("details"));
        new Actions(driver).moveToElement(rect("readFile")).perform();
        assertEquals("readFile (4.0 KiB, 50.00%)", text("details"));
        new Actions(driver).moveToElement(rect("compute")).perform();
        assertEquals("compute (1.0 KiB, 12.50%)", text("details"));
        new Actions(driver).moveToElement(driver.findElement(By.cssSelector(".title"))).perform();
        assertEquals(SvgRenderer.DETAILS_HINT, text("details"));
    }

    @Test
    void clickZoomsIntoAFrameAndResetRestores() throws IOException {
        open(sample(), "zoom");
        WebElement unzoom = driver.findElement(By.id("unzoom"));
        assertFalse(unzoom.isDisplayed());
        String parseWidth = rect("parse").getDomAttribute("width");
        String mainWidth = rect("main").getDomAttribute("width");

        rect("parse").click();
        assertEquals(FULL_WIDTH, width(rect("parse")), 0.5);
        assertEquals(FULL_WIDTH, width(rect("my_malloc")), 0.5, "callee fills the width too");
        assertEquals(SvgRenderer.PAD_X, Double.parseDouble(rect("my_malloc").getDomAttribute("x")), 0.5);
        assertTrue(rect("main").isDisplayed(), "caller stays");
        assertEquals(FULL_WIDTH, width(rect("main")), 0.5);
        assertFalse(rect("readFile").isDisplayed(), "sibling hidden");
        assertFalse(rect("compute").isDisplayed(), "sibling hidden");
        assertFalse(rect("thread").isDisplayed(), "other thread hidden");
        assertTrue(unzoom.isDisplayed());

        unzoom.click();
        assertEquals(parseWidth, rect("parse").getDomAttribute("width"));
        assertEquals(mainWidth, rect("main").getDomAttribute("width"));
        assertTrue(rect("readFile").isDisplayed());
        assertTrue(rect("thread").isDisplayed());
        assertFalse(unzoom.isDisplayed());
    }

    @Test
    void zoomGivesNarrowFramesTheirLabel() throws IOException {
        open(sample(), "label");
        WebElement tiny = frame("tiny_allocation_helper");
        assertTrue(tiny.findElements(By.tagName("text")).isEmpty(), "9 px is too narrow for a label");
        tiny.findElement(By.tagName("rect")).click();
        assertEquals("tiny_allocation_helper", tiny.findElement(By.tagName("text")).getText());
        driver.findElement(By.id("unzoom")).click();
        assertEquals("", tiny.findElement(By.tagName("text")).getText());
    }

    @Test
    void searchHighlightsExactlyTheMatchesAndCountsNestedMatchesOnce() throws IOException {
        open(sample(), "search");
        driver.findElement(By.id("search")).click();
        answerPrompt("malloc");

        Pattern re = Pattern.compile("malloc");
        Set<String> highlighted = new TreeSet<>();
        int matches = 0;
        for (WebElement g : driver.findElements(By.cssSelector("g.frame"))) {
            String name = g.getDomAttribute("data-name");
            boolean marked = g.getDomAttribute("class").contains("match");
            assertEquals(re.matcher(name).find(), marked, name);
            String fill = g.findElement(By.tagName("rect")).getCssValue("fill");
            assertEquals(marked, fill.equals("rgb(238, 0, 238)"), name + " " + fill);
            if (marked) {
                highlighted.add(name);
                matches++;
            }
        }
        assertEquals(Set.of("malloc", "my_malloc", "os::malloc"), highlighted);
        assertEquals(4, matches);
        // 4096 + 2048 + 960: the malloc inside my_malloc is the same memory as my_malloc.
        assertEquals("Matched: 86.72% (6.9 KiB, 4 frames)", text("matched"));

        WebElement reset = driver.findElement(By.id("resetsearch"));
        assertTrue(reset.isDisplayed());
        reset.click();
        assertTrue(driver.findElements(By.cssSelector("g.frame.match")).isEmpty());
        assertFalse(driver.findElement(By.id("matched")).isDisplayed());
        assertFalse(reset.isDisplayed());
    }

    @Test
    void ctrlFSearchesWithARegex() throws IOException {
        open(sample(), "ctrlf");
        new Actions(driver).keyDown(Keys.CONTROL).sendKeys("f").keyUp(Keys.CONTROL).perform();
        answerPrompt("^(main|thread)$");
        assertEquals(2, driver.findElements(By.cssSelector("g.frame.match")).size());
        assertEquals("Matched: 100.00% (8.0 KiB, 2 frames)", text("matched"));
        // A broken pattern is reported on the page, not thrown.
        driver.findElement(By.id("search")).click();
        answerPrompt("(unclosed");
        assertEquals("Invalid regular expression", text("matched"));
    }

    @Test
    void hostileNamesRunNoScript() throws IOException {
        List<String> hostile = List.of(
                "<script>window.pwned=1</script>",
                "\"><svg onload=\"window.pwned=2\">",
                "' onload='window.pwned=3",
                "<img src=x onerror=\"window.pwned=4\">",
                "]]><script>window.pwned=5</script><![CDATA[",
                "</title><script>document.title='pwned'</script>",
                "&lt;script&gt;window.pwned=6&lt;/script&gt;",
                "javascript:window.pwned=7");
        CallTree t = new CallTree("bytes");
        for (String name : hostile) {
            Trees.add(t, List.of(f(name, FrameKind.NATIVE), f(name + " callee", FrameKind.JAVA)), 1000);
        }
        open(t, "hostile");

        assertEquals(TITLE, driver.getTitle());
        assertEquals(1L, js("return document.getElementsByTagName('script').length;"));
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) js(
                "return Array.from(document.querySelectorAll('g.frame'), g => g.getAttribute('data-name'));");
        for (String name : hostile) assertTrue(names.contains(name), "name kept as data: " + name);

        // Drive every code path that touches names: hover, zoom, search.
        for (WebElement g : driver.findElements(By.cssSelector("g.frame"))) {
            if (!"1".equals(g.getDomAttribute("data-depth"))) continue;
            new Actions(driver).moveToElement(g.findElement(By.tagName("rect"))).perform();
            assertTrue(text("details").startsWith(g.getDomAttribute("data-name")), text("details"));
            g.findElement(By.tagName("rect")).click();
            driver.findElement(By.id("unzoom")).click();
        }
        driver.findElement(By.id("search")).click();
        answerPrompt("script|onload|onerror");
        Pattern re = Pattern.compile("script|onload|onerror");
        long expected = names.stream().filter(n -> re.matcher(n).find()).count();
        assertEquals(16, expected, "every hostile name and its callee");
        assertEquals(expected, driver.findElements(By.cssSelector("g.frame.match")).size());

        assertEquals("undefined", js("return typeof window.pwned;"));
        assertEquals(TITLE, js("return document.title;"));
    }
}
