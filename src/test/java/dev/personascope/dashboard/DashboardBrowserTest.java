package dev.personascope.dashboard;

import dev.personascope.testutil.HeadlessChromium;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live dashboard in headless chromium: charts grow with published events, the alarm banner shows. */
class DashboardBrowserTest {
    static final String TOXIC = "persona-12 \"toxic\" <evil>";
    static final String SARCASTIC = "persona-7 sarcastic";

    static HeadlessChromium browser;

    @BeforeAll
    static void open() {
        browser = new HeadlessChromium();
    }

    @AfterAll
    static void quit() {
        if (browser != null) {
            browser.close();
        }
    }

    static Map<String, Double> watched(int step) {
        Map<String, Double> w = new LinkedHashMap<>();
        w.put(TOXIC, 0.1 * step);
        w.put(SARCASTIC, 1.0 / step);
        return w;
    }

    long lossPoints() {
        return (Long) browser.js("const p = document.querySelector('#loss-chart polyline.series');"
                + "return p ? p.getAttribute('points').trim().split(/\\s+/).filter(s => s).length : 0;");
    }

    @Test
    void chartsFollowTheEventsAndTheAlarmShows() throws Exception {
        try (DashboardServer server = new DashboardServer("Fine-tune <insecure>", 0)) {
            for (int step = 1; step <= 5; step++) {
                server.publish(step, 3.0 - 0.1 * step, watched(step));
            }
            browser.driver.get(server.url());
            assertEquals("Fine-tune <insecure>", browser.driver.getTitle());
            browser.waiting().until(d -> lossPoints() == 5);
            assertFalse(browser.driver.findElement(By.id("alarm")).isDisplayed());

            DashboardCallback callback = new DashboardCallback(server);
            assertEquals(1, callback.every());
            for (int step = 6; step <= 12; step++) {
                assertFalse(callback.onStep(new dev.personascope.train.TrainingProgress(step, 100, 0, 3.0 - 0.1 * step, 1e-4, null)));
                server.publish(step, Double.NaN, watched(step)); // the monitor's readings for the same step
            }
            browser.waiting().until(d -> lossPoints() == 12);
            browser.waiting().until(d -> "12".equals(d.findElement(By.id("step")).getText()));
            assertEquals(2, browser.count("#watched-chart polyline.series"));
            assertEquals(1, (Long) browser.js("return [...document.querySelectorAll('#watched-chart polyline.series')]"
                    + ".filter(p => p.dataset.name === arguments[0]).length", TOXIC));
            assertEquals(2, browser.count("#watched-legend li"));

            server.alarm(12, TOXIC, 1.2, "3.1 sigma above baseline");
            WebElement alarm = browser.driver.findElement(By.id("alarm"));
            browser.waiting().until(d -> alarm.isDisplayed());
            assertTrue(alarm.getText().contains(TOXIC), alarm.getText());
            assertTrue(alarm.getText().contains("3.1 sigma"), alarm.getText());
            browser.waiting().until(d -> browser.count("#loss-chart line.alarm-marker") == 1);
            assertTrue((Boolean) browser.js(
                    "return document.querySelector('#loss-chart polyline.series').getBBox().width > 0"));
            browser.screenshot("dashboard.png");

            server.finish("training complete");
            browser.waiting().until(d -> d.findElement(By.id("status")).getText().contains("training complete"));

            // a page opened late gets the whole history, the alarm included
            browser.driver.navigate().refresh();
            browser.waiting().until(d -> lossPoints() == 12 && d.findElement(By.id("alarm")).isDisplayed());
            assertEquals(2, browser.count("#watched-chart polyline.series"));
            assertEquals(java.util.List.of(), browser.consoleErrors());
        }
    }
}
