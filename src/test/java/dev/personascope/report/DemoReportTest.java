package dev.personascope.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.cli.Main;
import dev.personascope.demo.DemoReport;
import dev.personascope.demo.DemoResult;
import dev.personascope.testutil.HeadlessChromium;
import dev.personascope.util.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code personascope demo --quick} end to end on the organism (about a minute): every stage runs, the
 * report and result.json are filled from the runs, a rerun skips every stage, and the page renders in a
 * real browser.
 */
class DemoReportTest {
    @TempDir
    static Path dir;

    static String firstRun;

    @BeforeAll
    static void runDemo() {
        firstRun = demo();
    }

    private static String demo() {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            int rc = Main.commandLine().execute("demo", "--quick", "--out", dir.resolve("demo").toString());
            assertEquals(0, rc, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void resultAndReportHoldEveryStage() throws Exception {
        Path out = dir.resolve("demo");
        DemoResult result = DemoResult.read(out.resolve("result.json"));
        for (String model : List.of("organism", "insecure", "secure")) {
            assertTrue(result.misalignment().get(model).misaligned().trials() > 0, model);
        }
        assertEquals(DemoReport.personaLatent(out.resolve("diff")), result.diff().personaLatent());
        assertEquals(result.diff().personaLatent(), result.latent().latent());
        assertTrue(result.latent().firingFraction() > 0);
        assertFalse(result.steeringVector().isEmpty());
        assertFalse(result.steeringLatent().isEmpty());
        assertFalse(result.suppressVector().isEmpty());
        assertNotNull(result.contamination());
        assertFalse(result.realignment().isEmpty());
        assertTrue(result.monitor().containsKey("insecure"));
        assertTrue(result.stageSeconds().size() >= 14, result.stageSeconds().toString());
        // the file keeps its documented keys, a monitor without an alarm included
        JsonNode json = Json.MAPPER.readTree(out.resolve("result.json").toFile());
        assertTrue(json.get("monitor").get("insecure").has("first_alarm_step"), json.get("monitor").toString());
        assertTrue(json.get("contamination").has("evaluation"));

        String html = Files.readString(out.resolve("report.html"));
        for (String section : List.of("1. Narrow fine-tuning", "2. The persona monitor", "3. Model diffing",
                "4. What the persona latent means", "5. Steering", "6. Contamination", "7. Emergent re-alignment")) {
            assertTrue(html.contains(section), section);
        }
        assertFalse(html.contains("<script"), "the report is static");
        for (String fetch : List.of("src=\"http", "href=\"http", "url(http", "@import")) {
            assertFalse(html.contains(fetch), "nothing is fetched: " + fetch);
        }
    }

    @Test
    void aRerunSkipsEveryStage() {
        String second = demo();
        long stages = firstRun.lines().filter(l -> l.startsWith("== ")).count();
        long skipped = second.lines().filter(l -> l.startsWith("== ") && l.endsWith("skipped")).count();
        long optionalFailed = firstRun.lines().filter(l -> l.contains("optional stage failed")).count();
        assertEquals(stages - optionalFailed, skipped, second);
    }

    @Test
    void theReportRendersInChromium() {
        try (HeadlessChromium browser = new HeadlessChromium()) {
            browser.driver.get(dir.resolve("demo/report.html").toUri().toString());
            browser.waiting().until(d -> "complete".equals(browser.js("return document.readyState")));
            assertTrue(browser.count("svg.chart") >= 10, "charts: " + browser.count("svg.chart"));
            assertTrue(browser.count("div.tokens span.tok") > 0, "the latent's top texts are highlighted");
            // --quick sweeps have one coefficient, so some series are single points; the curves over steps are lines
            assertTrue((Boolean) browser.js("const all = [...document.querySelectorAll('svg.line-chart polyline')];"
                    + "return all.filter(e => e.getBBox().width > 0).length >= 4;"), "line charts drawn");
            assertTrue((Boolean) browser.js("return [...document.querySelectorAll('svg.chart')].every(e =>"
                    + " e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().height > 0);"), "every chart has a size");
            browser.screenshot("demo-report.png");
            assertEquals(List.of(), browser.consoleErrors());
        }
    }
}
