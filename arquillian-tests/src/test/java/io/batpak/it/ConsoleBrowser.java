package io.batpak.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven through Debian's {@code chromedriver}
 * by Selenium, on a fresh profile directory. Both binaries are given by path, so Selenium Manager
 * never downloads a browser or a driver; {@code .ci/run} installs the two packages when missing.
 * Flags: headless, no sandbox (CI runs as root), no GPU, and no background traffic (updates, sync,
 * QUIC), so the browser talks only to the server under test.
 */
final class ConsoleBrowser implements AutoCloseable {
    private final ChromeDriver driver;
    private final Path profile;
    private final Path screenshots;

    ConsoleBrowser(Path screenshots) throws IOException {
        String browser = firstExisting("batpak.chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium");
        String chromedriver = firstExisting("batpak.chromedriver", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
        this.profile = Files.createTempDirectory("console-it-profile");
        this.screenshots = screenshots;
        Files.createDirectories(screenshots);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1280,800",
                "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver)).usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1280, 800));
    }

    private static String firstExisting(String property, String... candidates) {
        String configured = System.getProperty(property);
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String c : candidates) {
            if (new File(c).canExecute()) {
                return c;
            }
        }
        throw new AssertionError("none of " + List.of(candidates) + " found: install Debian's chromium and chromium-driver"
                + " (apt-get install -y chromium chromium-driver; .ci/run does it) or set -D" + property);
    }

    WebDriver driver() {
        return driver;
    }

    void open(String url) {
        driver.get(url);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Wait up to {@code timeout} until {@code condition} gives a non-null, non-false value. */
    <T> T until(Duration timeout, String what, Function<WebDriver, T> condition) {
        // Stale elements are expected: views re-render, and sign-in/out reload the page.
        return new WebDriverWait(driver, timeout, Duration.ofMillis(50)).withMessage(what)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition);
    }

    /** Wait until an element matching {@code css} exists and shows text containing {@code text}. */
    WebElement untilText(Duration timeout, String css, String text) {
        return until(timeout, css + " containing '" + text + "'", d -> {
            for (WebElement e : d.findElements(By.cssSelector(css))) {
                if (e.getText().contains(text)) {
                    return e;
                }
            }
            return null;
        });
    }

    Object script(String js, Object... args) {
        return driver.executeScript(js, args);
    }

    void size(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Save a PNG of the viewport as {@code <screenshots>/<name>.png}. */
    Path screenshot(String name) throws IOException {
        Path out = screenshots.resolve(name + ".png");
        Files.write(out, driver.getScreenshotAs(OutputType.BYTES));
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
