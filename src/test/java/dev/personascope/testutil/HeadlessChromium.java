package dev.personascope.testutil;

import dev.personascope.util.FileTrees;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Debian's chromium driven headless through Debian's chromedriver, with a fresh profile and no
 * background networking; Selenium Manager is never asked to download anything. Tests are skipped
 * where the two packages are not installed ({@code .ci/run} installs them).
 */
public final class HeadlessChromium implements AutoCloseable {
    public static final File CHROMIUM = new File("/usr/bin/chromium");
    public static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    public static final Duration WAIT = Duration.ofSeconds(20);
    /** Held so the level sticks: Selenium warns that it has no DevTools classes for this Chromium, which it does not need. */
    private static final Logger DEVTOOLS_LOG = Logger.getLogger("org.openqa.selenium.devtools");

    public final ChromeDriver driver;
    private final Path profile;

    public HeadlessChromium() {
        Assumptions.assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
                "browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)");
        DEVTOOLS_LOG.setLevel(Level.SEVERE);
        System.setProperty("SE_AVOID_STATS", "true");
        System.setProperty("se.avoidStats", "true");
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.getPath());
        try {
            profile = Files.createTempDirectory("personascope-chromium");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.getPath());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,1600", "--user-data-dir=" + profile);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
    }

    public WebDriverWait waiting() {
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(50));
    }

    public Object js(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    public long count(String cssSelector) {
        return (Long) js("return document.querySelectorAll(arguments[0]).length", cssSelector);
    }

    /** Console messages at SEVERE level (script errors, failed loads) since the last call. */
    public List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).collect(Collectors.toList());
    }

    /** Saves a screenshot of the window to target/screenshots/NAME. */
    public Path screenshot(String name) {
        try {
            Path to = Path.of("target", "screenshots", name);
            Files.createDirectories(to.getParent());
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), to, StandardCopyOption.REPLACE_EXISTING);
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
        try {
            FileTrees.delete(profile);
        } catch (UncheckedIOException e) {
            // a leftover temp profile is harmless
        }
    }
}
