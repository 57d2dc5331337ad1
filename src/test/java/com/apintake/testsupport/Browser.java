package com.apintake.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium from the Debian packages chromium and chromium-driver (.ci/run installs them),
 * driven by Selenium without Selenium Manager, so nothing is downloaded. Screenshots go to
 * target/screenshots/.
 */
public final class Browser {

    static final String CHROMIUM = System.getProperty("apintake.chromium", "/usr/bin/chromium");
    static final String DRIVER = System.getProperty("apintake.chromedriver", "/usr/bin/chromedriver");

    private Browser() {}

    public static ChromeDriver start() {
        if (!new File(CHROMIUM).canExecute() || !new File(DRIVER).canExecute()) {
            throw new IllegalStateException("The browser tests need " + CHROMIUM + " and " + DRIVER
                    + " (Debian: apt-get install chromium chromium-driver; .ci/run does it).");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1366,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        return driver;
    }

    /** Saves what the browser shows as target/screenshots/{name}.png and answers the file. */
    public static Path screenshot(ChromeDriver driver, String name) {
        try {
            Path folder = Files.createDirectories(Path.of("target", "screenshots"));
            Path target = folder.resolve(name + ".png");
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new IllegalStateException("Screenshot " + name + " failed", e);
        }
    }
}
