package dev.sluice.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.Chromium;
import dev.sluice.support.IntegrationTest;
import dev.sluice.support.ProbeJob;

/**
 * The dashboard in headless Chromium (Debian's chromium and chromedriver, paths given, nothing
 * downloaded), against the app on a random port with real Redis. Screenshots go to docs/screenshots.
 */
@TestPropertySource(properties = {"sluice.workers.pool-size=2", "sluice.retry.backoff=50ms"})
class DashboardBrowserIT extends IntegrationTest {

    private static WebDriver browser;

    @BeforeAll
    static void openBrowser() {
        browser = Chromium.start();
    }

    @AfterAll
    static void closeBrowser() {
        browser.quit();
    }

    @BeforeEach
    void desktop() {
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    @BeforeEach
    void lightTheme() {
        colorScheme("light");
    }

    @AfterEach
    void noConsoleErrors() {
        assertThat(Chromium.consoleErrors(browser)).as("browser console errors").isEmpty();
        probe.reset();
    }

    private static void colorScheme(String scheme) {
        ((ChromeDriver) browser).executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    }

    private void open(String hash) {
        browser.get("http://127.0.0.1:" + port + "/" + hash);
    }

    private String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    private void screenshot(String name) throws IOException {
        Path target = Path.of("docs", "screenshots", name + ".png");
        Files.createDirectories(target.getParent());
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), target,
                StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void swaggerUiHasTheAuthorizeButtonAndTheSubmitExampleWorksWhenSent() {
        browser.get("http://127.0.0.1:" + port + "/swagger-ui/index.html");
        await().atMost(Duration.ofSeconds(20)).until(() -> !browser.findElements(By.cssSelector("button.authorize")).isEmpty());
        browser.findElement(By.cssSelector("#operations-jobs-submitJob .opblock-summary-control")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(
                By.cssSelector("#operations-jobs-submitJob .try-out__btn")).isEmpty());
        browser.findElement(By.cssSelector("#operations-jobs-submitJob .try-out__btn")).click();
        browser.findElement(By.cssSelector("#operations-jobs-submitJob .execute")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElements(
                By.cssSelector("#operations-jobs-submitJob .live-responses-table .response-col_status")).stream()
                .anyMatch(cell -> cell.getText().trim().equals("202")));
    }

    @Test
    void theOverviewShowsWhatTheApiReports() throws IOException {
        api.post("/api/queues/low/pause", "");
        for (int i = 0; i < 3; i++) {
            api.submit("{\"type\":\"noop\",\"priority\":\"low\"}");
        }
        assertThat(api.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "http://localhost:" + port + "/api/job-types/add/limits")).header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"concurrency\":5,\"rate\":{\"limit\":100,\"period\":\"1s\"}}"))).status()).isEqualTo(200);
        api.submit("{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":2}}");
        try {
            open("#/overview");
            await().atMost(Duration.ofSeconds(10)).until(() -> text("#limits tbody").contains("add"));
            assertThat(text("#limits tr[data-type=add]")).contains("/ 5").contains("/ 100 per 1s");
            // the hour chart is drawn from the history in Redis as the page opens: the add job is in it
            await().atMost(Duration.ofSeconds(40)).until(() -> !"0".equals(
                    browser.findElement(By.id("chart-hour")).getDomAttribute("data-succeeded"))
                    && browser.findElement(By.id("chart-hour")).getDomAttribute("data-succeeded") != null);
            await().atMost(Duration.ofSeconds(10)).until(() -> text("[data-count=low]").equals("3"));
            JsonNode queues = api.get("/api/queues").json();
            assertThat(text("[data-count=low]")).isEqualTo(queues.get("queues").get("low").asString());
            assertThat(text("[data-count=dead]")).isEqualTo(queues.get("dead").asString());
            assertThat(text("[data-count=redis]")).isEqualTo("up");
            assertThat(text("#queues tr[data-priority=low]")).containsIgnoringCase("paused");
            assertThat(text("#nodes tbody")).contains("free + running = pool");
            await().atMost(Duration.ofSeconds(5)).until(() -> text("#live").equals("live"));
            screenshot("overview");
        } finally {
            api.post("/api/queues/low/resume", "");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> text("[data-count=low]").equals("0"));
    }

    @Test
    void aSubmittedJobTurnsSucceededLiveWithoutAReload() throws IOException {
        String id = api.submit("{\"type\":\"probe\",\"payload\":{\"label\":\"live\",\"gated\":true,\"progress\":true}}");
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(id).equals("running"));
        open("#/job/" + id);
        await().atMost(Duration.ofSeconds(10)).until(() -> text("#job-state").equals("RUNNING"));
        Object marker = ((JavascriptExecutor) browser).executeScript("return window.sluiceMarker = 42;");
        assertThat(browser.findElement(By.id("job-cancel")).isEnabled()).isTrue();
        assertThat(browser.findElement(By.id("job-retry")).isEnabled()).isFalse();

        probe.open();

        await().atMost(Duration.ofSeconds(10)).until(() -> text("#job-state").equals("SUCCEEDED"));
        assertThat(((JavascriptExecutor) browser).executeScript("return window.sluiceMarker;")).as("no reload")
                .isEqualTo(marker);
        assertThat(text("#job-timeline")).contains("succeeded").contains("progress 50 %");
        assertThat(browser.findElement(By.id("job-cancel")).isEnabled()).isFalse();
        screenshot("job");
    }

    @Test
    void aDeadJobCanBeRetriedFromTheDeadLettersPageAndThenSucceeds() throws IOException {
        String id = api.submit(ProbeJob.failing("doomed", 2));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(id).equals("dead"));
        open("#/dead");
        WebElement row = await().atMost(Duration.ofSeconds(10)).until(
                () -> browser.findElements(By.cssSelector("#dead tr[data-id='" + id + "']")), rows -> !rows.isEmpty())
                .get(0);
        screenshot("dead-letters");
        probe.heal();

        row.findElement(By.cssSelector("button[data-action=retry]")).click();
        browser.switchTo().alert().accept();

        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(id).equals("succeeded"));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> browser.findElements(By.cssSelector("#dead tr[data-id='" + id + "']")).isEmpty());
    }

    @Test
    void cancelFromTheJobPageStopsARunningJob() {
        String id = api.submit("{\"type\":\"probe\",\"payload\":{\"label\":\"to-cancel\",\"gated\":true}}");
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(id).equals("running"));
        open("#/job/" + id);
        await().atMost(Duration.ofSeconds(10)).until(() -> text("#job-state").equals("RUNNING"));

        browser.findElement(By.id("job-cancel")).click();
        browser.switchTo().alert().accept();

        await().atMost(Duration.ofSeconds(10)).until(() -> text("#job-state").equals("CANCELLED"));
        assertThat(api.state(id)).isEqualTo("cancelled");
        assertThat(browser.findElement(By.id("job-retry")).isEnabled()).isTrue();
    }

    @Test
    void pauseStopsALevelFromBeingTakenAndResumeRestartsIt() {
        open("#/overview");
        WebElement pause = await().atMost(Duration.ofSeconds(10)).until(
                () -> browser.findElement(By.cssSelector("#queues button[data-priority=high]")),
                button -> button.getText().equals("Pause"));
        pause.click();
        await().atMost(Duration.ofSeconds(5)).until(() -> api.get("/api/queues").json().get("paused").toString()
                .contains("high"));
        String id = api.submit("{\"type\":\"noop\",\"priority\":\"high\"}");

        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> api.state(id).equals("queued"));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> text("#queues tr[data-priority=high]").toLowerCase().contains("paused"));
        browser.findElement(By.cssSelector("#queues button[data-priority=high]")).click();

        await().atMost(Duration.ofSeconds(5)).until(() -> api.state(id).equals("succeeded"));
    }

    @Test
    void itFollowsADarkSystemTheme() throws IOException {
        colorScheme("dark");
        open("#/overview");
        await().atMost(Duration.ofSeconds(10)).until(() -> !text("[data-count=high]").equals("–"));
        String background = (String) ((JavascriptExecutor) browser)
                .executeScript("return getComputedStyle(document.body).backgroundColor;");
        String text = (String) ((JavascriptExecutor) browser)
                .executeScript("return getComputedStyle(document.body).color;");
        assertThat(luminance(background)).as("dark background %s", background).isLessThan(0.2);
        assertThat(luminance(text)).as("light text %s", text).isGreaterThan(0.7);
        screenshot("overview-dark");
    }

    private static double luminance(String rgb) {
        String[] parts = rgb.replaceAll("[^0-9,]", "").split(",");
        return (0.2126 * Integer.parseInt(parts[0]) + 0.7152 * Integer.parseInt(parts[1])
                + 0.0722 * Integer.parseInt(parts[2])) / 255;
    }

    @Test
    void itFitsAPhoneScreen() throws IOException {
        browser.manage().window().setSize(new Dimension(390, 844));
        open("#/overview");
        await().atMost(Duration.ofSeconds(10)).until(() -> !text("[data-count=high]").equals("–"));
        Number overflow = (Number) ((JavascriptExecutor) browser)
                .executeScript("return document.documentElement.scrollWidth - window.innerWidth;");
        assertThat(overflow.intValue()).as("horizontal overflow in px").isLessThanOrEqualTo(0);
        screenshot("overview-phone");
    }
}
