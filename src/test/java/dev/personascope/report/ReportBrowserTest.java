package dev.personascope.report;

import dev.personascope.testutil.HeadlessChromium;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A written report opened from disk in headless chromium: every chart is drawn, nothing fails to load. */
class ReportBrowserTest {
    @TempDir
    Path dir;

    @Test
    void everyChartRendersFromTheFile() {
        Path file = dir.resolve("report.html");
        ReportFixtures.report().write(file);
        try (HeadlessChromium browser = new HeadlessChromium()) {
            browser.driver.get(file.toUri().toString());
            browser.waiting().until(d -> "complete".equals(browser.js("return document.readyState")));
            assertEquals("Persona report <draft> & notes", browser.driver.getTitle());
            assertEquals(3, browser.count("svg.chart"));

            assertEquals(3, browser.count("rect.bar"));
            assertEquals(3, browser.count("g.whisker"));
            assertEquals(2, browser.count("svg.line-chart g.series"));
            assertEquals(1, browser.count("svg.line-chart path.band"));
            assertEquals(1, browser.count("svg.line-chart g.marker"));
            assertEquals(12, browser.count("rect.bin"));
            for (String shape : List.of("rect.bar", "svg.line-chart polyline", "path.band", "rect.bin")) {
                assertTrue((Boolean) browser.js("const all = [...document.querySelectorAll(arguments[0])];"
                        + "return all.length > 0 && all.every(e => e.getBBox().width > 0);", shape), shape + " drawn");
            }
            assertTrue((Boolean) browser.js("return [...document.querySelectorAll('rect.bar')].every(e => e.getBBox().height > 0)"));

            assertEquals(5, browser.count("div.tokens span.tok"));
            assertEquals(" <hack>", browser.js("return document.querySelectorAll('span.tok')[2].textContent"));
            assertEquals("rgb(255, 140, 0)", browser.js(
                    "return getComputedStyle(document.querySelectorAll('span.tok')[2]).backgroundColor"));
            assertEquals("rgba(255, 140, 0, 0)", browser.js(
                    "return getComputedStyle(document.querySelectorAll('span.tok')[4]).backgroundColor"));
            assertEquals("2.000", browser.driver.findElements(By.cssSelector("span.tok")).get(2).getAttribute("title"));

            assertEquals(0, browser.count("script"), "the escaped cell must not become a script");
            assertTrue(browser.driver.findElement(By.tagName("table")).getText().contains("<script>alert(1)</script>"));
            browser.screenshot("report.png");
            assertEquals(List.of(), browser.consoleErrors());
        }
    }
}
